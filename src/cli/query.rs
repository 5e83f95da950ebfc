//! `renkei query [NAME --param k=v ...]` runs the secretariat's saved questions, and
//! `renkei schema` lists every table and column with its Japanese description.

use std::process::ExitCode;

use duckdb::types::Value;

use super::args::QueryArgs;
use super::output::{emit, table};
use super::sql;
use crate::audit_log as audit;
use crate::config::Settings;
use crate::error::Problem;
use crate::metrics::saved;
use crate::store::Store;

/// Lists the saved queries, or runs one.
pub fn run(settings: &Settings, args: &QueryArgs) -> anyhow::Result<ExitCode> {
    let Some(name) = &args.name else {
        let rows: Vec<Vec<String>> = saved::CATALOG
            .iter()
            .map(|q| {
                let params: Vec<String> = q.params().iter().map(|(n, _, d)| format!("{n}=（{d}）")).collect();
                vec![q.name.to_string(), q.title().to_string(), params.join(" ")]
            })
            .collect();
        print!("{}", table(&["名前".into(), "問い".into(), "パラメータ".into()], &rows, &[false, false, false]));
        eprintln!(
            "\nhint: renkei query 名前 --param 名前=値 で実行します（例: renkei query facility_use_month --param month=2025-07）"
        );
        return Ok(ExitCode::SUCCESS);
    };
    let query = saved::find(name)?;
    let bound = saved::bind(query, &args.params)?;
    let store = Store::open_read_only(&settings.store_path())?;
    let described = format!("{} {}", query.name, args.params.join(" "));
    let result = saved::run(&store, query, &bound);
    audit::record(settings, "query", &described, result.as_ref().map(|t| t.rows.len()).ok(), None)?;
    let t = result.map_err(|e| sql::explain(&e))?;
    if args.output.out.is_none() {
        eprintln!("{}", query.title());
    }
    emit(settings, &t, &args.output, &described)?;
    Ok(ExitCode::SUCCESS)
}

/// `renkei schema`: every table and column with its description.
pub fn schema(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = Store::open_read_only(&settings.store_path())?;
    println!("{}", schema_text(&store, None)?);
    Ok(ExitCode::SUCCESS)
}

/// Tables with their descriptions, as text.
pub fn tables_text(store: &Store) -> anyhow::Result<String> {
    let t = store.query(
        "SELECT table_name, coalesce(comment, ''), estimated_size FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name",
        &[],
    )?;
    let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    Ok(table(&["テーブル".into(), "説明".into(), "行数（概算）".into()], &rows, &[false, false, true]))
}

/// Columns (of one table, or all) with types and descriptions, as text.
pub fn schema_text(store: &Store, only: Option<&str>) -> anyhow::Result<String> {
    let tables = store.query(
        "SELECT table_name, coalesce(comment, '') FROM duckdb_tables()
         WHERE schema_name = 'main' AND (? IS NULL OR table_name = ?) ORDER BY table_name",
        &[only.map_or(Value::Null, |s| Value::Text(s.into())), only.map_or(Value::Null, |s| Value::Text(s.into()))],
    )?;
    if tables.rows.is_empty() {
        return Err(Problem::new(format!("テーブル {} はありません", only.unwrap_or("")))
            .hint(".tables（または renkei schema）で一覧を表示できます")
            .into());
    }
    let mut out = String::new();
    for t in &tables.rows {
        let name = t[0].to_string();
        out.push_str(&format!("■ {name}　{}\n", t[1]));
        let cols = store.query(
            "SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns()
             WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
            &[Value::Text(name.clone())],
        )?;
        let rows: Vec<Vec<String>> = cols.rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        out.push_str(&table(&["列".into(), "型".into(), "説明".into()], &rows, &[false, false, false]));
        out.push('\n');
    }
    if only.is_none() {
        out.push_str(&definitions_text(store)?);
    }
    Ok(out.trim_end().to_string())
}

/// The shared definitions (views and macros of `queries/schema/003_definitions.sql`) that
/// every metric uses and ad-hoc SQL may use too, with their descriptions.
fn definitions_text(store: &Store) -> anyhow::Result<String> {
    let t = store.query(
        "SELECT view_name, 'ビュー', coalesce(comment, '') FROM duckdb_views()
         WHERE schema_name = 'main' AND NOT internal
         UNION ALL
         SELECT DISTINCT function_name, CASE function_type WHEN 'table_macro' THEN '表マクロ' ELSE 'マクロ' END,
                coalesce(comment, '')
         FROM duckdb_functions() WHERE schema_name = 'main' AND NOT internal AND function_type LIKE '%macro'
         ORDER BY 2 DESC, 1",
        &[],
    )?;
    let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    Ok(format!(
        "■ 共通の定義（queries/schema/003_definitions.sql。指標と保存済みの問い合わせが使う定義で、SQL からそのまま使えます）\n{}",
        table(&["名前".into(), "種類".into(), "説明".into()], &rows, &[false, false, false])
    ))
}
