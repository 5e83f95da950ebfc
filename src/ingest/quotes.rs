//! Renewal quotes (見積) per facility and server grade → `quotes`, the basis of the
//! image-server value question (画像公開 grade against 標準).

use super::cells;
use super::grid::Grid;
use super::headers::{aliases, wanted_headers};
use super::matcher::FacilityMatcher;
use super::record::data_rows;
use crate::error::Problem;
use crate::store::{QuarantineRow, QuoteRow};

/// Parses quote lines; facilities must be known (or aliased), like in the logs.
pub fn parse(
    file: &str,
    grid: &Grid,
    matcher: &FacilityMatcher,
) -> Result<(Vec<QuoteRow>, Vec<QuarantineRow>), Problem> {
    let kind = &aliases()["quotes"];
    let (at, map) = grid.find_header(kind).map_err(|_| {
        Problem::new(format!("{file} を見積として読めません"))
            .hint(format!("見出しを {} にそろえてください", wanted_headers(kind)))
    })?;
    let default_fy = grid.rows[..at]
        .iter()
        .map(|r| r.first_text())
        .chain(std::iter::once(file.to_string()))
        .find_map(|t| cells::fiscal_year_in(&t));
    let mut rows = Vec::new();
    let mut held = Vec::new();
    for r in data_rows(grid, at, &map) {
        let Some(name) = r.opt_text("facility") else { continue };
        let Some(facility_id) = matcher.resolve(&name) else {
            held.push(r.hold(
                "facility",
                format!("施設「{name}」が名簿にも別名にもありません"),
                &format!("renkei alias add '{name}' '名簿上の施設名' で別名を登録し、renkei ingest --replace でこのファイルを取り込み直してください"),
            ));
            continue;
        };
        let fiscal_year = match r.opt_text("fiscal_year").map(|t| crate::domain::FiscalYear::parse(&t)) {
            Some(Ok(fy)) => fy,
            Some(Err(e)) => {
                held.push(r.hold("fiscal_year", e, "年度を R8 / 令和8年度 / 2026 のように書いてください"));
                continue;
            }
            None => match default_fy {
                Some(fy) => fy,
                None => {
                    held.push(r.hold(
                        "fiscal_year",
                        "年度がありません",
                        "年度の列を加えるか、表題に年度を書いてください",
                    ));
                    continue;
                }
            },
        };
        let yen = match cells::money(&r.cell("amount"), map.multiplier("amount")) {
            Ok(Some(y)) => y,
            Ok(None) => continue,
            Err(e) => {
                held.push(r.hold("amount", e, "金額を 5,500,000円 / 約550万円 のように書いてください"));
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
