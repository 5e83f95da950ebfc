//! レポート: the board report of any month and each municipality's report and PDF,
//! rendered from the published copy exactly as they will be sent; the delivery ledger and
//! the held runs with their reasons; and, for the 管理 role, sending, resending (the same
//! Message-ID, `--force`) and releasing a held report (`--incomplete`), each run as
//! `renkei send` would be.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::Authed;
use super::users::Permission;
use super::view::{Fail, Frame, html, month_both, strings};
use super::{Shared, run};
use crate::domain::{FiscalYear, Month};
use crate::jobs;
use crate::report::Rendered;

/// The preview's own policy: the mail's inline styles, its charts from the console, no
/// script at all, framed by the console only.
const PREVIEW_CSP: &str = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

#[derive(Template)]
#[template(path = "web/reports.html")]
struct ReportsPage {
    frame: Frame,
    month: String,
    month_label: String,
    months: Vec<(String, String)>,
    fy: String,
    years: Vec<(String, String)>,
    municipalities: Vec<String>,
    ledger: Vec<Vec<String>>,
    held: Vec<Vec<String>>,
    admin: bool,
    output: String,
}

/// `?month=2025-07&fy=2025`.
#[derive(Debug, Deserialize, Default)]
pub struct Which {
    month: Option<String>,
    fy: Option<String>,
}

struct Listing {
    months: Vec<Month>,
    municipalities: Vec<String>,
    ledger: Vec<Vec<String>>,
    held: Vec<Vec<String>>,
}

/// `GET /reports`.
pub async fn page(State(console): State<Shared>, who: Authed, Query(w): Query<Which>) -> Response {
    let frame = Frame::new("レポート", Some(who.nav("reports")));
    render(&console, &who, frame, w, String::new()).await
}

async fn render(console: &Shared, who: &Authed, frame: Frame, w: Which, output: String) -> Response {
    let listed = run::read(console, |store| {
        let months = store
            .query("SELECT month FROM access_log_months ORDER BY month DESC", &[])?
            .rows
            .iter()
            .filter_map(|r| r[0].as_date().map(Month::of))
            .collect();
        let municipalities = store
            .query("SELECT name FROM municipalities ORDER BY name", &[])?
            .rows
            .iter()
            .map(|r| r[0].to_string())
            .collect();
        let ledger = store.query(
            "SELECT report_id, recipient, status, attempts, coalesce(last_error, ''),
                    coalesce(strftime(sent_at, '%Y-%m-%d %H:%M'), '')
             FROM deliveries ORDER BY report_id DESC, recipient LIMIT 200",
            &[],
        )?;
        // The runs the daemon will try again, newest first.
        let held = crate::daemon::runs::held(store)?
            .into_iter()
            .rev()
            .take(20)
            .map(|(job, at, why)| {
                let job = crate::daemon::schedule::Job::named(&job).map_or(job, |j| j.label_ja().to_string());
                vec![job, at.format("%Y-%m-%d %H:%M").to_string(), why]
            })
            .collect();
        Ok(Listing { months, municipalities, ledger: strings(&ledger), held })
    })
    .await;
    let l = match listed {
        Ok(l) => l,
        Err(f) => return f.nav(who.nav("reports")).into_response(),
    };
    let month = w.month.as_deref().and_then(|m| Month::parse(m).ok()).or_else(|| l.months.first().copied());
    let years: Vec<FiscalYear> = {
        let mut y: Vec<FiscalYear> = l.months.iter().map(|m| m.fiscal_year()).collect();
        y.dedup();
        y
    };
    let fy = w.fy.as_deref().and_then(|f| FiscalYear::parse(f).ok()).or_else(|| years.first().copied());
    html(&ReportsPage {
        frame,
        month: month.map(|m| m.to_string()).unwrap_or_default(),
        month_label: month.map(month_both).unwrap_or_default(),
        months: l.months.iter().map(|m| (m.to_string(), month_both(*m))).collect(),
        fy: fy.map(|f| f.year().to_string()).unwrap_or_default(),
        years: years.iter().map(|f| (f.year().to_string(), format!("{}（{}）", f.label_ja(), f.year()))).collect(),
        municipalities: l.municipalities,
        ledger: l.ledger,
        held: l.held,
        admin: who.role.may(Permission::Send),
        output,
    })
}

fn preview(mut res: Response) -> Response {
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PREVIEW_CSP));
    res
}

async fn board_rendered(console: &Shared, who: &Authed, month: &str) -> Result<Rendered, Fail> {
    let month = jobs::parse_month(month).map_err(|p| Fail::problem(StatusCode::BAD_REQUEST, &p))?;
    let settings = console.settings.clone();
    run::query(console, &who.user, move |store| jobs::render_board(store, &settings, month)).await
}

/// `GET /reports/board/{month}`: the board email's HTML as it will be sent, its charts
/// served by the console instead of `cid:`.
pub async fn board(State(console): State<Shared>, who: Authed, Path(month): Path<String>) -> Response {
    match board_rendered(&console, &who, &month).await {
        Ok(r) => {
            who.audit(&console, "preview", &r.report_id, None, true);
            let mut body = r.html.clone();
            for a in &r.attachments {
                if let Some(cid) = &a.content_id {
                    body = body.replace(
                        &format!("src=\"cid:{cid}\""),
                        &format!("src=\"/reports/board/{month}/{}\"", a.filename),
                    );
                }
            }
            preview(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response())
        }
        Err(f) => f.nav(who.nav("reports")).into_response(),
    }
}

/// `GET /reports/board/{month}/{file}`: a chart or attachment of that report.
pub async fn board_file(
    State(console): State<Shared>,
    who: Authed,
    Path((month, file)): Path<(String, String)>,
) -> Response {
    match board_rendered(&console, &who, &month).await {
        Ok(r) => match r.attachments.into_iter().find(|a| a.filename == file) {
            Some(a) => ([(header::CONTENT_TYPE, a.content_type)], a.bytes).into_response(),
            None => Fail::new(StatusCode::NOT_FOUND, format!("{file} はこの報告にありません")).into_response(),
        },
        Err(f) => f.into_response(),
    }
}

/// `GET /reports/municipality/{fy}/{name}?pdf=1`: one municipality's report, HTML or its
/// A4 PDF shown inline by the browser's own viewer.
pub async fn municipality(
    State(console): State<Shared>,
    who: Authed,
    Path((fy, name)): Path<(String, String)>,
    Query(q): Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    let nav = who.nav("reports");
    let fy = match jobs::parse_fiscal_year(&fy) {
        Ok(f) => f,
        Err(p) => return Fail::problem(StatusCode::BAD_REQUEST, &p).nav(nav).into_response(),
    };
    let settings = console.settings.clone();
    let only = name.clone();
    let rendered =
        run::query(&console, &who.user, move |store| jobs::render_municipalities(store, &settings, fy, Some(&only)))
            .await;
    let r = match rendered {
        Ok(mut all) if !all.is_empty() => all.remove(0).1,
        Ok(_) => {
            return Fail::new(StatusCode::NOT_FOUND, format!("{name} の報告はありません")).nav(nav).into_response();
        }
        Err(f) => return f.nav(nav).into_response(),
    };
    who.audit(&console, "preview", &r.report_id, None, true);
    if q.contains_key("pdf") {
        return match r.attachments.into_iter().find(|a| a.content_type == "application/pdf") {
            Some(a) => (
                [
                    (header::CONTENT_TYPE, a.content_type),
                    (header::CONTENT_DISPOSITION, format!("inline; filename=\"{}\"", a.filename)),
                ],
                a.bytes,
            )
                .into_response(),
            None => Fail::new(StatusCode::NOT_FOUND, "この報告には PDF がありません").nav(nav).into_response(),
        };
    }
    preview(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], r.html).into_response())
}

/// The send form.
#[derive(Debug, Deserialize)]
pub struct SendForm {
    kind: String,
    month: Option<String>,
    fy: Option<String>,
    municipality: Option<String>,
    mode: String,
    to: Option<String>,
}

/// `POST /reports/send` (管理): `renkei send board|municipality …` with `--force` (resend,
/// the same Message-ID), `--incomplete` (release a held report) or `--to` (a test).
pub async fn send(State(console): State<Shared>, who: Authed, Form(f): Form<SendForm>) -> Response {
    let nav = who.nav("reports");
    if let Err(fail) = who.require(&console, Permission::Send, "送信") {
        return fail.nav(nav).into_response();
    }
    let mut args = vec!["send".to_string()];
    match f.kind.as_str() {
        "board" => {
            let Some(m) = f.month.as_deref().and_then(|m| Month::parse(m).ok()) else {
                return Fail::new(StatusCode::BAD_REQUEST, "対象月を選んでください").nav(nav).into_response();
            };
            args.extend(["board".into(), "--month".into(), m.to_string()]);
        }
        "municipality" => {
            let Some(fy) = f.fy.as_deref().and_then(|y| FiscalYear::parse(y).ok()) else {
                return Fail::new(StatusCode::BAD_REQUEST, "年度を選んでください").nav(nav).into_response();
            };
            args.extend(["municipality".into(), "--fy".into(), fy.year().to_string()]);
            if let Some(m) = f.municipality.as_deref().filter(|m| !m.is_empty()) {
                args.extend(["--municipality".into(), m.to_string()]);
            }
        }
        other => {
            return Fail::new(StatusCode::BAD_REQUEST, format!("報告の種類「{other}」はありません"))
                .nav(nav)
                .into_response();
        }
    }
    match f.mode.as_str() {
        "send" => {}
        "resend" => args.push("--force".into()),
        "release" => args.push("--incomplete".into()),
        "test" => match f.to.as_deref().map(str::trim).filter(|t| t.contains('@')) {
            Some(to) => args.extend(["--to".into(), to.to_string()]),
            None => {
                return Fail::new(StatusCode::BAD_REQUEST, "試しに送る宛先（メールアドレス）を入れてください")
                    .nav(nav)
                    .into_response();
            }
        },
        other => {
            return Fail::new(StatusCode::BAD_REQUEST, format!("送り方「{other}」はありません"))
                .nav(nav)
                .into_response();
        }
    }
    let done = match run::renkei(&console, args.clone()).await {
        Ok(d) => d,
        Err(fail) => return fail.nav(nav).into_response(),
    };
    who.audit(&console, "send", &args.join(" "), None, done.ok);
    let frame = Frame::new("レポート", Some(nav));
    let frame = if done.ok {
        frame.notice("ok", format!("renkei {} を実行しました（結果は下のとおり）", args.join(" ")))
    } else {
        frame.notice("error", format!("renkei {} は送れませんでした（理由は下のとおり）", args.join(" ")))
    };
    let which = Which { month: f.month, fy: f.fy };
    render(&console, &who, frame, which, done.text).await
}
