//! The yearly report to each municipality (市町への報告): the facts that justify its
//! share of the network's cost, aggregates only, safe to publish.
//!
//! Every report is a view of one network-wide publication ([`Published`], `publish.rs`),
//! its share of the cost comes from published figures only (`share.rs`), and its sections
//! are laid out in `sections.rs`; this file renders them as HTML, text and the PDF.

mod publish;
mod sections;
mod share;

use askama::Template;
use serde::Serialize;

pub use publish::{OTHER, Published, Town};
use sections::{facilities_section, flows_section, scenario_section, share_section, use_section};
pub use share::{allocate, shares};

use super::format::{change_of, count, percent, percent_or_dash, yen};
use super::layout::{Charts, Section};
use super::suppress::Shown;
use super::{Attachment, Rendered};
use crate::config::ShareWeights;
use crate::metrics::municipality::MunicipalityMetrics;

/// Everything one municipality's report shows, formatted (HTML, text and PDF alike).
#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityReport {
    /// Network name.
    pub network: String,
    /// The municipality.
    pub municipality: String,
    /// `令和7年度`.
    pub fiscal_label: String,
    /// `2025年4月〜2026年3月`.
    pub period: String,
    /// The key facts, one sentence each.
    pub summary: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// How to read the figures (suppression, definitions).
    pub notes: Vec<String>,
    /// The PDF's file name.
    pub pdf_name: String,
}

#[derive(Template)]
#[template(path = "municipality/report.html")]
struct ReportHtml<'a> {
    r: &'a MunicipalityReport,
}

#[derive(Template)]
#[template(path = "municipality/report.txt")]
struct ReportText<'a> {
    r: &'a MunicipalityReport,
}

/// The typst template of the PDF; it reads `data.json` (a [`MunicipalityReport`]).
const PDF_TEMPLATE: &str = include_str!("../../../templates/municipality/report.typ");

/// What the municipality reports need besides the metrics.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// `[report] network_name`.
    pub network: &'a str,
    /// `[municipality_share]`.
    pub weights: &'a ShareWeights,
}

/// The year's figures and the year before's, computed and protected once for all reports.
pub struct Year<'a> {
    /// This fiscal year's metrics.
    pub now: &'a MunicipalityMetrics,
    /// This fiscal year, published.
    pub published: Published,
    /// The year before, published (as its own reports showed it).
    pub before: Published,
}

impl<'a> Year<'a> {
    /// Protects both years.
    pub fn new(now: &'a MunicipalityMetrics, before: &MunicipalityMetrics) -> Year<'a> {
        Year { now, published: Published::of(now), before: Published::of(before) }
    }
}

/// A shown count as text, or `—` for no value.
fn shown_text(s: Option<Shown>) -> String {
    s.map_or_else(|| "—".to_string(), Shown::text)
}

/// The change between two published counts, only when both are shown exactly.
fn shown_change(now: Option<Shown>, before: Option<Shown>) -> String {
    change_of(now.and_then(Shown::value), before.and_then(Shown::value))
}

fn rate(t: &Town) -> Option<f64> {
    (t.participating > 0).then(|| t.active as f64 / t.participating as f64)
}

/// Registered ÷ population, only when the registered count is shown exactly.
fn coverage(t: &Town) -> Option<f64> {
    match (t.registered.and_then(Shown::value), t.population) {
        (Some(r), Some(p)) if p > 0 => Some(r as f64 / p as f64),
        _ => None,
    }
}

/// Renders every listed municipality's report (or only `only`).
pub fn render_all(year: &Year, opts: &Options, only: Option<&str>) -> anyhow::Result<Vec<(String, Rendered)>> {
    let names: Vec<String> = year.published.municipalities().map(|t| t.name.clone()).collect();
    if let Some(wanted) = only
        && !names.iter().any(|n| n == wanted)
    {
        return Err(crate::error::Problem::new(format!("市町「{wanted}」は市町の表にありません"))
            .hint(format!(
                "市町の表にある名前で指定してください（{}）",
                if names.is_empty() { "市町の表が未登録です".to_string() } else { names.join("、") }
            ))
            .into());
    }
    names
        .iter()
        .filter(|n| only.is_none_or(|w| w == n.as_str()))
        .map(|n| Ok((n.clone(), render(year, opts, n)?)))
        .collect()
}

/// Renders the report of the municipality `name`.
pub fn render(year: &Year, opts: &Options, name: &str) -> anyhow::Result<Rendered> {
    let m = year.now;
    let p = &year.published;
    let town = p.town(name).ok_or_else(|| anyhow::anyhow!("{name} is not in the published towns"))?;
    let before = year.before.town(name);
    let fy = m.fiscal_year;
    let fy_label = fy.label_ja();
    let prev_label = crate::domain::FiscalYear::new(fy.year() - 1).label_ja();
    let code = fy.year();
    let report_id = format!("municipality-{code}-{}", town_code(m, name));
    let pdf_name = format!("{report_id}.pdf");

    let shares = shares(p, opts.weights);
    let towns: Vec<&Town> = p.municipalities().collect();
    let me = towns.iter().position(|t| t.name == name).unwrap_or(0);
    let required = m.support.required_yen.unwrap_or(0);
    let proposed = allocate(required, &shares);
    let paid: Vec<Option<i64>> = towns.iter().map(|t| paid(m, &t.name)).collect();
    let basis_total: f64 = towns.iter().map(|t| t.use_basis).sum();
    let use_share = |t: &Town| if basis_total > 0.0 { t.use_basis / basis_total } else { 0.0 };

    let mut summary = vec![
        format!(
            "{name}の参加施設 {} 施設のうち {} 施設が{fy_label}に利用しました（稼働施設率 {}）。",
            count(town.participating),
            count(town.active),
            percent_or_dash(rate(town))
        ),
        format!(
            "{name}の施設による閲覧は {} 件、ネットワーク全体では {} 件です（負担割合の計算に用いる利用割合 {}）。",
            town.views.text(),
            p.total_views.text(),
            percent(use_share(town))
        ),
    ];
    summary.push(match paid[me] {
        Some(yen_paid) => format!(
            "負担案は {}（負担割合 {}）、{fy_label}の負担は {} です。",
            yen(proposed[me], false),
            percent(shares[me]),
            yen(yen_paid, false)
        ),
        None => format!(
            "負担案は {}（負担割合 {}）です。{fy_label}の予算・決算に{name}の負担金の行はありません。",
            yen(proposed[me], false),
            percent(shares[me])
        ),
    });

    let mut charts = Charts(Vec::new());
    let mut sections = vec![
        facilities_section(town),
        use_section(town, before, p, &year.before, &fy_label, &prev_label),
        flows_section(p, town),
    ];
    sections.push(share_section(m, p, opts.weights, town, &shares, &proposed, &paid, &mut charts)?);
    sections.push(scenario_section(m, &shares, me, name));

    let notes = vec![
        "「<10」は1〜9、「＊」は他の数値から逆算されないよう伏せた10以上の値です（0はそのまま示します）。閲覧件数・患者数・登録患者数が対象で、関係市町すべての報告書とネットワーク全体の合計を合わせても伏せた値が分からないように選んでいます。".to_string(),
        "施設数は協議会が公開している参加施設名簿の数のため、伏せていません。".to_string(),
        "患者数は仮名化したIDで数えた重複のない人数です。市町をまたいで同じ患者が数えられるため、市町の合計はネットワーク全体の患者数と一致しません。".to_string(),
        "稼働施設＝年度中に1件以上利用した施設。稼働施設率＝稼働施設 ÷ 年度中に参加していた施設。".to_string(),
    ];
    let report = MunicipalityReport {
        network: opts.network.to_string(),
        municipality: name.to_string(),
        fiscal_label: fy_label.clone(),
        period: format!("{}年4月〜{}年3月", code, code + 1),
        summary,
        sections,
        notes,
        pdf_name: pdf_name.clone(),
    };
    let html = ReportHtml { r: &report }.render()?;
    let text = ReportText { r: &report }.render()?;
    let mut files: Vec<(String, Vec<u8>)> = vec![("data.json".into(), serde_json::to_vec(&report)?)];
    files.extend(charts.0.iter().map(|(c, png)| (format!("{}.png", c.cid), png.clone())));
    let pdf = super::pdf::typeset(PDF_TEMPLATE, files)?;
    let mut attachments = charts.into_attachments();
    attachments.push(Attachment {
        filename: pdf_name,
        content_type: "application/pdf".into(),
        bytes: pdf,
        content_id: None,
    });
    Ok(Rendered {
        report_id,
        subject: format!("【{}】{fy_label} {name} 利用状況と負担のご報告", opts.network),
        html,
        text,
        attachments,
    })
}

/// The municipality's code for ASCII file names (`152251`), or its position when it has none.
fn town_code(m: &MunicipalityMetrics, name: &str) -> String {
    let row = m.use_.iter().position(|r| r.municipality == name);
    match row.and_then(|r| m.use_[r].code.clone()).filter(|c| !c.is_empty() && c.is_ascii()) {
        Some(c) => c,
        None => format!("{}", row.unwrap_or(0) + 1),
    }
}

/// What the municipality paid in the year: settled, else budgeted.
fn paid(m: &MunicipalityMetrics, name: &str) -> Option<i64> {
    let r = m.payments.iter().find(|r| r.municipality == name)?;
    r.settled_yen.or(r.budget_yen)
}
