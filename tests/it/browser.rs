//! The console in a real browser, as a person uses it: Debian's headless Chromium driven
//! over WebDriver (chromium-driver) logs in, uploads a Shift_JIS log, finds it in the
//! coverage grid, runs a saved question, downloads its xlsx and reads it back, previews the
//! board report, and leaves screenshots at 1280×800 and 1920×1080 to be looked at
//! (`$CARGO_TARGET_TMPDIR/screens/`). `.ci/run` installs chromium, chromium-driver and
//! fonts-noto-cjk; without them this test fails on CI and says what to install elsewhere.
//! Beside it, the daemon serving the console over HTTPS to a real TLS client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{Data, Reader, Xlsx};
use fantoccini::{ClientBuilder, Locator};

use crate::metrics::network_with_known_answers;
use crate::support::{LOG_HEADER, Workdir};
use crate::web::PASSWORD;

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for_port(port: u16) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `renkei ARGS` in `w` serving the console (`serve --listen 127.0.0.1:0`, or a daemon
/// with `[web] enabled`); its URL, from the line it prints.
fn serve(w: &Workdir, args: &[&str]) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_renkei"))
        .args(args)
        .current_dir(w.path())
        .env_remove("RENKEI_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("renkei の画面: ").unwrap_or_else(|| panic!("{line}")).to_string();
    (Killed(child), url)
}

/// A GET with the browser's session cookie, from Rust (the download as Edge would save it).
fn get_with_cookie(url: &str, path: &str, cookie: &str) -> (String, Vec<u8>) {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    (String::from_utf8_lossy(&raw[..split]).into_owned(), raw[split + 4..].to_vec())
}

fn chromedriver() -> Option<PathBuf> {
    let found =
        ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].iter().map(PathBuf::from).find(|p| p.exists());
    if found.is_none() {
        let msg = "chromium-driver が見つかりません: apt-get install chromium chromium-driver fonts-noto-cjk";
        assert!(std::env::var("CI").is_err(), "{msg}");
        eprintln!("SKIP: {msg}");
    }
    found
}

#[test]
fn a_person_uploads_a_log_runs_a_question_downloads_it_and_previews_the_report() {
    let Some(driver_exe) = chromedriver() else { return };
    let w = network_with_known_answers();
    let r = w.run_with_stdin(&["user", "add", "kan", "--role", "admin", "--password-stdin"], &format!("{PASSWORD}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (_server, url) = serve(&w, &["serve", "--listen", "127.0.0.1:0"]);
    let log = format!("{LOG_HEADER}2025-08-04 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧\r\n");
    let upload = w.write_sjis("upload/アクセスログ_2025-08.csv", &log);

    let port = free_port();
    let _driver = Killed(
        Command::new(driver_exe)
            .arg(format!("--port={port}"))
            .env("TZ", "Asia/Tokyo")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port);
    let screens = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screens");
    std::fs::create_dir_all(&screens).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=ja-JP",
                         "--window-size=1280,800", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--disable-quic",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        });
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let c = ClientBuilder::new(connector)
            .capabilities(caps.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("chromium via chromium-driver");
        let text_of = |sel: &'static str| {
            let c = c.clone();
            async move { c.find(Locator::Css(sel)).await.unwrap().text().await.unwrap() }
        };
        let shoot = |name: &'static str| {
            let c = c.clone();
            let screens = screens.clone();
            async move {
                for (w, h) in [(1280, 800), (1920, 1080)] {
                    c.set_window_size(w, h).await.unwrap();
                    let clipped: bool = c
                        .execute("return document.documentElement.scrollWidth > window.innerWidth", vec![])
                        .await
                        .unwrap()
                        .as_bool()
                        .unwrap();
                    assert!(!clipped, "{name} is wider than a {w}×{h} window");
                    std::fs::write(screens.join(format!("{name}-{w}x{h}.png")), c.screenshot().await.unwrap()).unwrap();
                }
                c.set_window_size(1280, 800).await.unwrap();
            }
        };

        // Logging in: every page sends a stranger to the login form first.
        c.goto(&url).await.unwrap();
        assert!(c.current_url().await.unwrap().path().ends_with("/login"));
        c.find(Locator::Css("#user")).await.unwrap().send_keys("kan").await.unwrap();
        c.find(Locator::Css("#password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
        c.find(Locator::Css("form[action='/login'] button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("header nav")).await.unwrap();
        assert_eq!(text_of("h1").await, "状況");
        shoot("status").await;

        // Uploading the Shift_JIS log; August appears in the coverage grid.
        c.goto(&format!("{url}ingest")).await.unwrap();
        c.find(Locator::Css("#files")).await.unwrap().send_keys(&upload.display().to_string()).await.unwrap();
        c.find(Locator::Css("form[action='/ingest/upload'] button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("p.notice")).await.unwrap();
        let notice = text_of("p.notice").await;
        assert!(notice.contains("取り込みました"), "{notice}");
        let grid = text_of("table caption").await;
        assert!(grid.contains("アクセスログの月別件数"), "{grid}");
        let fy = c.find(Locator::XPath("//tr[th='令和7年度']")).await.unwrap().text().await.unwrap();
        // April and May have no log; June 2, July 5, August 2 (July 31 15:30Z and the upload).
        assert_eq!(fy.trim(), "令和7年度 — — 2 5 2", "{fy}");
        shoot("ingest").await;

        // A saved question with its month picked, the result, the xlsx read back.
        c.goto(&format!("{url}questions")).await.unwrap();
        c.find(Locator::LinkText("施設別の利用（1か月）")).await.unwrap().click().await.unwrap();
        c.execute("document.getElementById('p-month').value = '2025-07'", vec![]).await.unwrap();
        c.find(Locator::Css("form[action='/questions/facility_use_month'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait().for_element(Locator::Css("table tbody tr")).await.unwrap();
        let clinic = c.find(Locator::XPath("//tr[td='ゆきぐにクリニック']")).await.unwrap().text().await.unwrap();
        assert_eq!(clinic, "ゆきぐにクリニック 診療所 魚沼市 3 3 2 0");
        shoot("question").await;
        let href =
            c.find(Locator::LinkText("Excel で開く（xlsx）")).await.unwrap().attr("href").await.unwrap().unwrap();
        let cookie = c
            .get_all_cookies()
            .await
            .unwrap()
            .iter()
            .map(|k| format!("{}={}", k.name(), k.value()))
            .collect::<Vec<_>>()
            .join("; ");
        let (head, body) = get_with_cookie(&url, &href, &cookie);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body)).unwrap();
        let sheet = book.worksheet_range("結果").unwrap();
        let row = sheet.rows().find(|r| r[0] == Data::String("十日町病院".into())).unwrap().to_vec();
        assert_eq!(row[3..], [Data::Float(2.0), Data::Float(1.0), Data::Float(2.0), Data::Float(1.0)]);

        // The board report as it will be sent, in its frame.
        c.goto(&format!("{url}reports?month=2025-07")).await.unwrap();
        c.wait().for_element(Locator::Css("iframe.preview")).await.unwrap();
        c.clone().enter_frame(0).await.unwrap();
        c.wait().for_element(Locator::Css("body")).await.unwrap();
        let report = c.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
        assert!(report.contains("2025年7月"), "{report}");
        c.clone().enter_parent_frame().await.unwrap();
        shoot("reports").await;
        // Japanese is drawn with a CJK font, not boxes.
        let cjk: bool = c
            .execute("return document.fonts.check('16px \"Noto Sans CJK JP\"', '連携')", vec![])
            .await
            .unwrap()
            .as_bool()
            .unwrap();
        assert!(cjk, "fonts-noto-cjk is needed for Japanese");
        c.close().await.unwrap();
    });
}

/// A certificate for 127.0.0.1 from a throwaway CA (trustme, as the SMTP tests use): the
/// CA's PEM, the server's chain and key.
fn certificate(dir: &Path) -> PathBuf {
    let script = "import trustme, sys\nca = trustme.CA()\nc = ca.issue_cert('127.0.0.1', 'localhost')\n\
        ca.cert_pem.write_to_path(sys.argv[1] + '/ca.pem')\nc.private_key_pem.write_to_path(sys.argv[1] + '/key.pem')\n\
        c.cert_chain_pems[0].write_to_path(sys.argv[1] + '/cert.pem')\n";
    let out = Command::new("python3").args(["-c", script, &dir.display().to_string()]).output().unwrap();
    assert!(out.status.success(), "trustme (pip install trustme): {}", String::from_utf8_lossy(&out.stderr));
    dir.join("ca.pem")
}

#[test]
fn over_https_the_daemon_serves_the_console_with_hsts_and_a_host_only_secure_cookie() {
    let w = Workdir::new();
    let ca = certificate(w.path());
    let r = w.run_with_stdin(&["user", "add", "kan", "--role", "admin", "--password-stdin"], &format!("{PASSWORD}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    w.write(
        "renkei.toml",
        b"[web]\nenabled = true\nlisten = \"127.0.0.1:0\"\ntls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n",
    );
    let (daemon, url) = serve(&w, &["daemon"]);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    // A real TLS client that trusts only the throwaway CA logs in.
    let script = "import ssl, sys, urllib.request, urllib.parse\n\
        ctx = ssl.create_default_context(cafile=sys.argv[2])\n\
        class N(urllib.request.HTTPRedirectHandler):\n    def redirect_request(self, *a, **k): return None\n\
        o = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx), N)\n\
        page = o.open(sys.argv[1] + 'login')\nprint(page.headers['Strict-Transport-Security'])\n\
        data = urllib.parse.urlencode({'user': 'kan', 'password': sys.argv[3]}).encode()\n\
        try:\n    o.open(urllib.request.Request(sys.argv[1] + 'login', data=data))\nexcept urllib.error.HTTPError as e:\n    print(e.code, e.headers['Set-Cookie'])\n";
    let out = Command::new("python3").args(["-c", script, &url, &ca.display().to_string(), PASSWORD]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.starts_with("max-age=31536000\n303 __Host-renkei_session="), "{said}");
    assert!(said.contains("; Secure") && said.contains("HttpOnly"), "{said}");
    // SIGTERM stops the daemon and its console, exit 0.
    let mut child = daemon;
    let pid = child.0.id();
    assert!(Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the daemon did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
}
