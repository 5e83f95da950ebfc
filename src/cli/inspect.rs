//! `renkei status`, `renkei quarantine`, `renkei alias`: what was loaded, what was not and
//! why, which months are missing, and how to fix unknown facility names.

use std::collections::BTreeMap;
use std::process::ExitCode;

use duckdb::types::Value;

use super::args::AliasAction;
use super::output::table;
use crate::config::Settings;
use crate::domain::Month;
use crate::domain::names::matching_key;
use crate::error::Problem;
use crate::ingest::matcher::FacilityMatcher;
use crate::metrics;
use crate::store::{Cell, Store};

/// `renkei alias add|list`.
pub fn alias(settings: &Settings, action: AliasAction) -> anyhow::Result<ExitCode> {
    match action {
        AliasAction::Add { alias, facility } => {
            let store = Store::open(&settings.store_path())?;
            let matcher = FacilityMatcher::load(&store)?;
            let Some(id) = matcher.resolve(&facility) else {
                let key = matching_key(&facility);
                let names = store.query("SELECT name, name_key FROM facilities ORDER BY name", &[])?;
                let close: Vec<String> = names
                    .rows
                    .iter()
                    .filter(|r| r[1].as_str().is_some_and(|k| k.contains(&key) || key.contains(k)))
                    .map(|r| r[0].to_string())
                    .take(5)
                    .collect();
                let mut p = Problem::new(format!("施設「{facility}」は名簿にありません"));
                p = if close.is_empty() {
                    p.hint("名簿上の施設名を正確に指定してください（renkei sql -e \"select name from facilities\" で一覧できます）")
                } else {
                    p.hint(format!("名簿上の施設名を指定してください。近い名前: {}", close.join("、")))
                };
                return Err(p.into());
            };
            store.execute(
                "INSERT INTO facility_aliases VALUES (?, ?, ?)
                 ON CONFLICT (alias_key) DO UPDATE SET alias = excluded.alias, facility_id = excluded.facility_id",
                &[Value::Text(alias.clone()), Value::Int(id), Value::Text(matching_key(&alias))],
            )?;
            println!("別名「{alias}」→ 施設「{facility}」（施設番号 {id}）を登録しました");
            eprintln!("\nhint: この名前で保留になった行は renkei ingest --replace <ファイル> で取り込み直せます");
        }
        AliasAction::List => {
            let store = Store::open_read_only(&settings.store_path())?;
            let t = store.query(
                "SELECT a.alias, f.name FROM facility_aliases a JOIN facilities f USING (facility_id) ORDER BY f.name, a.alias",
                &[],
            )?;
            let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(Cell::to_string).collect()).collect();
            print!("{}", table(&["別名".into(), "施設名".into()], &rows, &[false, false]));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `renkei quarantine [--file F]`.
pub fn quarantine(settings: &Settings, file: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = Store::open_read_only(&settings.store_path())?;
    let t = store.query(
        "SELECT f.path, q.row_number, coalesce(q.column_name, ''), coalesce(q.value, ''), q.reason, coalesce(q.hint, '')
         FROM quarantine q JOIN ingested_files f USING (source_file_id)
         WHERE ? IS NULL OR contains(f.path, ?)
         ORDER BY f.source_file_id, q.row_number",
        &[file.map_or(Value::Null, |f| Value::Text(f.into())), file.map_or(Value::Null, |f| Value::Text(f.into()))],
    )?;
    if t.rows.is_empty() {
        println!("保留中の行はありません");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(Cell::to_string).collect()).collect();
    let headers = ["ファイル", "行", "列", "値", "理由", "対処"].map(String::from);
    print!("{}", table(&headers, &rows, &[false, true, false, false, false, false]));
    Ok(ExitCode::SUCCESS)
}

/// `renkei status`: files, monthly coverage per source with gaps, quarantine, deliveries.
pub fn status(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = Store::open_read_only(&settings.store_path())?;
    println!("データベース: {}（スキーマ版 {}）\n", store.path().display(), store.schema_version()?);

    let files = store.query(
        "SELECT path, source, rows_loaded, rows_quarantined, strftime(ingested_at, '%Y-%m-%d %H:%M') FROM ingested_files ORDER BY source_file_id",
        &[],
    )?;
    println!("■ 取り込んだファイル（{} 件）", files.rows.len());
    let rows: Vec<Vec<String>> = files.rows.iter().map(|r| r.iter().map(Cell::to_string).collect()).collect();
    let headers = ["ファイル", "種類", "行数", "保留", "取込日時"].map(String::from);
    print!("{}", table(&headers, &rows, &[false, false, true, true, false]));

    let mut by_source: BTreeMap<String, BTreeMap<Month, i64>> = BTreeMap::new();
    for r in metrics::fetch::<metrics::rows::MonthlyCoverage>(&store, &[])? {
        by_source.entry(r.source).or_default().insert(r.month, r.rows);
    }
    for (source, label) in
        [("access_log", "アクセスログ"), ("image_views", "画像閲覧回数"), ("enrollments", "登録患者数")]
    {
        println!("\n■ {label}の月別件数（— はデータなし）");
        match by_source.get(source) {
            None => println!("{label}はまだありません"),
            Some(months) => print!("{}", coverage_grid(months)),
        }
    }
    for (source, label) in
        [("roster", "名簿（会費）"), ("invoices", "運営費"), ("budget", "予算・決算"), ("quotes", "更新見積")]
    {
        let years: Vec<String> =
            by_source.get(source).map(|m| m.keys().map(|k| k.fiscal_year().label_ja()).collect()).unwrap_or_default();
        println!("\n■ {label}のある年度: {}", if years.is_empty() { "なし".into() } else { years.join("、") });
    }
    let m = store.query("SELECT count(*) FROM municipalities", &[])?;
    println!("\n■ 市町: {} 件", m.rows[0][0]);

    let q = store.query("SELECT count(*) FROM quarantine", &[])?;
    println!("\n■ 保留中の行: {} 行（renkei quarantine で確認）", q.rows[0][0]);
    let d = store.query(
        "SELECT report_id, status, count(*) FROM deliveries GROUP BY ALL ORDER BY report_id DESC LIMIT 12",
        &[],
    )?;
    println!("\n■ 送信状況");
    if d.rows.is_empty() {
        println!("まだ送信していません");
    }
    for r in &d.rows {
        println!("{}  {}  {}通", r[0], r[1], r[2]);
    }

    let now = crate::clock::now_jst();
    match crate::daemon::lock::InstanceLock::holder(&settings.daemon_lock()) {
        Some(holder) => println!("\n■ 定期実行（日本時間、renkei daemon 動作中: {holder}）"),
        None => println!("\n■ 定期実行（日本時間、renkei daemon は動いていません）"),
    }
    for n in crate::daemon::next_runs(settings, Some(&store), now)? {
        let last = n.last_text().map_or("前回なし".to_string(), |l| format!("前回 {l}"));
        println!("{}  次回 {}  [{}]  {last}", n.job.label_ja(), n.next_text(), n.line);
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per fiscal year, one column per month April–March.
fn coverage_grid(months: &BTreeMap<Month, i64>) -> String {
    let rows = crate::report::layout::coverage_rows(months);
    if rows.is_empty() {
        return String::new();
    }
    let mut headers = vec!["年度".to_string()];
    headers.extend(crate::report::layout::COVERAGE_MONTHS.iter().map(|m| m.to_string()));
    let rows: Vec<Vec<String>> = rows.into_iter().map(|r| std::iter::once(r.label).chain(r.cells).collect()).collect();
    let right: Vec<bool> = (0..13).map(|i| i > 0).collect();
    table(&headers, &rows, &right)
}
