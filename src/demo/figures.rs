//! The demo's council paperwork beyond logs and rosters: image-view counts as a wide xlsx
//! (和暦 months, a 年度計 row per fiscal year), the municipalities with populations, the
//! budget and settlement (Shift_JIS), the R8 renewal quotes, and monthly registered
//! patients. Figures follow the seed (`shared/seed/SUMMARY.md`) where it has them: R7
//! budget income 22,200,000 + 6,000,000 and expense 14,000,000 + 9,500,000 + 5,200,000;
//! R8 quotes about 55.4M (hospitals) + 9.1M (labs) = 64.5M, 39.0M with images at
//! 魚沼基幹病院 only. Populations, codes and the split of municipal support are invented.

use std::path::Path;

use rand::Rng;
use rand::rngs::StdRng;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use super::facilities::{DemoFacility, MUNICIPALITIES};
use crate::domain::{FiscalYear, Month};

/// Demo codes for the five municipalities (prefecture 15 + city code).
const CODES: &[(&str, &str)] =
    &[("南魚沼市", "15226"), ("十日町市", "15210"), ("魚沼市", "15225"), ("津南町", "15482"), ("湯沢町", "15461")];

/// Writes the municipality list (UTF-8 CSV).
pub fn write_municipalities(path: &Path) -> anyhow::Result<()> {
    let mut text = String::from("市町名,団体コード,人口\n");
    for (name, pop) in MUNICIPALITIES {
        let code = CODES.iter().find(|(n, _)| n == name).map_or("", |(_, c)| c);
        text.push_str(&format!("{name},{code},\"{}\"\n", crate::domain::yen::group_thousands(*pop as i64)));
    }
    std::fs::write(path, text)?;
    Ok(())
}

/// Writes the budget (R7) and settlement (R6) as one Shift_JIS CSV.
pub fn write_budget(path: &Path) -> anyhow::Result<()> {
    let lines: &[(&str, &str, &str, &str, &str, &str)] = &[
        ("R6", "決算", "収入", "参加会費", "", "15,070,000"),
        ("R6", "決算", "収入", "自治体負担金", "南魚沼市", "500,000"),
        ("R6", "決算", "収入", "自治体負担金", "十日町市", "430,000"),
        ("R6", "決算", "収入", "自治体負担金", "魚沼市", "300,000"),
        ("R6", "決算", "収入", "自治体負担金", "津南町", "100,000"),
        ("R6", "決算", "収入", "自治体負担金", "湯沢町", "100,000"),
        ("R6", "決算", "支出", "システム委託費", "", "13,300,000"),
        ("R6", "決算", "支出", "人件費", "", "2,100,000"),
        ("R6", "決算", "支出", "その他経費", "", "1,100,000"),
        ("R7", "予算", "収入", "参加会費", "", "22,200,000"),
        ("R7", "予算", "収入", "自治体負担金", "南魚沼市", "2,100,000"),
        ("R7", "予算", "収入", "自治体負担金", "十日町市", "1,900,000"),
        ("R7", "予算", "収入", "自治体負担金", "魚沼市", "1,300,000"),
        ("R7", "予算", "収入", "自治体負担金", "津南町", "400,000"),
        ("R7", "予算", "収入", "自治体負担金", "湯沢町", "300,000"),
        ("R7", "予算", "支出", "システム委託費", "", "14,000,000"),
        ("R7", "予算", "支出", "人件費", "", "9,500,000"),
        ("R7", "予算", "支出", "その他経費", "", "5,200,000"),
    ];
    let mut text = String::from("年度,予算決算,区分,科目,市町,金額（円）\r\n");
    for (fy, stage, dir, item, muni, amount) in lines {
        text.push_str(&format!("{fy},{stage},{dir},{item},{muni},\"{amount}\"\r\n"));
    }
    super::write_shift_jis(path, &text)
}

/// (hospital, 画像公開 grade quote); every hospital and lab also has a 標準 quote.
const IMAGE_GRADE: &[(&str, i64)] = &[
    ("魚沼基幹病院", 11_900_000),
    ("十日町病院", 7_500_000),
    ("南魚沼市民病院", 6_500_000),
    ("小出病院", 6_000_000),
    ("齋藤記念病院", 5_500_000),
    ("松代病院", 4_500_000),
    ("津南病院", 4_500_000),
    ("湯沢町保健医療センター", 5_000_000),
];

/// Writes the R8 renewal quotes per facility and grade (UTF-8 CSV with BOM, as Excel saves).
pub fn write_quotes(path: &Path, facilities: &[DemoFacility]) -> anyhow::Result<()> {
    let mut text = String::from("\u{feff}年度,業者,施設名,品目,グレード,見積額\r\n");
    for f in facilities.iter().filter(|f| matches!(f.kind, "病院" | "検査会社")) {
        if let Some((_, yen)) = IMAGE_GRADE.iter().find(|(n, _)| *n == f.name) {
            text.push_str(&format!(
                "R8,アルム,{},サーバー更新,画像公開,\"{}\"\r\n",
                f.name,
                crate::domain::yen::group_thousands(*yen)
            ));
        }
        let standard = match f.name.as_str() {
            "アルプ" | "BML" => 2_300_000,
            "江東微研" | "保健科学" => 2_250_000,
            _ => 2_000_000,
        };
        text.push_str(&format!(
            "R8,アルム,{},サーバー更新,標準,\"{}\"\r\n",
            f.name,
            crate::domain::yen::group_thousands(standard)
        ));
    }
    std::fs::write(path, text)?;
    Ok(())
}

/// Writes six fiscal years of monthly image views per publishing hospital, wide, one row
/// per month in 和暦 and a 年度計 row closing each fiscal year.
pub fn write_image_views(
    path: &Path,
    rng: &mut StdRng,
    facilities: &[DemoFacility],
    until: Month,
) -> anyhow::Result<()> {
    let hospitals: Vec<&DemoFacility> = facilities.iter().filter(|f| f.publishes_images).collect();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new().set_author("事務局").set_creation_datetime(&ExcelDateTime::from_ymd(2020, 4, 1)?),
    );
    let ws = wb.add_worksheet();
    ws.set_name("画像閲覧回数")?;
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, "画像を閲覧された回数（公開病院別・月別）", &bold)?;
    ws.write_string_with_format(2, 0, "月", &bold)?;
    for (c, h) in hospitals.iter().enumerate() {
        ws.write_string_with_format(2, c as u16 + 1, &h.name, &bold)?;
    }
    let mut row = 3u32;
    let first = FiscalYear::new(until.fiscal_year().year() - 5);
    let mut fy = first;
    while fy <= until.fiscal_year() {
        let mut totals = vec![0i64; hospitals.len()];
        for m in fy.first_month().through(fy.last_month().min(until)) {
            ws.write_string(
                row,
                0,
                format!("{}年{}月", crate::domain::era::era_year_label(m.year(), (m.year(), m.month())), m.month()),
            )?;
            let years = (m.year() - first.year()) as f64;
            for (c, h) in hospitals.iter().enumerate() {
                let base = h.disclose_weight * 9.0 * 1.05f64.powf(years);
                let n = (base * (0.85 + 0.3 * rng.random::<f64>())).round() as i64;
                totals[c] += n;
                ws.write_number(row, c as u16 + 1, n as f64)?;
            }
            row += 1;
        }
        ws.write_string_with_format(row, 0, "年度計", &bold)?;
        for (c, t) in totals.iter().enumerate() {
            ws.write_number_with_format(row, c as u16 + 1, *t as f64, &bold)?;
        }
        row += 1;
        fy = FiscalYear::new(fy.year() + 1);
    }
    ws.write_string(row + 1, 0, "※ 画像公開サーバーのアクセス記録から事務局が集計")?;
    ws.set_column_width(0, 14)?;
    wb.save(path)?;
    Ok(())
}

/// Writes monthly registered patients per municipality (UTF-8 CSV).
pub fn write_enrollments(path: &Path, until: Month) -> anyhow::Result<()> {
    let mut text = String::from("月,市町,登録患者数\n");
    let first = Month::new(2022, 4).expect("valid");
    for (i, m) in first.through(until).enumerate() {
        for (name, pop) in MUNICIPALITIES {
            // About 6% of residents registered at the start, growing slowly.
            let n = (*pop as f64 * (0.06 + 0.0012 * i as f64)).round() as i64;
            text.push_str(&format!("{m},{name},{n}\n"));
        }
    }
    std::fs::write(path, text)?;
    Ok(())
}
