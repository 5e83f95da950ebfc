//! Access logs (CSV/TSV): one row per operation → `access_events`, IDs pseudonymized,
//! facilities resolved, bad rows quarantined with where and why.

use std::collections::HashMap;

use super::headers::{ColumnMap, aliases, column_letter, wanted_headers};
use super::matcher::FacilityMatcher;
use super::pseudonymize::{IdKind, Pseudonymizer};
use crate::domain::timestamp::parse_jst;
use crate::error::Problem;
use crate::store::{AccessEventRow, QuarantineRow};

/// Longest field kept (Excel's cell limit).
const MAX_FIELD_CHARS: usize = 32_767;

/// Rows appended to the store per batch.
pub const BATCH_ROWS: usize = 50_000;

/// Canonical actions: 閲覧 (view) is what "views" count.
fn canonical_action(raw: &str) -> String {
    let t = raw.trim();
    match t.to_ascii_lowercase().as_str() {
        "閲覧" | "参照" | "表示" | "view" | "read" | "r" => "閲覧".to_string(),
        "登録" | "作成" | "書込" | "書き込み" | "create" | "write" | "c" => "登録".to_string(),
        "更新" | "update" | "u" => "更新".to_string(),
        "削除" | "delete" | "d" => "削除".to_string(),
        "ダウンロード" | "download" => "ダウンロード".to_string(),
        _ => t.to_string(),
    }
}

/// What the parser hands on: rows to load and rows to quarantine, in batches.
pub trait EventSink {
    /// Receives a batch of good rows.
    fn events(&mut self, rows: Vec<AccessEventRow>) -> anyhow::Result<()>;
    /// Receives quarantined rows.
    fn quarantine(&mut self, rows: Vec<QuarantineRow>) -> anyhow::Result<()>;
}

/// Counts of one parse.
#[derive(Debug, Default, Clone, Copy)]
pub struct ParseCounts {
    /// Rows loaded.
    pub loaded: u64,
    /// Rows quarantined.
    pub quarantined: u64,
}

/// Parses a decoded access log. Returns a [`Problem`] (file refused) when the header is
/// not an access log's or most rows are unreadable.
pub fn parse(
    file: &str,
    text: &str,
    delimiter: u8,
    matcher: &FacilityMatcher,
    ids: &mut Pseudonymizer,
    sink: &mut dyn EventSink,
) -> anyhow::Result<ParseCounts> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(|s| s.trim().to_string()).collect(),
        _ => {
            return Err(Problem::new(format!("{file} に見出し行がありません"))
                .hint("1行目に見出しのある CSV を置いてください")
                .into());
        }
    };
    let rows = records.enumerate().map(|(i, record)| {
        let row_number = i as u64 + 2;
        record.map(|r| (row_number, r.iter().map(str::to_string).collect())).map_err(|e| {
            Problem::new(format!("{file} を CSV として読めません（データベースは変更していません）"))
                .at(format!("{file} {row_number}行目"))
                .because(e.to_string())
                .hint("ファイルが途中で壊れていないか確かめ、出力し直してください")
        })
    });
    parse_records(file, &header, Columns::Letters, rows, matcher, ids, sink)
}

/// How quarantine rows name a column: spreadsheet letters (CSV) or the key (JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// `D列「利用施設」`.
    Letters,
    /// `キー「agent.who」`.
    Keys,
}

/// Validates, pseudonymizes and hands on records (row number, fields in `header` order).
pub fn parse_records(
    file: &str,
    header: &[String],
    columns: Columns,
    records: impl Iterator<Item = Result<(u64, Vec<String>), Problem>>,
    matcher: &FacilityMatcher,
    ids: &mut Pseudonymizer,
    sink: &mut dyn EventSink,
) -> anyhow::Result<ParseCounts> {
    let kind = &aliases()["access_log"];
    let map = ColumnMap::match_headers(kind, header);
    let missing = map.missing(kind);
    if !missing.is_empty() {
        return Err(Problem::new(format!("{file} はアクセスログとして読めません（データベースは変更していません）"))
            .at(format!("{file} 1行目（見出し）"))
            .because(format!("必要な列がありません。見つかった見出し: {}", header.join("、")))
            .hint(format!(
                "見出しを {} にそろえるか、renkei.toml の [sources.名前] で列を対応づけてください",
                wanted_headers(kind)
            ))
            .into());
    }
    let col = |f: &str| map.index(f);
    let (c_time, c_sys, c_user, c_fac, c_pat, c_act) = (
        col("occurred_at").expect("required"),
        col("system").expect("required"),
        col("user_id").expect("required"),
        col("facility").expect("required"),
        col("patient_id").expect("required"),
        col("action").expect("required"),
    );
    let (c_disc, c_type) = (col("disclosing_facility"), col("data_type"));
    let width = header.len();

    let mut counts = ParseCounts::default();
    let mut batch = Vec::with_capacity(BATCH_ROWS.min(4096));
    let mut held = Vec::new();
    let mut facility_cache: HashMap<String, Option<i32>> = HashMap::new();
    let mut resolve = |name: &str| -> Option<i32> {
        if let Some(hit) = facility_cache.get(name) {
            return *hit;
        }
        let hit = matcher.resolve(name);
        facility_cache.insert(name.to_string(), hit);
        hit
    };
    for record in records {
        let (row_number, record) = record?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let quarantine =
            |column: Option<usize>, value: Option<String>, reason: String, hint: Option<String>| QuarantineRow {
                row_number,
                column: column.map(|c| match columns {
                    Columns::Letters => format!("{}列「{}」", column_letter(c), header[c]),
                    Columns::Keys => format!("キー「{}」", header[c]),
                }),
                value,
                reason,
                hint,
            };
        if record.len() != width {
            held.push(quarantine(
                None,
                None,
                format!("列の数が見出しと違います（見出し {width} 列、この行 {} 列）", record.len()),
                Some("値の中のカンマが引用符で囲まれているか確かめてください".into()),
            ));
            continue;
        }
        // A cell longer than Excel's own limit is a broken export, not data; the value is
        // not kept (it could be anything), only its length.
        if let Some(c) = (0..record.len()).find(|c| record[*c].chars().count() > MAX_FIELD_CHARS) {
            held.push(quarantine(
                Some(c.min(width.saturating_sub(1))),
                None,
                format!("値が長すぎます（{} 文字、上限 {MAX_FIELD_CHARS} 文字）", record[c].chars().count()),
                Some("元のシステムから出力し直してください".into()),
            ));
            continue;
        }
        let field = |c: usize| record.get(c).map_or("", |s| s.trim());
        if let Some(c) = (0..width).find(|c| field(*c).contains('\u{FFFD}')) {
            let value = if c == c_user || c == c_pat { None } else { Some(field(c).to_string()) };
            held.push(quarantine(
                Some(c),
                value,
                "文字化けしています（文字コードとして読めない文字があります）".into(),
                Some("元のシステムから出力し直してください".into()),
            ));
            continue;
        }
        let occurred_at = match parse_jst(field(c_time))
            .or_else(|e| super::source_maps::parse_custom_timestamp(field(c_time)).ok_or(e))
        {
            Ok(t) => t,
            Err(reason) => {
                held.push(quarantine(
                    Some(c_time),
                    Some(field(c_time).to_string()),
                    reason,
                    Some("日時の書式を直してください".into()),
                ));
                continue;
            }
        };
        let system = field(c_sys);
        if system.is_empty() {
            held.push(quarantine(
                Some(c_sys),
                None,
                "システム名が空です".into(),
                Some("ID-Link・Team などのシステム名を入れてください".into()),
            ));
            continue;
        }
        let facility_name = field(c_fac);
        let Some(facility_id) = resolve(facility_name) else {
            held.push(unknown_facility(
                quarantine(Some(c_fac), Some(facility_name.to_string()), String::new(), None),
                facility_name,
            ));
            continue;
        };
        let disclosing_facility_id = match c_disc.map(field).filter(|s| !s.is_empty()) {
            None => None,
            Some(name) => match resolve(name) {
                Some(id) => Some(id),
                None => {
                    held.push(unknown_facility(quarantine(c_disc, Some(name.to_string()), String::new(), None), name));
                    continue;
                }
            },
        };
        let user_raw = field(c_user);
        let patient_raw = field(c_pat);
        if patient_raw.is_empty() {
            held.push(quarantine(
                Some(c_pat),
                None,
                "患者IDが空です".into(),
                Some("患者IDの入った行を出力し直してください".into()),
            ));
            continue;
        }
        let action = canonical_action(field(c_act));
        if action.is_empty() {
            held.push(quarantine(
                Some(c_act),
                None,
                "操作が空です".into(),
                Some("閲覧・登録などの操作を入れてください".into()),
            ));
            continue;
        }
        batch.push(AccessEventRow {
            occurred_at,
            system: system.to_string(),
            user_key: ids.pseudonym(IdKind::User, user_raw),
            facility_id,
            patient_key: ids.pseudonym(IdKind::Patient, patient_raw),
            disclosing_facility_id,
            data_type: c_type.map(field).filter(|s| !s.is_empty()).map(str::to_string),
            action,
        });
        if batch.len() >= BATCH_ROWS {
            counts.loaded += batch.len() as u64;
            sink.events(std::mem::take(&mut batch))?;
        }
    }
    let total = counts.loaded + batch.len() as u64 + held.len() as u64;
    // A file most of whose rows fail is the wrong file or a broken export, not bad rows.
    if held.len() > 10 && held.len() as u64 * 2 > total {
        let first = &held[0];
        return Err(Problem::new(format!("{file} の大半の行を読めません（データベースは変更していません）"))
            .at(format!("{file} {}行目 {}", first.row_number, first.column.clone().unwrap_or_default()))
            .because(format!("{} 行中 {} 行が読めません。最初の理由: {}", total, held.len(), first.reason))
            .hint(first.hint.clone().unwrap_or_else(|| "ファイルの種類と様式を確かめてください".into()))
            .into());
    }
    counts.loaded += batch.len() as u64;
    counts.quarantined = held.len() as u64;
    if !batch.is_empty() {
        sink.events(batch)?;
    }
    if !held.is_empty() {
        sink.quarantine(held)?;
    }
    Ok(counts)
}

fn unknown_facility(mut q: QuarantineRow, name: &str) -> QuarantineRow {
    if name.is_empty() {
        q.reason = "施設名が空です".into();
        q.hint = Some("施設名の入った行を出力し直してください".into());
    } else {
        q.reason = format!("施設「{name}」が名簿にも別名にもありません");
        q.hint = Some(format!(
            "renkei alias add '{name}' '名簿上の施設名' で別名を登録し、renkei ingest --replace でこのファイルを取り込み直してください"
        ));
    }
    q
}
