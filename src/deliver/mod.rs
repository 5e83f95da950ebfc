//! Delivery: one message per recipient, each recorded in the `deliveries` ledger before,
//! during and after; over SMTP when `[smtp] host` is set, else into the outbox folder as
//! `.eml`. 4xx replies and connection faults are tried again with backoff, 5xx are not;
//! what is not delivered stays in the outbox and the admin recipients are told. Every
//! delivered message is archived with the checksums of the store's input files.
//!
//! Gets rendered reports from `report` (never renders); writes the ledger through `store`.

pub mod archive;
pub mod ledger;
pub mod message;
pub mod outbox;
pub mod smtp;

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;

use crate::config::Settings;
use crate::report::Rendered;
use crate::store::Store;
use ledger::Status;
use smtp::{Failure, Relay};

/// What happened for one recipient.
#[derive(Debug)]
pub enum Delivered {
    /// Written to the outbox at this path (no SMTP host configured).
    Outbox(PathBuf),
    /// Accepted by the relay, on this try.
    Sent {
        /// How many tries it took (1 = the first).
        tries: u32,
    },
    /// Not delivered (5xx, or 4xx after the last try): kept in the outbox; admin told.
    Failed {
        /// The relay's last answer.
        error: String,
        /// The outbox copy.
        kept: PathBuf,
    },
    /// The reply after the body was lost: kept in the outbox, not retried; admin told.
    Unknown {
        /// What was seen.
        error: String,
        /// The outbox copy.
        kept: PathBuf,
    },
    /// Delivered (or possibly delivered) before; not sent again (use `--force`).
    AlreadyDelivered(String),
    /// Not sent: the report's data is incomplete; admin told.
    Held(String),
}

impl Delivered {
    /// Whether this outcome needs someone's attention (exit 1).
    pub fn is_trouble(&self) -> bool {
        matches!(self, Delivered::Failed { .. } | Delivered::Unknown { .. } | Delivered::Held(_))
    }
}

/// Delivers `report` to each recipient; `force` resends what the ledger says was delivered
/// (or may have been). With no `ledger_store` (a `--to` test send) nothing is recorded or
/// archived. When anything is not delivered, the admin recipients get a short notice.
pub fn deliver(
    ledger_store: Option<&Store>,
    settings: &Settings,
    report: &Rendered,
    recipients: &[String],
    force: bool,
) -> anyhow::Result<Vec<(String, Delivered)>> {
    let courier = Courier::new(settings)?;
    let out = courier.deliver(ledger_store, report, recipients, force)?;
    let trouble: Vec<String> = out.iter().filter_map(|(to, d)| trouble_line(to, d)).collect();
    if !trouble.is_empty() && ledger_store.is_some() {
        courier.notify_admin(ledger_store, &report.subject, &trouble)?;
    }
    Ok(out)
}

/// Tells the admin recipients about something found outside a send (a collapse in the
/// month's use): `lead`, then `lines`, recorded in the ledger like every message.
pub fn notify_admin(
    store: &Store,
    settings: &Settings,
    subject: &str,
    lead: &str,
    lines: &[String],
) -> anyhow::Result<()> {
    Courier::new(settings)?.notice(Some(store), subject, lead, lines)
}

/// Records `report` as held for each recipient (the data is incomplete) and tells the
/// admin recipients, once per reason.
pub fn hold(
    store: &Store,
    settings: &Settings,
    report_id: &str,
    subject: &str,
    recipients: &[String],
    reason: &str,
) -> anyhow::Result<Vec<(String, Delivered)>> {
    let courier = Courier::new(settings)?;
    let mut out = Vec::new();
    let mut new_reason = false;
    for recipient in recipients {
        let to = message::mailbox(recipient, "宛先")?;
        let address = to.email.to_string();
        match ledger::status(store, report_id, &address)? {
            Some((s, _)) if s.is_final() => {
                out.push((address, Delivered::AlreadyDelivered(s.as_str().into())));
                continue;
            }
            Some((Status::Held, Some(e))) if e == reason => {}
            _ => new_reason = true,
        }
        let id = message::message_id(report_id, &address, &courier.from);
        ledger::record(store, report_id, &address, &id, Status::Held, Some(reason))?;
        out.push((address, Delivered::Held(reason.to_string())));
    }
    if new_reason {
        let line = format!("送信を保留しました（宛先 {} 件）: {reason}", out.len());
        courier.notify_admin(Some(store), subject, &[line])?;
    }
    Ok(out)
}

/// One line for the admin about an outcome that needs attention.
fn trouble_line(recipient: &str, d: &Delivered) -> Option<String> {
    match d {
        Delivered::Failed { error, kept } => {
            Some(format!("{recipient}: 届けられませんでした（{error}）。送信フォルダに残しました: {}", kept.display()))
        }
        Delivered::Unknown { error, kept } => Some(format!(
            "{recipient}: 届いたか分かりません（{error}）。自動では再送しません。届いていないと確かめてから --force で再送してください。送信フォルダの写し: {}",
            kept.display()
        )),
        _ => None,
    }
}

/// The sender: the relay (or the outbox), the From address and the retry policy.
struct Courier<'a> {
    settings: &'a Settings,
    relay: Option<Relay>,
    from: Mailbox,
}

impl<'a> Courier<'a> {
    fn new(settings: &'a Settings) -> anyhow::Result<Courier<'a>> {
        Ok(Courier {
            settings,
            relay: Relay::from_settings(settings)?,
            from: message::mailbox(&settings.config.smtp.from, "[smtp] from")?,
        })
    }

    fn deliver(
        &self,
        store: Option<&Store>,
        report: &Rendered,
        recipients: &[String],
        force: bool,
    ) -> anyhow::Result<Vec<(String, Delivered)>> {
        let mut archive = store.map(|s| {
            archive::Archive::new(
                &self.settings.resolve(&self.settings.config.paths.archive),
                s,
                &report.report_id,
                &report.subject,
            )
        });
        let mut out = Vec::new();
        for recipient in recipients {
            let to = message::mailbox(recipient, "宛先")?;
            let address = to.email.to_string();
            let previous = match store {
                Some(s) => ledger::status(s, &report.report_id, &address)?.map(|(s, _)| s),
                None => None,
            };
            if let Some(s) = previous.filter(|s| s.is_final() && !force) {
                out.push((address, Delivered::AlreadyDelivered(s.as_str().into())));
                continue;
            }
            let id = message::message_id(&report.report_id, &address, &self.from);
            let bytes = message::build(report, &self.from, &to)?.formatted();
            // The last run stopped while the body was on the wire: the relay may hold it.
            if previous == Some(Status::Sending) && !force {
                let error = "前回の送信が本文の途中で止まりました（強制終了など）".to_string();
                let kept = self.keep_undelivered(store, report, &address, &id, &bytes, Status::Unknown, &error)?;
                out.push((address, Delivered::Unknown { error, kept }));
                continue;
            }
            let outcome = match &self.relay {
                None => {
                    record(store, &report.report_id, &address, &id, Status::Pending, None)?;
                    let path = outbox::write(&self.settings.outbox(), &report.report_id, &address, &bytes)?;
                    record(store, &report.report_id, &address, &id, Status::Outbox, None)?;
                    tracing::info!(report_id = %report.report_id, recipient = %address, path = %path.display(), "written to the outbox");
                    Delivered::Outbox(path)
                }
                Some(relay) => self.send(relay, store, report, &to, &id, &bytes)?,
            };
            if matches!(outcome, Delivered::Outbox(_) | Delivered::Sent { .. })
                && let Some(a) = archive.as_mut()
            {
                a.keep(&address, &bytes)?;
            }
            out.push((address, outcome));
        }
        Ok(out)
    }

    /// Tries the relay up to `[smtp] tries` times, waiting `backoff_s`, then twice as long
    /// each time, between tries that failed with a 4xx or a connection fault.
    fn send(
        &self,
        relay: &Relay,
        store: Option<&Store>,
        report: &Rendered,
        to: &Mailbox,
        id: &str,
        bytes: &[u8],
    ) -> anyhow::Result<Delivered> {
        let smtp = &self.settings.config.smtp;
        let tries = smtp.tries.max(1);
        let address = to.email.to_string();
        let report_id = report.report_id.as_str();
        let mut wait = Duration::from_secs_f64(smtp.backoff_s.max(0.0));
        let mut last_error: Option<String> = None;
        for attempt in 1..=tries {
            record(store, report_id, &address, id, Status::Pending, last_error.as_deref())?;
            let result = relay.send(&self.from.email, &to.email, bytes, || {
                record(store, report_id, &address, id, Status::Sending, None)
            });
            let error = match result {
                Ok(()) => {
                    record(store, report_id, &address, id, Status::Sent, None)?;
                    if store.is_some() {
                        outbox::remove(&self.settings.outbox(), report_id, &address)?;
                    }
                    tracing::info!(report_id, recipient = %address, relay = %relay.describe(), attempt, "sent");
                    return Ok(Delivered::Sent { tries: attempt });
                }
                Err(Failure::Local(e)) => return Err(e),
                Err(Failure::Unknown(error)) => {
                    tracing::error!(report_id, recipient = %address, %error, "the reply after the body was lost");
                    let kept = self.keep_undelivered(store, report, &address, id, bytes, Status::Unknown, &error)?;
                    return Ok(Delivered::Unknown { error, kept });
                }
                Err(Failure::Permanent(error)) => {
                    tracing::error!(report_id, recipient = %address, %error, "refused");
                    let kept = self.keep_undelivered(store, report, &address, id, bytes, Status::Failed, &error)?;
                    return Ok(Delivered::Failed { error, kept });
                }
                Err(Failure::Transient(error)) => error,
            };
            if attempt == tries {
                tracing::error!(report_id, recipient = %address, %error, tries, "not delivered after the last try");
                let error = format!("{tries} 回試しました。最後の応答: {error}");
                let kept = self.keep_undelivered(store, report, &address, id, bytes, Status::Failed, &error)?;
                return Ok(Delivered::Failed { error, kept });
            }
            tracing::warn!(report_id, recipient = %address, %error, attempt, wait_s = wait.as_secs_f64(), "will try again");
            last_error = Some(error);
            std::thread::sleep(wait);
            wait *= 2;
        }
        unreachable!("the last try returns")
    }

    /// Puts an undelivered message in the outbox and records why.
    #[allow(clippy::too_many_arguments)]
    fn keep_undelivered(
        &self,
        store: Option<&Store>,
        report: &Rendered,
        address: &str,
        id: &str,
        bytes: &[u8],
        status: Status,
        error: &str,
    ) -> anyhow::Result<PathBuf> {
        let kept = outbox::write(&self.settings.outbox(), &report.report_id, address, bytes)?;
        record(store, &report.report_id, address, id, status, Some(error))?;
        Ok(kept)
    }

    /// Sends the admin recipients a short notice about a send of `subject` listing `lines`.
    fn notify_admin(&self, store: Option<&Store>, subject: &str, lines: &[String]) -> anyhow::Result<()> {
        let lead = format!("「{subject}」の送信で、確認が必要なことがあります。");
        self.notice(store, subject, &lead, lines)
    }

    /// Sends the admin recipients a short notice: `lead`, then `lines`; a notice that cannot
    /// be delivered stays in the outbox like any message.
    fn notice(&self, store: Option<&Store>, subject: &str, lead: &str, lines: &[String]) -> anyhow::Result<()> {
        let admins = &self.settings.config.recipients.admin;
        if admins.is_empty() {
            tracing::error!(subject, "no [recipients] admin to tell: {}", lines.join(" / "));
            return Ok(());
        }
        let now = crate::clock::now_jst();
        let text = format!(
            "renkei からのお知らせ（{}）\n\n{lead}\n\n{}\n\n送信の記録: renkei status／renkei sql -e \"SELECT * FROM deliveries\"\n",
            now.format("%Y-%m-%d %H:%M"),
            lines.iter().map(|l| format!("・{l}")).collect::<Vec<_>>().join("\n")
        );
        let notice = Rendered {
            report_id: format!("notice-{}", now.format("%Y%m%d-%H%M%S%3f")),
            subject: format!("【renkei 要確認】{subject}"),
            html: format!(
                "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"></head><body><pre style=\"font-family:sans-serif;white-space:pre-wrap\">{}</pre></body></html>",
                escape_html(&text)
            ),
            text,
            attachments: Vec::new(),
        };
        for (to, d) in self.deliver(store, &notice, admins, false)? {
            if d.is_trouble() {
                tracing::error!(recipient = %to, "the notice to the admin was not delivered either; it is in the outbox");
            }
        }
        Ok(())
    }
}

/// Records a ledger state when there is a ledger (not for `--to` test sends).
fn record(
    store: Option<&Store>,
    report_id: &str,
    recipient: &str,
    id: &str,
    status: Status,
    error: Option<&str>,
) -> anyhow::Result<()> {
    match store {
        Some(s) => ledger::record(s, report_id, recipient, id, status, error),
        None => Ok(()),
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
