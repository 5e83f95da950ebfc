//! Running-cost lines (委託費・利用料・保守料) → `invoices`: vendor, service, fiscal year
//! and amount in any of the money forms councils write (約550万円, 5,500,000円, (千円)).

use super::cells;
use super::grid::Grid;
use super::headers::{aliases, wanted_headers};
use crate::error::Problem;
use crate::store::{InvoiceRow, QuarantineRow};

/// True when a grid's header names cost lines.
pub fn matches(grid: &Grid) -> bool {
    grid.find_header(&aliases()["invoices"]).is_ok()
}

/// Parses cost lines; a missing 年度 column falls back to the title or file name.
pub fn parse(file: &str, grid: &Grid) -> Result<(Vec<InvoiceRow>, Vec<QuarantineRow>), Problem> {
    let kind = &aliases()["invoices"];
    let (header_at, map) = grid.find_header(kind).map_err(|best| {
        Problem::new(format!("{file} を運営費の明細として読めません（データベースは変更していません）"))
            .at(grid.place(file))
            .because(format!("必要な列がありません。見つかった見出し: {}", best.headers.join("、")))
            .hint(format!("見出しを {} にそろえてください", wanted_headers(kind)))
    })?;
    let default_fy = grid.rows[..header_at]
        .iter()
        .map(|r| r.first_text())
        .chain(std::iter::once(file.to_string()))
        .find_map(|t| cells::fiscal_year_in(&t));
    let mut rows = Vec::new();
    let mut held = Vec::new();
    for row in &grid.rows[header_at + 1..] {
        if cells::is_summary_or_note(&row.first_text()) {
            continue;
        }
        let text = |f: &str| map.index(f).map(|i| row.cell(i).text()).unwrap_or_default();
        let hold = |field: &str, reason: String, hint: &str| QuarantineRow {
            row_number: row.number,
            column: Some(map.describe(field)),
            value: Some(text(field)),
            reason,
            hint: Some(hint.to_string()),
        };
        let fiscal_year = match map.index("fiscal_year").map(|i| row.cell(i)) {
            Some(c) if !c.is_blank() => match cells::fiscal_year(c) {
                Ok(fy) => fy,
                Err(e) => {
                    held.push(hold("fiscal_year", e, "年度を 2025 / R7 / 令和7年度 のように書いてください"));
                    continue;
                }
            },
            _ => match default_fy {
                Some(fy) => fy,
                None => {
                    held.push(hold(
                        "fiscal_year",
                        "年度がありません".into(),
                        "年度の列を加えるか、表題に年度を書いてください",
                    ));
                    continue;
                }
            },
        };
        let amount = map.index("amount").map(|i| row.cell(i).clone()).unwrap_or(super::grid::GridCell::Empty);
        let yen = match cells::money(&amount, map.multiplier("amount")) {
            Ok(Some(y)) => y,
            Ok(None) => {
                held.push(hold("amount", "金額が空です".into(), "金額を入れてください"));
                continue;
            }
            Err(e) => {
                held.push(hold("amount", e, "金額を 1,230円 / 123万円 / 約1,330万円 のように書いてください"));
                continue;
            }
        };
        rows.push(InvoiceRow {
            vendor: text("vendor").trim().to_string(),
            service: text("service").trim().to_string(),
            fiscal_year: fiscal_year.year(),
            amount_yen: yen.amount,
            approximate: yen.approximate,
        });
    }
    Ok((rows, held))
}
