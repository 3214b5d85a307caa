//! `make_seeds`: writes the committed seed inputs of the `archive_reader` target (default
//! `tests/fuzz/seeds/archive_reader/`, or the folder given as the only argument), built with the
//! crate's own export code from cases created in an in-memory register, and runs each through
//! `mixite_fuzz::check` so a seed the reader refuses never gets committed. It owns only the choice of
//! seeds. It must not write anywhere but that folder, and it must not put anything but invented data
//! in a seed (the tests' fixture applicant and the synthetic generator's people).
//!
//! Each plain archive also gives a `json-…` seed: its `case.json`, compact, which the target wraps
//! in an archive of its own (see `mixite_fuzz::wrap_case_json`).
//!
//! The files differ on every run (case UUIDs are random); only their shape is fixed.

use std::io::{Cursor, Read};
use std::path::PathBuf;

use chrono::NaiveDate;
use mixite_core::exchange::archive::{self, ExportCase, ExportOptions, Pdf, Protection};
use mixite_core::model::{CaseData, CaseView, StepInput};
use mixite_core::register::operators::{Actor, Role};
use mixite_core::{Clock, NewCase, Register};
use mixite_demo as synthetic;

/// The tests' "today" (tests/core/main.rs): the fixture applicant is valid on it.
/// The operator the seeds' steps name (written through the register directly, not signed in).
fn op(name: &str) -> Actor {
    Actor::unchecked("seed-operator", name, Role::Operatore)
}

fn clock() -> Clock {
    Clock::at(NaiveDate::from_ymd_opt(2026, 11, 26).expect("a real day"))
}

/// The tests' fixture applicant (tests/fixtures/worker.json).
fn worker() -> CaseData {
    serde_json::from_str(include_str!("../../fixtures/worker.json")).expect("the fixture is a case")
}

fn step(kind: &str) -> StepInput {
    StepInput {
        kind: kind.into(),
        date: "2026-11-26".into(),
        ..Default::default()
    }
}

fn create(register: &mut Register, data: CaseData, renewed_from: Option<i64>) -> CaseView {
    register
        .create(
            &NewCase {
                data,
                renewed_from,
                ..NewCase::default()
            },
            &clock(),
            &op("Operatore Uno"),
        )
        .expect("a valid case is stored")
}

fn add(register: &mut Register, case: &CaseView, input: &StepInput) -> CaseView {
    register
        .add_step(
            case.id,
            case.revision,
            input,
            &clock(),
            &op("Operatore Due"),
        )
        .expect("the step is allowed")
}

/// Two tiny PDFs (a header and a few bytes each).
fn pdfs() -> Vec<Pdf> {
    (1..=2)
        .map(|i| Pdf {
            name: format!("checklist-{i}-it.pdf"),
            bytes: format!("%PDF-1.7\n% seed {i}\n%%EOF\n").into_bytes(),
            content_version: Some("2026.1".into()),
        })
        .collect()
}

fn plain() -> ExportOptions {
    ExportOptions::unencrypted()
}

fn build(register: &Register, selection: &[ExportCase], options: &ExportOptions) -> Vec<u8> {
    archive::build(register, selection, options, clock().today)
        .expect("the selection exports")
        .bytes
}

/// The `case.json` of a plain archive, re-serialised without white space.
fn compact_case_json(zip_bytes: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(zip_bytes)).expect("a ZIP");
    let mut text = String::new();
    zip.by_name("case.json")
        .expect("a case.json member")
        .read_to_string(&mut text)
        .expect("UTF-8 JSON");
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    serde_json::to_vec(&value).expect("a JSON value serialises")
}

fn main() {
    let folder = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds/archive_reader"));
    std::fs::create_dir_all(&folder).expect("the seeds folder can be created");
    let mut register = Register::in_memory().expect("an in-memory register opens");

    // The smallest valid archive: one case, just its intake, no PDF.
    let intake = create(&mut register, worker(), None);
    let intake_only = build(
        &register,
        &[ExportCase {
            id: intake.id,
            pdfs: vec![],
        }],
        &plain(),
    );

    // A case that went on (details, a note, a correction) and carries two PDFs.
    let worked = create(&mut register, worker(), None);
    let worked = add(&mut register, &worked, &step("documents_pending"));
    let mut sent = step("kit_sent");
    sent.details.assicurata = "050123456789".into();
    sent.note = "spedito dall'ufficio postale di via Roma".into();
    let worked = add(&mut register, &worked, &sent);
    let last = worked.steps.last().expect("a step").id;
    let worked = register
        .correct_step(
            worked.id,
            worked.revision,
            last,
            "registrato per errore",
            &clock(),
            &op("Operatore Due"),
        )
        .expect("the latest step can be corrected");
    let worked = add(&mut register, &worked, &sent);
    let with_pdfs = build(
        &register,
        &[ExportCase {
            id: worked.id,
            pdfs: pdfs(),
        }],
        &plain(),
    );

    // A household selection: a collected case (issued permit) and its renewal, linked.
    let mut collected = step("collected");
    collected.details.issued_permit.motivo_code = "16".into();
    collected.details.issued_permit.expiry_date = "2029-11-25".into();
    let old = add(&mut register, &worked, &collected);
    let draft = register
        .renewal_draft(old.id, clock().today)
        .expect("a renewal draft");
    let renewal = create(&mut register, draft.data, Some(old.id));
    let household = build(
        &register,
        &[
            ExportCase {
                id: old.id,
                pdfs: vec![],
            },
            ExportCase {
                id: renewal.id,
                pdfs: vec![],
            },
        ],
        &plain(),
    );

    // The same collected case, age-encrypted at a trivial scrypt cost with the target's passphrase.
    let encrypted = build(
        &register,
        &[ExportCase {
            id: old.id,
            pdfs: vec![],
        }],
        &ExportOptions {
            protection: Protection::Passphrase(mixite_fuzz::PASSPHRASE.into()),
            scrypt_log_n: Some(1),
        },
    );

    // Generated cases (other nationalities, households, longer histories) from the demo generator.
    let mut demo = Register::in_memory().expect("an in-memory register opens");
    synthetic::fill(&mut demo, 3, 7, clock().today, |_| {}).expect("the generator fills");
    let ids: Vec<i64> = demo
        .search("", 0, 10)
        .expect("the demo cases list")
        .items
        .iter()
        .map(|c| c.id)
        .collect();
    let selection: Vec<ExportCase> = ids
        .iter()
        .map(|&id| ExportCase { id, pdfs: vec![] })
        .collect();
    let generated = build(&demo, &selection, &plain());

    let seeds = [
        ("plain-one-case-intake-only.zip", intake_only, 1, 0),
        (
            "plain-one-case-corrected-history-two-pdfs.zip",
            with_pdfs,
            1,
            2,
        ),
        ("plain-household-collected-and-renewal.zip", household, 2, 0),
        ("plain-three-generated-cases.zip", generated, ids.len(), 0),
        (
            "age-scrypt-logn1-one-collected-case.mixite",
            encrypted,
            1,
            0,
        ),
    ];
    let json_seeds: Vec<_> = seeds
        .iter()
        .filter_map(|(name, bytes, cases, pdfs)| {
            let stem = name.strip_prefix("plain-")?.strip_suffix(".zip")?;
            Some((
                format!("json-{stem}.json"),
                compact_case_json(bytes),
                *cases,
                *pdfs,
            ))
        })
        .collect();
    let seeds = seeds
        .into_iter()
        .map(|(name, bytes, cases, pdfs)| (name.to_string(), bytes, cases, pdfs));
    for (name, bytes, cases, pdfs) in seeds.chain(json_seeds) {
        let opened = mixite_fuzz::check(&bytes).unwrap_or_else(|| panic!("{name}: refused"));
        assert_eq!(opened.cases().len(), cases, "{name}: cases");
        assert_eq!(opened.pdfs().len(), pdfs, "{name}: PDFs");
        std::fs::write(folder.join(&name), &bytes).expect("the seed is written");
        println!(
            "{name}: {} bytes, {cases} case(s), {pdfs} PDF(s), accepted",
            bytes.len()
        );
    }
}
