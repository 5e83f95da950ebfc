//! The outlook (issue 19): `renkei forecast` on logs whose answer is known by hand (a pure
//! seasonal use continues exactly; a month at zero is a collapse, told to the admin once and
//! kept out of later fits; a short history gets no band), and the board report's decision
//! screen, forecast and collapse alert on the demo, whose last month has an image-server
//! outage at 小出病院.

use renkei::config::Settings;

use crate::support::{LOG_HEADER, Workdir, demo, small_roster};

/// 齋藤記念病院's image views by calendar month (January first): a winter high, an August low.
const PATTERN: [usize; 12] = [30, 28, 26, 24, 22, 20, 20, 16, 20, 22, 24, 28];

fn days_in(year: i32, month: u32) -> u32 {
    let next = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    (chrono::NaiveDate::from_ymd_opt(next.0, next.1, 1).unwrap() - chrono::Duration::days(1))
        .format("%d")
        .to_string()
        .parse()
        .unwrap()
}

/// A month's log: `images` image views of 齋藤記念病院 and ten lab views of 十日町病院, the
/// last of them on the month's last day (so the month is covered to its end).
fn month_rows(year: i32, month: u32, images: usize) -> String {
    let mut out = String::new();
    for i in 0..images {
        let day = 1 + i as u32 % 28;
        out.push_str(&format!(
            "{year}-{month:02}-{day:02} 10:{:02}:00,ID-Link,U1,ゆきぐにクリニック,P{:03},齋藤記念病院,画像,閲覧\r\n",
            i % 60,
            i % 50
        ));
    }
    let last = days_in(year, month);
    for i in 0..10u32 {
        let day = if i == 9 { last } else { 1 + i };
        out.push_str(&format!(
            "{year}-{month:02}-{day:02} 11:00:00,ID-Link,U2,齋藤記念病院,P{:03},十日町病院,検査,閲覧\r\n",
            100 + i
        ));
    }
    out
}

/// The small network with `months` months of log from April 2023, image views as PATTERN.
fn seasonal_network(months: usize) -> Workdir {
    let w = Workdir::new();
    small_roster(&w);
    let mut log = LOG_HEADER.to_string();
    for k in 0..months {
        let (year, month) = (2023 + ((3 + k) / 12) as i32, ((3 + k) % 12 + 1) as u32);
        log.push_str(&month_rows(year, month, PATTERN[month as usize - 1]));
    }
    w.write_sjis("inbox/log.csv", &log);
    w.ok(&["ingest"]);
    w
}

#[test]
fn a_pure_seasonal_use_is_continued_exactly_and_a_month_at_zero_is_a_collapse() {
    // 30 months: April 2023 to September 2025.
    let w = seasonal_network(30);
    let csv =
        w.ok(&["forecast", "--month", "2025-09", "--months", "24", "--hospital", "齋藤記念病院", "--format", "csv"]);
    let rows: Vec<Vec<String>> = csv
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.trim_start_matches('\u{feff}').split(',').map(String::from).collect())
        .collect();
    let images: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "image_views").collect();
    assert_eq!(images.len(), 24, "{}", csv.stdout);
    for (i, r) in images.iter().enumerate() {
        // October 2025 onwards: calendar month (9 + i) % 12 (0 = January).
        let want = PATTERN[(9 + i) % 12] as f64;
        let point: f64 = r[4].parse().unwrap();
        assert!((point - want).abs() < 0.5, "{}: {point} against {want}", r[3]);
        let (lo80, hi80, lo95, hi95): (f64, f64, f64, f64) =
            (r[5].parse().unwrap(), r[6].parse().unwrap(), r[7].parse().unwrap(), r[8].parse().unwrap());
        assert!(lo95 <= lo80 && lo80 <= point + 1e-9 && point <= hi80 + 1e-9 && hi80 <= hi95, "{r:?}");
    }
    let shown = w.ok(&["forecast", "--month", "2025-09"]);
    assert!(!shown.stdout.contains("急減"), "{}", shown.stdout);
    assert!(shown.stdout.contains("■ 齋藤記念病院の画像閲覧"), "{}", shown.stdout);
    // Fiscal 2026 (April 2026 – March 2027) is 12 forecast months: the pattern's sum, 280.
    let fy2026 = shown
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("■ 齋藤記念病院の画像閲覧"))
        .find(|l| l.starts_with("令和8年度"))
        .unwrap_or_else(|| panic!("{}", shown.stdout));
    assert_eq!(fy2026.split_whitespace().nth(1), Some("280"), "{fy2026}");

    // October 2025: the image server is down (no image views), the lab views go on.
    w.write_sjis("inbox/log_10.csv", &format!("{LOG_HEADER}{}", month_rows(2025, 10, 0)));
    w.ok(&["ingest"]);
    let alert = w.ok(&["forecast", "--month", "2025-10", "--hospital", "齋藤記念病院"]);
    // Expected: October's PATTERN value, 22, for a month covered to its last day.
    assert!(alert.stdout.contains("急減: 齋藤記念病院の画像閲覧が2025年10月は0件（予測 22件）"), "{}", alert.stdout);
    assert!(
        !alert.stdout.contains("急減: ネットワーク全体の閲覧"),
        "ten lab views are not a collapse: {}",
        alert.stdout
    );
}

#[test]
fn a_collapse_is_told_to_the_admin_once_and_kept_out_of_later_fits() {
    let w = seasonal_network(30);
    std::fs::write(
        w.join("renkei.toml"),
        "[recipients]\nadmin = [\"admin@example.jp\"]\n\n[smtp]\nfrom = \"事務局 <office@example.jp>\"\n",
    )
    .unwrap();
    let settings = Settings::load(&w.join("renkei.toml"), true, Some(w.path())).unwrap();
    assert!(renkei::jobs::watch_collapses(&settings).unwrap().is_empty(), "September is ordinary");
    w.write_sjis("inbox/log_10.csv", &format!("{LOG_HEADER}{}", month_rows(2025, 10, 0)));
    w.ok(&["ingest"]);
    let told = renkei::jobs::watch_collapses(&settings).unwrap();
    let mut what: Vec<String> = told.iter().map(|c| format!("{}:{}", c.label, c.measure.code())).collect();
    what.sort();
    // 齋藤記念病院's views were all image views; the network's image views were all its own.
    assert_eq!(what, ["ネットワーク全体:image_views", "齋藤記念病院:image_views", "齋藤記念病院:views"]);
    let notices: Vec<_> = std::fs::read_dir(w.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("notice-"))
        .collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    let text = String::from_utf8_lossy(&std::fs::read(&notices[0]).unwrap()).into_owned();
    assert!(text.contains("admin@example.jp"), "the notice goes to the admin");
    assert_eq!(w.count("SELECT count(*) FROM collapse_alerts WHERE month = DATE '2025-10-01'"), 3);
    assert!(renkei::jobs::watch_collapses(&settings).unwrap().is_empty(), "told once");

    // November is ordinary again; October is a known outage, kept out of November's fit.
    w.write_sjis("inbox/log_11.csv", &format!("{LOG_HEADER}{}", month_rows(2025, 11, PATTERN[10])));
    w.ok(&["ingest"]);
    let shown = w.ok(&["forecast", "--month", "2025-11", "--hospital", "齋藤記念病院"]);
    assert!(shown.stdout.contains("当てはめから除いた月: 2025年10月"), "{}", shown.stdout);
    assert!(!shown.stdout.contains("急減"), "{}", shown.stdout);
}

#[test]
fn a_history_under_two_years_gets_no_band_and_says_why() {
    let w = seasonal_network(10);
    let shown = w.ok(&["forecast", "--month", "2024-01"]);
    assert!(
        shown.stdout.contains("予測していません: 10 か月分しかなく、予測には 24 か月以上が要ります"),
        "{}",
        shown.stdout
    );
    let unknown = w.run(&["forecast", "--month", "2024-01", "--hospital", "十日町病院"]);
    assert_ne!(unknown.code, 0);
    assert!(unknown.stderr.contains("画像を公開している病院に「十日町病院」はありません"), "{}", unknown.stderr);
}

#[test]
fn the_demo_board_report_opens_with_the_decision_and_shows_the_outage() {
    let w = demo();
    let shown = w.ok(&["forecast", "--month", "2026-03", "--hospital", "小出病院"]);
    assert!(shown.stdout.contains("急減: 小出病院の画像閲覧が2026年3月は0件"), "{}", shown.stdout);
    w.ok(&["report", "board", "--month", "2026-03", "--out", "preview-outlook"]);
    let part = |ext: &str| {
        std::fs::read_dir(w.join("preview-outlook"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .unwrap_or_else(|| panic!("a .{ext} part"))
    };
    let html = part("html");
    // The decision screen comes first, each line linking to its section.
    let decision = html.find("今月の判断材料").expect("the decision screen");
    assert!(decision < html.find("<h2").unwrap(), "before every section");
    for (question, anchor) in [
        ("ネットワークの役割", "outlook-use"),
        ("画像サーバーの更新", "outlook-per-view"),
        ("運営費の選択肢", "scenarios"),
        ("市町への支援の要請額", "scenarios"),
        ("急減", "outlook-collapse"),
    ] {
        assert!(html.contains(&format!("<a href=\"#{anchor}\" style=\"color:#2f6f9f;\">{question}</a>")), "{question}");
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor}");
    }
    assert!(html.contains("src=\"outlook.png\""), "the fan chart");
    let text = part("txt");
    for want in [
        "■ 今月の判断材料",
        "■ 利用の見通し",
        "■ リース期間の閲覧1回あたりの費用",
        "■ 急減の検知",
        "小出病院の画像閲覧が2026年3月は0件",
        "■ 全国の地域医療連携ネットワークとの比較",
        "No.495",
    ] {
        assert!(text.contains(want), "{want} missing from\n{text}");
    }
}
