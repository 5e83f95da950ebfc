//! `renkei daemon`: runs the schedule on a single-threaded tokio runtime until SIGTERM
//! (systemd's stop) or SIGINT (Ctrl-C), then lets the run under way finish and exits 0.

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::signal::unix::{SignalKind, signal};

use super::args::DaemonArgs;
use crate::config::Settings;
use crate::daemon::{Steps, step};

/// Runs the daemon in the foreground, its steps each in a child process; or, with
/// `--step`, one such step as that child.
pub fn run(settings: &Settings, config: Option<PathBuf>, args: &DaemonArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = &args.step {
        print!("{}", step::serve(settings, name, args.job.as_deref(), args.at.as_deref())?);
        return Ok(ExitCode::SUCCESS);
    }
    let steps = Steps::child_processes(config)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let stop = async move {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM: stopping after the run under way"),
                _ = int.recv() => tracing::info!("SIGINT: stopping after the run under way"),
            }
        };
        crate::daemon::run(settings.clone(), steps, crate::clock::now_jst(), stop, None).await
    })?;
    Ok(ExitCode::SUCCESS)
}
