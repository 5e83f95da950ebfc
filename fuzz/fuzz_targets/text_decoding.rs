//! Encoding detection and decoding (UTF-8, BOMs, Shift_JIS, UTF-16, gzip): never a panic;
//! valid UTF-8 without a BOM reads back as itself when it is accepted.
#![no_main]
use libfuzzer_sys::fuzz_target;
use renkei_core::ingest::decode::TextStream;

fuzz_target!(|data: &[u8]| {
    let Ok(stream) = TextStream::new(std::io::Cursor::new(data.to_vec()), None) else { return };
    let encoding = stream.encoding;
    let Ok(text) = stream.read_all() else { return };
    if let Ok(utf8) = std::str::from_utf8(data) {
        let gzip_or_bom = data.starts_with(&[0x1f, 0x8b])
            || data.starts_with(b"\xEF\xBB\xBF")
            || data.starts_with(b"\xFF\xFE")
            || data.starts_with(b"\xFE\xFF");
        if !gzip_or_bom && encoding.name() == "UTF-8" {
            assert_eq!(text, utf8, "accepted UTF-8 must read back unchanged");
        }
    }
});
