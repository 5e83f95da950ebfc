//! Typed query results (a [`Table`] of [`Cell`]s): what the store hands out for SQL typed
//! by a person and for the spreadsheets renkei writes, so that nothing past the store
//! touches DuckDB types. Metrics decode their tables into row types (`metrics::decode`).

use chrono::{NaiveDate, NaiveDateTime};
use serde::de::{self, Deserialize, Deserializer, Visitor};

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
}

/// The newtype name under which a row decoder hands out a DATE cell (as `YYYY-MM-DD`):
/// only date cells decode as [`Day`] or [`Month`](super::Month), never text that looks like one.
pub const DATE_TOKEN: &str = "$renkei::Date";

/// A calendar day from a DATE column (e.g. a facility's last use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(DATE_TOKEN, DateVisitor).map(Day)
    }
}

/// The newtype name under which a row decoder hands out a TIMESTAMP cell (as
/// `YYYY-MM-DD HH:MM:SS.ffffff`): only timestamp cells decode as [`Stamp`].
pub const TIMESTAMP_TOKEN: &str = "$renkei::Timestamp";

/// A JST wall-clock time from a TIMESTAMP column (when an access happened).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub NaiveDateTime);

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(TIMESTAMP_TOKEN, StampVisitor).map(Stamp)
    }
}

impl std::fmt::Display for Stamp {
    /// To the minute, as the officer's lists show it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d %H:%M"))
    }
}

struct StampVisitor;

impl<'de> Visitor<'de> for StampVisitor {
    type Value = NaiveDateTime;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a timestamp (YYYY-MM-DD HH:MM:SS)")
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDateTime, E> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
            .map_err(|_| E::custom(format!("日時として読めません: {text}")))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<NaiveDateTime, D::Error> {
        d.deserialize_str(self)
    }
}

/// Reads a date from a decoder that honours [`DATE_TOKEN`], or from `YYYY-MM-DD` text
/// for any other (JSON, say).
pub(crate) struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = NaiveDate;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date (YYYY-MM-DD)")
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDate, E> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| E::custom(format!("日付として読めません: {text}")))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<NaiveDate, D::Error> {
        d.deserialize_str(self)
    }
}
