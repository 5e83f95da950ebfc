//! Rows of the money metrics: cost per use, image-server value, fee fairness, budget
//! execution, registered patients, renewal quotes and the scenarios' basis.

use serde::Deserialize;

/// Where `cost_per_use` took the year's running cost from (`running_cost` in
/// `queries/schema/003_definitions.sql`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostBasis {
    /// The year's invoices and contracts.
    Invoices,
    /// The year's budget line for the system contract.
    Budget,
    /// The latest earlier year's invoices.
    EarlierInvoices,
}

/// `cost_per_use`: the year's system cost per view, active facility, patient, resident.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CostPerUse {
    /// The fiscal year.
    pub fiscal_year: i64,
    /// Running cost of the year.
    pub running_cost_yen: Option<i64>,
    /// Where the running cost came from.
    pub cost_basis: Option<CostBasis>,
    /// The fiscal year of that source.
    pub cost_basis_year: Option<i64>,
    /// Server renewal per year (quotes under lease).
    pub server_annual_yen: Option<i64>,
    /// Running + server.
    pub system_cost_yen: Option<i64>,
    /// Includes approximate (約) amounts.
    pub approximate: bool,
    /// Months of the last 12 with an access log.
    pub months_with_log: i64,
    /// Views in the last 12 months (`None` without any log).
    pub views_12m: Option<i64>,
    /// Facilities with a use in the last 12 months.
    pub active_facilities_12m: Option<i64>,
    /// Latest registered patients.
    pub registered_patients: Option<i64>,
    /// Population of the listed municipalities.
    pub residents: Option<i64>,
    /// System cost ÷ views.
    pub yen_per_view: Option<i64>,
    /// System cost ÷ active facilities.
    pub yen_per_active_facility: Option<i64>,
    /// System cost ÷ registered patients.
    pub yen_per_registered_patient: Option<i64>,
    /// System cost ÷ residents.
    pub yen_per_resident: Option<i64>,
}

/// Where `image_server_value` counted a hospital's image views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewsSource {
    /// The image-view counts sheet.
    ImageViews,
    /// The access log's image views.
    AccessLog,
}

/// `image_server_value`: one publishing hospital, ranked by yen per image view.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImageServerValue {
    /// Rank (highest yen per view first; those without one last).
    pub rank: i64,
    /// Fiscal year of the quotes used.
    pub quote_fiscal_year: Option<i64>,
    /// Facility number.
    pub facility_id: i64,
    /// Name.
    pub name: String,
    /// Quote at the image-publishing grade.
    pub image_grade_yen: Option<i64>,
    /// Quote at the standard grade.
    pub standard_grade_yen: Option<i64>,
    /// The difference per year of lease.
    pub extra_annual_yen: Option<i64>,
    /// Image views in the last 12 months.
    pub image_views_12m: i64,
    /// Where they were counted.
    pub views_source: ViewsSource,
    /// Extra per year ÷ image views.
    pub yen_per_image_view: Option<i64>,
    /// Above `[report] threshold_yen_per_view`.
    pub over_threshold: Option<bool>,
}

/// `fee_fairness`: one paying member's share of fees against its share of use.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FeeFairness {
    /// Facility number.
    pub facility_id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: Option<String>,
    /// Fee of the year.
    pub fee_yen: i64,
    /// Share of all fees.
    pub fee_share: f64,
    /// Uses (operated, or its data viewed).
    pub uses: i64,
    /// Share of all uses.
    pub use_share: Option<f64>,
    /// Use share ÷ fee share.
    pub use_to_fee: Option<f64>,
}

/// The part of the budget a `budget_execution` row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetSection {
    /// 収入.
    Income,
    /// 支出.
    Expense,
    /// 差引 (income − expense).
    Balance,
}

/// `budget_execution`: one line (or a section's total when `item` is `None`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BudgetLine {
    /// The fiscal year shown (the latest with a budget up to the one asked).
    pub fiscal_year: Option<i64>,
    /// Income, expense or balance.
    pub section: BudgetSection,
    /// The item; `None` for the section's total.
    pub item: Option<String>,
    /// Budget.
    pub budget_yen: Option<i64>,
    /// Settled.
    pub settled_yen: Option<i64>,
}

/// `enrollment_coverage`: registered patients of one municipality, or of all (`None`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EnrollmentCoverage {
    /// The municipality; `None` for the whole network.
    pub municipality: Option<String>,
    /// Registered patients.
    pub registered_patients: i64,
    /// Population.
    pub population: Option<i64>,
    /// Registered ÷ population.
    pub coverage: Option<f64>,
    /// Patients whose data was viewed in the last 12 months (whole network only).
    pub shared_patients_12m: Option<i64>,
    /// Those ÷ registered (whole network only).
    pub shared_rate: Option<f64>,
}

/// `renewal_quotes`: one facility's (or item's) quotes by grade.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RenewalQuote {
    /// Facility number; `None` for an item of no facility.
    pub facility_id: Option<i64>,
    /// Facility name or item.
    pub name: String,
    /// Publishes images today.
    pub publishes_images: bool,
    /// Quote at the image-publishing grade.
    pub image_grade_yen: Option<i64>,
    /// Quote at the standard grade.
    pub standard_grade_yen: Option<i64>,
    /// Includes approximate amounts.
    pub approximate: bool,
    /// Image views of its data in the last 12 months (access log).
    pub image_views_12m: i64,
}

/// `scenario_basis`: the council's figures every renewal scenario is set against.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ScenarioBasis {
    /// Views in the last 12 months.
    pub views_12m: i64,
    /// Members paying a fee.
    pub paying_members: i64,
    /// Their fees.
    pub fee_income_yen: i64,
    /// Municipal support (latest year).
    pub municipal_support_yen: i64,
}
