//! Timestamps in every form a log uses: never a panic, and the fast, caching reader of a
//! log's column agrees with the general one on every text, in any order.
#![no_main]
use libfuzzer_sys::fuzz_target;
use renkei_core::domain::timestamp::{Timestamps, parse_jst};

fuzz_target!(|texts: Vec<&str>| {
    let mut column = Timestamps::default();
    for t in texts {
        assert_eq!(column.parse(t), parse_jst(t), "{t:?}");
    }
});
