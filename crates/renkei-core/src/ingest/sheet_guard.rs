//! Checks on a spreadsheet's container before calamine parses it: the zip of xlsx and
//! ods, and the compound file (CFB) of the old .xls.
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

/// Free, end-of-chain and the other markers a FAT entry may hold instead of a sector.
const FAT_MARKERS: u32 = 0xFFFF_FFFA;

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Checks an .xls compound file: calamine follows its sector chains and trusts its stream
/// sizes, so a chain that loops or a size past the file makes it allocate until the
/// machine runs out of memory (found by fuzzing). Every chain of the FAT must end, each
/// sector be in at most one, and no stream be larger than the file.
pub fn check_cfb(bytes: &[u8]) -> Result<(), String> {
    let broken = |why: &str| format!("Excel 97-2003 ファイル（.xls）として読めません。壊れています（{why}）");
    if bytes.len() < 512 || bytes[..8] != [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
        return Err(broken("先頭が .xls の形ではありません"));
    }
    let shift = u16::from_le_bytes([bytes[0x1E], bytes[0x1F]]);
    if shift != 9 && shift != 12 {
        return Err(broken("セクターの大きさ"));
    }
    let size = 1usize << shift;
    let sectors = (bytes.len() - 512).div_ceil(size);
    let sector = |n: u32| -> Option<&[u8]> {
        let start = 512usize.checked_add((n as usize).checked_mul(size)?)?;
        bytes.get(start..(start + size).min(bytes.len()))
    };
    // The FAT's own sectors: 109 in the header, the rest along the DIFAT chain.
    let fat_count = le32(bytes, 0x2C).unwrap_or(0) as usize;
    if fat_count > sectors {
        return Err(broken("FAT の数"));
    }
    let mut fat_sectors: Vec<u32> = (0..109).filter_map(|i| le32(bytes, 0x4C + 4 * i)).take(fat_count).collect();
    let mut difat = le32(bytes, 0x44).unwrap_or(u32::MAX);
    let mut hops = 0;
    while fat_sectors.len() < fat_count && difat < FAT_MARKERS {
        hops += 1;
        let s = sector(difat).filter(|_| hops <= sectors).ok_or_else(|| broken("DIFAT"))?;
        let per = size / 4 - 1;
        fat_sectors.extend((0..per).filter_map(|i| le32(s, 4 * i)).take(fat_count - fat_sectors.len()));
        difat = le32(s, 4 * per).unwrap_or(u32::MAX);
    }
    let mut fat: Vec<u32> = Vec::with_capacity(fat_count * size / 4);
    for &f in &fat_sectors {
        let s = sector(f).ok_or_else(|| broken("FAT の場所"))?;
        fat.extend((0..s.len() / 4).filter_map(|i| le32(s, 4 * i)));
    }
    // A chain is a path through the FAT; walking each from its start, a sector seen twice
    // means two chains share it or one loops.
    let mut seen = vec![false; fat.len()];
    let mut walk = |start: u32| -> Result<usize, String> {
        let (mut at, mut n) = (start, 0usize);
        while at < FAT_MARKERS {
            let i = at as usize;
            if i >= fat.len() || seen[i] {
                return Err(broken("セクターのつながりが輪になっているか、重なっています"));
            }
            seen[i] = true;
            n += 1;
            at = fat[i];
        }
        Ok(n)
    };
    let dir_start = le32(bytes, 0x30).unwrap_or(u32::MAX);
    let mut dir: Vec<u8> = Vec::new();
    {
        let (mut at, mut n) = (dir_start, 0);
        while at < FAT_MARKERS && n <= sectors {
            dir.extend_from_slice(sector(at).ok_or_else(|| broken("目次の場所"))?);
            at = fat.get(at as usize).copied().unwrap_or(u32::MAX);
            n += 1;
        }
    }
    walk(dir_start)?;
    let mini_start = le32(bytes, 0x3C).unwrap_or(u32::MAX);
    if mini_start < FAT_MARKERS {
        walk(mini_start)?;
    }
    // Directory entries of 128 bytes: name (UTF-16) at 0, type at 66 (0 empty, 2 stream,
    // 5 root), start at 116, size at 120.
    let mut workbook: Option<(u32, u64)> = None;
    let mut root_start = u32::MAX;
    for entry in dir.chunks_exact(128) {
        let kind = entry[66];
        let name_len = (u16::from_le_bytes([entry[64], entry[65]]) as usize).min(64);
        let name: Vec<u16> = entry[..name_len].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let name = String::from_utf16_lossy(&name);
        let len = u64::from(le32(entry, 120).unwrap_or(0)) | (u64::from(le32(entry, 124).unwrap_or(0)) << 32);
        let start = le32(entry, 116).unwrap_or(u32::MAX);
        if kind == 2 && matches!(name.trim_end_matches('\0'), "Workbook" | "Book") {
            workbook = Some((start, len));
        }
        if kind == 5 {
            root_start = start;
        }
    }
    for entry in dir.chunks_exact(128) {
        let kind = entry[66];
        if kind == 0 {
            continue;
        }
        let len = u64::from(le32(entry, 120).unwrap_or(0)) | (u64::from(le32(entry, 124).unwrap_or(0)) << 32);
        if len > bytes.len() as u64 {
            return Err(broken("中のデータの大きさがファイルより大きい"));
        }
        let start = le32(entry, 116).unwrap_or(u32::MAX);
        // Streams under 4096 bytes live in the mini stream (its own FAT; calamine reads it
        // by the sizes checked here); the rest, and the root's mini stream, in sectors.
        if kind == 5 || (kind == 2 && len >= 4096) {
            walk(start)?;
        }
    }
    // The workbook stream's sheet dimensions: calamine reserves rows × columns cells from
    // each DIMENSIONS record before reading one, so a lying record (rows that wrap past
    // zero, 65,535 columns) asks for gigabytes (found by fuzzing).
    let Some((start, len)) = workbook else { return Ok(()) };
    let chain = |start: u32, table: &[u32], unit: usize, read: &dyn Fn(u32) -> Option<Vec<u8>>| -> Vec<u8> {
        let (mut at, mut out, mut n) = (start, Vec::new(), 0usize);
        while at < FAT_MARKERS && (out.len() as u64) < len && n <= table.len() {
            match read(at) {
                Some(b) => out.extend_from_slice(&b[..b.len().min(unit)]),
                None => break,
            }
            at = table.get(at as usize).copied().unwrap_or(u32::MAX);
            n += 1;
        }
        out.truncate(len as usize);
        out
    };
    let by_sector = |n: u32| sector(n).map(<[u8]>::to_vec);
    let stream = if len >= 4096 {
        chain(start, &fat, size, &by_sector)
    } else {
        // Small streams live in the mini stream (the root's chain) in 64-byte pieces.
        let mini = chain(root_start, &fat, size, &by_sector);
        let mini_fat_bytes = chain(mini_start, &fat, size, &by_sector);
        let mini_fat: Vec<u32> = (0..mini_fat_bytes.len() / 4).filter_map(|i| le32(&mini_fat_bytes, 4 * i)).collect();
        let piece = |n: u32| mini.get(n as usize * 64..(n as usize * 64 + 64).min(mini.len())).map(<[u8]>::to_vec);
        chain(start, &mini_fat, 64, &piece)
    };
    check_dimensions(&stream).map_err(|why| broken(&why))
}

/// Most cells a sheet may declare (the grid's own cap on the used area).
const MAX_DECLARED_CELLS: u64 = 20_000_000;

/// Every sheet of a BIFF stream is one calamine can hold: each DIMENSIONS record (0x0200)
/// declares a sane area, and the cells' own positions (calamine makes a dense grid from
/// the lowest to the highest row and column it meets, found by fuzzing at 35 GB) span at
/// most [`MAX_DECLARED_CELLS`].
fn check_dimensions(stream: &[u8]) -> Result<(), String> {
    // (first row, last row, first column, last column) of the cells of the current sheet.
    let mut span: Option<(u64, u64, u64, u64)> = None;
    let too_big =
        |(r0, r1, c0, c1): (u64, u64, u64, u64)| (r1 - r0 + 1).saturating_mul(c1 - c0 + 1) > MAX_DECLARED_CELLS;
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        let data = stream.get(at + 4..at + 4 + len).unwrap_or(&[]);
        let u16_at = |i: usize| data.get(i..i + 2).map_or(0, |b| u64::from(u16::from_le_bytes([b[0], b[1]])));
        match kind {
            0x0200 => {
                let u32_at = |i: usize| le32(data, i).map_or(0, u64::from);
                let (first_row, rows_end, mut first_col, cols_end) = match data.len() {
                    10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
                    14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
                    _ => (0, 0, 0, 0),
                };
                if first_col > 0xFF || cols_end < first_col {
                    first_col = 0;
                }
                if rows_end >= 1 && cols_end >= 1 {
                    if first_row > rows_end - 1 {
                        return Err("シートの大きさ（DIMENSIONS）が逆さまです".into());
                    }
                    let cells = (rows_end - first_row).saturating_mul(cols_end.saturating_sub(first_col));
                    if cells > MAX_DECLARED_CELLS {
                        return Err(format!("シートの大きさ（DIMENSIONS）が {cells} セルと申告されています"));
                    }
                }
            }
            // A sheet's BOF and EOF: each sheet's cells are spanned on their own.
            0x0809 | 0x000A => span = None,
            // Cell records: row and column first; MULRK and MULBLANK end with their last column.
            0x0006 | 0x0201 | 0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x00D6 | 0x00BD | 0x00BE
                if data.len() >= 4 =>
            {
                let (row, col) = (u16_at(0), u16_at(2));
                let last = if matches!(kind, 0x00BD | 0x00BE) { u16_at(data.len() - 2).max(col) } else { col };
                let s = span.map_or((row, row, col, last), |(r0, r1, c0, c1)| {
                    (r0.min(row), r1.max(row), c0.min(col), c1.max(last))
                });
                if too_big(s) {
                    return Err(format!(
                        "セルが {}×{} の範囲に散らばっています（上限 {MAX_DECLARED_CELLS} セル）",
                        s.1 - s.0 + 1,
                        s.3 - s.2 + 1
                    ));
                }
                span = Some(s);
            }
            _ => {}
        }
        at += 4 + len;
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
    fn a_real_xls_passes_and_a_looping_one_is_refused() {
        let xls =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/参加施設名簿_R6.xls")).unwrap();
        check_cfb(&xls).unwrap();
        // Point the directory's chain back at itself: calamine would follow it forever.
        let mut looping = xls.clone();
        let dir = le32(&xls, 0x30).unwrap() as usize;
        let fat = le32(&xls, 0x4C).unwrap() as usize;
        let at = 512 + fat * 512 + 4 * dir;
        looping[at..at + 4].copy_from_slice(&(dir as u32).to_le_bytes());
        assert!(check_cfb(&looping).unwrap_err().contains("輪"), "{:?}", check_cfb(&looping));
        assert!(check_cfb(b"not an xls").is_err());
    }

    #[test]
    fn garbage_is_not_a_zip() {
        assert!(check_zip(b"PK\x03\x04 truncated").is_err());
    }
}
