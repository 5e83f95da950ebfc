//! `renkei daemon`: runs the schedule on a single-threaded tokio runtime until SIGTERM
//! (systemd's stop) or SIGINT (Ctrl-C), then lets the run under way finish and exits 0.

use std::process::ExitCode;

use tokio::signal::unix::{SignalKind, signal};

use crate::config::Settings;

/// Runs the daemon in the foreground.
pub fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
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
        crate::daemon::run(settings.clone(), crate::clock::now_jst(), stop, None).await
    })?;
    Ok(ExitCode::SUCCESS)
}
