//! The access-log path, overlapped: a parser thread reads the decoded stream, checks and
//! pseudonymizes rows into column batches, while this thread appends each batch to DuckDB
//! inside the file's one transaction. A bounded queue keeps memory flat whatever the file's
//! size; an error on either side stops both and rolls the file back.

use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::access_log::{self, EventSink, ParseCounts};
use super::jsonl;
use super::matcher::FacilityMatcher;
use super::pseudonymize::Pseudonymizer;
use crate::store::{EventBatch, FileLoad, FileMeta, QuarantineRow, Store};

/// Batches parsed ahead of the store (each up to [`access_log::BATCH_ROWS`] rows).
const QUEUE: usize = 2;

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
    Events(EventBatch),
    Held(Vec<QuarantineRow>),
}

struct Channel(SyncSender<Batch>);

impl EventSink for Channel {
    fn events(&mut self, rows: EventBatch) -> anyhow::Result<()> {
        self.0.send(Batch::Events(rows)).map_err(|_| anyhow::anyhow!("the store stopped taking rows"))
    }
    fn quarantine(&mut self, rows: Vec<QuarantineRow>) -> anyhow::Result<()> {
        self.0.send(Batch::Held(rows)).map_err(|_| anyhow::anyhow!("the store stopped taking rows"))
    }
}

/// Loads one access log in one transaction (replacing file `previous_id` when given) and
/// commits it; nothing of it stays when anything fails.
pub fn load_log(
    store: &mut Store,
    ids: &mut Pseudonymizer,
    matcher: &FacilityMatcher,
    meta: FileMeta,
    previous_id: Option<i32>,
    text: Box<dyn Read + Send>,
    format: LogFormat,
) -> anyhow::Result<ParseCounts> {
    let file = meta.path.clone();
    let mut load = store.begin_file(meta)?;
    if let Some(id) = previous_id {
        load.remove_file(id)?;
    }
    let (tx, rx) = sync_channel(QUEUE);
    let (parsed, appended) = std::thread::scope(|scope| {
        let file = file.as_str();
        let parser = scope.spawn(move || {
            let mut sink = Channel(tx);
            match format {
                LogFormat::Delimited(d) => access_log::parse_csv(file, text, d, matcher, ids, &mut sink),
                LogFormat::Json(shape) => jsonl::parse(file, text, shape, matcher, ids, &mut sink),
            }
        });
        let appended = append_all(&mut load, rx);
        let parsed = parser.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (parsed, appended)
    });
    // The store's error first: when appending fails the parser only sees the queue close.
    appended?;
    let counts = parsed?;
    let t = std::time::Instant::now();
    load.commit(counts.loaded)?;
    eprintln!("TIMING commit {:?}", t.elapsed());
    Ok(counts)
}

/// Appends every batch the parser sends until it is done (or stops on the first error,
/// dropping the queue so the parser stops too).
fn append_all(load: &mut FileLoad<'_>, batches: Receiver<Batch>) -> anyhow::Result<()> {
    let mut busy = std::time::Duration::ZERO;
    let started = std::time::Instant::now();
    for batch in batches {
        let t = std::time::Instant::now();
        match batch {
            Batch::Events(rows) => if std::env::var_os("NOAPPEND").is_none() { load.append_events(rows)? },
            Batch::Held(rows) => load.quarantine(&rows)?,
        }
        busy += t.elapsed();
    }
    eprintln!("TIMING append busy {busy:?} of {:?}", started.elapsed());
    Ok(())
}
