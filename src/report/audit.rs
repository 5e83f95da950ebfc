//! The privacy officer's monthly access-log review report (アクセスログ点検報告), for
//! `[recipients] privacy_officer` only: what was screened and explained, each facility's
//! log for the month, the rules and thresholds in force, cases by rule, the month's cases,
//! how cases were closed and how long they took, and users raised again. HTML email, text
//! twin and an A4 PDF for the file (企画管理編 §10: the review reported to leadership).

use askama::Template;
use serde::Serialize;

use super::format::count;
use super::layout::{Row, Section, row, section};
use super::{Attachment, Rendered};
use crate::review::monthly::MonthlyReview;
use crate::review::{self, RULES};

/// Everything the templates show, formatted.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// Network name.
    pub network: String,
    /// `2026年3月`.
    pub month_label: String,
    /// The key points.
    pub summary: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// What is attached.
    pub attachment_note: String,
}

#[derive(Template)]
#[template(path = "audit/report.html")]
struct ReportHtml<'a> {
    r: &'a AuditReport,
}

#[derive(Template)]
#[template(path = "audit/report.txt")]
struct ReportText<'a> {
    r: &'a AuditReport,
}

const PDF_TEMPLATE: &str = include_str!("../../templates/audit/report.typ");

/// The officer's report for the month.
pub fn render(m: &MonthlyReview, network: &str) -> anyhow::Result<Rendered> {
    let r = &m.review;
    let month_label = r.month.label_ja();
    let report_id = format!("audit-{}", r.month);
    let pdf_name = format!("{report_id}.pdf");
    let report = AuditReport {
        network: network.to_string(),
        month_label: month_label.clone(),
        summary: summary(m),
        sections: vec![
            cases_section(m),
            by_rule_section(m),
            course_section(m),
            repeats_section(m),
            facilities_section(m),
            rules_section(m),
        ],
        attachment_note: format!("同じ内容を添付の {pdf_name} にまとめています（保存・回覧用）。"),
    };
    let html = ReportHtml { r: &report }.render()?;
    let text = ReportText { r: &report }.render()?;
    let pdf = super::pdf::typeset(PDF_TEMPLATE, vec![("data.json".into(), serde_json::to_vec(&report)?)])?;
    Ok(Rendered {
        report_id,
        subject: format!("【{network}】{month_label} アクセスログ点検報告（取扱注意）"),
        html,
        text,
        attachments: vec![Attachment {
            filename: pdf_name,
            content_type: "application/pdf".into(),
            bytes: pdf,
            content_id: None,
        }],
    })
}

fn summary(m: &MonthlyReview) -> Vec<String> {
    let r = &m.review;
    let share =
        if r.looks > 0 { format!("（{:.1}%）", 100.0 * r.explained as f64 / r.looks as f64) } else { String::new() };
    let mut out = vec![format!(
        "閲覧・ダウンロード {} 件をすべて点検し、{} 件{share}は診療の関係が記録で説明できました。",
        count(r.looks),
        count(r.explained)
    )];
    let c = &m.course;
    out.push(format!(
        "確認の要る事案は {} 件です（完了 {} 件、未完了 {} 件）。これまでの月を合わせた未完了は {} 件、うち30日を超えたものは {} 件です。",
        count(c.opened),
        count(c.closed),
        count(c.opened - c.closed),
        count(c.open_all),
        count(c.overdue)
    ));
    for gap in &r.gaps {
        out.push(format!("この月のログが欠けています（{gap}）。欠けた分は点検できていません。"));
    }
    let gaps: Vec<&str> = m.facilities.iter().filter(|f| f.gap).map(|f| f.facility.as_str()).collect();
    if !gaps.is_empty() {
        out.push(format!(
            "前の月にログがあり、この月に1件もない施設があります: {}。ログの取り込み漏れか、利用の停止かを確かめてください。",
            gaps.join("、")
        ));
    }
    if !r.without_records.is_empty() {
        out.push(format!(
            "{} のログには登録の行が1件もないため、その閲覧は同僚の操作だけで説明を判断しました（説明がつきやすくなります）。",
            r.without_records.join("、")
        ));
    }
    out
}

fn rule_label(code: &str) -> String {
    review::rule(code).map_or_else(|| code.to_string(), |r| format!("{code}（{}）", r.label))
}

/// The table label of a rule code.
fn label(code: &str) -> &str {
    review::rule(code).map_or(code, |r| r.label)
}

fn cases_section(m: &MonthlyReview) -> Section {
    let rows: Vec<Row> = m
        .review
        .cases
        .iter()
        .map(|c| {
            let rules: Vec<&str> = c.rule_codes().map(label).collect();
            let state = match &c.verdict {
                Some(v) => format!("{}（{v}）", c.state),
                None => c.state.clone(),
            };
            row(
                c.case_id.clone(),
                vec![
                    c.facility.clone().unwrap_or_else(|| "（不明）".into()),
                    rules.join("・"),
                    count(c.patients),
                    count(c.priority),
                    state,
                ],
            )
        })
        .collect();
    let mut s = section("事案（優先度の順）", &["事案番号", "施設", "規則", "患者", "優先度", "状態"], rows);
    s.text_columns = 3;
    s.empty = "この月に確認の要る事案はありません。".into();
    s.note = "事案は利用者ごと・月ごとに1件です。施設への照会には事案番号と日時・情報の種類を伝え、利用者の特定は施設にお願いします（renkei audit identify で施設の職員 ID の一覧と照らせます）。判定は renkei audit close で記録します。".into();
    s
}

fn by_rule_section(m: &MonthlyReview) -> Section {
    let rows = m
        .by_rule
        .iter()
        .map(|r| row(rule_label(&r.rule), vec![count(r.cases), count(r.open), count(r.closed)]))
        .collect();
    let mut s = section("規則ごとの事案", &["規則", "事案", "未完了", "完了"], rows);
    s.empty = "当たった規則はありません。".into();
    s.note = "一つの事案が複数の規則に当たれば、それぞれに数えます。".into();
    s
}

fn course_section(m: &MonthlyReview) -> Section {
    let c = &m.course;
    let mut s = section(
        "判定と処理",
        &["項目", "件数"],
        vec![
            row("この月の事案", vec![count(c.opened)]),
            row("完了", vec![count(c.closed)]),
            row("　正当", vec![count(c.legitimate)]),
            row("　指導", vec![count(c.guidance)]),
            row("　違反", vec![count(c.violations)]),
            row("　誤検知", vec![count(c.false_alarms)]),
            row("未完了（これまでの月すべて）", vec![count(c.open_all)]),
            Row { flagged: c.overdue > 0, ..row("　うち30日を超えたもの", vec![count(c.overdue)]) },
        ],
    );
    s.lines.push(match c.median_days_to_close {
        Some(d) => format!("この月までの12か月の事案で完了したものは、開いてから完了まで中央値 {d:.0} 日でした。"),
        None => "この月までの12か月の事案で、完了したものはまだありません。".into(),
    });
    s
}

fn repeats_section(m: &MonthlyReview) -> Section {
    let rows = m
        .repeats
        .iter()
        .map(|r| Row {
            flagged: r.confirmed > 0,
            ..row(
                r.case_id.clone(),
                vec![r.facility.clone().unwrap_or_else(|| "（不明）".into()), count(r.earlier), count(r.confirmed)],
            )
        })
        .collect();
    let mut s = section("繰り返し挙がる利用者", &["事案番号", "施設", "前の12か月の事案", "うち違反・指導"], rows);
    s.text_columns = 2;
    s.empty = "前の12か月にも事案のあった利用者はいません。".into();
    s
}

fn facilities_section(m: &MonthlyReview) -> Section {
    let rows = m
        .facilities
        .iter()
        .map(|f| Row {
            flagged: f.gap,
            ..row(f.facility.clone(), vec![count(f.events), count(f.days), count(f.previous)])
        })
        .collect();
    let mut s = section("施設ごとのログ", &["施設", "操作", "日数", "前月"], rows);
    s.empty = "この月と前の3か月に操作のあった会員施設はありません。".into();
    s.note =
        "この月か前の3か月に操作のあった会員施設です。色のついた行は、前月に操作があってこの月に1件もない施設です。"
            .into();
    s
}

fn rules_section(m: &MonthlyReview) -> Section {
    let mut s = section("規則と閾値", &[], Vec::new());
    for r in RULES {
        s.lines.push(format!(
            "{}（{}）: {}。{}",
            r.label,
            r.code,
            r.reason,
            review::threshold_text(r.code, &m.thresholds)
        ));
    }
    s.note = format!(
        "閲覧・ダウンロードは、施設がその患者を前に登録・更新していた、自施設の情報だった、同じ施設の別の利用者が前{}日〜後{}日に説明のつく操作をしていた、本人が前に説明のつく形で閲覧していた、正当と判定された組である、のどれかで説明がつくとします（説明のない同僚の閲覧どうしは説明になりません）。閾値は renkei.toml の [audit] で変えられ、点検のたびに記録されます。",
        m.thresholds.colleague_days_before, m.thresholds.colleague_days_after
    );
    s
}
