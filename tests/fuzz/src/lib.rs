//! The fuzzing harness of the case archive reader, shared by the `archive_reader` target and by
//! `make_seeds` (which runs every seed it writes through the same checks). It owns the choice of
//! passphrase for an input, the error contract `archive::open_bytes` promises (every failure is an
//! `Error::Archive` with a code) and the cheap invariants of an archive it accepts. It must not fix or
//! work around what it finds in `mixite-core`: a broken promise is an assertion failure, so libFuzzer
//! keeps the input. It must not make an execution slow: an age file gets the passphrase only when every
//! scrypt stanza asks for a trivial work factor (see `cheap_scrypt`).
//!
//! The manifest's SHA-256 sums keep mutated `case.json` contents from ever reaching the case checks, so
//! an input starting with `{` is also taken as the text of a `case.json`: the harness wraps it in a
//! plain archive with a correct manifest (and a stub PDF for each one it lists) and opens that too.
//!
//! A panic inside a parser that `open_bytes` would catch (and report as `corrupt`) is still a crash
//! here: libfuzzer-sys aborts on any panic, and such a panic is worth knowing even when the desk
//! survives it.

use std::collections::HashSet;
use std::sync::OnceLock;

use std::io::{Cursor, Write};

use chrono::{DateTime, NaiveDate};
use mixite_core::error::ArchiveCode;
use mixite_core::exchange::archive::{self, Archive, ArchivedCase};
use mixite_core::reference::Reference;
use mixite_core::register::{steps, validate};
use mixite_core::Error;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The passphrase of the encrypted seeds, and the one the target tries on a cheap age file.
pub const PASSPHRASE: &str = "fuzz corretto cavallo";
/// The highest scrypt work factor (log2 N) the target decrypts with: above it an execution would cost
/// milliseconds to seconds of scrypt. The encrypted seeds are written with 1.
pub const MAX_FUZZ_LOG_N: u8 = 2;

const AGE_MAGIC: &[u8] = b"age-encryption.org/";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// The bundled reference tables, loaded once per process.
pub fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| Reference::bundled().expect("the bundled tables load"))
}

/// Whether every `-> scrypt …` stanza line of `bytes` (age splits a stanza's arguments on single
/// spaces, lines on `\n`) has only numeric arguments up to `MAX_FUZZ_LOG_N`. Errs on the side of
/// "no": any longer or larger number refuses the passphrase.
pub fn cheap_scrypt(bytes: &[u8]) -> bool {
    bytes.split(|&b| b == b'\n').all(|line| {
        let mut tokens = line.split(|&b| b == b' ');
        if tokens.next() != Some(b"->".as_slice()) || tokens.next() != Some(b"scrypt".as_slice()) {
            return true;
        }
        tokens.all(|t| {
            if t.is_empty() || !t.iter().all(u8::is_ascii_digit) {
                return true;
            }
            t.len() <= 2
                && std::str::from_utf8(t)
                    .ok()
                    .and_then(|s| s.parse::<u8>().ok())
                    .is_some_and(|n| n <= MAX_FUZZ_LOG_N)
        })
    })
}

/// The passphrase the target opens `bytes` with: none for a ZIP or anything else (the plain path),
/// `PASSPHRASE` for an age file whose scrypt cost is trivial.
pub fn passphrase_for(bytes: &[u8]) -> Option<&'static str> {
    (bytes.starts_with(AGE_MAGIC) && cheap_scrypt(bytes)).then_some(PASSPHRASE)
}

/// Opens `bytes` as the import does and checks what `open_bytes` promises (see `open_checked`); an
/// input that starts with `{` is then also opened as the `case.json` of a well-formed archive (see
/// `wrap_case_json`), and that archive is what is returned.
pub fn check(bytes: &[u8]) -> Option<Archive> {
    let opened = open_checked(bytes, passphrase_for(bytes));
    if bytes.first() == Some(&b'{') {
        return open_checked(&wrap_case_json(bytes), None);
    }
    opened
}

/// `open_bytes` with `passphrase`, checking its promises: an `Error::Archive` on refusal
/// (`not_an_archive` without a magic, `passphrase_required` for an age file opened without one), and
/// a consistent archive on success (see `check_archive`). Panics when a promise is broken.
pub fn open_checked(bytes: &[u8], passphrase: Option<&str>) -> Option<Archive> {
    let reference = reference();
    match archive::open_bytes(bytes, passphrase, reference) {
        Ok(archive) => {
            check_archive(&archive, reference);
            Some(archive)
        }
        Err(Error::Archive(code)) => {
            if !bytes.starts_with(AGE_MAGIC) && !bytes.starts_with(ZIP_MAGIC) {
                assert_eq!(
                    code,
                    ArchiveCode::NotAnArchive,
                    "no magic, yet not refused as such"
                );
            } else if bytes.starts_with(AGE_MAGIC) && passphrase.is_none() {
                assert_eq!(
                    code,
                    ArchiveCode::PassphraseRequired,
                    "an age file opened without passphrase"
                );
            }
            None
        }
        Err(other) => panic!("open_bytes failed with a non-archive error: {other:?}"),
    }
}

/// The bytes of every stub PDF `wrap_case_json` adds.
const STUB_PDF: &[u8] = b"%PDF-1.7\n%%EOF\n";

/// A plain archive as `archive::build` writes it (manifest first, then `case.json`, then the PDFs,
/// stored), around `case_json` as it is: the manifest lists every member with its true size and
/// SHA-256, and each `pdf/<uuid>/<name>` the JSON names (when the harness finds the name safe) is
/// there as a stub. Whatever the bytes, the result gets past the container and the hashes.
pub fn wrap_case_json(case_json: &[u8]) -> Vec<u8> {
    let mut members: Vec<(String, &[u8])> = vec![("case.json".into(), case_json)];
    let mut seen = HashSet::new();
    if let Ok(value) = serde_json::from_slice::<Value>(case_json) {
        let cases = value.get("cases").and_then(Value::as_array);
        for case in cases.into_iter().flatten() {
            let Some(uuid) = case.get("uuid").and_then(Value::as_str) else {
                continue;
            };
            let pdfs = case.get("pdfs").and_then(Value::as_array);
            for name in pdfs.into_iter().flatten().filter_map(Value::as_str) {
                let member = format!("pdf/{uuid}/{name}");
                if canonical_uuid(uuid)
                    && safe_pdf_name(name)
                    && seen.insert(member.to_ascii_lowercase())
                {
                    members.push((member, STUB_PDF));
                }
            }
        }
    }
    let listed: Vec<Value> = members
        .iter()
        .map(|(name, bytes)| {
            let sha256: String = Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            json!({ "name": name, "size": bytes.len(), "sha256": sha256 })
        })
        .collect();
    let manifest = serde_json::to_vec(&json!({ "schema": archive::SCHEMA, "members": listed }))
        .expect("a JSON value serialises");
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let manifest_member = ("manifest.json".to_string(), manifest.as_slice());
    for (name, bytes) in std::iter::once(&manifest_member).chain(&members) {
        writer
            .start_file(name.as_str(), stored)
            .expect("a safe member name");
        writer.write_all(bytes).expect("writing to memory");
    }
    writer.finish().expect("writing to memory").into_inner()
}

/// A UUID in lower-case hyphenated form, as the archive names members with.
fn canonical_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// `YYYY/NNNNNN` with a sequence of at least 1.
fn case_number(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[4] == b'/'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit())
        && &s[5..] != "000000"
}

fn safe_pdf_name(name: &str) -> bool {
    (5..=100).contains(&name.len())
        && name.ends_with(".pdf")
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn day(rfc3339: &str) -> NaiveDate {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|_| panic!("accepted case has a bad timestamp {rfc3339:?}"))
        .date_naive()
}

/// What an accepted archive promises, checked cheaply: at least one case; identities well formed
/// and unique; a history that starts with the intake and whose status is one of its kinds;
/// corrections pointing backwards; the data already normalised (validating it again on the day it
/// was written changes nothing); every PDF listed by exactly one case, and every listed PDF carried,
/// within the caps.
pub fn check_archive(archive: &Archive, reference: &Reference) {
    let cases = archive.cases();
    assert!(!cases.is_empty(), "an accepted archive with no case");
    let mut uuids = HashSet::new();
    let mut listed = HashSet::new();
    for case in cases {
        check_case(case, reference);
        assert!(
            uuids.insert(case.uuid.as_str()),
            "two cases with UUID {}",
            case.uuid
        );
        for name in &case.pdfs {
            assert!(safe_pdf_name(name), "unsafe PDF name {name:?}");
            assert!(
                listed.insert((case.uuid.as_str(), name.to_ascii_lowercase())),
                "PDF {name:?} listed twice"
            );
        }
    }
    let mut total = 0u64;
    let mut carried = HashSet::new();
    for pdf in archive.pdfs() {
        let key = (pdf.case_uuid.as_str(), pdf.name.to_ascii_lowercase());
        assert!(
            listed.contains(&key),
            "PDF {:?} of no listed case",
            pdf.name
        );
        assert!(carried.insert(key), "PDF {:?} carried twice", pdf.name);
        assert!(
            pdf.bytes.len() as u64 <= archive::MAX_PDF_BYTES,
            "PDF over the cap"
        );
        total += pdf.bytes.len() as u64;
    }
    assert_eq!(carried.len(), listed.len(), "a listed PDF is not carried");
    assert!(total <= archive::MAX_TOTAL_BYTES, "PDFs over the total cap");
}

fn check_case(case: &ArchivedCase, reference: &Reference) {
    assert!(canonical_uuid(&case.uuid), "bad UUID {:?}", case.uuid);
    assert!(case_number(&case.number), "bad number {:?}", case.number);
    assert!(
        (1..=1_000_000_000).contains(&case.revision),
        "bad revision {}",
        case.revision
    );
    if let Some(from) = &case.renewed_from {
        assert!(
            canonical_uuid(from) && *from != case.uuid,
            "bad renewal link {from:?}"
        );
    }
    let first = case
        .steps
        .first()
        .expect("an accepted case with no history");
    assert_eq!(
        first.kind, "intake",
        "history does not start with the intake"
    );
    assert!(first.corrects.is_none(), "the intake corrects something");
    assert!(
        case.steps
            .iter()
            .any(|s| s.kind == case.status && s.kind != steps::CORRECTION),
        "status {:?} is no step of the history",
        case.status
    );
    for (i, step) in case.steps.iter().enumerate() {
        day(&step.recorded_at);
        match step.corrects {
            Some(target) => {
                assert_eq!(
                    step.kind,
                    steps::CORRECTION,
                    "a {} step corrects another",
                    step.kind
                );
                assert!(
                    target < i && target > 0,
                    "correction {i} voids entry {target}"
                );
            }
            None => assert_ne!(step.kind, steps::CORRECTION, "a correction voids nothing"),
        }
    }
    if case.issued_permit.is_some() {
        assert_eq!(
            case.status, "collected",
            "an issued permit on a case not collected"
        );
    }
    let again = validate::case(&case.data, reference, day(&case.updated_at))
        .or_else(|_| validate::case(&case.data, reference, day(&case.created_at)))
        .unwrap_or_else(|e| panic!("accepted case data does not validate again: {e:?}"));
    assert!(
        again == case.data,
        "validating accepted case data again changes it"
    );
}
