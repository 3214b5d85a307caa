//! Full backups of a data folder's register to a USB stick, and restoring one. A backup is taken while
//! the app runs with SQLite's online backup API (a consistent copy, the register keeps working),
//! encrypted with an age passphrase (a lost stick must not leak anyone's data), and written to the stick
//! the way case archives are (`stick::write_with`: temporary name, fsync, rename, read back and
//! verified). Only the copy and the record need the register; encrypting and writing do not, so the
//! shell holds the register's lock for those two steps only (`snapshot`, `Snapshot::write`, `record`).
//! The date and size of the last backup are kept in the register's settings for the reminder.
//!
//! Restoring verifies everything before touching the data folder (passphrase, SQLite integrity, a schema
//! this version can open), keeps a safety copy of the current database, then replaces it in one rename.
//! It must run with no register open on the folder (it takes the folder's lock itself), and it must never
//! leave the folder without a database that opens.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, MAIN_DB};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::error::{ArchiveCode, Error, FieldCode, Result};
use crate::exchange::{crypt, stick};
use crate::register::store::{
    create_private_dir, create_private_file, put_setting, supported_version, BACKUP_SCRATCH_PREFIX,
    DB_FILE, LOCK_FILE,
};
use crate::register::Register;

const SETTING: &str = "last_backup";
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";

/// A backup written to a stick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    pub path: PathBuf,
    pub bytes: u64,
    /// RFC 3339, when it was taken.
    pub at: String,
}

/// The last backup this register made: when and how big (`None` before the first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Last {
    pub at: String,
    pub bytes: u64,
}

fn err(code: ArchiveCode) -> Error {
    Error::Archive(code)
}

/// The plain copy of the database a backup encrypts. It lives in the data folder, never in the system's
/// shared temporary folder: created owner-only before SQLite writes a page into it, held open so the
/// encryption reads it whatever happens to its name, removed on drop, and, when a crash skips the drop,
/// removed by the next `Store::open` (`store::BACKUP_SCRATCH_PREFIX`).
struct Scratch {
    path: PathBuf,
    file: File,
}

impl Scratch {
    fn new(data_dir: &Path) -> Result<Scratch> {
        let path = data_dir.join(format!(
            "{BACKUP_SCRATCH_PREFIX}{:016x}.sqlite3",
            rand::random::<u64>()
        ));
        let file = create_private_file(&path)?;
        Ok(Scratch { path, file })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        for suffix in ["-journal", "-wal", "-shm"] {
            let mut side = self.path.clone().into_os_string();
            side.push(suffix);
            let _ = std::fs::remove_file(side);
        }
    }
}

/// Where a backup of `register` keeps its plain copy while it encrypts it: the register's data folder.
/// A register without one (in memory) cannot be backed up.
pub fn scratch_folder(register: &Register) -> Result<&Path> {
    register.store().dir().ok_or(err(ArchiveCode::NoDataFolder))
}

/// Reads through to `inner` and hashes what passes, so a stream can be compared without keeping it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    len: u64,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hash: Sha256::new(),
            len: 0,
        }
    }

    fn finish(self) -> (Vec<u8>, u64) {
        (self.hash.finalize().to_vec(), self.len)
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
}

/// The plain database inside a backup file, as a stream (the file's first bytes must be age's).
fn open_backup(file: &Path, passphrase: &str) -> Result<impl Read> {
    let mut input = BufReader::new(File::open(file)?.take(stick::FAT32_MAX_FILE));
    if !input.fill_buf()?.starts_with(AGE_MAGIC) {
        return Err(err(ArchiveCode::NotAnArchive));
    }
    crypt::decrypt_reader(input, passphrase)
}

/// A consistent plain copy of a register taken for a backup (`snapshot`), not yet on the stick. Only
/// taking it needs the register: encrypting it and writing it to the stick (`Snapshot::write`, seconds
/// for scrypt, minutes for a large register on a slow stick) need nothing of it, so a caller that shares
/// the register among threads can let them use it meanwhile, and then has it record the backup
/// (`record`).
pub struct Snapshot {
    scratch: Scratch,
    plain_len: u64,
    /// When the copy was taken (RFC 3339): the backup's date.
    stamp: String,
}

/// Takes the copy of `register` a backup encrypts (see `Snapshot`), after checking the passphrase
/// it will be encrypted with (at least `crypt::MIN_PASSPHRASE_CHARS` characters): a refused
/// passphrase copies nothing.
pub fn snapshot(register: &Register, passphrase: &str, at: &Clock) -> Result<Snapshot> {
    crypt::check_passphrase_length(passphrase)?;
    let scratch = Scratch::new(scratch_folder(register)?)?;
    register
        .store()
        .conn()
        .backup(MAIN_DB, &scratch.path, None)?;
    let stamp = at.recorded_at();
    {
        // The copy remembers itself as its register's last backup, so that once restored the
        // reminder knows how recent the data is (the size recorded is the database's; the file on
        // the stick is larger by age's few bytes per 64 KiB). No log beside the copy: one file.
        let copy = Connection::open(&scratch.path)?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        let itself = Last {
            at: stamp.clone(),
            bytes: scratch.file.metadata()?.len(),
        };
        put_setting(
            &copy,
            SETTING,
            &serde_json::to_string(&itself).unwrap_or_default(),
        )?;
    }
    let plain_len = scratch.file.metadata()?.len();
    Ok(Snapshot {
        scratch,
        plain_len,
        stamp,
    })
}

impl Snapshot {
    /// Where the plain copy is while it waits (in the data folder, owner-only).
    pub fn path(&self) -> &Path {
        &self.scratch.path
    }

    /// Encrypts the copy with `passphrase` and writes it to `folder` as
    /// `mixite-backup-<YYYYMMDD-HHMM>.age` (safely, then read back, decrypted and compared, see
    /// `stick::write_with`); the plain copy is removed whatever happens. Everything streams, so
    /// memory does not grow with the register: a 100 000-case register is a quarter of a gigabyte.
    pub fn write(self, folder: &Path, passphrase: &str) -> Result<Written> {
        crypt::check_passphrase_length(passphrase)?;
        let name = format!(
            "mixite-backup-{}.age",
            self.stamp
                .get(..16)
                .unwrap_or(&self.stamp)
                .replace(['-', ':'], "")
                .replace('T', "-")
        );
        let plain_digest = std::cell::OnceCell::new();
        let scratch = &self.scratch;
        let path = stick::write_with(
            folder,
            &name,
            crypt::encrypted_size_bound(self.plain_len),
            |file| {
                (&scratch.file).seek(SeekFrom::Start(0))?;
                let mut source = Hashing::new(BufReader::new(&scratch.file));
                crypt::encrypt_to(&mut source, BufWriter::new(file), passphrase, None)?;
                let _ = plain_digest.set(source.finish());
                Ok(())
            },
            |path| {
                // What is on the stick must decrypt to the database just copied.
                let mut read = Hashing::new(open_backup(path, passphrase)?);
                std::io::copy(&mut read, &mut std::io::sink())
                    .map_err(|_| err(ArchiveCode::VerifyFailed))?;
                (Some(&read.finish()) == plain_digest.get())
                    .then_some(())
                    .ok_or(err(ArchiveCode::VerifyFailed))
            },
        )?;
        let bytes = std::fs::metadata(&path)?.len();
        Ok(Written {
            path,
            bytes,
            at: self.stamp,
        })
    }
}

/// Records a backup written to a stick as the register's last one (for the reminder).
pub fn record(register: &mut Register, written: &Written) -> Result<()> {
    let last = Last {
        at: written.at.clone(),
        bytes: written.bytes,
    };
    register
        .store_mut()
        .set_setting(SETTING, &serde_json::to_string(&last).unwrap_or_default())
}

/// Takes a backup of the register, writes it encrypted to `folder` and records it: `snapshot`, then
/// `Snapshot::write`, then `record`, with the register held throughout (a caller sharing it among
/// threads calls the three itself and holds it only for the first and the last).
pub fn backup(
    register: &mut Register,
    folder: &Path,
    passphrase: &str,
    at: &Clock,
) -> Result<Written> {
    let written = snapshot(register, passphrase, at)?.write(folder, passphrase)?;
    record(register, &written)?;
    Ok(written)
}

/// The last backup of this register, for the reminder.
pub fn last(register: &Register) -> Result<Option<Last>> {
    Ok(register
        .store()
        .setting(SETTING)?
        .and_then(|v| serde_json::from_str(&v).ok()))
}

/// How many days may pass without a backup before the operator is reminded, unless set.
pub const DEFAULT_REMINDER_DAYS: i64 = 7;
const REMINDER_SETTING: &str = "backup.reminder_days";

/// The reminder's number of days for this register.
pub fn reminder_days(register: &Register) -> Result<i64> {
    Ok(register
        .store()
        .setting(REMINDER_SETTING)?
        .and_then(|v| v.parse().ok())
        .filter(|d| (1..=365).contains(d))
        .unwrap_or(DEFAULT_REMINDER_DAYS))
}

/// Sets the reminder's number of days (1 to 365).
pub fn set_reminder_days(register: &mut Register, days: i64) -> Result<i64> {
    if !(1..=365).contains(&days) {
        return Err(Error::Invalid(vec![crate::error::FieldError::new(
            "reminderDays",
            FieldCode::OutOfRange,
        )
        .with("min", 1)
        .with("max", 365)]));
    }
    register
        .store_mut()
        .set_setting(REMINDER_SETTING, &days.to_string())?;
    Ok(days)
}

/// Whether a restore may replace this register: always when it holds no case, otherwise only when the
/// operator confirmed (`replace`); refused as `restore_needs_confirmation`.
pub fn may_restore_over(register: &Register, replace: bool) -> Result<()> {
    if replace || !holds_cases(register)? {
        Ok(())
    } else {
        Err(err(ArchiveCode::RestoreNeedsConfirmation))
    }
}

/// Whether the register holds any case: restoring over it then needs the operator's confirmation.
pub fn holds_cases(register: &Register) -> Result<bool> {
    Ok(register
        .store()
        .conn()
        .query_row("SELECT EXISTS (SELECT 1 FROM cases)", [], |r| r.get(0))?)
}

/// Whether the last backup is older than `days` days (or there is none).
pub fn due(last: Option<&Last>, days: i64, at: &Clock) -> bool {
    let Some(last) = last else { return true };
    chrono::DateTime::parse_from_rfc3339(&last.at)
        .map(|t| (at.today - t.date_naive()).num_days() >= days)
        .unwrap_or(true)
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    /// The copy of the database that was replaced (`None` on a fresh data folder).
    pub safety_copy: Option<PathBuf>,
}

/// Checks a decrypted database: SQLite, intact, and of a schema this version can open.
fn check_database(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|_| err(ArchiveCode::Corrupt))?;
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|_| err(ArchiveCode::Corrupt))?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|_| err(ArchiveCode::Corrupt))?;
    let cases: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'cases'",
            [],
            |r| r.get(0),
        )
        .map_err(|_| err(ArchiveCode::Corrupt))?;
    if ok != "ok" || cases != 1 {
        return Err(err(ArchiveCode::Corrupt));
    }
    if version > supported_version() {
        return Err(Error::DbTooNew {
            found: version,
            supported: supported_version(),
        });
    }
    Ok(())
}

/// Restores a backup file into `data_dir`, which no register may hold open. Everything is verified
/// first; the current database (if any) is kept as `mixite-before-restore-<stamp>.sqlite3` beside it.
pub fn restore(file: &Path, passphrase: &str, data_dir: &Path, at: &Clock) -> Result<Restored> {
    let mut plain = open_backup(file, passphrase)?;
    create_private_dir(data_dir)?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(LOCK_FILE))?;
    if lock.try_lock().is_err() {
        return Err(Error::Locked);
    }
    let incoming = data_dir.join("mixite-restore.sqlite3.tmp");
    let written = (|| -> Result<()> {
        // The plain database, owner-only like a backup's copy (a stale one from a crash goes first).
        let _ = std::fs::remove_file(&incoming);
        let mut out = BufWriter::new(create_private_file(&incoming)?);
        std::io::copy(&mut plain, &mut out).map_err(|_| err(ArchiveCode::Corrupt))?;
        let out = out.into_inner().map_err(|e| e.into_error())?;
        out.sync_all()?;
        drop(out);
        let mut magic = [0u8; 16];
        let starts = File::open(&incoming).and_then(|mut f| f.read_exact(&mut magic));
        if starts.is_err() || magic != SQLITE_MAGIC {
            return Err(err(ArchiveCode::Corrupt));
        }
        check_database(&incoming)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&incoming);
        return Err(e);
    }
    let db = data_dir.join(DB_FILE);
    let safety_copy = if db.exists() {
        // A consistent copy of the current database, write-ahead log included, before it is replaced.
        let stamp = at.recorded_at().replace([':', '-'], "");
        let copy = data_dir.join(format!(
            "mixite-before-restore-{}.sqlite3",
            &stamp[..15.min(stamp.len())]
        ));
        let consistent = Connection::open(&db).and_then(|conn| conn.backup(MAIN_DB, &copy, None));
        if consistent.is_err() {
            // A database SQLite cannot read (the reason to restore, often) is kept as it is, bytes
            // and log, for whoever may still recover something from it.
            let _ = std::fs::remove_file(&copy);
            std::fs::copy(&db, &copy)?;
            let wal = data_dir.join(format!("{DB_FILE}-wal"));
            if wal.exists() {
                std::fs::copy(&wal, copy.with_extension("sqlite3-wal"))?;
            }
        }
        Some(copy)
    } else {
        None
    };
    // The old log and shared-memory files belong to the old database: they must not be replayed into
    // the restored one.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("{DB_FILE}{suffix}")));
    }
    std::fs::rename(&incoming, &db)?;
    File::open(data_dir)?.sync_all().ok();
    drop(lock);
    Ok(Restored { safety_copy })
}
