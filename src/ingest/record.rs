//! One data row of a spreadsheet-shaped source, read through its column map: typed cells
//! by field name, and quarantine rows that say where (row as Excel shows it, column letter
//! and header) and what to do.

use super::cells;
use super::grid::{Grid, GridCell, GridRow};
use super::headers::{ColumnMap, KindAliases, wanted_headers};
use crate::domain::{FiscalYear, Yen};
use crate::error::Problem;
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

impl Record<'_> {
    /// The row's 年度: its `fiscal_year` cell, else `default` (from the title or file name).
    pub fn fiscal_year(&self, default: Option<FiscalYear>) -> Result<FiscalYear, QuarantineRow> {
        match self.opt_text("fiscal_year") {
            Some(t) => FiscalYear::parse(&t)
                .map_err(|e| self.hold("fiscal_year", e, "年度を 2025 / R7 / 令和7年度 のように書いてください")),
            None => default.ok_or_else(|| {
                self.hold("fiscal_year", "年度がありません", "年度の列を加えるか、表題に年度を書いてください")
            }),
        }
    }
    /// The row's money in `field` (with the column's unit); Ok(None) when blank.
    pub fn money(&self, field: &str) -> Result<Option<Yen>, QuarantineRow> {
        cells::money(&self.cell(field), self.map.multiplier(field))
            .map_err(|e| self.hold(field, e, "金額を 1,230円 / 123万円 / 約1,330万円 のように書いてください"))
    }
    /// A quarantine row for a facility name that neither the roster nor an alias knows.
    pub fn unknown_facility(&self, field: &str, name: &str) -> QuarantineRow {
        self.hold(
            field,
            format!("施設「{name}」が名簿にも別名にもありません"),
            &format!("renkei alias add '{name}' '名簿上の施設名' で別名を登録し、renkei ingest --replace でこのファイルを取り込み直してください"),
        )
    }
}

/// The header row matching `aliases` in `grid`, or a problem naming the file, the headers found and
/// the ones wanted. `what` says what the file was read as (名簿, 予算書 …).
pub fn find_header(grid: &Grid, aliases: &KindAliases, file: &str, what: &str) -> Result<(usize, ColumnMap), Problem> {
    grid.find_header(aliases).map_err(|best| {
        let found = if best.headers.is_empty() { "（なし）".to_string() } else { best.headers.join("、") };
        Problem::refused(format!("{file} を{what}として読めません"))
            .at(grid.place(file))
            .because(format!("見出し行が見つかりません。見つかった見出し: {found}"))
            .hint(format!("見出し行に {} の列を置いてください", wanted_headers(aliases)))
    })
}

/// The 年度 named in the title rows above the header, the sheet name or the file name.
pub fn title_fiscal_year(grid: &Grid, header_at: usize, file: &str) -> Option<FiscalYear> {
    grid.rows[..header_at]
        .iter()
        .map(GridRow::first_text)
        .chain(grid.sheet.iter().cloned())
        .chain(std::iter::once(file.to_string()))
        .find_map(|t| cells::fiscal_year_in(&t))
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
