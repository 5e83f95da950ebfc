//! The daemon: in-process with a controllable start time (the catch-up of missed runs,
//! once each; held and interrupted runs; never twice), in-process with a one-second
//! schedule through tokio-cron-scheduler, and as a process: a second daemon refused,
//! `renkei sql` while it runs, SIGTERM, and a stale lock after kill -9.

use std::time::Duration;

use chrono::NaiveDateTime;
use renkei::config::Settings;
use renkei::daemon::{self, Finished, schedule::Job};
use renkei::store::Store;
use tokio::sync::{mpsc, oneshot};

use crate::metrics::network_with_known_answers;
use crate::support::Workdir;

const CONFIG: &str = "[report]\nnetwork_name = \"テスト連携ネット\"\n\n\
    [recipients]\nboard = [\"board@example.jp\"]\nadmin = [\"admin@example.jp\"]\n\n\
    [smtp]\nfrom = \"事務局 <office@example.jp>\"\n\n";

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn settings(w: &Workdir, schedule: &str) -> Settings {
    // The access-log review stays out of these tests unless one schedules it.
    let audit = if schedule.contains("audit") { "" } else { "audit = \"0 0 3 1 1 *\"\n" };
    std::fs::write(w.join("renkei.toml"), format!("{CONFIG}[schedule]\n{schedule}{audit}")).unwrap();
    Settings::load(&w.join("renkei.toml"), true, Some(w.path())).unwrap()
}

/// Runs the daemon in-process from `started` until it has reported `runs` finished runs
/// (0: stop at once), and returns them.
fn run_daemon(settings: &Settings, started: NaiveDateTime, runs: usize) -> Vec<Finished> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let watcher = async move {
            let mut seen = Vec::new();
            while seen.len() < runs {
                let f = tokio::time::timeout(Duration::from_secs(120), rx.recv()).await;
                seen.push(f.expect("the daemon reported a run").expect("channel open"));
            }
            stop.send(()).unwrap();
            seen
        };
        let daemon = daemon::run(
            settings.clone(),
            daemon::Steps::InProcess,
            started,
            async move {
                let _ = stopped.await;
            },
            Some(tx),
        );
        let (result, seen) = tokio::join!(daemon, watcher);
        result.expect("the daemon ran and stopped cleanly");
        seen
    })
}

/// The daemon last ran in July 2025 and was stopped on the 31st.
fn stopped_at_the_end_of_july(s: &Settings) {
    let store = Store::open(&s.store_path()).unwrap();
    store
        .execute(
            "INSERT INTO runs VALUES ('daemon', '2025-07-20 09:00:00', '2025-07-20 09:00:00', '2025-07-31 18:00:00', 'stopped', NULL)",
            &[],
        )
        .unwrap();
}

fn runs(w: &Workdir, job: &str) -> Vec<Vec<String>> {
    w.rows(&format!(
        "SELECT strftime(scheduled_for, '%Y-%m-%d %H:%M'), status, coalesce(detail, '') FROM runs
         WHERE job = '{job}' ORDER BY scheduled_for, started_at"
    ))
}

fn outbox(w: &Workdir, prefix: &str) -> usize {
    std::fs::read_dir(w.join("outbox"))
        .map(|d| d.filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(prefix)).count())
        .unwrap_or(0)
}

#[test]
fn runs_missed_while_down_are_caught_up_once_and_held_ones_again_after_new_data() {
    let w = network_with_known_answers();
    // Schedules that do not fire on their own during the test: only the catch-up runs.
    let s = settings(&w, "ingest = \"0 0 3 1 1 *\"\nboard = \"0 0 8 5 * *\"\nmunicipality = \"0 0 8 10 5 *\"\n");
    stopped_at_the_end_of_july(&s);
    // Started again on 6 August: the board run of 5 August (July's report) is due, once.
    let seen = run_daemon(&s, t("2025-08-06 00:00:00"), 1);
    assert_eq!(
        (seen[0].job, seen[0].scheduled_for, seen[0].status.as_str()),
        (Job::Board, t("2025-08-05 08:00:00"), "done")
    );
    assert_eq!(outbox(&w, "board-2025-07-"), 1);
    assert_eq!(
        runs(&w, "board"),
        [["2025-08-05 08:00", "done", "2025年7月 の理事会報告: 送信 1 通、送信済み 0 通、失敗 0 通、不明 0 通"]]
    );

    // Restarted the same day: nothing is due again.
    let seen = run_daemon(&s, t("2025-08-06 00:00:00"), 0);
    assert!(seen.is_empty());
    assert_eq!(runs(&w, "board").len(), 1, "never twice");
    assert_eq!(runs(&w, "daemon").iter().filter(|r| r[1] == "stopped").count(), 3);

    // The daemon died during the board run of 5 September and started again on 6 October.
    // That run (August's report) is due again and October's (September's) is due; August
    // lacks Team's log and September has no log at all: both held, the admin told.
    {
        let store = Store::open(&s.store_path()).unwrap();
        store
            .execute(
                "INSERT INTO runs VALUES ('board', '2025-09-05 08:00:00', '2025-09-05 08:00:01', NULL, 'running', NULL)",
                &[],
            )
            .unwrap();
    }
    let seen = run_daemon(&s, t("2025-10-06 00:00:00"), 2);
    let got: Vec<(NaiveDateTime, &str)> = seen.iter().map(|f| (f.scheduled_for, f.status.as_str())).collect();
    assert_eq!(got, [(t("2025-09-05 08:00:00"), "held"), (t("2025-10-05 08:00:00"), "held")]);
    assert!(seen[0].detail.contains("Team の分が 2025年8月 にありません"), "{}", seen[0].detail);
    let board = runs(&w, "board");
    assert!(board.iter().any(|r| r[0] == "2025-09-05 08:00" && r[1] == "interrupted"), "{board:?}");
    assert_eq!(outbox(&w, "notice-"), 2, "the admin is told about each held report");

    // New data arrives (Team's August log): the next ingest run retries the held reports.
    w.write_sjis(
        "inbox/Team_8月.csv",
        &format!(
            "{}2025-08-20 10:00:00,Team,U3,十日町病院,P003,齋藤記念病院,連絡帳,登録\r\n",
            crate::support::LOG_HEADER
        ),
    );
    let s = settings(&w, "ingest = \"0 0 0 * * *\"\nboard = \"0 0 8 5 * *\"\nmunicipality = \"0 0 8 10 5 *\"\n");
    // The ingest of midnight 7 October is due; after it, both held runs are tried again:
    // August is now complete and is sent; September still has no log and stays held.
    let seen = run_daemon(&s, t("2025-10-07 00:00:00"), 3);
    let got: Vec<(Job, NaiveDateTime, &str)> =
        seen.iter().map(|f| (f.job, f.scheduled_for, f.status.as_str())).collect();
    assert_eq!(
        got,
        [
            (Job::Ingest, t("2025-10-07 00:00:00"), "done"),
            (Job::Board, t("2025-09-05 08:00:00"), "done"),
            (Job::Board, t("2025-10-05 08:00:00"), "held"),
        ]
    );
    assert!(seen[0].detail.starts_with("取込 1 件"), "{}", seen[0].detail);
    assert_eq!(outbox(&w, "board-2025-08-"), 1);
    assert_eq!(outbox(&w, "notice-"), 2, "the same reason is not told twice");
}

#[test]
fn the_monthly_access_log_review_is_caught_up_and_recorded_even_with_no_one_to_send_to() {
    let w = network_with_known_answers();
    let s = settings(
        &w,
        "ingest = \"0 0 3 1 1 *\"\nboard = \"0 0 3 1 1 *\"\nmunicipality = \"0 0 3 1 1 *\"\naudit = \"0 0 8 3 * *\"\n",
    );
    stopped_at_the_end_of_july(&s);
    // Started on 4 August: the review of 3 August (July's log) is due, once.
    let seen = run_daemon(&s, t("2025-08-04 00:00:00"), 1);
    assert_eq!(
        (seen[0].job, seen[0].scheduled_for, seen[0].status.as_str()),
        (Job::Audit, t("2025-08-03 08:00:00"), "done")
    );
    let audit = runs(&w, "audit");
    assert_eq!(audit.len(), 1);
    assert!(audit[0][2].starts_with("2025年7月 のアクセスログ点検: 事案 "), "{audit:?}");
    assert!(audit[0][2].contains("privacy_officer がないため送信なし"), "{audit:?}");
    assert_eq!(
        w.count("SELECT count(*) FROM review_runs WHERE month = DATE '2025-07-01' AND recorded_by = 'daemon'"),
        1
    );
}

#[test]
fn the_live_schedule_fires_through_tokio_cron_scheduler_and_stops_on_request() {
    let w = network_with_known_answers();
    let s = settings(&w, "ingest = \"* * * * * *\"\nboard = \"0 0 8 5 * *\"\nmunicipality = \"0 0 8 10 5 *\"\n");
    let now = (chrono::Utc::now() + chrono::Duration::hours(9)).naive_utc();
    let seen = run_daemon(&s, now, 2);
    assert!(seen.iter().all(|f| f.job == Job::Ingest), "{seen:?}");
    assert_ne!(seen[0].scheduled_for, seen[1].scheduled_for, "each firing is its own run");
    assert!(seen.iter().all(|f| f.scheduled_for.and_utc().timestamp_subsec_nanos() == 0), "{seen:?}");
    let daemon = runs(&w, "daemon");
    assert_eq!(daemon.len(), 1);
    assert_eq!(daemon[0][1], "stopped");
}

#[test]
fn one_daemon_at_a_time_sql_while_it_runs_sigterm_stops_it_and_a_killed_ones_lock_is_taken_over() {
    let w = network_with_known_answers();
    settings(&w, "ingest = \"* * * * * *\"\n");
    let start = |log: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_renkei"))
            .arg("daemon")
            .current_dir(w.path())
            .env_remove("RENKEI_LOG")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(w.join(log)).unwrap())
            .spawn()
            .unwrap()
    };
    let wait_for_ingest_runs = |n: i64| {
        let until = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let r = w.run(&[
                "sql",
                "-e",
                "SELECT count(*) FROM runs WHERE job = 'ingest' AND status = 'done'",
                "--format",
                "csv",
            ]);
            if r.code == 0 && r.stdout.lines().nth(1).and_then(|l| l.trim().parse::<i64>().ok()).is_some_and(|c| c >= n)
            {
                return;
            }
            assert!(std::time::Instant::now() < until, "no ingest run recorded: {r:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let mut first = start("first.log");
    wait_for_ingest_runs(1);

    let second = w.run(&["daemon"]);
    assert_eq!(second.code, 1, "{second:?}");
    assert!(second.stderr.contains("renkei daemon はすでに動いています"), "{}", second.stderr);
    assert!(second.stderr.contains(&format!("pid {}", first.id())), "{}", second.stderr);
    let status = w.ok(&["status"]);
    assert!(status.stdout.contains(&format!("renkei daemon 動作中: pid {}", first.id())), "{}", status.stdout);

    // SIGTERM: the run under way finishes, the stop is recorded, exit 0.
    let term = std::process::Command::new("kill").args(["-TERM", &first.id().to_string()]).status().unwrap();
    assert!(term.success());
    let exit = first.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "clean stop");
    assert_eq!(runs(&w, "daemon").last().unwrap()[1], "stopped");
    assert_eq!(std::fs::read_to_string(w.join("var/renkei.daemon.lock")).unwrap(), "", "released");
    assert!(w.ok(&["status"]).stdout.contains("renkei daemon は動いていません"));

    // kill -9: the lock file still names it; the next daemon says so and takes over.
    let mut killed = start("killed.log");
    let before = w.count("SELECT count(*) FROM runs WHERE job = 'ingest' AND status = 'done'");
    wait_for_ingest_runs(before + 1);
    killed.kill().unwrap();
    killed.wait().unwrap();
    let mut third = start("third.log");
    wait_for_ingest_runs(before + 2);
    std::process::Command::new("kill").args(["-TERM", &third.id().to_string()]).status().unwrap();
    assert_eq!(third.wait().unwrap().code(), Some(0));
    let stderr = std::fs::read_to_string(w.join("third.log")).unwrap();
    assert!(stderr.contains(&format!("前回の renkei daemon（pid {}", killed.id())), "{stderr}");
    assert!(stderr.contains("後片付けをせずに終わっていました"), "{stderr}");
    let daemon = runs(&w, "daemon");
    assert_eq!(daemon.iter().map(|r| r[1].as_str()).collect::<Vec<_>>(), ["stopped", "died", "stopped"]);
}

/// The pids of the processes whose parent is `pid`, with their command lines.
fn children(pid: u32) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(child) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else { continue };
        // The parent pid is the second field after the command's closing parenthesis.
        let parent = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if parent == Some(pid) {
            let cmdline = std::fs::read(format!("/proc/{child}/cmdline")).unwrap_or_default();
            found.push((child, String::from_utf8_lossy(&cmdline).replace('\0', " ")));
        }
    }
    found
}

#[test]
fn each_run_is_a_child_process_that_ends_with_a_killed_daemon_and_leaves_the_store_whole() {
    let w = Workdir::new();
    crate::support::small_roster(&w);
    w.ok(&["ingest"]);
    let row = "2025-07-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n";
    w.write("inbox/big.csv", format!("{}{}", crate::support::LOG_HEADER, row.repeat(200_000)).as_bytes());
    settings(&w, "ingest = \"* * * * * *\"\n");
    let mut daemon = std::process::Command::new(env!("CARGO_BIN_EXE_renkei"))
        .arg("daemon")
        .current_dir(w.path())
        .env_remove("RENKEI_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(w.join("daemon.log")).unwrap())
        .spawn()
        .unwrap();
    // The ingest run of big.csv, in a child process of the daemon, recorded as started.
    let until = std::time::Instant::now() + Duration::from_secs(60);
    let run = loop {
        let log = std::fs::read_to_string(w.join("daemon.log")).unwrap_or_default();
        let child = children(daemon.id()).into_iter().find(|(_, cmd)| cmd.contains("--step run --job ingest"));
        if let Some((pid, _)) = child.filter(|_| log.contains("run started")) {
            break pid;
        }
        assert!(std::time::Instant::now() < until, "no run started: {log}");
        std::thread::sleep(Duration::from_millis(20));
    };
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    // The run stops with the daemon instead of going on alone.
    let until = std::time::Instant::now() + Duration::from_secs(10);
    while std::path::Path::new(&format!("/proc/{run}")).exists()
        && !std::fs::read_to_string(format!("/proc/{run}/stat")).unwrap_or_default().contains(") Z")
    {
        assert!(std::time::Instant::now() < until, "the run outlived its daemon");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Killed midway (200,000 rows take seconds; the child looks for its parent every
    // 0.2 s): the run is left `running` for the next daemon to redo, and none of the file
    // was committed.
    assert_eq!(runs(&w, "ingest").iter().map(|r| r[1].as_str()).collect::<Vec<_>>(), ["running"]);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 0);
}

#[test]
fn runs_at_midnight_of_the_fiscal_years_end_report_the_period_of_their_schedule_not_of_the_clock() {
    let w = network_with_known_answers();
    // Board at 23:59:59 on 31 March, municipalities at midnight on 1 April; the daemon was
    // stopped at 23:00 and started again just after midnight: one run was due before
    // midnight, one at it.
    std::fs::write(
        w.join("renkei.toml"),
        format!(
            "{CONFIG}[recipients.municipality]\n\"魚沼市\" = [\"uonuma@example.jp\"]\n\n[schedule]\n\
             ingest = \"0 0 3 1 1 *\"\nboard = \"59 59 23 31 3 *\"\nmunicipality = \"0 0 0 1 4 *\"\naudit = \"0 0 3 1 1 *\"\n"
        ),
    )
    .unwrap();
    let s = Settings::load(&w.join("renkei.toml"), true, Some(w.path())).unwrap();
    let store = Store::open(&s.store_path()).unwrap();
    store
        .execute(
            "INSERT INTO runs VALUES ('daemon', '2026-03-01 09:00:00', '2026-03-01 09:00:00', '2026-03-31 23:00:00', 'stopped', NULL)",
            &[],
        )
        .unwrap();
    drop(store);
    let seen = run_daemon(&s, t("2026-04-01 00:00:05"), 2);
    let got: Vec<(Job, NaiveDateTime)> = seen.iter().map(|f| (f.job, f.scheduled_for)).collect();
    assert_eq!(got, [(Job::Board, t("2026-03-31 23:59:59")), (Job::Municipality, t("2026-04-01 00:00:00"))]);
    // 23:59:59 on the 31st is still March: the board report is February's (the month
    // before), though it ran in April; midnight on 1 April closes 令和7年度 (FY2025).
    assert!(seen[0].detail.starts_with("2026年2月 の理事会報告"), "{}", seen[0].detail);
    assert!(seen[1].detail.starts_with("令和7年度 の市町向け報告"), "{}", seen[1].detail);
}

#[test]
fn a_daemon_started_with_its_clock_behind_the_last_run_runs_nothing_twice_and_says_the_clock_is_wrong() {
    let w = network_with_known_answers();
    let s = settings(&w, "ingest = \"0 0 3 1 1 *\"\nboard = \"0 0 8 5 * *\"\nmunicipality = \"0 0 8 10 5 *\"\n");
    stopped_at_the_end_of_july(&s);
    let seen = run_daemon(&s, t("2025-08-06 00:00:00"), 1);
    assert_eq!((seen[0].job, seen[0].scheduled_for), (Job::Board, t("2025-08-05 08:00:00")));
    // The box restarts with its clock a month behind (a dead CMOS battery): nothing is due,
    // and the daemon's record says why the council should look at the clock.
    let seen = run_daemon(&s, t("2025-07-06 00:00:00"), 0);
    assert!(seen.is_empty());
    let daemon = runs(&w, "daemon");
    let behind = daemon.iter().find(|r| r[0] == "2025-07-06 00:00").expect("the start is recorded");
    assert!(
        behind[2].starts_with("時計が前回の記録（2025-08-06 00:00:00）より前です（2025-07-06 00:00:00）。時刻の同期（NTP）を確かめてください"),
        "{behind:?}"
    );
    assert!(behind[2].ends_with("／SIGTERM／SIGINT で停止"), "the stop is recorded after the note: {behind:?}");
    // The clock put right: still nothing twice.
    let seen = run_daemon(&s, t("2025-08-06 00:00:00"), 0);
    assert!(seen.is_empty());
    assert_eq!(runs(&w, "board").len(), 1, "July's report was sent once");
    assert_eq!(outbox(&w, "board-2025-07-"), 1);
}
