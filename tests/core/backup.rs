//! Full backups while the register is open, restored into a fresh folder and over existing data (with the
//! safety copy), and refused when the passphrase is wrong, the file is not a backup, or the folder is in
//! use.

use mixite_core::error::ArchiveCode;
use mixite_core::exchange::backup;
use mixite_core::Register;

use crate::{clock, create, key, problems, temp_register, worker};

/// How many cases the register of a data folder lists (opening it, so the folder must be free).
fn cases_in(dir: &std::path::Path) -> usize {
    Register::open(dir, &key())
        .unwrap()
        .search("", 0, 10)
        .unwrap()
        .items
        .len()
}

#[test]
fn a_backup_taken_while_the_register_is_open_restores_into_a_fresh_folder() {
    let (_dir, mut register) = temp_register();
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
    let written = backup::backup(&mut register, stick.path(), "una frase lunga", &clock()).unwrap();
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
        !on_stick.windows(5).any(|w| w == b"Hoxha"),
        "no name readable on the stick"
    );
    let last = backup::last(&register).unwrap().expect("recorded");
    assert_eq!(last.bytes, written.bytes);
    assert!(
        !backup::due(Some(&last), 7, &clock()),
        "a backup today is not due"
    );

    let fresh = tempfile::tempdir().unwrap();
    let restored =
        backup::restore(&written.path, "una frase lunga", fresh.path(), &clock()).unwrap();
    assert_eq!(
        restored.safety_copy, None,
        "nothing to keep in a fresh folder"
    );
    let copy = Register::open(fresh.path(), &key()).unwrap();
    let got = copy.get(first.id, clock().today).unwrap();
    assert_eq!(
        got.data, first.data,
        "the restored case is the same, field by field"
    );
    let remembered = backup::last(&copy)
        .unwrap()
        .expect("the restored register knows its backup");
    assert_eq!(remembered.at, written.at);
    assert!(
        !backup::due(Some(&remembered), 7, &clock()),
        "restored from today's backup: no reminder"
    );
    drop(copy);
    assert_eq!(cases_in(fresh.path()), 2);
}

#[test]
fn restoring_over_data_keeps_a_safety_copy_and_refuses_bad_input_without_change() {
    let (dir, mut register) = temp_register();
    create(&mut register, worker());
    let stick = tempfile::tempdir().unwrap();
    let written = backup::backup(&mut register, stick.path(), "una frase lunga", &clock()).unwrap();
    let mut later = worker();
    later.applicant.surname = "Later".into();
    later.applicant.document.number = "X1111111".into();
    create(&mut register, later);

    // The folder is in use: refused.
    let err = backup::restore(&written.path, "una frase lunga", dir.path(), &clock()).unwrap_err();
    assert!(matches!(err, mixite_core::Error::Locked), "{err:?}");
    drop(register);

    let err = backup::restore(&written.path, "sbagliata", dir.path(), &clock()).unwrap_err();
    assert!(
        matches!(
            err,
            mixite_core::Error::Archive(ArchiveCode::WrongPassphrase)
        ),
        "{err:?}"
    );
    let junk = stick.path().join("junk.age");
    std::fs::write(&junk, b"not a backup at all").unwrap();
    let err = backup::restore(&junk, "una frase lunga", dir.path(), &clock()).unwrap_err();
    assert!(
        matches!(err, mixite_core::Error::Archive(ArchiveCode::NotAnArchive)),
        "{err:?}"
    );
    assert_eq!(cases_in(dir.path()), 2, "refused restores change nothing");

    let restored = backup::restore(&written.path, "una frase lunga", dir.path(), &clock()).unwrap();
    let safety = restored.safety_copy.expect("the replaced database is kept");
    assert!(safety.exists());
    assert_eq!(cases_in(dir.path()), 1, "the register is the backup's");
    let conn = rusqlite::Connection::open(&safety).unwrap();
    let kept: i64 = conn
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        kept, 2,
        "the safety copy holds the data that was replaced, the last case included"
    );
}

#[test]
fn a_damaged_database_is_replaced_by_the_backup_and_kept_aside_byte_for_byte() {
    let (dir, mut register) = temp_register();
    create(&mut register, worker());
    let stick = tempfile::tempdir().unwrap();
    let written = backup::backup(&mut register, stick.path(), "una frase lunga", &clock()).unwrap();
    drop(register);
    let damaged = dir.path().join(mixite_core::register::store::DB_FILE);
    let garbage = vec![0x5Au8; 8192];
    std::fs::write(&damaged, &garbage).unwrap();
    assert!(
        Register::open(dir.path(), &key()).is_err(),
        "the damaged register does not open"
    );

    let restored = backup::restore(&written.path, "una frase lunga", dir.path(), &clock()).unwrap();
    let safety = restored.safety_copy.expect("the damaged database is kept");
    assert_eq!(std::fs::read(safety).unwrap(), garbage);
    assert_eq!(
        cases_in(dir.path()),
        1,
        "the register opens on the backup's case"
    );
}

#[test]
fn a_short_passphrase_is_refused_on_its_field() {
    let (_dir, mut register) = temp_register();
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

#[test]
fn a_backup_keeps_its_plain_copy_in_the_data_folder_and_leaves_none_behind() {
    let (dir, mut register) = temp_register();
    create(&mut register, worker());
    assert_eq!(
        backup::scratch_folder(&register).unwrap(),
        dir.path(),
        "the plain copy is made in the data folder, not in the shared temporary folder"
    );
    let before = ours_in_temp();
    let stick = tempfile::tempdir().unwrap();
    backup::backup(&mut register, stick.path(), "una frase lunga", &clock()).unwrap();
    let new: Vec<_> = ours_in_temp().difference(&before).cloned().collect();
    assert!(
        new.is_empty(),
        "nothing of the backup appears in the system's temporary folder: {new:?}"
    );
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("mixite-backup-"))
        .collect();
    assert!(
        left.is_empty(),
        "the plain copy is removed once the backup is on the stick: {left:?}"
    );

    let err = backup::backup(
        &mut Register::in_memory().unwrap(),
        stick.path(),
        "una frase lunga",
        &clock(),
    )
    .unwrap_err();
    assert!(
        matches!(err, mixite_core::Error::Archive(ArchiveCode::NoDataFolder)),
        "a register without a data folder has nowhere private for the copy: {err:?}"
    );
}

#[test]
fn the_copy_is_taken_with_the_register_and_encrypted_and_written_without_it() {
    let (dir, mut register) = temp_register();
    let first = create(&mut register, worker());
    let before = ours_in_temp();
    let snapshot = backup::snapshot(&register, "una frase lunga", &clock()).unwrap();
    assert!(
        snapshot.path().parent() == Some(dir.path()),
        "the waiting plain copy is in the data folder: {:?}",
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
            "the plain copy is readable by the register's owner only"
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
    let plain = snapshot.path().to_path_buf();
    let written = snapshot.write(stick.path(), "una frase lunga").unwrap();
    assert!(
        !plain.exists(),
        "the plain copy is gone once the backup is on the stick"
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
    backup::restore(&written.path, "una frase lunga", fresh.path(), &clock()).unwrap();
    assert_eq!(
        cases_in(fresh.path()),
        1,
        "the backup holds the register as it was when the copy was taken"
    );
    let copy = Register::open(fresh.path(), &key()).unwrap();
    assert_eq!(
        copy.get(first.id, clock().today).unwrap().data,
        first.data,
        "the copied case, field by field"
    );
}

#[test]
fn a_short_passphrase_copies_nothing() {
    let (dir, register) = temp_register();
    let refused = backup::snapshot(&register, "corta", &clock());
    assert_eq!(
        problems(refused.err().expect("refused")),
        ["passphrase:passphrase_short"],
        "refused before the register is copied"
    );
    let copies = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("mixite-backup-")
        })
        .count();
    assert_eq!(copies, 0, "no plain copy was made for a refused backup");
}
