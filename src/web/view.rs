//! What every console page shares: the frame (title, navigation, notices), the error page,
//! result tables with Japanese headings and units, and dates shown both as 2025-07 and as
//! 令和7年7月.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::users::{Permission, Role};
use crate::domain::table::{Cell, Table};
use crate::domain::{Month, era};
use crate::error::Problem;
use crate::report::format;

/// The navigation bar of a logged-in page.
#[derive(Debug, Clone)]
pub struct Nav {
    /// Login name.
    pub user: String,
    /// Role in Japanese.
    pub role: &'static str,
    /// The current section (`status`, `ingest`, `questions`, `sql`, `reports`).
    pub active: &'static str,
    /// May type SQL.
    pub analyst: bool,
}

impl Nav {
    /// The bar for `user` in `role`, on `active`.
    pub fn new(user: &str, role: Role, active: &'static str) -> Nav {
        Nav { user: user.to_string(), role: role.label_ja(), active, analyst: role.may(Permission::Analyze) }
    }
}

/// A line above a page's content.
#[derive(Debug, Clone)]
pub struct Notice {
    /// `ok`, `warn` or `error`; the text says it too, never the colour alone.
    pub kind: &'static str,
    /// The text.
    pub text: String,
}

/// The frame around a page's content.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The `<title>` and heading.
    pub title: String,
    /// The navigation, when logged in.
    pub nav: Option<Nav>,
    /// Notices shown first.
    pub notices: Vec<Notice>,
}

impl Frame {
    /// A frame titled `title`.
    pub fn new(title: impl Into<String>, nav: Option<Nav>) -> Frame {
        Frame { title: title.into(), nav, notices: Vec::new() }
    }
    /// Adds a notice.
    pub fn notice(mut self, kind: &'static str, text: impl Into<String>) -> Frame {
        self.notices.push(Notice { kind, text: text.into() });
        self
    }
}

#[derive(Template)]
#[template(path = "web/message.html")]
struct MessagePage<'a> {
    frame: Frame,
    value: Option<&'a str>,
    reason: Option<&'a str>,
    hint: Option<&'a str>,
}

/// What a query stopped by its user's 取消 says.
pub const CANCELLED: &str = "取り消しました";

/// A page that could not be shown, or a refusal: status, what, why, what to do (boxed: a
/// `Result<_, Fail>` stays small).
#[derive(Debug, Clone)]
pub struct Fail(Box<Failed>);

#[derive(Debug, Clone)]
struct Failed {
    status: StatusCode,
    what: String,
    value: Option<String>,
    reason: Option<String>,
    hint: Option<String>,
    nav: Option<Nav>,
}

impl Fail {
    /// A failure with its headline.
    pub fn new(status: StatusCode, what: impl Into<String>) -> Fail {
        Fail(Box::new(Failed { status, what: what.into(), value: None, reason: None, hint: None, nav: None }))
    }
    /// A problem the user can fix (the command line's own message).
    pub fn problem(status: StatusCode, p: &Problem) -> Fail {
        Fail(Box::new(Failed {
            status,
            what: p.what.clone(),
            value: p.value.clone(),
            reason: p.reason.clone(),
            hint: p.hint.clone(),
            nav: None,
        }))
    }
    /// An error: a problem is shown as it is; anything else gets a reference number and is
    /// logged in full, never shown (no internals on the page).
    pub fn from_error(e: &anyhow::Error) -> Fail {
        if let Some(p) = e.chain().find_map(|c| c.downcast_ref::<Problem>()) {
            return Fail::problem(StatusCode::BAD_REQUEST, p);
        }
        let incident = hex::encode(rand::random::<[u8; 4]>());
        tracing::error!(incident, error = %format!("{e:#}"), "console request failed");
        Fail::new(StatusCode::INTERNAL_SERVER_ERROR, "処理に失敗しました")
            .because(format!("受付番号 {incident}（詳しくは renkei のログにあります）"))
            .hint("もう一度試し、続くようなら受付番号を添えて管理者に連絡してください")
    }
    /// Why.
    pub fn because(mut self, reason: impl Into<String>) -> Fail {
        self.0.reason = Some(reason.into());
        self
    }
    /// What to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Fail {
        self.0.hint = Some(hint.into());
        self
    }
    /// Shown with the navigation bar.
    pub fn nav(mut self, nav: Nav) -> Fail {
        self.0.nav = Some(nav);
        self
    }
    /// Whether this is the user's own 取消 (shown as done, not as an error).
    pub fn is_cancelled(&self) -> bool {
        self.0.what == CANCELLED
    }
    /// The failure as one notice: what, why, what to do.
    pub fn text(&self) -> String {
        let mut t = self.0.what.clone();
        if let Some(r) = &self.0.reason {
            t.push_str(&format!("。理由: {r}"));
        }
        if let Some(h) = &self.0.hint {
            t.push_str(&format!("。対処: {h}"));
        }
        t
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let f = self.0;
        let page = MessagePage {
            frame: Frame::new(f.what.clone(), f.nav.clone()),
            value: f.value.as_deref(),
            reason: f.reason.as_deref(),
            hint: f.hint.as_deref(),
        };
        (f.status, html(&page)).into_response()
    }
}

/// A rendered page as a response (a template error is renkei's own failure).
pub fn html(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "console template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "表示に失敗しました").into_response()
        }
    }
}

/// The page for an address the console does not have.
pub async fn not_found() -> Fail {
    Fail::new(StatusCode::NOT_FOUND, "このページはありません").hint("上の見出しから目的の画面を選んでください")
}

/// `2025-07（令和7年7月）`.
pub fn month_both(m: Month) -> String {
    format!("{m}（{}）", month_wareki(m))
}

/// `令和7年7月`.
pub fn month_wareki(m: Month) -> String {
    format!("{}年{}月", era::era_year_label(m.year(), (m.year(), m.month())), m.month())
}

/// One column of a result table.
#[derive(Debug, Clone)]
pub struct Column {
    /// The heading, with its unit: `閲覧件数（件）`.
    pub label: String,
    /// Numbers are right-aligned.
    pub right: bool,
}

/// One cell as shown.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The text.
    pub text: String,
    /// A tooltip (the 和暦 of a date).
    pub title: String,
}

#[derive(Template)]
#[template(path = "web/grid.html")]
struct GridHtml<'a> {
    caption: &'a str,
    columns: &'a [Column],
    rows: &'a [Vec<Shown>],
    note: &'a str,
}

/// A result table as HTML: headings with units from the query's `-- col:` lines, money as
/// 円, counts with separators, missing values as —, at most `limit` rows with the count said.
pub fn grid(caption: &str, table: &Table, units: &[(&str, &str)], limit: usize, more: bool) -> String {
    let unit_of = |name: &str| units.iter().find(|(n, _)| *n == name).map_or("", |(_, u)| *u);
    let columns: Vec<Column> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let unit = short_unit(unit_of(name));
            // A column with a unit is a number even when every value is missing.
            let right = !unit.is_empty() || table.rows.iter().any(|r| matches!(r[i], Cell::Int(_) | Cell::Float(_)));
            Column { label: if unit.is_empty() { name.clone() } else { format!("{name}（{unit}）") }, right }
        })
        .collect();
    let rows: Vec<Vec<Shown>> = table
        .rows
        .iter()
        .take(limit)
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| match c {
                    // A month column holds each month's first day: shown as 2025-07（令和7年7月）.
                    Cell::Date(d) if table.columns[i].ends_with('月') && chrono::Datelike::day(d) == 1 => {
                        Shown { text: month_both(Month::of(*d)), title: String::new() }
                    }
                    _ => show(c, short_unit(unit_of(&table.columns[i]))),
                })
                .collect()
        })
        .collect();
    let note = if more || table.rows.len() > limit {
        format!("先頭の {} 行を表示しています（ダウンロードにはすべての行が入ります）", format::count(limit as i64))
    } else {
        format!("{} 行", format::count(table.rows.len() as i64))
    };
    GridHtml { caption, columns: &columns, rows: &rows, note: &note }.render().unwrap_or_default()
}

/// The unit of a `-- col:` description: its first word (`件（自施設の…）` → `件`).
fn short_unit(desc: &str) -> &str {
    let first = desc.split(['（', ' ', '、']).next().unwrap_or("");
    if first.chars().count() <= 3 { first } else { "" }
}

/// A cell as the reports show it.
pub fn show(c: &Cell, unit: &str) -> Shown {
    let plain = |text: String| Shown { text, title: String::new() };
    match c {
        Cell::Null => Shown { text: "—".into(), title: "データなし".into() },
        Cell::Int(n) if unit == "円" => plain(format::yen(*n, false)),
        Cell::Int(n) => plain(format::count(*n)),
        Cell::Float(f) if unit == "円" => plain(format::yen(f.round() as i64, false)),
        Cell::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => plain(format::count(*f as i64)),
        Cell::Float(f) => plain(format!("{f:.3}").trim_end_matches('0').trim_end_matches('.').to_string()),
        Cell::Bool(b) => plain(if *b { "はい" } else { "いいえ" }.into()),
        Cell::Date(d) => Shown { text: d.to_string(), title: era::date_label(*d) },
        other => plain(other.to_string()),
    }
}

/// Every cell of a table as text (for the pages' fixed tables: files, held rows, ledger).
pub fn strings(t: &Table) -> Vec<Vec<String>> {
    t.rows.iter().map(|r| r.iter().map(Cell::to_string).collect()).collect()
}

/// `Content-Disposition` for a download: an ASCII fallback and the Japanese name (RFC 6266
/// with RFC 5987 encoding), so Edge and Chrome save `施設別利用_2025-07.xlsx`.
pub fn attachment(name: &str, fallback: &str) -> String {
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{}", percent_encode(name, ""))
}

/// Percent-encodes UTF-8 text for a URL or a header, keeping letters, digits, `-._` and
/// the characters of `keep` (`/` for a path).
pub fn percent_encode(text: &str, keep: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ if keep.as_bytes().contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_the_reports_write_them() {
        assert_eq!(show(&Cell::Int(1_330_000), "円").text, "1,330,000円");
        assert_eq!(show(&Cell::Int(-500), "円").text, "△500円");
        assert_eq!(show(&Cell::Int(12_345), "件").text, "12,345");
        assert_eq!(show(&Cell::Null, "件").text, "—");
        assert_eq!(show(&Cell::Float(0.125), "").text, "0.125");
        let d = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let shown = show(&Cell::Date(d), "");
        assert_eq!((shown.text.as_str(), shown.title.as_str()), ("2025-07-01", "令和7年7月1日"));
        assert_eq!(month_both(Month::new(2019, 5).unwrap()), "2019-05（令和元年5月）");
        let showa = chrono::NaiveDate::from_ymd_opt(1989, 1, 15).unwrap();
        assert_eq!(show(&Cell::Date(showa), "").title, "平成元年1月15日", "the era of the day, not of the month");
        assert_eq!(short_unit("件（自施設の情報を他施設が閲覧した件数）"), "件");
        assert_eq!(short_unit("請求・契約／予算／前の年度の実績"), "");
    }

    #[test]
    fn a_japanese_file_name_is_encoded_for_the_header() {
        assert_eq!(
            attachment("施設.xlsx", "question.xlsx"),
            "attachment; filename=\"question.xlsx\"; filename*=UTF-8''%E6%96%BD%E8%A8%AD.xlsx"
        );
    }
}
