//! The tables behind the yearly municipality reports (市町への報告): one fiscal year of
//! use per municipality, the flows to disclosing hospitals, facilities by kind and role,
//! registered patients, the network's cost and what each municipality paid, and the
//! renewal scenarios. Computed once for the whole network: every municipality's report is
//! a view of the same tables, so the suppression that protects them is network-wide.

use super::rows::{
    CostPerUse, EnrollmentCoverage, MunicipalityFacilities, MunicipalityFlow, MunicipalityPayment, MunicipalityUse,
    SupportBasis,
};
use super::{Param, fetch, fetch_one, scenarios};
use crate::config::Scenario;
use crate::domain::FiscalYear;
use crate::store::Store;

/// One fiscal year of the municipality tables.
#[derive(Debug, Clone)]
pub struct MunicipalityMetrics {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// `municipality_use`: one row per municipality (and その他).
    pub use_: Vec<MunicipalityUse>,
    /// `municipality_flows`: municipality × disclosing facility.
    pub flows: Vec<MunicipalityFlow>,
    /// `municipality_facilities`: municipality × kind, participating / disclosing / viewing.
    pub facilities: Vec<MunicipalityFacilities>,
    /// `municipality_payments`: budget and settled support per municipality.
    pub payments: Vec<MunicipalityPayment>,
    /// `enrollment_coverage` at the fiscal year's last month.
    pub enrollment: Vec<EnrollmentCoverage>,
    /// `cost_per_use` at the fiscal year's last month (the system cost of the year).
    pub cost: CostPerUse,
    /// `municipality_support_basis`: expense, other income, the amount asked of them.
    pub support: SupportBasis,
    /// The renewal scenarios against this year's figures.
    pub scenarios: Vec<scenarios::Outcome>,
}

impl MunicipalityMetrics {
    /// Computes the tables of `fiscal_year`.
    pub fn load(store: &Store, fiscal_year: FiscalYear, config: &[Scenario]) -> anyhow::Result<Self> {
        let fy = [("fiscal_year", Param::FiscalYear(fiscal_year))];
        let last = fiscal_year.last_month();
        let lease = scenarios::Lease::current(config);
        let basis = scenarios::Basis::load(store, last, fiscal_year, lease)?;
        Ok(MunicipalityMetrics {
            fiscal_year,
            use_: fetch(store, &fy)?,
            flows: fetch(store, &fy)?,
            facilities: fetch(store, &fy)?,
            payments: fetch(store, &fy)?,
            enrollment: fetch(store, &[("month", Param::Month(last))])?,
            cost: fetch_one(
                store,
                &[
                    ("month", Param::Month(last)),
                    fy[0],
                    ("lease_years", Param::Integer(i64::from(lease.years))),
                    ("lease_factor", Param::Number(lease.factor)),
                ],
            )?,
            support: fetch_one(store, &fy)?,
            scenarios: scenarios::compute(config, &basis)?,
        })
    }
}
