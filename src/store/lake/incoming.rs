//! An access log's share of the lake, written while the log loads: each Arrow batch the
//! store inserts is encoded to Parquet on the lake's own thread, so the ingest has no
//! Parquet left to write after the commit (on a 2-core machine the partitioned `COPY` of a
//! 2M-row log from the store took about 0.6 s of a 2.2 s ingest).
//!
//! The files wait in `lake/.incoming/<file id>/access_events/month=2025-07/` until
//! [`super::sync`] moves them into place after the commit. `_done` is written last and
//! holds the input file's SHA-256: a load that fails leaves no `_done` (its folder is
//! removed when the writer is dropped), and since a rolled-back file id is given to the
//! next file, the sync takes an incoming folder only for the bytes the store committed
//! under that id. Without one it writes the file's Parquet from the store as before.
//!
//! The Parquet is what DuckDB's own `COPY` writes for the rest of the lake: the table's
//! columns, every one OPTIONAL, snappy, rows grouped by 122,880, pseudonyms as the UUID's
//! text (`8-4-4-4-12` lower-case hex, as DuckDB casts a UUID to VARCHAR): Spark refuses
//! Parquet's UUID logical type, and every engine reads a string. The pseudonyms' columns
//! alone are not compressed (each column chunk names its codec, so readers see no
//! difference).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use duckdb::arrow::array::{
    Array, ArrayRef, BooleanArray, FixedSizeBinaryArray, StringArray, TimestampMicrosecondArray,
};

use duckdb::arrow::buffer::{Buffer, OffsetBuffer};
use duckdb::arrow::compute::filter_record_batch;
use duckdb::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use duckdb::arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use super::file_name;

/// Rows per Parquet row group: DuckDB's default, so both writers' files read alike.
const ROW_GROUP_ROWS: usize = 122_880;
/// The marker written last, holding the input file's SHA-256.
const DONE: &str = "_done";
/// The marker's name once its files are being moved into the lake.
const PLACING: &str = "_placing";
/// Encoded bytes the open row groups may hold together before all are written out: a log
/// whose rows jump between many months keeps many open at once.
const HELD_BYTES: usize = 128 << 20;

/// Where file `id`'s Parquet waits for the commit.
pub(super) fn folder(lake: &Path, id: i32) -> PathBuf {
    lake.join(".incoming").join(id.to_string())
}

/// The access-log Parquet of one input file, month by month, being written.
pub struct IncomingLog {
    folder: PathBuf,
    id: i32,
    sha256: String,
    /// The files' schema and writer settings, from the first batch.
    layout: Option<(SchemaRef, WriterProperties)>,
    writers: BTreeMap<(i32, u32), ArrowWriter<File>>,
    held_limit: usize,
    done: bool,
}

impl IncomingLog {
    /// Starts file `id`'s Parquet in `lake`, clearing what a failed load under the same id
    /// left there.
    pub fn begin(lake: &Path, id: i32, sha256: &str) -> anyhow::Result<IncomingLog> {
        let folder = folder(lake, id);
        if folder.exists() {
            std::fs::remove_dir_all(&folder).with_context(|| format!("{} を消せません", folder.display()))?;
        }
        std::fs::create_dir_all(&folder).with_context(|| format!("フォルダ {} を作れません", folder.display()))?;
        Ok(IncomingLog {
            folder,
            id,
            sha256: sha256.to_string(),
            layout: None,
            writers: BTreeMap::new(),
            held_limit: HELD_BYTES,
            done: false,
        })
    }

    /// Writes a batch in `access_events` column order to its months' files.
    pub fn write(&mut self, batch: &RecordBatch) -> anyhow::Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let schema = self.layout.get_or_insert_with(|| layout(&batch.schema())).0.clone();
        let columns: Vec<ArrayRef> = batch
            .columns()
            .iter()
            .map(|c| match c.as_any().downcast_ref::<FixedSizeBinaryArray>() {
                Some(keys) => uuid_text(keys),
                None => Ok(c.clone()),
            })
            .collect::<anyhow::Result<_>>()?;
        let batch = RecordBatch::try_new(schema, columns)?;
        let times = batch
            .column(0)
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .context("occurred_at の列が日時ではありません")?;
        let months = month_of_each(times)?;
        if months.windows(2).all(|w| w[0] == w[1]) {
            self.writer(months[0])?.write(&batch)?;
        } else {
            let mut distinct = months.clone();
            distinct.sort_unstable();
            distinct.dedup();
            for month in distinct {
                let rows: BooleanArray = months.iter().map(|m| Some(*m == month)).collect();
                let part = filter_record_batch(&batch, &rows)?;
                self.writer(month)?.write(&part)?;
            }
        }
        if self.held() > self.held_limit {
            for writer in self.writers.values_mut() {
                writer.flush()?;
            }
        }
        Ok(())
    }

    /// Bytes held by the row groups not yet written out.
    fn held(&self) -> usize {
        self.writers.values().map(ArrowWriter::memory_size).sum()
    }

    fn writer(&mut self, (year, month): (i32, u32)) -> anyhow::Result<&mut ArrowWriter<File>> {
        if !self.writers.contains_key(&(year, month)) {
            let dir = self.folder.join("access_events").join(format!("month={year:04}-{month:02}"));
            std::fs::create_dir_all(&dir)?;
            let file = File::create(dir.join(file_name(self.id, 0)))?;
            let (schema, props) = self.layout.clone().expect("set by the first batch");
            self.writers.insert((year, month), ArrowWriter::try_new(file, schema, Some(props))?);
        }
        Ok(self.writers.get_mut(&(year, month)).expect("inserted above"))
    }

    /// Closes every file and writes `_done`: the Parquet is whole and waits for the commit.
    pub fn finish(mut self) -> anyhow::Result<()> {
        for (_, writer) in std::mem::take(&mut self.writers) {
            writer.close()?;
        }
        std::fs::write(self.folder.join(DONE), &self.sha256)?;
        self.done = true;
        Ok(())
    }
}

impl Drop for IncomingLog {
    /// A writer dropped before [`IncomingLog::finish`] belongs to a load that did not
    /// happen: its files go.
    fn drop(&mut self) {
        if !self.done {
            self.writers.clear();
            let _ = std::fs::remove_dir_all(&self.folder);
        }
    }
}

/// The files' schema for batches of `store`'s: every column OPTIONAL, as DuckDB writes them,
/// so readers see one schema; the pseudonyms (16 bytes in the store) as their UUID text. Those
/// columns alone are not compressed: snappy shrank their hex text by only 8 % and took a
/// quarter of the lake's thread on a seven-year log (the ingest 12 % faster without it).
fn layout(store: &Schema) -> (SchemaRef, WriterProperties) {
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS));
    let mut fields = Vec::with_capacity(store.fields().len());
    for f in store.fields() {
        fields.push(match f.data_type() {
            DataType::FixedSizeBinary(16) => {
                props = props.set_column_compression(ColumnPath::from(f.name().as_str()), Compression::UNCOMPRESSED);
                Field::new(f.name(), DataType::Utf8, true)
            }
            _ => f.as_ref().clone().with_nullable(true),
        });
    }
    (Arc::new(Schema::new(fields)), props.build())
}

/// 16-byte pseudonyms as UUID text, nulls kept (an empty string under each null). The
/// text goes straight into the array's one buffer, two hex digits per byte from a table:
/// the lake's thread does this for two columns of every row.
fn uuid_text(keys: &FixedSizeBinaryArray) -> anyhow::Result<ArrayRef> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let pairs: [[u8; 2]; 256] = std::array::from_fn(|b| [HEX[b >> 4], HEX[b & 15]]);
    let mut text = Vec::with_capacity(keys.len() * 36);
    let mut offsets = Vec::with_capacity(keys.len() + 1);
    offsets.push(0i32);
    // Where each key byte's two digits go in the 36 characters.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let mut uuid = *b"00000000-0000-0000-0000-000000000000";
    for key in keys.iter() {
        if let Some(key) = key {
            for (b, at) in key.iter().zip(AT) {
                uuid[at..at + 2].copy_from_slice(&pairs[usize::from(*b)]);
            }
            text.extend_from_slice(&uuid);
        }
        offsets.push(i32::try_from(text.len()).context("鍵の列が大きすぎます")?);
    }
    let array = StringArray::try_new(OffsetBuffer::new(offsets.into()), Buffer::from_vec(text), keys.nulls().cloned())?;
    Ok(Arc::new(array))
}

/// The (year, month) of each JST timestamp; a month's bounds are computed once per run of
/// rows in it, not per row.
fn month_of_each(times: &TimestampMicrosecondArray) -> anyhow::Result<Vec<(i32, u32)>> {
    const EPOCH_DAYS_FROM_CE: i64 = 719_163;
    const MICROS_PER_DAY: i64 = 86_400_000_000;
    let micros_of = |d: NaiveDate| (i64::from(d.num_days_from_ce()) - EPOCH_DAYS_FROM_CE) * MICROS_PER_DAY;
    let mut out = Vec::with_capacity(times.len());
    let mut current: Option<((i32, u32), std::ops::Range<i64>)> = None;
    for &t in times.values() {
        match &current {
            Some((month, span)) if span.contains(&t) => out.push(*month),
            _ => {
                let day = i32::try_from(t.div_euclid(MICROS_PER_DAY) + EPOCH_DAYS_FROM_CE)
                    .ok()
                    .and_then(NaiveDate::from_num_days_from_ce_opt)
                    .context("日時が範囲外です")?;
                let first = day.with_day(1).expect("day 1");
                let next = first.checked_add_months(chrono::Months::new(1)).context("日時が範囲外です")?;
                let month = (first.year(), first.month());
                out.push(month);
                current = Some((month, micros_of(first)..micros_of(next)));
            }
        }
    }
    Ok(out)
}

/// Moves file `id`'s incoming Parquet into the lake when it is whole and of the bytes the
/// store committed as `sha256`; false when there is none to take (the sync writes the
/// file's Parquet from the store instead). The marker is renamed before the first file
/// moves, so a move cut short by a crash is not taken again with files missing.
pub(super) fn place(lake: &Path, id: i32, sha256: &str) -> anyhow::Result<bool> {
    let folder = folder(lake, id);
    if std::fs::read_to_string(folder.join(DONE)).ok().as_deref() != Some(sha256) {
        return Ok(false);
    }
    std::fs::rename(folder.join(DONE), folder.join(PLACING))?;
    let staged = folder.join("access_events");
    if staged.exists() {
        for month in std::fs::read_dir(&staged)? {
            let month = month?.path();
            let target = lake.join("access_events").join(month.file_name().context("a month folder")?);
            std::fs::create_dir_all(&target)?;
            for file in std::fs::read_dir(&month)? {
                let file = file?.path();
                std::fs::rename(&file, target.join(file.file_name().context("a Parquet file")?))?;
            }
        }
    }
    Ok(true)
}

/// Removes every incoming folder (after a sync, whatever was not taken is of no use), and
/// anything else found in their place.
pub(super) fn clear(lake: &Path) -> anyhow::Result<()> {
    let dir = lake.join(".incoming");
    let removed = match std::fs::symlink_metadata(&dir) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&dir),
        Ok(_) => std::fs::remove_file(&dir),
        Err(_) => Ok(()),
    };
    removed.with_context(|| format!("{} を消せません", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use duckdb::arrow::array::{ArrayRef, FixedSizeBinaryArray, Int32Array, StringArray};

    /// A batch of `rows` events, row `i` in month `i % months` of 2020 on.
    fn events(rows: usize, months: usize) -> RecordBatch {
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let times: Vec<i64> = (0..rows)
            .map(|i| {
                let day = start.checked_add_months(chrono::Months::new((i % months) as u32)).unwrap();
                day.and_hms_opt(9, 0, 0).unwrap().and_utc().timestamp_micros()
            })
            .collect();
        let keys: Vec<[u8; 16]> = (0..rows).map(|i| (i as u128).to_be_bytes()).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(TimestampMicrosecondArray::from(times)),
            Arc::new(StringArray::from(vec!["ID-Link"; rows])),
            Arc::new(FixedSizeBinaryArray::try_from_iter(keys.iter()).unwrap()),
            Arc::new(Int32Array::from(vec![1; rows])),
        ];
        let schema = Schema::new(vec![
            Field::new("occurred_at", columns[0].data_type().clone(), false),
            Field::new("system", columns[1].data_type().clone(), false),
            Field::new("patient_key", columns[2].data_type().clone(), true),
            Field::new("source_file_id", columns[3].data_type().clone(), false),
        ]);
        RecordBatch::try_new(Arc::new(schema), columns).unwrap()
    }

    #[test]
    fn keys_become_the_uuid_text_duckdb_casts_them_to_with_nulls_kept() {
        let bytes: [u8; 16] = std::array::from_fn(|i| (i as u8) * 17);
        let keys =
            FixedSizeBinaryArray::try_from_sparse_iter_with_size([Some(bytes), None, Some([0xff; 16])].into_iter(), 16)
                .unwrap();
        let text = uuid_text(&keys).unwrap();
        let text = text.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(text.len(), 3);
        assert_eq!(text.value(0), "00112233-4455-6677-8899-aabbccddeeff");
        assert!(text.is_null(1));
        assert_eq!(text.value(2), "ffffffff-ffff-ffff-ffff-ffffffffffff");
        // As DuckDB itself writes a UUID as text.
        let db = duckdb::Connection::open_in_memory().unwrap();
        let cast: String =
            db.query_row("SELECT '00112233-4455-6677-8899-aabbccddeeff'::UUID::VARCHAR", [], |r| r.get(0)).unwrap();
        assert_eq!(cast, text.value(0));
    }

    #[test]
    fn many_open_months_are_written_out_before_they_hold_too_much_and_lose_nothing() {
        let lake = tempfile::tempdir().unwrap();
        let mut log = IncomingLog::begin(lake.path(), 7, "abc").unwrap();
        log.held_limit = 256 << 10;
        for _ in 0..20 {
            log.write(&events(6_000, 36)).unwrap();
            // One batch's worth over the limit at most: then everything is written out.
            assert!(log.held() <= log.held_limit, "{} bytes held", log.held());
        }
        log.finish().unwrap();
        let db = duckdb::Connection::open_in_memory().unwrap();
        let glob = format!("{}/.incoming/7/access_events/*/*.parquet", lake.path().display());
        let (rows, months, groups): (i64, i64, i64) = db
            .query_row(
                &format!(
                    "SELECT count(*), count(DISTINCT month), (SELECT count(*) FROM parquet_metadata('{glob}') WHERE column_id = 0)
                     FROM read_parquet('{glob}', hive_partitioning = true)"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((rows, months), (120_000, 36));
        assert!(groups > 36, "row groups written early: {groups}");
        assert_eq!(std::fs::read_to_string(lake.path().join(".incoming/7/_done")).unwrap(), "abc");
    }

    #[test]
    fn only_the_key_columns_are_left_uncompressed_and_read_back_as_their_text() {
        let lake = tempfile::tempdir().unwrap();
        let mut log = IncomingLog::begin(lake.path(), 5, "abc").unwrap();
        log.write(&events(1_000, 1)).unwrap();
        log.finish().unwrap();
        let file = lake.path().join(".incoming/5/access_events/month=2020-01/file-000005.parquet");
        let db = duckdb::Connection::open_in_memory().unwrap();
        let mut stmt = db
            .prepare(&format!(
                "SELECT path_in_schema, any_value(compression) FROM parquet_metadata('{}') GROUP BY 1 ORDER BY 1",
                file.display()
            ))
            .unwrap();
        let codecs: Vec<(String, String)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
        let want = [
            ("occurred_at", "SNAPPY"),
            ("patient_key", "UNCOMPRESSED"),
            ("source_file_id", "SNAPPY"),
            ("system", "SNAPPY"),
        ];
        assert_eq!(codecs, want.map(|(c, z)| (c.to_string(), z.to_string())));
        // Row 999's key is the number 999 in 16 big-endian bytes.
        let last: String = db
            .query_row(
                &format!("SELECT patient_key FROM '{}' ORDER BY patient_key DESC LIMIT 1", file.display()),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(last, "00000000-0000-0000-0000-0000000003e7");
    }

    #[test]
    fn a_writer_dropped_before_it_finished_leaves_nothing() {
        let lake = tempfile::tempdir().unwrap();
        let mut log = IncomingLog::begin(lake.path(), 3, "abc").unwrap();
        log.write(&events(100, 3)).unwrap();
        assert!(folder(lake.path(), 3).join("access_events/month=2020-03").is_dir());
        drop(log);
        assert!(!folder(lake.path(), 3).exists());
        assert!(!place(lake.path(), 3, "abc").unwrap());
    }

    #[test]
    fn a_whole_log_is_placed_once_and_a_placing_cut_short_is_not_taken_again() {
        let lake = tempfile::tempdir().unwrap();
        let mut log = IncomingLog::begin(lake.path(), 4, "abc").unwrap();
        log.write(&events(90, 3)).unwrap();
        log.finish().unwrap();
        assert!(!place(lake.path(), 4, "another file's bytes").unwrap());
        assert!(place(lake.path(), 4, "abc").unwrap());
        for month in ["2020-01", "2020-02", "2020-03"] {
            assert!(lake.path().join(format!("access_events/month={month}/file-000004.parquet")).is_file(), "{month}");
        }
        // As if the process died after the marker was renamed and some files were moved.
        assert!(!place(lake.path(), 4, "abc").unwrap());
    }
}
