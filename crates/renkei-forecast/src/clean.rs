//! Outage cleaning: a month when a server or link was down is not a month of low demand,
//! and left in the history it drags the trend down and widens every band. Known outages and
//! gaps come in as `None`; any other month under [`OUTAGE_SHARE`] of the median of the five
//! months centred on it is taken for one too, when that median is at least [`MIN_LEVEL`]. Both are replaced by straight-line
//! interpolation between the nearest clean months (research/forecast.md §3.3: this alone
//! gave the best MASE on the seeded series; a log transform made outages worse).

/// A month under this share of its centred 5-month median is an outage.
pub const OUTAGE_SHARE: f64 = 0.3;
/// Below this many a month, a drop to 30 % is within chance (a Poisson count of 5 is 1 or
/// less one time in twenty-five), so neither the cleaning nor the collapse check judges it:
/// at 20, 5 or fewer happens about once in five thousand months.
pub const MIN_LEVEL: f64 = 20.0;
/// Months in the centred window (two either side).
const WINDOW: usize = 5;

/// `history` without its leading gaps (months before the series began).
pub fn trim_leading(history: &[Option<f64>]) -> &[Option<f64>] {
    let start = history.iter().position(Option::is_some).unwrap_or(history.len());
    &history[start..]
}

/// The series with outages and gaps interpolated, and the indices replaced.
pub fn clean(history: &[Option<f64>]) -> (Vec<f64>, Vec<usize>) {
    let n = history.len();
    let mut out_of_fit: Vec<bool> = history.iter().map(Option::is_none).collect();
    for i in 0..n {
        let Some(v) = history[i] else { continue };
        let lo = i.saturating_sub(WINDOW / 2);
        let hi = (i + WINDOW / 2 + 1).min(n);
        let mut near: Vec<f64> = history[lo..hi].iter().flatten().copied().collect();
        near.sort_by(f64::total_cmp);
        let median = near[near.len() / 2];
        if median >= MIN_LEVEL && v < OUTAGE_SHARE * median {
            out_of_fit[i] = true;
        }
    }
    let cleaned: Vec<usize> = (0..n).filter(|&i| out_of_fit[i]).collect();
    let good: Vec<(usize, f64)> =
        (0..n).filter(|&i| !out_of_fit[i]).filter_map(|i| history[i].map(|v| (i, v))).collect();
    let y = (0..n)
        .map(|i| match history[i] {
            Some(v) if !out_of_fit[i] => v,
            _ => interpolate(&good, i),
        })
        .collect();
    (y, cleaned)
}

/// The straight line between the clean months either side of `i` (the nearest one's value
/// at either end; 0 when no month is clean).
fn interpolate(good: &[(usize, f64)], i: usize) -> f64 {
    let after = good.partition_point(|(j, _)| *j < i);
    match (after.checked_sub(1).map(|b| good[b]), good.get(after)) {
        (Some((a, va)), Some(&(b, vb))) => va + (vb - va) * (i - a) as f64 / (b - a) as f64,
        (Some((_, v)), None) | (None, Some(&(_, v))) => v,
        (None, None) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_month_is_replaced_by_the_line_between_its_neighbours() {
        let h = [Some(100.0), Some(110.0), Some(120.0), Some(3.0), Some(140.0), Some(150.0), Some(160.0)];
        let (y, cleaned) = clean(&h);
        assert_eq!(cleaned, vec![3]);
        assert_eq!(y, vec![100.0, 110.0, 120.0, 130.0, 140.0, 150.0, 160.0]);
    }

    #[test]
    fn a_known_outage_and_a_gap_are_filled_and_an_ordinary_dip_is_kept() {
        // Month 2 is a known outage (None); month 5 is a summer dip to 80 %, not an outage.
        let h = [Some(100.0), Some(100.0), None, Some(100.0), Some(100.0), Some(80.0), Some(100.0)];
        let (y, cleaned) = clean(&h);
        assert_eq!(cleaned, vec![2]);
        assert_eq!(y, vec![100.0, 100.0, 100.0, 100.0, 100.0, 80.0, 100.0]);
    }

    #[test]
    fn an_outage_at_either_end_takes_the_nearest_clean_month() {
        let h = [Some(0.0), Some(200.0), Some(210.0), Some(220.0), Some(5.0)];
        let (y, cleaned) = clean(&h);
        assert_eq!(cleaned, vec![0, 4]);
        assert_eq!(y, vec![200.0, 200.0, 210.0, 220.0, 220.0]);
    }

    #[test]
    fn a_small_count_falling_is_chance_not_an_outage() {
        let h = [Some(6.0), Some(5.0), Some(1.0), Some(6.0), Some(4.0)];
        assert!(clean(&h).1.is_empty());
    }

    #[test]
    fn leading_gaps_are_months_before_the_series_began() {
        let h = [None, None, Some(1.0), None, Some(2.0)];
        assert_eq!(trim_leading(&h), &h[2..]);
        assert!(trim_leading(&[None, None]).is_empty());
    }
}
