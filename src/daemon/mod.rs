//! `renkei daemon`: tokio-cron-scheduler fires the `[schedule]` lines in Asia/Tokyo; each
//! firing becomes a run (job, scheduled time) in one queue, done one at a time with the
//! store opened for the run and closed after, so `renkei sql` works between runs. The
//! `runs` ledger records every run; at start the daemon catches up the runs it missed while
//! down, once each. A stop signal lets the current run finish.
//!
//! The daemon does its steps (the start-up check, each run, the held runs, the stop's
//! record) in a child `renkei` process each, as cron does ([`Steps::Child`]): between runs
//! it holds none of DuckDB's memory or code, and a run that fails badly takes only its own
//! process down. Tests may do them in-process ([`Steps::InProcess`]).
//!
//! Calls `jobs` (ingest, send) and writes `runs`; the CLI only parses and waits for signals.

pub mod lock;
pub mod runs;
pub mod schedule;
pub mod step;

use std::future::Future;

use chrono::NaiveDateTime;
use tokio::sync::mpsc;

use crate::config::Settings;
use crate::deliver::Delivered;
use crate::ingest::Outcome;
use crate::jobs::{self, Audience, SendOptions};
use crate::store::Store;
use schedule::{Job, Schedule};

/// How one run ended, as recorded in `runs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The job.
    pub job: Job,
    /// When it was scheduled (JST).
    pub scheduled_for: NaiveDateTime,
    /// `done`, `held`, `failed`, or `skipped` (already settled).
    pub status: String,
    /// What happened, for people.
    pub detail: String,
}

pub use step::Steps;

/// Runs the schedule until `shutdown` completes; the run under way then finishes first.
/// `started` is the time the missed runs are counted up to (the clock's now, except in
/// tests); `finished`, when given, hears of every run as it ends (tests wait on it).
pub async fn run(
    settings: Settings,
    steps: Steps,
    started: NaiveDateTime,
    shutdown: impl Future<Output = ()>,
    finished: Option<mpsc::UnboundedSender<Finished>>,
) -> anyhow::Result<()> {
    let _lock = lock::InstanceLock::acquire(&settings.daemon_lock())?;
    let schedules = schedule::schedules(&settings)?;
    let due = {
        let (settings, steps) = (settings.clone(), steps.clone());
        tokio::task::spawn_blocking(move || steps.begin(&settings, started)).await??
    };

    let (tx, mut rx) = mpsc::unbounded_channel::<(Job, NaiveDateTime)>();
    for run in due {
        tracing::info!(job = run.0.name(), scheduled_for = %run.1, "catching up a run missed while the daemon was down");
        tx.send(run)?;
    }
    let mut scheduler = tokio_cron_scheduler::JobScheduler::new().await?;
    for s in &schedules {
        let (tx, s2) = (tx.clone(), s.clone());
        let job = tokio_cron_scheduler::Job::new_async_tz(s.line.as_str(), chrono_tz::Asia::Tokyo, move |_, _| {
            let at = s2.latest_at_or_before(crate::clock::now_jst());
            let (tx, job) = (tx.clone(), s2.job);
            Box::pin(async move {
                if let Some(at) = at {
                    let _ = tx.send((job, at));
                }
            })
        })?;
        scheduler.add(job).await?;
    }
    scheduler.start().await?;
    for s in &schedules {
        if let Some(next) = s.next_after(crate::clock::now_jst()) {
            tracing::info!(job = s.job.name(), schedule = %s.line, next = %next, "scheduled (JST)");
        }
    }

    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some((job, at)) = rx.recv() => {
                let (s, st) = (settings.clone(), steps.clone());
                let outcome = tokio::task::spawn_blocking(move || st.run_once(&s, job, at)).await?;
                let outcome = match outcome {
                    Ok(o) => o,
                    Err(e) => {
                        // The ledger could not be written, or the run's process died (its row
                        // stays `running` and is run again at the next start): say so and go on.
                        tracing::error!(job = job.name(), scheduled_for = %at, "the run could not be done or recorded: {e:#}");
                        continue;
                    }
                };
                if outcome.retry_held {
                    let (s, st) = (settings.clone(), steps.clone());
                    for run in tokio::task::spawn_blocking(move || st.held_runs(&s)).await?? {
                        tracing::info!(job = run.0.name(), scheduled_for = %run.1, "new data: trying a held report again");
                        tx.send(run)?;
                    }
                }
                if let Some(f) = &finished {
                    let _ = f.send(outcome.finished);
                }
            }
        }
    }
    tracing::info!("stopping: the run under way has finished");
    scheduler.shutdown().await?;
    tokio::task::spawn_blocking(move || steps.end(&settings, started)).await??;
    Ok(())
}

/// Records the daemon's start, closes what a killed daemon left open, and returns the
/// runs to catch up.
fn begin(settings: &Settings, schedules: &[Schedule], now: NaiveDateTime) -> anyhow::Result<Vec<(Job, NaiveDateTime)>> {
    let store = Store::open(&settings.store_path())?;
    store.execute(
        "UPDATE runs SET status = 'died', detail = '停止の記録がありません（強制終了・停電など）'
         WHERE job = 'daemon' AND status = 'running'",
        &[],
    )?;
    for (job, at) in runs::interrupted(&store)? {
        tracing::warn!(job, scheduled_for = %at, "a run was interrupted when the daemon last stopped; it runs again");
    }
    runs::start(&store, "daemon", now)?;
    if let Some(latest) = runs::latest(&store)?.filter(|l| *l > now) {
        // A clock behind the ledger (a dead CMOS battery, NTP not yet synchronized): no run
        // is due twice, since runs are counted from the latest recorded one, but the
        // council should know its clock is wrong.
        let detail = format!(
            "時計が前回の記録（{}）より前です（{}）。時刻の同期（NTP）を確かめてください",
            latest.format("%Y-%m-%d %H:%M:%S"),
            now.format("%Y-%m-%d %H:%M:%S")
        );
        tracing::warn!(latest = %latest, now = %now, "the system clock is behind the last recorded run");
        eprintln!("warning: {detail}");
        runs::note(&store, "daemon", now, &detail)?;
    }
    runs::due(&store, schedules, now)
}

/// Records the daemon's clean stop.
fn end(settings: &Settings, started: NaiveDateTime) -> anyhow::Result<()> {
    let store = Store::open(&settings.store_path())?;
    runs::finish(&store, "daemon", started, "stopped", "SIGTERM／SIGINT で停止")
}

/// The held runs, as (job, time) to queue again.
fn held_runs(settings: &Settings) -> anyhow::Result<Vec<(Job, NaiveDateTime)>> {
    let store = Store::open(&settings.store_path())?;
    Ok(runs::held(&store)?.into_iter().filter_map(|(name, at, _)| Job::named(&name).map(|j| (j, at))).collect())
}

/// How a run ended, for the queue.
struct RunOutcome {
    finished: Finished,
    /// An ingest loaded files: held reports may now be complete.
    retry_held: bool,
}

/// Does one run: skipped when the ledger says it is settled; else recorded as running,
/// done (with the store closed while the job works), and recorded as it ended.
fn run_once(settings: &Settings, job: Job, at: NaiveDateTime) -> anyhow::Result<RunOutcome> {
    {
        let store = Store::open(&settings.store_path())?;
        if runs::settled(&store, job, at)? {
            let finished = Finished { job, scheduled_for: at, status: "skipped".into(), detail: "実行済み".into() };
            return Ok(RunOutcome { finished, retry_held: false });
        }
        runs::start(&store, job.name(), at)?;
    }
    tracing::info!(job = job.name(), scheduled_for = %at, "run started");
    let (status, detail, retry_held) = match work(settings, job, at) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(job = job.name(), scheduled_for = %at, "run failed: {e:#}");
            ("failed", format!("{e:#}"), false)
        }
    };
    tracing::info!(job = job.name(), scheduled_for = %at, status, %detail, "run ended");
    let store = Store::open(&settings.store_path())?;
    runs::finish(&store, job.name(), at, status, &detail)?;
    let finished = Finished { job, scheduled_for: at, status: status.into(), detail };
    Ok(RunOutcome { finished, retry_held })
}

/// The job's work: (status, detail, whether an ingest loaded files).
fn work(settings: &Settings, job: Job, at: NaiveDateTime) -> anyhow::Result<(&'static str, String, bool)> {
    match job {
        Job::Ingest => {
            let reports = jobs::ingest_inbox(settings)?;
            let loaded = reports.iter().filter(|r| matches!(r.outcome, Outcome::Loaded { .. })).count();
            let rejected = reports.iter().filter(|r| matches!(r.outcome, Outcome::Rejected(_))).count();
            let mut detail =
                format!("取込 {loaded} 件、不合格 {rejected} 件、取込済み {} 件", reports.len() - loaded - rejected);
            if loaded > 0 {
                let collapsed = jobs::watch_collapses(settings)?;
                if !collapsed.is_empty() {
                    detail.push_str(&format!("、急減 {} 件（管理者に通知）", collapsed.len()));
                }
            }
            Ok(("done", detail, loaded > 0))
        }
        Job::Board => {
            let month = Job::board_month(at);
            let audience = Audience::Configured(settings.config.recipients.board.clone());
            let outcomes = jobs::send_board(settings, month, &audience, SendOptions::default())?;
            Ok(summarize(&format!("{} の理事会報告", month.label_ja()), &outcomes))
        }
        Job::Audit => {
            let month = Job::board_month(at);
            let what = format!("{} のアクセスログ点検", month.label_ja());
            // Without a privacy officer to send to, the review still runs and is recorded.
            if settings.config.recipients.privacy_officer.is_empty() {
                let store = crate::store::Store::open(&settings.store_path())?;
                let r =
                    crate::review::review(&store, month, &settings.config.audit, crate::clock::now_jst(), "daemon")?;
                let detail =
                    format!("{what}: 事案 {} 件（[recipients] privacy_officer がないため送信なし）", r.cases.len());
                return Ok(("done", detail, false));
            }
            let outcomes = jobs::send_audit(settings, month, None, SendOptions::default(), "daemon")?;
            Ok(summarize(&what, &outcomes))
        }
        Job::Municipality => {
            let fy = Job::closed_fiscal_year(at);
            let outcomes = jobs::send_municipalities(settings, fy, None, None, SendOptions::default())?;
            Ok(summarize(&format!("{} の市町向け報告", fy.label_ja()), &outcomes))
        }
    }
}

/// The run's status and detail from its deliveries: held when any recipient was held.
fn summarize(what: &str, outcomes: &[(String, Delivered)]) -> (&'static str, String, bool) {
    let n = |f: fn(&Delivered) -> bool| outcomes.iter().filter(|(_, d)| f(d)).count();
    let delivered = n(|d| matches!(d, Delivered::Sent { .. } | Delivered::Outbox(_)));
    let before = n(|d| matches!(d, Delivered::AlreadyDelivered(_)));
    let failed = n(|d| matches!(d, Delivered::Failed { .. }));
    let unknown = n(|d| matches!(d, Delivered::Unknown { .. }));
    let held = outcomes.iter().find_map(|(_, d)| match d {
        Delivered::Held(reason) => Some(reason.clone()),
        _ => None,
    });
    match held {
        Some(reason) => ("held", format!("{what}: 保留（{reason}）"), false),
        None => (
            "done",
            format!("{what}: 送信 {delivered} 通、送信済み {before} 通、失敗 {failed} 通、不明 {unknown} 通"),
            false,
        ),
    }
}

/// The next run of each job after `now`, with the last recorded run (for `renkei status`).
pub fn next_runs(settings: &Settings, store: Option<&Store>, now: NaiveDateTime) -> anyhow::Result<Vec<NextRun>> {
    let mut out = Vec::new();
    for s in schedule::schedules(settings)? {
        let last = match store {
            Some(store) => store
                .query(
                    "SELECT scheduled_for, status, coalesce(detail, '') FROM runs WHERE job = ?
                     ORDER BY scheduled_for DESC, started_at DESC LIMIT 1",
                    &[duckdb::types::Value::Text(s.job.name().into())],
                )?
                .rows
                .first()
                .and_then(|r| Some((r[0].as_timestamp()?, r[1].to_string(), r[2].to_string()))),
            None => None,
        };
        out.push(NextRun { job: s.job, line: s.line.clone(), next: s.next_after(now), last });
    }
    Ok(out)
}

/// One line of `renkei status`'s schedule.
#[derive(Debug)]
pub struct NextRun {
    /// The job.
    pub job: Job,
    /// Its cron line.
    pub line: String,
    /// Its next run (JST).
    pub next: Option<NaiveDateTime>,
    /// Its last recorded run: (scheduled for, status, detail).
    pub last: Option<(NaiveDateTime, String, String)>,
}

impl NextRun {
    /// The next run as people read it: `2026-12-05 08:00`, or `なし`.
    pub fn next_text(&self) -> String {
        self.next.map_or("なし".to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string())
    }

    /// The last run as people read it: `2026-12-05 08:00（done: …）`, or None.
    pub fn last_text(&self) -> Option<String> {
        self.last.as_ref().map(|(at, status, detail)| {
            let at = at.format("%Y-%m-%d %H:%M");
            if detail.is_empty() { format!("{at}（{status}）") } else { format!("{at}（{status}: {detail}）") }
        })
    }
}
