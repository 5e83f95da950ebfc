//! Typed query results, shared by metrics, reports and `renkei sql`, so nothing past the
//! store touches DuckDB types.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::types::{TimeUnit, Value, ValueRef};

/// One value of a result.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// BOOLEAN.
    Bool(bool),
    /// Any integer type.
    Int(i64),
    /// FLOAT, DOUBLE, DECIMAL.
    Float(f64),
    /// VARCHAR and anything without a closer match.
    Text(String),
    /// DATE.
    Date(NaiveDate),
    /// TIMESTAMP (JST wall-clock).
    Timestamp(NaiveDateTime),
}

impl Cell {
    /// The integer, if the cell is one (floats are not rounded).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Cell::Int(i) => Some(*i),
            _ => None,
        }
    }
    /// The number as f64, for integers and floats.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(i) => Some(*i as f64),
            Cell::Float(f) => Some(*f),
            _ => None,
        }
    }
    /// The boolean, if the cell is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Cell::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The text, if the cell is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }
    /// The date, if the cell is a date.
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Cell::Date(d) => Some(*d),
            _ => None,
        }
    }
    /// The timestamp, if the cell is one.
    pub fn as_timestamp(&self) -> Option<NaiveDateTime> {
        match self {
            Cell::Timestamp(t) => Some(*t),
            _ => None,
        }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => Ok(()),
            Cell::Bool(b) => write!(f, "{b}"),
            Cell::Int(i) => write!(f, "{i}"),
            Cell::Float(x) => write!(f, "{x}"),
            Cell::Text(s) => f.write_str(s),
            Cell::Date(d) => write!(f, "{d}"),
            Cell::Timestamp(t) => write!(f, "{}", t.format("%Y-%m-%d %H:%M:%S")),
        }
    }
}

/// A whole result: column names and rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names as the SQL named them.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
    /// The cell of `row` in the column called `name` (Null when absent).
    pub fn get(&self, row: usize, name: &str) -> &Cell {
        const NULL: Cell = Cell::Null;
        self.column(name).and_then(|c| self.rows.get(row).map(|r| &r[c])).unwrap_or(&NULL)
    }

    /// The integer at `row` of column `name`; 0 for NULL or a missing column.
    pub fn int(&self, row: usize, name: &str) -> i64 {
        self.get(row, name).as_i64().unwrap_or(0)
    }

    /// The number at `row` of column `name`; 0.0 for NULL or a missing column.
    pub fn float(&self, row: usize, name: &str) -> f64 {
        self.get(row, name).as_f64().unwrap_or(0.0)
    }

    /// The cell at `row` of column `name` as text (empty for NULL).
    pub fn text(&self, row: usize, name: &str) -> String {
        self.get(row, name).to_string()
    }
}

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
    // Execute first: column names exist only once the statement has run.
    stmt.raw_execute()?;
    let columns = stmt.column_names();
    let mut out = Vec::new();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        let width = row.as_ref().column_count();
        out.push((0..width).map(|i| row.get_ref(i).map(from_ref)).collect::<Result<Vec<_>, _>>()?);
    }
    Ok(Table { columns, rows: out })
}
