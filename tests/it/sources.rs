//! The other council files: image-view counts (wide xlsx with 和暦 months and 年度計 rows,
//! and long CSV), municipalities, budget and settlement, renewal quotes and registered
//! patients, each checked against values written by hand.

use rust_xlsxwriter::Workbook;

use crate::support::{Workdir, small_roster};

/// A folder whose roster is already loaded, so the files below can name its facilities.
fn with_roster() -> Workdir {
    let w = Workdir::new();
    small_roster(&w);
    w.ok(&["ingest"]);
    w
}

#[test]
fn wide_image_views_with_era_months_and_a_wrong_subtotal() {
    let w = with_roster();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "画像を閲覧された回数").unwrap();
    for (c, h) in ["月", "齋藤記念病院", "十日町病院"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let rows: &[(&str, f64, f64)] = &[("令和7年4月", 10.0, 1.0), ("令和7年5月", 20.0, 2.0), ("R7.6", 30.0, 3.0)];
    for (i, (m, a, b)) in rows.iter().enumerate() {
        ws.write_string(3 + i as u32, 0, *m).unwrap();
        ws.write_number(3 + i as u32, 1, *a).unwrap();
        ws.write_number(3 + i as u32, 2, *b).unwrap();
    }
    // 年度計: 60 is right for 齋藤記念病院; 7 is wrong for 十日町病院 (1 + 2 + 3 = 6).
    ws.write_string(6, 0, "年度計").unwrap();
    ws.write_number(6, 1, 60.0).unwrap();
    ws.write_number(6, 2, 7.0).unwrap();
    ws.write_string(7, 0, "平成31年5月").unwrap();
    ws.write_number(7, 1, 5.0).unwrap();
    ws.write_string(8, 0, "※ 事務局集計").unwrap();
    wb.save(w.join("inbox/画像閲覧回数.xlsx")).unwrap();

    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("画像閲覧回数  6行（保留 1行）"), "{}", r.stdout);
    assert!(
        r.stderr.contains("注意:")
            && r.stderr.contains("7行目「年度計」の C列「十日町病院」は 7 ですが、上の月の合計は 6 です"),
        "{}",
        r.stderr
    );
    assert_eq!(w.count("SELECT sum(views) FROM image_views"), 66);
    assert_eq!(
        w.rows("SELECT strftime(month, '%Y-%m'), sum(views) FROM image_views GROUP BY 1 ORDER BY 1"),
        vec![vec!["2025-04", "11"], vec!["2025-05", "22"], vec!["2025-06", "33"]]
    );
    let q = w.rows("SELECT row_number, column_name, value, reason FROM quarantine");
    assert_eq!(q[0][..3], ["8", "A列「月」", "平成31年5月"]);
    assert!(q[0][3].contains("平成31年5月 は存在しません"), "{:?}", q);
}

#[test]
fn long_image_views_with_viewing_facilities() {
    let w = with_roster();
    w.write(
        "inbox/image_views.csv",
        "月,開示施設,閲覧施設,閲覧回数\n2025-07,齋藤記念病院,ゆきぐにクリニック,12\n2025年7月,斎藤記念病院,十日町病院,\"1,005\"\n2025-08,十日町病院,,3\n".as_bytes(),
    );
    w.ok(&["ingest"]);
    assert_eq!(
        w.rows(
            "SELECT strftime(v.month, '%Y-%m'), d.name, coalesce(f.name, ''), v.views FROM image_views v
             JOIN facilities d ON d.facility_id = v.disclosing_facility_id
             LEFT JOIN facilities f ON f.facility_id = v.viewing_facility_id ORDER BY 1, 4"
        ),
        vec![
            vec!["2025-07", "齋藤記念病院", "ゆきぐにクリニック", "12"],
            vec!["2025-07", "齋藤記念病院", "十日町病院", "1005"],
            vec!["2025-08", "十日町病院", "", "3"],
        ]
    );
}

#[test]
fn municipalities_budget_quotes_and_enrollments_load() {
    let w = with_roster();
    w.write(
        "inbox/市町.csv",
        "市町名,団体コード,人口\n南魚沼市,15226,\"53,000\"\n湯沢町,15461,7600\n合計,,60600\n".as_bytes(),
    );
    // Budget in Shift_JIS with a (千円) column: 22,200 千円 = 22,200,000 円.
    w.write_sjis(
        "inbox/予算書_R7.csv",
        "令和7年度 予算書\r\n区分,科目,市町,金額（千円）\r\n収入,参加会費,,\"22,200\"\r\n収入,自治体負担金,湯沢町,300\r\n支出,システム委託費,,\"14,000\"\r\n支出,計,,\"14,000\"\r\n支出,人件費,,△0\r\n",
    );
    w.write(
        "inbox/見積.csv",
        "年度,業者,施設名,品目,グレード,見積額\nR8,アルム,齋藤記念病院,サーバー更新,画像公開,約550万円\nR8,アルム,齋藤記念病院,サーバー更新,標準,\"2,000,000\"\nR8,アルム,存在しない病院,サーバー更新,標準,1\n".as_bytes(),
    );
    w.write("inbox/登録患者数.csv", "月,市町,登録患者数\n令和7年7月,南魚沼市,3180\n2025-07,湯沢町,456\n".as_bytes());
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("市町  2行"), "{}", r.stdout);
    assert!(r.stdout.contains("予算・決算  4行"), "{}", r.stdout);
    assert!(r.stdout.contains("更新見積  2行（保留 1行）"), "{}", r.stdout);
    assert!(r.stdout.contains("登録患者数  2行"), "{}", r.stdout);
    assert_eq!(
        w.rows("SELECT name, code, population FROM municipalities ORDER BY population DESC"),
        vec![vec!["南魚沼市", "15226", "53000"], vec!["湯沢町", "15461", "7600"]]
    );
    assert_eq!(
        w.rows("SELECT fiscal_year, direction, item, coalesce(municipality, ''), amount_yen, stage FROM budget ORDER BY direction DESC, amount_yen DESC"),
        vec![
            vec!["2025", "income", "参加会費", "", "22200000", "budget"],
            vec!["2025", "income", "自治体負担金", "湯沢町", "300000", "budget"],
            vec!["2025", "expense", "システム委託費", "", "14000000", "budget"],
            vec!["2025", "expense", "人件費", "", "0", "budget"],
        ]
    );
    assert_eq!(
        w.rows("SELECT fiscal_year, grade, amount_yen, approximate FROM quotes ORDER BY amount_yen DESC"),
        vec![vec!["2026", "画像公開", "5500000", "true"], vec!["2026", "標準", "2000000", "false"]]
    );
    assert_eq!(w.count("SELECT sum(registered_patients) FROM enrollments WHERE month = DATE '2025-07-01'"), 3180 + 456);
}

/// An OpenDocument spreadsheet as LibreOffice saves one: `mimetype` stored first, the
/// manifest, and `content.xml` with one table (rows of text or float cells).
fn write_ods(path: &std::path::Path, rows: &[&[&str]]) {
    use std::io::Write;
    let cell = |v: &str| match v.parse::<f64>() {
        Ok(n) => format!(
            r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{v}</text:p></table:table-cell>"#
        ),
        Err(_) if v.is_empty() => "<table:table-cell/>".to_string(),
        Err(_) => format!(r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#),
    };
    let body: String = rows
        .iter()
        .map(|r| format!("<table:table-row>{}</table:table-row>", r.iter().map(|v| cell(v)).collect::<String>()))
        .collect();
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:spreadsheet><table:table table:name="名簿">{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

#[test]
fn an_ods_roster_from_libreoffice_loads_like_the_xlsx_one() {
    let w = Workdir::new();
    std::fs::create_dir_all(w.join("inbox")).unwrap();
    write_ods(
        &w.join("inbox/参加施設名簿_R7.ods"),
        &[
            &["令和7年度 参加施設名簿"],
            &[],
            &["施設名", "種別", "市町", "加入日", "画像公開", "年会費（円）"],
            &["齋藤記念病院", "病院", "南魚沼市", "2012/10/1", "○", "1400000"],
            &["ゆきぐにｸﾘﾆｯｸ", "診療所", "魚沼市", "令和元年5月1日", "", "90,000円"],
            &["合計", "", "", "", "", "1490000"],
        ],
    );
    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("参加施設名簿_R7.ods  名簿  2行（保留 0行）"), "{}", r.stdout);
    assert_eq!(
        w.rows(
            "SELECT f.name, f.kind, f.municipality, strftime(f.joined_on, '%Y-%m-%d'), f.publishes_images, m.fiscal_year, m.fee_yen
             FROM facilities f JOIN membership_fees m USING (facility_id) ORDER BY m.fee_yen DESC"
        ),
        [
            ["齋藤記念病院", "病院", "南魚沼市", "2012-10-01", "true", "2025", "1400000"],
            ["ゆきぐにｸﾘﾆｯｸ", "診療所", "魚沼市", "2019-05-01", "false", "2025", "90000"],
        ]
    );
}

#[test]
fn an_xls_roster_from_excel_97_2003_loads_with_its_dates_and_thousand_yen_fees() {
    // tests/fixtures/参加施設名簿_R6.xls is a BIFF8 workbook made by make_xls.py beside it
    // (xlwt): merged title, header, real date cells, fees in 千円, a 合計 formula row.
    let w = Workdir::new();
    std::fs::create_dir_all(w.join("inbox")).unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/参加施設名簿_R6.xls");
    std::fs::copy(fixture, w.join("inbox/参加施設名簿_R6.xls")).unwrap();
    let r = w.ok(&["ingest"]);
    assert!(r.stdout.contains("参加施設名簿_R6.xls  名簿  2行（保留 0行）"), "{}", r.stdout);
    assert_eq!(
        w.rows(
            "SELECT f.name, f.municipality, strftime(f.joined_on, '%Y-%m-%d'), m.fiscal_year, m.fee_yen
             FROM facilities f JOIN membership_fees m USING (facility_id) ORDER BY m.fee_yen DESC"
        ),
        [
            ["十日町病院", "十日町市", "2012-10-01", "2024", "1200000"],
            ["みなみ薬局", "湯沢町", "2024-04-01", "2024", "36000"]
        ]
    );
}
