//! Delivery over SMTP to a real server on 127.0.0.1 (aiosmtpd, tests/smtp/server.py) that
//! answers 421, 451 and 550, hangs up after the body, stalls, or blocks until renkei is
//! killed. After every case: each message was delivered exactly once, or is in the outbox
//! marked failed or unknown with the admin told; none was delivered twice.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::metrics::network_with_known_answers;
use crate::support::{SmtpServer, Workdir};

const FROM: &str = "連携ネット事務局 <office@example.jp>";
const ADMIN: &str = "admin@example.jp";

/// A config that sends the board report to `board` (local parts at example.jp) through
/// the test server, quickly: 1 s timeout, 3 tries, 10 ms backoff.
fn config(w: &Workdir, server: &SmtpServer, board: &[&str], extra: &str) {
    let board: Vec<String> = board.iter().map(|b| format!("\"{b}@example.jp\"")).collect();
    let text = format!(
        "[report]\nnetwork_name = \"テスト連携ネット\"\n\n\
         [recipients]\nboard = [{}]\nadmin = [\"{ADMIN}\"]\n\n\
         [smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"{FROM}\"\n\
         timeout_s = 1\ntries = 3\nbackoff_s = 0.01\n{extra}",
        board.join(", "),
        server.port
    );
    std::fs::write(w.join("renkei.toml"), text).unwrap();
}

/// The ledger row of a recipient: (status, attempts, last_error).
fn ledger(w: &Workdir, rcpt: &str) -> (String, i64, String) {
    let rows = w.rows(&format!(
        "SELECT status, attempts, coalesce(last_error, '') FROM deliveries
         WHERE report_id = 'board-2025-07' AND recipient = '{rcpt}@example.jp'"
    ));
    let r = rows.first().unwrap_or_else(|| panic!("no ledger row for {rcpt}"));
    (r[0].clone(), r[1].parse().unwrap(), r[2].clone())
}

fn outbox_names(w: &Workdir) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(w.join("outbox")) else { return Vec::new() };
    let mut v: Vec<String> = dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn outbox_file(report_id: &str, rcpt: &str) -> String {
    renkei::deliver::outbox::file_name(report_id, &format!("{rcpt}@example.jp"))
}

/// The admin notices the server accepted, by body text.
fn notices(server: &SmtpServer) -> Vec<String> {
    server.accepted(ADMIN).iter().map(|e| e["body"].as_str().unwrap().to_string()).collect()
}

#[test]
fn transient_replies_are_retried_with_backoff_and_permanent_ones_are_not() {
    let w = network_with_known_answers();
    let server = SmtpServer::start(w.path(), 3.0, None);
    let board = ["ok", "rcpt421x2", "data451x1", "stallrcptx1", "rcpt550", "data451"];
    config(&w, &server, &board, "");
    let r = w.run(&["send", "board", "--month", "2025-07"]);
    assert_eq!(r.code, 1, "a failed recipient makes exit 1\n{}\n{}", r.stdout, r.stderr);

    // Delivered exactly once each, on the try the server allowed.
    for (rcpt, tries) in [("ok", 1), ("rcpt421x2", 3), ("data451x1", 2), ("stallrcptx1", 2)] {
        let got = server.accepted(&format!("{rcpt}@example.jp"));
        assert_eq!(got.len(), 1, "{rcpt}: {got:?}");
        assert_eq!(got[0]["subject"], "【テスト連携ネット】2025年7月 月次利用報告");
        assert!(got[0]["message_id"].as_str().unwrap().starts_with("<board-2025-07."), "{:?}", got[0]);
        assert_eq!(ledger(&w, rcpt).0, "sent", "{rcpt}");
        assert_eq!(ledger(&w, rcpt).1, tries, "{rcpt} attempts");
    }
    // 550 is not retried; 451 three times is given up; both stay in the outbox.
    let (status, attempts, error) = ledger(&w, "rcpt550");
    assert_eq!((status.as_str(), attempts), ("failed", 1));
    assert!(error.contains("550"), "{error}");
    let (status, attempts, error) = ledger(&w, "data451");
    assert_eq!((status.as_str(), attempts), ("failed", 3));
    assert!(error.contains("451") && error.contains("3 回"), "{error}");
    assert!(server.accepted("rcpt550@example.jp").is_empty() && server.accepted("data451@example.jp").is_empty());
    let mut kept = [outbox_file("board-2025-07", "data451"), outbox_file("board-2025-07", "rcpt550")];
    kept.sort();
    assert_eq!(outbox_names(&w), kept);
    assert!(r.stdout.contains("失敗    rcpt550@example.jp"), "{}", r.stdout);
    assert!(r.stdout.contains("送信    rcpt421x2@example.jp  （3 回目で届きました）"), "{}", r.stdout);

    // The admin got one notice naming both.
    let n = notices(&server);
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].contains("rcpt550@example.jp") && n[0].contains("data451@example.jp"), "{}", n[0]);
    assert!(!n[0].contains("ok@example.jp"), "{}", n[0]);

    // A second run sends nothing twice: the delivered are skipped, the failed tried again.
    let again = w.run(&["send", "board", "--month", "2025-07"]);
    assert_eq!(again.code, 1);
    assert_eq!(again.stdout.matches("送信済").count(), 4, "{}", again.stdout);
    for rcpt in ["ok", "rcpt421x2", "data451x1", "stallrcptx1"] {
        assert_eq!(server.accepted(&format!("{rcpt}@example.jp")).len(), 1, "{rcpt} delivered twice");
    }
    assert_eq!(ledger(&w, "rcpt550").1, 2);
}

#[test]
fn a_reply_lost_after_the_body_is_unknown_and_never_retried_on_its_own() {
    let w = network_with_known_answers();
    let server = SmtpServer::start(w.path(), 3.0, None);
    config(&w, &server, &["hangupx1", "stalldatax1"], "");
    let r = w.run(&["send", "board", "--month", "2025-07"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for rcpt in ["hangupx1", "stalldatax1"] {
        let (status, attempts, error) = ledger(&w, rcpt);
        assert_eq!((status.as_str(), attempts), ("unknown", 1), "{rcpt}: {error}");
        assert!(error.contains("本文の送信後"), "{error}");
        assert!(outbox_names(&w).contains(&outbox_file("board-2025-07", rcpt)), "{rcpt} kept in the outbox");
    }
    // The stalling server did keep its message (after renkei gave up waiting): once.
    server.wait_for("the stalled message", |e| e["event"] == "accepted" && e["rcpt"] == "stalldatax1@example.jp");
    assert!(server.accepted("hangupx1@example.jp").is_empty());
    let n = notices(&server);
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].contains("届いたか分かりません") && n[0].contains("--force"), "{}", n[0]);

    // Not retried by a second run; a forced resend is deliberate and goes through.
    let again = w.run(&["send", "board", "--month", "2025-07"]);
    assert_eq!(again.stdout.matches("送信済").count(), 2, "{}", again.stdout);
    assert_eq!(server.accepted("stalldatax1@example.jp").len(), 1);
    w.run(&["send", "board", "--month", "2025-07", "--force"]);
    assert_eq!(server.accepted("hangupx1@example.jp").len(), 1);
    assert_eq!(ledger(&w, "hangupx1").0, "sent");
    assert!(
        !outbox_names(&w).contains(&outbox_file("board-2025-07", "hangupx1")),
        "a delivered message leaves the outbox"
    );
}

/// Kills `renkei send board` with SIGKILL while the server holds recipient `blocked`.
fn kill_while_blocked(w: &Workdir, server: &SmtpServer, blocked: &str, stage: &str) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_renkei"))
        .args(["send", "board", "--month", "2025-07"])
        .current_dir(w.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let rcpt = format!("{blocked}@example.jp");
    server.wait_for("the block", |e| e["event"] == "blocked" && e["rcpt"] == rcpt.as_str() && e["stage"] == stage);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

#[test]
fn kill_9_before_the_body_resends_safely_and_delivers_each_message_once() {
    let w = network_with_known_answers();
    let server = SmtpServer::start(w.path(), 3.0, None);
    config(&w, &server, &["first", "blockrcptx1", "last"], "");
    kill_while_blocked(&w, &server, "blockrcptx1", "rcpt");
    assert_eq!(ledger(&w, "first").0, "sent");
    assert_eq!(ledger(&w, "blockrcptx1").0, "pending", "intent written, body never left");

    let r = w.ok(&["send", "board", "--month", "2025-07"]);
    assert!(r.stdout.contains("送信済  first@example.jp"), "{}", r.stdout);
    for rcpt in ["first", "blockrcptx1", "last"] {
        assert_eq!(server.accepted(&format!("{rcpt}@example.jp")).len(), 1, "{rcpt}");
        assert_eq!(ledger(&w, rcpt).0, "sent");
    }
    assert!(notices(&server).is_empty());
}

#[test]
fn kill_9_while_the_body_is_out_leaves_unknown_and_the_admin_is_told() {
    let w = network_with_known_answers();
    let server = SmtpServer::start(w.path(), 3.0, None);
    config(&w, &server, &["first", "blockdatax1", "last"], "");
    kill_while_blocked(&w, &server, "blockdatax1", "data");
    assert_eq!(ledger(&w, "blockdatax1").0, "sending", "the ledger knew the body was on its way");

    let r = w.run(&["send", "board", "--month", "2025-07"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let (status, _, error) = ledger(&w, "blockdatax1");
    assert_eq!(status, "unknown");
    assert!(error.contains("途中で止まりました"), "{error}");
    assert!(outbox_names(&w).contains(&outbox_file("board-2025-07", "blockdatax1")));
    assert!(server.accepted("blockdatax1@example.jp").is_empty(), "not resent on its own");
    for rcpt in ["first", "last"] {
        assert_eq!(server.accepted(&format!("{rcpt}@example.jp")).len(), 1, "{rcpt}");
    }
    let n = notices(&server);
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].contains("blockdatax1@example.jp"), "{}", n[0]);
}

#[test]
fn every_delivered_message_is_archived_with_the_checksums_of_its_inputs() {
    let w = network_with_known_answers();
    let server = SmtpServer::start(w.path(), 3.0, None);
    config(&w, &server, &["ok", "rcpt550"], "");
    w.run(&["send", "board", "--month", "2025-07"]);
    let report_dir = w.join("archive/board-2025-07");
    let runs: Vec<_> = std::fs::read_dir(&report_dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let mut names: Vec<String> =
        std::fs::read_dir(&runs[0]).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, [outbox_file("board-2025-07", "ok"), "inputs.json".to_string()], "only what was delivered");
    let eml = std::fs::read(runs[0].join(outbox_file("board-2025-07", "ok"))).unwrap();
    let accepted = &server.accepted("ok@example.jp")[0];
    let parsed = mail_parser::MessageParser::default().parse(&eml).unwrap();
    assert_eq!(format!("<{}>", parsed.message_id().unwrap()), accepted["message_id"].as_str().unwrap());

    // The checksums are those of the files the test wrote, worked out here.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(runs[0].join("inputs.json")).unwrap()).unwrap();
    let inputs = manifest["inputs"].as_array().unwrap();
    let inbox: Vec<_> = std::fs::read_dir(w.join("inbox")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(inputs.len(), inbox.len(), "{manifest}");
    for file in &inbox {
        let sha = hex::encode(Sha256::digest(std::fs::read(file).unwrap()));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let entry = inputs.iter().find(|i| i["path"].as_str().unwrap().ends_with(&name)).expect(&name);
        assert_eq!(entry["sha256"], sha.as_str(), "{name}");
    }
    assert_eq!(manifest["subject"], "【テスト連携ネット】2025年7月 月次利用報告");
}

/// A private CA and a certificate for localhost, made with trustme (PyPI); returns the CA
/// PEM and the server's key-and-chain PEM.
fn certificates(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (ca, server) = (dir.join("ca.pem"), dir.join("server.pem"));
    let script = format!(
        "import trustme; ca = trustme.CA(); c = ca.issue_cert('localhost'); \
         ca.cert_pem.write_to_path('{}'); c.private_key_and_cert_chain_pem.write_to_path('{}')",
        ca.display(),
        server.display()
    );
    let out = std::process::Command::new("python3").args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (ca, server)
}

/// With `tls = mode` against `server` (certificate for localhost): without the council's CA
/// the certificate is not trusted, refused at once and not retried; with it, delivered.
fn certificate_is_checked(w: &Workdir, server: &SmtpServer, ca: &Path, mode: &str) {
    config(w, server, &["ok"], "");
    let toml = std::fs::read_to_string(w.join("renkei.toml")).unwrap();
    let toml = toml
        .replace("host = \"127.0.0.1\"", "host = \"localhost\"")
        .replace("tls = \"none\"", &format!("tls = \"{mode}\""));
    std::fs::write(w.join("renkei.toml"), &toml).unwrap();
    let r = w.run(&["send", "board", "--month", "2025-07"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let (status, attempts, error) = ledger(w, "ok");
    assert_eq!((status.as_str(), attempts), ("failed", 1), "{error}");
    assert!(error.contains("TLS"), "{error}");
    assert!(server.accepted("ok@example.jp").is_empty());

    // With it, the message goes through encrypted.
    std::fs::write(w.join("renkei.toml"), format!("{toml}ca_file = \"{}\"\n", ca.display())).unwrap();
    let r = w.ok(&["send", "board", "--month", "2025-07"]);
    assert!(r.stdout.contains("送信    ok@example.jp"), "{}", r.stdout);
    assert_eq!(server.accepted("ok@example.jp").len(), 1);
}

#[test]
fn starttls_verifies_the_certificate_against_the_configured_ca() {
    let w = network_with_known_answers();
    let (ca, server_pem) = certificates(w.path());
    let server = SmtpServer::start(w.path(), 3.0, Some(&server_pem));
    certificate_is_checked(&w, &server, &ca, "starttls");
}

#[test]
fn implicit_tls_verifies_the_certificate_against_the_configured_ca_too() {
    let w = network_with_known_answers();
    let (ca, server_pem) = certificates(w.path());
    let server = SmtpServer::start_implicit_tls(w.path(), &server_pem);
    certificate_is_checked(&w, &server, &ca, "tls");
}

#[test]
fn a_month_whose_data_is_incomplete_is_held_and_the_admin_told_once() {
    let w = network_with_known_answers();
    let server = SmtpServer::start(w.path(), 3.0, None);
    config(&w, &server, &["ok"], "");
    // August has ID-Link but not Team, which logged in July.
    w.write_sjis(
        "inbox/アクセスログ_8月.csv",
        &format!(
            "{}2025-08-04 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧\r\n",
            crate::support::LOG_HEADER
        ),
    );
    w.ok(&["ingest"]);
    let dry = w.ok(&["send", "board", "--month", "2025-08", "--dry-run"]);
    assert!(
        dry.stdout.contains("保留の理由: アクセスログ: 前月にあった Team の分が 2025年8月 にありません"),
        "{}",
        dry.stdout
    );
    let r = w.run(&["send", "board", "--month", "2025-08"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("保留    ok@example.jp"), "{}", r.stdout);
    let rows = w.rows("SELECT status, last_error FROM deliveries WHERE report_id = 'board-2025-08'");
    assert_eq!(rows, [["held", "アクセスログ: 前月にあった Team の分が 2025年8月 にありません"]]);
    assert!(server.accepted("ok@example.jp").is_empty());
    // September has nothing at all.
    let sept = w.run(&["send", "board", "--month", "2025-09"]);
    assert!(sept.stdout.contains("アクセスログ: 2025年9月 の分がありません"), "{}", sept.stdout);

    // One notice per held report and reason, not one per run.
    w.run(&["send", "board", "--month", "2025-08"]);
    let n = notices(&server);
    assert_eq!(n.len(), 2, "{n:?}");
    assert!(n.iter().any(|b| b.contains("Team の分が 2025年8月 にありません")), "{n:?}");

    // --incomplete sends it anyway, on purpose.
    w.ok(&["send", "board", "--month", "2025-08", "--incomplete"]);
    assert_eq!(server.accepted("ok@example.jp").len(), 1);
}
