//! Papers filed for a case (`papers::file`, `papers::folder`): where the file goes, its one record per
//! file through printing, printing again and importing, the papers an export takes, and the names the
//! viewer may be given back.

use std::collections::HashMap;

use mixite_core::error::Missing;
use mixite_core::exchange::archive::{self, ExportCase, ExportOptions, Protection};
use mixite_core::model::CaseView;
use mixite_core::papers::print::FontLibrary;
use mixite_core::papers::{self, folder, Filed, Paper};
use mixite_core::{Error, Register};

use crate::{clock, create, op, temp_register, worker};

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
    assert_eq!(
        filed.path,
        dir.path().join("print").join(&filed.file),
        "the file is in the data folder's print/"
    );
    assert!(std::fs::read(&filed.path).unwrap().starts_with(b"%PDF"));
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
        let mode = std::fs::metadata(filed.path.parent().unwrap())
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
fn the_viewer_is_only_given_recorded_papers_inside_the_print_folder() {
    let (dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let filed = file_receipt(&mut register, &case);
    assert_eq!(
        folder::path_of(&register, &filed.file).unwrap(),
        filed.path,
        "a paper is found by the name it was filed under"
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
        filed.path.display().to_string(),
        format!("{}/altro-20261126.pdf", case.uuid),
        format!("{}/link-20261126.pdf", case.uuid),
        format!("{}/ricevuta-ar-20261126.pdf", uuid::Uuid::nil()),
        "ricevuta-ar-20261126.pdf".to_string(),
    ] {
        assert!(
            matches!(
                folder::path_of(&register, &refused),
                Err(Error::NotFound(Missing::Paper))
            ),
            "{refused} must not reach the viewer"
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
