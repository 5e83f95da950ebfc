//! `renkei demo`: writes realistic input files for a network like うおぬま・米ねっと
//! (the seed's facilities and figures, several fiscal years of synthetic use) into the
//! inbox. Deterministic for a given `until` month and scale, so a rerun writes the same
//! bytes and ingest finds nothing new.

pub mod costs;
pub mod facilities;
pub mod figures;
pub mod logs;
pub mod review;
pub mod roster;

use std::path::{Path, PathBuf};

use anyhow::Context;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::domain::{FiscalYear, Month};

/// The network name the demo uses.
pub const NETWORK: &str = "うおぬま・米ねっと";
/// The first month of demo logs (R4, FY2022).
pub const FIRST_MONTH: (i32, u32) = (2022, 4);
/// The hospital whose image server is down for the demo's last month: its image views
/// vanish from the log, so a new user sees the board report's collapse alert.
pub const OUTAGE_HOSPITAL: &str = "小出病院";

/// Writes every demo input into `inbox` for months up to `until`; returns the paths.
pub fn write_inputs(inbox: &Path, until: Month, scale: u32) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(inbox).with_context(|| format!("受付フォルダ {} を作れません", inbox.display()))?;
    let mut rng = StdRng::seed_from_u64(20250818);
    let facilities = facilities::build(&mut rng);
    let first = Month::new(FIRST_MONTH.0, FIRST_MONTH.1).expect("valid");
    let mut written = Vec::new();
    let last_fy = until.fiscal_year();
    let mut fy = first.fiscal_year();
    while fy <= last_fy {
        let path = inbox.join(format!("参加施設名簿_{}.xlsx", era_short(fy)));
        roster::write(&path, NETWORK, fy, &facilities)?;
        written.push(path);
        fy = FiscalYear::new(fy.year() + 1);
    }
    let costs_path = inbox.join("運営費_委託費.csv");
    costs::write(&costs_path, last_fy.year())?;
    written.push(costs_path);
    let municipalities = inbox.join("関係市町.csv");
    figures::write_municipalities(&municipalities)?;
    written.push(municipalities);
    let budget = inbox.join("予算決算_R6-R7.csv");
    figures::write_budget(&budget)?;
    written.push(budget);
    let quotes = inbox.join("更新見積_R8.csv");
    figures::write_quotes(&quotes, &facilities)?;
    written.push(quotes);
    let views = inbox.join("画像閲覧回数.xlsx");
    figures::write_image_views(&views, &mut StdRng::seed_from_u64(6), &facilities, until)?;
    written.push(views);
    let enrollments = inbox.join("登録患者数.csv");
    figures::write_enrollments(&enrollments, until)?;
    written.push(enrollments);

    // One log file per fiscal year and system, as each vendor's console exports them.
    let mut linked = logs::Linked::default();
    let mut fy = first.fiscal_year();
    while fy <= last_fy {
        let mut by_system: std::collections::BTreeMap<&str, Vec<logs::LogLine>> = Default::default();
        for m in fy.first_month().through(fy.last_month().min(until)) {
            let mut lines = logs::month_events(&mut rng, &facilities, m, scale, &mut linked);
            if m == until {
                lines.retain(|l| !(l.disclosing == OUTAGE_HOSPITAL && l.data_type == "画像"));
                lines.extend(review::planted(&facilities, until));
            }
            for line in lines {
                by_system.entry(line.system).or_default().push(line);
            }
        }
        for (system, mut lines) in by_system {
            if fy == last_fy {
                lines.extend(unknown_facility_lines(&lines));
            }
            // Most exports are Shift_JIS CSV; R5's ID-Link log comes as FHIR AuditEvent NDJSON
            // and R4's Team log gzipped, as a council's mix of vendors would give them.
            let stem = format!("アクセスログ_{system}_{}", era_short(fy));
            let path = match (fy.year(), system) {
                (2023, "ID-Link") => {
                    let path = inbox.join(format!("{stem}.ndjson"));
                    std::fs::write(&path, logs::fhir_text(&lines))?;
                    path
                }
                (2022, "Team") => {
                    let path = inbox.join(format!("{stem}.csv.gz"));
                    let text = logs::csv_text(&lines);
                    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
                    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                    std::io::Write::write_all(&mut gz, &bytes)?;
                    std::fs::write(&path, gz.finish()?)?;
                    path
                }
                _ => {
                    let path = inbox.join(format!("{stem}.csv"));
                    write_shift_jis(&path, &logs::csv_text(&lines))?;
                    path
                }
            };
            written.push(path);
        }
        fy = FiscalYear::new(fy.year() + 1);
    }
    Ok(written)
}

/// A few rows from a facility missing from the roster, as happens when a new member's
/// paperwork lags behind its first use.
fn unknown_facility_lines(lines: &[logs::LogLine]) -> Vec<logs::LogLine> {
    lines
        .iter()
        .step_by(lines.len().max(1) / 5 + 1)
        .take(4)
        .map(|l| logs::LogLine {
            at: l.at,
            system: l.system,
            user_id: "U99901".into(),
            facility: "訪問看護ステーションみなみ".into(),
            patient_id: l.patient_id.clone(),
            disclosing: l.disclosing.clone(),
            data_type: l.data_type,
            action: l.action,
        })
        .collect()
}

/// `R7` for FY2025.
fn era_short(fy: FiscalYear) -> String {
    format!("R{}", fy.year() - 2018)
}

/// Writes text as Shift_JIS (CP932), as Windows Excel saves "CSV".
pub fn write_shift_jis(path: &Path, text: &str) -> anyhow::Result<()> {
    let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(text);
    anyhow::ensure!(!had_errors, "demo text has characters Shift_JIS cannot hold");
    std::fs::write(path, &bytes).with_context(|| format!("{} を書けません", path.display()))
}
