//! The console in the browser, in process: every route behind the login, each role's
//! refusals decided on the server, the door (foreign hosts, cross-site requests, security
//! headers, login throttling, sessions), saved questions checked against the hand count,
//! downloads read back, read-only SQL with its time limit, uploads of real Shift_JIS bytes,
//! and the report previews. Requests go through the real router (`tower::ServiceExt`);
//! the console's changes run the real `renkei` binary.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use http_body_util::BodyExt;
use renkei::config::Settings;
use renkei::web::{self, Console};
use tower::ServiceExt;

use crate::metrics::network_with_known_answers;
use crate::support::{LOG_HEADER, Workdir};

/// The password every test account gets (15+ characters, no guessable word).
pub const PASSWORD: &str = "correct horse battery staple";

/// A console over a council folder, driven request by request.
pub struct Site {
    pub w: Workdir,
    pub console: Arc<Console>,
    rt: tokio::runtime::Runtime,
}

/// What a request gave.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
}

impl Site {
    /// A console over `w` with `config` as its renkei.toml, the store's copy published.
    pub fn new(w: Workdir, config: &str) -> Site {
        w.write("renkei.toml", config.as_bytes());
        let settings = Settings::load(&w.join("renkei.toml"), true, Some(w.path())).expect("settings");
        web::publish_if_stale(&settings).expect("publish");
        let console = Console::new(settings, env!("CARGO_BIN_EXE_renkei").into());
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Site { w, console, rt }
    }

    /// Adds an account with [`PASSWORD`].
    pub fn user(&self, name: &str, role: &str) {
        let r =
            self.w.run_with_stdin(&["user", "add", name, "--role", role, "--password-stdin"], &format!("{PASSWORD}\n"));
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }

    pub fn send(&self, req: Request<Body>) -> Answer {
        let app = web::router(self.console.clone());
        self.rt.block_on(async {
            let res = app.oneshot(req).await.unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
            Answer { status, headers, body }
        })
    }

    fn request(method: &str, path: &str, cookie: Option<&str>) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path).header(header::HOST, "127.0.0.1:8470");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        if method != "GET" {
            b = b.header("sec-fetch-site", "same-origin");
        }
        b
    }

    pub fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        self.send(Self::request("GET", path, cookie).body(Body::empty()).unwrap())
    }

    pub fn post(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Answer {
        let body: String =
            form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        self.send(
            Self::request("POST", path, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
    }

    /// Sends `first`, and `second` `after` later while the first is still running.
    pub fn overlapping(
        &self,
        first: Request<Body>,
        after: std::time::Duration,
        second: Request<Body>,
    ) -> (Answer, Answer) {
        let app = web::router(self.console.clone());
        let collect = |res: axum::response::Response| async move {
            let status = res.status();
            let headers = res.headers().clone();
            let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
            Answer { status, headers, body }
        };
        self.rt.block_on(async {
            let one = app.clone().oneshot(first);
            let two = async {
                tokio::time::sleep(after).await;
                app.clone().oneshot(second).await
            };
            let (a, b) = tokio::join!(one, two);
            (collect(a.unwrap()).await, collect(b.unwrap()).await)
        })
    }

    /// A form POST request.
    pub fn form(path: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
        let body: String =
            form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        Self::request("POST", path, Some(cookie))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    }

    /// Logs in and returns the cookie to send.
    pub fn login(&self, name: &str) -> String {
        let a = self.post("/login", None, &[("user", name), ("password", PASSWORD), ("next", "/")]);
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
        a.header("set-cookie").split(';').next().unwrap().to_string()
    }

    /// The audit log's console entries.
    pub fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.w.join("var/audit.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["command"].as_str().is_some_and(|c| c.starts_with("web ")))
            .collect()
    }
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The small network (tests/it/metrics.rs) with one account per role.
fn site() -> Site {
    let s = Site::new(network_with_known_answers(), "");
    for (name, role) in [("etsu", "viewer"), ("ana", "analyst"), ("tori", "uploader"), ("kan", "admin")] {
        s.user(name, role);
    }
    s
}

#[test]
fn every_page_needs_a_login_and_each_role_is_refused_on_the_server() {
    let s = site();
    for path in
        ["/", "/ingest", "/questions", "/questions/facility_use_month", "/sql", "/reports", "/reports/board/2025-07"]
    {
        let a = s.get(path, None);
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(a.header("location"), format!("/login?next={}", path), "{path}");
    }
    let viewer = s.login("etsu");
    for path in ["/", "/ingest", "/questions", "/reports"] {
        assert_eq!(s.get(path, Some(&viewer)).status, StatusCode::OK, "{path}");
    }
    // What a viewer may not do is refused by the server, whatever the page showed.
    let sql = s.post("/sql", Some(&viewer), &[("sql", "select 1")]);
    assert_eq!(sql.status, StatusCode::FORBIDDEN);
    assert!(sql.text().contains("分析の役割の利用者だけが使えます"), "{}", sql.text());
    assert_eq!(s.get("/sql", Some(&viewer)).status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.post("/ingest/alias", Some(&viewer), &[("alias", "x"), ("facility", "y")]).status,
        StatusCode::FORBIDDEN
    );
    let send = s.post("/reports/send", Some(&viewer), &[("kind", "board"), ("month", "2025-07"), ("mode", "send")]);
    assert_eq!(send.status, StatusCode::FORBIDDEN);
    assert!(!s.get("/", Some(&viewer)).text().contains("href=\"/sql\""), "no SQL link for a viewer");

    let analyst = s.login("ana");
    assert_eq!(s.get("/sql", Some(&analyst)).status, StatusCode::OK);
    assert_eq!(
        s.post("/ingest/alias", Some(&analyst), &[("alias", "x"), ("facility", "y")]).status,
        StatusCode::FORBIDDEN
    );
    let uploader = s.login("tori");
    assert_eq!(s.get("/sql", Some(&uploader)).status, StatusCode::FORBIDDEN);
    let send = s.post("/reports/send", Some(&uploader), &[("kind", "board"), ("month", "2025-07"), ("mode", "send")]);
    assert_eq!(send.status, StatusCode::FORBIDDEN);
    let denied = s.audit().into_iter().filter(|e| e["command"] == "web denied").count();
    assert_eq!(denied, 7, "every refusal is in the audit log");
}

#[test]
fn the_door_refuses_foreign_hosts_and_cross_site_requests_and_sets_strict_headers() {
    let s = site();
    let foreign = s.send(Request::get("/login").header(header::HOST, "evil.example:8470").body(Body::empty()).unwrap());
    assert_eq!(foreign.status, StatusCode::MISDIRECTED_REQUEST);
    // A page on another site posting the login form (login CSRF) is refused before the
    // password is looked at.
    let cross = s.send(
        Request::post("/login")
            .header(header::HOST, "127.0.0.1:8470")
            .header("sec-fetch-site", "cross-site")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("user=kan&password={}", encode(PASSWORD))))
            .unwrap(),
    );
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert!(cross.header("set-cookie").is_empty());
    let origin = s.send(
        Request::post("/logout")
            .header(header::HOST, "127.0.0.1:8470")
            .header(header::ORIGIN, "http://evil.example")
            .body(Body::empty())
            .unwrap(),
    );
    assert_eq!(origin.status, StatusCode::FORBIDDEN);

    let page = s.get("/login", None);
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header("content-security-policy").contains("default-src 'self'; script-src 'self'"));
    assert!(page.header("content-security-policy").contains("object-src 'none'"));
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("referrer-policy"), "no-referrer");
    assert_eq!(page.header("cache-control"), "no-store");
    assert!(page.header("strict-transport-security").is_empty(), "no HSTS over loopback HTTP");
    let cookie = s.post("/login", None, &[("user", "kan"), ("password", PASSWORD)]).header("set-cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
}

#[test]
fn logins_are_throttled_sessions_are_new_each_time_and_logout_ends_them() {
    let s = site();
    // The same answer for an unknown name and a wrong password.
    let unknown = s.post("/login", None, &[("user", "nobody"), ("password", PASSWORD)]);
    let wrong = s.post("/login", None, &[("user", "kan"), ("password", "wrong horse battery staple")]);
    assert_eq!((unknown.status, wrong.status), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert!(
        unknown.text().contains("利用者名かパスワードが違います")
            && wrong.text().contains("利用者名かパスワードが違います")
    );
    for _ in 0..4 {
        s.post("/login", None, &[("user", "kan"), ("password", "wrong horse battery staple")]);
    }
    // Five failures: even the right password is refused for a while.
    let locked = s.post("/login", None, &[("user", "kan"), ("password", PASSWORD)]);
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(locked.text().contains("失敗が続いたため"), "{}", locked.text());
    // Another account is not locked out with it.
    let a = s.login("ana");
    let b = s.login("ana");
    assert_ne!(a, b, "a new session id at every login");
    let out = s.post("/logout", Some(&a), &[]);
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.header("clear-site-data").contains("cache"));
    assert_eq!(s.get("/", Some(&a)).status, StatusCode::SEE_OTHER, "the logged-out session is gone");
    assert_eq!(s.get("/", Some(&b)).status, StatusCode::OK, "the other session lives on");
    // A user removed on the box is logged out at the next request.
    s.w.ok(&["user", "remove", "ana"]);
    assert_eq!(s.get("/", Some(&b)).header("location"), "/login?next=/&why=changed");
    let events: Vec<String> = s.audit().iter().map(|e| e["command"].as_str().unwrap().to_string()).collect();
    assert_eq!(events.iter().filter(|e| *e == "web login_failed").count(), 6);
    assert_eq!(events.iter().filter(|e| *e == "web login_throttled").count(), 1);
    assert!(events.contains(&"web logout".to_string()));
    assert!(s.audit().iter().all(|e| e["session"].as_str().is_none_or(|l| l.len() == 12)), "a label, never the token");
}

#[test]
fn a_saved_question_runs_with_bound_parameters_and_gives_the_hand_count() {
    let s = site();
    let analyst = s.login("ana");
    let form = s.get("/questions/facility_use_month", Some(&analyst));
    // July 31 15:30Z is August 1 in Japan: the latest month with a log is August.
    assert!(form.text().contains("type=\"month\" value=\"2025-08\""), "defaults to the latest month with a log");
    let page = s.get("/questions/facility_use_month?run=1&month=2025-07", Some(&analyst)).text();
    // July 2025 by hand (tests/it/console.rs): the clinic 3 events, 3 views, 2 patients;
    // 十日町病院 2, 1, 2 and viewed once; 齋藤記念病院's data viewed 3 times.
    let row = |name: &str| -> Vec<String> {
        let start = page.find(&format!("<td>{name}</td>")).unwrap_or_else(|| panic!("{name} in {page}"));
        let end = start + page[start..].find("</tr>").unwrap();
        page[start..end]
            .split("</td>")
            .map(|c| c.rsplit('>').next().unwrap().to_string())
            .filter(|c| !c.is_empty())
            .collect()
    };
    assert_eq!(row("ゆきぐにクリニック"), ["ゆきぐにクリニック", "診療所", "魚沼市", "3", "3", "2", "0"]);
    assert_eq!(row("十日町病院"), ["十日町病院", "病院", "十日町市", "2", "1", "2", "1"]);
    assert_eq!(row("齋藤記念病院"), ["齋藤記念病院", "病院", "南魚沼市", "0", "0", "0", "3"]);
    assert!(page.contains("閲覧件数（件）") && page.contains("患者数（人）"), "units in the headings");
    // A month with no log: missing, not 0.
    let empty = s.get("/questions/facility_use_month?run=1&month=2024-12", Some(&analyst)).text();
    assert!(
        empty.contains("<td>みなみ薬局</td><td>薬局</td><td>湯沢町</td><td class=\"num\" title=\"データなし\">—</td>"),
        "{empty}"
    );
    // A value that tries to be SQL is a value: refused as a month, nothing changed.
    let injected = s.get(
        &format!("/questions/facility_use_month?run=1&month={}", encode("2025-07'; DROP TABLE facilities; --")),
        Some(&analyst),
    );
    assert_eq!(injected.status, StatusCode::OK);
    assert!(injected.text().contains("パラメータ month の値を読めません"), "{}", injected.text());
    assert_eq!(s.w.count("SELECT count(*) FROM facilities"), 4);
    // 年度 as 令和7年度 in a dropdown filled from the data.
    let fy = s.get("/questions/monthly_trend", Some(&analyst)).text();
    assert!(fy.contains("<option value=\"2025\" selected>令和7年度（2025）</option>"), "{fy}");
    let trend = s.get("/questions/monthly_trend?run=1&fiscal_year=2025", Some(&analyst)).text();
    assert!(
        trend.contains("<svg class=\"chart\"") && trend.contains("<title>月別の推移（年度）</title>"),
        "the file asks for a chart"
    );
    assert!(trend.contains("<td>2025-07（令和7年7月）</td>"), "months read both ways: {trend}");
    let queries: Vec<_> = s.audit().into_iter().filter(|e| e["command"] == "web query").collect();
    assert!(
        queries.iter().any(|e| e["statement"].as_str().unwrap().starts_with("facility_use_month month=")),
        "{queries:?}"
    );
}

#[test]
fn a_viewer_sees_small_counts_suppressed_on_screen_and_in_downloads() {
    let s = site();
    let viewer = s.login("etsu");
    let page = s.get("/questions/facility_use_month?run=1&month=2025-07", Some(&viewer)).text();
    assert!(page.contains("10 未満の件数を &#60;10"), "{page}");
    assert!(page.contains("<td class=\"num\">&#60;10</td>"), "{page}");
    assert!(!page.contains("<td class=\"num\">3</td>"), "no count from 1 to 9 is shown to a viewer");
    let csv = s.get("/questions/facility_use_month/download?format=csv&month=2025-07", Some(&viewer)).text();
    assert!(csv.contains("ゆきぐにクリニック,診療所,魚沼市,<10,<10,<10,0"), "{csv}");
}

#[test]
fn downloads_are_typed_for_excel_and_formula_safe() {
    let s = site();
    let analyst = s.login("ana");
    let xlsx = s.get("/questions/facility_use_month/download?format=xlsx&month=2025-07", Some(&analyst));
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.header("content-disposition").contains("filename*=UTF-8''%E6%96%BD%E8%A8%AD"),
        "{}",
        xlsx.header("content-disposition")
    );
    assert_eq!(xlsx.header("cache-control"), "no-store");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.body.clone())).unwrap();
    let sheet = book.worksheet_range("結果").unwrap();
    let clinic = sheet.rows().find(|r| r[0] == Data::String("ゆきぐにクリニック".into())).unwrap();
    assert_eq!(clinic[3], Data::Float(3.0), "counts are numbers in Excel");
    let excel = s.get("/questions/facility_use_month/download?format=excel&month=2025-07", Some(&analyst));
    assert!(excel.body.starts_with(b"\xEF\xBB\xBF") && excel.text().contains("\r\n"), "BOM and CRLF for Excel");
    let plain = s.get("/questions/facility_use_month/download?format=csv&month=2025-07", Some(&analyst));
    assert!(!plain.body.starts_with(b"\xEF\xBB\xBF") && !plain.text().contains('\r'));
    // SQL results that start like a formula are neutralized.
    let sql = s.post(
        "/sql/download",
        Some(&analyst),
        &[("sql", "SELECT '=HYPERLINK(\"http://x\")' AS a"), ("format", "csv")],
    );
    assert_eq!(sql.text(), "a\n\"'=HYPERLINK(\"\"http://x\"\")\"\n");
    assert!(s.audit().iter().any(|e| e["command"] == "web download" && e["rows"] == 4));
}

#[test]
fn console_sql_reads_the_published_copy_only_and_cannot_write_read_files_or_change_settings() {
    let s = Site::new(network_with_known_answers(), "[web]\nquery_seconds = 1\n");
    s.user("ana", "analyst");
    let analyst = s.login("ana");
    let ok = s.post("/sql", Some(&analyst), &[("sql", "SELECT count(*) AS n FROM access_events")]);
    assert!(ok.text().contains("<td class=\"num\">9</td>"), "{}", ok.text());
    let inbox_file = s.w.join("inbox/アクセスログ.csv").display().to_string();
    for (sql, why) in [
        ("DELETE FROM facilities", "read-only"),
        ("CREATE TABLE x AS SELECT 1", "read-only"),
        ("COPY facilities TO '/tmp/renkei-web-leak.csv'", "disabled"),
        (&format!("SELECT * FROM read_csv('{inbox_file}')") as &str, "disabled"),
        ("ATTACH '/tmp/renkei-web-other.duckdb' AS o", "disabled"),
        ("SET threads = 1", "locked"),
        ("INSTALL httpfs", "disabled"),
    ] {
        let a = s.post("/sql", Some(&analyst), &[("sql", sql)]);
        assert_eq!(a.status, StatusCode::OK, "{sql}");
        assert!(a.text().contains("SQL を実行できませんでした"), "{sql}: {}", a.text());
        assert!(a.text().to_lowercase().contains(why), "{sql} refused for the wrong reason: {}", a.text());
    }
    assert!(!std::path::Path::new("/tmp/renkei-web-leak.csv").exists());
    let two = s.post("/sql", Some(&analyst), &[("sql", "SELECT 1; SELECT 2")]);
    assert!(two.text().contains("SQL が 2 文あります"), "{}", two.text());
    let slow = s.post("/sql", Some(&analyst), &[("sql", "SELECT count(*) FROM range(100000000000) a")]);
    assert!(slow.text().contains("1 秒で終わらないため止めました"), "{}", slow.text());
    // 取消 stops the running query on the server, well before its time limit.
    let s = Site::new(network_with_known_answers(), "[web]\nquery_seconds = 60\n");
    s.user("ana", "analyst");
    let analyst = s.login("ana");
    let (stopped, cancel) = s.overlapping(
        Site::form("/sql", &analyst, &[("sql", "SELECT count(*) FROM range(100000000000) a, range(10) b")]),
        std::time::Duration::from_millis(800),
        Site::form("/sql/cancel", &analyst, &[]),
    );
    assert_eq!(cancel.text(), "取り消しました");
    assert!(stopped.text().contains("<strong>完了</strong>取り消しました"), "{}", stopped.text());
    assert!(!stopped.text().contains("秒で終わらない"), "stopped by 取消, not by the limit");
    let many = s.post("/sql", Some(&analyst), &[("sql", "SELECT * FROM range(5000)")]);
    assert!(many.text().contains("先頭の 1,000 行を表示しています"), "the cap is said on screen");
    // Each statement that ran is in the audit log (the two-statement text never ran).
    assert_eq!(s.audit().iter().filter(|e| e["command"] == "web sql").count(), 2);
    assert!(s.audit().iter().any(|e| e["command"] == "web sql_cancel" && e["ok"] == true));
    assert_eq!(s.w.count("SELECT count(*) FROM facilities"), 4);
}

#[test]
fn an_upload_of_shift_jis_bytes_is_ingested_and_bad_uploads_change_nothing() {
    let s = Site::new(network_with_known_answers(), "[web]\nupload_max_mb = 1\n");
    s.user("tori", "uploader");
    let cookie = s.login("tori");
    let log = format!("{LOG_HEADER}2025-08-04 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧\r\n");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&log);
    let up = |name: &str, bytes: &[u8]| {
        let boundary = "renkeiboundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        s.send(
            Site::request("POST", "/ingest/upload", Some(&cookie))
                .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
                .body(Body::from(body))
                .unwrap(),
        )
    };
    let done = up("../アクセスログ_2025-08.csv", &sjis);
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert!(done.text().contains("取り込みました"), "{}", done.text());
    assert!(s.w.join("inbox/アクセスログ_2025-08.csv").exists(), "kept in the inbox under its own name only");
    assert_eq!(s.w.count("SELECT count(*) FROM access_events"), 10);
    // The console's copy was refreshed by the ingest: August is in the coverage grid.
    // July 31 15:30Z is August 1 in Japan, so August had one row before and has two now.
    let grid = s.get("/ingest", Some(&cookie)).text();
    let start = grid.find("<th scope=\"row\">令和7年度</th>").expect("FY2025 in the grid");
    let row = &grid[start..start + grid[start..].find("</tr>").unwrap()];
    let cells: Vec<&str> = row.split("</td>").filter_map(|c| c.rsplit('>').next()).take(6).collect();
    assert_eq!(cells, ["—", "—", "2", "5", "2", ""], "{row}");
    let exe = up("tool.exe", b"MZ");
    assert_eq!(exe.status, StatusCode::BAD_REQUEST);
    assert!(exe.text().contains("取り込める種類のファイルではありません"));
    let big = up("big.csv", &vec![b'a'; 1_100_000]);
    assert_eq!(big.status, StatusCode::BAD_REQUEST);
    assert!(big.text().contains("大きすぎます") || big.text().contains("合計 1 MB まで"), "{}", big.text());
    let names: Vec<String> = std::fs::read_dir(s.w.join("inbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("tool") || n.contains("big") || n.ends_with(".part")), "{names:?}");
    assert_eq!(s.w.count("SELECT count(*) FROM access_events"), 10, "nothing half-loaded");
    assert!(s.audit().iter().any(|e| e["command"] == "web upload"));
}

#[test]
fn the_board_preview_is_the_report_as_it_will_be_sent() {
    let s = site();
    let viewer = s.login("etsu");
    let preview = s.get("/reports/board/2025-07", Some(&viewer));
    assert_eq!(preview.status, StatusCode::OK);
    let html = preview.text();
    assert!(html.contains("<html lang=\"ja\""), "{html}");
    assert!(!html.contains("cid:"), "charts come from the console");
    assert_eq!(
        preview.header("content-security-policy"),
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    );
    let chart = html.split("src=\"/reports/board/2025-07/").nth(1).and_then(|r| r.split('"').next()).expect("a chart");
    let png = s.get(&format!("/reports/board/2025-07/{chart}"), Some(&viewer));
    assert_eq!(png.header("content-type"), "image/png");
    assert!(png.body.starts_with(b"\x89PNG"));
    let page = s.get("/reports?month=2025-07", Some(&viewer)).text();
    assert!(page.contains("2025-07（令和7年7月）"), "months read both ways");
    assert!(!page.contains("name=\"mode\" value=\"send\""), "no send button for a viewer");
    assert!(s.get("/reports?month=2025-07", Some(&s.login("kan"))).text().contains("name=\"mode\" value=\"send\""));
}

#[test]
fn an_alias_and_a_reload_bring_in_the_rows_held_for_an_unknown_name() {
    let s = Site::new(network_with_known_answers(), "");
    s.user("tori", "uploader");
    let cookie = s.login("tori");
    s.w.write_sjis(
        "inbox/log_2025-09.csv",
        &format!(
            "{LOG_HEADER}2025-09-01 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧\r\n\
             2025-09-02 09:00:00,ID-Link,U1,ゆきぐに診療所,P002,齋藤記念病院,画像,閲覧\r\n"
        ),
    );
    s.w.ok(&["ingest"]);
    assert_eq!(s.w.count("SELECT count(*) FROM quarantine"), 1);
    let page = s.get("/ingest", Some(&cookie)).text();
    assert!(page.contains("<td>ゆきぐに診療所</td>"), "the held row with its value: {page}");
    let alias =
        s.post("/ingest/alias", Some(&cookie), &[("alias", "ゆきぐに診療所"), ("facility", "ゆきぐにクリニック")]);
    assert!(alias.text().contains("別名「ゆきぐに診療所」→「ゆきぐにクリニック」を登録しました"), "{}", alias.text());
    let path = s.w.rows("SELECT path FROM ingested_files WHERE path LIKE '%2025-09%'")[0][0].clone();
    // Only a file the store holds may be reloaded.
    let other = s.post("/ingest/reload", Some(&cookie), &[("path", "/etc/passwd")]);
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    let reload = s.post("/ingest/reload", Some(&cookie), &[("path", &path)]);
    assert!(reload.text().contains("取り込み直しました"), "{}", reload.text());
    assert_eq!(s.w.count("SELECT count(*) FROM quarantine"), 0);
    assert_eq!(s.w.count("SELECT count(*) FROM access_events"), 9 + 2);
}

#[test]
fn off_loopback_the_console_needs_tls() {
    let w = Workdir::new();
    let r = w.run(&["serve", "--listen", "0.0.0.0:8470"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("0.0.0.0:8470 では画面を出せません（HTTPS の設定がありません）"), "{}", r.stderr);
    assert!(r.stderr.contains("[web] tls_cert と tls_key"), "{}", r.stderr);
}
