//! Image-view counts (画像閲覧回数) → `image_views`, long (month, hospital, views,
//! optional viewing facility) or wide (a row per month, a column per hospital).
//!
//! Wide sheets carry 年度計 / 合計 rows: they are skipped as data and checked against the
//! months above them; a disagreement is a warning in the file's summary, not an error.

use std::collections::BTreeMap;

use super::cells;
use super::detect::SourceKind;
use super::grid::{Grid, GridCell};
use super::headers::{KindAliases, header_key};
use super::kinds::{Context, Sheet};
use super::matcher::FacilityMatcher;
use super::record::{Record, count, data_rows, title_fiscal_year};
use crate::domain::names::matching_key;
use crate::domain::{FiscalYear, Month};
use crate::error::Problem;
use crate::store::{FileLoad, ImageViewRow, QuarantineRow};

/// What a parse yields: rows, quarantined rows, and warnings for the summary.
pub type Parsed = super::kinds::Parsed<ImageViewRow>;

/// The image-view counts kind.
pub struct ImageViews;

impl Sheet for ImageViews {
    const KIND: SourceKind = SourceKind::ImageViews;
    type Row = ImageViewRow;
    /// Long sheets by their header; wide ones by a month column beside hospital columns.
    fn recognise(grid: &Grid, cx: &Context) -> Option<usize> {
        let aliases = cx.aliases(Self::KIND);
        (grid.find_header(aliases).is_ok() || find_wide_header(grid, cx.matcher, aliases).is_some()).then_some(3)
    }
    fn parse(grid: &Grid, cx: &Context) -> Result<Parsed, Problem> {
        parse(cx.file, grid, cx.matcher, cx.aliases(Self::KIND))
    }
    fn insert(load: &mut FileLoad<'_>, rows: &[ImageViewRow]) -> anyhow::Result<()> {
        load.insert_image_views(rows)
    }
}

/// A month cell: a date, `2025-07`, `2025年7月`, `令和7年7月`; `7月` needs `fy`.
pub fn month_of(cell: &GridCell) -> Result<Option<Month>, String> {
    month_in(cell, None)
}

fn month_in(cell: &GridCell, fy: Option<FiscalYear>) -> Result<Option<Month>, String> {
    match cell {
        GridCell::Empty => Ok(None),
        GridCell::Date(d) => Ok(Some(Month::of(d.date()))),
        GridCell::Number(_) => cells::date(cell).map(|d| d.map(Month::of)),
        other => {
            let text = other.text();
            match Month::parse(&text) {
                Ok(m) => Ok(Some(m)),
                Err(e) => {
                    let bare = text.trim().trim_end_matches('月');
                    match (bare.parse::<u32>(), fy) {
                        (Ok(m @ 1..=12), Some(fy)) => Ok(Some(if m >= 4 {
                            fy.first_month().plus(m as i32 - 4)
                        } else {
                            fy.last_month().plus(m as i32 - 3)
                        })),
                        _ => Err(e),
                    }
                }
            }
        }
    }
}

fn is_month_header(text: &str, aliases: &KindAliases) -> bool {
    let (key, _) = header_key(text);
    aliases.fields["month"].iter().any(|a| matching_key(a) == key)
}

/// The wide layout's header: (row index, month column, hospital columns).
type WideHeader = (usize, usize, Vec<(usize, i32, String)>);

fn find_wide_header(grid: &Grid, matcher: &FacilityMatcher, aliases: &KindAliases) -> Option<WideHeader> {
    grid.rows.iter().take(30).enumerate().find_map(|(i, row)| {
        let month_col = row.cells.iter().position(|c| is_month_header(&c.text(), aliases))?;
        let hospitals: Vec<(usize, i32, String)> = row
            .cells
            .iter()
            .enumerate()
            .filter(|(c, _)| *c != month_col)
            .filter_map(|(c, cell)| matcher.resolve(&cell.text()).map(|id| (c, id, cell.text())))
            .collect();
        (hospitals.len() >= 2).then_some((i, month_col, hospitals))
    })
}

/// Parses either layout.
fn parse(file: &str, grid: &Grid, matcher: &FacilityMatcher, aliases: &KindAliases) -> Result<Parsed, Problem> {
    if let Ok((at, map)) = grid.find_header(aliases) {
        return Ok(parse_long(data_rows(grid, at, &map), matcher, title_fiscal_year(grid, at, file)));
    }
    let Some((at, month_col, hospitals)) = find_wide_header(grid, matcher, aliases) else {
        return Err(Problem::new(format!("{file} を画像閲覧回数として読めません"))
            .at(grid.place(file))
            .hint("月・病院・閲覧回数の列を置くか、見出し行に 月 と病院名を並べてください"));
    };
    let fy = title_fiscal_year(grid, at, file);
    Ok(parse_wide(file, grid, at, month_col, &hospitals, fy))
}

fn parse_long<'a>(
    records: impl Iterator<Item = Record<'a>>,
    matcher: &FacilityMatcher,
    fy: Option<FiscalYear>,
) -> Parsed {
    let mut out = Parsed::default();
    for r in records {
        let month = match month_in(&r.cell("month"), fy) {
            Ok(Some(m)) => m,
            Ok(None) => continue,
            Err(e) => {
                out.held.push(r.hold("month", e, "月を 2025-07 / 令和7年7月 のように書いてください"));
                continue;
            }
        };
        let name = r.text("disclosing_facility");
        let Some(disclosing) = matcher.resolve(&name) else {
            out.held.push(r.unknown_facility("disclosing_facility", &name));
            continue;
        };
        let viewing = match r.opt_text("viewing_facility") {
            None => None,
            Some(v) => match matcher.resolve(&v) {
                Some(id) => Some(id),
                None => {
                    out.held.push(r.unknown_facility("viewing_facility", &v));
                    continue;
                }
            },
        };
        match count(&r.cell("views")) {
            Ok(Some(views)) => out.rows.push(ImageViewRow {
                month: month.first_day(),
                disclosing_facility_id: disclosing,
                viewing_facility_id: viewing,
                views,
            }),
            Ok(None) => {}
            Err(e) => out.held.push(r.hold("views", e, "閲覧回数を数字で入れてください")),
        }
    }
    out
}

fn parse_wide(
    file: &str,
    grid: &Grid,
    at: usize,
    month_col: usize,
    hospitals: &[(usize, i32, String)],
    fy: Option<FiscalYear>,
) -> Parsed {
    let mut out = Parsed::default();
    let header = &grid.rows[at];
    let letter = |c: usize| super::headers::column_letter(c);
    // Sums since the last subtotal row, per column, to check 年度計 / 合計.
    let mut running: BTreeMap<usize, i64> = BTreeMap::new();
    let mut wide: Vec<(Month, Vec<Option<i64>>)> = Vec::new();
    for row in &grid.rows[at + 1..] {
        let first = row.cell(month_col).text();
        if cells::is_summary_or_note(&first) || cells::is_summary_or_note(&row.first_text()) {
            if first.trim_start().starts_with('※') || row.first_text().trim_start().starts_with('※') {
                continue;
            }
            for (c, _, name) in hospitals {
                if let Ok(Some(stated)) = count(row.cell(*c)) {
                    let summed = running.get(c).copied().unwrap_or(0);
                    if stated != summed {
                        out.warnings.push(format!(
                            "{file} {}行目「{}」の {}列「{name}」は {} ですが、上の月の合計は {} です",
                            row.number,
                            first.trim(),
                            letter(*c),
                            crate::domain::yen::group_thousands(stated),
                            crate::domain::yen::group_thousands(summed)
                        ));
                    }
                }
            }
            running.clear();
            continue;
        }
        let month = match month_in(row.cell(month_col), fy) {
            Ok(Some(m)) => m,
            Ok(None) => continue,
            Err(e) => {
                out.held.push(QuarantineRow {
                    row_number: row.number,
                    column: Some(format!("{}列「{}」", letter(month_col), header.cell(month_col).text())),
                    value: Some(first),
                    reason: e,
                    hint: Some("月を 2025-07 / 令和7年7月 のように書いてください".into()),
                });
                continue;
            }
        };
        let mut cells = Vec::with_capacity(hospitals.len());
        for (c, _, name) in hospitals {
            match count(row.cell(*c)) {
                Ok(v) => {
                    *running.entry(*c).or_default() += v.unwrap_or(0);
                    cells.push(v);
                }
                Err(e) => {
                    cells.push(None);
                    out.held.push(QuarantineRow {
                        row_number: row.number,
                        column: Some(format!("{}列「{name}」", letter(*c))),
                        value: Some(row.cell(*c).text()),
                        reason: e,
                        hint: Some("閲覧回数を数字で入れてください".into()),
                    });
                }
            }
        }
        wide.push((month, cells));
    }
    match to_long(&wide, hospitals) {
        Ok(rows) => out.rows = rows,
        Err(e) => out.warnings.push(format!("{file} の表を縦長に直せませんでした（{e}）")),
    }
    out
}

/// Wide → long with polars: one column per hospital becomes (month, hospital, views) rows,
/// blank cells dropped.
fn to_long(
    wide: &[(Month, Vec<Option<i64>>)],
    hospitals: &[(usize, i32, String)],
) -> polars::prelude::PolarsResult<Vec<ImageViewRow>> {
    use polars::prelude::*;
    let months: Vec<i64> = wide.iter().map(|(m, _)| (m.year() * 12 + m.month() as i32 - 1) as i64).collect();
    let mut columns = vec![Column::new("month".into(), months)];
    for (i, (_, id, _)) in hospitals.iter().enumerate() {
        let values: Vec<Option<i64>> = wide.iter().map(|(_, cells)| cells[i]).collect();
        columns.push(Column::new(format!("{id}").into(), values));
    }
    let on: Vec<PlSmallStr> = hospitals.iter().map(|(_, id, _)| format!("{id}").into()).collect();
    let long = DataFrame::new_infer_height(columns)?.unpivot(Some(on), ["month"])?;
    let long = long.drop_nulls::<String>(Some(&["value".to_string()]))?;
    let (month, hospital, views) =
        (long.column("month")?.i64()?, long.column("variable")?.str()?, long.column("value")?.i64()?);
    let mut rows = Vec::with_capacity(long.height());
    for ((m, h), v) in month.iter().zip(hospital.iter()).zip(views.iter()) {
        let (Some(m), Some(h), Some(v)) = (m, h, v) else { continue };
        let month = Month::new((m / 12) as i32, (m % 12) as u32 + 1).expect("month index from a Month");
        let Ok(id) = h.parse::<i32>() else { continue };
        rows.push(ImageViewRow {
            month: month.first_day(),
            disclosing_facility_id: id,
            viewing_facility_id: None,
            views: v,
        });
    }
    rows.sort_by_key(|r| (r.month, r.disclosing_facility_id));
    Ok(rows)
}
