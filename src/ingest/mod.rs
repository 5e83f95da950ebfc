//! Ingest: detect, decode, parse, normalize, validate and pseudonymize input files, and
//! load each through the store's one-transaction-per-file API.
//!
//! A bad row goes to `quarantine`; a bad file is refused whole with a [`Problem`] and
//! changes nothing; the same bytes twice are "already ingested" (sha256).

pub mod access_log;
pub mod budget;
pub mod cells;
pub mod decode;
pub mod detect;
pub mod enrollments;
pub mod grid;
pub mod headers;
pub mod held;
pub mod image_views;
pub mod invoices;
pub mod jsonl;
pub mod matcher;
pub mod municipalities;
pub mod pipeline;
pub mod pseudonymize;
pub mod quotes;
pub mod record;
pub mod roster;
pub mod sheet_guard;
pub mod source_maps;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use sha2::{Digest, Sha256};

pub use detect::SourceKind;

use crate::error::Problem;
use crate::store::{FileLoad, FileMeta, Store};
use detect::Container;
use matcher::FacilityMatcher;
use pipeline::LogFormat;
use pseudonymize::{Key, Pseudonymizer};

/// DuckDB's memory limit while ingesting (the lake export after it included).
const INGEST_MEMORY: &str = "512MB";

/// What happened to one file.
#[derive(Debug)]
pub enum Outcome {
    /// Loaded: rows stored, rows quarantined.
    Loaded {
        /// The kind it was read as.
        source: SourceKind,
        /// Rows stored.
        rows: u64,
        /// Rows sent to quarantine.
        quarantined: u64,
        /// Rows left out on purpose: 合計・小計・年度計 rows and ※ notes.
        skipped: u64,
        /// Things to check that did not stop the load (a subtotal that disagrees).
        warnings: Vec<String>,
        /// The commonest reasons rows were held, with what to do.
        held: Vec<held::HeldReason>,
    },
    /// The same bytes were loaded before.
    AlreadyIngested {
        /// When (JST).
        at: String,
    },
    /// Refused whole; the store is unchanged.
    Rejected(Problem),
}

/// One file's line in the summary.
#[derive(Debug)]
pub struct FileReport {
    /// The path as given.
    pub path: PathBuf,
    /// What happened.
    pub outcome: Outcome,
    /// Seconds spent.
    pub seconds: f64,
}

/// Options of one ingest run.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Read every file as this kind instead of detecting it.
    pub source: Option<SourceKind>,
    /// Reload a file whose bytes were loaded before, replacing what it brought.
    pub replace: bool,
    /// The Parquet lake: an access log's Parquet is written there while it loads, for
    /// [`crate::store::lake::sync`] to move into place (None: the sync writes it all).
    pub lake: Option<PathBuf>,
}

/// Expands folders (recursively, sorted, skipping hidden and unknown files).
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("フォルダ {} を読めません", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|e| !detect::is_ignored(e))
                .collect();
            entries.sort();
            let (dirs, files): (Vec<_>, Vec<_>) = entries.into_iter().partition(|e| e.is_dir());
            out.extend(files.into_iter().filter(|f| detect::container(f).is_some()));
            out.extend(expand(&dirs)?);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Ingests files in order; rosters first, so logs in the same run can match their names.
pub fn ingest_files(
    store: &mut Store,
    key: &Key,
    files: &[PathBuf],
    opts: &IngestOptions,
) -> anyhow::Result<Vec<FileReport>> {
    check_key(store, key)?;
    // DuckDB would take 80 % of the machine's memory for its buffers; on a council's shared
    // PC an ingest stays small (peak RSS 612–628 MB on a 1.1 GB log) and spills to disk instead.
    // What spills is already pseudonymized: raw IDs never enter DuckDB.
    store.execute(&format!("SET memory_limit = '{INGEST_MEMORY}'"), &[])?;
    let mut ordered: Vec<&PathBuf> = files.iter().collect();
    // Rosters first (by name, then workbooks), so logs in the same run can match their names.
    ordered.sort_by_key(|p| (!looks_like_roster(p), !matches!(detect::container(p), Some(Container::Workbook(_)))));
    let mut ids = Pseudonymizer::new(key);
    let mut reports = Vec::new();
    for path in ordered {
        let started = Instant::now();
        let outcome = match ingest_file(store, &mut ids, path, opts) {
            Ok(o) => o,
            Err(e) => match e.downcast::<Problem>() {
                Ok(p) => Outcome::Rejected(p),
                Err(e) => {
                    return Err(e.context(format!("{} の取込中に失敗しました", path.display())));
                }
            },
        };
        tracing::info!(file = %path.display(), outcome = ?outcome, "ingested");
        reports.push(FileReport { path: path.clone(), outcome, seconds: started.elapsed().as_secs_f64() });
    }
    Ok(reports)
}

/// Rosters are named so in most councils; the content decides the kind in the end.
fn looks_like_roster(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.contains("名簿") || name.to_ascii_lowercase().contains("roster")
}

/// Records the key's fingerprint on first use and refuses a different key later.
fn check_key(store: &mut Store, key: &Key) -> anyhow::Result<()> {
    let fp = key.fingerprint();
    let stored = store.query("SELECT value FROM store_meta WHERE name = 'key_fingerprint'", &[])?;
    match stored.rows.first().and_then(|r| r[0].as_str()) {
        Some(s) if s == fp => Ok(()),
        Some(_) => Err(Problem::new("仮名化の鍵がデータベースと一致しません")
            .because("このデータベースは別の鍵で仮名化されています。このまま取り込むと同じ患者が別人として数えられます")
            .hint("[paths] key に、このデータベースを作ったときの鍵ファイルを指定してください")
            .into()),
        None => {
            store.execute("INSERT INTO store_meta VALUES ('key_fingerprint', ?)", &[duckdb::types::Value::Text(fp)])?;
            Ok(())
        }
    }
}

fn ingest_file(
    store: &mut Store,
    ids: &mut Pseudonymizer,
    path: &Path,
    opts: &IngestOptions,
) -> anyhow::Result<Outcome> {
    let file = path.display().to_string();
    let unreadable = |e: std::io::Error| -> anyhow::Error {
        Problem::new(format!("{file} を読めません"))
            .because(e.to_string())
            .hint("ファイルの場所と読み取り権限を確かめてください")
            .into()
    };
    // The SHA-256 is read on its own thread while the file is opened and, for a log,
    // parsed; nothing is written before it says whether the bytes are new.
    std::thread::scope(|scope| {
        let hashing = scope.spawn(|| hash_file(path));
        let sha256 =
            move || hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)).map_err(unreadable);
        let matcher = FacilityMatcher::load(store)?;
        let reject = |reason: String, hint: &str| -> anyhow::Error {
            Problem::refused(format!("{file} を取り込めませんでした")).because(reason).hint(hint).into()
        };
        if let Some(Container::Workbook(ext)) = detect::container(path) {
            let sha256 = sha256()?;
            let previous_id = match seen_before(store, &sha256, opts)?.previous() {
                Ok(id) => id,
                Err(again) => return Ok(again),
            };
            let bytes = std::fs::read(path).map_err(unreadable)?;
            let grids = grid::read_workbook(&bytes, ext)
                .map_err(|e| reject(e, "Excel で開けるか確かめ、保存し直してから置いてください"))?;
            let (kind, grid) = choose_grid(&file, &grids, opts.source, &matcher)?;
            return load_grid(store, &matcher, &file, sha256, kind, grid, previous_id, opts.replace);
        }
        let bar = progress(&file, std::fs::metadata(path).map_err(unreadable)?.len());
        let raw = std::fs::File::open(path).map_err(unreadable)?;
        let not_text = |e: decode::DecodeError| match e {
            decode::DecodeError::Empty => reject("ファイルが空です".into(), "中身のあるファイルを置いてください"),
            decode::DecodeError::Binary { line } => reject(
                format!("{line} 行目以降がテキストではありません（バイナリデータか、壊れたファイルです）"),
                "CSV として出力し直してから置いてください",
            ),
            decode::DecodeError::Read(reason) => reject(reason, "元のファイルを出力し直すか、圧縮し直してください"),
        };
        let stream = decode::TextStream::new(bar.wrap_read(raw)).map_err(not_text)?;
        let delimiter = detect::delimiter(&stream.head);
        let header_line = stream.head.lines().next().unwrap_or("");
        let log_header = grid::read_csv(header_line, delimiter)
            .is_ok_and(|g| g.find_header(&headers::aliases()["access_log"]).is_ok());
        let log_format = match jsonl::detect(&stream.head) {
            Some(shape) if opts.source.is_none_or(|s| s == SourceKind::AccessLog) => Some(LogFormat::Json(shape)),
            _ if opts.source == Some(SourceKind::AccessLog) || (opts.source.is_none() && log_header) => {
                Some(LogFormat::Delimited(delimiter))
            }
            _ => None,
        };
        if let Some(format) = log_format {
            // With no roster every row would be an unknown facility (a forced --source with
            // the wrong header is told about its header instead).
            if matcher.is_empty() && (log_header || matches!(format, LogFormat::Json(_))) {
                return Err(no_roster_yet(&file));
            }
            let begin = |store: &Store| -> anyhow::Result<pipeline::Begin> {
                let sha256 = sha256()?;
                Ok(match seen_before(store, &sha256, opts)?.previous() {
                    Err(again) => pipeline::Begin::Skip(again),
                    Ok(replaces) => pipeline::Begin::Load {
                        meta: FileMeta { path: file.clone(), sha256, source: SourceKind::AccessLog.name().into() },
                        replaces,
                        replace_same_period: opts.replace,
                    },
                })
            };
            let outcome =
                pipeline::load_log(store, ids, &matcher, &file, stream.reader, format, opts.lake.as_deref(), begin)?;
            bar.finish_and_clear();
            return Ok(outcome);
        }
        let text = stream.read_all().map_err(not_text)?;
        bar.finish_and_clear();
        let sha256 = sha256()?;
        let previous_id = match seen_before(store, &sha256, opts)?.previous() {
            Ok(id) => id,
            Err(again) => return Ok(again),
        };
        let grid = grid::read_csv(&text, delimiter).map_err(|e| reject(e, "CSV として出力し直してください"))?;
        let (kind, grid) = choose_grid(&file, std::slice::from_ref(&grid), opts.source, &matcher)?;
        load_grid(store, &matcher, &file, sha256, kind, grid, previous_id, opts.replace)
    })
}

/// Whether the same bytes were loaded before.
enum Seen {
    /// Never.
    New,
    /// Yes, and they are left as they are.
    Again(Outcome),
    /// Yes, as this file, which `--replace` replaces.
    Replacing(i32),
}

impl Seen {
    /// The earlier file a load replaces (`Ok(None)` for new bytes), or the outcome when
    /// the bytes are left as they are.
    fn previous(self) -> Result<Option<i32>, Outcome> {
        match self {
            Seen::New => Ok(None),
            Seen::Replacing(id) => Ok(Some(id)),
            Seen::Again(outcome) => Err(outcome),
        }
    }
}

fn seen_before(store: &Store, sha256: &str, opts: &IngestOptions) -> anyhow::Result<Seen> {
    let previous = store.query(
        "SELECT source_file_id, strftime(ingested_at, '%Y-%m-%d %H:%M') FROM ingested_files WHERE sha256 = ?",
        &[duckdb::types::Value::Text(sha256.to_string())],
    )?;
    Ok(match previous.rows.first() {
        None => Seen::New,
        Some(row) if !opts.replace => Seen::Again(Outcome::AlreadyIngested { at: row[1].to_string() }),
        Some(row) => Seen::Replacing(row[0].as_i64().expect("an integer id") as i32),
    })
}

/// Splits `files` into reports for those whose bytes `store` already holds and the rest,
/// so a scheduled ingest of an unchanged inbox reads the store without locking it for writing.
pub fn split_known(store: &Store, files: &[PathBuf]) -> anyhow::Result<(Vec<FileReport>, Vec<PathBuf>)> {
    let (mut known, mut new) = (Vec::new(), Vec::new());
    for path in files {
        let started = Instant::now();
        // An unreadable file is left to the real ingest, which says what is wrong with it.
        let seen = match hash_file(path) {
            Ok(sha) => seen_before(store, &sha, &IngestOptions::default())?,
            Err(_) => Seen::New,
        };
        match seen {
            Seen::Again(outcome) => {
                known.push(FileReport { path: path.clone(), outcome, seconds: started.elapsed().as_secs_f64() })
            }
            _ => new.push(path.clone()),
        }
    }
    Ok((known, new))
}

/// SHA-256 of a file, read in pieces.
fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match std::io::Read::read(&mut file, &mut buf)? {
            0 => return Ok(hex::encode(hasher.finalize())),
            n => hasher.update(&buf[..n]),
        }
    }
}

/// A file whose rows repeat an earlier file's period (a corrected export, or the same data
/// under another name) is refused, naming the earlier file, unless `--replace` asks for the
/// earlier file's rows to go; they go in this same transaction.
pub(crate) fn settle_same_period(load: &mut FileLoad<'_>, file: &str, replace: bool) -> anyhow::Result<()> {
    let overlaps = load.overlaps()?;
    if overlaps.is_empty() {
        return Ok(());
    }
    if replace {
        for o in &overlaps {
            load.remove_file(o.source_file_id)?;
        }
        return Ok(());
    }
    let earlier: Vec<String> = overlaps.iter().map(|o| format!("{}（{}）", o.path, o.what)).collect();
    Err(Problem::refused(format!("{file} を取り込みませんでした"))
        .because(format!("すでに取り込んだ {}と同じ期間のデータです。両方を数えると二重になります", earlier.join("、")))
        .hint(format!("訂正版で置き換えるときは renkei ingest --replace {file} を実行してください"))
        .into())
}

/// Logs name facilities; with no roster loaded every row would be an unknown facility.
fn no_roster_yet(file: &str) -> anyhow::Error {
    Problem::refused(format!("{file} を取り込みませんでした"))
        .because("参加施設名簿がまだ取り込まれていないため、ログの施設名を照合できません")
        .hint("先に名簿（施設名・種別・市町の列がある表）を renkei ingest で取り込んでから、もう一度実行してください")
        .into()
}

/// A progress bar for a long file (by bytes read), on stderr; hidden when stderr is not a
/// terminal (indicatif's default) and for files too short to need one.
fn progress(file: &str, bytes: u64) -> indicatif::ProgressBar {
    if bytes < 16 << 20 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(bytes);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} 残り {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(file.to_string());
    bar
}

/// Picks the sheet (and kind) to read: the first sheet a kind recognises, the kind whose
/// header matches the most columns.
fn choose_grid<'g>(
    file: &str,
    grids: &'g [grid::Grid],
    forced: Option<SourceKind>,
    matcher: &FacilityMatcher,
) -> anyhow::Result<(SourceKind, &'g grid::Grid)> {
    if forced == Some(SourceKind::AccessLog) {
        return Err(Problem::new(format!("{file} はアクセスログとして読めません"))
            .because("アクセスログは CSV・TSV で受け付けます")
            .hint("元のシステムから CSV で出力してください")
            .into());
    }
    for g in grids {
        if let Some(kind) = forced {
            return Ok((kind, g));
        }
        let score = |kind: SourceKind| -> Option<usize> {
            match kind {
                SourceKind::ImageViews => image_views::matches(g, matcher).then_some(3),
                SourceKind::AccessLog => None,
                k => g.find_header(&headers::aliases()[k.name()]).ok().map(|(_, map)| map.columns.len()),
            }
        };
        let best = SourceKind::TABULAR.iter().filter_map(|k| score(*k).map(|s| (*k, s))).max_by_key(|(_, s)| *s);
        if let Some((kind, _)) = best {
            return Ok((kind, g));
        }
    }
    let found: Vec<String> = grids
        .iter()
        .flat_map(|g| g.rows.iter().take(3))
        .map(|r| r.cells.iter().map(|c| c.text()).collect::<Vec<_>>().join("、"))
        .collect();
    Err(Problem::refused(format!("{file} が何のファイルか判別できませんでした"))
        .because(format!(
            "どの種類の見出しとも一致しません。先頭の行: {}",
            found.first().cloned().unwrap_or_else(|| "（空）".into())
        ))
        .hint("--source で種類を指定するか（renkei ingest --help）、見出しを直してください")
        .into())
}

/// The rows of a sheet every reader leaves out: 合計・小計・年度計 and ※ notes.
fn skipped_rows(grid: &grid::Grid) -> u64 {
    grid.rows.iter().filter(|r| cells::is_summary_or_note(&r.first_text())).count() as u64
}

/// Rows of a tabular source other than the roster, parsed before any transaction opens.
enum Rows {
    Invoices(Vec<crate::store::InvoiceRow>),
    ImageViews(Vec<crate::store::ImageViewRow>),
    Municipalities(Vec<crate::store::MunicipalityRow>),
    Budget(Vec<crate::store::BudgetRow>),
    Quotes(Vec<crate::store::QuoteRow>),
    Enrollments(Vec<crate::store::EnrollmentRow>),
}

#[allow(clippy::too_many_arguments)]
fn load_grid(
    store: &mut Store,
    matcher: &FacilityMatcher,
    file: &str,
    sha256: String,
    kind: SourceKind,
    grid: &grid::Grid,
    previous_id: Option<i32>,
    replace: bool,
) -> anyhow::Result<Outcome> {
    match kind {
        SourceKind::Roster => {
            let roster = roster::parse(file, grid)?;
            if roster.facilities.is_empty() {
                return Err(held::HeldReasons::of(&roster.quarantined).refuse(file).into());
            }
            let fy = roster.fiscal_year.year();
            let earlier = store.query(
                "SELECT DISTINCT f.source_file_id, f.path FROM membership_fees m JOIN ingested_files f USING (source_file_id) WHERE m.fiscal_year = ?",
                &[duckdb::types::Value::Int(fy)],
            )?;
            let others: Vec<(i32, String)> = earlier
                .rows
                .iter()
                .filter_map(|r| Some((r[0].as_i64()? as i32, r[1].to_string())))
                .filter(|(id, _)| Some(*id) != previous_id)
                .collect();
            if !others.is_empty() && !replace {
                return Err(Problem::refused(format!("{file} を取り込みませんでした"))
                    .because(format!(
                        "{} の名簿は {} からすでに取り込まれています",
                        roster.fiscal_year.label_ja(),
                        others[0].1
                    ))
                    .hint(format!("この名簿で置き換えるときは renkei ingest --replace {file} を実行してください"))
                    .into());
            }
            let meta = FileMeta { path: file.to_string(), sha256, source: kind.name().into() };
            let mut load = store.begin_file(meta)?;
            for id in previous_id.into_iter().chain(others.iter().map(|(id, _)| *id)) {
                load.remove_file(id)?;
            }
            let ids = load.upsert_facilities(&roster.facilities)?;
            let fees: Vec<(i32, i64)> =
                ids.iter().zip(&roster.fees).filter_map(|(id, fee)| fee.map(|f| (*id, f))).collect();
            load.insert_fees(fy, &fees)?;
            load.quarantine(&roster.quarantined)?;
            load.commit(roster.facilities.len() as u64)?;
            Ok(Outcome::Loaded {
                source: kind,
                rows: roster.facilities.len() as u64,
                quarantined: roster.quarantined.len() as u64,
                skipped: skipped_rows(grid),
                warnings: Vec::new(),
                held: held::HeldReasons::of(&roster.quarantined).top(3),
            })
        }
        SourceKind::AccessLog => Err(Problem::new(format!("{file} はアクセスログとして読めません"))
            .hint("アクセスログは CSV・TSV で受け付けます")
            .into()),
        _ => {
            let mut warnings = Vec::new();
            let (rows, held) = match kind {
                SourceKind::ImageViews => {
                    let p = image_views::parse(file, grid, matcher)?;
                    warnings = p.warnings;
                    (Rows::ImageViews(p.rows), p.held)
                }
                SourceKind::Municipalities => {
                    municipalities::parse(file, grid).map(|(r, h)| (Rows::Municipalities(r), h))?
                }
                SourceKind::Budget => budget::parse(file, grid).map(|(r, h)| (Rows::Budget(r), h))?,
                SourceKind::Quotes => quotes::parse(file, grid, matcher).map(|(r, h)| (Rows::Quotes(r), h))?,
                SourceKind::Enrollments => {
                    enrollments::parse(file, grid, matcher).map(|(r, h)| (Rows::Enrollments(r), h))?
                }
                _ => invoices::parse(file, grid).map(|(r, h)| (Rows::Invoices(r), h))?,
            };
            let parsed = match &rows {
                Rows::Invoices(r) => r.len(),
                Rows::ImageViews(r) => r.len(),
                Rows::Municipalities(r) => r.len(),
                Rows::Budget(r) => r.len(),
                Rows::Quotes(r) => r.len(),
                Rows::Enrollments(r) => r.len(),
            };
            let reasons = held::HeldReasons::of(&held);
            if parsed == 0 {
                return Err(reasons.refuse(file).into());
            }
            let meta = FileMeta { path: file.to_string(), sha256, source: kind.name().into() };
            let mut load = store.begin_file(meta)?;
            if let Some(id) = previous_id {
                load.remove_file(id)?;
            }
            let n = match &rows {
                Rows::Invoices(r) => load.insert_invoices(r).map(|_| r.len()),
                Rows::ImageViews(r) => load.insert_image_views(r).map(|_| r.len()),
                Rows::Municipalities(r) => load.upsert_municipalities(r).map(|_| r.len()),
                Rows::Budget(r) => load.insert_budget(r).map(|_| r.len()),
                Rows::Quotes(r) => load.insert_quotes(r).map(|_| r.len()),
                Rows::Enrollments(r) => load.insert_enrollments(r).map(|_| r.len()),
            }? as u64;
            load.quarantine(&held)?;
            settle_same_period(&mut load, file, replace)?;
            load.commit(n)?;
            Ok(Outcome::Loaded {
                source: kind,
                rows: n,
                quarantined: held.len() as u64,
                skipped: skipped_rows(grid),
                warnings,
                held: reasons.top(3),
            })
        }
    }
}
