//! The archive: every delivered message as it left, beside `inputs.json`, the list of the
//! input files (path, SHA-256, kind, rows) the store held when the report was computed,
//! so a figure in any report can later be traced to the files it came from.
//!
//! Layout: `archive/<report id>/<JST time of the delivery>/` with one `.eml` per
//! recipient; a forced resend gets a folder of its own.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::store::Store;

/// One input file of the store.
#[derive(Debug, Serialize)]
struct Input {
    path: String,
    sha256: String,
    source: String,
    rows_loaded: i64,
    rows_quarantined: i64,
    ingested_at: String,
}

/// What `inputs.json` holds.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    report_id: &'a str,
    subject: &'a str,
    archived_at: String,
    renkei_version: &'a str,
    inputs: Vec<Input>,
}

/// The archive folder of one delivery of one report, created on the first message kept.
pub struct Archive<'a> {
    root: PathBuf,
    store: &'a Store,
    report_id: &'a str,
    subject: &'a str,
    dir: Option<PathBuf>,
}

impl<'a> Archive<'a> {
    /// The archive of `report_id` under `root`, its inputs read from `store`.
    pub fn new(root: &Path, store: &'a Store, report_id: &'a str, subject: &'a str) -> Archive<'a> {
        Archive { root: root.to_path_buf(), store, report_id, subject, dir: None }
    }

    /// Keeps the message delivered to `recipient`; returns its path.
    pub fn keep(&mut self, recipient: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
        let dir = match &self.dir {
            Some(d) => d.clone(),
            None => {
                let d = self.create()?;
                self.dir = Some(d.clone());
                d
            }
        };
        let path = dir.join(super::outbox::file_name(self.report_id, recipient));
        write_atomic(&path, bytes)?;
        Ok(path)
    }

    fn create(&self) -> anyhow::Result<PathBuf> {
        let now = crate::clock::now_jst();
        let dir = self.root.join(self.report_id).join(now.format("%Y%m%d-%H%M%S%3f").to_string());
        std::fs::create_dir_all(&dir).with_context(|| format!("保管フォルダ {} を作れません", dir.display()))?;
        let t = self.store.query(
            "SELECT path, sha256, source, rows_loaded, rows_quarantined, strftime(ingested_at, '%Y-%m-%dT%H:%M:%S')
             FROM ingested_files ORDER BY source_file_id",
            &[],
        )?;
        let inputs = t
            .rows
            .iter()
            .map(|r| Input {
                path: r[0].to_string(),
                sha256: r[1].to_string(),
                source: r[2].to_string(),
                rows_loaded: r[3].as_i64().unwrap_or(0),
                rows_quarantined: r[4].as_i64().unwrap_or(0),
                ingested_at: r[5].to_string(),
            })
            .collect();
        let manifest = Manifest {
            report_id: self.report_id,
            subject: self.subject,
            archived_at: now.format("%Y-%m-%dT%H:%M:%S").to_string(),
            renkei_version: env!("CARGO_PKG_VERSION"),
            inputs,
        };
        write_atomic(&dir.join("inputs.json"), &serde_json::to_vec_pretty(&manifest)?)?;
        Ok(dir)
    }
}

/// Writes through a temporary file renamed into place, so no reader sees half a file; a
/// write that fails (a full disk) removes its temporary file.
pub(super) fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let written = std::fs::write(&tmp, bytes)
        .with_context(|| format!("{} を書けません", tmp.display()))
        .and_then(|()| std::fs::rename(&tmp, path).with_context(|| format!("{} を置けません", path.display())));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
