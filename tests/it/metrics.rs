//! Metrics checked against answers worked out by hand from a dataset small enough to
//! count on paper (not recomputed with the same SQL).

use renkei::domain::{FiscalYear, Month};
use renkei::metrics::rows::MonthlyUsage;
use renkei::metrics::scenarios::Lease;
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
    // The seed's R6 lines: the deck rounds them to 約550万 + 約690万 + 約100万 (which add up
    // to 1,340万) yet gives 約1,330万 as their total; these amounts round to every one of
    // its figures. R7 lines add up to 14,000,000.
    w.write_sjis(
        "inbox/運営費.csv",
        "年度,業者,サービス,金額\r\n\
         令和6年度,アルム,ID-Link,約546万円\r\n\
         令和6年度,アルム,Team,約688万円\r\n\
         令和6年度,アルム,その他保守,約96万円\r\n\
         R7,アルム,ID-Link,\"5,800,000円\"\r\n\
         R7,アルム,Team,\"7,200,000\"\r\n\
         R7,アルム,その他保守,100万円\r\n\
         合計,,,\r\n",
    );
    // The seed's R7 budget: income 22,200,000 + 6,000,000, expense 14,000,000 + 9,500,000
    // + 5,200,000; and an R6 settlement line.
    w.write_sjis(
        "inbox/予算.csv",
        "年度,予算決算,区分,科目,市町,金額（円）\r\n\
         R7,予算,収入,参加会費,,\"22,200,000\"\r\n\
         R7,予算,収入,自治体負担金,南魚沼市,\"3,500,000\"\r\n\
         R7,予算,収入,自治体負担金,魚沼市,\"2,500,000\"\r\n\
         R7,予算,支出,システム委託費,,\"14,000,000\"\r\n\
         R7,予算,支出,人件費,,\"9,500,000\"\r\n\
         R7,予算,支出,その他経費,,\"5,200,000\"\r\n\
         R7,決算,支出,システム委託費,,\"13,900,000\"\r\n",
    );
    // R8 renewal quotes: 齋藤記念病院 at both grades, 十日町病院 standard only.
    w.write(
        "inbox/更新見積.csv",
        "年度,業者,施設名,品目,グレード,見積額\r\n\
         R8,アルム,齋藤記念病院,サーバー更新,画像公開,\"5,500,000\"\r\n\
         R8,アルム,齋藤記念病院,サーバー更新,標準,\"2,000,000\"\r\n\
         R8,アルム,十日町病院,サーバー更新,標準,\"2,000,000\"\r\n"
            .as_bytes(),
    );
    w.write(
        "inbox/関係市町.csv",
        "市町名,団体コード,人口\n南魚沼市,15226,\"53,000\"\n十日町市,15210,\"49,000\"\n魚沼市,15225,\"33,000\"\n湯沢町,15461,\"7,600\"\n"
            .as_bytes(),
    );
    w.write("inbox/登録患者数.csv", "月,市町,登録患者数\n2025-07,魚沼市,400\n2025-07,南魚沼市,600\n".as_bytes());
    w.ok(&["ingest"]);
    w
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

#[test]
fn monthly_usage_matches_the_hand_count() {
    let w = network_with_known_answers();
    let rows: Vec<MonthlyUsage> = metrics::fetch(
        &w.store(),
        &[("from_month", Param::Month(month("2024-07"))), ("to_month", Param::Month(month("2025-08")))],
    )
    .unwrap();
    assert_eq!(rows.len(), 14, "every month listed, empty ones too");
    let get = |m: &str| {
        let r = rows.iter().find(|r| r.month == month(m)).unwrap();
        (
            [r.events, r.views, r.image_views, r.unique_patients, r.active_users, r.active_facilities],
            r.participating_facilities,
            r.active_rate,
        )
    };
    // Active facilities count a use by their staff or of their data (issue 16): in July
    // 2025 the clinic, 十日町病院 and 齋藤記念病院 (its data viewed, rows 1, 2, 5) = 3 of 4.
    assert_eq!(get("2025-07"), ([5, 4, 2, 3, 4, 3].map(Some), 4, Some(0.75)));
    // June: the clinic viewed 齋藤記念病院 (row 7) and 十日町病院 (row 8): all three used it.
    assert_eq!(get("2025-06"), ([2, 2, 1, 2, 1, 3].map(Some), 4, Some(0.75)));
    // July 2024 (row 9): the clinic and 齋藤記念病院; the pharmacy had joined, so 2 of 4.
    assert_eq!(get("2024-07"), ([1, 1, 1, 1, 1, 2].map(Some), 4, Some(0.5)));
    assert_eq!(get("2025-08"), ([1, 1, 1, 1, 1, 2].map(Some), 4, Some(0.5)));
    // December 2024 has no log: no data, not zero.
    assert_eq!(get("2024-12"), ([None; 6], 4, None));
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

fn cost(store: &renkei::store::Store, m: &str) -> renkei::store::Table {
    let m = month(m);
    metrics::run(
        store,
        "cost_per_use",
        &[
            ("month", Param::Month(m)),
            ("fiscal_year", Param::FiscalYear(m.fiscal_year())),
            ("lease_years", Param::Integer(5)),
            ("lease_factor", Param::Number(1.0)),
        ],
    )
    .unwrap()
}

#[test]
fn cost_per_use_matches_the_seed_and_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    // R6 (FY2024): the seed's three lines, 5,460,000 + 6,880,000 + 960,000 = 13,300,000.
    let r6 = cost(&store, "2025-03");
    assert_eq!(r6.get(0, "running_cost_yen").as_i64(), Some(13_300_000));
    assert_eq!(r6.get(0, "approximate").to_string(), "true");
    // R7 (FY2025), July 2025: 14,000,000 ÷ 6 views in Aug 2024–Jul 2025 (rows 1, 2, 3, 5, 7, 8)
    // = 2,333,333.3 → 2,333,333; ÷ 3 active facilities (the clinic and 十日町病院 operated,
    // 齋藤記念病院's data was viewed) = 4,666,666.7 → 4,666,667. The R8 quotes are not
    // leased yet in R7, so no server cost.
    let r7 = cost(&store, "2025-07");
    assert_eq!(r7.get(0, "running_cost_yen").as_i64(), Some(14_000_000));
    assert_eq!(r7.get(0, "server_annual_yen").as_i64(), None);
    assert_eq!(r7.get(0, "views_12m").as_i64(), Some(6));
    assert_eq!(r7.get(0, "yen_per_view").as_f64(), Some(2_333_333.0));
    assert_eq!(r7.get(0, "yen_per_active_facility").as_f64(), Some(4_666_667.0));
    assert_eq!(r7.get(0, "cost_basis").to_string(), "invoices");
    // Per registered patient: 1,000 registered (400 + 600) → 14,000; per resident:
    // 53,000 + 49,000 + 33,000 + 7,600 = 142,600 → 98.17… → 98.
    assert_eq!(r7.get(0, "registered_patients").as_i64(), Some(1_000));
    assert_eq!(r7.get(0, "yen_per_registered_patient").as_f64(), Some(14_000.0));
    assert_eq!(r7.get(0, "residents").as_i64(), Some(142_600));
    assert_eq!(r7.get(0, "yen_per_resident").as_f64(), Some(98.0));
    // R8 (FY2026), April 2026: no running lines and no budget, so R7's actuals (14,000,000,
    // issue 16: the cost basis is never blank when the store has one); the R8 quotes
    // leased: 齋藤記念病院 publishes images → its 画像公開 quote 5,500,000; 十日町病院 → 標準
    // 2,000,000; 7,500,000 ÷ 5 years = 1,500,000 a year. Views May 2025–Apr 2026: rows 1, 2,
    // 3, 5, 6, 7, 8 = 7 → 15,500,000 ÷ 7 = 2,214,285.7.
    let r8 = cost(&store, "2026-04");
    assert_eq!(r8.get(0, "running_cost_yen").as_i64(), Some(14_000_000));
    assert_eq!(r8.get(0, "cost_basis").to_string(), "earlier_invoices");
    assert_eq!(r8.get(0, "cost_basis_year").as_i64(), Some(2025));
    assert_eq!(r8.get(0, "server_annual_yen").as_i64(), Some(1_500_000));
    assert_eq!(r8.get(0, "system_cost_yen").as_i64(), Some(15_500_000));
    assert_eq!(r8.get(0, "yen_per_view").as_f64(), Some(2_214_286.0));
    assert_eq!(FiscalYear::parse("R7").unwrap(), month("2025-07").fiscal_year());
}

#[test]
fn budget_execution_shows_the_seeds_r7_deficit() {
    let w = network_with_known_answers();
    let t = metrics::run(&w.store(), "budget_execution", &[("fiscal_year", Param::FiscalYear(FiscalYear::new(2025)))])
        .unwrap();
    let line = |section: &str, item: &str| {
        let r = (0..t.rows.len())
            .find(|r| t.get(*r, "section").to_string() == section && t.get(*r, "item").to_string() == item)
            .unwrap_or_else(|| panic!("{section} {item} missing: {t:?}"));
        (t.get(r, "budget_yen").as_i64(), t.get(r, "settled_yen").as_i64())
    };
    assert_eq!(line("income", ""), (Some(28_200_000), None), "22,200,000 + 3,500,000 + 2,500,000");
    assert_eq!(line("expense", ""), (Some(28_700_000), Some(13_900_000)), "14,000,000 + 9,500,000 + 5,200,000");
    assert_eq!(line("balance", ""), (Some(-500_000), Some(-13_900_000)));
    assert_eq!(line("income", "自治体負担金"), (Some(6_000_000), None));
    assert_eq!(t.get(0, "section").to_string(), "income", "income first");
    // A later year with no budget shows the latest one before it.
    let later =
        metrics::run(&w.store(), "budget_execution", &[("fiscal_year", Param::FiscalYear(FiscalYear::new(2026)))])
            .unwrap();
    assert_eq!(later.get(0, "fiscal_year").as_i64(), Some(2025));
}

#[test]
fn usage_by_system_and_kind_match_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    let m = [("month", Param::Month(month("2025-07")))];
    let s = metrics::run(&store, "usage_by_system", &m).unwrap();
    // ID-Link: July rows 1, 2, 3, 5 (4 events, 4 views; active: the clinic and 十日町病院
    // operated, 齋藤記念病院 and 十日町病院 disclosed = 3); June 2; July 2024 1. Team: row 4
    // only (a 登録, not a view: 十日町病院 alone is active); June and July 2024 have logs, so
    // Team's 0 then is a count.
    let cells = |t: &renkei::store::Table, i: usize, cols: &[&str]| {
        cols.iter().map(|c| t.get(i, c).to_string()).collect::<Vec<_>>()
    };
    let cols = ["system", "events", "views", "active_facilities", "events_prev_month", "events_last_year"];
    assert_eq!(cells(&s, 0, &cols), ["ID-Link", "4", "4", "3", "2", "1"]);
    assert_eq!(cells(&s, 1, &cols), ["Team", "1", "0", "1", "0", "0"]);

    let k = metrics::run(&store, "usage_by_kind", &m).unwrap();
    let cols = ["kind", "participating_facilities", "active_facilities", "events"];
    let mut got: Vec<Vec<String>> = (0..k.rows.len()).map(|i| cells(&k, i, &cols)).collect();
    got.sort();
    // 病院: 十日町病院 operated (rows 4, 5) and 齋藤記念病院's data was viewed: both active.
    assert_eq!(got, vec![vec!["病院", "2", "2", "2"], vec!["薬局", "1", "0", "0"], vec!["診療所", "1", "1", "3"]]);
}

fn rows(t: &renkei::store::Table, cols: &[&str]) -> Vec<Vec<String>> {
    (0..t.rows.len()).map(|i| cols.iter().map(|c| t.get(i, c).to_string()).collect()).collect()
}

#[test]
fn use_by_data_type_municipality_and_role_match_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    let m = [("month", Param::Month(month("2025-07")))];
    // July: 画像 rows 1, 5 (P001 twice; clinic and 十日町病院 viewing 齋藤記念病院's: 3 active);
    // June had row 7. 検査 row 2 (clinic, 齋藤; June row 8); 処方 row 3 (clinic, 十日町); 連絡帳
    // row 4 (登録, not a view: 十日町病院 only). Ties sort by name.
    let t = metrics::run(&store, "usage_by_data_type", &m).unwrap();
    let cols = ["data_type", "events", "views", "unique_patients", "active_facilities", "events_prev_month"];
    assert_eq!(
        rows(&t, &cols),
        [
            ["画像", "2", "2", "1", "3", "1"],
            ["処方", "1", "1", "1", "2", "0"],
            ["検査", "1", "1", "1", "2", "1"],
            ["連絡帳", "1", "0", "1", "1", "0"],
        ]
    );
    // By the facility's municipality: the clinic (魚沼市) rows 1–3; 十日町病院 rows 4, 5;
    // 齋藤記念病院 (南魚沼市) operated nothing but its data was viewed: active, 0 events.
    let t = metrics::run(&store, "usage_by_municipality", &m).unwrap();
    let cols = ["municipality", "participating_facilities", "active_facilities", "events", "views"];
    assert_eq!(
        rows(&t, &cols),
        [
            ["魚沼市", "1", "1", "3", "3"],
            ["十日町市", "1", "1", "2", "1"],
            ["南魚沼市", "1", "1", "0", "0"],
            ["湯沢町", "1", "0", "0", "0"]
        ]
    );
    // Views Aug 2024–Jul 2025 (rows 1, 2, 3, 5, 7, 8): disclosed by 齋藤記念病院 and
    // 十日町病院; viewed by the clinic and 十日町病院. The pharmacy does neither.
    let t = metrics::run(&store, "participation_by_role", &m).unwrap();
    let cols = ["kind", "participating_facilities", "disclosing_facilities", "viewing_facilities", "idle_facilities"];
    assert_eq!(
        rows(&t, &cols),
        [["病院", "2", "2", "1", "0"], ["薬局", "1", "0", "0", "1"], ["診療所", "1", "0", "1", "0"]]
    );
}

#[test]
fn concentration_and_flows_match_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    let m = [("month", Param::Month(month("2025-07")))];
    // Events Aug 2024–Jul 2025: clinic 5 (rows 1, 2, 3, 7, 8), 十日町病院 2 (rows 4, 5),
    // 齋藤記念病院 0, pharmacy 0. Sorted 0, 0, 2, 5: Gini = Σ|xi − xj| / (2 n² mean)
    // = 34 / (2 × 16 × 1.75) = 0.607142…; the top 10 hold all 7.
    let t = metrics::run(&store, "concentration", &m).unwrap();
    assert_eq!(rows(&t, &["facilities", "events", "top10_events", "top10_share"]), [["4", "7", "7", "1"]]);
    let gini = t.get(0, "gini").as_f64().unwrap();
    assert!((gini - 34.0 / 56.0).abs() < 1e-9, "{gini}");
    // Views by the viewer's municipality × discloser: 魚沼市 → 齋藤 rows 1, 2, 7; 魚沼市 →
    // 十日町 rows 3, 8; 十日町市 → 齋藤 row 5.
    let t = metrics::run(&store, "flow_matrix", &m).unwrap();
    assert_eq!(
        rows(&t, &["viewing_municipality", "disclosing_facility", "views", "viewing_facilities"]),
        [
            ["魚沼市", "齋藤記念病院", "3", "1"],
            ["魚沼市", "十日町病院", "2", "1"],
            ["十日町市", "齋藤記念病院", "1", "1"]
        ]
    );
}

#[test]
fn inactive_paying_members_match_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    let cols = ["name", "fee_yen", "last_used", "idle_3m", "idle_6m", "idle_12m"];
    // July 2025: everyone used it (齋藤記念病院 through its data being viewed) but the pharmacy.
    let t = metrics::run(&store, "inactive_members", &[("month", Param::Month(month("2025-07")))]).unwrap();
    assert_eq!(rows(&t, &cols), [["みなみ薬局", "36000", "", "true", "true", "true"]]);
    // March 2026: last uses 十日町病院 2025-07-31 (row 5), the clinic and 齋藤記念病院
    // 2025-08-01 (row 6, 00:30 JST). Six months back is October 2025; twelve is April 2025.
    let t = metrics::run(&store, "inactive_members", &[("month", Param::Month(month("2026-03")))]).unwrap();
    assert_eq!(
        rows(&t, &cols),
        [
            ["みなみ薬局", "36000", "", "true", "true", "true"],
            ["十日町病院", "1200000", "2025-07-31", "true", "true", "false"],
            ["齋藤記念病院", "1400000", "2025-08-01", "true", "true", "false"],
            ["ゆきぐにクリニック", "90000", "2025-08-01", "true", "true", "false"],
        ]
    );
    // December 2025: three months back is October (all idle), six is July (only the pharmacy).
    let t = metrics::run(&store, "inactive_members", &[("month", Param::Month(month("2025-12")))]).unwrap();
    let six: Vec<String> = (0..t.rows.len())
        .filter(|r| t.get(*r, "idle_6m").to_string() == "true")
        .map(|r| t.get(r, "name").to_string())
        .collect();
    assert_eq!((t.rows.len(), six), (4, vec!["みなみ薬局".to_string()]));
}

#[test]
fn image_server_value_fees_and_enrollment_match_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    // 齋藤記念病院: (5,500,000 − 2,000,000) ÷ 5 = 700,000 a year; its images were viewed 3
    // times Aug 2024–Jul 2025 in the log (rows 1, 5, 7; no image-view file) → 233,333.3.
    // 十日町病院 neither publishes nor has a 画像公開 quote.
    let t = metrics::run(
        &store,
        "image_server_value",
        &[
            ("month", Param::Month(month("2025-07"))),
            ("lease_years", Param::Integer(5)),
            ("lease_factor", Param::Number(1.0)),
            ("threshold_yen", Param::Integer(1000)),
        ],
    )
    .unwrap();
    let cols =
        ["rank", "name", "extra_annual_yen", "image_views_12m", "views_source", "yen_per_image_view", "over_threshold"];
    assert_eq!(rows(&t, &cols), [["1", "齋藤記念病院", "700000", "3", "access_log", "233333", "true"]]);

    // FY2025 fees 1,400,000 + 1,200,000 + 90,000 + 36,000 = 2,726,000; uses Apr 2025–Mar
    // 2026 (operations and views of the facility's data): the clinic 6 of 15 (the rest in
    // tests/it/definitions.rs).
    let t = metrics::run(&store, "fee_fairness", &[("fiscal_year", Param::FiscalYear(FiscalYear::new(2025)))]).unwrap();
    assert_eq!(rows(&t, &["name", "fee_yen", "uses"])[3], ["ゆきぐにクリニック", "90000", "6"]);
    let ratio = t.get(3, "use_to_fee").as_f64().unwrap();
    assert!((ratio - 0.4 / (90_000.0 / 2_726_000.0)).abs() < 1e-9, "{ratio}");

    // Registered in July 2025: 魚沼市 400 of 33,000, 南魚沼市 600 of 53,000; 1,000 of 86,000
    // overall, of whom 3 patients (P001, P002, P005) had information viewed in 12 months.
    let t = metrics::run(&store, "enrollment_coverage", &[("month", Param::Month(month("2025-07")))]).unwrap();
    assert_eq!(
        rows(&t, &["municipality", "registered_patients", "population", "shared_patients_12m"]),
        [["南魚沼市", "600", "53000", ""], ["魚沼市", "400", "33000", ""], ["", "1000", "86000", "3"]]
    );
    assert_eq!(t.get(1, "coverage").as_f64(), Some(400.0 / 33_000.0));
    assert_eq!(t.get(2, "shared_rate").as_f64(), Some(0.003));
}

#[test]
fn scenarios_compute_the_seeds_lease_options_and_the_hand_count() {
    use renkei::config::Scenario;
    use renkei::metrics::scenarios::{Basis, compute};
    let w = network_with_known_answers();
    let store = w.store();
    let running =
        [("ID-Link".to_string(), 7_900_000), ("Team".to_string(), 9_000_000), ("その他保守".to_string(), 800_000)];
    let seed = |name: &str, capital: i64| Scenario {
        name: name.into(),
        capital_yen: Some(capital),
        lease_years: Some(5),
        lease_factor: Some(1.186),
        running: running.iter().cloned().collect(),
        ..Scenario::default()
    };
    let from_quotes = |name: &str, keep: Option<&[&str]>, margin: Option<f64>| Scenario {
        name: name.into(),
        lease_years: Some(5),
        running: running.iter().cloned().collect(),
        publishing_hospitals: keep.map(|k| k.iter().map(|s| s.to_string()).collect()),
        margin,
        ..Scenario::default()
    };
    let list = [
        seed("現行", 64_500_000),
        seed("基幹のみ", 39_000_000),
        from_quotes("見積どおり", None, None),
        from_quotes("画像なし", Some(&[]), Some(0.1)),
    ];
    let basis = Basis::load(&store, month("2025-07"), FiscalYear::new(2025), Lease::current(&list)).unwrap();
    let out = compute(&list, &basis).unwrap();
    // The seed: 64,500,000 × 1.186 ÷ 5 = 15,299,400 (約1,530万円) and 39,000,000 × 1.186 ÷ 5
    // = 9,250,800 (約930万円); running 7,900,000 + 9,000,000 + 800,000 = 17,700,000.
    assert_eq!((out[0].annual_lease_yen, out[0].annual_cost_yen), (15_299_400, 32_999_400));
    assert_eq!((out[1].annual_lease_yen, out[1].annual_cost_yen), (9_250_800, 26_950_800));
    // Fees 2,726,000 + municipal support 6,000,000 (R7 budget) = 8,726,000 for 4 paying
    // members: (32,999,400 − 8,726,000) ÷ 4 = 6,068,350. Views 6 → 5,499,900 each.
    assert_eq!(out[0].fee_change_per_member, Some(6_068_350));
    assert_eq!(out[0].yen_per_remaining_view, Some(5_499_900));
    // From the quotes: 齋藤記念病院 keeps its 画像公開 grade (5,500,000) + 十日町病院
    // 2,000,000 = 7,500,000 → 1,500,000 a year.
    assert_eq!(
        (out[2].capital_yen, out[2].capital_source, out[2].annual_lease_yen),
        (Some(7_500_000), "見積", 1_500_000)
    );
    assert!(out[2].dropped.is_empty());
    // No hospital keeps images: 齋藤記念病院 drops to 標準 (2,000,000 + 2,000,000 → 800,000 a
    // year) and loses its 3 image views (rows 1, 5, 7); running less 10% = 15,930,000.
    let o = &out[3];
    assert_eq!((o.capital_yen, o.annual_lease_yen, o.running_yen), (Some(4_000_000), 800_000, 15_930_000));
    assert_eq!((o.dropped.clone(), o.image_views_lost, o.views_remaining), (vec!["齋藤記念病院".to_string()], 3, 3));
    assert_eq!(o.yen_per_remaining_view, Some((16_730_000.0f64 / 3.0).round() as i64));

    // A hospital name that is nowhere is refused with the scenario's name.
    let bad = [from_quotes("誤記", Some(&["斉藤病院"]), None)];
    let err = compute(&bad, &basis).unwrap_err().to_string();
    assert!(err.contains("誤記") && err.contains("斉藤病院") && err.contains("齋藤記念病院"), "{err}");
}

#[test]
fn renkei_scenarios_prints_the_comparison_and_exports_it() {
    let w = network_with_known_answers();
    std::fs::write(
        w.join("renkei.toml"),
        "[[scenarios]]\nname = \"現行どおり\"\ncapital_yen = 64500000\nlease_years = 5\nlease_factor = 1.186\n\
         running = { \"ID-Link\" = 7900000, \"Team\" = 9000000, \"その他保守\" = 800000 }\n",
    )
    .unwrap();
    // FY2025's fees and support; views over the 12 months to March 2026 (rows 1–8 but row 4,
    // a 登録: 7) → 32,999,400 ÷ 7 = 4,714,200.
    let r = w.ok(&["scenarios", "--fy", "令和7年度"]);
    assert!(r.stdout.contains("現行どおり"), "{}", r.stdout);
    for figure in
        ["64,500,000円（設定）", "15,299,400円", "17,700,000円", "32,999,400円", "4,714,200円", "+6,068,350円"]
    {
        assert!(r.stdout.contains(figure), "{figure} in {}", r.stdout);
    }
    w.ok(&["scenarios", "--fy", "R7", "--out", "案.csv"]);
    let csv = std::fs::read_to_string(w.join("案.csv")).unwrap();
    assert!(csv.contains("現行どおり,64500000,設定,15299400,17700000,32999400"), "{csv}");
    // Without scenarios the command says where to write them.
    std::fs::write(w.join("renkei.toml"), "").unwrap();
    let r = w.run(&["scenarios"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("[[scenarios]]"), "{}", r.stderr);
}

#[test]
fn municipality_use_flows_facilities_and_payments_match_the_hand_count() {
    let w = network_with_known_answers();
    let store = w.store();
    let fy = [("fiscal_year", Param::FiscalYear(FiscalYear::new(2025)))];
    let text = |t: &renkei::store::Table| -> Vec<Vec<String>> {
        t.rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    };
    // FY2025 = 2025-04-01..2026-03-31: rows 1–8 (row 6 is 1 August JST; row 9 is FY2024).
    // Views: rows 1 2 3 5 6 7 8 (row 4 is 登録). By the viewer's town:
    // - 魚沼市 (ゆきぐにクリニック): rows 1 2 3 6 7 8 = 6 views; patients P001 P002 P004 P005 = 4
    // - 十日町市 (十日町病院): row 5 = 1 view, P001; active through rows 4 and 5
    // - 南魚沼市 (齋藤記念病院): its staff viewed nothing, but its data was viewed: active
    // - 湯沢町: its pharmacy used nothing. No 「その他」 row: every facility's town is in the
    //   municipalities table and nothing else was used.
    // Ordered by 団体コード: 十日町市 15210, 魚沼市 15225, 南魚沼市 15226, 湯沢町 15461.
    let t = metrics::run(&store, "municipality_use", &fy).unwrap();
    assert_eq!(
        text(&t),
        [
            ["十日町市", "15210", "49000", "1", "1", "1", "1"],
            ["魚沼市", "15225", "33000", "1", "1", "6", "4"],
            ["南魚沼市", "15226", "53000", "1", "1", "0", "0"],
            ["湯沢町", "15461", "7600", "1", "0", "0", "0"],
        ]
    );
    // Flows: 魚沼市 → 齋藤記念病院 rows 1 2 6 7 = 4, → 十日町病院 rows 3 8 = 2;
    // 十日町市 → 齋藤記念病院 row 5 = 1.
    let t = metrics::run(&store, "municipality_flows", &fy).unwrap();
    assert_eq!(
        text(&t),
        [["十日町市", "齋藤記念病院", "1"], ["魚沼市", "十日町病院", "2"], ["魚沼市", "齋藤記念病院", "4"]]
    );
    // Facilities: one per town; disclosing = 齋藤記念病院 (南魚沼市) and 十日町病院 (十日町市);
    // viewing = ゆきぐにクリニック and 十日町病院.
    let t = metrics::run(&store, "municipality_facilities", &fy).unwrap();
    assert_eq!(
        text(&t),
        [
            ["十日町市", "病院", "1", "1", "1"],
            ["南魚沼市", "病院", "1", "1", "0"],
            ["湯沢町", "薬局", "1", "0", "0"],
            ["魚沼市", "診療所", "1", "0", "1"],
        ]
    );
    // Payments: the R7 budget's 自治体負担金 rows; nothing settled yet.
    let t = metrics::run(&store, "municipality_payments", &fy).unwrap();
    assert_eq!(text(&t), [["南魚沼市", "3500000", ""], ["魚沼市", "2500000", ""]]);
}
