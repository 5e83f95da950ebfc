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
    // With `[web] enabled`, the console is served from the daemon's own runtime.
    let web = settings.config.web.enabled;
    let addr = if web { Some(crate::web::listen_address(settings)?) } else { None };
    if web {
        crate::web::publish_if_stale(settings)?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        let stopping = std::sync::Arc::new(stopping);
        let signalled = stopping.clone();
        let stop = async move {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM: stopping after the run under way"),
                _ = int.recv() => tracing::info!("SIGINT: stopping after the run under way"),
            }
            let _ = signalled.send(true);
        };
        let console = match addr {
            Some(addr) => {
                let listener = tokio::net::TcpListener::bind(addr).await?;
                println!("renkei の画面: {}", crate::web::url(settings, listener.local_addr()?));
                let exe = std::env::current_exe()?;
                let console = crate::web::Console::new(settings.clone(), exe);
                let mut stopped = stopped.clone();
                let shutdown = async move {
                    let _ = stopped.wait_for(|s| *s).await;
                };
                Some(tokio::spawn(crate::web::serve(console, listener, shutdown)))
            }
            None => None,
        };
        let ran = crate::daemon::run(settings.clone(), steps, crate::clock::now_jst(), stop, None).await;
        // The daemon stopped (signal or failure): the console stops with it.
        let _ = stopping.send(true);
        if let Some(served) = console {
            served.await??;
        }
        ran
    })?;
    Ok(ExitCode::SUCCESS)
}
