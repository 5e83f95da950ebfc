//! The console's door, in front of every route: the Host must be one the console answers to
//! (against DNS rebinding of a loopback service), a request that changes something must
//! come from the console's own pages (cross-site requests refused, login CSRF included,
//! the header check of Go's `CrossOriginProtection` and Datasette 1.0), and every response
//! carries strict security headers.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Shared;
use super::view::Fail;

/// The address a request came from, for the throttle and the audit log.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// The content security policy of the console's own pages: nothing from elsewhere, no
/// inline script or style, no plugins, no framing by other sites.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'";

/// Checks the host and the origin, then adds the headers.
pub async fn guard(State(console): State<Shared>, mut req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
    if !host_allowed(&host, &console.settings.config.web.hosts) {
        return Fail::new(StatusCode::MISDIRECTED_REQUEST, "このアドレスでは使えません")
            .hint("renkei serve が表示した URL か、[web] hosts に登録したホスト名で開いてください")
            .into_response();
    }
    if !is_safe(req.method()) && !same_origin(req.headers(), &host) {
        return Fail::new(StatusCode::FORBIDDEN, "ほかのサイトからの操作は受け付けません")
            .hint("renkei の画面から操作してください")
            .into_response();
    }
    let ip =
        req.extensions().get::<ConnectInfo<SocketAddr>>().map_or_else(|| "local".to_string(), |c| c.0.ip().to_string());
    req.extensions_mut().insert(ClientIp(ip));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::CACHE_CONTROL, "no-store");
    set(h, header::X_FRAME_OPTIONS, "SAMEORIGIN");
    set(h, header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if console.tls {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    res
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Loopback names on any port, and the configured host names.
fn host_allowed(host: &str, configured: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(n, _)| n),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1") || configured.iter().any(|c| c.eq_ignore_ascii_case(name))
}

/// A browser says where a request comes from: `Sec-Fetch-Site` (Chrome, Edge, Firefox,
/// Safari), else `Origin`. A request with neither comes from no browser (a script on the
/// box with its own session), which no other site can forge.
fn same_origin(h: &HeaderMap, host: &str) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_and_configured_hosts_are_answered() {
        let configured = vec!["renkei.uonuma.local".to_string()];
        for ok in ["127.0.0.1:8470", "localhost:8470", "[::1]:8470", "renkei.uonuma.local", "RENKEI.uonuma.local:443"] {
            assert!(host_allowed(ok, &configured), "{ok}");
        }
        for bad in ["", "evil.example", "127.0.0.1.evil.example:8470", "renkei.uonuma.local.evil"] {
            assert!(!host_allowed(bad, &configured), "{bad}");
        }
    }

    #[test]
    fn cross_site_writes_are_told_apart() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        let host = "127.0.0.1:8470";
        assert!(same_origin(&with(&[("sec-fetch-site", "same-origin")]), host));
        assert!(!same_origin(&with(&[("sec-fetch-site", "cross-site")]), host));
        assert!(!same_origin(&with(&[("sec-fetch-site", "same-site")]), host));
        assert!(same_origin(&with(&[("origin", "http://127.0.0.1:8470")]), host));
        assert!(!same_origin(&with(&[("origin", "http://evil.example")]), host));
        assert!(!same_origin(&with(&[("origin", "null")]), host));
        assert!(same_origin(&HeaderMap::new(), host));
    }
}
