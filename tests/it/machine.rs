//! Faults of the machine itself (issue 21): the disk filling up in the middle of an ingest
//! (the store's WAL, DuckDB's spill files, the lake's Parquet) and of a send (the outbox
//! and the archive), at many points. Each time the store is unchanged or holds the whole
//! file, the message says the disk is full and what to do, and the same command completes
//! once space is freed. Needs root to mount a small tmpfs (`.ci/run` runs as root); other
//! users see the test skip with a message.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{LOG_HEADER, Workdir, small_roster, walk};

/// A tmpfs mounted on a folder for one test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts `megabytes` of tmpfs on `dir`; None (with a message) when this user cannot.
    fn mount(dir: &Path, megabytes: u32) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!("skipped: mounting a tmpfs needs root (run .ci/run, which runs as root)");
            return None;
        }
        Some(Tmpfs(dir.to_path_buf()))
    }

    /// Leaves about `bytes` free by writing a filler file; returns its path.
    fn leave_free(&self, bytes: u64) -> PathBuf {
        let free = fs_free(&self.0);
        let filler = self.0.join("filler");
        let size = free.saturating_sub(bytes);
        std::fs::write(&filler, vec![0u8; size as usize]).unwrap();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).output();
    }
}

/// Free bytes on the filesystem holding `dir` (`df`, so no extra crate).
fn fs_free(dir: &Path) -> u64 {
    let out = Command::new("df").args(["-B1", "--output=avail"]).arg(dir).output().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().nth(1).unwrap().trim().parse().unwrap()
}

/// A council folder whose store, lake, outbox and archive live on a 64 MB tmpfs at `var/`,
/// with the small roster ingested and an access log of `rows` rows waiting in the inbox.
fn on_tmpfs(rows: usize) -> Option<(Workdir, Tmpfs)> {
    let w = Workdir::new();
    let fs = Tmpfs::mount(&w.join("var"), 64)?;
    w.write("renkei.toml", b"[paths]\nlake = \"var/lake\"\noutbox = \"var/outbox\"\narchive = \"var/archive\"\n");
    let roster = small_roster(&w);
    w.ok(&["ingest", roster.to_str().unwrap()]);
    let mut log = String::from(LOG_HEADER);
    for i in 0..rows {
        let viewer = ["十日町病院", "ゆきぐにクリニック", "みなみ薬局"][i % 3];
        log.push_str(&format!(
            "2025-{:02}-{:02} {:02}:{:02}:00,ID-Link,U{:04},{viewer},P{:06},齋藤記念病院,画像,閲覧\r\n",
            4 + i % 9,
            1 + i % 28,
            8 + i % 10,
            i % 60,
            i % 300,
            i % 5_000
        ));
    }
    w.write_sjis("logs/log.csv", &log);
    Some((w, fs))
}

fn events(w: &Workdir) -> i64 {
    w.count("SELECT count(*) FROM access_events")
}

fn log_ingested(w: &Workdir) -> bool {
    w.count("SELECT count(*) FROM ingested_files WHERE path LIKE '%log.csv'") == 1
}

#[test]
fn a_full_disk_during_an_ingest_leaves_the_store_whole_or_unchanged() {
    const ROWS: usize = 20_000;
    // Free space left before the ingest, from almost nothing to more than it needs.
    let points: Vec<u64> = (0..16).map(|i| 60_000 + i * 420_000).collect();
    let (mut failed, mut loaded) = (0, 0);
    for free in &points {
        let Some((w, fs)) = on_tmpfs(ROWS) else { return };
        let filler = fs.leave_free(*free);
        let r = w.run(&["ingest", "logs/log.csv"]);
        match r.code {
            0 => {
                loaded += 1;
                assert_eq!(events(&w), ROWS as i64, "{free} bytes free: loaded, so whole");
                assert!(log_ingested(&w));
            }
            1 => {
                failed += 1;
                assert!(r.stderr.contains("ディスクの空きが足りません"), "{free} bytes free: {}", r.stderr);
                assert!(r.stderr.contains("空きを作ってから"), "{}", r.stderr);
                // Refused whole, or (the lake's copy failing after the commit) whole in the
                // store with the error saying so; never part of it.
                if r.stderr.contains("データベースに入っています") {
                    assert_eq!(events(&w), ROWS as i64, "{free} bytes free: in the store, so whole");
                } else {
                    assert_eq!(events(&w), 0, "{free} bytes free: refused, so unchanged");
                    assert!(!log_ingested(&w));
                }
            }
            code => panic!("{free} bytes free: exit {code}\n{}", r.stderr),
        }
        // Space freed, the same command completes (or finds the file already in).
        std::fs::remove_file(filler).unwrap();
        let again = w.ok(&["ingest", "logs/log.csv"]);
        assert!(again.stdout.contains("取込"), "{}", again.stdout);
        assert_eq!(events(&w), ROWS as i64, "{free} bytes free, then space: whole");
        // The lake holds the log's Parquet once the ingest is whole.
        let parquet =
            walk(&w.join("var/lake")).iter().filter(|p| p.extension().is_some_and(|e| e == "parquet")).count();
        assert!(parquet >= 9, "one Parquet file per month at least: {parquet}");
    }
    eprintln!(
        "disk full during an ingest at {} points: {failed} refused unchanged, {loaded} loaded whole",
        points.len()
    );
    assert!(failed >= 3 && loaded >= 1, "the points span both outcomes: {failed} failed, {loaded} loaded");
}

#[test]
fn a_full_disk_during_a_send_writes_no_half_message_and_the_next_send_delivers_once() {
    // Free space from too little for the message to enough for it but not the archive.
    let points: Vec<u64> = (0..10).map(|i| 4_000 + i * 60_000).collect();
    let (mut failed, mut sent) = (0, 0);
    for free in &points {
        let Some((w, fs)) = on_tmpfs(2_000) else { return };
        w.ok(&["ingest", "logs/log.csv"]);
        let mut config = std::fs::read_to_string(w.join("renkei.toml")).unwrap();
        config.push_str("\n[recipients]\nboard = [\"board@example.jp\"]\n\n[report]\nrequired_sources = []\n");
        std::fs::write(w.join("renkei.toml"), config).unwrap();
        let filler = fs.leave_free(*free);
        let r = w.run(&["send", "board", "--month", "2025-12"]);
        match r.code {
            0 => sent += 1,
            1 => {
                failed += 1;
                assert!(r.stderr.contains("ディスクの空きが足りません"), "{free} bytes free: {}", r.stderr);
            }
            code => panic!("{free} bytes free: exit {code}\n{}\n{}", r.stdout, r.stderr),
        }
        // Whatever is in the outbox is a whole message.
        for p in walk(&w.join("var/outbox")) {
            let bytes = std::fs::read(&p).unwrap();
            let whole = mail_parser::MessageParser::default().parse(&bytes).is_some_and(|m| m.body_html(0).is_some());
            assert!(whole, "{free} bytes free: {} is not a whole message", p.display());
        }
        std::fs::remove_file(filler).unwrap();
        w.ok(&["send", "board", "--month", "2025-12"]);
        let messages = walk(&w.join("var/outbox")).len();
        assert_eq!(messages, 1, "{free} bytes free, then space: one whole message, never two");
    }
    eprintln!("disk full during a send at {} points: {failed} failed cleanly, {sent} sent", points.len());
    assert!(failed >= 1, "some points are too full to send: {failed}");
}

#[test]
fn a_store_that_is_not_duckdb_or_is_from_a_newer_renkei_is_refused_untouched() {
    let w = Workdir::new();
    w.write("var/renkei.duckdb", b"this is not a database\n");
    let roster = small_roster(&w);
    for args in [&["status"][..], &["ingest", roster.to_str().unwrap()], &["sql", "-e", "select 1"]] {
        let r = w.run(args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("renkei のデータベース（DuckDB）ではありません"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("[store] path"), "{}", r.stderr);
    }
    assert_eq!(std::fs::read(w.join("var/renkei.duckdb")).unwrap(), b"this is not a database\n");

    // A store a later renkei migrated to a schema this one does not know.
    let w = Workdir::new();
    small_roster(&w);
    w.ok(&["ingest"]);
    {
        let store = renkei::store::Store::open(&w.join("var/renkei.duckdb")).unwrap();
        store.execute("INSERT INTO schema_version VALUES (99, TIMESTAMP '2030-01-01 00:00:00')", &[]).unwrap();
        store.execute("CREATE TABLE from_the_future (x INTEGER)", &[]).unwrap();
    }
    let schema = || -> (i32, i64, i64) {
        let config = duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly).unwrap();
        let conn = duckdb::Connection::open_with_flags(w.join("var/renkei.duckdb"), config).unwrap();
        let q = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        (
            q("SELECT max(version) FROM schema_version") as i32,
            q("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'from_the_future'"),
            q("SELECT count(*) FROM facilities"),
        )
    };
    let before = schema();
    for args in [&["status"][..], &["ingest"], &["sql", "-e", "select count(*) from facilities"]] {
        let r = w.run(args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("新しい renkei（スキーマ版 99）"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(schema(), before, "not downgraded, nothing loaded");
    assert_eq!(before.0, 99);
}

#[test]
fn read_only_folders_are_named_with_what_to_do_and_nothing_is_half_done() {
    let Some((w, _fs)) = on_tmpfs(3_000) else { return };
    // The lake on a read-only filesystem: the store commits the file (the lake is a copy of
    // it), the summary says so, the error names the lake, and the next ingest writes it.
    let lake = Tmpfs::mount(&w.join("var/lake"), 1).unwrap();
    Command::new("mount").args(["-o", "remount,ro"]).arg(w.join("var/lake")).output().unwrap();
    let r = w.run(&["ingest", "logs/log.csv"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("取込") && r.stdout.contains("3000行"), "{}", r.stdout);
    assert!(r.stderr.contains("書き込めません") && r.stderr.contains("[paths]"), "{}", r.stderr);
    assert!(r.stderr.contains("データベースに入っています") && r.stderr.contains("lake"), "{}", r.stderr);
    assert_eq!(events(&w), 3_000, "the store has the whole file");
    drop(lake);
    let r = w.ok(&["ingest", "logs/log.csv"]);
    assert!(r.stdout.contains("取込済"), "{}", r.stdout);
    let parquet = walk(&w.join("var/lake")).iter().filter(|p| p.extension().is_some_and(|e| e == "parquet")).count();
    assert!(parquet >= 9, "the next ingest wrote the lake: {parquet} Parquet files");
    // The outbox read-only: the send fails naming it, the ledger keeps it unsent, and the
    // send after it is writable again delivers once.
    let mut config = std::fs::read_to_string(w.join("renkei.toml")).unwrap();
    config.push_str("\n[recipients]\nboard = [\"board@example.jp\"]\n\n[report]\nrequired_sources = []\n");
    std::fs::write(w.join("renkei.toml"), config).unwrap();
    let outbox = Tmpfs::mount(&w.join("var/outbox"), 1).unwrap();
    Command::new("mount").args(["-o", "remount,ro"]).arg(w.join("var/outbox")).output().unwrap();
    let r = w.run(&["send", "board", "--month", "2025-12"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("書き込めません") && r.stderr.contains("outbox"), "{}", r.stderr);
    drop(outbox);
    let r = w.ok(&["send", "board", "--month", "2025-12"]);
    assert!(r.stdout.contains("board@example.jp"), "{}", r.stdout);
    assert_eq!(walk(&w.join("var/outbox")).len(), 1);
}

#[test]
fn many_readers_while_an_ingest_and_a_send_run_wait_and_see_all_or_nothing() {
    let w = Workdir::new();
    small_roster(&w);
    w.ok(&["ingest"]);
    let mut log = String::from(LOG_HEADER);
    for i in 0..20_000 {
        log.push_str(&format!(
            "2025-{:02}-{:02} 10:{:02}:00,ID-Link,U{:03},十日町病院,P{:05},齋藤記念病院,画像,閲覧\r\n",
            4 + i % 9,
            1 + i % 28,
            i % 60,
            i % 200,
            i % 3_000
        ));
    }
    w.write_sjis("logs/log.csv", &log);
    w.write("renkei.toml", b"[recipients]\nboard = [\"board@example.jp\"]\n\n[report]\nrequired_sources = []\n");
    let spawn = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_renkei"))
            .args(args)
            .current_dir(w.path())
            .env_remove("RENKEI_LOG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut children =
        vec![("ingest", spawn(&["ingest", "logs/log.csv"])), ("send", spawn(&["send", "board", "--month", "2025-12"]))];
    for i in 0..8 {
        let child = if i % 2 == 0 {
            spawn(&["sql", "-e", "SELECT count(*) AS n FROM access_events", "--format", "csv"])
        } else {
            spawn(&["query", "monthly_trend", "--param", "fiscal_year=R7", "--format", "csv"])
        };
        children.push((if i % 2 == 0 { "sql" } else { "query" }, child));
    }
    let (mut waited, mut busy) = (0, Vec::new());
    for (what, child) in children {
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        waited += usize::from(stderr.contains("待っています"));
        // Done, or (on a loaded machine, past the documented 5 s) told the store is busy
        // and what to do; never another error.
        if !out.status.success() {
            assert!(stderr.contains("別の renkei が使用中") && stderr.contains("再実行"), "{what}: {stdout}\n{stderr}");
            busy.push(what);
            continue;
        }
        if what == "sql" {
            let n: i64 = stdout.lines().nth(1).unwrap().trim().parse().unwrap();
            assert!(n == 0 || n == 20_000, "a reader sees the log whole or not at all: {n}");
        }
    }
    // Nothing lost: a writer that was told to retry completes when retried.
    if busy.contains(&"ingest") {
        w.ok(&["ingest", "logs/log.csv"]);
    }
    if busy.contains(&"send") {
        w.ok(&["send", "board", "--month", "2025-12"]);
    }
    assert_eq!(events(&w), 20_000);
    assert_eq!(std::fs::read_dir(w.join("outbox")).unwrap().count(), 1, "one message");
    eprintln!("10 processes at once: {waited} waited for another, {} told to retry ({busy:?})", busy.len());
}

#[test]
fn a_kill_during_the_schema_migration_leaves_the_old_schema_or_the_new_never_half() {
    // A version 3 store (the migrations before the review's), made here from the files.
    let dir = tempfile::tempdir().unwrap();
    let v3 = dir.path().join("v3.duckdb");
    {
        let conn = duckdb::Connection::open(&v3).unwrap();
        conn.execute_batch("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL);")
            .unwrap();
        for (v, file) in [(1, "001_init.sql"), (2, "002_uuid_keys.sql"), (3, "003_definitions.sql")] {
            let sql = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/schema").join(file))
                .unwrap();
            conn.execute_batch(&sql).unwrap();
            conn.execute(&format!("INSERT INTO schema_version VALUES ({v}, TIMESTAMP '2026-01-01 00:00:00')"), [])
                .unwrap();
        }
    }
    let (mut old, mut new) = (0, 0);
    // From before the store is opened to after the migration commits (a debug build opens,
    // migrates and reports in about 350 ms).
    for delay_ms in (0..600).step_by(30) {
        let w = Workdir::new();
        std::fs::create_dir_all(w.join("var")).unwrap();
        std::fs::copy(&v3, w.join("var/renkei.duckdb")).unwrap();
        // The review opens the store for writing, so it migrates first.
        let mut child = Command::new(env!("CARGO_BIN_EXE_renkei"))
            .args(["audit", "cases", "--month", "2025-07"])
            .current_dir(w.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let conn = duckdb::Connection::open(w.join("var/renkei.duckdb")).unwrap();
        let q = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        let version = q("SELECT max(version) FROM schema_version");
        let review_tables = q("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'review_%'");
        match version {
            3 => {
                old += 1;
                assert_eq!(review_tables, 0, "killed after {delay_ms} ms: version 3 with review tables");
            }
            4 | 5 => {
                new += 1;
                assert_eq!(review_tables, 5, "killed after {delay_ms} ms: version {version} without its tables");
            }
            v => panic!("killed after {delay_ms} ms: schema version {v}"),
        }
        drop(conn);
        // Run again to the end, the store migrates and works.
        w.ok(&["audit", "cases", "--month", "2025-07"]);
        assert_eq!(w.count("SELECT max(version) FROM schema_version"), 5);
    }
    // How many fell on each side depends on the machine's speed; only "never half" is asserted.
    eprintln!("kill -9 during the migration at 20 points: {old} kept version 3, {new} at version 4, none half");
}
