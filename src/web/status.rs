//! 状況: what `renkei status` prints — when the data was last brought in, the files, the
//! months each source covers, the schedule's next and last runs, the store and the lake.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::auth::Authed;
use super::view::{Frame, html, strings};
use super::{Shared, run};
use crate::domain::Month;
use crate::metrics;
use crate::report::format;
use crate::report::layout::{COVERAGE_MONTHS, Row, coverage_rows};
use crate::store::{Store, publish};

/// One source's months.
pub struct Coverage {
    /// The source in Japanese.
    pub label: &'static str,
    /// One row per 年度.
    pub rows: Vec<Row>,
}

/// The monthly sources' coverage, as the status screen shows it.
pub fn coverage(store: &Store) -> anyhow::Result<Vec<Coverage>> {
    let mut by_source: BTreeMap<String, BTreeMap<Month, i64>> = BTreeMap::new();
    for r in metrics::fetch::<metrics::rows::MonthlyCoverage>(store, &[])? {
        by_source.entry(r.source).or_default().insert(r.month, r.rows);
    }
    Ok([("access_log", "アクセスログ"), ("image_views", "画像閲覧回数"), ("enrollments", "登録患者数")]
        .into_iter()
        .map(|(source, label)| Coverage { label, rows: by_source.get(source).map(coverage_rows).unwrap_or_default() })
        .collect())
}

struct NextRun {
    job: &'static str,
    line: String,
    next: String,
    last: String,
}

#[derive(Template)]
#[template(path = "web/status.html")]
struct StatusPage {
    frame: Frame,
    refreshed: String,
    store_size: String,
    files: Vec<Vec<String>>,
    quarantined: i64,
    months: [&'static str; 12],
    coverage: Vec<Coverage>,
    daemon: String,
    runs: Vec<NextRun>,
    deliveries: Vec<Vec<String>>,
    lake: String,
}

/// `GET /`.
pub async fn page(State(console): State<Shared>, who: Authed) -> Response {
    let frame = Frame::new("状況", Some(who.nav("status")));
    let settings = console.settings.clone();
    let copy = publish::copy_path(&settings.store_path());
    if !copy.exists() {
        let frame =
            frame.notice("warn", "データはまだありません。取込の画面からファイルを取り込むと、ここに状況が出ます");
        return html(&StatusPage {
            frame,
            refreshed: "—".into(),
            store_size: "—".into(),
            files: Vec::new(),
            quarantined: 0,
            months: COVERAGE_MONTHS,
            coverage: Vec::new(),
            daemon: daemon_state(&settings),
            runs: Vec::new(),
            deliveries: Vec::new(),
            lake: settings.lake().map_or_else(|e| e.to_string(), |p| p.display().to_string()),
        });
    }
    let s = settings.clone();
    let gathered = run::read(&console, move |store| {
        let files = store.query(
            "SELECT path, source, rows_loaded, rows_quarantined, strftime(ingested_at, '%Y-%m-%d %H:%M')
             FROM ingested_files ORDER BY source_file_id DESC LIMIT 50",
            &[],
        )?;
        let quarantined = store.query("SELECT count(*) FROM quarantine", &[])?.rows[0][0].as_i64().unwrap_or(0);
        let deliveries = store.query(
            "SELECT report_id, status, count(*)::BIGINT, strftime(max(sent_at), '%Y-%m-%d %H:%M')
             FROM deliveries GROUP BY ALL ORDER BY report_id DESC LIMIT 12",
            &[],
        )?;
        let runs = crate::daemon::next_runs(&s, Some(store), crate::clock::now_jst())?
            .into_iter()
            .map(|n| NextRun {
                job: n.job.label_ja(),
                line: n.line.clone(),
                next: n.next_text(),
                last: n.last_text().unwrap_or_else(|| "なし".to_string()),
            })
            .collect();
        Ok((strings(&files), quarantined, coverage(store)?, runs, strings(&deliveries)))
    })
    .await;
    let (files, quarantined, coverage, runs, deliveries) = match gathered {
        Ok(g) => g,
        Err(fail) => return axum::response::IntoResponse::into_response(fail.nav(who.nav("status"))),
    };
    let refreshed = std::fs::metadata(&copy)
        .and_then(|m| m.modified())
        .map(|t| {
            (chrono::DateTime::<chrono::Utc>::from(t) + chrono::Duration::hours(9)).format("%Y-%m-%d %H:%M").to_string()
        })
        .unwrap_or_else(|_| "—".into());
    let size = std::fs::metadata(settings.store_path()).map(|m| m.len()).unwrap_or(0);
    html(&StatusPage {
        frame,
        refreshed,
        store_size: format!("{} MB", format::count((size / 1_000_000) as i64)),
        files,
        quarantined,
        months: COVERAGE_MONTHS,
        coverage,
        daemon: daemon_state(&settings),
        runs,
        deliveries,
        lake: settings.lake().map_or_else(|e| e.to_string(), |p| p.display().to_string()),
    })
}

fn daemon_state(settings: &crate::config::Settings) -> String {
    match crate::daemon::lock::InstanceLock::holder(&settings.daemon_lock()) {
        Some(holder) => format!("動作中（{holder}）"),
        None => "動いていません（定期実行は止まっています）".to_string(),
    }
}
