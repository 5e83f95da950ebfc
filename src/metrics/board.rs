//! The board report's metrics: every table of the monthly report for one month, decoded
//! into typed rows, with the same results kept as tables (Japanese column descriptions)
//! for the xlsx attachment.

use super::rows::{self, Metric};
use super::{Param, fetch_with_table, find, only_row, outlook, scenarios};
use crate::domain::Month;
use crate::domain::table::Table;
use crate::store::Store;

/// Everything the monthly board report shows, computed for one month.
#[derive(Debug, Clone)]
pub struct BoardMetrics {
    /// The report month.
    pub month: Month,
    /// 13 months ending with the report month, plus the same month a year earlier first.
    pub monthly: Vec<rows::MonthlyUsage>,
    /// Use by system.
    pub by_system: Vec<rows::SystemUsage>,
    /// Use by data type.
    pub by_data_type: Vec<rows::DataTypeUsage>,
    /// Participation and use by facility kind.
    pub by_kind: Vec<rows::KindUsage>,
    /// Participation and use by municipality.
    pub by_municipality: Vec<rows::MunicipalityUsage>,
    /// Disclosing and viewing facilities by kind.
    pub by_role: Vec<rows::RoleParticipation>,
    /// Top-10 share and Gini of the last 12 months.
    pub concentration: rows::Concentration,
    /// Paying members with no use for 3 months or more.
    pub inactive: Vec<rows::InactiveMember>,
    /// Views by disclosing hospital.
    pub by_hospital: Vec<rows::HospitalViews>,
    /// Viewing municipality × disclosing facility, last 12 months.
    pub flows: Vec<rows::Flow>,
    /// System cost per view, active facility, registered patient and resident.
    pub cost: rows::CostPerUse,
    /// Image-server value per publishing hospital.
    pub image_value: Vec<rows::ImageServerValue>,
    /// Fee share against use share.
    pub fees: Vec<rows::FeeFairness>,
    /// Budget against settled for the fiscal year.
    pub budget: Vec<rows::BudgetLine>,
    /// Registered patients and 人口カバー率.
    pub enrollment: Vec<rows::EnrollmentCoverage>,
    /// The renewal scenarios, computed.
    pub scenarios: Vec<scenarios::Outcome>,
    /// The access-log review's counts (the cases themselves go to the privacy officer only).
    pub review: rows::ReviewSummary,
    /// Use forecast over the lease, collapse alerts and cost per view by scenario and server.
    pub outlook: outlook::Outlook,
    /// The same results as tables, for the xlsx: (sheet name, query, table).
    tables: Vec<(&'static str, &'static str, Table)>,
}

impl BoardMetrics {
    /// Every table, headed with the Japanese column descriptions of its query, with a
    /// sheet name (for the xlsx attachment).
    pub fn sheets(&self) -> Vec<(&'static str, Table)> {
        let mut out: Vec<(&'static str, Table)> =
            self.tables.iter().map(|(sheet, query, t)| (*sheet, with_descriptions(query, t))).collect();
        out.push(("更新案", scenarios::table(&self.scenarios)));
        out
    }
}

/// `t` with each column renamed to its `-- col:` description in `queries/metrics/NAME.sql`.
pub fn with_descriptions(query: &str, t: &Table) -> Table {
    let docs = find(query).map(|q| q.columns()).unwrap_or_default();
    let columns = t
        .columns
        .iter()
        .map(|c| docs.iter().find(|(n, _)| n == c).map_or_else(|| c.clone(), |(_, d)| d.to_string()))
        .collect();
    Table { columns, rows: t.rows.clone() }
}

/// Report settings the board metrics need from renkei.toml.
#[derive(Debug, Clone)]
pub struct BoardOptions<'a> {
    /// `[[scenarios]]`; the first one's lease annualizes quotes.
    pub scenarios: &'a [crate::config::Scenario],
    /// `[report] threshold_yen_per_view`.
    pub threshold_yen_per_view: i64,
}

/// Collects each metric's table beside its rows, under its xlsx sheet name.
struct Collect<'s> {
    store: &'s Store,
    tables: Vec<(&'static str, &'static str, Table)>,
}

impl Collect<'_> {
    fn rows<T: Metric>(&mut self, sheet: &'static str, params: &[(&str, Param)]) -> anyhow::Result<Vec<T>> {
        let (rows, table) = fetch_with_table::<T>(self.store, params)?;
        self.tables.push((sheet, T::QUERY, table));
        Ok(rows)
    }
    fn one<T: Metric>(&mut self, sheet: &'static str, params: &[(&str, Param)]) -> anyhow::Result<T> {
        only_row(self.rows::<T>(sheet, params)?)
    }
}

/// Computes the board report's tables for `month`.
pub fn board(store: &Store, month: Month, opts: &BoardOptions) -> anyhow::Result<BoardMetrics> {
    let fy = month.fiscal_year();
    let lease = scenarios::Lease::current(opts.scenarios);
    let m = [("month", Param::Month(month))];
    let lease_params =
        [("lease_years", Param::Integer(i64::from(lease.years))), ("lease_factor", Param::Number(lease.factor))];
    let basis = scenarios::Basis::load(store, month, fy, lease)?;
    let mut c = Collect { store, tables: Vec::new() };
    let monthly =
        c.rows("月別利用", &[("from_month", Param::Month(month.plus(-12))), ("to_month", Param::Month(month))])?;
    let by_system = c.rows("システム別", &m)?;
    let by_data_type = c.rows("情報の種類別", &m)?;
    let by_kind = c.rows("施設種別", &m)?;
    let by_municipality = c.rows("市町別", &m)?;
    let by_role = c.rows("役割別", &m)?;
    let concentration = c.one("集中度", &m)?;
    let inactive = c.rows("未利用の会員", &m)?;
    let by_hospital = c.rows("開示施設別", &m)?;
    let flows = c.rows("市町×開示施設", &m)?;
    let cost =
        c.one("利用あたり費用", &[m[0], ("fiscal_year", Param::FiscalYear(fy)), lease_params[0], lease_params[1]])?;
    let image_value = c.rows(
        "画像サーバーの価値",
        &[m[0], lease_params[0], lease_params[1], ("threshold_yen", Param::Integer(opts.threshold_yen_per_view))],
    )?;
    let fees = c.rows("会費の公平性", &[("fiscal_year", Param::FiscalYear(fy))])?;
    let budget = c.rows("予算と決算", &[("fiscal_year", Param::FiscalYear(fy))])?;
    let enrollment = c.rows("登録患者", &m)?;
    let review = c.one("アクセスログの点検", &m)?;
    let scenarios = scenarios::compute(opts.scenarios, &basis)?;
    let outlook = outlook::outlook(store, month, outlook::DEFAULT_HORIZON, &scenarios, &image_value, lease)?;
    Ok(BoardMetrics {
        month,
        monthly,
        by_system,
        by_data_type,
        by_kind,
        by_municipality,
        by_role,
        concentration,
        inactive,
        by_hospital,
        flows,
        cost,
        image_value,
        fees,
        budget,
        enrollment,
        scenarios,
        review,
        outlook,
        tables: c.tables,
    })
}
