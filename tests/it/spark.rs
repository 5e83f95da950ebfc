//! The metric queries on Spark (issue 20, first step): `scale/spark/renkei_spark.py` over the
//! demo's lake gives, for every query the lake can answer, the same rows as renkei's DuckDB
//! store, cell for cell (counts and money exact, ratios to 1e-9). A query added to
//! `queries/metrics/` that Spark cannot run fails here. Needs a JRE, pyspark and sqlglot;
//! `.ci/run` installs them. One network only so far: the three-network lake, the national
//! comparison against the per-network figures and the benchmark are still to come.

use std::process::Command;

use duckdb::types::Value;
use renkei::config::Settings;
use renkei::domain::table::Cell;
use renkei::domain::{FiscalYear, Month};
use renkei::metrics::{self, Param};
use renkei::store::Store;

use crate::support::demo;

/// A value as both engines can be compared on.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Norm {
    Null,
    Num(f64),
    Text(String),
}

fn from_cell(c: &Cell) -> Norm {
    match c {
        Cell::Null => Norm::Null,
        Cell::Bool(b) => Norm::Text(b.to_string()),
        Cell::Int(i) => Norm::Num(*i as f64),
        Cell::Float(f) => Norm::Num(*f),
        Cell::Text(t) => Norm::Text(t.clone()),
        Cell::Date(d) => Norm::Text(d.to_string()),
        Cell::Timestamp(t) => Norm::Text(t.to_string()),
    }
}

fn from_value(v: Value) -> Norm {
    match v {
        Value::Null => Norm::Null,
        Value::Boolean(b) => Norm::Text(b.to_string()),
        Value::TinyInt(i) => Norm::Num(i.into()),
        Value::SmallInt(i) => Norm::Num(i.into()),
        Value::Int(i) => Norm::Num(i.into()),
        Value::BigInt(i) => Norm::Num(i as f64),
        Value::HugeInt(i) => Norm::Num(i as f64),
        Value::Float(f) => Norm::Num(f.into()),
        Value::Double(f) => Norm::Num(f),
        Value::Decimal(d) => Norm::Num(d.to_string().parse().unwrap()),
        Value::Text(t) => Norm::Text(t),
        Value::Date32(days) => Norm::Text(
            (chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days.into())).to_string(),
        ),
        other => Norm::Text(format!("{other:?}")),
    }
}

fn same(a: &Norm, b: &Norm) -> bool {
    match (a, b) {
        (Norm::Num(x), Norm::Num(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
        _ => a == b,
    }
}

fn sorted(mut rows: Vec<Vec<Norm>>) -> Vec<Vec<Norm>> {
    rows.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    rows
}

fn spark_ready() {
    let have = Command::new("python3").args(["-c", "import pyspark, sqlglot"]).output();
    let java = Command::new("java").arg("-version").output();
    assert!(
        have.is_ok_and(|o| o.status.success()) && java.is_ok_and(|o| o.status.success()),
        "the Spark test needs a JRE, pyspark and sqlglot for python3: run .ci/run, or install \
         default-jre-headless and python3 -m pip install pyspark==4.3.0 sqlglot==30.30.0"
    );
}

#[test]
fn every_metric_query_gives_the_same_rows_on_spark_over_the_lake_as_on_the_store() {
    spark_ready();
    let w = demo();
    let out = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scale/spark/renkei_spark.py");
    let run = Command::new("python3")
        .arg(script)
        .args(["--lake", w.join("lake").to_str().unwrap(), "--month", "2026-03", "--out"])
        .arg(out.path())
        .arg("--config")
        .arg(w.join("renkei.toml"))
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .output()
        .expect("run the Spark job");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the Spark job failed:\n{stderr}");

    // The parameters the job binds (renkei_spark.py params_for), from the same config.
    let settings = Settings::load(&w.join("renkei.toml"), true, Some(w.path())).unwrap();
    let lease = metrics::scenarios::Lease::current(&settings.config.scenarios);
    let month = Month::new(2026, 3).unwrap();
    let value = |name: &str| match name {
        "month" | "to_month" => Param::Month(month),
        "from_month" => Param::Month(month.plus(-12)),
        "fiscal_year" => Param::FiscalYear(FiscalYear::new(2025)),
        "lease_years" => Param::Integer(i64::from(lease.years)),
        "lease_factor" => Param::Number(lease.factor),
        "threshold_yen" => Param::Integer(settings.config.report.threshold_yen_per_view),
        other => panic!("a parameter the test does not know: {other}"),
    };
    let store = Store::open_read_only(&settings.store_path()).unwrap();
    let db = duckdb::Connection::open_in_memory().unwrap();
    let mut compared = 0;
    for q in metrics::CATALOG.iter().filter(|q| !q.sql.contains("review_")) {
        let params: Vec<(&str, Param)> = q.params().iter().map(|(n, _, _)| (*n, value(n))).collect();
        let ours = metrics::run(&store, q.name, &params).unwrap();
        let want = sorted(ours.rows.iter().map(|r| r.iter().map(from_cell).collect()).collect());
        let folder = out.path().join(format!("{}.parquet", q.name));
        let got: Vec<Vec<Norm>> = if folder.exists() {
            let sql = format!(
                "SELECT * EXCLUDE (network) FROM read_parquet('{}/*.parquet') WHERE network = 'network'",
                folder.display()
            );
            let mut stmt = db.prepare(&sql).unwrap();
            let mut rows = stmt.query([]).unwrap();
            let n = ours.columns.len();
            let mut got = Vec::new();
            while let Some(r) = rows.next().unwrap() {
                got.push((0..n).map(|i| from_value(r.get::<_, Value>(i).unwrap())).collect());
            }
            got
        } else {
            Vec::new()
        };
        let got = sorted(got);
        assert_eq!(
            got.len(),
            want.len(),
            "{}: Spark gave {} rows, the store {}\n{stderr}",
            q.name,
            got.len(),
            want.len()
        );
        for (g, e) in got.iter().zip(&want) {
            assert!(
                g.len() == e.len() && g.iter().zip(e).all(|(a, b)| same(a, b)),
                "{}: Spark {g:?}\nstore {e:?}",
                q.name
            );
        }
        compared += 1;
    }
    assert!(compared >= 25, "{compared} queries compared");
    // The comparison table carries the per-network figure it came from.
    let comparison = std::fs::read_dir(out.path().join("comparison.csv"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap();
    let cost_params: Vec<(&str, Param)> =
        metrics::find("cost_per_use").unwrap().params().iter().map(|(n, _, _)| (*n, value(n))).collect();
    let cost = metrics::run(&store, "cost_per_use", &cost_params).unwrap();
    let col = cost.columns.iter().position(|c| c == "views_12m").unwrap();
    let views_12m = cost.rows[0][col].as_i64().unwrap();
    assert!(comparison.lines().nth(1).unwrap().starts_with(&format!("network,{views_12m},")), "{comparison}");
}
