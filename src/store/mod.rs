//! The DuckDB store: opening it (read-write with migrations, or read-only and sandboxed),
//! typed query results, and the one-transaction-per-file load API that ingest writes through.
//!
//! Nothing holds the store open between jobs (DuckDB allows one writing process and no
//! reader beside it). Extension autoloading is off: no network at run time.

mod event_batch;
pub mod lake;
mod load;
pub mod publish;
mod rows;
mod table;
pub mod user_sql;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use duckdb::{AccessMode, Config, Connection};

use crate::error::Problem;

pub use event_batch::{AccessEvent, EventBatch, IdColumn};
pub use load::{FileLoad, FileMeta, Overlap};
pub use rows::{
    BudgetRow, EnrollmentRow, FacilityRecord, ImageViewRow, InvoiceRow, MunicipalityRow, QuarantineRow, QuoteRow,
};
pub use table::{Cell, Table, date_value, timestamp_value};

/// Schema files, applied in order; the number is the schema version they bring.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../queries/schema/001_init.sql")),
    (2, include_str!("../../queries/schema/002_uuid_keys.sql")),
    (3, include_str!("../../queries/schema/003_definitions.sql")),
    (4, include_str!("../../queries/schema/004_review.sql")),
    (5, include_str!("../../queries/schema/005_outlook.sql")),
];

/// How long a reader waits for a writer to finish before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened for writing: on close it refreshes the console's copy, when there is one.
    writable: bool,
}

impl Drop for Store {
    fn drop(&mut self) {
        if self.writable
            && publish::copy_path(&self.path).exists()
            && let Err(e) = publish::copy(&self.conn, &self.path, true)
        {
            tracing::warn!(error = %format!("{e:#}"), "the console's copy of the store could not be refreshed");
            eprintln!("warning: 画面用のデータベースの写しを更新できませんでした（次の取り込みで更新します）: {e:#}");
        }
    }
}

impl Store {
    /// Opens (creating if needed) the store for writing and brings its schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("フォルダ {} を作れません", dir.display()))?;
        }
        let conn = open_waiting(path, || Ok(Config::default().enable_autoload_extension(false)?))?;
        // `arrow(?)`: how the access-log batches are inserted (see `FileLoad::append_events`).
        conn.register_table_function::<duckdb::vtab::arrow::ArrowVTab>("arrow")?;
        let mut store = Store { conn, path: path.to_path_buf(), writable: true };
        store.migrate()?;
        Ok(store)
    }

    /// Opens the store read-only, external file access disabled and the configuration
    /// locked, so SQL typed by a person can only read the store's own tables.
    pub fn open_read_only(path: &Path) -> anyhow::Result<Store> {
        if !path.exists() {
            return Err(Problem::new(format!("データベース {} がまだありません", path.display()))
                .hint("renkei ingest でファイルを取り込むか、renkei demo を実行してください")
                .into());
        }
        let conn = open_waiting(path, || {
            Ok(Config::default().access_mode(AccessMode::ReadOnly)?.enable_autoload_extension(false)?)
        })?;
        conn.execute_batch("SET enable_external_access = false; SET lock_configuration = true;")?;
        let store = Store { conn, path: path.to_path_buf(), writable: false };
        store.refuse_newer()?;
        Ok(store)
    }

    /// Opens the console's copy read-only as [`Store::open_read_only`] does, with a memory
    /// limit, so one person's query cannot take the box's memory.
    pub fn open_console(path: &Path) -> anyhow::Result<Store> {
        if !path.exists() {
            return Err(Problem::new("画面用のデータがまだありません")
                .hint("取込の画面からファイルを取り込むか、renkei ingest を実行してください")
                .into());
        }
        let conn = open_waiting(path, || {
            Ok(Config::default()
                .access_mode(AccessMode::ReadOnly)?
                .enable_autoload_extension(false)?
                .max_memory("2GB")?)
        })?;
        conn.execute_batch("SET enable_external_access = false; SET lock_configuration = true;")?;
        let store = Store { conn, path: path.to_path_buf(), writable: false };
        store.refuse_newer()?;
        Ok(store)
    }

    /// Runs SQL typed by a person and keeps at most `cap` rows; true when there were more.
    pub fn query_user_sql_capped(&self, sql: &str, cap: usize) -> anyhow::Result<(Table, bool)> {
        let mut stmt = self.conn.prepare(sql)?;
        table::collect_capped(&mut stmt, cap)
    }

    /// [`Store::query_named`], keeping at most `cap` rows; true when there were more.
    pub fn query_named_capped(
        &self,
        sql: &str,
        params: &[(&str, duckdb::types::Value)],
        cap: usize,
    ) -> anyhow::Result<(Table, bool)> {
        let mut stmt = self.conn.prepare(sql)?;
        bind_named(&mut stmt, params)?;
        table::collect_capped(&mut stmt, cap)
    }

    /// Publishes the console's copy now (and from then on at every close for writing).
    pub fn publish(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.writable, "the console's copy is published from a store opened for writing");
        publish::copy(&self.conn, &self.path, false)
    }

    /// A handle that stops the running query from another thread (the console's time
    /// limit and its 取消 button).
    pub fn interrupt_handle(&self) -> std::sync::Arc<duckdb::InterruptHandle> {
        self.conn.interrupt_handle()
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current schema version.
    pub fn schema_version(&self) -> anyhow::Result<i32> {
        Ok(self.conn.query_row("SELECT coalesce(max(version), 0) FROM schema_version", [], |r| r.get(0))?)
    }

    /// A store from a newer renkei is refused, never downgraded or half-read.
    fn refuse_newer(&self) -> anyhow::Result<()> {
        let current = self.schema_version()?;
        let known = MIGRATIONS.last().map_or(0, |(v, _)| *v);
        if current > known {
            return Err(Problem::new(format!(
                "データベース {} は新しい renkei（スキーマ版 {current}）で作られています",
                self.path.display()
            ))
            .because(format!("この renkei {} が知っているのはスキーマ版 {known} までです", env!("CARGO_PKG_VERSION")))
            .hint("新しい版の renkei を使ってください（古い版で開くとデータを壊すおそれがあるため、開きません）")
            .into());
        }
        Ok(())
    }

    fn migrate(&mut self) -> anyhow::Result<()> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL);
             COMMENT ON TABLE schema_version IS 'スキーマの版（移行の記録）';",
        )?;
        self.refuse_newer()?;
        let current = self.schema_version()?;
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql).with_context(|| format!("スキーマ版 {version} を適用できません"))?;
            tx.execute(
                "INSERT INTO schema_version VALUES (?, ?)",
                duckdb::params![version, timestamp_value(crate::clock::now_jst())],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs a query with positional parameters and returns every row, typed.
    pub fn query(&self, sql: &str, params: &[duckdb::types::Value]) -> anyhow::Result<Table> {
        let mut stmt = self.conn.prepare(sql)?;
        for (i, p) in params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, p)?;
        }
        table::collect(&mut stmt)
    }

    /// Runs a query whose `$name` parameters are bound from `params` by name.
    ///
    /// A parameter the SQL uses but `params` lacks is an error naming it.
    pub fn query_named(&self, sql: &str, params: &[(&str, duckdb::types::Value)]) -> anyhow::Result<Table> {
        let mut stmt = self.conn.prepare(sql)?;
        bind_named(&mut stmt, params)?;
        table::collect(&mut stmt)
    }

    /// Executes a statement whose `$name` parameters are bound from `params` by name.
    pub fn execute_named(&self, sql: &str, params: &[(&str, duckdb::types::Value)]) -> anyhow::Result<usize> {
        let mut stmt = self.conn.prepare(sql)?;
        bind_named(&mut stmt, params)?;
        Ok(stmt.raw_execute()?)
    }

    /// Runs `f` in one transaction: all of its writes land, or none.
    pub fn in_transaction<T>(&self, f: impl FnOnce(&Store) -> anyhow::Result<T>) -> anyhow::Result<T> {
        self.conn.execute_batch("BEGIN TRANSACTION")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Runs SQL typed by a person, one or more statements; returns the last result.
    pub fn query_user_sql(&self, sql: &str) -> anyhow::Result<Table> {
        let mut stmt = self.conn.prepare(sql)?;
        table::collect(&mut stmt)
    }

    /// Executes statements that return nothing (used by the load API and the ledger).
    pub fn execute(&self, sql: &str, params: &[duckdb::types::Value]) -> anyhow::Result<usize> {
        let mut stmt = self.conn.prepare(sql)?;
        for (i, p) in params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, p)?;
        }
        Ok(stmt.raw_execute()?)
    }

    /// The fingerprint of the pseudonymization key the store's IDs were made with, once
    /// the first file was loaded.
    pub fn key_fingerprint(&self) -> anyhow::Result<Option<String>> {
        let t = self.query("SELECT value FROM store_meta WHERE name = 'key_fingerprint'", &[])?;
        Ok(t.rows.first().and_then(|r| r[0].as_str()).map(str::to_string))
    }

    /// Records the key's fingerprint (on the first load).
    pub fn record_key_fingerprint(&self, fingerprint: &str) -> anyhow::Result<()> {
        self.execute(
            "INSERT INTO store_meta VALUES ('key_fingerprint', ?)",
            &[duckdb::types::Value::Text(fingerprint.to_string())],
        )?;
        Ok(())
    }

    /// Starts loading one file; nothing of it is visible until [`FileLoad::commit`].
    pub fn begin_file(&mut self, meta: FileMeta) -> anyhow::Result<FileLoad<'_>> {
        FileLoad::begin(&mut self.conn, meta)
    }
}

/// Opens the store, waiting up to [`LOCK_WAIT`] while another process holds it (a writer
/// keeps readers out and a reader keeps a writer out, so each side waits for the other).
fn open_waiting(path: &Path, config: impl Fn() -> anyhow::Result<Config>) -> anyhow::Result<Connection> {
    let started = Instant::now();
    let mut told = false;
    loop {
        match Connection::open_with_flags(path, config()?) {
            Ok(c) => return Ok(c),
            Err(e) if is_lock_error(&e) && started.elapsed() < LOCK_WAIT => {
                if !told {
                    tracing::info!(store = %path.display(), "the store is in use by another renkei; waiting");
                    eprintln!("別の renkei が使用中のため、終わるまで待っています（最長 {} 秒）…", LOCK_WAIT.as_secs());
                    told = true;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(lock_problem(path, e)),
        }
    }
}

fn is_lock_error(e: &duckdb::Error) -> bool {
    let text = e.to_string();
    text.contains("lock") || text.contains("Conflicting")
}

fn lock_problem(path: &Path, e: duckdb::Error) -> anyhow::Error {
    if is_lock_error(&e) {
        Problem::new(format!("データベース {} は別の renkei が使用中です", path.display()))
            .because(e.to_string())
            .hint("しばらく待ってから再実行してください（renkei daemon の処理中は数秒かかることがあります）")
            .into()
    } else if e.to_string().contains("not a valid DuckDB database file") {
        Problem::new(format!("{} は renkei のデータベース（DuckDB）ではありません", path.display()))
            .because(e.to_string())
            .hint("renkei.toml の [store] path を確かめるか、データベースをバックアップから戻してください（このファイルには手を加えていません）")
            .into()
    } else {
        anyhow::Error::new(e).context(format!("データベース {} を開けません", path.display()))
    }
}

/// Binds a statement's `$name` parameters from `params`; one it lacks is an error naming it.
fn bind_named(stmt: &mut duckdb::Statement<'_>, params: &[(&str, duckdb::types::Value)]) -> anyhow::Result<()> {
    for i in 1..=stmt.parameter_count() {
        let name = stmt.parameter_name(i)?;
        let value = params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| anyhow::anyhow!("パラメータ ${name} が渡されていません"))?;
        stmt.raw_bind_parameter(i, value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_store_keeps_its_pseudonyms_when_the_keys_become_uuid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.duckdb");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0].1).unwrap();
            conn.execute_batch(
                "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL);
                 INSERT INTO schema_version VALUES (1, TIMESTAMP '2026-01-01 00:00:00');
                 INSERT INTO access_events VALUES (TIMESTAMP '2025-07-01 09:00:00', 'ID-Link',
                   '00112233445566778899aabbccddeeff', 1, 'ffeeddccbbaa99887766554433221100', NULL, NULL, '閲覧', 1);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let t = store
            .query("SELECT typeof(user_key), user_key::VARCHAR, patient_key::VARCHAR FROM access_events", &[])
            .unwrap();
        let row: Vec<String> = t.rows[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(row, ["UUID", "00112233-4455-6677-8899-aabbccddeeff", "ffeeddcc-bbaa-9988-7766-554433221100"]);
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i32);
    }
}
