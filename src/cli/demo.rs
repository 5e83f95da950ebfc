//! `renkei demo`: write realistic inputs to the inbox, ingest them, compute the metrics,
//! and deliver the last complete month's board report and the last closed fiscal year's
//! municipality reports to the outbox; print what was
//! loaded and every path written. A second run adds nothing.

use std::process::ExitCode;

use super::args::DemoArgs;
use crate::config::Settings;
use crate::demo;
use crate::domain::FiscalYear;
use crate::ingest::IngestOptions;
use crate::jobs::{self, Audience, SendOptions};

/// The demo's board recipient when the config names none.
const DEMO_BOARD: &str = "理事会（デモ） <board@renkei-demo.example>";

/// The demo's municipality recipients (one per municipality of the seed).
const DEMO_MUNICIPALITIES: &str = r#"
[recipients.municipality]
"魚沼市" = ["魚沼市 企画政策課（デモ） <uonuma@renkei-demo.example>"]
"南魚沼市" = ["南魚沼市 保健課（デモ） <minamiuonuma@renkei-demo.example>"]
"十日町市" = ["十日町市 健康づくり推進課（デモ） <tokamachi@renkei-demo.example>"]
"湯沢町" = ["湯沢町 健康増進課（デモ） <yuzawa@renkei-demo.example>"]
"津南町" = ["津南町 福祉保健課（デモ） <tsunan@renkei-demo.example>"]
"#;

/// The seed's renewal options (shared/seed): R8 quotes 約6,450万円 over a 5-year lease
/// (約1,530万円 a year: lease factor 1.186), images only at 魚沼基幹病院 (約3,900万円,
/// 約930万円 a year), and R8 running cost 約1,770万円. The intermediary margin (10%) and
/// the cost of doing Team's work on ID-Link are assumptions the seed does not give.
const DEMO_SCENARIOS: &str = r#"
[[scenarios]]
name = "現行どおり更新"
lease_years = 5
lease_factor = 1.186
running = { "ID-Link" = 7900000, "Team" = 9000000, "その他保守" = 800000 }

[[scenarios]]
name = "画像公開は魚沼基幹病院のみ"
lease_years = 5
lease_factor = 1.186
running = { "ID-Link" = 7900000, "Team" = 9000000, "その他保守" = 800000 }
publishing_hospitals = ["魚沼基幹病院"]

[[scenarios]]
name = "各社と直接契約（仲介手数料10%と仮定）"
lease_years = 5
lease_factor = 1.186
running = { "ID-Link" = 7900000, "Team" = 9000000, "その他保守" = 800000 }
margin = 0.10

[[scenarios]]
name = "多職種連携も ID-Link で（Team 廃止、追加費用は仮定）"
lease_years = 5
lease_factor = 1.186
running = { "ID-Link" = 7900000, "ID-Link 多職種連携の追加" = 2500000, "その他保守" = 800000 }
"#;

/// The sample config with the demo's network name, board address and scenarios set.
fn demo_config() -> String {
    format!(
        "{}\n## ── renkei demo が書き加えた設定 ──\n[report]\nnetwork_name = \"{}\"\n\n[recipients]\nboard = [\"{}\"]\n{DEMO_MUNICIPALITIES}{DEMO_SCENARIOS}",
        crate::config::SAMPLE_CONFIG,
        demo::NETWORK,
        DEMO_BOARD
    )
}

/// Runs the demo in the settings' base folder.
pub fn run(settings: &Settings, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let mut settings = settings.clone();
    if settings.config_file.is_none() {
        // Leave a config behind so `renkei report` / `send` in this folder see the demo's
        // network name and board address too.
        let file = settings.base.join("renkei.toml");
        std::fs::create_dir_all(&settings.base)?;
        std::fs::write(&file, demo_config())?;
        settings = Settings::load(&file, true, Some(&settings.base))?;
        println!("■ 設定ファイル\n{}\n", file.display());
    }
    let until = match &args.until {
        Some(text) => jobs::parse_month(text)?,
        None => crate::clock::last_complete_month(),
    };
    println!("■ 見本の入力ファイル（{}）", settings.inbox().display());
    for path in demo::write_inputs(&settings.inbox(), until, args.scale.max(1))? {
        println!("{}", path.display());
    }
    println!("\n■ 取込");
    let done = jobs::ingest(&settings, &[], &IngestOptions::default())?;
    let code = super::ingest::print_summary(&done.reports);
    done.into_result()?;
    println!("\n■ 理事会報告（{}）", until.label_ja());
    let audience = Audience::Configured(settings.config.recipients.board.clone());
    let mut sent =
        vec![super::report::print_outcomes(jobs::send_board(&settings, until, &audience, SendOptions::default())?)];
    // The last closed fiscal year: the one `until` ends, or else the one before it.
    let fy = until.fiscal_year();
    let closed = if until == fy.last_month() { fy } else { FiscalYear::new(fy.year() - 1) };
    println!("\n■ 市町向け報告（{}）", closed.label_ja());
    if settings.config.recipients.municipality.is_empty() {
        println!("宛先がないため送りません（[recipients.municipality]）");
    } else {
        sent.push(super::report::print_outcomes(jobs::send_municipalities(
            &settings,
            closed,
            None,
            None,
            SendOptions::default(),
        )?));
    }
    println!("\n■ データベース: {}", settings.store_path().display());
    Ok(sent.into_iter().find(|c| *c != ExitCode::SUCCESS).unwrap_or(code))
}
