//! The access-log path, overlapped: a parser thread reads the decoded stream and checks
//! rows into column batches, a second turns each batch's raw IDs into pseudonyms (a
//! network's hundreds of thousands of patients make that lookup slow enough to want a core
//! of its own), while this thread appends each batch to DuckDB inside the file's one
//! transaction and hands it on to a fourth that writes the lake's Parquet of it. The lake's
//! thread closes its month files while the store commits. Bounded queues keep memory flat
//! whatever the file's size; an error in the parser or the store stops everything and rolls
//! the file back (an error in the lake only leaves the lake to be written from the store
//! after the commit). `renkei -vv` (debug level) logs when each step ended.

use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::Instant;

use duckdb::arrow::record_batch::RecordBatch;

use super::access_log;
use super::jsonl;
use super::pseudonymize::{IdKind, Pseudonymizer};
use super::validate::{EventSink, Parties};
use super::{Outcome, SourceKind};
use crate::store::lake::incoming::IncomingLog;
use crate::store::{EventBatch, FileLoad, FileMeta, IdColumn, QuarantineRow, Store};

/// Batches parsed ahead of the store (each up to [`super::validate::BATCH_ROWS`] rows, a few
/// MB): enough for the parser to keep going while the file's hash is still being read.
const QUEUE: usize = 4;

/// What to do once the file's hash is known.
pub enum Begin {
    /// Load it, replacing an earlier file's rows when `replaces` says so.
    Load {
        /// The file's row in `ingested_files`.
        meta: FileMeta,
        /// The earlier file with the same bytes (`--replace`).
        replaces: Option<i32>,
        /// Whether earlier files of the same period go too (`--replace`).
        replace_same_period: bool,
    },
    /// Do not load it (the same bytes are in the store).
    Skip(Outcome),
}

/// How the log's rows are written.
#[derive(Debug, Clone, Copy)]
pub enum LogFormat {
    /// CSV or TSV with this delimiter.
    Delimited(u8),
    /// JSON Lines of this shape.
    Json(jsonl::Shape),
}

/// The log to load: its name (for messages), its decoded text and how its rows are written.
pub struct Log<'a> {
    /// The file's name as messages give it.
    pub file: &'a str,
    /// The decoded text (UTF-8).
    pub text: Box<dyn Read + Send>,
    /// CSV/TSV or JSON Lines.
    pub format: LogFormat,
}

/// What the parser thread sends.
enum Batch {
    Events(Box<EventBatch>),
    Held(Vec<QuarantineRow>),
}

struct Channel(SyncSender<Batch>);

impl EventSink for Channel {
    fn events(&mut self, rows: EventBatch) -> anyhow::Result<()> {
        self.0.send(Batch::Events(Box::new(rows))).map_err(|_| anyhow::anyhow!("the store stopped taking rows"))
    }
    fn quarantine(&mut self, rows: Vec<QuarantineRow>) -> anyhow::Result<()> {
        self.0.send(Batch::Held(rows)).map_err(|_| anyhow::anyhow!("the store stopped taking rows"))
    }
}

/// Loads one access log in one transaction and commits it; nothing of it stays when
/// anything fails; its IDs are pseudonymized with `ids`. The parser starts at once; `begin`
/// (which waits for the file's hash) decides before anything is written whether the file
/// is loaded at all. With `lake`, the file's Parquet is written there while it loads, for
/// the lake's sync to move into place.
pub fn load_log(
    store: &mut Store,
    log: Log<'_>,
    parties: Parties<'_>,
    ids: &mut Pseudonymizer,
    lake: Option<&Path>,
    begin: impl FnOnce(&Store) -> anyhow::Result<Begin>,
) -> anyhow::Result<Outcome> {
    let Log { file, text, format } = log;
    let (tx, parsed) = sync_channel(QUEUE);
    let (to_store, rx) = sync_channel(QUEUE);
    let started = Instant::now();
    let step = |what: &str| tracing::debug!(file, seconds = started.elapsed().as_secs_f64(), "{what}");
    std::thread::scope(|scope| {
        let parser = scope.spawn(move || {
            let mut sink = Channel(tx);
            match format {
                LogFormat::Delimited(d) => access_log::parse_csv(file, text, d, parties, &mut sink),
                LogFormat::Json(shape) => jsonl::parse(file, text, shape, parties, &mut sink),
            }
        });
        scope.spawn(move || key_all(ids, parsed, to_store));
        let stored = store_all(scope, store, begin, rx, lake);
        let parsed = parser.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The store's error first: when appending fails the parser only sees the queue close.
        let Started { mut load, replace_same_period, lake } = match stored? {
            Ok(started) => started,
            Err(skipped) => return Ok(skipped),
        };
        step("stored");
        let counts = parsed?;
        super::settle_same_period(&mut load, file, replace_same_period)?;
        // Dropped without this (an error above), the lake's thread removes what it wrote.
        let lake = lake.map(Lake::whole);
        load.commit(counts.loaded)?;
        step("committed");
        if let Some(Err(e)) = lake.map(|writer| writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        {
            lake_from_store_instead(&e);
        }
        step("lake written");
        Ok(Outcome::Loaded {
            source: SourceKind::AccessLog,
            rows: counts.loaded,
            quarantined: counts.quarantined,
            skipped: 0,
            warnings: Vec::new(),
            held: counts.reasons,
        })
    })
}

/// The pseudonymizer's thread: each batch of events gets its keys (its raw IDs dropped)
/// and goes on to the store, quarantined rows as they are. Ends when either side stops.
fn key_all(ids: &mut Pseudonymizer, parsed: Receiver<Batch>, to_store: SyncSender<Batch>) {
    for mut batch in parsed {
        if let Batch::Events(events) = &mut batch {
            events.key_ids(|column, raw, each| {
                let kind = match column {
                    IdColumn::User => IdKind::User,
                    IdColumn::Patient => IdKind::Patient,
                };
                ids.pseudonyms(kind, raw.iter().map(|r| r.unwrap_or_default()), |p| each(p.map(|p| p.0)));
            });
        }
        if to_store.send(batch).is_err() {
            return;
        }
    }
}

/// A file whose rows are in the store, not yet committed.
struct Started<'s, 'scope> {
    load: FileLoad<'s>,
    replace_same_period: bool,
    /// The lake's writer, when its Parquet could be written so far.
    lake: Option<Lake<'scope>>,
}

/// What goes to the lake's thread.
enum ToLake {
    /// Rows as the store inserted them.
    Rows(RecordBatch),
    /// Every row was sent and the load goes on to its commit: the files can be closed.
    Whole,
}

/// The lake's thread and the way to it.
struct Lake<'scope> {
    to: SyncSender<ToLake>,
    writer: ScopedJoinHandle<'scope, anyhow::Result<()>>,
}

impl<'scope> Lake<'scope> {
    /// Tells the writer that the load is whole; it closes its files while the caller
    /// commits, and its handle says how that went.
    fn whole(self) -> ScopedJoinHandle<'scope, anyhow::Result<()>> {
        // Gone already when writing failed: the handle says why.
        let _ = self.to.send(ToLake::Whole);
        self.writer
    }
}

/// Opens the file's transaction once `begin` allows it and appends every batch the parser
/// sends until it is done, handing each to the lake's writer (started on `scope`) when
/// there is a `lake`. Returning early drops the queue, which stops the parser.
fn store_all<'s, 'scope, 'env>(
    scope: &'scope Scope<'scope, 'env>,
    store: &'s mut Store,
    begin: impl FnOnce(&Store) -> anyhow::Result<Begin>,
    batches: Receiver<Batch>,
    lake: Option<&Path>,
) -> anyhow::Result<Result<Started<'s, 'scope>, Outcome>> {
    let (meta, replaces, replace_same_period) = match begin(store)? {
        Begin::Skip(outcome) => return Ok(Err(outcome)),
        Begin::Load { meta, replaces, replace_same_period } => (meta, replaces, replace_same_period),
    };
    let sha256 = meta.sha256.clone();
    let mut load = store.begin_file(meta)?;
    if let Some(id) = replaces {
        load.remove_file(id)?;
    }
    let lake = lake
        .and_then(|dir| IncomingLog::begin(dir, load.id(), &sha256).map_err(|e| lake_from_store_instead(&e)).ok())
        .map(|parquet| {
            let (to, rx) = sync_channel(QUEUE);
            Lake { to, writer: scope.spawn(move || write_parquet(parquet, rx)) }
        });
    load.single_threaded(true)?;
    let appended = append_all(&mut load, batches, lake.as_ref().map(|l| l.to.clone()));
    // Back to the whole pool even when appending failed: the connection loads the next file.
    load.single_threaded(false)?;
    appended?;
    Ok(Ok(Started { load, replace_same_period, lake }))
}

/// Appends every batch the parser sends until it is done, and hands each on to `lake`
/// (while the lake's writer takes them).
fn append_all(
    load: &mut FileLoad<'_>,
    batches: Receiver<Batch>,
    mut lake: Option<SyncSender<ToLake>>,
) -> anyhow::Result<()> {
    for batch in batches {
        match batch {
            Batch::Events(rows) => {
                let inserted = load.append_events(*rows)?;
                if let Some(tx) = &lake
                    && tx.send(ToLake::Rows(inserted)).is_err()
                {
                    lake = None;
                }
            }
            Batch::Held(rows) => load.quarantine(&rows)?,
        }
    }
    Ok(())
}

/// The lake's thread: writes each batch it is handed and, once told the load is whole,
/// closes the files. A load that ends without saying so drops the writer, whose files go
/// with it; so do they when writing failed, which the error says.
fn write_parquet(mut parquet: IncomingLog, batches: Receiver<ToLake>) -> anyhow::Result<()> {
    for message in batches {
        match message {
            ToLake::Rows(batch) => parquet.write(&batch)?,
            ToLake::Whole => return parquet.finish(),
        }
    }
    Ok(())
}

/// Says that the log's Parquet could not be written while it loaded; the lake's sync writes
/// it from the store after the commit.
fn lake_from_store_instead(error: &anyhow::Error) {
    tracing::warn!(%error, "the lake's Parquet is written from the store after the commit instead");
}
