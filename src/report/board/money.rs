//! The board report's money sections: the image-server value ranking, cost per use (with
//! the basis of the running cost), budget execution, fee fairness, registered patients,
//! the top flows and the renewal scenarios.

use super::cut;
use crate::metrics::BoardMetrics;
use crate::metrics::rows::{BudgetSection, CostBasis, ViewsSource};
use crate::metrics::scenarios::Outcome;
use crate::report::chart::{self, Bar, Spec};
use crate::report::format::{count, count_or_dash, percent_or_dash, yen, yen_change, yen_or_dash};
use crate::report::layout::{Charts, Row, Section, row, section};

pub(super) fn image_value(
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

pub(super) fn cost(m: &BoardMetrics, alerts: &mut Vec<String>) -> Section {
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

pub(super) fn money_sections(m: &BoardMetrics) -> Vec<Section> {
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

pub(super) fn scenarios(m: &BoardMetrics, charts: &mut Charts) -> anyhow::Result<Section> {
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
