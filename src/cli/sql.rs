//! `renkei sql [-e SQL | FILE]`: read-only SQL on the store. With no SQL, an interactive
//! prompt (see `repl`). Every statement goes to the audit log.

use std::process::ExitCode;

use super::args::SqlArgs;
use super::{output, repl};
use crate::audit_log as audit;
use crate::config::Settings;
use crate::error::{EXIT_USER, Problem};
pub use crate::store::user_sql::{explain, is_complete, split_statements};
use crate::store::{Store, Table};

/// Runs `-e` SQL or a SQL file; with neither, the interactive prompt.
pub fn run(settings: &Settings, args: &SqlArgs) -> anyhow::Result<ExitCode> {
    let sql = match (&args.sql, &args.file) {
        (Some(s), _) => s.clone(),
        (None, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| Problem::new(format!("SQL ファイル {} を読めません", f.display())).because(e.to_string()))?,
        (None, None) => return repl::run(settings, &args.output),
    };
    let statements = split_statements(&sql);
    if statements.is_empty() {
        return Err(Problem::new("実行する SQL がありません")
            .hint("renkei sql -e \"select * from facilities\" のように指定してください")
            .into());
    }
    let store = Store::open_read_only(&settings.store_path())?;
    let last = statements.len() - 1;
    for (i, statement) in statements.iter().enumerate() {
        let table = execute(settings, &store, statement)?;
        // With --out, only the last result is written to the file; earlier ones are shown.
        if i == last {
            output::emit(settings, &table, &args.output, statement)?;
        } else {
            print!("{}\n\n", output::render_text(&table));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs one statement read-only and records it in the audit log.
pub fn execute(settings: &Settings, store: &Store, statement: &str) -> anyhow::Result<Table> {
    let result = store.query_user_sql(statement);
    audit::record(settings, "sql", statement, result.as_ref().map(|t| t.rows.len()).ok(), None)?;
    result.map_err(|e| explain(&e).into())
}

/// Exit code 1 when any statement of a session failed.
pub fn exit_code(failed: bool) -> ExitCode {
    if failed { ExitCode::from(EXIT_USER) } else { ExitCode::SUCCESS }
}
