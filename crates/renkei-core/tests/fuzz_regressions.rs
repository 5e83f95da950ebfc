//! What the fuzzers found (fuzz/README.md), each kept as a test: the input, and what must
//! hold for it. Byte inputs too long to write here are in fuzz/regressions/.

use renkei_core::domain::names::matching_key;
use renkei_core::domain::timestamp::{Timestamps, parse_jst};
use renkei_core::domain::{FiscalYear, Month, era};
use renkei_core::ingest::decode::TextStream;
use renkei_core::ingest::{cells, grid};

fn regression(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fuzz/regressions/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn a_huge_era_year_is_refused_not_a_panic() {
    // cells: R4221251024 overflowed the Gregorian year (era.rs `expect`).
    assert!(era::parse_fiscal_year("R4221251024").is_err());
    assert!(FiscalYear::parse("R4221251024").is_err());
    assert!(cells::fiscal_year_in(";dzRR4221251024 7O").is_none());
    // wareki: R3000017.70 likewise, as a date.
    assert!(era::parse_date("R3000017.70").is_err());
    assert!(era::parse_month("令和99999999999年1月").is_err());
}

#[test]
fn a_six_byte_month_that_is_not_six_digits_is_refused_not_sliced() {
    // months_and_years: 「昭Œ」 is six bytes; slicing it at byte 4 panicked.
    assert!(Month::parse("昭Œ\0").is_err());
    assert!(Month::parse("2025あ").is_err());
    assert_eq!(Month::parse("202507"), Ok(Month::new(2025, 7).unwrap()));
}

#[test]
fn every_form_of_a_fiscal_year_has_one_range() {
    // months_and_years: 2200 was read but its label 令和182年度 was not; 令和200年度 was
    // read but 2218 was not.
    let fy = FiscalYear::parse("2200").unwrap();
    assert_eq!(FiscalYear::parse(&fy.label_ja()), Ok(fy));
    assert!(FiscalYear::parse("R200").is_err());
    assert!(FiscalYear::parse("2218").is_err());
    assert!(Month::parse("令和200年1月").is_err());
}

#[test]
fn a_date_is_written_in_the_era_of_its_day() {
    // wareki: 1989-01-15 was written 昭和64年1月15日, a day that does not exist.
    let d = chrono::NaiveDate::from_ymd_opt(1989, 1, 15).unwrap();
    assert_eq!(era::date_label(d), "平成元年1月15日");
    assert_eq!(era::parse_date(&era::date_label(d)), Ok(d));
}

#[test]
fn the_fast_timestamp_reader_says_what_the_general_one_says() {
    // timestamps: a form feed alone was trimmed by one reader and not the other.
    let mut column = Timestamps::default();
    for text in ["\u{c}", " \t", "843\u{c}3.11", "令和7年7月1日\u{c}9:15"] {
        assert_eq!(column.parse(text), parse_jst(text), "{text:?}");
    }
}

#[test]
fn a_facility_key_is_its_own_key() {
    // names: Arabic presentation forms that NFKC splits with a space; dropping the space
    // left marks in an order NFKC changes again.
    let text = "\0\0\0\u{fe7c}\u{fe78}";
    let key = matching_key(text);
    assert_eq!(matching_key(&key), key);
}

#[test]
fn the_shift_jis_decoder_is_not_used_after_it_finished() {
    // text_decoding: encoding_rs panics when a finished decoder is called again.
    let bytes = regression("decoder-used-after-finish.csv");
    let stream = TextStream::new(std::io::Cursor::new(bytes), None).unwrap();
    assert_eq!(stream.encoding.name(), "Shift_JIS");
    let text = stream.read_all().unwrap();
    assert!(text.starts_with("日時,"), "{}", &text[..40]);
}

#[test]
fn broken_xls_files_are_refused_not_a_panic_or_an_endless_allocation() {
    // workbook: calamine asserted inside its CFB reader (a panic), and on another file
    // followed a looping sector chain until the 2 GB cap.
    // A third declared a sheet whose rows wrap past zero: calamine reserved 24 GB for it.
    for name in [
        "calamine-panics.xls",
        "calamine-dimensions-upside-down.xls",
        "calamine-allocates-forever.xls",
        "calamine-reserves-declared-dimensions.xls",
        // A fourth put two cells far apart: calamine's dense grid between them was 35 GB.
        "calamine-spreads-cells-over-the-sheet.xls",
    ] {
        let err = grid::read_workbook(&regression(name), "xls").unwrap_err();
        assert!(err.contains(".xls") || err.contains("壊れています"), "{name}: {err}");
    }
}
