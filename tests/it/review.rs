//! The monthly access-log review (`renkei audit`): each rule's edge worked out by hand on
//! a log written here (29 vs 30 patients, 72 hours, 180 days, the 加入日 day), the case
//! course, the demo's planted cases, the officer's report, no raw ID from a lookup reaching
//! disk, and the accuracy measured on a synthetic network. One file for the one feature:
//! each test builds its own log, so the length is the number of edges worth pinning.

use crate::support::{LOG_HEADER, Workdir, demo, roster_and_log, small_roster, walk};

/// The month's cases as JSON objects (`audit cases --format json`).
fn cases(w: &Workdir, month: &str) -> Vec<serde_json::Value> {
    let r = w.ok(&["audit", "cases", "--month", month, "--format", "json"]);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

/// The rules of each case, as `facility: rules`, sorted.
fn rules(cases: &[serde_json::Value]) -> Vec<String> {
    let mut out: Vec<String> = cases
        .iter()
        .map(|c| format!("{}: {}", c["facility"].as_str().unwrap(), c["rules"].as_str().unwrap()))
        .collect();
    out.sort();
    out
}

/// A log line: `at` (yyyy-mm-dd hh:mm), user, viewing facility, patient, disclosing, action.
fn line(at: &str, user: &str, facility: &str, patient: &str, disclosing: &str, action: &str) -> String {
    format!("{at},ID-Link,{user},{facility},{patient},{disclosing},検査,{action}")
}

/// 十日町病院 registers each patient of `patients` on 2025-06-01 (by user REG), so that
/// its staff's later views are explained.
fn registered(patients: &[String]) -> Vec<String> {
    patients.iter().map(|p| line("2025-06-01 08:00", "REG", "十日町病院", p, "十日町病院", "登録")).collect()
}

fn ingest(rows: &[String]) -> Workdir {
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let w = roster_and_log(&refs);
    w.ok(&["ingest"]);
    w
}

#[test]
fn a_sweep_is_30_patients_within_an_hour_and_29_is_not() {
    for (n, expected) in [(29, 0), (30, 1)] {
        let patients: Vec<String> = (0..n).map(|i| format!("P{i:03}")).collect();
        let mut rows = registered(&patients);
        // One every two minutes from 10:00: the 30th is at 10:58, inside the hour.
        for (i, p) in patients.iter().enumerate() {
            let at = format!("2025-07-10 {:02}:{:02}", 10 + (2 * i) / 60, (2 * i) % 60);
            rows.push(line(&at, "NURSE1", "十日町病院", p, "齋藤記念病院", "閲覧"));
        }
        let w = ingest(&rows);
        let found = cases(&w, "2025-07");
        assert_eq!(found.len(), expected, "{n} patients: {found:?}");
        if expected == 1 {
            assert_eq!(found[0]["rules"], "sweep");
            assert_eq!(found[0]["patients"], 30);
            assert_eq!(found[0]["facility"], "十日町病院");
        }
    }
}

#[test]
fn thirty_patients_spread_over_sixty_minutes_are_not_a_sweep() {
    // 10:00 … 11:00 with the last exactly an hour after the first: no 60-minute window
    // (first view up to, not including, an hour later) holds all 30.
    let patients: Vec<String> = (0..30).map(|i| format!("P{i:03}")).collect();
    let mut rows = registered(&patients);
    for (i, p) in patients.iter().enumerate() {
        let secs = i * 3600 / 29;
        let at = format!("2025-07-10 {:02}:{:02}:{:02}", 10 + secs / 3600, (secs / 60) % 60, secs % 60);
        rows.push(format!("{at},ID-Link,NURSE1,十日町病院,{p},齋藤記念病院,検査,閲覧"));
    }
    let w = ingest(&rows);
    assert_eq!(cases(&w, "2025-07"), Vec::<serde_json::Value>::new());
}

#[test]
fn a_swarm_is_8_users_of_3_facilities_within_72_hours() {
    let facilities = ["十日町病院", "ゆきぐにクリニック", "みなみ薬局"];
    // Eight users on one patient nobody registered; the eighth `last` hours after the first.
    let swarm = |last: &str| -> Vec<String> {
        let mut rows = registered(&["OTHER".to_string()]);
        for u in 0..7 {
            let f = facilities[u % 3];
            rows.push(line(&format!("2025-07-10 {:02}:00", 9 + u), &format!("U{u}"), f, "VIP", "齋藤記念病院", "閲覧"));
        }
        rows.push(line(last, "U7", "十日町病院", "VIP", "齋藤記念病院", "閲覧"));
        rows
    };
    // 2025-07-13 08:59 is 71 h 59 min after the first view (07-10 09:00).
    let w = ingest(&swarm("2025-07-13 08:59"));
    let found = cases(&w, "2025-07");
    assert_eq!(found.len(), 8, "{found:?}");
    assert!(found.iter().all(|c| c["rules"] == "swarm,unexplained"), "{found:?}");
    // At 72 hours the eighth user is outside the window: seven users are no swarm.
    let w = ingest(&swarm("2025-07-13 09:00"));
    let found = cases(&w, "2025-07");
    assert_eq!(found.len(), 8);
    assert!(found.iter().all(|c| c["rules"] == "unexplained"), "{found:?}");
}

#[test]
fn a_colleague_explains_within_180_days_and_colleagues_do_not_vouch_for_each_other() {
    let rows = vec![
        // Any 登録 row: this system's log records registrations, so no fallback.
        line("2025-01-01 08:00", "REG", "十日町病院", "OTHER", "十日町病院", "登録"),
        // A views its own hospital's data for P and Q on 2025-01-01: explained (own data).
        line("2025-01-01 09:00", "A", "十日町病院", "P", "十日町病院", "閲覧"),
        line("2025-01-01 09:05", "A", "十日町病院", "Q", "十日町病院", "閲覧"),
        // B: P 180 days later (explained by A), Q 181 days later (not).
        line("2025-06-30 09:00", "B", "十日町病院", "P", "齋藤記念病院", "閲覧"),
        line("2025-07-01 09:05", "B", "十日町病院", "Q", "齋藤記念病院", "閲覧"),
        // C views Q a day after B: B's view is unexplained, so it explains nothing.
        line("2025-07-02 09:00", "C", "十日町病院", "Q", "齋藤記念病院", "閲覧"),
    ];
    let w = ingest(&rows);
    assert_eq!(cases(&w, "2025-06"), Vec::<serde_json::Value>::new());
    let july = cases(&w, "2025-07");
    assert_eq!(rules(&july), ["十日町病院: unexplained", "十日町病院: unexplained"]);
    assert!(july.iter().all(|c| c["patients"] == 1));
}

#[test]
fn a_log_without_registrations_falls_back_to_colleagues_and_says_so() {
    let rows = vec![
        line("2025-07-01 09:00", "A", "十日町病院", "P", "齋藤記念病院", "閲覧"),
        line("2025-07-02 09:00", "B", "十日町病院", "P", "齋藤記念病院", "閲覧"),
    ];
    let w = ingest(&rows);
    let r = w.ok(&["audit", "cases", "--month", "2025-07"]);
    assert!(r.stdout.contains("ID-Link のログには登録の行が1件もない"), "{}", r.stdout);
    // Each is the other's colleague: both explained, no case.
    assert!(r.stdout.contains("事案はありません"), "{}", r.stdout);
    assert!(r.stdout.contains("閲覧・ダウンロード 2 件のうち、説明のつくもの 2 件"), "{}", r.stdout);
}

#[test]
fn stalking_is_3_days_of_a_month_and_2_is_not() {
    let mut rows = registered(&["OTHER".to_string()]);
    for d in [3, 11] {
        rows.push(line(&format!("2025-07-{d:02} 10:00"), "S", "十日町病院", "X", "齋藤記念病院", "閲覧"));
    }
    rows.push(line("2025-08-01 10:00", "S", "十日町病院", "X", "齋藤記念病院", "閲覧"));
    for d in [4, 12, 20] {
        rows.push(line(&format!("2025-07-{d:02} 10:00"), "T", "ゆきぐにクリニック", "Y", "齋藤記念病院", "閲覧"));
    }
    let w = ingest(&rows);
    let july = cases(&w, "2025-07");
    assert_eq!(rules(&july), ["ゆきぐにクリニック: stalking,unexplained", "十日町病院: unexplained"]);
}

#[test]
fn bulk_download_is_10_patients_in_a_day_and_9_is_not() {
    let ten: Vec<String> = (0..10).map(|i| format!("D{i}")).collect();
    let mut rows = registered(&ten);
    for (i, p) in ten.iter().enumerate() {
        rows.push(line(&format!("2025-07-10 1{}:00", i % 8), "DL", "十日町病院", p, "齋藤記念病院", "ダウンロード"));
        if i < 9 {
            rows.push(line(
                &format!("2025-07-11 1{}:00", i % 8),
                "DL9",
                "十日町病院",
                p,
                "齋藤記念病院",
                "ダウンロード",
            ));
        }
    }
    let w = ingest(&rows);
    let found = cases(&w, "2025-07");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["rules"], "bulk_download");
    assert_eq!(found[0]["patients"], 10);
}

#[test]
fn a_dormant_account_is_180_days_silent_and_179_is_not() {
    let rows = {
        let mut r = registered(&["P".to_string()]);
        // OLD: 2025-01-01, then 2025-06-30 (180 days). NEAR: 2025-01-02, then 06-30 (179 days).
        r.push(line("2025-01-01 10:00", "OLD", "十日町病院", "P", "十日町病院", "閲覧"));
        r.push(line("2025-01-02 10:00", "NEAR", "十日町病院", "P", "十日町病院", "閲覧"));
        r.push(line("2025-06-30 10:00", "OLD", "十日町病院", "P", "十日町病院", "閲覧"));
        r.push(line("2025-06-30 11:00", "NEAR", "十日町病院", "P", "十日町病院", "閲覧"));
        r
    };
    let w = ingest(&rows);
    let june = cases(&w, "2025-06");
    assert_eq!(june.len(), 1, "{june:?}");
    assert_eq!(june[0]["rules"], "dormant");
    let r = w.ok(&["audit", "cases", "--month", "2025-06"]);
    assert!(r.stdout.contains("dormant"), "{}", r.stdout);
}

#[test]
fn access_before_the_join_day_is_outside_membership_and_on_it_is_not() {
    // みなみ薬局 joined on 2024/4/1.
    let rows = vec![
        line("2024-03-31 10:00", "PH", "みなみ薬局", "P", "みなみ薬局", "閲覧"),
        line("2024-04-01 10:00", "PH", "みなみ薬局", "P", "みなみ薬局", "閲覧"),
    ];
    let w = ingest(&rows);
    let march = cases(&w, "2024-03");
    assert_eq!(rules(&march), ["みなみ薬局: non_member"]);
    assert_eq!(cases(&w, "2024-04"), Vec::<serde_json::Value>::new());
}

#[test]
fn off_hours_fire_at_a_day_clinic_and_not_at_a_hospital_that_works_nights() {
    let w = Workdir::new();
    small_roster(&w);
    let mut log = String::from(LOG_HEADER);
    // Four months of history: the clinic 9–17 on weekdays, the hospital around the clock;
    // every view of the facility's own data (explained), 300 events each.
    for i in 0..300 {
        let day = 1 + (i % 28);
        let month = 3 + (i / 75);
        let date = chrono::NaiveDate::from_ymd_opt(2025, month as u32, day as u32).unwrap();
        use chrono::Datelike;
        let weekday = date.weekday().num_days_from_monday() < 5;
        let clinic_hour = 9 + i % 8;
        if weekday {
            log.push_str(&format!(
                "{date} {clinic_hour:02}:10,ID-Link,DOC,ゆきぐにクリニック,C{i},ゆきぐにクリニック,検査,閲覧\r\n"
            ));
        }
        log.push_str(&format!("{date} {:02}:20,ID-Link,NS{},十日町病院,H{i},十日町病院,検査,閲覧\r\n", i % 24, i % 5));
    }
    // July: each looks at 02:30 on a Wednesday.
    log.push_str("2025-07-02 02:30,ID-Link,DOC,ゆきぐにクリニック,C1,ゆきぐにクリニック,検査,閲覧\r\n");
    log.push_str("2025-07-02 02:30,ID-Link,NS1,十日町病院,H1,十日町病院,検査,閲覧\r\n");
    log.push_str("2025-07-02 10:00,ID-Link,REG,十日町病院,H1,十日町病院,検査,登録\r\n");
    w.write_sjis("inbox/log.csv", &log);
    w.ok(&["ingest"]);
    assert_eq!(rules(&cases(&w, "2025-07")), ["ゆきぐにクリニック: off_hours"]);
}

#[test]
fn a_case_goes_from_new_to_closed_and_a_legitimate_pair_is_not_raised_again() {
    let mut rows = registered(&["OTHER".to_string()]);
    rows.push(line("2025-07-03 10:00", "S", "十日町病院", "X", "齋藤記念病院", "閲覧"));
    rows.push(line("2025-08-03 10:00", "S", "十日町病院", "X", "齋藤記念病院", "閲覧"));
    let w = ingest(&rows);
    let july = cases(&w, "2025-07");
    assert_eq!(july.len(), 1);
    let id = july[0]["case_id"].as_str().unwrap().to_string();
    assert_eq!(july[0]["state"], "新規");
    assert!(id.starts_with("2025-07-"), "{id}");
    w.ok(&["audit", "step", &id, "--state", "照会中", "--note", "施設に照会"]);
    assert_eq!(cases(&w, "2025-07")[0]["state"], "照会中");
    let r = w.ok(&["audit", "close", &id, "--verdict", "正当", "--note", "紹介状で受診予定の患者"]);
    assert!(r.stdout.contains("1 件"), "{}", r.stdout);
    // Reviewed again, the decided case keeps its evidence and verdict.
    let again = cases(&w, "2025-07");
    assert_eq!((again[0]["state"].as_str(), again[0]["verdict"].as_str()), (Some("完了"), Some("正当")));
    // August's view of the same pair is explained by the verdict.
    assert_eq!(cases(&w, "2025-08"), Vec::<serde_json::Value>::new());
    // A closed case takes no more steps; an unknown one says how to find the number.
    let r = w.run(&["audit", "close", &id, "--verdict", "違反", "--note", "x"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("もう完了"), "{}", r.stderr);
    let r = w.run(&["audit", "step", "2025-07-000000000000", "--state", "回答"]);
    assert!(r.stderr.contains("renkei audit cases --month"), "{}", r.stderr);
    // Who recorded it, and when.
    let by = w.rows("SELECT state, verdict, recorded_by FROM review_decisions ORDER BY recorded_at, state DESC");
    assert_eq!(by.len(), 2);
    assert_eq!(by[1][0..2], ["完了".to_string(), "正当".to_string()]);
    assert!(!by[1][2].is_empty());
}

#[test]
fn the_demo_review_finds_the_planted_cases_and_nothing_else() {
    let w = demo_copy("");
    let found = cases(&w, "2026-03");
    let mut kinds: Vec<&str> = found.iter().map(|c| c["rules"].as_str().unwrap()).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "bulk_download,unexplained",
            "off_hours,unexplained",
            "stalking,unexplained",
            "swarm,unexplained",
            "sweep,unexplained"
        ]
    );
    // Nine users in the swarm, one case each; five other planted users.
    assert_eq!(found.len(), 9 + 4, "{found:?}");
    assert_eq!(found[0]["rules"], "sweep,unexplained");
    // The month before has no plants and no cases: ordinary use is explained.
    assert_eq!(cases(&w, "2026-02"), Vec::<serde_json::Value>::new());
}

#[test]
fn lookups_by_raw_id_leave_no_trace_of_the_id_on_disk() {
    let user = "STAFF-77123";
    let patient = "PT-55-0001";
    let mut rows = registered(&["OTHER".to_string()]);
    rows.push(format!("2025-07-03 10:00,ID-Link,{user},十日町病院,{patient},齋藤記念病院,検査,閲覧"));
    let w = ingest(&rows);
    let tmp = w.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    cases(&w, "2025-07");
    let r = w.run_with_stdin(&["audit", "user", "-", "--month", "2025-07"], &format!("{user}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("user_key"), "{}", r.stdout);
    assert!(r.stdout.contains("2025-07"), "{}", r.stdout);
    // CSV carries the user's key in a `user_key` column, as the store writes it.
    let r = w.run_with_stdin(&["audit", "user", "-", "--month", "2025-07", "--format", "csv"], &format!("{user}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut lines = r.stdout.lines();
    assert!(lines.next().unwrap().starts_with("user_key,month,facility,"), "{}", r.stdout);
    assert!(lines.next().unwrap().starts_with(&user_key_of(&w, user)), "{}", r.stdout);
    let r = w.ok(&["audit", "patient", patient]);
    assert!(r.stdout.contains("十日町病院") && r.stdout.contains("閲覧"), "{}", r.stdout);
    assert!(!r.stdout.contains(user), "the patient's history names no user: {}", r.stdout);
    // The letter for the patient: facility names, no user, no ID, not even in its file name.
    let r = w.run_with_stdin(&["audit", "patient", "-", "--letter", "letter"], &format!("{patient}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pdf = walk(&w.join("letter")).into_iter().find(|p| p.extension().is_some_and(|e| e == "pdf")).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    let text: String = String::from_utf8(out.stdout).unwrap().chars().filter(|c| !c.is_whitespace()).collect();
    for needed in ["診療情報の閲覧履歴のお知らせ", "2025-07-0310:00", "十日町病院", "検査", "閲覧", "齋藤記念病院"]
    {
        assert!(text.contains(needed), "the letter lacks {needed}: {text}");
    }
    assert!(!text.contains(user) && !text.contains(patient) && !text.contains("STAFF"), "{text}");
    w.write("ids.csv", format!("職員ID,氏名\nSTAFF-00001,甲\n{user},乙\n").as_bytes());
    let r = w.ok(&["audit", "identify", "--facility", "十日町病院", "--ids", "ids.csv"]);
    assert!(r.stdout.contains("3 行目"), "{}", r.stdout);
    // No file in the council folder holds either raw ID (the store, its WAL, the audit
    // log), except the list the facility sent.
    let mut checked = 0;
    for entry in walk(w.path()) {
        if entry.ends_with("ids.csv") || entry.starts_with(w.join("inbox")) {
            continue;
        }
        let bytes = std::fs::read(&entry).unwrap();
        for raw in [user, patient] {
            assert!(!contains(&bytes, raw.as_bytes()), "{} holds {raw}", entry.display());
        }
        checked += 1;
    }
    assert!(checked >= 3, "store, key and audit log at least: {checked}");
    let log = std::fs::read_to_string(w.join("var/audit.log")).unwrap_or_default();
    assert!(log.contains("audit patient") && log.contains("伏せ字"), "{log}");
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A copy of the shared demo's store (the review writes its cases) with `config`.
fn demo_copy(config: &str) -> Workdir {
    let w = Workdir::new();
    let from = demo();
    std::fs::create_dir_all(w.join("var")).unwrap();
    for f in ["var/renkei.duckdb", "var/renkei.key"] {
        std::fs::copy(from.join(f), w.join(f)).unwrap();
    }
    w.write("renkei.toml", config.as_bytes());
    w
}

#[test]
fn the_officers_report_goes_to_the_officer_only_and_the_board_sees_counts() {
    let w = demo_copy(
        "[report]\nnetwork_name = \"うおぬま・米ねっと\"\n\n[recipients]\nboard = [\"board@example.jp\"]\n\
         privacy_officer = [\"個人情報保護責任者 <privacy@example.jp>\"]\n",
    );
    let r = w.ok(&["send", "audit", "--month", "2026-03"]);
    assert!(r.stdout.contains("privacy@example.jp"), "{}", r.stdout);
    assert!(!r.stdout.contains("board@example.jp"), "{}", r.stdout);
    let files: Vec<std::path::PathBuf> =
        std::fs::read_dir(w.join("outbox")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read(&files[0]).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert!(msg.subject().unwrap().contains("2026年3月 アクセスログ点検報告"), "{:?}", msg.subject());
    let to = msg.to().unwrap().first().unwrap().address().unwrap().to_string();
    assert_eq!(to, "privacy@example.jp");
    use mail_parser::MimeHeaders;
    let pdf = msg.attachments().find(|a| a.attachment_name() == Some("audit-2026-03.pdf")).expect("the PDF");
    let pdf_path = w.write("audit.pdf", pdf.contents());
    let out = std::process::Command::new("pdftotext")
        .args([pdf_path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    let text: String = String::from_utf8(out.stdout).unwrap().chars().filter(|c| !c.is_whitespace()).collect();
    let html = msg.body_html(0).unwrap();
    // The demo's planted cases: 13, one of them a sweep of 42 patients (40 planted, 2 of the
    // clinic's own in the same hour); the same in the PDF and the HTML.
    for needed in ["確認の要る事案は13件です", "短時間に多数の患者", "2026-03-"] {
        assert!(text.contains(needed), "PDF lacks {needed}: {text}");
    }
    assert!(html.contains("確認の要る事案は 13 件です"), "{html}");
    // The board report carries the counts only, never a case number.
    let board = w.ok(&["report", "board", "--month", "2026-03", "--out", "board"]);
    assert_eq!(board.code, 0);
    let board_html = std::fs::read_to_string(w.join("board/board-2026-03.html")).unwrap();
    assert!(board_html.contains("確認の要る事案が 13 件ありました（完了 0 件、うち違反 0 件）"), "{board_html}");
    let case_id = regex_free_case_id(&html);
    assert!(!board_html.contains(&case_id), "the board report shows no case number");
}

/// The first case number in a text (`2026-03-` and 12 hex digits).
fn regex_free_case_id(text: &str) -> String {
    let at = text.find("2026-03-").expect("a case number");
    let id: String = text[at..].chars().take(20).collect();
    assert!(id[8..].chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    id
}

#[test]
fn the_report_counts_closed_cases_and_verdicts_as_recorded() {
    let mut rows = registered(&["OTHER".to_string()]);
    rows.push(line("2025-07-03 10:00", "S", "十日町病院", "X", "齋藤記念病院", "閲覧"));
    rows.push(line("2025-07-04 10:00", "T", "ゆきぐにクリニック", "Y", "齋藤記念病院", "閲覧"));
    let w = ingest(&rows);
    // Before any review, the board says the month was not reviewed (not "0 cases").
    w.ok(&["report", "board", "--month", "2025-07", "--out", "before"]);
    let before = std::fs::read_to_string(w.join("before/board-2025-07.txt")).unwrap();
    assert!(before.contains("2025年7月のアクセスログの点検はまだ行われていません"), "{before}");
    let july = cases(&w, "2025-07");
    assert_eq!(july.len(), 2);
    let first = july[0]["case_id"].as_str().unwrap().to_string();
    w.ok(&["audit", "close", &first, "--verdict", "違反", "--note", "業務外の閲覧と本人が認めた"]);
    w.ok(&["report", "audit", "--month", "2025-07", "--out", "officer"]);
    let text = std::fs::read_to_string(w.join("officer/audit-2025-07.txt")).unwrap();
    for needed in [
        "確認の要る事案は 2 件です（完了 1 件、未完了 1 件）",
        "完了: 1",
        "　違反: 1",
        "　正当: 0",
        "未完了（これまでの月すべて）: 1",
        "開いてから完了まで中央値 0 日",
        "unexplained（診療の記録なし）: 2／1／1",
    ] {
        assert!(text.contains(needed), "lacks {needed}:\n{text}");
    }
    w.ok(&["report", "board", "--month", "2025-07", "--out", "after"]);
    let after = std::fs::read_to_string(w.join("after/board-2025-07.txt")).unwrap();
    assert!(after.contains("確認の要る事案が 2 件ありました（完了 1 件、うち違反 1 件）"), "{after}");
    // Every review is on record with its thresholds: cases, report = two runs.
    assert_eq!(w.count("SELECT count(*) FROM review_runs WHERE month = DATE '2025-07-01'"), 2);
    assert_eq!(w.count("SELECT count(*) FROM review_runs WHERE thresholds LIKE '%\"swarm_users\":8%'"), 2);
    // Without a privacy officer, send says which key to set.
    let r = w.run(&["send", "audit", "--month", "2025-07"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("[recipients] privacy_officer"), "{}", r.stderr);
}

fn user_key_of(w: &Workdir, raw: &str) -> String {
    crate::support::pseudonym_of(w, 2, raw)
}

#[test]
fn on_a_synthetic_network_the_review_finds_what_was_planted_and_spares_ordinary_work() {
    use renkei::domain::Month;
    use renkei::review::synthetic::{Kind, Options, build};
    let m = |y, mo| Month::new(y, mo).unwrap();
    let net = build(&Options {
        seed: 17,
        first: m(2025, 1),
        months: 9,
        planted: vec![m(2025, 8), m(2025, 9)],
        per_month: 10,
        scale: 1.0,
    });
    let w = Workdir::new();
    std::fs::create_dir_all(w.join("inbox")).unwrap();
    net.write_roster(&w.join("inbox/名簿_R7.xlsx"), "令和7年度").unwrap();
    w.write("inbox/log.csv", net.log_csv().as_bytes());
    w.ok(&["ingest"]);
    let mut found: std::collections::HashMap<(String, String), Vec<String>> = Default::default();
    let mut cases_by_month = std::collections::BTreeMap::new();
    for month in ["2025-07", "2025-08", "2025-09"] {
        let c = cases(&w, month);
        for case in &c {
            let rules = case["rules"].as_str().unwrap().split(',').map(String::from).collect();
            found.insert((month.to_string(), case["user_key"].as_str().unwrap().to_string()), rules);
        }
        cases_by_month.insert(month, c);
    }
    let mut report = format!(
        "{} facilities, {} log lines over {} months\nkind: found / planted (recall, target)\n",
        net.facilities.len(),
        net.lines.len(),
        net.months.len()
    );
    let mut attributed = std::collections::HashSet::new();
    for (kind, plants) in net.plants_by_kind() {
        let hits = plants
            .iter()
            .filter(|p| {
                p.users.iter().all(|u| {
                    let key = (p.month.to_string(), user_key_of(&w, u));
                    attributed.insert(key.clone());
                    found.get(&key).is_some_and(|rules| rules.iter().any(|r| r == kind.rule()))
                })
            })
            .count();
        let recall = hits as f64 / plants.len() as f64;
        report.push_str(&format!("{kind:?}: {hits} / {} ({recall:.2}, ≥ {})\n", plants.len(), kind.target()));
        assert!(recall >= kind.target(), "{kind:?} recall {recall:.2} under {}\n{report}", kind.target());
    }
    // False cases: every case of the plant-free month, and cases of the planted months that
    // no plant explains; per 100 users active in the month.
    for (month, list) in &cases_by_month {
        let false_cases: Vec<&serde_json::Value> = list
            .iter()
            .filter(|c| !attributed.contains(&(month.to_string(), c["user_key"].as_str().unwrap().to_string())))
            .collect();
        let active = net.active_users(Month::parse(month).unwrap());
        let per_100 = 100.0 * false_cases.len() as f64 / active as f64;
        report.push_str(&format!(
            "{month}: {} false cases among {active} active users ({per_100:.2} per 100)\n",
            false_cases.len()
        ));
        assert!(per_100 <= 1.0, "{month}: {per_100:.2} false cases per 100 users: {false_cases:?}\n{report}");
    }
    // No case from the benign patterns (night work, on-call, month-end reviews, heavy users,
    // the new member) unless a plant is theirs.
    let benign: Vec<String> = net.benign.iter().map(|u| user_key_of(&w, u)).collect();
    for (month, list) in &cases_by_month {
        for c in list {
            let key = c["user_key"].as_str().unwrap().to_string();
            assert!(
                !benign.contains(&key) || attributed.contains(&(month.to_string(), key.clone())),
                "a benign user got a case in {month}: {c}\n{report}"
            );
        }
    }
    assert_eq!(net.plants_by_kind().len(), Kind::ALL.len());
    eprintln!("{report}");
}
