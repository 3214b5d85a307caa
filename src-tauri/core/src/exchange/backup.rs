//! Full backups of a data folder's register to a USB stick, and restoring one. A backup is taken while
//! the app runs with SQLite's online backup API into a copy encrypted with the register's own key (a
//! consistent copy, the register keeps working), then written to the stick as format 2: an age file
//! (its own passphrase: a lost stick must not leak anyone's data, nor hand over the slots to guess at)
//! around a TAR of exactly two members, the key ring `mixite.keys` first, then the encrypted database
//! `mixite.sqlite3`. It is written the way case archives are (`stick::write_with`: temporary name,
//! fsync, rename, read back, decrypted and compared by hash), streaming, so memory does not grow with
//! the register. Only the copy and the record need the register; packing, encrypting and writing do
//! not, so the shell holds the register's lock for those two steps only (`snapshot`,
//! `Snapshot::write`, `record`). The date and size of the last backup are kept in the register's
//! settings for the reminder.
//!
//! Restoring needs the backup's passphrase, then an operator's passphrase or the recovery key that
//! opens a slot of the backup's own ring (`Unlock`). Everything is verified before the data folder is
//! touched (age, the two members and their sizes, the ring, the slot, the database: it opens with the
//! slot's key, is intact and of a schema this version can open); then the current database and key
//! ring are kept as safety copies, the backup's ring is put in place and its database renamed over the
//! current one. A backup of the previous version (format 1: age around a plain SQLite file, no ring) is
//! still restored: it has no ring of its own, so it is unlocked against the data folder's current ring
//! and restored plain, to be encrypted with the current key at the next `Store::open`.
//!
//! It must run with no register open on the folder (it takes the folder's lock itself), it must never
//! write a key or a passphrase anywhere, and a refused restore leaves the folder as it was.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::error::{AccessCode, ArchiveCode, Error, FieldCode, Result};
use crate::exchange::{crypt, stick};
use crate::register::keys::{sync_dir, DbKey, KeyRing, KEYS_FILE, RECOVERY_SLOT};
use crate::register::store::{
    create_private_dir, create_private_file, put_setting, shred, supported_version,
    BACKUP_SCRATCH_PREFIX, DB_FILE, LOCK_FILE,
};
use crate::register::Register;

const SETTING: &str = "last_backup";
/// How a format-1 backup's decrypted stream starts (a plain SQLite file; format 2 starts with a TAR
/// header naming `mixite.keys`).
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";
/// The largest key ring a backup may carry: a ring of a hundred operators with its thousand remembered
/// failures is under 200 KiB.
const KEYS_MAX_BYTES: u64 = 1 << 20;
/// Where a restore writes the incoming database before it is verified and renamed into place.
const INCOMING_FILE: &str = "mixite-restore.sqlite3.tmp";

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

/// The copy of the database a backup packs. It is encrypted with the register's key (SQLite's backup
/// API copies pages between two databases keyed alike) and lives in the data folder, never in the
/// system's shared temporary folder: created owner-only before SQLite writes a page into it, held open
/// so the packing reads it whatever happens to its name, removed on drop, and, when a crash skips the
/// drop, removed by the next `Store::open` (`store::BACKUP_SCRATCH_PREFIX`).
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

/// Where a backup of `register` keeps its copy while it packs it: the register's data folder. A
/// register without one (in memory) cannot be backed up.
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

/// The plain stream inside a backup file (the file's first bytes must be age's): a TAR (format 2) or
/// a SQLite file (format 1).
fn open_backup(file: &Path, passphrase: &str) -> Result<impl Read> {
    use std::io::BufRead;
    let mut input = BufReader::new(File::open(file)?.take(stick::FAT32_MAX_FILE));
    if !input.fill_buf()?.starts_with(AGE_MAGIC) {
        return Err(err(ArchiveCode::NotAnArchive));
    }
    crypt::decrypt_reader(input, passphrase)
}

/// A TAR member's header: a regular file, owner-only, dated when the copy was taken.
fn member(name: &str, size: u64, mtime: u64) -> std::io::Result<tar::Header> {
    let mut header = tar::Header::new_ustar();
    header.set_path(name)?;
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    Ok(header)
}

/// The bytes of a TAR of the two members: a 512-byte header before each, each padded to 512 bytes,
/// and the two zero blocks that end the archive.
fn tar_size(ring: u64, db: u64) -> u64 {
    512 + ring.div_ceil(512) * 512 + 512 + db.div_ceil(512) * 512 + 1024
}

/// A consistent copy of a register taken for a backup (`snapshot`), with the key ring it carries, not
/// yet on the stick. Only taking it needs the register: packing, encrypting and writing it to the
/// stick (`Snapshot::write`, seconds for scrypt, minutes for a large register on a slow stick) need
/// nothing of it, so a caller that shares the register among threads can let them use it meanwhile,
/// and then has it record the backup (`record`).
pub struct Snapshot {
    scratch: Scratch,
    db_len: u64,
    /// The key ring's bytes as the register holds it (slots wrapped; nothing secret in the clear).
    ring: Vec<u8>,
    /// When the copy was taken (RFC 3339): the backup's date.
    stamp: String,
    /// The same moment in seconds since 1970, for the TAR headers.
    mtime: u64,
}

/// Takes the copy of `register` a backup packs (see `Snapshot`), after checking the passphrase it will
/// be encrypted with (at least `crypt::MIN_PASSPHRASE_CHARS` characters): a refused passphrase copies
/// nothing. The register must have been opened with its key ring (a sign-in, `Register::set_up`):
/// one opened with a bare key (`Register::open`) has no slots to carry and is refused as
/// `Access(NoSession)`.
pub fn snapshot(register: &Register, passphrase: &str, at: &Clock) -> Result<Snapshot> {
    crypt::check_passphrase_length(passphrase)?;
    let folder = scratch_folder(register)?;
    let (ring, key) = register.key_material()?;
    let scratch = Scratch::new(folder)?;
    let stamp = at.recorded_at();
    {
        // The copy is keyed before its first page is written: SQLite's backup API copies between an
        // encrypted register and an encrypted copy with the same key, never into a plain file.
        let mut copy = Connection::open(&scratch.path)?;
        copy.execute_batch(&key.pragma("main"))?;
        {
            let backup = Backup::new(register.store().conn(), &mut copy)?;
            // One step: the register is not written meanwhile (the caller holds it).
            let code = match backup.step(-1)? {
                StepResult::Done => None,
                StepResult::Locked => Some(rusqlite::ffi::SQLITE_LOCKED),
                _ => Some(rusqlite::ffi::SQLITE_BUSY),
            };
            if let Some(code) = code {
                let failure = rusqlite::ffi::Error::new(code);
                return Err(rusqlite::Error::SqliteFailure(failure, None).into());
            }
        }
        // The copy remembers itself as its register's last backup, so that once restored the
        // reminder knows how recent the data is (the size recorded is the database's; the file on
        // the stick is larger by the key ring, the TAR headers and age's few bytes per 64 KiB). No
        // log beside the copy: one file.
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
    let db_len = scratch.file.metadata()?.len();
    Ok(Snapshot {
        scratch,
        db_len,
        ring,
        stamp,
        mtime: u64::try_from(at.now.timestamp()).unwrap_or(0),
    })
}

impl Snapshot {
    /// Where the copy is while it waits (in the data folder, owner-only, encrypted with the register's
    /// key).
    pub fn path(&self) -> &Path {
        &self.scratch.path
    }

    /// Packs the key ring and the copy into a TAR, encrypts it with `passphrase` and writes it to
    /// `folder` as `mixite-backup-<YYYYMMDD-HHMM>.age` (safely, then read back, decrypted and compared
    /// by hash, see `stick::write_with`); the copy is removed whatever happens. Everything streams, so
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
        let path = stick::write_with(
            folder,
            &name,
            crypt::encrypted_size_bound(tar_size(self.ring.len() as u64, self.db_len)),
            |file| {
                let _ = plain_digest.set(self.seal(BufWriter::new(file), passphrase)?);
                Ok(())
            },
            |path| {
                // What is on the stick must decrypt to the TAR just packed.
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

    /// Encrypts the TAR into `out`; returns the hash and length of the TAR as encrypted. The TAR
    /// builder pushes into a writer and age's encryption (`crypt::encrypt_to`) pulls from a reader,
    /// so the builder runs on a thread of its own behind a pipe: both stream, nothing is held whole.
    fn seal(&self, out: impl Write, passphrase: &str) -> Result<(Vec<u8>, u64)> {
        let (reader, writer) = std::io::pipe()?;
        std::thread::scope(|scope| {
            let packing = scope.spawn(move || self.pack(writer));
            let mut source = Hashing::new(reader);
            let sealed = crypt::encrypt_to(&mut source, out, passphrase, None);
            // Dropping the reader stops a packer still writing (a broken pipe) when sealing failed.
            let digest = source.finish();
            let packed = packing
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the backup's packer panicked")));
            // A failed seal explains a broken pipe in the packer, not the other way round; a failed
            // packer ends the stream early, which the seal cannot tell from its end.
            sealed?;
            packed?;
            Ok(digest)
        })
    }

    /// Writes the TAR into `out`: the key ring, then the database copy, then the end of the archive.
    fn pack(&self, out: impl Write) -> std::io::Result<()> {
        let mut tar = tar::Builder::new(BufWriter::new(out));
        tar.append(
            &member(KEYS_FILE, self.ring.len() as u64, self.mtime)?,
            self.ring.as_slice(),
        )?;
        let mut file = &self.scratch.file;
        file.seek(SeekFrom::Start(0))?;
        let mut db = file.take(self.db_len);
        tar.append(&member(DB_FILE, self.db_len, self.mtime)?, &mut db)?;
        if db.limit() != 0 {
            // The builder pads what it got, whatever the header said: a copy that shrank would make
            // a TAR that only the restore finds short.
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        tar.into_inner()?.flush()
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
    /// The copy of the database that was replaced, `mixite-before-restore-<stamp>.sqlite3` (with its
    /// `-wal` beside it when it had one, and the key ring it opened with as `….keys`); `None` when the
    /// folder held no database.
    pub safety_copy: Option<PathBuf>,
    /// The operator whose passphrase opened the backup (`None` with the recovery key).
    pub operator_id: Option<String>,
}

/// Who opens a backup being restored: an operator with their passphrase, or the recovery key as typed
/// (from the sheet printed for the register the backup was taken of). A format-2 backup is opened with
/// a slot of its own key ring; a format-1 backup has none and is opened with the data folder's.
#[derive(Clone, Copy)]
pub enum Unlock<'a> {
    /// `id`: the operator's id, or their name as typed (see `KeyRing::resolve`).
    Operator {
        id: &'a str,
        passphrase: &'a str,
    },
    Recovery(&'a str),
}

impl Unlock<'_> {
    /// The database key `ring` holds for this operator or the recovery key; `Access(Refused)` when it
    /// holds none (an unknown operator and a wrong passphrase alike).
    fn open(&self, ring: &KeyRing) -> Result<DbKey> {
        match *self {
            Unlock::Operator { id, passphrase } => ring.open(&ring.resolve(id), passphrase),
            Unlock::Recovery(typed) => ring.open_with_recovery(typed),
        }
    }

    /// The slot tried, as the ring counts refused sign-ins.
    fn slot(&self) -> &str {
        match *self {
            Unlock::Operator { id, .. } => id,
            Unlock::Recovery(_) => RECOVERY_SLOT,
        }
    }

    fn operator_id(&self) -> Option<String> {
        match *self {
            Unlock::Operator { id, .. } => Some(id.to_string()),
            Unlock::Recovery(_) => None,
        }
    }
}

/// Checks an incoming database: it opens (with `key`, or plain for a format-1 backup), is intact, has
/// the register's tables and a schema this version can open.
fn check_database(path: &Path, key: Option<&DbKey>) -> Result<()> {
    let corrupt = |_| err(ArchiveCode::Corrupt);
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(corrupt)?;
    if let Some(key) = key {
        conn.execute_batch(&key.pragma("main")).map_err(corrupt)?;
    }
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(corrupt)?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(corrupt)?;
    let cases: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'cases'",
            [],
            |r| r.get(0),
        )
        .map_err(corrupt)?;
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

/// Copies `from` into the new owner-only file `to`, at most `cap` bytes, and syncs it; returns how
/// many bytes it copied. A read that fails is the backup's fault (`Corrupt`: age authenticates each
/// chunk as it is read), a write that fails the data folder's (`Io`); more than `cap` is `TooLarge`.
fn receive(mut from: impl Read, to: &Path, cap: u64) -> Result<u64> {
    let mut out = create_private_file(to)?;
    let mut buffer = vec![0u8; 1 << 16];
    let mut copied = 0u64;
    loop {
        let n = from
            .read(&mut buffer)
            .map_err(|_| err(ArchiveCode::Corrupt))?;
        if n == 0 {
            break;
        }
        copied += n as u64;
        if copied > cap {
            return Err(err(ArchiveCode::TooLarge));
        }
        out.write_all(&buffer[..n])?;
    }
    out.sync_all()?;
    Ok(copied)
}

/// The next member of a format-2 backup, which must be the regular file `name` of at most `cap`
/// bytes: the members are exactly the key ring, then the database.
fn next_member<'a, R: Read>(
    members: &mut tar::Entries<'a, R>,
    name: &str,
    cap: u64,
) -> Result<tar::Entry<'a, R>> {
    let member = match members.next() {
        None => return Err(err(ArchiveCode::MissingMember)),
        Some(Err(_)) => return Err(err(ArchiveCode::Corrupt)),
        Some(Ok(member)) => member,
    };
    if member.header().entry_type() != tar::EntryType::Regular
        || member.path_bytes().as_ref() != name.as_bytes()
    {
        return Err(err(ArchiveCode::UnexpectedMember));
    }
    if member.size() > cap {
        return Err(err(ArchiveCode::TooLarge));
    }
    Ok(member)
}

/// Reads a format-2 backup (the TAR after age): its members (`receive_members`), then nothing but the
/// zeros that end the archive, read to the end so that age authenticates the last chunk; then checks
/// the database with the ring's key. Returns the backup's ring.
fn receive_format_2(
    stream: impl Read,
    unlock: &Unlock,
    data_dir: &Path,
    incoming: &Path,
) -> Result<KeyRing> {
    let mut archive = tar::Archive::new(stream);
    let (ring, key) = receive_members(&mut archive, unlock, data_dir, incoming)?;
    let mut rest = archive.into_inner();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = rest
            .read(&mut buffer)
            .map_err(|_| err(ArchiveCode::Corrupt))?;
        if n == 0 {
            break;
        }
        if buffer[..n].iter().any(|&b| b != 0) {
            return Err(err(ArchiveCode::UnexpectedMember));
        }
    }
    check_database(incoming, Some(&key))?;
    Ok(ring)
}

/// A format-2 backup's members, exactly: the key ring, which `unlock` must open, then the database,
/// written to `incoming`. Returns the ring and the key its slot opened.
fn receive_members<R: Read>(
    archive: &mut tar::Archive<R>,
    unlock: &Unlock,
    data_dir: &Path,
    incoming: &Path,
) -> Result<(KeyRing, DbKey)> {
    let mut members = archive.entries().map_err(|_| err(ArchiveCode::Corrupt))?;
    let ring = {
        let member = next_member(&mut members, KEYS_FILE, KEYS_MAX_BYTES)?;
        let expected = member.size();
        let mut bytes = Vec::new();
        member
            .take(KEYS_MAX_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|_| err(ArchiveCode::Corrupt))?;
        if bytes.len() as u64 != expected {
            return Err(err(ArchiveCode::Corrupt));
        }
        KeyRing::from_bytes(&bytes, data_dir.join(KEYS_FILE))
            .map_err(|_| err(ArchiveCode::Corrupt))?
    };
    // Before the database is written anywhere: a passphrase that opens nothing here stops the
    // restore with the data folder as it was.
    let key = unlock.open(&ring).map_err(|e| match e {
        Error::Access(AccessCode::KeysDamaged) => err(ArchiveCode::Corrupt),
        other => other,
    })?;
    let member = next_member(&mut members, DB_FILE, stick::FAT32_MAX_FILE)?;
    let expected = member.size();
    if receive(member, incoming, expected)? != expected {
        return Err(err(ArchiveCode::Corrupt));
    }
    match members.next() {
        None => Ok((ring, key)),
        Some(Ok(_)) => Err(err(ArchiveCode::UnexpectedMember)),
        Some(Err(_)) => Err(err(ArchiveCode::Corrupt)),
    }
}

/// Reads a format-1 backup (a plain SQLite file after age). It carries no key ring: `unlock` must open
/// the data folder's current one (a refusal counts as a refused sign-in there, with its delays, so a
/// restore is no way round them), and the database is written plain to `incoming`, to be encrypted
/// with the current key by the next `Store::open`.
fn receive_format_1(
    stream: impl Read,
    unlock: &Unlock,
    data_dir: &Path,
    incoming: &Path,
    at: &Clock,
) -> Result<()> {
    let mut ring = KeyRing::load(data_dir)?.ok_or(Error::Access(AccessCode::NotSetUp))?;
    if let Some(seconds) = ring.wait_for(unlock.slot(), at.now) {
        return Err(Error::Wait { seconds });
    }
    if let Err(e) = unlock.open(&ring) {
        ring.record_failure(unlock.slot(), &at.recorded_at());
        ring.save()?;
        return Err(e);
    }
    receive(stream, incoming, stick::FAT32_MAX_FILE)?;
    check_database(incoming, None)
}

/// A name `mixite-before-restore-<stamp>` (then `-2`, `-3`…) under which none of the safety copies'
/// files exists yet: an earlier restore's copies are never overwritten.
fn safety_stem(data_dir: &Path, at: &Clock) -> Result<String> {
    let stamp = at.recorded_at().replace([':', '-'], "");
    let stamp = &stamp[..15.min(stamp.len())];
    (1..100)
        .map(|n| match n {
            1 => format!("mixite-before-restore-{stamp}"),
            n => format!("mixite-before-restore-{stamp}-{n}"),
        })
        .find(|stem| {
            ["sqlite3", "sqlite3-wal", "keys"]
                .iter()
                .all(|ext| !data_dir.join(format!("{stem}.{ext}")).exists())
        })
        .ok_or(err(ArchiveCode::NoFreeName))
}

/// Copies `from` to `to` and syncs the copy: it must be on the disk before the original is replaced.
fn copy_synced(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)?;
    File::open(to)?.sync_all()?;
    Ok(())
}

/// Keeps the data folder's current database (with its write-ahead log: without the key it cannot be
/// checkpointed, and the copy is encrypted as the original is) and key ring beside them; returns the
/// database's copy. A database SQLite cannot read (often the reason to restore) is kept as it is.
fn keep_current(data_dir: &Path, at: &Clock) -> Result<Option<PathBuf>> {
    let db = data_dir.join(DB_FILE);
    let keys = data_dir.join(KEYS_FILE);
    if !db.exists() && !keys.exists() {
        return Ok(None);
    }
    let stem = safety_stem(data_dir, at)?;
    if keys.exists() {
        copy_synced(&keys, &data_dir.join(format!("{stem}.keys")))?;
    }
    if !db.exists() {
        return Ok(None);
    }
    let copy = data_dir.join(format!("{stem}.sqlite3"));
    copy_synced(&db, &copy)?;
    let wal = data_dir.join(format!("{DB_FILE}-wal"));
    if wal.exists() {
        copy_synced(&wal, &data_dir.join(format!("{stem}.sqlite3-wal")))?;
    }
    Ok(Some(copy))
}

/// Restores the backup `file` (age, `passphrase`) into `data_dir`, which no register may hold open;
/// `unlock` must open a slot of the backup's key ring (format 2) or, for a backup of the previous
/// version that has none (format 1), of the data folder's current ring (`Access(NotSetUp)` without
/// one). Everything is verified before the folder is touched: a wrong backup passphrase is
/// `Archive(WrongPassphrase)`, an unlock that opens nothing `Access(Refused)`, a damaged or foreign
/// file `Archive(..)`, a newer schema `DbTooNew`. Then the current database and key ring are kept as
/// `mixite-before-restore-<stamp>.sqlite3` (and `-wal`) and `.keys`, the backup's ring replaces the
/// current one and its database is renamed over the current one.
///
/// A crash between putting the ring in place and renaming the database leaves a ring that does not
/// open the database beside it: restoring the same backup again repairs it (the safety copies hold
/// what was there before).
pub fn restore(
    file: &Path,
    passphrase: &str,
    unlock: &Unlock,
    data_dir: &Path,
    at: &Clock,
) -> Result<Restored> {
    let mut plain = open_backup(file, passphrase)?;
    // The first bytes tell the formats apart: a plain SQLite file, or a TAR header.
    let mut head = Vec::with_capacity(SQLITE_MAGIC.len());
    (&mut plain)
        .take(SQLITE_MAGIC.len() as u64)
        .read_to_end(&mut head)
        .map_err(|_| err(ArchiveCode::Corrupt))?;
    let legacy = head == SQLITE_MAGIC;
    let stream = std::io::Cursor::new(head).chain(plain);

    create_private_dir(data_dir)?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(LOCK_FILE))?;
    if lock.try_lock().is_err() {
        return Err(Error::Locked);
    }
    let incoming = data_dir.join(INCOMING_FILE);
    // One a crash left behind may be a format-1 backup's plain database.
    shred(&incoming)?;
    let restored = (|| -> Result<Restored> {
        let ring = if legacy {
            receive_format_1(stream, unlock, data_dir, &incoming, at)?;
            None
        } else {
            Some(receive_format_2(stream, unlock, data_dir, &incoming)?)
        };
        let safety_copy = keep_current(data_dir, at)?;
        if let Some(ring) = ring {
            ring.save_to(&data_dir.join(KEYS_FILE))?;
        }
        // The old log and shared-memory files belong to the old database: they must not be replayed
        // into the restored one.
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(data_dir.join(format!("{DB_FILE}{suffix}")));
        }
        std::fs::rename(&incoming, data_dir.join(DB_FILE))?;
        sync_dir(data_dir)?;
        Ok(Restored {
            safety_copy,
            operator_id: unlock.operator_id(),
        })
    })();
    if restored.is_err() {
        let _ = if legacy {
            shred(&incoming)
        } else {
            std::fs::remove_file(&incoming).map_err(Error::from)
        };
    }
    drop(lock);
    restored
}
