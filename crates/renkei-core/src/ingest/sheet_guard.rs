//! Checks on a spreadsheet's zip container before calamine parses it.
//!
//! calamine has no decompressed-size cap, and a tiny xlsx can make it abort the process
//! (calamine#693), which cannot be caught. So the central directory's declared sizes and
//! ratios are checked first, then every entry is unpacked (the zip reader refuses one
//! that grows past its declared size) to catch a directory that lies, and cells are read
//! through the sparse cell reader with a cap on the used area (see `grid`).

use std::io::Cursor;

/// Largest spreadsheet file read at all.
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// Largest total declared uncompressed size of the zip's entries.
const MAX_UNCOMPRESSED: u64 = 1024 * 1024 * 1024;
/// Largest compression ratio of one entry (real sheets stay well under 100).
const MAX_RATIO: u64 = 200;
/// Most entries in the container.
const MAX_ENTRIES: usize = 10_000;

/// Checks an xlsx/ods container; returns why it must not be opened.
pub fn check_zip(bytes: &[u8]) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("Excel ファイル（zip）として読めません。壊れているか途中で切れています（{e}）"))?;
    if archive.len() > MAX_ENTRIES {
        return Err(format!("zip の中のファイルが多すぎます（{} 個）", archive.len()));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| format!("zip の目次が壊れています（{e}）"))?;
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        if size > 1024 * 1024 && size / packed > MAX_RATIO {
            return Err(format!(
                "zip 爆弾の疑いがあります: {} は {} バイトに圧縮された {} バイトです",
                entry.name().unwrap_or_default(),
                packed,
                size
            ));
        }
        total = total.saturating_add(size);
    }
    if total > MAX_UNCOMPRESSED {
        return Err(format!("展開後の大きさが上限（{} MB）を超えます: {} MB", MAX_UNCOMPRESSED >> 20, total >> 20));
    }
    // The directory can lie about sizes. The zip reader stops an entry that unpacks past
    // its declared size (zip 9's size limit); unpacking each entry here names the lying
    // entry before calamine opens the file.
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| format!("zip の中身が壊れています（{e}）"))?;
        let name = entry.name().unwrap_or_default().to_string();
        std::io::copy(&mut entry, &mut std::io::sink())
            .map_err(|e| format!("zip の中の {name} を展開できません。壊れているか、目次と中身の大きさが合いません（zip 爆弾の疑い）（{e}）"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_zip_bomb_is_refused_before_parsing() {
        let mut buf = Vec::new();
        {
            let mut w = zip::ZipWriter::new(Cursor::new(&mut buf));
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
            let zeros = vec![b' '; 1024 * 1024];
            for _ in 0..64 {
                w.write_all(&zeros).unwrap();
            }
            w.finish().unwrap();
        }
        let err = check_zip(&buf).unwrap_err();
        assert!(err.contains("zip 爆弾"), "{err}");
    }

    #[test]
    fn garbage_is_not_a_zip() {
        assert!(check_zip(b"PK\x03\x04 truncated").is_err());
    }
}
