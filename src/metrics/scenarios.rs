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
use crate::domain::{FiscalYear, Month};
use crate::error::Problem;
use crate::store::{Store, Table};

use super::{Param, run};

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
}

/// The council's numbers every scenario is computed against.
#[derive(Debug, Clone)]
pub struct Basis {
    /// The month whose last 12 months count the views.
    pub month: Month,
    /// The fiscal year of fees and support.
    pub fiscal_year: FiscalYear,
    /// `renewal_quotes` for `month`.
    pub quotes: Table,
    /// `scenario_basis` (one row).
    pub totals: Table,
}

impl Basis {
    /// Reads the basis from the store.
    pub fn load(store: &Store, month: Month, fiscal_year: FiscalYear) -> anyhow::Result<Basis> {
        Ok(Basis {
            month,
            fiscal_year,
            quotes: run(store, "renewal_quotes", &[("month", Param::Month(month))])?,
            totals: run(
                store,
                "scenario_basis",
                &[("month", Param::Month(month)), ("fiscal_year", Param::FiscalYear(fiscal_year))],
            )?,
        })
    }

    fn total(&self, col: &str) -> i64 {
        self.totals.get(0, col).as_i64().unwrap_or(0)
    }
}

/// Computes every scenario; a hospital name in `publishing_hospitals` that is neither in
/// the quotes nor a publishing facility is an error naming the scenario.
pub fn compute(scenarios: &[Scenario], basis: &Basis) -> Result<Vec<Outcome>, Problem> {
    scenarios.iter().map(|s| compute_one(s, basis)).collect()
}

fn compute_one(s: &Scenario, basis: &Basis) -> Result<Outcome, Problem> {
    let q = &basis.quotes;
    let rows = 0..q.rows.len();
    let name_of = |r: usize| q.get(r, "name").as_str().unwrap_or("").to_string();
    let publishes = |r: usize| q.get(r, "publishes_images").as_bool().unwrap_or(false);
    if let Some(keep) = &s.publishing_hospitals {
        for wanted in keep {
            if !rows.clone().any(|r| name_of(r) == *wanted) {
                let known: Vec<String> = rows.clone().filter(|r| publishes(*r)).map(name_of).collect();
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
    let keeps = |r: usize| match &s.publishing_hospitals {
        Some(list) => list.contains(&name_of(r)),
        None => publishes(r),
    };
    let dropped: Vec<usize> = rows.clone().filter(|r| publishes(*r) && !keeps(*r)).collect();

    let (capital_yen, capital_source) = if let Some(c) = s.capital_yen {
        (Some(c), "設定")
    } else if !s.grades.is_empty() {
        (Some(s.grades.values().sum()), "内訳")
    } else if q.rows.is_empty() {
        (None, "見積なし")
    } else {
        let per = |r: usize| {
            let image = q.get(r, "image_grade_yen").as_i64();
            let standard = q.get(r, "standard_grade_yen").as_i64();
            if keeps(r) { image.or(standard) } else { standard.or(image) }.unwrap_or(0)
        };
        (Some(rows.clone().map(per).sum()), "見積")
    };
    let lease =
        Lease { years: s.lease_years.unwrap_or(DEFAULT_LEASE_YEARS).max(1), factor: s.lease_factor.unwrap_or(1.0) };
    let annual_lease_yen = s.annual_lease_yen.or(capital_yen.map(|c| lease.annual(c))).unwrap_or(0);
    let running: i64 = s.running.values().sum();
    let running_yen = (running as f64 * (1.0 - s.margin.unwrap_or(0.0))).round() as i64;
    let annual_cost_yen = annual_lease_yen + running_yen;

    let image_views_lost: i64 = dropped.iter().map(|r| q.get(*r, "image_views_12m").as_i64().unwrap_or(0)).sum();
    let views_remaining = (basis.total("views_12m") - image_views_lost).max(0);
    let members = basis.total("paying_members");
    let income = basis.total("fee_income_yen") + basis.total("municipal_support_yen");
    Ok(Outcome {
        name: s.name.clone(),
        capital_yen,
        capital_source,
        annual_lease_yen,
        running_yen,
        annual_cost_yen,
        dropped: dropped.into_iter().map(name_of).collect(),
        image_views_lost,
        views_remaining,
        yen_per_remaining_view: (views_remaining > 0)
            .then(|| (annual_cost_yen as f64 / views_remaining as f64).round() as i64),
        fee_change_per_member: (members > 0)
            .then(|| ((annual_cost_yen - income) as f64 / members as f64).round() as i64),
    })
}

/// The outcomes as a table (for `renkei scenarios`, the xlsx and the board report).
pub fn table(outcomes: &[Outcome]) -> Table {
    use crate::store::Cell;
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
