//! The yearly report to each municipality (市町への報告): the facts that justify its
//! share of the network's cost, aggregates only, safe to publish.
//!
//! Every report is a view of one network-wide publication ([`Published`]): the flows from
//! each municipality's facilities to each disclosing hospital with their totals, the
//! patients whose information was viewed, and the registered patients, protected together
//! by [`suppress::protect`], so comparing two municipalities' reports (or a report with the
//! network totals it shows) gives nothing away. Facility counts come from the roster,
//! which the council publishes, and are shown as they are.
//!
//! The proposed share is computed from published figures only (a `<10` or `＊` count
//! enters as the middle of what a reader can work out for it), so no yen amount can leak
//! a suppressed count.

use askama::Template;
use serde::Serialize;

use super::chart::{self, Bar, Spec};
use super::format::{change, count, percent, percent_or_dash, points_of, yen, yen_or_dash};
use super::layout::{Charts, Row, Section, row, section};
use super::suppress::{self, Counts, Shown, Sum};
use super::{Attachment, Rendered};
use crate::config::ShareWeights;
use crate::metrics::municipality::MunicipalityMetrics;
use crate::metrics::rows::Stage;

/// The name under which facilities outside the listed municipalities are counted.
pub const OTHER: &str = "その他";

/// One municipality's published row.
#[derive(Debug, Clone)]
pub struct Town {
    /// Name (`湯沢町`), or [`OTHER`].
    pub name: String,
    /// Population, when listed.
    pub population: Option<i64>,
    /// Participating facilities located there (roster; public).
    pub participating: i64,
    /// Of those, facilities with any use in the year.
    pub active: i64,
    /// Views by its facilities (the flows' row total).
    pub views: Shown,
    /// Patients whose information its facilities viewed.
    pub patients: Shown,
    /// Registered patients at the year's last month, when counts exist.
    pub registered: Option<Shown>,
    /// Its views as a reader of the published reports can know them: exact when shown,
    /// else the middle of the range the published figures allow.
    pub use_basis: f64,
    /// Participating, disclosing and viewing facilities by kind.
    pub kinds: Vec<(String, i64, i64, i64)>,
}

impl Town {
    /// True for a listed municipality (not [`OTHER`]).
    pub fn is_municipality(&self) -> bool {
        self.name != OTHER
    }
}

/// Everything the municipality reports of one fiscal year publish, protected together.
#[derive(Debug, Clone)]
pub struct Published {
    /// The municipalities in list order, then [`OTHER`] when it has anything.
    pub towns: Vec<Town>,
    /// Disclosing facilities, most viewed first.
    pub hospitals: Vec<String>,
    /// Views `[town][hospital]`.
    pub flows: Vec<Vec<Shown>>,
    /// Views of each hospital's information by all towns.
    pub hospital_views: Vec<Shown>,
    /// All views in the network.
    pub total_views: Shown,
    /// All registered patients, when counts exist.
    pub registered_total: Option<Shown>,
}

impl Published {
    /// Protects the year's figures (network-wide) and lays them out per municipality.
    pub fn of(m: &MunicipalityMetrics) -> Published {
        let u = &m.use_;
        let names: Vec<String> = u.iter().map(|r| r.municipality.clone()).collect();
        let town_of =
            |name: &str| names.iter().position(|n| n == name).or_else(|| names.iter().position(|n| n == OTHER));

        // Hospitals by network views, most first (ties by name, for a stable order).
        let mut per_hospital: Vec<(String, i64)> = Vec::new();
        for f in &m.flows {
            match per_hospital.iter_mut().find(|(n, _)| *n == f.disclosing_facility) {
                Some((_, v)) => *v += f.views,
                None => per_hospital.push((f.disclosing_facility.clone(), f.views)),
            }
        }
        per_hospital.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let hospitals: Vec<String> = per_hospital.into_iter().map(|(n, _)| n).collect();
        let mut cells = vec![vec![0i64; hospitals.len()]; names.len()];
        for f in &m.flows {
            let h = hospitals.iter().position(|n| *n == f.disclosing_facility);
            if let (Some(t), Some(h)) = (town_of(&f.municipality), h) {
                cells[t][h] += f.views;
            }
        }

        let mut counts = Counts::default();
        let grid = counts.add_table(&cells);
        let patients: Vec<usize> = u.iter().map(|r| counts.push(r.patients)).collect();
        // Registered patients: one count per town and their total (rows for places not in
        // the list count as その他, so the total holds nothing unpublished).
        let e = &m.enrollment;
        let registered = (!e.is_empty()).then(|| {
            // One more count than towns: places in neither the list nor その他's row.
            let mut per_town = vec![0i64; names.len() + 1];
            let mut total = 0;
            for r in e {
                match &r.municipality {
                    Some(name) => {
                        let t = names.iter().position(|t| t == name).or_else(|| town_of(OTHER));
                        per_town[t.unwrap_or(names.len())] += r.registered_patients;
                    }
                    None => total = r.registered_patients,
                }
            }
            let parts: Vec<usize> = per_town.iter().map(|v| counts.push(*v)).collect();
            let total = counts.push(total);
            counts.sums.push(Sum { parts: parts.clone(), total });
            (parts, total)
        });

        let shown = suppress::protect(&counts);
        let (lo, hi) = suppress::bounds(&counts, &shown);
        let cols = hospitals.len();
        let margin = &grid[names.len()];
        let fac = &m.facilities;
        let towns = names
            .iter()
            .enumerate()
            .map(|(t, name)| {
                let views = grid[t][cols];
                Town {
                    name: name.clone(),
                    population: u[t].population,
                    participating: u[t].participating_facilities,
                    active: u[t].active_facilities,
                    views: shown[views],
                    patients: shown[patients[t]],
                    registered: registered.as_ref().map(|(parts, _)| shown[parts[t]]),
                    use_basis: match shown[views] {
                        Shown::Count(v) => v as f64,
                        _ => (lo[views] + hi[views]) as f64 / 2.0,
                    },
                    kinds: fac
                        .iter()
                        .filter(|r| r.municipality == *name)
                        .map(|r| (r.kind.clone(), r.participating, r.disclosing, r.viewing))
                        .collect(),
                }
            })
            .collect();
        Published {
            towns,
            flows: (0..names.len()).map(|t| (0..cols).map(|h| shown[grid[t][h]]).collect()).collect(),
            hospital_views: (0..cols).map(|h| shown[margin[h]]).collect(),
            total_views: shown[margin[cols]],
            registered_total: registered.map(|(_, total)| shown[total]),
            hospitals,
        }
    }

    fn town(&self, name: &str) -> Option<&Town> {
        self.towns.iter().find(|t| t.name == name)
    }

    /// The listed municipalities (without [`OTHER`]).
    pub fn municipalities(&self) -> impl Iterator<Item = &Town> {
        self.towns.iter().filter(|t| t.is_municipality())
    }
}

/// Each listed municipality's share of the support (0–1, adding up to 1), in the order of
/// [`Published::municipalities`]: `use × w_use + population × w_population + 1/N × w_equal`,
/// the weights scaled to add up to 1. Use is the published views ([`Town::use_basis`]);
/// with no use (or no population) at all, that part is split equally.
pub fn shares(p: &Published, w: &ShareWeights) -> Vec<f64> {
    let towns: Vec<&Town> = p.municipalities().collect();
    let n = towns.len() as f64;
    if towns.is_empty() {
        return Vec::new();
    }
    let part = |values: Vec<f64>| -> Vec<f64> {
        let sum: f64 = values.iter().sum();
        values.iter().map(|v| if sum > 0.0 { v / sum } else { 1.0 / n }).collect()
    };
    let uses = part(towns.iter().map(|t| t.use_basis).collect());
    let people = part(towns.iter().map(|t| t.population.unwrap_or(0) as f64).collect());
    let weights = w.use_weight + w.population_weight + w.equal_weight;
    let weights = if weights > 0.0 { weights } else { 1.0 };
    (0..towns.len())
        .map(|i| (w.use_weight * uses[i] + w.population_weight * people[i] + w.equal_weight / n) / weights)
        .collect()
}

/// Splits `total` yen by `shares` in whole thousands of yen (千円) that add up to `total`
/// rounded to a thousand: each gets the thousands its share floors to, and the thousands
/// left go to the largest remainders.
pub fn allocate(total: i64, shares: &[f64]) -> Vec<i64> {
    let units = (total as f64 / 1000.0).round() as i64;
    let exact: Vec<f64> = shares.iter().map(|s| s * units as f64).collect();
    let mut out: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b)));
    let left = units - out.iter().sum::<i64>();
    for i in order.into_iter().take(left.max(0) as usize) {
        out[i] += 1;
    }
    out.into_iter().map(|u| u * 1000).collect()
}

/// Everything one municipality's report shows, formatted (HTML, text and PDF alike).
#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityReport {
    /// Network name.
    pub network: String,
    /// The municipality.
    pub municipality: String,
    /// `令和7年度`.
    pub fiscal_label: String,
    /// `2025年4月〜2026年3月`.
    pub period: String,
    /// The key facts, one sentence each.
    pub summary: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// How to read the figures (suppression, definitions).
    pub notes: Vec<String>,
    /// The PDF's file name.
    pub pdf_name: String,
}

#[derive(Template)]
#[template(path = "municipality/report.html")]
struct ReportHtml<'a> {
    r: &'a MunicipalityReport,
}

#[derive(Template)]
#[template(path = "municipality/report.txt")]
struct ReportText<'a> {
    r: &'a MunicipalityReport,
}

/// The typst template of the PDF; it reads `data.json` (a [`MunicipalityReport`]).
const PDF_TEMPLATE: &str = include_str!("../../templates/municipality/report.typ");

/// What the municipality reports need besides the metrics.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// `[report] network_name`.
    pub network: &'a str,
    /// `[municipality_share]`.
    pub weights: &'a ShareWeights,
}

/// The year's figures and the year before's, computed and protected once for all reports.
pub struct Year<'a> {
    /// This fiscal year's metrics.
    pub now: &'a MunicipalityMetrics,
    /// This fiscal year, published.
    pub published: Published,
    /// The year before, published (as its own reports showed it).
    pub before: Published,
}

impl<'a> Year<'a> {
    /// Protects both years.
    pub fn new(now: &'a MunicipalityMetrics, before: &MunicipalityMetrics) -> Year<'a> {
        Year { now, published: Published::of(now), before: Published::of(before) }
    }
}

/// A shown count as text, or `—` for no value.
fn shown_text(s: Option<Shown>) -> String {
    s.map_or_else(|| "—".to_string(), Shown::text)
}

/// The change between two published counts, only when both are shown exactly.
fn shown_change(now: Option<Shown>, before: Option<Shown>) -> String {
    match (now.and_then(Shown::value), before.and_then(Shown::value)) {
        (Some(a), Some(b)) => change(a, b),
        _ => "—".to_string(),
    }
}

fn rate(t: &Town) -> Option<f64> {
    (t.participating > 0).then(|| t.active as f64 / t.participating as f64)
}

/// Registered ÷ population, only when the registered count is shown exactly.
fn coverage(t: &Town) -> Option<f64> {
    match (t.registered.and_then(Shown::value), t.population) {
        (Some(r), Some(p)) if p > 0 => Some(r as f64 / p as f64),
        _ => None,
    }
}

fn stage_label(stage: Option<Stage>) -> &'static str {
    match stage {
        Some(Stage::Settled) => "決算",
        Some(Stage::Budget) => "予算",
        None => "予算・決算なし",
    }
}

/// Renders every listed municipality's report (or only `only`).
pub fn render_all(year: &Year, opts: &Options, only: Option<&str>) -> anyhow::Result<Vec<(String, Rendered)>> {
    let names: Vec<String> = year.published.municipalities().map(|t| t.name.clone()).collect();
    if let Some(wanted) = only
        && !names.iter().any(|n| n == wanted)
    {
        return Err(crate::error::Problem::new(format!("市町「{wanted}」は市町の表にありません"))
            .hint(format!(
                "市町の表にある名前で指定してください（{}）",
                if names.is_empty() { "市町の表が未登録です".to_string() } else { names.join("、") }
            ))
            .into());
    }
    names
        .iter()
        .filter(|n| only.is_none_or(|w| w == n.as_str()))
        .map(|n| Ok((n.clone(), render(year, opts, n)?)))
        .collect()
}

/// Renders the report of the municipality `name`.
pub fn render(year: &Year, opts: &Options, name: &str) -> anyhow::Result<Rendered> {
    let m = year.now;
    let p = &year.published;
    let town = p.town(name).ok_or_else(|| anyhow::anyhow!("{name} is not in the published towns"))?;
    let before = year.before.town(name);
    let fy = m.fiscal_year;
    let fy_label = fy.label_ja();
    let prev_label = crate::domain::FiscalYear::new(fy.year() - 1).label_ja();
    let code = fy.year();
    let report_id = format!("municipality-{code}-{}", town_code(m, name));
    let pdf_name = format!("{report_id}.pdf");

    let shares = shares(p, opts.weights);
    let towns: Vec<&Town> = p.municipalities().collect();
    let me = towns.iter().position(|t| t.name == name).unwrap_or(0);
    let required = m.support.required_yen.unwrap_or(0);
    let proposed = allocate(required, &shares);
    let paid: Vec<Option<i64>> = towns.iter().map(|t| paid(m, &t.name)).collect();
    let basis_total: f64 = towns.iter().map(|t| t.use_basis).sum();
    let use_share = |t: &Town| if basis_total > 0.0 { t.use_basis / basis_total } else { 0.0 };

    let mut summary = vec![
        format!(
            "{name}の参加施設 {} 施設のうち {} 施設が{fy_label}に利用しました（稼働施設率 {}）。",
            count(town.participating),
            count(town.active),
            percent_or_dash(rate(town))
        ),
        format!(
            "{name}の施設による閲覧は {} 件、ネットワーク全体では {} 件です（負担割合の計算に用いる利用割合 {}）。",
            town.views.text(),
            p.total_views.text(),
            percent(use_share(town))
        ),
    ];
    summary.push(match paid[me] {
        Some(yen_paid) => format!(
            "負担案は {}（負担割合 {}）、{fy_label}の負担は {} です。",
            yen(proposed[me], false),
            percent(shares[me]),
            yen(yen_paid, false)
        ),
        None => format!(
            "負担案は {}（負担割合 {}）です。{fy_label}の予算・決算に{name}の負担金の行はありません。",
            yen(proposed[me], false),
            percent(shares[me])
        ),
    });

    let mut charts = Charts(Vec::new());
    let mut sections = vec![
        facilities_section(town),
        use_section(town, before, p, &year.before, &fy_label, &prev_label),
        flows_section(p, town),
    ];
    sections.push(share_section(m, p, opts.weights, town, &shares, &proposed, &paid, &mut charts)?);
    sections.push(scenario_section(m, &shares, me, name));

    let notes = vec![
        "「<10」は1〜9、「＊」は他の数値から逆算されないよう伏せた10以上の値です（0はそのまま示します）。閲覧件数・患者数・登録患者数が対象で、関係市町すべての報告書とネットワーク全体の合計を合わせても伏せた値が分からないように選んでいます。".to_string(),
        "施設数は協議会が公開している参加施設名簿の数のため、伏せていません。".to_string(),
        "患者数は仮名化したIDで数えた重複のない人数です。市町をまたいで同じ患者が数えられるため、市町の合計はネットワーク全体の患者数と一致しません。".to_string(),
        "稼働施設＝年度中に1件以上利用した施設。稼働施設率＝稼働施設 ÷ 年度中に参加していた施設。".to_string(),
    ];
    let report = MunicipalityReport {
        network: opts.network.to_string(),
        municipality: name.to_string(),
        fiscal_label: fy_label.clone(),
        period: format!("{}年4月〜{}年3月", code, code + 1),
        summary,
        sections,
        notes,
        pdf_name: pdf_name.clone(),
    };
    let html = ReportHtml { r: &report }.render()?;
    let text = ReportText { r: &report }.render()?;
    let mut files: Vec<(String, Vec<u8>)> = vec![("data.json".into(), serde_json::to_vec(&report)?)];
    files.extend(charts.0.iter().map(|(c, png)| (format!("{}.png", c.cid), png.clone())));
    let pdf = super::pdf::typeset(PDF_TEMPLATE, files)?;
    let mut attachments = charts.into_attachments();
    attachments.push(Attachment {
        filename: pdf_name,
        content_type: "application/pdf".into(),
        bytes: pdf,
        content_id: None,
    });
    Ok(Rendered {
        report_id,
        subject: format!("【{}】{fy_label} {name} 利用状況と負担のご報告", opts.network),
        html,
        text,
        attachments,
    })
}

/// The municipality's code for ASCII file names (`152251`), or its position when it has none.
fn town_code(m: &MunicipalityMetrics, name: &str) -> String {
    let row = m.use_.iter().position(|r| r.municipality == name);
    match row.and_then(|r| m.use_[r].code.clone()).filter(|c| !c.is_empty() && c.is_ascii()) {
        Some(c) => c,
        None => format!("{}", row.unwrap_or(0) + 1),
    }
}

/// What the municipality paid in the year: settled, else budgeted.
fn paid(m: &MunicipalityMetrics, name: &str) -> Option<i64> {
    let r = m.payments.iter().find(|r| r.municipality == name)?;
    r.settled_yen.or(r.budget_yen)
}

fn facilities_section(town: &Town) -> Section {
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

fn use_section(
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

fn flows_section(p: &Published, town: &Town) -> Section {
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
fn share_section(
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
            super::board::cost_basis_label(m.cost.cost_basis, m.cost.cost_basis_year)
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

fn scenario_section(m: &MunicipalityMetrics, shares: &[f64], me: usize, name: &str) -> Section {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FiscalYear;
    use crate::metrics::rows::{
        CostPerUse, EnrollmentCoverage, MunicipalityFlow, MunicipalityUse, Stage, SupportBasis,
    };
    use crate::report::suppress::tests::assert_nothing_recovered;

    const TOWNS: [&str; 5] = ["十日町市", "魚沼市", "南魚沼市", "湯沢町", "津南町"];
    const HOSPITALS: [&str; 5] = ["魚沼基幹病院", "十日町病院", "小出病院", "湯沢町保健医療センター", "津南病院"];
    /// Views town × hospital: 湯沢町 and 津南町 are small towns.
    const FLOWS: [[i64; 5]; 5] =
        [[812, 95, 40, 7, 0], [1_460, 33, 210, 12, 3], [305, 640, 18, 0, 25], [6, 0, 2, 0, 0], [14, 9, 0, 3, 1]];
    const PATIENTS: [i64; 5] = [420, 610, 388, 5, 19];
    const REGISTERED: [i64; 5] = [1_200, 950, 1_430, 7, 64];

    fn metrics() -> MunicipalityMetrics {
        let use_ = (0..5)
            .map(|i| MunicipalityUse {
                municipality: TOWNS[i].into(),
                code: Some(format!("1521{i}")),
                population: Some([49_000, 33_000, 53_000, 7_600, 9_000][i]),
                participating_facilities: 10,
                active_facilities: 6,
                views: FLOWS[i].iter().sum(),
                patients: PATIENTS[i],
            })
            .collect();
        let flows = (0..5)
            .flat_map(|i| (0..5).map(move |h| (i, h)))
            .filter(|(i, h)| FLOWS[*i][*h] > 0)
            .map(|(i, h)| MunicipalityFlow {
                municipality: TOWNS[i].into(),
                disclosing_facility: HOSPITALS[h].into(),
                views: FLOWS[i][h],
            })
            .collect();
        let enrolled = |municipality: Option<&str>, registered_patients: i64| EnrollmentCoverage {
            municipality: municipality.map(String::from),
            registered_patients,
            population: None,
            coverage: None,
            shared_patients_12m: None,
            shared_rate: None,
        };
        let mut enrollment: Vec<EnrollmentCoverage> = (0..5).map(|i| enrolled(Some(TOWNS[i]), REGISTERED[i])).collect();
        enrollment.push(enrolled(None, REGISTERED.iter().sum()));
        MunicipalityMetrics {
            fiscal_year: FiscalYear::new(2025),
            use_,
            flows,
            facilities: Vec::new(),
            payments: Vec::new(),
            enrollment,
            cost: CostPerUse {
                fiscal_year: 2025,
                running_cost_yen: Some(14_000_000),
                cost_basis: None,
                cost_basis_year: None,
                server_annual_yen: None,
                system_cost_yen: Some(14_000_000),
                approximate: false,
                months_with_log: 12,
                views_12m: None,
                active_facilities_12m: None,
                registered_patients: None,
                residents: None,
                yen_per_view: None,
                yen_per_active_facility: None,
                yen_per_registered_patient: None,
                yen_per_resident: None,
            },
            support: SupportBasis {
                stage: Some(Stage::Budget),
                expense_yen: None,
                other_income_yen: None,
                fee_income_yen: None,
                required_yen: Some(6_500_000),
            },
            scenarios: Vec::new(),
        }
    }

    #[test]
    fn the_five_reports_together_reveal_no_suppressed_count() {
        let p = Published::of(&metrics());
        // The reader's side, built from what the reports print: the flows with the towns'
        // and hospitals' totals, the patients, the registered patients with their total.
        let mut counts = Counts::default();
        let grid = counts.add_table(&FLOWS.map(|r| r.to_vec()));
        let mut shown = vec![Shown::Count(0); counts.values.len()];
        for (i, town) in p.towns.iter().enumerate() {
            assert_eq!(town.name, TOWNS[i]);
            for h in 0..5 {
                let at = p.hospitals.iter().position(|n| n == HOSPITALS[h]).unwrap();
                shown[grid[i][h]] = p.flows[i][at];
            }
            shown[grid[i][5]] = town.views;
        }
        for h in 0..5 {
            shown[grid[5][h]] = p.hospital_views[p.hospitals.iter().position(|n| n == HOSPITALS[h]).unwrap()];
        }
        shown[grid[5][5]] = p.total_views;
        for (i, town) in p.towns.iter().enumerate() {
            counts.push(PATIENTS[i]);
            shown.push(town.patients);
        }
        let parts: Vec<usize> = (0..5).map(|i| counts.push(REGISTERED[i])).collect();
        shown.extend(p.towns.iter().map(|t| t.registered.unwrap()));
        let total = counts.push(REGISTERED.iter().sum());
        shown.push(p.registered_total.unwrap());
        counts.sums.push(Sum { parts, total });

        // Small counts are never printed as numbers, and the attacker pins nothing.
        for (v, s) in counts.values.iter().zip(&shown) {
            assert!(!matches!(s, Shown::Count(n) if (1..=9).contains(n)), "{v} printed as {s:?}");
            if let Shown::Count(n) = s {
                assert_eq!(n, v);
            }
        }
        assert_eq!(p.towns[3].registered, Some(Shown::Under10), "湯沢町's 7 registered");
        assert!(shown.contains(&Shown::Hidden), "secondary suppression happened");
        assert_nothing_recovered(&counts, &shown);
    }

    #[test]
    fn shares_follow_the_weights() {
        let p = Published::of(&metrics());
        let only = |u: f64, pop: f64, eq: f64| {
            shares(&p, &ShareWeights { use_weight: u, population_weight: pop, equal_weight: eq })
        };
        assert_eq!(only(0.0, 0.0, 1.0), vec![0.2; 5]);
        // Population only: 49,000 / 151,600 for 十日町市, 7,600 / 151,600 for 湯沢町.
        let by_people = only(0.0, 2.0, 0.0);
        assert!((by_people[0] - 49_000.0 / 151_600.0).abs() < 1e-12);
        assert!((by_people[3] - 7_600.0 / 151_600.0).abs() < 1e-12);
        // Use only, from published views: 南魚沼市's 988 views are shown exactly
        // (305 + 640 + 18 + 0 + 25); its share is 988 over the published basis.
        let by_use = only(1.0, 0.0, 0.0);
        assert_eq!(p.towns[2].views, Shown::Count(988));
        let basis: f64 = p.towns.iter().map(|t| t.use_basis).sum();
        assert!((by_use[2] - 988.0 / basis).abs() < 1e-12);
        assert!((by_use.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn allocation_adds_up_in_thousands() {
        let shares = [0.5, 0.3, 0.2];
        assert_eq!(allocate(6_500_000, &shares), vec![3_250_000, 1_950_000, 1_300_000]);
        // 1,000 thousands split three ways: 333.33 each, the one left goes to the first.
        let third = [1.0 / 3.0; 3];
        assert_eq!(allocate(1_000_000, &third), vec![334_000, 333_000, 333_000]);
        assert_eq!(allocate(1_000_000, &third).iter().sum::<i64>(), 1_000_000);
        assert_eq!(allocate(0, &third), vec![0, 0, 0]);
    }
}
