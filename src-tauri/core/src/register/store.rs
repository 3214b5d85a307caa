//! The one SQLite file of a data folder. It owns opening (folder lock, schema-version check, pragmas,
//! migrations, in that order) and the transaction discipline: reads get a `&Connection`, writes run in
//! `Store::write` inside one IMMEDIATE transaction. It must not contain domain rules or queries.

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::reference::text;

pub const DB_FILE: &str = "mixite.sqlite3";
pub const LOCK_FILE: &str = "mixite.lock";
/// How the plain copy a backup encrypts is named in the data folder:
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
    /// Opens (creating if needed) the database of a data folder.
    ///
    /// Fails with `Locked` when another instance holds the folder, with `DbTooNew` when the file was
    /// written by a newer version and with `Damaged` when SQLite cannot read it; in all three cases the
    /// database file is not modified.
    pub fn open(dir: &Path) -> Result<Store> {
        create_private_dir(dir)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))?;
        take_lock(&lock)?;
        // Only now, with the folder ours: no backup of this folder is running.
        remove_backup_leftovers(dir);
        let path = dir.join(DB_FILE);
        let opened = (|| {
            if path.exists() {
                refuse_newer(&path)?;
            }
            let conn = Connection::open(&path)?;
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
    if found > supported_version() {
        return Err(Error::DbTooNew {
            found,
            supported: supported_version(),
        });
    }
    Ok(())
}
