//! Benchmark anchor: DuckDB's own load of a file (`read_csv`, or `read_json` for `.jsonl`
//! and `.ndjson`), with the same DuckDB build renkei links (bundled 2.0.0), into a fresh
//! file-backed database. Prints the seconds taken. Used by `bench/ingest_speed.sh` and
//! `bench/ingest_matrix.sh`; not part of renkei.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (csv, db) = match (args.next(), args.next()) {
        (Some(c), Some(d)) => (c, d),
        _ => return Err("usage: duckdb_anchor FILE.csv|FILE.jsonl DB.duckdb".into()),
    };
    let config = duckdb::Config::default().enable_autoload_extension(false)?;
    let conn = duckdb::Connection::open_with_flags(&db, config)?;
    let started = Instant::now();
    let reader = if csv.ends_with(".jsonl") || csv.ends_with(".ndjson") { "read_json" } else { "read_csv" };
    conn.execute_batch(&format!("CREATE TABLE t AS SELECT * FROM {reader}('{}')", csv.replace('\'', "''")))?;
    let rows: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?;
    println!("{:.3} s  {rows} rows", started.elapsed().as_secs_f64());
    Ok(())
}
