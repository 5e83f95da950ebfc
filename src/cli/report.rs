//! `renkei report board|municipality` (render for preview) and `renkei send board|municipality`
//! (render and deliver).

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::{DeliveryArgs, ReportKind, SendKind};
use crate::config::Settings;
use crate::deliver::Delivered;
use crate::jobs::{self, Audience};
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
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders and delivers a report.
pub fn send(settings: &Settings, kind: SendKind) -> anyhow::Result<ExitCode> {
    match kind {
        SendKind::Board { month, how: DeliveryArgs { dry_run, to, force } } => {
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
                return Ok(ExitCode::SUCCESS);
            }
            print_outcomes(jobs::send_board(settings, month, &audience, force)?);
        }
        SendKind::Municipality { fy, municipality, how: DeliveryArgs { dry_run, to, force } } => {
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
                return Ok(ExitCode::SUCCESS);
            }
            print_outcomes(jobs::send_municipalities(settings, fy, only, to.as_deref(), force)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints one line per recipient: where the message went, or why it was not sent again.
pub(super) fn print_outcomes(outcomes: Vec<(String, Delivered)>) {
    for (recipient, outcome) in outcomes {
        match outcome {
            Delivered::Outbox(path) => println!("送信箱  {recipient}  {}", path.display()),
            Delivered::AlreadyDelivered(status) => {
                println!("送信済  {recipient}  （{status}、再送しません。再送は --force）")
            }
        }
    }
}
