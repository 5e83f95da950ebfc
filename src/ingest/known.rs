//! Whether a file's bytes were ingested before (by their SHA-256), asked once per file: new
//! bytes load, known ones are "already ingested", and under `--replace` known ones reload
//! in place of their earlier file. The daemon's scheduled ingest asks it with the store
//! open read-only, so an unchanged inbox never locks the store for writing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::{FileReport, IngestOptions, Outcome};
use crate::store::Store;

/// Whether the same bytes were loaded before.
pub(super) enum Seen {
    /// Never.
    New,
    /// Yes, and they are left as they are.
    Again(Outcome),
    /// Yes, as this file, which `--replace` replaces.
    Replacing(i32),
}

impl Seen {
    /// The earlier file a load replaces (`Ok(None)` for new bytes), or the outcome when
    /// the bytes are left as they are.
    pub(super) fn previous(self) -> Result<Option<i32>, Outcome> {
        match self {
            Seen::New => Ok(None),
            Seen::Replacing(id) => Ok(Some(id)),
            Seen::Again(outcome) => Err(outcome),
        }
    }
}

pub(super) fn seen_before(store: &Store, sha256: &str, opts: &IngestOptions) -> anyhow::Result<Seen> {
    let previous = store.query(
        "SELECT source_file_id, strftime(ingested_at, '%Y-%m-%d %H:%M') FROM ingested_files WHERE sha256 = ?",
        &[duckdb::types::Value::Text(sha256.to_string())],
    )?;
    Ok(match previous.rows.first() {
        None => Seen::New,
        Some(row) if !opts.replace => Seen::Again(Outcome::AlreadyIngested { at: row[1].to_string() }),
        Some(row) => Seen::Replacing(row[0].as_i64().expect("an integer id") as i32),
    })
}

/// Splits `files` into reports for those whose bytes `store` already holds and the rest,
/// so a scheduled ingest of an unchanged inbox reads the store without locking it for writing.
pub fn split_known(store: &Store, files: &[PathBuf]) -> anyhow::Result<(Vec<FileReport>, Vec<PathBuf>)> {
    let (mut known, mut new) = (Vec::new(), Vec::new());
    for path in files {
        let started = Instant::now();
        // An unreadable file is left to the real ingest, which says what is wrong with it.
        let seen = match hash_file(path) {
            Ok(sha) => seen_before(store, &sha, &IngestOptions::default())?,
            Err(_) => Seen::New,
        };
        match seen {
            Seen::Again(outcome) => {
                known.push(FileReport { path: path.clone(), outcome, seconds: started.elapsed().as_secs_f64() })
            }
            _ => new.push(path.clone()),
        }
    }
    Ok((known, new))
}

/// SHA-256 of a file, read in pieces.
pub(super) fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match std::io::Read::read(&mut file, &mut buf)? {
            0 => return Ok(hex::encode(hasher.finalize())),
            n => hasher.update(&buf[..n]),
        }
    }
}
