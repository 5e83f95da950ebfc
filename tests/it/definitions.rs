//! Issue 16, "one truth for every figure": each figure computed once with the shared
//! definitions of `queries/schema/003_definitions.sql`, decoded into its row type, and
//! missing data shown as missing. Every answer here is worked out by hand from the nine
//! events of `network_with_known_answers` (listed there) or from the small files below.

use renkei::domain::{FiscalYear, Month};
use renkei::metrics::rows::{
    CostBasis, CostPerUse, FeeFairness, ImageServerValue, MonthlyUsage, Stage, SupportBasis, ViewsSource,
};
use renkei::metrics::{self, Param, saved};

use crate::metrics::network_with_known_answers;
use crate::support::{LOG_HEADER, Workdir, roster_and_log};

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

fn cost(w: &Workdir, m: &str) -> CostPerUse {
    let m = month(m);
    metrics::fetch_one(
        &w.store(),
        &[
            ("month", Param::Month(m)),
            ("fiscal_year", Param::FiscalYear(m.fiscal_year())),
            ("lease_years", Param::Integer(5)),
            ("lease_factor", Param::Number(1.0)),
        ],
    )
    .unwrap()
}

/// The value of `-- param:` type `ty` used to run every query on the demo store.
fn demo_param(name: &str, ty: &str) -> Param {
    match (name, ty) {
        ("from_month", _) => Param::Month(month("2025-03")),
        (_, "MONTH") => Param::Month(month("2026-03")),
        (_, "FISCAL_YEAR") => Param::FiscalYear(FiscalYear::new(2025)),
        ("threshold_yen", _) => Param::Integer(500),
        ("top", _) => Param::Integer(10),
        ("months", _) => Param::Integer(3),
        (_, "INTEGER") => Param::Integer(5),
        (_, "NUMBER") => Param::Number(1.186),
        other => panic!("no demo value for parameter {other:?}"),
    }
}

#[test]
fn every_metric_and_saved_query_agrees_with_its_header_and_row_type_on_the_demo_store() {
    let store = crate::support::demo().store();
    let mut empty = Vec::new();
    for q in metrics::CATALOG {
        let params: Vec<(&str, Param)> = q.params().iter().map(|(n, ty, _)| (*n, demo_param(n, ty))).collect();
        let t = metrics::run(&store, q.name, &params).unwrap_or_else(|e| panic!("{}: {e:#}", q.name));
        let header: Vec<&str> = q.columns().iter().map(|(n, _)| *n).collect();
        assert_eq!(t.columns, header, "queries/metrics/{}.sql: its columns against its -- col: lines", q.name);
        let (_, check) = metrics::rows::TYPED.iter().find(|(n, _)| *n == q.name).expect("a row type");
        check(&t).unwrap_or_else(|e| panic!("queries/metrics/{}.sql against its row type: {e}", q.name));
        if t.rows.is_empty() {
            empty.push(q.name);
        }
    }
    // The demo has rows for every metric, so every row type met real cells.
    assert!(empty.is_empty(), "metrics with no rows on the demo store: {empty:?}");
    for q in saved::CATALOG {
        let given: Vec<String> = q
            .params()
            .iter()
            .map(|(n, ty, _)| {
                let value = match demo_param(n, ty) {
                    Param::Month(m) => m.to_string(),
                    Param::FiscalYear(fy) => fy.year().to_string(),
                    Param::Integer(i) => i.to_string(),
                    Param::Number(x) => x.to_string(),
                };
                format!("{n}={value}")
            })
            .collect();
        let bound = saved::bind(q, &given).unwrap();
        let t = saved::run(&store, q, &bound).unwrap_or_else(|e| panic!("{}: {e:#}", q.name));
        let header: Vec<&str> = q.columns().iter().map(|(n, _)| *n).collect();
        assert_eq!(t.columns, header, "queries/saved/{}.sql: its columns against its -- col: lines", q.name);
        assert!(!t.rows.is_empty(), "queries/saved/{}.sql gave no rows on the demo store", q.name);
    }
}

#[test]
fn a_month_without_an_access_log_is_no_data_not_zero() {
    let w = network_with_known_answers();
    let rows: Vec<MonthlyUsage> = metrics::fetch(
        &w.store(),
        &[("from_month", Param::Month(month("2024-11"))), ("to_month", Param::Month(month("2025-07")))],
    )
    .unwrap();
    let at = |m: &str| rows.iter().find(|r| r.month == month(m)).unwrap();
    // December 2024 has no event: no log, so no counts and no rate; the roster still says
    // four members.
    let dec = at("2024-12");
    assert_eq!((dec.has_log, dec.events, dec.views, dec.active_facilities), (false, None, None, None));
    assert_eq!((dec.participating_facilities, dec.active_rate), (4, None));
    // July 2025 (rows 1–5): 5 events, 4 views; active = the clinic and 十日町病院 (staff) and
    // 齋藤記念病院 (its data viewed, rows 1, 2, 5) = 3 of 4.
    let jul = at("2025-07");
    assert_eq!(
        (jul.events, jul.views, jul.active_facilities, jul.active_rate),
        (Some(5), Some(4), Some(3), Some(0.75))
    );
}

#[test]
fn the_board_report_of_a_network_with_one_month_shows_one_month() {
    let w = roster_and_log(&[
        "2025-07-01 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧",
        "2025-07-02 09:00:00,ID-Link,U2,十日町病院,P002,齋藤記念病院,検査,閲覧",
    ]);
    w.ok(&["ingest"]);
    w.ok(&["report", "board", "--month", "2025-07", "--out", "preview"]);
    let text = std::fs::read_to_string(w.join("preview/board-2025-07.txt")).unwrap();
    // Twelve months before July have no log: every count and rate there is —, and no
    // change is computed against them (before issue 16: zeros and "+100.0pt").
    assert!(!text.contains("pt"), "a change in points against a month without data:\n{text}");
    assert!(!text.contains("+100.0%"), "{text}");
    assert!(text.contains("アクセスログのない月があります: 2024年7月、2024年8月"), "{text}");
    let jun = text.lines().find(|l| l.trim_start().starts_with("2025年6月")).expect("June in the trend");
    assert_eq!(jun.trim(), "2025年6月: —／—／—／—", "June is no data, not zero");
}

#[test]
fn the_support_basis_takes_income_and_expense_from_one_stage() {
    let w = network_with_known_answers();
    let fy = |y| [("fiscal_year", Param::FiscalYear(FiscalYear::new(y)))];
    // R7: one settled line (an expense) and no settled income → the budget for both:
    // 28,700,000 − 22,200,000 = 6,500,000.
    let r7: SupportBasis = metrics::fetch_one(&w.store(), &fy(2025)).unwrap();
    assert_eq!(
        (r7.stage, r7.expense_yen, r7.other_income_yen, r7.required_yen),
        (Some(Stage::Budget), Some(28_700_000), Some(22_200_000), Some(6_500_000))
    );
    // Once the year has settled income too, both come from the settlement: 13,900,000 −
    // 20,000,000 → nothing to ask (never below 0).
    w.write_sjis(
        "inbox/決算収入.csv",
        "年度,予算決算,区分,科目,市町,金額（円）\r\nR7,決算,収入,参加会費,,\"20,000,000\"\r\n",
    );
    w.ok(&["ingest"]);
    let settled: SupportBasis = metrics::fetch_one(&w.store(), &fy(2025)).unwrap();
    assert_eq!(
        (settled.stage, settled.expense_yen, settled.other_income_yen, settled.required_yen),
        (Some(Stage::Settled), Some(13_900_000), Some(20_000_000), Some(0))
    );
    // A year without any budget asks nothing it cannot justify: no stage, no amount.
    let none: SupportBasis = metrics::fetch_one(&w.store(), &fy(2023)).unwrap();
    assert_eq!((none.stage, none.required_yen), (None, None));
}

#[test]
fn the_cost_basis_falls_back_to_the_budget_then_to_earlier_actuals() {
    let w = roster_and_log(&[
        "2025-07-01 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧",
        "2026-07-01 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧",
    ]);
    // Invoices for R6 only; a budget for R7 with its system line.
    w.write_sjis("inbox/運営費.csv", "年度,業者,サービス,金額\r\nR6,アルム,ID-Link,約1330万円\r\n");
    w.write_sjis(
        "inbox/予算.csv",
        "年度,予算決算,区分,科目,市町,金額（円）\r\n\
         R7,予算,支出,システム委託費,,\"14,000,000\"\r\n\
         R7,予算,支出,人件費,,\"9,500,000\"\r\n",
    );
    w.ok(&["ingest"]);
    // R7 (July 2025): no invoices → the budget's システム委託費 (not the 人件費 line).
    let r7 = cost(&w, "2025-07");
    assert_eq!(
        (r7.cost_basis, r7.running_cost_yen, r7.approximate),
        (Some(CostBasis::Budget), Some(14_000_000), false)
    );
    // One view in the 12 months → 14,000,000 per view, one month of log.
    assert_eq!((r7.views_12m, r7.months_with_log, r7.yen_per_view), (Some(1), 1, Some(14_000_000)));
    // R8 (July 2026): neither → the latest earlier year's invoices, R6's 約13,300,000.
    let r8 = cost(&w, "2026-07");
    assert_eq!(
        (r8.cost_basis, r8.cost_basis_year, r8.running_cost_yen, r8.approximate),
        (Some(CostBasis::EarlierInvoices), Some(2024), Some(13_300_000), true)
    );
    // The board report says which basis it used, and the saved question uses the same one.
    w.ok(&["report", "board", "--month", "2026-07", "--out", "preview"]);
    let text = std::fs::read_to_string(w.join("preview/board-2026-07.txt")).unwrap();
    assert!(text.contains("令和8年度の運営費（令和6年度の実績）: 約13,300,000円"), "{text}");
    let r = w.ok(&["query", "cost_per_view_by_fy", "--format", "csv"]);
    // One view a year; active: the clinic (operated) and 齋藤記念病院 (its data viewed).
    assert!(r.stdout.contains("2025,14000000,予算,false,1,1,2,14000000,7000000"), "{}", r.stdout);
    assert!(r.stdout.contains("2026,13300000,2024年度の実績,true,1,1,2,13300000,6650000"), "{}", r.stdout);
}

#[test]
fn use_counts_operations_and_disclosures_alike_in_every_query() {
    let w = network_with_known_answers();
    let store = w.store();
    // FY2025 (rows 1–8). Uses = operations by the facility's staff + views of its data:
    // 齋藤記念病院 0 + 5 (rows 1, 2, 5, 6, 7; row 4 is a 登録), 十日町病院 2 (rows 4, 5) + 2
    // (rows 3, 8), the clinic 6 (rows 1, 2, 3, 6, 7, 8) + 0, the pharmacy 0: 15 in all.
    let fees: Vec<FeeFairness> =
        metrics::fetch(&store, &[("fiscal_year", Param::FiscalYear(FiscalYear::new(2025)))]).unwrap();
    let uses: Vec<(&str, i64)> = fees.iter().map(|r| (r.name.as_str(), r.uses)).collect();
    assert_eq!(uses, [("みなみ薬局", 0), ("十日町病院", 4), ("齋藤記念病院", 5), ("ゆきぐにクリニック", 6)]);
    let clinic = fees.iter().find(|r| r.name == "ゆきぐにクリニック").unwrap();
    assert_eq!(clinic.use_share, Some(0.4));
    // The saved question gives the same uses and shares.
    let r = w.ok(&["query", "fees_vs_use", "--param", "fiscal_year=R7", "--format", "csv"]);
    for line in ["齋藤記念病院,病院,1400000,0.5136,5,0.3333", "ゆきぐにクリニック,診療所,90000,0.033,6,0.4"]
    {
        assert!(r.stdout.contains(line), "{line} in\n{}", r.stdout);
    }
}

#[test]
fn the_saved_inactive_members_keep_the_rosters_leaving_date() {
    let w = Workdir::new();
    w.write(
        "inbox/名簿_R7.csv",
        "施設名,種別,市町,加入日,退会日,年会費\n\
         齋藤記念病院,病院,南魚沼市,2012/10/1,,1400000\n\
         みなみ薬局,薬局,湯沢町,2024/4/1,,36000\n\
         ゆきまち診療所,診療所,魚沼市,2015/4/1,2025/5/31,90000\n"
            .as_bytes(),
    );
    w.write_sjis(
        "inbox/log.csv",
        &format!("{LOG_HEADER}2025-06-03 09:00:00,ID-Link,U1,齋藤記念病院,P001,齋藤記念病院,検査,閲覧\r\n"),
    );
    w.ok(&["ingest", "--source", "roster", "inbox/名簿_R7.csv"]);
    w.ok(&["ingest", "inbox/log.csv"]);
    // July 2025: the pharmacy paid and never used it; the clinic left on 31 May, so it is
    // no longer a member in July and is not listed (it used to be, in the saved question).
    let r = w.ok(&["query", "inactive_members", "--param", "as_of=2025-07", "--param", "months=3", "--format", "csv"]);
    assert!(r.stdout.contains("みなみ薬局"), "{}", r.stdout);
    assert!(!r.stdout.contains("ゆきまち診療所"), "{}", r.stdout);
    assert!(!r.stdout.contains("齋藤記念病院"), "used in June: {}", r.stdout);
    // The board's list says the same.
    let rows: Vec<renkei::metrics::rows::InactiveMember> =
        metrics::fetch(&w.store(), &[("month", Param::Month(month("2025-07")))]).unwrap();
    assert_eq!(rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["みなみ薬局"]);
}

#[test]
fn image_server_value_takes_the_quotes_in_force_and_ranks_unquoted_hospitals_last() {
    let w = Workdir::new();
    w.write(
        "inbox/名簿_R7.csv",
        "施設名,種別,市町,加入日,画像公開,年会費\n\
         齋藤記念病院,病院,南魚沼市,2012/10/1,○,1400000\n\
         十日町病院,病院,十日町市,2012/10/1,○,1200000\n\
         ゆきぐにクリニック,診療所,魚沼市,2015/4/1,,90000\n"
            .as_bytes(),
    );
    w.write_sjis(
        "inbox/log.csv",
        &format!(
            "{LOG_HEADER}2025-07-01 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧\r\n\
             2025-07-02 09:00:00,ID-Link,U1,ゆきぐにクリニック,P002,齋藤記念病院,画像,閲覧\r\n\
             2025-07-03 09:00:00,ID-Link,U1,ゆきぐにクリニック,P003,十日町病院,画像,閲覧\r\n"
        ),
    );
    // R3 quotes (leased R3–R7) for 齋藤記念病院 only; R8 quotes for the next renewal.
    w.write(
        "inbox/更新見積.csv",
        "年度,業者,施設名,品目,グレード,見積額\n\
         R3,アルム,齋藤記念病院,サーバー更新,画像公開,\"3,000,000\"\n\
         R3,アルム,齋藤記念病院,サーバー更新,標準,\"1,000,000\"\n\
         R8,アルム,齋藤記念病院,サーバー更新,画像公開,\"5,500,000\"\n\
         R8,アルム,齋藤記念病院,サーバー更新,標準,\"2,000,000\"\n"
            .as_bytes(),
    );
    w.ok(&["ingest", "--source", "roster", "inbox/名簿_R7.csv"]);
    w.ok(&["ingest", "inbox/log.csv", "inbox/更新見積.csv"]);
    let value = |m: &str| -> Vec<ImageServerValue> {
        metrics::fetch(
            &w.store(),
            &[
                ("month", Param::Month(month(m))),
                ("lease_years", Param::Integer(5)),
                ("lease_factor", Param::Number(1.0)),
                ("threshold_yen", Param::Integer(500)),
            ],
        )
        .unwrap()
    };
    // July 2025 (R7): the R3 quotes are in force: (3,000,000 − 1,000,000) ÷ 5 = 400,000 a
    // year over 2 image views = 200,000. 十日町病院 publishes but has no quote: ranked after.
    let r7 = value("2025-07");
    let got: Vec<String> = r7
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?} {:?} {:?}",
                r.rank, r.name, r.quote_fiscal_year, r.extra_annual_yen, r.yen_per_image_view
            )
        })
        .collect();
    assert_eq!(got, ["1 齋藤記念病院 Some(2021) Some(400000) Some(200000)", "2 十日町病院 None None None"]);
    assert_eq!(r7[0].views_source, ViewsSource::AccessLog);
    // April 2026 (R8): the R8 quotes: (5,500,000 − 2,000,000) ÷ 5 = 700,000; no image views
    // in May 2025–April 2026 but July's 2 → 350,000.
    let r8 = value("2026-04");
    assert_eq!(
        (r8[0].quote_fiscal_year, r8[0].extra_annual_yen, r8[0].yen_per_image_view),
        (Some(2026), Some(700_000), Some(350_000))
    );
}
