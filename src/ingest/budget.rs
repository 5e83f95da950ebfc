//! The council's budget and settlement (予算・決算) → `budget`: income and expense lines
//! per fiscal year; rows naming a municipality are its 自治体負担.

use super::cells;
use super::grid::Grid;
use super::headers::{aliases, wanted_headers};
use super::record::data_rows;
use crate::error::Problem;
use crate::store::{BudgetRow, QuarantineRow};

fn direction(text: &str) -> Option<&'static str> {
    match text.trim().to_lowercase().as_str() {
        "収入" | "歳入" | "income" | "収" => Some("income"),
        "支出" | "歳出" | "expense" | "expenses" | "支" => Some("expense"),
        _ => None,
    }
}

fn stage(text: &str) -> Option<&'static str> {
    if text.contains("決算") || text.to_lowercase().contains("settled") {
        Some("settled")
    } else if text.contains("予算") || text.to_lowercase().contains("budget") {
        Some("budget")
    } else {
        None
    }
}

/// Parses budget lines. The stage comes from a column, else the title or file name
/// (決算 → settled, otherwise budget); the 年度 from a column, else the title or file name.
pub fn parse(file: &str, grid: &Grid) -> Result<(Vec<BudgetRow>, Vec<QuarantineRow>), Problem> {
    let kind = &aliases()["budget"];
    let (at, map) = grid.find_header(kind).map_err(|_| {
        Problem::new(format!("{file} を予算書として読めません"))
            .hint(format!("見出しを {} にそろえてください", wanted_headers(kind)))
    })?;
    let titles: Vec<String> =
        grid.rows[..at].iter().map(|r| r.first_text()).chain(std::iter::once(file.to_string())).collect();
    let default_stage = titles.iter().find_map(|t| stage(t)).unwrap_or("budget");
    let default_fy = titles.iter().find_map(|t| cells::fiscal_year_in(t));
    let mut rows = Vec::new();
    let mut held = Vec::new();
    for r in data_rows(grid, at, &map) {
        let Some(item) = r.opt_text("item").filter(|i| !cells::is_summary_or_note(i)) else { continue };
        let fiscal_year = match r.opt_text("fiscal_year") {
            Some(t) => match crate::domain::FiscalYear::parse(&t) {
                Ok(fy) => fy,
                Err(e) => {
                    held.push(r.hold("fiscal_year", e, "年度を R7 / 令和7年度 / 2025 のように書いてください"));
                    continue;
                }
            },
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
        let Some(dir) = direction(&r.text("direction")) else {
            held.push(r.hold("direction", "収入か支出か分かりません", "区分に 収入 か 支出 と書いてください"));
            continue;
        };
        let amount = match cells::money(&r.cell("amount"), map.multiplier("amount")) {
            Ok(Some(y)) => y.amount,
            Ok(None) => continue,
            Err(e) => {
                held.push(r.hold("amount", e, "金額を 1,230円 / 123万円 のように書いてください"));
                continue;
            }
        };
        let stage = r.opt_text("stage").and_then(|s| stage(&s)).unwrap_or(default_stage);
        rows.push(BudgetRow {
            fiscal_year: fiscal_year.year(),
            direction: dir,
            item,
            municipality: r.opt_text("municipality"),
            amount_yen: amount,
            stage,
        });
    }
    Ok((rows, held))
}
