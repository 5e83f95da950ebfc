//! Benchmark: the board report (every metric computed, then HTML, text, PNG charts and the
//! xlsx rendered) against the bare SQL it runs: the same `queries/metrics/*.sql` with the
//! same parameters on a plain DuckDB connection, rows stepped through and dropped. Prints
//! the median of each over N runs and their ratio. Used by `bench/board_report.sh`; not
//! part of renkei.

use std::path::Path;
use std::time::Instant;

use duckdb::types::Value;
use renkei::config::Settings;
use renkei::domain::Month;
use renkei::metrics;
use renkei::store::{Store, date_value};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (dir, month, runs) = match (args.next(), args.next(), args.next()) {
        (Some(d), Some(m), r) => (d, m, r.map_or(Ok(5), |r| r.parse())?),
        _ => anyhow::bail!("usage: board_bench DEMO_DIR YYYY-MM [RUNS]"),
    };
    let dir = Path::new(&dir);
    let settings = Settings::load(&dir.join("renkei.toml"), true, Some(dir))?;
    let month = Month::parse(&month).map_err(anyhow::Error::msg)?;
    let lease = metrics::scenarios::Lease::current(&settings.config.scenarios);
    let value = |name: &str| -> Value {
        match name {
            "month" | "to_month" => date_value(month.first_day()),
            "from_month" => date_value(month.plus(-12).first_day()),
            "fiscal_year" => Value::Int(month.fiscal_year().year()),
            "lease_years" => Value::BigInt(i64::from(lease.years)),
            "lease_factor" => Value::Double(lease.factor),
            "threshold_yen" => Value::BigInt(settings.config.report.threshold_yen_per_view),
            other => panic!("no value for ${other}"),
        }
    };
    let board_queries: Vec<_> = metrics::CATALOG.iter().filter(|q| q.name != "monthly_coverage").collect();

    let bare = || -> anyhow::Result<f64> {
        let config =
            duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly)?.enable_autoload_extension(false)?;
        let conn = duckdb::Connection::open_with_flags(settings.store_path(), config)?;
        let started = Instant::now();
        let mut rows = 0usize;
        for q in &board_queries {
            let mut stmt = conn.prepare(q.sql)?;
            for i in 1..=stmt.parameter_count() {
                stmt.raw_bind_parameter(i, value(&stmt.parameter_name(i)?))?;
            }
            stmt.raw_execute()?;
            let mut result = stmt.raw_query();
            while result.next()?.is_some() {
                rows += 1;
            }
        }
        assert!(rows > 0);
        Ok(started.elapsed().as_secs_f64())
    };
    let renkei = || -> anyhow::Result<f64> {
        let store = Store::open_read_only(&settings.store_path())?;
        let started = Instant::now();
        let rendered = renkei::jobs::render_board(&store, &settings, month)?;
        assert!(!rendered.attachments.is_empty());
        Ok(started.elapsed().as_secs_f64())
    };
    bare()?;
    renkei()?;
    let (mut b, mut r) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        b.push(bare()?);
        r.push(renkei()?);
    }
    let events: i64 = Store::open_read_only(&settings.store_path())?
        .query("SELECT count(*) AS n FROM access_events", &[])?
        .get(0, "n")
        .as_i64()
        .unwrap_or(0);
    let (b, r) = (median(b), median(r));
    println!(
        "access_events {events}  bare SQL {b:.3} s  renkei report {r:.3} s  ratio {:.2}×  (median of {runs})",
        r / b
    );
    Ok(())
}
