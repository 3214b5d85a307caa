//! Case archives: export to a file (encrypted by default), safe writing to a folder and to a real FAT32
//! stick (mounted with fusefat), import with conflict reports, and hostile or damaged archives refused
//! without a change to the register.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mixite_core::exchange::archive::{
    self, Archive, ExportCase, ExportOptions, ImportChoice, ImportReport, Pdf, Protection,
};
use mixite_core::model::StepInput;
use mixite_core::{Error, Register};
use sha2::Digest;

use crate::{clock, create, op, problems, temp_register, worker};

const PASS: &str = "corretto cavallo batteria graffetta";

/// Encrypted, with a cheap scrypt cost so the many imports of these tests stay fast (the default cost is
/// exercised by `archives_are_encrypted_by_default_and_need_the_passphrase`).
fn fast(passphrase: &str) -> ExportOptions {
    ExportOptions {
        protection: Protection::Passphrase(passphrase.into()),
        scrypt_log_n: Some(10),
    }
}

/// `n` PDFs of `size` bytes each (a PDF header, then bytes that do not compress).
fn pdfs(n: usize, size: usize) -> Vec<Pdf> {
    let mut state = 0x2545_F491_4F6C_DD1Du64 ^ size as u64;
    (0..n)
        .map(|i| {
            let mut bytes = b"%PDF-1.7\n".to_vec();
            while bytes.len() < size {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.extend_from_slice(&state.to_le_bytes());
            }
            bytes.truncate(size);
            Pdf {
                name: format!("checklist-{}-it.pdf", i + 1),
                bytes,
                content_version: None,
            }
        })
        .collect()
}

/// Case `id` alone, without PDFs, in an archive sealed with `PASS` at a cheap scrypt cost.
fn sealed(register: &Register, id: i64) -> archive::Built {
    sealed_with(register, id, vec![])
}

/// One case and its PDFs, sealed with `PASS` (fast key).
fn sealed_with(register: &Register, id: i64, pdfs: Vec<Pdf>) -> archive::Built {
    archive::build(
        register,
        &[ExportCase { id, pdfs }],
        &fast(PASS),
        clock().today,
    )
    .unwrap()
}

fn step(kind: &str) -> StepInput {
    StepInput {
        kind: kind.into(),
        date: "2026-11-26".into(),
        ..Default::default()
    }
}

/// A worker's case (with one child) that went through two more steps, the second with details.
fn worked_case(register: &mut Register) -> i64 {
    let case = create(register, worker());
    let case = register
        .add_step(
            case.id,
            case.revision,
            &step("documents_pending"),
            &clock(),
            &op("Operatore Due"),
        )
        .unwrap();
    let mut sent = step("kit_sent");
    sent.details.assicurata = "050123456789".into();
    sent.note = "spedito dall'ufficio postale di via Roma".into();
    register
        .add_step(
            case.id,
            case.revision,
            &sent,
            &clock(),
            &op("Operatore Due"),
        )
        .unwrap();
    case.id
}

/// What must not move when an import is refused: cases, people, steps, revisions and the counter.
fn fingerprint(register: &Register) -> (i64, i64, i64, i64, i64) {
    register
        .store()
        .conn()
        .query_row(
            "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM persons),
                    (SELECT count(*) FROM steps), (SELECT coalesce(sum(revision), 0) FROM cases),
                    (SELECT coalesce(sum(last), 0) FROM case_counter)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
}

fn open(
    bytes: &[u8],
    passphrase: Option<&str>,
    register: &Register,
) -> mixite_core::Result<Archive> {
    archive::open_bytes(bytes, passphrase, register.reference())
}

fn import_bytes(
    register: &mut Register,
    bytes: &[u8],
    passphrase: Option<&str>,
    choices: &HashMap<String, ImportChoice>,
) -> mixite_core::Result<ImportReport> {
    let archive = open(bytes, passphrase, register)?;
    archive::import(register, &archive, choices, &clock())
}

fn archive_code(result: mixite_core::Result<impl std::fmt::Debug>) -> &'static str {
    match result {
        Err(Error::Archive(code)) => code.into(),
        other => panic!("expected an archive error, got {other:?}"),
    }
}

fn no_choices() -> HashMap<String, ImportChoice> {
    HashMap::new()
}

#[test]
fn round_trip_keeps_every_field_the_history_and_the_pdf_bytes() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let original = source.get(id, clock().today).unwrap();
    assert!(
        !original.data.household.is_empty(),
        "the fixture has a child"
    );
    let printed = pdfs(3, 40_000);
    let folder = tempfile::tempdir().unwrap();
    let exported = archive::export_to_folder(
        &source,
        &[ExportCase {
            id,
            pdfs: printed.clone(),
        }],
        &fast(PASS),
        folder.path(),
        clock().today,
    )
    .unwrap();
    assert_eq!(
        exported.file_name, "pratica-2026-000001-20261126.mixite",
        "case number and day only, nothing personal"
    );

    let (_b, mut target) = temp_register();
    let archive = archive::open_file(&exported.path, Some(PASS), target.reference()).unwrap();
    let report = archive::import(&mut target, &archive, &no_choices(), &clock()).unwrap();
    assert!(report.applied && report.conflicts.is_empty());
    assert_eq!(report.inserted.len(), 1);
    let copy = target.get(report.inserted[0].id, clock().today).unwrap();

    let (a, b) = (&original.data.applicant, &copy.data.applicant);
    assert_eq!(a.surname, b.surname);
    assert_eq!(a.given_names, b.given_names);
    assert_eq!(a.sex, b.sex);
    assert_eq!(a.birth_date, b.birth_date);
    assert_eq!(a.birth_place, b.birth_place);
    assert_eq!(a.birth_country, b.birth_country);
    assert_eq!(a.citizenships, b.citizenships);
    assert_eq!(a.codice_fiscale, b.codice_fiscale);
    assert_eq!(a.document, b.document);
    assert_eq!(a.phone, b.phone);
    assert_eq!(a.email, b.email);
    assert_eq!(a.address, b.address);
    assert_eq!(a.language, b.language);
    assert_eq!(
        original.data.household, copy.data.household,
        "the household travels"
    );
    assert_eq!(original.data.current_permit, copy.data.current_permit);
    assert_eq!(original.data.request, copy.data.request);
    assert_eq!(original.data.notes, copy.data.notes);
    assert_eq!(original.data, copy.data, "and nothing else differs");

    assert_eq!(copy.uuid, original.uuid, "the case keeps its identity");
    assert_eq!(copy.number, original.number, "a number free here is kept");
    assert_eq!(copy.revision, original.revision);
    assert_eq!(copy.status, original.status);
    assert_eq!(copy.created_at, original.created_at);
    assert_eq!(copy.updated_at, original.updated_at);
    let history = |v: &mixite_core::model::CaseView| {
        v.steps
            .iter()
            .map(|s| {
                (
                    s.kind.clone(),
                    s.date.clone(),
                    s.recorded_at.clone(),
                    s.operator.clone(),
                    s.details.clone(),
                    s.note.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        history(&copy),
        history(&original),
        "the history is copied as recorded"
    );

    assert_eq!(archive.pdfs().len(), 3);
    for (got, sent) in archive.pdfs().iter().zip(&printed) {
        assert_eq!(got.case_uuid, original.uuid);
        assert_eq!(got.name, sent.name);
        assert!(got.bytes == sent.bytes, "PDF bytes are identical");
    }

    // The copy gets the next numbers after the imported one: numbers are never given twice.
    let next = create(&mut target, worker());
    assert_eq!(next.number, "2026/000002");
}

#[test]
fn a_household_selection_travels_in_one_file_with_its_renewal_link() {
    let (_a, mut source) = temp_register();
    let first = worked_case(&mut source);
    let mut spouse = worker();
    spouse.applicant.given_names = "Seconda".into();
    let second = create(&mut source, spouse).id;
    // A renewal of the first case, exported before the case it renews: the link is made once both
    // are in.
    let draft = source.renewal_draft(first, clock().today).unwrap();
    let renewal = source
        .create(
            &mixite_core::NewCase {
                data: draft.data,
                request_id: None,
                renewed_from: Some(first),
            },
            &clock(),
            &op("Operatore Uno"),
        )
        .unwrap()
        .id;
    let built = archive::build(
        &source,
        &[
            ExportCase {
                id: renewal,
                pdfs: vec![],
            },
            ExportCase {
                id: first,
                pdfs: pdfs(2, 1000),
            },
            ExportCase {
                id: second,
                pdfs: pdfs(1, 500),
            },
        ],
        &fast(PASS),
        clock().today,
    )
    .unwrap();
    assert_eq!(
        built.file_name, "pratiche-2026-000003-e-altre-2-20261126.mixite",
        "the first case's number and how many more"
    );
    let (_b, mut target) = temp_register();
    let report = import_bytes(&mut target, &built.bytes, Some(PASS), &no_choices()).unwrap();
    assert_eq!(report.inserted.len(), 3);
    assert_eq!(fingerprint(&target).0, 3);
    let id_of = |number: &str| {
        report
            .inserted
            .iter()
            .find(|c| c.number == number)
            .unwrap()
            .id
    };
    let copy = target.get(id_of("2026/000003"), clock().today).unwrap();
    let link = copy.renewed_from.expect("the renewal link survives");
    assert_eq!(link.number, "2026/000001");
    assert_eq!(link.id, id_of("2026/000001"));
    let archive = open(&built.bytes, Some(PASS), &target).unwrap();
    assert_eq!(
        archive.pdfs().len(),
        3,
        "each case's PDFs under its own UUID"
    );
}

#[test]
fn archives_are_encrypted_by_default_and_need_the_passphrase() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let surname = source
        .get(id, clock().today)
        .unwrap()
        .data
        .applicant
        .surname;
    // The default cost (about a second here), as the app writes it.
    let built = archive::build(
        &source,
        &[ExportCase {
            id,
            pdfs: pdfs(1, 1000),
        }],
        &ExportOptions::encrypted(PASS),
        clock().today,
    )
    .unwrap();
    assert!(built.bytes.starts_with(b"age-encryption.org/v1\n"));
    assert!(built.file_name.ends_with(".mixite"));
    let holds = |needle: &[u8]| built.bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!holds(b"case.json"), "member names are not readable");
    assert!(!holds(surname.as_bytes()), "names are not readable");

    let (_b, mut target) = temp_register();
    let before = fingerprint(&target);
    let wrong = open(&built.bytes, Some("cavallo sbagliato"), &target);
    assert_eq!(archive_code(wrong), "wrong_passphrase");
    assert_eq!(
        archive_code(open(&built.bytes, None, &target)),
        "passphrase_required"
    );
    assert_eq!(fingerprint(&target), before, "nothing imported");
    let report = import_bytes(&mut target, &built.bytes, Some(PASS), &no_choices()).unwrap();
    assert_eq!(report.inserted.len(), 1);

    // An empty passphrase is not protection: refused at export.
    let empty = archive::build(
        &source,
        &[ExportCase { id, pdfs: vec![] }],
        &fast(""),
        clock().today,
    );
    assert_eq!(archive_code(empty), "passphrase_required");
}

#[test]
fn a_passphrase_under_eight_characters_is_refused_on_its_field_and_nothing_is_written() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let folder = tempfile::tempdir().unwrap();
    let selection = [ExportCase { id, pdfs: vec![] }];
    // Seven characters in fourteen bytes: the rule counts characters, as the UI's hint does.
    let seven = "àèìòùéç";
    for options in [ExportOptions::encrypted(seven), fast(seven)] {
        let err =
            archive::export_to_folder(&source, &selection, &options, folder.path(), clock().today)
                .unwrap_err();
        assert_eq!(
            problems(err),
            ["passphrase:passphrase_short"],
            "a 7-character passphrase is refused on its field with the backups' code"
        );
        let built = archive::build(&source, &selection, &options, clock().today);
        assert_eq!(
            problems(built.unwrap_err()),
            ["passphrase:passphrase_short"],
            "building in memory applies the same minimum"
        );
    }
    assert!(
        listing(folder.path()).is_empty(),
        "a refused export writes nothing to the folder, not even a temporary"
    );

    let eight = "àèìòùéç8";
    let exported = archive::export_to_folder(
        &source,
        &selection,
        &fast(eight),
        folder.path(),
        clock().today,
    )
    .expect("eight characters are enough");
    let bytes = std::fs::read(&exported.path).unwrap();
    assert!(
        open(&bytes, Some(eight), &source).is_ok(),
        "the archive opens with its 8-character passphrase"
    );
}

#[test]
fn an_archive_packed_from_the_register_is_sealed_and_written_without_it() {
    let (source_dir, mut source) = temp_register();
    let id = worked_case(&mut source);
    let packed = archive::pack(
        &source,
        &[ExportCase {
            id,
            pdfs: pdfs(1, 2000),
        }],
        clock().today,
    )
    .unwrap();
    // The register is gone: the key derivation, the write and the verification do not need it.
    drop(source);
    drop(source_dir);
    let folder = tempfile::tempdir().unwrap();
    let exported = packed.export_to_folder(&fast(PASS), folder.path()).unwrap();
    assert_eq!(
        exported.file_name, "pratica-2026-000001-20261126.mixite",
        "named from what was read under the register"
    );
    let (_b, mut target) = temp_register();
    let bytes = std::fs::read(&exported.path).unwrap();
    let report = import_bytes(&mut target, &bytes, Some(PASS), &no_choices()).unwrap();
    assert_eq!(
        (
            report.inserted.len(),
            open(&bytes, Some(PASS), &target).unwrap().pdfs().len()
        ),
        (1, 1),
        "the case and its PDF travel as build would have written them"
    );
}

#[test]
fn the_unencrypted_option_writes_a_plain_zip_that_imports_without_passphrase() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let folder = tempfile::tempdir().unwrap();
    let exported = archive::export_to_folder(
        &source,
        &[ExportCase {
            id,
            pdfs: pdfs(2, 3000),
        }],
        &ExportOptions::unencrypted(),
        folder.path(),
        clock().today,
    )
    .unwrap();
    assert_eq!(exported.file_name, "pratica-2026-000001-20261126.zip");
    let bytes = std::fs::read(&exported.path).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let (_b, mut target) = temp_register();
    let report = import_bytes(&mut target, &bytes, None, &no_choices()).unwrap();
    assert_eq!(report.inserted.len(), 1);
}

#[test]
fn writing_twice_to_a_folder_never_replaces_a_file_and_leaves_no_temporary() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let folder = tempfile::tempdir().unwrap();
    // A file differing only in case already holds the name (as FAT32 would see it).
    std::fs::write(
        folder.path().join("PRATICA-2026-000001-20261126.MIXITE"),
        b"other",
    )
    .unwrap();
    let selection = [ExportCase { id, pdfs: vec![] }];
    let first = archive::export_to_folder(
        &source,
        &selection,
        &fast(PASS),
        folder.path(),
        clock().today,
    )
    .unwrap();
    let second = archive::export_to_folder(
        &source,
        &selection,
        &fast(PASS),
        folder.path(),
        clock().today,
    )
    .unwrap();
    assert_eq!(first.file_name, "pratica-2026-000001-20261126-2.mixite");
    assert_eq!(second.file_name, "pratica-2026-000001-20261126-3.mixite");
    let mut names = listing(folder.path());
    names.sort();
    assert_eq!(
        names,
        [
            "PRATICA-2026-000001-20261126.MIXITE",
            "pratica-2026-000001-20261126-2.mixite",
            "pratica-2026-000001-20261126-3.mixite"
        ],
        "the existing file is untouched and no temporary is left"
    );
    assert!(archive::check_fat32_size(u32::MAX as u64).is_ok());
    assert_eq!(
        archive_code(archive::check_fat32_size(u32::MAX as u64 + 1)),
        "too_large_for_stick"
    );
}

#[test]
fn importing_the_same_file_twice_changes_nothing() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let built = sealed_with(&source, id, pdfs(1, 100));
    let (_b, mut target) = temp_register();
    import_bytes(&mut target, &built.bytes, Some(PASS), &no_choices()).unwrap();
    let after_first = fingerprint(&target);
    let again = import_bytes(&mut target, &built.bytes, Some(PASS), &no_choices()).unwrap();
    assert!(again.inserted.is_empty() && again.conflicts.is_empty());
    assert_eq!(again.unchanged.len(), 1);
    assert_eq!(fingerprint(&target), after_first);
    // Back into the desk it came from: also nothing.
    let before = fingerprint(&source);
    let home = import_bytes(&mut source, &built.bytes, Some(PASS), &no_choices()).unwrap();
    assert_eq!(home.unchanged.len(), 1);
    assert_eq!(fingerprint(&source), before);
}

#[test]
fn a_case_changed_here_is_a_conflict_until_the_operator_chooses() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let built = sealed(&source, id);
    let (_b, mut target) = temp_register();
    let imported = import_bytes(&mut target, &built.bytes, Some(PASS), &no_choices()).unwrap();
    let local_id = imported.inserted[0].id;
    // The other desk's copy moves on: a newer local revision with other data.
    let local = target.get(local_id, clock().today).unwrap();
    let mut changed = local.data.clone();
    changed.applicant.phone = "+39 333 0000000".into();
    let local = target
        .update(local_id, local.revision, &changed, &clock(), &op("Op"))
        .unwrap();
    let before = fingerprint(&target);

    let report = import_bytes(&mut target, &built.bytes, Some(PASS), &no_choices()).unwrap();
    assert!(
        !report.applied,
        "nothing is written while a conflict is open"
    );
    assert_eq!(report.conflicts.len(), 1);
    let conflict = &report.conflicts[0];
    assert_eq!(conflict.uuid, local.uuid);
    assert_eq!(conflict.local.revision, local.revision);
    assert_eq!(conflict.local.updated_at, local.updated_at);
    assert_eq!(conflict.archive.revision, local.revision - 1);
    assert_eq!(conflict.local.number, local.number);
    let name = format!(
        "{} {}",
        local.data.applicant.surname, local.data.applicant.given_names
    );
    assert_eq!(
        (&conflict.local.name, &conflict.archive.name),
        (&name, &name)
    );
    assert_eq!(
        conflict.differences,
        ["applicant"],
        "only the phone number changed"
    );
    assert_eq!(
        fingerprint(&target),
        before,
        "no change until a choice is given"
    );

    let keep = HashMap::from([(local.uuid.clone(), ImportChoice::KeepLocal)]);
    let report = import_bytes(&mut target, &built.bytes, Some(PASS), &keep).unwrap();
    assert_eq!(report.kept_local, std::slice::from_ref(&local.uuid));
    assert_eq!(
        fingerprint(&target),
        before,
        "keeping the local case changes nothing"
    );
    assert_eq!(
        target
            .get(local_id, clock().today)
            .unwrap()
            .data
            .applicant
            .phone,
        "+39 333 0000000"
    );

    let take = HashMap::from([(local.uuid.clone(), ImportChoice::TakeArchive)]);
    let report = import_bytes(&mut target, &built.bytes, Some(PASS), &take).unwrap();
    assert_eq!(report.replaced, std::slice::from_ref(&local.uuid));
    let taken = target.get(local_id, clock().today).unwrap();
    let original = source.get(id, clock().today).unwrap();
    assert_eq!(
        taken.data, original.data,
        "the archive's data replaced the local data"
    );
    assert!(
        taken.revision > local.revision,
        "a form open on the old revision gets a conflict"
    );
    assert_eq!(
        taken.steps.len(),
        original.steps.len(),
        "no history entry lost or doubled"
    );
}

#[test]
fn a_newer_archive_taken_over_an_older_local_copy_makes_them_identical() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let old = sealed(&source, id);
    let (_b, mut target) = temp_register();
    import_bytes(&mut target, &old.bytes, Some(PASS), &no_choices()).unwrap();
    // The first desk records the appointment and exports again.
    let case = source.get(id, clock().today).unwrap();
    let mut appointment = step("questura_appointment");
    appointment.details.appointment_date = "2027-01-15".into();
    appointment.details.appointment_time = "09:30".into();
    source
        .add_step(
            id,
            case.revision,
            &appointment,
            &clock(),
            &op("Operatore Uno"),
        )
        .unwrap();
    let newer = sealed(&source, id);
    let report = import_bytes(&mut target, &newer.bytes, Some(PASS), &no_choices()).unwrap();
    assert_eq!(
        report.conflicts.len(),
        1,
        "a different revision is never taken silently"
    );
    let uuid = report.conflicts[0].uuid.clone();
    let take = HashMap::from([(uuid, ImportChoice::TakeArchive)]);
    import_bytes(&mut target, &newer.bytes, Some(PASS), &take).unwrap();
    let copy = target.get(1, clock().today).unwrap();
    let original = source.get(id, clock().today).unwrap();
    assert_eq!(copy.status, "questura_appointment");
    assert_eq!(copy.revision, original.revision);
    let again = import_bytes(&mut target, &newer.bytes, Some(PASS), &no_choices()).unwrap();
    assert_eq!(again.unchanged.len(), 1, "now the same case on both desks");
}

#[test]
fn a_number_taken_here_gives_the_imported_case_the_next_local_number() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let built = sealed(&source, id);
    let (_b, mut target) = temp_register();
    let mine = create(&mut target, worker());
    assert_eq!(mine.number, "2026/000001");
    let report = import_bytes(&mut target, &built.bytes, Some(PASS), &no_choices()).unwrap();
    assert_eq!(report.inserted[0].archive_number, "2026/000001");
    assert_eq!(report.inserted[0].number, "2026/000002");
    assert_eq!(create(&mut target, worker()).number, "2026/000003");
}

// ---------------------------------------------------------------------------------------------------
// Hostile and damaged archives

/// The members of a plain archive, in order.
pub(crate) fn members_of(zip_bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A ZIP of `members` (deflated) with a correct `manifest.json` for those listed in `listed` (all
/// but the manifest when `None`).
/// The archive of `members` with its `case.json` changed by `f` (a crafted archive: unsigned, unencrypted).
fn with_case_json(members: &[(String, Vec<u8>)], f: &dyn Fn(&mut serde_json::Value)) -> Vec<u8> {
    let mut m = members.to_vec();
    let entry = m.iter_mut().find(|(n, _)| n == "case.json").unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&entry.1).unwrap();
    f(&mut value);
    entry.1 = serde_json::to_vec(&value).unwrap();
    craft(&m, None)
}

pub(crate) fn craft(members: &[(String, Vec<u8>)], listed: Option<&[&str]>) -> Vec<u8> {
    let entries: Vec<serde_json::Value> = members
        .iter()
        .filter(|(n, _)| n != "manifest.json")
        .filter(|(n, _)| listed.is_none_or(|l| l.contains(&n.as_str())))
        .map(|(n, d)| serde_json::json!({"name": n, "size": d.len(), "sha256": hex(d)}))
        .collect();
    let manifest =
        serde_json::to_vec(&serde_json::json!({"schema": 1, "members": entries})).unwrap();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    writer.start_file("manifest.json", options).unwrap();
    writer.write_all(&manifest).unwrap();
    for (name, data) in members.iter().filter(|(n, _)| n != "manifest.json") {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut i = 0;
    let mut found = false;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            found = true;
        }
        i += 1;
    }
    assert!(found);
}

/// A register holding one case, and a plain archive of it with two small PDFs.
fn plain_fixture() -> (tempfile::TempDir, Register, Vec<u8>) {
    let (dir, mut register) = temp_register();
    let id = worked_case(&mut register);
    let built = archive::build(
        &register,
        &[ExportCase {
            id,
            pdfs: pdfs(2, 300),
        }],
        &ExportOptions::unencrypted(),
        clock().today,
    )
    .unwrap();
    (dir, register, built.bytes)
}

#[test]
fn crafted_hostile_archives_are_refused_with_a_clear_error_and_no_change() {
    let (_a, _source, plain) = plain_fixture();
    let members = members_of(&plain);
    let uuid = members
        .iter()
        .find_map(|(n, _)| n.strip_prefix("pdf/").map(|r| r[..36].to_string()))
        .unwrap();
    let (_b, mut target) = temp_register();
    let before = fingerprint(&target);
    let mut check = |label: &str, bytes: &[u8], expected: &str| {
        let result = import_bytes(&mut target, bytes, None, &no_choices());
        match result {
            Err(Error::Archive(code)) => assert_eq!(code.to_string(), expected, "{label}"),
            other => panic!("{label}: expected {expected}, got {other:?}"),
        }
        assert_eq!(fingerprint(&target), before, "{label}: register unchanged");
    };

    // Names: climbing out, absolute, a drive, the same member twice, twice in other case.
    let mut with = members.clone();
    with.push(("QQQQ".into(), b"x".to_vec()));
    let mut bytes = craft(&with, None);
    replace_all(&mut bytes, b"QQQQ", b"../x");
    check("../ member", &bytes, "unsafe_member");
    let mut bytes = craft(&with, None);
    replace_all(&mut bytes, b"QQQQ", b"/etc");
    check("absolute member", &bytes, "unsafe_member");
    let mut bytes = craft(&with, None);
    replace_all(&mut bytes, b"QQQQ", b"C:\\x");
    check("drive member", &bytes, "unsafe_member");
    let mut dup = members.clone();
    dup.push(("case.jsoX".into(), b"{}".to_vec()));
    let mut bytes = craft(&dup, None);
    replace_all(&mut bytes, b"case.jsoX", b"case.json");
    check("duplicated member", &bytes, "duplicate_member");
    let mut folded = members.clone();
    folded.push(("CASE.json".into(), b"{}".to_vec()));
    check(
        "member twice in other case",
        &craft(&folded, None),
        "duplicate_member",
    );
    let mut extra = members.clone();
    extra.push(("notes.txt".into(), b"hello".to_vec()));
    check(
        "unexpected member",
        &craft(&extra, None),
        "unexpected_member",
    );

    // Manifest: a member it does not list, a member it lists that is missing, a wrong hash.
    let names: Vec<&str> = members
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !n.ends_with("-2-it.pdf"))
        .collect();
    check(
        "unlisted member",
        &craft(&members, Some(&names)),
        "unlisted_member",
    );
    let fewer: Vec<(String, Vec<u8>)> = members
        .iter()
        .filter(|(n, _)| !n.ends_with("-2-it.pdf"))
        .cloned()
        .collect();
    let all: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    check(
        "missing member",
        &craft(&fewer, Some(&all)),
        "missing_member",
    );
    let mut tampered = members.clone();
    let manifest_listing = craft(&tampered, None);
    let last = tampered.len() - 1;
    tampered[last].1[100] ^= 1;
    // Re-zip the tampered PDF under the old manifest.
    let manifest = members_of(&manifest_listing)
        .into_iter()
        .find(|(n, _)| n == "manifest.json")
        .unwrap();
    let mut with_old_manifest = vec![manifest];
    with_old_manifest.extend(
        tampered
            .iter()
            .filter(|(n, _)| n != "manifest.json")
            .cloned(),
    );
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in &with_old_manifest {
        writer
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(data).unwrap();
    }
    check(
        "tampered PDF",
        &writer.finish().unwrap().into_inner(),
        "checksum_mismatch",
    );

    // JSON: not JSON, another schema, a case with a forged history.
    let mut broken = members.clone();
    broken.iter_mut().find(|(n, _)| n == "case.json").unwrap().1 =
        b"{\"schema\": 1, \"cases\": [".to_vec();
    check("invalid JSON", &craft(&broken, None), "invalid_json");
    let case_json = |f: &dyn Fn(&mut serde_json::Value)| with_case_json(&members, f);
    check(
        "wrong schema",
        &case_json(&|v| v["schema"] = (archive::SCHEMA + 1).into()),
        "unsupported_schema",
    );
    check(
        "forged status",
        &case_json(&|v| v["cases"][0]["status"] = "collected".into()),
        "invalid_case_data",
    );
    check(
        "history with the intake voided",
        &case_json(&|v| {
            let steps = v["cases"][0]["steps"].as_array_mut().unwrap();
            let mut correction = steps[1].clone();
            correction["kind"] = "correction".into();
            correction["corrects"] = 0.into();
            correction["note"] = "errore".into();
            steps.push(correction);
        }),
        "invalid_case_data",
    );
    check(
        "control character in a name",
        &case_json(&|v| v["cases"][0]["data"]["applicant"]["surname"] = "A\u{202e}B".into()),
        "invalid_case_data",
    );
    check(
        "unknown field",
        &case_json(&|v| v["cases"][0]["sql"] = "DROP TABLE cases".into()),
        "invalid_json",
    );

    // Not an archive at all.
    check("empty file", b"", "not_an_archive");
    check("text file", b"hello", "not_an_archive");
    check(
        "age header only",
        b"age-encryption.org/v1\n-> scrypt AAAA 10\n",
        "passphrase_required",
    );
    // A PDF listed in the manifest but not in its case's list in case.json.
    let mut stray = members.clone();
    stray.push((format!("pdf/{uuid}/stray.pdf"), b"%PDF-1.7".to_vec()));
    check("PDF of no case", &craft(&stray, None), "unexpected_member");
}

#[test]
fn zip_bombs_are_refused_before_they_fill_memory() {
    let (_a, _source, plain) = plain_fixture();
    let members = members_of(&plain);
    let pdf_name = members
        .iter()
        .find(|(n, _)| n.starts_with("pdf/"))
        .unwrap()
        .0
        .clone();
    let (_b, mut target) = temp_register();
    let before = fingerprint(&target);

    // A PDF that inflates past 64 MiB from a few dozen KiB.
    let mut bomb = members.clone();
    bomb.iter_mut().find(|(n, _)| *n == pdf_name).unwrap().1 =
        vec![0u8; (archive::MAX_PDF_BYTES + 1) as usize];
    let bytes = craft(&bomb, None);
    assert!(bytes.len() < 1 << 20, "the bomb is small on disk");
    let started = Instant::now();
    assert_eq!(
        archive_code(import_bytes(&mut target, &bytes, None, &no_choices())),
        "too_large"
    );
    println!("PDF bomb refused in {:?}", started.elapsed());

    // JSON past 8 MiB (spaces are valid JSON, so only the cap can stop it).
    let mut padded = members.clone();
    let json = &mut padded.iter_mut().find(|(n, _)| n == "case.json").unwrap().1;
    json.extend(std::iter::repeat_n(b' ', archive::MAX_JSON_BYTES as usize));
    assert_eq!(
        archive_code(import_bytes(
            &mut target,
            &craft(&padded, None),
            None,
            &no_choices()
        )),
        "too_large"
    );

    // More members than allowed.
    let mut many = members.clone();
    for i in 0..archive::MAX_MEMBERS {
        many.push((format!("x{i}"), Vec::new()));
    }
    assert_eq!(
        archive_code(import_bytes(
            &mut target,
            &craft(&many, None),
            None,
            &no_choices()
        )),
        "too_large"
    );
    assert_eq!(fingerprint(&target), before);
}

#[test]
fn a_file_larger_than_any_archive_can_be_is_refused_by_its_size_unread() {
    let (_dir, register) = temp_register();
    const {
        assert!(
            archive::MAX_ARCHIVE_FILE_BYTES > archive::MAX_TOTAL_BYTES
                && archive::MAX_ARCHIVE_FILE_BYTES < archive::FAT32_MAX_FILE / 4,
            "the cap holds the largest archive the reader accepts, far under what FAT32 allows"
        )
    };
    let stick = tempfile::tempdir().unwrap();
    let path = stick.path().join("pratica-2026-000001-20261126.mixite");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(b"age-encryption.org/v1\n").unwrap();
    // Sparse: half a gigabyte that takes no room on the disk, and would take it in memory if read.
    file.set_len(archive::MAX_ARCHIVE_FILE_BYTES + 1).unwrap();
    drop(file);
    let started = Instant::now();
    let refused = archive::open_file(&path, Some(PASS), register.reference());
    let took = started.elapsed();
    assert_eq!(
        archive_code(refused),
        "file_too_large",
        "a file one byte over the largest archive is refused for its size (read, it would be corrupt)"
    );
    assert!(
        took < Duration::from_millis(500),
        "refused by its size, without reading it: {took:?}"
    );
}

#[test]
fn every_truncation_of_a_plain_archive_is_refused_cleanly() {
    let (_a, _source, plain) = plain_fixture();
    let (_b, mut target) = temp_register();
    let before = fingerprint(&target);
    for len in 0..plain.len() {
        let result = import_bytes(&mut target, &plain[..len], None, &no_choices());
        assert!(
            matches!(result, Err(Error::Archive(_))),
            "truncated at {len} of {}: {result:?}",
            plain.len()
        );
    }
    assert_eq!(fingerprint(&target), before);
}

#[test]
fn truncations_and_bit_flips_of_an_encrypted_archive_are_refused_cleanly() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let built = sealed_with(&source, id, pdfs(2, 5000));
    let bytes = built.bytes;
    let (_b, mut target) = temp_register();
    let before = fingerprint(&target);
    // Every length in the header, then a stride through the payload.
    let lengths = (0..300.min(bytes.len())).chain((300..bytes.len()).step_by(97));
    let mut tried = 0;
    for len in lengths {
        let result = import_bytes(&mut target, &bytes[..len], Some(PASS), &no_choices());
        assert!(
            matches!(result, Err(Error::Archive(_))),
            "truncated at {len}: {result:?}"
        );
        tried += 1;
    }
    // Every bit of every header byte, then one bit at a stride: age authenticates all of it.
    let positions = (0..200usize).flat_map(|i| (0..8).map(move |b| (i, b)));
    let stride = (200..bytes.len()).step_by(61).map(|i| (i, i % 8));
    for (i, bit) in positions.chain(stride) {
        let mut flipped = bytes.clone();
        flipped[i] ^= 1 << bit;
        let result = import_bytes(&mut target, &flipped, Some(PASS), &no_choices());
        assert!(
            matches!(result, Err(Error::Archive(_))),
            "bit {bit} of byte {i}: {result:?}"
        );
        tried += 1;
    }
    assert_eq!(
        fingerprint(&target),
        before,
        "{tried} damaged files, no change"
    );
}

#[test]
fn bit_flips_in_a_plain_archive_are_refused_or_harmless() {
    // A plain ZIP does not authenticate its metadata (a file's time, "version made by"), so a flip
    // there still yields the same cases; anything that changes content is refused by a CRC, the
    // manifest or the validators. Imported back into the desk it came from, a harmless flip is
    // "unchanged" and the register never moves.
    let (_a, mut source, plain) = plain_fixture();
    let before = fingerprint(&source);
    let (mut refused, mut harmless) = (0, 0);
    for i in 0..plain.len() {
        let mut flipped = plain.clone();
        flipped[i] ^= 1 << (i % 8);
        match import_bytes(&mut source, &flipped, None, &no_choices()) {
            Err(Error::Archive(_)) => refused += 1,
            Ok(report) => {
                assert_eq!(
                    report.unchanged.len(),
                    1,
                    "byte {i}: a flip that passes changes nothing"
                );
                harmless += 1;
            }
            Err(other) => panic!("byte {i}: {other:?}"),
        }
    }
    assert_eq!(fingerprint(&source), before);
    println!(
        "plain archive, {} bytes: {refused} flips refused, {harmless} harmless",
        plain.len()
    );
    assert!(refused > harmless, "most of a ZIP is content or structure");
}

// ---------------------------------------------------------------------------------------------------
// A real FAT32 stick (fusefat), and the figures

fn listing(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// A FAT32 image mounted with fusefat; unmounted on drop (also when a test fails).
pub(crate) struct Stick {
    _dir: tempfile::TempDir,
    image: PathBuf,
    mount: PathBuf,
    mounted: bool,
}

const LABEL: &str = "STICK";

impl Stick {
    /// `None` (with the reason printed) only where FUSE is missing; on a machine with `/dev/fuse`
    /// a missing tool fails the test.
    pub(crate) fn new(megabytes: u64) -> Option<Stick> {
        if !Path::new("/dev/fuse").exists() {
            println!("skipped: /dev/fuse is missing, no FAT32 stick can be mounted here");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("stick.img");
        let mount = dir.path().join("mnt");
        std::fs::create_dir(&mount).unwrap();
        std::fs::File::create(&image)
            .unwrap()
            .set_len(megabytes << 20)
            .unwrap();
        let status = Command::new("mkfs.vfat")
            .args(["-F", "32", "-n", LABEL])
            .arg(&image)
            .output()
            .expect("mkfs.vfat (apt-get install dosfstools)");
        assert!(status.status.success(), "mkfs.vfat: {status:?}");
        Some(Stick {
            _dir: dir,
            image,
            mount,
            mounted: false,
        })
    }

    pub(crate) fn mount(&mut self, mode: &str) -> &Path {
        let out = Command::new("fusefat")
            .args(["-o", mode])
            .arg(&self.image)
            .arg(&self.mount)
            .output()
            .expect("fusefat (apt-get install fusefat)");
        assert!(out.status.success(), "fusefat: {out:?}");
        self.mounted = true;
        &self.mount
    }

    pub(crate) fn unmount(&mut self) {
        if self.mounted {
            // fuse3 ships `fusermount3`; older systems (and this one) also have `fusermount`.
            let done = ["fusermount", "fusermount3"].iter().any(|tool| {
                Command::new(tool)
                    .arg("-u")
                    .arg(&self.mount)
                    .status()
                    .is_ok_and(|s| s.success())
            });
            assert!(
                done || !self.mount.exists(),
                "the FAT32 image could not be unmounted"
            );
            self.mounted = false;
        }
    }

    /// The files on the stick (without the volume label fusefat lists as an entry).
    ///
    /// libfuse answers the unlink of a file whose release it has not processed yet (the kernel sends
    /// the release after `close` returns, asynchronously) by renaming it `.fuse_hidden…`, and deletes
    /// that name as soon as the release arrives. Such a name is the deleted temporary on its way out,
    /// so the listing waits (at most 5 s) for it to go before it is compared.
    fn files(&self) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let names: Vec<String> = listing(&self.mount)
                .into_iter()
                .filter(|n| n != LABEL)
                .collect();
            if !names.iter().any(|n| n.starts_with(".fuse_hidden")) || Instant::now() > deadline {
                return names;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Stick {
    fn drop(&mut self) {
        self.unmount();
    }
}

#[test]
fn export_to_a_real_fat32_stick_and_import_it_on_another_desk() {
    let Some(mut stick) = Stick::new(40) else {
        return;
    };
    let mount = stick.mount("rw+").to_path_buf();
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let printed = pdfs(5, 80_000);
    let started = Instant::now();
    let exported = archive::export_to_folder(
        &source,
        &[ExportCase {
            id,
            pdfs: printed.clone(),
        }],
        &ExportOptions::encrypted(PASS),
        &mount,
        clock().today,
    )
    .unwrap();
    let took = started.elapsed();
    println!(
        "FIGURE export of one case with 5 PDFs ({} bytes) to FAT32 (fusefat), default scrypt cost: {took:?}",
        exported.size
    );
    assert_eq!(
        stick.files(),
        std::slice::from_ref(&exported.file_name),
        "no temporary left"
    );
    // The same with a cheap scrypt cost: what writing, syncing and verifying on the stick cost.
    let started = Instant::now();
    let cheap = archive::export_to_folder(
        &source,
        &[ExportCase {
            id,
            pdfs: printed.clone(),
        }],
        &fast(PASS),
        &mount,
        clock().today,
    )
    .unwrap();
    println!(
        "FIGURE the same export with scrypt 2^10 (write, fsync, rename, read back, verify): {:?}",
        started.elapsed()
    );
    std::fs::remove_file(&cheap.path).unwrap();

    // Unplug and plug in again: the file is there after a remount.
    stick.unmount();
    let mount = stick.mount("rw+").to_path_buf();
    let (_b, mut target) = temp_register();
    let archive = archive::open_file(
        &mount.join(&exported.file_name),
        Some(PASS),
        target.reference(),
    )
    .unwrap();
    let report = archive::import(&mut target, &archive, &no_choices(), &clock()).unwrap();
    let copy = target.get(report.inserted[0].id, clock().today).unwrap();
    assert_eq!(copy.data, source.get(id, clock().today).unwrap().data);
    let got: Vec<&Vec<u8>> = archive.pdfs().iter().map(|p| &p.bytes).collect();
    let sent: Vec<&Vec<u8>> = printed.iter().map(|p| &p.bytes).collect();
    assert!(got == sent, "PDF bytes survive the stick");
}

#[test]
fn a_full_stick_leaves_neither_the_final_file_nor_a_temporary() {
    let Some(mut stick) = Stick::new(40) else {
        return;
    };
    let mount = stick.mount("rw+").to_path_buf();
    // Fill the stick, then give back about 1.5 MiB.
    let filler = mount.join("filler.bin");
    {
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0xA5u8; 1 << 20];
        loop {
            if let Err(e) = file.write_all(&chunk) {
                // fusefat says EPERM where the kernel's vfat says ENOSPC.
                assert!(
                    matches!(
                        e.kind(),
                        std::io::ErrorKind::StorageFull | std::io::ErrorKind::PermissionDenied
                    ),
                    "{e}"
                );
                break;
            }
        }
    }
    let full = std::fs::metadata(&filler).unwrap().len();
    // A register set up as the app does (a backup carries its key ring).
    let a = tempfile::tempdir().unwrap();
    let (mut source, _, _) = Register::set_up(
        a.path(),
        "Anna Responsabile",
        "una parola lunga 1",
        mixite_core::register::keys::Kdf::OWASP,
        &clock(),
    )
    .unwrap();
    let id = worked_case(&mut source);
    // A backup (which streams the database through the encryption onto the stick) meets the full
    // stick the same way: a clear error, nothing left, no backup recorded.
    let backup = mixite_core::exchange::backup::backup(&mut source, &mount, PASS, &clock());
    assert_eq!(archive_code(backup), "stick_full");
    assert_eq!(stick.files(), ["filler.bin"], "no backup, no temporary");
    assert_eq!(mixite_core::exchange::backup::last(&source).unwrap(), None);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(full - (3 << 19))
        .unwrap();
    let before = fingerprint(&source);
    let result = archive::export_to_folder(
        &source,
        &[ExportCase {
            id,
            pdfs: pdfs(3, 1 << 20),
        }],
        &fast(PASS),
        &mount,
        clock().today,
    );
    assert_eq!(archive_code(result), "stick_full");
    assert_eq!(stick.files(), ["filler.bin"], "no final file, no temporary");
    assert_eq!(fingerprint(&source), before, "the database is untouched");
    // The space the temporary took is free again: a small export still fits.
    archive::export_to_folder(
        &source,
        &[ExportCase {
            id,
            pdfs: pdfs(1, 1000),
        }],
        &fast(PASS),
        &mount,
        clock().today,
    )
    .unwrap();
}

#[test]
fn a_read_only_stick_is_a_clear_error() {
    let Some(mut stick) = Stick::new(40) else {
        return;
    };
    let mount = stick.mount("ro").to_path_buf();
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let result = archive::export_to_folder(
        &source,
        &[ExportCase { id, pdfs: vec![] }],
        &fast(PASS),
        &mount,
        clock().today,
    );
    assert_eq!(archive_code(result), "stick_read_only");
    assert!(stick.files().is_empty());
}

/// Writes a real archive to the FAT32 stick through `write_with`, letting `meddle` change the file on the
/// stick after it was synced and renamed and before it is read back; the verification is the export's
/// own (open the file from the stick with the passphrase). Returns the error and what is left.
fn meddled_write(meddle: impl FnOnce(&Path)) -> Option<(&'static str, Vec<String>)> {
    let mut stick = Stick::new(40)?;
    let mount = stick.mount("rw+").to_path_buf();
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let built = sealed_with(&source, id, pdfs(2, 50_000));
    let reference = source.reference();
    let result = archive::write_with(
        &mount,
        &built.file_name,
        built.bytes.len() as u64,
        |file| Ok(file.write_all(&built.bytes)?),
        |path| {
            meddle(path);
            archive::open_file(path, Some(PASS), reference).map(|_| ())
        },
    );
    Some((archive_code(result), stick.files()))
}

#[test]
fn a_file_truncated_or_removed_between_write_and_verify_is_reported_and_cleaned_up() {
    let Some((code, left)) = meddled_write(|path| {
        let len = std::fs::metadata(path).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
    }) else {
        return;
    };
    assert_eq!(code, "corrupt", "the truncated file fails its own check");
    assert!(left.is_empty(), "the truncated file is removed: {left:?}");

    let (code, left) = meddled_write(|path| std::fs::remove_file(path).unwrap()).unwrap();
    assert_eq!(
        code, "stick_removed",
        "a file gone from the stick reads as a stick gone"
    );
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_removed_stick_is_a_clear_error() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    let gone = tempfile::tempdir().unwrap().path().join("not-there");
    let result = archive::export_to_folder(
        &source,
        &[ExportCase { id, pdfs: vec![] }],
        &fast(PASS),
        &gone,
        clock().today,
    );
    assert_eq!(archive_code(result), "stick_removed");
}

/// Records a desk contact for case `id` today (the tests' clock), by Operatore Uno.
fn desk_contact(register: &mut Register, id: i64, services: &[&str], minutes: u32) {
    register
        .record_desk_contact(
            &mixite_core::register::activity::DeskContactInput {
                kind: "visit".into(),
                case_id: Some(id),
                services: services.iter().map(|s| s.to_string()).collect(),
                language: "ar".into(),
                mediator: true,
                minutes,
                ..Default::default()
            },
            &clock(),
            &op("Operatore Uno"),
        )
        .unwrap();
}

/// What an imported desk contact must keep: day, kind, services, language, mediator, minutes, operator.
type ContactFacts = (String, String, Vec<String>, String, bool, u32, String);

fn contact_facts(register: &Register, id: i64) -> Vec<ContactFacts> {
    register
        .desk_contacts(id)
        .unwrap()
        .into_iter()
        .map(|c| {
            (
                c.day,
                c.kind,
                c.services,
                c.language,
                c.mediator,
                c.minutes,
                c.operator_id,
            )
        })
        .collect()
}

#[test]
fn an_exported_case_keeps_its_desk_contacts_and_an_older_archive_still_imports() {
    let (_a, mut source) = temp_register();
    let id = worked_case(&mut source);
    desk_contact(&mut source, id, &["information", "checklist"], 15);
    desk_contact(&mut source, id, &["booking"], 5);
    let expected = contact_facts(&source, id);
    assert_eq!(expected.len(), 2);
    let plain = archive::build(
        &source,
        &[ExportCase { id, pdfs: vec![] }],
        &ExportOptions::unencrypted(),
        clock().today,
    )
    .unwrap()
    .bytes;
    let members = members_of(&plain);
    let case_json: serde_json::Value =
        serde_json::from_slice(&members.iter().find(|(n, _)| n == "case.json").unwrap().1).unwrap();
    assert_eq!(case_json["schema"], 3);
    assert_eq!(case_json["cases"][0]["deskContacts"][0]["minutes"], 15);

    // Imported on another desk: the same contacts, counted there (one person, two contacts).
    let (_b, mut target) = temp_register();
    let report = import_bytes(&mut target, &plain, None, &no_choices()).unwrap();
    let here = report.inserted[0].id;
    assert_eq!(contact_facts(&target, here), expected);
    let persons: (i64, i64) = target
        .store()
        .conn()
        .query_row(
            "SELECT count(DISTINCT person), count(*) FROM desk_contacts",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(persons, (1, 2));
    // Again: nothing doubles.
    import_bytes(&mut target, &plain, None, &no_choices()).unwrap();
    assert_eq!(contact_facts(&target, here).len(), 2);

    // An archive of schema 2 (before desk contacts) still imports, without contacts; one of schema 2
    // that carries them, or a contact with a service this desk does not know, is refused.
    let edited = |f: &dyn Fn(&mut serde_json::Value)| with_case_json(&members, f);
    let older = edited(&|v| {
        v["schema"] = 2.into();
        v["cases"][0]
            .as_object_mut()
            .unwrap()
            .remove("deskContacts");
    });
    let (_c, mut third) = temp_register();
    let report = import_bytes(&mut third, &older, None, &no_choices()).unwrap();
    assert!(contact_facts(&third, report.inserted[0].id).is_empty());
    let (_d, mut fourth) = temp_register();
    assert_eq!(
        archive_code(import_bytes(
            &mut fourth,
            &edited(&|v| v["schema"] = 2.into()),
            None,
            &no_choices()
        )),
        "invalid_case_data"
    );
    assert_eq!(
        archive_code(import_bytes(
            &mut fourth,
            &edited(&|v| v["cases"][0]["deskContacts"][0]["services"] = serde_json::json!(["fax"])),
            None,
            &no_choices()
        )),
        "invalid_case_data"
    );
}
