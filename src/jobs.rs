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
use crate::report::{Rendered, board, municipality};
use crate::store::Store;

/// What an ingest did: a report per file, and whether the Parquet lake could be brought
/// up to date after the store committed (if not, the store has the files and the next
/// ingest writes the lake).
pub struct Ingested {
    /// One per file.
    pub reports: Vec<FileReport>,
    /// Why the lake could not be written, when it could not.
    pub lake_failed: Option<anyhow::Error>,
}

impl Ingested {
    /// The reports, or the lake's failure with what the store holds said first.
    pub fn into_result(self) -> anyhow::Result<Vec<FileReport>> {
        match self.lake_failed {
            None => Ok(self.reports),
            Some(e) => Err(e),
        }
    }
}

/// Ingests `paths` (default: the inbox).
pub fn ingest(settings: &Settings, paths: &[PathBuf], opts: &IngestOptions) -> anyhow::Result<Ingested> {
    let paths = if paths.is_empty() { vec![settings.inbox()] } else { paths.to_vec() };
    for p in &paths {
        if !p.exists() {
            return Err(Problem::new(format!("{} がありません", p.display()))
                .hint("パスを確かめるか、renkei init で受付フォルダを作ってください")
                .into());
        }
    }
    let files = ingest::expand(&paths)?;
    let lake = settings.lake()?;
    crate::store::lake::migrate(&settings.lake_root(), &lake)?;
    let key = Key::load_or_create(&settings.key_path())?;
    let mut store = Store::open(&settings.store_path())?;
    // The council's `[sources.*]` maps, resolved from these settings (never process-wide).
    let layouts = ingest::source_maps::Layouts::resolve(settings)?;
    let opts = IngestOptions { lake: Some(lake.clone()), layouts, ..opts.clone() };
    let reports = ingest::ingest_files(&mut store, &key, &files, &opts)?;
    let loaded = reports.iter().any(|r| matches!(r.outcome, ingest::Outcome::Loaded { .. }));
    // A lake left behind by an earlier failure is caught up too.
    let lake_failed = if loaded || crate::store::lake::behind(&store, &lake)? {
        crate::store::lake::sync(&store, &lake).err().map(|e| {
            e.context(format!(
                "取り込んだファイルはデータベースに入っていますが、Parquet の湖 {} を書き出せませんでした（次の renkei ingest で書き出します）",
                lake.display()
            ))
        })
    } else {
        None
    };
    Ok(Ingested { reports, lake_failed })
}

/// Ingests what is new in the inbox (the daemon's job): files whose bytes the store
/// already holds are recognised with the store open read-only, and the store is opened
/// for writing only when there is something new, so `renkei sql` is rarely kept waiting.
pub fn ingest_inbox(settings: &Settings) -> anyhow::Result<Vec<FileReport>> {
    let inbox = settings.inbox();
    std::fs::create_dir_all(&inbox)?;
    let files = ingest::expand(&[inbox])?;
    let (mut reports, new) = if settings.store_path().exists() {
        let store = Store::open_read_only(&settings.store_path())?;
        ingest::split_known(&store, &files)?
    } else {
        (Vec::new(), files)
    };
    if !new.is_empty() {
        reports.extend(ingest(settings, &new, &IngestOptions::default())?.into_result()?);
    }
    Ok(reports)
}

/// After an ingest: checks the latest month with a log (as far as it has come) for series
/// far below their forecast, records each new one in `collapse_alerts` (so later fits keep
/// it out) and tells the admin recipients once. Returns the new alerts.
pub fn watch_collapses(settings: &Settings) -> anyhow::Result<Vec<metrics::outlook::Collapse>> {
    let store = Store::open(&settings.store_path())?;
    let latest = store.query("SELECT max(occurred_at) FROM access_events", &[])?;
    let Some(latest) = latest.rows.first().and_then(|r| r[0].as_timestamp()) else { return Ok(Vec::new()) };
    let month = Month::of(latest.date());
    let lease = metrics::scenarios::Lease::current(&settings.config.scenarios);
    let o = metrics::outlook::outlook(&store, month, 1, &[], &[], lease)?;
    let mut fresh = Vec::new();
    for c in o.collapses {
        let inserted = store.execute(
            "INSERT INTO collapse_alerts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            &[
                c.series_key().into(),
                c.label.clone().into(),
                crate::store::date_value(c.month.first_day()),
                c.observed.into(),
                c.expected.into(),
                c.covered.into(),
                crate::store::timestamp_value(crate::clock::now_jst()),
            ],
        )?;
        if inserted > 0 {
            fresh.push(c);
        }
    }
    if !fresh.is_empty() {
        let lines: Vec<String> = fresh
            .iter()
            .map(|c| {
                format!(
                    "{}の{}: {}は{}件（ログの届いた{:.0}%の日数分で、予測は{}件）",
                    c.label,
                    c.measure.label_ja(),
                    c.month.label_ja(),
                    c.observed,
                    c.covered * 100.0,
                    c.expected.round()
                )
            })
            .collect();
        deliver::notify_admin(
            &store,
            settings,
            &format!("{} 利用の急減", month.label_ja()),
            "取り込んだアクセスログで、予測を大きく下回った系列があります。サーバーや回線の停止、施設の利用中止がないか確かめてください（以後の予測ではこの月を除きます）。",
            &lines,
        )?;
    }
    Ok(fresh)
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

/// Computes the municipality reports of `fy` (with the year before, for the changes) and
/// renders each listed municipality's, or only `only`.
pub fn render_municipalities(
    store: &Store,
    settings: &Settings,
    fy: FiscalYear,
    only: Option<&str>,
) -> anyhow::Result<Vec<(String, Rendered)>> {
    let scenarios = &settings.config.scenarios;
    let now = metrics::municipality::MunicipalityMetrics::load(store, fy, scenarios)?;
    let before = metrics::municipality::MunicipalityMetrics::load(store, FiscalYear::new(fy.year() - 1), scenarios)?;
    let year = municipality::Year::new(&now, &before);
    let opts = municipality::Options {
        network: &settings.config.report.network_name,
        weights: &settings.config.municipality_share,
    };
    municipality::render_all(&year, &opts, only)
}

/// Where a report goes: the configured recipients, or `--to` for a test.
#[derive(Debug, Clone)]
pub enum Audience {
    /// The configured recipients; the ledger records each.
    Configured(Vec<String>),
    /// One test address; the ledger is not touched.
    Test(String),
}

/// How a send treats the ledger and the completeness gate.
#[derive(Debug, Clone, Copy, Default)]
pub struct SendOptions {
    /// Send again to recipients the ledger says have (or may have) the report.
    pub force: bool,
    /// Send even when the required sources do not cover the period.
    pub allow_incomplete: bool,
}

/// What the required sources lack for `months`, one line each; empty when complete.
pub fn completeness(store: &Store, settings: &Settings, months: &[Month]) -> anyhow::Result<Vec<String>> {
    let required = &settings.config.report.required_sources;
    if let Some(unknown) = required.iter().find(|r| !metrics::SOURCES.iter().any(|(s, _)| s == r)) {
        let known: Vec<&str> = metrics::SOURCES.iter().map(|(s, _)| *s).collect();
        return Err(Problem::new(format!("[report] required_sources の「{unknown}」は入力の種類ではありません"))
            .hint(format!("次のどれかを書いてください: {}", known.join("、")))
            .into());
    }
    metrics::gap_lines(store, months, required)
}

/// Renders and delivers the board report of `month`; held (recorded, admin told) when the
/// required sources do not cover the month, unless `allow_incomplete`.
pub fn send_board(
    settings: &Settings,
    month: Month,
    audience: &Audience,
    opts: SendOptions,
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
            let missing = completeness(&store, settings, &[month])?;
            if !missing.is_empty() && !opts.allow_incomplete {
                return deliver::hold(&store, settings, &report.report_id, &report.subject, list, &missing.join(" / "));
            }
            deliver::deliver(Some(&store), settings, &report, list, opts.force)
        }
        Audience::Test(addr) => send_test(settings, &report, addr),
    }
}

/// Reviews `month` (recorded, by `by`) and renders the privacy officer's report.
pub fn render_audit(store: &Store, settings: &Settings, month: Month, by: &str) -> anyhow::Result<Rendered> {
    let m = crate::review::monthly::monthly(store, month, &settings.config.audit, crate::clock::now_jst(), by)?;
    crate::report::audit::render(&m, &settings.config.report.network_name)
}

/// Reviews `month` and delivers the officer's report to `[recipients] privacy_officer` only
/// (or to one test address). A month whose access log is missing is reviewed all the same
/// and says so: the review of what arrived must not wait for what did not.
pub fn send_audit(
    settings: &Settings,
    month: Month,
    test_to: Option<&str>,
    opts: SendOptions,
    by: &str,
) -> anyhow::Result<Vec<(String, Delivered)>> {
    let store = Store::open(&settings.store_path())?;
    let list = &settings.config.recipients.privacy_officer;
    if test_to.is_none() && list.is_empty() {
        return Err(Problem::new("アクセスログ点検の報告の宛先がありません")
            .hint("renkei.toml の [recipients] privacy_officer = [\"個人情報保護責任者 <privacy@example.jp>\"] に宛先を書いてください")
            .into());
    }
    let report = render_audit(&store, settings, month, by)?;
    match test_to {
        Some(addr) => send_test(settings, &report, addr),
        None => deliver::deliver(Some(&store), settings, &report, list, opts.force),
    }
}

/// Sends `report` to one test address, marked as a test and outside the ledger.
fn send_test(settings: &Settings, report: &Rendered, addr: &str) -> anyhow::Result<Vec<(String, Delivered)>> {
    let mut test = report.clone();
    test.report_id = format!("{}-test", report.report_id);
    test.subject = format!("【試験送信】{}", report.subject);
    deliver::deliver(None, settings, &test, &[addr.to_string()], true)
}

/// The municipalities to send to: `only`, or every one with recipients in
/// `[recipients.municipality]`; a municipality without recipients is an error naming the key.
pub fn municipality_audience(settings: &Settings, only: Option<&str>) -> Result<Vec<(String, Vec<String>)>, Problem> {
    let configured = &settings.config.recipients.municipality;
    match only {
        Some(name) => match configured.get(name).filter(|l| !l.is_empty()) {
            Some(list) => Ok(vec![(name.to_string(), list.clone())]),
            None => Err(Problem::new(format!("{name} の宛先がありません")).hint(format!(
                "renkei.toml の [recipients.municipality] に \"{name}\" = [\"担当課 <someone@example.jp>\"] を書いてください"
            ))),
        },
        None => {
            let all: Vec<(String, Vec<String>)> =
                configured.iter().filter(|(_, l)| !l.is_empty()).map(|(n, l)| (n.clone(), l.clone())).collect();
            if all.is_empty() {
                return Err(Problem::new("市町向け報告の宛先がありません").hint(
                    "renkei.toml の [recipients.municipality] に \"魚沼市\" = [\"担当課 <someone@example.jp>\"] のように市町ごとの宛先を書いてください",
                ));
            }
            Ok(all)
        }
    }
}

/// Renders and delivers the municipality reports of `fy`: to each municipality's
/// configured recipients, or all of them to one test address.
pub fn send_municipalities(
    settings: &Settings,
    fy: FiscalYear,
    only: Option<&str>,
    test_to: Option<&str>,
    opts: SendOptions,
) -> anyhow::Result<Vec<(String, Delivered)>> {
    let store = Store::open(&settings.store_path())?;
    let mut out = Vec::new();
    match test_to {
        Some(addr) => {
            for (_, report) in render_municipalities(&store, settings, fy, only)? {
                out.extend(send_test(settings, &report, addr)?);
            }
        }
        None => {
            let audience = municipality_audience(settings, only)?;
            let reports = render_municipalities(&store, settings, fy, only)?;
            let months: Vec<Month> = (0..12).map(|i| fy.first_month().plus(i)).collect();
            let missing = completeness(&store, settings, &months)?;
            for (name, _) in reports.iter().filter(|(n, _)| !audience.iter().any(|(a, _)| a == n)) {
                tracing::warn!(municipality = %name, "no recipients in [recipients.municipality]; its report is not sent");
            }
            for (name, list) in &audience {
                let report = reports.iter().find(|(n, _)| n == name).map(|(_, r)| r).ok_or_else(|| {
                    Problem::new(format!("[recipients.municipality] の「{name}」が市町の表にありません"))
                        .hint("市町の表（名前・団体コード・人口）と同じ名前で宛先を書いてください")
                })?;
                if !missing.is_empty() && !opts.allow_incomplete {
                    let reason = missing.join(" / ");
                    out.extend(deliver::hold(&store, settings, &report.report_id, &report.subject, list, &reason)?);
                } else {
                    out.extend(deliver::deliver(Some(&store), settings, report, list, opts.force)?);
                }
            }
        }
    }
    Ok(out)
}
