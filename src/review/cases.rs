//! A case's course: 新規 → 照会中 → 回答 → 判定 → 完了, each step one appended row of
//! `review_decisions` (who, when in JST, a note), never an update. Closing with 正当 on a
//! "no care relationship" finding records the user–patient pairs as explained, so the
//! same pair is not raised again.

use duckdb::types::Value;

use crate::error::Problem;
use crate::store::{Store, timestamp_value};

/// A step the officer records before the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Step {
    /// The facility was asked (施設照会).
    #[value(name = "照会中")]
    Inquiry,
    /// The facility answered.
    #[value(name = "回答")]
    Answered,
}

impl Step {
    /// The state as stored.
    pub fn label(self) -> &'static str {
        match self {
            Step::Inquiry => "照会中",
            Step::Answered => "回答",
        }
    }
}

/// The officer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Verdict {
    /// The access was part of care (業務上正当).
    #[value(name = "正当")]
    Legitimate,
    /// Guidance given to the user.
    #[value(name = "指導")]
    Guidance,
    /// A confirmed violation.
    #[value(name = "違反")]
    Violation,
    /// The rule fired wrongly.
    #[value(name = "誤検知")]
    FalseAlarm,
}

impl Verdict {
    /// The verdict as stored.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Legitimate => "正当",
            Verdict::Guidance => "指導",
            Verdict::Violation => "違反",
            Verdict::FalseAlarm => "誤検知",
        }
    }
}

/// Who records and when.
pub struct Recorder<'a> {
    /// The OS user.
    pub who: &'a str,
    /// JST now.
    pub at: chrono::NaiveDateTime,
}

/// The rules whose finding is "no care relationship": a 正当 verdict explains their pairs.
const RELATIONSHIP_RULES: &[&str] = &["unexplained", "stalking", "swarm"];

/// The case's current state: its latest step, else 新規. A missing case is a problem that
/// says how to find the number.
pub fn state(store: &Store, case_id: &str) -> anyhow::Result<String> {
    let t = store.query("SELECT state FROM review_case_states WHERE case_id = ?", &[Value::Text(case_id.into())])?;
    match t.rows.first().and_then(|r| r[0].as_str()) {
        Some(state) => Ok(state.to_string()),
        None => Err(Problem::new(format!("事案 {case_id} がありません"))
            .hint("renkei audit cases --month YYYY-MM で事案番号を確かめてください")
            .into()),
    }
}

/// Records a step (照会中, 回答) with an optional note; a closed case takes no more steps.
pub fn step(store: &Store, case_id: &str, step: Step, note: Option<&str>, by: &Recorder) -> anyhow::Result<()> {
    refuse_closed(store, case_id)?;
    append(store, case_id, step.label(), None, note, by)
}

/// Records the verdict and closes the case. 正当 on a relationship finding records the
/// case's user–patient pairs as explained. Returns how many pairs were recorded.
pub fn close(store: &Store, case_id: &str, verdict: Verdict, note: &str, by: &Recorder) -> anyhow::Result<usize> {
    refuse_closed(store, case_id)?;
    store.in_transaction(|s| {
        append(s, case_id, "完了", Some(verdict), Some(note), by)?;
        if verdict != Verdict::Legitimate {
            return Ok(0);
        }
        let rules: Vec<String> = RELATIONSHIP_RULES.iter().map(|r| format!("'{r}'")).collect();
        s.execute(
            &format!(
                "INSERT INTO review_explanations
                 SELECT DISTINCT c.user_key, f.patient_key, c.case_id, ?
                 FROM review_findings AS f JOIN review_cases AS c USING (case_id)
                 WHERE c.case_id = ? AND f.patient_key IS NOT NULL AND f.rule IN ({})",
                rules.join(", ")
            ),
            &[timestamp_value(by.at), Value::Text(case_id.into())],
        )
    })
}

fn refuse_closed(store: &Store, case_id: &str) -> anyhow::Result<()> {
    if state(store, case_id)? == "完了" {
        return Err(Problem::new(format!("事案 {case_id} はもう完了しています"))
            .hint("判定を改めるときは、新しい月の点検で挙がった事案に記録してください")
            .into());
    }
    Ok(())
}

fn append(
    store: &Store,
    case_id: &str,
    state: &str,
    verdict: Option<Verdict>,
    note: Option<&str>,
    by: &Recorder,
) -> anyhow::Result<()> {
    store.execute(
        "INSERT INTO review_decisions VALUES (?, ?, ?, ?, ?, ?)",
        &[
            Value::Text(case_id.into()),
            Value::Text(state.into()),
            verdict.map_or(Value::Null, |v| Value::Text(v.label().into())),
            note.map_or(Value::Null, |n| Value::Text(n.into())),
            Value::Text(by.who.into()),
            timestamp_value(by.at),
        ],
    )?;
    Ok(())
}
