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

/// The data rows below the header, without total rows (a 合計 or 小計 label in any of
/// its cells, as when 年度 comes first) and footnotes.
pub fn data_rows<'a>(grid: &'a Grid, header_at: usize, map: &'a ColumnMap) -> impl Iterator<Item = Record<'a>> {
    grid.rows[header_at + 1..].iter().filter(|r| !is_left_out(r)).map(move |row| Record { row, map })
}

/// A row every reader leaves out: a footnote, or a total (合計, 小計, 収入合計… in any text cell).
pub fn is_left_out(row: &GridRow) -> bool {
    cells::is_note(&row.first_text()) || total_label(row).is_some()
}

/// The label of a total row (in whichever text cell it stands) and what it totals.
fn total_label(row: &GridRow) -> Option<(&str, cells::Total)> {
    row.cells.iter().find_map(|c| match c {
        GridCell::Text(t) => cells::total_kind(t).map(|k| (t.as_str(), k)),
        _ => None,
    })
}

/// Checks each total row below the header against the rows above it, for the money in
/// `field`: a 小計 against the rows since the last total, a 合計 (総計, 計, a year's total)
/// against the rows since the last 合計. `section` says which part of the sheet a data row
/// belongs to (a budget's income or expense); a total naming a section (収入合計) sums
/// that section's rows only. Each disagreement is a 注意 line for the file's summary: the
/// total is left out either way, and the rows are loaded as they are.
pub fn money_total_warnings(
    file: &str,
    grid: &Grid,
    header_at: usize,
    map: &ColumnMap,
    field: &str,
    section: impl Fn(&Record<'_>) -> Option<&'static str>,
) -> Vec<String> {
    use std::collections::BTreeMap;
    let mut since_sub: BTreeMap<Option<&str>, i64> = BTreeMap::new();
    let mut since_total: BTreeMap<Option<&str>, i64> = BTreeMap::new();
    // What the last total closed, emptied when the next data row comes (so two totals in a
    // row, 合計 then 年度計, both sum the same rows).
    let mut closed: Vec<(cells::Total, Option<&str>)> = Vec::new();
    let mut warnings = Vec::new();
    for row in &grid.rows[header_at + 1..] {
        let r = Record { row, map };
        let Some((label, kind)) = total_label(row) else {
            if cells::is_note(&row.first_text()) {
                continue;
            }
            if let Ok(Some(y)) = r.money(field) {
                for (kind, part) in closed.drain(..) {
                    // A 合計 closes its 小計s too.
                    let maps: Vec<&mut BTreeMap<Option<&str>, i64>> = match kind {
                        cells::Total::Subtotal => vec![&mut since_sub],
                        cells::Total::Total => vec![&mut since_sub, &mut since_total],
                    };
                    for m in maps {
                        match part {
                            None => m.clear(),
                            Some(p) => {
                                m.remove(&Some(p));
                            }
                        }
                    }
                }
                let part = section(&r);
                *since_sub.entry(part).or_default() += y.amount;
                *since_total.entry(part).or_default() += y.amount;
            }
            continue;
        };
        let part = cells::total_section(label);
        let sums = if kind == cells::Total::Subtotal { &since_sub } else { &since_total };
        let summed: i64 = sums.iter().filter(|(k, _)| part.is_none() || **k == part).map(|(_, v)| v).sum();
        if let Ok(Some(stated)) = r.money(field)
            && stated.amount != summed
        {
            warnings.push(format!(
                "{file} {}行目「{}」の {} は {}円 ですが、上の行の合計は {}円 です",
                row.number,
                label.trim(),
                map.describe(field),
                crate::domain::yen::group_thousands(stated.amount),
                crate::domain::yen::group_thousands(summed)
            ));
        }
        closed.push((kind, part));
    }
    warnings
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
