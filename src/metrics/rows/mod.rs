//! The row type of every query in `queries/metrics/`, decoded strictly
//! ([`super::decode`]): a field per `-- col:` line, `Option` where SQL may give NULL
//! (a month without data is NULL there, never 0). Codes that SQL hands to Rust are enums
//! with English names, so no Japanese literal crosses the seam.
//!
//! [`TYPED`] lists every metric with its row type; a test runs each one on the demo store.

mod money;
mod municipality;
mod usage;

use serde::de::DeserializeOwned;

pub use money::*;
pub use municipality::*;
pub use usage::*;

use super::decode::{self, DecodeError};
use crate::domain::table::Table;

/// A row of one metric query.
pub trait Metric: DeserializeOwned {
    /// The query's file stem in `queries/metrics/`.
    const QUERY: &'static str;
}

/// Decodes a table of `T`'s query.
pub type Check = fn(&Table) -> Result<(), DecodeError>;

macro_rules! metric_rows {
    ($($query:literal => $ty:ident),* $(,)?) => {
        $(impl Metric for $ty { const QUERY: &'static str = $query; })*
        /// Every metric query with a decoder of its row type (for the test that runs them all).
        pub const TYPED: &[(&str, Check)] = &[$(($query, |t| decode::rows::<$ty>(t).map(|_| ()))),*];
    };
}

metric_rows! {
    "monthly_usage" => MonthlyUsage,
    "usage_by_system" => SystemUsage,
    "usage_by_kind" => KindUsage,
    "views_by_hospital" => HospitalViews,
    "usage_by_data_type" => DataTypeUsage,
    "usage_by_municipality" => MunicipalityUsage,
    "participation_by_role" => RoleParticipation,
    "concentration" => Concentration,
    "inactive_members" => InactiveMember,
    "flow_matrix" => Flow,
    "cost_per_use" => CostPerUse,
    "image_server_value" => ImageServerValue,
    "fee_fairness" => FeeFairness,
    "budget_execution" => BudgetLine,
    "enrollment_coverage" => EnrollmentCoverage,
    "renewal_quotes" => RenewalQuote,
    "scenario_basis" => ScenarioBasis,
    "monthly_coverage" => MonthlyCoverage,
    "completeness" => Completeness,
    "municipality_use" => MunicipalityUse,
    "municipality_flows" => MunicipalityFlow,
    "municipality_facilities" => MunicipalityFacilities,
    "municipality_payments" => MunicipalityPayment,
    "municipality_support_basis" => SupportBasis,
    "review_summary" => ReviewSummary,
    "monthly_series" => SeriesMonth,
}
