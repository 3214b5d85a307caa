//! The one SQLite file of a data folder, encrypted with SQLCipher. It owns opening (folder lock, the
//! conversion of a register from before encryption, the key, the schema-version check, pragmas,
//! migrations, in that order) and the transaction discipline: reads get a `&Connection`, writes run in
//! `Store::write` inside one IMMEDIATE transaction. It must not contain domain rules or queries, and it
//! never sees a passphrase: it is given the database key (`keys::DbKey`).

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::error::{AccessCode, Error, Result};
use crate::reference::text;
use crate::register::keys::{sync_dir, DbKey};

pub const DB_FILE: &str = "mixite.sqlite3";
pub const LOCK_FILE: &str = "mixite.lock";
/// The encrypted copy a conversion writes before it replaces the plain register.
const ENCRYPTING_FILE: &str = "mixite.sqlite3.encrypting";
/// The plain register a conversion has set aside, overwritten and removed once the copy is in place.
const PLAIN_FILE: &str = "mixite.sqlite3.plain";
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// The register's page cache, in KiB (see `Store::prepare`).
pub const REGISTER_CACHE_KIB: u32 = 64 * 1024;
/// How the copy a backup takes (SQLCipher-encrypted with the register's key) is named in the data folder:
/// `mixite-backup-<16 hex digits>.sqlite3` (and SQLite's `-journal`, `-wal`, `-shm` beside it). One that
/// is there when the folder opens was left by a backup that did not finish (a crash, a power cut).
pub const BACKUP_SCRATCH_PREFIX: &str = "mixite-backup-";

/// The numbered migrations, embedded in the binary. Never edit one once shipped; append a new one.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(migration_list())
}

fn migration_list() -> Vec<M<'static>> {
    vec![
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/001_cases.sql"
        ))),
        M::up_with_hook(
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/002_name_search.sql"
            )),
            |tx: &Transaction| {
                // Existing rows get their search key, then the index is built from them in one pass.
                let mut read = tx.prepare("SELECT id, surname, given_names FROM persons")?;
                let mut write = tx.prepare("UPDATE persons SET name_key = ?1 WHERE id = ?2")?;
                let rows = read.query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?;
                for row in rows {
                    let (id, surname, given) = row?;
                    write.execute(rusqlite::params![name_key(&surname, &given), id])?;
                }
                tx.execute(
                    "INSERT INTO person_names (person_names) VALUES ('rebuild')",
                    [],
                )?;
                Ok(())
            },
        ),
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/003_papers.sql"
        ))),
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/004_audit.sql"
        ))),
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/005_operators.sql"
        ))),
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/006_retention.sql"
        ))),
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/007_papers_content.sql"
        ))),
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/008_agenda.sql"
        ))),
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/009_activity.sql"
        ))),
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/010_activity_months.sql"
        ))),
        // 010 is another area's (merged before this one); 011 depends on 009 and earlier only.
        M::up_with_hook(
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/011_referrals.sql"
            )),
            |tx: &Transaction| crate::register::partners::seed(tx).map_err(Into::into),
        ),
        M::up(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/012_report_speed.sql"
        ))),
    ]
}

/// The schema version this build writes (the number of migrations).
pub fn supported_version() -> i64 {
    migration_list().len() as i64
}

/// The search key stored for a person: folded surname, then folded given names.
pub fn name_key(surname: &str, given_names: &str) -> String {
    text::fold(&format!("{surname} {given_names}"))
}

pub struct Store {
    conn: Connection,
    dir: Option<PathBuf>,
    /// Held open for the life of the store: the OS lock on it keeps a second instance out.
    _lock: Option<File>,
}

impl Store {
    /// Opens (creating if needed) the encrypted database of a data folder with its key. A register from
    /// before encryption is converted first (`encrypt_plain`).
    ///
    /// Fails with `Locked` when another instance holds the folder, with `Access(WrongKey)` when the key
    /// does not open the file (or SQLCipher finds it damaged: the two cannot be told apart), with
    /// `DbTooNew` when the file was written by a newer version and with `Damaged` when a plain file is
    /// not a database; in every case the database file is not modified.
    pub fn open(dir: &Path, key: &DbKey) -> Result<Store> {
        let lock = lock_folder(dir)?;
        let path = dir.join(DB_FILE);
        let opened = (|| {
            finish_conversion(dir)?;
            if is_plain(&path)? {
                refuse_newer(&path)?;
                encrypt_plain(dir, key)?;
            }
            let conn = Connection::open(&path)?;
            conn.execute_batch(&key.pragma("main"))?;
            // The first read tells whether the key opens the file; nothing has been written yet.
            let found: i64 = conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(|e| match Error::from(e) {
                    e if is_damage(&e) => Error::Access(AccessCode::WrongKey),
                    e => e,
                })?;
            refuse_version(found)?;
            let mut store = Store {
                conn,
                dir: Some(dir.to_path_buf()),
                _lock: Some(lock),
            };
            store.prepare()?;
            Ok(store)
        })();
        opened.map_err(|e| if is_damage(&e) { Error::Damaged } else { e })
    }

    /// Opens the plain (unencrypted) database of a data folder, as versions before encryption wrote it:
    /// only for tests and benchmarks that make such a register to convert, and for the plain-vs-encrypted
    /// benchmark.
    pub fn open_plain(dir: &Path) -> Result<Store> {
        let lock = lock_folder(dir)?;
        let path = dir.join(DB_FILE);
        if path.exists() {
            refuse_newer(&path)?;
        }
        let mut store = Store {
            conn: Connection::open(&path)?,
            dir: Some(dir.to_path_buf()),
            _lock: Some(lock),
        };
        store.prepare()?;
        Ok(store)
    }

    /// A private in-memory database, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Store> {
        let mut store = Store {
            conn: Connection::open_in_memory()?,
            dir: None,
            _lock: None,
        };
        store.prepare()?;
        Ok(store)
    }

    fn prepare(&mut self) -> Result<()> {
        // WAL lets the list read while a save commits; FULL sync because no committed case may be lost
        // to a power cut at the counter; foreign keys because the schema relies on them.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted rows are overwritten with zeros, not just unlinked: anonymised data must not stay
        // readable in free pages or free space (to whoever has the key, or in a plain register). Set on
        // every open, plain and in memory included, so retention behaves the same everywhere.
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        // A 64 MiB page cache (SQLite's default is 2 MiB): SQLCipher decrypts and authenticates every page
        // it reads from the file (about 11 µs against 2.5 µs plain, mostly the HMAC-SHA512), so the pages
        // searches keep coming back to stay decrypted in memory. `mixite bench crypto-compare` at 100 k
        // cases, encrypted against plain, search p95 over the query mix: ×2.2 with the default cache,
        // ×1.3–1.8 with 32 MiB (short name prefixes ×2.1–2.7), ×0.97–1.06 with 64 MiB (short prefixes
        // ×0.9–1.0). Filled only as pages are read, so a desk's usual register (10 000 cases, about
        // 25 MiB) never reaches it.
        self.conn
            .pragma_update(None, "cache_size", -(REGISTER_CACHE_KIB as i64))?;
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations().to_latest(&mut self.conn)?;
        Ok(())
    }

    /// The data folder, `None` in memory.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one IMMEDIATE transaction: committed if it returns `Ok`, rolled back otherwise.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        read_setting(&self.conn, key)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| put_setting(tx, key, value))
    }
}

/// Creates the data folder if needed and takes its lock, then clears what an unfinished backup left.
fn lock_folder(dir: &Path) -> Result<File> {
    create_private_dir(dir)?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))?;
    take_lock(&lock)?;
    // Only now, with the folder ours: no backup of this folder is running.
    remove_backup_leftovers(dir);
    Ok(lock)
}

/// Fails with `Locked` when another instance holds the data folder now (checked at start-up, before
/// anyone signs in, so a second window says so at once); the lock is not kept.
pub fn refuse_if_in_use(dir: &Path) -> Result<()> {
    let Ok(lock) = OpenOptions::new().write(true).open(dir.join(LOCK_FILE)) else {
        return Ok(());
    };
    match lock.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::Io(e)),
    }
}

/// Whether the file at `path` is a plain SQLite database (its header is readable text); `false` when
/// there is no file.
pub(crate) fn is_plain(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    match File::open(path) {
        Ok(mut file) => Ok(file.read_exact(&mut head).is_ok() && head == SQLITE_MAGIC),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Encrypts the plain register of `dir` with `key`: SQLCipher exports it into a new file, which is
/// checked (integrity, and every table holding as many rows as the plain one) before it replaces the
/// plain file; the plain file is then overwritten and removed. A failure before the swap leaves the
/// plain register as it was (the half-written copy is removed at the next open).
fn encrypt_plain(dir: &Path, key: &DbKey) -> Result<()> {
    let path = dir.join(DB_FILE);
    let target = dir.join(ENCRYPTING_FILE);
    remove_with_sqlite_files(&target);
    drop(create_private_file(&target)?);
    let plain = Connection::open(&path)?;
    plain.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        rusqlite::params![target.to_string_lossy(), key.pragma_value().as_str()],
    )?;
    plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    let version: i64 = plain.pragma_query_value(None, "user_version", |r| r.get(0))?;
    plain.execute_batch(&format!("PRAGMA encrypted.user_version = {version}"))?;
    plain.execute_batch("DETACH DATABASE encrypted")?;
    let copy = Connection::open(&target)?;
    copy.execute_batch(&key.pragma("main"))?;
    let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" || table_counts(&copy)? != table_counts(&plain)? {
        drop(copy);
        remove_with_sqlite_files(&target);
        return Err(Error::Damaged);
    }
    drop(copy);
    // Committed pages a crash left in the plain WAL are in the copy now; SQLite would only unlink it.
    plain.query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()))?;
    drop(plain);
    let aside = dir.join(PLAIN_FILE);
    std::fs::rename(&path, &aside)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        shred(&dir.join(format!("{DB_FILE}{suffix}")))?;
    }
    std::fs::rename(&target, &path)?;
    sync_dir(dir)?;
    shred(&aside)
}

/// What an interrupted conversion left: a copy not yet in place is dropped (the conversion runs again
/// from the plain file); a plain file set aside is restored if the copy never took its place, and
/// overwritten and removed if it did.
fn finish_conversion(dir: &Path) -> Result<()> {
    let path = dir.join(DB_FILE);
    let aside = dir.join(PLAIN_FILE);
    if aside.exists() {
        if path.exists() && !is_plain(&path)? {
            shred(&aside)?;
        } else {
            std::fs::rename(&aside, &path)?;
        }
    }
    remove_with_sqlite_files(&dir.join(ENCRYPTING_FILE));
    Ok(())
}

/// The row count of every table (shadow tables of the search index included), by name.
fn table_counts(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0 \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names
        .into_iter()
        .map(|name| {
            let count = conn.query_row(
                &format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")),
                [],
                |r| r.get(0),
            )?;
            Ok((name, count))
        })
        .collect()
}

/// Overwrites a file with zeros, syncs and removes it (nothing when it is not there). On a journalling
/// file system or an SSD the old blocks may survive elsewhere on the disk: this keeps the plain data out
/// of every file, which is what can be promised without encrypting the whole disk.
pub fn shred(path: &Path) -> Result<()> {
    use std::io::Write;
    let len = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut file = OpenOptions::new().write(true).open(path)?;
    let zeros = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        file.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    file.sync_all()?;
    drop(file);
    std::fs::remove_file(path)?;
    Ok(())
}

fn remove_with_sqlite_files(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Creates a data folder (and its missing parents) readable by its owner only, as it will hold the
/// register; a folder that exists already keeps the permissions its owner gave it.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Creates a new file readable and writable by its owner only (it will hold the plain register), open
/// for reading and writing; fails if the name is taken.
pub(crate) fn create_private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes `bytes` as `path` whole, owner-only: a temporary name beside it (`<name>.<random>.tmp`),
/// synced, renamed over it, the folder synced, so a power cut leaves the old file or the new one, never
/// half of one. The temporary is removed on failure.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(std::io::ErrorKind::InvalidInput.into());
    };
    let temporary = dir.join(format!(
        "{}.{:016x}.tmp",
        name.to_string_lossy(),
        rand::random::<u64>()
    ));
    let written = (|| -> std::io::Result<()> {
        let mut file = create_private_file(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        crate::register::keys::sync_dir(dir)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Whether `name` is a backup's plain copy (or one of SQLite's files beside it), see
/// `BACKUP_SCRATCH_PREFIX`.
pub(crate) fn is_backup_scratch(name: &str) -> bool {
    name.strip_prefix(BACKUP_SCRATCH_PREFIX)
        .and_then(|rest| rest.split_once(".sqlite3"))
        .is_some_and(|(hex, suffix)| {
            hex.len() == 16
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
                && matches!(suffix, "" | "-journal" | "-wal" | "-shm")
        })
}

/// Removes the plain copies unfinished backups left in `dir` (best effort: one that cannot be removed
/// now is tried again at the next open).
fn remove_backup_leftovers(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if is_backup_scratch(&entry.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Takes the folder's lock, waiting up to a second: a lock just released (a restore closing and opening
/// the register again) can still be held for a moment by a child process this one is starting (`lp`,
/// the viewer), which shares the descriptor until it executes. Another instance holds it for good and
/// is reported as `Locked` after the wait.
fn take_lock(lock: &File) -> Result<()> {
    for attempt in 0..20 {
        match lock.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if attempt < 19 => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::Locked),
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::Io(e)),
        }
    }
    Err(Error::Locked)
}

/// Reads a setting through any connection to a register's database (the store's own, or a write's
/// transaction).
pub(crate) fn read_setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Sets a setting through any connection to a register's database (the store's own, or a copy's).
pub(crate) fn put_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// SQLite's own verdict that the file is not a database or is corrupt (not a passing I/O problem).
fn is_damage(e: &Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    matches!(
        e,
        Error::Db(rusqlite::Error::SqliteFailure(f, _)) if matches!(f.code, NotADatabase | DatabaseCorrupt)
    )
}

/// Reads `user_version` through a read-only connection, before any pragma could rewrite the header.
fn refuse_newer(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    refuse_version(found)
}

fn refuse_version(found: i64) -> Result<()> {
    if found > supported_version() {
        return Err(Error::DbTooNew {
            found,
            supported: supported_version(),
        });
    }
    Ok(())
}
