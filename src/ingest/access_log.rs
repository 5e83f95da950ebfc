//! Access logs as CSV/TSV: records read into one reused buffer and handed to the
//! [`Validator`](super::validate::Validator), which JSON Lines (`jsonl.rs`) shares. The hot path:
//! no allocation per row.

use std::io::Read;

use super::decode::read_error;
use super::validate::{Columns, EventSink, Fields, ParseCounts, Parties, Validator};
use crate::error::{Location, Problem};

/// A CSV record whose bytes were checked as UTF-8 once, whole (SIMD), its fields then
/// sliced out of that text.
struct CsvRow<'r> {
    text: &'r str,
    record: &'r csv::ByteRecord,
}

impl Fields for CsvRow<'_> {
    fn count(&self) -> usize {
        self.record.len()
    }
    fn field(&self, i: usize) -> &str {
        self.record.range(i).and_then(|r| self.text.get(r)).unwrap_or("")
    }
}

/// Parses a CSV/TSV access log from a UTF-8 stream. Returns a [`Problem`] (file refused)
/// when the header is not an access log's, the text turns binary or most rows are unreadable.
pub fn parse_csv(
    file: &str,
    text: impl Read,
    delimiter: u8,
    cx: Parties<'_>,
    sink: &mut dyn EventSink,
) -> anyhow::Result<ParseCounts> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 20)
        .from_reader(text);
    let unreadable = |row_number: u64, e: csv::Error| -> anyhow::Error {
        let because = match e.kind() {
            csv::ErrorKind::Io(io) => read_error(io),
            _ => e.to_string(),
        };
        Problem::refused(format!("{file} を最後まで読めません"))
            .at(Location::file(file).row(row_number))
            .because(because)
            .hint("ファイルが途中で壊れていないか確かめ、出力し直してください")
            .into()
    };
    let mut record = csv::ByteRecord::new();
    let header: Vec<String> = match reader.read_byte_record(&mut record) {
        Ok(true) => record.iter().map(|s| String::from_utf8_lossy(s).trim().to_string()).collect(),
        Ok(false) => {
            return Err(Problem::new(format!("{file} に見出し行がありません"))
                .hint("1行目に見出しのある CSV を置いてください")
                .into());
        }
        Err(e) => return Err(unreadable(1, e)),
    };
    let mut rows = Validator::new(file, header, Columns::Letters, cx, sink)?;
    let mut row_number = 1;
    loop {
        row_number += 1;
        match reader.read_byte_record(&mut record) {
            Ok(true) => match simdutf8::basic::from_utf8(record.as_slice()) {
                // Every field must be text on its own too, not just joined with its neighbours.
                Ok(text)
                    if record
                        .iter()
                        .scan(0, |at, f| {
                            *at += f.len();
                            Some(*at)
                        })
                        .all(|end| text.is_char_boundary(end)) =>
                {
                    rows.push(row_number, &CsvRow { text, record: &record })?
                }
                // Bytes that are not UTF-8 in a UTF-8 file: that row only.
                _ => {
                    let column = record.iter().position(|f| std::str::from_utf8(f).is_err());
                    rows.hold_garbled(row_number, column)?;
                }
            },
            Ok(false) => break,
            Err(e) => return Err(unreadable(row_number, e)),
        }
    }
    rows.finish()
}
