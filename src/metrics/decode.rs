//! Strict decoding of a query's [`Table`] into its row type (serde): the columns must be
//! exactly the type's fields, and each cell must be of the field's type. A missing,
//! renamed, extra or mistyped column is an error, never a silent 0 or "" in a report.
//!
//! What is accepted: integers for integer fields (and floats with no fraction, which is
//! what SQL's `round()` returns); integers or floats for float fields; text for `String`;
//! booleans for `bool`; dates for [`Month`](crate::domain::Month) and [`Day`]; timestamps for
//! [`Stamp`](crate::domain::table::Stamp). NULL only
//! for `Option` fields.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;

use crate::domain::table::{Cell, DATE_TOKEN, TIMESTAMP_TOKEN, Table};

/// Why a table did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError(msg.to_string())
    }
}

/// Decodes every row of `table` as a `T`; the columns are checked against `T`'s fields
/// even when there are no rows.
pub fn rows<T: DeserializeOwned>(table: &Table) -> Result<Vec<T>, DecodeError> {
    let fields = fields_of::<T>()?;
    let missing: Vec<&str> = fields.iter().copied().filter(|f| !table.columns.iter().any(|c| c == f)).collect();
    let extra: Vec<&str> = table.columns.iter().map(String::as_str).filter(|c| !fields.contains(c)).collect();
    if !missing.is_empty() || !extra.is_empty() {
        let mut why = Vec::new();
        if !missing.is_empty() {
            why.push(format!("結果にない列: {}", missing.join(", ")));
        }
        if !extra.is_empty() {
            why.push(format!("行の型にない列: {}", extra.join(", ")));
        }
        return Err(DecodeError(why.join("; ")));
    }
    table
        .rows
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            T::deserialize(RowDe { columns: &table.columns, cells })
                .map_err(|e| DecodeError(format!("{}行目: {e}", i + 1)))
        })
        .collect()
}

/// The field names of the struct `T`, read by asking serde for them.
fn fields_of<T: DeserializeOwned>() -> Result<&'static [&'static str], DecodeError> {
    match T::deserialize(Probe) {
        Err(Probed::Fields(f)) => Ok(f),
        _ => Err(DecodeError("行の型が構造体ではありません".into())),
    }
}

enum Probed {
    Fields(&'static [&'static str]),
    Other,
}

impl fmt::Debug for Probed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("probe")
    }
}
impl fmt::Display for Probed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("probe")
    }
}
impl std::error::Error for Probed {}
impl de::Error for Probed {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Probed::Other
    }
}

struct Probe;

impl<'de> Deserializer<'de> for Probe {
    type Error = Probed;
    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probed> {
        Err(Probed::Other)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Probed> {
        Err(Probed::Fields(fields))
    }
    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

struct RowDe<'a> {
    columns: &'a [String],
    cells: &'a [Cell],
}

impl<'de, 'a> Deserializer<'de> for RowDe<'a> {
    type Error = DecodeError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_map(RowMap { row: self, at: 0 })
    }
    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct RowMap<'a> {
    row: RowDe<'a>,
    at: usize,
}

impl<'de, 'a> MapAccess<'de> for RowMap<'a> {
    type Error = DecodeError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DecodeError> {
        match self.row.columns.get(self.at) {
            Some(name) => seed.deserialize(name.as_str().into_deserializer()).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DecodeError> {
        let at = self.at;
        self.at += 1;
        let cell = self.row.cells.get(at).unwrap_or(&Cell::Null);
        seed.deserialize(CellDe(cell)).map_err(|e| DecodeError(format!("列 {}: {e}", self.row.columns[at])))
    }
}

struct CellDe<'a>(&'a Cell);

impl CellDe<'_> {
    fn wrong(&self, expected: &str) -> DecodeError {
        let got = match self.0 {
            Cell::Null => "空（NULL）".to_string(),
            Cell::Bool(b) => format!("真偽値 {b}"),
            Cell::Int(i) => format!("整数 {i}"),
            Cell::Float(x) => format!("小数 {x}"),
            Cell::Text(s) => format!("文字列「{s}」"),
            Cell::Date(d) => format!("日付 {d}"),
            Cell::Timestamp(t) => format!("日時 {t}"),
        };
        DecodeError(format!("{expected}のはずが{got}です"))
    }

    fn integer(&self) -> Result<i64, DecodeError> {
        match self.0 {
            Cell::Int(i) => Ok(*i),
            Cell::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(*x as i64),
            _ => Err(self.wrong("整数")),
        }
    }
}

macro_rules! integers {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            visitor.visit_i64(self.integer()?)
        }
    )*};
}

impl<'de> Deserializer<'de> for CellDe<'_> {
    type Error = DecodeError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Cell::Null => visitor.visit_none(),
            Cell::Bool(b) => visitor.visit_bool(*b),
            Cell::Int(i) => visitor.visit_i64(*i),
            Cell::Float(x) => visitor.visit_f64(*x),
            Cell::Text(s) => visitor.visit_str(s),
            Cell::Date(d) => visitor.visit_string(d.to_string()),
            Cell::Timestamp(t) => visitor.visit_string(t.to_string()),
        }
    }
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Cell::Bool(b) => visitor.visit_bool(*b),
            _ => Err(self.wrong("真偽値")),
        }
    }
    integers!(deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64, deserialize_u8, deserialize_u16);
    integers!(deserialize_u32, deserialize_u64);
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Cell::Float(x) => visitor.visit_f64(*x),
            Cell::Int(i) => visitor.visit_f64(*i as f64),
            _ => Err(self.wrong("数")),
        }
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(visitor)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Cell::Text(s) => visitor.visit_str(s),
            _ => Err(self.wrong("文字列")),
        }
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Cell::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match (name, self.0) {
            (DATE_TOKEN, Cell::Date(d)) => visitor.visit_string(d.format("%Y-%m-%d").to_string()),
            (DATE_TOKEN, _) => Err(self.wrong("日付")),
            (TIMESTAMP_TOKEN, Cell::Timestamp(t)) => visitor.visit_string(t.format("%Y-%m-%d %H:%M:%S%.f").to_string()),
            (TIMESTAMP_TOKEN, _) => Err(self.wrong("日時")),
            _ => visitor.visit_newtype_struct(self),
        }
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            Cell::Text(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(self.wrong("文字列の符号")),
        }
    }
    forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use chrono::NaiveDate;

    use super::*;
    use crate::domain::Month;
    use crate::domain::table::Day;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        month: Month,
        views: Option<i64>,
        rate: Option<f64>,
        name: String,
        flagged: bool,
        last: Option<Day>,
    }

    fn table(columns: &[&str], rows: Vec<Vec<Cell>>) -> Table {
        Table { columns: columns.iter().map(|c| c.to_string()).collect(), rows }
    }

    const COLUMNS: [&str; 6] = ["month", "views", "rate", "name", "flagged", "last"];

    fn row(views: Cell) -> Vec<Cell> {
        vec![
            Cell::Date(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()),
            views,
            Cell::Int(1),
            Cell::Text("魚沼基幹病院".into()),
            Cell::Bool(true),
            Cell::Null,
        ]
    }

    #[test]
    fn a_row_decodes_with_its_types() {
        let got: Vec<Sample> = rows(&table(&COLUMNS, vec![row(Cell::Float(12.0)), row(Cell::Null)])).unwrap();
        assert_eq!(got[0].month, Month::parse("2025-07").unwrap());
        assert_eq!((got[0].views, got[0].rate, got[1].views), (Some(12), Some(1.0), None));
        assert_eq!(got[0].name, "魚沼基幹病院");
    }

    #[test]
    fn missing_extra_and_mistyped_columns_are_errors() {
        let renamed = ["month", "view_count", "rate", "name", "flagged", "last"];
        let e = rows::<Sample>(&table(&renamed, Vec::new())).unwrap_err();
        assert_eq!(e.0, "結果にない列: views; 行の型にない列: view_count");
        let e = rows::<Sample>(&table(&COLUMNS, vec![row(Cell::Text("12".into()))])).unwrap_err();
        assert_eq!(e.0, "1行目: 列 views: 整数のはずが文字列「12」です");
        let e = rows::<Sample>(&table(&COLUMNS, vec![row(Cell::Float(1.5))])).unwrap_err();
        assert_eq!(e.0, "1行目: 列 views: 整数のはずが小数 1.5です");
        let mut null_name = row(Cell::Int(1));
        null_name[3] = Cell::Null;
        let e = rows::<Sample>(&table(&COLUMNS, vec![null_name])).unwrap_err();
        assert_eq!(e.0, "1行目: 列 name: 文字列のはずが空（NULL）です");
        let mut text_date = row(Cell::Int(1));
        text_date[0] = Cell::Text("2025-07-01".into());
        let e = rows::<Sample>(&table(&COLUMNS, vec![text_date])).unwrap_err();
        assert_eq!(e.0, "1行目: 列 month: 日付のはずが文字列「2025-07-01」です");
    }
}
