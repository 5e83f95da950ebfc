//! Named units of work shared by the CLI and (later) the daemon: ingest the inbox, render
//! the board report, send it. Each opens the store for the job and closes it after, so
//! nothing holds DuckDB's single-writer lock between jobs.

use std::path::PathBuf;

use crate::config::Settings;
use crate::deliver::{self, Delivered};
use crate::domain::{FiscalYear, Month};
use crate::error::Problem;
use crate::ingest::{self, FileReport, IngestOptions, pseudonymize::Key};
use crate::metrics;
use crate::report::{Rendered, board};
use crate::store::Store;

/// Ingests `paths` (default: the inbox).
pub fn ingest(settings: &Settings, paths: &[PathBuf], opts: &IngestOptions) -> anyhow::Result<Vec<FileReport>> {
    let paths = if paths.is_empty() { vec![settings.inbox()] } else { paths.to_vec() };
    for p in &paths {
        if !p.exists() {
            return Err(Problem::new(format!("{} がありません", p.display()))
                .hint("パスを確かめるか、renkei init で受付フォルダを作ってください")
                .into());
        }
    }
    let files = ingest::expand(&paths)?;
    let key = Key::load_or_create(&settings.key_path())?;
    let mut store = Store::open(&settings.store_path())?;
    let reports = ingest::ingest_files(&mut store, &key, &files, opts)?;
    if reports.iter().any(|r| matches!(r.outcome, ingest::Outcome::Loaded { .. })) {
        crate::store::lake::sync(&store, &settings.lake())?;
    }
    Ok(reports)
}

/// Parses a `--month` value, with a message that says what forms are accepted.
pub fn parse_month(text: &str) -> Result<Month, Problem> {
    Month::parse(text).map_err(|e| {
        Problem::new("--month を読めません").value(text).because(e).hint("2025-07 のように指定してください")
    })
}

/// Parses a `--fy` value, with a message that says what forms are accepted.
pub fn parse_fiscal_year(text: &str) -> Result<FiscalYear, Problem> {
    FiscalYear::parse(text).map_err(|e| {
        Problem::new("--fy を読めません")
            .value(text)
            .because(e)
            .hint("2025、FY2025、R7、令和7年度 のように指定してください")
    })
}

/// Computes and renders the board report of `month`.
pub fn render_board(store: &Store, settings: &Settings, month: Month) -> anyhow::Result<Rendered> {
    let report = &settings.config.report;
    let opts = metrics::BoardOptions {
        scenarios: &settings.config.scenarios,
        threshold_yen_per_view: report.threshold_yen_per_view,
    };
    let m = metrics::board(store, month, &opts)?;
    board::render(&m, &report.network_name, report.threshold_yen_per_view)
}

/// Where a report goes: the configured recipients, or `--to` for a test.
#[derive(Debug, Clone)]
pub enum Audience {
    /// The configured recipients; the ledger records each.
    Configured(Vec<String>),
    /// One test address; the ledger is not touched.
    Test(String),
}

/// Renders and delivers the board report of `month`.
pub fn send_board(
    settings: &Settings,
    month: Month,
    audience: &Audience,
    force: bool,
) -> anyhow::Result<Vec<(String, Delivered)>> {
    let store = Store::open(&settings.store_path())?;
    let report = render_board(&store, settings, month)?;
    match audience {
        Audience::Configured(list) => {
            if list.is_empty() {
                return Err(Problem::new("理事会報告の宛先がありません")
                    .hint("renkei.toml の [recipients] board = [\"理事会 <board@example.jp>\"] に宛先を書いてください")
                    .into());
            }
            deliver::deliver(Some(&store), settings, &report, list, force)
        }
        Audience::Test(addr) => {
            let mut test = report.clone();
            test.report_id = format!("{}-test", report.report_id);
            test.subject = format!("【試験送信】{}", report.subject);
            deliver::deliver(None, settings, &test, std::slice::from_ref(addr), true)
        }
    }
}
