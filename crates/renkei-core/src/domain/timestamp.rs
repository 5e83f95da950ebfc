//! Access-log timestamps to Japan Standard Time wall-clock time.
//!
//! The bundled DuckDB has no ICU, so the store holds `TIMESTAMP` in JST (DESIGN "Tables");
//! inputs with an offset (`+09:00`, `Z`, `+0000`) are converted here, at the edge. Japan
//! has had no daylight saving time since 1951, so a fixed +9 h is exact.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use unicode_normalization::UnicodeNormalization;

use super::era;

const JST_OFFSET_MIN: i64 = 9 * 60;

/// Parses `2025-07-01 09:15:00`, `2025-07-01T09:15:00+09:00`, `2025-07-01T00:15:00Z`,
/// `2025/7/1 9:15`, `2025/07/01 09:15:00.123`, `2025年7月1日 9時15分`, era dates
/// (`令和7年7月1日 9:15`, `R7.7.1 9:15`, `㍻31年4月30日`) and Excel serials (`45839.385`) to
/// JST. No offset means JST already. An impossible era date says why (平成31年5月1日).
pub fn parse_jst(text: &str) -> Result<NaiveDateTime, String> {
    match fast_ascii(text.trim().as_bytes()) {
        Some(t) => Ok(t),
        None => general(text),
    }
}

/// Every form [`parse_jst`] takes, the slow way (the fast path's check in the tests).
fn general(text: &str) -> Result<NaiveDateTime, String> {
    let bad = || {
        format!(
            "日時として読めません: 「{text}」（例: 2025-07-01 09:15:00 / 2025/7/1 9:15 / 2025-07-01T00:15:00Z / 令和7年7月1日 9:15）"
        )
    };
    let t: std::borrow::Cow<str> =
        if text.is_ascii() { text.trim().into() } else { text.trim().nfkc().collect::<String>().into() };
    if let Some(serial) = excel_serial(&t) {
        return Ok(serial);
    }
    if era::looks_like_era(&t) || t.contains('年') {
        return japanese(&t, bad);
    }
    let (date_part, rest) = t.split_once([' ', 'T']).unwrap_or((&t, ""));
    let mut ymd = date_part.split(['-', '/']);
    let (Some(y), Some(m), Some(d), None) = (ymd.next(), ymd.next(), ymd.next(), ymd.next()) else {
        return Err(bad());
    };
    let date = NaiveDate::from_ymd_opt(
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    )
    .ok_or_else(bad)?;
    let rest = rest.trim();
    // Split the offset off the time: a trailing Z, or the last + / - (dates have no sign).
    let (time_part, offset_min) = if let Some(time) = rest.strip_suffix('Z') {
        (time, Some(0))
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let (time, off) = rest.split_at(pos);
        (time, Some(parse_offset(off).ok_or_else(bad)?))
    } else {
        (rest, None)
    };
    let local = NaiveDateTime::new(date, parse_time(time_part).ok_or_else(bad)?);
    Ok(match offset_min {
        None => local,
        Some(off) => local + Duration::minutes(JST_OFFSET_MIN - off),
    })
}

/// Reads a log's timestamps one after another: [`parse_jst`], remembering the last
/// Japanese date (`令和7年7月1日`, `2025年7月1日`), which in a log sorted by time repeats
/// for thousands of rows, so only its time is read again.
#[derive(Debug, Default)]
pub struct Timestamps {
    date_text: String,
    date: Option<NaiveDate>,
}

impl Timestamps {
    /// The JST time of `text`, as [`parse_jst`] reads it.
    pub fn parse(&mut self, text: &str) -> Result<NaiveDateTime, String> {
        let t = text.trim();
        if let Some(at) = fast_ascii(t.as_bytes()) {
            return Ok(at);
        }
        // Failures go through `general` with the text as given, so the message is
        // `parse_jst`'s own (found by fuzzing: a trimmed form feed read differently).
        let Some(end) = t.find('日').map(|i| i + '日'.len_utf8()) else { return general(text) };
        let (date_text, time_text) = t.split_at(end);
        if let (Some(date), true) = (self.date, date_text == self.date_text)
            && let Some(time) = ascii_time(time_text.trim())
        {
            return Ok(NaiveDateTime::new(date, time));
        }
        let at = general(text)?;
        self.date_text.clear();
        self.date_text.push_str(date_text);
        self.date = Some(at.date());
        Ok(at)
    }
}

/// `9:15` or `09:15:30` (ASCII only; anything else goes to the general parser).
fn ascii_time(t: &str) -> Option<NaiveTime> {
    if t.is_empty() {
        return Some(NaiveTime::MIN);
    }
    if !t.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    parse_time(t)
}

/// `2025年7月1日 9時15分` and era dates with an optional time (`令和7年7月1日 9:15`,
/// `R7.7.1 9:15:30`); the date ends at 日 or at the first space.
fn japanese(t: &str, bad: impl Fn() -> String) -> Result<NaiveDateTime, String> {
    let (date_part, time_part) = match t.find('日') {
        Some(at) => t.split_at(at + '日'.len_utf8()),
        None => t.split_once(char::is_whitespace).unwrap_or((t, "")),
    };
    let date = if era::looks_like_era(date_part) {
        era::parse_date(date_part)?
    } else {
        let digits: String = date_part.chars().filter(|c| !c.is_whitespace()).collect();
        let ymd = digits.strip_suffix('日').ok_or_else(&bad)?;
        let (y, md) = ymd.split_once('年').ok_or_else(&bad)?;
        let (m, d) = md.split_once('月').ok_or_else(&bad)?;
        NaiveDate::from_ymd_opt(
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        )
        .ok_or_else(&bad)?
    };
    // 9時15分30秒 → 9:15:30
    let time: String = time_part.trim().replace(['時', '分'], ":").replace('秒', "");
    Ok(NaiveDateTime::new(date, parse_time(time.trim_end_matches(':')).ok_or_else(bad)?))
}

/// An Excel date serial (days since 1899-12-30, the fraction the time of day), as a log
/// saved from Excel with the date column formatted as a number carries it. Only from 1970
/// (25569) on: a stray small number in a log's time column is refused, not read as 1900.
fn excel_serial(t: &str) -> Option<NaiveDateTime> {
    if !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let serial: f64 = t.parse().ok()?;
    if !(25_569.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    Some(base + Duration::milliseconds((serial * 86_400_000.0).round() as i64))
}

/// `9:15`, `09:15:00`, `09:15:00.123`; blank is midnight.
fn parse_time(text: &str) -> Option<NaiveTime> {
    if text.is_empty() {
        return Some(NaiveTime::MIN);
    }
    let mut hms = text.split(':');
    let h: u32 = hms.next()?.trim().parse().ok()?;
    let mi: u32 = hms.next()?.parse().ok()?;
    let (s, nanos) = match hms.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let s: u32 = whole.parse().ok()?;
            let frac9 = format!("{:0<9}", frac.get(..9.min(frac.len())).unwrap_or(""));
            (s, if frac.is_empty() { 0 } else { frac9.parse().ok()? })
        }
    };
    if hms.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_nano_opt(h, mi, s, nanos)
}

/// The ASCII forms most logs use, read byte by byte without allocating: `2025-07-01
/// 09:15:00`, `2025/7/1 9:15`, `T` instead of the space, seconds and a fraction optional,
/// then nothing (JST), `Z`, or an offset `+09:00` / `+0900` applied arithmetically. Anything
/// else (full-width digits, 年, era dates, serials) returns None for the general parser.
fn fast_ascii(t: &[u8]) -> Option<NaiveDateTime> {
    let year = t.get(..4)?;
    if !year.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let y = year.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    let sep = *t.get(4)?;
    if !matches!(sep, b'-' | b'/') {
        return None;
    }
    let mut at2 = 5;
    // One or two digits.
    let two = |at: &mut usize| -> Option<u32> {
        let mut n = 0u32;
        let start = *at;
        while *at < t.len() && *at - start < 2 && t[*at].is_ascii_digit() {
            n = n * 10 + u32::from(t[*at] - b'0');
            *at += 1;
        }
        (*at > start).then_some(n)
    };
    let m = two(&mut at2)?;
    if t.get(at2) != Some(&sep) {
        return None;
    }
    at2 += 1;
    let d = two(&mut at2)?;
    let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    if at2 == t.len() {
        return date.and_hms_opt(0, 0, 0);
    }
    if !matches!(t[at2], b' ' | b'T') {
        return None;
    }
    at2 += 1;
    let h = two(&mut at2)?;
    if t.get(at2) != Some(&b':') {
        return None;
    }
    at2 += 1;
    let exact2 = |at: &mut usize| -> Option<u32> {
        let (a, b) = (*t.get(*at)?, *t.get(*at + 1)?);
        if !(a.is_ascii_digit() && b.is_ascii_digit()) {
            return None;
        }
        *at += 2;
        Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
    };
    let mi = exact2(&mut at2)?;
    let mut sec = 0;
    let mut nanos = 0;
    if t.get(at2) == Some(&b':') {
        at2 += 1;
        sec = exact2(&mut at2)?;
        if t.get(at2) == Some(&b'.') {
            at2 += 1;
            let start = at2;
            let mut scale = 100_000_000u32;
            while at2 < t.len() && t[at2].is_ascii_digit() {
                if at2 - start < 9 {
                    nanos += u32::from(t[at2] - b'0') * scale;
                    scale /= 10;
                }
                at2 += 1;
            }
            if at2 == start {
                return None;
            }
        }
    }
    let local = NaiveDateTime::new(date, NaiveTime::from_hms_nano_opt(h, mi, sec, nanos)?);
    let offset_min: i64 = match &t[at2..] {
        [] => return Some(local),
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (hh, mm) = match rest {
                [a, b, b':', c, d] | [a, b, c, d] => ([*a, *b], [*c, *d]),
                _ => return None,
            };
            if !hh.iter().chain(mm.iter()).all(u8::is_ascii_digit) {
                return None;
            }
            let oh = i64::from(hh[0] - b'0') * 10 + i64::from(hh[1] - b'0');
            let om = i64::from(mm[0] - b'0') * 10 + i64::from(mm[1] - b'0');
            if oh > 14 || om >= 60 {
                return None;
            }
            if *sign == b'+' { oh * 60 + om } else { -(oh * 60 + om) }
        }
        _ => return None,
    };
    Some(local + Duration::minutes(JST_OFFSET_MIN - offset_min))
}

/// `+09:00`, `+0900`, `-05:00` → minutes east of UTC.
fn parse_offset(text: &str) -> Option<i64> {
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let h: i64 = digits[..2].parse().ok()?;
    let m: i64 = digits[2..].parse().ok()?;
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jst(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, s).unwrap()
    }

    #[test]
    fn timestamps_in_every_written_form_become_jst() {
        let cases = [
            ("2025-07-01 09:15:00", jst(2025, 7, 1, 9, 15, 0)),
            ("2025-07-01T09:15:00", jst(2025, 7, 1, 9, 15, 0)),
            ("2025-07-01T09:15:00+09:00", jst(2025, 7, 1, 9, 15, 0)),
            ("2025-07-01T00:15:00Z", jst(2025, 7, 1, 9, 15, 0)),
            ("2025-06-30T20:15:00-04:00", jst(2025, 7, 1, 9, 15, 0)),
            ("2025-07-01T00:15:00+0000", jst(2025, 7, 1, 9, 15, 0)),
            ("2025-06-30T23:30:00Z", jst(2025, 7, 1, 8, 30, 0)),
            ("2025/7/1 9:15", jst(2025, 7, 1, 9, 15, 0)),
            ("2025/07/01 09:15:00", jst(2025, 7, 1, 9, 15, 0)),
            ("２０２５／７／１　９：１５", jst(2025, 7, 1, 9, 15, 0)),
            ("2025-07-01", jst(2025, 7, 1, 0, 0, 0)),
            ("2025年7月1日 9:15", jst(2025, 7, 1, 9, 15, 0)),
            ("2025年7月1日 9時15分", jst(2025, 7, 1, 9, 15, 0)),
            ("2025年7月1日9時15分30秒", jst(2025, 7, 1, 9, 15, 30)),
            ("令和7年7月1日 9:15", jst(2025, 7, 1, 9, 15, 0)),
            ("令和7年7月1日", jst(2025, 7, 1, 0, 0, 0)),
            ("R7.7.1 09:15:00", jst(2025, 7, 1, 9, 15, 0)),
            ("H30/4/1 10:00", jst(2018, 4, 1, 10, 0, 0)),
            ("令和元年5月1日 0:00", jst(2019, 5, 1, 0, 0, 0)),
            ("㍻31年4月30日 23:59", jst(2019, 4, 30, 23, 59, 0)),
            ("㋿7年7月1日 9時15分", jst(2025, 7, 1, 9, 15, 0)),
            // Excel's serial for 2025-07-01 09:15 (45839 days after 1899-12-30, + 9.25 h).
            ("45839.385416666664", jst(2025, 7, 1, 9, 15, 0)),
            ("45839", jst(2025, 7, 1, 0, 0, 0)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_jst(text), Ok(want), "{text}");
        }
        let frac = parse_jst("2025-07-01 09:15:00.123").unwrap();
        assert_eq!(frac.and_utc().timestamp_subsec_millis(), 123);
    }

    #[test]
    fn the_fast_path_reads_what_the_general_parser_reads() {
        // Every form the fast path takes, checked against the general parser's reading.
        let forms = [
            "2025-07-01 09:15:00",
            "2025-07-01T09:15:00+09:00",
            "2025-07-01T00:15:00Z",
            "2025-06-30T20:15:00-04:00",
            "2025-07-01T00:15:00+0000",
            "2025-07-01T00:15:00.250+09:00",
            "2025-12-31T23:59:59.999999999Z",
            "2025/7/1 9:15",
            "2025/07/01 9:05:07",
            "2025-07-01",
            "2026-01-01T08:59:59+09:00",
            "2025-03-31T15:00:00Z",
        ];
        for text in forms {
            let fast = fast_ascii(text.as_bytes());
            assert!(fast.is_some(), "{text} takes the fast path");
            assert_eq!(fast.map(Ok), Some(general(text)), "{text}");
        }
        for text in [
            "2025-07-01T09:15+9",
            "2025-7-1T9:1",
            "2025/07-01 09:00",
            "2025-07-01 09:15:00 JST",
            "2025-07-01T09:15:00+09",
        ] {
            assert_eq!(fast_ascii(text.as_bytes()), None, "{text}");
        }
        // The year's end across the offset.
        assert_eq!(parse_jst("2025-12-31T15:00:00Z"), Ok(jst(2026, 1, 1, 0, 0, 0)));
    }

    #[test]
    fn a_log_read_row_by_row_reads_as_each_row_alone() {
        let mut times = Timestamps::default();
        for text in [
            "令和7年7月1日 9:15",
            "令和7年7月1日 9:16:30",
            "令和7年7月1日 9時17分",
            "令和7年7月1日",
            "令和7年7月2日 0:00",
            "2025年7月2日 23:59",
            "2025-07-03T00:00:00Z",
            "令和7年7月2日 ２３：００",
            "令和7年7月2日 25:00",
            "平成31年5月1日 9:00",
            "45839.385416666664",
        ] {
            assert_eq!(times.parse(text), parse_jst(text), "{text}");
        }
    }

    #[test]
    fn impossible_timestamps_are_refused() {
        for text in [
            "",
            "2025-02-30 10:00",
            "2025-07-01 25:00",
            "07/01/2025",
            "yesterday",
            "2025-07-01T09:15+9",
            "2025年2月30日 9:00",
            "令和7年7月 9:15",
            "0.5",
            "42",
        ] {
            assert!(parse_jst(text).is_err(), "{text}");
        }
        // An impossible era date says why.
        for (text, why) in [
            ("平成31年5月1日 9:00", "平成は 1989年1月8日 から 2019年4月30日 まで"),
            ("令和元年4月1日 9:00", "令和は 2019年5月1日 から 現在 まで"),
        ] {
            let err = parse_jst(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
