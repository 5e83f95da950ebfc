//! What can go wrong, written for the person at the keyboard, and the exit-code policy.
//!
//! Three kinds of trouble read differently (STYLE.md): a bad row is data and goes to
//! `quarantine`; a bad file or config is a [`Problem`] the user can fix (exit 1); anything
//! else is renkei's own failure (exit 2), said plainly with its cause chain.

use std::fmt;
use std::process::ExitCode;

/// Where a problem is, as a value (csv's `Position`): the file as the user gave it, the
/// sheet, the row as Excel shows it (for CSV the record number, the header being 1) or a
/// config file's line, and the column as letter and header. Rendered one way everywhere:
/// `予算書_R7.xlsx シート「R7」 14行目 C列「金額」`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The file as given.
    pub file: Option<String>,
    /// The sheet of a workbook.
    pub sheet: Option<String>,
    /// The row as Excel shows it, or the CSV record number.
    pub row: Option<u64>,
    /// What the row is, e.g. `（見出し）`.
    pub row_note: Option<&'static str>,
    /// A config file's line and column.
    pub line: Option<(usize, Option<usize>)>,
    /// The column: letter and header (`D列「利用施設」`) or a JSON key.
    pub column: Option<String>,
}

impl Location {
    /// A place in `file`.
    pub fn file(file: impl Into<String>) -> Location {
        Location { file: Some(file.into()), ..Location::default() }
    }
    /// In its sheet (None for text files).
    pub fn sheet(mut self, sheet: Option<&str>) -> Location {
        self.sheet = sheet.map(str::to_string);
        self
    }
    /// At a row.
    pub fn row(mut self, row: u64) -> Location {
        self.row = Some(row);
        self
    }
    /// At the header row.
    pub fn header(mut self) -> Location {
        self.row = Some(1);
        self.row_note = Some("（見出し）");
        self
    }
    /// In a column (letter and header).
    pub fn column(mut self, column: Option<impl Into<String>>) -> Location {
        self.column = column.map(Into::into).filter(|c: &String| !c.is_empty());
        self
    }
    /// At a config file's line (and column).
    pub fn line(mut self, line: usize, column: Option<usize>) -> Location {
        self.line = Some((line, column));
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.file.clone());
        parts.extend(self.sheet.as_ref().map(|s| format!("シート「{s}」")));
        parts.extend(self.row.map(|r| format!("{r}行目{}", self.row_note.unwrap_or(""))));
        parts.extend(self.line.map(|(l, c)| match c {
            Some(c) => format!("{l}行 {c}列"),
            None => format!("{l}行"),
        }));
        parts.extend(self.column.clone());
        f.write_str(&parts.join(" "))
    }
}

/// A problem the user can fix: what failed, where, the value, why, and one thing to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problem {
    /// One line saying what failed, e.g. "名簿.xlsx を取り込めませんでした".
    pub what: String,
    /// Where: file, sheet, row as Excel shows it, column letter and header (boxed: a
    /// `Result<_, Problem>` stays small).
    pub place: Option<Box<Location>>,
    /// The offending value (ID values already masked by the caller).
    pub value: Option<String>,
    /// Why it is wrong, with an example of what was expected.
    pub reason: Option<String>,
    /// One thing to do about it.
    pub hint: Option<String>,
}

impl Problem {
    /// A problem with only its headline; add detail with the builder methods.
    pub fn new(what: impl Into<String>) -> Self {
        Problem { what: what.into(), ..Problem::default() }
    }
    /// A file refused whole: `what` (e.g. "名簿.xlsx の年度を読めません") and the promise
    /// every refusal makes, that the store is unchanged.
    pub fn refused(what: impl Into<String>) -> Self {
        Problem::new(format!("{}（データベースは変更していません）", what.into()))
    }
    /// Sets where the problem is.
    pub fn at(mut self, place: Location) -> Self {
        self.place = Some(Box::new(place));
        self
    }
    /// Sets the offending value.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
    /// Sets why it is wrong.
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
    /// Sets what to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.what)?;
        match (&self.place, &self.value) {
            (Some(p), Some(v)) => write!(f, "\n  場所: {p}  値: 「{v}」")?,
            (Some(p), None) => write!(f, "\n  場所: {p}")?,
            (None, Some(v)) => write!(f, "\n  値: 「{v}」")?,
            (None, None) => {}
        }
        if let Some(r) = &self.reason {
            write!(f, "\n  理由: {r}")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  対処: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

/// Exit code when the user can fix what went wrong (a bad file, config or argument).
pub const EXIT_USER: u8 = 1;
/// Exit code when renkei itself failed.
pub const EXIT_INTERNAL: u8 = 2;

/// Prints an error to stderr the way users should see it and returns the exit code.
///
/// A [`Problem`] anywhere in the chain is the user's to fix (exit 1); anything else is
/// renkei's failure (exit 2) and its cause chain is shown for the log.
pub fn report(err: &anyhow::Error) -> ExitCode {
    if let Some(problem) = err.chain().find_map(|e| e.downcast_ref::<Problem>()) {
        eprintln!("エラー: {problem}");
        return ExitCode::from(EXIT_USER);
    }
    if let Some(e) = err.chain().find_map(|e| e.downcast_ref::<std::io::Error>())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        return ExitCode::SUCCESS;
    }
    if let Some(io) = err.chain().find_map(|e| e.downcast_ref::<std::io::Error>())
        && matches!(io.kind(), std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied)
    {
        let problem = Problem::new(format!("書き込めません: {err}"))
            .because(io.to_string())
            .hint("そのフォルダを renkei が書き込めるようにするか、renkei.toml の [paths] で書き込めるフォルダを指定して、同じコマンドをもう一度実行してください");
        eprintln!("エラー: {problem}");
        return ExitCode::from(EXIT_USER);
    }
    if let Some(cause) = disk_full(err) {
        let problem = Problem::new(format!("ディスクの空きが足りません: {err}"))
            .because(cause)
            .hint("ディスクの空きを作ってから、同じコマンドをもう一度実行してください（途中まで書いた分は取り消されています）");
        eprintln!("エラー: {problem}");
        return ExitCode::from(EXIT_USER);
    }
    eprintln!("エラー: renkei の内部で処理に失敗しました: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  原因: {cause}");
    }
    eprintln!("  対処: RENKEI_LOG=debug を付けて再実行し、ログを{REPORT_TO}に送ってください");
    ExitCode::from(EXIT_INTERNAL)
}

/// The cause, when an error comes of a full disk: an I/O error of that kind anywhere in
/// the chain, or DuckDB's message for it (DuckDB's errors arrive as text).
pub fn disk_full(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|e| {
        let io = e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull);
        let text = e.to_string();
        (io || text.contains("No space left on device") || text.contains("os error 28")).then_some(text)
    })
}

/// Where users are asked to report renkei's own failures.
pub const REPORT_TO: &str = "renkei の管理者（renkei.toml の [recipients] admin）";

/// Makes a panic read like every other failure of renkei's own (`エラー:` first, where,
/// what to do last) instead of Rust's message; `main` turns it into exit code 2.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if panic_is_contained() {
            return;
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned());
        let place = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
        eprintln!("{}", panic_message(what.as_deref(), place.as_deref()));
    }));
}

thread_local! {
    /// Inside [`contain`]: a panic there is expected and said by its caller instead.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic inside it into `Err` with its message, unprinted: for a
/// library that panics on malformed input instead of returning an error (calamine on some
/// broken .xls files, found by fuzzing), so that the file is refused, not renkei stopped.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let was = CONTAINED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "不明な理由".to_string())
    })
}

/// True while inside [`contain`] (a panic hook lets such a panic unwind to it quietly).
pub fn panic_is_contained() -> bool {
    CONTAINED.with(std::cell::Cell::get)
}

/// The text a panic prints (see [`install_panic_hook`]).
pub fn panic_message(what: Option<&str>, place: Option<&str>) -> String {
    let mut out = format!("エラー: renkei の内部で処理に失敗しました: {}", what.unwrap_or("不明な理由"));
    if let Some(p) = place {
        out.push_str(&format!("\n  場所: {p}"));
    }
    out.push_str(&format!("\n  対処: RENKEI_LOG=debug を付けて再実行し、出力を{REPORT_TO}に送ってください"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_reads_like_renkeis_other_failures() {
        assert_eq!(
            panic_message(Some("index out of bounds"), Some("src/report/board.rs:42")),
            "エラー: renkei の内部で処理に失敗しました: index out of bounds\n  場所: src/report/board.rs:42\n  対処: RENKEI_LOG=debug を付けて再実行し、出力をrenkei の管理者（renkei.toml の [recipients] admin）に送ってください"
        );
    }

    #[test]
    fn problem_renders_place_value_reason_and_hint_on_their_own_lines() {
        let p = Problem::new("予算書_R7.csv を取り込めませんでした（データベースは変更していません）")
            .at(Location::default().row(14).column(Some("C列「金額」")))
            .value("1,2,30円")
            .because("金額として読めません（例: 1,230円 / 123万円 / △1,230）")
            .hint("セルを直して、もう一度 renkei ingest を実行してください");
        assert_eq!(
            p.to_string(),
            "予算書_R7.csv を取り込めませんでした（データベースは変更していません）\n  場所: 14行目 C列「金額」  値: 「1,2,30円」\n  理由: 金額として読めません（例: 1,230円 / 123万円 / △1,230）\n  対処: セルを直して、もう一度 renkei ingest を実行してください"
        );
    }

    #[test]
    fn a_location_reads_file_sheet_row_and_column_in_that_order() {
        let at = Location::file("予算書.xlsx").sheet(Some("R7")).row(14).column(Some("C列「金額」"));
        assert_eq!(at.to_string(), "予算書.xlsx シート「R7」 14行目 C列「金額」");
        assert_eq!(Location::file("log.csv").header().to_string(), "log.csv 1行目（見出し）");
        assert_eq!(Location::file("renkei.toml").line(6, Some(3)).to_string(), "renkei.toml 6行 3列");
        assert_eq!(Location::file("a.csv").column(None::<String>).to_string(), "a.csv");
    }
}
