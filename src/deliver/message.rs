//! MIME messages with lettre: multipart/alternative (plain text, then HTML with its
//! inline charts in multipart/related), attachments in multipart/mixed, UTF-8,
//! Subject and display names RFC 2047-encoded by lettre, and a Message-ID fixed by
//! (report, recipient) so a resend is recognisable as the same message.

use lettre::Message;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
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

/// Builds the message for one recipient: alternative(text, related(html, inline charts)),
/// wrapped in mixed with the other attachments when there are any.
pub fn build(report: &Rendered, from: &Mailbox, to: &Mailbox) -> anyhow::Result<Message> {
    let id = message_id(&report.report_id, to.email.as_ref(), from);
    let html = SinglePart::builder().header(ContentType::TEXT_HTML).body(report.html.clone());
    let (inline, files): (Vec<_>, Vec<_>) = report.attachments.iter().partition(|a| a.content_id.is_some());
    let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(report.text.clone());
    let alternative = if inline.is_empty() {
        MultiPart::alternative().singlepart(text).singlepart(html)
    } else {
        let mut related = MultiPart::related().singlepart(html);
        for a in inline {
            let cid = a.content_id.clone().unwrap_or_default();
            related = related.singlepart(Attachment::new_inline(cid).body(a.bytes.clone(), content_type(a)?));
        }
        MultiPart::alternative().singlepart(text).multipart(related)
    };
    let body = if files.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for a in files {
            mixed = mixed.singlepart(Attachment::new(a.filename.clone()).body(a.bytes.clone(), content_type(a)?));
        }
        mixed
    };
    Ok(Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(report.subject.clone())
        .message_id(Some(id))
        .multipart(body)?)
}

fn content_type(a: &crate::report::Attachment) -> anyhow::Result<ContentType> {
    ContentType::parse(&a.content_type).map_err(|e| anyhow::anyhow!("{}: {e}", a.content_type))
}
