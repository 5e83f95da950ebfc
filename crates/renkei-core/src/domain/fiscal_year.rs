//! 年度: the Japanese fiscal year, April to March, named by the Gregorian year in which
//! April falls (R7 = 令和7年度 = FY2025 = April 2025 to March 2026).

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use super::era;
use super::month::Month;

/// A fiscal year (年度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(i32);

impl FiscalYear {
    /// The fiscal year starting in April of `year`.
    pub fn new(year: i32) -> FiscalYear {
        FiscalYear(year)
    }
    /// Parses `2025`, `FY2025`, `2025年度`, `R7`, `令和7年度`, `H30`.
    pub fn parse(text: &str) -> Result<FiscalYear, String> {
        let t: String = text.trim().nfkc().filter(|c| !c.is_whitespace()).collect();
        let bad = || format!("年度として読めません: 「{text}」（例: 2025 / FY2025 / R7 / 令和7年度）");
        // One range for every form (found by fuzzing: 令和200年度 was read, 2218 was not).
        let y: i32 = if era::looks_like_era(&t) {
            era::parse_fiscal_year(&t)?
        } else {
            let digits = t.trim_start_matches("FY").trim_start_matches("fy").trim_end_matches("年度");
            digits.parse().map_err(|_| bad())?
        };
        if !(1900..=2200).contains(&y) {
            return Err(bad());
        }
        Ok(FiscalYear(y))
    }
    /// The Gregorian year in which the fiscal year's April falls.
    pub fn year(self) -> i32 {
        self.0
    }
    /// April of this fiscal year.
    pub fn first_month(self) -> Month {
        Month::new(self.0, 4).expect("April")
    }
    /// March of the next calendar year.
    pub fn last_month(self) -> Month {
        Month::new(self.0 + 1, 3).expect("March")
    }
    /// `令和7年度` as officials write it.
    pub fn label_ja(self) -> String {
        format!("{}年度", era::era_year_label(self.0, (self.0 + 1, 3)))
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_years_in_every_written_form() {
        for text in ["2025", "FY2025", "2025年度", "R7", "令和7年度", "Ｒ７", "r7"] {
            assert_eq!(FiscalYear::parse(text), Ok(FiscalYear(2025)), "{text}");
        }
        assert_eq!(FiscalYear::parse("H30"), Ok(FiscalYear(2018)));
        for text in ["", "FY", "R", "令和7年4月", "7"] {
            assert!(FiscalYear::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn labels_and_bounds() {
        let fy = FiscalYear(2025);
        assert_eq!(fy.label_ja(), "令和7年度");
        assert_eq!(fy.first_month().to_string(), "2025-04");
        assert_eq!(fy.last_month().to_string(), "2026-03");
        assert_eq!(FiscalYear(2019).label_ja(), "令和元年度");
    }
}
