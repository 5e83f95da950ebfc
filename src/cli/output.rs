//! Text tables for the terminal, aligned by display width so full-width Japanese lines up.

use unicode_width::UnicodeWidthStr;

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
    out.push_str(
        &widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
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
            &[
                vec!["魚沼基幹病院".into(), "12".into()],
                vec!["BML".into(), "3,456".into()],
            ],
            &[false, true],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[2], "魚沼基幹病院     12");
        assert_eq!(lines[3], "BML           3,456");
    }
}
