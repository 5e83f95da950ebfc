//! Access events as Arrow columns ([`EventBatch`]): the parser fills a batch row by row,
//! a thread of its own turns the batch's raw IDs into pseudonyms, and the store inserts it
//! in one statement (a row at a time through the appender costs several FFI calls per
//! value); the same arrays go on to the lake's Parquet writer. Raw IDs live only in memory,
//! between the parser and the pseudonymizer.

use std::sync::Arc;

use duckdb::arrow::array::{
    Array, ArrayRef, FixedSizeBinaryArray, FixedSizeBinaryBuilder, Int32Array, Int32Builder, StringArray,
    StringBuilder, TimestampMicrosecondArray,
};
use duckdb::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use duckdb::arrow::record_batch::RecordBatch;

/// One access event as the parser hands it on: checked, facilities resolved, IDs still raw.
#[derive(Debug, Clone, Copy)]
pub struct AccessEvent<'a> {
    /// JST wall-clock time.
    pub occurred_at: chrono::NaiveDateTime,
    /// ID-Link, Team, ...
    pub system: &'a str,
    /// The user ID, trimmed ("" when none).
    pub user_id: &'a str,
    /// The facility that used the network.
    pub facility_id: i32,
    /// The patient ID, trimmed.
    pub patient_id: &'a str,
    /// The facility whose data was seen.
    pub disclosing_facility_id: Option<i32>,
    /// 画像, 検査, ...
    pub data_type: Option<&'a str>,
    /// 閲覧, 登録, ...
    pub action: &'a str,
}

/// Access events in columns (Arrow arrays), inserted into the store in one statement: a
/// row at a time through the appender costs several FFI calls per value.
pub struct EventBatch {
    occurred_at: Vec<i64>,
    system: StringBuilder,
    ids: Ids,
    facility_id: Vec<i32>,
    disclosing_facility_id: Int32Builder,
    data_type: StringBuilder,
    action: StringBuilder,
}

impl EventBatch {
    /// An empty batch with room for `rows`.
    pub fn with_capacity(rows: usize) -> EventBatch {
        let strings = |bytes_per_row: usize| StringBuilder::with_capacity(rows, rows * bytes_per_row);
        EventBatch {
            occurred_at: Vec::with_capacity(rows),
            system: strings(8),
            ids: Ids::Raw { user: strings(8), patient: strings(10) },
            facility_id: Vec::with_capacity(rows),
            disclosing_facility_id: Int32Builder::with_capacity(rows),
            data_type: strings(6),
            action: strings(6),
        }
    }

    /// Adds one event.
    pub fn push(&mut self, e: AccessEvent<'_>) {
        self.occurred_at.push(e.occurred_at.and_utc().timestamp_micros());
        self.system.append_value(e.system);
        if let Ids::Raw { user, patient } = &mut self.ids {
            user.append_value(e.user_id);
            patient.append_value(e.patient_id);
        }
        self.facility_id.push(e.facility_id);
        self.disclosing_facility_id.append_option(e.disclosing_facility_id);
        self.data_type.append_option(e.data_type);
        self.action.append_value(e.action);
    }

    /// Events in the batch.
    pub fn len(&self) -> usize {
        self.facility_id.len()
    }

    /// True when the batch holds no event.
    pub fn is_empty(&self) -> bool {
        self.facility_id.is_empty()
    }

    /// Turns the raw IDs into their keys, dropping the raw IDs: `key` is given each column
    /// of raw IDs and hands back each row's key in order (None for an empty ID). A batch
    /// already keyed stays as it is.
    pub fn key_ids(&mut self, mut key: impl FnMut(IdColumn, &StringArray, &mut dyn FnMut(Option<[u8; 16]>))) {
        let Ids::Raw { user, patient } = &mut self.ids else { return };
        let mut keyed = |column: IdColumn, raw: &mut StringBuilder| {
            let raw = raw.finish();
            let mut keys = FixedSizeBinaryBuilder::with_capacity(raw.len(), 16);
            key(column, &raw, &mut |k| match k {
                Some(bytes) => keys.append_value(bytes).expect("16 bytes, the builder's width"),
                None => keys.append_null(),
            });
            let keys = keys.finish();
            assert_eq!(keys.len(), raw.len(), "one key for each raw ID");
            keys
        };
        let (user, patient) = (keyed(IdColumn::User, user), keyed(IdColumn::Patient, patient));
        self.ids = Ids::Keyed { user, patient };
    }

    /// The batch in `access_events` column order, every row from file `source_file_id`;
    /// refused while its IDs are raw.
    pub(super) fn finish(mut self, source_file_id: i32) -> anyhow::Result<RecordBatch> {
        let n = self.len();
        let Ids::Keyed { user, patient } = self.ids else {
            anyhow::bail!("an access-log batch reached the store before its IDs were pseudonymized")
        };
        // The keys go in as Arrow's UUID extension type, which the appender stores as UUID.
        let uuid = |name: &str| {
            Field::new(name, DataType::FixedSizeBinary(16), true).with_metadata(std::collections::HashMap::from([(
                "ARROW:extension:name".to_string(),
                "arrow.uuid".to_string(),
            )]))
        };
        let schema = Schema::new(vec![
            Field::new("occurred_at", DataType::Timestamp(TimeUnit::Microsecond, None), false),
            Field::new("system", DataType::Utf8, false),
            uuid("user_key"),
            Field::new("facility_id", DataType::Int32, false),
            uuid("patient_key"),
            Field::new("disclosing_facility_id", DataType::Int32, true),
            Field::new("data_type", DataType::Utf8, true),
            Field::new("action", DataType::Utf8, false),
            Field::new("source_file_id", DataType::Int32, false),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(TimestampMicrosecondArray::from(self.occurred_at)),
            Arc::new(self.system.finish()),
            Arc::new(user),
            Arc::new(Int32Array::from(self.facility_id)),
            Arc::new(patient),
            Arc::new(self.disclosing_facility_id.finish()),
            Arc::new(self.data_type.finish()),
            Arc::new(self.action.finish()),
            Arc::new(Int32Array::from(vec![source_file_id; n])),
        ];
        Ok(RecordBatch::try_new(Arc::new(schema), columns)?)
    }
}

/// Which ID column.
#[derive(Debug, Clone, Copy)]
pub enum IdColumn {
    /// 利用者ID.
    User,
    /// 患者ID.
    Patient,
}

/// A batch's IDs: raw as the parser read them, or their keys.
enum Ids {
    Raw { user: StringBuilder, patient: StringBuilder },
    Keyed { user: FixedSizeBinaryArray, patient: FixedSizeBinaryArray },
}
