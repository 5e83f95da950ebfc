//! The access-log path, overlapped: a parser thread reads the decoded stream, checks and
//! pseudonymizes rows into column batches, while this thread appends each batch to DuckDB
//! inside the file's one transaction. A bounded queue keeps memory flat whatever the file's
//! size; an error on either side stops both and rolls the file back.

use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::access_log::{self, EventSink};
use super::jsonl;
use super::matcher::FacilityMatcher;
use super::pseudonymize::Pseudonymizer;
use super::{Outcome, SourceKind};
use crate::store::{EventBatch, FileLoad, FileMeta, QuarantineRow, Store};

/// Batches parsed ahead of the store (each up to [`access_log::BATCH_ROWS`] rows, a few
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
/// anything fails. The parser starts at once; `begin` (which waits for the file's hash)
/// decides before anything is written whether the file is loaded at all.
pub fn load_log(
    store: &mut Store,
    ids: &mut Pseudonymizer,
    matcher: &FacilityMatcher,
    file: &str,
    text: Box<dyn Read + Send>,
    format: LogFormat,
    begin: impl FnOnce(&Store) -> anyhow::Result<Begin>,
) -> anyhow::Result<Outcome> {
    let (tx, rx) = sync_channel(QUEUE);
    std::thread::scope(|scope| {
        let parser = scope.spawn(move || {
            let mut sink = Channel(tx);
            match format {
                LogFormat::Delimited(d) => access_log::parse_csv(file, text, d, matcher, ids, &mut sink),
                LogFormat::Json(shape) => jsonl::parse(file, text, shape, matcher, ids, &mut sink),
            }
        });
        let stored = store_all(store, begin, rx);
        let parsed = parser.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The store's error first: when appending fails the parser only sees the queue close.
        let (mut load, replace_same_period) = match stored? {
            Ok(started) => started,
            Err(skipped) => return Ok(skipped),
        };
        let counts = parsed?;
        super::settle_same_period(&mut load, file, replace_same_period)?;
        load.commit(counts.loaded)?;
        Ok(Outcome::Loaded {
            source: SourceKind::AccessLog,
            rows: counts.loaded,
            quarantined: counts.quarantined,
            skipped: 0,
            warnings: Vec::new(),
        })
    })
}

/// Opens the file's transaction once `begin` allows it and appends every batch the parser
/// sends until it is done. Returning early drops the queue, which stops the parser.
fn store_all<'s>(
    store: &'s mut Store,
    begin: impl FnOnce(&Store) -> anyhow::Result<Begin>,
    batches: Receiver<Batch>,
) -> anyhow::Result<Result<(FileLoad<'s>, bool), Outcome>> {
    let (meta, replaces, replace_same_period) = match begin(store)? {
        Begin::Skip(outcome) => return Ok(Err(outcome)),
        Begin::Load { meta, replaces, replace_same_period } => (meta, replaces, replace_same_period),
    };
    let mut load = store.begin_file(meta)?;
    if let Some(id) = replaces {
        load.remove_file(id)?;
    }
    load.single_threaded(true)?;
    let appended = append_all(&mut load, batches);
    // Back to the whole pool even when appending failed: the connection loads the next file.
    load.single_threaded(false)?;
    appended?;
    Ok(Ok((load, replace_same_period)))
}

/// Appends every batch the parser sends until it is done.
fn append_all(load: &mut FileLoad<'_>, batches: Receiver<Batch>) -> anyhow::Result<()> {
    for batch in batches {
        match batch {
            Batch::Events(rows) => load.append_events(*rows)?,
            Batch::Held(rows) => load.quarantine(&rows)?,
        }
    }
    Ok(())
}
