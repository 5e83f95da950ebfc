//! The monthly board report (理事会報告): the month against the previous month and the
//! same month last year, the 13-month trend, use by system and facility kind, views by
//! disclosing hospital, the year's running cost per view, and alerts.

use askama::Template;

use super::Rendered;
use super::format::{change, change_points, count, percent, yen};
use crate::domain::Month;
use crate::metrics::BoardMetrics;
use crate::store::Table;

/// One KPI line: this month, last month, a year ago.
#[derive(Debug, Clone)]
pub struct KpiRow {
    /// What is counted, with its unit.
    pub label: &'static str,
    /// This month.
    pub current: String,
    /// Previous month.
    pub prev: String,
    /// Change from the previous month.
    pub prev_change: String,
    /// Same month last year.
    pub last_year: String,
    /// Change from the same month last year.
    pub yoy_change: String,
}

/// One month of the trend.
#[derive(Debug, Clone)]
pub struct TrendRow {
    /// `2025年7月`.
    pub month: String,
    /// 操作件数.
    pub events: String,
    /// 閲覧件数.
    pub views: String,
    /// 稼働施設数.
    pub active: String,
    /// 稼働施設率.
    pub rate: String,
    /// Bar width in px for the HTML (0–200), proportional to events.
    pub bar_px: i64,
}

/// A row of a simple labelled table (already formatted cells).
#[derive(Debug, Clone)]
pub struct Row {
    /// The label (system, kind, hospital).
    pub label: String,
    /// The formatted cells.
    pub cells: Vec<String>,
}

/// Everything the board templates show, formatted.
#[derive(Debug, Clone)]
pub struct BoardReport {
    /// Network name.
    pub network: String,
    /// `2025年7月`.
    pub month_label: String,
    /// `令和7年度`.
    pub fiscal_label: String,
    /// The KPI comparison.
    pub kpis: Vec<KpiRow>,
    /// 13 months.
    pub trend: Vec<TrendRow>,
    /// By system.
    pub systems: Vec<Row>,
    /// By facility kind.
    pub kinds: Vec<Row>,
    /// By disclosing hospital.
    pub hospitals: Vec<Row>,
    /// Running cost lines: (label, value).
    pub cost: Vec<(String, String)>,
    /// Things the board should know.
    pub alerts: Vec<String>,
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

fn int(t: &Table, row: usize, col: &str) -> i64 {
    t.get(row, col).as_i64().unwrap_or(0)
}

fn float(t: &Table, row: usize, col: &str) -> f64 {
    t.get(row, col).as_f64().unwrap_or(0.0)
}

/// Builds the view model from the metric tables.
pub fn build(m: &BoardMetrics, network: &str) -> BoardReport {
    let monthly = &m.monthly;
    let n = monthly.rows.len();
    // monthly_usage covers month-12 .. month: the last row is this month, the one before
    // the previous month, the first the same month last year.
    let (cur, prev, yoy) = (n.saturating_sub(1), n.saturating_sub(2), 0);
    let kpi = |label: &'static str, col: &str| {
        let (c, p, y) = (int(monthly, cur, col), int(monthly, prev, col), int(monthly, yoy, col));
        KpiRow {
            label,
            current: count(c),
            prev: count(p),
            prev_change: change(c, p),
            last_year: count(y),
            yoy_change: change(c, y),
        }
    };
    let mut kpis = vec![
        kpi("操作件数（件）", "events"),
        kpi("閲覧件数（件）", "views"),
        kpi("画像の閲覧件数（件）", "image_views"),
        kpi("患者数（人）", "unique_patients"),
        kpi("利用者数（人）", "active_users"),
        kpi("稼働施設数（施設）", "active_facilities"),
        kpi("参加施設数（施設）", "participating_facilities"),
    ];
    let rate = |row| float(monthly, row, "active_rate");
    kpis.push(KpiRow {
        label: "稼働施設率",
        current: percent(rate(cur)),
        prev: percent(rate(prev)),
        prev_change: change_points(rate(cur), rate(prev)),
        last_year: percent(rate(yoy)),
        yoy_change: change_points(rate(cur), rate(yoy)),
    });

    let max_events = (0..n).map(|r| int(monthly, r, "events")).max().unwrap_or(0).max(1);
    let trend = (0..n)
        .map(|r| {
            let month = monthly.get(r, "month").as_date().map(|d| Month::of(d).label_ja()).unwrap_or_default();
            let events = int(monthly, r, "events");
            TrendRow {
                month,
                events: count(events),
                views: count(int(monthly, r, "views")),
                active: count(int(monthly, r, "active_facilities")),
                rate: percent(rate(r)),
                bar_px: events * 200 / max_events,
            }
        })
        .collect();

    let s = &m.by_system;
    let systems = (0..s.rows.len())
        .map(|r| Row {
            label: s.get(r, "system").to_string(),
            cells: vec![
                count(int(s, r, "events")),
                count(int(s, r, "views")),
                count(int(s, r, "active_facilities")),
                change(int(s, r, "events"), int(s, r, "events_prev_month")),
                change(int(s, r, "events"), int(s, r, "events_last_year")),
            ],
        })
        .collect();

    let k = &m.by_kind;
    let kinds = (0..k.rows.len())
        .map(|r| Row {
            label: k.get(r, "kind").to_string(),
            cells: vec![
                count(int(k, r, "participating_facilities")),
                count(int(k, r, "active_facilities")),
                percent(float(k, r, "active_rate")),
                count(int(k, r, "events")),
            ],
        })
        .collect();

    let h = &m.by_hospital;
    let hospitals = (0..h.rows.len())
        .map(|r| Row {
            label: h.get(r, "name").to_string(),
            cells: vec![
                if h.get(r, "publishes_images") == &crate::store::Cell::Bool(true) { "○" } else { "—" }.to_string(),
                count(int(h, r, "views")),
                count(int(h, r, "image_views")),
                change(int(h, r, "views"), int(h, r, "views_prev_month")),
                change(int(h, r, "views"), int(h, r, "views_last_year")),
                count(int(h, r, "image_views_12m")),
            ],
        })
        .collect();

    let c = &m.cost;
    let fiscal_label = m.month.fiscal_year().label_ja();
    let mut cost = Vec::new();
    let mut alerts = Vec::new();
    match c.get(0, "running_cost_yen").as_i64() {
        Some(total) => {
            let approx = c.get(0, "approximate") == &crate::store::Cell::Bool(true);
            cost.push((format!("{fiscal_label}の運営費"), yen(total, approx)));
            cost.push(("直近12か月の閲覧件数".into(), format!("{}件", count(int(c, 0, "views_12m")))));
            if let Some(v) = c.get(0, "yen_per_view").as_f64() {
                cost.push(("閲覧1件あたり".into(), yen(v as i64, approx)));
            }
            if let Some(v) = c.get(0, "yen_per_active_facility").as_f64() {
                cost.push(("稼働施設1施設あたり".into(), yen(v as i64, approx)));
            }
        }
        None => alerts.push(format!(
            "{fiscal_label}の運営費（請求・契約）が取り込まれていないため、1件あたりの費用を出せません。"
        )),
    }
    if int(monthly, cur, "events") == 0 {
        alerts.push(format!("{}のアクセスログがありません。取込漏れがないか確かめてください。", m.month.label_ja()));
    }
    let gaps: Vec<String> = (0..n.saturating_sub(1))
        .filter(|r| int(monthly, *r, "events") == 0)
        .filter_map(|r| monthly.get(r, "month").as_date().map(|d| Month::of(d).label_ja()))
        .collect();
    if !gaps.is_empty() {
        alerts.push(format!("アクセスログのない月があります: {}", gaps.join("、")));
    }
    let idle = int(monthly, cur, "participating_facilities") - int(monthly, cur, "active_facilities");
    if idle > 0 {
        alerts.push(format!("参加施設のうち {} 施設は今月一度も利用していません。", count(idle)));
    }
    BoardReport {
        network: network.to_string(),
        month_label: m.month.label_ja(),
        fiscal_label,
        kpis,
        trend,
        systems,
        kinds,
        hospitals,
        cost,
        alerts,
    }
}

/// Renders the board report for `m`.
pub fn render(m: &BoardMetrics, network: &str) -> anyhow::Result<Rendered> {
    let report = build(m, network);
    let html = BoardHtml { r: &report }.render()?;
    let text = BoardText { r: &report }.render()?;
    Ok(Rendered {
        report_id: format!("board-{}", m.month),
        subject: format!("【{}】{} 月次利用報告", report.network, report.month_label),
        html,
        text,
        attachments: Vec::new(),
    })
}
