//! Loading one input file: everything it brings goes in one transaction, with its row in
//! `ingested_files`, or nothing does (the transaction rolls back unless committed, so a
//! rejected file, an error or a kill -9 leaves the store as it was).

use anyhow::Context;
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::types::Value;
use duckdb::{Connection, Transaction, params};

use super::event_batch::EventBatch;
use super::rows::{
    BudgetRow, EnrollmentRow, FacilityRecord, ImageViewRow, InvoiceRow, MunicipalityRow, QuarantineRow, QuoteRow,
};
use super::table::{date_value, timestamp_value};

/// Tables whose rows belong to one input file.
const FILE_TABLES: &[&str] =
    &["access_events", "membership_fees", "image_views", "enrollments", "invoices", "quotes", "budget", "quarantine"];

/// Per table, the columns that say which period (and what within it) a row is about: rows
/// of two files sharing these are the same data twice — a corrected file, or one loaded
/// under another name. Access events are compared by time range per system instead.
const SAME_PERIOD: &[(&str, &str, &[&str])] = &[
    ("image_views", "画像閲覧回数", &["month", "disclosing_facility_id", "viewing_facility_id"]),
    ("enrollments", "登録患者数", &["month", "facility_id", "municipality"]),
    ("invoices", "運営費", &["fiscal_year", "vendor", "service"]),
    ("quotes", "更新見積", &["fiscal_year", "vendor", "facility_id", "item"]),
    ("budget", "予算・決算", &["fiscal_year", "stage", "direction", "item", "municipality"]),
    ("membership_fees", "名簿（会費）", &["fiscal_year"]),
];

/// An earlier file with rows for the same period as the file being loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    /// The earlier file's id.
    pub source_file_id: i32,
    /// Its path as it was given.
    pub path: String,
    /// What both hold, in words (`ID-Link 2025-07-01 09:00〜2025-07-31 18:00`: the earlier
    /// file's rows within this file's span; `運営費` for the tables keyed by period).
    pub what: String,
}

/// What identifies the file being loaded.
#[derive(Debug, Clone)]
pub struct FileMeta {
    /// The path as the user gave it.
    pub path: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// The source kind (`access_log`, `roster`, `invoices`).
    pub source: String,
}

/// A file being loaded inside its transaction.
pub struct FileLoad<'a> {
    tx: Transaction<'a>,
    meta: FileMeta,
    id: i32,
    quarantined: u64,
}

impl<'a> FileLoad<'a> {
    pub(super) fn begin(conn: &'a mut Connection, meta: FileMeta) -> anyhow::Result<FileLoad<'a>> {
        let tx = conn.transaction()?;
        let id: i32 =
            tx.query_row("SELECT coalesce(max(source_file_id), 0) + 1 FROM ingested_files", [], |r| r.get(0))?;
        Ok(FileLoad { tx, meta, id, quarantined: 0 })
    }

    /// The id the file's rows carry.
    pub fn id(&self) -> i32 {
        self.id
    }

    /// Removes an earlier file and every row it brought (for `--replace`).
    pub fn remove_file(&mut self, source_file_id: i32) -> anyhow::Result<()> {
        for table in FILE_TABLES {
            self.tx.execute(&format!("DELETE FROM {table} WHERE source_file_id = ?"), params![source_file_id])?;
        }
        self.tx.execute("DELETE FROM ingested_files WHERE source_file_id = ?", params![source_file_id])?;
        Ok(())
    }

    /// Runs the following statements on this thread alone (`true`) or on DuckDB's whole
    /// pool again (`false`). Each batch's insert is one short scan: with a pool, its
    /// workers spin waiting for tasks and take the core the parser thread needs.
    pub fn single_threaded(&mut self, on: bool) -> anyhow::Result<()> {
        self.tx.execute_batch(if on { "SET threads = 1" } else { "RESET threads" })?;
        Ok(())
    }

    /// Appends a batch of access events: one `INSERT … SELECT * FROM arrow(?)` over the
    /// batch's Arrow arrays (measured faster than DuckDB's appender, which copies the batch
    /// into a buffer of its own first).
    /// Returns the batch as inserted (its arrays shared, not copied), for the lake.
    pub fn append_events(&mut self, events: EventBatch) -> anyhow::Result<RecordBatch> {
        let batch = events.finish(self.id)?;
        let reg = duckdb::vtab::arrow::ArrowBatchRegistration::new(batch.clone());
        self.tx.execute("INSERT INTO access_events SELECT * FROM arrow(?)", [&reg])?;
        Ok(batch)
    }

    /// Records rows that could not be loaded.
    pub fn quarantine(&mut self, rows: &[QuarantineRow]) -> anyhow::Result<()> {
        let mut app = self.tx.appender("quarantine")?;
        for q in rows {
            app.append_row(params![self.id, q.row_number as i64, q.column, q.value, q.reason, q.hint])?;
        }
        app.flush()?;
        self.quarantined += rows.len() as u64;
        Ok(())
    }

    /// Inserts or updates facilities by matching key; returns their ids in input order.
    pub fn upsert_facilities(&mut self, records: &[FacilityRecord]) -> anyhow::Result<Vec<i32>> {
        let mut ids = Vec::with_capacity(records.len());
        for f in records {
            let existing: Option<i32> = self
                .tx
                .query_row("SELECT facility_id FROM facilities WHERE name_key = ?", params![f.name_key], |r| r.get(0))
                .ok();
            let joined = f.joined_on.map(date_value).unwrap_or(Value::Null);
            let left = f.left_on.map(date_value).unwrap_or(Value::Null);
            let id = match existing {
                Some(id) => {
                    self.tx.execute(
                        "UPDATE facilities SET name = ?, kind = coalesce(?, kind), municipality = coalesce(?, municipality),
                         joined_on = coalesce(?, joined_on), left_on = ?, publishes_images = ? WHERE facility_id = ?",
                        params![f.name, f.kind, f.municipality, joined, left, f.publishes_images, id],
                    )?;
                    id
                }
                None => {
                    let id: i32 =
                        self.tx
                            .query_row("SELECT coalesce(max(facility_id), 0) + 1 FROM facilities", [], |r| r.get(0))?;
                    self.tx.execute(
                        "INSERT INTO facilities VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        params![id, f.name, f.kind, f.municipality, joined, left, f.publishes_images, f.name_key],
                    )?;
                    id
                }
            };
            ids.push(id);
        }
        Ok(ids)
    }

    /// Inserts membership fees of one fiscal year.
    pub fn insert_fees(&mut self, fiscal_year: i32, fees: &[(i32, i64)]) -> anyhow::Result<()> {
        let mut app = self.tx.appender("membership_fees")?;
        for (facility_id, fee) in fees {
            app.append_row(params![fiscal_year, facility_id, fee, self.id])?;
        }
        app.flush()?;
        Ok(())
    }

    /// Inserts running-cost lines.
    pub fn insert_invoices(&mut self, rows: &[InvoiceRow]) -> anyhow::Result<()> {
        for r in rows {
            self.tx.execute(
                "INSERT INTO invoices (vendor, service, fiscal_year, amount_yen, approximate, source_file_id)
                 VALUES (?, ?, ?, ?, ?, ?)",
                params![r.vendor, r.service, r.fiscal_year, r.amount_yen, r.approximate, self.id],
            )?;
        }
        Ok(())
    }

    /// Inserts image-view counts.
    pub fn insert_image_views(&mut self, rows: &[ImageViewRow]) -> anyhow::Result<()> {
        let mut app = self.tx.appender("image_views")?;
        for r in rows {
            app.append_row(params![
                date_value(r.month),
                r.disclosing_facility_id,
                r.viewing_facility_id,
                r.views,
                self.id
            ])?;
        }
        app.flush()?;
        Ok(())
    }

    /// Inserts or replaces municipalities by name (the newest file's population wins).
    pub fn upsert_municipalities(&mut self, rows: &[MunicipalityRow]) -> anyhow::Result<()> {
        for r in rows {
            self.tx.execute(
                "INSERT INTO municipalities VALUES (?, ?, ?)
                 ON CONFLICT (name) DO UPDATE SET code = coalesce(excluded.code, municipalities.code), population = excluded.population",
                params![r.name, r.code, r.population],
            )?;
        }
        Ok(())
    }

    /// Inserts budget lines.
    pub fn insert_budget(&mut self, rows: &[BudgetRow]) -> anyhow::Result<()> {
        let mut app = self.tx.appender("budget")?;
        for r in rows {
            app.append_row(params![
                r.fiscal_year,
                r.direction,
                r.item,
                r.municipality,
                r.amount_yen,
                r.stage,
                self.id
            ])?;
        }
        app.flush()?;
        Ok(())
    }

    /// Inserts renewal quote lines.
    pub fn insert_quotes(&mut self, rows: &[QuoteRow]) -> anyhow::Result<()> {
        let mut app = self.tx.appender("quotes")?;
        for r in rows {
            app.append_row(params![
                r.fiscal_year,
                r.vendor,
                r.facility_id,
                r.item,
                r.grade,
                r.amount_yen,
                r.approximate,
                self.id
            ])?;
        }
        app.flush()?;
        Ok(())
    }

    /// Inserts registered-patient counts.
    pub fn insert_enrollments(&mut self, rows: &[EnrollmentRow]) -> anyhow::Result<()> {
        let mut app = self.tx.appender("enrollments")?;
        for r in rows {
            app.append_row(params![
                date_value(r.month),
                r.facility_id,
                r.municipality,
                r.registered_patients,
                self.id
            ])?;
        }
        app.flush()?;
        Ok(())
    }

    /// Earlier files holding rows for the same period as this one: access logs of the same
    /// system with rows inside this file's time span, and for the tables of [`SAME_PERIOD`] rows with the
    /// same key.
    pub fn overlaps(&self) -> anyhow::Result<Vec<Overlap>> {
        let mut found: Vec<Overlap> = Vec::new();
        let mut stmt = self.tx.prepare(
            // Only rows within this file's own time span are read (zone maps skip the rest);
            // the range shown is the part of the earlier file within that span.
            "WITH mine AS (
                 SELECT system, min(occurred_at) AS lo, max(occurred_at) AS hi
                 FROM access_events WHERE source_file_id = $1 GROUP BY ALL),
             theirs AS (
                 SELECT e.source_file_id, e.system, min(e.occurred_at) AS lo, max(e.occurred_at) AS hi
                 FROM access_events AS e JOIN mine AS m ON m.system = e.system
                 WHERE e.occurred_at BETWEEN m.lo AND m.hi AND e.source_file_id <> $1
                   AND e.occurred_at BETWEEN (SELECT min(lo) FROM mine) AND (SELECT max(hi) FROM mine)
                 GROUP BY ALL)
             SELECT t.source_file_id, f.path,
                    t.system || ' ' || strftime(t.lo, '%Y-%m-%d %H:%M') || '〜' || strftime(t.hi, '%Y-%m-%d %H:%M')
             FROM theirs AS t JOIN ingested_files AS f USING (source_file_id)
             ORDER BY 1, 3",
        )?;
        let rows = stmt.query_map(params![self.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        for row in rows {
            let (source_file_id, path, what) = row?;
            found.push(Overlap { source_file_id, path, what });
        }
        for (table, label, keys) in SAME_PERIOD {
            let on: Vec<String> = keys.iter().map(|k| format!("o.{k} IS NOT DISTINCT FROM m.{k}")).collect();
            let mut stmt = self.tx.prepare(&format!(
                "SELECT DISTINCT o.source_file_id, f.path FROM {table} m JOIN {table} o ON {}
                 JOIN ingested_files f ON f.source_file_id = o.source_file_id
                 WHERE m.source_file_id = ? AND o.source_file_id <> m.source_file_id ORDER BY 1",
                on.join(" AND ")
            ))?;
            let rows = stmt.query_map(params![self.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for row in rows {
                let (source_file_id, path) = row?;
                found.push(Overlap { source_file_id, path, what: label.to_string() });
            }
        }
        found.dedup_by_key(|o| o.source_file_id);
        Ok(found)
    }

    /// Makes the file and all its rows visible at once.
    pub fn commit(self, rows_loaded: u64) -> anyhow::Result<i32> {
        self.tx
            .execute(
                "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![
                    self.id,
                    self.meta.path,
                    self.meta.sha256,
                    self.meta.source,
                    rows_loaded as i64,
                    self.quarantined as i64,
                    timestamp_value(crate::clock::now_jst())
                ],
            )
            .context("取込記録を書けません")?;
        self.tx.commit().context("取込を確定できません")?;
        Ok(self.id)
    }
}
