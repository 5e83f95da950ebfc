//! Results for people: text tables aligned by display width (full-width Japanese lines
//! up), and CSV / JSON / xlsx to stdout or a file through `export`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use unicode_width::UnicodeWidthStr;

use super::args::{OutputArgs, OutputFormat};
use crate::audit_log as audit;
use crate::config::Settings;
use crate::error::Problem;
use crate::export;
use crate::store::{Cell, Table};

/// A result table as aligned text: numbers right-aligned, NULL as empty.
pub fn render_text(t: &Table) -> String {
    let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(Cell::to_string).collect()).collect();
    let right: Vec<bool> =
        (0..t.columns.len()).map(|c| t.rows.iter().any(|r| matches!(r[c], Cell::Int(_) | Cell::Float(_)))).collect();
    let mut text = table(&t.columns, &rows, &right);
    text.push_str(&format!("（{} 行）", t.rows.len()));
    text
}

/// The format asked for, else the one the `--out` file's extension names, else a table.
fn format_of(args: &OutputArgs) -> OutputFormat {
    args.format.unwrap_or_else(|| {
        match args
            .out
            .as_deref()
            .and_then(Path::extension)
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => OutputFormat::Csv,
            Some("json") => OutputFormat::Json,
            Some("xlsx") => OutputFormat::Xlsx,
            _ => OutputFormat::Table,
        }
    })
}

/// A result as text for stdout in `format` (xlsx cannot go to a terminal).
pub fn render_stdout(t: &Table, format: OutputFormat) -> anyhow::Result<String> {
    Ok(match format {
        OutputFormat::Table => render_text(t) + "\n",
        OutputFormat::Csv => String::from_utf8(export::csv(t, false)?)?,
        OutputFormat::Json => export::json(t) + "\n",
        OutputFormat::Xlsx => {
            return Err(Problem::new("xlsx は端末に表示できません")
                .hint("--out 結果.xlsx で書き出し先を指定してください")
                .into());
        }
    })
}

/// The format for stdout: `--format`, else a table.
pub fn stdout_format(args: &OutputArgs) -> OutputFormat {
    args.format.unwrap_or(OutputFormat::Table)
}

/// Writes a result where the user asked: stdout, or `--out FILE` (recorded in the audit log).
pub fn emit(settings: &Settings, t: &Table, args: &OutputArgs, statement: &str) -> anyhow::Result<()> {
    let format = format_of(args);
    let Some(path) = args.out.as_deref() else {
        std::io::stdout().lock().write_all(render_stdout(t, format)?.as_bytes())?;
        return Ok(());
    };
    let bytes = match format {
        OutputFormat::Table => (render_text(t) + "\n").into_bytes(),
        // A CSV file is for Excel: BOM and CRLF, so Japanese opens correctly by double-click.
        OutputFormat::Csv => export::csv(t, true)?,
        OutputFormat::Json => (export::json(t) + "\n").into_bytes(),
        OutputFormat::Xlsx => export::xlsx(&[("結果", t)])?,
    };
    std::fs::write(path, bytes).with_context(|| format!("{} を書けません", path.display()))?;
    audit::record(settings, "export", statement, Some(t.rows.len()), Some(path))?;
    println!("{}（{} 行）", path.display(), t.rows.len());
    Ok(())
}

/// Renders rows under headers; columns listed in `right` are right-aligned (numbers).
pub fn table(headers: &[String], rows: &[Vec<String>], right: &[bool]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.width());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.width());
            if i > 0 {
                out.push_str("  ");
            }
            if right.get(i).copied().unwrap_or(false) {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                if i + 1 < cells.len() {
                    out.push_str(&" ".repeat(pad));
                }
            }
        }
        out.trim_end().to_string()
    };
    let mut out = line(headers);
    out.push('\n');
    out.push_str(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_text_aligns_by_display_width() {
        let t = table(
            &["施設名".into(), "件数".into()],
            &[vec!["魚沼基幹病院".into(), "12".into()], vec!["BML".into(), "3,456".into()]],
            &[false, true],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[2], "魚沼基幹病院     12");
        assert_eq!(lines[3], "BML           3,456");
    }
}
