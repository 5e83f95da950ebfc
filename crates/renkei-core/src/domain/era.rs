//! 和暦 (Japanese era dates): 明治 to 令和, 元年, M/T/S/H/R abbreviations, ㍻ and ㋿.
//!
//! Written by hand because no well-kept crate validates era boundaries: 平成31年5月 and
//! 令和元年4月 do not exist and are refused with the reason (DESIGN "Inputs").

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

/// One era: its name, its one-letter abbreviation, and its first day (Gregorian).
struct Era {
    name: &'static str,
    abbr: char,
    first_day: (i32, u32, u32),
}

/// Eras in order; each ends the day before the next begins.
const ERAS: &[Era] = &[
    Era { name: "明治", abbr: 'M', first_day: (1868, 10, 23) },
    Era { name: "大正", abbr: 'T', first_day: (1912, 7, 30) },
    Era { name: "昭和", abbr: 'S', first_day: (1926, 12, 25) },
    Era { name: "平成", abbr: 'H', first_day: (1989, 1, 8) },
    Era { name: "令和", abbr: 'R', first_day: (2019, 5, 1) },
];

impl Era {
    fn start(&self) -> NaiveDate {
        let (y, m, d) = self.first_day;
        NaiveDate::from_ymd_opt(y, m, d).expect("era table holds valid dates")
    }
    /// The last day of the era, if it has ended.
    fn end(&self, index: usize) -> Option<NaiveDate> {
        ERAS.get(index + 1).map(|next| next.start().pred_opt().expect("valid"))
    }
    /// Gregorian year of era year `n` (year 1 is the year the era began).
    fn gregorian(&self, n: i32) -> i32 {
        self.first_day.0 + n - 1
    }
}

/// The parts of an era-dated text: era index, era year, month and optional day.
#[derive(Debug, PartialEq, Eq)]
struct EraParts {
    era: usize,
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
}

/// True when the text starts like an era date (after NFKC), so callers can choose a parser.
pub fn looks_like_era(text: &str) -> bool {
    let t: String = text.trim().nfkc().collect();
    ERAS.iter().any(|e| t.starts_with(e.name))
        || t.chars().next().is_some_and(|c| {
            ERAS.iter().any(|e| e.abbr == c.to_ascii_uppercase())
                && t.chars().nth(1).is_some_and(|d| d.is_ascii_digit() || d == '元')
        })
}

fn split(text: &str) -> Result<EraParts, String> {
    let t: String = text.trim().nfkc().filter(|c| !c.is_whitespace()).collect();
    let (era, rest) = ERAS
        .iter()
        .enumerate()
        .find_map(|(i, e)| t.strip_prefix(e.name).map(|r| (i, r)))
        .or_else(|| {
            let c = t.chars().next()?.to_ascii_uppercase();
            let i = ERAS.iter().position(|e| e.abbr == c)?;
            Some((i, &t[1..]))
        })
        .ok_or_else(|| format!("元号（令和・平成・R・H など）で始まっていません: {text}"))?;
    let mut nums: Vec<i32> = Vec::new();
    let mut cur = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '元' if nums.is_empty() && cur.is_empty() => cur.push('1'),
            '0'..='9' => cur.push(c),
            '年' | '月' | '日' | '.' | '/' | '-' => {
                if cur.is_empty() {
                    return Err(format!("数字が抜けています: {text}"));
                }
                nums.push(cur.parse().map_err(|_| format!("数字が大きすぎます: {text}"))?);
                cur.clear();
                if c == '年' && chars.peek() == Some(&'度') {
                    chars.next();
                }
            }
            _ => return Err(format!("読めない文字「{c}」があります: {text}")),
        }
    }
    if !cur.is_empty() {
        nums.push(cur.parse().map_err(|_| format!("数字が大きすぎます: {text}"))?);
    }
    let (year, month, day) = match nums.as_slice() {
        [y] => (*y, None, None),
        [y, m] => (*y, Some(*m as u32), None),
        [y, m, d] => (*y, Some(*m as u32), Some(*d as u32)),
        _ => return Err(format!("年・月・日として読めません: {text}")),
    };
    // No era has lasted 100 years (昭和 ended in its 64th); past 令和200年 (2218, beyond
    // every year renkei reads) a number is a typo, and a huge one would overflow the year.
    if !(1..=200).contains(&year) {
        return Err(format!("{}{}年はありません", ERAS[era].name, year));
    }
    Ok(EraParts { era, year, month, day })
}

fn label(p: &EraParts) -> String {
    let y = if p.year == 1 { "元".to_string() } else { p.year.to_string() };
    match (p.month, p.day) {
        (Some(m), Some(d)) => format!("{}{}年{}月{}日", ERAS[p.era].name, y, m, d),
        (Some(m), None) => format!("{}{}年{}月", ERAS[p.era].name, y, m),
        _ => format!("{}{}年", ERAS[p.era].name, y),
    }
}

fn range_error(p: &EraParts) -> String {
    let era = &ERAS[p.era];
    let end = era.end(p.era).map_or("現在".to_string(), |d| format!("{}年{}月{}日", d.year(), d.month(), d.day()));
    let s = era.start();
    format!(
        "{} は存在しません（{}は {}年{}月{}日 から {} まで）",
        label(p),
        era.name,
        s.year(),
        s.month(),
        s.day(),
        end
    )
}

/// Parses a full era date such as `令和7年8月18日`, `R7.8.18`, `H30/4/1`, `㍻31年4月30日`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let p = split(text)?;
    let (Some(m), Some(d)) = (p.month, p.day) else {
        return Err(format!("年月日がそろっていません: {text}"));
    };
    let era = &ERAS[p.era];
    let date = NaiveDate::from_ymd_opt(era.gregorian(p.year), m, d)
        .ok_or_else(|| format!("{} という日付はありません", label(&p)))?;
    if date < era.start() || era.end(p.era).is_some_and(|e| date > e) {
        return Err(range_error(&p));
    }
    Ok(date)
}

/// Parses an era month such as `令和7年7月` or `H31.4`, as (Gregorian year, month).
pub fn parse_month(text: &str) -> Result<(i32, u32), String> {
    let p = split(text)?;
    let (Some(m), None) = (p.month, p.day) else {
        return Err(format!("年と月の形ではありません: {text}"));
    };
    if !(1..=12).contains(&m) {
        return Err(format!("{m}月はありません: {text}"));
    }
    let era = &ERAS[p.era];
    let y = era.gregorian(p.year);
    let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(|| format!("読めません: {text}"))?;
    let last = first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).expect("valid month");
    if last < era.start() || era.end(p.era).is_some_and(|e| first > e) {
        return Err(range_error(&p));
    }
    Ok((y, m))
}

/// Parses an era fiscal year such as `令和7年度`, `R7`, `H30年度` to its Gregorian year.
pub fn parse_fiscal_year(text: &str) -> Result<i32, String> {
    let p = split(text)?;
    if p.month.is_some() {
        return Err(format!("年度の形ではありません: {text}"));
    }
    let era = &ERAS[p.era];
    let y = era.gregorian(p.year);
    // A fiscal year runs April to March; it must overlap the era.
    let bad = || format!("読めません: {text}");
    let first = NaiveDate::from_ymd_opt(y, 4, 1).ok_or_else(bad)?;
    let last = NaiveDate::from_ymd_opt(y + 1, 3, 31).ok_or_else(bad)?;
    if last < era.start() || era.end(p.era).is_some_and(|e| first > e) {
        return Err(range_error(&p));
    }
    Ok(y)
}

/// A date as 和暦, the era chosen by the day (1989-01-07 is 昭和64年1月7日, the next day
/// 平成元年1月8日).
pub fn date_label(d: NaiveDate) -> String {
    let era = ERAS.iter().rev().find(|e| e.start() <= d).unwrap_or(&ERAS[0]);
    let n = d.year() - era.first_day.0 + 1;
    let year = if n == 1 { "元".to_string() } else { n.to_string() };
    format!("{}{year}年{}月{}日", era.name, d.month(), d.day())
}

/// The era label of Gregorian `year`, in the era in force at `year_of_era`/`month_of_era`
/// (a fiscal year takes the era of its end: FY2019 is 令和元年度), e.g. 2025 → `令和7`.
pub fn era_year_label(year: i32, era_at: (i32, u32)) -> String {
    let date = NaiveDate::from_ymd_opt(era_at.0, era_at.1, 1).unwrap_or_default();
    let era = ERAS.iter().rev().find(|e| e.start() <= date).unwrap_or(&ERAS[0]);
    let n = year - era.first_day.0 + 1;
    if n == 1 { format!("{}元", era.name) } else { format!("{}{}", era.name, n) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_takes_the_era_of_its_day() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(date_label(d(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(date_label(d(1989, 1, 8)), "平成元年1月8日");
        assert_eq!(date_label(d(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(date_label(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(parse_date(&date_label(d(1989, 1, 15))), Ok(d(1989, 1, 15)));
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn era_dates_in_every_written_form() {
        let cases = [
            ("令和7年8月18日", d(2025, 8, 18)),
            ("R7.8.18", d(2025, 8, 18)),
            ("r7/8/18", d(2025, 8, 18)),
            ("Ｒ７．８．１８", d(2025, 8, 18)),
            ("令和元年5月1日", d(2019, 5, 1)),
            ("H30/4/1", d(2018, 4, 1)),
            ("平成31年4月30日", d(2019, 4, 30)),
            ("㍻31年4月30日", d(2019, 4, 30)),
            ("㋿2年2月29日", d(2020, 2, 29)),
            ("昭和64年1月7日", d(1989, 1, 7)),
            ("平成元年1月8日", d(1989, 1, 8)),
            ("S39.10.10", d(1964, 10, 10)),
            ("大正元年8月1日", d(1912, 8, 1)),
            ("T15.12.24", d(1926, 12, 24)),
            ("明治45年7月29日", d(1912, 7, 29)),
            ("M30.1.1", d(1897, 1, 1)),
            (" 令和 7年 8月 18日 ", d(2025, 8, 18)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn impossible_era_dates_are_refused_with_a_reason() {
        for text in [
            "平成31年5月1日",
            "令和元年4月30日",
            "昭和64年1月8日",
            "平成元年1月7日",
            "令和7年2月30日",
            "令和7年13月1日",
            "令和0年5月1日",
            "明治46年1月1日",
            "令和7年8月",
            "X7.8.18",
        ] {
            assert!(parse_date(text).is_err(), "{text} should be refused");
        }
        assert!(parse_date("平成31年5月1日").unwrap_err().contains("平成は 1989年1月8日 から 2019年4月30日 まで"));
    }

    #[test]
    fn era_months_check_the_era_boundary() {
        assert_eq!(parse_month("令和7年7月"), Ok((2025, 7)));
        assert_eq!(parse_month("平成31年4月"), Ok((2019, 4)));
        assert_eq!(parse_month("令和元年5月"), Ok((2019, 5)));
        assert_eq!(parse_month("H31.4"), Ok((2019, 4)));
        assert_eq!(parse_month("昭和64年1月"), Ok((1989, 1)));
        assert_eq!(parse_month("平成元年1月"), Ok((1989, 1)));
        assert!(parse_month("平成31年5月").is_err());
        assert!(parse_month("令和元年4月").is_err());
        assert!(parse_month("令和7年0月").is_err());
    }

    #[test]
    fn era_fiscal_years() {
        assert_eq!(parse_fiscal_year("令和7年度"), Ok(2025));
        assert_eq!(parse_fiscal_year("R7"), Ok(2025));
        assert_eq!(parse_fiscal_year("H30年度"), Ok(2018));
        assert_eq!(parse_fiscal_year("令和元年度"), Ok(2019));
        // 平成31年度 began on 2019-04-01, inside 平成: it exists (and is 令和元年度 too).
        assert_eq!(parse_fiscal_year("平成31年度"), Ok(2019));
        assert!(parse_fiscal_year("平成32年度").is_err());
    }

    #[test]
    fn era_year_labels() {
        assert_eq!(era_year_label(2025, (2025, 4)), "令和7");
        assert_eq!(era_year_label(2019, (2019, 5)), "令和元");
        assert_eq!(era_year_label(2019, (2019, 4)), "平成31");
        assert_eq!(era_year_label(2018, (2018, 4)), "平成30");
    }

    #[test]
    fn looks_like_era_only_for_era_texts() {
        assert!(looks_like_era("令和7年"));
        assert!(looks_like_era("R7.8.1"));
        assert!(!looks_like_era("2025-07"));
        assert!(!looks_like_era("Room 7"));
    }
}
