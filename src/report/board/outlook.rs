//! The board report's look ahead: the decision screen that opens it (the seed's four
//! questions answered with this month's numbers, each linking to its section), use over the
//! lease with its bands, cost per view over the lease by scenario and image server, collapse
//! alerts, and the network beside the national survey averages.

use serde::Deserialize;

use crate::domain::FiscalYear;
use crate::metrics::BoardMetrics;
use crate::metrics::outlook::{Measure, Outlook, PerView, Yearly, YenBand};
use crate::report::chart::{self, Fan, Spec};
use crate::report::format::{count, percent, yen};
use crate::report::layout::{Charts, Row, Section, row, section};

/// One line of the decision screen: the question, this month's answer, and the section below
/// that shows the working.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The question, short.
    pub question: String,
    /// The answer in a sentence or two.
    pub answer: String,
    /// The anchor of the section that explains it.
    pub anchor: String,
}

/// Section anchors (HTML ids) the decision screen links to.
pub(super) mod anchor {
    /// Use over the lease.
    pub const USE: &str = "outlook-use";
    /// Cost per view over the lease.
    pub const PER_VIEW: &str = "outlook-per-view";
    /// The renewal scenarios.
    pub const SCENARIOS: &str = "scenarios";
    /// Collapse alerts.
    pub const COLLAPSE: &str = "outlook-collapse";
}

fn round(v: f64) -> i64 {
    v.round() as i64
}

fn span(years: &[FiscalYear]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{}〜{}", a.label_ja().trim_end_matches("年度"), b.label_ja()),
        (Some(a), _) => a.label_ja(),
        _ => String::new(),
    }
}

/// `¥A〜¥B` of an 80 % band of yen per view (no upper limit when the band reaches 0 views).
fn yen_band((_, lo, hi): YenBand) -> String {
    match hi {
        Some(hi) => format!("{}〜{}", yen(round(lo), false), yen(round(hi), false)),
        None => format!("{}以上（上限なし）", yen(round(lo), false)),
    }
}

fn views_band(point: f64, lo: f64, hi: f64) -> String {
    format!("{}件（{}〜{}）", count(round(point)), count(round(lo)), count(round(hi)))
}

/// The decision screen.
pub(super) fn decisions(m: &BoardMetrics) -> Vec<Decision> {
    let o = &m.outlook;
    let mut out = Vec::new();
    let lease = span(&o.lease_years);
    // 1. The network's role: use now, and where the forecast takes it over the lease.
    let network = o.find(None, Measure::Views);
    let role = match network.map(|s| s.yearly_over(&o.lease_years)) {
        Some(years) if years.len() >= 2 => {
            let (first, last) = (years[0], years[years.len() - 1]);
            let top10 = m
                .concentration
                .top10_share
                .map(|share| format!("直近12か月の上位10施設が利用の{}を占めます。", percent(share)))
                .unwrap_or_default();
            format!(
                "閲覧は{}に年{}件の見込みで、{}には年{}件（80%の幅 {}〜{}件）。{top10}",
                first.fiscal_year.label_ja(),
                count(round(first.point)),
                last.fiscal_year.label_ja(),
                count(round(last.point)),
                count(round(last.lo80)),
                count(round(last.hi80)),
            )
        }
        _ => "予測に足る月数のアクセスログがまだありません（24か月以上が要ります）。".to_string(),
    };
    out.push(Decision { question: "ネットワークの役割".into(), answer: role, anchor: anchor::USE.into() });
    // 2. Each image server's cost per image view over the lease.
    let servers: Vec<String> = o
        .hospitals
        .iter()
        .filter_map(|h| h.over_lease().map(|b| format!("{} {}", h.name, yen_band(b))))
        .take(3)
        .collect();
    out.push(Decision {
        question: "画像サーバーの更新".into(),
        answer: if servers.is_empty() {
            "見積か画像閲覧の予測がなく、画像閲覧1回あたりの額を出せません。".into()
        } else {
            format!("{lease}の画像閲覧1回あたり（80%）、高い順に: {}。", servers.join("、"))
        },
        anchor: anchor::PER_VIEW.into(),
    });
    // 3. The running-cost options side by side.
    let options: Vec<String> = m
        .scenarios
        .iter()
        .zip(&o.scenarios)
        .map(|(s, p)| {
            let per =
                p.over_lease().map_or_else(|| "閲覧1件あたり —".into(), |b| format!("閲覧1件あたり {}", yen_band(b)));
            format!("{} 年{}（{per}）", s.name, yen(s.annual_cost_yen, false))
        })
        .collect();
    out.push(Decision {
        question: "運営費の選択肢".into(),
        answer: if options.is_empty() {
            "renkei.toml に [[scenarios]] がありません。".into()
        } else {
            options.join("／")
        },
        anchor: anchor::SCENARIOS.into(),
    });
    // 4. What to ask of the municipalities: the first scenario's shortfall.
    let ask = match m.scenarios.first() {
        Some(s) if s.shortfall_yen > 0 => format!(
            "「{}」なら年{}（年間費用 {} − 会費収入 {}、{}）。",
            s.name,
            yen(s.shortfall_yen, false),
            yen(s.annual_cost_yen, false),
            yen(s.fee_income_yen, false),
            m.month.fiscal_year().label_ja()
        ),
        Some(s) => format!("「{}」なら会費収入で年間費用をまかなえます。", s.name),
        None => "更新案がないため出せません。".into(),
    };
    out.push(Decision {
        question: "市町への支援の要請額".into(), answer: ask, anchor: anchor::SCENARIOS.into()
    });
    if !o.collapses.is_empty() {
        let who: Vec<String> = o.collapses.iter().map(|c| format!("{}の{}", c.label, c.measure.label_ja())).collect();
        out.push(Decision {
            question: "急減".into(),
            answer: format!("{}が予測を大きく下回りました。", who.join("、")),
            anchor: anchor::COLLAPSE.into(),
        });
    }
    out
}

/// Method and limits, in one paragraph a board member can read.
pub const METHOD: &str = "予測の方法と限界: 月ごとの件数を季節の形（冬に多く8月・年末年始に少ない）と流れ（増減の傾き）に分け、流れを指数平滑法で先へ延ばしました（MSTL と AutoETS）。サーバーの停止など、前後の月の3割に満たない月は予測の当てはめから除き、前後の月でならしています。幅は、その系列自身の過去を切って予測し直したときの外れ方に合わせて広げたもので、80%の幅には実際の値がおよそ8割、95%の幅にはおよそ19回に1回を除いて入る見込みです。ただし先になるほど外れやすく、4〜5年先は幅を超えることが多くなります。全国医療情報プラットフォームへの移行や新しい参加施設のような、過去にない変化は織り込んでいません。24か月に満たない系列は予測しません。";

/// Use over the lease: the network's fan chart and yearly totals, each hospital's image views.
pub(super) fn use_section(m: &BoardMetrics, charts: &mut Charts) -> anyhow::Result<Section> {
    let o = &m.outlook;
    let mut s = section(
        &format!("利用の見通し（{}）", span(&o.lease_years)),
        &["年度", "閲覧（80%の幅）", "画像閲覧（80%の幅）"],
        Vec::new(),
    );
    s.anchor = anchor::USE.into();
    s.text_columns = 1;
    let views = o.find(None, Measure::Views);
    let images = o.find(None, Measure::ImageViews);
    if let Some(v) = views {
        match &v.forecast {
            Ok(f) => {
                let shown = v.history.len().min(36);
                let hist: Vec<Option<f64>> = v.history[v.history.len() - shown..].iter().map(|(_, x)| *x).collect();
                let months: Vec<_> = v.history[v.history.len() - shown..]
                    .iter()
                    .map(|(mo, _)| *mo)
                    .chain((0..f.point.len()).filter_map(|i| v.month_ahead(i)))
                    .collect();
                let labels: Vec<String> = months
                    .iter()
                    .map(|mo| {
                        if mo.month() == 4 {
                            mo.fiscal_year().label_ja().replace("令和", "R").replace("年度", "")
                        } else {
                            String::new()
                        }
                    })
                    .collect();
                let fan = Fan {
                    labels: &labels,
                    history: &hist,
                    point: &f.point,
                    b80: (&f.b80.lower, &f.b80.upper),
                    b95: (&f.b95.lower, &f.b95.upper),
                };
                let spec = Spec {
                    title: "月ごとの閲覧: 実績と予測 (80%・95%の幅)",
                    unit: "件",
                    legend: ("", ""),
                    reference: None,
                };
                s.chart = Some(charts.add("outlook", "月ごとの閲覧の実績と5年の予測".into(), chart::fan(&spec, &fan)?));
            }
            Err(e) => s.lines.push(format!("ネットワーク全体の閲覧は予測していません: {e}。")),
        }
    }
    let vy = views.map(|v| v.yearly_over(&o.lease_years)).unwrap_or_default();
    let iy = images.map(|v| v.yearly_over(&o.lease_years)).unwrap_or_default();
    s.rows = o
        .lease_years
        .iter()
        .map(|fy| {
            let cell = |t: &[Yearly]| {
                t.iter()
                    .find(|y| y.fiscal_year == *fy)
                    .map_or_else(|| "—".into(), |y| views_band(y.point, y.lo80, y.hi80))
            };
            row(fy.label_ja(), vec![cell(&vy), cell(&iy)])
        })
        .collect();
    s.empty = "予測できる系列がありません。".into();
    s.lines.push(METHOD.into());
    let hospitals: Vec<String> = o
        .series
        .iter()
        .filter(|x| x.facility_id.is_some() && x.measure == Measure::ImageViews)
        .map(|x| {
            let t = x.yearly_over(&o.lease_years);
            let mark = if x.joined_recently {
                format!("（{}からの月だけで予測）", x.began.map(|b| b.label_ja()).unwrap_or_default())
            } else {
                String::new()
            };
            match (&x.forecast, t.first()) {
                (Ok(_), Some(y)) => format!(
                    "{}{mark}: {}の画像閲覧 {}",
                    x.label,
                    y.fiscal_year.label_ja(),
                    views_band(y.point, y.lo80, y.hi80)
                ),
                (Err(e), _) => format!("{}: {e}", x.label),
                (Ok(_), None) => format!("{}: 予測がリース期間に届きません", x.label),
            }
        })
        .collect();
    if !hospitals.is_empty() {
        s.lines.push(format!("病院ごとの画像閲覧の見通し: {}。", hospitals.join("／")));
    }
    s.note = "年度の幅は月ごとの幅の端を足したもの（月どうしの外れが同じ向きに続くとみた、広めの幅）。実績の月はそのまま足しています。".into();
    Ok(s)
}

/// Cost per view over the lease: each image server ranked, and each scenario.
pub(super) fn per_view_section(m: &BoardMetrics) -> Section {
    let o = &m.outlook;
    let lease = span(&o.lease_years);
    let headers: Vec<String> = std::iter::once("病院・更新案".to_string())
        .chain(o.lease_years.iter().map(|fy| fy.label_ja()))
        .chain(std::iter::once(format!("{lease}通し")))
        .collect();
    let cells = |p: &PerView| -> Vec<String> {
        p.years
            .iter()
            .map(|(_, y)| {
                y.and_then(|y| p.yen(&y))
                    .map_or_else(|| "—".into(), |b| format!("{}（{}）", yen(round(b.0), false), yen_band(b)))
            })
            .chain(std::iter::once(p.over_lease().map_or_else(|| "—".into(), yen_band)))
            .collect()
    };
    let mut rows: Vec<Row> = o.hospitals.iter().map(|h| row(format!("{}（画像閲覧1回）", h.name), cells(h))).collect();
    rows.extend(o.scenarios.iter().map(|p| row(format!("{}（閲覧1件）", p.name), cells(p))));
    let mut s = section(&format!("リース期間の閲覧1回あたりの費用（{lease}）"), &[], rows);
    s.headers = headers;
    s.anchor = anchor::PER_VIEW.into();
    s.lines = o
        .hospitals
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            h.over_lease().map(|b| format!("{}位 {}: 画像閲覧1回あたり {}（{lease}、80%）", i + 1, h.name, yen_band(b)))
        })
        .collect();
    let problems: Vec<String> = o.hospitals.iter().chain(&o.scenarios).filter_map(|p| p.problem.clone()).collect();
    s.lines.extend(problems);
    s.empty = "見積か予測がなく、計算できません。".into();
    s.note = "病院は画像公開グレードと標準グレードの見積の差額の年額 ÷ その病院の画像閲覧の予測。更新案は年間費用 ÷ その案で残る閲覧（全体の閲覧から、画像公開をやめる病院の画像閲覧を除いた系列）の予測。括弧は80%の幅で、閲覧が少ないほど1回あたりは高くなります。".into();
    s
}

/// Collapse alerts of the report month, and the months kept out of the fits.
pub(super) fn collapse_section(o: &Outlook, alerts: &mut Vec<String>) -> Section {
    let rows: Vec<Row> = o
        .collapses
        .iter()
        .map(|c| Row {
            label: format!("{}（{}）", c.label, c.measure.label_ja()),
            cells: vec![
                format!("{}件", count(c.observed)),
                format!("{}件", count(round(c.expected))),
                if c.expected > 0.0 { percent(c.observed as f64 / c.expected) } else { "—".into() },
            ],
            flagged: true,
        })
        .collect();
    for c in &o.collapses {
        alerts.push(format!(
            "{}の{}が{}は{}件で、予測（{}件）の{}でした。サーバーや回線の停止、施設の利用中止がないか確かめてください。",
            c.label,
            c.measure.label_ja(),
            c.month.label_ja(),
            count(c.observed),
            count(round(c.expected)),
            if c.expected > 0.0 { percent(c.observed as f64 / c.expected) } else { "—".into() }
        ));
    }
    let mut s = section("急減の検知", &["系列", "届いた件数", "予測", "予測比"], rows);
    s.anchor = anchor::COLLAPSE.into();
    s.empty = format!("{}に予測を大きく下回った系列はありません。", o.month.label_ja());
    let kept_out: Vec<String> = o
        .series
        .iter()
        .filter(|x| !x.cleaned.is_empty())
        .map(|x| {
            let months: Vec<String> = x.cleaned.iter().map(|m| m.label_ja()).collect();
            format!("{}の{}: {}", x.label, x.measure.label_ja(), months.join("、"))
        })
        .collect();
    if !kept_out.is_empty() {
        s.lines.push(format!("予測の当てはめから除いた月（停止・ログのない月）: {}。", kept_out.join("／")));
    }
    s.note = "月の件数（月の途中ならログの届いた日数分）が、その月の予測の3割に満たないとき急減とします（予測が月20件に満たない系列は、偶然の増減と見分けられないため判定しません）。急減の月は以後の予測から除きます。".into();
    s
}

/// The survey averages shipped in `data/reference/national_survey.toml`.
#[derive(Debug, Deserialize)]
struct Survey {
    edition: String,
    url: String,
    networks: i64,
    figures: Vec<Figure>,
}

#[derive(Debug, Deserialize)]
struct Figure {
    key: String,
    label: String,
    mean: f64,
    unit: String,
    from: Option<String>,
    note: Option<String>,
}

const SURVEY: &str = include_str!("../../../data/reference/national_survey.toml");

/// The network beside the national averages.
pub(super) fn national_section(m: &BoardMetrics) -> anyhow::Result<Section> {
    let survey: Survey = toml::from_str(SURVEY)?;
    let facilities = m.monthly.last().map(|r| r.participating_facilities);
    let ours = |key: &str| -> Option<f64> {
        match key {
            "facilities" => facilities.map(|v| v as f64),
            "patients" => m.cost.registered_patients.map(|v| v as f64),
            "running_cost" => m.cost.running_cost_yen.map(|v| v as f64),
            "build_cost_per_facility" => m
                .scenarios
                .first()
                .and_then(|s| s.capital_yen)
                .zip(facilities.filter(|f| *f > 0))
                .map(|(c, f)| c as f64 / f as f64),
            _ => None,
        }
    };
    let show =
        |v: f64, unit: &str| if unit == "円" { yen(round(v), false) } else { format!("{}{unit}", count(round(v))) };
    let rows = survey
        .figures
        .iter()
        .map(|f| {
            let mine = ours(&f.key);
            let mut source = f.from.clone().unwrap_or_else(|| "No.495".into());
            if let Some(n) = &f.note {
                source = format!("{source}、{n}");
            }
            row(
                f.label.clone(),
                vec![
                    mine.map_or_else(|| "—".into(), |v| show(v, &f.unit)),
                    show(f.mean, &f.unit),
                    mine.map_or_else(|| "—".into(), |v| format!("{:.2}倍", v / f.mean)),
                    source,
                ],
            )
        })
        .collect();
    let mut s = section(
        "全国の地域医療連携ネットワークとの比較",
        &["項目", "当ネットワーク", "全国平均", "全国平均との比", "出典"],
        rows,
    );
    s.note = format!(
        "全国平均は{}（回答 {} ネットワーク、{}）。平均は一部の大きなネットワークに引き上げられており、中央のネットワークはこれより小さいとみられます。当ネットワークの構築費は最初の更新案の更新費 ÷ 参加施設数、運営費は{}の年額です。",
        survey.edition,
        survey.networks,
        survey.url,
        m.month.fiscal_year().label_ja()
    );
    Ok(s)
}
