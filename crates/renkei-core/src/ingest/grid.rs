//! Spreadsheet-shaped input as a grid of typed cells with Excel row numbers: xlsx, xls
//! and ods through calamine, and CSV/TSV tables through the csv crate.
//!
//! The grid keeps title rows, footnotes and subtotal rows; the parsers that know each
//! kind (roster, invoices) find the header row and decide what to skip.

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xlsx, open_workbook_auto_from_rs, open_workbook_from_rs};
use chrono::NaiveDateTime;

use super::headers::{ColumnMap, KindAliases};
use super::sheet_guard;

/// Most cells in a sheet's used area (rows × columns), checked before it is densified.
const MAX_CELLS: u64 = 20_000_000;
/// Longest text cell kept (Excel's own limit is 32,767 characters).
const MAX_CELL_CHARS: usize = 32_767;

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum GridCell {
    /// Nothing in the cell.
    Empty,
    /// Text, trimmed.
    Text(String),
    /// A number (xlsx stores every number as a float).
    Number(f64),
    /// A date or date-time cell.
    Date(NaiveDateTime),
    /// TRUE / FALSE.
    Bool(bool),
}

impl GridCell {
    /// The cell as text for messages and text parsers.
    pub fn text(&self) -> String {
        match self {
            GridCell::Empty => String::new(),
            GridCell::Text(s) => s.clone(),
            GridCell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            GridCell::Number(n) => n.to_string(),
            GridCell::Date(d) => d.format("%Y-%m-%d").to_string(),
            GridCell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        }
    }
    /// True for an empty cell or blank text.
    pub fn is_blank(&self) -> bool {
        match self {
            GridCell::Empty => true,
            GridCell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// One row with the number Excel shows for it.
#[derive(Debug, Clone)]
pub struct GridRow {
    /// 1-based row number as Excel shows it (or CSV record number, header = 1).
    pub number: u64,
    /// Cells from column A.
    pub cells: Vec<GridCell>,
}

impl GridRow {
    /// The cell in column `i` (Empty past the end).
    pub fn cell(&self, i: usize) -> &GridCell {
        const EMPTY: GridCell = GridCell::Empty;
        self.cells.get(i).unwrap_or(&EMPTY)
    }
    /// True when every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(GridCell::is_blank)
    }
    /// The first non-blank cell's text.
    pub fn first_text(&self) -> String {
        self.cells.iter().find(|c| !c.is_blank()).map(GridCell::text).unwrap_or_default()
    }
}

/// A sheet or CSV table.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// The sheet name, for messages (None for CSV).
    pub sheet: Option<String>,
    /// Every non-empty row in order.
    pub rows: Vec<GridRow>,
}

impl Grid {
    /// The first row (within the first 30) whose cells name every required field of
    /// `kind`, with its column map; or the best partial match for the error message.
    pub fn find_header(&self, kind: &KindAliases) -> Result<(usize, ColumnMap), ColumnMap> {
        let mut best = ColumnMap::default();
        let keyed = kind.keyed();
        for (i, row) in self.rows.iter().take(30).enumerate() {
            let headers: Vec<String> = row.cells.iter().map(GridCell::text).collect();
            let map = ColumnMap::match_headers(&keyed, &headers);
            if map.missing(kind).is_empty() {
                return Ok((i, map));
            }
            if map.columns.len() > best.columns.len() {
                best = map;
            }
        }
        Err(best)
    }
    /// Where the sheet is, for messages: `名簿.xlsx シート「R7」` (a row and column are
    /// added to it).
    pub fn place(&self, file: &str) -> crate::error::Location {
        crate::error::Location::file(file).sheet(self.sheet.as_deref())
    }
}

/// Reads every sheet of an xlsx/xlsm/xls/ods workbook, after the container checks. A
/// workbook so broken that the reader panics is refused like any unreadable one.
pub fn read_workbook(bytes: &[u8], extension: &str) -> Result<Vec<Grid>, String> {
    crate::error::contain(|| read_checked(bytes, extension))
        .unwrap_or_else(|why| Err(format!("表計算ファイルとして読めません。壊れています（{why}）")))
}

fn read_checked(bytes: &[u8], extension: &str) -> Result<Vec<Grid>, String> {
    if bytes.len() as u64 > sheet_guard::MAX_FILE_BYTES {
        return Err(format!("ファイルが大きすぎます（上限 {} MB）", sheet_guard::MAX_FILE_BYTES >> 20));
    }
    if extension == "xls" {
        sheet_guard::check_cfb(bytes)?;
    } else {
        sheet_guard::check_zip(bytes)?;
    }
    if extension == "xlsx" || extension == "xlsm" {
        return read_xlsx(bytes);
    }
    let mut wb =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| format!("表計算ファイルとして読めません（{e}）"))?;
    let mut grids = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(|e| format!("シート「{name}」を読めません（{e}）"))?;
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<GridRow> = Vec::new();
        for (r, row) in range.rows().enumerate() {
            let mut cells = vec![GridCell::Empty; start_col as usize];
            cells.extend(row.iter().map(cell_from_data));
            push_row(&mut rows, start_row as u64 + r as u64 + 1, cells);
        }
        grids.push(Grid { sheet: Some(name), rows });
    }
    Ok(grids)
}

/// xlsx through the sparse cell reader: the used area is checked before anything dense
/// is built, so a sheet claiming cells at A1 and XFD1048576 is refused, not allocated.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Grid>, String> {
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| format!("Excel ファイルとして読めません（{e}）"))?;
    let mut grids = Vec::new();
    for name in wb.sheet_names() {
        let mut reader =
            wb.worksheet_cells_reader(&name).map_err(|e| format!("シート「{name}」を読めません（{e}）"))?;
        let dim = reader.dimensions();
        let area = (dim.end.0 as u64 + 1).saturating_mul(dim.end.1 as u64 + 1);
        if area > MAX_CELLS {
            return Err(format!(
                "シート「{name}」の使用範囲が大きすぎます（{} 行 × {} 列）",
                dim.end.0 + 1,
                dim.end.1 + 1
            ));
        }
        let mut by_row: std::collections::BTreeMap<u32, Vec<(u32, GridCell)>> = Default::default();
        let mut count: u64 = 0;
        while let Some(cell) = reader.next_cell().map_err(|e| format!("シート「{name}」を読めません（{e}）"))?
        {
            let (r, c) = cell.get_position();
            count += 1;
            if count > MAX_CELLS || (r as u64 + 1) * (c as u64 + 1) > MAX_CELLS {
                return Err(format!("シート「{name}」のセルが多すぎます"));
            }
            let value = cell_from_ref(cell.get_value());
            if value != GridCell::Empty {
                by_row.entry(r).or_default().push((c, value));
            }
        }
        let mut rows = Vec::new();
        for (r, cells) in by_row {
            let width = cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
            let mut dense = vec![GridCell::Empty; width];
            for (c, v) in cells {
                dense[c as usize] = v;
            }
            push_row(&mut rows, r as u64 + 1, dense);
        }
        grids.push(Grid { sheet: Some(name), rows });
    }
    Ok(grids)
}

fn push_row(rows: &mut Vec<GridRow>, number: u64, cells: Vec<GridCell>) {
    let row = GridRow { number, cells };
    if !row.is_blank() {
        rows.push(row);
    }
}

fn text_cell(s: &str) -> GridCell {
    let t = s.trim();
    if t.is_empty() { GridCell::Empty } else { GridCell::Text(t.chars().take(MAX_CELL_CHARS).collect()) }
}

fn cell_from_ref(v: &DataRef<'_>) -> GridCell {
    match v {
        DataRef::Int(i) => GridCell::Number(*i as f64),
        DataRef::Float(f) => GridCell::Number(*f),
        DataRef::String(s) => text_cell(s),
        DataRef::SharedString(s) => text_cell(s),
        DataRef::Bool(b) => GridCell::Bool(*b),
        DataRef::DateTime(d) => d.as_datetime().map_or(GridCell::Number(d.as_f64()), GridCell::Date),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text_cell(s),
        DataRef::Error(_) | DataRef::Empty => GridCell::Empty,
    }
}

fn cell_from_data(v: &Data) -> GridCell {
    match v {
        Data::Int(i) => GridCell::Number(*i as f64),
        Data::Float(f) => GridCell::Number(*f),
        Data::String(s) => text_cell(s),
        Data::Bool(b) => GridCell::Bool(*b),
        Data::DateTime(d) => d.as_datetime().map_or(GridCell::Number(d.as_f64()), GridCell::Date),
        Data::DateTimeIso(s) | Data::DurationIso(s) => text_cell(s),
        Data::Error(_) | Data::Empty => GridCell::Empty,
    }
}

/// Reads a CSV/TSV table (already decoded) into a grid; record numbers count the header as 1.
pub fn read_csv(text: &str, delimiter: u8) -> Result<Grid, String> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{} 行目を CSV として読めません（{e}）", i + 1))?;
        let cells = record.iter().map(text_cell).collect();
        push_row(&mut rows, i as u64 + 1, cells);
    }
    Ok(Grid { sheet: None, rows })
}
