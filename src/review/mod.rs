//! The monthly access-log review (アクセスログの月次点検) the MHLW safety guideline asks of
//! the network's privacy officer (安全管理ガイドライン 6.0 システム運用編 §17).
//!
//! Each view or download is *explained* from the log itself (`queries/review/looks.sql`:
//! the facility recorded the patient, its own data, a colleague's explained event, an
//! earlier explained view, a 正当 verdict); eight rules in `queries/review/` find what stays
//! unexplained or unusual; [`review`] rolls the findings into one case per user per month
//! and stores them with their evidence. The officer's decisions are appended, never
//! rewritten ([`cases`]). Raw IDs typed by the officer are turned into pseudonyms in memory
//! ([`lookup`]) and never written anywhere.

pub mod cases;
pub mod lookup;
pub mod monthly;
pub mod synthetic;

use anyhow::Context;
use duckdb::types::Value;
use serde::Deserialize;

use crate::config::AuditConfig;
use crate::domain::Month;
use crate::domain::table::{Stamp, Table};
use crate::metrics::decode;
use crate::store::{Store, date_value, timestamp_value};

/// One rule: its code (as stored and in CSV), what it means for the officer, its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The code stored in `review_findings.rule`.
    pub code: &'static str,
    /// A few words for table cells (加入期間外, 一人の患者に集中…).
    pub label: &'static str,
    /// Why the rule matters, in Japanese, as the case shows it.
    pub reason: &'static str,
    /// The query, returning findings.
    pub sql: &'static str,
}

macro_rules! rule {
    ($code:literal, $label:literal, $reason:literal) => {
        Rule {
            code: $code,
            label: $label,
            reason: $reason,
            sql: include_str!(concat!("../../queries/review/", $code, ".sql")),
        }
    };
}

/// Every rule, in the order of their weight in `cases.sql`.
pub const RULES: &[Rule] = &[
    rule!("non_member", "加入期間外", "加入日より前か退会日より後に、その施設から操作があった"),
    rule!(
        "swarm",
        "一人の患者に集中",
        "一人の患者に、短い間に多くの施設の多くの利用者の閲覧が集まった（そのうち説明のつかない閲覧）"
    ),
    rule!("sweep", "短時間に多数の患者", "短い時間に、自分のふだんをはるかに超える数の患者を閲覧した"),
    rule!("bulk_download", "大量ダウンロード", "1日に多くの患者の情報をダウンロードした"),
    rule!("stalking", "同じ患者を何日も", "診療の記録のない同じ患者を、月に何日も閲覧した"),
    rule!("dormant", "休眠 ID の再開", "長く使われていなかった利用者の ID が、再び使われた"),
    rule!("off_hours", "ふだん使わない時間帯", "施設がふだんほとんど使わない時間帯に操作した"),
    rule!("unexplained", "診療の記録なし", "施設がその患者を登録・更新した記録も、同僚の説明のつく操作もない閲覧"),
];

/// What explains views (`looks.sql`) and makes the cases (`cases.sql`), and the month's listing.
const LOOKS: &str = include_str!("../../queries/review/looks.sql");
const CASES: &str = include_str!("../../queries/review/cases.sql");
const LIST: &str = include_str!("../../queries/review/list.sql");

/// The thresholds of a rule under `cfg`, in Japanese, as the officer's report states them.
pub fn threshold_text(code: &str, cfg: &AuditConfig) -> String {
    match code {
        "non_member" => "加入日より前・退会日の翌日以後の操作すべて".into(),
        "swarm" => format!(
            "{}時間のうちに{}人以上・{}施設以上が閲覧した患者",
            cfg.swarm_hours, cfg.swarm_users, cfg.swarm_facilities
        ),
        "sweep" => format!(
            "1時間に{}人以上か1日に{}人以上の患者で、前の{}か月の自分の最多の{}倍を超えたもの",
            cfg.sweep_hour, cfg.sweep_day, cfg.baseline_months, cfg.sweep_factor
        ),
        "bulk_download" => format!("1日に{}人以上の患者のダウンロード", cfg.download_patients),
        "stalking" => format!("説明のない同じ患者を月に{}日以上", cfg.stalking_days),
        "dormant" => format!("{}日以上操作のなかった利用者の再開", cfg.dormant_days),
        "off_hours" => format!(
            "前の{}か月の操作の{}%未満の時刻（前後2時間を含む、曜日は分けない）。前に{}か月以上の操作がある施設だけ",
            cfg.baseline_months,
            cfg.quiet_share * 100.0,
            cfg.history_months
        ),
        "unexplained" => "説明のつかない閲覧・ダウンロードが1件以上".into(),
        _ => String::new(),
    }
}

/// The rule with `code`.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// One case of a month as listed (`list.sql`).
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// `YYYY-MM-` and the first 12 hex digits of the user's pseudonym.
    pub case_id: String,
    /// The user's pseudonym.
    pub user_key: String,
    /// The user's facility (most events in the month); None if the roster lost it.
    pub facility: Option<String>,
    /// Rule codes, heaviest first, comma-separated.
    pub rules: String,
    /// Patients with a finding.
    pub patients: i64,
    /// Events with a finding.
    pub events: i64,
    /// Larger first.
    pub priority: i64,
    /// First finding.
    pub first_at: Stamp,
    /// Last finding.
    pub last_at: Stamp,
    /// 新規, 照会中, 回答, 判定, 完了.
    pub state: String,
    /// 正当, 指導, 違反, 誤検知 once judged.
    pub verdict: Option<String>,
    /// Up to five patients' pseudonyms, first 8 hex digits.
    pub patient_keys: Option<String>,
}

impl Case {
    /// The rules' codes.
    pub fn rule_codes(&self) -> impl Iterator<Item = &str> {
        self.rules.split(',').filter(|s| !s.is_empty())
    }
}

/// What a month's review found, besides its cases.
#[derive(Debug, Clone)]
pub struct Review {
    /// The month reviewed.
    pub month: Month,
    /// Its cases, highest priority first.
    pub cases: Vec<Case>,
    /// Views and downloads screened.
    pub looks: i64,
    /// Of them, explained.
    pub explained: i64,
    /// Systems whose logs have no 登録/更新 rows at all: their views were judged by the
    /// colleague rule alone.
    pub without_records: Vec<String>,
    /// What the month's log lacks (empty when complete).
    pub gaps: Vec<String>,
}

/// The rules' parameters from `[audit]`, bound by name (each query takes the ones it names).
pub fn params(month: Month, cfg: &AuditConfig) -> Vec<(&'static str, Value)> {
    vec![
        ("month", date_value(month.first_day())),
        ("before_days", Value::BigInt(cfg.colleague_days_before)),
        ("after_days", Value::BigInt(cfg.colleague_days_after)),
        ("stalking_days", Value::BigInt(cfg.stalking_days)),
        ("sweep_hour", Value::BigInt(cfg.sweep_hour)),
        ("sweep_day", Value::BigInt(cfg.sweep_day)),
        ("sweep_factor", Value::Double(cfg.sweep_factor)),
        ("swarm_users", Value::BigInt(cfg.swarm_users)),
        ("swarm_facilities", Value::BigInt(cfg.swarm_facilities)),
        ("swarm_hours", Value::BigInt(cfg.swarm_hours)),
        ("quiet_share", Value::Double(cfg.quiet_share)),
        ("history_months", Value::BigInt(cfg.history_months)),
        ("baseline_months", Value::BigInt(cfg.baseline_months)),
        ("download_patients", Value::BigInt(cfg.download_patients)),
        ("dormant_days", Value::BigInt(cfg.dormant_days)),
    ]
}

/// Reviews `month`: explains its views, runs every rule, and stores one case per user with
/// findings. Cases already acted on (with a decision) keep the evidence they were judged
/// on; the others are recomputed, so a rerun after more logs arrive brings them up to date.
/// Each run is recorded in `review_runs` with the thresholds it used, by `by` (the OS
/// user, or `daemon`).
pub fn review(
    store: &Store,
    month: Month,
    cfg: &AuditConfig,
    now: chrono::NaiveDateTime,
    by: &str,
) -> anyhow::Result<Review> {
    let bound = params(month, cfg);
    store.execute_named(LOOKS, &bound).context("queries/review/looks.sql を実行できません")?;
    store.execute(
        "CREATE OR REPLACE TEMP TABLE review_found (rule VARCHAR, user_key UUID, facility_id INTEGER,
            patient_key UUID, events INTEGER, first_at TIMESTAMP, last_at TIMESTAMP, detail VARCHAR)",
        &[],
    )?;
    for r in RULES {
        let sql = format!("INSERT INTO review_found {}", r.sql.trim().trim_end_matches(';'));
        store
            .execute_named(&sql, &bound)
            .with_context(|| format!("規則 queries/review/{}.sql を実行できません", r.code))?;
    }
    let cases = format!("CREATE OR REPLACE TEMP TABLE review_new_cases AS {}", CASES.trim().trim_end_matches(';'));
    store.execute_named(&cases, &bound).context("queries/review/cases.sql を実行できません")?;
    let counts = store.query("SELECT count(*), count(explained_by) FROM review_looks", &[])?;
    let (looks, explained) = (counts.rows[0][0].as_i64().unwrap_or(0), counts.rows[0][1].as_i64().unwrap_or(0));
    store.in_transaction(|s| {
        save(s, month, now)?;
        s.execute(
            "INSERT INTO review_runs
             SELECT ?, ?, ?, ?, (SELECT count(*) FROM review_cases WHERE month = ?), ?, ?",
            &[
                date_value(month.first_day()),
                timestamp_value(now),
                Value::BigInt(looks),
                Value::BigInt(explained),
                date_value(month.first_day()),
                Value::Text(serde_json::to_string(cfg)?),
                Value::Text(by.to_string()),
            ],
        )
    })?;
    let without = store.query("SELECT DISTINCT system FROM review_looks WHERE fallback ORDER BY system", &[])?;
    let gaps = crate::metrics::gap_lines(store, &[month], &["access_log".to_string()])?;
    Ok(Review {
        month,
        cases: list(store, month)?,
        looks,
        explained,
        without_records: without.rows.iter().filter_map(|r| r[0].as_str().map(str::to_string)).collect(),
        gaps,
    })
}

/// Replaces the month's undecided cases with the new ones (`review_new_cases`, their
/// findings in `review_found`), keeping decided ones as they were.
fn save(store: &Store, month: Month, now: chrono::NaiveDateTime) -> anyhow::Result<()> {
    let m = date_value(month.first_day());
    let undecided = "SELECT case_id FROM review_cases WHERE month = ?
        AND case_id NOT IN (SELECT case_id FROM review_decisions)";
    store.execute(&format!("DELETE FROM review_findings WHERE case_id IN ({undecided})"), std::slice::from_ref(&m))?;
    store.execute(&format!("DELETE FROM review_cases WHERE case_id IN ({undecided})"), std::slice::from_ref(&m))?;
    // Findings first: both take only the cases not kept (decided ones are still there).
    store.execute(
        "INSERT INTO review_findings
         SELECT n.case_id, f.rule, f.facility_id, f.patient_key, f.events, f.first_at, f.last_at, f.detail
         FROM review_found AS f JOIN review_new_cases AS n ON CAST(n.user_key AS UUID) = f.user_key
         WHERE n.case_id NOT IN (SELECT case_id FROM review_cases)",
        &[],
    )?;
    store.execute(
        "INSERT INTO review_cases
         SELECT case_id, ?, CAST(user_key AS UUID), facility_id, rules, patients, events, priority, first_at, last_at, ?
         FROM review_new_cases
         WHERE case_id NOT IN (SELECT case_id FROM review_cases)",
        &[m, timestamp_value(now)],
    )?;
    Ok(())
}

/// The month's stored cases, highest priority first.
pub fn list(store: &Store, month: Month) -> anyhow::Result<Vec<Case>> {
    let t = store.query_named(LIST, &[("month", date_value(month.first_day()))])?;
    decode::rows(&t).context("queries/review/list.sql の結果が行の型と合いません")
}

/// The month's cases as a table with the documented column names (CSV, JSON, xlsx).
pub fn list_table(store: &Store, month: Month) -> anyhow::Result<Table> {
    store.query_named(LIST, &[("month", date_value(month.first_day()))])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every query of `queries/review/` with its file stem.
    fn all() -> Vec<(&'static str, &'static str)> {
        let mut out: Vec<(&str, &str)> = RULES.iter().map(|r| (r.code, r.sql)).collect();
        out.extend([
            ("looks", LOOKS),
            ("cases", CASES),
            ("list", LIST),
            ("user_activity", lookup::USER_ACTIVITY),
            ("patient_history", lookup::PATIENT_HISTORY),
        ]);
        out.extend(monthly::QUERIES.iter().copied());
        out
    }

    #[test]
    fn every_review_query_uses_the_shared_definitions_and_declares_its_parameters() {
        for (name, sql) in all() {
            if let Some((pattern, instead)) = crate::metrics::respelt_definition(sql) {
                panic!("{name}.sql spells out {pattern}: use {instead}");
            }
            let declared: Vec<&str> =
                sql.lines().filter_map(|l| l.strip_prefix("-- param: ")).filter_map(|l| l.split(' ').next()).collect();
            let body: String = sql.lines().filter(|l| !l.starts_with("--")).collect::<Vec<_>>().join("\n");
            for d in &declared {
                assert!(body.contains(&format!("${d}")), "{name}.sql: ${d} declared but unused");
            }
            for (at, _) in body.match_indices('$') {
                let used: String = body[at + 1..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                assert!(declared.contains(&used.as_str()), "{name}.sql uses ${used} without a -- param: line");
            }
            assert!(sql.contains("-- 問い: "), "{name}.sql says what it asks");
        }
    }

    #[test]
    fn every_rule_gives_the_columns_of_a_finding_under_its_own_code() {
        let columns = ["rule", "user_key", "facility_id", "patient_key", "events", "first_at", "last_at", "detail"];
        for r in RULES {
            let declared: Vec<&str> =
                r.sql.lines().filter_map(|l| l.strip_prefix("-- col: ")).filter_map(|l| l.split(' ').next()).collect();
            assert_eq!(declared, columns, "{}.sql", r.code);
            assert!(r.sql.contains(&format!("'{}' AS rule", r.code)), "{}.sql names its own code", r.code);
        }
    }

    #[test]
    fn an_empty_store_is_reviewed_with_no_cases_and_the_log_reported_missing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.duckdb")).unwrap();
        let month = Month::new(2025, 7).unwrap();
        let now = chrono::NaiveDate::from_ymd_opt(2025, 8, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let r = review(&store, month, &AuditConfig::default(), now, "test").unwrap();
        assert!(r.cases.is_empty());
        assert_eq!((r.looks, r.explained), (0, 0));
        assert_eq!(r.gaps.len(), 1, "{:?}", r.gaps);
    }
}
