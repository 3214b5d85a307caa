//! Papers sealed at rest. A printed paper carries the applicant's name, documents and address, and the
//! register around it is encrypted: so every file the desk keeps under `print/` is encrypted too, with
//! XChaCha20-Poly1305 under the register's papers key, a random 32-byte key created the first time one
//! is needed and kept only in the (encrypted) register's `settings` (`papers.key`). A sealed file is
//! `MAGIC`, a random 24-byte nonce and the ciphertext; its associated data is the file's path inside
//! the print folder (`<case uuid>/<name>`), so a file moved to another case's folder, or renamed, does
//! not open. This module also seals in place the plain files earlier versions left there
//! (`seal_plain_files`), overwriting each plain original before it is removed.
//!
//! It owns the format, the key and the sealing of old files; it must not decide which files are a
//! case's (`folder` does, by the records), must never write a plain PDF into the data folder, and the
//! key must never leave the database: not in a file, a log, an error or an archive.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::error::{Error, Missing, Result};
use crate::register::store::{put_setting, read_setting, shred};
use crate::register::Register;

/// How every sealed file starts. A file without it was written plain by an earlier version.
pub const MAGIC: &[u8] = b"MIXITE-SEALED-PDF1\n";
const NONCE_LEN: usize = 24;
/// The `settings` key of the papers key (64 hex digits).
const KEY_SETTING: &str = "papers.key";
/// What a file sealed in place is written as before it takes the plain file's name.
const SEALING_SUFFIX: &str = ".sealing.tmp";

/// The register's papers key, in memory only (wiped when dropped).
pub(crate) struct PapersKey(Zeroizing<[u8; 32]>);

impl PapersKey {
    /// The key as `settings` keeps it; a value that is not 32 bytes of hex is an internal error (only
    /// this module writes it).
    fn parse(hex_value: &str) -> Result<PapersKey> {
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(hex_value, &mut key[..])
            .map_err(|_| Error::Print("the papers key in settings is not 32 bytes".into()))?;
        Ok(PapersKey(key))
    }

    /// The register's key when it has one (none before its first paper: then no file is sealed yet).
    pub(crate) fn existing(register: &Register) -> Result<Option<PapersKey>> {
        read_setting(register.store().conn(), KEY_SETTING)?
            .map(Zeroizing::new)
            .map(|v| PapersKey::parse(&v))
            .transpose()
    }

    /// The register's key, created the first time one is needed, in its own transaction (which reads
    /// again, so a key is never replaced: files sealed under it would never open again).
    pub(crate) fn get_or_create(register: &mut Register) -> Result<PapersKey> {
        if let Some(key) = PapersKey::existing(register)? {
            return Ok(key);
        }
        register.store_mut().write(|tx| {
            if let Some(value) = read_setting(tx, KEY_SETTING)?.map(Zeroizing::new) {
                return PapersKey::parse(&value);
            }
            let mut key = Zeroizing::new([0u8; 32]);
            rand::rng().fill_bytes(&mut key[..]);
            put_setting(tx, KEY_SETTING, &Zeroizing::new(hex::encode(&key[..])))?;
            Ok(PapersKey(key))
        })
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&self.0[..]))
    }
}

/// Whether stored bytes are a sealed file (else a plain one of an earlier version).
pub fn is_sealed(stored: &[u8]) -> bool {
    stored.starts_with(MAGIC)
}

/// `plain` sealed as the file `path` of the print folder (`<case uuid>/<name>`, or a flat file's name).
pub(crate) fn seal(key: &PapersKey, path: &str, plain: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = key
        .cipher()
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: path.as_bytes(),
            },
        )
        .map_err(|_| Error::Print("sealing a paper".into()))?;
    let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + sealed.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// What a file of the print folder holds.
pub(crate) enum Opened {
    /// A sealed file, opened: its plain PDF.
    Sealed(Vec<u8>),
    /// A plain file of an earlier version, as it is (the caller checks it against its record).
    Plain(Vec<u8>),
}

/// Opens the stored bytes of the file `path` of the print folder. A sealed file that does not open
/// (another case's file moved here, a renamed or altered file, no key) is `PaperUnreadable`.
pub(crate) fn open(key: Option<&PapersKey>, path: &str, stored: Vec<u8>) -> Result<Opened> {
    let Some(body) = stored.strip_prefix(MAGIC) else {
        return Ok(Opened::Plain(stored));
    };
    let unreadable = Error::NotFound(Missing::PaperUnreadable);
    let (Some(key), true) = (key, body.len() >= NONCE_LEN) else {
        return Err(unreadable);
    };
    let (nonce, sealed) = body.split_at(NONCE_LEN);
    key.cipher()
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: path.as_bytes(),
            },
        )
        .map(Opened::Sealed)
        .map_err(|_| unreadable)
}

/// Seals in place every file under the print folder that is not sealed yet: the papers earlier
/// versions printed, in `print/<case uuid>/` or flat in `print/`, each under its own path there as
/// associated data. Each plain file's sealed copy is written under a temporary name and synced, the
/// plain file is overwritten and removed (`store::shred`), and the copy takes its name. What an
/// interrupted run left is finished: a sealed copy whose plain file is already gone takes its name,
/// any other leftover temporary is overwritten and removed. Symbolic links are never followed. Returns
/// how many files were sealed; a second run seals none. An in-memory register has no print folder.
pub fn seal_plain_files(register: &mut Register) -> Result<usize> {
    let Some(root) = register
        .store()
        .dir()
        .map(|d| d.join(super::folder::PRINT_DIR))
    else {
        return Ok(0);
    };
    let mut files = Vec::new();
    if root.is_dir() {
        walk(&root, "", &mut files)?;
    }
    let (leftovers, files): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|(_, rel)| is_temporary(rel));
    for (path, rel) in leftovers {
        finish_leftover(register, &path, &rel)?;
    }
    let mut key = None;
    let mut sealed = 0;
    for (path, rel) in files {
        if head_is_sealed(&path)? {
            continue;
        }
        if key.is_none() {
            key = Some(PapersKey::get_or_create(register)?);
        }
        seal_in_place(key.as_ref().expect("set just above"), &path, &rel)?;
        sealed += 1;
    }
    Ok(sealed)
}

/// Every regular file under `dir`, with its path relative to the print folder (`/`-separated).
fn walk(dir: &Path, prefix: &str, out: &mut Vec<(PathBuf, String)>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        if kind.is_dir() {
            walk(&entry.path(), &format!("{rel}/"), out)?;
        } else if kind.is_file() {
            out.push((entry.path(), rel));
        }
    }
    Ok(())
}

/// A temporary name of this folder's writes (`.<name>.<hex>.tmp`, `.<name>.sealing.tmp`): never a
/// paper's name, which cannot start with a dot.
fn is_temporary(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.starts_with('.') && name.ends_with(".tmp")
}

/// Whether the file at `path` starts with `MAGIC` (only its first bytes are read).
fn head_is_sealed(path: &Path) -> Result<bool> {
    let mut head = [0u8; MAGIC.len()];
    let mut file = File::open(path)?;
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(is_sealed(&head[..read]))
}

/// A temporary an interrupted write or sealing left. A sealed copy whose plain file is already gone
/// (shredded, the rename not done) is that file now, if it opens as it: it takes its name. Anything
/// else is overwritten and removed: a write's temporary never got its record, and an earlier
/// version's may be plain.
fn finish_leftover(register: &mut Register, path: &Path, rel: &str) -> Result<()> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let target = name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(SEALING_SUFFIX))
        .filter(|n| !n.is_empty());
    if let Some(target) = target {
        let dir = path
            .parent()
            .expect("a file of the print folder has a folder");
        let final_path = dir.join(target);
        let final_rel = format!("{}{target}", &rel[..rel.len() - name.len()]);
        if !final_path.exists() {
            let key = PapersKey::existing(register)?;
            if matches!(
                open(key.as_ref(), &final_rel, std::fs::read(path)?),
                Ok(Opened::Sealed(_))
            ) {
                std::fs::rename(path, &final_path)?;
                sync_dir(dir)?;
                return Ok(());
            }
        }
    }
    shred(path)
}

/// Seals the plain file at `path` (print-folder path `rel`) in place: the sealed copy under a
/// temporary name, synced; the plain file overwritten and removed; the copy renamed to its name.
fn seal_in_place(key: &PapersKey, path: &Path, rel: &str) -> Result<()> {
    let plain = Zeroizing::new(std::fs::read(path)?);
    let sealed = seal(key, rel, &plain)?;
    let dir = path
        .parent()
        .expect("a file of the print folder has a folder");
    let name = path
        .file_name()
        .expect("a file has a name")
        .to_string_lossy();
    let temp = dir.join(format!(".{name}{SEALING_SUFFIX}"));
    let _ = std::fs::remove_file(&temp);
    let written = (|| -> std::io::Result<()> {
        let mut file = create_private(&temp)?;
        file.write_all(&sealed)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e.into());
    }
    shred(path)?;
    std::fs::rename(&temp, path)?;
    sync_dir(dir)
}

/// A new file only its owner reads (0600 on Unix); fails if the name is taken.
pub(crate) fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Syncs a folder, so the names just given in it are on disk (a no-op where folders cannot be synced).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
