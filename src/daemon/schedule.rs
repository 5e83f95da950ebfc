//! The daemon's four jobs and their cron lines (`[schedule]`, seconds first, Asia/Tokyo),
//! read with the same parser settings tokio-cron-scheduler uses (seconds required, day of
//! month AND day of week), so the catch-up and `renkei status` agree with the live schedule.
//!
//! Times are JST wall-clock `NaiveDateTime`s, as everywhere in renkei (Japan has no DST).

use chrono::{NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Asia::Tokyo;
use croner::Cron;
use croner::parser::{CronParser, Seconds};

use crate::config::Settings;
use crate::domain::{FiscalYear, Month};
use crate::error::Problem;

/// A scheduled job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    /// Ingest the inbox.
    Ingest,
    /// Send the board report of the month before the run.
    Board,
    /// Send the municipality reports of the fiscal year closed before the run.
    Municipality,
    /// Review the month before the run and send the privacy officer's report.
    Audit,
}

impl Job {
    /// Every job, in the order they are listed.
    pub const ALL: [Job; 4] = [Job::Ingest, Job::Board, Job::Municipality, Job::Audit];

    /// The job of a name in `runs.job` and `[schedule]`.
    pub fn named(name: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.name() == name)
    }

    /// The name in `runs.job` and `[schedule]`.
    pub fn name(self) -> &'static str {
        match self {
            Job::Ingest => "ingest",
            Job::Board => "board",
            Job::Municipality => "municipality",
            Job::Audit => "audit",
        }
    }

    /// What it does, for people.
    pub fn label_ja(self) -> &'static str {
        match self {
            Job::Ingest => "受付フォルダの取り込み",
            Job::Board => "理事会報告（前月分）",
            Job::Municipality => "市町向け報告（前年度分）",
            Job::Audit => "アクセスログの点検（前月分）",
        }
    }

    /// Whether missed runs collapse into one (the same work each time) rather than each
    /// being its own report.
    pub fn coalesces(self) -> bool {
        self == Job::Ingest
    }

    /// The month a board run at `at` reports on: the month before.
    pub fn board_month(at: NaiveDateTime) -> Month {
        Month::of(at.date()).plus(-1)
    }

    /// The fiscal year a municipality run at `at` reports on: the last one that has ended.
    pub fn closed_fiscal_year(at: NaiveDateTime) -> FiscalYear {
        FiscalYear::new(Month::of(at.date()).fiscal_year().year() - 1)
    }
}

/// One job's schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The job.
    pub job: Job,
    /// The cron line as configured.
    pub line: String,
    cron: Cron,
}

impl Schedule {
    /// Parses `line` for `job`; the error names the config key and shows an example.
    pub fn parse(job: Job, line: &str) -> Result<Schedule, Problem> {
        let cron =
            CronParser::builder().seconds(Seconds::Required).dom_and_dow(true).build().parse(line.trim()).map_err(
                |e| {
                    Problem::new(format!("[schedule] {} の cron 行を読めません", job.name()))
                        .value(line)
                        .because(e.to_string())
                        .hint("「秒 分 時 日 月 曜日」の6項目で書いてください（例: 毎月5日 8時は \"0 0 8 5 * *\"）")
                },
            )?;
        Ok(Schedule { job, line: line.trim().to_string(), cron })
    }

    /// The first run strictly after `t` (to the whole second).
    pub fn next_after(&self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        let at = Tokyo.from_local_datetime(&t.with_nanosecond(0)?).single()?;
        self.cron.find_next_occurrence(&at, false).ok().map(|d| d.naive_local())
    }

    /// The latest run at or before `t` (to the whole second).
    pub fn latest_at_or_before(&self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        let at = Tokyo.from_local_datetime(&t.with_nanosecond(0)?).single()?;
        self.cron.find_previous_occurrence(&at, true).ok().map(|d| d.naive_local())
    }

    /// Runs in (`after`, `until`], oldest first, at most `limit` of the latest.
    pub fn between(&self, after: NaiveDateTime, until: NaiveDateTime, limit: usize) -> Vec<NaiveDateTime> {
        let mut out = Vec::new();
        let mut t = until;
        while let Some(run) = self.latest_at_or_before(t) {
            if run <= after || out.len() == limit {
                break;
            }
            out.push(run);
            t = run - chrono::Duration::seconds(1);
        }
        out.reverse();
        out
    }
}

/// The four schedules of `[schedule]`.
pub fn schedules(settings: &Settings) -> Result<Vec<Schedule>, Problem> {
    let s = &settings.config.schedule;
    Job::ALL
        .iter()
        .map(|&job| {
            let line = match job {
                Job::Ingest => &s.ingest,
                Job::Board => &s.board,
                Job::Municipality => &s.municipality,
                Job::Audit => &s.audit,
            };
            Schedule::parse(job, line)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn the_default_lines_fire_when_the_issue_says_in_tokyo_time() {
        let d = crate::config::ScheduleConfig::default();
        let board = Schedule::parse(Job::Board, &d.board).unwrap();
        assert_eq!(board.next_after(t("2026-11-25 10:00:00")), Some(t("2026-12-05 08:00:00")));
        assert_eq!(board.next_after(t("2026-12-05 08:00:00")), Some(t("2027-01-05 08:00:00")));
        let muni = Schedule::parse(Job::Municipality, &d.municipality).unwrap();
        assert_eq!(muni.next_after(t("2026-11-25 10:00:00")), Some(t("2027-05-10 08:00:00")));
        let audit = Schedule::parse(Job::Audit, &d.audit).unwrap();
        assert_eq!(audit.next_after(t("2026-11-25 10:00:00")), Some(t("2026-12-03 08:00:00")));
        // The review runs before the board report, on the month the board will report.
        assert_eq!(Job::board_month(t("2026-12-03 08:00:00")).to_string(), "2026-11");
        assert_eq!(Job::named("audit"), Some(Job::Audit));
        let ingest = Schedule::parse(Job::Ingest, &d.ingest).unwrap();
        assert_eq!(ingest.next_after(t("2026-11-25 10:07:13")), Some(t("2026-11-25 10:15:00")));
        assert_eq!(ingest.latest_at_or_before(t("2026-11-25 10:15:00")), Some(t("2026-11-25 10:15:00")));
    }

    #[test]
    fn tokio_cron_scheduler_agrees_on_the_next_utc_instant() {
        // CRATES.md §6: check the scheduler's own next tick against the expected UTC instant.
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let sched = tokio_cron_scheduler::JobScheduler::new().await.unwrap();
            let job = tokio_cron_scheduler::Job::new_async_tz("0 0 8 5 * *", Tokyo, |_, _| Box::pin(async {})).unwrap();
            let id = sched.add(job).await.unwrap();
            let next = sched.clone().next_tick_for_job(id).await.unwrap().unwrap();
            // 08:00 JST is 23:00 UTC the day before.
            assert_eq!(next.format("%H:%M:%S").to_string(), "23:00:00");
            let ours = Schedule::parse(Job::Board, "0 0 8 5 * *").unwrap();
            let jst_now = (chrono::Utc::now() + chrono::Duration::hours(9)).naive_utc();
            let expected = ours.next_after(jst_now).unwrap() - chrono::Duration::hours(9);
            assert_eq!(next.naive_utc(), expected);
        });
    }

    #[test]
    fn missed_runs_between_two_times_oldest_first_and_capped() {
        let board = Schedule::parse(Job::Board, "0 0 8 5 * *").unwrap();
        let runs = board.between(t("2026-03-05 08:00:00"), t("2026-06-01 00:00:00"), 12);
        assert_eq!(runs, [t("2026-04-05 08:00:00"), t("2026-05-05 08:00:00")]);
        let ingest = Schedule::parse(Job::Ingest, "0 */15 * * * *").unwrap();
        let runs = ingest.between(t("2026-06-01 00:00:00"), t("2026-06-01 01:00:00"), 2);
        assert_eq!(runs, [t("2026-06-01 00:45:00"), t("2026-06-01 01:00:00")]);
    }

    #[test]
    fn day_of_month_and_day_of_week_must_both_match() {
        // 5th of a month that is a Monday: 2027-04-05.
        let s = Schedule::parse(Job::Board, "0 0 8 5 * MON").unwrap();
        assert_eq!(s.next_after(t("2026-11-25 00:00:00")), Some(t("2027-04-05 08:00:00")));
    }

    #[test]
    fn periods_of_a_run() {
        assert_eq!(Job::board_month(t("2026-12-05 08:00:00")).to_string(), "2026-11");
        assert_eq!(Job::closed_fiscal_year(t("2026-05-10 08:00:00")).year(), 2025);
        assert_eq!(Job::closed_fiscal_year(t("2027-02-10 08:00:00")).year(), 2025);
    }

    #[test]
    fn a_five_field_line_is_refused_with_an_example() {
        let p = Schedule::parse(Job::Board, "0 8 5 * *").unwrap_err();
        assert!(p.what.contains("[schedule] board"), "{p}");
        assert!(p.hint.unwrap().contains("0 0 8 5 * *"));
    }
}
