//! The building blocks every report shows: sections with a heading, sentences, a chart and
//! a table of formatted cells. The HTML, text and PDF templates all draw these, so a
//! number reads the same in each.

use serde::Serialize;

use super::Attachment;

/// A row of a table: the label (left) and formatted cells (right-aligned).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The label (system, kind, hospital...).
    pub label: String,
    /// The formatted cells.
    pub cells: Vec<String>,
    /// Drawn in the warning colour.
    pub flagged: bool,
}

/// A chart shown in a section.
#[derive(Debug, Clone, Serialize)]
pub struct ChartRef {
    /// Content-ID of the inline PNG.
    pub cid: String,
    /// Alternative text.
    pub alt: String,
}

/// One section of the report: a heading, optional lines and chart, a table and a note.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// The heading.
    pub title: String,
    /// Sentences above the table.
    pub lines: Vec<String>,
    /// A chart above the table.
    pub chart: Option<ChartRef>,
    /// Column headings (the first is the label column's).
    pub headers: Vec<String>,
    /// The rows (may be empty).
    pub rows: Vec<Row>,
    /// What to say when there are no rows.
    pub empty: String,
    /// Definitions and sources, under the table.
    pub note: String,
    /// How many columns from the left hold text (left-aligned, wrapping); the rest are
    /// numbers, right-aligned. 1 (the label) unless a section says otherwise.
    pub text_columns: usize,
    /// The HTML id of the heading, for links from the top of the report (empty: none).
    pub anchor: String,
}

/// A section with a table and the default empty text.
pub fn section(title: &str, headers: &[&str], rows: Vec<Row>) -> Section {
    Section {
        title: title.to_string(),
        lines: Vec::new(),
        chart: None,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
        empty: "データがありません。".to_string(),
        note: String::new(),
        text_columns: 1,
        anchor: String::new(),
    }
}

/// A plain (not flagged) row.
pub fn row(label: impl Into<String>, cells: Vec<String>) -> Row {
    Row { label: label.into(), cells, flagged: false }
}

/// Charts drawn for the report, in the order they appear.
pub struct Charts(pub Vec<(ChartRef, Vec<u8>)>);

impl Charts {
    /// Adds a chart shown by Content-ID `cid`; returns what the section refers to.
    pub fn add(&mut self, cid: &str, alt: String, png: Vec<u8>) -> ChartRef {
        let r = ChartRef { cid: cid.to_string(), alt };
        self.0.push((r.clone(), png));
        r
    }

    /// The charts as inline attachments (`cid.png`, Content-ID `cid`).
    pub fn into_attachments(self) -> Vec<Attachment> {
        self.0
            .into_iter()
            .map(|(c, png)| Attachment {
                filename: format!("{}.png", c.cid),
                content_type: "image/png".into(),
                bytes: png,
                content_id: Some(c.cid),
            })
            .collect()
    }
}

/// A source's monthly row counts as one row per 年度 (April to March): the count, `—` for a
/// month with none inside the covered span, blank outside it. The status screen and the
/// console's coverage grid both draw it.
pub fn coverage_rows(months: &std::collections::BTreeMap<crate::domain::Month, i64>) -> Vec<Row> {
    let (Some(first), Some(last)) = (months.keys().next(), months.keys().last()) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut fy = first.fiscal_year();
    while fy <= last.fiscal_year() {
        let cells = fy
            .first_month()
            .through(fy.last_month())
            .map(|m| match months.get(&m) {
                Some(n) => super::format::count(*n),
                None if m < *first || m > *last => String::new(),
                None => "—".to_string(),
            })
            .collect();
        rows.push(row(fy.label_ja(), cells));
        fy = crate::domain::FiscalYear::new(fy.year() + 1);
    }
    rows
}

/// The headings of [`coverage_rows`]: 年度, then 4月 … 3月.
pub const COVERAGE_MONTHS: [&str; 12] =
    ["4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月", "1月", "2月", "3月"];
