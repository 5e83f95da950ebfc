//! The monthly board report (理事会報告): the month against the previous month and the
//! same month last year, the 13-month trend, use by system, data type, facility kind and
//! municipality, participation by role, concentration, inactive paying members, views and
//! image-server value by hospital, cost per use, budget execution, registered patients,
//! the renewal scenarios, the access-log review's counts, and alerts. Charts are PNGs attached inline by Content-ID; every
//! table also goes out as an xlsx. The use sections are drawn in `usage.rs`, the money
//! sections (image-server value, cost, budget, scenarios) in `money.rs`.

use askama::Template;

mod money;
mod outlook;
mod usage;

pub use money::cost_basis_label;
pub use outlook::METHOD as FORECAST_METHOD;

use super::layout::{Charts, Section};
use super::{Attachment, Rendered};
use crate::domain::table::Table;
use crate::metrics::BoardMetrics;

/// Everything the board templates show, formatted.
#[derive(Debug, Clone)]
pub struct BoardReport {
    /// Network name.
    pub network: String,
    /// `2025年7月`.
    pub month_label: String,
    /// `令和7年度`.
    pub fiscal_label: String,
    /// The decision screen that opens the report.
    pub decisions: Vec<outlook::Decision>,
    /// Things the board should know.
    pub alerts: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// The xlsx file name when attached, or why it is not.
    pub attachment_note: String,
}

#[derive(Template)]
#[template(path = "board/report.html")]
struct BoardHtml<'a> {
    r: &'a BoardReport,
}

#[derive(Template)]
#[template(path = "board/report.txt")]
struct BoardText<'a> {
    r: &'a BoardReport,
}

/// Cut-offs the board report flags (named so a reader of the code sees the policy).
pub(super) mod cut {
    /// A paying member whose use share is under this part of its fee share pays more than it uses.
    pub const UNDER_USE: f64 = 0.5;
    /// Inactive members listed in the email (the rest are in the xlsx).
    pub const INACTIVE_SHOWN: usize = 15;
    /// Municipality → hospital flows listed in the email.
    pub const FLOWS_SHOWN: usize = 10;
}
fn gaps(m: &BoardMetrics, alerts: &mut Vec<String>) {
    let t = &m.monthly;
    if t.last().is_some_and(|r| !r.has_log) {
        alerts.push(format!("{}のアクセスログがありません。取込漏れがないか確かめてください。", m.month.label_ja()));
    }
    let missing: Vec<String> =
        t.iter().take(t.len().saturating_sub(1)).filter(|r| !r.has_log).map(|r| r.month.label_ja()).collect();
    if !missing.is_empty() {
        alerts.push(format!("アクセスログのない月があります: {}", missing.join("、")));
    }
}

/// The access-log review in counts only: the cases themselves go to the privacy officer.
fn review(m: &BoardMetrics) -> Section {
    let r = &m.review;
    let mut s = super::layout::section("アクセスログの点検", &[], Vec::new());
    s.lines.push(match (r.reviewed, r.opened, r.closed, r.violations) {
        (true, Some(opened), Some(closed), Some(violations)) => format!(
            "{}のアクセスログを点検し、確認の要る事案が {opened} 件ありました（完了 {closed} 件、うち違反 {violations} 件）。",
            m.month.label_ja()
        ),
        _ => format!("{}のアクセスログの点検はまだ行われていません。", m.month.label_ja()),
    });
    s.note = "安全管理ガイドライン（システム運用編 §17）の定期的なログの確認です。事案の内容は個人情報保護責任者への報告にだけ載せ、この報告には件数だけを示します。".into();
    s
}

/// The whole message must stay under this; past it the xlsx is left out with a note.
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

/// Renders the board report for `m`: HTML, text, inline charts and the xlsx of every table.
pub fn render(m: &BoardMetrics, network: &str, threshold_yen_per_view: i64) -> anyhow::Result<Rendered> {
    let mut charts = Charts(Vec::new());
    let mut alerts = Vec::new();
    gaps(m, &mut alerts);
    let mut sections = vec![usage::kpis(m), usage::trend(m, &mut charts)?];
    sections.extend(usage::usage_sections(m));
    sections.push(usage::inactive(m, &mut alerts));
    sections.push(usage::hospitals(m, &mut charts)?);
    sections.push(money::image_value(m, threshold_yen_per_view, &mut charts, &mut alerts)?);
    sections.push(money::cost(m, &mut alerts));
    sections.extend(money::money_sections(m));
    sections.push(outlook::use_section(m, &mut charts)?);
    sections.push(outlook::per_view_section(m));
    let mut scenarios = money::scenarios(m, &mut charts)?;
    scenarios.anchor = outlook::anchor::SCENARIOS.into();
    sections.push(scenarios);
    sections.push(outlook::collapse_section(&m.outlook, &mut alerts));
    sections.push(outlook::national_section(m)?);
    sections.push(review(m));

    let report_id = format!("board-{}", m.month);
    let sheets = m.sheets();
    let refs: Vec<(&str, &Table)> = sheets.iter().map(|(n, t)| (*n, t)).collect();
    let xlsx = crate::export::xlsx(&refs)?;
    let xlsx_name = format!("{report_id}.xlsx");
    // base64 grows attachments by 4/3; text parts are small next to the images.
    let inline: usize = charts.0.iter().map(|(_, png)| png.len()).sum();
    let fits = (inline + xlsx.len()) * 4 / 3 + 256 * 1024 < MAX_MESSAGE_BYTES;
    let attachment_note = if fits {
        format!("表はすべて添付の {xlsx_name} にあります（数式は含みません）。")
    } else {
        format!(
            "表の xlsx はメールの大きさの上限（10 MB）を超えるため添付していません。renkei report board --month {} --out DIR で作れます。",
            m.month
        )
    };
    let report = BoardReport {
        network: network.to_string(),
        month_label: m.month.label_ja(),
        fiscal_label: m.month.fiscal_year().label_ja(),
        decisions: outlook::decisions(m),
        alerts,
        sections,
        attachment_note,
    };
    let html = BoardHtml { r: &report }.render()?;
    let text = BoardText { r: &report }.render()?;
    let mut attachments = charts.into_attachments();
    if fits {
        attachments.push(Attachment {
            filename: xlsx_name,
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
            bytes: xlsx,
            content_id: None,
        });
    }
    Ok(Rendered {
        report_id,
        subject: format!("【{}】{} 月次利用報告", report.network, report.month_label),
        html,
        text,
        attachments,
    })
}
