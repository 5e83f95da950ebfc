//! The council's budget and settlement (予算・決算) → `budget`: income and expense lines
//! per fiscal year; rows naming a municipality are its 自治体負担.

use super::cells;
use super::detect::SourceKind;
use super::grid::Grid;
use super::kinds::{Context, Parsed, Sheet};
use super::record::{data_rows, find_header, money_total_warnings, title_fiscal_year};
use crate::error::Problem;
use crate::store::{BudgetRow, FileLoad};

/// The budget and settlement kind.
pub struct Budget;

impl Sheet for Budget {
    const KIND: SourceKind = SourceKind::Budget;
    type Row = BudgetRow;
    fn parse(grid: &Grid, cx: &Context) -> Result<Parsed<BudgetRow>, Problem> {
        parse(cx.file, grid, cx)
    }
    fn insert(load: &mut FileLoad<'_>, rows: &[BudgetRow]) -> anyhow::Result<()> {
        load.insert_budget(rows)
    }
}

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
/// Totals are checked against their lines: 収入合計 the income lines, 支出合計 the expense lines.
fn parse(file: &str, grid: &Grid, cx: &Context) -> Result<Parsed<BudgetRow>, Problem> {
    let (at, map) = find_header(grid, cx.aliases(Budget::KIND), file, "予算書")?;
    let default_stage = grid.rows[..at]
        .iter()
        .map(|r| r.first_text())
        .chain(std::iter::once(file.to_string()))
        .find_map(|t| stage(&t))
        .unwrap_or("budget");
    let default_fy = title_fiscal_year(grid, at, file);
    let mut rows = Vec::new();
    let mut held = Vec::new();
    for r in data_rows(grid, at, &map) {
        let Some(item) = r.opt_text("item").filter(|i| !cells::is_summary_or_note(i)) else { continue };
        let Some(dir) = direction(&r.text("direction")) else {
            held.push(r.hold("direction", "収入か支出か分かりません", "区分に 収入 か 支出 と書いてください"));
            continue;
        };
        let (fiscal_year, amount) = match (r.fiscal_year(default_fy), r.money("amount")) {
            (Ok(fy), Ok(Some(yen))) => (fy, yen.amount),
            (_, Ok(None)) => continue,
            (Err(q), _) | (_, Err(q)) => {
                held.push(q);
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
    let warnings = money_total_warnings(file, grid, at, &map, "amount", |r| direction(&r.text("direction")));
    Ok(Parsed { rows, held, warnings })
}
