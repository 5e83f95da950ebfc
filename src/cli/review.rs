//! `renkei audit`: the privacy officer's monthly access-log review from the command line.
//! Raw IDs typed here (or read from standard input with `-`) are turned into pseudonyms in
//! memory; the audit log records that a lookup happened and the pseudonym looked up, never
//! the ID itself.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use super::args::{AuditAction, OutputArgs, OutputFormat};
use super::output;
use crate::audit_log as audit;
use crate::config::Settings;
use crate::domain::Month;
use crate::error::Problem;
use crate::ingest::matcher::FacilityMatcher;
use crate::ingest::pseudonymize::mask;
use crate::review::cases::{self, Recorder};
use crate::review::lookup::{self, Ids};
use crate::review::{self, Case, Review};
use crate::store::Store;

/// Runs one `renkei audit` action.
pub fn run(settings: &Settings, action: AuditAction) -> anyhow::Result<ExitCode> {
    match action {
        AuditAction::Cases { month, output } => {
            let month = crate::jobs::parse_month(&month)?;
            let store = Store::open(&settings.store_path())?;
            let done =
                review::review(&store, month, &settings.config.audit, crate::clock::now_jst(), &audit::os_user())?;
            audit::record(settings, "audit cases", &format!("month {month}"), Some(done.cases.len()), None)?;
            if output.out.is_none() && output::stdout_format(&output) == OutputFormat::Table {
                print!("{}", cases_text(&done));
                return Ok(ExitCode::SUCCESS);
            }
            let table = review::list_table(&store, month)?;
            output::emit(settings, &table, &output, &format!("audit cases --month {month}"))?;
        }
        AuditAction::User { id, month, output } => {
            let raw = read_id(&id, "利用者 ID")?;
            let store = Store::open_read_only(&settings.store_path())?;
            let mut ids = Ids::open(&settings.key_path(), &store)?;
            let key = ids.user(&raw).ok_or_else(|| Problem::new("利用者 ID が空です"))?;
            let to = match month {
                Some(m) => crate::jobs::parse_month(&m)?,
                None => last_log_month(&store)?,
            };
            let activity = lookup::user_activity(&store, &key, to.plus(-11), to)?;
            audit::record(
                settings,
                "audit user",
                &format!("{} → user_key {key}", mask(&raw)),
                Some(activity.rows.len()),
                None,
            )?;
            if output.out.is_some() || output::stdout_format(&output) != OutputFormat::Table {
                output::emit(settings, &activity, &output, "audit user")?;
                return Ok(ExitCode::SUCCESS);
            }
            let cases = lookup::user_cases(&store, &key)?;
            let mut out = format!("利用者の仮名（user_key）: {key}\n\n{}から{}の操作\n", to.plus(-11), to);
            out.push_str(&output::render_text(&activity));
            out.push_str("\n\n事案\n");
            out.push_str(&case_table(&cases));
            println!("{out}");
        }
        AuditAction::Patient { id, from, to, letter, output } => {
            let raw = read_id(&id, "患者 ID")?;
            let store = Store::open_read_only(&settings.store_path())?;
            let mut ids = Ids::open(&settings.key_path(), &store)?;
            let key = ids.patient(&raw).ok_or_else(|| Problem::new("患者 ID が空です"))?;
            let (first, last) = log_months(&store)?;
            let from = from.as_deref().map(crate::jobs::parse_month).transpose()?.unwrap_or(first);
            let to = to.as_deref().map(crate::jobs::parse_month).transpose()?.unwrap_or(last);
            let history = lookup::patient_history(&store, &key, from, to)?;
            audit::record(
                settings,
                "audit patient",
                &format!("{} → patient_key {key} {from}〜{to}", mask(&raw)),
                Some(history.rows.len()),
                None,
            )?;
            if let Some(dir) = letter {
                let accesses = lookup::accesses(&history)?;
                let period = format!("{}〜{}", from.label_ja(), to.label_ja());
                let l = crate::report::letter::letter(
                    &settings.config.report.network_name,
                    crate::clock::now_jst().date(),
                    &period,
                    &accesses,
                );
                let (html, pdf) = crate::report::letter::render(&l)?;
                std::fs::create_dir_all(&dir).map_err(|e| {
                    Problem::new(format!("フォルダ {} を作れません", dir.display())).because(e.to_string())
                })?;
                // Named by the period and the moment, never by the ID.
                let stem = format!("閲覧履歴_{from}_{to}_{}", crate::clock::now_jst().format("%Y%m%d%H%M%S"));
                for (ext, bytes) in [("html", html.into_bytes()), ("pdf", pdf)] {
                    let path = dir.join(format!("{stem}.{ext}"));
                    std::fs::write(&path, bytes)
                        .map_err(|e| Problem::new(format!("{} を書けません", path.display())).because(e.to_string()))?;
                    println!("{}", path.display());
                }
                return Ok(ExitCode::SUCCESS);
            }
            emit_or_print(settings, &history, &output, &format!("{from}から{to}までの閲覧履歴\n"))?;
        }
        AuditAction::Identify { facility, ids: list_path } => {
            let store = Store::open_read_only(&settings.store_path())?;
            let facility_id = FacilityMatcher::load(&store)?.resolve(&facility).ok_or_else(|| {
                Problem::new(format!("施設「{facility}」が名簿にも別名にもありません"))
                    .hint("名簿の施設名か、renkei alias add で登録した別名を指定してください")
            })?;
            let unreadable = |why: String| Problem::new(format!("{} を読めません", list_path.display())).because(why);
            let file = std::fs::File::open(&list_path).map_err(|e| unreadable(e.to_string()))?;
            let text = crate::ingest::decode::TextStream::new(file, None)
                .and_then(|s| s.read_all())
                .map_err(|e| unreadable(format!("{e:?}")))?;
            let mut ids = Ids::open(&settings.key_path(), &store)?;
            let found = lookup::identify(&store, &mut ids, facility_id, &text)?;
            audit::record(
                settings,
                "audit identify",
                &format!("facility {facility_id} list {}", list_path.display()),
                Some(found.len()),
                None,
            )?;
            if found.is_empty() {
                println!("一覧のどの ID も、{facility} の未完了の事案の利用者ではありません");
            }
            for m in found {
                println!("事案 {}（{}）: {} 行目の ID「{}」がこの事案の利用者です", m.case_id, m.state, m.line, m.id);
            }
        }
        AuditAction::Step { case, state, note } => {
            let store = Store::open(&settings.store_path())?;
            let by = audit::os_user();
            cases::step(&store, &case, state, note.as_deref(), &Recorder { who: &by, at: crate::clock::now_jst() })?;
            audit::record(settings, "audit step", &format!("{case} → {}", state.label()), Some(1), None)?;
            println!("事案 {case} を「{}」にしました", state.label());
        }
        AuditAction::Close { case, verdict, note } => {
            let store = Store::open(&settings.store_path())?;
            let by = audit::os_user();
            let pairs =
                cases::close(&store, &case, verdict, &note, &Recorder { who: &by, at: crate::clock::now_jst() })?;
            audit::record(settings, "audit close", &format!("{case} → {}", verdict.label()), Some(1), None)?;
            println!("事案 {case} を「{}」で完了にしました（記録: {by}）", verdict.label());
            if pairs > 0 {
                println!("この利用者と患者の組 {pairs} 件は、説明のつくものとして次から挙げません");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The ID given, or one line of standard input for `-` (so it stays out of shell history).
fn read_id(arg: &str, what: &str) -> anyhow::Result<String> {
    let raw = if arg == "-" {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line
    } else {
        arg.to_string()
    };
    let raw = raw.trim().to_string();
    if raw.is_empty() {
        return Err(Problem::new(format!("{what}が空です"))
            .hint(format!("{what}を引数か標準入力（-）で渡してください"))
            .into());
    }
    Ok(raw)
}

/// The first and last months with access-log rows.
fn log_months(store: &Store) -> anyhow::Result<(Month, Month)> {
    let t = store.query("SELECT min(month), max(month) FROM access_log_months", &[])?;
    match (t.rows[0][0].as_date(), t.rows[0][1].as_date()) {
        (Some(a), Some(b)) => Ok((Month::of(a), Month::of(b))),
        _ => Err(Problem::new("まだアクセスログが取り込まれていません")
            .hint("renkei ingest でアクセスログを取り込んでください")
            .into()),
    }
}

fn last_log_month(store: &Store) -> anyhow::Result<Month> {
    Ok(log_months(store)?.1)
}

fn emit_or_print(settings: &Settings, t: &crate::store::Table, output: &OutputArgs, title: &str) -> anyhow::Result<()> {
    if output.out.is_some() || output::stdout_format(output) != OutputFormat::Table {
        return output::emit(settings, t, output, "audit");
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{title}{}", output::render_text(t))?;
    Ok(())
}

/// The month's review for a terminal: what was screened, what the log lacks, the cases.
fn cases_text(r: &Review) -> String {
    let mut out = format!("{} のアクセスログ点検\n", r.month);
    let share =
        if r.looks > 0 { format!("（{:.1}%）", 100.0 * r.explained as f64 / r.looks as f64) } else { String::new() };
    out.push_str(&format!("閲覧・ダウンロード {} 件のうち、説明のつくもの {} 件{share}\n", r.looks, r.explained));
    for gap in &r.gaps {
        out.push_str(&format!("注意: ログが欠けています（{gap}）。欠けた分は点検できていません\n"));
    }
    if !r.without_records.is_empty() {
        out.push_str(&format!(
            "注意: {} のログには登録の行が1件もないので、同僚の操作だけで説明を判断しました\n",
            r.without_records.join("、")
        ));
    }
    out.push('\n');
    if r.cases.is_empty() {
        out.push_str("事案はありません\n");
        return out;
    }
    out.push_str(&case_table(&r.cases));
    out.push_str("\n\n規則\n");
    for rule in review::RULES.iter().filter(|rule| r.cases.iter().any(|c| c.rule_codes().any(|x| x == rule.code))) {
        out.push_str(&format!("  {}: {}\n", rule.code, rule.reason));
    }
    out
}

fn case_table(cases: &[Case]) -> String {
    let headers: Vec<String> =
        ["事案番号", "施設", "規則", "患者", "件数", "優先度", "最初", "最後", "状態", "患者の仮名"]
            .map(String::from)
            .to_vec();
    let rows: Vec<Vec<String>> = cases
        .iter()
        .map(|c| {
            vec![
                c.case_id.clone(),
                c.facility.clone().unwrap_or_else(|| "（不明）".into()),
                c.rules.clone(),
                c.patients.to_string(),
                c.events.to_string(),
                c.priority.to_string(),
                c.first_at.to_string(),
                c.last_at.to_string(),
                match &c.verdict {
                    Some(v) => format!("{}（{v}）", c.state),
                    None => c.state.clone(),
                },
                c.patient_keys.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let right = [false, false, false, true, true, true, false, false, false, false];
    let mut text = output::table(&headers, &rows, &right);
    text.push_str(&format!("（{} 件）", cases.len()));
    text
}
