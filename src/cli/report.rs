//! `renkei report board|municipality` (render for preview) and `renkei send board|municipality`
//! (render and deliver).

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::{DeliveryArgs, ReportKind, SendKind};
use crate::config::Settings;
use crate::deliver::Delivered;
use crate::jobs::{self, Audience, SendOptions};
use crate::store::Store;

/// Renders a report into a folder: HTML, text and attachments.
pub fn report(settings: &Settings, kind: ReportKind) -> anyhow::Result<ExitCode> {
    match kind {
        ReportKind::Board { month, out } => {
            let month = jobs::parse_month(&month)?;
            let store = Store::open_read_only(&settings.store_path())?;
            let rendered = jobs::render_board(&store, settings, month)?;
            let dir = out.unwrap_or_else(|| PathBuf::from(format!("report-{month}")));
            for path in rendered.write_preview(&dir)? {
                println!("{}", path.display());
            }
        }
        ReportKind::Municipality { fy, municipality, out } => {
            let fy = jobs::parse_fiscal_year(&fy)?;
            let store = Store::open_read_only(&settings.store_path())?;
            let reports = jobs::render_municipalities(&store, settings, fy, municipality.as_deref())?;
            let dir = out.unwrap_or_else(|| PathBuf::from(format!("report-{fy}")));
            for (_, rendered) in &reports {
                for path in rendered.write_preview(&dir.join(&rendered.report_id))? {
                    println!("{}", path.display());
                }
            }
        }
        ReportKind::Audit { month, out } => {
            let month = jobs::parse_month(&month)?;
            let store = Store::open(&settings.store_path())?;
            let rendered = jobs::render_audit(&store, settings, month, &crate::audit_log::os_user())?;
            let dir = out.unwrap_or_else(|| PathBuf::from(format!("report-audit-{month}")));
            for path in rendered.write_preview(&dir)? {
                println!("{}", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders and delivers a report.
pub fn send(settings: &Settings, kind: SendKind) -> anyhow::Result<ExitCode> {
    match kind {
        SendKind::Board { month, how: DeliveryArgs { dry_run, to, force, incomplete } } => {
            let month = jobs::parse_month(&month)?;
            let audience = match to {
                Some(addr) => Audience::Test(addr),
                None => Audience::Configured(settings.config.recipients.board.clone()),
            };
            if dry_run {
                let store = Store::open_read_only(&settings.store_path())?;
                let rendered = jobs::render_board(&store, settings, month)?;
                println!("件名: {}", rendered.subject);
                match &audience {
                    Audience::Configured(list) if list.is_empty() => {
                        println!("宛先: なし（[recipients] board を設定してください）")
                    }
                    Audience::Configured(list) => list.iter().for_each(|r| println!("宛先: {r}")),
                    Audience::Test(addr) => println!("宛先: {addr}（試験送信）"),
                }
                print_gate(&jobs::completeness(&store, settings, &[month])?);
                return Ok(ExitCode::SUCCESS);
            }
            let opts = SendOptions { force, allow_incomplete: incomplete };
            Ok(print_outcomes(jobs::send_board(settings, month, &audience, opts)?))
        }
        SendKind::Municipality { fy, municipality, how: DeliveryArgs { dry_run, to, force, incomplete } } => {
            let fy = jobs::parse_fiscal_year(&fy)?;
            let only = municipality.as_deref();
            if dry_run {
                let store = Store::open_read_only(&settings.store_path())?;
                let reports = jobs::render_municipalities(&store, settings, fy, only)?;
                let configured = &settings.config.recipients.municipality;
                for (name, rendered) in &reports {
                    println!("件名: {}", rendered.subject);
                    match (&to, configured.get(name).filter(|l| !l.is_empty())) {
                        (Some(addr), _) => println!("宛先: {addr}（試験送信）"),
                        (None, Some(list)) => list.iter().for_each(|r| println!("宛先: {r}")),
                        (None, None) => println!("宛先: なし（[recipients.municipality] に「{name}」がありません）"),
                    }
                }
                let months: Vec<_> = (0..12).map(|i| fy.first_month().plus(i)).collect();
                print_gate(&jobs::completeness(&store, settings, &months)?);
                return Ok(ExitCode::SUCCESS);
            }
            let opts = SendOptions { force, allow_incomplete: incomplete };
            Ok(print_outcomes(jobs::send_municipalities(settings, fy, only, to.as_deref(), opts)?))
        }
        SendKind::Audit { month, dry_run, to, force } => {
            let month = jobs::parse_month(&month)?;
            let by = crate::audit_log::os_user();
            if dry_run {
                let store = Store::open(&settings.store_path())?;
                let rendered = jobs::render_audit(&store, settings, month, &by)?;
                println!("件名: {}", rendered.subject);
                match &to {
                    Some(addr) => println!("宛先: {addr}（試験送信）"),
                    None if settings.config.recipients.privacy_officer.is_empty() => {
                        println!("宛先: なし（[recipients] privacy_officer がありません）")
                    }
                    None => settings.config.recipients.privacy_officer.iter().for_each(|r| println!("宛先: {r}")),
                }
                return Ok(ExitCode::SUCCESS);
            }
            let opts = SendOptions { force, allow_incomplete: true };
            Ok(print_outcomes(jobs::send_audit(settings, month, to.as_deref(), opts, &by)?))
        }
    }
}

/// Prints what the completeness gate would hold the report for (dry run).
fn print_gate(missing: &[String]) {
    if missing.is_empty() {
        println!("データ: そろっています（[report] required_sources）");
    }
    for line in missing {
        println!("保留の理由: {line}（--incomplete で送れます）");
    }
}

/// Prints one line per recipient: where the message went, or why it was not sent.
/// Returns exit 1 when any message needs attention (failed, unknown or held), else 0.
pub(super) fn print_outcomes(outcomes: Vec<(String, Delivered)>) -> ExitCode {
    let trouble = outcomes.iter().any(|(_, d)| d.is_trouble());
    for (recipient, outcome) in outcomes {
        match outcome {
            Delivered::Outbox(path) => println!("送信箱  {recipient}  {}", path.display()),
            Delivered::Sent { tries: 1 } => println!("送信    {recipient}"),
            Delivered::Sent { tries } => println!("送信    {recipient}  （{tries} 回目で届きました）"),
            Delivered::Failed { error, kept } => {
                println!("失敗    {recipient}  {error}（送信フォルダに残しました: {}）", kept.display())
            }
            Delivered::Unknown { error, kept } => println!(
                "不明    {recipient}  {error}（届いたか分かりません。確かめてから --force で再送。写し: {}）",
                kept.display()
            ),
            Delivered::AlreadyDelivered(status) => {
                println!("送信済  {recipient}  （{status}、再送しません。再送は --force）")
            }
            Delivered::Held(reason) => println!("保留    {recipient}  {reason}"),
        }
    }
    if trouble { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
