//! The zip guard in front of calamine (entry count, sizes, compression ratio): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = renkei_core::ingest::sheet_guard::check_zip(data);
});
