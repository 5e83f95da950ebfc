//! The interactive SQL prompt: line editing and history (rustyline), statements over
//! several lines until `;`, and `.tables`, `.schema [TABLE]`, `.help`, `.quit`.
//!
//! The store is opened for each statement and closed after, so the daemon can still
//! write between them (DuckDB allows no writer beside an open reader). When stdin is not
//! a terminal, statements are read from it the same way (`renkei sql < questions.sql`).

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use super::args::OutputArgs;
use super::args::OutputFormat;
use super::output::{render_stdout, stdout_format};
use super::query::{schema_text, tables_text};
use super::sql::{execute, exit_code, is_complete, split_statements};
use crate::config::Settings;
use crate::error::Problem;
use crate::store::Store;

const HELP: &str = "SQL は ; で終えると実行します（複数行にわたって書けます）。
.tables          テーブルの一覧
.schema [表名]   列の一覧（説明つき）
.help            この説明
.quit            終了（Ctrl-D でも）";

/// Runs the prompt (or reads stdin when it is not a terminal).
pub fn run(settings: &Settings, output: &OutputArgs) -> anyhow::Result<ExitCode> {
    if output.out.is_some() {
        return Err(Problem::new("--out は -e か SQL ファイルと一緒に使ってください")
            .hint("renkei sql -e \"select ...\" --out 結果.xlsx のように指定してください")
            .into());
    }
    let format = stdout_format(output);
    render_stdout(&crate::store::Table::default(), format)?;
    // Fail early, before the first prompt, when there is no store at all.
    drop(Store::open_read_only(&settings.store_path())?);
    let mut session = Session { settings, format, buffer: String::new(), failed: false };
    if !std::io::stdin().is_terminal() {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        for line in text.lines() {
            if !session.line(line) {
                break;
            }
        }
        session.flush();
        return Ok(exit_code(session.failed));
    }
    eprintln!("renkei sql（読み取り専用）。.help で使い方、.quit で終了。");
    let mut editor = DefaultEditor::new()?;
    let history = settings.resolve(std::path::Path::new("var/sql_history"));
    let _ = editor.load_history(&history);
    loop {
        let prompt = if session.buffer.is_empty() { "renkei> " } else { "   ...> " };
        match editor.readline(prompt) {
            Ok(line) => {
                if session.buffer.is_empty() && line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                if !session.line(&line) {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => session.buffer.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    let _ = editor.save_history(&history);
    Ok(ExitCode::SUCCESS)
}

struct Session<'a> {
    settings: &'a Settings,
    format: OutputFormat,
    buffer: String,
    failed: bool,
}

impl Session<'_> {
    /// Takes one line; false when the user asked to quit.
    fn line(&mut self, line: &str) -> bool {
        let trimmed = line.trim();
        if self.buffer.is_empty() && trimmed.starts_with('.') {
            return self.dot_command(trimmed);
        }
        self.buffer.push_str(line);
        self.buffer.push('\n');
        if is_complete(&self.buffer) {
            self.flush();
        }
        true
    }

    /// Runs whatever complete statements the buffer holds.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.buffer);
        for statement in split_statements(&text) {
            let result = Store::open_read_only(&self.settings.store_path())
                .and_then(|store| execute(self.settings, &store, &statement))
                .and_then(|t| render_stdout(&t, self.format));
            self.report(result.map(|s| s.trim_end().to_string()));
        }
    }

    fn dot_command(&mut self, command: &str) -> bool {
        let mut words = command.split_whitespace();
        match words.next().unwrap_or("") {
            ".quit" | ".exit" | ".q" => return false,
            ".help" => println!("{HELP}"),
            ".tables" => self.report(Store::open_read_only(&self.settings.store_path()).and_then(|s| tables_text(&s))),
            ".schema" => {
                let table = words.next().map(str::to_string);
                self.report(
                    Store::open_read_only(&self.settings.store_path()).and_then(|s| schema_text(&s, table.as_deref())),
                );
            }
            other => self.report(Err(Problem::new(format!("{other} というコマンドはありません"))
                .hint(".help で一覧を表示できます")
                .into())),
        }
        true
    }

    fn report(&mut self, result: anyhow::Result<String>) {
        match result {
            Ok(text) => println!("{text}\n"),
            Err(e) => {
                self.failed = true;
                match e.downcast_ref::<Problem>() {
                    Some(p) => eprintln!("エラー: {p}\n"),
                    None => eprintln!("エラー: {e}\n"),
                }
            }
        }
    }
}
