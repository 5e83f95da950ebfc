//! A calendar month (the first day stored as `DATE` in the store), parsed from
//! `2025-07`, `2025/7`, `2025年7月`, `令和7年7月`.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

use super::era;
use super::fiscal_year::FiscalYear;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month of `year`-`month`, if `month` is 1–12.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }
    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Month {
        Month { year: date.year(), month: date.month() }
    }
    /// Parses `2025-07`, `2025/7`, `2025年7月`, `202507`, `令和7年7月`, `R7.7`.
    pub fn parse(text: &str) -> Result<Month, String> {
        let t: String = text.trim().nfkc().filter(|c| !c.is_whitespace()).collect();
        if era::looks_like_era(&t) {
            let (y, m) = era::parse_month(&t)?;
            // The same range as the Gregorian forms below.
            if !(1900..=2200).contains(&y) {
                return Err(format!("月として読めません: 「{text}」（1900年から2200年までの月にしてください）"));
            }
            return Ok(Month { year: y, month: m });
        }
        let bad = || format!("月として読めません: 「{text}」（例: 2025-07 / 2025年7月 / 令和7年7月）");
        let digits: Vec<&str> = t.trim_end_matches('月').split(['-', '/', '年', '.']).collect();
        let (y, m) = match digits.as_slice() {
            [y, m] => (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?),
            [ym] if ym.len() == 6 && ym.bytes().all(|b| b.is_ascii_digit()) => {
                (ym[..4].parse().map_err(|_| bad())?, ym[4..].parse().map_err(|_| bad())?)
            }
            _ => return Err(bad()),
        };
        if !(1900..=2200).contains(&y) {
            return Err(bad());
        }
        Month::new(y, m).ok_or_else(bad)
    }
    /// The Gregorian year.
    pub fn year(self) -> i32 {
        self.year
    }
    /// The month number, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }
    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("month is valid")
    }
    /// The month `n` months later (negative for earlier).
    pub fn plus(self, n: i32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 + n;
        Month { year: index.div_euclid(12), month: (index.rem_euclid(12) + 1) as u32 }
    }
    /// The 年度 (April–March) the month belongs to.
    pub fn fiscal_year(self) -> FiscalYear {
        FiscalYear::new(if self.month >= 4 { self.year } else { self.year - 1 })
    }
    /// `2025年7月`.
    pub fn label_ja(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
    /// Months from `self` to `to`, inclusive.
    pub fn through(self, to: Month) -> impl Iterator<Item = Month> {
        let n = (to.year * 12 + to.month as i32) - (self.year * 12 + self.month as i32);
        (0..=n.max(-1)).map(move |i| self.plus(i))
    }
}

impl<'de> serde::Deserialize<'de> for Month {
    /// A DATE cell (its first day; see [`super::table::DATE_TOKEN`]).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(super::table::DATE_TOKEN, super::table::DateVisitor).map(Month::of)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_in_every_written_form() {
        let jul = Month::new(2025, 7).unwrap();
        for text in ["2025-07", "2025/7", "2025年7月", "２０２５年７月", "202507", "令和7年7月", "R7.7", " 2025-7 "]
        {
            assert_eq!(Month::parse(text), Ok(jul), "{text}");
        }
        for text in ["2025-13", "2025", "July", "平成31年5月", "令和元年4月", "25-07"] {
            assert!(Month::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn month_arithmetic_and_fiscal_year() {
        let m = Month::new(2025, 3).unwrap();
        assert_eq!(m.plus(1), Month::new(2025, 4).unwrap());
        assert_eq!(m.plus(-3), Month::new(2024, 12).unwrap());
        assert_eq!(m.plus(-12), Month::new(2024, 3).unwrap());
        assert_eq!(m.fiscal_year().year(), 2024);
        assert_eq!(m.plus(1).fiscal_year().year(), 2025);
        assert_eq!(m.through(m.plus(2)).count(), 3);
        assert_eq!(m.to_string(), "2025-03");
    }
}
