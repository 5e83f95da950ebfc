//! The membership roster (参加施設名簿) with kinds, municipalities, join dates, image
//! publishing and annual fees → `facilities` and `membership_fees`.
//!
//! Real rosters have a title row (often merged) above the header, a 合計 row and ※
//! footnotes below, and fees typed as numbers or as text with commas; all are handled.

use super::cells;
use super::detect::SourceKind;
use super::grid::Grid;
use super::headers::ColumnMap;
use super::kinds::{Context, Parsed, Sheet};
use super::record::{Record, data_rows, find_header, title_fiscal_year};
use crate::domain::FiscalYear;
use crate::domain::names::matching_key;
use crate::error::Problem;
use crate::store::{FacilityRecord, FileLoad};

/// One roster row: the facility, its fee for the roster's 年度, and that 年度.
#[derive(Debug, Clone)]
pub struct Member {
    /// The facility as the roster gives it.
    pub facility: FacilityRecord,
    /// Its annual fee, if given.
    pub fee: Option<i64>,
    /// The 年度 the fees belong to.
    pub fiscal_year: FiscalYear,
}

/// The roster kind. A second roster of the same 年度 is refused unless `--replace`
/// (`membership_fees` is one of the store's same-period tables).
pub struct Roster;

impl Sheet for Roster {
    const KIND: SourceKind = SourceKind::Roster;
    type Row = Member;
    fn parse(grid: &Grid, cx: &Context) -> Result<Parsed<Member>, Problem> {
        let file = cx.file;
        let (header_at, map) = find_header(grid, cx.aliases(Self::KIND), file, "名簿")?;
        let fiscal_year = find_fiscal_year(file, grid, header_at, &map)?;
        let mut out = Parsed::default();
        for r in data_rows(grid, header_at, &map) {
            match parse_row(&r) {
                Ok(Some((facility, fee))) => out.rows.push(Member { facility, fee, fiscal_year }),
                Ok(None) => {}
                Err(q) => out.held.push(q),
            }
        }
        Ok(out)
    }
    fn insert(load: &mut FileLoad<'_>, rows: &[Member]) -> anyhow::Result<()> {
        let facilities: Vec<FacilityRecord> = rows.iter().map(|m| m.facility.clone()).collect();
        let ids = load.upsert_facilities(&facilities)?;
        let fees: Vec<(i32, i64)> = ids.iter().zip(rows).filter_map(|(id, m)| m.fee.map(|f| (*id, f))).collect();
        match rows.first() {
            Some(m) => load.insert_fees(m.fiscal_year.year(), &fees),
            None => Ok(()),
        }
    }
}

fn parse_row(r: &Record<'_>) -> Result<Option<(FacilityRecord, Option<i64>)>, crate::store::QuarantineRow> {
    let Some(name) = r.opt_text("name").filter(|n| !cells::is_summary_or_note(n)) else { return Ok(None) };
    let joined_on = cells::date(&r.cell("joined_on")).map_err(|e| r.hold("joined_on", e, "加入日を直してください"))?;
    let left_on = cells::date(&r.cell("left_on")).map_err(|e| r.hold("left_on", e, "退会日を直してください"))?;
    let publishes_images = cells::flag(&r.cell("publishes_images"))
        .map_err(|e| r.hold("publishes_images", e, "画像公開は ○ か × で書いてください"))?;
    let fee = cells::money(&r.cell("fee"), r.map.multiplier("fee"))
        .map_err(|e| r.hold("fee", e, "年会費を数字で書いてください"))?;
    Ok(Some((
        FacilityRecord {
            name_key: matching_key(&name),
            name,
            kind: r.opt_text("kind"),
            municipality: r.opt_text("municipality"),
            joined_on,
            left_on,
            publishes_images,
        },
        fee.map(|y| y.amount),
    )))
}

/// The 年度 from a 年度 column, a title row above the header, or the file name.
fn find_fiscal_year(file: &str, grid: &Grid, header_at: usize, map: &ColumnMap) -> Result<FiscalYear, Problem> {
    if let Some(i) = map.index("fiscal_year")
        && let Some(row) = grid.rows[header_at + 1..].iter().find(|r| !r.cell(i).is_blank())
    {
        return cells::fiscal_year(row.cell(i)).map_err(|e| {
            Problem::refused(format!("{file} の年度を読めません"))
                .at(grid.place(file).row(row.number).column(Some(map.describe("fiscal_year"))))
                .because(e)
                .hint("年度を 2025 / R7 / 令和7年度 のように書いてください")
        });
    }
    title_fiscal_year(grid, header_at, file).ok_or_else(|| {
        Problem::refused(format!("{file} がどの年度の名簿か分かりません"))
            .at(grid.place(file))
            .because("年度の列も、表題・シート名・ファイル名の年度（例: 令和7年度）もありません")
            .hint("表題に「令和7年度 参加施設名簿」のように年度を書くか、年度の列を加えてください")
    })
}
