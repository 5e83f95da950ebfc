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
    /// Image-view counts per month and hospital, long or wide (画像閲覧回数).
    #[value(name = "image_views")]
    ImageViews,
    /// Municipalities with code and population (関係市町).
    Municipalities,
    /// Budget and settlement lines (予算・決算).
    Budget,
    /// Renewal quotes per facility and server grade (見積).
    Quotes,
    /// Registered patients per month (登録患者数).
    Enrollments,
}

impl SourceKind {
    /// The name stored in `ingested_files.source`.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::AccessLog => "access_log",
            SourceKind::Roster => "roster",
            SourceKind::Invoices => "invoices",
            SourceKind::ImageViews => "image_views",
            SourceKind::Municipalities => "municipalities",
            SourceKind::Budget => "budget",
            SourceKind::Quotes => "quotes",
            SourceKind::Enrollments => "enrollments",
        }
    }
    /// Every kind read from spreadsheet-shaped files, in detection order.
    pub const TABULAR: &'static [SourceKind] = &[
        SourceKind::Roster,
        SourceKind::ImageViews,
        SourceKind::Municipalities,
        SourceKind::Budget,
        SourceKind::Quotes,
        SourceKind::Enrollments,
        SourceKind::Invoices,
    ];
    /// The Japanese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::AccessLog => "アクセスログ",
            SourceKind::Roster => "名簿",
            SourceKind::Invoices => "運営費",
            SourceKind::ImageViews => "画像閲覧回数",
            SourceKind::Municipalities => "市町",
            SourceKind::Budget => "予算・決算",
            SourceKind::Quotes => "更新見積",
            SourceKind::Enrollments => "登録患者数",
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
        "csv" | "tsv" | "txt" | "jsonl" | "ndjson" | "json" => Container::Text,
        // `log.csv.gz`: the bytes are ungzipped first, then read as text.
        "gz" => Container::Text,
        _ => return None,
    })
}

/// True for files a folder walk never reads: hidden files and Excel's `~$` lock files.
pub fn is_ignored(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_none_or(|n| n.starts_with('.') || n.starts_with("~$"))
}

/// The field delimiter of a text table: tab when the header line has more tabs than commas.
pub fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.matches('\t').count() > first.matches(',').count() { b'\t' } else { b',' }
}
