//! The spreadsheet-shaped input kinds behind one interface ([`Sheet`]): how a sheet is
//! recognised, parsed into rows and quarantined rows, and inserted. Each kind is one
//! implementation in its own file (`roster.rs`, `invoices.rs`…) and one line of
//! [`sheet_kinds!`]; detection ([`choose`]) and loading ([`load`]) are written once here,
//! and no kind falls through to another kind's parser. The access log is streamed instead
//! (`pipeline.rs`), since it is the one input too large to hold.

use super::detect::SourceKind;
use super::grid::Grid;
use super::headers::KindAliases;
use super::held::HeldReasons;
use super::matcher::FacilityMatcher;
use super::source_maps::Layouts;
use super::{Outcome, budget, enrollments, image_views, invoices, municipalities, quotes, roster};
use crate::error::Problem;
use crate::store::{FileLoad, FileMeta, QuarantineRow, Store};

/// What every parser may consult besides the sheet.
pub struct Context<'a> {
    /// The file as the user gave it, for messages.
    pub file: &'a str,
    /// Facility names from the roster and aliases.
    pub matcher: &'a FacilityMatcher,
    /// Header aliases and formats, with the council's `[sources.*]` maps.
    pub layouts: &'a Layouts,
}

impl Context<'_> {
    /// The header aliases of `kind`.
    pub fn aliases(&self, kind: SourceKind) -> &KindAliases {
        self.layouts.kind(kind.name())
    }
}

/// What a parse yields.
#[derive(Debug)]
pub struct Parsed<R> {
    /// Rows to store.
    pub rows: Vec<R>,
    /// Rows not stored, with why.
    pub held: Vec<QuarantineRow>,
    /// Things to check that do not stop the load (a subtotal that disagrees).
    pub warnings: Vec<String>,
}

impl<R> Default for Parsed<R> {
    fn default() -> Self {
        Parsed { rows: Vec::new(), held: Vec::new(), warnings: Vec::new() }
    }
}

impl<R> Parsed<R> {
    /// Rows and held rows, no warnings.
    pub fn of((rows, held): (Vec<R>, Vec<QuarantineRow>)) -> Parsed<R> {
        Parsed { rows, held, warnings: Vec::new() }
    }
}

/// One spreadsheet-shaped input kind.
pub trait Sheet {
    /// Which kind it is.
    const KIND: SourceKind;
    /// One parsed row.
    type Row;
    /// How well `grid` looks like this kind: the number of its header columns found, or
    /// None when it is not this kind at all.
    fn recognise(grid: &Grid, cx: &Context) -> Option<usize> {
        grid.find_header(cx.aliases(Self::KIND)).ok().map(|(_, map)| map.columns.len())
    }
    /// Reads the sheet; a [`Problem`] refuses the whole file.
    fn parse(grid: &Grid, cx: &Context) -> Result<Parsed<Self::Row>, Problem>;
    /// Stores the rows inside the file's transaction.
    fn insert(load: &mut FileLoad<'_>, rows: &[Self::Row]) -> anyhow::Result<()>;
}

/// Lists the sheet kinds once: detection tries them in this order, and loading dispatches
/// on the kind without a catch-all arm.
macro_rules! sheet_kinds {
    ($($kind:ty),* $(,)?) => {
        /// The best-matching kind of `grid`, with its score.
        fn recognise_any(grid: &Grid, cx: &Context) -> Option<(SourceKind, usize)> {
            let mut best: Option<(SourceKind, usize)> = None;
            $(
                if let Some(score) = <$kind>::recognise(grid, cx)
                    && best.is_none_or(|(_, b)| score > b)
                {
                    best = Some((<$kind>::KIND, score));
                }
            )*
            best
        }

        /// Parses and loads `grid` as `kind` in one transaction.
        pub fn load(store: &mut Store, cx: &Context, kind: SourceKind, grid: &Grid, file: Known) -> anyhow::Result<Outcome> {
            match kind {
                $(<$kind>::KIND => load_as::<$kind>(store, cx, grid, file),)*
                SourceKind::AccessLog => Err(not_a_sheet(cx.file).into()),
            }
        }
    };
}

sheet_kinds!(
    roster::Roster,
    image_views::ImageViews,
    municipalities::Municipalities,
    budget::Budget,
    quotes::Quotes,
    enrollments::Enrollments,
    invoices::Invoices,
);

/// A file whose bytes are new (or replace an earlier file's): its checksum and the file
/// it replaces, and whether `--replace` lets it replace files of the same period.
pub struct Known {
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// The earlier file with the same bytes, reloaded under `--replace`.
    pub replaces: Option<i32>,
    /// `--replace`: earlier files of the same period go.
    pub replace_same_period: bool,
}

fn load_as<K: Sheet>(store: &mut Store, cx: &Context, grid: &Grid, file: Known) -> anyhow::Result<Outcome> {
    let parsed = K::parse(grid, cx)?;
    let reasons = HeldReasons::of(&parsed.held);
    // A file from which no row would load is refused whole (issue 16).
    if parsed.rows.is_empty() {
        return Err(reasons.refuse(cx.file).into());
    }
    let meta = FileMeta { path: cx.file.to_string(), sha256: file.sha256, source: K::KIND.name().into() };
    let mut load = store.begin_file(meta)?;
    if let Some(id) = file.replaces {
        load.remove_file(id)?;
    }
    K::insert(&mut load, &parsed.rows)?;
    load.quarantine(&parsed.held)?;
    super::settle_same_period(&mut load, cx.file, file.replace_same_period)?;
    let rows = parsed.rows.len() as u64;
    load.commit(rows)?;
    Ok(Outcome::Loaded {
        source: K::KIND,
        rows,
        quarantined: parsed.held.len() as u64,
        skipped: skipped_rows(grid),
        warnings: parsed.warnings,
        held: reasons.top(3),
    })
}

/// The rows of a sheet every reader leaves out: 合計・小計・年度計 and ※ notes.
fn skipped_rows(grid: &Grid) -> u64 {
    grid.rows.iter().filter(|r| super::record::is_left_out(r)).count() as u64
}

fn not_a_sheet(file: &str) -> Problem {
    Problem::new(format!("{file} はアクセスログとして読めません"))
        .because("アクセスログは CSV・TSV・JSON Lines で受け付けます")
        .hint("元のシステムから CSV で出力してください")
}

/// Picks the sheet (and kind) to read: the first sheet a kind recognises, the kind whose
/// header matches the most columns; `forced` (`--source`) takes the first sheet as that kind.
pub fn choose<'g>(
    grids: &'g [Grid],
    forced: Option<SourceKind>,
    cx: &Context,
) -> Result<(SourceKind, &'g Grid), Problem> {
    if forced == Some(SourceKind::AccessLog) {
        return Err(not_a_sheet(cx.file));
    }
    for g in grids {
        if let Some(kind) = forced {
            return Ok((kind, g));
        }
        if let Some((kind, _)) = recognise_any(g, cx) {
            return Ok((kind, g));
        }
    }
    let first: Option<String> = grids
        .iter()
        .flat_map(|g| g.rows.iter().take(1))
        .map(|r| r.cells.iter().map(|c| c.text()).collect::<Vec<_>>().join("、"))
        .next();
    Err(Problem::refused(format!("{} が何のファイルか判別できませんでした", cx.file))
        .because(format!("どの種類の見出しとも一致しません。先頭の行: {}", first.unwrap_or_else(|| "（空）".into())))
        .hint("--source で種類を指定するか（renkei ingest --help）、見出しを直してください"))
}
