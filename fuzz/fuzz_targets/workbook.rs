//! Workbooks (xlsx, xls, ods) through the container guard and calamine: never a panic, and
//! the guard's limits hold (libFuzzer's -rss_limit_mb catches a blow-up).
#![no_main]
use libfuzzer_sys::fuzz_target;
use renkei_core::ingest::grid;

fuzz_target!(
    init: {
        // A reader panic that renkei contains (calamine on some broken .xls) is a refusal,
        // not a crash: let it unwind to `error::contain`; any other panic aborts as usual.
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !renkei_core::error::panic_is_contained() {
                abort(info);
            }
        }));
    },
    |data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else { return };
    let ext = ["xlsx", "xls", "ods"][which as usize % 3];
    if let Ok(grids) = grid::read_workbook(bytes, ext) {
        for g in &grids {
            for r in &g.rows {
                let _ = r.first_text();
            }
        }
    }
});
