//! Benchmark: the month's access-log review (`renkei::review::review`: every view
//! explained, eight rules, cases stored) against one bare DuckDB scan of the same events
//! (every access event: counts and distinct users and patients), in the same run on the
//! same store. Prints the median of each over N runs and their ratio. Used by
//! `bench/review_speed.sh`; not part of renkei.

use std::path::Path;
use std::time::Instant;

use renkei::config::Settings;
use renkei::domain::Month;
use renkei::store::Store;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (dir, month, runs) = match (args.next(), args.next(), args.next()) {
        (Some(d), Some(m), r) => (d, m, r.map_or(Ok(5), |r| r.parse())?),
        _ => anyhow::bail!("usage: review_bench DEMO_DIR YYYY-MM [RUNS]"),
    };
    let dir = Path::new(&dir);
    let settings = Settings::load(&dir.join("renkei.toml"), false, Some(dir))?;
    let month = Month::parse(&month).map_err(anyhow::Error::msg)?;
    let scan = || -> anyhow::Result<f64> {
        let config =
            duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly)?.enable_autoload_extension(false)?;
        let conn = duckdb::Connection::open_with_flags(settings.store_path(), config)?;
        let started = Instant::now();
        let n: i64 = conn.query_row(
            "SELECT count(*) + count(DISTINCT user_key) + count(DISTINCT patient_key) + count(DISTINCT facility_id)
             FROM access_events",
            [],
            |r| r.get(0),
        )?;
        assert!(n > 0);
        Ok(started.elapsed().as_secs_f64())
    };
    let review = || -> anyhow::Result<(f64, usize)> {
        let store = Store::open(&settings.store_path())?;
        let started = Instant::now();
        let r = renkei::review::review(&store, month, &settings.config.audit, renkei::clock::now_jst(), "bench")?;
        Ok((started.elapsed().as_secs_f64(), r.cases.len()))
    };
    scan()?;
    let (_, cases) = review()?;
    let (mut s, mut r) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        s.push(scan()?);
        r.push(review()?.0);
    }
    let events: i64 = Store::open_read_only(&settings.store_path())?
        .query("SELECT count(*) AS n FROM access_events", &[])?
        .get(0, "n")
        .as_i64()
        .unwrap_or(0);
    let (s, r) = (median(s), median(r));
    println!("events in store: {events}");
    println!("cases of {month}: {cases}");
    println!("bare scan of every event (median of {runs}): {:.3} s", s);
    println!("review of {month} (median of {runs}): {:.3} s", r);
    println!("ratio: {:.1}x", r / s);
    Ok(())
}
