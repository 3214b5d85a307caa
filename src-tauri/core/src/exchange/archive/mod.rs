//! Case archives: one file that carries one case or a selection (a household) from one desk to another
//! on a USB stick. It owns the file format (this file: a ZIP with `case.json`, the printed PDFs and
//! `manifest.json`, encrypted with an age passphrase unless the operator asks otherwise), building and
//! writing it (`export`, through `stick`'s safe writing and `crypt`), reading and verifying one (`read`),
//! and importing it (`import`: everything verified before the database is touched, then one transaction).
//!
//! It must not trust an archive: every byte is checked against caps, the manifest and the validators
//! before a row is written, and no input may make it panic. It must not overwrite a local case silently:
//! a case that differs here is reported as a conflict and changes only on the caller's explicit choice.
//! It must not put personal data in file names or errors (names carry case numbers and dates only), and
//! it must not know how the data folder keeps its PDFs: the caller passes them in for an export
//! (`papers::folder::for_export`), and `papers::folder::import_archive` files an import's papers inside
//! the import's transaction (`prepare`, then `Prepared::apply` with what the caller records).
//!
//! Case numbers on import: an imported case keeps its number when no local case holds it, and the local
//! counter of that year moves past it so this desk never hands it out again; when the number is taken
//! here, the case gets the next number of the local counter for the import day's year (as a new case
//! would) and the report lists the change, so the operator can tell the applicant.

mod export;
mod import;
mod read;

pub use export::*;
pub use import::*;
pub use read::*;
// The stick's safe writing, as archive callers knew it.
pub use super::crypt::MIN_PASSPHRASE_CHARS;
use super::crypt::{check_passphrase_length, decrypt, encrypt, encrypted_size_bound};
use super::stick::stick_error;
pub use super::stick::{check_fat32_size, write_to_folder, write_with, FAT32_MAX_FILE};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::error::{ArchiveCode, Error, Result};
use crate::model::{CaseData, CaseView, Permit, StepDetails};
use crate::reference::Reference;
// The manifest's hashes are written as the audit trail writes its own (one hex encoder in the core).
pub(crate) use crate::register::audit::sha256_hex;
use crate::register::{activity, cases, steps, validate, Register};

/// The `schema` written into `case.json` and `manifest.json`; an archive with a schema this app does
/// not know is refused (a newer app may add fields this one would silently drop). Schema 2 adds the
/// content version each paper was printed from (`ArchivedCase::content_versions`); schema 3 the case's
/// desk contacts (`ArchivedCase::desk_contacts`, migration 009).
pub const SCHEMA: u32 = 3;
/// The oldest schema still read: an archive of schema 1 imports as before, its papers' content
/// versions unknown; one of schema 1 or 2 brings no desk contacts.
pub const OLDEST_SCHEMA: u32 = 1;
/// Caps on what an archive may hold, checked while reading (never trusting the sizes it declares), so a
/// hostile file cannot exhaust memory: per PDF, per JSON member, in total, and in members.
pub const MAX_PDF_BYTES: u64 = 64 << 20;
pub const MAX_JSON_BYTES: u64 = 8 << 20;
pub const MAX_TOTAL_BYTES: u64 = 512 << 20;
pub const MAX_MEMBERS: usize = 1000;
/// The largest ZIP an archive may be: its members plus their headers (local and central, name and
/// extra fields: far under 1 KiB each) and the end records.
pub const MAX_ZIP_BYTES: u64 = MAX_TOTAL_BYTES + (MAX_MEMBERS as u64) * 1024 + (1 << 20);
/// The largest archive file there can be: that ZIP once encrypted (a plain one is smaller still). A
/// larger file is refused by its size, before a byte of it is read into memory.
pub const MAX_ARCHIVE_FILE_BYTES: u64 = encrypted_size_bound(MAX_ZIP_BYTES);
/// The highest scrypt cost accepted when opening an archive (2^20: about 1 GiB of memory and a few
/// seconds). age's default cap (16× this machine's target) would let a crafted header tie up the desk.
pub const MAX_SCRYPT_LOG_N: u8 = 20;
/// The scrypt cost written when the caller does not choose one (2^18: a fraction of a second here).
/// Fixed, not age's calibration: on a fast desk the calibration picks more than `MAX_SCRYPT_LOG_N`,
/// and the file could then not be opened again, not even to verify it.
pub const DEFAULT_SCRYPT_LOG_N: u8 = 18;

const CASE_JSON: &str = "case.json";
const MANIFEST_JSON: &str = "manifest.json";
const AGE_MAGIC: &[u8] = b"age-encryption.org/";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// Steps in one case's history: far above any real case, low enough to bound an import's work.
const MAX_STEPS: usize = 10_000;

/// A PDF printed for a case, as the caller found it in the data folder's `print/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdf {
    /// The file name: ASCII letters, digits, `.`, `_`, `-`, ending in `.pdf`, at most 100 characters
    /// (names the stick's FAT32 and every desk's file system accept as they are).
    pub name: String,
    pub bytes: Vec<u8>,
    /// The version of the content the paper was printed from, as its record says (`None`: unknown).
    pub content_version: Option<String>,
}

/// One case to export and its PDFs.
#[derive(Debug, Clone)]
pub struct ExportCase {
    pub id: i64,
    pub pdfs: Vec<Pdf>,
}

/// How the archive is protected. Its `Debug` never shows the passphrase.
#[derive(Clone)]
pub enum Protection {
    /// age with an scrypt passphrase recipient (the default the UI offers).
    Passphrase(String),
    /// A plain ZIP, only on the operator's explicit choice.
    None,
}

impl std::fmt::Debug for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Protection::Passphrase(_) => f.write_str("Passphrase(<redacted>)"),
            Protection::None => f.write_str("None"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub protection: Protection,
    /// scrypt cost as log2(N); `None` is `DEFAULT_SCRYPT_LOG_N`. Tests lower it.
    /// At most `MAX_SCRYPT_LOG_N`, or the archive could not be opened again.
    pub scrypt_log_n: Option<u8>,
}

impl ExportOptions {
    pub fn encrypted(passphrase: &str) -> ExportOptions {
        ExportOptions {
            protection: Protection::Passphrase(passphrase.to_string()),
            scrypt_log_n: None,
        }
    }

    pub fn unencrypted() -> ExportOptions {
        ExportOptions {
            protection: Protection::None,
            scrypt_log_n: None,
        }
    }

    /// Refuses a protection that does not protect: an empty passphrase (`passphrase_required`) or one
    /// shorter than `MIN_PASSPHRASE_CHARS` (on field `passphrase`, as a backup's).
    pub fn check(&self) -> Result<()> {
        match &self.protection {
            Protection::None => Ok(()),
            Protection::Passphrase(p) if p.is_empty() => {
                Err(archive_err(ArchiveCode::PassphraseRequired))
            }
            Protection::Passphrase(p) => check_passphrase_length(p),
        }
    }
}

/// An archive built in memory, ready to be written.
#[derive(Debug, Clone)]
pub struct Built {
    /// `pratica-YYYY-NNNNNN-YYYYMMDD.mixite` (or `.zip` when unencrypted).
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What `export_to_folder` wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    pub path: PathBuf,
    pub file_name: String,
    /// Size of the file, in bytes.
    pub size: u64,
}

/// `case.json`: the cases with everything an import needs to recreate them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CaseFile {
    schema: u32,
    cases: Vec<ArchivedCase>,
}

/// One case as archived: its identity (UUID, number), revision and history as recorded on the desk
/// that exported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchivedCase {
    pub uuid: String,
    pub number: String,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
    pub status: String,
    /// The UUID of the case this one renews (linked on import when that case is here).
    pub renewed_from: Option<String>,
    pub issued_permit: Option<Permit>,
    pub data: CaseData,
    pub steps: Vec<ArchivedStep>,
    /// File names of the case's PDFs, stored as `pdf/<uuid>/<name>`.
    pub pdfs: Vec<String>,
    /// The content version (`2026.1`) each PDF was printed from, by file name; a PDF whose version is
    /// unknown (filed before versions were recorded, or brought by an archive without one) is not
    /// listed. Absent from archives of schema 1.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub content_versions: BTreeMap<String, String>,
    /// The case's desk contacts (personal data: when the applicant came, for what, for how long), oldest
    /// first. Absent from archives of schema 1 and 2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub desk_contacts: Vec<ArchivedDeskContact>,
}

/// A desk contact of an archived case (`register::activity::RecordedContact`): everything the
/// exporting desk recorded but the person token, which the importing desk gives the case itself.
pub use crate::register::activity::RecordedContact as ArchivedDeskContact;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchivedStep {
    pub kind: String,
    pub date: String,
    pub recorded_at: String,
    pub operator: String,
    pub details: StepDetails,
    pub note: String,
    /// For a correction: the index (in this list) of the entry it voids.
    pub corrects: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Manifest {
    schema: u32,
    members: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ManifestEntry {
    name: String,
    size: u64,
    /// Lower-case hex.
    sha256: String,
}

fn archive_err(code: ArchiveCode) -> Error {
    Error::Archive(code)
}

/// A PDF name accepted in an archive and on a FAT32 stick (see `Pdf::name`).
pub(crate) fn safe_pdf_name(name: &str) -> bool {
    name.len() <= 100
        && name.len() > 4
        && name.ends_with(".pdf")
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl ArchiveCode {
    /// The values its message names (`%{name}`), when it names any: the cap an oversized file broke.
    pub fn params(self) -> Vec<(&'static str, String)> {
        match self {
            ArchiveCode::FileTooLarge => {
                let mb = MAX_ARCHIVE_FILE_BYTES.div_ceil(1_000_000);
                vec![("max", format!("{mb} MB"))]
            }
            _ => Vec::new(),
        }
    }
}
