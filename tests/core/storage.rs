use mixite_core::register::store::{self, Store, DB_FILE};
use mixite_core::{Error, Register};
use rusqlite::Connection;

use crate::{create, key, temp_register, worker};

#[test]
fn migration_list_is_valid() {
    assert!(
        store::migrations().validate().is_ok(),
        "every migration must apply to an empty database"
    );
}

#[test]
fn database_uses_wal_full_sync_and_foreign_keys() {
    let (_dir, register) = temp_register();
    let conn = register.store().conn();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    let sync: i64 = conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    let fk: i64 = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal", "WAL lets reads proceed during a save");
    assert_eq!(
        sync, 2,
        "synchronous=FULL so no committed case is lost on power failure"
    );
    assert_eq!(fk, 1, "the schema relies on foreign keys");
}

#[test]
fn a_second_instance_on_the_same_folder_is_refused() {
    let (dir, _first) = temp_register();
    let second = Register::open(dir.path(), &key());
    assert!(
        matches!(second, Err(Error::Locked)),
        "two writers on one folder must not coexist"
    );
}

#[test]
fn the_folder_is_free_again_after_the_first_instance_closes() {
    let (dir, first) = temp_register();
    drop(first);
    assert!(
        Register::open(dir.path(), &key()).is_ok(),
        "the lock dies with the instance"
    );
}

#[test]
fn a_newer_database_is_refused_and_left_byte_for_byte_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let result = Store::open(dir.path(), &key());
    assert!(
        matches!(result, Err(Error::DbTooNew { found: 99, .. })),
        "a schema from a newer app must be refused, got {:?}",
        result.err()
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the refused file must not change"
    );
    let wal = dir.path().join(format!("{DB_FILE}-wal"));
    assert!(
        !wal.exists(),
        "refusing must not even switch the file to WAL"
    );
}

#[test]
fn a_damaged_database_is_refused_as_damaged_and_left_byte_for_byte_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    // A plain SQLite header over garbage: a register from before encryption, damaged.
    let mut garbage = b"SQLite format 3\0".to_vec();
    garbage.extend(vec![0x5Au8; 8192]);
    std::fs::write(&path, &garbage).unwrap();
    let result = Store::open(dir.path(), &key());
    assert!(
        matches!(result, Err(Error::Damaged)),
        "a plain file SQLite cannot read is reported as damaged, got {:?}",
        result.err()
    );
    assert_eq!(std::fs::read(&path).unwrap(), garbage, "and not touched");
    // The folder's lock was released with the refusal (a second try says "damaged", not "locked"), so
    // a restore can take the folder.
    assert!(matches!(
        Store::open(dir.path(), &key()),
        Err(Error::Damaged)
    ));
}

#[test]
fn an_upgrade_from_the_first_schema_keeps_the_data_and_makes_it_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        store::migrations().to_version(&mut conn, 1).unwrap();
        conn.execute_batch(
            "INSERT INTO cases (id, uuid, year, seq, number, created_at, updated_at, procedure, motivo_code, status)
             VALUES (1, 'u-1', 2025, 7, '2025/000007', '2025-05-01T10:00:00.000Z', '2025-05-01T10:00:00.000Z',
                     'rinnovo', '16', 'intake');
             INSERT INTO case_counter (year, last) VALUES (2025, 7);
             INSERT INTO persons (case_id, ord, role, surname, given_names, sex, birth_date)
             VALUES (1, 0, 'applicant', 'Müller', 'Jürgen', 'M', '1980-01-02');
             INSERT INTO steps (case_id, kind, date, recorded_at, operator)
             VALUES (1, 'intake', '2025-05-01', '2025-05-01T10:00:00.000Z', 'Op');",
        )
        .unwrap();
    }
    let register = Register::open(dir.path(), &key()).unwrap();
    let version: i64 = register
        .store()
        .conn()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(
        version,
        store::supported_version(),
        "opening migrates to the latest schema"
    );
    let page = register.search("muller", 0, 10).unwrap();
    assert_eq!(
        page.items.len(),
        1,
        "the old row must survive and be found by its folded name"
    );
    assert_eq!(page.items[0].number, "2025/000007");
    assert_eq!(
        register
            .get(1, crate::clock().today)
            .unwrap()
            .data
            .applicant
            .given_names,
        "Jürgen"
    );
}

#[test]
fn committed_cases_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let mut register = Register::open(dir.path(), &key()).unwrap();
        create(&mut register, worker()).id
    };
    let register = Register::open(dir.path(), &key()).unwrap();
    let case = register.get(id, crate::clock().today).unwrap();
    assert_eq!(
        case.data.applicant.surname, "Hoxha",
        "a committed case is on disk"
    );
}

#[test]
fn history_cannot_be_rewritten_even_with_raw_sql() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let conn = register.store().conn();
    let update = conn.execute(
        "UPDATE steps SET operator = 'x' WHERE case_id = ?1",
        [case.id],
    );
    let delete = conn.execute("DELETE FROM steps WHERE case_id = ?1", [case.id]);
    assert!(
        update.is_err() && delete.is_err(),
        "the schema's triggers keep steps append-only"
    );
}

/// The permission bits of a file or folder.
#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn a_new_data_folder_is_created_for_its_owner_only_and_an_existing_one_is_left_as_it_is() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let fresh = parent.path().join("sportello").join("dati");
    drop(Store::open(&fresh, &key()).unwrap());
    assert_eq!(
        mode(&fresh),
        0o700,
        "the folder that holds the register is not for other users of the PC"
    );

    let shared = parent.path().join("condivisa");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o750)).unwrap();
    drop(Store::open(&shared, &key()).unwrap());
    assert_eq!(
        mode(&shared),
        0o750,
        "a folder the user already has keeps the permissions the user gave it"
    );
}

#[test]
fn a_plain_copy_an_unfinished_backup_left_is_removed_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path(), &key()).unwrap());
    let leftovers = [
        "mixite-backup-0123456789abcdef.sqlite3",
        "mixite-backup-0123456789abcdef.sqlite3-journal",
    ];
    let kept = [
        // A backup file itself (someone keeps one in the data folder) and other files are not scratch.
        "mixite-backup-20261126-1200.age",
        "mixite-before-restore-20261126T120000.sqlite3",
        "appunti.txt",
    ];
    for name in leftovers.iter().chain(&kept) {
        std::fs::write(dir.path().join(name), b"SQLite format 3\0 plain data").unwrap();
    }
    drop(Store::open(dir.path(), &key()).unwrap());
    for name in leftovers {
        assert!(
            !dir.path().join(name).exists(),
            "{name}: a plain copy of the register must not outlive the backup that made it"
        );
    }
    for name in kept {
        assert!(
            dir.path().join(name).exists(),
            "{name}: only a backup's scratch copy is removed"
        );
    }
}

#[test]
fn a_wrong_key_is_a_clear_error_and_the_file_is_left_untouched() {
    let (dir, register) = temp_register();
    create(&mut { register }, worker());
    let path = dir.path().join(DB_FILE);
    let before = std::fs::read(&path).unwrap();
    let wrong = mixite_core::register::keys::DbKey::from_bytes([8; 32]);
    let result = Store::open(dir.path(), &wrong);
    assert!(
        matches!(
            result,
            Err(Error::Access(mixite_core::error::AccessCode::WrongKey))
        ),
        "another key is refused as such, got {:?}",
        result.err()
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "and the file is not touched"
    );
    assert!(
        !before.starts_with(b"SQLite format 3"),
        "the register on disk is encrypted: no plain header"
    );
    Register::open(dir.path(), &key()).expect("the right key still opens it");
}
