//! The secretariat's saved questions (`queries/saved/*.sql`): the same header format as
//! the metrics, with parameters typed for people (`MONTH` takes 2025-07 or 令和7年7月,
//! `FISCAL_YEAR` takes R7 or 令和7年度).

use duckdb::types::Value;

use super::{Query, parse_param};
use crate::error::Problem;
use crate::store::{Store, Table};

macro_rules! saved {
    ($name:literal) => {
        Query { name: $name, sql: include_str!(concat!("../../queries/saved/", $name, ".sql")) }
    };
}

/// Every saved query, in the order `renkei query` lists them.
pub const CATALOG: &[Query] = &[
    saved!("facility_use_month"),
    saved!("inactive_members"),
    saved!("image_views_by_hospital"),
    saved!("municipality_use"),
    saved!("cost_per_view_by_fy"),
    saved!("monthly_trend"),
    saved!("system_use_by_fy"),
    saved!("top_facilities"),
    saved!("fees_vs_use"),
    saved!("data_type_use"),
];

/// The saved query called `name`, or a problem listing the ones there are.
pub fn find(name: &str) -> Result<&'static Query, Problem> {
    CATALOG.iter().find(|q| q.name == name).ok_or_else(|| {
        let close: Vec<&str> = CATALOG
            .iter()
            .map(|q| q.name)
            .filter(|n| n.contains(name) || name.split('_').any(|part| part.len() > 2 && n.contains(part)))
            .collect();
        let p = Problem::new(format!("保存済みの問い合わせ「{name}」はありません"));
        if close.is_empty() {
            p.hint("renkei query で一覧を表示できます")
        } else {
            p.hint(format!("もしかして: {}（renkei query で一覧）", close.join("、")))
        }
    })
}

/// Binds `key=value` texts to the query's declared parameters, checking names and types.
pub fn bind(query: &Query, given: &[String]) -> Result<Vec<(String, Value)>, Problem> {
    let declared = query.params();
    let usage = || {
        let example: Vec<String> = declared.iter().map(|(n, _, d)| format!("--param {n}=…（{d}）")).collect();
        format!("renkei query {} {}", query.name, example.join(" "))
    };
    let mut bound = Vec::new();
    for pair in given {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(
                Problem::new(format!("--param {pair} を読めません")).hint("--param 名前=値 の形で指定してください")
            );
        };
        let key = key.trim();
        let Some((_, ty, desc)) = declared.iter().find(|(n, _, _)| *n == key) else {
            let names: Vec<&str> = declared.iter().map(|(n, _, _)| *n).collect();
            return Err(Problem::new(format!("{} にパラメータ {key} はありません", query.name))
                .because(if names.is_empty() {
                    "この問い合わせはパラメータを取りません".to_string()
                } else {
                    format!("使えるパラメータ: {}", names.join("、"))
                })
                .hint(usage()));
        };
        let v = parse_param(ty, value).map_err(|e| {
            Problem::new(format!("パラメータ {key} の値を読めません"))
                .value(value)
                .because(e)
                .hint(format!("{key} は {desc}"))
        })?;
        bound.push((key.to_string(), v));
    }
    if let Some((name, _, desc)) = declared.iter().find(|(n, _, _)| !bound.iter().any(|(b, _)| b == n)) {
        return Err(Problem::new(format!("パラメータ {name}（{desc}）が指定されていません")).hint(usage()));
    }
    Ok(bound)
}

/// Runs a saved query with bound parameters.
pub fn run(store: &Store, query: &Query, bound: &[(String, Value)]) -> anyhow::Result<Table> {
    let params: Vec<(&str, Value)> = bound.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
    store
        .query_named(query.sql, &params)
        .map_err(|e| e.context(format!("「{}」（queries/saved/{}.sql）を実行できません", query.title(), query.name)))
}
