//! The register's key ring: the random key SQLCipher encrypts the database with, kept only wrapped, in
//! one slot per operator (wrapped with a key Argon2id derives from the operator's passphrase) and one
//! recovery slot (wrapped with the key derived from the recovery key printed once on the recovery
//! sheet). The ring is the data folder's `mixite.keys`, a small JSON file written the way everything
//! important is (temporary name, sync, rename, sync the folder), readable before the database opens:
//! it holds the operators' names for the sign-in list, never an applicant's data. It also remembers
//! failed sign-ins (when, and the name chosen) so that delays survive a restart and the failures reach
//! the audit trail at the next sign-in.
//!
//! It owns the cryptography's plumbing only, all of it from maintained crates (`argon2`,
//! `chacha20poly1305`, `rand`): it must not decide who may do what (the register's operators do) and
//! must never write a key, a passphrase or a derived key anywhere but memory that is wiped on drop.

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{AccessCode, Error, FieldCode, FieldError, Result};

pub const KEYS_FILE: &str = "mixite.keys";
/// The recovery slot's id (operators' ids are UUIDs).
pub const RECOVERY_SLOT: &str = "recovery";
/// The shortest passphrase an operator may choose (characters, after trimming nothing: spaces count).
pub const PASSPHRASE_MIN: usize = 10;
const FORMAT: u32 = 1;
/// Failed sign-ins kept for the audit trail at most (a flood must not grow the file without bound).
const FAILURES_KEPT: usize = 1000;
/// Failures of one name answered at once; after these, each waits twice as long, up to `WAIT_MAX_S`.
const FREE_FAILURES: u32 = 2;
const WAIT_MAX_S: i64 = 300;

/// The random key SQLCipher encrypts the register with. It exists unwrapped only in memory (wiped when
/// dropped) and is handed to SQLCipher as a raw key, so no second key derivation runs at each open.
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    pub fn generate() -> DbKey {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(&mut key[..]);
        DbKey(key)
    }

    /// A key from its bytes (tests and benchmarks that reopen a register; a restore's unwrapped key).
    pub fn from_bytes(bytes: [u8; 32]) -> DbKey {
        DbKey(Zeroizing::new(bytes))
    }

    /// The statement that gives the key to SQLCipher, raw (`x'…'`): SQLCipher's own PBKDF2 is skipped,
    /// the key being random already.
    pub(crate) fn pragma(&self, schema: &str) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "PRAGMA {schema}.key = \"{}\";",
            self.pragma_value().as_str()
        ))
    }

    /// The key as SQLCipher reads a raw key given as a value (`ATTACH … KEY ?`).
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(&self.0[..])))
    }

    fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl PartialEq for DbKey {
    fn eq(&self, other: &DbKey) -> bool {
        self.0[..] == other.0[..]
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

/// Argon2id's cost, kept in each slot so a later version can raise it slot by slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Kdf {
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl Kdf {
    /// OWASP's first recommended Argon2id configuration (Password Storage Cheat Sheet): 46 MiB, one
    /// pass, one lane. About 0.1 s optimised on the desk's PC (`mixite bench sign-in`).
    pub const OWASP: Kdf = Kdf {
        memory_kib: 47_104,
        iterations: 1,
        lanes: 1,
    };

    pub(crate) fn derive(&self, secret: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        let params = Params::new(self.memory_kib, self.iterations, self.lanes, Some(32))
            .map_err(|_| Error::Access(AccessCode::KeysDamaged))?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(secret, salt, &mut out[..])
            .map_err(|_| Error::Access(AccessCode::KeysDamaged))?;
        Ok(out)
    }
}

/// One wrapped copy of the database key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Slot {
    id: String,
    /// The operator's name as the sign-in list shows it (empty for the recovery slot).
    name: String,
    kdf: Kdf,
    salt: String,
    nonce: String,
    wrapped: String,
}

/// A sign-in that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// RFC 3339.
    pub at: String,
    /// The slot chosen (an operator's id, or `recovery`), whether or not it exists.
    pub slot: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyFile {
    format: u32,
    /// Names this register: a slot is bound to it, so a slot copied from another desk's ring opens
    /// nothing here.
    register: String,
    slots: Vec<Slot>,
    #[serde(default)]
    failures: Vec<Failure>,
}

/// An operator as the sign-in list shows them (the ring knows no roles: the database does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInName {
    pub id: String,
    pub name: String,
}

/// The recovery key: 160 random bits written as 8 groups of 4 base32 letters and digits, the way the
/// sheet prints it and the responsabile types it back (spaces, dashes and letter case do not matter).
pub struct RecoveryKey(SecretString);

impl RecoveryKey {
    fn generate() -> RecoveryKey {
        let mut bytes = Zeroizing::new([0u8; 20]);
        rand::rng().fill_bytes(&mut bytes[..]);
        let plain = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&bytes[..]));
        let grouped = plain
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("base32 is ASCII"))
            .collect::<Vec<_>>()
            .join("-");
        RecoveryKey(SecretString::from(grouped))
    }

    /// The key as printed: `ABCD-EFGH-…`.
    pub fn text(&self) -> &str {
        self.0.expose_secret()
    }

    /// The secret the slot is derived from: the base32 letters only, upper case.
    fn normalised(typed: &str) -> Zeroizing<String> {
        Zeroizing::new(
            typed
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        )
    }
}

/// The passphrase an operator chooses: at least `PASSPHRASE_MIN` characters (checked here, so no path
/// around it), reported on `field`.
pub fn check_passphrase(passphrase: &str, field: &str) -> Result<()> {
    if passphrase.chars().count() < PASSPHRASE_MIN {
        return Err(Error::Invalid(vec![FieldError::new(
            field,
            FieldCode::PassphraseShort,
        )
        .with("min", PASSPHRASE_MIN)]));
    }
    Ok(())
}

pub struct KeyRing {
    path: PathBuf,
    file: KeyFile,
}

impl KeyRing {
    /// The ring of a data folder, `None` when it has none yet (a new folder, or a register from before
    /// encryption). A ring that cannot be read is `KeysDamaged`: the remedy is a backup.
    pub fn load(dir: &Path) -> Result<Option<KeyRing>> {
        let path = dir.join(KEYS_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        KeyRing::from_bytes(&bytes, path).map(Some)
    }

    /// A ring read from a backup's copy of the file (not saved anywhere until `save_to`).
    pub fn from_bytes(bytes: &[u8], path: PathBuf) -> Result<KeyRing> {
        let file: KeyFile = serde_json::from_slice(bytes)
            .ok()
            .filter(|f: &KeyFile| f.format == FORMAT)
            .ok_or(Error::Access(AccessCode::KeysDamaged))?;
        Ok(KeyRing { path, file })
    }

    /// A new, empty ring for the register of `dir` (saved by `save`).
    pub fn new(dir: &Path) -> KeyRing {
        KeyRing {
            path: dir.join(KEYS_FILE),
            file: KeyFile {
                format: FORMAT,
                register: uuid::Uuid::new_v4().to_string(),
                slots: Vec::new(),
                failures: Vec::new(),
            },
        }
    }

    /// The register's id (printed on the recovery sheet).
    pub fn register_id(&self) -> &str {
        &self.file.register
    }

    /// The operators who can sign in, by name.
    pub fn names(&self) -> Vec<SignInName> {
        let mut names: Vec<SignInName> = self
            .file
            .slots
            .iter()
            .filter(|s| s.id != RECOVERY_SLOT)
            .map(|s| SignInName {
                id: s.id.clone(),
                name: s.name.clone(),
            })
            .collect();
        names.sort_by_key(|n| n.name.to_lowercase());
        names
    }

    /// The slot of `who`, an operator's id or their name as typed (letter case and accents aside): a
    /// restore asks for the name, since the backup's ids are not known before it is opened.
    pub fn resolve(&self, who: &str) -> String {
        let folded = crate::reference::text::fold(who);
        self.file
            .slots
            .iter()
            .find(|s| s.id == who)
            .or_else(|| {
                self.file.slots.iter().find(|s| {
                    s.id != RECOVERY_SLOT && crate::reference::text::fold(&s.name) == folded
                })
            })
            .map_or_else(|| who.to_string(), |s| s.id.clone())
    }

    pub fn has(&self, id: &str) -> bool {
        self.file.slots.iter().any(|s| s.id == id)
    }

    fn aad(&self, id: &str) -> Vec<u8> {
        format!("mixite-slot-v1\0{}\0{id}", self.file.register).into_bytes()
    }

    /// The database key, unwrapped with `secret`. An unknown slot and a wrong secret are the same
    /// `Refused`, and cost the same key derivation, so nobody learns which names exist.
    fn unwrap(&self, id: &str, secret: &[u8]) -> Result<DbKey> {
        let refused = Error::Access(AccessCode::Refused);
        let Some(slot) = self.file.slots.iter().find(|s| s.id == id) else {
            let _ = Kdf::OWASP.derive(secret, &[0u8; 16]);
            return Err(refused);
        };
        let damaged = || Error::Access(AccessCode::KeysDamaged);
        let salt = hex::decode(&slot.salt).map_err(|_| damaged())?;
        let nonce = hex::decode(&slot.nonce).map_err(|_| damaged())?;
        let wrapped = hex::decode(&slot.wrapped).map_err(|_| damaged())?;
        if nonce.len() != 24 {
            return Err(damaged());
        }
        let kek = slot.kdf.derive(secret, &salt)?;
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&kek[..]));
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &wrapped,
                        aad: &self.aad(id),
                    },
                )
                .map_err(|_| refused)?,
        );
        let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| damaged())?;
        Ok(DbKey::from_bytes(bytes))
    }

    /// The database key, with an operator's passphrase.
    pub fn open(&self, id: &str, passphrase: &str) -> Result<DbKey> {
        if id == RECOVERY_SLOT {
            return Err(Error::Access(AccessCode::Refused));
        }
        self.unwrap(id, passphrase.as_bytes())
    }

    /// The database key, with the recovery key as typed.
    pub fn open_with_recovery(&self, typed: &str) -> Result<DbKey> {
        self.unwrap(RECOVERY_SLOT, RecoveryKey::normalised(typed).as_bytes())
    }

    fn put(&mut self, id: &str, name: &str, secret: &[u8], key: &DbKey, kdf: Kdf) -> Result<()> {
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut salt);
        rand::rng().fill_bytes(&mut nonce);
        let kek = kdf.derive(secret, &salt)?;
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&kek[..]));
        let wrapped = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: key.bytes(),
                    aad: &self.aad(id),
                },
            )
            .map_err(|_| Error::Access(AccessCode::KeysDamaged))?;
        let slot = Slot {
            id: id.to_string(),
            name: name.to_string(),
            kdf,
            salt: hex::encode(salt),
            nonce: hex::encode(nonce),
            wrapped: hex::encode(wrapped),
        };
        match self.file.slots.iter_mut().find(|s| s.id == id) {
            Some(existing) => *existing = slot,
            None => self.file.slots.push(slot),
        }
        Ok(())
    }

    /// Wraps `key` for an operator (a new slot, or their old one replaced: a new passphrase).
    pub fn put_operator(
        &mut self,
        id: &str,
        name: &str,
        passphrase: &str,
        key: &DbKey,
        kdf: Kdf,
    ) -> Result<()> {
        check_passphrase(passphrase, "passphrase")?;
        self.put(id, name, passphrase.as_bytes(), key, kdf)
    }

    /// A new recovery key, replacing the recovery slot: the old sheet opens nothing any more.
    pub fn new_recovery(&mut self, key: &DbKey, kdf: Kdf) -> Result<RecoveryKey> {
        let recovery = RecoveryKey::generate();
        self.put(
            RECOVERY_SLOT,
            "",
            RecoveryKey::normalised(recovery.text()).as_bytes(),
            key,
            kdf,
        )?;
        Ok(recovery)
    }

    /// Removes an operator's slot (they are disabled): their passphrase opens nothing any more.
    pub fn remove(&mut self, id: &str) {
        self.file.slots.retain(|s| s.id != id);
    }

    /// Renames an operator in the sign-in list.
    pub fn rename(&mut self, id: &str, name: &str) {
        if let Some(slot) = self.file.slots.iter_mut().find(|s| s.id == id) {
            slot.name = name.to_string();
        }
    }

    /// How many seconds a sign-in on `slot` must still wait after its recent failures, if any: the first
    /// `FREE_FAILURES` are answered at once, then each waits twice as long as the one before.
    pub fn wait_for(&self, slot: &str, now: DateTime<Utc>) -> Option<u64> {
        let mine: Vec<&Failure> = self
            .file
            .failures
            .iter()
            .filter(|f| f.slot == slot)
            .collect();
        let count = mine.len() as u32;
        if count < FREE_FAILURES {
            return None;
        }
        let last = mine
            .iter()
            .filter_map(|f| DateTime::parse_from_rfc3339(&f.at).ok())
            .max()?
            .with_timezone(&Utc);
        let wait = 1i64
            .checked_shl(count - FREE_FAILURES + 1)
            .unwrap_or(WAIT_MAX_S)
            .min(WAIT_MAX_S);
        let left = (last + chrono::Duration::seconds(wait) - now).num_seconds();
        (left > 0).then_some(left as u64)
    }

    /// Records a refused sign-in on `slot` (saved by the caller).
    pub fn record_failure(&mut self, slot: &str, at: &str) {
        if self.file.failures.len() >= FAILURES_KEPT {
            self.file.failures.remove(0);
        }
        self.file.failures.push(Failure {
            at: at.to_string(),
            slot: slot.to_string(),
        });
    }

    /// The failures not yet in the audit trail, handed over at a sign-in (which also ends the waiting).
    pub fn take_failures(&mut self) -> Vec<Failure> {
        std::mem::take(&mut self.file.failures)
    }

    /// Writes the ring to its file: temporary name, sync, rename, sync the folder, so a power cut leaves
    /// the old ring or the new one, never half of one.
    pub fn save(&self) -> Result<()> {
        self.save_to(&self.path)
    }

    /// Writes the ring to `path` the same way (a restore writes a backup's ring beside the database).
    pub fn save_to(&self, path: &Path) -> Result<()> {
        path.parent()
            .ok_or(Error::Access(AccessCode::KeysDamaged))?;
        let bytes = serde_json::to_vec_pretty(&self.file).map_err(std::io::Error::from)?;
        Ok(crate::register::store::replace_file(path, &bytes)?)
    }

    /// The ring's bytes, for a backup.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        Ok(serde_json::to_vec_pretty(&self.file).map_err(std::io::Error::from)?)
    }
}

/// Makes a rename in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}
