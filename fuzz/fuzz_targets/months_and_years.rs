//! Months (2025-07, 2025年7月, 令和7年7月) and fiscal years (2025, FY2025, R7, 令和7年度):
//! any text never panics; what renkei writes reads back as itself.
#![no_main]
use libfuzzer_sys::fuzz_target;
use renkei_core::domain::{FiscalYear, Month};

fuzz_target!(|text: &str| {
    if let Ok(m) = Month::parse(text) {
        assert_eq!(Month::parse(&m.to_string()), Ok(m));
        assert_eq!(Month::parse(&m.label_ja()), Ok(m));
    }
    if let Ok(fy) = FiscalYear::parse(text) {
        assert_eq!(FiscalYear::parse(&fy.year().to_string()).ok(), Some(fy));
        assert_eq!(FiscalYear::parse(&fy.label_ja()).ok(), Some(fy), "{}", fy.label_ja());
    }
});
