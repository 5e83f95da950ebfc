//! Metrics: the SQL files of `queries/metrics/`, embedded at build time, each opening with
//! a comment (Japanese title, the question, `-- param:` and `-- col:` lines). Parameters
//! are bound by DuckDB by name, never spliced into text.
//!
//! Hands typed [`Table`]s to reports, which never touch DuckDB. The secretariat's saved
//! questions (`queries/saved/`) share the header format and live in [`saved`].

pub mod saved;

use duckdb::types::Value;

use crate::domain::{FiscalYear, Month};
use crate::store::{Store, Table, date_value};

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
pub const PARAM_TYPES: &[&str] = &["MONTH", "FISCAL_YEAR", "DATE", "INTEGER", "TEXT"];

/// Every metric query.
pub const CATALOG: &[Query] = &[
    metric!("monthly_usage"),
    metric!("usage_by_system"),
    metric!("usage_by_kind"),
    metric!("views_by_hospital"),
    metric!("cost_per_view"),
    metric!("monthly_coverage"),
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
}

impl Param {
    fn value(self) -> Value {
        match self {
            Param::Month(m) => date_value(m.first_day()),
            Param::FiscalYear(fy) => Value::Int(fy.year()),
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

/// Everything the monthly board report shows, computed for one month.
#[derive(Debug, Clone)]
pub struct BoardMetrics {
    /// The report month.
    pub month: Month,
    /// 13 months ending with the report month, plus the same month a year earlier first.
    pub monthly: Table,
    /// Use by system.
    pub by_system: Table,
    /// Participation and use by facility kind.
    pub by_kind: Table,
    /// Views by disclosing hospital.
    pub by_hospital: Table,
    /// Running cost per view.
    pub cost: Table,
}

/// Computes the board report's tables for `month`.
pub fn board(store: &Store, month: Month) -> anyhow::Result<BoardMetrics> {
    let m = [("month", Param::Month(month))];
    Ok(BoardMetrics {
        month,
        monthly: run(
            store,
            "monthly_usage",
            &[("from_month", Param::Month(month.plus(-12))), ("to_month", Param::Month(month))],
        )?,
        by_system: run(store, "usage_by_system", &m)?,
        by_kind: run(store, "usage_by_kind", &m)?,
        by_hospital: run(store, "views_by_hospital", &m)?,
        cost: run(
            store,
            "cost_per_view",
            &[("month", Param::Month(month)), ("fiscal_year", Param::FiscalYear(month.fiscal_year()))],
        )?,
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
