//! `renkei init [DIR]`: the commented `renkei.toml`, the working folders and the key.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::config::{SAMPLE_CONFIG, Settings};
use crate::error::Problem;
use crate::ingest::pseudonymize::Key;
use crate::store::Store;

/// Writes `renkei.toml` (never over an existing one) and creates the folders.
pub fn run(dir: &Path) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("フォルダ {} を作れません", dir.display()))?;
    let file = dir.join("renkei.toml");
    if file.exists() {
        return Err(Problem::new(format!("{} はすでにあります", file.display()))
            .hint("書き直すときは、今のファイルを別名で保存してから renkei init を実行してください")
            .into());
    }
    std::fs::write(&file, SAMPLE_CONFIG).with_context(|| format!("{} を書けません", file.display()))?;
    let settings = Settings::defaults(dir);
    let p = &settings.config.paths;
    for sub in [&p.inbox, &p.outbox, &p.archive, &p.lake] {
        std::fs::create_dir_all(settings.resolve(sub))?;
    }
    Key::load_or_create(&settings.key_path())?;
    Store::open(&settings.store_path())?;
    println!("{}", file.display());
    for sub in [&p.inbox, &p.outbox, &p.archive, &p.lake] {
        println!("{}", settings.resolve(sub).display());
    }
    Ok(ExitCode::SUCCESS)
}
