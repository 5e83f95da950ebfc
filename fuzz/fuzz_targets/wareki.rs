//! 和暦 dates, months and fiscal years: any text never panics; a date written as 和暦
//! (令和7年7月1日, 元年 included) reads back as the same date.
#![no_main]
use arbitrary::Arbitrary;
use chrono::{Datelike, NaiveDate};
use libfuzzer_sys::fuzz_target;
use renkei_core::domain::era;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    text: &'a str,
    day: u32,
}

fuzz_target!(|input: Input<'_>| {
    let _ = era::parse_date(input.text);
    let _ = era::parse_month(input.text);
    let _ = era::parse_fiscal_year(input.text);
    let _ = era::looks_like_era(input.text);
    // 1873 (明治6年, the Gregorian calendar) to 2200.
    let base = NaiveDate::from_ymd_opt(1873, 1, 1).unwrap();
    let Some(d) = base.checked_add_days(chrono::Days::new(u64::from(input.day % 119_000))) else { return };
    let written = era::date_label(d);
    assert_eq!(era::parse_date(&written), Ok(d), "{written}");
    // The month's label is the era in force on its first day.
    let label = era::era_year_label(d.year(), (d.year(), d.month()));
    assert_eq!(era::parse_month(&format!("{label}年{}月", d.month())), Ok((d.year(), d.month())));
});
