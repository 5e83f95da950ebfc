//! Facility-name keys and header keys (NFKC, kana, spaces, 株式会社 and the rest): never a
//! panic, and a key is its own key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use renkei_core::domain::names::matching_key;
use renkei_core::ingest::headers::header_key;

fuzz_target!(|text: &str| {
    let key = matching_key(text);
    assert_eq!(matching_key(&key), key, "{text:?}");
    let _ = header_key(text);
});
