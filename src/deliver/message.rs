//! MIME messages with lettre: multipart/alternative (plain text, then HTML), UTF-8,
//! Subject and display names RFC 2047-encoded by lettre, and a Message-ID fixed by
//! (report, recipient) so a resend is recognisable as the same message.

use lettre::Message;
use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use sha2::{Digest, Sha256};

use crate::error::Problem;
use crate::report::Rendered;

/// The stable Message-ID of `report_id` sent to `recipient`, under the sender's domain.
pub fn message_id(report_id: &str, recipient: &str, from: &Mailbox) -> String {
    let digest = hex::encode(&Sha256::digest(recipient.trim().to_lowercase().as_bytes())[..6]);
    format!("<{report_id}.{digest}@{}>", from.email.domain())
}

/// Parses an address with optional display name (`理事会 <board@example.jp>`).
pub fn mailbox(text: &str, what: &str) -> Result<Mailbox, Problem> {
    text.parse::<Mailbox>().map_err(|e| {
        Problem::new(format!("{what}のメールアドレス「{text}」を読めません"))
            .because(e.to_string())
            .hint("「名前 <user@example.jp>」か「user@example.jp」の形で書いてください")
    })
}

/// Builds the message for one recipient.
pub fn build(report: &Rendered, from: &Mailbox, to: &Mailbox) -> anyhow::Result<Message> {
    let id = message_id(&report.report_id, to.email.as_ref(), from);
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(report.text.clone()))
        .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(report.html.clone()));
    Ok(Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(report.subject.clone())
        .message_id(Some(id))
        .multipart(alternative)?)
}
