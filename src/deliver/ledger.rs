//! The `deliveries` ledger: one row per (report, recipient), written before the message
//! leaves (intent) and after (outcome), so a crash in between is visible and nothing is
//! ever delivered twice without `--force`.

use duckdb::types::Value;

use crate::store::{Store, timestamp_value};

/// A ledger state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Intent recorded, outcome not yet known.
    Pending,
    /// Written to the outbox.
    Outbox,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Outbox => "outbox",
        }
    }
}

/// The recorded status of (report, recipient), if any.
pub fn status(store: &Store, report_id: &str, recipient: &str) -> anyhow::Result<Option<String>> {
    let t = store.query(
        "SELECT status FROM deliveries WHERE report_id = ? AND recipient = ?",
        &[Value::Text(report_id.into()), Value::Text(recipient.into())],
    )?;
    Ok(t.rows.first().and_then(|r| r[0].as_str().map(str::to_string)))
}

/// Records (report, recipient) as `status`, counting an attempt when the intent is written.
pub fn record(store: &Store, report_id: &str, recipient: &str, message_id: &str, status: Status) -> anyhow::Result<()> {
    let now = timestamp_value(crate::clock::now_jst());
    let sent_at = if status == Status::Pending { Value::Null } else { now };
    let attempt = i32::from(status == Status::Pending);
    store.execute(
        "INSERT INTO deliveries (report_id, recipient, status, message_id, attempts, last_error, sent_at)
         VALUES (?, ?, ?, ?, ?, NULL, ?)
         ON CONFLICT (report_id, recipient) DO UPDATE SET
           status = excluded.status, message_id = excluded.message_id,
           attempts = deliveries.attempts + excluded.attempts, sent_at = excluded.sent_at, last_error = NULL",
        &[
            Value::Text(report_id.into()),
            Value::Text(recipient.into()),
            Value::Text(status.as_str().into()),
            Value::Text(message_id.into()),
            Value::Int(attempt),
            sent_at,
        ],
    )?;
    Ok(())
}
