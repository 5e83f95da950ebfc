//! Number formatting for reports: counts with separators, yen, percentages and changes.
//! Templates receive these strings; they lay out, they do not compute.

use crate::domain::yen::group_thousands;

/// `12,345`.
pub fn count(n: i64) -> String {
    group_thousands(n)
}

/// `1,330,000円`, `約1,330,000円` when approximate, and `△500,000円` (the accounting
/// sign for a negative amount) below zero.
pub fn yen(n: i64, approximate: bool) -> String {
    let sign = if n < 0 { "△" } else { "" };
    format!("{}{sign}{}円", if approximate { "約" } else { "" }, group_thousands(n.saturating_abs()))
}

/// A change in yen: `+59,469円`, `△12,538円`, `0円`.
pub fn yen_change(n: i64) -> String {
    format!("{}{}", if n > 0 { "+" } else { "" }, yen(n, false))
}

/// `42.5%` from a 0–1 ratio.
pub fn percent(ratio: f64) -> String {
    format!("{:.1}%", ratio * 100.0)
}

/// The change from `before` to `now`: `+3.2%`, `−1.0%`, `±0.0%`, or `—` when there was
/// nothing before to compare with.
pub fn change(now: i64, before: i64) -> String {
    if before == 0 {
        return "—".to_string();
    }
    let pct = (now - before) as f64 / before as f64 * 100.0;
    if pct.abs() < 0.05 {
        "±0.0%".to_string()
    } else if pct > 0.0 {
        format!("+{pct:.1}%")
    } else {
        format!("−{:.1}%", -pct)
    }
}

/// The change of a rate in points: `+2.1pt`.
pub fn change_points(now: f64, before: f64) -> String {
    let pt = (now - before) * 100.0;
    if pt.abs() < 0.05 {
        "±0.0pt".to_string()
    } else if pt > 0.0 {
        format!("+{pt:.1}pt")
    } else {
        format!("−{:.1}pt", -pt)
    }
}

/// A count, or `—` for no data.
pub fn count_or_dash(n: Option<i64>) -> String {
    n.map_or_else(|| "—".to_string(), count)
}

/// A ratio as a percentage, or `—` for no data.
pub fn percent_or_dash(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "—".to_string(), percent)
}

/// Yen, or `—` for no data.
pub fn yen_or_dash(n: Option<i64>, approximate: bool) -> String {
    n.map_or_else(|| "—".to_string(), |v| yen(v, approximate))
}

/// The change between two counts, `—` unless both are known (a month without data is
/// not a month of zero).
pub fn change_of(now: Option<i64>, before: Option<i64>) -> String {
    match (now, before) {
        (Some(a), Some(b)) => change(a, b),
        _ => "—".to_string(),
    }
}

/// The change of a rate in points, `—` unless both are known.
pub fn points_of(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(a), Some(b)) => change_points(a, b),
        _ => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(yen(13_300_000, true), "約13,300,000円");
        assert_eq!(yen(-500_000, false), "△500,000円");
        assert_eq!((yen_change(59_469), yen_change(-12_538)), ("+59,469円".to_string(), "△12,538円".to_string()));
        assert_eq!(percent(0.4251), "42.5%");
        assert_eq!(change(110, 100), "+10.0%");
        assert_eq!(change(90, 100), "−10.0%");
        assert_eq!(change(100, 100), "±0.0%");
        assert_eq!(change(5, 0), "—");
        assert_eq!(change_points(0.5, 0.45), "+5.0pt");
        assert_eq!(
            (change_of(Some(5), None), change_of(None, Some(5)), change_of(Some(6), Some(5))),
            ("—".into(), "—".into(), "+20.0%".into())
        );
        assert_eq!(
            (points_of(None, Some(0.5)), count_or_dash(None), yen_or_dash(Some(5), true)),
            ("—".into(), "—".into(), "約5円".into())
        );
    }
}
