//! Municipalities (関係市町) with code and population → `municipalities`, for costs per
//! resident and 人口カバー率.

use super::detect::SourceKind;
use super::grid::Grid;
use super::kinds::{Context, Parsed, Sheet};
use super::record::{count, data_rows, find_header};
use crate::error::Problem;
use crate::store::{FileLoad, MunicipalityRow, QuarantineRow};

/// The municipalities kind.
pub struct Municipalities;

impl Sheet for Municipalities {
    const KIND: SourceKind = SourceKind::Municipalities;
    type Row = MunicipalityRow;
    fn parse(grid: &Grid, cx: &Context) -> Result<Parsed<MunicipalityRow>, Problem> {
        parse(cx.file, grid, cx).map(Parsed::of)
    }
    fn insert(load: &mut FileLoad<'_>, rows: &[MunicipalityRow]) -> anyhow::Result<()> {
        load.upsert_municipalities(rows)
    }
}

/// Parses a municipality list.
fn parse(file: &str, grid: &Grid, cx: &Context) -> Result<(Vec<MunicipalityRow>, Vec<QuarantineRow>), Problem> {
    let (at, map) = find_header(grid, cx.aliases(Municipalities::KIND), file, "市町の一覧")?;
    let mut rows = Vec::new();
    let mut held = Vec::new();
    for r in data_rows(grid, at, &map) {
        let Some(name) = r.opt_text("name") else { continue };
        match count(&r.cell("population")) {
            Ok(Some(population)) => rows.push(MunicipalityRow { name, code: r.opt_text("code"), population }),
            Ok(None) => held.push(r.hold("population", "人口が空です", "人口を数字で入れてください")),
            Err(e) => held.push(r.hold("population", e, "人口を数字で入れてください")),
        }
    }
    Ok((rows, held))
}
