//! The daemon's single-instance lock: an OS file lock (released by the kernel however the
//! process ends) on a file that says who holds it. A second daemon is refused naming the
//! first; a file left by a daemon that was killed is recognised as stale and taken over.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::error::Problem;

/// Held while the daemon runs; emptied and released when dropped.
pub struct InstanceLock {
    file: File,
    path: PathBuf,
}

impl InstanceLock {
    /// Takes the lock at `path`, or says which daemon holds it.
    pub fn acquire(path: &Path) -> anyhow::Result<InstanceLock> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("フォルダ {} を作れません", dir.display()))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("ロックファイル {} を開けません", path.display()))?;
        let mut holder = String::new();
        file.read_to_string(&mut holder).ok();
        let holder = holder.trim().to_string();
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Problem::new("renkei daemon はすでに動いています")
                    .at(crate::error::Location::file(path.display().to_string()))
                    .value(holder)
                    .hint("二つ目は起動できません。止めるときは systemctl stop renkei（または kill -TERM <pid>）")
                    .into());
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("ロックファイル {} をロックできません", path.display()));
            }
        }
        if !holder.is_empty() {
            tracing::warn!(
                lock = %path.display(),
                previous = %holder,
                "a previous renkei daemon ended without releasing its lock file (killed or power loss); taking it over"
            );
            eprintln!(
                "前回の renkei daemon（{holder}）は後片付けをせずに終わっていました（強制終了・停電など）。ロックを引き継ぎます: {}",
                path.display()
            );
        }
        let me = format!("pid {}、{} 開始", std::process::id(), crate::clock::now_jst().format("%Y-%m-%d %H:%M:%S"));
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(me.as_bytes())?;
        file.sync_all()?;
        Ok(InstanceLock { file, path: path.to_path_buf() })
    }

    /// Who holds the lock at `path` now, if anyone (for `renkei status`).
    pub fn holder(path: &Path) -> Option<String> {
        let file = File::open(path).ok()?;
        match file.try_lock() {
            Ok(()) => None,
            Err(_) => std::fs::read_to_string(path).ok().map(|s| s.trim().to_string()),
        }
    }
}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        // An empty file tells the next start that this one stopped cleanly.
        if self.file.set_len(0).is_err() {
            tracing::warn!(lock = %self.path.display(), "could not empty the lock file");
        }
    }
}
