//! The board report's use sections: the month's KPIs against the month before and a year
//! before, the 13-month trend (months without a log as —), use by system, data type, kind
//! and municipality, roles, concentration, paying members without use, and views by
//! disclosing hospital.

use super::cut;
use crate::metrics::BoardMetrics;
use crate::metrics::rows::MonthlyUsage;
use crate::report::chart::{self, Bar, Spec};
use crate::report::format::{change_of, count, count_or_dash, percent_or_dash, points_of, yen};
use crate::report::layout::{Charts, Section, row, section};

pub(super) fn kpis(m: &BoardMetrics) -> Section {
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

pub(super) fn trend(m: &BoardMetrics, charts: &mut Charts) -> anyhow::Result<Section> {
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

pub(super) fn usage_sections(m: &BoardMetrics) -> Vec<Section> {
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

pub(super) fn inactive(m: &BoardMetrics, alerts: &mut Vec<String>) -> Section {
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

pub(super) fn hospitals(m: &BoardMetrics, charts: &mut Charts) -> anyhow::Result<Section> {
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
