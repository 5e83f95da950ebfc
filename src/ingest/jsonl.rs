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

use serde_json::Value;

use super::headers::{aliases, header_key};
use crate::domain::names::matching_key;
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

/// Records (line number, fields in [`FIELDS`] order) and the lines that could not be read.
pub fn records(text: &str, shape: Shape) -> (Vec<(u64, Vec<String>)>, Vec<QuarantineRow>) {
    let kind = &aliases()["access_log"];
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let hold = |reason: String| QuarantineRow {
            row_number: number,
            column: None,
            value: None,
            reason,
            hint: Some("元のシステムから出力し直してください".into()),
        };
        let Ok(value) = serde_json::from_str::<Value>(line.trim()) else {
            bad.push(hold("JSON として読めません".into()));
            continue;
        };
        let Some(obj) = value.as_object() else {
            bad.push(hold("JSON のオブジェクトではありません".into()));
            continue;
        };
        let fields = match shape {
            Shape::Flat => FIELDS
                .iter()
                .map(|f| {
                    let names: Vec<String> = kind.fields[*f].iter().map(|n| matching_key(n)).collect();
                    obj.iter()
                        .find(|(k, _)| names.contains(&header_key(k).0))
                        .map(|(_, v)| text_of(v))
                        .unwrap_or_default()
                })
                .collect(),
            Shape::Fhir => {
                if obj.get("resourceType").and_then(Value::as_str) != Some("AuditEvent") {
                    bad.push(hold("AuditEvent ではない FHIR リソースです".into()));
                    continue;
                }
                audit_event(&value)
            }
        };
        good.push((number, fields));
    }
    (good, bad)
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
        let (good, bad) = records(&format!("{line}\nnot json\n"), Shape::Fhir);
        assert_eq!(
            good[0].1,
            ["2025-07-01T00:15:00Z", "ID-Link", "U77", "ゆきぐにクリニック", "P900", "齋藤記念病院", "画像", "閲覧"]
        );
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].row_number, 2);
    }

    #[test]
    fn flat_json_lines_use_the_header_aliases() {
        let text = "{\"日時\":\"2025-07-01 09:00\",\"システム\":\"Team\",\"利用者ID\":\"U1\",\"利用施設\":\"十日町病院\",\"患者ID\":12,\"操作\":\"登録\"}\n";
        assert_eq!(detect(text), Some(Shape::Flat));
        let (good, _) = records(text, Shape::Flat);
        assert_eq!(good[0].1, ["2025-07-01 09:00", "Team", "U1", "十日町病院", "12", "", "", "登録"]);
    }
}
