//! Files a council should never see renkei crash on (issue 4): broken and hostile
//! spreadsheets refused whole with the store unchanged, and hostile or impossible values in
//! good files kept as data: impossible era dates quarantined with the reason, markup and
//! formula-like names stored as typed and made harmless wherever they are shown.

use std::io::{Cursor, Write};

use calamine::{Data, Reader, Xlsx};

use crate::support::{Fee, LOG_HEADER, Member, Workdir, small_roster, write_roster};

/// Row counts of every table an ingest writes, to show a refused file changed nothing.
fn store_counts(w: &Workdir) -> Vec<Vec<String>> {
    w.rows(
        "SELECT (SELECT count(*) FROM facilities), (SELECT count(*) FROM membership_fees),
                (SELECT count(*) FROM access_events), (SELECT count(*) FROM quarantine),
                (SELECT string_agg(path, ',' ORDER BY path) FROM ingested_files)",
    )
}

/// An xlsx-named zip whose one sheet unpacks from a few hundred KB to 256 MB of spaces;
/// `lie` rewrites the declared sizes (local headers and central directory) to 1,000 bytes,
/// as a hostile file would, so only unpacking can tell.
fn zip_bomb(lie: bool) -> Vec<u8> {
    let mut buf = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(Cursor::new(&mut buf));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", opts).unwrap();
        zip.write_all(
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
        )
        .unwrap();
        zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..256 {
            zip.write_all(&spaces).unwrap();
        }
        zip.finish().unwrap();
    }
    if lie {
        for i in 0..buf.len() - 30 {
            let at = match &buf[i..i + 4] {
                b"PK\x03\x04" => i + 22,
                b"PK\x01\x02" => i + 24,
                _ => continue,
            };
            buf[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
        }
    }
    buf
}

#[test]
fn broken_and_hostile_files_are_refused_whole_and_the_store_is_unchanged() {
    let w = Workdir::new();
    small_roster(&w);
    w.ok(&["ingest"]);
    let before = store_counts(&w);

    // A real roster for the next 年度, cut off halfway as an interrupted copy leaves it.
    let whole = w.join("名簿_R8.xlsx");
    write_roster(
        &whole,
        "令和8年度 テスト連携ネット 参加施設名簿",
        &[Member("十日町病院", "病院", "十日町市", "2012/10/1", false, Fee::Number(1_200_000.0))],
    );
    let bytes = std::fs::read(&whole).unwrap();
    w.write("inbox/名簿_R8_途中まで.xlsx", &bytes[..bytes.len() / 2]);
    // Bytes that are not a spreadsheet at all, under a spreadsheet's name.
    let noise: Vec<u8> = (0u32..4096).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    w.write("inbox/名簿_壊れ.xlsx", &noise);
    w.write("inbox/ログ_壊れ.csv", &noise);
    w.write("inbox/空.csv", b"");
    w.write("inbox/bomb.xlsx", &zip_bomb(false));
    w.write("inbox/bomb_lying.xlsx", &zip_bomb(true));

    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 1, "refused files are the user's to fix, never an abort\n{}{}", r.stdout, r.stderr);
    for name in ["名簿_R8_途中まで.xlsx", "名簿_壊れ.xlsx", "ログ_壊れ.csv", "空.csv", "bomb.xlsx", "bomb_lying.xlsx"]
    {
        assert!(
            r.stderr.contains(&format!("{name} を取り込めませんでした（データベースは変更していません）")),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stdout.lines().any(|l| l.starts_with("拒否") && l.contains(name)), "{name}: {}", r.stdout);
    }
    assert!(r.stderr.contains("壊れているか途中で切れています"), "{}", r.stderr);
    assert!(r.stderr.contains("zip 爆弾の疑いがあります: xl/worksheets/sheet1.xml は"), "{}", r.stderr);
    // The lying one is caught unpacking, whether the zip reader or the size check sees it first.
    let lying = r.stderr.split("エラー: ").find(|m| m.contains("bomb_lying.xlsx")).unwrap();
    assert!(lying.contains("zip 爆弾の疑い"), "{lying}");
    assert!(r.stderr.contains("テキストではありません"), "{}", r.stderr);
    assert!(r.stderr.contains("ファイルが空です"), "{}", r.stderr);
    // Every refusal says what to do.
    let refusals = r.stderr.matches("を取り込めませんでした").count();
    assert_eq!(r.stderr.matches("\n  対処: ").count(), refusals, "{}", r.stderr);
    assert_eq!(store_counts(&w), before);
}

#[test]
fn impossible_era_dates_markup_and_formula_names_are_kept_as_data_and_shown_harmlessly() {
    let w = Workdir::new();
    let markup = "<script>alert('x')</script>病院";
    let formula = "=cmd|' /C calc'!A0 診療所";
    std::fs::create_dir_all(w.join("inbox")).unwrap();
    write_roster(
        &w.join("inbox/名簿_R7.xlsx"),
        "令和7年度 テスト連携ネット 参加施設名簿",
        &[
            Member("十日町病院", "病院", "十日町市", "2012/10/1", false, Fee::Number(1_200_000.0)),
            Member("<script>alert('x')</script>病院", "病院", "南魚沼市", "2012/10/1", true, Fee::Number(1_000_000.0)),
            Member("=cmd|' /C calc'!A0 診療所", "診療所", "魚沼市", "2020/4/1", false, Fee::Number(10_000.0)),
            Member("令和医院", "診療所", "魚沼市", "令和元年4月1日", false, Fee::Number(10_000.0)),
            Member("平成クリニック", "診療所", "湯沢町", "平成31年5月1日", false, Fee::Number(10_000.0)),
        ],
    );
    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("名簿  3行（保留 2行）"), "{}", r.stdout);
    // Rows as Excel shows them: the title in row 1, the header in row 3, members from row 4.
    assert_eq!(
        w.rows("SELECT row_number, column_name, value, reason FROM quarantine ORDER BY row_number"),
        vec![
            vec![
                "7",
                "E列「加入日」",
                "令和元年4月1日",
                "令和元年4月1日 は存在しません（令和は 2019年5月1日 から 現在 まで）"
            ],
            vec![
                "8",
                "E列「加入日」",
                "平成31年5月1日",
                "平成31年5月1日 は存在しません（平成は 1989年1月8日 から 2019年4月30日 まで）"
            ],
        ]
    );
    assert_eq!(
        w.rows("SELECT name FROM facilities ORDER BY facility_id"),
        vec![vec!["十日町病院"], vec![markup], vec![formula]],
        "names are stored exactly as typed"
    );

    let log = format!(
        "{LOG_HEADER}\
         2025-07-01 09:00,ID-Link,U1,{formula},P1,{markup},画像,閲覧\r\n\
         2025-07-02 09:00,ID-Link,U2,十日町病院,P2,{markup},画像,閲覧\r\n"
    );
    w.write("inbox/log.csv", log.as_bytes());
    w.ok(&["ingest"]);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 2);

    // The report's HTML shows the markup as text, escaped; the raw tag never appears.
    w.ok(&["report", "board", "--month", "2025-07", "--out", "preview"]);
    let html = std::fs::read_to_string(w.join("preview/board-2025-07.html")).unwrap();
    assert!(!html.contains("<script"), "raw markup in the HTML");
    assert!(html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;病院"), "the escaped name is shown");

    // The report's workbook holds the formula-like name as a string cell, never a formula.
    let mut xlsx: Xlsx<_> = calamine::open_workbook(w.join("preview/board-2025-07.xlsx")).unwrap();
    let mut found = 0;
    for sheet in xlsx.sheet_names() {
        assert!(xlsx.worksheet_formula(&sheet).unwrap().used_cells().all(|(_, _, f)| f.is_empty()), "{sheet}");
        let range = xlsx.worksheet_range(&sheet).unwrap();
        found += range.used_cells().filter(|(_, _, c)| **c == Data::String(formula.into())).count();
    }
    assert!(found > 0, "the name is in the workbook");

    // A CSV export for Excel neutralizes it; the terminal shows it as typed.
    w.ok(&["sql", "-e", "SELECT name FROM facilities ORDER BY facility_id", "--out", "names.csv"]);
    let csv = std::fs::read_to_string(w.join("names.csv")).unwrap();
    assert!(csv.contains("\r\n'=cmd|' /C calc'!A0 診療所\r\n"), "{csv}");
    let shown = w.ok(&["sql", "-e", "SELECT name FROM facilities ORDER BY facility_id"]);
    assert!(shown.stdout.contains(formula) && shown.stdout.contains(markup), "{}", shown.stdout);
}
