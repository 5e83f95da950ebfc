//! Running-cost lines (委託費・利用料・保守料) → `invoices`: vendor, service, fiscal year
//! and amount in any of the money forms councils write (約550万円, 5,500,000円, (千円)).

use super::detect::SourceKind;
use super::grid::Grid;
use super::kinds::{Context, Parsed, Sheet};
use super::record::{data_rows, find_header, money_total_warnings, title_fiscal_year};
use crate::error::Problem;
use crate::store::{FileLoad, InvoiceRow};

/// The running-cost kind.
pub struct Invoices;

impl Sheet for Invoices {
    const KIND: SourceKind = SourceKind::Invoices;
    type Row = InvoiceRow;
    fn parse(grid: &Grid, cx: &Context) -> Result<Parsed<InvoiceRow>, Problem> {
        parse(cx.file, grid, cx)
    }
    fn insert(load: &mut FileLoad<'_>, rows: &[InvoiceRow]) -> anyhow::Result<()> {
        load.insert_invoices(rows)
    }
}

/// Parses cost lines; a missing 年度 column falls back to the title or file name. Totals
/// are checked against the lines above them.
fn parse(file: &str, grid: &Grid, cx: &Context) -> Result<Parsed<InvoiceRow>, Problem> {
    let (header_at, map) = find_header(grid, cx.aliases(Invoices::KIND), file, "運営費の明細")?;
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
    let warnings = money_total_warnings(file, grid, header_at, &map, "amount", |_| None);
    Ok(Parsed { rows, held, warnings })
}
