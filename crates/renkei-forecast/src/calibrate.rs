//! Band calibration on the series' own history (research/forecast.md §3.4). MSTL's band is
//! the trend model's alone: it leaves out the seasonal and decomposition uncertainty and
//! covers too little (M3: 71 % for a nominal 80 %). So the series is cut at a few points of
//! its past, each cut forecast [`BACKTEST_MONTHS`] ahead, and the band scaled by the factor
//! that would have made that many of the held-back months fall inside it: the 80 % quantile
//! of |error| ÷ half-width for the 80 % band, the 95 % one for the 95 % band, each with the
//! split-conformal finite-sample correction (a few dozen back-test months understate a 95 %
//! quantile). The factor may narrow a band that the back-test found too wide, but not below
//! [`FLOOR`] (one calm stretch must not shrink a band to nothing). A history with no cut
//! that leaves [`MIN_FIT_MONTHS`] to fit keeps the raw band.
//!
//! The choices were made on `bench/forecast_accuracy.sh` (bench/README.md): a floor of 1
//! over-covered Tourism's 80 % band (0.870) and no correction under-covered M3's 95 % (0.891).

use super::{PERIOD, raw};

/// Months forecast from each cut.
pub const BACKTEST_MONTHS: usize = 18;
/// Months a cut must leave before it to fit on.
pub const MIN_FIT_MONTHS: usize = 3 * PERIOD;
/// Cuts tried, six months apart, newest first.
pub const CUTS: usize = 3;
/// Months between cuts.
const CUT_STEP: usize = 6;
/// The least a factor may be.
pub const FLOOR: f64 = 0.5;

/// The (80 %, 95 %) widening factors for `y` (no gaps), or `None` when no cut leaves
/// enough months to fit on.
pub fn factors(y: &[f64], horizon: usize) -> Option<(f64, f64)> {
    let steps = BACKTEST_MONTHS.min(horizon).max(1);
    let mut r80 = Vec::new();
    let mut r95 = Vec::new();
    for cut in 0..CUTS {
        let Some(origin) = y.len().checked_sub(steps + cut * CUT_STEP) else { break };
        if origin < MIN_FIT_MONTHS {
            break;
        }
        let Ok(f) = raw(&y[..origin], steps) else { continue };
        for (i, actual) in y[origin..origin + steps].iter().enumerate() {
            let e = (actual - f.point[i]).abs();
            r80.push(ratio(e, f.half80[i]));
            r95.push(ratio(e, f.half95[i]));
        }
    }
    if r80.is_empty() {
        return None;
    }
    Some((conformal(&mut r80, 0.80).max(FLOOR), conformal(&mut r95, 0.95).max(FLOOR)))
}

/// |error| ÷ half-width; a zero-width band with an error is infinitely too narrow, capped so
/// that one exact-fit stretch cannot blow a band up without bound.
fn ratio(error: f64, half: f64) -> f64 {
    const CAP: f64 = 10.0;
    if half > 0.0 {
        (error / half).min(CAP)
    } else if error > 0.0 {
        CAP
    } else {
        0.0
    }
}

/// The `level` quantile of `v` with the split-conformal finite-sample correction: level
/// ⌈(n + 1)·level⌉ ÷ n, so a short back-test does not understate the width.
fn conformal(v: &mut [f64], level: f64) -> f64 {
    let n = v.len() as f64;
    quantile(v, (((n + 1.0) * level).ceil() / n).min(1.0))
}

/// The `q` quantile of `v` (linear between order statistics, as numpy's default).
fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        assert_eq!(quantile(&mut [3.0, 1.0, 2.0, 4.0, 5.0], 0.5), 3.0);
        assert!((quantile(&mut [0.0, 10.0], 0.8) - 8.0).abs() < 1e-12);
    }

    #[test]
    fn a_history_too_short_to_cut_keeps_the_raw_band() {
        let y: Vec<f64> = (0..MIN_FIT_MONTHS + BACKTEST_MONTHS - 1).map(|i| 100.0 + i as f64).collect();
        assert_eq!(factors(&y, 60), None);
    }
}
