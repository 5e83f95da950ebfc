//! The daemon's steps (the start-up check, a run, the held runs, the stop's record), done
//! in the daemon's own process or each in a child `renkei daemon --step …` process.
//!
//! In a child, DuckDB, the reports and the SMTP client come and go with the step: the
//! waiting daemon holds only its schedule (idle RSS 22 MB between runs, against 54 MB when
//! the runs were done in-process; `bench/daemon_idle.sh`). The child is in a process group of its own,
//! so a Ctrl-C or a SIGTERM meant for the daemon lets the run under way finish; and it
//! stops at once when the daemon is gone (killed), as it would have in-process.
//!
//! The child answers on stdout, one line per item, fields split by tabs: `job\ttime` for
//! the runs to queue, `status\tretry_held` and then the detail for a run.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDateTime;

use super::schedule::{self, Job};
use super::{Finished, RunOutcome};
use crate::config::Settings;

/// How the child writes a time.
const TIME: &str = "%Y-%m-%d %H:%M:%S";
/// The environment variable that gives the child the daemon's pid.
const DAEMON_PID: &str = "RENKEI_DAEMON_PID";

/// Where the daemon's steps are done.
#[derive(Debug, Clone)]
pub enum Steps {
    /// In the daemon's own process (tests that drive the daemon in-process).
    InProcess,
    /// Each in a child process of `exe` (this program), given the same `--config`.
    Child {
        /// The renkei executable.
        exe: PathBuf,
        /// The daemon's `--config`, passed on.
        config: Option<PathBuf>,
    },
}

impl Steps {
    /// Child processes of this executable.
    pub fn child_processes(config: Option<PathBuf>) -> anyhow::Result<Steps> {
        let exe = std::env::current_exe().context("renkei の実行ファイルの場所が分かりません")?;
        Ok(Steps::Child { exe, config })
    }

    /// Records the daemon's start and returns the runs to catch up.
    pub(super) fn begin(&self, settings: &Settings, now: NaiveDateTime) -> anyhow::Result<Vec<(Job, NaiveDateTime)>> {
        match self {
            Steps::InProcess => super::begin(settings, &schedule::schedules(settings)?, now),
            Steps::Child { exe, config } => runs_from(&child(exe, config, &["begin", "--at", &time(now)])?),
        }
    }

    /// Does one run.
    pub(super) fn run_once(&self, settings: &Settings, job: Job, at: NaiveDateTime) -> anyhow::Result<RunOutcome> {
        match self {
            Steps::InProcess => super::run_once(settings, job, at),
            Steps::Child { exe, config } => {
                outcome_from(&child(exe, config, &["run", "--job", job.name(), "--at", &time(at)])?, job, at)
            }
        }
    }

    /// The held runs, to queue again.
    pub(super) fn held_runs(&self, settings: &Settings) -> anyhow::Result<Vec<(Job, NaiveDateTime)>> {
        match self {
            Steps::InProcess => super::held_runs(settings),
            Steps::Child { exe, config } => runs_from(&child(exe, config, &["held"])?),
        }
    }

    /// Records the daemon's clean stop.
    pub(super) fn end(&self, settings: &Settings, started: NaiveDateTime) -> anyhow::Result<()> {
        match self {
            Steps::InProcess => super::end(settings, started),
            Steps::Child { exe, config } => child(exe, config, &["end", "--at", &time(started)]).map(drop),
        }
    }
}

/// Runs `exe [--config …] daemon --step STEP …` and returns what it printed; its log lines
/// go to the daemon's own stderr.
fn child(exe: &Path, config: &Option<PathBuf>, step: &[&str]) -> anyhow::Result<String> {
    let mut command = Command::new(exe);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    let out = command
        .args(["daemon", "--step"])
        .args(step)
        .env(DAEMON_PID, std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .process_group(0)
        .output()
        .with_context(|| format!("{} を起動できません", exe.display()))?;
    if !out.status.success() {
        anyhow::bail!("renkei daemon --step {} が失敗しました（{}）", step.join(" "), out.status);
    }
    String::from_utf8(out.stdout).context("renkei daemon の答えが UTF-8 ではありません")
}

/// A time as the child reads it.
fn time(at: NaiveDateTime) -> String {
    at.format(TIME).to_string()
}

/// `job\ttime` lines as runs.
fn runs_from(text: &str) -> anyhow::Result<Vec<(Job, NaiveDateTime)>> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (name, at) = line.split_once('\t').context("renkei daemon の答えが読めません")?;
            let job = Job::named(name).context("知らない処理の名前です")?;
            Ok((job, NaiveDateTime::parse_from_str(at, TIME)?))
        })
        .collect()
}

fn runs_text(runs: &[(Job, NaiveDateTime)]) -> String {
    runs.iter().map(|(job, at)| format!("{}\t{}\n", job.name(), at.format(TIME))).collect()
}

/// A run's outcome as the child prints it: `status\tretry_held`, then the detail.
fn outcome_text(outcome: &RunOutcome) -> String {
    let retry = if outcome.retry_held { "1" } else { "0" };
    format!("{}\t{retry}\n{}\n", outcome.finished.status, outcome.finished.detail)
}

/// The outcome of `job`'s run for `at` from what the child printed.
fn outcome_from(text: &str, job: Job, at: NaiveDateTime) -> anyhow::Result<RunOutcome> {
    let (head, detail) = text.split_once('\n').unwrap_or((text, ""));
    let (status, retry) = head.split_once('\t').context("renkei daemon --step run の答えが読めません")?;
    let detail = detail.strip_suffix('\n').unwrap_or(detail).to_string();
    let finished = Finished { job, scheduled_for: at, status: status.to_string(), detail };
    Ok(RunOutcome { finished, retry_held: retry == "1" })
}

/// Does one step in this process as a child of the daemon (`renkei daemon --step …`) and
/// returns what to print for it.
pub fn serve(settings: &Settings, step: &str, job: Option<&str>, at: Option<&str>) -> anyhow::Result<String> {
    stop_with_parent();
    let at = || -> anyhow::Result<NaiveDateTime> {
        Ok(NaiveDateTime::parse_from_str(at.context("--at がありません")?, TIME)?)
    };
    let here = Steps::InProcess;
    match step {
        "begin" => Ok(runs_text(&here.begin(settings, at()?)?)),
        "run" => {
            let job = Job::named(job.context("--job がありません")?).context("知らない処理の名前です")?;
            Ok(outcome_text(&here.run_once(settings, job, at()?)?))
        }
        "held" => Ok(runs_text(&here.held_runs(settings)?)),
        "end" => here.end(settings, at()?).map(|()| String::new()),
        other => anyhow::bail!("renkei daemon --step {other} はありません（begin / run / held / end）"),
    }
}

/// Ends this process when its parent (the daemon) is gone, as a run in the daemon's own
/// process would have ended with it: SIGKILL, so nothing half-done is tidied and nothing
/// is dumped to disk; the store rolls back what was not committed.
fn stop_with_parent() {
    // The daemon says who it is: it may be gone before this process gets here.
    let parent =
        std::env::var(DAEMON_PID).ok().and_then(|p| p.parse().ok()).unwrap_or_else(std::os::unix::process::parent_id);
    std::thread::spawn(move || {
        loop {
            if std::os::unix::process::parent_id() != parent {
                tracing::error!("renkei daemon が終了したため、この処理も止めます");
                let me = std::process::id().to_string();
                let _ = Command::new("kill").args(["-KILL", &me]).status();
                std::process::exit(70);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_child_prints_reads_back_as_it_was() {
        let at = NaiveDateTime::parse_from_str("2025-08-05 08:00:00", TIME).unwrap();
        let runs = vec![(Job::Board, at), (Job::Ingest, at - chrono::Duration::minutes(15))];
        assert_eq!(runs_from(&runs_text(&runs)).unwrap(), runs);
        assert!(runs_from("").unwrap().is_empty());
        assert!(runs_from("nojob\t2025-08-05 08:00:00\n").is_err());

        // A failed run's detail may hold several lines (an error and its causes).
        let detail = "送信できません\n原因: 550 mailbox unavailable\n".to_string();
        let finished = Finished { job: Job::Board, scheduled_for: at, status: "failed".into(), detail };
        let printed = outcome_text(&RunOutcome { finished: finished.clone(), retry_held: true });
        let back = outcome_from(&printed, Job::Board, at).unwrap();
        assert_eq!((back.finished, back.retry_held), (finished, true));
        assert!(outcome_from("garbage", Job::Board, at).is_err());
    }
}
