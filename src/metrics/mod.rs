//! Metrics: the SQL files of `queries/metrics/`, embedded at build time, each opening with
//! a comment (Japanese title, the question, `-- param:` and `-- col:` lines). Parameters
//! are bound by DuckDB by name, never spliced into text.
//!
//! Each query's result is decoded strictly into its row type ([`rows`], [`decode`]) and
//! handed to reports as typed rows, so a renamed or mistyped column fails a test instead
//! of printing 0円. Reports never touch DuckDB. The definitions every query shares (fiscal
//! calendar, membership, the 12-month window, a view, a use) are SQL macros and views in
//! `queries/schema/003_definitions.sql`. The secretariat's saved questions
//! (`queries/saved/`) share the header format and live in [`saved`].

pub mod board;
pub mod decode;
pub mod municipality;
pub mod outlook;
pub mod rows;
pub mod saved;
pub mod scenarios;

use anyhow::Context;
use duckdb::types::Value;

use crate::domain::table::Table;
use crate::domain::{FiscalYear, Month};
use crate::store::{Store, date_value};
use rows::Metric;

pub use board::{BoardMetrics, BoardOptions, board, with_descriptions};

/// One metric query and what its header says about it.
#[derive(Debug, Clone)]
pub struct Query {
    /// File stem, e.g. `monthly_usage`.
    pub name: &'static str,
    /// The SQL text.
    pub sql: &'static str,
}

macro_rules! metric {
    ($name:literal) => {
        Query { name: $name, sql: include_str!(concat!("../../queries/metrics/", $name, ".sql")) }
    };
}

/// The parameter types a query header may declare.
pub const PARAM_TYPES: &[&str] = &["MONTH", "FISCAL_YEAR", "DATE", "INTEGER", "NUMBER", "TEXT"];

/// Every metric query.
pub const CATALOG: &[Query] = &[
    metric!("monthly_usage"),
    metric!("usage_by_system"),
    metric!("usage_by_kind"),
    metric!("views_by_hospital"),
    metric!("usage_by_data_type"),
    metric!("usage_by_municipality"),
    metric!("participation_by_role"),
    metric!("concentration"),
    metric!("inactive_members"),
    metric!("flow_matrix"),
    metric!("cost_per_use"),
    metric!("image_server_value"),
    metric!("fee_fairness"),
    metric!("budget_execution"),
    metric!("enrollment_coverage"),
    metric!("renewal_quotes"),
    metric!("scenario_basis"),
    metric!("monthly_coverage"),
    metric!("completeness"),
    metric!("municipality_use"),
    metric!("municipality_flows"),
    metric!("municipality_facilities"),
    metric!("municipality_payments"),
    metric!("municipality_support_basis"),
    metric!("review_summary"),
    metric!("monthly_series"),
];

impl Query {
    /// The Japanese title (first comment line).
    pub fn title(&self) -> &str {
        self.sql.lines().next().and_then(|l| l.strip_prefix("-- ")).unwrap_or(self.name)
    }
    /// The question it answers (the `-- 問い:` lines joined).
    pub fn question(&self) -> String {
        let mut out = String::new();
        let mut inside = false;
        for line in self.sql.lines().take_while(|l| l.starts_with("--")) {
            if let Some(q) = line.strip_prefix("-- 問い: ") {
                out.push_str(q.trim());
                inside = true;
            } else if inside && line.starts_with("--   ") {
                out.push_str(line.trim_start_matches('-').trim());
            } else {
                inside = false;
            }
        }
        out
    }
    /// Declared parameters: (name, type, description).
    pub fn params(&self) -> Vec<(&str, &str, &str)> {
        self.header_lines("-- param: ")
    }
    /// Queries that list a parameter's choices (`-- options: name SELECT …`): the first
    /// column is the value, the second (when there is one) its label.
    pub fn options(&self) -> Vec<(&str, &str)> {
        self.sql.lines().filter_map(|l| l.strip_prefix("-- options: ")).filter_map(|l| l.split_once(' ')).collect()
    }
    /// The chart a result asks for (`-- chart: line x=月 y=閲覧件数,患者数`): the kind
    /// (`line` or `bar`), the x column and the y columns.
    pub fn chart(&self) -> Option<(&str, &str, Vec<&str>)> {
        let line = self.sql.lines().find_map(|l| l.strip_prefix("-- chart: "))?;
        let mut parts = line.split_whitespace();
        let kind = parts.next()?;
        let (mut x, mut y) = (None, Vec::new());
        for p in parts {
            match p.split_once('=') {
                Some(("x", v)) => x = Some(v),
                Some(("y", v)) => y = v.split(',').collect(),
                _ => {}
            }
        }
        Some((kind, x?, y))
    }
    /// Declared output columns: (name, description with unit).
    pub fn columns(&self) -> Vec<(&str, &str)> {
        self.sql
            .lines()
            .filter_map(|l| l.strip_prefix("-- col: "))
            .map(|l| l.split_once(' ').unwrap_or((l, "")))
            .collect()
    }
    fn header_lines(&self, prefix: &str) -> Vec<(&str, &str, &str)> {
        self.sql
            .lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .map(|l| {
                let mut parts = l.splitn(3, ' ');
                (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""))
            })
            .collect()
    }
}

/// Reads a user-typed parameter value as its declared type; the error says what was expected.
pub fn parse_param(ty: &str, text: &str) -> Result<Value, String> {
    match ty {
        "MONTH" => Month::parse(text).map(|m| date_value(m.first_day())),
        "FISCAL_YEAR" => FiscalYear::parse(text).map(|fy| Value::Int(fy.year())),
        "DATE" => crate::domain::timestamp::parse_jst(text)
            .or_else(|_| crate::domain::era::parse_date(text).map(|d| d.and_time(chrono::NaiveTime::MIN)))
            .map(|t| date_value(t.date())),
        "INTEGER" => text
            .trim()
            .parse::<i64>()
            .map(Value::BigInt)
            .map_err(|_| format!("整数として読めません: 「{text}」（例: 12）")),
        "NUMBER" => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Value::Double)
            .ok_or_else(|| format!("数として読めません: 「{text}」（例: 1.186）")),
        _ => Ok(Value::Text(text.to_string())),
    }
}

/// A parameter value.
#[derive(Debug, Clone, Copy)]
pub enum Param {
    /// A month, bound as the DATE of its first day.
    Month(Month),
    /// A fiscal year, bound as INTEGER.
    FiscalYear(FiscalYear),
    /// A whole number.
    Integer(i64),
    /// A number (a rate, a factor).
    Number(f64),
}

impl Param {
    fn value(self) -> Value {
        match self {
            Param::Month(m) => date_value(m.first_day()),
            Param::FiscalYear(fy) => Value::Int(fy.year()),
            Param::Integer(n) => Value::BigInt(n),
            Param::Number(x) => Value::Double(x),
        }
    }
}

/// The query called `name`.
pub fn find(name: &str) -> Option<&'static Query> {
    CATALOG.iter().find(|q| q.name == name)
}

/// Runs a metric by name with named parameters.
pub fn run(store: &Store, name: &str, params: &[(&str, Param)]) -> anyhow::Result<Table> {
    let query = find(name).ok_or_else(|| anyhow::anyhow!("metric {name} does not exist"))?;
    let bound: Vec<(&str, Value)> = params.iter().map(|(n, p)| (*n, p.value())).collect();
    store.query_named(query.sql, &bound).map_err(|e| {
        e.context(format!("指標「{}」（queries/metrics/{}.sql）を計算できません", query.title(), query.name))
    })
}

/// Runs the metric whose rows are `T` and decodes them strictly, with the table itself
/// (for the xlsx). A result that does not fit `T` is renkei's own fault: the error names the file.
pub fn fetch_with_table<T: Metric>(store: &Store, params: &[(&str, Param)]) -> anyhow::Result<(Vec<T>, Table)> {
    let table = run(store, T::QUERY, params)?;
    let rows = decode::rows(&table).with_context(|| {
        let title = find(T::QUERY).map_or(T::QUERY, |q| q.title());
        format!("指標「{title}」（queries/metrics/{}.sql）の結果が行の型と合いません", T::QUERY)
    })?;
    Ok((rows, table))
}

/// Runs the metric whose rows are `T` and decodes them strictly.
pub fn fetch<T: Metric>(store: &Store, params: &[(&str, Param)]) -> anyhow::Result<Vec<T>> {
    Ok(fetch_with_table(store, params)?.0)
}

/// Runs a metric that gives exactly one row.
pub fn fetch_one<T: Metric>(store: &Store, params: &[(&str, Param)]) -> anyhow::Result<T> {
    only_row(fetch::<T>(store, params)?)
}

/// The one row of a one-row metric (cost per use, concentration…); another count is a bug
/// in its SQL.
pub(crate) fn only_row<T: Metric>(mut rows: Vec<T>) -> anyhow::Result<T> {
    match rows.len() {
        1 => Ok(rows.remove(0)),
        n => anyhow::bail!("queries/metrics/{}.sql gave {n} rows where one was expected", T::QUERY),
    }
}

/// Input kinds a council can require before a report is sent (`[report] required_sources`).
pub const SOURCES: &[(&str, &str)] = &[
    ("access_log", "アクセスログ"),
    ("image_views", "画像閲覧回数"),
    ("enrollments", "登録患者数"),
    ("roster", "名簿（会費）"),
    ("invoices", "運営費"),
    ("budget", "予算・決算"),
    ("quotes", "更新見積"),
];

/// What a required source lacks for one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// No rows at all for the month.
    Month,
    /// Parts it had the month before (systems, hospitals, facilities) are missing.
    Parts(Vec<String>),
    /// A yearly source has nothing for the month's fiscal year.
    FiscalYear,
}

/// What the `required` sources lack for `months`, one line each for people; empty when
/// complete. Whole months missing are listed together per source.
pub fn gap_lines(store: &Store, months: &[Month], required: &[String]) -> anyhow::Result<Vec<String>> {
    // Whole months missing are listed together per source; other gaps one line each.
    let mut whole: Vec<(&str, Vec<String>)> = Vec::new();
    let mut out = Vec::new();
    for &m in months {
        for (label, gap) in incomplete(store, m, required)? {
            let line = match gap {
                Gap::Month => {
                    match whole.iter_mut().find(|(l, _)| *l == label) {
                        Some((_, ms)) => ms.push(m.label_ja()),
                        None => whole.push((label, vec![m.label_ja()])),
                    }
                    continue;
                }
                Gap::FiscalYear => format!("{label}: {} の分がありません", m.fiscal_year().label_ja()),
                Gap::Parts(parts) => {
                    format!("{label}: 前月にあった {} の分が {} にありません", parts.join("、"), m.label_ja())
                }
            };
            if !out.contains(&line) {
                out.push(line);
            }
        }
    }
    let whole = whole.into_iter().map(|(label, ms)| format!("{label}: {} の分がありません", ms.join("、")));
    out.splice(0..0, whole);
    Ok(out)
}

/// What the `required` sources lack for `month` (queries/metrics/completeness.sql), as
/// (source label, gap); empty when the month is complete.
pub fn incomplete(store: &Store, month: Month, required: &[String]) -> anyhow::Result<Vec<(&'static str, Gap)>> {
    use rows::{Completeness, Scope};
    let found = fetch::<Completeness>(store, &[("month", Param::Month(month))])?;
    let mut out = Vec::new();
    for (source, label) in SOURCES.iter().filter(|(s, _)| required.iter().any(|r| r == s)) {
        let mine: Vec<&Completeness> = found.iter().filter(|c| c.source == *source).collect();
        let scope = |s: Scope| mine.iter().any(|c| c.scope == s);
        if scope(Scope::Month) {
            out.push((*label, Gap::Month));
        } else if scope(Scope::FiscalYear) {
            out.push((*label, Gap::FiscalYear));
        } else if !mine.is_empty() {
            out.push((*label, Gap::Parts(mine.iter().filter_map(|c| c.part.clone()).collect())));
        }
    }
    Ok(out)
}

/// The first shared definition `sql` writes out again instead of using its macro, with the
/// macro to use. `queries/schema/003_definitions.sql` and `004_review.sql` define these once
/// (issue 16); a query that writes its own copy would drift from the others. Comments are
/// not looked at.
#[cfg(test)]
pub(crate) fn respelt_definition(sql: &str) -> Option<(&'static str, &'static str)> {
    const BANNED: &[(&str, &str)] = &[
        ("INTERVAL", "month_add / month_stop / in_month / in_12m / days_after / hours_after"),
        ("make_date", "fiscal_year_start / fiscal_year_stop"),
        ("date_trunc", "month_of"),
        ("month(", "fiscal_year_of"),
        ("'閲覧'", "is_view / view_events / is_look"),
        ("'画像'", "is_image"),
        ("'ダウンロード'", "is_download / is_look"),
        ("joined_on <", "member_in_month / member_during"),
        ("left_on >", "member_in_month / member_during"),
    ];
    let body: String = sql.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    BANNED.iter().copied().find(|(pattern, _)| {
        // A whole word: `month(` but not `in_month(`.
        body.match_indices(pattern)
            .any(|(at, _)| !body[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_declares_title_params_and_columns() {
        for q in CATALOG.iter().chain(saved::CATALOG) {
            assert!(!q.question().is_empty(), "{} states no question", q.name);
            assert!(!q.title().is_empty() && !q.title().starts_with("WITH"), "{}", q.name);
            assert!(!q.columns().is_empty(), "{} declares no columns", q.name);
            for (name, ty, _) in q.params() {
                assert!(q.sql.contains(&format!("${name}")), "{}: ${name} declared but unused", q.name);
                assert!(PARAM_TYPES.contains(&ty), "{}: {ty}", q.name);
            }
        }
    }

    #[test]
    fn every_metric_has_a_row_type_and_every_row_type_a_metric() {
        let typed: Vec<&str> = rows::TYPED.iter().map(|(n, _)| *n).collect();
        let catalog: Vec<&str> = CATALOG.iter().map(|q| q.name).collect();
        assert_eq!(typed, catalog);
    }

    #[test]
    fn no_query_spells_out_a_shared_definition() {
        for q in CATALOG.iter().chain(saved::CATALOG) {
            if let Some((pattern, instead)) = respelt_definition(q.sql) {
                panic!("{} spells out {pattern}: use {instead}", q.name);
            }
        }
    }

    #[test]
    fn no_time_zone_sql_anywhere_in_queries() {
        // The bundled DuckDB has no ICU (DESIGN "Tables"): these would fail at run time.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/queries");
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let mut seen = 0;
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "sql") {
                    seen += 1;
                    let text = std::fs::read_to_string(&path).unwrap().to_uppercase();
                    for banned in ["TIMESTAMPTZ", "AT TIME ZONE", "TIMEZONE", "TIMESTAMP WITH TIME ZONE"] {
                        assert!(!text.contains(banned), "{} uses {banned}", path.display());
                    }
                }
            }
        }
        assert!(seen >= CATALOG.len());
    }
}
