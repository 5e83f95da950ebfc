//! The command line: `args` is what the user typed; each command has its own file.
//! Commands resolve settings once, call `jobs`, and print data to stdout only.

pub mod args;
mod daemon;
mod demo;
mod forecast;
mod ingest;
mod init;
mod inspect;
mod output;
mod query;
mod repl;
mod report;
mod review;
mod scenarios;
mod sql;
mod web;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::Settings;
use args::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Init { dir } => init::run(dir.as_deref().unwrap_or(Path::new("."))),
        Command::Demo(a) => {
            let dir = a.dir.clone().unwrap_or_else(|| PathBuf::from("."));
            let settings = settings(cli.config.as_deref(), Some(&dir))?;
            demo::run(&settings, &a)
        }
        Command::Ingest(a) => ingest::run(&settings(cli.config.as_deref(), None)?, &a),
        Command::Alias { action } => inspect::alias(&settings(cli.config.as_deref(), None)?, action),
        Command::Quarantine { file } => inspect::quarantine(&settings(cli.config.as_deref(), None)?, file.as_deref()),
        Command::Status => inspect::status(&settings(cli.config.as_deref(), None)?),
        Command::Report { kind } => report::report(&settings(cli.config.as_deref(), None)?, kind),
        Command::Send { kind } => report::send(&settings(cli.config.as_deref(), None)?, kind),
        Command::Sql(a) => sql::run(&settings(cli.config.as_deref(), None)?, &a),
        Command::Query(a) => query::run(&settings(cli.config.as_deref(), None)?, &a),
        Command::Scenarios(args) => scenarios::run(&settings(cli.config.as_deref(), None)?, &args),
        Command::Forecast(args) => forecast::run(&settings(cli.config.as_deref(), None)?, &args),
        Command::Schema => query::schema(&settings(cli.config.as_deref(), None)?),
        Command::Audit { action } => review::run(&settings(cli.config.as_deref(), None)?, action),
        Command::Daemon(a) => daemon::run(&settings(cli.config.as_deref(), None)?, cli.config.clone(), &a),
        Command::Serve(a) => web::serve(&settings(cli.config.as_deref(), None)?, &a),
        Command::User { action } => web::user(&settings(cli.config.as_deref(), None)?, &action),
    }
}

/// Loads settings from `--config`, or `renkei.toml` in `dir` (default: the working folder),
/// and checks its `[sources.*]` maps, so a bad map stops every command before it starts
/// (ingest resolves them again from the settings it is given).
fn settings(config: Option<&Path>, dir: Option<&Path>) -> anyhow::Result<Settings> {
    let settings = load_settings(config, dir)?;
    crate::ingest::source_maps::Layouts::resolve(&settings)?;
    Ok(settings)
}

fn load_settings(config: Option<&Path>, dir: Option<&Path>) -> anyhow::Result<Settings> {
    Ok(match config {
        Some(file) => Settings::load(file, true, dir)?,
        None => {
            let dir = dir.unwrap_or(Path::new("."));
            Settings::load(&dir.join("renkei.toml"), false, Some(dir))?
        }
    })
}
