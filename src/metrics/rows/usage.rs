//! Rows of the use metrics: months, systems, data types, kinds, municipalities, roles,
//! concentration, inactive members, disclosing hospitals, flows and coverage.

use serde::Deserialize;

use crate::domain::Month;
use crate::domain::table::Day;

/// `monthly_usage`: one month; counts are `None` when the month has no access log.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MonthlyUsage {
    /// The month.
    pub month: Month,
    /// Whether any access log covers it.
    pub has_log: bool,
    /// Operations.
    pub events: Option<i64>,
    /// Views.
    pub views: Option<i64>,
    /// Image views.
    pub image_views: Option<i64>,
    /// Patients (pseudonyms).
    pub unique_patients: Option<i64>,
    /// Users (pseudonyms).
    pub active_users: Option<i64>,
    /// Facilities with a use (operated, or their data viewed).
    pub active_facilities: Option<i64>,
    /// Members that month (roster).
    pub participating_facilities: i64,
    /// Active ÷ participating.
    pub active_rate: Option<f64>,
}

/// `usage_by_system`: one system in the report month.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SystemUsage {
    /// ID-Link, Team...
    pub system: String,
    /// Operations this month.
    pub events: Option<i64>,
    /// Views this month.
    pub views: Option<i64>,
    /// Facilities with a use this month.
    pub active_facilities: Option<i64>,
    /// Operations the month before (`None` without its log).
    pub events_prev_month: Option<i64>,
    /// Operations the same month a year before (`None` without its log).
    pub events_last_year: Option<i64>,
}

/// `usage_by_data_type`: one data type (画像, 検査...) in the report month.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DataTypeUsage {
    /// The data type.
    pub data_type: String,
    /// Operations.
    pub events: Option<i64>,
    /// Views.
    pub views: Option<i64>,
    /// Patients.
    pub unique_patients: Option<i64>,
    /// Facilities with a use.
    pub active_facilities: Option<i64>,
    /// Operations the month before.
    pub events_prev_month: Option<i64>,
}

/// `usage_by_kind`: members of one facility kind in the report month.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KindUsage {
    /// 病院, 診療所...
    pub kind: String,
    /// Members.
    pub participating_facilities: i64,
    /// Members with a use.
    pub active_facilities: Option<i64>,
    /// Active ÷ participating.
    pub active_rate: Option<f64>,
    /// Operations by their staff.
    pub events: Option<i64>,
    /// Views by their staff.
    pub views: Option<i64>,
}

/// `usage_by_municipality`: members located in one municipality in the report month.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MunicipalityUsage {
    /// Where the facilities are.
    pub municipality: String,
    /// Members.
    pub participating_facilities: i64,
    /// Members with a use.
    pub active_facilities: Option<i64>,
    /// Active ÷ participating.
    pub active_rate: Option<f64>,
    /// Operations by their staff.
    pub events: Option<i64>,
    /// Views by their staff.
    pub views: Option<i64>,
}

/// `participation_by_role`: members of one kind by role over the last 12 months.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RoleParticipation {
    /// The facility kind.
    pub kind: String,
    /// Members.
    pub participating_facilities: i64,
    /// Whose data was viewed (開示).
    pub disclosing_facilities: i64,
    /// Who viewed others' data (閲覧).
    pub viewing_facilities: i64,
    /// Neither.
    pub idle_facilities: i64,
}

/// `concentration`: the last 12 months' operations across members.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Concentration {
    /// Members counted.
    pub facilities: i64,
    /// Operations.
    pub events: i64,
    /// Operations of the ten busiest.
    pub top10_events: i64,
    /// Their share.
    pub top10_share: Option<f64>,
    /// Gini coefficient.
    pub gini: Option<f64>,
}

/// `review_summary`: whether the month's access log was reviewed, and the counts the
/// board sees (None when it was not reviewed: not reviewed is not zero cases).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReviewSummary {
    /// A review of the month ran.
    pub reviewed: bool,
    /// Cases raised.
    pub opened: Option<i64>,
    /// Of them, closed.
    pub closed: Option<i64>,
    /// Of them, confirmed violations.
    pub violations: Option<i64>,
}

/// `inactive_members`: a paying member without use for three months or more.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InactiveMember {
    /// Facility number.
    pub facility_id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: Option<String>,
    /// Where it is.
    pub municipality: Option<String>,
    /// The fiscal year's fee.
    pub fee_yen: i64,
    /// Last use, if any.
    pub last_used: Option<Day>,
    /// No use for 3 months.
    pub idle_3m: bool,
    /// No use for 6 months.
    pub idle_6m: bool,
    /// No use for 12 months.
    pub idle_12m: bool,
}

/// `views_by_hospital`: views of one disclosing facility's data.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HospitalViews {
    /// Facility number.
    pub facility_id: i64,
    /// Name.
    pub name: String,
    /// Has an image-publishing server.
    pub publishes_images: bool,
    /// Views this month.
    pub views: i64,
    /// Image views this month.
    pub image_views: i64,
    /// Views the month before (`None` without its log).
    pub views_prev_month: Option<i64>,
    /// Views a year before (`None` without its log).
    pub views_last_year: Option<i64>,
    /// Image views in the last 12 months.
    pub image_views_12m: i64,
}

/// `flow_matrix`: views from one municipality's facilities of one facility's data.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Flow {
    /// Where the viewers are.
    pub viewing_municipality: String,
    /// Whose data.
    pub disclosing_facility: String,
    /// Views.
    pub views: i64,
    /// Viewing facilities.
    pub viewing_facilities: i64,
}

/// `monthly_coverage`: rows per source and month (yearly sources at April).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MonthlyCoverage {
    /// The input kind (`access_log`...).
    pub source: String,
    /// The month.
    pub month: Month,
    /// Rows.
    pub rows: i64,
}

/// What a `completeness` row says is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Nothing at all for the month.
    Month,
    /// Nothing for the month's fiscal year.
    FiscalYear,
    /// One part (system, hospital, facility) it had the month before.
    Part,
}

/// `completeness`: one thing a source lacks for the report month.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Completeness {
    /// The input kind.
    pub source: String,
    /// What is missing.
    pub scope: Scope,
    /// The part, when `scope` is [`Scope::Part`].
    pub part: Option<String>,
}

/// Which series a `monthly_series` row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesKind {
    /// The whole network.
    Network,
    /// One image-publishing hospital (its data viewed by others).
    Hospital,
}

/// `monthly_series`: one month of one forecast series; counts are `None` when the month has
/// no access log or the hospital had not joined.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SeriesMonth {
    /// The network or a hospital.
    pub series: SeriesKind,
    /// The hospital's facility number (`None` for the network).
    pub facility_id: Option<i64>,
    /// The hospital (`None` for the network).
    pub name: Option<String>,
    /// The month.
    pub month: Month,
    /// Views.
    pub views: Option<i64>,
    /// Image views.
    pub image_views: Option<i64>,
    /// The share of the month the log covers so far (last event's day ÷ days in the month).
    pub covered_share: Option<f64>,
}
