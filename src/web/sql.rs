//! SQL: ad-hoc read-only SQL for the 分析 role on the published copy — one statement at a
//! time, the same refusals as `renkei sql`, a time limit, a 取消 button, the row cap said on
//! screen — and the tables with their Japanese descriptions.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::Authed;
use super::questions::{DOWNLOAD_ROWS, download_response};
use super::users::Permission;
use super::view::{Fail, Frame, grid, html};
use super::{Shared, run};
use crate::store::Table;
use crate::store::user_sql::split_statements;

/// A table and its columns, for browsing.
pub struct Described {
    /// Table or view name.
    pub name: String,
    /// Its description.
    pub comment: String,
    /// (column, type, description).
    pub columns: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "web/sql.html")]
struct SqlPage {
    frame: Frame,
    sql: String,
    result: String,
    seconds: u64,
    tables: Vec<Described>,
}

fn schema(store: &crate::store::Store) -> anyhow::Result<Vec<Described>> {
    let cols = store.query(
        "SELECT c.table_name, coalesce(t.comment, v.comment, ''), c.column_name, c.data_type, coalesce(c.comment, '')
         FROM duckdb_columns() c
         LEFT JOIN duckdb_tables() t ON t.table_name = c.table_name AND t.schema_name = c.schema_name
         LEFT JOIN duckdb_views() v ON v.view_name = c.table_name AND v.schema_name = c.schema_name
         WHERE c.schema_name = 'main' AND NOT c.internal
         ORDER BY v.view_name IS NOT NULL, c.table_name, c.column_index",
        &[],
    )?;
    let mut out: Vec<Described> = Vec::new();
    for r in &cols.rows {
        let name = r[0].to_string();
        if out.last().is_none_or(|d| d.name != name) {
            out.push(Described { name: name.clone(), comment: r[1].to_string(), columns: Vec::new() });
        }
        if let Some(d) = out.last_mut() {
            d.columns.push((r[2].to_string(), r[3].to_string(), r[4].to_string()));
        }
    }
    Ok(out)
}

async fn render(console: &Shared, who: &Authed, frame: Frame, sql: String, result: String) -> Response {
    let tables = match run::read(console, schema).await {
        Ok(t) => t,
        Err(f) => return f.nav(who.nav("sql")).into_response(),
    };
    html(&SqlPage { frame, sql, result, seconds: console.settings.config.web.query_seconds, tables })
}

/// `GET /sql`.
pub async fn page(State(console): State<Shared>, who: Authed) -> Response {
    if let Err(f) = who.require(&console, Permission::Analyze, "SQL") {
        return f.nav(who.nav("sql")).into_response();
    }
    let example =
        "SELECT name AS 施設名, kind AS 種別, municipality AS 市町\nFROM facilities\nORDER BY municipality, name";
    render(&console, &who, Frame::new("SQL", Some(who.nav("sql"))), example.to_string(), String::new()).await
}

/// The SQL form.
#[derive(Debug, Deserialize)]
pub struct SqlForm {
    sql: String,
    format: Option<String>,
}

/// The one statement of `text`, or why not.
fn one_statement(text: &str) -> Result<String, Fail> {
    let statements = split_statements(text);
    match statements.len() {
        0 => Err(Fail::new(StatusCode::BAD_REQUEST, "実行する SQL がありません").hint("SELECT 文を入れてください")),
        1 => Ok(statements.into_iter().next().unwrap_or_default()),
        n => Err(Fail::new(StatusCode::BAD_REQUEST, format!("SQL が {n} 文あります"))
            .hint("画面では 1 回に 1 文ずつ実行します（; で区切った文を分けてください）")),
    }
}

async fn execute(console: &Shared, who: &Authed, statement: String, cap: usize) -> Result<(Table, bool), Fail> {
    let s = statement.clone();
    let result = run::query(console, &who.user, move |store| store.query_user_sql_capped(&s, cap)).await;
    who.audit(console, "sql", &statement, result.as_ref().ok().map(|(t, _)| t.rows.len()), result.is_ok());
    result
}

/// `POST /sql`: runs one statement and shows at most `[web] rows_shown` rows.
pub async fn run(State(console): State<Shared>, who: Authed, Form(f): Form<SqlForm>) -> Response {
    let nav = who.nav("sql");
    if let Err(fail) = who.require(&console, Permission::Analyze, "SQL") {
        return fail.nav(nav).into_response();
    }
    let frame = Frame::new("SQL", Some(nav.clone()));
    let statement = match one_statement(&f.sql) {
        Ok(s) => s,
        Err(fail) => return render(&console, &who, frame.notice("error", fail.text()), f.sql, String::new()).await,
    };
    let cap = console.settings.config.web.rows_shown;
    match execute(&console, &who, statement, cap).await {
        Ok((table, more)) => {
            let result = grid("結果", &table, &[], cap, more);
            render(&console, &who, frame, f.sql, result).await
        }
        Err(fail) => {
            // A query the user stopped is not an error.
            let kind = if fail.is_cancelled() { "ok" } else { "error" };
            render(&console, &who, frame.notice(kind, fail.text()), f.sql, String::new()).await
        }
    }
}

/// `POST /sql/cancel`: stops the user's running query.
pub async fn cancel(State(console): State<Shared>, who: Authed) -> Response {
    let stopped = run::cancel(&console, &who.user);
    who.audit(&console, "sql_cancel", "", None, stopped);
    (StatusCode::OK, if stopped { "取り消しました" } else { "実行中の SQL はありません" }).into_response()
}

/// `POST /sql/download`: every row of the statement as xlsx or CSV.
pub async fn download(State(console): State<Shared>, who: Authed, Form(f): Form<SqlForm>) -> Response {
    let nav = who.nav("sql");
    if let Err(fail) = who.require(&console, Permission::Analyze, "SQL") {
        return fail.nav(nav).into_response();
    }
    let statement = match one_statement(&f.sql) {
        Ok(s) => s,
        Err(fail) => return fail.nav(nav).into_response(),
    };
    let format = f.format.unwrap_or_else(|| "xlsx".into());
    match execute(&console, &who, statement, DOWNLOAD_ROWS).await {
        Ok((table, _)) => match download_response(&table, &format, "SQLの結果") {
            Ok(res) => {
                who.audit(&console, "download", &format!("sql {format}"), Some(table.rows.len()), true);
                res
            }
            Err(fail) => fail.nav(nav).into_response(),
        },
        Err(fail) => fail.nav(nav).into_response(),
    }
}
