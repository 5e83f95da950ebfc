//! The metric queries on Spark over many networks' lakes (issue 20): three demo networks of
//! different sizes, their lakes gathered under one root as renkei wrote them, and
//! `scale/spark/renkei_spark.py` over that root gives, for every query the lake can answer and
//! for each network, the same rows as that network's DuckDB store, cell for cell (counts and
//! money exact, ratios to 1e-9). A query added to `queries/metrics/` that Spark cannot run
//! fails here. The comparison table's rows are checked against each store's own figures and
//! its whole-lake row against their sums; a lake of the older layout, a network folder missing
//! a table and a month with no log files are named with their paths while the other networks'
//! results are still written. Needs a JRE, pyspark and sqlglot; `.ci/run` installs them.

use std::path::Path;
use std::process::Command;

use duckdb::types::Value;
use renkei::config::Settings;
use renkei::domain::table::Cell;
use renkei::domain::{FiscalYear, Month};
use renkei::metrics::{self, Param};
use renkei::store::Store;

use crate::support::{Workdir, demo};

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

/// A demo council of its own network (`RENKEI_NETWORK_SLUG`), as a user makes one per folder.
fn demo_network(slug: &str, args: &[&str]) -> Workdir {
    let w = Workdir::new();
    let out = Command::new(env!("CARGO_BIN_EXE_renkei"))
        .arg("demo")
        .args(args)
        .current_dir(w.path())
        .env("RENKEI_NETWORK_SLUG", slug)
        .env_remove("RENKEI_LOG")
        .env_remove("RENKEI_CONFIG")
        .output()
        .expect("run renkei demo");
    assert!(out.status.success(), "renkei demo {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    w
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every row of the Parquet files in `folder` for one network, its `network` column left out.
fn rows_of(db: &duckdb::Connection, folder: &Path, network: &str, columns: usize) -> Vec<Vec<Norm>> {
    if !folder.exists() {
        return Vec::new();
    }
    let sql = format!(
        "SELECT * EXCLUDE (network) FROM read_parquet('{}/*.parquet') WHERE network = '{network}'",
        folder.display()
    );
    let mut stmt = db.prepare(&sql).unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut got = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        got.push((0..columns).map(|i| from_value(r.get::<_, Value>(i).unwrap())).collect());
    }
    got
}

/// One metric's rows on a network's store, with the parameters the Spark job binds
/// (renkei_spark.py params_for) from the same config.
fn on_store(store: &Store, settings: &Settings, query: &str) -> renkei::domain::table::Table {
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
    let params: Vec<(&str, Param)> =
        metrics::find(query).unwrap().params().iter().map(|(n, _, _)| (*n, value(n))).collect();
    metrics::run(store, query, &params).unwrap()
}

fn column(t: &renkei::domain::table::Table, row: usize, name: &str) -> Cell {
    let i = t.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
    t.rows[row][i].clone()
}

#[test]
fn every_metric_query_gives_each_networks_rows_on_spark_over_the_gathered_lakes() {
    spark_ready();
    // Three networks of different sizes; the small one's log stops in December, so the
    // report month (March 2026) has no access-log files there.
    let (minami, chiisai) = std::thread::scope(|s| {
        let minami = s.spawn(|| demo_network("minami", &["--until", "2026-03", "--scale", "2"]));
        let chiisai = s.spawn(|| demo_network("chiisai", &["--until", "2025-12"]));
        (minami.join().unwrap(), chiisai.join().unwrap())
    });
    let base = demo();
    let networks: [(&str, &Workdir); 3] = [("network", base), ("minami", &minami), ("chiisai", &chiisai)];

    // Gathered under one root as they are, beside two folders the job must refuse: a lake of
    // the single-network layout and a network whose facilities table was lost on the way.
    let root = tempfile::tempdir().unwrap();
    for (slug, w) in &networks {
        let name = format!("network={slug}");
        copy_dir(&w.join("lake").join(&name), &root.path().join(&name));
    }
    let theirs = base.join("lake/network=network");
    copy_dir(&theirs.join("access_events"), &root.path().join("old-lake/access_events"));
    std::fs::copy(theirs.join("_files.txt"), root.path().join("old-lake/_files.txt")).unwrap();
    copy_dir(&theirs, &root.path().join("network=broken"));
    std::fs::remove_dir_all(root.path().join("network=broken/facilities")).unwrap();

    // Each network's own key: no patient's pseudonym appears in two networks' lakes.
    let db = duckdb::Connection::open_in_memory().unwrap();
    let lake =
        |slug: &str| format!("read_parquet('{}/network={slug}/access_events/*/*.parquet')", root.path().display());
    let shared: i64 = db
        .query_row(
            &format!(
                "SELECT count(*) FROM (SELECT patient_key FROM {} INTERSECT SELECT patient_key FROM {})",
                lake("network"),
                lake("minami")
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(shared, 0, "two networks' pseudonyms met");

    let out = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scale/spark/renkei_spark.py");
    let run = Command::new("python3")
        .arg(script)
        .args(["--lake", root.path().to_str().unwrap(), "--month", "2026-03", "--out"])
        .arg(out.path())
        .arg("--config")
        .arg(base.join("renkei.toml"))
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .current_dir(out.path())
        .output()
        .expect("run the Spark job");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "networks were left out, so exit 1:\n{stderr}");
    let named = |path: &Path, what: &str| {
        assert!(
            stderr.lines().any(|l| l.contains(&path.display().to_string()) && l.contains(what)),
            "no line naming {} with {what}:\n{stderr}",
            path.display()
        )
    };
    named(&root.path().join("old-lake"), "古い配置");
    named(&root.path().join("network=broken/facilities"), "フォルダがありません");
    named(&root.path().join("network=chiisai/access_events/month=2026-03"), "アクセスログのファイルがありません");

    let mut compared = 0;
    for (slug, w) in &networks {
        let settings = Settings::load(&base.join("renkei.toml"), true, Some(w.path())).unwrap();
        let store = Store::open_read_only(&w.join("var/renkei.duckdb")).unwrap();
        for q in metrics::CATALOG.iter().filter(|q| !q.sql.contains("review_")) {
            let ours = on_store(&store, &settings, q.name);
            let want = sorted(ours.rows.iter().map(|r| r.iter().map(from_cell).collect()).collect());
            let got = sorted(rows_of(&db, &out.path().join(format!("{}.parquet", q.name)), slug, ours.columns.len()));
            assert_eq!(
                got.len(),
                want.len(),
                "{slug} {}: Spark gave {} rows, the store {}",
                q.name,
                got.len(),
                want.len()
            );
            for (g, e) in got.iter().zip(&want) {
                assert!(
                    g.len() == e.len() && g.iter().zip(e).all(|(a, b)| same(a, b)),
                    "{slug} {}: Spark {g:?}\nstore {e:?}",
                    q.name
                );
            }
            compared += 1;
        }
    }
    assert!(compared >= 3 * 25, "{compared} query results compared");
    let broken: i64 = db
        .query_row(
            &format!(
                "SELECT count(*) FROM read_parquet('{}/cost_per_use.parquet/*.parquet') WHERE network = 'broken'",
                out.path().display()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(broken, 0, "the broken network is left out");

    // The comparison: each network's row from its store's figures, the whole's from their sums.
    let comparison: Vec<(String, Vec<Norm>)> = {
        let sql = format!(
            "SELECT network, views_12m, system_cost_yen, yen_per_view, active_facilities, participating_facilities,
                    active_rate, image_extra_annual_yen, image_views_12m, image_yen_per_view
             FROM read_parquet('{}/comparison.parquet/*.parquet') ORDER BY network",
            out.path().display()
        );
        let mut stmt = db.prepare(&sql).unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut got = Vec::new();
        while let Some(r) = rows.next().unwrap() {
            got.push((
                r.get::<_, String>(0).unwrap(),
                (1..10).map(|i| from_value(r.get::<_, Value>(i).unwrap())).collect(),
            ));
        }
        got
    };
    let num = |c: Cell| from_cell(&c);
    let ratio = |a: &Norm, b: &Norm| match (a, b) {
        (Norm::Num(x), Norm::Num(y)) if *y != 0.0 => Norm::Num(x / y),
        _ => Norm::Null,
    };
    // Yen per unit in whole yen, as the queries round them.
    let yen_per = |a: &Norm, b: &Norm| match ratio(a, b) {
        Norm::Num(r) => Norm::Num((r + 0.5).floor()),
        other => other,
    };
    let mut per_network = Vec::new();
    for (slug, w) in &networks {
        let settings = Settings::load(&base.join("renkei.toml"), true, Some(w.path())).unwrap();
        let store = Store::open_read_only(&w.join("var/renkei.duckdb")).unwrap();
        let per_use = on_store(&store, &settings, "cost_per_use");
        let usage = on_store(&store, &settings, "monthly_usage");
        let march = Cell::Date(Month::new(2026, 3).unwrap().first_day());
        let march = (0..usage.rows.len()).find(|&i| column(&usage, i, "month") == march).unwrap();
        // The image servers' value over the hospitals with both a quote and a count.
        let value = on_store(&store, &settings, "image_server_value");
        let (mut extra, mut views) = (0, 0);
        for i in 0..value.rows.len() {
            let pair = (column(&value, i, "extra_annual_yen").as_i64(), column(&value, i, "image_views_12m").as_i64());
            if let (Some(e), Some(v)) = pair {
                extra += e;
                views += v;
            }
        }
        let (extra, views) = (Norm::Num(extra as f64), Norm::Num(views as f64));
        let want = vec![
            num(column(&per_use, 0, "views_12m")),
            num(column(&per_use, 0, "system_cost_yen")),
            num(column(&per_use, 0, "yen_per_view")),
            num(column(&usage, march, "active_facilities")),
            num(column(&usage, march, "participating_facilities")),
            num(column(&usage, march, "active_rate")),
            extra.clone(),
            views.clone(),
            yen_per(&extra, &views),
        ];
        let got = &comparison.iter().find(|(n, _)| n == slug).unwrap_or_else(|| panic!("no row for {slug}")).1;
        assert!(got.iter().zip(&want).all(|(a, b)| same(a, b)), "{slug}: comparison {got:?}\nstore {want:?}");
        per_network.push(want);
    }
    assert!(per_network[2][5] == Norm::Null, "chiisai has no log for March: its rate is missing");
    assert_eq!(comparison.len(), 4, "three networks and the whole: {comparison:?}");
    // The whole: sums, missing where any network's figure is; its ratios are the sums' ratios.
    let sum = |i: usize| {
        per_network.iter().try_fold(0.0, |acc, w| if let Norm::Num(x) = w[i] { Some(acc + x) } else { None })
    };
    let sums: Vec<Norm> = (0..9).map(|i| sum(i).map_or(Norm::Null, Norm::Num)).collect();
    let want = [
        sums[0].clone(),
        sums[1].clone(),
        yen_per(&sums[1], &sums[0]),
        sums[3].clone(),
        sums[4].clone(),
        ratio(&sums[3], &sums[4]),
        sums[6].clone(),
        sums[7].clone(),
        yen_per(&sums[6], &sums[7]),
    ];
    assert!(matches!(want[0], Norm::Num(_)) && matches!(want[8], Norm::Num(_)), "{want:?}");
    let whole = &comparison.iter().find(|(n, _)| n == "(全体)").unwrap().1;
    assert!(whole.iter().zip(&want).all(|(a, b)| same(a, b)), "the whole: {whole:?}\nsums {want:?}");
    assert!(out.path().join("comparison.csv").is_dir());
}
