//! The rows ingest hands the store, one type per table: what a parser produces and the
//! load API inserts (facilities, running costs, image views, municipalities, budget lines,
//! quotes, registered patients, and the quarantine's held rows).

use chrono::NaiveDate;

/// A row that could not be loaded, with where, what and why (IDs already masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineRow {
    /// The row as Excel shows it, or the CSV record number (header = 1).
    pub row_number: u64,
    /// Column letter and header, e.g. `D「利用施設」`.
    pub column: Option<String>,
    /// The value, masked for ID columns.
    pub value: Option<String>,
    /// Why the row was not loaded.
    pub reason: String,
    /// What to do about it.
    pub hint: Option<String>,
}

/// One facility from a roster.
#[derive(Debug, Clone)]
pub struct FacilityRecord {
    /// Name as written in the roster.
    pub name: String,
    /// Matching key of the name.
    pub name_key: String,
    /// 種別.
    pub kind: Option<String>,
    /// 所在市町.
    pub municipality: Option<String>,
    /// 加入日.
    pub joined_on: Option<NaiveDate>,
    /// 退会日.
    pub left_on: Option<NaiveDate>,
    /// 画像公開.
    pub publishes_images: bool,
}

/// One running-cost line.
#[derive(Debug, Clone)]
pub struct InvoiceRow {
    /// 業者.
    pub vendor: String,
    /// サービス.
    pub service: String,
    /// 年度.
    pub fiscal_year: i32,
    /// Amount in yen.
    pub amount_yen: i64,
    /// Written as 約.
    pub approximate: bool,
}

/// Image views of one month and publishing hospital (optionally by viewing facility).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageViewRow {
    /// The month (first day).
    pub month: NaiveDate,
    /// The hospital whose images were viewed.
    pub disclosing_facility_id: i32,
    /// The facility that viewed them, when the source says.
    pub viewing_facility_id: Option<i32>,
    /// How many views.
    pub views: i64,
}

/// One municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityRow {
    /// 市町名.
    pub name: String,
    /// 全国地方公共団体コード.
    pub code: Option<String>,
    /// 人口.
    pub population: i64,
}

/// One budget or settlement line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    /// 年度.
    pub fiscal_year: i32,
    /// `income` or `expense`.
    pub direction: &'static str,
    /// 科目.
    pub item: String,
    /// The municipality, for 自治体負担 rows.
    pub municipality: Option<String>,
    /// Amount in yen.
    pub amount_yen: i64,
    /// `budget` or `settled`.
    pub stage: &'static str,
}

/// One renewal quote line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteRow {
    /// 年度.
    pub fiscal_year: i32,
    /// 業者.
    pub vendor: Option<String>,
    /// The facility the server is for.
    pub facility_id: Option<i32>,
    /// 品目.
    pub item: String,
    /// 画像公開 / 標準.
    pub grade: Option<String>,
    /// Amount in yen.
    pub amount_yen: i64,
    /// Written as 約.
    pub approximate: bool,
}

/// Registered patients of one month, per facility or per municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentRow {
    /// The month (first day).
    pub month: NaiveDate,
    /// The facility, when counted per facility.
    pub facility_id: Option<i32>,
    /// The municipality, when counted per municipality.
    pub municipality: Option<String>,
    /// 登録患者数.
    pub registered_patients: i64,
}
