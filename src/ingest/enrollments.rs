//! Registered patients (登録患者数, patients who consented) per month, per facility or per
//! municipality → `enrollments`, for 人口カバー率 and 情報共有患者率. Optional input.

use super::detect::SourceKind;
use super::grid::Grid;
use super::kinds::{Context, Parsed, Sheet};
use super::matcher::FacilityMatcher;
use super::record::{count, data_rows, find_header};
use crate::domain::Month;
use crate::error::Problem;
use crate::store::{EnrollmentRow, FileLoad, QuarantineRow};

/// The registered-patients kind.
pub struct Enrollments;

impl Sheet for Enrollments {
    const KIND: SourceKind = SourceKind::Enrollments;
    type Row = EnrollmentRow;
    fn parse(grid: &Grid, cx: &Context) -> Result<Parsed<EnrollmentRow>, Problem> {
        parse(cx.file, grid, cx.matcher, cx).map(Parsed::of)
    }
    fn insert(load: &mut FileLoad<'_>, rows: &[EnrollmentRow]) -> anyhow::Result<()> {
        load.insert_enrollments(rows)
    }
}

/// Parses monthly registered-patient counts.
fn parse(
    file: &str,
    grid: &Grid,
    matcher: &FacilityMatcher,
    cx: &Context,
) -> Result<(Vec<EnrollmentRow>, Vec<QuarantineRow>), Problem> {
    let (at, map) = find_header(grid, cx.aliases(Enrollments::KIND), file, "登録患者数")?;
    let mut rows = Vec::new();
    let mut held = Vec::new();
    for r in data_rows(grid, at, &map) {
        let month = match super::image_views::month_of(&r.cell("month")) {
            Ok(Some(m)) => m,
            Ok(None) => continue,
            Err(e) => {
                held.push(r.hold("month", e, "月を 2025-07 / 令和7年7月 のように書いてください"));
                continue;
            }
        };
        let facility_id = match r.opt_text("facility") {
            None => None,
            Some(name) => match matcher.resolve(&name) {
                Some(id) => Some(id),
                None => {
                    held.push(r.unknown_facility("facility", &name));
                    continue;
                }
            },
        };
        let municipality = r.opt_text("municipality");
        if facility_id.is_none() && municipality.is_none() {
            held.push(r.hold(
                "registered_patients",
                "施設も市町も書かれていません",
                "施設名か市町の列に値を入れてください",
            ));
            continue;
        }
        match count(&r.cell("registered_patients")) {
            Ok(Some(n)) => rows.push(EnrollmentRow {
                month: Month::first_day(month),
                facility_id,
                municipality,
                registered_patients: n,
            }),
            Ok(None) => {}
            Err(e) => held.push(r.hold("registered_patients", e, "登録患者数を数字で入れてください")),
        }
    }
    Ok((rows, held))
}
