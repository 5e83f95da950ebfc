//! CSV/TSV tables as the spreadsheet-shaped kinds read them: the delimiter guess, the grid,
//! and the header row found for every built-in kind — never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use renkei_core::ingest::{detect, grid, headers};

fuzz_target!(|text: &str| {
    let delimiter = detect::delimiter(text);
    let Ok(g) = grid::read_csv(text, delimiter) else { return };
    for kind in headers::builtin_aliases().values() {
        if let Ok((row, map)) = g.find_header(kind) {
            assert!(row < g.rows.len());
            for field in map.missing(kind) {
                let _ = map.describe(field);
            }
        }
    }
    for r in &g.rows {
        let _ = r.first_text();
    }
});
