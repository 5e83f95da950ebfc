//! One data row of a spreadsheet-shaped source, read through its column map: typed cells
//! by field name, and quarantine rows that say where (row as Excel shows it, column letter
//! and header) and what to do.

use super::cells;
use super::grid::{Grid, GridCell, GridRow};
use super::headers::ColumnMap;
use crate::store::QuarantineRow;

/// A data row and the header that names its columns.
pub struct Record<'a> {
    /// The row.
    pub row: &'a GridRow,
    /// Its column map.
    pub map: &'a ColumnMap,
}

impl Record<'_> {
    /// The cell of a field (Empty when the file has no such column).
    pub fn cell(&self, field: &str) -> GridCell {
        self.map.index(field).map(|i| self.row.cell(i).clone()).unwrap_or(GridCell::Empty)
    }
    /// The trimmed text of a field.
    pub fn text(&self, field: &str) -> String {
        self.cell(field).text().trim().to_string()
    }
    /// The text of a field, None when blank.
    pub fn opt_text(&self, field: &str) -> Option<String> {
        Some(self.text(field)).filter(|s| !s.is_empty())
    }
    /// A quarantine row for this row's `field`.
    pub fn hold(&self, field: &str, reason: impl Into<String>, hint: &str) -> QuarantineRow {
        QuarantineRow {
            row_number: self.row.number,
            column: Some(self.map.describe(field)),
            value: self.opt_text(field),
            reason: reason.into(),
            hint: Some(hint.to_string()),
        }
    }
}

/// The data rows below the header, without subtotal rows and footnotes.
pub fn data_rows<'a>(grid: &'a Grid, header_at: usize, map: &'a ColumnMap) -> impl Iterator<Item = Record<'a>> {
    grid.rows[header_at + 1..]
        .iter()
        .filter(|r| !cells::is_summary_or_note(&r.first_text()))
        .map(move |row| Record { row, map })
}

/// A count cell: a whole number, not negative (`1,234` text allowed).
pub fn count(cell: &GridCell) -> Result<Option<i64>, String> {
    let n = match cell {
        GridCell::Empty => return Ok(None),
        GridCell::Number(n) => *n,
        GridCell::Text(t) if matches!(t.trim(), "-" | "－" | "―") => return Ok(None),
        GridCell::Text(t) => {
            let digits: String =
                unicode_normalization::UnicodeNormalization::nfkc(t.as_str()).filter(|c| *c != ',').collect();
            digits.trim().parse::<f64>().map_err(|_| format!("件数として読めません: 「{t}」"))?
        }
        other => return Err(format!("件数として読めません: 「{}」", other.text())),
    };
    if n < 0.0 || n.fract() != 0.0 {
        return Err(format!("件数は0以上の整数で書いてください: {n}"));
    }
    Ok(Some(n as i64))
}
