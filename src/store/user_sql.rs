//! SQL typed by a person: split into statements outside quotes and comments, told complete
//! or not (the prompt's continuation lines), and its errors explained as the secretariat
//! should read them. Shared by `renkei sql` and the console.

use crate::error::Problem;

/// A SQL error as the secretariat should read it.
pub fn explain(e: &anyhow::Error) -> Problem {
    // DuckDB's own message ("Binder Error: ...") sits between our context and the C API's
    // bare error code in the chain.
    let text = e.chain().map(|c| c.to_string()).find(|s| s.contains("Error:")).unwrap_or_else(|| e.to_string());
    let p = Problem::new("SQL を実行できませんでした").because(text.clone());
    if ["read-only", "Permission", "locked", "disabled by configuration"].iter().any(|w| text.contains(w)) {
        p.hint("renkei sql は読み取り専用です（書き込み・外部ファイル・拡張機能・設定の変更はできません）")
    } else {
        p.hint("SQL を確かめてください（renkei schema でテーブルと列を一覧できます）")
    }
}

/// Splits SQL text into statements at `;` outside quotes and comments.
pub fn split_statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '-') if chars.peek() == Some(&'-') => {
                // A line comment runs to the end of the line.
                for c in chars.by_ref() {
                    if c == '\n' {
                        cur.push('\n');
                        break;
                    }
                }
            }
            (None, '/') if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
                cur.push(' ');
            }
            (None, ';') => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_string());
                }
                cur.clear();
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// True when the text ends a statement: its last `;` is outside quotes and nothing but
/// blanks and comments follow.
pub fn is_complete(text: &str) -> bool {
    let trimmed = text.trim_end();
    !split_statements(trimmed).is_empty() && {
        // Re-split with a marker: the text is complete when the marker forms its own statement.
        let marked = format!("{trimmed}\nrenkei_end_marker");
        split_statements(&marked).last().is_some_and(|s| s == "renkei_end_marker")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_outside_quotes_and_comments() {
        assert_eq!(split_statements("select 1; select 'a;b';"), vec!["select 1", "select 'a;b'"]);
        assert_eq!(split_statements("select \"x;y\" -- note; here\nfrom t"), vec!["select \"x;y\" \nfrom t"]);
        assert_eq!(split_statements("/* ; */ select 2"), vec!["select 2"]);
        assert!(split_statements("  ;; ").is_empty());
    }

    #[test]
    fn completeness_of_multi_line_input() {
        assert!(!is_complete("select *\nfrom facilities"));
        assert!(is_complete("select *\nfrom facilities;"));
        assert!(!is_complete("select 'a;"));
        assert!(is_complete("select 1; -- done"));
    }
}
