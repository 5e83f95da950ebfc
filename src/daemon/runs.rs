//! The `runs` ledger: one row per scheduled run (job, scheduled_for), written when it
//! starts and when it ends, plus a `daemon` row per start of the daemon. From it the
//! daemon works out which runs it missed while it was down and catches each up once.
//!
//! States: `running` (started; still so after a crash, then `interrupted` and run again),
//! `done`, `failed` (not retried on its own; the log and `renkei status` say why), `held`
//! (a report whose data was incomplete: tried again after each ingest that loads files).

use chrono::NaiveDateTime;
use duckdb::types::Value;

use super::schedule::{Job, Schedule};
use crate::store::{Store, timestamp_value};

/// How many missed runs of one report job are caught up at most (a year of monthly reports).
const CATCH_UP_LIMIT: usize = 12;

/// Records that `job` scheduled for `at` has started.
pub fn start(store: &Store, job: &str, at: NaiveDateTime) -> anyhow::Result<()> {
    store.execute(
        "INSERT INTO runs (job, scheduled_for, started_at, status) VALUES (?, ?, ?, 'running')",
        &[Value::Text(job.into()), timestamp_value(at), timestamp_value(crate::clock::now_jst())],
    )?;
    Ok(())
}

/// The latest time a run was scheduled for (runs are counted from it, so it is what a
/// clock behind must not go back before).
pub fn latest(store: &Store) -> anyhow::Result<Option<NaiveDateTime>> {
    Ok(store.query("SELECT max(scheduled_for) FROM runs", &[])?.rows[0][0].as_timestamp())
}

/// Adds a note to the running run of `job` scheduled for `at`.
pub fn note(store: &Store, job: &str, at: NaiveDateTime, detail: &str) -> anyhow::Result<()> {
    store.execute(
        "UPDATE runs SET detail = ? WHERE job = ? AND scheduled_for = ? AND status = 'running'",
        &[Value::Text(detail.into()), Value::Text(job.into()), timestamp_value(at)],
    )?;
    Ok(())
}

/// Records how the run of `job` scheduled for `at` ended.
pub fn finish(store: &Store, job: &str, at: NaiveDateTime, status: &str, detail: &str) -> anyhow::Result<()> {
    store.execute(
        "UPDATE runs SET finished_at = ?, status = ?, detail = concat_ws('／', detail, ?)
         WHERE job = ? AND scheduled_for = ? AND status = 'running'",
        &[
            timestamp_value(crate::clock::now_jst()),
            Value::Text(status.into()),
            Value::Text(detail.into()),
            Value::Text(job.into()),
            timestamp_value(at),
        ],
    )?;
    Ok(())
}

/// Whether a run of `job` for `at` has ended as done or failed (so it is not run again).
pub fn settled(store: &Store, job: Job, at: NaiveDateTime) -> anyhow::Result<bool> {
    let t = store.query(
        "SELECT count(*) FROM runs WHERE job = ? AND scheduled_for = ? AND status IN ('done', 'failed')",
        &[Value::Text(job.name().into()), timestamp_value(at)],
    )?;
    Ok(t.rows[0][0].as_i64().unwrap_or(0) > 0)
}

/// Marks runs left `running` by a daemon that died as `interrupted`; returns them.
pub fn interrupted(store: &Store) -> anyhow::Result<Vec<(String, NaiveDateTime)>> {
    let t = store.query(
        "UPDATE runs SET status = 'interrupted', finished_at = ?, detail = '実行中に renkei daemon が止まりました'
         WHERE status = 'running' AND job <> 'daemon' RETURNING job, scheduled_for",
        &[timestamp_value(crate::clock::now_jst())],
    )?;
    Ok(t.rows.iter().filter_map(|r| Some((r[0].as_str()?.to_string(), r[1].as_timestamp()?))).collect())
}

/// The runs to do now, oldest first: for each job, the runs scheduled after the later of
/// its last recorded run and the first start of the daemon (before that nothing was
/// missed: nothing was meant to run), up to `now`, that have no settled row; a job that
/// coalesces (ingest) runs once for all of them. Runs that were interrupted are due again;
/// held ones wait for an ingest that loads files (see [`held`]).
pub fn due(store: &Store, schedules: &[Schedule], now: NaiveDateTime) -> anyhow::Result<Vec<(Job, NaiveDateTime)>> {
    let first_start = store.query("SELECT min(scheduled_for) FROM runs WHERE job = 'daemon'", &[])?.rows[0][0]
        .as_timestamp()
        .unwrap_or(now);
    let mut out = Vec::new();
    for s in schedules {
        let name = Value::Text(s.job.name().into());
        let last = store.query("SELECT max(scheduled_for) FROM runs WHERE job = ?", std::slice::from_ref(&name))?.rows
            [0][0]
            .as_timestamp();
        let after = last.map_or(first_start, |l| l.max(first_start));
        let limit = if s.job.coalesces() { 1 } else { CATCH_UP_LIMIT };
        for at in s.between(after, now, limit) {
            out.push((s.job, at));
        }
        let again = store.query(
            "SELECT scheduled_for FROM runs WHERE job = ? GROUP BY scheduled_for
             HAVING arg_max(status, started_at) = 'interrupted' ORDER BY 1",
            &[name],
        )?;
        for at in again.rows.iter().filter_map(|r| r[0].as_timestamp()) {
            if !out.contains(&(s.job, at)) {
                out.push((s.job, at));
            }
        }
    }
    out.sort_by_key(|(job, at)| (*at, job.name()));
    Ok(out)
}

/// The runs whose latest attempt was held for incomplete data (retried after an ingest
/// that loaded files), with why.
pub fn held(store: &Store) -> anyhow::Result<Vec<(String, NaiveDateTime, String)>> {
    let t = store.query(
        "SELECT job, scheduled_for, arg_max(coalesce(detail, ''), started_at) FROM runs WHERE job <> 'daemon'
         GROUP BY job, scheduled_for HAVING arg_max(status, started_at) = 'held' ORDER BY scheduled_for",
        &[],
    )?;
    Ok(t.rows
        .iter()
        .filter_map(|r| Some((r[0].as_str()?.to_string(), r[1].as_timestamp()?, r[2].to_string())))
        .collect())
}
