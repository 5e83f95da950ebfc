//! The monthly board report (理事会報告): the month against the previous month and the
//! same month last year, the 13-month trend, use by system, data type, facility kind and
//! municipality, participation by role, concentration, inactive paying members, views and
//! image-server value by hospital, cost per use, budget execution, registered patients,
//! the renewal scenarios, and alerts. Charts are PNGs attached inline by Content-ID; every
//! table also goes out as an xlsx.

use askama::Template;

use super::chart::{self, Bar, Spec};
use super::format::{change_of, count, count_or_dash, percent_or_dash, points_of, yen, yen_change, yen_or_dash};
use super::layout::{Charts, Row, Section, row, section};
use super::{Attachment, Rendered};
use crate::domain::table::Table;
use crate::metrics::BoardMetrics;
use crate::metrics::rows::{BudgetSection, CostBasis, MonthlyUsage, ViewsSource};
use crate::metrics::scenarios::Outcome;

/// Everything the board templates show, formatted.
#[derive(Debug, Clone)]
pub struct BoardReport {
    /// Network name.
    pub network: String,
    /// `2025年7月`.
    pub month_label: String,
    /// `令和7年度`.
    pub fiscal_label: String,
    /// Things the board should know.
    pub alerts: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// The xlsx file name when attached, or why it is not.
    pub attachment_note: String,
}

#[derive(Template)]
#[template(path = "board/report.html")]
struct BoardHtml<'a> {
    r: &'a BoardReport,
}

#[derive(Template)]
#[template(path = "board/report.txt")]
struct BoardText<'a> {
    r: &'a BoardReport,
}

/// Cut-offs the board report flags (named so a reader of the code sees the policy).
mod cut {
    /// A paying member whose use share is under this part of its fee share pays more than it uses.
    pub const UNDER_USE: f64 = 0.5;
    /// Inactive members listed in the email (the rest are in the xlsx).
    pub const INACTIVE_SHOWN: usize = 15;
    /// Municipality → hospital flows listed in the email.
    pub const FLOWS_SHOWN: usize = 10;
}

fn kpis(m: &BoardMetrics) -> Section {
    let t = &m.monthly;
    // monthly_usage covers month-12 .. month: the last row is this month, the one before
    // the previous month, the first the same month last year.
    let at = |i: usize| t.get(i);
    let (cur, prev, yoy) = (at(t.len().saturating_sub(1)), at(t.len().saturating_sub(2)), at(0));
    let kpi = |label: &str, col: fn(&MonthlyUsage) -> Option<i64>| {
        let (c, p, y) = (cur.and_then(col), prev.and_then(col), yoy.and_then(col));
        row(label, vec![count_or_dash(c), count_or_dash(p), change_of(c, p), count_or_dash(y), change_of(c, y)])
    };
    let rate = |r: Option<&MonthlyUsage>| r.and_then(|r| r.active_rate);
    let mut rows = vec![
        kpi("操作件数（件）", |r| r.events),
        kpi("閲覧件数（件）", |r| r.views),
        kpi("画像の閲覧件数（件）", |r| r.image_views),
        kpi("患者数（人）", |r| r.unique_patients),
        kpi("利用者数（人）", |r| r.active_users),
        kpi("稼働施設数（施設）", |r| r.active_facilities),
        kpi("参加施設数（施設）", |r| Some(r.participating_facilities)),
    ];
    rows.push(row(
        "稼働施設率",
        vec![
            percent_or_dash(rate(cur)),
            percent_or_dash(rate(prev)),
            points_of(rate(cur), rate(prev)),
            percent_or_dash(rate(yoy)),
            points_of(rate(cur), rate(yoy)),
        ],
    ));
    let mut s = section(
        "今月の利用（前月・前年同月との比較）",
        &["項目", &m.month.label_ja(), "前月", "増減", "前年同月", "増減"],
        rows,
    );
    s.note = "稼働施設＝その月に利用のあった施設（職員が操作したか、その施設の情報が閲覧された施設）。稼働施設率＝稼働施設数 ÷ その月に加入中の参加施設数（統一の定義がないため、本報告ではこの定義を用います）。患者数・利用者数は仮名化したIDで数えています。— はアクセスログのない月（データなし）です。".into();
    s
}

fn trend(m: &BoardMetrics, charts: &mut Charts) -> anyhow::Result<Section> {
    let t = &m.monthly;
    let first = t.first().map(|r| r.month);
    let labels: Vec<String> = t
        .iter()
        .map(|r| {
            let mo = r.month;
            if mo.month() == 1 || Some(mo) == first {
                format!("{}/{}", mo.year() % 100, mo.month())
            } else {
                format!("{}月", mo.month())
            }
        })
        .collect();
    let views: Vec<Option<f64>> = t.iter().map(|r| r.views.map(|v| v as f64)).collect();
    let title = "閲覧件数の推移（13か月）";
    let png = chart::vertical_bars(&Spec { title, unit: "件", legend: ("", ""), reference: None }, &labels, &views)?;
    let rows = t
        .iter()
        .map(|r| {
            row(
                r.month.label_ja(),
                vec![
                    count_or_dash(r.events),
                    count_or_dash(r.views),
                    count_or_dash(r.active_facilities),
                    percent_or_dash(r.active_rate),
                ],
            )
        })
        .collect();
    let mut s = section("13か月の推移", &["月", "操作件数", "閲覧件数", "稼働施設", "稼働施設率"], rows);
    s.chart = Some(charts.add("trend", title.to_string(), png));
    if t.iter().any(|r| !r.has_log) {
        s.note = "— はアクセスログのない月です（0件ではなく、データがありません）。".into();
    }
    Ok(s)
}

fn usage_sections(m: &BoardMetrics) -> Vec<Section> {
    let systems = m
        .by_system
        .iter()
        .map(|r| {
            row(
                r.system.clone(),
                vec![
                    count_or_dash(r.events),
                    count_or_dash(r.views),
                    count_or_dash(r.active_facilities),
                    change_of(r.events, r.events_prev_month),
                    change_of(r.events, r.events_last_year),
                ],
            )
        })
        .collect();
    let types = m
        .by_data_type
        .iter()
        .map(|r| {
            row(
                r.data_type.clone(),
                vec![
                    count_or_dash(r.events),
                    count_or_dash(r.views),
                    count_or_dash(r.unique_patients),
                    count_or_dash(r.active_facilities),
                    change_of(r.events, r.events_prev_month),
                ],
            )
        })
        .collect();
    let participation = |label: &str, part: i64, active: Option<i64>, rate: Option<f64>, events: Option<i64>| {
        row(label, vec![count(part), count_or_dash(active), percent_or_dash(rate), count_or_dash(events)])
    };
    let kinds = m
        .by_kind
        .iter()
        .map(|r| participation(&r.kind, r.participating_facilities, r.active_facilities, r.active_rate, r.events))
        .collect();
    let towns = m
        .by_municipality
        .iter()
        .map(|r| {
            participation(&r.municipality, r.participating_facilities, r.active_facilities, r.active_rate, r.events)
        })
        .collect();
    let roles = m
        .by_role
        .iter()
        .map(|r| {
            row(
                r.kind.clone(),
                [r.participating_facilities, r.disclosing_facilities, r.viewing_facilities, r.idle_facilities]
                    .map(count)
                    .to_vec(),
            )
        })
        .collect();
    let mut role = section("役割別の参加施設（直近12か月）", &["種別", "参加", "開示", "閲覧", "どちらもなし"], roles);
    role.note = "開示＝その施設の情報が閲覧された施設、閲覧＝他施設の情報を閲覧した施設。".into();
    let c = &m.concentration;
    let mut conc = section("利用の集中度（直近12か月）", &[], Vec::new());
    conc.empty = String::new();
    conc.lines.push(format!(
        "参加施設 {} 施設の操作 {} 件のうち、上位10施設が {}（{} 件）。ジニ係数 {}。",
        count(c.facilities),
        count(c.events),
        percent_or_dash(c.top10_share),
        count(c.top10_events),
        c.gini.map_or_else(|| "—".to_string(), |g| format!("{g:.2}")),
    ));
    conc.note = "ジニ係数は使わなかった施設を 0 件として含めて計算（0＝均等、1に近いほど一部の施設に集中）。".into();
    vec![
        section("システム別", &["システム", "操作件数", "閲覧件数", "稼働施設", "前月比", "前年同月比"], systems),
        section("情報の種類別", &["種類", "操作件数", "閲覧件数", "患者数", "稼働施設", "前月比"], types),
        section("施設種別ごとの参加と稼働", &["種別", "参加施設", "稼働施設", "稼働施設率", "操作件数"], kinds),
        section(
            "市町別の参加と稼働（施設の所在地）",
            &["市町", "参加施設", "稼働施設", "稼働施設率", "操作件数"],
            towns,
        ),
        role,
        conc,
    ]
}

fn inactive(m: &BoardMetrics, alerts: &mut Vec<String>) -> Section {
    let t = &m.inactive;
    let fee_12m: i64 = t.iter().filter(|r| r.idle_12m).map(|r| r.fee_yen).sum();
    let n = |f: fn(&&crate::metrics::rows::InactiveMember) -> bool| t.iter().filter(f).count() as i64;
    let (n3, n6, n12) = (n(|r| r.idle_3m), n(|r| r.idle_6m), n(|r| r.idle_12m));
    let mut s = section(
        "会費を払いながら使っていない施設",
        &["施設", "種別", "会費", "最終利用"],
        t.iter()
            .take(cut::INACTIVE_SHOWN)
            .map(|r| {
                row(
                    r.name.clone(),
                    vec![
                        r.kind.clone().unwrap_or_default(),
                        yen(r.fee_yen, false),
                        r.last_used.map_or_else(|| "なし".to_string(), |d| d.0.format("%Y-%m-%d").to_string()),
                    ],
                )
            })
            .collect(),
    );
    s.lines.push(format!(
        "3か月使っていない {} 施設、6か月 {} 施設、12か月 {} 施設（12か月の施設の会費 計 {}）。",
        count(n3),
        count(n6),
        count(n12),
        yen(fee_12m, false)
    ));
    s.empty = "3か月以上使っていない会費負担施設はありません。".into();
    s.note = "使った＝その施設の職員が操作したか、その施設の情報が閲覧されたこと。".into();
    if t.len() > cut::INACTIVE_SHOWN {
        s.note.push_str(&format!(
            "最終利用の古い順に{}施設。全 {} 施設は添付の xlsx にあります。",
            cut::INACTIVE_SHOWN,
            t.len()
        ));
    }
    if n6 > 0 {
        alerts.push(format!("会費を払っている施設のうち {} 施設が6か月以上利用していません。", count(n6)));
    }
    s
}

fn hospitals(m: &BoardMetrics, charts: &mut Charts) -> anyhow::Result<Section> {
    let rows = m
        .by_hospital
        .iter()
        .map(|h| {
            row(
                h.name.clone(),
                vec![
                    if h.publishes_images { "○" } else { "—" }.to_string(),
                    count(h.views),
                    count(h.image_views),
                    change_of(Some(h.views), h.views_prev_month),
                    change_of(Some(h.views), h.views_last_year),
                    count(h.image_views_12m),
                ],
            )
        })
        .collect();
    let mut s = section(
        "開示施設別の閲覧",
        &["開示施設", "画像公開", "閲覧", "うち画像", "前月比", "前年同月比", "画像 12か月"],
        rows,
    );
    let mut bars: Vec<Bar> = m
        .image_value
        .iter()
        .map(|v| Bar { label: v.name.clone(), value: v.image_views_12m as f64, stacked: 0.0, highlight: false })
        .collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    if !bars.is_empty() {
        let title = "画像の閲覧回数（公開病院別・直近12か月）";
        let png = chart::horizontal_bars(&Spec { title, unit: "回", legend: ("", ""), reference: None }, &bars)?;
        s.chart = Some(charts.add("image_views", title.to_string(), png));
    }
    Ok(s)
}

fn image_value(
    m: &BoardMetrics,
    threshold: i64,
    charts: &mut Charts,
    alerts: &mut Vec<String>,
) -> anyhow::Result<Section> {
    let v = &m.image_value;
    let rows: Vec<Row> = v
        .iter()
        .map(|r| Row {
            label: r.name.clone(),
            cells: vec![
                yen_or_dash(r.extra_annual_yen, false),
                format!("{}回", count(r.image_views_12m)),
                yen_or_dash(r.yen_per_image_view, false),
                match r.views_source {
                    ViewsSource::ImageViews => "画像閲覧回数",
                    ViewsSource::AccessLog => "アクセスログ",
                }
                .to_string(),
            ],
            flagged: r.over_threshold == Some(true),
        })
        .collect();
    let over: Vec<String> = rows.iter().filter(|r| r.flagged).map(|r| r.label.clone()).collect();
    if !over.is_empty() {
        alerts.push(format!(
            "画像公開サーバーの費用が閲覧1回あたり {} を超える病院: {}",
            yen(threshold, false),
            over.join("、")
        ));
    }
    let bars: Vec<Bar> = v
        .iter()
        .filter_map(|r| {
            r.yen_per_image_view.map(|value| Bar {
                label: r.name.clone(),
                value: value as f64,
                stacked: 0.0,
                highlight: r.over_threshold == Some(true),
            })
        })
        .collect();
    let mut s = section(
        "画像公開サーバーの価値（順位）",
        &["病院", "差額の年額", "画像閲覧 12か月", "閲覧1回あたり", "回数の出典"],
        rows,
    );
    s.empty = "画像公開グレードの見積がないため計算できません（更新見積を取り込んでください）。".into();
    let quotes = v
        .iter()
        .find_map(|r| r.quote_fiscal_year)
        .map(|y| format!("{}の見積による。", crate::domain::FiscalYear::new(y as i32).label_ja()))
        .unwrap_or_default();
    s.note = format!(
        "差額の年額＝（画像公開グレードの見積 − 標準グレードの見積）をリース年額にしたもの（{quotes}見積はその月にリース中のもの、なければ次の更新のもの）。見積のない病院は最後に並べています。閲覧1回あたりが {} を超える病院に色をつけています（renkei.toml の [report] threshold_yen_per_view）。",
        yen(threshold, false)
    );
    if !bars.is_empty() {
        let title = "画像閲覧1回あたりのサーバー差額";
        let label = format!("基準 {}", yen(threshold, false));
        let spec = Spec { title, unit: "円", legend: ("", ""), reference: Some((threshold as f64, &label)) };
        s.chart = Some(charts.add("image_value", title.to_string(), chart::horizontal_bars(&spec, &bars)?));
    }
    Ok(s)
}

/// How the report names where a year's running cost came from.
pub fn cost_basis_label(basis: Option<CostBasis>, basis_year: Option<i64>) -> String {
    match basis {
        Some(CostBasis::Invoices) => "請求・契約".into(),
        Some(CostBasis::Budget) => "予算のシステム委託費".into(),
        Some(CostBasis::EarlierInvoices) => format!(
            "{}の実績",
            basis_year.map_or_else(|| "前の年度".to_string(), |y| crate::domain::FiscalYear::new(y as i32).label_ja())
        ),
        None => "なし".into(),
    }
}

fn cost(m: &BoardMetrics, alerts: &mut Vec<String>) -> Section {
    let c = &m.cost;
    let fiscal = m.month.fiscal_year().label_ja();
    let approx = c.approximate;
    let mut s = section("利用1件あたりの費用", &["項目", "金額・件数"], Vec::new());
    match c.system_cost_yen {
        Some(total) => {
            let y = |v: Option<i64>| yen_or_dash(v, approx);
            let basis = cost_basis_label(c.cost_basis, c.cost_basis_year);
            s.rows = vec![
                row(format!("{fiscal}の運営費（{basis}）"), vec![y(c.running_cost_yen)]),
                row("サーバー更新費の年額", vec![y(c.server_annual_yen)]),
                row("システム費 計", vec![yen(total, approx)]),
                row(
                    "直近12か月の閲覧件数",
                    vec![c.views_12m.map_or_else(|| "—".into(), |v| format!("{}件", count(v)))],
                ),
                row("閲覧1件あたり（直近12か月）", vec![y(c.yen_per_view)]),
                row("稼働施設1施設あたり（直近12か月）", vec![y(c.yen_per_active_facility)]),
                row("登録患者1人あたり", vec![y(c.yen_per_registered_patient)]),
                row("住民1人あたり", vec![y(c.yen_per_resident)]),
            ];
            s.note = "システム費＝その年度の運営費（請求・契約の合計。まだなければ予算のシステム委託費、それもなければ前の年度の実績）＋リース中のサーバー更新見積の年額。1件あたり＝システム費 ÷ 直近12か月の件数・施設数、または最新の登録患者数・関係市町の人口。".into();
            if c.months_with_log < 12 {
                s.note.push_str(&format!(
                    "直近12か月のうちアクセスログがあるのは {} か月分だけのため、1件あたりは高く出ます。",
                    c.months_with_log
                ));
            }
            if c.cost_basis != Some(CostBasis::Invoices) {
                alerts.push(format!("{fiscal}の運営費の請求・契約がないため、{basis}で計算しています。"));
            }
        }
        None => {
            s.empty = format!(
                "{fiscal}の運営費（請求・契約、予算、前の年度の実績のどれも）が取り込まれていないため、1件あたりの費用を出せません。"
            );
            alerts.push(s.empty.clone());
        }
    }
    s
}

fn money_sections(m: &BoardMetrics) -> Vec<Section> {
    let b = &m.budget;
    let rows = b
        .iter()
        .map(|r| {
            let label = match (&r.item, r.section) {
                (Some(item), _) => format!("　{item}"),
                (None, BudgetSection::Income) => "収入計".to_string(),
                (None, BudgetSection::Expense) => "支出計".to_string(),
                (None, BudgetSection::Balance) => "収支差引".to_string(),
            };
            Row {
                label,
                cells: vec![yen_or_dash(r.budget_yen, false), yen_or_dash(r.settled_yen, false)],
                flagged: r.section == BudgetSection::Balance
                    && [r.budget_yen, r.settled_yen].iter().any(|v| v.is_some_and(|v| v < 0)),
            }
        })
        .collect();
    let shown = b
        .first()
        .and_then(|r| r.fiscal_year)
        .map_or(m.month.fiscal_year(), |y| crate::domain::FiscalYear::new(y as i32));
    let mut budget = section(&format!("{}の予算と決算", shown.label_ja()), &["科目", "予算", "決算"], rows);
    budget.empty = "この年度の予算・決算が取り込まれていません。".into();
    budget.note = "収支差引＝収入計 − 支出計（マイナスは赤字）。".into();

    let f = &m.fees;
    let mut fees = section("会費と利用の釣り合い", &[], Vec::new());
    fees.empty = String::new();
    let under = f.iter().filter(|r| r.use_to_fee.is_some_and(|x| x < cut::UNDER_USE)).count();
    if !f.is_empty() {
        fees.lines.push(format!(
            "会費を払う {} 施設のうち {} 施設は、会費の割合に比べて利用の割合が半分未満です（一覧は xlsx の「会費の公平性」）。",
            count(f.len() as i64),
            count(under as i64)
        ));
        fees.note = "利用＝その施設の職員の操作と、その施設の情報が閲覧された件数。".into();
    }

    let rows = m
        .enrollment
        .iter()
        .map(|e| {
            row(
                e.municipality.clone().unwrap_or_else(|| "全体".to_string()),
                vec![
                    count(e.registered_patients),
                    count_or_dash(e.population),
                    percent_or_dash(e.coverage),
                    percent_or_dash(e.shared_rate),
                ],
            )
        })
        .collect();
    let mut enrol =
        section("登録患者と人口カバー率", &["市町", "登録患者", "人口", "人口カバー率", "情報共有患者率"], rows);
    enrol.empty = "登録患者数が取り込まれていません。".into();
    enrol.note =
        "人口カバー率＝登録患者数 ÷ 人口。情報共有患者率＝直近12か月に情報が閲覧された患者 ÷ 登録患者（全体のみ）。"
            .into();

    let mut flows = section(
        &format!("どの市町の施設が、どの病院の情報を見ているか（直近12か月・上位{}）", cut::FLOWS_SHOWN),
        &["閲覧した市町 → 開示施設", "閲覧件数", "閲覧施設"],
        m.flows
            .iter()
            .take(cut::FLOWS_SHOWN)
            .map(|r| {
                row(
                    format!("{} → {}", r.viewing_municipality, r.disclosing_facility),
                    vec![count(r.views), count(r.viewing_facilities)],
                )
            })
            .collect(),
    );
    flows.note = "全ての組み合わせは添付の xlsx の「市町×開示施設」にあります。".into();
    vec![budget, fees, enrol, flows]
}

fn scenarios(m: &BoardMetrics, charts: &mut Charts) -> anyhow::Result<Section> {
    let yen0 = |v: i64| yen(v, false);
    let rows: Vec<Row> = m
        .scenarios
        .iter()
        .map(|o: &Outcome| {
            row(
                o.name.clone(),
                vec![
                    o.capital_yen.map_or_else(|| "—".into(), yen0),
                    yen0(o.annual_cost_yen),
                    format!("{}件", count(o.image_views_lost)),
                    o.yen_per_remaining_view.map_or_else(|| "—".into(), yen0),
                    o.fee_change_per_member.map_or_else(|| "—".into(), yen_change),
                ],
            )
        })
        .collect();
    let mut s = section(
        "更新案の比較",
        &["案", "更新費", "年間費用", "失われる画像閲覧", "閲覧1件あたり", "会費の増減／施設"],
        rows,
    );
    s.empty = "更新案が設定されていません（renkei.toml の [[scenarios]]）。".into();
    s.note = "年間費用＝リース年額＋運営費（仲介手数料を除く案はその分を差し引く）。失われる画像閲覧＝画像公開をやめる病院の直近12か月の画像閲覧（アクセスログ）。会費の増減＝年間費用を会費と市町負担金でまかなうための、会費を払う1施設あたりの年額の増減（人件費などは含みません）。".into();
    if !m.scenarios.is_empty() {
        let bars: Vec<Bar> = m
            .scenarios
            .iter()
            .map(|o| Bar {
                label: o.name.clone(),
                value: o.annual_lease_yen as f64,
                stacked: o.running_yen as f64,
                highlight: false,
            })
            .collect();
        let title = "更新案ごとの年間費用";
        let spec = Spec { title, unit: "円", legend: ("リース年額", "運営費"), reference: None };
        s.chart = Some(charts.add("scenarios", title.to_string(), chart::horizontal_bars(&spec, &bars)?));
    }
    Ok(s)
}

fn gaps(m: &BoardMetrics, alerts: &mut Vec<String>) {
    let t = &m.monthly;
    if t.last().is_some_and(|r| !r.has_log) {
        alerts.push(format!("{}のアクセスログがありません。取込漏れがないか確かめてください。", m.month.label_ja()));
    }
    let missing: Vec<String> =
        t.iter().take(t.len().saturating_sub(1)).filter(|r| !r.has_log).map(|r| r.month.label_ja()).collect();
    if !missing.is_empty() {
        alerts.push(format!("アクセスログのない月があります: {}", missing.join("、")));
    }
}

/// The whole message must stay under this; past it the xlsx is left out with a note.
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

/// Renders the board report for `m`: HTML, text, inline charts and the xlsx of every table.
pub fn render(m: &BoardMetrics, network: &str, threshold_yen_per_view: i64) -> anyhow::Result<Rendered> {
    let mut charts = Charts(Vec::new());
    let mut alerts = Vec::new();
    gaps(m, &mut alerts);
    let mut sections = vec![kpis(m), trend(m, &mut charts)?];
    sections.extend(usage_sections(m));
    sections.push(inactive(m, &mut alerts));
    sections.push(hospitals(m, &mut charts)?);
    sections.push(image_value(m, threshold_yen_per_view, &mut charts, &mut alerts)?);
    sections.push(cost(m, &mut alerts));
    sections.extend(money_sections(m));
    sections.push(scenarios(m, &mut charts)?);

    let report_id = format!("board-{}", m.month);
    let sheets = m.sheets();
    let refs: Vec<(&str, &Table)> = sheets.iter().map(|(n, t)| (*n, t)).collect();
    let xlsx = crate::export::xlsx(&refs)?;
    let xlsx_name = format!("{report_id}.xlsx");
    // base64 grows attachments by 4/3; text parts are small next to the images.
    let inline: usize = charts.0.iter().map(|(_, png)| png.len()).sum();
    let fits = (inline + xlsx.len()) * 4 / 3 + 256 * 1024 < MAX_MESSAGE_BYTES;
    let attachment_note = if fits {
        format!("表はすべて添付の {xlsx_name} にあります（数式は含みません）。")
    } else {
        format!(
            "表の xlsx はメールの大きさの上限（10 MB）を超えるため添付していません。renkei report board --month {} --out DIR で作れます。",
            m.month
        )
    };
    let report = BoardReport {
        network: network.to_string(),
        month_label: m.month.label_ja(),
        fiscal_label: m.month.fiscal_year().label_ja(),
        alerts,
        sections,
        attachment_note,
    };
    let html = BoardHtml { r: &report }.render()?;
    let text = BoardText { r: &report }.render()?;
    let mut attachments = charts.into_attachments();
    if fits {
        attachments.push(Attachment {
            filename: xlsx_name,
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
            bytes: xlsx,
            content_id: None,
        });
    }
    Ok(Rendered {
        report_id,
        subject: format!("【{}】{} 月次利用報告", report.network, report.month_label),
        html,
        text,
        attachments,
    })
}
