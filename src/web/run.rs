//! How the console does work: queries on the published copy under a time limit, with one
//! running query per user that its 取消 button (or a new query, or a closed tab) stops;
//! and changes by running this renkei as a child process, one at a time, exactly as the
//! command line would.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::http::StatusCode;

use super::Shared;
use super::view::Fail;
use crate::store::{Store, publish, user_sql};

/// A user's running query.
#[derive(Clone)]
pub struct Running {
    handle: Arc<duckdb::InterruptHandle>,
    cancelled: Arc<AtomicBool>,
}

impl Running {
    /// Stops it, saying it was cancelled.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.handle.interrupt();
    }
}

/// Stops the query when the request is dropped (the tab was closed) before it ended.
struct StopOnDrop {
    handle: Arc<duckdb::InterruptHandle>,
    finished: bool,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if !self.finished {
            self.handle.interrupt();
        }
    }
}

/// A slot among `[web]`'s concurrent queries and the published copy, opened off the runtime.
async fn open(console: &Shared) -> Result<(tokio::sync::SemaphorePermit<'_>, Store), Fail> {
    let permit = console.queries.acquire().await.map_err(|e| Fail::from_error(&e.into()))?;
    let path = publish::copy_path(&console.settings.store_path());
    let store = tokio::task::spawn_blocking(move || Store::open_console(&path))
        .await
        .map_err(|e| Fail::from_error(&e.into()))?
        .map_err(|e| Fail::from_error(&e))?;
    Ok((permit, store))
}

/// Runs the console's own listing `f` (the tables of a page, not a user's question) on the
/// published copy: bounded by the copy's size, not by `[web] query_seconds`, which is the
/// user's limit, and not the user's running query, so it never stops one in another tab.
pub async fn read<T: Send + 'static>(
    console: &Shared,
    f: impl FnOnce(&Store) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Fail> {
    let (_permit, store) = open(console).await?;
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| Fail::from_error(&e.into()))?
        .map_err(|e| Fail::from_error(&e))
}

/// Runs `f` on the published copy for `user`, within `[web] query_seconds`.
pub async fn query<T: Send + 'static>(
    console: &Shared,
    user: &str,
    f: impl FnOnce(&Store) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Fail> {
    let (_permit, store) = open(console).await?;
    let running = Running { handle: store.interrupt_handle(), cancelled: Arc::new(AtomicBool::new(false)) };
    if let Some(earlier) = console.running.lock().expect("running").insert(user.to_string(), running.clone()) {
        earlier.cancel();
    }
    let mut stop = StopOnDrop { handle: running.handle.clone(), finished: false };
    let limit = Duration::from_secs(console.settings.config.web.query_seconds.max(1));
    let mut task = tokio::task::spawn_blocking(move || f(&store));
    let (result, timed_out) = tokio::select! {
        r = &mut task => (r, false),
        () = tokio::time::sleep(limit) => {
            running.handle.interrupt();
            (task.await, true)
        }
    };
    stop.finished = true;
    {
        let mut all = console.running.lock().expect("running");
        if all.get(user).is_some_and(|r| Arc::ptr_eq(&r.handle, &running.handle)) {
            all.remove(user);
        }
    }
    match result.map_err(|e| Fail::from_error(&e.into()))? {
        Ok(v) => Ok(v),
        Err(_) if timed_out => {
            Err(Fail::new(StatusCode::REQUEST_TIMEOUT, format!("{} 秒で終わらないため止めました", limit.as_secs()))
                .hint("期間を短くするか条件を絞ってください（上限は [web] query_seconds で変えられます）"))
        }
        Err(_) if running.cancelled.load(Ordering::SeqCst) => {
            Err(Fail::new(StatusCode::OK, super::view::CANCELLED).hint("条件を直してもう一度実行できます"))
        }
        Err(e) => Err(Fail::problem(StatusCode::BAD_REQUEST, &user_sql::explain(&e))),
    }
}

/// Cancels `user`'s running query; false when none was running.
pub fn cancel(console: &Shared, user: &str) -> bool {
    match console.running.lock().expect("running").remove(user) {
        Some(r) => {
            r.cancel();
            true
        }
        None => false,
    }
}

/// What a child renkei said.
#[derive(Debug, Clone)]
pub struct Done {
    /// Exit status 0.
    pub ok: bool,
    /// What it printed (standard output, then standard error).
    pub text: String,
}

/// Runs `renkei ARGS…` with the console's own config, one change at a time.
pub async fn renkei(console: &Shared, args: Vec<String>) -> Result<Done, Fail> {
    let _one = console.changing.lock().await;
    let exe = console.exe.clone();
    let settings = console.settings.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Done> {
        let mut command = std::process::Command::new(&exe);
        if let Some(config) = &settings.config_file {
            command.arg("--config").arg(std::path::absolute(config)?);
        }
        let out = command
            .args(&args)
            .current_dir(&settings.base)
            .stdin(std::process::Stdio::null())
            .env("RENKEI_LOG", "warn")
            .output()
            .map_err(|e| anyhow::anyhow!("{} を起動できません: {e}", exe.display()))?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        let err = String::from_utf8_lossy(&out.stderr);
        if !err.trim().is_empty() {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&err);
        }
        Ok(Done { ok: out.status.success(), text })
    })
    .await
    .map_err(|e| Fail::from_error(&e.into()))?
    .map_err(|e| Fail::from_error(&e))
}
