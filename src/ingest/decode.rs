//! Text decoding at the edge: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
//! "Unicode text") and Shift_JIS/CP932 (Windows Excel's "CSV"), detected from the bytes.
//!
//! Rule (CRATES.md §9): a BOM or valid UTF-8 means UTF-8; otherwise Shift_JIS, which
//! encoding_rs decodes as Windows-31J (NEC and IBM extensions included). Binary data is
//! refused whole rather than loaded as mojibake.

use encoding_rs::{Encoding, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE};

/// Decoded text and the encoding it was found in.
#[derive(Debug)]
pub struct Decoded {
    /// The text, BOM removed.
    pub text: String,
    /// The encoding detected.
    pub encoding: &'static Encoding,
}

/// Why bytes could not be read as text.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// NUL bytes or many control characters: not a text file.
    Binary {
        /// 1-based line where binary data starts.
        line: usize,
    },
    /// The file holds no bytes.
    Empty,
}

/// Decodes a whole text file's bytes.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((enc, bom_len)) => (enc, &bytes[bom_len..]),
        None if std::str::from_utf8(bytes).is_ok() => (UTF_8, bytes),
        // Neither a BOM nor UTF-8: the encoding a `[sources.*]` map names, else Shift_JIS.
        None => (super::source_maps::installed().encoding.unwrap_or(SHIFT_JIS), bytes),
    };
    if encoding != UTF_16LE
        && encoding != UTF_16BE
        && let Some(pos) = bytes.iter().position(|b| *b == 0)
    {
        return Err(DecodeError::Binary { line: line_of(bytes, pos) });
    }
    let (text, _) = encoding.decode_without_bom_handling(body);
    let text = text.into_owned();
    check_text(&text)?;
    Ok(Decoded { text, encoding })
}

fn line_of(bytes: &[u8], pos: usize) -> usize {
    bytes[..pos].iter().filter(|b| **b == b'\n').count() + 1
}

/// Refuses text in which control characters show it was never text.
fn check_text(text: &str) -> Result<(), DecodeError> {
    let mut line = 1;
    let mut bad_in_line = 0;
    for c in text.chars() {
        match c {
            '\n' => {
                line += 1;
                bad_in_line = 0;
            }
            '\0' => return Err(DecodeError::Binary { line }),
            c if c.is_control() && c != '\t' && c != '\r' => {
                bad_in_line += 1;
                if bad_in_line >= 3 {
                    return Err(DecodeError::Binary { line });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected_from_the_bytes() {
        let text = "日時,利用施設\n2025-07-01,齋藤記念病院\n";
        let (sjis, _, _) = SHIFT_JIS.encode(text);
        let d = decode(&sjis).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (text, SHIFT_JIS));

        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).unwrap().text, text);
        assert_eq!(decode(text.as_bytes()).unwrap().encoding, UTF_8);

        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&utf16).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (text, UTF_16LE));
    }

    #[test]
    fn cp932_extensions_decode() {
        // NEC ① (0x8740), IBM 纊 (0xED40 NEC-selected), half-width ｶ (0xB6).
        let d = decode(&[0x87, 0x40, 0xED, 0x40, 0xB6]).unwrap();
        assert_eq!(d.text, "①纊ｶ");
    }

    #[test]
    fn binary_and_empty_files_are_refused() {
        assert_eq!(decode(b"").unwrap_err(), DecodeError::Empty);
        assert_eq!(decode(b"a,b\n1,2\n\x00\x01\x02").unwrap_err(), DecodeError::Binary { line: 3 });
        assert!(decode(&[0x01, 0x02, 0x03, 0x04, 0x05, 0xff, 0xfe, 0x81]).is_err());
    }
}
