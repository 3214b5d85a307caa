//! Papers filed for a case (`papers::file`, `papers::folder`, `papers::sealed`): where the file goes,
//! its one record per file through printing, printing again and importing, the papers an export takes,
//! the names the shell may ask back, and every file of the print folder sealed at rest (no applicant's
//! data in any file of the data folder; a sealed file opens only as the paper it was filed as; the
//! plain files of earlier versions sealed in place).

use std::collections::HashMap;

use mixite_core::error::Missing;
use mixite_core::exchange::archive::{self, ExportCase, ExportOptions, Protection};
use mixite_core::model::CaseView;
use mixite_core::papers::print::FontLibrary;
use mixite_core::papers::sealed::{self, seal_plain_files, MAGIC};
use mixite_core::papers::{self, folder, Filed, Paper};
use mixite_core::register::store::DB_FILE;
use mixite_core::{Error, Register};

use crate::{clock, create, files, holds, op, squeezed_text, temp_register, worker};

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

/// Files today's receipt of a case in Arabic, as the operator "Op".
fn file_receipt(register: &mut Register, case: &CaseView) -> Filed {
    let paper = Paper::Ricevuta {
        language: "ar".into(),
    };
    papers::file(register, &fonts(), case.id, &paper, "Op", &clock()).unwrap()
}

/// How many records `papers` holds for a case, whatever the folder shows.
fn records(register: &Register, case: &CaseView) -> i64 {
    register
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM papers WHERE case_uuid = ?1",
            [&case.uuid],
            |r| r.get(0),
        )
        .unwrap()
}

/// A plain (unencrypted) archive of one case with the papers filed for it, opened again.
fn round_trip(register: &Register, case: &CaseView) -> archive::Archive {
    let built = archive::build(
        register,
        &[ExportCase {
            id: case.id,
            pdfs: folder::for_export(register, case.id).unwrap(),
        }],
        &ExportOptions {
            protection: Protection::None,
            scrypt_log_n: None,
        },
        clock().today,
    )
    .unwrap();
    archive::open_bytes(&built.bytes, None, register.reference()).unwrap()
}

#[test]
fn a_paper_is_filed_in_its_case_s_folder_under_a_name_without_the_person() {
    let (dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let filed = file_receipt(&mut register, &case);
    assert_eq!(
        filed.file,
        format!("{}/ricevuta-ar-20261126.pdf", case.uuid),
        "paper, language and day, in the folder of the case's UUID"
    );
    let path = dir.path().join("print").join(&filed.file);
    assert!(
        std::fs::read(&path).unwrap().starts_with(MAGIC),
        "the file is in the data folder's print/, sealed"
    );
    assert!(
        filed.pdf.starts_with(b"%PDF"),
        "the shell gets the plain PDF for the printer"
    );
    assert_eq!(
        filed.suggested_name,
        format!("ricevuta-ar-{}-20261126.pdf", case.number.replace('/', "-")),
        "a saved copy is named with the case's number here"
    );
    let listed = folder::of_case(&register, case.id).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].kind.as_str(), listed[0].file.as_str()),
        ("ricevuta", filed.file.as_str()),
        "the record says what the paper is"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "only this user reads a case's papers");
    }
}

#[test]
fn printing_again_and_importing_the_same_case_never_leave_two_records_of_one_file() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    for _ in 0..2 {
        file_receipt(&mut register, &case);
    }
    assert_eq!(
        records(&register, &case),
        1,
        "the same paper printed twice the same day is one file and one record"
    );
    let opened = round_trip(&register, &case);
    let report = folder::import_archive(&mut register, &opened, &HashMap::new(), &clock()).unwrap();
    assert_eq!(report.unchanged, vec![case.uuid.clone()]);
    assert_eq!(
        (report.papers, records(&register, &case)),
        (0, 1),
        "importing the case's own paper back adds nothing"
    );

    let (_other_dir, mut other) = temp_register();
    for round in 0..2 {
        let report =
            folder::import_archive(&mut other, &opened, &HashMap::new(), &clock()).unwrap();
        assert_eq!(
            report.papers,
            usize::from(round == 0),
            "the second import of the same file brings nothing new"
        );
    }
    assert_eq!(records(&other, &case), 1, "one record on the other desk");
    let files: Vec<_> = std::fs::read_dir(_other_dir.path().join("print").join(&case.uuid))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1, "and one file");
}

#[test]
fn an_imported_paper_that_differs_from_one_of_the_same_name_is_kept_beside_it() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    file_receipt(&mut register, &case);
    let opened = round_trip(&register, &case);
    // The desk prints the receipt again after a step: same name, other bytes.
    let step = serde_json::from_value(serde_json::json!({
        "kind": "documents_pending", "date": "2026-11-26"
    }))
    .unwrap();
    register
        .add_step(case.id, case.revision, &step, &clock(), &op("Op"))
        .unwrap();
    file_receipt(&mut register, &case);
    let choices = HashMap::from([(case.uuid.clone(), archive::ImportChoice::KeepLocal)]);
    let report = folder::import_archive(&mut register, &opened, &choices, &clock()).unwrap();
    assert_eq!(report.papers, 1, "the archive's receipt is another paper");
    let names: Vec<String> = folder::of_case(&register, case.id)
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        names,
        ["ricevuta-ar-20261126.pdf", "ricevuta-ar-20261126-2.pdf"],
        "neither replaces the other"
    );
}

#[test]
fn only_recorded_papers_inside_the_print_folder_are_read_for_the_viewer() {
    let (dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let filed = file_receipt(&mut register, &case);
    assert_eq!(
        folder::read(&register, &filed.file).unwrap(),
        filed.pdf,
        "a paper is read back by the name it was filed under"
    );
    let print = dir.path().join("print");
    // A file nobody recorded, beside the paper, and a link out of the folder.
    std::fs::write(print.join(&case.uuid).join("altro-20261126.pdf"), b"%PDF").unwrap();
    #[cfg(unix)]
    {
        let link = print.join(&case.uuid).join("link-20261126.pdf");
        std::os::unix::fs::symlink(dir.path().join("mixite.sqlite3"), &link).unwrap();
        register
            .store_mut()
            .write(|tx| {
                tx.execute(
                    "INSERT INTO papers (case_uuid, name, kind, bytes, sha256, filed_at)
                     VALUES (?1, 'link-20261126.pdf', 'ricevuta', 4, '', '')",
                    [&case.uuid],
                )?;
                Ok(())
            })
            .unwrap();
    }
    let database = dir.path().join("mixite.sqlite3").display().to_string();
    for refused in [
        format!("{}/../../mixite.sqlite3", case.uuid),
        "../mixite.sqlite3".to_string(),
        database,
        print.join(&filed.file).display().to_string(),
        format!("{}/altro-20261126.pdf", case.uuid),
        format!("{}/link-20261126.pdf", case.uuid),
        format!("{}/ricevuta-ar-20261126.pdf", uuid::Uuid::nil()),
        "ricevuta-ar-20261126.pdf".to_string(),
    ] {
        assert!(
            matches!(
                folder::read(&register, &refused),
                Err(Error::NotFound(Missing::Paper))
            ),
            "{refused} must not be read for the viewer"
        );
    }
}

#[test]
fn an_in_memory_register_refuses_to_file_a_paper_it_has_no_folder_for() {
    let mut register = Register::in_memory().unwrap();
    let case = create(&mut register, worker());
    let paper = Paper::Informativa {
        language: "ar".into(),
    };
    let err = papers::file(&mut register, &fonts(), case.id, &paper, "Op", &clock()).unwrap_err();
    assert!(
        matches!(err, Error::NotFound(Missing::PrintFolder)),
        "no print folder, no paper: {err:?}"
    );
}

/// What the tests look for with a byte search: the applicant's surname, passport number and codice
/// fiscale.
fn secrets(case: &CaseView) -> [String; 3] {
    let applicant = &case.data.applicant;
    [
        applicant.surname.clone(),
        applicant.document.number.clone(),
        applicant.codice_fiscale.clone(),
    ]
}

/// Fails naming the file (never the data) when a file under `dir` holds one of `secrets`.
fn assert_nothing_found(dir: &std::path::Path, secrets: &[String], moment: &str) {
    for (path, bytes) in files(dir) {
        for (n, secret) in secrets.iter().enumerate() {
            assert!(
                !holds(&bytes, secret),
                "{moment}: {} holds the applicant's data number {n}",
                path.display()
            );
        }
    }
}

#[test]
fn a_printed_paper_is_sealed_and_no_applicant_data_can_be_found_in_any_file_of_the_data_folder() {
    let (dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let secrets = secrets(&case);
    assert_eq!(
        secrets,
        ["Hoxha", "BA1234567", "HXHRBN90D15Z100Z"],
        "the fixture's applicant"
    );
    let filed = file_receipt(&mut register, &case);
    let stored = std::fs::read(dir.path().join("print").join(&filed.file)).unwrap();
    // PDFs compress their text, so a byte search alone would pass on a plain PDF too.
    assert!(
        stored.starts_with(MAGIC) && !stored.starts_with(b"%PDF") && sealed::is_sealed(&stored),
        "the file on disk is sealed, not a PDF"
    );
    let plain = folder::read(&register, &filed.file).unwrap();
    assert!(plain.starts_with(b"%PDF"), "it opens to the PDF");
    assert_eq!(plain, filed.pdf, "the very PDF that was printed");
    assert!(
        squeezed_text(&plain).contains("Hoxha"),
        "the receipt names the applicant: the test searches for what is really in it"
    );
    let listed = folder::of_case(&register, case.id).unwrap();
    assert_eq!(
        listed[0].bytes,
        plain.len() as u64,
        "the record keeps the plain PDF's size"
    );
    // While the register is open (WAL and SHM beside it) and after it is closed.
    assert!(dir.path().join(format!("{DB_FILE}-wal")).exists());
    assert_nothing_found(dir.path(), &secrets, "open");
    drop(register);
    assert_nothing_found(dir.path(), &secrets, "closed");
}

#[test]
fn a_sealed_paper_moved_to_another_case_renamed_or_replaced_by_a_plain_file_does_not_open() {
    let (dir, mut register) = temp_register();
    let first = create(&mut register, worker());
    let second = create(&mut register, worker());
    let mine = file_receipt(&mut register, &first);
    let theirs = file_receipt(&mut register, &second);
    let print = dir.path().join("print");
    let unreadable = |register: &Register, file: &str| {
        matches!(
            folder::read(register, file),
            Err(Error::NotFound(Missing::PaperUnreadable))
        )
    };

    // The first case's receipt copied over the second case's, which has a record of the same name.
    std::fs::copy(print.join(&mine.file), print.join(&theirs.file)).unwrap();
    assert!(
        unreadable(&register, &theirs.file),
        "another case's sealed file does not open as this case's paper"
    );
    assert!(
        folder::for_export(&register, second.id).unwrap().is_empty(),
        "nor does an export carry it"
    );
    assert_eq!(
        folder::for_export(&register, first.id).unwrap().len(),
        1,
        "the first case's own paper still travels"
    );

    // The same case's file under another recorded name.
    let renamed = format!("{}/ricevuta-ar-20261126-2.pdf", first.uuid);
    std::fs::copy(print.join(&mine.file), print.join(&renamed)).unwrap();
    register
        .store_mut()
        .write(|tx| {
            tx.execute(
                "INSERT INTO papers (case_uuid, name, kind, bytes, sha256, filed_at)
                 SELECT case_uuid, 'ricevuta-ar-20261126-2.pdf', kind, bytes, sha256, filed_at
                 FROM papers WHERE case_uuid = ?1",
                [&first.uuid],
            )?;
            Ok(())
        })
        .unwrap();
    assert!(
        unreadable(&register, &renamed),
        "a sealed file renamed does not open"
    );

    // A plain PDF put in a paper's place: not the PDF its record describes.
    std::fs::write(print.join(&mine.file), &theirs.pdf).unwrap();
    assert!(
        unreadable(&register, &mine.file),
        "a plain file put in a paper's place is refused too"
    );
}

#[test]
fn an_imported_paper_is_sealed_on_the_other_desk_and_reads_back_as_printed() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let filed = file_receipt(&mut register, &case);
    let opened = round_trip(&register, &case);
    assert_eq!(
        opened.pdfs()[0].bytes,
        filed.pdf,
        "the archive carries the plain PDF (the archive itself is what is encrypted)"
    );

    let (other_dir, mut other) = temp_register();
    let report = folder::import_archive(&mut other, &opened, &HashMap::new(), &clock()).unwrap();
    assert_eq!(report.papers, 1);
    let stored = std::fs::read(other_dir.path().join("print").join(&filed.file)).unwrap();
    assert!(
        stored.starts_with(MAGIC),
        "sealed under the other desk's key"
    );
    let imported = folder::of_case(&other, report_case_id(&other, &case)).unwrap();
    assert_eq!(
        folder::read(&other, &imported[0].file).unwrap(),
        filed.pdf,
        "it opens to the PDF the first desk printed"
    );
    drop(other);
    assert_nothing_found(other_dir.path(), &secrets(&case), "imported");
}

/// The id the other desk gave an imported case.
fn report_case_id(register: &Register, case: &CaseView) -> i64 {
    register
        .store()
        .conn()
        .query_row("SELECT id FROM cases WHERE uuid = ?1", [&case.uuid], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn the_plain_papers_of_an_earlier_version_are_sealed_in_place_and_no_plain_copy_is_left() {
    let (dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let print = dir.path().join("print");
    let folder_of_case = print.join(&case.uuid);
    std::fs::create_dir_all(&folder_of_case).unwrap();
    // A paper the previous version filed (plain, recorded), an older flat one (plain, no record), and
    // the plain temporary a crash left.
    let paper = papers::render(
        &register,
        &fonts(),
        &case,
        &Paper::Ricevuta {
            language: "ar".into(),
        },
        "Op",
        clock().today,
    )
    .unwrap();
    let recorded = format!("{}/ricevuta-ar-20261120.pdf", case.uuid);
    std::fs::write(print.join(&recorded), &paper).unwrap();
    register
        .store_mut()
        .write(|tx| {
            tx.execute(
                "INSERT INTO papers (case_uuid, name, kind, bytes, sha256, filed_at)
                 VALUES (?1, 'ricevuta-ar-20261120.pdf', 'ricevuta', ?2, ?3, '')",
                rusqlite::params![
                    case.uuid,
                    paper.len() as i64,
                    mixite_core::register::audit::sha256_hex(&paper)
                ],
            )?;
            Ok(())
        })
        .unwrap();
    let flat = b"%PDF-1.4 Hoxha Arben BA1234567 HXHRBN90D15Z100Z".to_vec();
    std::fs::write(print.join("ricevuta-2026-000001-20261120.pdf"), &flat).unwrap();
    std::fs::write(
        folder_of_case.join(".ricevuta-ar-20261121.pdf.0123456789abcdef.tmp"),
        &flat,
    )
    .unwrap();
    assert_eq!(
        folder::read(&register, &recorded).unwrap(),
        paper,
        "before sealing, the earlier version's paper is read as it is"
    );

    assert_eq!(seal_plain_files(&mut register).unwrap(), 2);
    assert_nothing_found(dir.path(), &secrets(&case), "sealed");
    let left: Vec<_> = files(&print);
    assert_eq!(left.len(), 2, "the temporary is gone, no copy left beside");
    for (path, bytes) in &left {
        assert!(bytes.starts_with(MAGIC), "{} is sealed", path.display());
    }
    assert_eq!(
        folder::read(&register, &recorded).unwrap(),
        paper,
        "the sealed paper opens to the PDF it was"
    );
    assert_eq!(
        seal_plain_files(&mut register).unwrap(),
        0,
        "a second run seals nothing"
    );

    // A run cut after the plain file was removed and before its sealed copy took its name: the next
    // run finishes it.
    let sealing = folder_of_case.join(".ricevuta-ar-20261120.pdf.sealing.tmp");
    std::fs::rename(print.join(&recorded), &sealing).unwrap();
    assert_eq!(seal_plain_files(&mut register).unwrap(), 0);
    assert!(!sealing.exists());
    assert_eq!(
        folder::read(&register, &recorded).unwrap(),
        paper,
        "the sealed copy took its name"
    );
}
