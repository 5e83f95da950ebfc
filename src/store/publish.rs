//! The console's read-only copy of the store (`renkei.console.duckdb` beside
//! `renkei.duckdb`): what the browser console reads, so that console SQL never runs on the
//! live store and never holds the writer out.
//!
//! The copy is the store as `renkei sql` sees it (pseudonyms only; the key lives in its own
//! file and is never in either). Once a console has published it, every renkei process
//! that opened the store for writing refreshes it when it closes the store: checkpoint (the
//! file then holds everything), copy to a temporary name beside it, fsync, rename. A reader
//! that opened the old copy keeps reading it; the next open sees the new one.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// Where the console's copy of the store at `store` lives.
pub fn copy_path(store: &Path) -> PathBuf {
    let stem = store.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "renkei".into());
    store.with_file_name(format!("{stem}.console.duckdb"))
}

/// Copies the checkpointed store file at `store` to its console copy, unless `only_if_newer`
/// and the copy is already as new as the file (a close that wrote nothing copies nothing).
/// The caller holds the store open for writing, so nothing changes the file while it is copied.
pub(super) fn copy(conn: &duckdb::Connection, store: &Path, only_if_newer: bool) -> anyhow::Result<()> {
    conn.execute_batch("CHECKPOINT").context("データベースを書き出せません（CHECKPOINT）")?;
    let dest = copy_path(store);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if only_if_newer && modified(store).zip(modified(&dest)).is_some_and(|(s, d)| s <= d) {
        return Ok(());
    }
    let tmp = dest.with_file_name(format!(
        ".{}.tmp",
        dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    let written = (|| -> anyhow::Result<()> {
        std::fs::copy(store, &tmp).with_context(|| format!("{} を書けません", tmp.display()))?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &dest).with_context(|| format!("{} を置けません", dest.display()))?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
