//! Cell coercion of the spreadsheet kinds (dates, flags, money with a unit, fiscal years,
//! 合計 and note rows): never a panic on any cell.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use renkei_core::ingest::cells;
use renkei_core::ingest::grid::GridCell;

#[derive(Arbitrary, Debug)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(i64),
    Bool(bool),
}

fuzz_target!(|input: (Cell, u8)| {
    let cell = match input.0 {
        Cell::Empty => GridCell::Empty,
        Cell::Text(s) => GridCell::Text(s),
        Cell::Number(n) => GridCell::Number(n),
        Cell::Date(secs) => match chrono::DateTime::from_timestamp(secs % 10_000_000_000, 0) {
            Some(t) => GridCell::Date(t.naive_utc()),
            None => GridCell::Empty,
        },
        Cell::Bool(b) => GridCell::Bool(b),
    };
    let unit = [1, 1_000, 10_000][input.1 as usize % 3];
    let _ = cells::date(&cell);
    let _ = cells::flag(&cell);
    let _ = cells::money(&cell, unit);
    let _ = cells::fiscal_year(&cell);
    let text = cell.text();
    let _ = cells::fiscal_year_in(&text);
    let _ = cells::is_summary_or_note(&text);
    let _ = cells::total_kind(&text);
    let _ = cells::total_section(&text);
});
