//! Checking access-log rows, whatever their format (CSV, JSON Lines): one row per
//! operation → `access_events` (IDs pseudonymized after, on the pipeline's own thread),
//! facilities resolved once per distinct name, bad rows quarantined with where and why,
//! and a file refused when none (or most) of its rows load. Rows are pushed into column
//! batches without allocating per row.

use std::collections::HashMap;

use super::headers::{ColumnMap, column_letter, wanted_headers};
use super::held::{HeldReason, HeldReasons};
use super::matcher::FacilityMatcher;
use super::source_maps::Layouts;
use crate::domain::timestamp::Timestamps;
use crate::error::{Location, Problem};
use crate::store::{AccessEvent, EventBatch, QuarantineRow};

/// Longest field kept (Excel's cell limit).
const MAX_FIELD_CHARS: usize = 32_767;

/// Rows appended to the store per batch.
pub const BATCH_ROWS: usize = 122_880;

/// Quarantine rows handed on together.
const HELD_BATCH: usize = 10_000;

/// Canonical actions: 閲覧 (view) is what "views" count.
const ACTIONS: &[(&str, &[&str])] = &[
    ("閲覧", &["閲覧", "参照", "表示", "view", "read", "r"]),
    ("登録", &["登録", "作成", "書込", "書き込み", "create", "write", "c"]),
    ("更新", &["更新", "update", "u"]),
    ("削除", &["削除", "delete", "d"]),
    ("ダウンロード", &["ダウンロード", "download"]),
];

fn canonical_action(raw: &str) -> &str {
    let t = raw.trim();
    ACTIONS.iter().find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(t))).map_or(t, |(canon, _)| canon)
}

/// Where the parser hands its output: batches of good rows and of quarantined rows.
pub trait EventSink {
    /// Receives a batch of good rows.
    fn events(&mut self, rows: EventBatch) -> anyhow::Result<()>;
    /// Receives quarantined rows.
    fn quarantine(&mut self, rows: Vec<QuarantineRow>) -> anyhow::Result<()>;
}

/// Counts of one parse.
#[derive(Debug, Default, Clone)]
pub struct ParseCounts {
    /// Rows loaded.
    pub loaded: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// The commonest reasons they were held.
    pub reasons: Vec<HeldReason>,
}

/// What a log's rows are checked against: the roster's names and the layouts (header
/// aliases, extra date formats).
pub struct Parties<'a> {
    /// Facility names.
    pub matcher: &'a FacilityMatcher,
    /// Header aliases and date formats.
    pub layouts: &'a Layouts,
}

/// The fields of one record, by position.
pub trait Fields {
    /// How many fields.
    fn count(&self) -> usize;
    /// Field `i` (`""` past the end).
    fn field(&self, i: usize) -> &str;
}

impl Fields for [String] {
    fn count(&self) -> usize {
        self.len()
    }
    fn field(&self, i: usize) -> &str {
        self.get(i).map_or("", String::as_str)
    }
}

/// How quarantine rows name a column: spreadsheet letters (CSV) or the key (JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// `D列「利用施設」`.
    Letters,
    /// `キー「agent.who」`.
    Keys,
}

/// Column positions of the canonical fields.
struct Positions {
    time: usize,
    system: usize,
    user: usize,
    facility: usize,
    patient: usize,
    action: usize,
    disclosing: Option<usize>,
    data_type: Option<usize>,
}

/// Checks records one by one and hands them on in batches, their IDs still raw.
pub struct Validator<'a> {
    file: &'a str,
    header: Vec<String>,
    columns: Columns,
    at: Positions,
    matcher: &'a FacilityMatcher,
    layouts: &'a Layouts,
    facilities: HashMap<String, Option<i32>, foldhash::fast::RandomState>,
    times: Timestamps,
    sink: &'a mut dyn EventSink,
    batch: EventBatch,
    held: Vec<QuarantineRow>,
    reasons: HeldReasons,
    counts: ParseCounts,
}

impl<'a> Validator<'a> {
    /// A validator for records in `header` order; a [`Problem`] when required columns are
    /// missing (it lists the headers found and those wanted).
    pub fn new(
        file: &'a str,
        header: Vec<String>,
        columns: Columns,
        cx: Parties<'a>,
        sink: &'a mut dyn EventSink,
    ) -> anyhow::Result<Validator<'a>> {
        let Parties { matcher, layouts } = cx;
        let kind = layouts.kind("access_log");
        let map = ColumnMap::match_headers(&kind.keyed(), &header);
        let missing = map.missing(kind);
        if !missing.is_empty() {
            return Err(Problem::refused(format!("{file} はアクセスログとして読めません"))
                .at(Location::file(file).header())
                .because(format!("必要な列がありません。見つかった見出し: {}", header.join("、")))
                .hint(format!(
                    "見出しを {} にそろえるか、renkei.toml の [sources.名前] で列を対応づけてください",
                    wanted_headers(kind)
                ))
                .into());
        }
        let required = |f: &str| map.index(f).expect("checked above");
        let at = Positions {
            time: required("occurred_at"),
            system: required("system"),
            user: required("user_id"),
            facility: required("facility"),
            patient: required("patient_id"),
            action: required("action"),
            disclosing: map.index("disclosing_facility"),
            data_type: map.index("data_type"),
        };
        Ok(Validator {
            file,
            header,
            columns,
            at,
            matcher,
            layouts,
            facilities: HashMap::default(),
            times: Timestamps::default(),
            sink,
            batch: EventBatch::with_capacity(BATCH_ROWS),
            held: Vec::new(),
            reasons: HeldReasons::default(),
            counts: ParseCounts::default(),
        })
    }

    fn resolve(&mut self, name: &str) -> Option<i32> {
        if let Some(hit) = self.facilities.get(name) {
            return *hit;
        }
        let hit = self.matcher.resolve(name);
        self.facilities.insert(name.to_string(), hit);
        hit
    }

    fn quarantine(
        &self,
        row_number: u64,
        column: Option<usize>,
        value: Option<&str>,
        reason: String,
        hint: &str,
    ) -> QuarantineRow {
        QuarantineRow {
            row_number,
            column: column.filter(|c| *c < self.header.len()).map(|c| self.column_name(c)),
            value: value.map(str::to_string),
            reason,
            hint: Some(hint.to_string()),
        }
    }

    /// Holds a row the source itself could not read (not JSON, a broken line).
    pub fn hold(&mut self, row: QuarantineRow) -> anyhow::Result<()> {
        self.reasons.add(&row);
        self.counts.quarantined += 1;
        self.held.push(row);
        if self.held.len() >= HELD_BATCH {
            self.sink.quarantine(std::mem::take(&mut self.held))?;
        }
        Ok(())
    }

    /// Holds a row whose bytes are not text in its encoding.
    pub fn hold_garbled(&mut self, row_number: u64, column: Option<usize>) -> anyhow::Result<()> {
        let reason = "文字化けしています（文字コードとして読めない文字があります）".to_string();
        let row = self.quarantine(row_number, column, None, reason, "元のシステムから出力し直してください");
        self.hold(row)
    }

    /// Checks one record and takes it into the batch, or holds it with the reason.
    pub fn push(&mut self, row_number: u64, record: &(impl Fields + ?Sized)) -> anyhow::Result<()> {
        match self.check(row_number, record)? {
            Some(held) => self.hold(held),
            None if self.batch.len() >= BATCH_ROWS => {
                let full = std::mem::replace(&mut self.batch, EventBatch::with_capacity(BATCH_ROWS));
                self.counts.loaded += full.len() as u64;
                self.sink.events(full)
            }
            None => Ok(()),
        }
    }

    /// Takes the record into the batch (None), or says why not (the row to hold). An error
    /// refuses the whole file.
    fn check(&mut self, row_number: u64, record: &(impl Fields + ?Sized)) -> anyhow::Result<Option<QuarantineRow>> {
        let width = self.header.len();
        let n = record.count();
        let field = |c: usize| trim(record.field(c));
        if (0..n).all(|c| field(c).is_empty()) {
            return Ok(None);
        }
        let hold = |this: &Self, column: usize, value: Option<&str>, reason: String, hint: &str| {
            Ok(Some(this.quarantine(row_number, Some(column), value, reason, hint)))
        };
        if n != width {
            return Ok(Some(QuarantineRow {
                row_number,
                column: None,
                value: None,
                reason: format!("列の数が見出しと違います（見出し {width} 列、この行 {n} 列）"),
                hint: Some("値の中のカンマが引用符で囲まれているか確かめてください".into()),
            }));
        }
        // Control characters or U+FFFD anywhere: look closer (rare, so the common row pays
        // one pass over its bytes).
        if (0..n).any(|c| suspicious(record.field(c).as_bytes())) {
            if let Some(c) = (0..n).find(|c| record.field(*c).contains('\0')) {
                return Err(Problem::refused(format!("{} を取り込めませんでした", self.file))
                    .at(Location::file(self.file).row(row_number).column(Some(self.column_name(c))))
                    .because("この行以降がテキストではありません（バイナリデータか、壊れたファイルです）")
                    .hint("CSV として出力し直してから置いてください")
                    .into());
            }
            if let Some(c) = (0..n).find(|c| record.field(*c).chars().any(garbled)) {
                let value = if c == self.at.user || c == self.at.patient { None } else { Some(field(c)) };
                let reason = "文字化けしています（文字コードとして読めない文字があります）".into();
                return hold(self, c, value, reason, "元のシステムから出力し直してください");
            }
        }
        // A cell longer than Excel's own limit is a broken export, not data; the value is
        // not kept (it could be anything), only its length.
        if let Some(c) = (0..n).find(|c| record.field(*c).len() > MAX_FIELD_CHARS) {
            let chars = record.field(c).chars().count();
            if chars > MAX_FIELD_CHARS {
                let reason = format!("値が長すぎます（{chars} 文字、上限 {MAX_FIELD_CHARS} 文字）");
                return hold(self, c, None, reason, "元のシステムから出力し直してください");
            }
        }
        let at = &self.at;
        let (time, system, facility_name) = (field(at.time), field(at.system), field(at.facility));
        let (user_raw, patient_raw, action) = (field(at.user), field(at.patient), canonical_action(field(at.action)));
        let disclosing_name = at.disclosing.map(field).filter(|s| !s.is_empty());
        let data_type = at.data_type.map(field).filter(|s| !s.is_empty());
        let (c_time, c_system, c_facility, c_disclosing, c_patient, c_action) =
            (at.time, at.system, at.facility, at.disclosing, at.patient, at.action);
        let occurred_at = match self.times.parse(time).or_else(|e| self.layouts.parse_timestamp(time).ok_or(e)) {
            Ok(t) => t,
            Err(reason) => return hold(self, c_time, Some(time), reason, "日時の書式を直してください"),
        };
        if system.is_empty() {
            let hint = "ID-Link・Team などのシステム名を入れてください";
            return hold(self, c_system, None, "システム名が空です".into(), hint);
        }
        let Some(facility_id) = self.resolve(facility_name) else {
            return Ok(Some(self.unknown_facility(row_number, c_facility, facility_name)));
        };
        let disclosing_facility_id = match disclosing_name {
            None => None,
            Some(name) => match self.resolve(name) {
                Some(id) => Some(id),
                None => return Ok(Some(self.unknown_facility(row_number, c_disclosing.expect("named"), name))),
            },
        };
        if patient_raw.is_empty() {
            return hold(self, c_patient, None, "患者IDが空です".into(), "患者IDの入った行を出力し直してください");
        }
        if action.is_empty() {
            return hold(self, c_action, None, "操作が空です".into(), "閲覧・登録などの操作を入れてください");
        }
        self.batch.push(AccessEvent {
            occurred_at,
            system,
            user_id: user_raw,
            facility_id,
            patient_id: patient_raw,
            disclosing_facility_id,
            data_type,
            action,
        });
        Ok(None)
    }

    /// `D列「利用施設」` (CSV) or `キー「facility」` (JSON).
    fn column_name(&self, c: usize) -> String {
        match self.columns {
            Columns::Letters => format!("{}列「{}」", column_letter(c), self.header[c]),
            Columns::Keys => format!("キー「{}」", self.header[c]),
        }
    }

    fn unknown_facility(&self, row_number: u64, column: usize, name: &str) -> QuarantineRow {
        if name.is_empty() {
            let hint = "施設名の入った行を出力し直してください";
            return self.quarantine(row_number, Some(column), Some(name), "施設名が空です".into(), hint);
        }
        let hint = format!(
            "renkei alias add '{name}' '名簿上の施設名' で別名を登録し、renkei ingest --replace でこのファイルを取り込み直してください"
        );
        let reason = format!("施設「{name}」が名簿にも別名にもありません");
        self.quarantine(row_number, Some(column), Some(name), reason, &hint)
    }

    /// Hands on what is left, or refuses the file when most of its rows failed.
    pub fn finish(mut self) -> anyhow::Result<ParseCounts> {
        let loaded = self.counts.loaded + self.batch.len() as u64;
        let held = self.counts.quarantined;
        // A file none of whose rows loads is refused whole, whatever the reasons (issue 16).
        if loaded == 0 {
            return Err(self.reasons.refuse(self.file).into());
        }
        // A file most of whose rows fail is the wrong file or a broken export, not bad rows.
        if held > 10 && held * 2 > loaded + held {
            let first = self.reasons.first().cloned().expect("rows were held");
            return Err(Problem::refused(format!("{} の大半の行を読めません", self.file))
                .at(Location::file(self.file).row(first.row_number).column(first.column.clone()))
                .because(format!("{} 行中 {held} 行が読めません。最初の理由: {}", loaded + held, first.reason))
                .hint(first.hint.clone().unwrap_or_else(|| "ファイルの種類と様式を確かめてください".into()))
                .into());
        }
        self.counts.loaded = loaded;
        self.counts.reasons = self.reasons.top(3);
        let batch = std::mem::replace(&mut self.batch, EventBatch::with_capacity(0));
        if !batch.is_empty() {
            self.sink.events(batch)?;
        }
        if !self.held.is_empty() {
            self.sink.quarantine(std::mem::take(&mut self.held))?;
        }
        Ok(self.counts)
    }
}

/// `str::trim`, skipped when both ends are visible ASCII (most fields).
fn trim(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| (0x21..0x7f).contains(b));
    let bytes = s.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) { s } else { s.trim() }
}

/// Bytes that may be a control character or U+FFFD (whose UTF-8 starts with 0xEF); checked
/// without branching so the common row costs one vectorized pass.
fn suspicious(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |seen, b| seen | (*b < 0x20) | (*b == 0xEF))
}

/// A character that shows the bytes were not text in the file's encoding.
fn garbled(c: char) -> bool {
    c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
}
