//! The append-only audit log of `renkei sql`, `query`, exports and the console: JST time,
//! OS user (or the console's user, role, address and a label of the session), command,
//! statement, rows returned and any file written, one JSON line each. The council
//! must keep records of access to medical information (安全管理ガイドライン 6.0,
//! システム運用編 §17).

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::config::Settings;

/// Appends one entry; `rows` is None when the statement failed.
pub fn record(
    settings: &Settings,
    command: &str,
    statement: &str,
    rows: Option<usize>,
    export: Option<&Path>,
) -> anyhow::Result<()> {
    append(
        settings,
        serde_json::json!({
            "command": command,
            "statement": statement,
            "rows": rows,
            "ok": rows.is_some(),
            "export": export.map(|p| p.display().to_string()),
        }),
    )
}

/// Who did something in the console.
#[derive(Debug, Clone)]
pub struct ConsoleUser<'a> {
    /// Login name (or the name tried, for a failed login).
    pub user: &'a str,
    /// Role name, when logged in.
    pub role: Option<&'static str>,
    /// The client's address.
    pub ip: &'a str,
    /// A label of the session (a hash, never the token).
    pub session: Option<String>,
}

/// Appends one console entry: `event` (login, login_failed, logout, session_ended, query,
/// sql, download, upload, alias, send, denied), what it was about, rows, and whether it
/// succeeded.
pub fn record_console(
    settings: &Settings,
    who: &ConsoleUser<'_>,
    event: &str,
    statement: &str,
    rows: Option<usize>,
    ok: bool,
) -> anyhow::Result<()> {
    append(
        settings,
        serde_json::json!({
            "command": format!("web {event}"),
            "web_user": who.user,
            "role": who.role,
            "ip": who.ip,
            "session": who.session,
            "statement": statement,
            "rows": rows,
            "ok": ok,
        }),
    )
}

/// Appends `line` with the time (JST) and the OS user added.
fn append(settings: &Settings, mut line: serde_json::Value) -> anyhow::Result<()> {
    if let Some(fields) = line.as_object_mut() {
        fields.insert("at_jst".into(), crate::clock::now_jst().format("%Y-%m-%dT%H:%M:%S").to_string().into());
        fields.insert("os_user".into(), os_user().into());
    }
    let path = settings.audit_log();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("監査ログ {} を書けません", path.display()))?;
    writeln!(f, "{line}")?;
    Ok(())
}

/// The OS user running renkei: `$USER`, `$LOGNAME`, or the numeric uid when neither is set
/// (systemd services and cron often have no `USER`).
pub(crate) fn os_user() -> String {
    if let Some(name) = ["USER", "LOGNAME"].iter().find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty())) {
        return name;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata("/proc/self") {
            return format!("uid {}", meta.uid());
        }
    }
    "unknown".to_string()
}
