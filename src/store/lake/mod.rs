//! The Parquet lake: the normalized tables as Parquet under `[paths] lake`, Hive-partitioned
//! by network, table and month
//! (`lake/network=uonuma/access_events/month=2025-07/file-000012.parquet`), pseudonymized
//! like the store, the pseudonyms as UUID text (a type every engine reads). Each network
//! writes only its own `network=<slug>/` folder, so the lakes of many networks gather under
//! one root as they are. The same files serve DuckDB here and Spark (`scale/spark/`) when a
//! prefecture's or a vendor's networks outgrow one machine (DESIGN "Scale past one machine");
//! `_tables.tsv` beside them lists every table with its rows and columns for that engine.
//!
//! Incremental: each input file's monthly rows are their own Parquet files, named by the
//! file's id, so an ingest writes only what it brought and a `--replace` deletes only what
//! it replaced. `_files.txt` lists the ids the lake holds; it is written last, so after a
//! crash the next sync redoes whatever was unfinished (rewriting a file's Parquet is
//! idempotent). Every Parquet file appears whole (written aside, then renamed); the small
//! tables are rewritten whole each time. An access log's Parquet is usually written while
//! it loads ([`incoming`]) and only moved into place here.

pub mod incoming;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::Store;

/// Tables with a month, partitioned by it, and the expression giving the month's first day.
const MONTHLY: &[(&str, &str)] =
    &[("access_events", "date_trunc('month', occurred_at)::DATE"), ("image_views", "month"), ("enrollments", "month")];
/// Tables written whole (small, or keyed by fiscal year).
const WHOLE: &[&str] = &[
    "facilities",
    "facility_aliases",
    "membership_fees",
    "invoices",
    "quotes",
    "budget",
    "municipalities",
    "ingested_files",
];
/// The ids of the input files whose rows the lake holds, one per line.
const MANIFEST: &str = "_files.txt";
/// Every table of the lake with its rows and columns (`table⇥rows⇥name TYPE, …`): the
/// contract another engine reads (scale/spark), so an empty monthly table, which has no
/// folder, still has its columns, and a folder lost in a copy is told from one never written.
pub const TABLES: &str = "_tables.tsv";

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "''"))
}

/// Moves a lake of the single-network layout (tables straight under the root) into this
/// network's folder, so the next sync finds it where it now belongs; true when it moved one.
pub fn migrate(root: &Path, network: &Path) -> anyhow::Result<bool> {
    let Ok(entries) = std::fs::read_dir(root) else { return Ok(false) };
    let old: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| !n.starts_with("network=")))
        .collect();
    if old.is_empty() {
        return Ok(false);
    }
    std::fs::create_dir_all(network).with_context(|| format!("フォルダ {} を作れません", network.display()))?;
    for from in &old {
        let to = network.join(from.file_name().expect("a named entry"));
        if to.exists() {
            anyhow::bail!(
                "湖 {} に古い配置の {} と新しい配置の {} が両方あります。古い方を別の場所へ移してから取り込み直してください",
                root.display(),
                from.display(),
                to.display()
            );
        }
        std::fs::rename(from, &to).with_context(|| format!("{} を {} へ移せません", from.display(), to.display()))?;
    }
    tracing::info!(moved = old.len(), to = %network.display(), "lake moved under its network folder");
    Ok(true)
}

/// Whether the lake in `dir` lacks files the store holds (or holds files it no longer
/// does): an earlier sync failed, or the lake was moved away.
pub fn behind(store: &Store, dir: &Path) -> anyhow::Result<bool> {
    let in_store: BTreeSet<i32> = store
        .query("SELECT source_file_id FROM ingested_files", &[])?
        .rows
        .iter()
        .filter_map(|r| r[0].as_i64().map(|id| id as i32))
        .collect();
    Ok(!dir.join(TABLES).exists() || read_manifest(dir).map_or(true, |in_lake| in_lake != in_store))
}

/// Brings the lake in `dir` up to date with the store.
pub fn sync(store: &Store, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("フォルダ {} を作れません", dir.display()))?;
    let committed: BTreeMap<i32, String> = store
        .query("SELECT source_file_id, sha256 FROM ingested_files", &[])?
        .rows
        .iter()
        .filter_map(|r| Some((r[0].as_i64()? as i32, r[1].as_str()?.to_string())))
        .collect();
    let in_store: BTreeSet<i32> = committed.keys().copied().collect();
    let in_lake = read_manifest(dir)?;
    let gone: Vec<i32> = in_lake.difference(&in_store).copied().collect();
    let new: Vec<i32> = in_store.difference(&in_lake).copied().collect();
    // A new id's files too: what a crashed sync left of them is written again.
    let stale: Vec<i32> = gone.iter().chain(&new).copied().collect();
    for (table, _) in MONTHLY {
        remove_files(&dir.join(table), &stale)?;
    }
    let mut placed = BTreeSet::new();
    for id in &new {
        if incoming::place(dir, *id, &committed[id])? {
            placed.insert(*id);
        }
    }
    if !new.is_empty() {
        let staging = dir.join(".staging");
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        for (table, month) in MONTHLY {
            // An access log placed from its incoming Parquet has no rows in the other tables.
            let ids: Vec<String> =
                new.iter().filter(|id| *table != "access_events" || !placed.contains(id)).map(i32::to_string).collect();
            if ids.is_empty() {
                continue;
            }
            let out = staging.join(table);
            // Pseudonyms as their UUID text, like the incoming writer's: every engine reads it.
            let keys = if *table == "access_events" {
                " REPLACE (CAST(user_key AS VARCHAR) AS user_key, CAST(patient_key AS VARCHAR) AS patient_key)"
            } else {
                ""
            };
            store.execute(
                &format!(
                    "COPY (SELECT *{keys}, {month} AS month_key, source_file_id AS file_key FROM {table}
                           WHERE source_file_id IN ({}))
                     TO {} (FORMAT parquet, PARTITION_BY (month_key, file_key))",
                    ids.join(", "),
                    quoted(&out)
                ),
                &[],
            )?;
            place_files(&out, &dir.join(table))?;
        }
        std::fs::remove_dir_all(&staging)?;
    }
    incoming::clear(dir)?;
    for table in WHOLE {
        let target = dir.join(table);
        std::fs::create_dir_all(&target)?;
        let aside = target.join(".part_0.parquet.new");
        store.execute(&format!("COPY {table} TO {} (FORMAT parquet)", quoted(&aside)), &[])?;
        std::fs::rename(&aside, target.join("part_0.parquet"))?;
    }
    write_tables(store, dir)?;
    write_manifest(dir, &in_store)?;
    tracing::info!(added = new.len(), written_while_loading = placed.len(), removed = gone.len(), "lake synced");
    Ok(())
}

/// The ids the lake holds; a lake without a manifest (new, or of the older whole-rewrite
/// layout) holds none, and its monthly folders are cleared so nothing is counted twice.
fn read_manifest(dir: &Path) -> anyhow::Result<BTreeSet<i32>> {
    match std::fs::read_to_string(dir.join(MANIFEST)) {
        Ok(text) => Ok(text.lines().filter_map(|l| l.trim().parse().ok()).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            for (table, _) in MONTHLY {
                let folder = dir.join(table);
                if folder.exists() {
                    std::fs::remove_dir_all(&folder)?;
                }
            }
            Ok(BTreeSet::new())
        }
        Err(e) => Err(e).with_context(|| format!("{} を読めません", dir.join(MANIFEST).display())),
    }
}

/// Writes [`TABLES`]: each table's row count and its columns as the lake's files hold them
/// (the pseudonyms as text).
fn write_tables(store: &Store, dir: &Path) -> anyhow::Result<()> {
    let mut text = String::from("table\trows\tcolumns\n");
    for table in MONTHLY.iter().map(|(t, _)| *t).chain(WHOLE.iter().copied()) {
        let rows = store.query(&format!("SELECT count(*) FROM {table}"), &[])?.rows[0][0].as_i64().unwrap_or(0);
        let columns: Vec<String> = store
            .query(
                "SELECT column_name, data_type FROM information_schema.columns
                 WHERE table_name = ? ORDER BY ordinal_position",
                &[duckdb::types::Value::Text(table.to_string())],
            )?
            .rows
            .iter()
            .filter_map(|r| {
                let ty = r[1].as_str()?;
                Some(format!("{} {}", r[0].as_str()?, if ty == "UUID" { "VARCHAR" } else { ty }))
            })
            .collect();
        text.push_str(&format!("{table}\t{rows}\t{}\n", columns.join(", ")));
    }
    let aside = dir.join(format!(".{TABLES}.new"));
    std::fs::write(&aside, text)?;
    std::fs::rename(&aside, dir.join(TABLES))?;
    Ok(())
}

fn write_manifest(dir: &Path, ids: &BTreeSet<i32>) -> anyhow::Result<()> {
    let text: String = ids.iter().map(|id| format!("{id}\n")).collect();
    let aside = dir.join(format!(".{MANIFEST}.new"));
    std::fs::write(&aside, text)?;
    std::fs::rename(&aside, dir.join(MANIFEST))?;
    Ok(())
}

/// The lake's name for the `n`th Parquet file of input file `id` in a month.
fn file_name(id: i32, n: usize) -> String {
    if n == 0 { format!("file-{id:06}.parquet") } else { format!("file-{id:06}-{n}.parquet") }
}

/// Deletes every Parquet file of input files `ids` under `table_dir`.
fn remove_files(table_dir: &Path, ids: &[i32]) -> anyhow::Result<()> {
    if ids.is_empty() || !table_dir.exists() {
        return Ok(());
    }
    let prefixes: Vec<String> = ids.iter().map(|id| format!("file-{id:06}")).collect();
    for month in std::fs::read_dir(table_dir)? {
        let month = month?.path();
        if !month.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&month)? {
            let path = file?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if prefixes.iter().any(|p| name.strip_prefix(p.as_str()).is_some_and(|rest| rest.starts_with(['.', '-']))) {
                std::fs::remove_file(&path)?;
            }
        }
        if std::fs::read_dir(&month)?.next().is_none() {
            std::fs::remove_dir(&month)?;
        }
    }
    Ok(())
}

/// Moves DuckDB's `month_key=2025-07-01/file_key=12/data_0.parquet` to
/// `month=2025-07/file-000012.parquet`, the Hive folder names Spark and DuckDB read.
fn place_files(staged: &Path, table_dir: &Path) -> anyhow::Result<()> {
    if !staged.exists() {
        return Ok(());
    }
    for month in std::fs::read_dir(staged)? {
        let month = month?.path();
        let Some(key) = folder_value(&month, "month_key=") else { continue };
        let target = table_dir.join(format!("month={}", key.get(..7).unwrap_or(&key)));
        std::fs::create_dir_all(&target)?;
        for source in std::fs::read_dir(&month)? {
            let source = source?.path();
            let Some(id) = folder_value(&source, "file_key=").and_then(|v| v.parse::<i32>().ok()) else {
                continue;
            };
            let mut parts: Vec<PathBuf> =
                std::fs::read_dir(&source)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
            parts.sort();
            for (n, part) in parts.iter().enumerate() {
                std::fs::rename(part, target.join(file_name(id, n)))?;
            }
        }
    }
    Ok(())
}

fn folder_value(path: &Path, prefix: &str) -> Option<String> {
    path.file_name()?.to_str()?.strip_prefix(prefix).map(str::to_string)
}
