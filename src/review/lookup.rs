//! The officer's questions about one person: a user's activity and cases, a patient's
//! 閲覧履歴 for a disclosure request, and which ID in a facility's staff list is a case's
//! user. The raw ID is turned into its pseudonym here, in memory, with the store's key;
//! it is bound as a parameter only in its pseudonymized form and is never written to the
//! store, the logs or the audit log.

use duckdb::types::Value;

use super::Case;
use crate::domain::Month;
use crate::domain::table::Table;
use crate::error::Problem;
use crate::ingest::pseudonymize::{IdKind, Key, Pseudonymizer};
use crate::store::{Store, date_value};

pub(super) const USER_ACTIVITY: &str = include_str!("../../queries/review/user_activity.sql");
pub(super) const PATIENT_HISTORY: &str = include_str!("../../queries/review/patient_history.sql");

/// Pseudonyms made with the key the store was loaded with.
pub struct Ids(Pseudonymizer);

impl Ids {
    /// Opens the key and checks it is the store's (a different key would find no one).
    pub fn open(key_path: &std::path::Path, store: &Store) -> anyhow::Result<Ids> {
        let key = Key::load(key_path)?;
        match store.key_fingerprint()? {
            Some(fp) if fp == key.fingerprint() => Ok(Ids(Pseudonymizer::new(&key))),
            Some(_) => Err(Problem::new("仮名化の鍵がデータベースと一致しません")
                .because("この鍵で ID を仮名にしても、データベースの誰とも一致しません")
                .hint("[paths] key に、このデータベースを作ったときの鍵ファイルを指定してください")
                .into()),
            None => Err(Problem::new("まだアクセスログが取り込まれていません")
                .hint("renkei ingest でアクセスログを取り込んでください")
                .into()),
        }
    }

    /// The pseudonym of a user ID, as the store's UUID text; None for a blank ID.
    pub fn user(&mut self, raw: &str) -> Option<String> {
        self.0.pseudonym(IdKind::User, raw).map(|p| p.to_string())
    }

    /// The pseudonym of a patient ID.
    pub fn patient(&mut self, raw: &str) -> Option<String> {
        self.0.pseudonym(IdKind::Patient, raw).map(|p| p.to_string())
    }
}

/// The first 12 hex digits of a pseudonym, as case numbers show it.
pub fn short(key: &str) -> String {
    key.replace('-', "").chars().take(12).collect()
}

/// A user's months of activity (one row per month and facility) between two months.
pub fn user_activity(store: &Store, user_key: &str, from: Month, to: Month) -> anyhow::Result<Table> {
    store.query_named(
        USER_ACTIVITY,
        &[
            ("user_key", Value::Text(user_key.into())),
            ("from_month", date_value(from.first_day())),
            ("to_month", date_value(to.first_day())),
        ],
    )
}

/// Every case of a user, newest month first.
pub fn user_cases(store: &Store, user_key: &str) -> anyhow::Result<Vec<Case>> {
    let months = store.query(
        "SELECT DISTINCT month FROM review_cases WHERE user_key = CAST(? AS UUID) ORDER BY month DESC",
        &[Value::Text(user_key.into())],
    )?;
    let mut out = Vec::new();
    for row in &months.rows {
        if let Some(d) = row[0].as_date() {
            let uk = user_key.replace('-', "");
            out.extend(super::list(store, Month::of(d))?.into_iter().filter(|c| c.user_key.replace('-', "") == uk));
        }
    }
    Ok(out)
}

/// A patient's 閲覧履歴: when, which facility, which data, which action; no user keys.
pub fn patient_history(store: &Store, patient_key: &str, from: Month, to: Month) -> anyhow::Result<Table> {
    store.query_named(
        PATIENT_HISTORY,
        &[
            ("patient_key", Value::Text(patient_key.into())),
            ("from_month", date_value(from.first_day())),
            ("to_month", date_value(to.first_day())),
        ],
    )
}

/// `patient_history.sql`: one access to a patient's data.
#[derive(Debug, Clone, serde::Deserialize)]
struct HistoryRow {
    occurred_at: String,
    facility: String,
    data_type: Option<String>,
    action: String,
    disclosing: Option<String>,
    /// Shown to the officer, not in the letter.
    #[serde(rename = "system")]
    _system: String,
}

/// A patient's history as the accesses a letter lists (facility names only).
pub fn accesses(history: &Table) -> anyhow::Result<Vec<crate::report::letter::Access>> {
    let rows: Vec<HistoryRow> = crate::metrics::decode::rows(history)
        .map_err(|e| anyhow::anyhow!("queries/review/patient_history.sql の結果が行の型と合いません: {e}"))?;
    Ok(rows
        .into_iter()
        .map(|r| crate::report::letter::Access {
            at: r.occurred_at,
            facility: r.facility,
            data_type: r.data_type,
            action: r.action,
            disclosing: r.disclosing,
        })
        .collect())
}

/// A listed ID that is a case's user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The case.
    pub case_id: String,
    /// Its state.
    pub state: String,
    /// The line of the list (1-based).
    pub line: usize,
    /// The ID as listed (shown to the officer, never stored).
    pub id: String,
}

/// Which IDs of `list` (one per line; a CSV line's first field) are users of the open
/// cases of `facility_id`. Blank lines and a header line are skipped.
pub fn identify(store: &Store, ids: &mut Ids, facility_id: i32, list: &str) -> anyhow::Result<Vec<Match>> {
    let open = store.query(
        "SELECT case_id, replace(CAST(user_key AS VARCHAR), '-', '') AS user_key, state
         FROM review_case_states
         WHERE facility_id = ? AND state <> '完了'
         ORDER BY case_id",
        &[Value::Int(facility_id)],
    )?;
    let cases: Vec<(String, String, String)> = open
        .rows
        .iter()
        .map(|r| {
            let text = |i: usize| r[i].as_str().unwrap_or_default().to_string();
            (text(0), text(1), text(2))
        })
        .collect();
    let mut out = Vec::new();
    for (i, line) in list.lines().enumerate() {
        let id = line.split([',', '\t']).next().unwrap_or("").trim().trim_matches('"').trim();
        let Some(key) = ids.user(id) else { continue };
        for (case_id, _, state) in cases.iter().filter(|(_, uk, _)| *uk == key) {
            out.push(Match { case_id: case_id.clone(), state: state.clone(), line: i + 1, id: id.to_string() });
        }
    }
    Ok(out)
}
