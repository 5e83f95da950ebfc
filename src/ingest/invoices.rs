//! Running-cost lines (委託費・利用料・保守料) → `invoices`: vendor, service, fiscal year
//! and amount in any of the money forms councils write (約550万円, 5,500,000円, (千円)).

use super::grid::Grid;
use super::headers::aliases;
use super::record::{data_rows, find_header, title_fiscal_year};
use crate::error::Problem;
use crate::store::{InvoiceRow, QuarantineRow};

/// True when a grid's header names cost lines.
pub fn matches(grid: &Grid) -> bool {
    grid.find_header(&aliases()["invoices"]).is_ok()
}

/// Parses cost lines; a missing 年度 column falls back to the title or file name.
pub fn parse(file: &str, grid: &Grid) -> Result<(Vec<InvoiceRow>, Vec<QuarantineRow>), Problem> {
    let (header_at, map) = find_header(grid, "invoices", file, "運営費の明細")?;
    let default_fy = title_fiscal_year(grid, header_at, file);
    let mut rows = Vec::new();
    let mut held = Vec::new();
    for r in data_rows(grid, header_at, &map) {
        let fiscal_year = match r.fiscal_year(default_fy) {
            Ok(fy) => fy,
            Err(q) => {
                held.push(q);
                continue;
            }
        };
        let yen = match r.money("amount") {
            Ok(Some(y)) => y,
            Ok(None) => {
                held.push(r.hold("amount", "金額が空です", "金額を入れてください"));
                continue;
            }
            Err(q) => {
                held.push(q);
                continue;
            }
        };
        rows.push(InvoiceRow {
            vendor: r.text("vendor"),
            service: r.text("service"),
            fiscal_year: fiscal_year.year(),
            amount_yen: yen.amount,
            approximate: yen.approximate,
        });
    }
    Ok((rows, held))
}
