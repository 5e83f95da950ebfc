//! Money as councils write it: `1,330,000`, `¥1,330,000`, `1,330,000円`, `1330万円`,
//! `約1,330万円` (approximate), `1億2,709万円`, `△1,234` and `(1,234)` negatives,
//! full-width digits, and columns headed `(千円)`. All money is whole yen.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// An amount of money in whole yen, and whether the source marked it approximate (約).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yen {
    /// The amount in yen.
    pub amount: i64,
    /// True when written as 約 / 概算 / およそ.
    pub approximate: bool,
}

const EXAMPLES: &str = "例: 1,230円 / 123万円 / 約1,330万円 / △1,230";

impl Yen {
    /// Parses a money text; `unit` scales a bare number (1000 for a `(千円)` column).
    pub fn parse(text: &str, unit: i64) -> Result<Yen, String> {
        let bad = |why: &str| format!("金額として読めません（{why}）（{EXAMPLES}）");
        let mut t: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
        let mut approximate = false;
        for prefix in ["約", "概算", "およそ", "概ね"] {
            if let Some(rest) = t.strip_prefix(prefix) {
                approximate = true;
                t = rest.to_string();
            }
        }
        let mut negative = false;
        if let Some(rest) = t.strip_prefix(['△', '▲', '-', '−']) {
            negative = true;
            t = rest.to_string();
        } else if t.starts_with('(') && t.ends_with(')') && t.len() > 2 {
            negative = true;
            t = t[1..t.len() - 1].to_string();
        }
        let t = t.trim_start_matches(['¥', '\\']).trim_end_matches('円');
        if !commas_group_thousands(t) {
            return Err(bad("桁区切りのカンマの位置が正しくありません"));
        }
        let t = t.replace(',', "");
        if t.is_empty() {
            return Err(bad("数字がありません"));
        }
        // Sum of number+unit groups: 1億2709万3000 → 1×10^8 + 2709×10^4 + 3000.
        let mut total: f64 = 0.0;
        let mut had_unit = false;
        let mut number = String::new();
        for c in t.chars() {
            let scale = match c {
                '億' => Some(100_000_000.0),
                '万' => Some(10_000.0),
                '千' => Some(1_000.0),
                '0'..='9' | '.' => None,
                _ => return Err(bad(&format!("「{c}」は使えません"))),
            };
            match scale {
                None => number.push(c),
                Some(s) => {
                    let n: f64 = number.parse().map_err(|_| bad("単位の前に数字がありません"))?;
                    total += n * s;
                    number.clear();
                    had_unit = true;
                }
            }
        }
        if !number.is_empty() {
            let n: f64 = number.parse().map_err(|_| bad("数字が正しくありません"))?;
            total += if had_unit { n } else { n * unit as f64 };
        }
        if total.fract().abs() > 1e-6 {
            return Err(bad("1円未満の端数があります"));
        }
        if total > 1e15 {
            return Err(bad("大きすぎます"));
        }
        let amount = total.round() as i64;
        Ok(Yen { amount: if negative { -amount } else { amount }, approximate })
    }

    /// From a spreadsheet number cell; must be whole after the column unit is applied.
    pub fn from_number(value: f64, unit: i64) -> Result<Yen, String> {
        let scaled = value * unit as f64;
        if !scaled.is_finite() || (scaled - scaled.round()).abs() > 1e-6 {
            return Err(format!("金額が1円単位になりません: {value}"));
        }
        Ok(Yen { amount: scaled.round() as i64, approximate: false })
    }
}

/// True when every comma in every number separates groups of three digits.
fn commas_group_thousands(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.')).all(|run| {
        let integer = run.split('.').next().unwrap_or("");
        let mut groups = integer.split(',');
        let first = groups.next().unwrap_or("");
        !(integer.contains(',') && first.is_empty()) && groups.all(|g| g.len() == 3)
    })
}

/// Formats yen with thousands separators: `1,330,000`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = if self.approximate { "約" } else { "" };
        write!(f, "{prefix}{}円", group_thousands(self.amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(amount: i64) -> Yen {
        Yen { amount, approximate: false }
    }

    #[test]
    fn money_in_every_written_form() {
        let cases = [
            ("1,330,000", 1, exact(1_330_000)),
            ("¥1,330,000", 1, exact(1_330_000)),
            ("￥1,330,000", 1, exact(1_330_000)),
            ("1,330,000円", 1, exact(1_330_000)),
            ("1330万円", 1, exact(13_300_000)),
            ("約1,330万円", 1, Yen { amount: 13_300_000, approximate: true }),
            ("約 550万円", 1, Yen { amount: 5_500_000, approximate: true }),
            ("1億2,709万円", 1, exact(127_090_000)),
            ("6.4億円", 1, exact(640_000_000)),
            ("△1,234", 1, exact(-1_234)),
            ("▲1,234", 1, exact(-1_234)),
            ("(1,234)", 1, exact(-1_234)),
            ("-500", 1, exact(-500)),
            ("１，３３０，０００円", 1, exact(1_330_000)),
            ("1,330", 1000, exact(1_330_000)),
            ("1.5万円", 1, exact(15_000)),
            ("0", 1, exact(0)),
        ];
        for (text, unit, want) in cases {
            assert_eq!(Yen::parse(text, unit), Ok(want), "{text}");
        }
    }

    #[test]
    fn unreadable_money_is_refused() {
        for text in ["", "円", "1,2,30円", "1,23", ",123", "1,2,30円x", "abc", "1.5", "万円", "12ドル"] {
            assert!(Yen::parse(text, 1).is_err(), "{text}");
        }
    }

    #[test]
    fn number_cells_and_formatting() {
        assert_eq!(Yen::from_number(1330.0, 1000), Ok(exact(1_330_000)));
        assert!(Yen::from_number(0.5, 1).is_err());
        assert_eq!(group_thousands(13_300_000), "13,300,000");
        assert_eq!(group_thousands(-1_234), "-1,234");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(Yen { amount: 5_500_000, approximate: true }.to_string(), "約5,500,000円");
    }
}
