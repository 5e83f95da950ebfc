//! Ingest: detect, decode, parse, normalize, validate and pseudonymize input files, and
//! load each through the store's one-transaction-per-file API.
//!
//! A bad row goes to `quarantine`; a bad file is refused whole with a [`Problem`] and
//! changes nothing; the same bytes twice are "already ingested" (sha256).

pub mod access_log;
pub mod blocks;
pub mod budget;
pub mod enrollments;
pub mod held;
pub mod image_views;
pub mod invoices;
pub mod jsonl;
pub mod kinds;
pub mod known;
pub mod matcher;
pub mod municipalities;
pub mod pipeline;
pub mod pseudonymize;
pub mod quotes;
pub mod record;
pub mod roster;
pub mod validate;

pub use renkei_core::ingest::{cells, decode, detect, grid, headers, sheet_guard, source_maps};

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

pub use detect::SourceKind;
pub use known::split_known;
use known::{hash_file, seen_before};

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
    /// Header aliases, encoding and date formats, with the council's `[sources.*]` maps.
    pub layouts: source_maps::Layouts,
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
    match store.key_fingerprint()?.as_deref() {
        Some(s) if s == fp => Ok(()),
        Some(_) => Err(Problem::new("仮名化の鍵がデータベースと一致しません")
            .because("このデータベースは別の鍵で仮名化されています。このまま取り込むと同じ患者が別人として数えられます")
            .hint("[paths] key に、このデータベースを作ったときの鍵ファイルを指定してください")
            .into()),
        None => store.record_key_fingerprint(&fp),
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
        // The one "already ingested?" check: the file to load, or the outcome that it was.
        let known = |store: &Store, sha256: String| -> anyhow::Result<Result<kinds::Known, Outcome>> {
            Ok(seen_before(store, &sha256, opts)?.previous().map(|replaces| kinds::Known {
                sha256,
                replaces,
                replace_same_period: opts.replace,
            }))
        };
        let matcher = FacilityMatcher::load(store)?;
        let cx = kinds::Context { file: &file, matcher: &matcher, layouts: &opts.layouts };
        let reject = |reason: String, hint: &str| -> anyhow::Error {
            Problem::refused(format!("{file} を取り込めませんでした")).because(reason).hint(hint).into()
        };
        if let Some(Container::Workbook(ext)) = detect::container(path) {
            let file_known = match known(store, sha256()?)? {
                Ok(k) => k,
                Err(again) => return Ok(again),
            };
            let bytes = std::fs::read(path).map_err(unreadable)?;
            let grids = grid::read_workbook(&bytes, ext)
                .map_err(|e| reject(e, "Excel で開けるか確かめ、保存し直してから置いてください"))?;
            let (kind, grid) = kinds::choose(&grids, opts.source, &cx)?;
            return kinds::load(store, &cx, kind, grid, file_known);
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
        let stream = decode::TextStream::new(bar.wrap_read(raw), opts.layouts.encoding).map_err(not_text)?;
        let delimiter = detect::delimiter(&stream.head);
        let log_header = log_header(&stream.head, delimiter, opts);
        if let Some(format) = log_format(&stream.head, delimiter, log_header, opts) {
            // With no roster every row would be an unknown facility (a forced --source with
            // the wrong header is told about its header instead).
            if matcher.is_empty() && (log_header || matches!(format, LogFormat::Json(_))) {
                return Err(no_roster_yet(&file));
            }
            let begin = |store: &Store| -> anyhow::Result<pipeline::Begin> {
                Ok(match known(store, sha256()?)? {
                    Err(again) => pipeline::Begin::Skip(again),
                    Ok(k) => pipeline::Begin::Load {
                        meta: FileMeta {
                            path: file.clone(),
                            sha256: k.sha256,
                            source: SourceKind::AccessLog.name().into(),
                        },
                        replaces: k.replaces,
                        replace_same_period: k.replace_same_period,
                    },
                })
            };
            let parties = validate::Parties { matcher: &matcher, layouts: &opts.layouts };
            let log = pipeline::Log { file: &file, text: stream.reader, format };
            let outcome = pipeline::load_log(store, log, parties, ids, opts.lake.as_deref(), begin)?;
            bar.finish_and_clear();
            return Ok(outcome);
        }
        let text = stream.read_all().map_err(not_text)?;
        bar.finish_and_clear();
        let file_known = match known(store, sha256()?)? {
            Ok(k) => k,
            Err(again) => return Ok(again),
        };
        let grid = grid::read_csv(&text, delimiter).map_err(|e| reject(e, "CSV として出力し直してください"))?;
        let (kind, grid) = kinds::choose(std::slice::from_ref(&grid), opts.source, &cx)?;
        kinds::load(store, &cx, kind, grid, file_known)
    })
}

/// True when the first line of a text file is an access log's header.
fn log_header(head: &str, delimiter: u8, opts: &IngestOptions) -> bool {
    let header_line = head.lines().next().unwrap_or("");
    grid::read_csv(header_line, delimiter).is_ok_and(|g| g.find_header(opts.layouts.kind("access_log")).is_ok())
}

/// How a text file is read as an access log (its first line being a log's header or not),
/// or None when it is a table of another kind.
fn log_format(head: &str, delimiter: u8, log_header: bool, opts: &IngestOptions) -> Option<LogFormat> {
    match jsonl::detect(head) {
        Some(shape) if opts.source.is_none_or(|s| s == SourceKind::AccessLog) => Some(LogFormat::Json(shape)),
        _ if opts.source == Some(SourceKind::AccessLog) || (opts.source.is_none() && log_header) => {
            Some(LogFormat::Delimited(delimiter))
        }
        _ => None,
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
