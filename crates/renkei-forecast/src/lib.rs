//! renkei's forecaster: a monthly series (views, image views) continued over the lease
//! with 80 % and 95 % bands, the way `../shared/research/forecast.md` measured it.
//!
//! The model is augurs' MSTL (period 12) with a non-seasonal AutoETS on the deseasonalised
//! series, the same as statsforecast's `MSTL(trend_forecaster=AutoETS("ZZN"))`. Before the
//! fit, outage months (known ones, given as missing, and any month under 30 % of its centred
//! 5-month median) are replaced by interpolation (`clean`). MSTL's bands leave out the
//! seasonal and decomposition uncertainty and cover too little, so each series' bands are
//! scaled by what its own history says (`calibrate`): forecast its last months from
//! before them and see how far outside the raw band they fell. `collapse` asks whether a
//! month just in is far below what the series led one to expect.
//!
//! Pure Rust and no DuckDB: `examples/referee.rs` builds in minutes for the benchmark.

pub mod calibrate;
pub mod clean;
pub mod collapse;

use augurs::ets::AutoETS;
use augurs::mstl::MSTLModel;
use augurs::{Fit, Predict};

/// Months in a seasonal cycle.
pub const PERIOD: usize = 12;
/// The shortest history that is forecast: two full cycles, so a seasonal profile can be
/// told from noise. Shorter series are reported as too short, never given a band.
pub const MIN_MONTHS: usize = 2 * PERIOD;

/// A band around the point forecast, one value per month ahead.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Nominal coverage (0.8, 0.95).
    pub level: f64,
    /// Lower edge (never below 0: counts are not negative).
    pub lower: Vec<f64>,
    /// Upper edge.
    pub upper: Vec<f64>,
    /// The factor the model's raw band was scaled by (1 = as it came; see [`calibrate`]).
    pub widened_by: f64,
}

/// A series continued `horizon` months past its last month.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The point forecast (never below 0).
    pub point: Vec<f64>,
    /// The 80 % band.
    pub b80: Band,
    /// The 95 % band.
    pub b95: Band,
    /// Months of the history (0 = first) replaced before the fit, as outages or gaps.
    pub cleaned: Vec<usize>,
    /// Whether the band was calibrated on the series' own back-test (too short a history
    /// keeps the raw width).
    pub calibrated: bool,
}

/// Why a series was not forecast.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Fewer months than [`MIN_MONTHS`].
    TooShort {
        /// Months the series has.
        months: usize,
    },
    /// The model could not be fitted (a message from augurs).
    Model(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::TooShort { months } => {
                write!(f, "{months} か月分しかなく、予測には {MIN_MONTHS} か月以上が要ります")
            }
            Error::Model(e) => write!(f, "予測モデルを当てはめられませんでした: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// The model's raw forecast of a clean series: point and the uncalibrated bands.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub point: Vec<f64>,
    pub half80: Vec<f64>,
    pub half95: Vec<f64>,
}

/// Fits MSTL + AutoETS on `y` (no gaps) and forecasts `horizon` months.
pub(crate) fn raw(y: &[f64], horizon: usize) -> Result<Raw, Error> {
    if y.len() < MIN_MONTHS {
        return Err(Error::TooShort { months: y.len() });
    }
    let model = MSTLModel::new(vec![PERIOD], AutoETS::non_seasonal().into_trend_model());
    let fit = model.fit(y).map_err(|e| Error::Model(e.to_string()))?;
    let half = |level: f64| -> Result<(Vec<f64>, Vec<f64>), Error> {
        let f = fit.predict(horizon, level).map_err(|e| Error::Model(e.to_string()))?;
        let iv = f.intervals.ok_or_else(|| Error::Model("区間が返りませんでした".into()))?;
        let half = iv.upper.iter().zip(&iv.lower).map(|(u, l)| ((u - l) / 2.0).max(0.0)).collect();
        Ok((f.point, half))
    };
    let (point, half80) = half(0.80)?;
    let (_, half95) = half(0.95)?;
    if point.iter().chain(&half80).chain(&half95).any(|v| !v.is_finite()) {
        return Err(Error::Model("予測値が有限になりませんでした".into()));
    }
    Ok(Raw { point, half80, half95 })
}

/// Forecasts `horizon` months after `history`. `None` months are gaps or known outages
/// (filled before the fit, never counted as 0); leading gaps are dropped, so a series that
/// began late is forecast from its own months only.
pub fn forecast(history: &[Option<f64>], horizon: usize) -> Result<Forecast, Error> {
    let history = clean::trim_leading(history);
    if history.len() < MIN_MONTHS {
        return Err(Error::TooShort { months: history.len() });
    }
    let (y, cleaned) = clean::clean(history);
    let raw = raw(&y, horizon)?;
    let widen = calibrate::factors(&y, horizon);
    let band = |level: f64, half: &[f64], k: f64| Band {
        level,
        lower: raw.point.iter().zip(half).map(|(p, h)| (p - k * h).max(0.0)).collect(),
        upper: raw.point.iter().zip(half).map(|(p, h)| (p + k * h).max(0.0)).collect(),
        widened_by: k,
    };
    let (k80, k95) = widen.unwrap_or((1.0, 1.0));
    Ok(Forecast {
        b80: band(0.80, &raw.half80, k80),
        b95: band(0.95, &raw.half95, k95),
        point: raw.point.iter().map(|p| p.max(0.0)).collect(),
        cleaned,
        calibrated: widen.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Winter high, August low: a profile like the networks' own.
    const PROFILE: [f64; 12] = [1.2, 1.1, 1.0, 0.95, 0.95, 1.0, 1.0, 0.88, 0.95, 1.0, 1.05, 1.15];

    #[test]
    fn a_pure_seasonal_series_is_continued_exactly() {
        let history: Vec<Option<f64>> = (0..48).map(|i| Some(1000.0 * PROFILE[i % 12])).collect();
        let f = forecast(&history, 24).unwrap();
        for (i, p) in f.point.iter().enumerate() {
            let want = 1000.0 * PROFILE[(48 + i) % 12];
            assert!((p - want).abs() < 0.5, "month {i}: {p} against {want}");
        }
        assert!(f.cleaned.is_empty());
    }

    #[test]
    fn a_series_under_two_years_is_too_short_and_leading_gaps_do_not_count() {
        let mut history: Vec<Option<f64>> = vec![None; 30];
        history.extend((0..23).map(|i| Some(100.0 + i as f64)));
        assert_eq!(forecast(&history, 12), Err(Error::TooShort { months: 23 }));
    }

    #[test]
    fn bands_nest_and_widen_with_the_horizon_on_a_noisy_series() {
        // A deterministic wobble stands in for noise.
        let history: Vec<Option<f64>> =
            (0..60).map(|i| Some(500.0 * PROFILE[i % 12] + 40.0 * ((i * 7) % 5) as f64 + 2.0 * i as f64)).collect();
        let f = forecast(&history, 60).unwrap();
        for i in 0..60 {
            assert!(f.b95.lower[i] <= f.b80.lower[i] && f.b80.lower[i] <= f.point[i]);
            assert!(f.point[i] <= f.b80.upper[i] && f.b80.upper[i] <= f.b95.upper[i]);
        }
        let width = |i: usize| f.b80.upper[i] - f.b80.lower[i];
        assert!(width(59) > width(0), "{} vs {}", width(59), width(0));
        assert!(f.b80.widened_by >= calibrate::FLOOR && f.calibrated);
    }
}
