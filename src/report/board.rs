//! The monthly board report (理事会報告): the month against the previous month and the
//! same month last year, the 13-month trend, use by system, data type, facility kind and
//! municipality, participation by role, concentration, inactive paying members, views and
//! image-server value by hospital, cost per use, budget execution, registered patients,
//! the renewal scenarios, and alerts. Charts are PNGs attached inline by Content-ID; every
//! table also goes out as an xlsx.

use askama::Template;

use super::chart::{self, Bar, Spec};
use super::format::{change, change_points, count, percent, yen, yen_change};
use super::layout::{Charts, Row, Section, row, section};
use super::{Attachment, Rendered};
use crate::domain::Month;
use crate::metrics::BoardMetrics;
use crate::metrics::scenarios::Outcome;
use crate::store::{Cell, Table};

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

fn opt_yen(cell: &Cell, approx: bool) -> String {
    cell.as_f64().map_or_else(|| "—".to_string(), |v| yen(v.round() as i64, approx))
}

fn opt_percent(cell: &Cell) -> String {
    cell.as_f64().map_or_else(|| "—".to_string(), percent)
}

/// The integer columns `cols` of row `r`, formatted as counts.
fn counts(t: &Table, r: usize, cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| count(t.int(r, c))).collect()
}

/// One row per table row: the label from `label_col`, the cells from `cells`.
fn rows_of(t: &Table, label_col: &str, cells: impl Fn(usize) -> Vec<String>) -> Vec<Row> {
    (0..t.rows.len()).map(|r| row(t.text(r, label_col), cells(r))).collect()
}

fn kpis(m: &BoardMetrics) -> Section {
    let t = &m.monthly;
    let n = t.rows.len();
    // monthly_usage covers month-12 .. month: the last row is this month, the one before
    // the previous month, the first the same month last year.
    let (cur, prev, yoy) = (n.saturating_sub(1), n.saturating_sub(2), 0);
    let kpi = |label: &str, col: &str| {
        let (c, p, y) = (t.int(cur, col), t.int(prev, col), t.int(yoy, col));
        row(label, vec![count(c), count(p), change(c, p), count(y), change(c, y)])
    };
    let rate = |r| t.float(r, "active_rate");
    let mut rows = vec![
        kpi("操作件数（件）", "events"),
        kpi("閲覧件数（件）", "views"),
        kpi("画像の閲覧件数（件）", "image_views"),
        kpi("患者数（人）", "unique_patients"),
        kpi("利用者数（人）", "active_users"),
        kpi("稼働施設数（施設）", "active_facilities"),
        kpi("参加施設数（施設）", "participating_facilities"),
    ];
    rows.push(row(
        "稼働施設率",
        vec![
            percent(rate(cur)),
            percent(rate(prev)),
            change_points(rate(cur), rate(prev)),
            percent(rate(yoy)),
            change_points(rate(cur), rate(yoy)),
        ],
    ));
    let mut s = section(
        "今月の利用（前月・前年同月との比較）",
        &["項目", &m.month.label_ja(), "前月", "増減", "前年同月", "増減"],
        rows,
    );
    s.note = "稼働施設率＝その月に1件以上利用した施設数 ÷ その月に加入中の参加施設数（統一の定義がないため、本報告ではこの定義を用います）。患者数・利用者数は仮名化したIDで数えています。".into();
    s
}

fn trend(m: &BoardMetrics, charts: &mut Charts) -> anyhow::Result<Section> {
    let t = &m.monthly;
    let months: Vec<Month> = (0..t.rows.len()).filter_map(|r| t.get(r, "month").as_date().map(Month::of)).collect();
    let labels: Vec<String> = months
        .iter()
        .map(|mo| {
            if mo.month() == 1 || *mo == months[0] {
                format!("{}/{}", mo.year() % 100, mo.month())
            } else {
                format!("{}月", mo.month())
            }
        })
        .collect();
    let views: Vec<f64> = (0..t.rows.len()).map(|r| t.int(r, "views") as f64).collect();
    let title = "閲覧件数の推移（13か月）";
    let png = chart::vertical_bars(&Spec { title, unit: "件", legend: ("", ""), reference: None }, &labels, &views)?;
    let rows = (0..t.rows.len())
        .map(|r| {
            let month = months.get(r).map(|mo| mo.label_ja()).unwrap_or_default();
            let mut cells = counts(t, r, &["events", "views", "active_facilities"]);
            cells.push(percent(t.float(r, "active_rate")));
            row(month, cells)
        })
        .collect();
    let mut s = section("13か月の推移", &["月", "操作件数", "閲覧件数", "稼働施設", "稼働施設率"], rows);
    s.chart = Some(charts.add("trend", title.to_string(), png));
    Ok(s)
}

fn usage_sections(m: &BoardMetrics) -> Vec<Section> {
    let s = &m.by_system;
    let systems = rows_of(s, "system", |r| {
        let e = s.int(r, "events");
        let mut cells = counts(s, r, &["events", "views", "active_facilities"]);
        cells.extend([change(e, s.int(r, "events_prev_month")), change(e, s.int(r, "events_last_year"))]);
        cells
    });
    let d = &m.by_data_type;
    let types = rows_of(d, "data_type", |r| {
        let mut cells = counts(d, r, &["events", "views", "unique_patients", "active_facilities"]);
        cells.push(change(d.int(r, "events"), d.int(r, "events_prev_month")));
        cells
    });
    let participation = |t: &Table, col: &str| {
        rows_of(t, col, |r| {
            let mut cells = counts(t, r, &["participating_facilities", "active_facilities"]);
            cells.extend([percent(t.float(r, "active_rate")), count(t.int(r, "events"))]);
            cells
        })
    };
    let o = &m.by_role;
    let roles = rows_of(o, "kind", |r| {
        counts(o, r, &["participating_facilities", "disclosing_facilities", "viewing_facilities", "idle_facilities"])
    });
    let mut role = section("役割別の参加施設（直近12か月）", &["種別", "参加", "開示", "閲覧", "どちらもなし"], roles);
    role.note = "開示＝その施設の情報が閲覧された施設、閲覧＝他施設の情報を閲覧した施設。".into();
    let c = &m.concentration;
    let mut conc = section("利用の集中度（直近12か月）", &[], Vec::new());
    conc.empty = String::new();
    conc.lines.push(format!(
        "参加施設 {} 施設の操作 {} 件のうち、上位10施設が {}（{} 件）。ジニ係数 {}。",
        count(c.int(0, "facilities")),
        count(c.int(0, "events")),
        opt_percent(c.get(0, "top10_share")),
        count(c.int(0, "top10_events")),
        c.get(0, "gini").as_f64().map_or_else(|| "—".to_string(), |g| format!("{g:.2}")),
    ));
    conc.note = "ジニ係数は使わなかった施設を 0 件として含めて計算（0＝均等、1に近いほど一部の施設に集中）。".into();
    vec![
        section("システム別", &["システム", "操作件数", "閲覧件数", "稼働施設", "前月比", "前年同月比"], systems),
        section("情報の種類別", &["種類", "操作件数", "閲覧件数", "患者数", "稼働施設", "前月比"], types),
        section(
            "施設種別ごとの参加と稼働",
            &["種別", "参加施設", "稼働施設", "稼働施設率", "操作件数"],
            participation(&m.by_kind, "kind"),
        ),
        section(
            "市町別の参加と稼働（施設の所在地）",
            &["市町", "参加施設", "稼働施設", "稼働施設率", "操作件数"],
            participation(&m.by_municipality, "municipality"),
        ),
        role,
        conc,
    ]
}

fn inactive(m: &BoardMetrics, alerts: &mut Vec<String>) -> Section {
    let t = &m.inactive;
    let idle = |col: &'static str| (0..t.rows.len()).filter(move |r| t.get(*r, col).as_bool() == Some(true));
    let fee_12m: i64 = idle("idle_12m").map(|r| t.int(r, "fee_yen")).sum();
    let (n3, n6, n12) = (idle("idle_3m").count(), idle("idle_6m").count(), idle("idle_12m").count());
    let mut s = section(
        "会費を払いながら使っていない施設",
        &["施設", "種別", "会費", "最終利用"],
        (0..t.rows.len().min(15))
            .map(|r| {
                row(
                    t.text(r, "name"),
                    vec![
                        t.text(r, "kind"),
                        yen(t.int(r, "fee_yen"), false),
                        t.get(r, "last_used")
                            .as_date()
                            .map_or_else(|| "なし".to_string(), |d| d.format("%Y-%m-%d").to_string()),
                    ],
                )
            })
            .collect(),
    );
    s.lines.push(format!(
        "3か月使っていない {} 施設、6か月 {} 施設、12か月 {} 施設（12か月の施設の会費 計 {}）。",
        count(n3 as i64),
        count(n6 as i64),
        count(n12 as i64),
        yen(fee_12m, false)
    ));
    s.empty = "3か月以上使っていない会費負担施設はありません。".into();
    if t.rows.len() > 15 {
        s.note = format!("最終利用の古い順に15施設。全 {} 施設は添付の xlsx にあります。", t.rows.len());
    }
    if n6 > 0 {
        alerts.push(format!("会費を払っている施設のうち {} 施設が6か月以上利用していません。", count(n6 as i64)));
    }
    s
}

fn hospitals(m: &BoardMetrics, charts: &mut Charts) -> anyhow::Result<Section> {
    let h = &m.by_hospital;
    let rows = rows_of(h, "name", |r| {
        let v = h.int(r, "views");
        vec![
            if h.get(r, "publishes_images").as_bool() == Some(true) { "○" } else { "—" }.to_string(),
            count(v),
            count(h.int(r, "image_views")),
            change(v, h.int(r, "views_prev_month")),
            change(v, h.int(r, "views_last_year")),
            count(h.int(r, "image_views_12m")),
        ]
    });
    let mut s = section(
        "開示施設別の閲覧",
        &["開示施設", "画像公開", "閲覧", "うち画像", "前月比", "前年同月比", "画像 12か月"],
        rows,
    );
    let v = &m.image_value;
    let mut bars: Vec<Bar> = (0..v.rows.len())
        .map(|r| Bar {
            label: v.text(r, "name"),
            value: v.int(r, "image_views_12m") as f64,
            stacked: 0.0,
            highlight: false,
        })
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
    let rows: Vec<Row> = (0..v.rows.len())
        .map(|r| Row {
            label: v.text(r, "name"),
            cells: vec![
                opt_yen(v.get(r, "extra_annual_yen"), false),
                format!("{}回", count(v.int(r, "image_views_12m"))),
                opt_yen(v.get(r, "yen_per_image_view"), false),
                v.text(r, "views_source"),
            ],
            flagged: v.get(r, "over_threshold").as_bool() == Some(true),
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
    let bars: Vec<Bar> = (0..v.rows.len())
        .filter_map(|r| {
            v.get(r, "yen_per_image_view").as_f64().map(|value| Bar {
                label: v.text(r, "name"),
                value,
                stacked: 0.0,
                highlight: v.get(r, "over_threshold").as_bool() == Some(true),
            })
        })
        .collect();
    let mut s = section(
        "画像公開サーバーの価値（順位）",
        &["病院", "差額の年額", "画像閲覧 12か月", "閲覧1回あたり", "回数の出典"],
        rows,
    );
    s.empty = "画像公開グレードの見積がないため計算できません（更新見積を取り込んでください）。".into();
    s.note = format!(
        "差額の年額＝（画像公開グレードの見積 − 標準グレードの見積）をリース年額にしたもの。閲覧1回あたりが {} を超える病院に色をつけています（renkei.toml の [report] threshold_yen_per_view）。",
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

fn cost(m: &BoardMetrics, alerts: &mut Vec<String>) -> Section {
    let c = &m.cost;
    let fiscal = m.month.fiscal_year().label_ja();
    let approx = c.get(0, "approximate").as_bool() == Some(true);
    let mut s = section("利用1件あたりの費用", &["項目", "金額・件数"], Vec::new());
    match c.get(0, "system_cost_yen").as_i64() {
        Some(total) => {
            let y = |col: &str| opt_yen(c.get(0, col), approx);
            s.rows = vec![
                row(format!("{fiscal}の運営費"), vec![y("running_cost_yen")]),
                row("サーバー更新費の年額", vec![y("server_annual_yen")]),
                row("システム費 計", vec![yen(total, approx)]),
                row("直近12か月の閲覧件数", vec![format!("{}件", count(c.int(0, "views_12m")))]),
                row("閲覧1件あたり", vec![y("yen_per_view")]),
                row("稼働施設1施設あたり", vec![y("yen_per_active_facility")]),
                row("登録患者1人あたり", vec![y("yen_per_registered_patient")]),
                row("住民1人あたり", vec![y("yen_per_resident")]),
            ];
            s.note = "システム費＝その年度の運営費（請求・契約の合計）＋リース中のサーバー更新見積の年額。1件あたり＝システム費 ÷ 直近12か月の件数・施設数、または最新の登録患者数・関係市町の人口。".into();
        }
        None => {
            s.empty = format!("{fiscal}の運営費（請求・契約）が取り込まれていないため、1件あたりの費用を出せません。");
            alerts.push(s.empty.clone());
        }
    }
    s
}

fn money_sections(m: &BoardMetrics) -> Vec<Section> {
    let b = &m.budget;
    let rows = (0..b.rows.len())
        .map(|r| {
            let item = b.get(r, "item");
            let label = match item {
                Cell::Null => format!("{}計", b.text(r, "section")).replace("差引計", "収支差引"),
                _ => format!("　{}", item),
            };
            let (budget, settled) = (b.get(r, "budget_yen"), b.get(r, "settled_yen"));
            Row {
                label,
                cells: vec![opt_yen(budget, false), opt_yen(settled, false)],
                flagged: b.text(r, "section") == "差引"
                    && [budget, settled].iter().any(|c| c.as_i64().is_some_and(|v| v < 0)),
            }
        })
        .collect();
    let shown =
        b.get(0, "fiscal_year").as_i64().map_or(m.month.fiscal_year(), |y| crate::domain::FiscalYear::new(y as i32));
    let mut budget = section(&format!("{}の予算と決算", shown.label_ja()), &["科目", "予算", "決算"], rows);
    budget.empty = "この年度の予算・決算が取り込まれていません。".into();
    budget.note = "収支差引＝収入計 − 支出計（マイナスは赤字）。".into();

    let f = &m.fees;
    let mut fees = section("会費と利用の釣り合い", &[], Vec::new());
    fees.empty = String::new();
    let under: Vec<usize> =
        (0..f.rows.len()).filter(|r| f.get(*r, "use_to_fee").as_f64().is_some_and(|x| x < 0.5)).collect();
    if !f.rows.is_empty() {
        fees.lines.push(format!(
            "会費を払う {} 施設のうち {} 施設は、会費の割合に比べて利用の割合が半分未満です（一覧は xlsx の「会費の公平性」）。",
            count(f.rows.len() as i64),
            count(under.len() as i64)
        ));
    }

    let e = &m.enrollment;
    let rows = (0..e.rows.len())
        .map(|r| {
            let label = match e.get(r, "municipality") {
                Cell::Null => "全体".to_string(),
                other => other.to_string(),
            };
            row(
                label,
                vec![
                    count(e.int(r, "registered_patients")),
                    e.get(r, "population").as_i64().map_or_else(|| "—".into(), count),
                    opt_percent(e.get(r, "coverage")),
                    opt_percent(e.get(r, "shared_rate")),
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

    let fl = &m.flows;
    let mut flows = section(
        "どの市町の施設が、どの病院の情報を見ているか（直近12か月・上位10）",
        &["閲覧した市町 → 開示施設", "閲覧件数", "閲覧施設"],
        (0..fl.rows.len().min(10))
            .map(|r| {
                row(
                    format!("{} → {}", fl.text(r, "viewing_municipality"), fl.text(r, "disclosing_facility")),
                    vec![count(fl.int(r, "views")), count(fl.int(r, "viewing_facilities"))],
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
    let n = t.rows.len();
    if t.int(n.saturating_sub(1), "events") == 0 {
        alerts.push(format!("{}のアクセスログがありません。取込漏れがないか確かめてください。", m.month.label_ja()));
    }
    let missing: Vec<String> = (0..n.saturating_sub(1))
        .filter(|r| t.int(*r, "events") == 0)
        .filter_map(|r| t.get(r, "month").as_date().map(|d| Month::of(d).label_ja()))
        .collect();
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
