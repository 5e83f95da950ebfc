//! Which kind of input a file is: from `--source`, else from its extension and headers.

use std::fmt;
use std::path::Path;

/// The kinds of input renkei reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceKind {
    /// Access logs (アクセスログ): CSV/TSV, one row per operation.
    #[value(name = "access_log")]
    AccessLog,
    /// Membership roster and fees (参加施設名簿).
    Roster,
    /// Running-cost lines (運営費・委託費).
    Invoices,
}

impl SourceKind {
    /// The name stored in `ingested_files.source`.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::AccessLog => "access_log",
            SourceKind::Roster => "roster",
            SourceKind::Invoices => "invoices",
        }
    }
    /// The Japanese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::AccessLog => "アクセスログ",
            SourceKind::Roster => "名簿",
            SourceKind::Invoices => "運営費",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a file's bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A workbook read by calamine (extension given).
    Workbook(&'static str),
    /// Delimited text.
    Text,
}

/// The container a path's extension says, or None for files a folder walk should skip.
pub fn container(path: &Path) -> Option<Container> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "xlsx" => Container::Workbook("xlsx"),
        "xlsm" => Container::Workbook("xlsm"),
        "xls" => Container::Workbook("xls"),
        "ods" => Container::Workbook("ods"),
        "csv" | "tsv" | "txt" => Container::Text,
        _ => return None,
    })
}

/// True for files a folder walk never reads: hidden files and Excel's `~$` lock files.
pub fn is_ignored(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.starts_with('.') || n.starts_with("~$"))
}

/// The field delimiter of a text table: tab when the header line has more tabs than commas.
pub fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.matches('\t').count() > first.matches(',').count() {
        b'\t'
    } else {
        b','
    }
}
