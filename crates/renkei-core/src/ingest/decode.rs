//! Text decoding at the edge, as a stream: gzip undone, the encoding detected from the
//! first bytes and the text decoded to UTF-8 on the fly, so a 1 GB log never sits in
//! memory whole. UTF-8 (with or without BOM) passes through untouched; UTF-16 with BOM
//! (Excel's "Unicode text") and Shift_JIS/CP932 (Windows Excel's "CSV") are decoded.
//!
//! Rule (CRATES.md §9): a BOM decides; else the first [`SNIFF_BYTES`] decide: valid UTF-8
//! means UTF-8, anything else the encoding a `[sources.*]` map names, else Shift_JIS, which
//! encoding_rs decodes as Windows-31J (NEC and IBM extensions included). Binary data is
//! refused whole rather than loaded as mojibake.

use std::io::{self, BufRead, BufReader, Cursor, Read};

use encoding_rs::{Decoder, Encoding, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE};

/// Bytes read ahead to detect the encoding and the kind of file.
pub const SNIFF_BYTES: usize = 4 << 20;

/// Largest decompressed size of a gzip file.
pub const MAX_GUNZIPPED: u64 = 2 * 1024 * 1024 * 1024;

/// Longest run of bytes without a line break: past it the file is no text table and is
/// refused, so one endless line cannot take the machine's memory.
pub const MAX_LINE_BYTES: u64 = 128 * 1024 * 1024;

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
    /// Reading failed (a truncated gzip, a disk error); the message says which.
    Read(String),
}

/// A text file opened for reading as UTF-8.
pub struct TextStream {
    /// The encoding detected.
    pub encoding: &'static Encoding,
    /// The decoded start of the text, whole lines only (all of it for a short file): what
    /// detection looks at.
    pub head: String,
    /// The whole text from its start (BOM removed) as UTF-8 bytes.
    pub reader: Box<dyn Read + Send>,
}

impl TextStream {
    /// Opens `raw` (gzip undone when it starts with the gzip magic) and detects its
    /// encoding; text with neither a BOM nor valid UTF-8 is read as `fallback` (the
    /// encoding a `[sources.*]` map names), else Shift_JIS.
    pub fn new(
        raw: impl Read + Send + 'static,
        fallback: Option<&'static Encoding>,
    ) -> Result<TextStream, DecodeError> {
        let mut raw = BufReader::with_capacity(1 << 20, raw);
        let gzipped = raw.fill_buf().map_err(|e| DecodeError::Read(e.to_string()))?.starts_with(&[0x1f, 0x8b]);
        let mut raw: Box<dyn Read + Send> = if gzipped {
            Box::new(Limit { inner: flate2::read::MultiGzDecoder::new(raw), left: MAX_GUNZIPPED })
        } else {
            Box::new(raw)
        };
        let mut prefix = Vec::with_capacity(SNIFF_BYTES.min(1 << 16));
        (&mut raw).take(SNIFF_BYTES as u64).read_to_end(&mut prefix).map_err(|e| DecodeError::Read(read_error(&e)))?;
        if prefix.is_empty() {
            return Err(DecodeError::Empty);
        }
        let whole = prefix.len() < SNIFF_BYTES;
        let (encoding, bom_len) = match Encoding::for_bom(&prefix) {
            Some(found) => found,
            None if looks_utf8(&prefix, whole) => (UTF_8, 0),
            // Neither a BOM nor UTF-8: the encoding a `[sources.*]` map names, else Shift_JIS.
            None => (fallback.unwrap_or(SHIFT_JIS), 0),
        };
        if encoding != UTF_16LE
            && encoding != UTF_16BE
            && let Some(pos) = prefix.iter().position(|b| *b == 0)
        {
            return Err(DecodeError::Binary { line: line_of(&prefix, pos) });
        }
        let (decoded, _) = encoding.decode_without_bom_handling(&prefix[bom_len..]);
        let mut head = decoded.into_owned();
        if !whole {
            head.truncate(head.rfind('\n').map_or(0, |i| i + 1));
        }
        check_text(&head)?;
        prefix.drain(..bom_len);
        let text: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(raw));
        let reader: Box<dyn Read + Send> = if encoding == UTF_8 {
            text
        } else {
            Box::new(DecodeReader::new(text, encoding.new_decoder_without_bom_handling()))
        };
        Ok(TextStream { encoding, head, reader: Box::new(LineGuard { inner: reader, run: 0 }) })
    }

    /// The whole text as one string (for tables small enough to hold), checked for binary
    /// data throughout.
    pub fn read_all(mut self) -> Result<String, DecodeError> {
        let mut text = String::new();
        self.reader.read_to_string(&mut text).map_err(|e| DecodeError::Read(read_error(&e)))?;
        check_text(&text)?;
        Ok(text)
    }
}

/// The message for a read that failed midway.
pub fn read_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::FileTooLarge => e.to_string(),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            format!("gzip を展開できません。途中で切れているか壊れています（{e}）")
        }
        _ => format!("読み込みに失敗しました（{e}）"),
    }
}

/// Valid UTF-8, allowing a character cut by the end of a prefix that is not the whole file.
fn looks_utf8(prefix: &[u8], whole: bool) -> bool {
    match std::str::from_utf8(prefix) {
        Ok(_) => true,
        Err(e) => !whole && e.error_len().is_none(),
    }
}

fn line_of(bytes: &[u8], pos: usize) -> usize {
    bytes[..pos].iter().filter(|b| **b == b'\n').count() + 1
}

/// Refuses text in which control characters show it was never text.
pub fn check_text(text: &str) -> Result<(), DecodeError> {
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

/// Decodes a byte stream to UTF-8 with encoding_rs, a buffer at a time.
struct DecodeReader<R> {
    inner: R,
    decoder: Decoder,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    /// The decoder has been told the input ended and has given everything (encoding_rs
    /// panics if it is used again).
    finished: bool,
    /// Decoded bytes that did not fit a caller's tiny buffer, and how many are left.
    spill: [u8; 4],
    spilled: usize,
}

impl<R: Read> DecodeReader<R> {
    fn new(inner: R, decoder: Decoder) -> Self {
        let buf = vec![0; 1 << 16].into_boxed_slice();
        DecodeReader { inner, decoder, buf, start: 0, end: 0, eof: false, finished: false, spill: [0; 4], spilled: 0 }
    }

    fn decode_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.finished {
                return Ok(0);
            }
            if self.start == self.end && !self.eof {
                self.end = self.inner.read(&mut self.buf)?;
                self.start = 0;
                self.eof = self.end == 0;
            }
            let (result, read, written, _) =
                self.decoder.decode_to_utf8(&self.buf[self.start..self.end], out, self.eof);
            self.start += read;
            if self.eof && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
            if written > 0 || self.finished {
                return Ok(written);
            }
        }
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.spilled > 0 {
            let k = self.spilled.min(out.len());
            let from = 4 - self.spilled;
            out[..k].copy_from_slice(&self.spill[from..from + k]);
            self.spilled -= k;
            return Ok(k);
        }
        if out.len() >= 4 {
            return self.decode_into(out);
        }
        // One character may need 4 bytes: decode into a spill slot and hand out what fits.
        let mut small = [0u8; 4];
        let n = self.decode_into(&mut small)?;
        let k = n.min(out.len());
        out[..k].copy_from_slice(&small[..k]);
        self.spill[4 - (n - k)..].copy_from_slice(&small[k..n]);
        self.spilled = n - k;
        Ok(k)
    }
}

/// Stops a decompression at [`MAX_GUNZIPPED`] bytes (a gzip bomb is refused, not unpacked).
struct Limit<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Limit<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("展開後の大きさが上限（{} GB）を超えます。ファイルを分けて置いてください", MAX_GUNZIPPED >> 30),
            )
        })?;
        Ok(n)
    }
}

/// Refuses a line longer than [`MAX_LINE_BYTES`].
struct LineGuard<R> {
    inner: R,
    run: u64,
}

impl<R: Read> Read for LineGuard<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        match memchr::memrchr(b'\n', &out[..n]) {
            Some(i) => self.run = (n - i - 1) as u64,
            None => self.run += n as u64,
        }
        if self.run > MAX_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("改行のない部分が {} MB を超えます。表のテキストではありません", MAX_LINE_BYTES >> 20),
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes whole bytes through the stream.
    fn decode(bytes: &[u8]) -> Result<(String, &'static Encoding), DecodeError> {
        let stream = TextStream::new(Cursor::new(bytes.to_vec()), None)?;
        let encoding = stream.encoding;
        Ok((stream.read_all()?, encoding))
    }

    #[test]
    fn encodings_are_detected_from_the_bytes() {
        let text = "日時,利用施設\n2025-07-01,齋藤記念病院\n";
        let (sjis, _, _) = SHIFT_JIS.encode(text);
        assert_eq!(decode(&sjis).unwrap(), (text.to_string(), SHIFT_JIS));

        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).unwrap().0, text);
        assert_eq!(decode(text.as_bytes()).unwrap().1, UTF_8);

        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&utf16).unwrap(), (text.to_string(), UTF_16LE));
    }

    #[test]
    fn cp932_extensions_decode() {
        // NEC ① (0x8740), IBM 纊 (0xED40 NEC-selected), half-width ｶ (0xB6).
        assert_eq!(decode(&[0x87, 0x40, 0xED, 0x40, 0xB6]).unwrap().0, "①纊ｶ");
    }

    #[test]
    fn a_stream_longer_than_the_sniffed_prefix_decodes_across_every_buffer_edge() {
        // Multi-byte characters straddle the prefix end and the decoder's buffer edges.
        let line = "2025-07-01 09:00,ID-Link,齋藤記念病院,ｶﾞｿﾞｳ,①\r\n";
        let text = line.repeat(SNIFF_BYTES / line.len() * 2 + 7);
        let (sjis, _, _) = SHIFT_JIS.encode(&text);
        let stream = TextStream::new(Cursor::new(sjis.into_owned()), None).unwrap();
        assert_eq!(stream.encoding, SHIFT_JIS);
        assert!(stream.head.ends_with('\n') && stream.head.len() < text.len());
        assert!(text.starts_with(&stream.head));
        assert_eq!(stream.read_all().unwrap(), text);

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        let stream = TextStream::new(Cursor::new(gz.finish().unwrap()), None).unwrap();
        assert_eq!((stream.encoding, stream.read_all().unwrap()), (UTF_8, text));
    }

    #[test]
    fn binary_empty_truncated_and_endless_inputs_are_refused() {
        assert_eq!(decode(b"").unwrap_err(), DecodeError::Empty);
        assert_eq!(decode(b"a,b\n1,2\n\x00\x01\x02").unwrap_err(), DecodeError::Binary { line: 3 });
        assert!(decode(&[0x01, 0x02, 0x03, 0x04, 0x05, 0xff, 0xfe, 0x81]).is_err());

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, "a,b\n1,2\n".repeat(10_000).as_bytes()).unwrap();
        let mut bytes = gz.finish().unwrap();
        bytes.truncate(bytes.len() / 2);
        assert!(matches!(decode(&bytes), Err(DecodeError::Read(m)) if m.contains("gzip を展開できません")));

        let endless = std::io::repeat(b'x').take(MAX_LINE_BYTES + (2 << 20));
        let err = TextStream::new(endless, None).unwrap().read_all().unwrap_err();
        assert!(matches!(err, DecodeError::Read(m) if m.contains("改行のない部分")));
    }
}
