//! Collapse checks: is the month just in far below what its own history led one to expect?
//! A server or link that went down, or a facility that stopped, shows as a month near zero,
//! not as a slow drift. The rule is research/forecast.md §4's: the month (or the part of it
//! the logs cover so far) under [`clean::OUTAGE_SHARE`] of its one-month-ahead forecast,
//! fitted on the outage-cleaned history, when it expects at least [`clean::MIN_LEVEL`] (fewer
//! is too few to tell a collapse from chance). On the seeded series it caught every collapse to
//! 0–10 % with no false alert, where "below the 99 % band" raised one in fifty normal months.

use super::{Error, clean, raw};

/// What the month was against what was expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    /// The one-month-ahead forecast, scaled to the share of the month covered.
    pub expected: f64,
    /// What came in.
    pub observed: f64,
    /// Whether the month collapsed.
    pub collapsed: bool,
}

/// Checks `observed`, counted over `covered` (0–1] of the month after `history`.
pub fn check(history: &[Option<f64>], observed: f64, covered: f64) -> Result<Check, Error> {
    let history = clean::trim_leading(history);
    let (y, _) = clean::clean(history);
    let f = raw(&y, 1)?;
    let expected = f.point[0].max(0.0) * covered.clamp(0.0, 1.0);
    let judged = expected >= clean::MIN_LEVEL;
    Ok(Check { expected, observed, collapsed: judged && observed < clean::OUTAGE_SHARE * expected })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history() -> Vec<Option<f64>> {
        (0..36).map(|i| Some(800.0 + 10.0 * i as f64 + 60.0 * ((i % 12) as f64 - 5.5).abs())).collect()
    }

    #[test]
    fn a_level_drop_is_flagged_and_an_ordinary_month_is_not() {
        let h = history();
        let normal = check(&h, 1100.0, 1.0).unwrap();
        assert!(!normal.collapsed, "{normal:?}");
        let down = check(&h, 40.0, 1.0).unwrap();
        assert!(down.collapsed, "{down:?}");
        assert!(down.expected > 900.0);
    }

    #[test]
    fn a_month_part_way_in_is_judged_on_the_part_covered() {
        // A third of the month in, a third of the usual count is normal.
        let h = history();
        assert!(!check(&h, 370.0, 1.0 / 3.0).unwrap().collapsed);
        assert!(check(&h, 20.0, 1.0 / 3.0).unwrap().collapsed);
    }

    #[test]
    fn a_series_of_a_few_a_month_is_not_judged() {
        let h: Vec<Option<f64>> = (0..36).map(|i| Some(5.0 + (i % 3) as f64)).collect();
        assert!(!check(&h, 0.0, 1.0).unwrap().collapsed);
    }

    #[test]
    fn a_short_history_cannot_be_checked() {
        assert_eq!(check(&history()[..20], 10.0, 1.0), Err(Error::TooShort { months: 20 }));
    }
}
