//! `renkei serve` (the secretariat's console in the browser) and `renkei user` (its
//! accounts, made on the box itself: no default account, no sign-up page).

use std::io::BufRead;
use std::process::ExitCode;

use super::args::{ServeArgs, UserAction};
use super::output::table;
use crate::config::Settings;
use crate::error::Problem;
use crate::web::{self, users};

/// `renkei serve`: publishes the store's copy if it is stale, then serves until SIGTERM or
/// SIGINT.
pub fn serve(settings: &Settings, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let mut settings = settings.clone();
    if let Some(listen) = &args.listen {
        settings.config.web.listen = listen.clone();
    }
    let addr = web::listen_address(&settings)?;
    web::publish_if_stale(&settings)?;
    let exe = std::env::current_exe().map_err(|e| anyhow::anyhow!("renkei の実行ファイルの場所が分かりません: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            Problem::new(format!("{addr} で待ち受けられません"))
                .because(e.to_string())
                .hint("別の renkei serve が動いていないか確かめるか、--listen 127.0.0.1:8471 のように別のポートを指定してください")
        })?;
        let bound = listener.local_addr()?;
        let accounts = users::load(&settings.web_users())?;
        println!("renkei の画面: {}", web::url(&settings, bound));
        if accounts.is_empty() {
            eprintln!("hint: 利用者がまだいません。renkei user add 名前 --role admin で最初の管理者を作ってください");
        }
        let console = web::Console::new(settings.clone(), exe);
        web::serve(console, listener, stop_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves at SIGTERM (systemd's stop) or SIGINT (Ctrl-C).
pub async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: stopping"),
        _ = int.recv() => tracing::info!("SIGINT: stopping"),
    }
}

/// A password from standard input (`--password-stdin`), or a generated one printed once.
fn password(name: &str, from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((users::generate_password(), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if let Some(why) = users::weakness(name, &pw) {
        return Err(Problem::new("このパスワードは使えません")
            .because(why)
            .hint("--password-stdin を付けずに実行すると、20 文字のパスワードを作って表示します")
            .into());
    }
    Ok((pw, false))
}

/// `renkei user add|list|remove|passwd`.
pub fn user(settings: &Settings, action: &UserAction) -> anyhow::Result<ExitCode> {
    let path = settings.web_users();
    let mut all = users::load(&path)?;
    match action {
        UserAction::Add { name, role, password_stdin } => {
            users::check_name(name)?;
            if all.iter().any(|u| &u.name == name) {
                return Err(Problem::new(format!("利用者「{name}」はもういます"))
                    .hint("役割を変えるには renkei user remove のあと add し直し、パスワードは renkei user passwd で変えてください")
                    .into());
            }
            let (pw, generated) = password(name, *password_stdin)?;
            all.push(users::User {
                name: name.clone(),
                role: *role,
                hash: users::hash(&pw)?,
                created_at: crate::clock::now_jst().format("%Y-%m-%dT%H:%M:%S").to_string(),
                created_by: crate::audit_log::os_user(),
            });
            users::save(&path, &all)?;
            crate::audit_log::record(settings, "user add", &format!("{name} {}", role.name()), Some(1), None)?;
            println!("利用者「{name}」（{}）を作りました", role.label_ja());
            if generated {
                println!("パスワード: {pw}");
                eprintln!("hint: このパスワードは二度と表示しません。本人だけに渡してください");
            }
        }
        UserAction::List => {
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|u| {
                    vec![u.name.clone(), u.role.label_ja().to_string(), u.created_at.clone(), u.created_by.clone()]
                })
                .collect();
            print!("{}", table(&["利用者".into(), "役割".into(), "作成".into(), "作成者".into()], &rows, &[false; 4]));
        }
        UserAction::Remove { name } => {
            let before = all.len();
            all.retain(|u| &u.name != name);
            if all.len() == before {
                return Err(Problem::new(format!("利用者「{name}」はいません"))
                    .hint("renkei user list で一覧できます")
                    .into());
            }
            users::save(&path, &all)?;
            crate::audit_log::record(settings, "user remove", name, Some(1), None)?;
            println!("利用者「{name}」を消しました（ログイン中なら次の操作でログアウトします）");
        }
        UserAction::Passwd { name, password_stdin } => {
            let (pw, generated) = password(name, *password_stdin)?;
            let Some(u) = all.iter_mut().find(|u| &u.name == name) else {
                return Err(Problem::new(format!("利用者「{name}」はいません"))
                    .hint("renkei user list で一覧できます")
                    .into());
            };
            u.hash = users::hash(&pw)?;
            users::save(&path, &all)?;
            crate::audit_log::record(settings, "user passwd", name, Some(1), None)?;
            println!("利用者「{name}」のパスワードを変えました");
            if generated {
                println!("パスワード: {pw}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
