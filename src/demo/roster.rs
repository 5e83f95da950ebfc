//! Writes the demo roster as a real xlsx, shaped like a council's own: a merged title
//! row, a blank row, the header, one row per facility (some fees typed as text with
//! commas, join dates as Excel dates or 和暦 text), a 合計 row and a ※ footnote.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Formula, Workbook};

use super::facilities::DemoFacility;
use crate::domain::FiscalYear;

/// Writes the roster of `fy` (facilities joined by the end of it) to `path`.
pub fn write(path: &Path, network: &str, fy: FiscalYear, facilities: &[DemoFacility]) -> anyhow::Result<()> {
    let mut wb = Workbook::new();
    // A fixed creation time keeps the bytes (and so the sha256) the same on every run.
    let created = ExcelDateTime::from_ymd(fy.year() as u16, 4, 1)?;
    wb.set_properties(&DocProperties::new().set_author("事務局").set_creation_datetime(&created));
    let ws = wb.add_worksheet();
    ws.set_name(format!("{}名簿", fy.label_ja()))?;
    let title = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center);
    let head = Format::new().set_bold().set_background_color("#DDEBF7").set_border(rust_xlsxwriter::FormatBorder::Thin);
    let date_fmt = Format::new().set_num_format("yyyy/m/d");
    let money = Format::new().set_num_format("#,##0");
    ws.merge_range(0, 0, 0, 6, &format!("{} {} 参加施設名簿", fy.label_ja(), network), &title)?;
    let headers = ["No.", "施設名", "種別", "市町", "加入日", "画像公開", "年会費（円）"];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &head)?;
    }
    let end = fy.last_month().plus(1).first_day();
    let mut row = 3u32;
    let mut n = 0;
    for f in facilities.iter().filter(|f| f.joined_on < end) {
        n += 1;
        let fee = if fy.year() >= 2025 { f.fee_new } else { f.fee_old };
        ws.write_number(row, 0, n as f64)?;
        ws.write_string(row, 1, &f.name)?;
        ws.write_string(row, 2, f.kind)?;
        ws.write_string(row, 3, f.municipality)?;
        if n % 9 == 4 {
            // Some secretariats type join dates as 和暦 text.
            ws.write_string(row, 4, era_text(f.joined_on))?;
        } else {
            let d =
                ExcelDateTime::from_ymd(f.joined_on.year() as u16, f.joined_on.month() as u8, f.joined_on.day() as u8)?;
            ws.write_datetime_with_format(row, 4, &d, &date_fmt)?;
        }
        ws.write_string(row, 5, if f.publishes_images { "○" } else { "" })?;
        if n % 7 == 3 {
            ws.write_string(row, 6, crate::domain::yen::group_thousands(fee))?;
        } else {
            ws.write_number_with_format(row, 6, fee as f64, &money)?;
        }
        row += 1;
    }
    let total: i64 = facilities
        .iter()
        .filter(|f| f.joined_on < end)
        .map(|f| if fy.year() >= 2025 { f.fee_new } else { f.fee_old })
        .sum();
    ws.write_string(row, 0, "合計")?;
    ws.write_string(row, 1, format!("{n}施設"))?;
    ws.write_formula_with_format(
        row,
        6,
        Formula::new(format!("=SUM(G4:G{row})")).set_result(total.to_string()),
        &money,
    )?;
    ws.write_string(row + 2, 0, "※ 年会費は年額。年度途中の加入は翌年度から。画像公開は画像公開サーバー設置施設。")?;
    ws.set_column_width(1, 34)?;
    ws.set_column_width(2, 18)?;
    ws.set_column_width(4, 12)?;
    ws.set_column_width(6, 14)?;
    wb.save(path)?;
    Ok(())
}

use chrono::Datelike;

fn era_text(d: chrono::NaiveDate) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    let reiwa_start = chrono::NaiveDate::from_ymd_opt(2019, 5, 1).expect("valid");
    if d >= reiwa_start {
        let n = y - 2018;
        let n = if n == 1 { "元".to_string() } else { n.to_string() };
        format!("令和{n}年{m}月{day}日")
    } else {
        format!("平成{}年{m}月{day}日", y - 1988)
    }
}
