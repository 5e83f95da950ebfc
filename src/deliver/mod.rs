//! Delivery: one message per recipient, recorded in the `deliveries` ledger before and
//! after; by default into the outbox folder as `.eml` files.
//!
//! Gets rendered reports from `report` (never renders); writes the ledger through `store`.

pub mod ledger;
pub mod message;
pub mod outbox;

use std::path::PathBuf;

use crate::config::Settings;
use crate::error::Problem;
use crate::report::Rendered;
use crate::store::Store;

/// What happened for one recipient.
#[derive(Debug)]
pub enum Delivered {
    /// Written to the outbox at this path.
    Outbox(PathBuf),
    /// Delivered before; not sent again (use `--force`).
    AlreadyDelivered(String),
}

/// Delivers `report` to each recipient; `force` resends what the ledger says was delivered.
/// With no `ledger_store` (a `--to` test send) nothing is recorded.
pub fn deliver(
    ledger_store: Option<&Store>,
    settings: &Settings,
    report: &Rendered,
    recipients: &[String],
    force: bool,
) -> anyhow::Result<Vec<(String, Delivered)>> {
    if let Some(host) = settings.config.smtp.host.as_deref().filter(|h| !h.is_empty()) {
        return Err(Problem::new(format!("SMTP サーバー {host} への送信にはまだ対応していません"))
            .hint("[smtp] host を外すと、メールは outbox フォルダに .eml として置かれます")
            .into());
    }
    let from = message::mailbox(&settings.config.smtp.from, "[smtp] from")?;
    let mut out = Vec::new();
    for recipient in recipients {
        let to = message::mailbox(recipient, "宛先")?;
        let address = to.email.to_string();
        if let Some(store) = ledger_store
            && !force
            && let Some(s) = ledger::status(store, &report.report_id, &address)?.filter(|s| s != "pending")
        {
            out.push((address, Delivered::AlreadyDelivered(s)));
            continue;
        }
        let msg = message::build(report, &from, &to)?;
        let id = message::message_id(&report.report_id, &address, &from);
        if let Some(store) = ledger_store {
            ledger::record(store, &report.report_id, &address, &id, ledger::Status::Pending)?;
        }
        let path = outbox::write(&settings.outbox(), &report.report_id, &address, &msg.formatted())?;
        if let Some(store) = ledger_store {
            ledger::record(store, &report.report_id, &address, &id, ledger::Status::Outbox)?;
        }
        tracing::info!(report_id = %report.report_id, recipient = %address, path = %path.display(), "delivered to outbox");
        out.push((address, Delivered::Outbox(path)));
    }
    Ok(out)
}
