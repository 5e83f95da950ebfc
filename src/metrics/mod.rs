//! Metrics: the SQL files of `queries/metrics/`, embedded at build time, each opening with
//! a comment (Japanese title, the question, `-- param:` and `-- col:` lines). Parameters
//! are bound by DuckDB by name, never spliced into text.
//!
//! Hands typed [`Table`]s to reports, which never touch DuckDB.

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
        Query {
            name: $name,
            sql: include_str!(concat!("../../queries/metrics/", $name, ".sql")),
        }
    };
}

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
        self.sql
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("-- "))
            .unwrap_or(self.name)
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
                (
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                )
            })
            .collect()
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
        e.context(format!(
            "指標「{}」（queries/metrics/{}.sql）を計算できません",
            query.title(),
            query.name
        ))
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
            &[
                ("from_month", Param::Month(month.plus(-12))),
                ("to_month", Param::Month(month)),
            ],
        )?,
        by_system: run(store, "usage_by_system", &m)?,
        by_kind: run(store, "usage_by_kind", &m)?,
        by_hospital: run(store, "views_by_hospital", &m)?,
        cost: run(
            store,
            "cost_per_view",
            &[
                ("month", Param::Month(month)),
                ("fiscal_year", Param::FiscalYear(month.fiscal_year())),
            ],
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_declares_title_params_and_columns() {
        for q in CATALOG {
            assert!(
                !q.title().is_empty() && !q.title().starts_with("WITH"),
                "{}",
                q.name
            );
            assert!(!q.columns().is_empty(), "{} declares no columns", q.name);
            for (name, ty, _) in q.params() {
                assert!(
                    q.sql.contains(&format!("${name}")),
                    "{}: ${name} declared but unused",
                    q.name
                );
                assert!(
                    matches!(ty, "DATE" | "INTEGER" | "VARCHAR"),
                    "{}: {ty}",
                    q.name
                );
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
                    for banned in [
                        "TIMESTAMPTZ",
                        "AT TIME ZONE",
                        "TIMEZONE",
                        "TIMESTAMP WITH TIME ZONE",
                    ] {
                        assert!(!text.contains(banned), "{} uses {banned}", path.display());
                    }
                }
            }
        }
        assert!(seen >= CATALOG.len());
    }
}
