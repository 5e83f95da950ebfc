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

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use super::decode::read_error;
use super::headers::{KindAliases, header_key};
use super::validate::{Columns, EventSink, ParseCounts, Parties, Validator};
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

/// Parses a JSON Lines access log from a UTF-8 stream, a line at a time; lines that are
/// not JSON are held with their line number, the rest go through the CSV rows' checks.
pub fn parse(
    file: &str,
    text: impl Read,
    shape: Shape,
    cx: Parties<'_>,
    sink: &mut dyn EventSink,
) -> anyhow::Result<ParseCounts> {
    let header: Vec<String> = FIELDS.iter().map(|f| f.to_string()).collect();
    let mut keys = KeyFields::new(cx.layouts.kind("access_log").clone());
    let mut rows = Validator::new(file, header, Columns::Keys, cx, sink)?;
    let mut reader = BufReader::with_capacity(1 << 20, text);
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line).map_err(|e| {
            Problem::refused(format!("{file} を最後まで読めません"))
                .at(Location::file(file).row(number + 1))
                .because(read_error(&e))
                .hint("ファイルが途中で壊れていないか確かめ、出力し直してください")
        })?;
        if read == 0 {
            break;
        }
        number += 1;
        let Ok(text) = std::str::from_utf8(&line) else {
            rows.hold_garbled(number, None)?;
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        match fields(text, shape, &mut keys) {
            Ok(fields) => rows.push(number, fields.as_slice())?,
            Err(reason) => rows.hold(QuarantineRow {
                row_number: number,
                column: None,
                value: None,
                reason: reason.into(),
                hint: Some("元のシステムから出力し直してください".into()),
            })?,
        }
    }
    rows.finish()
}

/// Which canonical field each object key of a flat file means, worked out once per key.
struct KeyFields {
    seen: HashMap<String, Option<usize>>,
    kind: KindAliases,
}

impl KeyFields {
    fn new(kind: KindAliases) -> KeyFields {
        KeyFields { seen: HashMap::new(), kind }
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

/// One line's fields in [`FIELDS`] order, or why it cannot be read.
fn fields(line: &str, shape: Shape, keys: &mut KeyFields) -> Result<Vec<String>, &'static str> {
    let value = serde_json::from_str::<Value>(line.trim()).map_err(|_| "JSON として読めません")?;
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
        assert_eq!(
            fields(line, Shape::Fhir, &mut keys).unwrap(),
            ["2025-07-01T00:15:00Z", "ID-Link", "U77", "ゆきぐにクリニック", "P900", "齋藤記念病院", "画像", "閲覧"]
        );
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
        let got = fields(text.trim(), Shape::Flat, &mut keys).unwrap();
        assert_eq!(got, ["2025-07-01 09:00", "Team", "U1", "十日町病院", "12", "", "", "登録"]);
    }
}
