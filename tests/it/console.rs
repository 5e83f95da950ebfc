//! The secretariat's console: saved queries with typed parameters, exports for Excel,
//! the schema with descriptions, the prompt, and reading while a write is under way.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::metrics::network_with_known_answers;

#[test]
fn saved_queries_are_listed_with_their_japanese_titles() {
    let w = network_with_known_answers();
    let r = w.ok(&["query"]);
    assert_eq!(r.stdout.lines().count(), 2 + 10, "{}", r.stdout);
    let line = r.stdout.lines().find(|l| l.starts_with("facility_use_month ")).unwrap();
    assert!(line.contains(" 施設別の利用（1か月） ") && line.contains("month=（対象月"), "{line}");
    assert!(r.stdout.contains("inactive_members"), "{}", r.stdout);
}

#[test]
fn facility_use_for_a_month_matches_the_hand_count() {
    let w = network_with_known_answers();
    let r = w.ok(&["query", "facility_use_month", "--param", "month=令和7年7月", "--format", "csv"]);
    // July 2025 (tests/it/metrics.rs): the clinic made rows 1–3 (3 views, P001 P002);
    // 十日町病院 rows 4–5 (row 4 is 登録: 1 view; P003 P001) and its data was viewed once
    // (row 3); 齋藤記念病院's data was viewed 3 times (rows 1, 2, 5; row 4 is a 登録).
    assert_eq!(
        r.stdout,
        "施設名,種別,市町,操作件数,閲覧件数,患者数,情報が閲覧された件数\n\
         ゆきぐにクリニック,診療所,魚沼市,3,3,2,0\n\
         十日町病院,病院,十日町市,2,1,2,1\n\
         みなみ薬局,薬局,湯沢町,0,0,0,0\n\
         齋藤記念病院,病院,南魚沼市,0,0,0,3\n"
    );
    // December 2024 has no log at all: every count is empty (no data), not 0.
    let r = w.ok(&["query", "facility_use_month", "--param", "month=2024-12", "--format", "csv"]);
    assert!(r.stdout.contains("\nみなみ薬局,薬局,湯沢町,,,,\n"), "{}", r.stdout);
}

#[test]
fn inactive_paying_members_match_the_hand_count() {
    let w = network_with_known_answers();
    let r = w.ok(&["query", "inactive_members", "--param", "as_of=2025-07", "--param", "months=3", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    // Both pay for R7. 齋藤記念病院's users never viewed anything, but its records were
    // viewed in July (rows 1, 2, 5): it is in use. みなみ薬局 has no event either way.
    let names: Vec<(&str, i64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["施設名"].as_str().unwrap(), r["年会費"].as_i64().unwrap()))
        .collect();
    assert_eq!(names, vec![("みなみ薬局", 36_000)]);
    // Only paying members are listed: the roster loaded is R7's, so in R6 nobody is.
    let r = w.ok(&["query", "inactive_members", "--param", "as_of=2024-06", "--param", "months=1", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 0, "no R6 fees were loaded, so nobody paid in FY2024");
}

#[test]
fn missing_unknown_and_mistyped_parameters_are_explained() {
    let w = network_with_known_answers();
    let missing = w.run(&["query", "facility_use_month"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("パラメータ month（対象月（例: 2025-07、令和7年7月））が指定されていません"),
        "{}",
        missing.stderr
    );
    assert!(missing.stderr.contains("renkei query facility_use_month --param month=…"), "{}", missing.stderr);
    let mistyped = w.run(&["query", "facility_use_month", "--param", "month=2025-13"]);
    assert_eq!(mistyped.code, 1);
    assert!(mistyped.stderr.contains("パラメータ month の値を読めません\n  値: 「2025-13」"), "{}", mistyped.stderr);
    let unknown = w.run(&["query", "facility_use_month", "--param", "moth=2025-07"]);
    assert!(unknown.stderr.contains("使えるパラメータ: month"), "{}", unknown.stderr);
    let no_such = w.run(&["query", "facility_use"]);
    assert!(no_such.stderr.contains("もしかして: facility_use_month"), "{}", no_such.stderr);
}

#[test]
fn every_saved_query_runs_on_a_real_store() {
    let w = network_with_known_answers();
    let args = [
        ("facility_use_month", vec!["month=2025-07"]),
        ("inactive_members", vec!["as_of=2025-07", "months=6"]),
        ("image_views_by_hospital", vec!["from_month=2024-04", "to_month=2025-08"]),
        ("municipality_use", vec!["fiscal_year=R7"]),
        ("cost_per_view_by_fy", vec![]),
        ("monthly_trend", vec!["fiscal_year=令和7年度"]),
        ("system_use_by_fy", vec![]),
        ("top_facilities", vec!["fiscal_year=2025", "top=10"]),
        ("fees_vs_use", vec!["fiscal_year=FY2025"]),
        ("data_type_use", vec!["fiscal_year=R7"]),
    ];
    for (name, params) in args {
        let mut a = vec!["query", name, "--format", "json"];
        for p in &params {
            a.push("--param");
            a.push(p);
        }
        let r = w.ok(&a);
        let rows: serde_json::Value =
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{name}: {e}\n{}", r.stdout));
        assert!(!rows.as_array().unwrap().is_empty(), "{name} returned nothing");
    }
    // Spot checks by hand: R7 views Apr 2025–Mar 2026 are rows 1, 2, 3, 5, 6, 7, 8 = 7;
    // the running cost alone (no server cost, as its column says) 14,000,000 ÷ 7 = 2,000,000.
    // The board's 閲覧1件あたり divides the system cost by the 12 months to the report month,
    // and is labelled so; the running cost is the same figure in both (running_cost).
    let r = w.ok(&["query", "cost_per_view_by_fy", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let r7 = rows.as_array().unwrap().iter().find(|r| r["年度"] == 2025).unwrap();
    assert_eq!(
        (
            r7["運営費"].as_i64(),
            r7["運営費の出典"].as_str(),
            r7["閲覧件数"].as_i64(),
            r7["運営費の閲覧1件あたり"].as_f64()
        ),
        (Some(14_000_000), Some("請求・契約"), Some(7), Some(2_000_000.0))
    );
    let audit = std::fs::read_to_string(w.join("var/audit.log")).unwrap();
    assert!(audit.contains("\"command\":\"query\""), "{audit}");
}

#[test]
fn exports_for_excel_are_typed_and_formula_safe() {
    let w = network_with_known_answers();
    let sql = "select '=HYPERLINK(\"http://evil\")' as 施設名, 42 as 件数, date '2025-07-01' as 月";
    let r = w.ok(&["sql", "-e", sql, "--out", "result.csv"]);
    assert!(r.stdout.contains("result.csv（1 行）"), "{}", r.stdout);
    let bytes = std::fs::read(w.join("result.csv")).unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "\u{feff}施設名,件数,月\r\n\"'=HYPERLINK(\"\"http://evil\"\")\",42,2025-07-01\r\n"
    );

    w.ok(&["sql", "-e", sql, "--out", "result.xlsx"]);
    let mut wb: Xlsx<_> = open_workbook(w.join("result.xlsx")).unwrap();
    let range = wb.worksheet_range("結果").unwrap();
    assert_eq!(range.get_value((0, 0)), Some(&Data::String("施設名".into())));
    assert_eq!(range.get_value((1, 0)), Some(&Data::String("=HYPERLINK(\"http://evil\")".into())));
    assert_eq!(range.get_value((1, 1)), Some(&Data::Float(42.0)));
    assert!(matches!(range.get_value((1, 2)), Some(Data::DateTime(_))));
    let formulas = wb.worksheet_formula("結果").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell may be a formula");

    let refused = w.run(&["sql", "-e", sql, "--format", "xlsx"]);
    assert_eq!(refused.code, 1);
    let audit = std::fs::read_to_string(w.join("var/audit.log")).unwrap();
    assert!(audit.contains("\"export\":\"result.xlsx\""), "{audit}");
}

#[test]
fn schema_lists_tables_and_columns_with_japanese_descriptions() {
    let w = network_with_known_answers();
    let r = w.ok(&["schema"]);
    assert!(r.stdout.contains("■ access_events　アクセスログ（1行1操作、ID は仮名化済み）"), "{}", r.stdout);
    // The shared definitions are listed with what they mean, and usable from renkei sql.
    for line in ["facility_uses", "in_12m", "running_cost", "表マクロ", "日時がその月で終わる12か月に入るか"]
    {
        assert!(r.stdout.contains(line), "{line} in {}", r.stdout);
    }
    let q = w.ok(&[
        "sql",
        "-e",
        "SELECT count(*) AS n FROM view_events WHERE in_12m(occurred_at, DATE '2025-07-01')",
        "--format",
        "csv",
    ]);
    // Views Aug 2024–Jul 2025: rows 1, 2, 3, 5, 7, 8 (tests/it/metrics.rs).
    assert_eq!(q.stdout, "n\n6\n");
    assert!(
        r.stdout.contains("patient_key             UUID       患者の仮名（HMAC-SHA256 の先頭128ビット、UUID 表記）"),
        "{}",
        r.stdout
    );
    for table in [
        "facilities",
        "membership_fees",
        "image_views",
        "enrollments",
        "invoices",
        "quotes",
        "budget",
        "municipalities",
        "ingested_files",
        "quarantine",
        "deliveries",
        "runs",
    ] {
        assert!(r.stdout.contains(&format!("■ {table}　")), "{table}");
    }
}

#[test]
fn the_prompt_reads_multi_line_statements_and_dot_commands() {
    let w = network_with_known_answers();
    let r = w.run_with_stdin(&["sql"], ".tables\nselect count(*) as n\n  from facilities\n  where kind = '病院';\n.schema invoices\nselect 1 +;\n.quit\nselect 'never';\n");
    assert!(r.stdout.contains("access_events"), "{}", r.stdout);
    assert!(r.stdout.contains("n\n-\n2\n（1 行）"), "{}", r.stdout);
    assert!(r.stdout.contains("■ invoices　運営費の請求・契約"), "{}", r.stdout);
    assert!(!r.stdout.contains("never"), "{}", r.stdout);
    assert!(r.stderr.contains("SQL を実行できませんでした"), "{}", r.stderr);
    assert_eq!(r.code, 1, "a failed statement makes the session exit 1");
}

#[test]
fn sql_waits_for_a_write_in_progress_and_says_so() {
    let w = network_with_known_answers();
    let writer = renkei::store::Store::open(&w.join("var/renkei.duckdb")).unwrap();
    let err = w.join("stderr.txt");
    let child = Command::new(env!("CARGO_BIN_EXE_renkei"))
        .args(["sql", "-e", "select count(*) as n from facilities"])
        .current_dir(w.path())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&err).unwrap_or_default().contains("終わるまで待っています") {
        assert!(Instant::now() < deadline, "sql never said it was waiting");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(writer);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", std::fs::read_to_string(&err).unwrap());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\n4\n"));
}

#[test]
fn the_prompt_prints_in_the_chosen_format_and_refuses_an_output_file() {
    let w = network_with_known_answers();
    let r = w.run_with_stdin(
        &["sql", "--format", "csv"],
        "select kind, count(*) as n from facilities group by kind order by kind;\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("kind,n\n病院,2\n薬局,1\n診療所,1"), "{}", r.stdout);
    let refused = w.run_with_stdin(&["sql", "--out", "x.xlsx"], "select 1;\n");
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("--out は -e か SQL ファイルと一緒に使ってください"), "{}", refused.stderr);
}
