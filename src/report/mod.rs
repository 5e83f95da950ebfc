//! Reports: typed metric rows in (`metrics::rows`), rendered messages out (HTML with inline
//! CSS and `lang="ja"`, a plain-text twin, attachments). Templates live in `templates/`, one
//! folder per report; numbers arrive formatted, and a value the rows lack is shown as —.
//!
//! The privacy officer's access-log review report (`audit`) renders `review`'s rows the same way.
//!
//! Never touches DuckDB or `store`; hands a [`Rendered`] report to `deliver`.

pub mod audit;
pub mod board;
pub mod chart;
pub mod format;
pub mod layout;
pub mod letter;
pub mod municipality;
pub mod pdf;
pub mod suppress;

use std::path::{Path, PathBuf};

use anyhow::Context;

/// A file attached to a report.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// ASCII file name, e.g. `board-2025-07.xlsx`.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Content-ID when shown inline in the HTML (charts).
    pub content_id: Option<String>,
}

/// A report ready to deliver or preview.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Stable id, e.g. `board-2025-07`; with the recipient it fixes the Message-ID.
    pub report_id: String,
    /// The mail subject.
    pub subject: String,
    /// The HTML body.
    pub html: String,
    /// The plain-text twin.
    pub text: String,
    /// Attachments, inline ones first.
    pub attachments: Vec<Attachment>,
}

impl Rendered {
    /// Writes the HTML, the text and every attachment into `dir` for preview; returns the
    /// paths. The preview HTML points at the chart files instead of `cid:` so that a
    /// browser shows it as the mail reader will.
    pub fn write_preview(&self, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).with_context(|| format!("フォルダ {} を作れません", dir.display()))?;
        let mut written = Vec::new();
        let mut write = |name: String, bytes: &[u8]| -> anyhow::Result<()> {
            let path = dir.join(name);
            std::fs::write(&path, bytes).with_context(|| format!("{} を書けません", path.display()))?;
            written.push(path);
            Ok(())
        };
        let mut html = self.html.clone();
        for a in &self.attachments {
            if let Some(cid) = &a.content_id {
                html = html.replace(&format!("src=\"cid:{cid}\""), &format!("src=\"{}\"", a.filename));
            }
        }
        write(format!("{}.html", self.report_id), html.as_bytes())?;
        write(format!("{}.txt", self.report_id), self.text.as_bytes())?;
        for a in &self.attachments {
            write(a.filename.clone(), &a.bytes)?;
        }
        Ok(written)
    }
}
