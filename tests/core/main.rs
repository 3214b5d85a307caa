//! Integration tests of `mixite-core` on real SQLite files in temporary folders: one binary, a module
//! per area. Every assertion says why it must hold.

mod access;
mod agenda;
mod archive;
mod audit;
mod backup;
mod cases;
mod catalogue;
mod checklist;
mod codice_fiscale;
mod content_pack;
mod drives;
mod filing;
mod forms;
mod layout;
mod mrz;
mod papers;
mod print;
mod receipt;
mod recovery;
mod reference;
mod referrals;
mod reminders;
mod reports;
mod retention;
mod search;
mod steps;
mod storage;
mod translations;
mod validation;

use chrono::NaiveDate;
use mixite_core::model::CaseData;
use mixite_core::register::keys::DbKey;
use mixite_core::register::operators::{Actor, Role};
use mixite_core::{Clock, NewCase, Register};

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The counter's "today" in these tests.
pub fn clock() -> Clock {
    Clock::at(day("2026-11-26"))
}

/// A complete, valid renewal for employment: what an operator types for a typical applicant (a worker
/// with one child under 14). The benchmarks print the same case.
pub fn worker() -> CaseData {
    serde_json::from_str(include_str!("../fixtures/worker.json")).expect("the fixture is a case")
}

pub fn create(register: &mut Register, data: CaseData) -> mixite_core::model::CaseView {
    register
        .create(
            &NewCase {
                data,
                ..NewCase::default()
            },
            &clock(),
            &op("Operatore Uno"),
        )
        .expect("a valid case is stored")
}

/// An operator named `name`, as the tests' writes record them (the app's come from a sign-in).
pub fn op(name: &str) -> Actor {
    Actor::unchecked(
        "00000000-0000-4000-8000-000000000001",
        name,
        Role::Operatore,
    )
}

/// The database key of the tests' registers opened directly (without a key ring).
pub fn key() -> DbKey {
    DbKey::from_bytes([7; 32])
}

/// A register on a new temporary data folder (kept alive by the returned guard).
pub fn temp_register() -> (tempfile::TempDir, Register) {
    let dir = tempfile::tempdir().unwrap();
    let register = Register::open(dir.path(), &key()).unwrap();
    (dir, register)
}

/// The field codes of an `Invalid` error, as `field:code` strings.
pub fn problems(err: mixite_core::Error) -> Vec<String> {
    match err {
        mixite_core::Error::Invalid(fields) => fields
            .into_iter()
            .map(|f| format!("{}:{}", f.field, f.code))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// A text of `locales/<area>/<lang>.yml` at its full dotted key (`audit.action.signed_in`), as the file
/// holds it, read without rust-i18n; `None` when the file has no text there.
pub fn locale_text(area: &str, lang: &str, key: &str) -> Option<String> {
    let path = format!(
        "{}/../../locales/{area}/{lang}.yml",
        env!("CARGO_MANIFEST_DIR")
    );
    let docs = yaml_rust2::YamlLoader::load_from_str(&std::fs::read_to_string(path).unwrap())
        .expect("the translation file is YAML");
    let node = key.split('.').fold(&docs[0], |node, part| &node[part]);
    node.as_str().map(String::from)
}

/// Every file under `dir`, recursively, with its bytes.
pub fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// Whether `haystack` holds `needle`'s bytes anywhere (a byte search, as anyone with the file can run).
pub fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The text poppler extracts from a PDF, as it extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("poppler-utils is installed");
    String::from_utf8(out.stdout).unwrap()
}

/// The text poppler extracts from a PDF with every space removed (boxes print one character each, and
/// extraction may add or drop spaces).
pub fn squeezed_text(pdf: &[u8]) -> String {
    pdf_text(pdf).split_whitespace().collect()
}

/// The page count poppler's pdfinfo reads in the PDF at `path`.
pub fn pdf_pages(path: &std::path::Path) -> usize {
    tool("pdfinfo", &[path.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Runs the command-line tool `name` (poppler's, ImageMagick's) and returns what it printed; it must succeed.
pub fn tool(name: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (apt-get install poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
