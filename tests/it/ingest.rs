//! Ingest: real xlsx rosters, real CP932 logs, unknown facilities, the same file twice,
//! and files that fail halfway leaving nothing behind.

use crate::support::{LOG_HEADER, Workdir, small_roster};

#[test]
fn roster_xlsx_with_title_row_total_row_and_text_fees_loads() {
    let w = Workdir::new();
    let roster = small_roster(&w);
    let r = w.ok(&["ingest", roster.to_str().unwrap()]);
    assert!(r.stdout.contains("名簿  4行（保留 0行）  合計・注記の2行は除外"), "{}", r.stdout);
    // Four members, not the 合計 row or the ※ footnote; fees typed as text count too.
    assert_eq!(w.count("SELECT count(*) FROM facilities"), 4);
    assert_eq!(
        w.count("SELECT sum(fee_yen) FROM membership_fees WHERE fiscal_year = 2025"),
        1_400_000 + 1_200_000 + 90_000 + 36_000
    );
    assert_eq!(
        w.rows("SELECT name, kind, municipality, joined_on, publishes_images FROM facilities ORDER BY facility_id"),
        vec![
            vec!["齋藤記念病院", "病院", "南魚沼市", "2012-10-01", "true"],
            vec!["十日町病院", "病院", "十日町市", "2012-10-01", "false"],
            vec!["ゆきぐにクリニック", "診療所", "魚沼市", "2019-05-01", "false"],
            vec!["みなみ薬局", "薬局", "湯沢町", "2024-04-01", "false"],
        ]
    );
}

#[test]
fn cp932_access_log_loads_and_variant_names_resolve() {
    let w = Workdir::new();
    small_roster(&w);
    // 斎藤 for 齋藤, half-width katakana, ～ (0x8160) in the data type: real CP932 bytes.
    let log = format!(
        "{LOG_HEADER}\
         2025/7/1 9:00,ID-Link,U1,ゆきぐにｸﾘﾆｯｸ,P001,斎藤記念病院,画像,閲覧\r\n\
         2025/7/2 10:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,検査～結果,閲覧\r\n\
         2025/7/3 11:00,Team,U2,十日町病院,P002,齋藤記念 病院,連絡帳,登録\r\n"
    );
    let path = w.write_sjis("inbox/アクセスログ_R7.csv", &log);
    assert!(std::str::from_utf8(&std::fs::read(&path).unwrap()).is_err(), "the file must really be Shift_JIS");
    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("アクセスログ  3行（保留 0行）"), "{}", r.stdout);
    assert_eq!(
        w.rows(
            "SELECT f.name, d.name, e.data_type, e.action FROM access_events e
             JOIN facilities f ON f.facility_id = e.facility_id
             JOIN facilities d ON d.facility_id = e.disclosing_facility_id ORDER BY occurred_at"
        ),
        vec![
            vec!["ゆきぐにクリニック", "齋藤記念病院", "画像", "閲覧"],
            vec!["ゆきぐにクリニック", "齋藤記念病院", "検査～結果", "閲覧"],
            vec!["十日町病院", "齋藤記念病院", "連絡帳", "登録"],
        ]
    );
}

#[test]
fn english_headers_utf8_bom_and_offsets_convert_to_jst() {
    let w = Workdir::new();
    small_roster(&w);
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(
        "timestamp,system,user_id,facility,patient_id,disclosing_facility,data_type,action\n\
         2025-07-31T15:30:00Z,ID-Link,U1,ゆきぐにクリニック,P001,十日町病院,画像,view\n\
         2025-07-31T23:30:00+09:00,ID-Link,U1,ゆきぐにクリニック,P001,十日町病院,画像,view\n"
            .as_bytes(),
    );
    w.write("inbox/log.csv", &bytes);
    w.ok(&["ingest"]);
    assert_eq!(
        w.rows("SELECT strftime(occurred_at, '%Y-%m-%d %H:%M'), action FROM access_events ORDER BY occurred_at"),
        vec![vec!["2025-07-31 23:30", "閲覧"], vec!["2025-08-01 00:30", "閲覧"]]
    );
}

#[test]
fn era_kanji_and_excel_serial_timestamps_load_and_an_impossible_era_date_is_held_with_why() {
    let w = Workdir::new();
    small_roster(&w);
    let log = format!(
        "{LOG_HEADER}\
         令和7年7月1日 9:15,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n\
         R7.7.2 10:30:05,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n\
         2025年7月3日 11時45分,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n\
         45842.5,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n\
         平成31年5月1日 9:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n"
    );
    w.write_sjis("inbox/log.csv", &log);
    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("アクセスログ  4行（保留 1行）"), "{}", r.stdout);
    assert_eq!(
        w.rows("SELECT strftime(occurred_at, '%Y-%m-%d %H:%M:%S') FROM access_events ORDER BY occurred_at"),
        vec![
            vec!["2025-07-01 09:15:00"],
            vec!["2025-07-02 10:30:05"],
            vec!["2025-07-03 11:45:00"],
            // 45842.5: 45842 days after 1899-12-30, and half a day.
            vec!["2025-07-04 12:00:00"],
        ]
    );
    assert_eq!(
        w.rows("SELECT row_number, column_name, value, reason FROM quarantine"),
        vec![vec![
            "6",
            "A列「日時」",
            "平成31年5月1日 9:00",
            "平成31年5月1日 は存在しません（平成は 1989年1月8日 から 2019年4月30日 まで）"
        ]]
    );
}

#[test]
fn unknown_facility_is_quarantined_with_alias_hint_then_fixed_by_alias_and_replace() {
    let w = Workdir::new();
    small_roster(&w);
    let log = format!(
        "{LOG_HEADER}\
         2025-07-01 09:00,ID-Link,U1,ゆきぐにクリニック,P001,十日町病院,画像,閲覧\r\n\
         2025-07-01 09:05,ID-Link,U9,南魚沼訪問看護ST,P002,十日町病院,検査,閲覧\r\n"
    );
    let path = w.write("inbox/log.csv", log.as_bytes());
    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("1行（保留 1行）"), "{}", r.stdout);
    assert_eq!(
        w.rows("SELECT row_number, column_name, value, reason FROM quarantine"),
        vec![vec!["3", "D列「利用施設」", "南魚沼訪問看護ST", "施設「南魚沼訪問看護ST」が名簿にも別名にもありません"]]
    );
    let hint = &w.rows("SELECT hint FROM quarantine")[0][0];
    assert!(hint.contains("renkei alias add '南魚沼訪問看護ST'"), "{hint}");

    let q = w.ok(&["quarantine"]);
    assert!(q.stdout.contains("南魚沼訪問看護ST"), "{}", q.stdout);

    let missing = w.run(&["alias", "add", "南魚沼訪問看護ST", "存在しない施設"]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("名簿にありません"), "{}", missing.stderr);

    w.ok(&["alias", "add", "南魚沼訪問看護ST", "みなみ薬局"]);
    let again = w.ok(&["ingest", path.to_str().unwrap()]);
    assert!(again.stdout.contains("取込済"), "{}", again.stdout);
    let replaced = w.ok(&["ingest", "--replace", path.to_str().unwrap()]);
    assert!(replaced.stdout.contains("2行（保留 0行）"), "{}", replaced.stdout);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 2);
    assert_eq!(w.count("SELECT count(*) FROM quarantine"), 0);
    assert_eq!(w.count("SELECT count(*) FROM ingested_files WHERE source = 'access_log'"), 1);
}

#[test]
fn the_same_file_twice_is_already_ingested_and_adds_nothing() {
    let w = Workdir::new();
    small_roster(&w);
    w.write(
        "inbox/log.csv",
        format!("{LOG_HEADER}2025-07-01 09:00,ID-Link,U1,十日町病院,P001,齋藤記念病院,画像,閲覧\r\n").as_bytes(),
    );
    w.ok(&["ingest"]);
    let before = w.count("SELECT count(*) FROM access_events");
    // A copy under another name is the same bytes: still already ingested.
    std::fs::copy(w.join("inbox/log.csv"), w.join("inbox/log-copy.csv")).unwrap();
    let r = w.ok(&["ingest"]);
    assert_eq!(r.stdout.lines().filter(|l| l.starts_with("取込済")).count(), 3, "{}", r.stdout);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), before);
    assert_eq!(w.count("SELECT count(*) FROM ingested_files"), 2);
}

#[test]
fn a_file_that_fails_halfway_leaves_nothing_and_the_others_still_load() {
    let w = Workdir::new();
    small_roster(&w);
    w.ok(&["ingest"]);
    // 50,001 good rows (a whole batch is appended inside the transaction) followed by
    // 60,000 unreadable ones: the file is refused and the appended batch rolled back.
    let mut text = String::from(LOG_HEADER);
    for i in 0..50_001 {
        text.push_str(&format!(
            "2025-07-01 09:{:02}:{:02},ID-Link,U1,十日町病院,P{i},齋藤記念病院,検査,閲覧\r\n",
            (i / 60) % 60,
            i % 60
        ));
    }
    for _ in 0..60_000 {
        text.push_str("昨日,ID-Link,U1,十日町病院,P1,齋藤記念病院,検査,閲覧\r\n");
    }
    w.write("inbox/a_broken.csv", text.as_bytes());
    // Good data whose end is binary garbage is refused whole too.
    let mut garbage =
        format!("{LOG_HEADER}2025-07-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,検査,閲覧\r\n").into_bytes();
    garbage.extend_from_slice(&[0x00, 0xff, 0x13, 0x37, 0x00, 0x42]);
    w.write("inbox/b_binary.csv", &garbage);
    w.write(
        "inbox/c_good.csv",
        format!("{LOG_HEADER}2025-07-02 09:00,Team,U2,十日町病院,P2,齋藤記念病院,連絡帳,登録\r\n").as_bytes(),
    );
    w.write("inbox/d_empty.csv", b"");

    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("拒否    inbox/a_broken.csv") || r.stdout.contains("a_broken.csv"), "{}", r.stdout);
    assert!(r.stderr.contains("a_broken.csv の大半の行を読めません（データベースは変更していません）"), "{}", r.stderr);
    assert!(r.stderr.contains("テキストではありません"), "{}", r.stderr);
    assert!(r.stderr.contains("ファイルが空です"), "{}", r.stderr);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 1, "only c_good.csv's row");
    assert_eq!(
        w.count("SELECT count(*) FROM ingested_files WHERE path LIKE '%a_broken%' OR path LIKE '%b_binary%'"),
        0
    );
    assert_eq!(w.count("SELECT count(*) FROM quarantine"), 0);
}

#[test]
fn a_log_without_the_required_columns_names_what_was_found_and_wanted() {
    let w = Workdir::new();
    small_roster(&w);
    w.write("inbox/odd.csv", "日時,施設,件数\n2025-07-01,十日町病院,3\n".as_bytes());
    let r = w.run(&["ingest", "--source", "access_log", "inbox/odd.csv"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("見つかった見出し: 日時、施設、件数"), "{}", r.stderr);
    assert!(r.stderr.contains("日時、システム、利用者ID、利用施設、患者ID、操作"), "{}", r.stderr);
}

#[test]
fn the_parquet_lake_reads_back_with_the_stores_counts() {
    let w = crate::metrics::network_with_known_answers();
    let lake = w.join("lake/network=network");
    assert!(lake.join("access_events/month=2025-07").is_dir(), "Hive partitions by month");
    let db = duckdb::Connection::open_in_memory().unwrap();
    let count = |sql: String| -> i64 { db.query_row(&sql, [], |r| r.get(0)).unwrap() };
    let events = count(format!(
        "SELECT count(*) FROM read_parquet('{}/access_events/*/*.parquet', hive_partitioning = true)",
        lake.display()
    ));
    assert_eq!(events, w.count("SELECT count(*) FROM access_events"));
    assert_eq!(events, 9);
    let july = count(format!(
        "SELECT count(*) FROM read_parquet('{}/access_events/*/*.parquet', hive_partitioning = true) WHERE month = '2025-07'",
        lake.display()
    ));
    assert_eq!(july, 5);
    let facilities = count(format!("SELECT count(*) FROM '{}/facilities/part_0.parquet'", lake.display()));
    assert_eq!(facilities, 4);
    let invoices = count(format!("SELECT sum(amount_yen) FROM '{}/invoices/part_0.parquet'", lake.display()));
    assert_eq!(invoices, 13_300_000 + 14_000_000);
    // The list another engine reads: every table with its rows and columns, the empty
    // monthly ones (no folder) included, the pseudonyms as text.
    let tables = std::fs::read_to_string(lake.join("_tables.tsv")).unwrap();
    let line = |table: &str| tables.lines().find(|l| l.starts_with(&format!("{table}\t"))).unwrap().to_string();
    assert_eq!(tables.lines().next(), Some("table\trows\tcolumns"));
    assert!(line("access_events").starts_with("access_events\t9\t"), "{tables}");
    assert!(
        line("access_events").contains(", user_key VARCHAR, facility_id INTEGER, patient_key VARCHAR,"),
        "{tables}"
    );
    assert!(line("facilities").starts_with("facilities\t4\t"), "{tables}");
    assert!(!lake.join("image_views").exists());
    assert_eq!(
        line("image_views"),
        "image_views\t0\tmonth DATE, disclosing_facility_id INTEGER, viewing_facility_id INTEGER, views BIGINT, source_file_id INTEGER"
    );
    assert!(line("enrollments").starts_with("enrollments\t2\tmonth DATE, "), "{tables}");
    // Pseudonymized like the store: the raw IDs of the log are nowhere in it.
    let raw = count(format!(
        "SELECT count(*) FROM read_parquet('{}/access_events/*/*.parquet') WHERE patient_key::VARCHAR IN ('P001', 'P002') OR user_key::VARCHAR = 'U1'",
        lake.display()
    ));
    assert_eq!(raw, 0);
}

#[test]
fn the_lake_writes_only_what_an_ingest_brought_and_a_replace_swaps_one_files_parquet() {
    let w = Workdir::new();
    small_roster(&w);
    let log = |month: u32| {
        format!(
            "{LOG_HEADER}2025-{month:02}-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n2025-{month:02}-02 09:00,ID-Link,U2,十日町病院,P2,齋藤記念病院,検査,閲覧\r\n"
        )
    };
    w.write("inbox/a.csv", log(7).as_bytes());
    w.ok(&["ingest"]);
    let lake = w.join("lake/network=network");
    let id_of = |name: &str| w.count(&format!("SELECT source_file_id FROM ingested_files WHERE path LIKE '%{name}'"));
    let parquet = |month: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(lake.join("access_events").join(format!("month={month}")))
            .map(|d| d.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
            .unwrap_or_default();
        names.sort();
        names
    };
    let a = id_of("a.csv");
    assert_eq!(parquet("2025-07"), [format!("file-{a:06}.parquet")]);
    let july = lake.join(format!("access_events/month=2025-07/file-{a:06}.parquet"));
    let written = std::fs::metadata(&july).unwrap().modified().unwrap();

    // A second file adds its own month; the first file's Parquet is not rewritten.
    w.write("inbox/b.csv", log(8).as_bytes());
    w.ok(&["ingest"]);
    let b = id_of("b.csv");
    assert_eq!(parquet("2025-08"), [format!("file-{b:06}.parquet")]);
    assert_eq!(std::fs::metadata(&july).unwrap().modified().unwrap(), written);

    // --replace: the replaced file's Parquet goes, the new load's comes.
    w.ok(&["ingest", "--replace", "inbox/a.csv"]);
    let a2 = id_of("a.csv");
    assert_ne!(a2, a);
    assert_eq!(parquet("2025-07"), [format!("file-{a2:06}.parquet")]);
    let manifest = std::fs::read_to_string(lake.join("_files.txt")).unwrap();
    assert!(!manifest.lines().any(|l| l == a.to_string()) && manifest.lines().any(|l| l == a2.to_string()));

    // A lake of the older layout (no manifest) is rebuilt, not counted twice.
    std::fs::remove_file(lake.join("_files.txt")).unwrap();
    std::fs::write(lake.join("access_events/month=2025-07/part_0.parquet"), b"stale").unwrap();
    w.write("inbox/c.csv", log(9).as_bytes());
    w.ok(&["ingest"]);
    assert_eq!(parquet("2025-07"), [format!("file-{a2:06}.parquet")]);
    let db = duckdb::Connection::open_in_memory().unwrap();
    let in_lake: i64 = db
        .query_row(
            &format!("SELECT count(*) FROM read_parquet('{}/access_events/*/*.parquet')", lake.display()),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(in_lake, 6);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 6);
}

/// The lake's access events of the workdir (with its month folder) beside the store's,
/// attached read-only as `store`: (a connection, the lake's table expression).
fn lake_and_store(w: &Workdir) -> (duckdb::Connection, String) {
    let db = duckdb::Connection::open_in_memory().unwrap();
    db.execute_batch(&format!("ATTACH '{}' AS store (READ_ONLY)", w.join("var/renkei.duckdb").display())).unwrap();
    (
        db,
        format!(
            "read_parquet('{}/access_events/*/*.parquet', hive_partitioning = true)",
            w.join("lake/network=network").display()
        ),
    )
}

/// The rows of a query, as text.
fn texts(db: &duckdb::Connection, sql: &str) -> Vec<Vec<String>> {
    let mut stmt = db.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get::<_, String>(i)).collect()).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_logs_parquet_written_while_it_loads_holds_the_stores_rows_and_reads_like_duckdbs_own() {
    let w = Workdir::new();
    small_roster(&w);
    // Months interleaved and on their edges, one row without 開示施設 and データ種別.
    let rows = [
        "2025-06-30 23:59:59,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧",
        "2025-07-01 00:00:00,ID-Link,U2,十日町病院,P2,齋藤記念病院,検査,閲覧",
        "2025-06-15 10:00:00,Team,U1,ゆきぐにクリニック,P3,,,閲覧",
        "2025-08-01 09:00:00,ID-Link,U3,みなみ薬局,P1,十日町病院,処方,登録",
        "2025-07-31 23:59:59,ID-Link,U2,十日町病院,P4,齋藤記念病院,画像,閲覧",
    ];
    w.write("inbox/summer.csv", format!("{LOG_HEADER}{}\r\n", rows.join("\r\n")).as_bytes());
    w.ok(&["ingest"]);
    let (db, lake) = lake_and_store(&w);
    let by_month = texts(&db, &format!("SELECT month, count(*)::VARCHAR FROM {lake} GROUP BY month ORDER BY month"));
    assert_eq!(by_month, [["2025-06", "2"], ["2025-07", "2"], ["2025-08", "1"]]);
    // The same rows, value for value, both ways.
    let differ = |db: &duckdb::Connection| -> i64 {
        db.query_row(
            &format!(
                "SELECT (SELECT count(*) FROM (SELECT * REPLACE (user_key::VARCHAR AS user_key, patient_key::VARCHAR AS patient_key) FROM store.access_events EXCEPT ALL SELECT * EXCLUDE (month, network) FROM {lake}))
                      + (SELECT count(*) FROM (SELECT * EXCLUDE (month, network) FROM {lake} EXCEPT ALL SELECT * REPLACE (user_key::VARCHAR AS user_key, patient_key::VARCHAR AS patient_key) FROM store.access_events))"
            ),
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(differ(&db), 0);
    let nulls =
        format!("SELECT count(*)::VARCHAR FROM {lake} WHERE disclosing_facility_id IS NULL AND data_type IS NULL");
    assert_eq!(texts(&db, &nulls), [["1"]]);
    assert!(!w.join("lake/network=network/.incoming").exists(), "the incoming Parquet was moved into place");
    drop(db);

    // When the Parquet cannot be written while loading (here its folder is taken by a
    // file), the load goes on and the sync writes that log's Parquet from the store.
    w.write("lake/network=network/.incoming", b"not a folder");
    let september = "2025-09-01 09:00,ID-Link,U1,十日町病院,P9,齋藤記念病院,画像,閲覧\r\n";
    w.write("inbox/september.csv", format!("{LOG_HEADER}{september}").as_bytes());
    w.ok(&["ingest"]);
    let (db, lake) = lake_and_store(&w);
    assert_eq!(differ(&db), 0);
    assert_eq!(texts(&db, &format!("SELECT count(*)::VARCHAR FROM {lake} WHERE month = '2025-09'")), [["1"]]);
    assert!(!w.join("lake/network=network/.incoming").exists());
    // Both writers' files read alike: the same columns and types.
    let schema = |month: &str| {
        let folder = w.join(&format!("lake/network=network/access_events/month={month}"));
        let file = std::fs::read_dir(folder).unwrap().next().unwrap().unwrap().path();
        texts(&db, &format!("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{}')", file.display()))
    };
    assert_eq!(schema("2025-07"), schema("2025-09"));
    // Pseudonyms as the UUID text: Spark refuses Parquet's UUID logical type.
    assert_eq!(schema("2025-07")[4], ["patient_key", "VARCHAR"]);
}

#[test]
fn a_refused_log_leaves_no_parquet_behind_and_an_unrelated_files_leftovers_are_not_taken() {
    let w = Workdir::new();
    small_roster(&w);
    w.ok(&["ingest"]);
    // Refused at a binary line after its first batch (122,880 rows) was written to Parquet.
    let good = "2025-07-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n".repeat(130_000);
    w.write(
        "inbox/broken.csv",
        format!("{LOG_HEADER}{good}2025-07-02 09:00,ID-Link,U1,十日町病院,P\0\0,齋藤記念病院,画像,閲覧\r\n").as_bytes(),
    );
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("テキストではありません"), "{}", r.stderr);
    let leftovers = walk(&w.join("lake/network=network/.incoming"));
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_file(w.join("inbox/broken.csv")).unwrap();

    // What a load that was never committed left under the id the next file gets is not
    // that file's: a municipalities list loaded under the id does not bring it along.
    let next = w.count("SELECT max(source_file_id) + 1 FROM ingested_files");
    let stale = w.join(&format!("lake/network=network/.incoming/{next}"));
    std::fs::create_dir_all(stale.join("access_events/month=2025-01")).unwrap();
    std::fs::write(stale.join("access_events/month=2025-01/file-stale.parquet"), b"stale").unwrap();
    std::fs::write(stale.join("_done"), "0".repeat(64)).unwrap();
    w.write("inbox/市町.csv", "市町名,団体コード,人口\n南魚沼市,15226,\"53,000\"\n".as_bytes());
    w.ok(&["ingest"]);
    assert_eq!(w.count("SELECT max(source_file_id) FROM ingested_files"), next);
    assert!(!w.join("lake/network=network/access_events/month=2025-01").exists());
    assert!(!w.join("lake/network=network/.incoming").exists());

    // Refused only once every row was read and written to Parquet (the same period as a
    // log already loaded): with nothing loaded no sync runs, and still nothing stays.
    w.write("inbox/七月.csv", format!("{LOG_HEADER}{good}").as_bytes());
    w.ok(&["ingest"]);
    let again = "2025-07-01 09:00,ID-Link,U2,十日町病院,P2,齋藤記念病院,画像,閲覧\r\n".repeat(130_000);
    w.write("inbox/七月_別版.csv", format!("{LOG_HEADER}{again}").as_bytes());
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("同じ期間のデータです"), "{}", r.stderr);
    let leftovers = walk(&w.join("lake/network=network/.incoming"));
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 130_000);
}

/// Every file and folder under `dir` (none when it does not exist).
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flat_map(|e| {
            let p = e.unwrap().path();
            let mut found = walk(&p);
            found.push(p);
            found
        })
        .collect()
}

#[test]
fn a_corrected_file_for_the_same_period_is_refused_until_replace_swaps_it_in_one_go() {
    let w = Workdir::new();
    small_roster(&w);
    let row = |day: u32, system: &str, patient: &str| {
        format!("2025-07-{day:02} 09:00,{system},U1,十日町病院,{patient},齋藤記念病院,画像,閲覧\r\n")
    };
    let log = |rows: &[String]| format!("{LOG_HEADER}{}", rows.concat());
    w.write("inbox/july.csv", log(&[row(1, "ID-Link", "P1"), row(31, "ID-Link", "P2")]).as_bytes());
    // The other system's log of the same month is not the same data.
    w.write("inbox/july_team.csv", log(&[row(1, "Team", "P1")]).as_bytes());
    w.write("inbox/運営費.csv", "年度,業者,サービス,金額\r\nR6,アルム,ID-Link,5460000\r\n".as_bytes());
    w.ok(&["ingest"]);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 3);

    // A corrected July export (one more row) overlaps july.csv's range for ID-Link.
    std::fs::create_dir(w.join("fixed")).unwrap();
    w.write(
        "fixed/july_v2.csv",
        log(&[row(1, "ID-Link", "P1"), row(15, "ID-Link", "P3"), row(31, "ID-Link", "P2")]).as_bytes(),
    );
    w.write("fixed/運営費_訂正.csv", "年度,業者,サービス,金額\r\nR6,アルム,ID-Link,5500000\r\n".as_bytes());
    let r = w.run(&["ingest", "fixed"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("inbox/july.csv（ID-Link 2025-07-01 09:00〜2025-07-31 09:00）と同じ期間のデータです"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("inbox/運営費.csv（運営費）と同じ期間"), "{}", r.stderr);
    assert!(r.stderr.contains("renkei ingest --replace fixed/july_v2.csv"), "{}", r.stderr);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 3, "nothing of the refused files");
    assert_eq!(w.count("SELECT count(*) FROM ingested_files"), 4);

    let r = w.ok(&["ingest", "--replace", "fixed"]);
    assert!(r.stdout.contains("july_v2.csv  アクセスログ  3行"), "{}", r.stdout);
    assert_eq!(
        w.rows("SELECT system, count(*) FROM access_events GROUP BY ALL ORDER BY ALL"),
        [["ID-Link", "3"], ["Team", "1"]]
    );
    assert_eq!(w.count("SELECT sum(amount_yen) FROM invoices WHERE fiscal_year = 2024"), 5_500_000);
    assert_eq!(
        w.count("SELECT count(*) FROM ingested_files WHERE path LIKE '%/july.csv' OR path LIKE '%/運営費.csv'"),
        0
    );
    // An August log touches nothing of July.
    let aug = log(&["2025-08-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n".to_string()]);
    w.write("inbox/august.csv", aug.as_bytes());
    w.ok(&["ingest", "inbox/august.csv"]);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 5);
}

#[test]
fn a_kill_at_any_moment_leaves_each_file_wholly_loaded_or_not_at_all() {
    let w = Workdir::new();
    small_roster(&w);
    w.ok(&["ingest"]);
    const ROWS: i64 = 120_000;
    let mut text = String::from(LOG_HEADER);
    for i in 0..ROWS {
        text.push_str(&format!(
            "2025-07-{:02} {:02}:{:02}:00,ID-Link,U{},十日町病院,P{i},齋藤記念病院,検査,閲覧\r\n",
            1 + i % 28,
            (i / 60) % 24,
            i % 60,
            i % 7
        ));
    }
    w.write("big.csv", text.as_bytes());
    // Kill points drawn by a fixed-seed generator, so a failure can be replayed.
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut killed_midway = 0;
    for round in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Each kill lands once the ingest is writing (the store's WAL exists), after a
        // seeded extra delay: inside the load whatever the machine's speed.
        let delay = std::time::Duration::from_millis(seed % 400);
        // After the first complete load, --replace reloads it: still all or nothing.
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_renkei"))
            .args(["ingest", "--replace", "big.csv"])
            .current_dir(w.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let wal = w.join("var/renkei.duckdb.wal");
        while !wal.exists() && child.try_wait().unwrap().is_none() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        std::thread::sleep(delay);
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL: no destructor, no rollback code runs
        child.wait().unwrap();
        if !finished {
            killed_midway += 1;
        }
        let events = w.count("SELECT count(*) FROM access_events");
        let files = w.count("SELECT count(*) FROM ingested_files WHERE path = 'big.csv'");
        assert!(
            (events == 0 && files == 0) || (events == ROWS && files == 1),
            "round {round}, killed after {delay:?}: {events} events, {files} file rows"
        );
    }
    assert!(killed_midway >= 1, "no kill landed inside an ingest: the test proved nothing");
    let r = w.ok(&["ingest", "--replace", "big.csv"]);
    assert!(r.stdout.contains("120000行"), "{}", r.stdout);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), ROWS);
    // The lake holds the store's rows once, whatever the kills left in it.
    let (db, lake) = lake_and_store(&w);
    let in_lake = texts(&db, &format!("SELECT count(*)::VARCHAR, max(source_file_id)::VARCHAR FROM {lake}"));
    let id = w.count("SELECT max(source_file_id) FROM access_events");
    assert_eq!(in_lake, [[ROWS.to_string(), id.to_string()]]);
    assert!(!w.join("lake/network=network/.incoming").exists());
}

#[test]
fn gzip_utf16_tsv_json_lines_and_fhir_audit_events_load() {
    use std::io::Write;
    let w = Workdir::new();
    small_roster(&w);
    // Shift_JIS CSV, gzipped.
    let csv = format!("{LOG_HEADER}2025-07-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&csv);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&sjis).unwrap();
    w.write("inbox/a.csv.gz", &gz.finish().unwrap());
    // Excel's "Unicode text": UTF-16LE with BOM, tab-separated.
    let tsv = "日時\tシステム\t利用者ID\t利用施設\t患者ID\t開示施設\tデータ種別\t操作\r\n2025-07-02 09:00\tTeam\tU2\t十日町病院\tP2\t齋藤記念病院\t連絡帳\t登録\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    tsv.encode_utf16().for_each(|u| utf16.extend_from_slice(&u.to_le_bytes()));
    w.write("inbox/b.txt", &utf16);
    // Flat JSON Lines with English keys.
    w.write(
        "inbox/c.jsonl",
        r#"{"timestamp":"2025-07-03T00:00:00Z","system":"ID-Link","user_id":"U3","facility":"ゆきぐにクリニック","patient_id":"P3","action":"view"}
"#.as_bytes(),
    );
    // FHIR R4 AuditEvent NDJSON: one good event, one line that is not JSON.
    let event = r#"{"resourceType":"AuditEvent","subtype":[{"display":"画像"}],"action":"R","recorded":"2025-07-03T15:30:00Z","agent":[{"who":{"identifier":{"value":"U4"}},"requestor":true},{"who":{"reference":"Organization/3","display":"ゆきぐにｸﾘﾆｯｸ"}}],"source":{"site":"ID-Link","observer":{"display":"斎藤記念病院"}},"entity":[{"what":{"reference":"Patient/P4"}}]}"#;
    w.write("inbox/d.ndjson", format!("{event}\n{{broken\n").as_bytes());

    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("d.ndjson  アクセスログ  1行（保留 1行）"), "{}", r.stdout);
    assert_eq!(
        w.rows(
            "SELECT strftime(occurred_at, '%Y-%m-%d %H:%M'), system, f.name, coalesce(d.name, ''), coalesce(data_type, ''), action
             FROM access_events e JOIN facilities f ON f.facility_id = e.facility_id
             LEFT JOIN facilities d ON d.facility_id = e.disclosing_facility_id ORDER BY occurred_at"
        ),
        vec![
            vec!["2025-07-01 09:00", "ID-Link", "十日町病院", "齋藤記念病院", "画像", "閲覧"],
            vec!["2025-07-02 09:00", "Team", "十日町病院", "齋藤記念病院", "連絡帳", "登録"],
            vec!["2025-07-03 09:00", "ID-Link", "ゆきぐにクリニック", "", "", "閲覧"],
            vec!["2025-07-04 00:30", "ID-Link", "ゆきぐにクリニック", "齋藤記念病院", "画像", "閲覧"],
        ]
    );
    let q = w.rows("SELECT row_number, reason FROM quarantine");
    assert_eq!(q, vec![vec!["2", "JSON として読めません"]]);
}

#[test]
fn a_json_lines_log_of_many_blocks_keeps_every_line_in_order_with_its_number() {
    // 90,000 lines (about 11 MB, so the parsing threads take it in several blocks), with a
    // broken line, a garbled one, a blank one and an unknown facility deep in the file.
    let w = Workdir::new();
    small_roster(&w);
    let mut text = Vec::new();
    let (mut tokamachi, mut yukiguni) = (0, 0);
    let mut per_day = std::collections::BTreeMap::<u32, u32>::new();
    for line in 1..=90_000u32 {
        match line {
            41_234 => text.extend_from_slice(b"{\"timestamp\": broken\n"),
            57_001 => text.extend_from_slice(b"{\"timestamp\":\"2025-07-01 09:00\",\"facility\":\"\xff\xfe\"}\n"),
            66_666 => text.extend_from_slice(b"   \n"),
            88_888 => text.extend_from_slice(
                "{\"timestamp\":\"2025-07-01 09:00\",\"system\":\"ID-Link\",\"user_id\":\"U1\",\"facility\":\"どこか医院\",\"patient_id\":\"P1\",\"action\":\"閲覧\"}\n"
                    .as_bytes(),
            ),
            _ => {
                let facility = if line % 3 == 0 { "ゆきぐにクリニック" } else { "十日町病院" };
                *(if line % 3 == 0 { &mut yukiguni } else { &mut tokamachi }) += 1;
                let day = 1 + line % 28;
                *per_day.entry(day).or_default() += 1;
                text.extend_from_slice(
                    format!(
                        "{{\"timestamp\":\"2025-07-{day:02}T09:{:02}:00+09:00\",\"system\":\"ID-Link\",\"user_id\":\"U{}\",\"facility\":\"{facility}\",\"patient_id\":\"P{line}\",\"disclosing_facility\":\"齋藤記念病院\",\"data_type\":\"画像\",\"action\":\"閲覧\"}}\n",
                        line % 60,
                        line % 40
                    )
                    .as_bytes(),
                );
            }
        }
    }
    assert!(text.len() > 10 << 20);
    w.write("inbox/big.jsonl", &text);
    let r = w.ok(&["ingest"]);
    // 90,000 lines less the blank one and the three held.
    assert!(r.stdout.contains("big.jsonl  アクセスログ  89996行（保留 3行）"), "{}", r.stdout);
    assert_eq!(
        w.rows(
            "SELECT f.name, count(*) FROM access_events e JOIN facilities f USING (facility_id) GROUP BY ALL ORDER BY 1"
        ),
        vec![
            vec!["ゆきぐにクリニック".to_string(), yukiguni.to_string()],
            vec!["十日町病院".to_string(), tokamachi.to_string()]
        ]
    );
    assert_eq!(tokamachi + yukiguni, 89_996);
    let q = w.rows("SELECT row_number, reason FROM quarantine ORDER BY row_number");
    assert_eq!(q.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["41234", "57001", "88888"], "{q:?}");
    assert_eq!(q[0][1], "JSON として読めません");
    assert!(q[1][1].contains("文字化け"), "{q:?}");
    assert!(q[2][1].contains("どこか医院"), "{q:?}");
    // Each line keeps its own time (offsets applied): the rows of each day, counted here.
    let by_day: Vec<Vec<String>> =
        per_day.iter().map(|(d, n)| vec![format!("2025-07-{d:02}"), n.to_string()]).collect();
    assert_eq!(
        w.rows("SELECT strftime(occurred_at, '%Y-%m-%d'), count(*) FROM access_events GROUP BY 1 ORDER BY 1"),
        by_day
    );
}

#[test]
fn a_source_map_in_the_config_reads_a_vendor_layout_without_code_changes() {
    let w = Workdir::new();
    small_roster(&w);
    std::fs::write(
        w.join("renkei.toml"),
        "[sources.vendor_x]\nkind = \"access_log\"\ndate_format = \"%Y%m%d%H%M%S\"\n\
         columns = { occurred_at = \"AccessTime\", system = \"Sys\", user_id = \"UserNo\", facility = \"Org\", \
         patient_id = \"PtNo\", disclosing_facility = \"Src\", data_type = \"Kind\", action = \"Op\" }\n",
    )
    .unwrap();
    w.write(
        "inbox/vendor.csv",
        "AccessTime,Sys,UserNo,Org,PtNo,Src,Kind,Op\n20250701091500,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\n"
            .as_bytes(),
    );
    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("vendor.csv  アクセスログ  1行（保留 0行）"), "{}", r.stdout);
    assert_eq!(
        w.rows("SELECT strftime(occurred_at, '%Y-%m-%d %H:%M:%S') FROM access_events"),
        vec![vec!["2025-07-01 09:15:00"]]
    );

    std::fs::write(
        w.join("renkei.toml"),
        "[sources.vendor_x]\nkind = \"access_log\"\ncolumns = { when = \"AccessTime\" }\n",
    )
    .unwrap();
    let bad = w.run(&["ingest"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("設定 [sources.vendor_x] を読めません\n  場所: ./renkei.toml 3行"), "{}", bad.stderr);
}

#[test]
fn a_single_50_mb_line_is_held_with_its_length_and_the_rest_loads() {
    let w = Workdir::new();
    small_roster(&w);
    let huge = "x".repeat(50 * 1024 * 1024);
    let text = format!(
        "{LOG_HEADER}2025-07-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,{huge},閲覧\r\n2025-07-01 09:01,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n"
    );
    w.write("inbox/long.csv", text.as_bytes());
    drop(text);
    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("long.csv  アクセスログ  1行（保留 1行）"), "{}", r.stdout);
    assert_eq!(
        w.rows("SELECT row_number, column_name, coalesce(value, ''), reason FROM quarantine"),
        vec![vec!["2", "G列「データ種別」", "", "値が長すぎます（52428800 文字、上限 32767 文字）"]]
    );
}

#[test]
fn a_log_before_any_roster_says_to_load_the_roster_first() {
    let w = Workdir::new();
    w.write(
        "inbox/log.csv",
        format!("{LOG_HEADER}2025-07-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n").as_bytes(),
    );
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("参加施設名簿がまだ取り込まれていない"), "{}", r.stderr);
}

#[test]
fn a_file_from_which_no_row_loads_is_refused_with_its_commonest_reasons() {
    // Issue 16: every row held (each with its reason) is a refused file, not a load of 0 rows.
    let w = Workdir::new();
    small_roster(&w);
    w.ok(&["ingest"]);
    w.write_sjis(
        "new/log.csv",
        &format!(
            "{LOG_HEADER}2025-07-01 09:00:00,ID-Link,U1,ゆきまちクリニック,P001,齋藤記念病院,画像,閲覧\r\n\
             2025-07-02 09:00:00,ID-Link,U1,ゆきまちクリニック,P002,齋藤記念病院,画像,閲覧\r\n"
        ),
    );
    let r = w.run(&["ingest", "new/log.csv"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    for text in [
        "new/log.csv から取り込める行が1行もありません（データベースは変更していません）",
        "2 行すべてを保留にします。多い理由から 2行: 施設「ゆきまちクリニック」が名簿にも別名にもありません",
        "対処: renkei alias add 'ゆきまちクリニック' '名簿上の施設名'",
    ] {
        assert!(r.stderr.contains(text), "{text} in\n{}", r.stderr);
    }
    assert_eq!(w.count("SELECT count(*) FROM quarantine"), 0, "nothing of a refused file is kept");
    assert_eq!(w.count("SELECT count(*) FROM ingested_files"), 1, "the roster only");
    // A spreadsheet kind alike: running costs whose every amount is unreadable.
    w.write_sjis("new/運営費.csv", "年度,業者,サービス,金額\r\nR7,アルム,ID-Link,たくさん\r\nR7,アルム,Team,不明\r\n");
    let r = w.run(&["ingest", "new/運営費.csv"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("new/運営費.csv から取り込める行が1行もありません"), "{}", r.stderr);
    assert_eq!(w.count("SELECT count(*) FROM invoices"), 0);
}

#[test]
fn the_summary_names_the_commonest_reasons_rows_were_held_and_what_to_do() {
    let w = Workdir::new();
    small_roster(&w);
    w.ok(&["ingest"]);
    w.write_sjis(
        "new/log.csv",
        &format!(
            "{LOG_HEADER}2025-07-01 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧\r\n\
             2025-07-01 10:00:00,ID-Link,U1,ゆきまちクリニック,P001,齋藤記念病院,画像,閲覧\r\n\
             2025-07-01 11:00:00,ID-Link,U1,ゆきまちクリニック,P002,齋藤記念病院,画像,閲覧\r\n\
             2025-07-01 12:00:00,ID-Link,U1,ゆきまちクリニック,P003,齋藤記念病院,画像,閲覧\r\n\
             きのう,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧\r\n"
        ),
    );
    let r = w.ok(&["ingest", "new/log.csv"]);
    assert!(r.stdout.contains("1行（保留 4行）"), "{}", r.stdout);
    let facility = "保留: new/log.csv  3行: 施設「ゆきまちクリニック」が名簿にも別名にもありません\n  対処: renkei alias add 'ゆきまちクリニック' '名簿上の施設名'";
    assert!(r.stderr.contains(facility), "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("保留:")).collect();
    assert_eq!(lines.len(), 2, "the facility first (3 rows), then the date (1): {lines:?}");
    assert!(lines[1].contains("1行: "), "{lines:?}");
}

#[test]
fn totals_in_cost_and_budget_sheets_are_left_out_and_checked_against_their_rows() {
    let w = Workdir::new();
    // Running costs: a 小計 that agrees (5,800,000 + 7,200,000), a 合計 that does not
    // (13,000,000 + 1,000,000 = 14,000,000, not 14,500,000), and a 令和7年度計 whose label
    // is not in the first column.
    w.write_sjis(
        "inbox/運営費.csv",
        "年度,業者,サービス,金額\r\n\
         R7,アルム,ID-Link,\"5,800,000\"\r\n\
         R7,アルム,Team,\"7,200,000\"\r\n\
         小計,,,\"13,000,000\"\r\n\
         R7,アルム,その他保守,\"1,000,000\"\r\n\
         合計,,,\"14,500,000\"\r\n\
         R7,,令和7年度計,\"14,000,000\"\r\n",
    );
    // A budget workbook with a title row and section totals in the 科目 column: 収入合計
    // agrees (22,200,000 + 3,500,000), 支出合計 does not (14,000,000 + 9,500,000 = 23,500,000).
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "令和7年度 予算書").unwrap();
    let rows: [(&str, &str, &str, f64); 6] = [
        ("収入", "参加会費", "", 22_200_000.0),
        ("収入", "自治体負担金", "南魚沼市", 3_500_000.0),
        ("", "収入合計", "", 25_700_000.0),
        ("支出", "システム委託費", "", 14_000_000.0),
        ("支出", "人件費", "", 9_500_000.0),
        ("", "支出合計", "", 23_000_000.0),
    ];
    for (c, h) in ["区分", "科目", "市町", "金額（円）"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (i, (dir, item, town, amount)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_string(r, 0, *dir).unwrap();
        ws.write_string(r, 1, *item).unwrap();
        ws.write_string(r, 2, *town).unwrap();
        ws.write_number(r, 3, *amount).unwrap();
    }
    wb.save(w.join("inbox/予算書_R7.xlsx")).unwrap();
    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("運営費  3行（保留 0行）  合計・注記の3行は除外"), "{}", r.stdout);
    assert!(r.stdout.contains("予算・決算  4行（保留 0行）  合計・注記の2行は除外"), "{}", r.stdout);
    let notes: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("注意:")).collect();
    assert_eq!(
        notes,
        [
            "注意: ./inbox/予算書_R7.xlsx 9行目「支出合計」の D列「金額（円）」 は 23,000,000円 ですが、上の行の合計は 23,500,000円 です",
            "注意: ./inbox/運営費.csv 6行目「合計」の D列「金額」 は 14,500,000円 ですが、上の行の合計は 14,000,000円 です",
        ],
        "{}",
        r.stderr
    );
    // Nothing counted twice: the totals are not lines.
    assert_eq!(w.count("SELECT sum(amount_yen) FROM invoices"), 14_000_000);
    assert_eq!(w.count("SELECT sum(amount_yen) FROM budget"), 49_200_000);
}

#[test]
fn each_network_writes_its_own_lake_folder_with_pseudonyms_as_text_and_its_own_key() {
    // Two councils, the same log (the same raw patient and user IDs), one lake root.
    let root = tempfile::tempdir().unwrap();
    let councils: Vec<Workdir> = ["uonuma", "sado"]
        .iter()
        .map(|slug| {
            let w = Workdir::new();
            small_roster(&w);
            std::fs::write(
                w.join("renkei.toml"),
                format!("[network]\nslug = \"{slug}\"\n\n[paths]\nlake = \"{}\"\n", root.path().display()),
            )
            .unwrap();
            w.write(
                "inbox/log.csv",
                format!("{LOG_HEADER}2025-07-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n").as_bytes(),
            );
            w.ok(&["ingest"]);
            w
        })
        .collect();
    let db = duckdb::Connection::open_in_memory().unwrap();
    let keys: Vec<(String, String, String)> = {
        let mut stmt = db
            .prepare(&format!(
                "SELECT network, patient_key, typeof(patient_key) FROM read_parquet('{}/*/access_events/*/*.parquet', hive_partitioning = true) ORDER BY network",
                root.path().display()
            ))
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(keys.iter().map(|k| k.0.as_str()).collect::<Vec<_>>(), ["sado", "uonuma"]);
    assert!(keys.iter().all(|k| k.2 == "VARCHAR" && k.1.len() == 36), "{keys:?}");
    // Each network's key: the same patient has unrelated pseudonyms, so none can be linked.
    assert_ne!(keys[0].1, keys[1].1);
    // The text is the store's UUID as DuckDB prints it.
    let in_store = councils[0].rows("SELECT CAST(patient_key AS VARCHAR) FROM access_events");
    assert_eq!(in_store, [[keys[1].1.clone()]]);
}

#[test]
fn a_lake_of_the_single_network_layout_moves_under_its_network_folder() {
    let w = Workdir::new();
    small_roster(&w);
    let row = |m: u32| format!("{LOG_HEADER}2025-{m:02}-01 09:00,ID-Link,U1,十日町病院,P1,齋藤記念病院,画像,閲覧\r\n");
    w.write("inbox/a.csv", row(7).as_bytes());
    w.ok(&["ingest"]);
    // Put the lake back as the earlier layout had it: tables straight under lake/.
    let network = w.join("lake/network=network");
    for entry in std::fs::read_dir(&network).unwrap() {
        let from = entry.unwrap().path();
        std::fs::rename(&from, w.join("lake").join(from.file_name().unwrap())).unwrap();
    }
    std::fs::remove_dir(&network).unwrap();
    w.write("inbox/b.csv", row(8).as_bytes());
    w.ok(&["ingest"]);
    let top: Vec<String> =
        std::fs::read_dir(w.join("lake")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(top, ["network=network"]);
    let db = duckdb::Connection::open_in_memory().unwrap();
    let n: i64 = db
        .query_row(
            &format!("SELECT count(*) FROM read_parquet('{}/access_events/*/*.parquet')", network.display()),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2, "July once, August once");
}
