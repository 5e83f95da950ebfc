//! Reading typed values out of grid cells: dates, yes/no flags, money, fiscal years, and
//! the rows a table carries besides data (小計・合計・※ footnotes).

use chrono::NaiveDate;

use super::grid::GridCell;
use unicode_normalization::UnicodeNormalization;

use crate::domain::{FiscalYear, Yen, era, timestamp};

/// True for a subtotal or total row (合計, 小計, 計, 総計, 年度計, a budget section's total:
/// 収入合計, 支出計, 歳出小計, and a fiscal year's total in any form: 2019年度計, 令和元年度計,
/// R1年度計, FY2019計, 令和元年度 合計) or a footnote (※...).
pub fn is_summary_or_note(first_text: &str) -> bool {
    is_note(first_text) || total_kind(first_text).is_some()
}

/// True for a footnote row (※…, 注…).
pub fn is_note(text: &str) -> bool {
    let t: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    t.starts_with('※') || t.starts_with("注")
}

/// What a total row sums, read from its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// A 小計: the rows since the last 小計 (or total).
    Subtotal,
    /// A 合計, 総計, 計 or a year's total: every row since the last total of its kind.
    Total,
}

/// The budget section a total row names (収入合計 → `income`), if any.
pub fn total_section(label: &str) -> Option<&'static str> {
    let t: String = label.nfkc().filter(|c| !c.is_whitespace()).collect();
    total_kind(&t)?;
    if t.starts_with("収入") || t.starts_with("歳入") {
        Some("income")
    } else if t.starts_with("支出") || t.starts_with("歳出") {
        Some("expense")
    } else {
        None
    }
}

/// Whether `label` names a total row, and of which kind.
pub fn total_kind(label: &str) -> Option<Total> {
    let t: String = label.nfkc().filter(|c| !c.is_whitespace()).collect();
    let t = ["収入", "支出", "歳入", "歳出"].iter().find_map(|p| t.strip_prefix(p)).unwrap_or(&t);
    let total = |t: &str| {
        ["合計", "小計", "総計", "計", "年度計"]
            .iter()
            .any(|w| t == *w || t.starts_with(&format!("{w}(")) || t.starts_with(&format!("{w}（")))
    };
    // "<fiscal year>計" or "<fiscal year> 合計": the part before the total word is a 年度.
    let year_total = ["合計", "小計", "計"].iter().any(|w| {
        t.strip_suffix(w).filter(|head| !head.is_empty()).is_some_and(|head| {
            let bare = head.strip_suffix("年度").unwrap_or(head);
            FiscalYear::parse(head).is_ok() || FiscalYear::parse(bare).is_ok()
        })
    });
    if !(total(t) || year_total) {
        None
    } else if t.contains("小計") {
        Some(Total::Subtotal)
    } else {
        Some(Total::Total)
    }
}

/// A date cell: a date, an Excel serial, ISO/slash text, or 和暦.
pub fn date(cell: &GridCell) -> Result<Option<NaiveDate>, String> {
    match cell {
        GridCell::Empty => Ok(None),
        GridCell::Date(d) => Ok(Some(d.date())),
        GridCell::Number(n) if (1.0..2_958_466.0).contains(n) => {
            // Excel's 1900 date system (serial 60 is the phantom 1900-02-29).
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
            Ok(Some(base + chrono::Duration::days(n.floor() as i64)))
        }
        GridCell::Text(t) if t.trim() == "-" => Ok(None),
        GridCell::Text(t) if era::looks_like_era(t) => era::parse_date(t).map(Some),
        GridCell::Text(t) => timestamp::parse_jst(t).map(|d| Some(d.date())).map_err(|_| {
            format!("日付として読めません: 「{t}」（例: 2019-04-01 / 2019/4/1 / 令和元年5月1日 / R7.8.18）")
        }),
        other => Err(format!("日付として読めません: 「{}」", other.text())),
    }
}

/// A yes/no cell: ○ / あり / 有 / はい / yes / TRUE / 1 and × / なし / 無 / - / blank.
pub fn flag(cell: &GridCell) -> Result<bool, String> {
    match cell {
        GridCell::Empty => Ok(false),
        GridCell::Bool(b) => Ok(*b),
        GridCell::Number(n) => Ok(*n != 0.0),
        other => {
            let t = other.text();
            match t.trim().to_lowercase().as_str() {
                "○" | "〇" | "◯" | "●" | "◎" | "✓" | "✔" | "有" | "あり" | "有り" | "はい" | "yes" | "y" | "true"
                | "1" => Ok(true),
                "×" | "✕" | "無" | "なし" | "無し" | "いいえ" | "no" | "n" | "false" | "0" | "-" | "－" | "―" => {
                    Ok(false)
                }
                _ => Err(format!("あり・なしとして読めません: 「{t}」（例: ○ / あり / × / なし）")),
            }
        }
    }
}

/// A money cell, with the column's unit multiplier; blank or `-` is None.
pub fn money(cell: &GridCell, unit: i64) -> Result<Option<Yen>, String> {
    match cell {
        GridCell::Empty => Ok(None),
        GridCell::Number(n) => Yen::from_number(*n, unit).map(Some),
        GridCell::Text(t) if matches!(t.trim(), "-" | "－" | "―" | "…") => Ok(None),
        GridCell::Text(t) => Yen::parse(t, unit).map(Some),
        other => Err(format!("金額として読めません: 「{}」", other.text())),
    }
}

/// A fiscal-year cell: 2025, FY2025, R7, 令和7年度.
pub fn fiscal_year(cell: &GridCell) -> Result<FiscalYear, String> {
    FiscalYear::parse(&cell.text())
}

/// The fiscal year named inside free text such as a title (`令和7年度 参加施設名簿`) or a
/// file name (`名簿_R7.xlsx`, `roster_FY2025.csv`).
pub fn fiscal_year_in(text: &str) -> Option<FiscalYear> {
    let chars: Vec<char> = text.chars().collect();
    for start in 0..chars.len() {
        for end in (start + 2..=chars.len().min(start + 8)).rev() {
            let piece: String = chars[start..end].iter().collect();
            let prev_ok = start == 0 || !chars[start - 1].is_ascii_alphanumeric();
            let next_ok = end == chars.len() || !chars[end].is_ascii_alphanumeric();
            if !(prev_ok && next_ok) {
                continue;
            }
            let plausible =
                piece.ends_with("年度") || piece.starts_with("FY") || piece.starts_with(['R', 'H']) && piece.len() <= 3;
            if plausible && let Ok(fy) = FiscalYear::parse(&piece) {
                return Some(fy);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_rows_and_footnotes_are_recognised() {
        for t in ["合計", "小計", "計", "年度計", "※会費は年額", "合計（84施設）", " 合 計 "] {
            assert!(is_summary_or_note(t), "{t}");
        }
        // A fiscal year's total in the forms councils write (issue 16).
        for t in ["2019年度計", "令和元年度計", "R1年度計", "FY2019計", "令和元年度 合計", "Ｒ７年度計", "H30年度小計"]
        {
            assert!(is_summary_or_note(t), "{t}");
        }
        // A budget section's total (issue 16: read as an item, it counted the section twice).
        for t in ["収入合計", "支出計", "歳出小計", "支出 合計"] {
            assert!(is_summary_or_note(t), "{t}");
        }
        assert_eq!(
            (total_section("収入合計"), total_section("歳出小計"), total_section("合計")),
            (Some("income"), Some("expense"), None)
        );
        assert_eq!(
            (total_kind("小計"), total_kind("R1年度計"), total_kind("※注")),
            (Some(Total::Subtotal), Some(Total::Total), None)
        );
        for t in ["計良医院", "十日町病院", "小出病院", "2019年度", "令和元年度", "R7", "収入", "支出"]
        {
            assert!(!is_summary_or_note(t), "{t}");
        }
    }

    #[test]
    fn cells_as_dates_flags_and_money() {
        let d = |y, m, day| Some(NaiveDate::from_ymd_opt(y, m, day).unwrap());
        assert_eq!(date(&GridCell::Number(45474.0)), Ok(d(2024, 7, 1)));
        assert_eq!(date(&GridCell::Text("令和元年5月1日".into())), Ok(d(2019, 5, 1)));
        assert_eq!(date(&GridCell::Text("2019/4/1".into())), Ok(d(2019, 4, 1)));
        assert!(date(&GridCell::Text("平成31年5月1日".into())).is_err());
        assert_eq!(flag(&GridCell::Text("○".into())), Ok(true));
        assert_eq!(flag(&GridCell::Text("なし".into())), Ok(false));
        assert!(flag(&GridCell::Text("たぶん".into())).is_err());
        assert_eq!(money(&GridCell::Text("120,000".into()), 1).unwrap().unwrap().amount, 120_000);
        assert_eq!(money(&GridCell::Number(120.0), 1000).unwrap().unwrap().amount, 120_000);
        assert_eq!(money(&GridCell::Text("-".into()), 1), Ok(None));
    }

    #[test]
    fn fiscal_years_inside_titles_and_file_names() {
        assert_eq!(fiscal_year_in("令和7年度 参加施設名簿").map(|f| f.year()), Some(2025));
        assert_eq!(fiscal_year_in("名簿_R6.xlsx").map(|f| f.year()), Some(2024));
        assert_eq!(fiscal_year_in("roster_FY2023.csv").map(|f| f.year()), Some(2023));
        assert_eq!(fiscal_year_in("参加施設名簿"), None);
    }
}
