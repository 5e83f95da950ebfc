//! `renkei ingest [PATH...]`: a line per file, problems on stderr; exit 0 when every file
//! loaded (or was already loaded), 1 when any was rejected.

use std::process::ExitCode;

use super::args::IngestArgs;
use crate::config::Settings;
use crate::error::EXIT_USER;
use crate::ingest::{FileReport, IngestOptions, Outcome};
use crate::jobs;

/// Runs the ingest and prints the summary.
pub fn run(settings: &Settings, args: &IngestArgs) -> anyhow::Result<ExitCode> {
    let opts = IngestOptions { source: args.source, replace: args.replace, ..Default::default() };
    let done = jobs::ingest(settings, &args.paths, &opts)?;
    let code = print_summary(&done.reports);
    done.into_result()?;
    Ok(code)
}

/// Prints one line per file and returns the exit code the outcomes call for.
pub fn print_summary(reports: &[FileReport]) -> ExitCode {
    let mut rejected = false;
    for r in reports {
        let path = r.path.display();
        match &r.outcome {
            Outcome::Loaded { source, rows, quarantined, skipped, warnings, held } => {
                let skipped =
                    if *skipped > 0 { format!("  合計・注記の{skipped}行は除外") } else { String::new() };
                println!(
                    "取込    {path}  {}  {rows}行（保留 {quarantined}行）{skipped}  {:.2}秒",
                    source.label(),
                    r.seconds
                );
                for w in warnings {
                    eprintln!("注意: {w}");
                }
                // What the held rows have in common, commonest first, each with its remedy.
                for h in held {
                    eprintln!("保留: {path}  {}行: {}", h.rows, h.reason);
                    if let Some(hint) = &h.hint {
                        eprintln!("  対処: {hint}");
                    }
                }
            }
            Outcome::AlreadyIngested { at } => {
                println!("取込済  {path}  （{at} に取込済み、変更なし）")
            }
            Outcome::Rejected(problem) => {
                rejected = true;
                println!("拒否    {path}");
                eprintln!("エラー: {problem}");
            }
        }
    }
    if reports.iter().any(|r| matches!(r.outcome, Outcome::Loaded { quarantined, .. } if quarantined > 0)) {
        eprintln!("\nhint: 保留にした行は renkei quarantine で理由とともに確認できます");
    }
    if rejected { ExitCode::from(EXIT_USER) } else { ExitCode::SUCCESS }
}
