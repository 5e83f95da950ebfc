//! Test support: a fresh working folder per test, the real `renkei` binary run inside it,
//! and builders for the files councils really send (xlsx with title and 合計 rows written
//! by rust_xlsxwriter, Shift_JIS bytes from encoding_rs).

use std::path::{Path, PathBuf};
use std::process::Command;

use renkei::store::{Cell, Store};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A temporary council folder.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Runs `renkei ARGS` in the folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_renkei"))
            .args(args)
            .current_dir(self.path())
            .env_remove("RENKEI_LOG")
            .env_remove("RENKEI_CONFIG")
            .output()
            .expect("run renkei");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `renkei ARGS` with `input` on stdin (not a terminal).
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_renkei"))
            .args(args)
            .current_dir(self.path())
            .env_remove("RENKEI_LOG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run renkei");
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and asserts exit 0.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "renkei {args:?} failed\nstdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
        r
    }

    /// Opens the store read-only (after the binary has exited).
    pub fn store(&self) -> Store {
        Store::open_read_only(&self.join("var/renkei.duckdb")).expect("open store")
    }

    /// One integer from a query.
    pub fn count(&self, sql: &str) -> i64 {
        let t = self.store().query(sql, &[]).expect(sql);
        t.rows[0][0].as_i64().unwrap_or_else(|| panic!("{sql} gave {:?}", t.rows[0][0]))
    }

    /// All rows of a query as strings.
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let t = self.store().query(sql, &[]).expect(sql);
        t.rows.iter().map(|r| r.iter().map(Cell::to_string).collect()).collect()
    }

    /// Writes bytes to a file in the folder (creating parents).
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Writes text as Shift_JIS (CP932) bytes.
    pub fn write_sjis(&self, name: &str, text: &str) -> PathBuf {
        let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!had_errors, "test text must be Shift_JIS-encodable");
        self.write(name, &bytes)
    }
}

/// A raw ID's pseudonym as the store writes it: the first 128 bits of
/// HMAC-SHA256(key, kind ‖ raw ID) as UUID text (kind 1 for patients, 2 for users), worked
/// out here apart from renkei with the folder's key.
pub fn pseudonym_of(w: &Workdir, kind: u8, raw: &str) -> String {
    use hmac::Mac;
    let secret = hex::decode(std::fs::read_to_string(w.join("var/renkei.key")).unwrap().trim()).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret).unwrap();
    mac.update(&[kind]);
    mac.update(raw.as_bytes());
    let h = hex::encode(&mac.finalize().into_bytes()[..16]);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// Every file below `dir` (none when it does not exist).
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// The demo council up to March 2026 (R7 closed), made once for the tests that only read
/// it: its store, inbox and outbox.
pub fn demo() -> &'static Workdir {
    static DEMO: std::sync::OnceLock<Workdir> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| {
        let w = Workdir::new();
        w.ok(&["demo", "--until", "2026-03"]);
        w
    })
}

/// What a user sees of a run (exit code, stdout, stderr) with the folder as `[TEMP_DIR]`.
pub fn screen(w: &Workdir, r: &Run) -> String {
    let text = format!("exit {}\n--- stdout\n{}--- stderr\n{}", r.code, r.stdout, r.stderr);
    text.replace(&w.path().display().to_string(), "[TEMP_DIR]")
}

/// Snapshots `text` with timings and the clock filtered (`0.12秒` → `[TIME]`,
/// `2026-12-01 23:14` → `[NOW]`), as uv's tests do.
pub fn assert_screen(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d+\.\d+秒", "[TIME]");
    settings.add_filter(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[NOW]");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/snapshots"));
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// A fee cell: a number, or text as some secretariats type it.
pub enum Fee {
    Number(f64),
    Text(&'static str),
}

/// One roster row: name, kind, municipality, join date (yyyy/m/d text), publishes, fee.
pub struct Member(pub &'static str, pub &'static str, pub &'static str, pub &'static str, pub bool, pub Fee);

/// Writes a roster xlsx like a council's: merged title row, blank row, header, members,
/// a 合計 row with a formula and a ※ footnote.
pub fn write_roster(path: &Path, title: &str, members: &[Member]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 6, title, &Format::new().set_bold().set_align(FormatAlign::Center)).unwrap();
    for (c, h) in ["No.", "施設名", "種別", "市町", "加入日", "画像公開", "年会費（円）"].iter().enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let mut row = 3;
    for (i, m) in members.iter().enumerate() {
        ws.write_number(row, 0, (i + 1) as f64).unwrap();
        ws.write_string(row, 1, m.0).unwrap();
        ws.write_string(row, 2, m.1).unwrap();
        ws.write_string(row, 3, m.2).unwrap();
        ws.write_string(row, 4, m.3).unwrap();
        ws.write_string(row, 5, if m.4 { "○" } else { "" }).unwrap();
        match m.5 {
            Fee::Number(n) => ws.write_number(row, 6, n).unwrap(),
            Fee::Text(t) => ws.write_string(row, 6, t).unwrap(),
        };
        row += 1;
    }
    ws.write_string(row, 0, "合計").unwrap();
    ws.write_formula(row, 6, format!("=SUM(G4:G{row})").as_str()).unwrap();
    ws.write_string(row + 1, 0, "※ 年会費は年額").unwrap();
    wb.save(path).unwrap();
}

/// The small network most tests use: two hospitals (one publishing images), a clinic with
/// a katakana name, a pharmacy that never uses the network.
pub fn small_roster(w: &Workdir) -> PathBuf {
    let p = w.join("inbox/名簿_R7.xlsx");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    write_roster(
        &p,
        "令和7年度 テスト連携ネット 参加施設名簿",
        &[
            Member("齋藤記念病院", "病院", "南魚沼市", "2012/10/1", true, Fee::Number(1_400_000.0)),
            Member("十日町病院", "病院", "十日町市", "2012/10/1", false, Fee::Text("1,200,000")),
            Member("ゆきぐにクリニック", "診療所", "魚沼市", "令和元年5月1日", false, Fee::Number(90_000.0)),
            Member("みなみ薬局", "薬局", "湯沢町", "2024/4/1", false, Fee::Text("36,000円")),
        ],
    );
    p
}

/// The small network's roster and an access log of `rows` (after [`LOG_HEADER`]) as
/// Shift_JIS in `inbox/log.csv`, not yet ingested.
pub fn roster_and_log(rows: &[&str]) -> Workdir {
    let w = Workdir::new();
    small_roster(&w);
    let lines: String = rows.iter().map(|r| format!("{r}\r\n")).collect();
    w.write_sjis("inbox/log.csv", &format!("{LOG_HEADER}{lines}"));
    w
}

/// The access-log header real exports use.
pub const LOG_HEADER: &str = "日時,システム,利用者ID,利用施設,患者ID,開示施設,データ種別,操作\r\n";

/// A real SMTP server (aiosmtpd, tests/smtp/server.py) on 127.0.0.1 for one test. The
/// recipient's local part says how it behaves (see the script). Stopped when dropped.
pub struct SmtpServer {
    child: std::process::Child,
    /// The port it listens on.
    pub port: u16,
    log: PathBuf,
}

/// The SMTP tests' server needs aiosmtpd and trustme (PyPI); `.ci/run` installs them. A
/// test never installs anything itself: without them it fails saying what to install.
fn ensure_python_packages() {
    let have = Command::new("python3").args(["-c", "import aiosmtpd, trustme"]).output();
    assert!(
        have.is_ok_and(|o| o.status.success()),
        "the SMTP tests need aiosmtpd and trustme for python3: run .ci/run, or \
         python3 -m pip install aiosmtpd==1.4.6 trustme==1.2.1"
    );
}

impl SmtpServer {
    /// Starts the server; `stall_s` is how long the stall behaviours say nothing; `tls` is
    /// (certificate chain and key PEM) to offer and require STARTTLS.
    pub fn start(dir: &Path, stall_s: f64, tls: Option<&Path>) -> SmtpServer {
        SmtpServer::spawn(dir, stall_s, tls, false)
    }

    /// Starts the server speaking TLS from the first byte with `pem` (port 465 style).
    pub fn start_implicit_tls(dir: &Path, pem: &Path) -> SmtpServer {
        SmtpServer::spawn(dir, 3.0, Some(pem), true)
    }

    fn spawn(dir: &Path, stall_s: f64, tls: Option<&Path>, implicit: bool) -> SmtpServer {
        use std::io::BufRead;
        ensure_python_packages();
        let log = dir.join(format!("smtp-{}.jsonl", std::process::id()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script).arg("--log").arg(&log).arg("--stall").arg(stall_s.to_string());
        if let Some(pem) = tls {
            cmd.arg("--tls-cert").arg(pem).arg("--tls-key").arg(pem);
        }
        if implicit {
            cmd.arg("--implicit-tls");
        }
        let stderr = std::fs::File::create(dir.join("smtp-server.stderr")).unwrap();
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start tests/smtp/server.py");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("PORT ").and_then(|p| p.parse().ok()).expect("PORT line");
        SmtpServer { child, port, log }
    }

    /// Every event the server logged, as JSON values.
    pub fn events(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect()
    }

    /// The messages the server accepted for `rcpt` (it keeps them).
    pub fn accepted(&self, rcpt: &str) -> Vec<serde_json::Value> {
        self.events().into_iter().filter(|e| e["event"] == "accepted" && e["rcpt"] == rcpt).collect()
    }

    /// Waits until the server has logged an event matching `pred` (a condition, not a
    /// fixed sleep); panics after 30 s.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&serde_json::Value) -> bool) {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !self.events().iter().any(&pred) {
            let seen: Vec<String> = self.events().iter().map(|e| format!("{} {}", e["event"], e["rcpt"])).collect();
            assert!(std::time::Instant::now() < until, "the SMTP server never logged {what}; it logged {seen:?}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
