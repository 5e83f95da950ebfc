//! The Parquet lake: the normalized tables written as Parquet under `[paths] lake`,
//! Hive-partitioned by table and month (`lake/access_events/month=2025-07/…parquet`),
//! pseudonymized like the store. The same files serve DuckDB here and Spark SQL or Trino
//! when a prefecture-wide deployment outgrows one machine (DESIGN "Scale past one machine").
//!
//! The lake is rewritten whole into a sibling folder and swapped in by rename, so a reader
//! never sees half of it; a crash leaves the previous lake in place.

use std::path::Path;

use anyhow::Context;

use super::Store;

/// Tables with a month, partitioned by it, and the expression giving the month.
const MONTHLY: &[(&str, &str)] = &[
    ("access_events", "strftime(occurred_at, '%Y-%m')"),
    ("image_views", "strftime(month, '%Y-%m')"),
    ("enrollments", "strftime(month, '%Y-%m')"),
];
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

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "''"))
}

/// Writes every table to `dir`, replacing what was there.
pub fn write(store: &Store, dir: &Path) -> anyhow::Result<()> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("フォルダ {} を作れません", parent.display()))?;
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("lake");
    let fresh = parent.join(format!(".{name}.new"));
    let old = parent.join(format!(".{name}.old"));
    for p in [&fresh, &old] {
        if p.exists() {
            std::fs::remove_dir_all(p)?;
        }
    }
    std::fs::create_dir_all(&fresh)?;
    for (table, month) in MONTHLY {
        let target = fresh.join(table);
        store.execute(
            &format!(
                "COPY (SELECT *, {month} AS month_key FROM {table}) TO {} (FORMAT parquet, PARTITION_BY (month_key), FILENAME_PATTERN 'part_{{i}}')",
                quoted(&target)
            ),
            &[],
        )?;
        // Hive folders named `month=YYYY-MM`, as Spark and Trino expect.
        if target.exists() {
            for entry in std::fs::read_dir(&target)? {
                let path = entry?.path();
                if let Some(n) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix("month_key=")) {
                    std::fs::rename(&path, target.join(format!("month={n}")))?;
                }
            }
        }
    }
    for table in WHOLE {
        let target = fresh.join(table);
        std::fs::create_dir_all(&target)?;
        store.execute(&format!("COPY {table} TO {} (FORMAT parquet)", quoted(&target.join("part_0.parquet"))), &[])?;
    }
    if dir.exists() {
        std::fs::rename(dir, &old)?;
    }
    std::fs::rename(&fresh, dir)?;
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}
