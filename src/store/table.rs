//! DuckDB values into [`Cell`]s and parameters out of dates: the one place a query result
//! meets DuckDB's types.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::types::{TimeUnit, Value, ValueRef};

pub use crate::domain::table::{Cell, Table};

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid");

/// A DATE parameter or appender value.
pub fn date_value(d: NaiveDate) -> Value {
    Value::Date32((d - EPOCH).num_days() as i32)
}

/// A TIMESTAMP parameter or appender value (microseconds, JST wall-clock).
pub fn timestamp_value(t: NaiveDateTime) -> Value {
    Value::Timestamp(TimeUnit::Microsecond, t.and_utc().timestamp_micros())
}

fn from_ref(v: ValueRef<'_>) -> Cell {
    match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Boolean(b) => Cell::Bool(b),
        ValueRef::TinyInt(i) => Cell::Int(i.into()),
        ValueRef::SmallInt(i) => Cell::Int(i.into()),
        ValueRef::Int(i) => Cell::Int(i.into()),
        ValueRef::BigInt(i) => Cell::Int(i),
        ValueRef::HugeInt(i) => i64::try_from(i).map_or(Cell::Float(i as f64), Cell::Int),
        ValueRef::UTinyInt(i) => Cell::Int(i.into()),
        ValueRef::USmallInt(i) => Cell::Int(i.into()),
        ValueRef::UInt(i) => Cell::Int(i.into()),
        ValueRef::UBigInt(i) => i64::try_from(i).map_or(Cell::Float(i as f64), Cell::Int),
        ValueRef::Float(f) => Cell::Float(f.into()),
        ValueRef::Double(f) => Cell::Float(f),
        ValueRef::Decimal(d) => d.to_string().parse().map_or(Cell::Text(d.to_string()), Cell::Float),
        ValueRef::Text(b) => Cell::Text(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Date32(days) => Cell::Date(EPOCH + chrono::Duration::days(days.into())),
        ValueRef::Timestamp(unit, n) => {
            let micros = match unit {
                TimeUnit::Second => n * 1_000_000,
                TimeUnit::Millisecond => n * 1_000,
                TimeUnit::Microsecond => n,
                TimeUnit::Nanosecond => n / 1_000,
            };
            chrono::DateTime::from_timestamp_micros(micros).map_or(Cell::Null, |t| Cell::Timestamp(t.naive_utc()))
        }
        other => Cell::Text(format!("{other:?}")),
    }
}

/// Runs a prepared statement whose parameters are bound and collects every row.
pub(super) fn collect(stmt: &mut duckdb::Statement<'_>) -> anyhow::Result<Table> {
    Ok(collect_capped(stmt, usize::MAX)?.0)
}

/// Like [`collect`], keeping at most `cap` rows; true when there were more.
pub(super) fn collect_capped(stmt: &mut duckdb::Statement<'_>, cap: usize) -> anyhow::Result<(Table, bool)> {
    // Execute first: column names exist only once the statement has run.
    stmt.raw_execute()?;
    let columns = stmt.column_names();
    let mut out = Vec::new();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        if out.len() == cap {
            return Ok((Table { columns, rows: out }, true));
        }
        let width = row.as_ref().column_count();
        out.push((0..width).map(|i| row.get_ref(i).map(from_ref)).collect::<Result<Vec<_>, _>>()?);
    }
    Ok((Table { columns, rows: out }, false))
}
