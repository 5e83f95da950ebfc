//! The outlook over the lease (見通し): the network's and each image-publishing hospital's
//! monthly views and image views forecast past the report month with calibrated 80 %/95 %
//! bands (`renkei-forecast`), collapse checks on the report month, and cost per view over
//! the lease's fiscal years for each renewal scenario and each image server.
//!
//! The series come from `queries/metrics/monthly_series.sql`; the costs are the scenarios and
//! the image-server rows the board report already computed, passed in, never recomputed.
//! Months recorded in `collapse_alerts` are known outages: kept out of every fit.

use std::collections::{BTreeMap, HashSet};

use renkei_forecast::{Error as FitError, Forecast};

use super::rows::{ImageServerValue, SeriesKind, SeriesMonth};
use super::scenarios::{Lease, Outcome};
use super::{Param, fetch};
use crate::domain::{FiscalYear, Month};
use crate::store::Store;

/// Months forecast unless asked otherwise: the five years of a lease.
pub const DEFAULT_HORIZON: usize = 60;
/// How far back the history reaches (the forecaster drops the months before a series began).
const HISTORY_MONTHS: i32 = 120;

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    /// Views.
    Views,
    /// Image views.
    ImageViews,
}

impl Measure {
    /// The name stored in `collapse_alerts` and printed by `--format csv`.
    pub fn code(self) -> &'static str {
        match self {
            Measure::Views => "views",
            Measure::ImageViews => "image_views",
        }
    }
    /// 閲覧 / 画像閲覧.
    pub fn label_ja(self) -> &'static str {
        match self {
            Measure::Views => "閲覧",
            Measure::ImageViews => "画像閲覧",
        }
    }
}

/// One series: its months and its forecast (or why there is none).
#[derive(Debug, Clone)]
pub struct SeriesOutlook {
    /// ネットワーク全体, or the hospital's name.
    pub label: String,
    /// The hospital's facility number (`None` for the network).
    pub facility_id: Option<i64>,
    /// What is counted.
    pub measure: Measure,
    /// The first month with data (the forecast is fitted from here).
    pub began: Option<Month>,
    /// Began later than the network's log: forecast from its own months only.
    pub joined_recently: bool,
    /// The months up to the report month (`None`: no log, not joined, or a known outage).
    pub history: Vec<(Month, Option<f64>)>,
    /// Months kept out of the fit: known outages, gaps and months the cleaning replaced.
    pub cleaned: Vec<Month>,
    /// The forecast, from the month after the report month.
    pub forecast: Result<Forecast, FitError>,
}

impl SeriesOutlook {
    /// The last month of the history (the report month).
    fn last(&self) -> Option<Month> {
        self.history.last().map(|(m, _)| *m)
    }

    /// The forecast's month `i` (0 = the month after the report month).
    pub fn month_ahead(&self, i: usize) -> Option<Month> {
        self.last().map(|m| m.plus(i as i32 + 1))
    }

    /// The fiscal year's total: observed months as they were (no band), forecast months with
    /// their band edges added (the months' errors are taken to move together: the wider,
    /// honest sum). `None` when a month has no data or lies past the forecast.
    pub fn yearly(&self, fy: FiscalYear) -> Option<Yearly> {
        let f = self.forecast.as_ref().ok()?;
        let last = self.last()?;
        let mut y =
            Yearly { fiscal_year: fy, point: 0.0, lo80: 0.0, hi80: 0.0, lo95: 0.0, hi95: 0.0, forecast_months: 0 };
        for m in fy.first_month().through(fy.last_month()) {
            if m <= last {
                let v = self.history.iter().find(|(o, _)| *o == m)?.1?;
                y.point += v;
                y.lo80 += v;
                y.hi80 += v;
                y.lo95 += v;
                y.hi95 += v;
            } else {
                let i = ((m.year() - last.year()) * 12 + m.month() as i32 - last.month() as i32 - 1) as usize;
                y.point += f.point.get(i)?;
                y.lo80 += f.b80.lower.get(i)?;
                y.hi80 += f.b80.upper.get(i)?;
                y.lo95 += f.b95.lower.get(i)?;
                y.hi95 += f.b95.upper.get(i)?;
                y.forecast_months += 1;
            }
        }
        Some(y)
    }

    /// [`SeriesOutlook::yearly`] for each of `years` the forecast reaches, in order.
    pub fn yearly_over(&self, years: &[FiscalYear]) -> Vec<Yearly> {
        years.iter().filter_map(|fy| self.yearly(*fy)).collect()
    }
}

/// A month that fell far below its forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Collapse {
    /// ネットワーク全体, or the hospital.
    pub label: String,
    /// The hospital's facility number.
    pub facility_id: Option<i64>,
    /// What fell.
    pub measure: Measure,
    /// The month.
    pub month: Month,
    /// What came in.
    pub observed: i64,
    /// What the forecast expected for the part of the month covered.
    pub expected: f64,
    /// The share of the month the log covers.
    pub covered: f64,
}

impl Collapse {
    /// The key `collapse_alerts` stores the series under.
    pub fn series_key(&self) -> String {
        series_key(self.facility_id, self.measure)
    }
}

fn series_key(facility_id: Option<i64>, measure: Measure) -> String {
    match facility_id {
        None => format!("network:{}", measure.code()),
        Some(id) => format!("hospital:{id}:{}", measure.code()),
    }
}

/// A total over one fiscal year: observed months as they were, forecast months with bands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Yearly {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// The point total.
    pub point: f64,
    /// The 80 % band of the total.
    pub lo80: f64,
    /// The 80 % band of the total.
    pub hi80: f64,
    /// The 95 % band of the total.
    pub lo95: f64,
    /// The 95 % band of the total.
    pub hi95: f64,
    /// How many of its months are forecast (the rest were observed).
    pub forecast_months: u32,
}

/// Cost per view over the lease for one scenario or one image server.
#[derive(Debug, Clone)]
pub struct PerView {
    /// The scenario or the hospital.
    pub name: String,
    /// The yearly cost divided (円 per year).
    pub annual_cost_yen: i64,
    /// Views per lease year (`None`: the forecast does not reach that year, or failed).
    pub years: Vec<(FiscalYear, Option<Yearly>)>,
    /// Why there is no figure, when there is none.
    pub problem: Option<String>,
}

/// Yen per view: (point, low, high) of the 80 % band; high is `None` when the band's
/// low edge reaches 0 views (no upper limit).
pub type YenBand = (f64, f64, Option<f64>);

impl PerView {
    /// Cost ÷ views for a year's total.
    pub fn yen(&self, y: &Yearly) -> Option<YenBand> {
        per(self.annual_cost_yen as f64, y.point, y.lo80, y.hi80)
    }
    /// The whole lease: total cost ÷ total views, when every year is forecast.
    pub fn over_lease(&self) -> Option<YenBand> {
        let years: Option<Vec<Yearly>> = self.years.iter().map(|(_, y)| *y).collect();
        let years = years?;
        let sum = |f: fn(&Yearly) -> f64| years.iter().map(f).sum::<f64>();
        let cost = self.annual_cost_yen as f64 * years.len() as f64;
        per(cost, sum(|y| y.point), sum(|y| y.lo80), sum(|y| y.hi80))
    }
}

fn per(cost: f64, point: f64, lo: f64, hi: f64) -> Option<YenBand> {
    (point > 0.0).then(|| (cost / point, cost / hi.max(point), (lo > 0.0).then(|| cost / lo)))
}

/// Everything the outlook shows for one report month.
#[derive(Debug, Clone)]
pub struct Outlook {
    /// The report month (the last month of history).
    pub month: Month,
    /// Months forecast.
    pub horizon: usize,
    /// The lease's fiscal years (from the quotes' year, for the lease's term).
    pub lease_years: Vec<FiscalYear>,
    /// Network first, then each hospital; views then image views.
    pub series: Vec<SeriesOutlook>,
    /// Series whose report month collapsed.
    pub collapses: Vec<Collapse>,
    /// Each scenario's annual cost ÷ the forecast views it keeps.
    pub scenarios: Vec<PerView>,
    /// Each image server's extra annual cost ÷ its forecast image views, dearest first.
    pub hospitals: Vec<PerView>,
}

impl Outlook {
    /// The series of `facility_id` (`None`: the network) counting `measure`.
    pub fn find(&self, facility_id: Option<i64>, measure: Measure) -> Option<&SeriesOutlook> {
        self.series.iter().find(|s| s.facility_id == facility_id && s.measure == measure)
    }
}

/// The months `collapse_alerts` holds, as series keys.
fn known_outages(store: &Store) -> anyhow::Result<HashSet<(String, Month)>> {
    let t = store.query("SELECT series_key, month FROM collapse_alerts", &[])?;
    let mut out = HashSet::new();
    for row in &t.rows {
        if let (Some(key), Some(month)) = (row[0].as_str(), row[1].as_date()) {
            out.insert((key.to_string(), Month::of(month)));
        }
    }
    Ok(out)
}

/// Each series' (facility number, label) with its months.
type Grouped = Vec<((Option<i64>, String), Vec<SeriesMonth>)>;

/// The monthly series up to `month` (the network first, then hospitals by name).
fn series(store: &Store, month: Month) -> anyhow::Result<Grouped> {
    let rows: Vec<SeriesMonth> = fetch(
        store,
        &[("from_month", Param::Month(month.plus(-(HISTORY_MONTHS - 1)))), ("to_month", Param::Month(month))],
    )?;
    let mut grouped: BTreeMap<(bool, Option<String>, Option<i64>), Vec<SeriesMonth>> = BTreeMap::new();
    for r in rows {
        grouped.entry((r.series == SeriesKind::Hospital, r.name.clone(), r.facility_id)).or_default().push(r);
    }
    Ok(grouped
        .into_iter()
        .map(|((_, name, id), rows)| ((id, name.unwrap_or_else(|| "ネットワーク全体".into())), rows))
        .collect())
}

/// Computes the outlook for `month`: forecasts `horizon` months, checks the report month for
/// collapses, and divides the scenarios' and image servers' costs by the forecast views.
pub fn outlook(
    store: &Store,
    month: Month,
    horizon: usize,
    scenarios: &[Outcome],
    image_value: &[ImageServerValue],
    lease: Lease,
) -> anyhow::Result<Outlook> {
    let known = known_outages(store)?;
    let groups = series(store, month)?;
    let network_began = groups.first().and_then(|(_, rows)| rows.iter().find(|r| r.views.is_some()).map(|r| r.month));
    let mut out = Vec::new();
    let mut collapses = Vec::new();
    for ((facility_id, label), rows) in &groups {
        for measure in [Measure::Views, Measure::ImageViews] {
            let key = series_key(*facility_id, measure);
            let value = |r: &SeriesMonth| match measure {
                Measure::Views => r.views,
                Measure::ImageViews => r.image_views,
            };
            let mut history: Vec<(Month, Option<f64>)> = rows
                .iter()
                .map(|r| (r.month, value(r).filter(|_| !known.contains(&(key.clone(), r.month))).map(|v| v as f64)))
                .collect();
            if let Some(last) = rows.last().filter(|r| r.month == month)
                && let (Some(observed), Some(covered)) = (value(last), last.covered_share)
            {
                let before: Vec<Option<f64>> = history[..history.len() - 1].iter().map(|(_, v)| *v).collect();
                if let Ok(c) = renkei_forecast::collapse::check(&before, observed as f64, covered)
                    && c.collapsed
                {
                    collapses.push(Collapse {
                        label: label.clone(),
                        facility_id: *facility_id,
                        measure,
                        month,
                        observed,
                        expected: c.expected,
                        covered,
                    });
                    // The collapsed month is an outage: kept out of the fit.
                    if let Some(h) = history.last_mut() {
                        h.1 = None;
                    }
                }
            }
            let values: Vec<Option<f64>> = history.iter().map(|(_, v)| *v).collect();
            let forecast = renkei_forecast::forecast(&values, horizon);
            let began = rows.iter().find(|r| value(r).is_some()).map(|r| r.month);
            let skipped = values.iter().position(Option::is_some).unwrap_or(values.len());
            let cleaned = match &forecast {
                Ok(f) => f.cleaned.iter().map(|i| history[skipped + i].0).collect(),
                Err(_) => Vec::new(),
            };
            out.push(SeriesOutlook {
                label: label.clone(),
                facility_id: *facility_id,
                measure,
                began,
                joined_recently: facility_id.is_some() && began.zip(network_began).is_some_and(|(b, n)| b > n),
                history,
                cleaned,
                forecast,
            });
        }
    }
    let first_fy = image_value
        .iter()
        .find_map(|r| r.quote_fiscal_year)
        .map_or_else(|| FiscalYear::new(month.fiscal_year().year() + 1), |y| FiscalYear::new(y as i32));
    let lease_years: Vec<FiscalYear> = (0..lease.years as i32).map(|i| FiscalYear::new(first_fy.year() + i)).collect();

    let scenarios = scenarios
        .iter()
        .map(|s| {
            let kept = kept_views(&out, &s.name, &s.dropped, horizon);
            per_view(&s.name, s.annual_cost_yen, kept.as_ref().map_err(Clone::clone), &lease_years)
        })
        .collect();
    let mut hospitals: Vec<PerView> = image_value
        .iter()
        .filter_map(|r| {
            let extra = r.extra_annual_yen?;
            let s = out.iter().find(|s| s.facility_id == Some(r.facility_id) && s.measure == Measure::ImageViews)?;
            Some(per_view(&r.name, extra, Ok(s), &lease_years))
        })
        .collect();
    let dearest = |p: &PerView| p.over_lease().map_or(f64::NEG_INFINITY, |y| y.0);
    hospitals.sort_by(|a, b| dearest(b).total_cmp(&dearest(a)));
    Ok(Outlook { month, horizon, lease_years, series: out, collapses, scenarios, hospitals })
}

/// The network's views less the dropped hospitals' image views, fitted as a series of its own.
fn kept_views(all: &[SeriesOutlook], name: &str, dropped: &[String], horizon: usize) -> Result<SeriesOutlook, String> {
    let network = all
        .iter()
        .find(|s| s.facility_id.is_none() && s.measure == Measure::Views)
        .ok_or_else(|| "ネットワーク全体の系列がありません".to_string())?;
    if dropped.is_empty() {
        return Ok(network.clone());
    }
    let lost: Vec<&SeriesOutlook> =
        all.iter().filter(|s| s.measure == Measure::ImageViews && dropped.contains(&s.label)).collect();
    let history: Vec<(Month, Option<f64>)> = network
        .history
        .iter()
        .enumerate()
        .map(|(i, (m, v))| {
            let less: f64 = lost.iter().map(|s| s.history[i].1.unwrap_or(0.0)).sum();
            (*m, v.map(|v| (v - less).max(0.0)))
        })
        .collect();
    let values: Vec<Option<f64>> = history.iter().map(|(_, v)| *v).collect();
    Ok(SeriesOutlook {
        label: name.to_string(),
        facility_id: None,
        measure: Measure::Views,
        began: network.began,
        joined_recently: false,
        history,
        cleaned: Vec::new(),
        forecast: renkei_forecast::forecast(&values, horizon),
    })
}

fn per_view(
    name: &str,
    annual_cost_yen: i64,
    series: Result<&SeriesOutlook, String>,
    lease_years: &[FiscalYear],
) -> PerView {
    let series = series.and_then(|s| match &s.forecast {
        Ok(_) => Ok(s),
        Err(e) => Err(format!("{}の{}: {e}", s.label, s.measure.label_ja())),
    });
    let (years, problem) = match series {
        Ok(s) => (lease_years.iter().map(|fy| (*fy, s.yearly(*fy))).collect(), None),
        Err(e) => (lease_years.iter().map(|fy| (*fy, None)).collect(), Some(e)),
    };
    PerView { name: name.to_string(), annual_cost_yen, years, problem }
}
