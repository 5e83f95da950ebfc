//! Built-in header aliases (`data/header_aliases.toml`) and header-row matching.
//!
//! A header cell is matched after the same folding as facility names and with a trailing
//! unit in brackets dropped; a `(千円)` or `(万円)` unit is kept as the column's multiplier.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::domain::names::matching_key;

/// The aliases of one input kind.
#[derive(Debug, Clone, Deserialize)]
pub struct KindAliases {
    /// Fields the kind cannot do without.
    pub required: Vec<String>,
    /// Field → header texts.
    #[serde(flatten)]
    pub fields: BTreeMap<String, Vec<String>>,
}

impl KindAliases {
    /// Each field's aliases as matching keys, worked out once for all the rows a header is
    /// looked for in (per header cell it made the text_table fuzzer run 18 inputs a second).
    pub fn keyed(&self) -> KeyedAliases<'_> {
        KeyedAliases(
            self.fields.iter().map(|(f, names)| (f, names.iter().map(|n| matching_key(n)).collect())).collect(),
        )
    }
}

/// A kind's aliases as matching keys (see [`KindAliases::keyed`]).
pub struct KeyedAliases<'a>(Vec<(&'a String, Vec<String>)>);

/// The built-in aliases of `data/header_aliases.toml`.
pub fn builtin_aliases() -> &'static BTreeMap<String, KindAliases> {
    static BUILTIN: OnceLock<BTreeMap<String, KindAliases>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        toml::from_str(include_str!("../../../../data/header_aliases.toml")).expect("data/header_aliases.toml is valid")
    })
}

/// A header split into its matching key and the unit multiplier its brackets name.
pub fn header_key(header: &str) -> (String, i64) {
    let key = matching_key(header);
    for (open, close) in [('(', ')'), ('[', ']'), ('【', '】'), ('<', '>')] {
        if let Some(start) = key.rfind(open)
            && key.ends_with(close)
        {
            let unit = &key[start + open.len_utf8()..key.len() - close.len_utf8()];
            let multiplier = match unit {
                "千円" => 1_000,
                "万円" => 10_000,
                "百万円" => 1_000_000,
                _ => 1,
            };
            return (key[..start].to_string(), multiplier);
        }
    }
    (key, 1)
}

/// Which column holds each field, found in one header row.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    /// Field → (column index, multiplier).
    pub columns: BTreeMap<String, (usize, i64)>,
    /// The header texts as found, by column index.
    pub headers: Vec<String>,
}

impl ColumnMap {
    /// Maps a header row against one kind's aliases (as keys: [`KindAliases::keyed`]).
    pub fn match_headers(keyed: &KeyedAliases<'_>, headers: &[String]) -> ColumnMap {
        let mut columns = BTreeMap::new();
        for (i, h) in headers.iter().enumerate() {
            let (key, multiplier) = header_key(h);
            if key.is_empty() {
                continue;
            }
            for (field, names) in &keyed.0 {
                let field = *field;
                if !columns.contains_key(field) && names.contains(&key) {
                    columns.insert(field.clone(), (i, multiplier));
                    break;
                }
            }
        }
        ColumnMap { columns, headers: headers.to_vec() }
    }
    /// The column index of a field.
    pub fn index(&self, field: &str) -> Option<usize> {
        self.columns.get(field).map(|(i, _)| *i)
    }
    /// The unit multiplier of a field's column.
    pub fn multiplier(&self, field: &str) -> i64 {
        self.columns.get(field).map_or(1, |(_, m)| *m)
    }
    /// Required fields this header row lacks.
    pub fn missing<'a>(&self, kind: &'a KindAliases) -> Vec<&'a str> {
        kind.required.iter().filter(|f| !self.columns.contains_key(*f)).map(String::as_str).collect()
    }
    /// `D「利用施設」`: the column as Excel letters plus its header.
    pub fn describe(&self, field: &str) -> String {
        match self.index(field) {
            Some(i) => format!("{}列「{}」", column_letter(i), self.headers.get(i).map_or("", |s| s.as_str())),
            None => field.to_string(),
        }
    }
}

/// Excel's column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

/// The headers each kind wants, for messages: `日時, システム, ...`.
pub fn wanted_headers(kind: &KindAliases) -> String {
    kind.required
        .iter()
        .map(|f| kind.fields.get(f).and_then(|n| n.first()).map_or(f.as_str(), |s| s.as_str()))
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_units_and_letters() {
        assert_eq!(header_key("年会費（円）"), ("年会費".to_string(), 1));
        assert_eq!(header_key("金額(千円)"), ("金額".to_string(), 1000));
        assert_eq!(header_key(" 施設名 "), ("施設名".to_string(), 1));
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
    }

    #[test]
    fn japanese_and_english_access_log_headers_match() {
        let kind = &builtin_aliases()["access_log"];
        for headers in [
            vec!["日時", "システム", "利用者ID", "利用施設", "患者ID", "開示施設", "データ種別", "操作"],
            vec![
                "timestamp",
                "System",
                "user_id",
                "facility",
                "patient_id",
                "disclosing_facility",
                "data_type",
                "action",
            ],
        ] {
            let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
            let map = ColumnMap::match_headers(&kind.keyed(), &h);
            assert!(map.missing(kind).is_empty(), "{headers:?}");
            assert_eq!(map.index("disclosing_facility"), Some(5));
        }
    }
}
