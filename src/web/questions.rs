//! 質問: the saved questions of `queries/saved/` as forms — one widget per typed parameter,
//! choices from the file's `-- options:` query, values always bound, never spliced — with
//! the result as a table (small counts suppressed for the 閲覧 role), a chart where the file
//! asks for one, and downloads as xlsx or CSV.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use duckdb::types::Value;

use super::auth::Authed;
use super::users::Permission;
use super::view::{Fail, Frame, attachment, grid, html, percent_encode};
use super::{Shared, chart, run};
use crate::domain::table::{Cell, Table};
use crate::domain::{FiscalYear, Month};
use crate::metrics::{self, saved};
use crate::report::suppress;

/// One parameter's widget.
pub struct Widget {
    /// The parameter's name (the form field).
    pub name: String,
    /// Its description (the label).
    pub label: String,
    /// `month`, `date`, `number` or `text`, or `select` with choices.
    pub kind: &'static str,
    /// The value shown.
    pub value: String,
    /// (value, label) choices of a select.
    pub choices: Vec<(String, String)>,
}

struct Listed {
    name: &'static str,
    title: String,
    question: String,
}

#[derive(Template)]
#[template(path = "web/questions.html")]
struct ListPage {
    frame: Frame,
    questions: Vec<Listed>,
}

/// `GET /questions`.
pub async fn list(who: Authed) -> Response {
    let questions = saved::CATALOG
        .iter()
        .map(|q| Listed { name: q.name, title: q.title().to_string(), question: q.question() })
        .collect();
    html(&ListPage { frame: Frame::new("質問", Some(who.nav("questions"))), questions })
}

#[derive(Template)]
#[template(path = "web/question.html")]
struct QuestionPage {
    frame: Frame,
    name: &'static str,
    question: String,
    widgets: Vec<Widget>,
    error: String,
    result: String,
    chart: String,
    query_string: String,
    ran: bool,
}

/// The latest month with an access log, the default of a MONTH parameter.
const LATEST_MONTH: &str = "SELECT max(month) FROM access_log_months";

/// The form's widgets, with defaults and choices read from the published copy.
fn widgets(
    store: &crate::store::Store,
    q: &metrics::Query,
    given: &BTreeMap<String, String>,
) -> anyhow::Result<Vec<Widget>> {
    let latest = store.query(LATEST_MONTH, &[])?.rows.first().and_then(|r| r[0].as_date()).map(Month::of);
    let options = q.options();
    q.params()
        .into_iter()
        .map(|(name, ty, desc)| {
            let choices: Vec<(String, String)> = match options.iter().find(|(n, _)| *n == name) {
                Some((_, sql)) => store
                    .query(&format!("SELECT * FROM ({sql}) LIMIT 1000"), &[])?
                    .rows
                    .iter()
                    .map(|r| {
                        let value = r[0].to_string();
                        let label = match (ty, r.get(1)) {
                            (_, Some(l)) => l.to_string(),
                            ("FISCAL_YEAR", None) => r[0]
                                .as_i64()
                                .map_or(value.clone(), |y| format!("{}（{y}）", FiscalYear::new(y as i32).label_ja())),
                            _ => value.clone(),
                        };
                        (value, label)
                    })
                    .collect(),
                None => Vec::new(),
            };
            let default = match ty {
                "MONTH" => latest.map(|m| m.to_string()).unwrap_or_default(),
                "FISCAL_YEAR" => choices
                    .first()
                    .map(|c| c.0.clone())
                    .or_else(|| latest.map(|m| m.fiscal_year().year().to_string()))
                    .unwrap_or_default(),
                "INTEGER" => desc
                    .split(['（', ' ', '、'])
                    .find_map(|w| w.trim_start_matches("例:").trim().parse::<i64>().ok())
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let kind = match ty {
                _ if !choices.is_empty() => "select",
                "MONTH" => "month",
                "DATE" => "date",
                "INTEGER" | "NUMBER" => "number",
                _ => "text",
            };
            Ok(Widget {
                name: name.to_string(),
                label: desc.to_string(),
                kind,
                value: given.get(name).cloned().unwrap_or(default),
                choices,
            })
        })
        .collect()
}

/// Replaces counts from 1 to 9 in count columns (件, 人) with `<10`, and hides further
/// cells until none can be worked out from the rows' and columns' totals
/// (`report::suppress`, as the municipality reports do). Returns how many cells changed.
pub fn suppress_small(table: &mut Table, units: &[(&str, &str)]) -> usize {
    let counted: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, name)| units.iter().any(|(n, u)| n == name && (u.starts_with('件') || u.starts_with('人'))))
        .map(|(i, _)| i)
        .filter(|i| table.rows.iter().all(|r| matches!(r[*i], Cell::Int(_) | Cell::Null)))
        .collect();
    if counted.is_empty() || table.rows.is_empty() {
        return 0;
    }
    let cells: Vec<Vec<i64>> =
        table.rows.iter().map(|r| counted.iter().map(|i| r[*i].as_i64().unwrap_or(0).max(0)).collect()).collect();
    let mut counts = suppress::Counts::default();
    let at = counts.add_table(&cells);
    let shown = suppress::protect(&counts);
    let mut changed = 0;
    for (r, row) in table.rows.iter_mut().enumerate() {
        for (c, col) in counted.iter().enumerate() {
            if matches!(row[*col], Cell::Null) {
                continue;
            }
            let s = shown[at[r][c]];
            if s.value().is_none() {
                row[*col] = Cell::Text(s.text());
                changed += 1;
            }
        }
    }
    changed
}

/// Binds the submitted values; a problem names the parameter and what it takes.
fn bind(q: &metrics::Query, given: &BTreeMap<String, String>) -> Result<Vec<(String, Value)>, crate::error::Problem> {
    let pairs: Vec<String> = q
        .params()
        .iter()
        .filter_map(|(n, _, _)| given.get(*n).filter(|v| !v.trim().is_empty()).map(|v| format!("{n}={v}")))
        .collect();
    saved::bind(q, &pairs)
}

/// What a run gives: the table (suppressed for viewers), whether rows were left off, and
/// how many cells were suppressed.
struct Ran {
    table: Table,
    more: bool,
    suppressed: usize,
}

/// Runs a saved question on the open copy, suppressed unless `raw`.
fn run_saved(
    store: &crate::store::Store,
    q: &metrics::Query,
    bound: &[(String, Value)],
    cap: usize,
    raw: bool,
) -> anyhow::Result<Ran> {
    let params: Vec<(&str, Value)> = bound.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
    let (mut table, more) = store.query_named_capped(q.sql, &params, cap)?;
    let suppressed = if raw { 0 } else { suppress_small(&mut table, &q.columns()) };
    Ok(Ran { table, more, suppressed })
}

/// The audit log's line for a question and its values.
fn described(q: &metrics::Query, bound: &[(String, Value)]) -> String {
    format!("{} {}", q.name, bound.iter().map(|(k, v)| format!("{k}={v:?}")).collect::<Vec<_>>().join(" "))
}

async fn execute(
    console: &Shared,
    who: &Authed,
    q: &'static metrics::Query,
    bound: Vec<(String, Value)>,
    cap: usize,
) -> Result<Ran, Fail> {
    let raw = who.role.may(Permission::Analyze);
    let what = described(q, &bound);
    let result = run::query(console, &who.user, move |store| run_saved(store, q, &bound, cap, raw)).await;
    who.audit(console, "query", &what, result.as_ref().ok().map(|r| r.table.rows.len()), result.is_ok());
    result
}

/// The saved question `name`, or the page saying which there are.
fn find(name: &str, nav: &super::view::Nav) -> Result<&'static metrics::Query, Fail> {
    saved::find(name).map_err(|p| Fail::problem(StatusCode::NOT_FOUND, &p).nav(nav.clone()))
}

/// `GET /questions/{name}`: the form, and the result when it was submitted.
pub async fn page(
    State(console): State<Shared>,
    who: Authed,
    Path(name): Path<String>,
    Query(given): Query<BTreeMap<String, String>>,
) -> Response {
    let nav = who.nav("questions");
    let q = match find(&name, &nav) {
        Ok(q) => q,
        Err(fail) => return fail.into_response(),
    };
    let ran = given.contains_key("run");
    let bound = if ran { Some(bind(q, &given)) } else { None };
    let error = match &bound {
        Some(Err(p)) => p.to_string(),
        _ => String::new(),
    };
    let to_run = bound.and_then(Result::ok);
    let what = to_run.as_ref().map(|b| described(q, b));
    let (cap, raw) = (console.settings.config.web.rows_shown, who.role.may(Permission::Analyze));
    let g = given.clone();
    // The form and the result from one open of the copy.
    let answer = run::query(&console, &who.user, move |store| {
        let widgets = widgets(store, q, &g)?;
        let result = to_run.map(|b| run_saved(store, q, &b, cap, raw)).transpose()?;
        Ok((widgets, result))
    })
    .await;
    if let Some(what) = &what {
        let rows = answer.as_ref().ok().and_then(|(_, r)| r.as_ref().map(|r| r.table.rows.len()));
        who.audit(&console, "query", what, rows, answer.is_ok());
    }
    let (widgets, result) = match answer {
        Ok(a) => a,
        Err(f) => return f.nav(nav).into_response(),
    };
    let mut frame = Frame::new(q.title().to_string(), Some(nav.clone()));
    let (mut table_html, mut chart_svg) = (String::new(), String::new());
    if let Some(r) = result {
        if r.suppressed > 0 {
            frame = frame.notice(
                "warn",
                format!(
                    "閲覧の役割では、10 未満の件数を <10、そこから計算できてしまう件数を ＊ で示しています（{} か所）",
                    r.suppressed
                ),
            );
        }
        if let Some((kind, x, ys)) = q.chart() {
            chart_svg = draw(kind, q.title(), &r.table, x, &ys);
        }
        table_html = grid(q.title(), &r.table, &q.columns(), cap, r.more);
    }
    let query_string: String =
        widgets.iter().map(|w| format!("{}={}", w.name, percent_encode(&w.value, ""))).collect::<Vec<_>>().join("&");
    html(&QuestionPage {
        frame,
        name: q.name,
        question: q.question(),
        widgets,
        error,
        result: table_html,
        chart: chart_svg,
        query_string,
        ran,
    })
}

/// The chart of a result: x labels (months as 2025-07) and each y column.
fn draw(kind: &str, title: &str, t: &Table, x: &str, ys: &[&str]) -> String {
    let Some(xi) = t.column(x) else { return String::new() };
    let labels: Vec<String> = t
        .rows
        .iter()
        .map(|r| match &r[xi] {
            Cell::Date(d) => Month::of(*d).to_string(),
            other => other.to_string(),
        })
        .collect();
    let series: Vec<chart::Series> = ys
        .iter()
        .filter_map(|y| t.column(y).map(|i| (y.to_string(), t.rows.iter().map(|r| r[i].as_f64()).collect())))
        .collect();
    if series.is_empty() { String::new() } else { chart::svg(kind, title, &labels, &series) }
}

/// Excel's last row, the header being one: an xlsx above it is refused, never truncated.
const XLSX_ROWS: usize = 1_048_575;
/// Most rows a download reads (CSV may hold more than an xlsx; beyond this, split the period).
pub const DOWNLOAD_ROWS: usize = 4 * XLSX_ROWS;

/// A result as a download: xlsx (typed cells), CSV for Excel (BOM, CRLF) or plain UTF-8.
pub fn download_response(table: &Table, format: &str, base: &str) -> Result<Response, Fail> {
    let (bytes, content_type, ext) = match format {
        "xlsx" => {
            if table.rows.len() > XLSX_ROWS {
                return Err(Fail::new(
                    StatusCode::BAD_REQUEST,
                    format!("{} 行は Excel の上限（1,048,575 行）を超えます", table.rows.len()),
                )
                .hint("CSV でダウンロードするか、期間を分けてください"));
            }
            (
                crate::export::xlsx(&[("結果", table)]),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )
        }
        "csv" => (crate::export::csv(table, false), "text/csv; charset=utf-8", "csv"),
        _ => (crate::export::csv(table, true), "text/csv; charset=utf-8", "csv"),
    };
    let bytes = bytes.map_err(|e| Fail::from_error(&e))?;
    let name = format!("{base}.{ext}");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, attachment(&name, &format!("renkei.{ext}"))),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /questions/{name}/download?format=xlsx|excel|csv&…`: every row, suppressed for the
/// 閲覧 role as on screen.
pub async fn download(
    State(console): State<Shared>,
    who: Authed,
    Path(name): Path<String>,
    Query(given): Query<BTreeMap<String, String>>,
) -> Response {
    let nav = who.nav("questions");
    let q = match find(&name, &nav) {
        Ok(q) => q,
        Err(fail) => return fail.into_response(),
    };
    let bound = match bind(q, &given) {
        Ok(b) => b,
        Err(p) => return Fail::problem(StatusCode::BAD_REQUEST, &p).nav(nav).into_response(),
    };
    let format = given.get("format").map_or("xlsx", String::as_str).to_string();
    // The file is named by the question and the values as the user chose them.
    let mut base = q.title().replace(['/', '\\', ' ', '（', '）'], "_");
    for (name, _, _) in q.params() {
        base.push('_');
        base.push_str(given.get(name).map_or("", |v| v.trim()));
    }
    match execute(&console, &who, q, bound, DOWNLOAD_ROWS).await {
        Err(f) => f.nav(nav).into_response(),
        Ok(r) => match download_response(&r.table, &format, &base) {
            Ok(res) => {
                who.audit(&console, "download", &format!("{} {format}", q.name), Some(r.table.rows.len()), true);
                res
            }
            Err(f) => f.nav(nav).into_response(),
        },
    }
}
