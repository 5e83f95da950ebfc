//! The command-line contract: config errors with line and column, read-only SQL with an
//! audit trail, status with coverage gaps, init's commented config.

use crate::metrics::network_with_known_answers;
use crate::support::Workdir;

#[test]
fn a_misspelt_config_key_fails_with_file_line_and_column() {
    let w = Workdir::new();
    std::fs::write(w.join("renkei.toml"), "[report]\nnetwork_name = \"x\"\n\n[smtp]\n  hots = \"mail\"\n").unwrap();
    let r = w.run(&["status"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("エラー: 設定ファイル ./renkei.toml を読めません\n  場所: ./renkei.toml 5行 3列\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hots"), "{}", r.stderr);
}

#[test]
fn init_writes_a_commented_config_that_parses_and_refuses_to_overwrite() {
    let w = Workdir::new();
    let r = w.ok(&["init", "council"]);
    assert!(r.stdout.contains("council/renkei.toml"), "{}", r.stdout);
    for dir in ["inbox", "outbox", "archive", "lake"] {
        assert!(w.join("council").join(dir).is_dir(), "{dir}");
    }
    assert!(w.join("council/var/renkei.key").exists());
    // The store exists from the start, with its schema.
    let one = w.ok(&["--config", "council/renkei.toml", "sql", "-e", "select count(*) as n from facilities"]);
    assert_eq!(one.stdout.lines().nth(2), Some("0"));
    let again = w.run(&["init", "council"]);
    assert_eq!(again.code, 1);
}

#[test]
fn sql_reads_and_refuses_writes_files_and_settings() {
    let w = network_with_known_answers();
    let r = w.ok(&["sql", "-e", "select name, count(*) as n from facilities join access_events using (facility_id) group by name order by n desc"]);
    assert_eq!(r.stdout.lines().nth(2).unwrap(), "ゆきぐにクリニック  7");
    for (sql, why) in [
        ("delete from facilities", "読み取り専用"),
        ("copy facilities to '/tmp/renkei-leak.csv'", "読み取り専用"),
        ("select * from read_csv('/etc/passwd')", "読み取り専用"),
        ("set enable_external_access = true", "読み取り専用"),
        ("attach '/tmp/other.duckdb' as o", "読み取り専用"),
    ] {
        let r = w.run(&["sql", "-e", sql]);
        assert_eq!(r.code, 1, "{sql} must be refused: {}", r.stdout);
        assert!(r.stderr.contains(why), "{sql}: {}", r.stderr);
    }
    assert!(!std::path::Path::new("/tmp/renkei-leak.csv").exists());
    let audit = std::fs::read_to_string(w.join("var/audit.log")).unwrap();
    assert_eq!(audit.lines().count(), 6);
    assert!(audit.lines().next().unwrap().contains("\"rows\":2"), "{audit}");
    assert!(!audit.contains("\"os_user\":\"\""), "{audit}");
}

#[test]
fn status_shows_files_coverage_gaps_and_quarantine() {
    let w = network_with_known_answers();
    let r = w.ok(&["status"]);
    assert!(r.stdout.contains("アクセスログ.csv"), "{}", r.stdout);
    // July 2024 then nothing until June 2025: the months between are gaps (—).
    let fy2024 = r.stdout.lines().find(|l| l.starts_with("令和6年度")).unwrap();
    assert!(fy2024.contains("—"), "{fy2024}");
    assert!(r.stdout.contains("名簿（会費）のある年度: 令和7年度"), "{}", r.stdout);
    assert!(r.stdout.contains("運営費のある年度: 令和6年度、令和7年度"), "{}", r.stdout);
}

#[test]
fn commands_without_a_store_say_what_to_do() {
    let w = Workdir::new();
    let r = w.run(&["status"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("renkei ingest でファイルを取り込むか、renkei demo を実行してください"), "{}", r.stderr);
}

#[test]
fn logs_on_a_pipe_carry_no_colour_codes() {
    // stderr here is a pipe, not a terminal: plain text, as a log file or journald wants it
    // (issue 16: a warning used to print ANSI escapes). NO_COLOR is honoured on a terminal too.
    let w = Workdir::new();
    crate::support::small_roster(&w);
    let r = w.ok(&["-v", "ingest"]);
    assert!(r.stderr.contains("INFO"), "an info line is logged with -v: {}", r.stderr);
    assert!(!r.stderr.contains('\u{1b}'), "escape codes on a pipe: {:?}", r.stderr);
}
