//! Patient and user IDs become keyed HMAC-SHA256 before anything reaches disk.
//!
//! The key lives in its own file (mode 0600, `[paths] key`), apart from the pseudonymized
//! store, as the MHLW guidance on pseudonymized medical data asks; it is never logged. The
//! store records only the key's fingerprint, so loading with a different key is refused
//! instead of silently splitting one patient into two.

use std::collections::HashMap;
use std::hash::BuildHasher;
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
    /// Pseudonyms already computed, per [`IdKind`] (index `kind as usize - 1`), for IDs of
    /// at most [`SHORT`] bytes.
    cache: [Table; 2],
    /// The same for longer IDs (rare).
    long: [HashMap<String, Pseudonym, foldhash::fast::RandomState>; 2],
}

/// The longest ID kept inline in a [`Table`]'s slot.
const SHORT: usize = 15;
/// IDs looked up together by [`Pseudonymizer::pseudonyms`]: their slots are read first,
/// all at once, so the memory fetches of a table larger than the cache overlap instead of
/// waiting one after another.
const AHEAD: usize = 32;

/// Pseudonyms by ID, in one flat table probed linearly: a slot is 32 bytes (the ID's
/// length and bytes, then its pseudonym), two to a cache line, so a lookup among hundreds
/// of thousands of patients reads one line and follows no pointer.
struct Table {
    slots: Vec<Slot>,
    used: usize,
    hasher: foldhash::fast::RandomState,
}

/// A short ID as a slot's `id`, with its hash.
type SlotId = ([u8; 16], u64);

/// One slot: `id[0]` is the ID's length (0: empty; an empty ID is never stored).
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    id: [u8; 16],
    key: [u8; KEPT_BYTES],
}

impl Default for Table {
    fn default() -> Table {
        Table { slots: vec![Slot::default(); 1024], used: 0, hasher: Default::default() }
    }
}

impl Table {
    /// An ID of at most [`SHORT`] bytes as a slot's `id`, with its hash.
    fn id(&self, raw: &str) -> Option<SlotId> {
        let bytes = raw.as_bytes();
        (bytes.len() <= SHORT).then(|| {
            let mut id = [0u8; 16];
            id[0] = bytes.len() as u8;
            id[1..=bytes.len()].copy_from_slice(bytes);
            (id, self.hasher.hash_one(u128::from_le_bytes(id)))
        })
    }

    fn home(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    /// Reads the slot where a lookup of `hash` starts, to have it in the cache.
    fn touch(&self, hash: u64) -> u8 {
        self.slots[self.home(hash)].id[0]
    }

    /// The pseudonym in `id`'s slot, computed and stored on first sight.
    fn get_or_insert(&mut self, id: [u8; 16], hash: u64, compute: impl FnOnce() -> Pseudonym) -> Pseudonym {
        // At most 70 % full, so probes stay short.
        if (self.used + 1) * 10 > self.slots.len() * 7 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash);
        loop {
            let slot = &mut self.slots[at];
            if slot.id == id {
                return Pseudonym(slot.key);
            }
            if slot.id[0] == 0 {
                let p = compute();
                *slot = Slot { id, key: p.0 };
                self.used += 1;
                return p;
            }
            at = (at + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let twice = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, twice);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.id[0] != 0) {
            let mut at = self.home(self.hasher.hash_one(u128::from_le_bytes(slot.id)));
            while self.slots[at].id[0] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
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
        let id = self.cache[kind as usize - 1].id(raw);
        self.looked_up(kind, raw, id)
    }

    /// The pseudonyms of many IDs, in their order, each handed to `each` (None for an empty
    /// ID): [`Pseudonymizer::pseudonym`] of each, with the table's memory read ahead.
    pub fn pseudonyms<'r>(
        &mut self,
        kind: IdKind,
        raw: impl IntoIterator<Item = &'r str>,
        mut each: impl FnMut(Option<Pseudonym>),
    ) {
        let mut raw = raw.into_iter().peekable();
        let mut ahead: Vec<(&str, Option<SlotId>)> = Vec::with_capacity(AHEAD);
        while raw.peek().is_some() {
            let table = &self.cache[kind as usize - 1];
            ahead.clear();
            ahead.extend(raw.by_ref().take(AHEAD).map(|r| {
                let r = r.trim();
                (r, table.id(r))
            }));
            // Independent reads: the CPU fetches their lines side by side.
            let touched = ahead.iter().filter_map(|(_, id)| *id).fold(0u8, |acc, (_, hash)| acc ^ table.touch(hash));
            std::hint::black_box(touched);
            for &(r, id) in &ahead {
                each(self.looked_up(kind, r, id));
            }
        }
    }

    /// The pseudonym of trimmed `raw`, whose slot `id` (when short) was worked out.
    fn looked_up(&mut self, kind: IdKind, raw: &str, id: Option<SlotId>) -> Option<Pseudonym> {
        if raw.is_empty() {
            return None;
        }
        let slot = kind as usize - 1;
        let mac = &self.mac;
        Some(match id {
            Some((id, hash)) => self.cache[slot].get_or_insert(id, hash, || compute(mac, kind, raw)),
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
        for len in [1, 15, 16, 31, 32, 40] {
            let id = "L".repeat(len);
            let first = p.pseudonym(IdKind::Patient, &id);
            assert_eq!(p.pseudonym(IdKind::Patient, &id), first, "{len}");
            assert_eq!(Pseudonymizer::new(&key).pseudonym(IdKind::Patient, &id), first, "{len}");
            if len > 1 {
                assert_ne!(p.pseudonym(IdKind::Patient, &"L".repeat(len - 1)), first, "{len}");
            }
        }

        let other = tempfile::tempdir().unwrap();
        let k2 = Key::load_or_create(&other.path().join("k")).unwrap();
        assert_ne!(Pseudonymizer::new(&k2).pseudonym(IdKind::Patient, "P0001234").unwrap().to_string(), a);
        assert_eq!(mask("P0001234"), "＊＊＊（ID 8文字、伏せ字）");
    }

    #[test]
    fn pseudonyms_of_many_ids_at_once_are_each_ids_own_as_the_table_grows() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::load_or_create(&dir.path().join("k")).unwrap();
        // 5,000 distinct IDs (the table starts at 1,024 slots and grows thrice), some
        // repeated, some blank, some too long for a slot, in 100 rows past a multiple of AHEAD.
        let raw: Vec<String> = (0..20_100)
            .map(|i| match i % 7 {
                0 => " ".to_string(),
                1 => format!("LONG-PATIENT-ID-{:08}", i % 3_000),
                _ => format!("P{:07}", (i * 7_919) % 5_000),
            })
            .collect();
        let mut batch = Pseudonymizer::new(&key);
        let mut got = Vec::new();
        batch.pseudonyms(IdKind::Patient, raw.iter().map(String::as_str), |p| got.push(p));
        let mut fresh = Pseudonymizer::new(&key);
        let want: Vec<_> = raw.iter().map(|r| fresh.pseudonym(IdKind::Patient, r)).collect();
        assert_eq!(got.len(), raw.len());
        assert_eq!(got, want);
        assert_eq!(got.iter().filter(|p| p.is_none()).count(), raw.iter().filter(|r| r.trim().is_empty()).count());
        let distinct: std::collections::HashSet<_> = got.iter().flatten().map(|p| p.0).collect();
        let distinct_raw: std::collections::HashSet<_> =
            raw.iter().map(|r| r.trim()).filter(|r| !r.is_empty()).collect();
        assert_eq!(distinct.len(), distinct_raw.len());
        // A user with a patient's ID is someone else.
        let mut as_user = Vec::new();
        batch.pseudonyms(IdKind::User, raw.iter().take(50).map(String::as_str), |p| as_user.push(p));
        assert!(as_user.iter().zip(&got).all(|(u, p)| u.is_none() || u != p));
    }
}
