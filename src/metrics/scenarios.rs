//! Renewal scenarios (更新案): the `[[scenarios]]` of renkei.toml computed against the
//! council's own numbers. Each option's capital comes from the config (`capital_yen`, or a
//! breakdown in `grades`) or else from the loaded quotes, taking the 画像公開 grade for the
//! hospitals that keep publishing images and the other grade for everyone else.
//!
//! Annual cost = lease (`annual_lease_yen`, or capital × `lease_factor` ÷ `lease_years`)
//! plus running lines × (1 − `margin`). Views lost = the access-log image views, last 12
//! months, of hospitals that stop publishing. Break-even = what each paying member's fee
//! must change by for fees plus municipal support to cover that annual system cost.

use crate::config::Scenario;
use crate::domain::table::{Cell, Table};
use crate::domain::{FiscalYear, Month};
use crate::error::Problem;
use crate::store::Store;

use super::rows::{RenewalQuote, ScenarioBasis};
use super::{Param, fetch, fetch_one};

/// Lease years when a scenario gives none.
pub const DEFAULT_LEASE_YEARS: u32 = 5;

/// How capital turns into a yearly amount.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lease {
    /// Lease term in years.
    pub years: u32,
    /// Total lease payments ÷ capital (1.0 = no interest).
    pub factor: f64,
}

impl Lease {
    /// The lease of the first scenario (the status quo by convention), or 5 years at 1.0.
    pub fn current(scenarios: &[Scenario]) -> Lease {
        let first = scenarios.first();
        Lease {
            years: first.and_then(|s| s.lease_years).unwrap_or(DEFAULT_LEASE_YEARS).max(1),
            factor: first.and_then(|s| s.lease_factor).unwrap_or(1.0),
        }
    }

    /// The yearly amount of `capital`.
    pub fn annual(self, capital: i64) -> i64 {
        (capital as f64 * self.factor / f64::from(self.years)).round() as i64
    }
}

/// One scenario, computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The scenario's name.
    pub name: String,
    /// Capital cost (円), when known.
    pub capital_yen: Option<i64>,
    /// Where the capital came from: 設定, 内訳 or 見積.
    pub capital_source: &'static str,
    /// Lease per year (円).
    pub annual_lease_yen: i64,
    /// Running cost per year after the margin (円).
    pub running_yen: i64,
    /// Lease + running (円 per year).
    pub annual_cost_yen: i64,
    /// Hospitals that stop publishing images.
    pub dropped: Vec<String>,
    /// Image views of those hospitals in the last 12 months (access log).
    pub image_views_lost: i64,
    /// Views that remain (last 12 months minus those lost).
    pub views_remaining: i64,
    /// Annual cost ÷ remaining views.
    pub yen_per_remaining_view: Option<i64>,
    /// Change of each paying member's yearly fee needed to break even (円; + is a rise).
    pub fee_change_per_member: Option<i64>,
    /// The fiscal year's fee income (円), which the shortfall is reckoned against.
    pub fee_income_yen: i64,
    /// What fees leave uncovered: annual cost − fee income (円; the support to ask the
    /// municipalities for, when positive).
    pub shortfall_yen: i64,
}

/// The council's numbers every scenario is computed against.
#[derive(Debug, Clone)]
pub struct Basis {
    /// The month whose last 12 months count the views.
    pub month: Month,
    /// The fiscal year of fees and support.
    pub fiscal_year: FiscalYear,
    /// `renewal_quotes` for `month`.
    pub quotes: Vec<RenewalQuote>,
    /// `scenario_basis`.
    pub totals: ScenarioBasis,
}

impl Basis {
    /// Reads the basis from the store; `lease` decides which quotes are under lease.
    pub fn load(store: &Store, month: Month, fiscal_year: FiscalYear, lease: Lease) -> anyhow::Result<Basis> {
        Ok(Basis {
            month,
            fiscal_year,
            quotes: fetch(
                store,
                &[("month", Param::Month(month)), ("lease_years", Param::Integer(i64::from(lease.years)))],
            )?,
            totals: fetch_one(
                store,
                &[("month", Param::Month(month)), ("fiscal_year", Param::FiscalYear(fiscal_year))],
            )?,
        })
    }
}

/// Computes every scenario; a hospital name in `publishing_hospitals` that is neither in
/// the quotes nor a publishing facility is an error naming the scenario.
pub fn compute(scenarios: &[Scenario], basis: &Basis) -> Result<Vec<Outcome>, Problem> {
    scenarios.iter().map(|s| compute_one(s, basis)).collect()
}

fn compute_one(s: &Scenario, basis: &Basis) -> Result<Outcome, Problem> {
    let q = &basis.quotes;
    if let Some(keep) = &s.publishing_hospitals {
        for wanted in keep {
            if !q.iter().any(|r| r.name == *wanted) {
                let known: Vec<&str> = q.iter().filter(|r| r.publishes_images).map(|r| r.name.as_str()).collect();
                return Err(Problem::new(format!(
                    "更新案「{}」の publishing_hospitals にある「{wanted}」が見積にも施設にもありません",
                    s.name
                ))
                .hint(format!(
                    "名簿・見積と同じ施設名で書いてください（画像公開中の施設: {}）",
                    if known.is_empty() { "なし".to_string() } else { known.join("、") }
                )));
            }
        }
    }
    let keeps = |r: &RenewalQuote| match &s.publishing_hospitals {
        Some(list) => list.contains(&r.name),
        None => r.publishes_images,
    };
    let dropped: Vec<&RenewalQuote> = q.iter().filter(|r| r.publishes_images && !keeps(r)).collect();

    let (capital_yen, capital_source) = if let Some(c) = s.capital_yen {
        (Some(c), "設定")
    } else if !s.grades.is_empty() {
        (Some(s.grades.values().sum()), "内訳")
    } else if q.is_empty() {
        (None, "見積なし")
    } else {
        let per = |r: &RenewalQuote| {
            let (image, standard) = (r.image_grade_yen, r.standard_grade_yen);
            if keeps(r) { image.or(standard) } else { standard.or(image) }.unwrap_or(0)
        };
        (Some(q.iter().map(per).sum()), "見積")
    };
    let lease =
        Lease { years: s.lease_years.unwrap_or(DEFAULT_LEASE_YEARS).max(1), factor: s.lease_factor.unwrap_or(1.0) };
    let annual_lease_yen = s.annual_lease_yen.or(capital_yen.map(|c| lease.annual(c))).unwrap_or(0);
    let running: i64 = s.running.values().sum();
    let running_yen = (running as f64 * (1.0 - s.margin.unwrap_or(0.0))).round() as i64;
    let annual_cost_yen = annual_lease_yen + running_yen;

    let t = &basis.totals;
    let image_views_lost: i64 = dropped.iter().map(|r| r.image_views_12m).sum();
    let views_remaining = (t.views_12m - image_views_lost).max(0);
    let members = t.paying_members;
    let income = t.fee_income_yen + t.municipal_support_yen;
    Ok(Outcome {
        name: s.name.clone(),
        capital_yen,
        capital_source,
        annual_lease_yen,
        running_yen,
        annual_cost_yen,
        dropped: dropped.iter().map(|r| r.name.clone()).collect(),
        image_views_lost,
        views_remaining,
        yen_per_remaining_view: (views_remaining > 0)
            .then(|| (annual_cost_yen as f64 / views_remaining as f64).round() as i64),
        fee_change_per_member: (members > 0)
            .then(|| ((annual_cost_yen - income) as f64 / members as f64).round() as i64),
        fee_income_yen: t.fee_income_yen,
        shortfall_yen: annual_cost_yen - t.fee_income_yen,
    })
}

/// The outcomes as a table (for `renkei scenarios`, the xlsx and the board report).
pub fn table(outcomes: &[Outcome]) -> Table {
    let opt = |v: Option<i64>| v.map_or(Cell::Null, Cell::Int);
    Table {
        columns: [
            "更新案",
            "更新費（円）",
            "更新費の出典",
            "リース年額（円）",
            "運営費（円／年）",
            "年間費用（円）",
            "画像公開をやめる病院",
            "失われる画像閲覧（件／12か月）",
            "残る閲覧（件／12か月）",
            "残る閲覧1件あたり（円）",
            "収支均衡に要る会費の増減（円／施設・年）",
        ]
        .map(String::from)
        .to_vec(),
        rows: outcomes
            .iter()
            .map(|o| {
                vec![
                    Cell::Text(o.name.clone()),
                    opt(o.capital_yen),
                    Cell::Text(o.capital_source.to_string()),
                    Cell::Int(o.annual_lease_yen),
                    Cell::Int(o.running_yen),
                    Cell::Int(o.annual_cost_yen),
                    Cell::Text(o.dropped.join("、")),
                    Cell::Int(o.image_views_lost),
                    Cell::Int(o.views_remaining),
                    opt(o.yen_per_remaining_view),
                    opt(o.fee_change_per_member),
                ]
            })
            .collect(),
    }
}
