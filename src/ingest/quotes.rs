//! Renewal quotes (見積) per facility and server grade → `quotes`, the basis of the
//! image-server value question (画像公開 grade against 標準).

use super::detect::SourceKind;
use super::grid::Grid;
use super::kinds::{Context, Parsed, Sheet};
use super::matcher::FacilityMatcher;
use super::record::{data_rows, find_header, title_fiscal_year};
use crate::error::Problem;
use crate::store::{FileLoad, QuarantineRow, QuoteRow};

/// The renewal-quote kind.
pub struct Quotes;

impl Sheet for Quotes {
    const KIND: SourceKind = SourceKind::Quotes;
    type Row = QuoteRow;
    fn parse(grid: &Grid, cx: &Context) -> Result<Parsed<QuoteRow>, Problem> {
        parse(cx.file, grid, cx.matcher, cx).map(Parsed::of)
    }
    fn insert(load: &mut FileLoad<'_>, rows: &[QuoteRow]) -> anyhow::Result<()> {
        load.insert_quotes(rows)
    }
}

/// Parses quote lines; facilities must be known (or aliased), like in the logs.
fn parse(
    file: &str,
    grid: &Grid,
    matcher: &FacilityMatcher,
    cx: &Context,
) -> Result<(Vec<QuoteRow>, Vec<QuarantineRow>), Problem> {
    let (at, map) = find_header(grid, cx.aliases(Quotes::KIND), file, "見積")?;
    let default_fy = title_fiscal_year(grid, at, file);
    let mut rows = Vec::new();
    let mut held = Vec::new();
    for r in data_rows(grid, at, &map) {
        let Some(name) = r.opt_text("facility") else { continue };
        let Some(facility_id) = matcher.resolve(&name) else {
            held.push(r.unknown_facility("facility", &name));
            continue;
        };
        let (fiscal_year, yen) = match (r.fiscal_year(default_fy), r.money("amount")) {
            (Ok(fy), Ok(Some(yen))) => (fy, yen),
            (_, Ok(None)) => continue,
            (Err(q), _) | (_, Err(q)) => {
                held.push(q);
                continue;
            }
        };
        rows.push(QuoteRow {
            fiscal_year: fiscal_year.year(),
            vendor: r.opt_text("vendor"),
            facility_id: Some(facility_id),
            item: r.opt_text("item").unwrap_or_else(|| "サーバー更新".to_string()),
            grade: r.opt_text("grade"),
            amount_yen: yen.amount,
            approximate: yen.approximate,
        });
    }
    Ok((rows, held))
}
