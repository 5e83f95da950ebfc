//! The outbox: with no SMTP host configured, each message is written as a standards-correct
//! `.eml` file, atomically (a temporary file renamed into place), so a mail client or a
//! relay can pick it up and a crash never leaves half a message. With SMTP, the outbox
//! keeps the messages that could not be delivered (failed or unknown).

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

/// The outbox file of `report_id` for `recipient`: `board-2025-07-1a2b3c4d.eml`.
pub fn file_name(report_id: &str, recipient: &str) -> String {
    let digest = hex::encode(&Sha256::digest(recipient.trim().to_lowercase().as_bytes())[..4]);
    format!("{report_id}-{digest}.eml")
}

/// Writes the message bytes into the outbox; returns the path.
pub fn write(outbox: &Path, report_id: &str, recipient: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(outbox).with_context(|| format!("送信フォルダ {} を作れません", outbox.display()))?;
    let path = outbox.join(file_name(report_id, recipient));
    super::archive::write_atomic(&path, bytes)?;
    Ok(path)
}

/// Removes the outbox copy of a message that has now been delivered, if there is one.
pub fn remove(outbox: &Path, report_id: &str, recipient: &str) -> anyhow::Result<()> {
    let path = outbox.join(file_name(report_id, recipient));
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("送信済みの {} を送信フォルダから消せません", path.display()))
        }
        _ => Ok(()),
    }
}
