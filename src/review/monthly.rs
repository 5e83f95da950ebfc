//! What the privacy officer's monthly report shows, as typed rows: the review just run,
//! each facility's log for the month, cases by rule, how cases were closed and how long
//! they took, users raised again, and the thresholds in force. Rendered by
//! `report::audit`; the board report sees only `metrics::rows::ReviewSummary`.

use anyhow::Context;
use serde::Deserialize;

use super::Review;
use crate::config::AuditConfig;
use crate::domain::Month;
use crate::metrics::decode;
use crate::store::{Store, date_value};

const FACILITIES: &str = include_str!("../../queries/review/report_facilities.sql");
const RULE_COUNTS: &str = include_str!("../../queries/review/report_rules.sql");
const COURSE: &str = include_str!("../../queries/review/report_course.sql");
const REPEATS: &str = include_str!("../../queries/review/report_repeats.sql");

/// `report_facilities.sql`: one member facility's log for the month.
#[derive(Debug, Clone, Deserialize)]
pub struct FacilityLog {
    /// The facility.
    pub facility: String,
    /// Events in the month.
    pub events: i64,
    /// Days with events.
    pub days: i64,
    /// Events the month before.
    pub previous: i64,
    /// Events the month before and none in the month: a log gap or a stop to check.
    pub gap: bool,
}

/// `report_rules.sql`: the month's cases under one rule.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleCount {
    /// Rule code.
    pub rule: String,
    /// Cases.
    pub cases: i64,
    /// Not closed.
    pub open: i64,
    /// Closed.
    pub closed: i64,
}

/// `report_course.sql`: how the cases went.
#[derive(Debug, Clone, Deserialize)]
pub struct Course {
    /// The month's cases.
    pub opened: i64,
    /// Of them, closed.
    pub closed: i64,
    /// 正当.
    pub legitimate: i64,
    /// 指導.
    pub guidance: i64,
    /// 違反.
    pub violations: i64,
    /// 誤検知.
    pub false_alarms: i64,
    /// Open cases of every month up to this one.
    pub open_all: i64,
    /// Of them, open more than 30 days.
    pub overdue: i64,
    /// Median days from opening to closing, over the closed cases of the 12 months up to
    /// this one; None when none is closed.
    pub median_days_to_close: Option<f64>,
}

/// `report_repeats.sql`: a user raised again.
#[derive(Debug, Clone, Deserialize)]
pub struct Repeat {
    /// This month's case.
    pub case_id: String,
    /// The user's facility.
    pub facility: Option<String>,
    /// Cases in the 12 months before.
    pub earlier: i64,
    /// Of them, judged 違反 or 指導.
    pub confirmed: i64,
}

/// The officer's monthly report, computed.
#[derive(Debug, Clone)]
pub struct MonthlyReview {
    /// The review of the month.
    pub review: Review,
    /// Each member facility's log.
    pub facilities: Vec<FacilityLog>,
    /// Cases by rule.
    pub by_rule: Vec<RuleCount>,
    /// Closing.
    pub course: Course,
    /// Users raised again.
    pub repeats: Vec<Repeat>,
    /// The thresholds the review used.
    pub thresholds: AuditConfig,
}

/// Reviews `month` (see [`super::review`]) and gathers what the officer's report shows.
pub fn monthly(
    store: &Store,
    month: Month,
    cfg: &AuditConfig,
    now: chrono::NaiveDateTime,
    by: &str,
) -> anyhow::Result<MonthlyReview> {
    let review = super::review(store, month, cfg, now, by)?;
    let p = [("month", date_value(month.first_day()))];
    let rows = |sql: &str, name: &str| {
        store.query_named(sql, &p).with_context(|| format!("queries/review/{name}.sql を実行できません"))
    };
    let decode_err = |name: &str| format!("queries/review/{name}.sql の結果が行の型と合いません");
    let facilities = decode::rows(&rows(FACILITIES, "report_facilities")?).context(decode_err("report_facilities"))?;
    let by_rule = decode::rows(&rows(RULE_COUNTS, "report_rules")?).context(decode_err("report_rules"))?;
    let mut course: Vec<Course> = decode::rows(&rows(COURSE, "report_course")?).context(decode_err("report_course"))?;
    let repeats = decode::rows(&rows(REPEATS, "report_repeats")?).context(decode_err("report_repeats"))?;
    anyhow::ensure!(
        course.len() == 1,
        "queries/review/report_course.sql gave {} rows where one was expected",
        course.len()
    );
    Ok(MonthlyReview { review, facilities, by_rule, course: course.remove(0), repeats, thresholds: cfg.clone() })
}

/// The report's queries, for the tests that check every review query.
#[cfg(test)]
pub(super) const QUERIES: &[(&str, &str)] = &[
    ("report_facilities", FACILITIES),
    ("report_rules", RULE_COUNTS),
    ("report_course", COURSE),
    ("report_repeats", REPEATS),
];
