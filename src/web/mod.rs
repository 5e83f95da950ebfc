//! The secretariat's console in the browser: `renkei serve`, or `renkei daemon` with
//! `[web] enabled`. Server-rendered Japanese pages (askama, `templates/web/`), one small
//! embedded stylesheet and script, no CDN and nothing fetched at run time.
//!
//! What it reads it reads from the store's published copy (`store::publish`), opened
//! read-only with file access off, so console SQL never touches the live store or the
//! inbox. What it changes (uploads, aliases, sends) it changes by running this same renkei
//! as a child process, exactly as the command line would, so the store's one-writer lock,
//! the audit log and every refusal are the command line's own.
//!
//! `guard` is the door (host allowlist, cross-site refusal, security headers); `session`
//! and `users` who may come in; the pages are one file per screen.

mod assets;
mod auth;
mod chart;
mod guard;
mod ingest;
mod questions;
mod reports;
mod run;
pub mod session;
mod sql;
mod status;
pub mod users;
mod view;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::config::Settings;
use crate::error::Problem;

/// Everything the console's handlers share.
pub struct Console {
    /// The settings it was started with.
    pub settings: Settings,
    /// The renkei executable that does the console's writes.
    pub exe: PathBuf,
    /// The accounts file, read again when it changes.
    pub accounts: users::Accounts,
    /// Live sessions.
    pub sessions: session::Sessions,
    /// Failed logins.
    pub throttle: session::Throttle,
    /// Console queries at once (two cores: two).
    pub queries: tokio::sync::Semaphore,
    /// Each user's running query, to cancel it.
    pub running: Mutex<std::collections::HashMap<String, run::Running>>,
    /// Whether it is served over HTTPS (cookies are then `Secure`, with HSTS).
    pub tls: bool,
    /// One change at a time through the console (uploads, aliases, sends).
    pub changing: tokio::sync::Mutex<()>,
}

/// The shared console.
pub type Shared = Arc<Console>;

impl Console {
    /// A console over `settings` whose changes run `exe`.
    pub fn new(settings: Settings, exe: PathBuf) -> Shared {
        let web = &settings.config.web;
        let tls = web.tls_cert.is_some() && web.tls_key.is_some();
        Arc::new(Console {
            accounts: users::Accounts::new(settings.web_users()),
            sessions: session::Sessions::new(
                Duration::from_secs(web.idle_minutes * 60),
                Duration::from_secs(web.session_hours * 3600),
            ),
            throttle: session::Throttle::new(Duration::from_secs(15 * 60)),
            queries: tokio::sync::Semaphore::new(2),
            running: Mutex::new(Default::default()),
            tls,
            changing: tokio::sync::Mutex::new(()),
            settings,
            exe,
        })
    }
}

/// Every route, behind the guard.
pub fn router(console: Shared) -> Router {
    let upload_limit = (console.settings.config.web.upload_max_mb as usize).saturating_mul(1024 * 1024);
    Router::new()
        .route("/login", get(auth::form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/", get(status::page))
        .route("/ingest", get(ingest::page))
        .route("/ingest/upload", post(ingest::upload).layer(DefaultBodyLimit::max(upload_limit + 64 * 1024)))
        .route("/ingest/alias", post(ingest::alias))
        .route("/ingest/reload", post(ingest::reload))
        .route("/questions", get(questions::list))
        .route("/questions/{name}", get(questions::page))
        .route("/questions/{name}/download", get(questions::download))
        .route("/sql", get(sql::page).post(sql::run))
        .route("/sql/cancel", post(sql::cancel))
        .route("/sql/download", post(sql::download))
        .route("/reports", get(reports::page))
        .route("/reports/board/{month}", get(reports::board))
        .route("/reports/board/{month}/{file}", get(reports::board_file))
        .route("/reports/municipality/{fy}/{name}", get(reports::municipality))
        .route("/reports/send", post(reports::send))
        .route("/assets/{file}", get(assets::serve))
        .fallback(view::not_found)
        .layer(axum::middleware::from_fn_with_state(console.clone(), guard::guard))
        .with_state(console)
}

/// The address to listen on: loopback, or elsewhere only with TLS.
pub fn listen_address(settings: &Settings) -> Result<SocketAddr, Problem> {
    let web = &settings.config.web;
    let addr: SocketAddr = web.listen.parse().map_err(|e: std::net::AddrParseError| {
        Problem::new("[web] listen を読めません")
            .value(&web.listen)
            .because(e.to_string())
            .hint("127.0.0.1:8470 のように アドレス:ポート で指定してください")
    })?;
    let tls = web.tls_cert.is_some() && web.tls_key.is_some();
    if !addr.ip().is_loopback() && !tls {
        return Err(Problem::new(format!("{addr} では画面を出せません（HTTPS の設定がありません）"))
            .because("127.0.0.1 以外で待ち受けると、パスワードとデータが暗号化されずにネットワークを流れます")
            .hint("[web] tls_cert と tls_key に証明書と秘密鍵（PEM）を指定するか、listen を 127.0.0.1:8470 にしてください"));
    }
    if web.tls_cert.is_some() != web.tls_key.is_some() {
        return Err(Problem::new("[web] tls_cert と tls_key は両方とも指定してください"));
    }
    Ok(addr)
}

/// The URL people type.
pub fn url(settings: &Settings, addr: SocketAddr) -> String {
    let web = &settings.config.web;
    let scheme = if web.tls_cert.is_some() { "https" } else { "http" };
    let host = match web.hosts.first() {
        Some(h) if !addr.ip().is_loopback() => h.clone(),
        _ => addr.to_string(),
    };
    format!("{scheme}://{host}/")
}

/// Publishes the store's copy for the console when it is missing or older than the store,
/// so the console starts with what the store holds: a missing copy is made here; an older
/// one is refreshed when the store closes, as after every write (`store::publish`).
pub fn publish_if_stale(settings: &Settings) -> anyhow::Result<()> {
    let path = settings.store_path();
    if !path.exists() {
        return Ok(());
    }
    let store = crate::store::Store::open(&path)?;
    if !crate::store::publish::copy_path(&path).exists() {
        store.publish()?;
    }
    Ok(())
}

/// Serves the console on `listener` until `shutdown` resolves.
pub async fn serve(
    console: Shared,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(console.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let web = &console.settings.config.web;
    match (&web.tls_cert, &web.tls_key) {
        (Some(cert), Some(key)) => {
            let (cert, key) = (console.settings.resolve(cert), console.settings.resolve(key));
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key).await.map_err(|e| {
                Problem::new("HTTPS の証明書か秘密鍵を読めません")
                    .because(format!("{} / {}: {e}", cert.display(), key.display()))
                    .hint("[web] tls_cert と tls_key に PEM 形式のファイルを指定してください")
            })?;
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                stopper.graceful_shutdown(Some(Duration::from_secs(10)));
            });
            axum_server::from_tcp_rustls(listener.into_std()?, config)?.handle(handle).serve(app).await?;
        }
        _ => axum::serve(listener, app).with_graceful_shutdown(shutdown).await?,
    }
    Ok(())
}
