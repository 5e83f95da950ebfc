//! Rows of the municipality metrics: one fiscal year of use, flows, facilities,
//! payments and the amount asked of the municipalities.

use serde::Deserialize;

/// `municipality_use`: one municipality (or その他) in the fiscal year.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MunicipalityUse {
    /// The municipality, or その他.
    pub municipality: String,
    /// 団体コード.
    pub code: Option<String>,
    /// Population.
    pub population: Option<i64>,
    /// Facilities there that were members in the year.
    pub participating_facilities: i64,
    /// Of those, facilities with a use.
    pub active_facilities: i64,
    /// Views by its facilities.
    pub views: i64,
    /// Patients whose data they viewed.
    pub patients: i64,
}

/// `municipality_flows`: views by one municipality's facilities of one facility's data.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MunicipalityFlow {
    /// The viewers' municipality.
    pub municipality: String,
    /// The disclosing facility.
    pub disclosing_facility: String,
    /// Views.
    pub views: i64,
}

/// `municipality_facilities`: members of one kind in one municipality, by role.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MunicipalityFacilities {
    /// The municipality.
    pub municipality: String,
    /// The kind.
    pub kind: String,
    /// Members.
    pub participating: i64,
    /// Whose data was viewed.
    pub disclosing: i64,
    /// Who viewed.
    pub viewing: i64,
}

/// `municipality_payments`: one municipality's support in the year.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MunicipalityPayment {
    /// The municipality.
    pub municipality: String,
    /// Budgeted.
    pub budget_yen: Option<i64>,
    /// Settled.
    pub settled_yen: Option<i64>,
}

/// The stage of the budget a figure was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 予算.
    Budget,
    /// 決算.
    Settled,
}

/// `municipality_support_basis`: the year's expense, other income and what is asked.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SupportBasis {
    /// The stage used for income and expense alike; `None` without a budget.
    pub stage: Option<Stage>,
    /// Expense.
    pub expense_yen: Option<i64>,
    /// Income other than municipal support.
    pub other_income_yen: Option<i64>,
    /// Fees (roster).
    pub fee_income_yen: Option<i64>,
    /// Expense − other income, at least 0.
    pub required_yen: Option<i64>,
}
