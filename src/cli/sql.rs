//! `renkei sql -e SQL | FILE`: read-only SQL on the store, printed as an aligned table,
//! and appended to the audit log (JST time, OS user, statement, rows returned), as the
//! MHLW safety guideline asks of access to medical information.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use super::args::SqlArgs;
use super::output::table;
use crate::config::Settings;
use crate::error::Problem;
use crate::store::{Cell, Store};

/// Runs the SQL and prints the result.
pub fn run(settings: &Settings, args: &SqlArgs) -> anyhow::Result<ExitCode> {
    let sql = match (&args.sql, &args.file) {
        (Some(s), _) => s.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).map_err(|e| {
            Problem::new(format!("SQL ファイル {} を読めません", f.display()))
                .because(e.to_string())
        })?,
        (None, None) => {
            return Err(Problem::new("実行する SQL がありません")
                .hint("renkei sql -e \"select * from facilities\" のように -e か SQL ファイルを指定してください")
                .into());
        }
    };
    let store = Store::open_read_only(&settings.store_path())?;
    let result = store.query_user_sql(&sql).map_err(|e| {
        let text = e.to_string();
        let p = Problem::new("SQL を実行できませんでした").because(text.clone());
        if [
            "read-only",
            "Permission",
            "locked",
            "disabled by configuration",
        ]
        .iter()
        .any(|w| text.contains(w))
        {
            p.hint(
                "renkei sql は読み取り専用です（書き込み・外部ファイル・設定の変更はできません）",
            )
        } else {
            p.hint(
                "SQL を確かめてください（renkei sql -e \"show tables\" でテーブルを一覧できます）",
            )
        }
    });
    audit(settings, &sql, result.as_ref().map(|t| t.rows.len()).ok())?;
    let result = result?;
    let rows: Vec<Vec<String>> = result
        .rows
        .iter()
        .map(|r| r.iter().map(Cell::to_string).collect())
        .collect();
    let right: Vec<bool> = (0..result.columns.len())
        .map(|c| {
            result
                .rows
                .first()
                .is_some_and(|r| matches!(r[c], Cell::Int(_) | Cell::Float(_)))
        })
        .collect();
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(table(&result.columns, &rows, &right).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Appends one JSON line per statement to the audit log.
fn audit(settings: &Settings, sql: &str, rows: Option<usize>) -> anyhow::Result<()> {
    let path = settings.audit_log();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let line = serde_json::json!({
        "at_jst": crate::clock::now_jst().format("%Y-%m-%dT%H:%M:%S").to_string(),
        "os_user": os_user(),
        "command": "sql",
        "statement": sql,
        "rows": rows,
        "ok": rows.is_some(),
    });
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
fn os_user() -> String {
    if let Some(name) = ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
    {
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
