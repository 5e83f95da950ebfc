//! Metrics checked against answers worked out by hand from a dataset small enough to
//! count on paper (not recomputed with the same SQL).

use renkei::domain::{FiscalYear, Month};
use renkei::metrics::{self, Param};

use crate::support::{LOG_HEADER, Workdir, small_roster};

/// Nine events. By hand, for July 2025:
/// - events 5 (rows 1–5); views 4 (row 4 is 登録); image views 2 (rows 1, 5)
/// - patients P001 P002 P003 = 3; users U1 U2 U3 U4 = 4
/// - active facilities: the clinic and 十日町病院 = 2 of 4 participating → 50%
///
/// Row 6 is 2025-07-31T15:30Z = 2025-08-01 00:30 JST: August, not July.
/// June 2025 has rows 7, 8; July 2024 has row 9 (the pharmacy joined 2024-04, so 4
/// participate then too → 1 active of 4 = 25%).
pub fn network_with_known_answers() -> Workdir {
    let w = Workdir::new();
    small_roster(&w);
    let log = format!(
        "{LOG_HEADER}\
         2025-07-01 09:00:00,ID-Link,U1,ゆきぐにｸﾘﾆｯｸ,P001,斎藤記念病院,画像,閲覧\r\n\
         2025-07-02 10:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,検査,閲覧\r\n\
         2025-07-03 11:00:00,ID-Link,U2,ゆきぐにクリニック,P002,十日町病院,処方,閲覧\r\n\
         2025-07-15 12:00:00,Team,U3,十日町病院,P003,齋藤記念病院,連絡帳,登録\r\n\
         2025-07-31 23:59:59,ID-Link,U4,十日町病院,P001,齋藤記念病院,画像,閲覧\r\n\
         2025-07-31T15:30:00Z,ID-Link,U1,ゆきぐにクリニック,P004,齋藤記念病院,画像,閲覧\r\n\
         2025-06-10 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧\r\n\
         2025-06-11 09:00:00,ID-Link,U1,ゆきぐにクリニック,P005,十日町病院,検査,閲覧\r\n\
         2024-07-05 09:00:00,ID-Link,U2,ゆきぐにクリニック,P002,齋藤記念病院,画像,閲覧\r\n"
    );
    w.write_sjis("inbox/アクセスログ.csv", &log);
    // The seed's R6 lines (約550万 + 約690万 + 約100万) and R7 lines (14,000,000).
    w.write_sjis(
        "inbox/運営費.csv",
        "年度,業者,サービス,金額\r\n\
         令和6年度,アルム,ID-Link,約550万円\r\n\
         令和6年度,アルム,Team,約690万円\r\n\
         令和6年度,アルム,その他保守,約100万円\r\n\
         R7,アルム,ID-Link,\"5,800,000円\"\r\n\
         R7,アルム,Team,\"7,200,000\"\r\n\
         R7,アルム,その他保守,100万円\r\n\
         合計,,,\r\n",
    );
    w.ok(&["ingest"]);
    w
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

#[test]
fn monthly_usage_matches_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    let t = metrics::run(
        &store,
        "monthly_usage",
        &[("from_month", Param::Month(month("2024-07"))), ("to_month", Param::Month(month("2025-08")))],
    )
    .unwrap();
    assert_eq!(t.rows.len(), 14, "every month listed, empty ones too");
    let row = |m: &str| t.rows.iter().position(|r| r[0].to_string() == format!("{m}-01")).unwrap();
    let cols = [
        "events",
        "views",
        "image_views",
        "unique_patients",
        "active_users",
        "active_facilities",
        "participating_facilities",
    ];
    let get = |m: &str| cols.map(|c| t.get(row(m), c).as_i64().unwrap());
    assert_eq!(get("2025-07"), [5, 4, 2, 3, 4, 2, 4]);
    assert_eq!(get("2025-06"), [2, 2, 1, 2, 1, 1, 4]);
    assert_eq!(get("2024-07"), [1, 1, 1, 1, 1, 1, 4]);
    assert_eq!(get("2025-08"), [1, 1, 1, 1, 1, 1, 4]);
    assert_eq!(get("2024-12"), [0, 0, 0, 0, 0, 0, 4]);
    assert_eq!(t.get(row("2025-07"), "active_rate").as_f64(), Some(0.5));
    assert_eq!(t.get(row("2024-07"), "active_rate").as_f64(), Some(0.25));
}

#[test]
fn views_by_hospital_match_the_hand_count() {
    let w = network_with_known_answers();
    let t = metrics::run(&w.store(), "views_by_hospital", &[("month", Param::Month(month("2025-07")))]).unwrap();
    let by = |i: usize, c: &str| t.get(i, c).to_string();
    // 齋藤記念病院: July views rows 1, 2, 5 (row 4 is 登録); images 1, 5; June row 7;
    // July 2024 row 9; images Aug 2024–Jul 2025: rows 1, 5, 7.
    assert_eq!(
        ["name", "views", "image_views", "views_prev_month", "views_last_year", "image_views_12m"].map(|c| by(0, c)),
        ["齋藤記念病院", "3", "2", "1", "1", "3"]
    );
    // 十日町病院: July row 3; June row 8; no images.
    assert_eq!(
        ["name", "views", "image_views", "views_prev_month", "views_last_year", "image_views_12m"].map(|c| by(1, c)),
        ["十日町病院", "1", "0", "1", "0", "0"]
    );
    assert_eq!(t.rows.len(), 2);
}

#[test]
fn running_cost_per_view_matches_the_seed_and_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    let cost = |m: &str| {
        let m = month(m);
        metrics::run(
            &store,
            "cost_per_view",
            &[("month", Param::Month(m)), ("fiscal_year", Param::FiscalYear(m.fiscal_year()))],
        )
        .unwrap()
    };
    // R6 (FY2024): the seed's three lines, all 約. They add up to 13,400,000; the deck's
    // own total (約1,330万円) is 100,000 less, a rounding of its 約 figures.
    let r6 = cost("2025-03");
    assert_eq!(r6.get(0, "running_cost_yen").as_i64(), Some(5_500_000 + 6_900_000 + 1_000_000));
    assert_eq!(r6.get(0, "approximate").to_string(), "true");
    // R7 (FY2025), July 2025: 14,000,000 ÷ 6 views in Aug 2024–Jul 2025 (rows 1, 2, 3, 5, 7, 8)
    // = 2,333,333.3 → 2,333,333; ÷ 2 active facilities = 7,000,000.
    let r7 = cost("2025-07");
    assert_eq!(r7.get(0, "running_cost_yen").as_i64(), Some(14_000_000));
    assert_eq!(r7.get(0, "views_12m").as_i64(), Some(6));
    assert_eq!(r7.get(0, "yen_per_view").as_f64(), Some(2_333_333.0));
    assert_eq!(r7.get(0, "yen_per_active_facility").as_f64(), Some(7_000_000.0));
    assert_eq!(FiscalYear::parse("R7").unwrap(), month("2025-07").fiscal_year());
}

#[test]
fn usage_by_system_and_kind_match_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    let m = [("month", Param::Month(month("2025-07")))];
    let s = metrics::run(&store, "usage_by_system", &m).unwrap();
    // ID-Link: July rows 1, 2, 3, 5 (4 events, 4 views, clinic + 十日町 active); June 2;
    // July 2024 1. Team: row 4 only.
    let cells = |t: &renkei::store::Table, i: usize, cols: &[&str]| {
        cols.iter().map(|c| t.get(i, c).to_string()).collect::<Vec<_>>()
    };
    let cols = ["system", "events", "views", "active_facilities", "events_prev_month", "events_last_year"];
    assert_eq!(cells(&s, 0, &cols), ["ID-Link", "4", "4", "2", "2", "1"]);
    assert_eq!(cells(&s, 1, &cols), ["Team", "1", "0", "1", "0", "0"]);

    let k = metrics::run(&store, "usage_by_kind", &m).unwrap();
    let cols = ["kind", "participating_facilities", "active_facilities", "events"];
    let mut got: Vec<Vec<String>> = (0..k.rows.len()).map(|i| cells(&k, i, &cols)).collect();
    got.sort();
    assert_eq!(got, vec![vec!["病院", "2", "1", "2"], vec!["薬局", "1", "0", "0"], vec!["診療所", "1", "1", "3"]]);
}
