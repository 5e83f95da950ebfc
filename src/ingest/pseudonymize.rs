//! Patient and user IDs become keyed HMAC-SHA256 before anything reaches disk.
//!
//! The key lives in its own file (mode 0600, `[paths] key`), apart from the pseudonymized
//! store, as the MHLW guidance on pseudonymized medical data asks; it is never logged. The
//! store records only the key's fingerprint, so loading with a different key is refused
//! instead of silently splitting one patient into two.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::error::Problem;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the HMAC output kept (128 bits: collisions are negligible at network scale).
const KEPT_BYTES: usize = 16;

/// The secret key.
pub struct Key([u8; 32]);

impl Key {
    /// Reads an existing key; a missing one is a problem (nothing was ever pseudonymized
    /// with it), not a reason to make a new one.
    pub fn load(path: &Path) -> anyhow::Result<Key> {
        if !path.exists() {
            return Err(Problem::new(format!("仮名化の鍵 {} がありません", path.display()))
                .hint("[paths] key に、取り込みに使った鍵ファイルを指定してください")
                .into());
        }
        Key::load_or_create(path)
    }

    /// Reads the key, creating it with mode 0600 on first use.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Key> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).ok().filter(|b| b.len() == 32).ok_or_else(|| {
                    Problem::new(format!("仮名化の鍵 {} が壊れています", path.display())).hint(
                        "鍵のバックアップから戻してください（鍵を作り直すと、これまでの患者と照合できなくなります）",
                    )
                })?;
                let mut key = [0u8; 32];
                key.copy_from_slice(&bytes);
                Ok(Key(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
                let mut f = opts.open(path).with_context(|| format!("鍵 {} を作れません", path.display()))?;
                f.write_all(hex::encode(key).as_bytes())?;
                f.sync_all()?;
                tracing::info!(path = %path.display(), "created pseudonymization key");
                Ok(Key(key))
            }
            Err(e) => Err(e).with_context(|| format!("鍵 {} を読めません", path.display())),
        }
    }

    /// A fingerprint that identifies the key without revealing it.
    pub fn fingerprint(&self) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("any key length");
        mac.update(b"renkei key fingerprint v1");
        hex::encode(&mac.finalize().into_bytes()[..8])
    }
}

/// A pseudonym: the kept HMAC bytes, stored as a UUID in the `*_key` columns. `Copy`, so
/// the hot path hands it on without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pseudonym(pub [u8; KEPT_BYTES]);

impl std::fmt::Display for Pseudonym {
    /// Lowercase hex, as the store shows it without the UUID dashes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// Turns raw IDs into pseudonyms, computing each distinct ID's HMAC once.
pub struct Pseudonymizer {
    mac: HmacSha256,
    /// Pseudonyms already computed, per [`IdKind`] (index `kind as usize - 1`), for IDs
    /// that fit a [`ShortId`]: the key sits inside the table, so a lookup among tens of
    /// thousands of patients reads one slot instead of following a pointer to a string.
    cache: [HashMap<ShortId, Pseudonym, foldhash::fast::RandomState>; 2],
    /// The same for longer IDs (rare).
    long: [HashMap<String, Pseudonym, foldhash::fast::RandomState>; 2],
}

/// An ID of at most 31 bytes, stored inline with its length.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ShortId([u8; 32]);

impl ShortId {
    fn new(raw: &str) -> Option<ShortId> {
        let bytes = raw.as_bytes();
        (bytes.len() < 32).then(|| {
            let mut id = [0u8; 32];
            id[0] = bytes.len() as u8;
            id[1..=bytes.len()].copy_from_slice(bytes);
            ShortId(id)
        })
    }
}

/// Which kind of ID; the same raw value means different things per kind.
#[derive(Debug, Clone, Copy)]
pub enum IdKind {
    /// 患者ID.
    Patient = 1,
    /// 利用者ID.
    User = 2,
}

impl Pseudonymizer {
    /// A pseudonymizer for `key`.
    pub fn new(key: &Key) -> Pseudonymizer {
        Pseudonymizer {
            mac: HmacSha256::new_from_slice(&key.0).expect("any key length"),
            cache: Default::default(),
            long: Default::default(),
        }
    }

    /// The pseudonym of `raw` (trimmed; empty stays None).
    pub fn pseudonym(&mut self, kind: IdKind, raw: &str) -> Option<Pseudonym> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let slot = kind as usize - 1;
        let mac = &self.mac;
        Some(match ShortId::new(raw) {
            Some(id) => *self.cache[slot].entry(id).or_insert_with(|| compute(mac, kind, raw)),
            // Looked up before inserting, so a hit does not allocate.
            None => match self.long[slot].get(raw) {
                Some(p) => *p,
                None => {
                    let p = compute(mac, kind, raw);
                    self.long[slot].insert(raw.to_string(), p);
                    p
                }
            },
        })
    }
}

/// The keyed HMAC of `raw` as `kind`, cut to the kept bytes.
fn compute(mac: &HmacSha256, kind: IdKind, raw: &str) -> Pseudonym {
    let mut mac = mac.clone();
    mac.update(&[kind as u8]);
    mac.update(raw.as_bytes());
    let mut kept = [0u8; KEPT_BYTES];
    kept.copy_from_slice(&mac.finalize().into_bytes()[..KEPT_BYTES]);
    Pseudonym(kept)
}

/// How an ID value is shown in messages and quarantine: never the value itself.
pub fn mask(raw: &str) -> String {
    format!("＊＊＊（ID {}文字、伏せ字）", raw.trim().chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_hide_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("var/renkei.key");
        let key = Key::load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let again = Key::load_or_create(&path).unwrap();
        assert_eq!(key.fingerprint(), again.fingerprint());
        let mut p = Pseudonymizer::new(&key);
        let a = p.pseudonym(IdKind::Patient, "P0001234").unwrap().to_string();
        assert_eq!(Pseudonymizer::new(&again).pseudonym(IdKind::Patient, " P0001234 ").unwrap().to_string(), a);
        assert_ne!(p.pseudonym(IdKind::User, "P0001234").unwrap().to_string(), a);
        assert!(!a.contains("0001234"));
        assert_eq!(a.len(), 32);
        assert_eq!(p.pseudonym(IdKind::Patient, "  "), None);
        // From the cache, whatever the ID's length, the same pseudonym as computed afresh.
        assert_eq!(p.pseudonym(IdKind::Patient, "P0001234").unwrap().to_string(), a);
        for len in [31, 32, 40] {
            let id = "L".repeat(len);
            let first = p.pseudonym(IdKind::Patient, &id);
            assert_eq!(p.pseudonym(IdKind::Patient, &id), first, "{len}");
            assert_eq!(Pseudonymizer::new(&key).pseudonym(IdKind::Patient, &id), first, "{len}");
            assert_ne!(p.pseudonym(IdKind::Patient, &"L".repeat(len - 1)), first, "{len}");
        }

        let other = tempfile::tempdir().unwrap();
        let k2 = Key::load_or_create(&other.path().join("k")).unwrap();
        assert_ne!(Pseudonymizer::new(&k2).pseudonym(IdKind::Patient, "P0001234").unwrap().to_string(), a);
        assert_eq!(mask("P0001234"), "＊＊＊（ID 8文字、伏せ字）");
    }
}
