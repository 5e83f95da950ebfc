//! Access logs as JSON Lines: flat objects keyed by the built-in header aliases
//! (`{"timestamp": …, "facility": …}` or `{"日時": …}`), and FHIR R4 AuditEvent NDJSON,
//! where hospitals are going (HL7 FHIR). Both become records in the canonical field order
//! and go through the same validation as CSV rows.
//!
//! FHIR R4 AuditEvent mapping (R4 has no `patient` element):
//! - 日時: `recorded` (offsets converted to JST)
//! - 利用者ID: the requestor agent's `who.identifier.value`, else `who.reference`
//! - 利用施設: the organization of the requestor: an agent whose `who` is an `Organization`
//!   (its `display`), else the requestor's `location.display`, else its `who.display`
//! - 開示施設: `source.observer.display` (the system that recorded the access)
//! - 患者ID: the `entity[].what` that is a `Patient` (`identifier.value`, else the id)
//! - 操作: `action` (R 閲覧, C 登録, U 更新, D 削除, E 実行)
//! - システム: `source.site`; データ種別: `subtype[0].display`, else `type.display`
//!
//! Each line is read into typed structs that borrow its strings (no tree of values, no copy
//! of a field without escapes); a line whose shape they do not fit (a number where text is
//! expected, a duplicate key) is read again as a `serde_json::Value` by the general path, so
//! odd lines mean what they always meant.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::blocks::{self, Block};
use super::decode::read_error;
use super::headers::{KindAliases, header_key};
use super::validate::{Columns, EventSink, Fields, ParseCounts, Parties, Validator};
use crate::domain::names::matching_key;
use crate::error::{Location, Problem};
use crate::store::QuarantineRow;

/// The canonical fields, in the order records carry them.
pub const FIELDS: &[&str] =
    &["occurred_at", "system", "user_id", "facility", "patient_id", "disclosing_facility", "data_type", "action"];

/// Which JSON shape a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Flat objects keyed by header aliases.
    Flat,
    /// FHIR R4 AuditEvent resources.
    Fhir,
}

/// The shape of a JSON Lines text, from its first non-blank line; None when not JSON Lines.
pub fn detect(text: &str) -> Option<Shape> {
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    let v: Value = serde_json::from_str(first.trim()).ok()?;
    let obj = v.as_object()?;
    Some(if obj.get("resourceType").and_then(Value::as_str) == Some("AuditEvent") { Shape::Fhir } else { Shape::Flat })
}

/// Parses a JSON Lines access log from a UTF-8 stream: its lines are parsed on several
/// threads, a block at a time, and checked here in file order. Lines that are not JSON are
/// held with their line number, the rest go through the CSV rows' checks.
pub fn parse(
    file: &str,
    text: impl Read + Send,
    shape: Shape,
    cx: Parties<'_>,
    sink: &mut dyn EventSink,
) -> anyhow::Result<ParseCounts> {
    let header: Vec<String> = FIELDS.iter().map(|f| f.to_string()).collect();
    let kind = cx.layouts.kind("access_log").clone();
    let mut rows = Validator::new(file, header, Columns::Keys, cx, sink)?;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let worker = || {
        let mut keys = KeyFields::new(kind.clone());
        move |block: &Block| Parsed::of(block, shape, &mut keys)
    };
    let read = blocks::in_order(text, workers, worker, |parsed| parsed.check(&mut rows))?;
    if let Err(failed) = read {
        return Err(Problem::refused(format!("{file} を最後まで読めません"))
            .at(Location::file(file).row(failed.line))
            .because(read_error(&failed.error))
            .hint("ファイルが途中で壊れていないか確かめ、出力し直してください")
            .into());
    }
    rows.finish()
}

/// A block's lines as a worker read them: each line's fields copied into one text.
struct Parsed {
    first: u64,
    lines: Vec<Line>,
    text: String,
    /// Where each field of each [`Line::Row`] ends in `text`, [`FIELDS`] per row.
    ends: Vec<usize>,
}

/// What one line is.
enum Line {
    Blank,
    Garbled,
    Row,
    Held(&'static str),
}

impl Parsed {
    fn of(block: &Block, shape: Shape, keys: &mut KeyFields) -> Parsed {
        let mut p = Parsed { first: block.first, lines: Vec::new(), text: String::new(), ends: Vec::new() };
        for (_, bytes) in block.lines() {
            let line = match simdutf8::basic::from_utf8(bytes) {
                Err(_) => Line::Garbled,
                Ok(text) if text.trim().is_empty() => Line::Blank,
                Ok(text) => match fields(text, shape, keys) {
                    Ok(row) => {
                        for f in &row.0 {
                            p.text.push_str(f);
                            p.ends.push(p.text.len());
                        }
                        Line::Row
                    }
                    Err(reason) => Line::Held(reason),
                },
            };
            p.lines.push(line);
        }
        p
    }

    /// Hands every line to the checks, in order.
    fn check(self, rows: &mut Validator<'_>) -> anyhow::Result<()> {
        let mut fields = self.ends.chunks_exact(FIELDS.len());
        let mut start = 0;
        for (number, line) in (self.first..).zip(&self.lines) {
            match line {
                Line::Blank => {}
                Line::Garbled => rows.hold_garbled(number, None)?,
                Line::Row => {
                    let ends = fields.next().expect("one set of ends per row");
                    rows.push(number, &Copied { text: &self.text, start, ends })?;
                    start = ends[FIELDS.len() - 1];
                }
                Line::Held(reason) => rows.hold(QuarantineRow {
                    row_number: number,
                    column: None,
                    value: None,
                    reason: (*reason).into(),
                    hint: Some("元のシステムから出力し直してください".into()),
                })?,
            }
        }
        Ok(())
    }
}

/// One row's fields in a [`Parsed`] block's text.
struct Copied<'p> {
    text: &'p str,
    start: usize,
    ends: &'p [usize],
}

impl Fields for Copied<'_> {
    fn count(&self) -> usize {
        self.ends.len()
    }
    fn field(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else { return "" };
        let start = if i == 0 { self.start } else { self.ends[i - 1] };
        &self.text[start..end]
    }
}

/// Which canonical field each object key of a flat file means, worked out once per key.
struct KeyFields {
    seen: HashMap<String, Option<usize>, foldhash::fast::RandomState>,
    kind: KindAliases,
}

impl KeyFields {
    fn new(kind: KindAliases) -> KeyFields {
        KeyFields { seen: HashMap::default(), kind }
    }
    fn field_of(&mut self, key: &str) -> Option<usize> {
        if let Some(hit) = self.seen.get(key) {
            return *hit;
        }
        let wanted = header_key(key).0;
        let hit = FIELDS.iter().position(|f| self.kind.fields[*f].iter().any(|n| matching_key(n) == wanted));
        self.seen.insert(key.to_string(), hit);
        hit
    }
}

/// One line's fields in [`FIELDS`] order, borrowed from the line where they can be.
#[derive(Debug, Default, PartialEq)]
struct Row<'a>([Cow<'a, str>; 8]);

impl Fields for Row<'_> {
    fn count(&self) -> usize {
        self.0.len()
    }
    fn field(&self, i: usize) -> &str {
        self.0.get(i).map_or("", |f| f.as_ref())
    }
}

impl<'a> Row<'a> {
    fn owned(fields: Vec<String>) -> Row<'a> {
        let mut row = Row::default();
        for (slot, f) in row.0.iter_mut().zip(fields) {
            *slot = Cow::Owned(f);
        }
        row
    }
}

/// One line's fields in [`FIELDS`] order, or why it cannot be read: the typed fast path,
/// then the general one for a line it does not fit.
fn fields<'a>(line: &'a str, shape: Shape, keys: &mut KeyFields) -> Result<Row<'a>, &'static str> {
    let line = line.trim();
    let fast = match shape {
        Shape::Flat => FlatSeed(keys).deserialize(&mut serde_json::Deserializer::from_str(line)).ok(),
        Shape::Fhir => serde_json::from_str::<Event<'a>>(line).ok().map(Event::row),
    };
    match fast {
        Some(Ok(row)) => Ok(row),
        Some(Err(reason)) => Err(reason),
        None => general(line, shape, keys).map(Row::owned),
    }
}

/// The general path: the line as a `serde_json::Value`.
fn general(line: &str, shape: Shape, keys: &mut KeyFields) -> Result<Vec<String>, &'static str> {
    let value = serde_json::from_str::<Value>(line).map_err(|_| "JSON として読めません")?;
    let obj = value.as_object().ok_or("JSON のオブジェクトではありません")?;
    match shape {
        Shape::Flat => {
            let mut fields = vec![String::new(); FIELDS.len()];
            for (k, v) in obj {
                if let Some(i) = keys.field_of(k)
                    && fields[i].is_empty()
                {
                    fields[i] = text_of(v);
                }
            }
            Ok(fields)
        }
        Shape::Fhir if obj.get("resourceType").and_then(Value::as_str) != Some("AuditEvent") => {
            Err("AuditEvent ではない FHIR リソースです")
        }
        Shape::Fhir => Ok(audit_event(&value)),
    }
}

/// A JSON string, borrowed from the line unless it has escapes; nothing else fits.
#[derive(Debug, Default, Clone, PartialEq)]
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Strict<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Strict<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(Strict(std::marker::PhantomData))
    }
}

/// A flat object's value as the field's text: strings as they are, null as empty, numbers
/// and booleans as JSON writes them. An object or an array does not fit (the general path
/// writes it out as JSON).
struct Scalar<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Any;
        impl<'de> Visitor<'de> for Any {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number, boolean or null")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Borrowed(if v { "true" } else { "false" })))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                serde_json::Number::from_f64(v)
                    .map(|n| Scalar(Cow::Owned(n.to_string())))
                    .ok_or_else(|| E::custom("not a finite number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Borrowed("")))
            }
        }
        d.deserialize_any(Any)
    }
}

/// A flat line read straight into its fields, each key matched once per file.
struct FlatSeed<'k>(&'k mut KeyFields);

impl<'de> DeserializeSeed<'de> for FlatSeed<'_> {
    type Value = Result<Row<'de>, &'static str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FlatSeed<'_> {
    type Value = Result<Row<'de>, &'static str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut row = Row::default();
        while let Some(key) = map.next_key::<Text<'de>>()? {
            match self.0.field_of(&key.0) {
                Some(i) if row.0[i].is_empty() => row.0[i] = map.next_value::<Scalar<'de>>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Ok(row))
    }
}

/// The parts of a FHIR R4 AuditEvent renkei reads (the rest of each line is skipped).
#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "resourceType", borrow)]
    resource_type: Option<Text<'a>>,
    #[serde(borrow)]
    recorded: Option<Text<'a>>,
    #[serde(borrow, default)]
    agent: Vec<Agent<'a>>,
    #[serde(borrow)]
    source: Option<Source<'a>>,
    #[serde(borrow, default)]
    entity: Vec<Entity<'a>>,
    #[serde(borrow)]
    action: Option<Text<'a>>,
    #[serde(borrow, default)]
    subtype: Vec<Coding<'a>>,
    #[serde(rename = "type", borrow)]
    kind: Option<Coding<'a>>,
}

#[derive(Deserialize)]
struct Agent<'a> {
    #[serde(borrow)]
    who: Option<Reference<'a>>,
    requestor: Option<bool>,
    #[serde(borrow)]
    location: Option<Coding<'a>>,
}

#[derive(Deserialize)]
struct Reference<'a> {
    #[serde(borrow)]
    reference: Option<Text<'a>>,
    #[serde(rename = "type", borrow)]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    display: Option<Text<'a>>,
    #[serde(borrow)]
    identifier: Option<Identifier<'a>>,
}

#[derive(Deserialize)]
struct Identifier<'a> {
    #[serde(borrow)]
    value: Option<Text<'a>>,
}

/// Anything with a `display` (a Coding, a Reference used only for its display).
#[derive(Deserialize)]
struct Coding<'a> {
    #[serde(borrow)]
    display: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Source<'a> {
    #[serde(borrow)]
    site: Option<Text<'a>>,
    #[serde(borrow)]
    observer: Option<Coding<'a>>,
}

#[derive(Deserialize)]
struct Entity<'a> {
    #[serde(borrow)]
    what: Option<Reference<'a>>,
}

fn text<'t, 'a>(t: &'t Option<Text<'a>>) -> Option<&'t Cow<'a, str>> {
    t.as_ref().map(|t| &t.0)
}

impl<'a> Event<'a> {
    /// The same mapping as [`audit_event`], on the typed parts.
    fn row(self) -> Result<Row<'a>, &'static str> {
        if text(&self.resource_type).map(|t| t.as_ref()) != Some("AuditEvent") {
            return Err("AuditEvent ではない FHIR リソースです");
        }
        let requestor = self.agent.iter().find(|a| a.requestor == Some(true)).or(self.agent.first());
        fn who<'r, 'a>(a: &'r Agent<'a>) -> Option<&'r Reference<'a>> {
            a.who.as_ref()
        }
        let user = requestor
            .and_then(who)
            .and_then(|w| w.identifier.as_ref().and_then(|i| text(&i.value)).or_else(|| text(&w.reference)));
        let is_org = |a: &&Agent<'a>| {
            who(a).is_some_and(|w| {
                text(&w.reference).is_some_and(|r| r.starts_with("Organization/"))
                    || text(&w.kind).map(|k| k.as_ref()) == Some("Organization")
            })
        };
        let facility = self
            .agent
            .iter()
            .find(is_org)
            .and_then(|a| who(a).and_then(|w| text(&w.display)))
            .or_else(|| requestor.and_then(|a| a.location.as_ref().and_then(|l| text(&l.display))))
            .or_else(|| requestor.and_then(who).and_then(|w| text(&w.display)));
        let patient = self.entity.iter().find_map(|en| {
            let what = en.what.as_ref()?;
            let is_patient = text(&what.reference).is_some_and(|r| r.starts_with("Patient/"))
                || text(&what.kind).map(|k| k.as_ref()) == Some("Patient");
            if !is_patient {
                return None;
            }
            what.identifier.as_ref().and_then(|i| text(&i.value)).cloned().or_else(|| {
                text(&what.reference).map(|r| match r {
                    Cow::Borrowed(b) => Cow::Borrowed(b.trim_start_matches("Patient/")),
                    Cow::Owned(o) => Cow::Owned(o.trim_start_matches("Patient/").to_string()),
                })
            })
        });
        let action = match text(&self.action).map(|a| a.as_ref()).unwrap_or("") {
            "R" => Cow::Borrowed("閲覧"),
            "C" => Cow::Borrowed("登録"),
            "U" => Cow::Borrowed("更新"),
            "D" => Cow::Borrowed("削除"),
            "E" => Cow::Borrowed("実行"),
            _ => text(&self.action).cloned().unwrap_or_default(),
        };
        let data_type = self
            .subtype
            .first()
            .and_then(|c| text(&c.display))
            .or_else(|| self.kind.as_ref().and_then(|k| text(&k.display)));
        let source = self.source.as_ref();
        let or_empty = |t: Option<&Cow<'a, str>>| t.cloned().unwrap_or_default();
        Ok(Row([
            or_empty(text(&self.recorded)),
            or_empty(source.and_then(|s| text(&s.site))),
            or_empty(user),
            or_empty(facility),
            patient.unwrap_or_default(),
            or_empty(source.and_then(|s| s.observer.as_ref()).and_then(|o| text(&o.display))),
            or_empty(data_type),
            action,
        ]))
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// One AuditEvent as fields in [`FIELDS`] order.
fn audit_event(e: &Value) -> Vec<String> {
    let agents = e.get("agent").and_then(Value::as_array).cloned().unwrap_or_default();
    let requestor =
        agents.iter().find(|a| a.get("requestor").and_then(Value::as_bool) == Some(true)).or(agents.first());
    let user = requestor
        .and_then(|a| s(a, &["who", "identifier", "value"]).or_else(|| s(a, &["who", "reference"])))
        .unwrap_or("");
    let is_org = |a: &&Value| {
        s(a, &["who", "reference"]).is_some_and(|r| r.starts_with("Organization/"))
            || s(a, &["who", "type"]) == Some("Organization")
    };
    let facility = agents
        .iter()
        .find(is_org)
        .and_then(|a| s(a, &["who", "display"]))
        .or_else(|| requestor.and_then(|a| s(a, &["location", "display"])))
        .or_else(|| requestor.and_then(|a| s(a, &["who", "display"])))
        .unwrap_or("");
    let patient = e
        .get("entity")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|en| {
            let what = en.get("what")?;
            let is_patient = s(what, &["reference"]).is_some_and(|r| r.starts_with("Patient/"))
                || s(what, &["type"]) == Some("Patient");
            if !is_patient {
                return None;
            }
            s(what, &["identifier", "value"])
                .map(str::to_string)
                .or_else(|| s(what, &["reference"]).map(|r| r.trim_start_matches("Patient/").to_string()))
        })
        .unwrap_or_default();
    let action = match s(e, &["action"]).unwrap_or("") {
        "R" => "閲覧",
        "C" => "登録",
        "U" => "更新",
        "D" => "削除",
        "E" => "実行",
        other => other,
    };
    let data_type = e
        .get("subtype")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|c| s(c, &["display"]))
        .or_else(|| s(e, &["type", "display"]))
        .unwrap_or("");
    vec![
        s(e, &["recorded"]).unwrap_or("").to_string(),
        s(e, &["source", "site"]).unwrap_or("").to_string(),
        user.to_string(),
        facility.to_string(),
        patient,
        s(e, &["source", "observer", "display"]).unwrap_or("").to_string(),
        data_type.to_string(),
        action.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fhir_audit_event_maps_to_the_canonical_fields() {
        let line = r#"{"resourceType":"AuditEvent","type":{"code":"rest","display":"RESTful操作"},"subtype":[{"code":"read","display":"画像"}],"action":"R","recorded":"2025-07-01T00:15:00Z","agent":[{"who":{"identifier":{"value":"U77"},"display":"医師A"},"requestor":true},{"who":{"reference":"Organization/12","display":"ゆきぐにクリニック"},"requestor":false}],"source":{"site":"ID-Link","observer":{"display":"齋藤記念病院"}},"entity":[{"what":{"reference":"Patient/P900","identifier":{"value":"P900"}}},{"what":{"reference":"ImagingStudy/1"}}]}"#;
        assert_eq!(detect(line), Some(Shape::Fhir));
        let mut keys = KeyFields::new(crate::ingest::headers::builtin_aliases()["access_log"].clone());
        let want =
            ["2025-07-01T00:15:00Z", "ID-Link", "U77", "ゆきぐにクリニック", "P900", "齋藤記念病院", "画像", "閲覧"];
        assert_eq!(fields(line, Shape::Fhir, &mut keys).unwrap(), Row::owned(want.map(String::from).to_vec()));
        // The general path reads the same line the same way.
        assert_eq!(general(line, Shape::Fhir, &mut keys).unwrap(), want);
        assert_eq!(fields("not json", Shape::Fhir, &mut keys), Err("JSON として読めません"));
        assert_eq!(
            fields(r#"{"resourceType":"Patient"}"#, Shape::Fhir, &mut keys),
            Err("AuditEvent ではない FHIR リソースです")
        );
    }

    #[test]
    fn flat_json_lines_use_the_header_aliases() {
        let text = "{\"日時\":\"2025-07-01 09:00\",\"システム\":\"Team\",\"利用者ID\":\"U1\",\"利用施設\":\"十日町病院\",\"患者ID\":12,\"操作\":\"登録\"}\n";
        assert_eq!(detect(text), Some(Shape::Flat));
        let mut keys = KeyFields::new(crate::ingest::headers::builtin_aliases()["access_log"].clone());
        let want = ["2025-07-01 09:00", "Team", "U1", "十日町病院", "12", "", "", "登録"];
        assert_eq!(fields(text.trim(), Shape::Flat, &mut keys).unwrap(), Row::owned(want.map(String::from).to_vec()));
        assert_eq!(general(text.trim(), Shape::Flat, &mut keys).unwrap(), want);
        // Escapes, a nested value and a number where FHIR wants text: the general path's meaning.
        let odd = r#"{"日時":"2025-07-01 09:00","システム":{"name":"Team"},"利用者ID":"U\u0031","利用施設":"十日町病院","患者ID":1.5,"操作":true}"#;
        let got = fields(odd, Shape::Flat, &mut keys).unwrap();
        assert_eq!(got, Row::owned(general(odd, Shape::Flat, &mut keys).unwrap()));
        assert_eq!(got.field(1), r#"{"name":"Team"}"#);
        assert_eq!(got.field(2), "U1");
        let fhir = r#"{"resourceType":"AuditEvent","action":5,"recorded":"2025-07-01T00:15:00Z"}"#;
        let got = fields(fhir, Shape::Fhir, &mut keys).unwrap();
        assert_eq!(got, Row::owned(general(fhir, Shape::Fhir, &mut keys).unwrap()));
        assert_eq!(got.field(7), "");
    }
}
