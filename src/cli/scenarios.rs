//! `renkei scenarios [--fy FY]`: the renewal options of renkei.toml side by side, computed
//! against the council's own use, fees and quotes (see `metrics::scenarios`).

use std::process::ExitCode;

use super::args::ScenariosArgs;
use super::output;
use crate::config::Settings;

use crate::error::Problem;
use crate::jobs;
use crate::metrics::scenarios::{self, Basis};
use crate::report::format::{count, yen, yen_change};
use crate::store::Store;

/// Prints the comparison; `--format`/`--out` give the raw numbers as csv, json or xlsx.
pub fn run(settings: &Settings, args: &ScenariosArgs) -> anyhow::Result<ExitCode> {
    let list = &settings.config.scenarios;
    if list.is_empty() {
        return Err(Problem::new("更新案が設定されていません")
            .hint("renkei.toml に [[scenarios]] を書いてください（renkei init が書く見本の末尾に例があります）")
            .into());
    }
    let last_complete = crate::clock::last_complete_month();
    let fy = match &args.fy {
        Some(text) => jobs::parse_fiscal_year(text)?,
        None => last_complete.fiscal_year(),
    };
    // Views are counted over the 12 months up to the fiscal year's end, or up to last month.
    let month = fy.last_month().min(last_complete);
    let store = Store::open_read_only(&settings.store_path())?;
    let outcomes = scenarios::compute(list, &Basis::load(&store, month, fy, scenarios::Lease::current(list))?)?;
    if args.output.format.is_some() || args.output.out.is_some() {
        output::emit(settings, &scenarios::table(&outcomes), &args.output, "renkei scenarios")?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("更新案の比較（{}の会費、{}までの12か月の閲覧）", fy.label_ja(), month.label_ja());
    let headers =
        ["案", "更新費", "リース年額", "運営費", "年間費用", "失われる画像閲覧", "閲覧1件あたり", "会費の増減/施設"]
            .map(String::from);
    let yen0 = |v: i64| yen(v, false);
    let rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| {
            vec![
                o.name.clone(),
                o.capital_yen.map_or_else(|| "—".into(), |c| format!("{}（{}）", yen0(c), o.capital_source)),
                yen0(o.annual_lease_yen),
                yen0(o.running_yen),
                yen0(o.annual_cost_yen),
                format!("{}件", count(o.image_views_lost)),
                o.yen_per_remaining_view.map_or_else(|| "—".into(), yen0),
                o.fee_change_per_member.map_or_else(|| "—".into(), yen_change),
            ]
        })
        .collect();
    let right = [false, true, true, true, true, true, true, true];
    print!("{}", output::table(&headers, &rows, &right));
    for o in outcomes.iter().filter(|o| !o.dropped.is_empty()) {
        println!("「{}」で画像公開をやめる病院: {}", o.name, o.dropped.join("、"));
    }
    println!(
        "年間費用＝リース年額＋運営費×(1−仲介手数料)。会費の増減＝年間費用を会費と市町負担金でまかなうための、会費を払う1施設あたりの年額の増減。"
    );
    Ok(ExitCode::SUCCESS)
}
