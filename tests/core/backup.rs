//! Full backups while the register is open (format 2: age around a TAR of the key ring and the
//! encrypted database), restored into a fresh folder and over existing data (with the safety copies),
//! opened with an operator's passphrase or the recovery key from the backup, and refused without
//! change when the backup's passphrase, the operator's passphrase or the file is wrong or the folder is
//! in use; a backup of the previous version (format 1: age around a plain SQLite file) restored under
//! the folder's current key ring and encrypted at the next sign-in.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use mixite_core::error::{AccessCode, ArchiveCode};
use mixite_core::exchange::backup::{self, Unlock};
use mixite_core::register::keys::{Kdf, RecoveryKey};
use mixite_core::register::operators::Actor;
use mixite_core::register::store::DB_FILE;
use mixite_core::{Error, Register};

use crate::{clock, create, key, problems, temp_register, worker};

const OPERATOR: &str = "Maria Rossi";
/// The operator's own passphrase (the key ring's slot).
const PASSPHRASE: &str = "la mia frase segreta";
/// The backup file's passphrase (age).
const BACKUP: &str = "una frase lunga";
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// A data folder set up as at the first start: a responsabile, the key ring, the recovery key.
fn set_up() -> (tempfile::TempDir, Register, Actor, RecoveryKey) {
    let dir = tempfile::tempdir().unwrap();
    let (register, actor, recovery) =
        Register::set_up(dir.path(), OPERATOR, PASSPHRASE, Kdf::OWASP, &clock()).unwrap();
    (dir, register, actor, recovery)
}

/// A desk set up with one case, backed up to a stick, its register closed: the data folder, the stick,
/// the responsabile, the recovery key and the backup written.
fn backed_up() -> (
    tempfile::TempDir,
    tempfile::TempDir,
    Actor,
    RecoveryKey,
    backup::Written,
) {
    let (dir, mut register, actor, recovery) = set_up();
    create(&mut register, worker());
    let stick = tempfile::tempdir().unwrap();
    let written = backup::backup(&mut register, stick.path(), BACKUP, &clock()).unwrap();
    (dir, stick, actor, recovery, written)
}

fn as_operator(actor: &Actor) -> Unlock<'_> {
    Unlock::Operator {
        id: &actor.id,
        passphrase: PASSPHRASE,
    }
}

/// How many cases the register of a data folder holds, signing in as `actor` (so the folder must be
/// free).
fn cases_in(dir: &Path, actor: &Actor) -> i64 {
    Register::sign_in(dir, &actor.id, PASSPHRASE, &clock())
        .unwrap()
        .0
        .case_count()
        .unwrap()
}

/// Every file of a folder with its bytes: what "unchanged" is compared on.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The plain stream inside an age file.
fn decrypt(file: &Path, passphrase: &str) -> Vec<u8> {
    let bytes = std::fs::read(file).unwrap();
    let decryptor = age::Decryptor::new(&bytes[..]).unwrap();
    let identity =
        age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    let mut plain = Vec::new();
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    plain
}

/// Writes `plain` as an age file with `passphrase` (at a low scrypt cost: these are the tests' own
/// files), as the previous version wrote its backups.
fn encrypt(plain: &[u8], passphrase: &str, to: &Path) {
    let mut recipient =
        age::scrypt::Recipient::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    recipient.set_work_factor(10);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).unwrap();
    writer.write_all(plain).unwrap();
    writer.finish().unwrap();
    std::fs::write(to, out).unwrap();
}

/// The members of a TAR, by name, in order.
fn members(tar_bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(tar_bytes);
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let mut entry = entry.unwrap();
            let name = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (name, data)
        })
        .collect()
}

/// A TAR of `members`, in order, each name written into its header as given (the builder's own
/// `set_path` would tidy `./x` into `x`).
fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut header = tar::Header::new_ustar();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_size(data.len() as u64);
        header.set_mode(0o600);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn a_backup_taken_while_the_register_is_open_restores_into_a_fresh_folder_and_opens_with_a_passphrase_from_it(
) {
    let (dir, mut register, actor, _recovery) = set_up();
    let first = create(&mut register, worker());
    let mut second = worker();
    second.applicant.surname = "Perera".into();
    second.applicant.document.number = "N7654321".into();
    create(&mut register, second);
    assert_eq!(backup::last(&register).unwrap(), None);
    assert!(
        backup::due(None, 7, &clock()),
        "no backup yet: the reminder is due"
    );

    let stick = tempfile::tempdir().unwrap();
    let written = backup::backup(&mut register, stick.path(), BACKUP, &clock()).unwrap();
    assert!(written.path.starts_with(stick.path()));
    let name = written
        .path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert!(
        name.starts_with("mixite-backup-") && name.ends_with(".age"),
        "{name}"
    );
    let on_stick = std::fs::read(&written.path).unwrap();
    assert!(on_stick.starts_with(b"age-encryption.org/v1"), "encrypted");
    assert!(
        !contains(&on_stick, b"Hoxha"),
        "no name readable on the stick"
    );
    let inside = members(&decrypt(&written.path, BACKUP));
    let names: Vec<&str> = inside.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["mixite.keys", DB_FILE],
        "format 2: the key ring, then the database, nothing else"
    );
    assert_eq!(
        inside[0].1,
        std::fs::read(dir.path().join("mixite.keys")).unwrap(),
        "the backup carries the register's key ring as it is"
    );
    assert!(
        !inside[1].1.starts_with(SQLITE_MAGIC) && !contains(&inside[1].1, b"Hoxha"),
        "the database inside is the encrypted copy, not a plain one"
    );
    let last = backup::last(&register).unwrap().expect("recorded");
    assert_eq!(last.bytes, written.bytes);
    assert!(
        !backup::due(Some(&last), 7, &clock()),
        "a backup today is not due"
    );
    let register_id = register.register_id().unwrap().to_string();
    drop(register);

    let fresh = tempfile::tempdir().unwrap();
    let restored = backup::restore(
        &written.path,
        BACKUP,
        &as_operator(&actor),
        fresh.path(),
        &clock(),
    )
    .unwrap();
    assert_eq!(
        restored.safety_copy, None,
        "nothing to keep in a fresh folder"
    );
    assert_eq!(restored.operator_id.as_deref(), Some(actor.id.as_str()));
    let (copy, signed_in) =
        Register::sign_in(fresh.path(), &actor.id, PASSPHRASE, &clock()).unwrap();
    assert_eq!(
        signed_in.id, actor.id,
        "the operator signs in to the restored register with their passphrase from the backup"
    );
    assert_eq!(
        copy.register_id(),
        Some(register_id.as_str()),
        "the restored key ring is the backup's"
    );
    let got = copy.get(first.id, clock().today).unwrap();
    assert_eq!(
        got.data, first.data,
        "the restored case is the same, field by field"
    );
    assert_eq!(copy.case_count().unwrap(), 2);
    let remembered = backup::last(&copy)
        .unwrap()
        .expect("the restored register knows its backup");
    assert_eq!(remembered.at, written.at);
    assert!(
        !backup::due(Some(&remembered), 7, &clock()),
        "restored from today's backup: no reminder"
    );
    drop(copy);
    let db = std::fs::read(fresh.path().join(DB_FILE)).unwrap();
    assert!(
        !db.starts_with(SQLITE_MAGIC) && !contains(&db, b"Hoxha"),
        "the restored register is encrypted on the disk"
    );
}

#[test]
fn restoring_over_data_keeps_safety_copies_and_refuses_bad_input_without_change() {
    let (dir, mut register, actor, _recovery) = set_up();
    create(&mut register, worker());
    let stick = tempfile::tempdir().unwrap();
    let written = backup::backup(&mut register, stick.path(), BACKUP, &clock()).unwrap();
    let mut later = worker();
    later.applicant.surname = "Later".into();
    later.applicant.document.number = "X1111111".into();
    create(&mut register, later);

    // The folder is in use: refused.
    let err = backup::restore(
        &written.path,
        BACKUP,
        &as_operator(&actor),
        dir.path(),
        &clock(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Locked), "{err:?}");
    drop(register);
    let before = files(dir.path());

    let err = backup::restore(
        &written.path,
        "sbagliata",
        &as_operator(&actor),
        dir.path(),
        &clock(),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Archive(ArchiveCode::WrongPassphrase)),
        "{err:?}"
    );
    let junk = stick.path().join("junk.age");
    std::fs::write(&junk, b"not a backup at all").unwrap();
    let err =
        backup::restore(&junk, BACKUP, &as_operator(&actor), dir.path(), &clock()).unwrap_err();
    assert!(
        matches!(err, Error::Archive(ArchiveCode::NotAnArchive)),
        "{err:?}"
    );
    for unlock in [
        Unlock::Operator {
            id: &actor.id,
            passphrase: "non è la mia frase",
        },
        Unlock::Operator {
            id: "00000000-0000-4000-8000-00000000abcd",
            passphrase: PASSPHRASE,
        },
        Unlock::Recovery("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"),
    ] {
        let err =
            backup::restore(&written.path, BACKUP, &unlock, dir.path(), &clock()).unwrap_err();
        assert!(
            matches!(err, Error::Access(AccessCode::Refused)),
            "the backup's passphrase is right, but nothing here opens its key ring: {err:?}"
        );
    }
    assert!(
        files(dir.path()) == before,
        "refused restores leave the data folder byte for byte as it was"
    );
    assert_eq!(cases_in(dir.path(), &actor), 2);

    let restored = backup::restore(
        &written.path,
        BACKUP,
        &as_operator(&actor),
        dir.path(),
        &clock(),
    )
    .unwrap();
    let safety = restored.safety_copy.expect("the replaced database is kept");
    let safety_keys = safety.with_extension("keys");
    assert!(
        safety.exists() && safety_keys.exists(),
        "the database and the key ring that were replaced are both kept: {safety:?}"
    );
    assert!(
        safety
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("mixite-before-restore-"),
        "{safety:?}"
    );
    assert_eq!(
        cases_in(dir.path(), &actor),
        1,
        "the register is the backup's"
    );

    // The safety copy is a register: put back under its names beside its key ring, it opens with the
    // passphrase that opened it and holds what was replaced.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::copy(&safety, elsewhere.path().join(DB_FILE)).unwrap();
    std::fs::copy(&safety_keys, elsewhere.path().join("mixite.keys")).unwrap();
    let wal = PathBuf::from(format!("{}-wal", safety.display()));
    if wal.exists() {
        std::fs::copy(&wal, elsewhere.path().join(format!("{DB_FILE}-wal"))).unwrap();
    }
    assert_eq!(
        cases_in(elsewhere.path(), &actor),
        2,
        "the safety copy holds the data that was replaced, the last case included"
    );

    // A second restore the same minute keeps its own safety copies beside the first ones.
    let first_copy = std::fs::read(&safety).unwrap();
    let again = backup::restore(
        &written.path,
        BACKUP,
        &as_operator(&actor),
        dir.path(),
        &clock(),
    )
    .unwrap()
    .safety_copy
    .unwrap();
    assert_ne!(again, safety, "an earlier safety copy is never overwritten");
    assert!(again.exists() && again.with_extension("keys").exists());
    assert_eq!(
        std::fs::read(&safety).unwrap(),
        first_copy,
        "the first safety copy is untouched"
    );
}

#[test]
fn the_recovery_key_from_the_backup_opens_it_when_every_passphrase_is_forgotten() {
    let (_dir, _stick, actor, recovery, written) = backed_up();

    let fresh = tempfile::tempdir().unwrap();
    let typed = recovery.text().to_lowercase().replace('-', " ");
    let restored = backup::restore(
        &written.path,
        BACKUP,
        &Unlock::Recovery(&typed),
        fresh.path(),
        &clock(),
    )
    .unwrap();
    assert_eq!(restored.operator_id, None, "nobody's passphrase was used");
    let (copy, responsabile) = Register::recover(
        fresh.path(),
        recovery.text(),
        &actor.id,
        "una frase tutta nuova",
        &clock(),
    )
    .unwrap();
    assert_eq!(responsabile.id, actor.id);
    assert_eq!(
        copy.case_count().unwrap(),
        1,
        "the recovery key opens the restored register and the responsabile gets a new passphrase"
    );
}

#[test]
fn a_damaged_database_is_replaced_by_the_backup_and_kept_aside_byte_for_byte() {
    let (dir, _stick, actor, _recovery, written) = backed_up();
    let damaged = dir.path().join(DB_FILE);
    let garbage = vec![0x5Au8; 8192];
    std::fs::write(&damaged, &garbage).unwrap();
    assert!(
        Register::sign_in(dir.path(), &actor.id, PASSPHRASE, &clock()).is_err(),
        "the damaged register does not open"
    );

    let restored = backup::restore(
        &written.path,
        BACKUP,
        &as_operator(&actor),
        dir.path(),
        &clock(),
    )
    .unwrap();
    let safety = restored.safety_copy.expect("the damaged database is kept");
    assert_eq!(std::fs::read(safety).unwrap(), garbage);
    assert_eq!(
        cases_in(dir.path(), &actor),
        1,
        "the register opens on the backup's case"
    );
}

#[test]
fn a_backup_holding_anything_but_its_two_members_is_refused_before_the_folder_is_touched() {
    let (dir, stick, actor, _recovery, written) = backed_up();
    let inside = members(&decrypt(&written.path, BACKUP));
    let (keys, db) = (&inside[0].1[..], &inside[1].1[..]);
    let before = files(dir.path());

    let crafted: [(&str, Vec<u8>, ArchiveCode); 6] = [
        (
            "the database first",
            tar_of(&[(DB_FILE, db), ("mixite.keys", keys)]),
            ArchiveCode::UnexpectedMember,
        ),
        (
            "a third member",
            tar_of(&[
                ("mixite.keys", keys),
                (DB_FILE, db),
                ("leggimi.txt", b"ciao"),
            ]),
            ArchiveCode::UnexpectedMember,
        ),
        (
            "a path around the name",
            tar_of(&[("./mixite.keys", keys), (DB_FILE, db)]),
            ArchiveCode::UnexpectedMember,
        ),
        (
            "no database",
            tar_of(&[("mixite.keys", keys)]),
            ArchiveCode::MissingMember,
        ),
        (
            "a key ring that is not one",
            tar_of(&[("mixite.keys", b"{\"format\": 99}"), (DB_FILE, db)]),
            ArchiveCode::Corrupt,
        ),
        (
            "a database that is not one",
            tar_of(&[("mixite.keys", keys), (DB_FILE, &[0x5A; 8192])]),
            ArchiveCode::Corrupt,
        ),
    ];
    for (what, tar_bytes, code) in crafted {
        let file = stick.path().join("crafted.age");
        encrypt(&tar_bytes, BACKUP, &file);
        let err =
            backup::restore(&file, BACKUP, &as_operator(&actor), dir.path(), &clock()).unwrap_err();
        assert!(
            matches!(&err, Error::Archive(c) if *c == code),
            "{what}: expected {code}, got {err:?}"
        );
        assert!(
            files(dir.path()) == before,
            "{what}: the data folder is left byte for byte as it was"
        );
    }
    let intact = stick.path().join("intact.age");
    encrypt(
        &tar_of(&[("mixite.keys", keys), (DB_FILE, db)]),
        BACKUP,
        &intact,
    );
    backup::restore(&intact, BACKUP, &as_operator(&actor), dir.path(), &clock()).unwrap();
    assert_eq!(
        cases_in(dir.path(), &actor),
        1,
        "the same members, in order and alone, are a backup"
    );
}

/// A register as the version before encryption kept it: a plain SQLite file at schema 3 (no
/// operators) holding `surnames.len()` cases, written through the core and exported plain by SQLCipher.
fn plain_register(surnames: &[&str], user_version: i64) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut register = Register::open(dir.path(), &key()).unwrap();
    for (n, surname) in surnames.iter().enumerate() {
        let mut case = worker();
        case.applicant.surname = (*surname).into();
        case.applicant.document.number = format!("P{:07}", n + 1);
        create(&mut register, case);
    }
    drop(register);
    let plain = dir.path().join("plain.sqlite3");
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", "07".repeat(32)))
        .unwrap();
    conn.execute(
        "ATTACH DATABASE ?1 AS plain KEY ''",
        [plain.to_string_lossy()],
    )
    .unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch("DETACH DATABASE plain").unwrap();
    drop(conn);
    rusqlite::Connection::open(&plain)
        .unwrap()
        .execute_batch(&format!(
            "DROP TABLE referrals; DROP TRIGGER partners_no_delete; DROP TABLE partners;
             DROP TABLE desk_person_facts; DROP TABLE desk_facts;
             DROP TABLE desk_person_months; DROP TABLE desk_month_operators; DROP TABLE desk_month_masks;
             DROP TABLE desk_month_cells; DROP TABLE desk_bits;
             DROP TABLE desk_contacts; DROP TABLE desk_operators; DROP TABLE staff_time;
             DROP TABLE satisfaction; DROP INDEX steps_report;
             DROP TABLE consents; DROP TABLE contacts; DROP INDEX cases_agenda_expiry;
             DROP INDEX cases_open_status; DROP INDEX steps_appointment_day; DROP INDEX steps_collected_day;
             DROP TRIGGER cases_status_date; ALTER TABLE cases DROP COLUMN status_date;
             DROP TABLE operators; DROP TABLE audit; DELETE FROM settings WHERE key = 'audit.head';
             DROP INDEX cases_restricted; DROP INDEX cases_anonymised;
             ALTER TABLE cases DROP COLUMN anonymised_at; ALTER TABLE cases DROP COLUMN restricted_at;
             ALTER TABLE cases DROP COLUMN restriction_reason;
             ALTER TABLE papers DROP COLUMN content_version;
             DROP TRIGGER steps_no_update;
             CREATE TRIGGER steps_no_update BEFORE UPDATE ON steps
             BEGIN SELECT RAISE(ABORT, 'steps are append-only'); END;
             PRAGMA user_version = {user_version};"
        ))
        .unwrap();
    let bytes = std::fs::read(plain).unwrap();
    assert!(bytes.starts_with(SQLITE_MAGIC) && contains(&bytes, b"Ndiaye"));
    bytes
}

#[test]
fn a_backup_of_the_previous_version_restores_under_the_current_key_ring_and_is_encrypted_at_the_next_sign_in(
) {
    let stick = tempfile::tempdir().unwrap();
    let old = stick.path().join("mixite-backup-20260101-0900.age");
    encrypt(&plain_register(&["Ndiaye", "Perera"], 3), BACKUP, &old);

    // A folder with no key ring has nobody to restore it for.
    let empty = tempfile::tempdir().unwrap();
    let err = backup::restore(
        &old,
        BACKUP,
        &Unlock::Operator {
            id: "00000000-0000-4000-8000-000000000001",
            passphrase: PASSPHRASE,
        },
        empty.path(),
        &clock(),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Access(AccessCode::NotSetUp)),
        "{err:?}"
    );
    assert!(!empty.path().join(DB_FILE).exists(), "nothing restored");

    let (dir, mut register, actor, _recovery) = set_up();
    create(&mut register, worker());
    drop(register);
    let db_before = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    let err = backup::restore(
        &old,
        BACKUP,
        &Unlock::Operator {
            id: &actor.id,
            passphrase: "non è la mia frase",
        },
        dir.path(),
        &clock(),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Access(AccessCode::Refused)),
        "the passphrase must open this folder's key ring: {err:?}"
    );
    assert_eq!(
        std::fs::read(dir.path().join(DB_FILE)).unwrap(),
        db_before,
        "a refused restore leaves the register as it was"
    );

    let restored =
        backup::restore(&old, BACKUP, &as_operator(&actor), dir.path(), &clock()).unwrap();
    let safety = restored.safety_copy.expect("the replaced database is kept");
    assert_eq!(std::fs::read(&safety).unwrap(), db_before);
    assert!(
        std::fs::read(dir.path().join(DB_FILE))
            .unwrap()
            .starts_with(SQLITE_MAGIC),
        "restored as the backup holds it, until the register opens"
    );

    let (copy, _) = Register::sign_in(dir.path(), &actor.id, PASSPHRASE, &clock()).unwrap();
    assert_eq!(
        copy.case_count().unwrap(),
        2,
        "the backup's cases, not the folder's"
    );
    let names: Vec<String> = copy
        .search("", 0, 10)
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.surname)
        .collect();
    assert!(names.contains(&"Ndiaye".to_string()), "{names:?}");
    drop(copy);
    let db = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    assert!(
        !db.starts_with(SQLITE_MAGIC) && !contains(&db, b"Ndiaye"),
        "the sign-in encrypted the restored register with the folder's key"
    );
}

#[test]
fn a_backup_of_the_previous_version_from_a_newer_schema_is_refused_without_change() {
    let stick = tempfile::tempdir().unwrap();
    let newer = stick.path().join("newer.age");
    encrypt(&plain_register(&["Ndiaye"], 99), BACKUP, &newer);
    let (dir, register, actor, _recovery) = set_up();
    drop(register);
    let before = files(dir.path());
    let err =
        backup::restore(&newer, BACKUP, &as_operator(&actor), dir.path(), &clock()).unwrap_err();
    assert!(matches!(err, Error::DbTooNew { found: 99, .. }), "{err:?}");
    assert!(
        files(dir.path()) == before,
        "the data folder is left byte for byte as it was"
    );
}

#[test]
fn a_short_passphrase_is_refused_on_its_field() {
    let (_dir, mut register, _actor, _recovery) = set_up();
    let stick = tempfile::tempdir().unwrap();
    let err = backup::backup(&mut register, stick.path(), "corta", &clock()).unwrap_err();
    assert_eq!(problems(err), ["passphrase:passphrase_short"]);
    assert!(
        std::fs::read_dir(stick.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

/// The entries of the system's temporary folder that carry the app's prefix.
fn ours_in_temp() -> std::collections::BTreeSet<std::ffi::OsString> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with("mixite-"))
        .collect()
}

/// The backup's copies in a data folder.
fn copies_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("mixite-backup-"))
        .collect()
}

#[test]
fn a_backup_keeps_its_copy_in_the_data_folder_encrypted_and_leaves_none_behind() {
    let (dir, mut register, _actor, _recovery) = set_up();
    create(&mut register, worker());
    assert_eq!(
        backup::scratch_folder(&register).unwrap(),
        dir.path(),
        "the copy is made in the data folder, not in the shared temporary folder"
    );
    let before = ours_in_temp();
    let snapshot = backup::snapshot(&register, BACKUP, &clock()).unwrap();
    let copy = std::fs::read(snapshot.path()).unwrap();
    assert!(
        !copy.starts_with(SQLITE_MAGIC) && !contains(&copy, b"Hoxha"),
        "the waiting copy is encrypted with the register's key: no SQLite header, no name"
    );
    let stick = tempfile::tempdir().unwrap();
    let written = snapshot.write(stick.path(), BACKUP).unwrap();
    backup::record(&mut register, &written).unwrap();
    let new: Vec<_> = ours_in_temp().difference(&before).cloned().collect();
    assert!(
        new.is_empty(),
        "nothing of the backup appears in the system's temporary folder: {new:?}"
    );
    assert!(
        copies_in(dir.path()).is_empty(),
        "the copy is removed once the backup is on the stick: {:?}",
        copies_in(dir.path())
    );

    let err = backup::backup(
        &mut Register::in_memory().unwrap(),
        stick.path(),
        BACKUP,
        &clock(),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Archive(ArchiveCode::NoDataFolder)),
        "a register without a data folder has nowhere private for the copy: {err:?}"
    );

    let (bare, mut opened_with_a_key) = temp_register();
    let err = backup::backup(&mut opened_with_a_key, stick.path(), BACKUP, &clock()).unwrap_err();
    assert!(
        matches!(err, Error::Access(AccessCode::NoSession)),
        "a register opened without its key ring has no slots for the backup to carry: {err:?}"
    );
    assert!(copies_in(bare.path()).is_empty(), "and nothing was copied");
}

#[test]
fn the_copy_is_taken_with_the_register_and_encrypted_and_written_without_it() {
    let (dir, mut register, actor, _recovery) = set_up();
    let first = create(&mut register, worker());
    let before = ours_in_temp();
    let snapshot = backup::snapshot(&register, BACKUP, &clock()).unwrap();
    assert!(
        snapshot.path().parent() == Some(dir.path()),
        "the waiting copy is in the data folder: {:?}",
        snapshot.path()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(snapshot.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the copy is readable by the register's owner only"
        );
    }
    assert_eq!(
        ours_in_temp(),
        before,
        "while a backup is under way nothing of it is in the system's temporary folder"
    );

    // The register serves other calls meanwhile; what they write is not in this backup.
    let mut later = worker();
    later.applicant.surname = "Later".into();
    later.applicant.document.number = "X1111111".into();
    create(&mut register, later);
    let stick = tempfile::tempdir().unwrap();
    let copy = snapshot.path().to_path_buf();
    let written = snapshot.write(stick.path(), BACKUP).unwrap();
    assert!(
        !copy.exists(),
        "the copy is gone once the backup is on the stick"
    );
    assert_eq!(
        backup::last(&register).unwrap(),
        None,
        "written, not yet recorded"
    );
    backup::record(&mut register, &written).unwrap();
    assert_eq!(
        backup::last(&register).unwrap().map(|l| (l.at, l.bytes)),
        Some((written.at.clone(), written.bytes)),
        "the register records the backup it was told of"
    );
    drop(register);

    let fresh = tempfile::tempdir().unwrap();
    backup::restore(
        &written.path,
        BACKUP,
        &as_operator(&actor),
        fresh.path(),
        &clock(),
    )
    .unwrap();
    let (copy, _) = Register::sign_in(fresh.path(), &actor.id, PASSPHRASE, &clock()).unwrap();
    assert_eq!(
        copy.case_count().unwrap(),
        1,
        "the backup holds the register as it was when the copy was taken"
    );
    assert_eq!(
        copy.get(first.id, clock().today).unwrap().data,
        first.data,
        "the copied case, field by field"
    );
}

#[test]
fn a_short_passphrase_copies_nothing() {
    let (dir, register, _actor, _recovery) = set_up();
    let refused = backup::snapshot(&register, "corta", &clock());
    assert_eq!(
        problems(refused.err().expect("refused")),
        ["passphrase:passphrase_short"],
        "refused before the register is copied"
    );
    assert!(
        copies_in(dir.path()).is_empty(),
        "no copy was made for a refused backup"
    );
}
