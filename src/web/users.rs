//! The console's accounts: a JSON file (mode 0600) of names, roles and Argon2id password
//! hashes, written only by `renkei user` on the box itself. There is no default account:
//! until an admin runs `renkei user add`, nobody can log in.

use std::path::Path;

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::Problem;

/// What an account may do in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 閲覧: status, saved questions (small counts suppressed), report previews, the ledger.
    Viewer,
    /// 分析: as viewer, plus ad-hoc read-only SQL and unsuppressed counts.
    Analyst,
    /// 取込: as viewer, plus uploads to the inbox, ingest and facility aliases.
    Uploader,
    /// 管理: everything, including sending, resending and releasing held reports.
    Admin,
}

/// Something a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See the console's pages.
    View,
    /// Type SQL and see counts below 10.
    Analyze,
    /// Upload, ingest, add aliases.
    Upload,
    /// Send reports.
    Send,
}

impl Role {
    /// Whether this role may do `p`.
    pub fn may(self, p: Permission) -> bool {
        matches!(
            (self, p),
            (Role::Admin, _)
                | (_, Permission::View)
                | (Role::Analyst, Permission::Analyze)
                | (Role::Uploader, Permission::Upload)
        )
    }

    /// The Japanese name shown on screen.
    pub fn label_ja(self) -> &'static str {
        match self {
            Role::Viewer => "閲覧",
            Role::Analyst => "分析",
            Role::Uploader => "取込",
            Role::Admin => "管理",
        }
    }

    /// The name used in the file and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Uploader => "uploader",
            Role::Admin => "admin",
        }
    }
}

/// One account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Argon2id PHC string.
    pub hash: String,
    /// When it was created (JST).
    pub created_at: String,
    /// The OS user who created it.
    pub created_by: String,
}

/// The shortest password accepted (OWASP ASVS 5.0 V6.2.1 recommends 15; the MHLW guideline
/// accepts no periodic change for 13 or more random characters).
pub const MIN_PASSWORD: usize = 15;

/// Words a password may not contain (the network's own words, easy to guess).
const GUESSABLE: &[&str] = &["password", "renkei", "連携", "123456", "qwerty", "admin", "uonuma", "魚沼", "南魚沼"];

/// Reads the accounts; no file means no accounts.
pub fn load(path: &Path) -> anyhow::Result<Vec<User>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            Problem::new(format!("利用者ファイル {} を読めません", path.display()))
                .because(e.to_string())
                .hint("renkei user list で確かめ、壊れていれば renkei user add で作り直してください")
                .into()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("利用者ファイル {} を読めません", path.display()))),
    }
}

/// Writes the accounts (mode 0600, to a temporary name first).
pub fn save(path: &Path, users: &[User]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("フォルダ {} を作れません", dir.display()))?;
    }
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(users)?;
    let written = (|| -> anyhow::Result<()> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp).with_context(|| format!("{} を書けません", tmp.display()))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("{} を置けません", path.display()))?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The accounts file as the console reads it on every request: parsed again only when the
/// file changed (its modification time or length), so `renkei user remove` takes effect at
/// the next request without a read and a parse per request.
pub struct Accounts {
    path: std::path::PathBuf,
    seen: std::sync::Mutex<Option<Seen>>,
}

/// The file's modification time and length when it was read, and what it held.
type Seen = (std::time::SystemTime, u64, std::sync::Arc<Vec<User>>);

impl Accounts {
    /// The accounts in `path`.
    pub fn new(path: std::path::PathBuf) -> Accounts {
        Accounts { path, seen: std::sync::Mutex::new(None) }
    }

    /// Every account as the file holds it now.
    pub fn current(&self) -> anyhow::Result<std::sync::Arc<Vec<User>>> {
        let stamp = std::fs::metadata(&self.path).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
        let mut seen = self.seen.lock().expect("accounts");
        if let (Some((at, len)), Some((seen_at, seen_len, users))) = (stamp, seen.as_ref())
            && (at, len) == (*seen_at, *seen_len)
        {
            return Ok(users.clone());
        }
        let users = std::sync::Arc::new(load(&self.path)?);
        *seen = stamp.map(|(at, len)| (at, len, users.clone()));
        Ok(users)
    }
}

/// Why a password is refused, in Japanese, or None when it is acceptable.
pub fn weakness(name: &str, password: &str) -> Option<String> {
    let chars = password.chars().count();
    let lower = password.to_lowercase();
    if chars < MIN_PASSWORD {
        return Some(format!("パスワードは {MIN_PASSWORD} 文字以上にしてください（いま {chars} 文字）"));
    }
    if chars > 128 {
        return Some("パスワードは 128 文字までにしてください".into());
    }
    if !name.is_empty() && lower.contains(&name.to_lowercase()) {
        return Some("パスワードに利用者名を含めないでください".into());
    }
    if let Some(w) = GUESSABLE.iter().find(|w| lower.contains(*w)) {
        return Some(format!("推測されやすい語（{w}）を含めないでください"));
    }
    let first = password.chars().next()?;
    if password.chars().all(|c| c == first) {
        return Some("同じ文字だけのパスワードは使えません".into());
    }
    None
}

/// A random password of 20 characters from letters and digits that are not confused when
/// read aloud or copied from paper (no 0/O, 1/l/I).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// The Argon2id hash of `password` (default costs: 19 MiB, 2 passes), as a PHC string.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("パスワードを処理できません: {e}"))?
        .to_string())
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A name people can type and read back: 1–32 letters, digits, `.`, `_` or `-`.
pub fn check_name(name: &str) -> Result<(), Problem> {
    let ok = (1..=32).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Problem::new(format!("利用者名「{name}」は使えません"))
            .hint("半角の英数字と . _ - で 32 文字までにしてください（例: sato.h）"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_allow_what_the_table_says() {
        use Permission::*;
        let may = |r: Role| [View, Analyze, Upload, Send].map(|p| r.may(p));
        assert_eq!(may(Role::Viewer), [true, false, false, false]);
        assert_eq!(may(Role::Analyst), [true, true, false, false]);
        assert_eq!(may(Role::Uploader), [true, false, true, false]);
        assert_eq!(may(Role::Admin), [true, true, true, true]);
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        assert!(weakness("sato", "short").unwrap().contains("15 文字以上"));
        assert!(weakness("sato", "sato-is-my-name-2026").unwrap().contains("利用者名"));
        assert!(weakness("kato", "my renkei password 2026").unwrap().contains("推測"));
        assert!(weakness("kato", "aaaaaaaaaaaaaaaa").is_some());
        assert_eq!(weakness("kato", "correct horse battery staple"), None);
        let generated = generate_password();
        assert_eq!(generated.len(), 20);
        assert_eq!(weakness("kato", &generated), None, "{generated}");
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify(&h, "correct horse battery staple"));
        assert!(!verify(&h, "correct horse battery stapler"));
        assert!(!verify("not a hash", "x"));
    }
}
