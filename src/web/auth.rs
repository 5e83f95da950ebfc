//! Logging in and out, and who a request is: the session cookie's user, re-checked against
//! the accounts file on every request (a removed user or a changed role ends the session).

use axum::extract::{Form, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Shared;
use super::guard::ClientIp;
use super::session::{self, Ended};
use super::users::{self, Permission, Role};
use super::view::{Fail, Frame, Nav, html, percent_encode};
use crate::audit_log::{ConsoleUser, record_console};

/// A logged-in request.
#[derive(Debug, Clone)]
pub struct Authed {
    /// Login name.
    pub user: String,
    /// Current role.
    pub role: Role,
    /// The client's address.
    pub ip: String,
    /// The audit log's label of the session.
    pub session: String,
}

impl Authed {
    /// The navigation bar for this user on `active`.
    pub fn nav(&self, active: &'static str) -> Nav {
        Nav::new(&self.user, self.role, active)
    }

    /// Refuses (403, audited) unless the role may do `p`.
    pub fn require(&self, console: &Shared, p: Permission, what: &str) -> Result<(), Fail> {
        if self.role.may(p) {
            return Ok(());
        }
        self.audit(console, "denied", what, None, false);
        let needed = match p {
            Permission::Analyze => "分析",
            Permission::Upload => "取込",
            Permission::Send => "管理",
            Permission::View => "閲覧",
        };
        Err(Fail::new(StatusCode::FORBIDDEN, format!("「{what}」は{needed}の役割の利用者だけが使えます"))
            .because(format!("{} さんの役割は「{}」です", self.user, self.role.label_ja()))
            .hint("必要なら管理者に役割の変更を頼んでください（renkei user add で変更できます）"))
    }

    /// Appends an entry to the audit log (a failure to write it is logged, not shown).
    pub fn audit(&self, console: &Shared, event: &str, statement: &str, rows: Option<usize>, ok: bool) {
        let who = ConsoleUser {
            user: &self.user,
            role: Some(self.role.name()),
            ip: &self.ip,
            session: Some(self.session.clone()),
        };
        if let Err(e) = record_console(&console.settings, &who, event, statement, rows, ok) {
            tracing::error!(error = %format!("{e:#}"), "the audit log could not be written");
        }
    }
}

/// The cookie's name: `__Host-` (Secure, this host only) over HTTPS; plain on loopback
/// HTTP, where browsers refuse `Secure` cookies.
fn cookie_name(console: &Shared) -> &'static str {
    if console.tls { "__Host-renkei_session" } else { "renkei_session" }
}

fn token_of(console: &Shared, headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(console);
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

impl FromRequestParts<Shared> for Authed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Shared) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ClientIp>().map_or_else(|| "local".to_string(), |c| c.0.clone());
        let back = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
        let login = |why: Option<&str>| {
            let mut to = format!("/login?next={}", percent_encode(&back, "/"));
            if let Some(w) = why {
                to.push_str(&format!("&why={w}"));
            }
            Redirect::to(&to).into_response()
        };
        let Some(token) = token_of(console, &parts.headers) else {
            return Err(login(None));
        };
        let s = match console.sessions.touch(&token) {
            Ok(s) => s,
            Err(ended) => {
                let why = match ended {
                    Ended::Idle => Some("idle"),
                    Ended::Expired => Some("expired"),
                    Ended::Unknown => None,
                };
                if why.is_some() {
                    let who = ConsoleUser { user: "", role: None, ip: &ip, session: Some(session::label(&token)) };
                    let _ = record_console(&console.settings, &who, "session_ended", why.unwrap_or(""), None, true);
                }
                return Err(login(why));
            }
        };
        // The accounts file is the truth: a removed user or a changed role ends the session.
        let current =
            console.accounts.current().ok().and_then(|all| all.iter().find(|u| u.name == s.user).map(|u| u.role));
        if current != Some(s.role) {
            console.sessions.end(&token);
            return Err(login(Some("changed")));
        }
        Ok(Authed { user: s.user, role: s.role, ip, session: session::label(&token) })
    }
}

#[derive(askama::Template)]
#[template(path = "web/login.html")]
struct LoginPage {
    frame: Frame,
    next: String,
    user: String,
    no_users: bool,
}

/// `?next=…&why=…` of the login page.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    why: Option<String>,
}

/// A local path to go back to after login (never another site).
fn local(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// `GET /login`.
pub async fn form(State(console): State<Shared>, Query(q): Query<LoginQuery>) -> Response {
    let mut frame = Frame::new("ログイン", None);
    frame = match q.why.as_deref() {
        Some("idle") => frame.notice(
            "warn",
            format!(
                "操作のないまま {} 分たったため、ログアウトしました。もう一度ログインしてください",
                console.settings.config.web.idle_minutes
            ),
        ),
        Some("expired") => frame.notice("warn", "ログインから時間がたったため、ログアウトしました"),
        Some("changed") => frame.notice("warn", "利用者の登録が変わったため、ログアウトしました"),
        Some("out") => frame.notice("ok", "ログアウトしました"),
        _ => frame,
    };
    let no_users = console.accounts.current().map(|u| u.is_empty()).unwrap_or(true);
    html(&LoginPage { frame, next: local(q.next.as_deref()), user: String::new(), no_users })
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    user: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`: throttled before any hashing, the same answer for an unknown name and a
/// wrong password, a new session token on success.
pub async fn login(
    State(console): State<Shared>,
    axum::Extension(ClientIp(ip)): axum::Extension<ClientIp>,
    Form(f): Form<LoginForm>,
) -> Response {
    let name = f.user.trim().to_string();
    let who = ConsoleUser { user: &name, role: None, ip: &ip, session: None };
    let again = |notice: String| {
        let frame = Frame::new("ログイン", None).notice("error", notice);
        (
            StatusCode::UNAUTHORIZED,
            html(&LoginPage { frame, next: local(f.next.as_deref()), user: name.clone(), no_users: false }),
        )
            .into_response()
    };
    if let Some(wait) = console.throttle.wait(&name, &ip) {
        let _ = record_console(&console.settings, &who, "login_throttled", "", None, false);
        return again(format!(
            "失敗が続いたため、この利用者名では {} 分ほどログインできません",
            wait.as_secs().div_ceil(60)
        ));
    }
    let accounts = match console.accounts.current() {
        Ok(a) => a,
        Err(e) => return Fail::from_error(&e).into_response(),
    };
    let found = accounts.iter().find(|u| u.name == name).cloned();
    let password = f.password.clone();
    // An unknown name costs one hash too, so timing does not tell names apart.
    let hash = found.as_ref().map_or_else(|| dummy_hash().to_string(), |u| u.hash.clone());
    let matched = tokio::task::spawn_blocking(move || users::verify(&hash, &password)).await.unwrap_or(false);
    let Some(user) = found.filter(|_| matched) else {
        console.throttle.failed(&name, &ip);
        let _ = record_console(&console.settings, &who, "login_failed", "", None, false);
        return again("利用者名かパスワードが違います".into());
    };
    console.throttle.succeeded(&name);
    let token = console.sessions.start(&user.name, user.role);
    let who =
        ConsoleUser { user: &user.name, role: Some(user.role.name()), ip: &ip, session: Some(session::label(&token)) };
    let _ = record_console(&console.settings, &who, "login", "", None, true);
    let secure = if console.tls { "; Secure" } else { "" };
    let cookie = format!("{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}", cookie_name(&console));
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, local(f.next.as_deref()))])
        .into_response()
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| users::hash("no such user, no such password").unwrap_or_default())
}

/// `POST /logout`: the server forgets the session; the browser is told to clear its cache.
pub async fn logout(State(console): State<Shared>, who: Authed, headers: HeaderMap) -> Response {
    if let Some(token) = token_of(&console, &headers) {
        console.sessions.end(&token);
    }
    who.audit(&console, "logout", "", None, true);
    let secure = if console.tls { "; Secure" } else { "" };
    let cookie = format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}", cookie_name(&console));
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, "/login?why=out".to_string()),
            (header::HeaderName::from_static("clear-site-data"), "\"cache\", \"storage\"".to_string()),
        ],
    )
        .into_response()
}
