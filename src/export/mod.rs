//! Exports of result tables for the secretariat, who lives in Excel: CSV (with a BOM and
//! CRLF when written for Excel), JSON, and xlsx with typed columns and a bold header.
//!
//! Text that a spreadsheet would run as a formula (= + - @, tab, CR at the start) is
//! neutralized in CSV by a leading apostrophe (OWASP "CSV injection"); in xlsx every text
//! value is written as a string cell, which Excel never evaluates.

use chrono::{Datelike, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use unicode_width::UnicodeWidthStr;

use crate::domain::table::{Cell, Table};

/// Characters that make a spreadsheet treat a text cell as a formula.
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// A text value made safe for a spreadsheet: `=1+1` → `'=1+1`.
pub fn neutralize(text: &str) -> String {
    if text.starts_with(FORMULA_START) { format!("'{text}") } else { text.to_string() }
}

/// CSV text of a table. `for_excel` adds a UTF-8 BOM and CRLF line ends, so Excel opens
/// Japanese text correctly by double-click.
pub fn csv(table: &Table, for_excel: bool) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    if for_excel {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let terminator = if for_excel { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
    let mut w = csv::WriterBuilder::new().terminator(terminator).from_writer(out);
    w.write_record(table.columns.iter().map(|c| neutralize(c)))?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => neutralize(s),
            other => other.to_string(),
        }))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("CSV を書けません: {e}"))
}

/// JSON: an array of objects keyed by column name, values typed.
pub fn json(table: &Table) -> String {
    let rows: Vec<serde_json::Value> = table
        .rows
        .iter()
        .map(|row| {
            let obj = table.columns.iter().zip(row).map(|(k, c)| (k.clone(), json_value(c))).collect();
            serde_json::Value::Object(obj)
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into())
}

fn json_value(c: &Cell) -> serde_json::Value {
    match c {
        Cell::Null => serde_json::Value::Null,
        Cell::Bool(b) => (*b).into(),
        Cell::Int(i) => (*i).into(),
        Cell::Float(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number),
        other => other.to_string().into(),
    }
}

/// An xlsx workbook with one sheet per table: bold header, numbers as numbers (whole ones
/// shown `#,##0`, negatives with △), dates as dates, text as strings, widths set by display
/// width (full-width characters count 2).
pub fn xlsx(sheets: &[(&str, &Table)]) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DDEBF7");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    // Whole numbers with thousands separators and the accounting △ for negatives, as the
    // reports write them; the cell keeps its exact value.
    let whole = Format::new().set_num_format("#,##0;\"△\"#,##0");
    for (name, table) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name)?;
        let mut widths: Vec<usize> = table.columns.iter().map(|c| c.width()).collect();
        for (c, h) in table.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let col = c as u16;
                match cell {
                    Cell::Null => {}
                    Cell::Bool(b) => {
                        ws.write_boolean(r, col, *b)?;
                    }
                    Cell::Int(i) => {
                        ws.write_number_with_format(r, col, *i as f64, &whole)?;
                    }
                    Cell::Float(f) => {
                        ws.write_number(r, col, *f)?;
                    }
                    Cell::Text(s) => {
                        ws.write_string(r, col, s)?;
                    }
                    Cell::Date(d) => {
                        let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                        ws.write_datetime_with_format(r, col, &x, &date)?;
                    }
                    Cell::Timestamp(t) => {
                        let x = ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)?.and_hms(
                            t.hour() as u16,
                            t.minute() as u8,
                            t.second() as f64,
                        )?;
                        ws.write_datetime_with_format(r, col, &x, &datetime)?;
                    }
                }
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(cell.to_string().width().min(60));
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w as f64 + 2.0).max(6.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table {
            columns: vec!["施設".into(), "件数".into()],
            rows: vec![
                vec![Cell::Text("=HYPERLINK(\"http://x\")".into()), Cell::Int(-3)],
                vec![Cell::Text("十日町病院".into()), Cell::Int(12)],
            ],
        }
    }

    #[test]
    fn csv_for_excel_has_bom_crlf_and_no_live_formulas() {
        let bytes = csv(&sample(), true).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "施設,件数\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-3\r\n十日町病院,12\r\n");
        let plain = String::from_utf8(csv(&sample(), false).unwrap()).unwrap();
        assert!(plain.starts_with("施設,件数\n"));
    }

    #[test]
    fn json_keeps_types() {
        let j: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(j[1]["件数"], 12);
        assert_eq!(j[1]["施設"], "十日町病院");
    }

    #[test]
    fn neutralize_only_formula_starts() {
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("+81"), "'+81");
        assert_eq!(neutralize("魚沼"), "魚沼");
    }
}
