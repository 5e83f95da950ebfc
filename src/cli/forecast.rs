//! `renkei forecast [--month M] [--months 60] [--hospital NAME]`: the network's and each
//! image-publishing hospital's views and image views continued past the month with 80 % and
//! 95 % bands (see `metrics::outlook`), the month's collapse alerts first. `--format`/`--out`
//! give every forecast month as csv, json or xlsx.

use std::process::ExitCode;

use super::args::ForecastArgs;
use super::output;
use crate::config::Settings;
use crate::domain::table::{Cell, Table};
use crate::error::Problem;
use crate::jobs;
use crate::metrics::outlook::{self, SeriesOutlook};
use crate::metrics::scenarios::Lease;
use crate::report::format::count;
use crate::store::Store;

/// Prints the forecasts (or writes them with `--format`/`--out`).
pub fn run(settings: &Settings, args: &ForecastArgs) -> anyhow::Result<ExitCode> {
    let month = match &args.month {
        Some(text) => jobs::parse_month(text)?,
        None => crate::clock::last_complete_month(),
    };
    if !(1..=120).contains(&args.months) {
        return Err(Problem::new("--months は 1〜120 で指定してください").value(args.months.to_string()).into());
    }
    let store = Store::open_read_only(&settings.store_path())?;
    let lease = Lease::current(&settings.config.scenarios);
    let o = outlook::outlook(&store, month, args.months, &[], &[], lease)?;
    let chosen: Vec<&SeriesOutlook> = match &args.hospital {
        None => o.series.iter().collect(),
        Some(name) => {
            let found: Vec<&SeriesOutlook> =
                o.series.iter().filter(|s| s.facility_id.is_some() && s.label == *name).collect();
            if found.is_empty() {
                let known: std::collections::BTreeSet<&str> =
                    o.series.iter().filter(|s| s.facility_id.is_some()).map(|s| s.label.as_str()).collect();
                let known: Vec<&str> = known.into_iter().collect();
                return Err(Problem::new(format!("画像を公開している病院に「{name}」はありません"))
                    .hint(format!(
                        "名簿の施設名で指定してください（画像公開中: {}）",
                        if known.is_empty() { "なし".into() } else { known.join("、") }
                    ))
                    .into());
            }
            found
        }
    };
    if args.output.format.is_some() || args.output.out.is_some() {
        output::emit(settings, &table(&chosen), &args.output, "renkei forecast")?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}までの実績からの予測（{} か月先まで、80%・95%の幅）", month.label_ja(), args.months);
    for c in &o.collapses {
        println!(
            "急減: {}の{}が{}は{}件（予測 {}件）。サーバーや回線の停止、施設の利用中止がないか確かめてください。",
            c.label,
            c.measure.label_ja(),
            c.month.label_ja(),
            count(c.observed),
            count(c.expected.round() as i64)
        );
    }
    for s in chosen {
        println!();
        let mut head = format!("■ {}の{}", s.label, s.measure.label_ja());
        if s.joined_recently {
            head.push_str(&format!("（{}からの月だけで予測）", s.began.map(|b| b.label_ja()).unwrap_or_default()));
        }
        println!("{head}");
        let f = match &s.forecast {
            Ok(f) => f,
            Err(e) => {
                println!("予測していません: {e}。");
                continue;
            }
        };
        if !s.cleaned.is_empty() {
            let months: Vec<String> = s.cleaned.iter().map(|m| m.label_ja()).collect();
            println!("当てはめから除いた月: {}", months.join("、"));
        }
        if !f.calibrated {
            println!("履歴が短く、幅は過去での確かめをしていない素の幅です（狭めに出ます）。");
        }
        let headers = ["年度", "見込み", "80%の幅", "95%の幅"].map(String::from);
        // Each fiscal year from the report month's to the last the forecast reaches: the
        // observed months as they were plus the forecast ones (SeriesOutlook::yearly).
        let first = month.fiscal_year().year();
        let end = s.month_ahead(f.point.len().saturating_sub(1)).map_or(first, |m| m.fiscal_year().year());
        let mut rows = Vec::new();
        for y in (first..=end).map(crate::domain::FiscalYear::new) {
            let total = |v: f64| count(v.round() as i64);
            match s.yearly(y) {
                Some(t) => {
                    let part = if t.forecast_months < 12 {
                        format!("（実績 {} か月＋予測 {} か月）", 12 - t.forecast_months, t.forecast_months)
                    } else {
                        String::new()
                    };
                    rows.push(vec![
                        format!("{}{part}", y.label_ja()),
                        total(t.point),
                        format!("{}〜{}", total(t.lo80), total(t.hi80)),
                        format!("{}〜{}", total(t.lo95), total(t.hi95)),
                    ]);
                }
                None => {
                    // Missing, not partial: the year's total needs every one of its months.
                    let reached =
                        (0..f.point.len()).filter(|i| s.month_ahead(*i).is_some_and(|m| m.fiscal_year() == y)).count();
                    let why = if y.year() == end && reached < 12 {
                        format!("（予測は {reached} か月分まで）")
                    } else {
                        "（データのない月があります）".to_string()
                    };
                    rows.push(vec![format!("{}{why}", y.label_ja()), "—".into(), "—".into(), "—".into()]);
                }
            }
        }
        print!("{}", output::table(&headers, &rows, &[false, true, true, true]));
    }
    println!();
    println!("{}", crate::report::board::FORECAST_METHOD);
    Ok(ExitCode::SUCCESS)
}

/// Every forecast month of `series` as one table.
fn table(series: &[&SeriesOutlook]) -> Table {
    let columns = ["series", "facility_id", "measure", "month", "point", "lo80", "hi80", "lo95", "hi95"];
    let mut rows = Vec::new();
    for s in series {
        let Ok(f) = &s.forecast else { continue };
        for i in 0..f.point.len() {
            let Some(m) = s.month_ahead(i) else { continue };
            rows.push(vec![
                Cell::Text(s.label.clone()),
                s.facility_id.map_or(Cell::Null, Cell::Int),
                Cell::Text(s.measure.code().into()),
                Cell::Date(m.first_day()),
                Cell::Float(f.point[i]),
                Cell::Float(f.b80.lower[i]),
                Cell::Float(f.b80.upper[i]),
                Cell::Float(f.b95.lower[i]),
                Cell::Float(f.b95.upper[i]),
            ]);
        }
    }
    Table { columns: columns.map(String::from).to_vec(), rows }
}
