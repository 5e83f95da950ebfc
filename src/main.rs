//! The `renkei` binary: parse the command line, set up logging, run, map the outcome to
//! an exit code (0 done, 1 something the user can fix, 2 renkei's own failure).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    renkei::error::install_panic_hook();
    let cli = renkei::cli::args::Cli::parse();
    // The daemon says what it does by default (journald keeps it); commands stay quiet.
    let daemon = matches!(cli.command, renkei::cli::args::Command::Daemon(_));
    init_logging(cli.verbose.max(u8::from(daemon)), cli.quiet);
    // A panic has printed its message through the hook; it is renkei's own failure.
    match std::panic::catch_unwind(|| renkei::cli::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => renkei::error::report(&err),
        Err(_) => ExitCode::from(renkei::error::EXIT_INTERNAL),
    }
}

/// Logs go to stderr, filtered by `RENKEI_LOG` (e.g. `debug`, `renkei=trace`) or `-v`/`-q`;
/// one JSON object per line with `RENKEI_LOG_FORMAT=json`. Colour only on a terminal and
/// never with `NO_COLOR` set (https://no-color.org), so a log file or journald holds no
/// escape codes.
fn init_logging(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "renkei=info",
        (false, _) => "renkei=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RENKEI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let json = std::env::var("RENKEI_LOG_FORMAT").is_ok_and(|f| f == "json");
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
