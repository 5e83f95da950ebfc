//! Delivery to the outbox: the `.eml` parses back with its Japanese subject and bodies
//! intact, one message per recipient, a stable Message-ID, and no second send without
//! `--force`. And the demo, end to end, twice.

use mail_parser::{MessageParser, MimeHeaders};

use crate::metrics::network_with_known_answers;
use crate::support::Workdir;

const CONFIG: &str = "[report]\nnetwork_name = \"テスト連携ネット\"\n\n[recipients]\nboard = [\"理事会 <board@example.jp>\", \"監事 <audit@example.jp>\"]\n\n[smtp]\nfrom = \"連携ネット事務局 <office@example.jp>\"\n";

fn emls(w: &Workdir) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(w.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    v.sort();
    v
}

#[test]
fn board_report_eml_parses_back_with_japanese_subject_and_bodies() {
    let w = network_with_known_answers();
    std::fs::write(w.join("renkei.toml"), CONFIG).unwrap();
    let r = w.ok(&["send", "board", "--month", "2025-07"]);
    assert_eq!(r.stdout.matches("送信箱").count(), 2, "{}", r.stdout);
    let files = emls(&w);
    assert_eq!(files.len(), 2, "one message per recipient");

    let raw = std::fs::read(&files[0]).unwrap();
    assert!(raw.is_ascii(), "headers and bodies are transfer-encoded");
    let msg = MessageParser::default().parse(&raw).expect("parses as RFC 5322");
    assert_eq!(msg.subject(), Some("【テスト連携ネット】2025年7月 月次利用報告"));
    let from = msg.from().unwrap().first().unwrap();
    assert_eq!((from.name(), from.address()), (Some("連携ネット事務局"), Some("office@example.jp")));
    let text = msg.body_text(0).unwrap();
    // The hand count of tests/it/metrics.rs: 5 events against 2 last month and 1 a year ago.
    assert!(text.contains("（2025年7月／前月／増減／前年同月／増減）"), "{text}");
    assert!(text.contains("操作件数（件）: 5／2／+150.0%／1／+400.0%"), "{text}");
    // Active: July 2025 3 of 4, June 3 of 4, July 2024 2 of 4 (a use by staff or of the
    // facility's data, tests/it/metrics.rs).
    assert!(text.contains("稼働施設率: 75.0%／75.0%／±0.0pt／50.0%／+25.0pt"), "{text}");
    assert!(text.contains("閲覧1件あたり（直近12か月）: 2,333,333円"), "{text}");
    let html = msg.body_html(0).unwrap();
    assert!(html.contains("<html lang=\"ja\">"));
    assert!(html.contains("齋藤記念病院"));
    let id = msg.message_id().unwrap().to_string();
    assert!(id.starts_with("board-2025-07.") && id.ends_with("@example.jp"), "{id}");

    // The ledger has both recipients; a second send does nothing; --force rewrites the
    // same message (same Message-ID).
    assert_eq!(w.count("SELECT count(*) FROM deliveries WHERE report_id = 'board-2025-07' AND status = 'outbox'"), 2);
    let again = w.ok(&["send", "board", "--month", "2025-07"]);
    assert_eq!(again.stdout.matches("送信済").count(), 2, "{}", again.stdout);
    // (The files are removed first, so that --force is seen writing them again.)
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }
    w.ok(&["send", "board", "--month", "2025-07", "--force"]);
    assert!(files.iter().all(|f| f.exists()), "--force wrote the messages again");
    let resent =
        MessageParser::default().parse(&std::fs::read(&files[0]).unwrap()).unwrap().message_id().unwrap().to_string();
    assert_eq!(resent, id);
    assert_eq!(w.count("SELECT attempts FROM deliveries WHERE recipient = 'board@example.jp'"), 2);
}

#[test]
fn board_eml_is_alternative_text_and_related_html_with_charts_and_the_xlsx_attached() {
    let w = network_with_known_answers();
    std::fs::write(w.join("renkei.toml"), CONFIG).unwrap();
    w.ok(&["send", "board", "--month", "2025-07"]);
    let raw = std::fs::read(&emls(&w)[0]).unwrap();
    assert!(raw.len() < 10 * 1024 * 1024, "{} bytes", raw.len());
    let msg = MessageParser::default().parse(&raw).unwrap();
    let kind = |part: &mail_parser::MessagePart| {
        part.content_type().map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or(""))).unwrap_or_default()
    };
    let children = |part: &mail_parser::MessagePart| match &part.body {
        mail_parser::PartType::Multipart(ids) => ids.iter().map(|i| msg.part(*i).unwrap()).collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    // mixed(alternative(text, related(html, png…)), xlsx)
    let root = msg.root_part();
    assert_eq!(kind(root), "multipart/mixed");
    let top = children(root);
    assert_eq!(top.iter().map(|p| kind(p)).collect::<Vec<_>>(), ["multipart/alternative", XLSX]);
    assert_eq!(top[1].attachment_name(), Some("board-2025-07.xlsx"));
    let alt = children(top[0]);
    assert_eq!(alt.iter().map(|p| kind(p)).collect::<Vec<_>>(), ["text/plain", "multipart/related"]);
    let related = children(alt[1]);
    assert_eq!(kind(related[0]), "text/html");
    let html = related[0].text_contents().unwrap();
    let cids: Vec<String> = related[1..]
        .iter()
        .map(|p| {
            assert_eq!(kind(p), "image/png");
            assert!(p.contents().starts_with(b"\x89PNG"), "a PNG");
            p.content_id().unwrap().trim_matches(['<', '>']).to_string()
        })
        .collect();
    // Trend, image views by hospital, image-server value (齋藤記念病院's quote).
    assert_eq!(cids, ["trend", "image_views", "image_value"]);
    let used: Vec<&str> = html.split("src=\"cid:").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert_eq!(used, cids, "every cid the HTML uses is attached, and only those");

    // The workbook holds every table, headed in Japanese, with the hand counts.
    let xlsx = top[1].contents().to_vec();
    let path = w.join("board.xlsx");
    std::fs::write(&path, xlsx).unwrap();
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    let names = wb.sheet_names();
    for sheet in ["月別利用", "市町×開示施設", "画像サーバーの価値", "予算と決算", "更新案"]
    {
        assert!(names.iter().any(|n| n == sheet), "{sheet} in {names:?}");
    }
    let flows = wb.worksheet_range("市町×開示施設").unwrap();
    assert_eq!(flows.get((0, 0)).unwrap().to_string(), "閲覧した施設の所在市町");
    assert_eq!(flows.get((1, 2)).unwrap().to_string(), "3", "魚沼市 → 齋藤記念病院");
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[test]
fn a_test_send_goes_to_one_address_and_leaves_the_ledger_alone() {
    let w = network_with_known_answers();
    std::fs::write(w.join("renkei.toml"), CONFIG).unwrap();
    let dry = w.ok(&["send", "board", "--month", "2025-07", "--dry-run"]);
    assert!(dry.stdout.contains("宛先: 理事会 <board@example.jp>"), "{}", dry.stdout);
    assert!(!w.join("outbox").exists());
    w.ok(&["send", "board", "--month", "2025-07", "--to", "me@example.jp"]);
    let files = emls(&w);
    assert_eq!(files.len(), 1);
    let msg = std::fs::read(&files[0]).unwrap();
    let msg = MessageParser::default().parse(&msg).unwrap();
    assert!(msg.subject().unwrap().starts_with("【試験送信】"));
    assert_eq!(w.count("SELECT count(*) FROM deliveries"), 0);
}

#[test]
fn report_board_writes_a_preview() {
    let w = network_with_known_answers();
    let r = w.ok(&["report", "board", "--month", "令和7年7月", "--out", "preview"]);
    assert!(r.stdout.contains("preview/board-2025-07.html"), "{}", r.stdout);
    let html = std::fs::read_to_string(w.join("preview/board-2025-07.html")).unwrap();
    assert!(html.contains("2025年7月 月次利用報告"));
    let text = std::fs::read_to_string(w.join("preview/board-2025-07.txt")).unwrap();
    assert!(text.contains("画像の閲覧件数（件）: 2／"), "{text}");
    // The seed's R7 budget: 28,200,000 against 28,700,000, a deficit of 500,000.
    assert!(text.contains("収入計: 28,200,000円／—"), "{text}");
    assert!(text.contains("支出計: 28,700,000円／13,900,000円"), "{text}");
    assert!(text.contains("収支差引: △500,000円／△13,900,000円 ※"), "{text}");
    // The preview HTML shows the chart files beside it, not cid: links.
    assert!(html.contains("src=\"trend.png\"") && !html.contains("cid:"));
    for file in ["trend.png", "image_views.png", "image_value.png", "board-2025-07.xlsx"] {
        assert!(w.join("preview").join(file).exists(), "{file}");
    }
}

#[test]
fn the_demo_runs_end_to_end_and_a_second_run_adds_nothing() {
    let w = Workdir::new();
    let first = w.ok(&["demo", "--until", "2023-06"]);
    assert!(first.stdout.contains("参加施設名簿_R4.xlsx"), "{}", first.stdout);
    assert!(first.stdout.contains("送信箱  board@renkei-demo.example"), "{}", first.stdout);
    // The board report of 2023-06 and the five municipality reports of the last closed
    // fiscal year (令和4年度), each with its PDF.
    let files = emls(&w);
    assert_eq!(files.len(), 6, "{files:?}");
    let board = files.iter().find(|p| p.to_string_lossy().contains("board-2023-06")).expect("the board report");
    let msg = std::fs::read(board).unwrap();
    let msg = MessageParser::default().parse(&msg).unwrap();
    assert_eq!(msg.subject(), Some("【うおぬま・米ねっと】2023年6月 月次利用報告"));
    assert!(first.stdout.contains("■ 市町向け報告（令和4年度）"), "{}", first.stdout);
    for code in ["15210", "15225", "15226", "15461", "15482"] {
        let path = files.iter().find(|p| p.to_string_lossy().contains(&format!("municipality-2022-{code}"))).unwrap();
        let raw = std::fs::read(path).unwrap();
        let msg = MessageParser::default().parse(&raw).unwrap();
        assert!(msg.subject().unwrap().contains("令和4年度"), "{:?}", msg.subject());
        let pdf = msg.attachments().find(|a| a.attachment_name() == Some(&format!("municipality-2022-{code}.pdf")));
        assert!(pdf.expect("the PDF").contents().starts_with(b"%PDF-"));
    }
    // The small towns show suppression: 湯沢町's report has <10 cells.
    let yuzawa = files.iter().find(|p| p.to_string_lossy().contains("municipality-2022-15461")).unwrap();
    let yuzawa =
        MessageParser::default().parse(&std::fs::read(yuzawa).unwrap()).unwrap().body_text(0).unwrap().into_owned();
    assert!(yuzawa.contains("<10"), "{yuzawa}");
    // The seed's network: 10 hospitals, 4 lab companies, about 70 others.
    assert_eq!(w.count("SELECT count(*) FROM facilities WHERE kind = '病院'"), 10);
    assert_eq!(w.count("SELECT count(*) FROM facilities WHERE kind = '検査会社'"), 4);
    let events = w.count("SELECT count(*) FROM access_events");
    assert!(w.count("SELECT count(DISTINCT system) FROM access_events") == 2);

    let second = w.ok(&["demo", "--until", "2023-06"]);
    assert!(!second.stdout.contains("取込    "), "{}", second.stdout);
    assert!(second.stdout.contains("送信済"), "{}", second.stdout);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), events);
    assert_eq!(emls(&w).len(), 6);
}
