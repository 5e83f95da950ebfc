//! 取込: upload files to the inbox and ingest them (the same detection and refusals as
//! `renkei ingest`, run as it), see each file's outcome and the rows held back with their
//! reasons, add a facility alias, and see the months each source covers.

use std::path::{Path, PathBuf};

use askama::Template;
use axum::extract::{Form, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::auth::Authed;
use super::status::{Coverage, coverage};
use super::users::Permission;
use super::view::{Fail, Frame, html, strings};
use super::{Shared, run};
use crate::ingest::detect;
use crate::report::layout::COVERAGE_MONTHS;
use crate::store::publish;

#[derive(Template)]
#[template(path = "web/ingest.html")]
struct IngestPage {
    frame: Frame,
    may_upload: bool,
    limit_mb: u64,
    output: String,
    files: Vec<Vec<String>>,
    held: Vec<Vec<String>>,
    held_total: i64,
    months: [&'static str; 12],
    coverage: Vec<Coverage>,
}

/// `GET /ingest`.
pub async fn page(State(console): State<Shared>, who: Authed) -> Response {
    render(&console, &who, Frame::new("取込", Some(who.nav("ingest"))), String::new()).await
}

async fn render(console: &Shared, who: &Authed, frame: Frame, output: String) -> Response {
    let has_data = publish::copy_path(&console.settings.store_path()).exists();
    let (files, held, held_total, coverage) = if has_data {
        let gathered = run::read(console, |store| {
            let files = store.query(
                "SELECT path, source, rows_loaded, rows_quarantined, strftime(ingested_at, '%Y-%m-%d %H:%M')
                 FROM ingested_files ORDER BY source_file_id DESC LIMIT 30",
                &[],
            )?;
            // What is held is shown as `renkei quarantine` shows it: IDs were masked when
            // the row was held, so no raw ID reaches this page.
            let held = store.query(
                "SELECT f.path, q.row_number, coalesce(q.column_name, ''), coalesce(q.value, ''), q.reason,
                        coalesce(q.hint, '')
                 FROM quarantine q JOIN ingested_files f USING (source_file_id)
                 ORDER BY f.source_file_id DESC, q.row_number LIMIT 200",
                &[],
            )?;
            let total = store.query("SELECT count(*) FROM quarantine", &[])?.rows[0][0].as_i64().unwrap_or(0);
            Ok((strings(&files), strings(&held), total, coverage(store)?))
        })
        .await;
        match gathered {
            Ok(g) => g,
            Err(fail) => return fail.nav(who.nav("ingest")).into_response(),
        }
    } else {
        (Vec::new(), Vec::new(), 0, Vec::new())
    };
    html(&IngestPage {
        frame,
        may_upload: who.role.may(Permission::Upload),
        limit_mb: console.settings.config.web.upload_max_mb,
        output,
        files,
        held,
        held_total,
        months: COVERAGE_MONTHS,
        coverage,
    })
}

/// A name from the browser made safe to put in the inbox: NFC, its last path part only, no
/// control characters or separators, at most 120 characters; never used as a path as given.
pub fn safe_name(given: &str) -> Option<String> {
    let nfc: String = given.nfc().collect();
    let last = nfc.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String =
        last.chars().filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|')).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    let cleaned: String = if cleaned.chars().count() > 120 {
        let ext = Path::new(&cleaned).extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
        let stem: String = cleaned.chars().take(110).collect();
        format!("{stem}.{ext}")
    } else {
        cleaned
    };
    (!cleaned.is_empty() && !cleaned.starts_with("~$")).then_some(cleaned)
}

/// A free name in `dir` for `name` (`名簿.xlsx`, `名簿-2.xlsx`, …).
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let p = Path::new(name);
    let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = p.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    let mut candidate = dir.join(name);
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{stem}-{n}{ext}"));
        n += 1;
    }
    candidate
}

/// `POST /ingest/upload`: each file is streamed to a hidden name in the inbox (the limit
/// checked as it arrives), renamed into place whole, then ingested by `renkei ingest`.
pub async fn upload(State(console): State<Shared>, who: Authed, mut form: Multipart) -> Response {
    if let Err(f) = who.require(&console, Permission::Upload, "アップロード") {
        return f.nav(who.nav("ingest")).into_response();
    }
    let limit = console.settings.config.web.upload_max_mb * 1024 * 1024;
    let inbox = console.settings.inbox();
    if let Err(e) = std::fs::create_dir_all(&inbox) {
        return Fail::from_error(
            &anyhow::Error::new(e).context(format!("受付フォルダ {} を作れません", inbox.display())),
        )
        .nav(who.nav("ingest"))
        .into_response();
    }
    let mut placed: Vec<PathBuf> = Vec::new();
    let refuse = |what: String, hint: &str, placed: &[PathBuf]| {
        for p in placed {
            let _ = std::fs::remove_file(p);
        }
        Fail::new(StatusCode::BAD_REQUEST, what).hint(hint).nav(who.nav("ingest")).into_response()
    };
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return refuse(
                    format!("アップロードを受け取れませんでした（{}）", e.body_text()),
                    &format!("1回に送れるのは合計 {} MB までです", limit / 1024 / 1024),
                    &placed,
                );
            }
        };
        let Some(given) = field.file_name().map(str::to_string) else { continue };
        if given.is_empty() {
            continue;
        }
        let Some(name) = safe_name(&given) else {
            return refuse(
                format!("ファイル名「{given}」は使えません"),
                "ファイル名を変えてからもう一度送ってください",
                &placed,
            );
        };
        if detect::container(Path::new(&name)).is_none() {
            return refuse(
                format!("「{name}」は取り込める種類のファイルではありません"),
                "取り込めるのは .csv .tsv .txt .json .jsonl .ndjson .gz .xlsx .xlsm .xls .ods です",
                &placed,
            );
        }
        let tmp = inbox.join(format!(".upload-{}.part", hex::encode(rand::random::<[u8; 8]>())));
        let mut size: u64 = 0;
        let written = async {
            use tokio::io::AsyncWriteExt;
            let mut out = tokio::fs::File::create(&tmp).await?;
            while let Some(chunk) = field.chunk().await.map_err(|e| std::io::Error::other(e.body_text()))? {
                size += chunk.len() as u64;
                if size > limit {
                    return Err(std::io::Error::new(std::io::ErrorKind::FileTooLarge, "too large"));
                }
                out.write_all(&chunk).await?;
            }
            out.sync_all().await?;
            Ok::<(), std::io::Error>(())
        }
        .await;
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            let (what, hint) = if e.kind() == std::io::ErrorKind::FileTooLarge {
                (
                    format!("「{name}」は大きすぎます（上限 {} MB）", limit / 1024 / 1024),
                    "ファイルを分けるか、上限（[web] upload_max_mb）を変えてください",
                )
            } else {
                (
                    format!("「{name}」を受付フォルダに書けませんでした（{e}）"),
                    "ディスクの空きと受付フォルダを確かめてください",
                )
            };
            return refuse(what, hint, &placed);
        }
        let dest = free_name(&inbox, &name);
        if let Err(e) = std::fs::rename(&tmp, &dest) {
            let _ = std::fs::remove_file(&tmp);
            return refuse(
                format!("「{name}」を受付フォルダに置けませんでした（{e}）"),
                "受付フォルダを確かめてください",
                &placed,
            );
        }
        who.audit(&console, "upload", &format!("{} ({size} bytes)", dest.display()), None, true);
        placed.push(dest);
    }
    if placed.is_empty() {
        return refuse(
            "ファイルが選ばれていません".into(),
            "「ファイルを選ぶ」で取り込むファイルを選んでください",
            &placed,
        );
    }
    let mut args = vec!["ingest".to_string()];
    args.extend(placed.iter().map(|p| p.display().to_string()));
    let done = match run::renkei(&console, args).await {
        Ok(d) => d,
        Err(f) => return f.nav(who.nav("ingest")).into_response(),
    };
    who.audit(&console, "ingest", &format!("{} files", placed.len()), None, done.ok);
    let frame = Frame::new("取込", Some(who.nav("ingest")));
    let frame = if done.ok {
        frame.notice("ok", format!("{} 件のファイルを受け付け、取り込みました（結果は下のとおり）", placed.len()))
    } else {
        frame.notice(
            "error",
            "取り込めなかったファイルがあります。下の理由と対処を確かめてください（データベースは変更していません）",
        )
    };
    render(&console, &who, frame, done.text).await
}

/// The alias form.
#[derive(Debug, Deserialize)]
pub struct AliasForm {
    alias: String,
    facility: String,
}

/// `POST /ingest/alias`: `renkei alias add ALIAS FACILITY`, then the page again.
pub async fn alias(State(console): State<Shared>, who: Authed, Form(f): Form<AliasForm>) -> Response {
    if let Err(fail) = who.require(&console, Permission::Upload, "別名の登録") {
        return fail.nav(who.nav("ingest")).into_response();
    }
    let (alias, facility) = (f.alias.trim().to_string(), f.facility.trim().to_string());
    if alias.is_empty() || facility.is_empty() {
        return Fail::new(StatusCode::BAD_REQUEST, "別名と名簿上の施設名の両方を入れてください")
            .nav(who.nav("ingest"))
            .into_response();
    }
    let done = match run::renkei(&console, vec!["alias".into(), "add".into(), alias.clone(), facility.clone()]).await {
        Ok(d) => d,
        Err(fail) => return fail.nav(who.nav("ingest")).into_response(),
    };
    who.audit(&console, "alias", &format!("{alias} → {facility}"), None, done.ok);
    let frame = Frame::new("取込", Some(who.nav("ingest")));
    let frame = if done.ok {
        frame.notice("ok", format!("別名「{alias}」→「{facility}」を登録しました。保留の行は、取り込んだファイルの一覧の「取り込み直す」で取り込まれます"))
    } else {
        frame.notice("error", "別名を登録できませんでした（下の理由を確かめてください）")
    };
    render(&console, &who, frame, done.text).await
}

/// The reload form.
#[derive(Debug, Deserialize)]
pub struct ReloadForm {
    path: String,
}

/// `POST /ingest/reload`: `renkei ingest --replace PATH` for a file the store already
/// holds (after an alias, its held rows load), and only for such a file.
pub async fn reload(State(console): State<Shared>, who: Authed, Form(f): Form<ReloadForm>) -> Response {
    if let Err(fail) = who.require(&console, Permission::Upload, "取り込み直し") {
        return fail.nav(who.nav("ingest")).into_response();
    }
    let path = f.path.clone();
    let known = run::read(&console, move |store| {
        Ok(!store
            .query("SELECT 1 FROM ingested_files WHERE path = ?", &[duckdb::types::Value::Text(path)])?
            .rows
            .is_empty())
    })
    .await;
    match known {
        Ok(true) => {}
        Ok(false) => {
            return Fail::new(StatusCode::BAD_REQUEST, format!("「{}」は取り込んだファイルの一覧にありません", f.path))
                .hint("一覧の「取り込み直す」から選んでください")
                .nav(who.nav("ingest"))
                .into_response();
        }
        Err(fail) => return fail.nav(who.nav("ingest")).into_response(),
    }
    let done = match run::renkei(&console, vec!["ingest".into(), "--replace".into(), f.path.clone()]).await {
        Ok(d) => d,
        Err(fail) => return fail.nav(who.nav("ingest")).into_response(),
    };
    who.audit(&console, "ingest", &format!("--replace {}", f.path), None, done.ok);
    let frame = Frame::new("取込", Some(who.nav("ingest")));
    let frame = if done.ok {
        frame.notice("ok", format!("「{}」を取り込み直しました", f.path))
    } else {
        frame.notice("error", format!("「{}」を取り込み直せませんでした（理由は下のとおり）", f.path))
    };
    render(&console, &who, frame, done.text).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names_never_leave_the_inbox() {
        assert_eq!(safe_name("../../etc/passwd.csv").as_deref(), Some("passwd.csv"));
        assert_eq!(safe_name("C:\\Users\\事務局\\名簿.xlsx").as_deref(), Some("名簿.xlsx"));
        assert_eq!(safe_name(".hidden.csv").as_deref(), Some("hidden.csv"));
        assert_eq!(safe_name("~$lock.xlsx"), None);
        assert_eq!(safe_name("  "), None);
        assert_eq!(safe_name("a\u{0}b<c>.csv").as_deref(), Some("abc.csv"));
        // NFD (macOS) becomes NFC: が as one character.
        assert_eq!(safe_name("\u{30AB}\u{3099}.csv").as_deref(), Some("ガ.csv"));
        assert_eq!(safe_name(&format!("{}.csv", "長".repeat(200))).map(|n| n.chars().count()), Some(114));
    }
}
