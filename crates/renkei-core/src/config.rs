//! Settings: `renkei.toml` < `RENKEI_*` environment < flags, resolved once.
//!
//! Every key is optional and has a working default, so the demo needs no file. Unknown
//! keys are refused with their line and column (serde `deny_unknown_fields` + toml spans).
//! Relative paths are taken from the folder holding the config file (or the working
//! folder when there is none), so a council's folder can be moved as a whole.
//!
//! Longer than the other files because it is a table: one struct per config section, each
//! field's doc comment being the sample config's text, with its tests beside it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Problem;

/// The commented sample written by `renkei init`; every key at its default.
pub const SAMPLE_CONFIG: &str = include_str!("../../../data/renkei.toml");

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[network]`
    pub network: NetworkConfig,
    /// `[store]`
    pub store: StoreConfig,
    /// `[paths]`
    pub paths: PathsConfig,
    /// `[smtp]`
    pub smtp: SmtpConfig,
    /// `[recipients]`
    pub recipients: Recipients,
    /// `[schedule]`
    pub schedule: ScheduleConfig,
    /// `[report]`
    pub report: ReportConfig,
    /// `[[scenarios]]`: renewal options compared in the board report.
    pub scenarios: Vec<Scenario>,
    /// `[municipality_share]`: weights of the proposed support formula.
    pub municipality_share: ShareWeights,
    /// `[sources.NAME]`: column maps for layouts the built-in aliases do not know.
    pub sources: BTreeMap<String, SourceMap>,
    /// `[audit]`: thresholds of the monthly access-log review.
    pub audit: AuditConfig,
    /// `[web]`: the secretariat's console in the browser (`renkei serve`).
    pub web: WebConfig,
}

/// `[network]`: which network this council is among many.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    /// The network's short name in the lake (`lake/network=<slug>/…`): lower-case ASCII
    /// letters, digits and `-`, unique among the lakes gathered under one root.
    pub slug: String,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig { slug: "network".into() }
    }
}

impl NetworkConfig {
    /// The slug, or a problem saying what a slug may hold.
    pub fn checked_slug(&self) -> Result<&str, Problem> {
        let s = self.slug.as_str();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-');
        if ok {
            Ok(s)
        } else {
            Err(Problem::new("[network] slug はネットワークの短い名前（英小文字・数字・-）にしてください")
                .value(s)
                .hint("例: slug = \"uonuma\"（湖のフォルダ lake/network=uonuma/ の名前になります）"))
        }
    }
}

/// `[store]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// The DuckDB file.
    pub path: PathBuf,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig { path: "var/renkei.duckdb".into() }
    }
}

/// `[paths]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PathsConfig {
    /// Where the secretariat drops input files.
    pub inbox: PathBuf,
    /// Where messages go as `.eml` when no SMTP host is set.
    pub outbox: PathBuf,
    /// Every delivered message with its inputs' checksums.
    pub archive: PathBuf,
    /// The Parquet lake.
    pub lake: PathBuf,
    /// The HMAC key for pseudonymizing IDs (mode 0600, kept apart from the store).
    pub key: PathBuf,
    /// Append-only audit log of `renkei sql`, `query` and exports.
    pub audit_log: PathBuf,
}

impl Default for PathsConfig {
    fn default() -> Self {
        PathsConfig {
            inbox: "inbox".into(),
            outbox: "outbox".into(),
            archive: "archive".into(),
            lake: "lake".into(),
            key: "var/renkei.key".into(),
            audit_log: "var/audit.log".into(),
        }
    }
}

/// `[smtp]`; with no `host`, delivery writes to the outbox.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// Relay host name; empty means "write to the outbox".
    pub host: Option<String>,
    /// Port (587 for STARTTLS, 465 for TLS).
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub tls: TlsMode,
    /// Login name, if the relay needs one.
    pub username: Option<String>,
    /// Name of the environment variable holding the password.
    pub password_env: Option<String>,
    /// File holding the password.
    pub password_file: Option<PathBuf>,
    /// The From address, optionally with a display name.
    pub from: String,
    /// Seconds before an SMTP command times out.
    pub timeout_s: u64,
    /// How many times a message is tried when the relay answers 4xx or the connection fails.
    pub tries: u32,
    /// Seconds before the second try; each further try waits twice as long.
    pub backoff_s: f64,
    /// A PEM file with the certificate authority of a relay whose certificate is not
    /// signed by a public one (a hospital's own CA); trusted besides the system's roots.
    pub ca_file: Option<PathBuf>,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: None,
            port: 587,
            tls: TlsMode::Starttls,
            username: None,
            password_env: None,
            password_file: None,
            from: "renkei <renkei@localhost>".into(),
            timeout_s: 30,
            tries: 3,
            backoff_s: 30.0,
            ca_file: None,
        }
    }
}

/// How SMTP is secured.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// STARTTLS on the submission port.
    #[default]
    Starttls,
    /// Implicit TLS.
    Tls,
    /// Plain text (loopback relays only).
    None,
}

/// `[recipients]`
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Recipients {
    /// Who receives the monthly board report.
    pub board: Vec<String>,
    /// Who is told about failures and held reports.
    pub admin: Vec<String>,
    /// Per municipality name, who receives its yearly report.
    pub municipality: BTreeMap<String, Vec<String>>,
    /// Who receives the monthly access-log review (個人情報保護責任者): only them.
    pub privacy_officer: Vec<String>,
}

/// `[schedule]`: cron lines with seconds, Asia/Tokyo.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Ingest the inbox.
    pub ingest: String,
    /// Send the board report.
    pub board: String,
    /// Send the municipality reports.
    pub municipality: String,
    /// Review last month's access log and send the privacy officer's report.
    pub audit: String,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            ingest: "0 */15 * * * *".into(),
            board: "0 0 8 5 * *".into(),
            municipality: "0 0 8 10 5 *".into(),
            audit: "0 0 8 3 * *".into(),
        }
    }
}

/// `[report]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Sources that must cover a month before its report is sent.
    pub required_sources: Vec<String>,
    /// Image-server cost per view (yen) above which the report raises an alert.
    pub threshold_yen_per_view: i64,
    /// `ja` (default) or `en`.
    pub locale: String,
    /// Name of the network, used in subjects and headings.
    pub network_name: String,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            required_sources: vec!["access_log".into()],
            threshold_yen_per_view: 1_000,
            locale: "ja".into(),
            network_name: "地域医療連携ネットワーク".into(),
        }
    }
}

/// `[audit]`: the rules' thresholds (queries/review/), recorded with each month's review.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Days before a view in which a colleague's explained event explains it.
    pub colleague_days_before: i64,
    /// Days after a view in which a colleague's explained event explains it.
    pub colleague_days_after: i64,
    /// Days of one month on which the same unexplained patient is a finding (stalking).
    pub stalking_days: i64,
    /// Distinct patients in one hour that make a sweep.
    pub sweep_hour: i64,
    /// Distinct patients in one day that make a sweep.
    pub sweep_day: i64,
    /// How many times the user's own busiest hour or day a sweep must exceed.
    pub sweep_factor: f64,
    /// Users on one patient within `swarm_hours` that make a swarm.
    pub swarm_users: i64,
    /// Facilities among them.
    pub swarm_facilities: i64,
    /// The swarm's window in hours.
    pub swarm_hours: i64,
    /// Share of a facility's baseline events below which a slot of the week is quiet.
    pub quiet_share: f64,
    /// Months of history a facility needs before off-hours are judged.
    pub history_months: i64,
    /// Months before the reviewed one that make the baselines.
    pub baseline_months: i64,
    /// Distinct patients downloaded in one day that make a bulk download.
    pub download_patients: i64,
    /// Days without events after which a returning user is a finding.
    pub dormant_days: i64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            colleague_days_before: 180,
            colleague_days_after: 7,
            stalking_days: 3,
            sweep_hour: 30,
            sweep_day: 50,
            sweep_factor: 1.5,
            swarm_users: 8,
            swarm_facilities: 3,
            swarm_hours: 72,
            quiet_share: 0.005,
            history_months: 3,
            baseline_months: 12,
            download_patients: 10,
            dormant_days: 180,
        }
    }
}

/// `[web]`: the console (`renkei serve`, or the daemon when `enabled`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Serve the console from `renkei daemon` too.
    pub enabled: bool,
    /// Address and port; loopback unless `tls_cert` and `tls_key` are set.
    pub listen: String,
    /// Host names (besides loopback) that browsers may use to reach the console.
    pub hosts: Vec<String>,
    /// PEM certificate chain for HTTPS (required off loopback).
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    pub tls_key: Option<PathBuf>,
    /// The console's accounts (Argon2id hashes, mode 0600), written by `renkei user`.
    pub users: PathBuf,
    /// Minutes without a request after which a session ends.
    pub idle_minutes: u64,
    /// Hours after login after which a session ends regardless.
    pub session_hours: u64,
    /// Largest upload in megabytes.
    pub upload_max_mb: u64,
    /// Seconds a console query may run before it is stopped.
    pub query_seconds: u64,
    /// Rows shown on screen (downloads hold every row).
    pub rows_shown: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            enabled: false,
            listen: "127.0.0.1:8470".into(),
            hosts: Vec::new(),
            tls_cert: None,
            tls_key: None,
            users: "var/users.json".into(),
            idle_minutes: 15,
            session_hours: 9,
            upload_max_mb: 200,
            query_seconds: 30,
            rows_shown: 1_000,
        }
    }
}

/// One `[[scenarios]]` entry: a renewal option.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// Capital cost of the renewal in yen.
    pub capital_yen: Option<i64>,
    /// Capital cost by server grade, when quotes are per grade.
    pub grades: BTreeMap<String, i64>,
    /// Lease term in years.
    pub lease_years: Option<u32>,
    /// Annual lease = capital × factor ÷ years.
    pub lease_factor: Option<f64>,
    /// The annual lease amount, when known directly.
    pub annual_lease_yen: Option<i64>,
    /// Running-cost lines (name → yen per year).
    pub running: BTreeMap<String, i64>,
    /// Hospitals that keep publishing images.
    pub publishing_hospitals: Option<Vec<String>>,
    /// Intermediary margin as a fraction (0.1 = 10%).
    pub margin: Option<f64>,
}

/// `[municipality_share]`: weights of use, population and an equal share.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ShareWeights {
    /// Weight of the municipality's share of use.
    pub use_weight: f64,
    /// Weight of its share of population.
    pub population_weight: f64,
    /// Weight of an equal split.
    pub equal_weight: f64,
}

impl Default for ShareWeights {
    fn default() -> Self {
        ShareWeights { use_weight: 0.5, population_weight: 0.3, equal_weight: 0.2 }
    }
}

/// One `[sources.NAME]` column map.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SourceMap {
    /// The kind of input this layout is (`access_log`, `roster`, `invoices`).
    pub kind: String,
    /// Field name → header text in the file.
    pub columns: BTreeMap<String, String>,
    /// `utf-8`, `shift_jis` or `utf-16`.
    pub encoding: Option<String>,
    /// chrono format of the timestamp column, when not one of the built-in forms.
    pub date_format: Option<String>,
}

/// The resolved settings every command receives.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The parsed configuration.
    pub config: Config,
    /// Folder that relative paths are taken from.
    pub base: PathBuf,
    /// The config file, when one was read.
    pub config_file: Option<PathBuf>,
}

impl Settings {
    /// Reads `file` if it exists (it must, when `explicit`), applies `RENKEI_*` overrides.
    pub fn load(file: &Path, explicit: bool, base: Option<&Path>) -> Result<Settings, Problem> {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => None,
            Err(e) => {
                return Err(Problem::new(format!("設定ファイル {} を読めません", file.display()))
                    .because(e.to_string())
                    .hint("--config で正しいファイルを指定するか、renkei init で作成してください"));
            }
        };
        let env: Vec<(String, String)> = std::env::vars().collect();
        let config = parse_config(text.as_deref().unwrap_or(""), &file.display().to_string(), &env)?;
        let base = match base {
            Some(b) => b.to_path_buf(),
            None => match file.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            },
        };
        Ok(Settings { config, base, config_file: text.map(|_| file.to_path_buf()) })
    }

    /// Defaults only, rooted at `base` (used by tests and the demo).
    pub fn defaults(base: &Path) -> Settings {
        Settings { config: Config::default(), base: base.to_path_buf(), config_file: None }
    }

    /// A configured path made absolute against the base folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() { p.to_path_buf() } else { self.base.join(p) }
    }

    /// The DuckDB store file.
    pub fn store_path(&self) -> PathBuf {
        self.resolve(&self.config.store.path)
    }
    /// The inbox folder.
    pub fn inbox(&self) -> PathBuf {
        self.resolve(&self.config.paths.inbox)
    }
    /// The outbox folder.
    pub fn outbox(&self) -> PathBuf {
        self.resolve(&self.config.paths.outbox)
    }
    /// The root of the Parquet lake (`[paths] lake`), under which each network has its
    /// own `network=<slug>/` folder.
    pub fn lake_root(&self) -> PathBuf {
        self.resolve(&self.config.paths.lake)
    }
    /// This network's folder of the lake: `lake/network=<slug>/`.
    pub fn lake(&self) -> Result<PathBuf, Problem> {
        Ok(self.lake_root().join(format!("network={}", self.config.network.checked_slug()?)))
    }
    /// The HMAC key file.
    pub fn key_path(&self) -> PathBuf {
        self.resolve(&self.config.paths.key)
    }
    /// The daemon's single-instance lock file, beside the store.
    pub fn daemon_lock(&self) -> PathBuf {
        self.store_path().with_extension("daemon.lock")
    }
    /// The audit log file.
    pub fn audit_log(&self) -> PathBuf {
        self.resolve(&self.config.paths.audit_log)
    }
    /// The console's accounts file.
    pub fn web_users(&self) -> PathBuf {
        self.resolve(&self.config.web.users)
    }
}

/// Sections whose keys `RENKEI_SECTION_KEY` may override.
const ENV_SECTIONS: &[&str] =
    &["network", "store", "paths", "smtp", "recipients", "schedule", "report", "municipality_share", "audit", "web"];
/// `RENKEI_*` variables that are not config keys (`RENKEI_DAEMON_PID`: the daemon's pid,
/// which it gives the child process of each run).
const ENV_NOT_KEYS: &[&str] = &["RENKEI_LOG", "RENKEI_CONFIG", "RENKEI_LOG_FORMAT", "RENKEI_DAEMON_PID"];

/// Parses config text, then applies `RENKEI_SECTION_KEY=value` overrides from `env`.
///
/// An override value is read as a TOML value when it is one (numbers, arrays, booleans)
/// and as a string otherwise, so `RENKEI_SMTP_PORT=2525` and `RENKEI_SMTP_HOST=mail` both work.
pub fn parse_config(text: &str, origin: &str, env: &[(String, String)]) -> Result<Config, Problem> {
    let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| config_problem(origin, text, &e))?;
    let mut overridden = false;
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("RENKEI_") else {
            continue;
        };
        if ENV_NOT_KEYS.contains(&name.as_str()) {
            continue;
        }
        let lower = rest.to_ascii_lowercase();
        let Some(section) = ENV_SECTIONS.iter().find(|s| lower.starts_with(&format!("{s}_"))) else {
            return Err(Problem::new(format!("環境変数 {name} は設定項目に対応していません"))
                .hint("RENKEI_SMTP_HOST のように RENKEI_<節>_<項目> の形で指定してください"));
        };
        let key = &lower[section.len() + 1..];
        let parsed = format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.clone()));
        let entry = table.entry(section.to_string()).or_insert_with(|| toml::Value::Table(Default::default()));
        if let toml::Value::Table(t) = entry {
            t.insert(key.to_string(), parsed);
            overridden = true;
        }
    }
    // Re-serialise so a misspelt key from the file is reported with its own line and column.
    if !overridden {
        toml::from_str(text).map_err(|e| config_problem(origin, text, &e))
    } else {
        Config::deserialize(toml::Value::Table(table)).map_err(|e| {
            Problem::new("RENKEI_* 環境変数の設定を読めません")
                .because(e.to_string())
                .hint("環境変数の名前と値を確かめてください")
        })
    }
}

/// A config error with the line and column of the offending key.
fn config_problem(origin: &str, text: &str, e: &toml::de::Error) -> Problem {
    let place = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            crate::error::Location::file(origin).line(line, Some(col))
        }
        None => crate::error::Location::file(origin),
    };
    Problem::new(format!("設定ファイル {origin} を読めません"))
        .at(place)
        .because(e.message().to_string())
        .hint("綴りを直すか、renkei init で書き出した見本と見比べてください")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_config_parses_to_the_defaults() {
        assert_eq!(parse_config(SAMPLE_CONFIG, "renkei.toml", &[]).unwrap(), Config::default());
        // Every setting line uncommented must give the defaults too: the sample is honest.
        let uncommented: String = SAMPLE_CONFIG
            .lines()
            .map(|l| l.strip_prefix("# ").filter(|_| !l.starts_with("##")).unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(uncommented.contains("\n[smtp]\n"));
        assert_eq!(parse_config(&uncommented, "renkei.toml", &[]).unwrap(), Config::default());
    }

    #[test]
    fn a_misspelt_key_is_refused_with_line_and_column() {
        let p = parse_config("[store]\npath = \"x\"\n\n[smtp]\n  hots = \"mail\"\n", "renkei.toml", &[]).unwrap_err();
        assert_eq!(p.place.map(|l| l.to_string()).as_deref(), Some("renkei.toml 5行 3列"));
        assert!(p.reason.unwrap().contains("hots"));
    }

    #[test]
    fn environment_overrides_the_file() {
        let env = vec![
            ("RENKEI_SMTP_HOST".to_string(), "mail.example.jp".to_string()),
            ("RENKEI_SMTP_PORT".to_string(), "2525".to_string()),
            ("RENKEI_REPORT_THRESHOLD_YEN_PER_VIEW".to_string(), "500".to_string()),
            ("RENKEI_LOG".to_string(), "debug".to_string()),
        ];
        let c = parse_config("[smtp]\nhost = \"old\"\n", "renkei.toml", &env).unwrap();
        assert_eq!(c.smtp.host.as_deref(), Some("mail.example.jp"));
        assert_eq!(c.smtp.port, 2525);
        assert_eq!(c.report.threshold_yen_per_view, 500);
    }

    #[test]
    fn an_unknown_environment_key_is_refused() {
        let env = vec![("RENKEI_SMPT_HOST".to_string(), "x".to_string())];
        assert!(parse_config("", "renkei.toml", &env).is_err());
    }
}
