//! The `deliveries` ledger: one row per (report, recipient), written before each SMTP
//! transaction (intent), again just before the body leaves (from then on the server may
//! hold the message), and after (outcome). A crash at any moment leaves a row that says
//! what is safe: `pending` may be tried again, `sending` becomes `unknown`.

use duckdb::types::Value;

use crate::store::{Store, timestamp_value};

/// A ledger state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Intent recorded; the body has not left, so trying again cannot duplicate.
    Pending,
    /// The body is being sent: from here the server may hold the message.
    Sending,
    /// The relay accepted the message (250 after the body).
    Sent,
    /// Written to the outbox (no SMTP host configured).
    Outbox,
    /// Not delivered after the last try, or refused (5xx); kept in the outbox.
    Failed,
    /// The reply after the body was lost; may or may not have arrived. Resend with `--force`.
    Unknown,
    /// Not sent because the month's data is incomplete.
    Held,
}

impl Status {
    /// The word stored in `deliveries.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Outbox => "outbox",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
            Status::Held => "held",
        }
    }

    /// The state stored as `word`.
    pub fn parse(word: &str) -> Option<Status> {
        [Status::Pending, Status::Sending, Status::Sent, Status::Outbox, Status::Failed, Status::Unknown, Status::Held]
            .into_iter()
            .find(|s| s.as_str() == word)
    }

    /// Whether the recipient has (or may have) the message, so that sending again needs `--force`.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Sent | Status::Outbox | Status::Unknown)
    }
}

/// The recorded status of (report, recipient) and its last error, if any row exists.
pub fn status(store: &Store, report_id: &str, recipient: &str) -> anyhow::Result<Option<(Status, Option<String>)>> {
    let t = store.query(
        "SELECT status, last_error FROM deliveries WHERE report_id = ? AND recipient = ?",
        &[Value::Text(report_id.into()), Value::Text(recipient.into())],
    )?;
    Ok(t.rows.first().and_then(|r| {
        let status = Status::parse(r[0].as_str()?)?;
        Some((status, r[1].as_str().map(str::to_string)))
    }))
}

/// Records (report, recipient) as `status`, counting an attempt each time the intent
/// (`Pending`) is written; `error` is kept as `last_error`.
pub fn record(
    store: &Store,
    report_id: &str,
    recipient: &str,
    message_id: &str,
    status: Status,
    error: Option<&str>,
) -> anyhow::Result<()> {
    let now = timestamp_value(crate::clock::now_jst());
    let sent_at = if matches!(status, Status::Sent | Status::Outbox) { now } else { Value::Null };
    let attempt = i32::from(status == Status::Pending);
    store.execute(
        "INSERT INTO deliveries (report_id, recipient, status, message_id, attempts, last_error, sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (report_id, recipient) DO UPDATE SET
           status = excluded.status, message_id = excluded.message_id,
           attempts = deliveries.attempts + excluded.attempts,
           last_error = coalesce(excluded.last_error, deliveries.last_error), sent_at = excluded.sent_at",
        &[
            Value::Text(report_id.into()),
            Value::Text(recipient.into()),
            Value::Text(status.as_str().into()),
            Value::Text(message_id.into()),
            Value::Int(attempt),
            error.map_or(Value::Null, |e| Value::Text(e.into())),
            sent_at,
        ],
    )?;
    Ok(())
}
