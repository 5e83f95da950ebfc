//! `[sources.NAME]` in renkei.toml: layouts the built-in header aliases do not know, mapped
//! without code changes. Each map names its kind, `columns` (field → header text), and
//! optionally `encoding` (used for text that is neither UTF-8 nor has a BOM) and
//! `date_format` (a chrono format tried after the built-in timestamp forms).
//!
//! The maps are checked when settings load (unknown kind, field or encoding, or a format
//! chrono rejects, is an error naming the config line) and resolved into [`Layouts`]: the
//! built-in header aliases with the configured header texts first, the fallback encoding
//! and the extra date formats. Ingest gets its `Layouts` as a value (in `IngestOptions`),
//! never from process-wide state, so two settings in one process cannot mix.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use encoding_rs::Encoding;

use super::headers::{KindAliases, builtin_aliases};
use crate::config::{Settings, SourceMap};
use crate::error::{Location, Problem};

/// How the council's files are laid out: header aliases per kind, the encoding of text
/// that is neither UTF-8 nor marked by a BOM, and extra timestamp formats.
#[derive(Debug, Clone)]
pub struct Layouts {
    /// Kind name → its aliases (configured header texts first).
    aliases: BTreeMap<String, KindAliases>,
    /// The encoding for text without BOM that is not UTF-8 (Shift_JIS when none is set).
    pub encoding: Option<&'static Encoding>,
    /// Extra timestamp formats for access logs.
    pub date_formats: Vec<String>,
}

impl Default for Layouts {
    /// The built-in layouts alone.
    fn default() -> Self {
        Layouts { aliases: builtin_aliases().clone(), encoding: None, date_formats: Vec::new() }
    }
}

impl Layouts {
    /// Checks the settings' `[sources.*]` maps and resolves them.
    pub fn resolve(settings: &Settings) -> Result<Layouts, Problem> {
        let text = settings.config_file.as_ref().and_then(|f| std::fs::read_to_string(f).ok()).unwrap_or_default();
        let origin = settings.config_file.as_ref().map_or("renkei.toml".to_string(), |f| f.display().to_string());
        check(&settings.config.sources, &text, &origin)
    }

    /// The aliases of the kind called `name` (`access_log`, `roster`…).
    pub fn kind(&self, name: &str) -> &KindAliases {
        &self.aliases[name]
    }

    /// Parses a timestamp with the configured `date_format`s.
    pub fn parse_timestamp(&self, text: &str) -> Option<NaiveDateTime> {
        self.date_formats.iter().find_map(|f| {
            NaiveDateTime::parse_from_str(text.trim(), f).ok().or_else(|| {
                chrono::NaiveDate::parse_from_str(text.trim(), f).ok().map(|d| d.and_time(chrono::NaiveTime::MIN))
            })
        })
    }
}

/// Validates the maps; errors name the config line.
pub fn check(maps: &BTreeMap<String, SourceMap>, text: &str, origin: &str) -> Result<Layouts, Problem> {
    let kinds = builtin_aliases();
    let mut out = Layouts::default();
    for (name, map) in maps {
        let place = |key: &str| Location::file(origin).line(line_of(text, name, key), None);
        let problem = |key: &str, why: String, hint: String| {
            Problem::new(format!("設定 [sources.{name}] を読めません")).at(place(key)).because(why).hint(hint)
        };
        let Some(kind) = kinds.get(&map.kind) else {
            let known: Vec<&str> = kinds.keys().map(String::as_str).collect();
            return Err(problem(
                "kind",
                format!("kind = \"{}\" という入力の種類はありません", map.kind),
                format!("kind は {} のどれかにしてください", known.join("、")),
            ));
        };
        for (field, header) in &map.columns {
            if !kind.fields.contains_key(field) {
                let known: Vec<&str> = kind.fields.keys().map(String::as_str).collect();
                return Err(problem(
                    field,
                    format!("{} に {field} という項目はありません", map.kind),
                    format!("columns の左辺は {} のどれかにしてください", known.join("、")),
                ));
            }
            if let Some(names) = out.aliases.get_mut(&map.kind).and_then(|k| k.fields.get_mut(field)) {
                names.insert(0, header.clone());
            }
        }
        if let Some(enc) = &map.encoding {
            let found = match enc.to_ascii_lowercase().replace('-', "_").as_str() {
                "utf_8" | "utf8" => encoding_rs::UTF_8,
                "shift_jis" | "sjis" | "cp932" | "windows_31j" => encoding_rs::SHIFT_JIS,
                "utf_16" | "utf_16le" | "utf16" => encoding_rs::UTF_16LE,
                "utf_16be" => encoding_rs::UTF_16BE,
                _ => {
                    return Err(problem(
                        "encoding",
                        format!("encoding = \"{enc}\" は使えません"),
                        "utf-8・shift_jis・utf-16 のどれかにしてください".into(),
                    ));
                }
            };
            out.encoding = Some(found);
        }
        if let Some(fmt) = &map.date_format {
            // A format with items chrono does not know cannot parse anything.
            if chrono::format::StrftimeItems::new(fmt).any(|i| matches!(i, chrono::format::Item::Error)) {
                return Err(problem(
                    "date_format",
                    format!("date_format = \"{fmt}\" を日時の書式として読めません"),
                    "%Y/%m/%d %H:%M のように chrono の書式で書いてください".into(),
                ));
            }
            out.date_formats.push(fmt.clone());
        }
    }
    Ok(out)
}

/// The 1-based line of `key` inside `[sources.NAME]` (or of the section itself).
fn line_of(text: &str, name: &str, key: &str) -> usize {
    let header = format!("[sources.{name}]");
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim() == header) else { return 1 };
    lines[start + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with('['))
        .position(|l| l.contains(key))
        .map_or(start + 1, |i| start + 2 + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maps(toml_text: &str) -> BTreeMap<String, SourceMap> {
        crate::config::parse_config(toml_text, "renkei.toml", &[]).unwrap().sources
    }

    #[test]
    fn a_valid_map_installs_its_headers_encoding_and_format() {
        let text = "[sources.vendor_x]\nkind = \"access_log\"\ncolumns = { occurred_at = \"AccessTime\", patient_id = \"PtNo\" }\nencoding = \"utf-16\"\ndate_format = \"%Y%m%d%H%M%S\"\n";
        let got = check(&maps(text), text, "renkei.toml").unwrap();
        assert_eq!(got.kind("access_log").fields["patient_id"][0], "PtNo", "both configured headers added");
        assert_eq!(got.encoding, Some(encoding_rs::UTF_16LE));
        assert_eq!(got.date_formats, vec!["%Y%m%d%H%M%S"]);
        assert_eq!(got.kind("access_log").fields["occurred_at"][0], "AccessTime", "the configured header first");
        assert_eq!(Layouts::default().kind("access_log").fields["occurred_at"][0], "日時");
    }

    #[test]
    fn bad_maps_name_the_line() {
        let text = "[report]\nlocale = \"ja\"\n\n[sources.vendor_x]\nkind = \"access_log\"\ncolumns = { occured_at = \"AccessTime\" }\n";
        let p = check(&maps(text), text, "renkei.toml").unwrap_err();
        assert_eq!(p.place.map(|l| l.to_string()).as_deref(), Some("renkei.toml 6行"));
        assert!(p.reason.unwrap().contains("occured_at"));
        let text = "[sources.y]\nkind = \"logs\"\n";
        let place = |text: &str| check(&maps(text), text, "renkei.toml").unwrap_err().place.map(|l| l.to_string());
        assert_eq!(place(text).as_deref(), Some("renkei.toml 2行"));
        let text = "[sources.z]\nkind = \"roster\"\nencoding = \"latin1\"\n";
        assert_eq!(place(text).as_deref(), Some("renkei.toml 3行"));
    }
}
