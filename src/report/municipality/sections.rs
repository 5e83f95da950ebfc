//! The sections of a municipality report: its facilities by kind and role, the year
//! against the year before, views by disclosing hospital, the network's cost and every
//! municipality's proposed share, and what each renewal scenario would ask of it.

use super::publish::{Published, Town};
use super::share::allocate;
use super::{coverage, rate, shown_change, shown_text};
use crate::config::ShareWeights;
use crate::metrics::municipality::MunicipalityMetrics;
use crate::metrics::rows::Stage;
use crate::report::chart::{self, Bar, Spec};
use crate::report::format::{change, count, percent, percent_or_dash, points_of, yen, yen_or_dash};
use crate::report::layout::{Charts, Row, Section, row, section};
use crate::report::suppress::Shown;

pub(super) fn facilities_section(town: &Town) -> Section {
    let mut rows: Vec<Row> = town
        .kinds
        .iter()
        .map(|(k, part, dis, view)| row(k.clone(), vec![count(*part), count(*dis), count(*view)]))
        .collect();
    if !rows.is_empty() {
        let sum = |f: fn(&(String, i64, i64, i64)) -> i64| count(town.kinds.iter().map(f).sum());
        rows.push(row("計", vec![sum(|k| k.1), sum(|k| k.2), sum(|k| k.3)]));
    }
    let mut s = section("参加施設（種別・役割）", &["種別", "参加", "開示", "閲覧"], rows);
    s.empty = "年度中に参加していた施設はありません。".into();
    s.note = "開示＝その施設の情報が他の施設から閲覧された施設、閲覧＝他の施設の情報を閲覧した施設。".into();
    s
}

pub(super) fn use_section(
    town: &Town,
    before: Option<&Town>,
    p: &Published,
    p_before: &Published,
    fy_label: &str,
    prev_label: &str,
) -> Section {
    let facilities = |label: &str, now: i64, then: Option<i64>| {
        row(label, vec![count(now), then.map_or("—".into(), count), then.map_or("—".into(), |b| change(now, b))])
    };
    let ratio = |label: &str, of: fn(&Town) -> Option<f64>| {
        let (now, then) = (of(town), before.and_then(of));
        row(label, vec![percent_or_dash(now), percent_or_dash(then), points_of(now, then)])
    };
    let counted = |label: &str, now: Option<Shown>, then: Option<Shown>| {
        row(label, vec![shown_text(now), shown_text(then), shown_change(now, then)])
    };
    let rows = vec![
        facilities("参加施設数（施設）", town.participating, before.map(|b| b.participating)),
        facilities("稼働施設数（施設）", town.active, before.map(|b| b.active)),
        ratio("稼働施設率", rate),
        counted("閲覧件数（件）", Some(town.views), before.map(|b| b.views)),
        counted("閲覧された患者数（人）", Some(town.patients), before.map(|b| b.patients)),
        counted("登録患者数（人、年度末）", town.registered, before.and_then(|b| b.registered)),
        ratio("人口カバー率", coverage),
        counted("ネットワーク全体の閲覧件数（件）", Some(p.total_views), Some(p_before.total_views)),
        counted("ネットワーク全体の登録患者数（人）", p.registered_total, p_before.registered_total),
    ];
    let mut s =
        section(&format!("{}の利用（前年度との比較）", town.name), &["項目", fy_label, prev_label, "増減"], rows);
    s.note = format!(
        "人口 {} 人（市町の表による）。人口カバー率＝登録患者数 ÷ 人口（登録患者数が伏せられているときは示しません）。",
        town.population.map_or("—".into(), count)
    );
    s
}

pub(super) fn flows_section(p: &Published, town: &Town) -> Section {
    let t = p.towns.iter().position(|x| x.name == town.name).unwrap_or(0);
    let mut rows: Vec<Row> = p
        .hospitals
        .iter()
        .enumerate()
        .map(|(h, name)| row(name.clone(), vec![p.flows[t][h].text(), p.hospital_views[h].text()]))
        .collect();
    if !rows.is_empty() {
        rows.push(row("計", vec![town.views.text(), p.total_views.text()]));
    }
    let mut s = section(
        "開示施設別の閲覧（件）",
        &["開示施設（情報を開示した施設）", &format!("{}の施設から", town.name), "ネットワーク全体"],
        rows,
    );
    s.empty = "年度中の閲覧はありません。".into();
    s.note = "閲覧した施設の所在市町で数えています。".into();
    s
}

#[allow(clippy::too_many_arguments)]
pub(super) fn share_section(
    m: &MunicipalityMetrics,
    p: &Published,
    w: &ShareWeights,
    town: &Town,
    shares: &[f64],
    proposed: &[i64],
    paid: &[Option<i64>],
    charts: &mut Charts,
) -> anyhow::Result<Section> {
    let towns: Vec<&Town> = p.municipalities().collect();
    let support = &m.support;
    let stage = stage_label(support.stage);
    let required = support.required_yen.unwrap_or(0);
    let basis_total: f64 = towns.iter().map(|t| t.use_basis).sum();
    let population_total: i64 = towns.iter().filter_map(|t| t.population).sum();
    let mut rows: Vec<Row> = towns
        .iter()
        .enumerate()
        .map(|(i, t)| Row {
            label: t.name.clone(),
            cells: vec![
                t.views.text(),
                percent(if basis_total > 0.0 { t.use_basis / basis_total } else { 0.0 }),
                t.population.map_or("—".into(), count),
                percent(shares[i]),
                yen(proposed[i], false),
                paid[i].map_or("—".into(), |v| yen(v, false)),
            ],
            flagged: t.name == town.name,
        })
        .collect();
    rows.push(row(
        "計",
        vec![
            "—".into(),
            percent(if basis_total > 0.0 { 1.0 } else { 0.0 }),
            count(population_total),
            percent(shares.iter().sum()),
            yen(proposed.iter().sum(), false),
            yen(paid.iter().flatten().sum(), false),
        ],
    ));
    let weights = w.use_weight + w.population_weight + w.equal_weight;
    let weight = |x: f64| percent(if weights > 0.0 { x / weights } else { 0.0 });
    let mut s = section(
        "ネットワークの費用と負担案",
        &["市町", "閲覧件数", "利用割合", "人口", "負担割合", "負担案", "負担実績"],
        rows,
    );
    s.lines = vec![
        format!(
            "{}の支出 {}（{stage}）から、市町の負担金を除く収入 {} を引いた {} を、関係市町に負担をお願いする額としています。",
            m.fiscal_year.label_ja(),
            yen_or_dash(support.expense_yen, false),
            yen_or_dash(support.other_income_yen, false),
            yen(required, false),
        ),
        format!(
            "負担割合＝利用割合 × {} ＋ 人口割合 × {} ＋ 均等割（{} 市町で等分）× {}。負担案は千円単位です。",
            weight(w.use_weight),
            weight(w.population_weight),
            towns.len(),
            weight(w.equal_weight),
        ),
    ];
    if let Some(c) = m.cost.system_cost_yen {
        s.lines.push(format!(
            "なお、システム費（運営費とサーバー更新費の年額）は {} です（運営費は{}）。",
            yen(c, m.cost.approximate),
            crate::report::board::cost_basis_label(m.cost.cost_basis, m.cost.cost_basis_year)
        ));
    }
    let bars: Vec<Bar> = towns
        .iter()
        .enumerate()
        .map(|(i, t)| Bar {
            label: t.name.clone(),
            value: proposed[i] as f64,
            stacked: 0.0,
            highlight: t.name == town.name,
        })
        .collect();
    let title = "市町別の負担案（円／年）";
    let png = chart::horizontal_bars(&Spec { title, unit: "円", legend: ("", ""), reference: None }, &bars)?;
    s.chart = Some(charts.add("shares", title.to_string(), png));
    s.note = "利用割合は各市町の施設による閲覧件数の割合で、公表している値から計算しています（「<10」「＊」の市町は、公表値から分かる範囲の中央の値）。負担実績は決算、なければ予算の負担金です。".into();
    Ok(s)
}

pub(super) fn scenario_section(m: &MunicipalityMetrics, shares: &[f64], me: usize, name: &str) -> Section {
    let required = m.support.required_yen.unwrap_or(0);
    let system = m.cost.system_cost_yen.unwrap_or(0);
    let rows: Vec<Row> = m
        .scenarios
        .iter()
        .map(|o| {
            let asked = (required + o.annual_cost_yen - system).max(0);
            let mine = allocate(asked, shares).get(me).copied().unwrap_or(0);
            row(o.name.clone(), vec![yen(o.annual_cost_yen, false), yen(asked, false), yen(mine, false)])
        })
        .collect();
    let mut s =
        section("更新案ごとの負担", &["更新案", "年間費用", "関係市町への負担額", &format!("{name}の負担案")], rows);
    s.empty = "更新案が設定されていません（renkei.toml の [[scenarios]]）。".into();
    s.note = format!(
        "更新案の年間費用（リース年額＋運営費）が{}のシステム費 {} に代わるとして、同じ負担割合で計算しています。",
        m.fiscal_year.label_ja(),
        yen(system, false)
    );
    s
}

fn stage_label(stage: Option<Stage>) -> &'static str {
    match stage {
        Some(Stage::Settled) => "決算",
        Some(Stage::Budget) => "予算",
        None => "予算・決算なし",
    }
}
