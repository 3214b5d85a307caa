//! Case archives: one file that carries one case or a selection (a household) from one desk to another
//! on a USB stick. It owns the file format (a ZIP with `case.json`, the printed PDFs and `manifest.json`,
//! encrypted with an age passphrase unless the operator asks otherwise), writing that file safely to a
//! folder (temporary name, fsync, rename, fsync of the folder, read back and verified), and importing it
//! (everything verified before the database is touched, then one transaction).
//!
//! It must not trust an archive: every byte is checked against caps, the manifest and the validators
//! before a row is written, and no input may make it panic. It must not overwrite a local case silently:
//! a case that differs here is reported as a conflict and changes only on the caller's explicit choice.
//! It must not put personal data in file names or errors (names carry case numbers and dates only), and
//! it must not know how the data folder keeps its PDFs: the caller passes them in for an export
//! (`papers::folder::for_export`), and an import hands the archive's to `papers::folder`.
//!
//! Case numbers on import: an imported case keeps its number when no local case holds it, and the local
//! counter of that year moves past it so this desk never hands it out again; when the number is taken
//! here, the case gets the next number of the local counter for the import day's year (as a new case
//! would) and the report lists the change, so the operator can tell the applicant.

use crate::error::{ArchiveCode, FieldCode};
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::model::{CaseData, CaseView, Permit, StepDetails};
use crate::reference::Reference;
use crate::register::{cases, steps, validate, Register};

/// The `schema` written into `case.json` and `manifest.json`; an archive with another one is refused
/// (a newer app may add fields this one would silently drop).
pub const SCHEMA: u32 = 1;
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
/// The largest file FAT32 can hold (4 GiB − 1).
pub const FAT32_MAX_FILE: u64 = u32::MAX as u64;
/// The highest scrypt cost accepted when opening an archive (2^20: about 1 GiB of memory and a few
/// seconds). age's default cap (16× this machine's target) would let a crafted header tie up the desk.
pub const MAX_SCRYPT_LOG_N: u8 = 20;
/// The scrypt cost written when the caller does not choose one (2^18: a fraction of a second here).
/// Fixed, not age's calibration: on a fast desk the calibration picks more than `MAX_SCRYPT_LOG_N`,
/// and the file could then not be opened again, not even to verify it.
pub const DEFAULT_SCRYPT_LOG_N: u8 = 18;
/// The fewest characters (not bytes) a new archive's or backup's passphrase may have: scrypt slows a
/// guess down, it does not make a short passphrase safe on a lost stick. The UI promises the same.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

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
}

/// One case to export and its PDFs.
#[derive(Debug, Clone)]
pub struct ExportCase {
    pub id: i64,
    pub pdfs: Vec<Pdf>,
}

/// How the archive is protected.
#[derive(Debug, Clone)]
pub enum Protection {
    /// age with an scrypt passphrase recipient (the default the UI offers).
    Passphrase(String),
    /// A plain ZIP, only on the operator's explicit choice.
    None,
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

/// Refuses a passphrase shorter than `MIN_PASSPHRASE_CHARS` characters, on field `passphrase`.
pub(crate) fn check_passphrase_length(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::Invalid(vec![crate::error::FieldError::new(
            "passphrase",
            FieldCode::PassphraseShort,
        )]));
    }
    Ok(())
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
}

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

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
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

// ---------------------------------------------------------------------------------------------------
// Export

/// The archived form of a stored case (also what an import compares a local case with).
fn archived_of(register: &Register, view: &CaseView) -> Result<ArchivedCase> {
    let conn = register.store().conn();
    let index: HashMap<i64, usize> = view
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    let renewed_from = match &view.renewed_from {
        Some(r) => cases::uuid_of(conn, r.id)?,
        None => None,
    };
    Ok(ArchivedCase {
        uuid: view.uuid.clone(),
        number: view.number.clone(),
        revision: view.revision,
        created_at: view.created_at.clone(),
        updated_at: view.updated_at.clone(),
        status: view.status.clone(),
        renewed_from,
        issued_permit: view.issued_permit.clone(),
        data: view.data.clone(),
        steps: view
            .steps
            .iter()
            .map(|s| ArchivedStep {
                kind: s.kind.clone(),
                date: s.date.clone(),
                recorded_at: s.recorded_at.clone(),
                operator: s.operator.clone(),
                details: s.details.clone(),
                note: s.note.clone(),
                corrects: s.corrects.and_then(|id| index.get(&id).copied()),
            })
            .collect(),
        pdfs: Vec::new(),
    })
}

/// The file name of an archive: the first case's number (`/` → `-`), the count when several, the
/// day; nothing personal. Lower-case ASCII only, so FAT32 stores it as it is.
pub fn file_name(first_number: &str, count: usize, today: NaiveDate, encrypted: bool) -> String {
    let number: String = first_number
        .chars()
        .map(|c| if c.is_ascii_digit() { c } else { '-' })
        .collect();
    let extension = if encrypted { "mixite" } else { "zip" };
    let day = today.format("%Y%m%d");
    if count > 1 {
        format!("pratiche-{number}-e-altre-{}-{day}.{extension}", count - 1)
    } else {
        format!("pratica-{number}-{day}.{extension}")
    }
}

/// An archive's ZIP built from the register (`pack`), not yet sealed: everything that needs the
/// database is done. Sealing it (scrypt) and writing it to the stick (`Packed::seal`,
/// `Packed::export_to_folder`) need no register, so a caller that shares one among threads lets the
/// others use it meanwhile.
#[derive(Debug, Clone)]
pub struct Packed {
    zip: Vec<u8>,
    first_number: String,
    count: usize,
    today: NaiveDate,
    /// The tables the written file is verified against, as an import on this desk would use them.
    reference: Reference,
}

/// Builds the archive of `selection` in memory: checks the protection (see `ExportOptions::check`),
/// reads the cases, checks the PDFs against the caps an import applies (so this desk never writes a
/// file another desk refuses), zips and encrypts (`pack`, then `Packed::seal`).
pub fn build(
    register: &Register,
    selection: &[ExportCase],
    options: &ExportOptions,
    today: NaiveDate,
) -> Result<Built> {
    options.check()?;
    pack(register, selection, today)?.seal(options)
}

/// Reads the cases of `selection` and zips them with their PDFs (checked against the caps an import
/// applies), unencrypted and in memory: the part of an export that needs the register.
pub fn pack(register: &Register, selection: &[ExportCase], today: NaiveDate) -> Result<Packed> {
    if selection.is_empty() {
        return Err(archive_err(ArchiveCode::NothingToExport));
    }
    let mut seen = HashSet::new();
    let mut archived = Vec::with_capacity(selection.len());
    let mut members: Vec<(String, &[u8])> = Vec::new();
    for item in selection {
        if !seen.insert(item.id) {
            return Err(archive_err(ArchiveCode::DuplicateCase));
        }
        let view = register.get(item.id, today)?;
        let mut case = archived_of(register, &view)?;
        let mut names = HashSet::new();
        for pdf in &item.pdfs {
            if !safe_pdf_name(&pdf.name) {
                return Err(archive_err(ArchiveCode::InvalidPdfName));
            }
            // Case-insensitive, as on the stick and in the checks of an import.
            if !names.insert(pdf.name.to_ascii_lowercase()) {
                return Err(archive_err(ArchiveCode::DuplicateMember));
            }
            if pdf.bytes.len() as u64 > MAX_PDF_BYTES {
                return Err(archive_err(ArchiveCode::TooLarge));
            }
            case.pdfs.push(pdf.name.clone());
            members.push((format!("pdf/{}/{}", case.uuid, pdf.name), &pdf.bytes));
        }
        archived.push(case);
    }
    if members.len() + 2 > MAX_MEMBERS {
        return Err(archive_err(ArchiveCode::TooLarge));
    }
    let case_json = serde_json::to_vec_pretty(&CaseFile {
        schema: SCHEMA,
        cases: archived,
    })
    .map_err(|_| archive_err(ArchiveCode::InvalidJson))?;
    if case_json.len() as u64 > MAX_JSON_BYTES {
        return Err(archive_err(ArchiveCode::TooLarge));
    }
    members.insert(0, (CASE_JSON.to_string(), &case_json));
    let total: u64 = members.iter().map(|(_, b)| b.len() as u64).sum();
    if total > MAX_TOTAL_BYTES {
        return Err(archive_err(ArchiveCode::TooLarge));
    }
    let manifest = serde_json::to_vec_pretty(&Manifest {
        schema: SCHEMA,
        members: members
            .iter()
            .map(|(name, bytes)| ManifestEntry {
                name: name.clone(),
                size: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            })
            .collect(),
    })
    .map_err(|_| archive_err(ArchiveCode::InvalidJson))?;
    let zip = zip_members(&manifest, &members)?;
    let first_number = register.get(selection[0].id, today)?.number;
    Ok(Packed {
        zip,
        first_number,
        count: selection.len(),
        today,
        reference: register.reference().clone(),
    })
}

impl Packed {
    /// The archive as it goes to the stick: encrypted with the options' passphrase (after
    /// `ExportOptions::check`), or the plain ZIP on the operator's explicit choice.
    pub fn seal(self, options: &ExportOptions) -> Result<Built> {
        self.sealed(options).map(|(built, _)| built)
    }

    fn sealed(self, options: &ExportOptions) -> Result<(Built, Reference)> {
        options.check()?;
        let (bytes, encrypted) = match &options.protection {
            Protection::None => (self.zip, false),
            Protection::Passphrase(passphrase) => {
                (encrypt(&self.zip, passphrase, options.scrypt_log_n)?, true)
            }
        };
        let built = Built {
            file_name: file_name(&self.first_number, self.count, self.today, encrypted),
            bytes,
        };
        Ok((built, self.reference))
    }

    /// Seals the archive and writes it safely into `folder` (see `write_to_folder`); the file is read
    /// back and opened with the same passphrase before this returns `Ok`.
    pub fn export_to_folder(self, options: &ExportOptions, folder: &Path) -> Result<Exported> {
        let (built, reference) = self.sealed(options)?;
        let passphrase = match &options.protection {
            Protection::Passphrase(p) => Some(p.as_str()),
            Protection::None => None,
        };
        let path = write_to_folder(folder, &built.file_name, &built.bytes, |bytes| {
            open_bytes(bytes, passphrase, &reference).map(|_| ())
        })?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Exported {
            path,
            file_name,
            size: built.bytes.len() as u64,
        })
    }
}

fn zip_members(manifest: &[u8], members: &[(String, &[u8])]) -> Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod;
    let zip_failed = |_| archive_err(ArchiveCode::WriteFailed);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // JSON shrinks a lot; PDFs are already compressed inside, so they are stored as they are.
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    writer
        .start_file(MANIFEST_JSON, deflated)
        .map_err(zip_failed)?;
    writer.write_all(manifest)?;
    for (name, bytes) in members {
        let options = if name.ends_with(".json") {
            deflated
        } else {
            stored
        };
        writer
            .start_file(name.as_str(), options)
            .map_err(zip_failed)?;
        writer.write_all(bytes)?;
    }
    Ok(writer.finish().map_err(zip_failed)?.into_inner())
}

pub(crate) fn encrypt(plain: &[u8], passphrase: &str, log_n: Option<u8>) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(plain.len() + 4096);
    encrypt_to(plain, &mut out, passphrase, log_n)?;
    Ok(out)
}

/// Encrypts everything `plain` yields into `out` as an age file (scrypt at `log_n`, or the default),
/// streaming: memory stays the same whatever the size (a backup of a large register).
pub(crate) fn encrypt_to(
    mut plain: impl Read,
    out: impl Write,
    passphrase: &str,
    log_n: Option<u8>,
) -> Result<()> {
    if passphrase.is_empty() {
        return Err(archive_err(ArchiveCode::PassphraseRequired));
    }
    let mut recipient =
        age::scrypt::Recipient::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    let log_n = log_n.unwrap_or(DEFAULT_SCRYPT_LOG_N);
    if log_n == 0 || log_n > MAX_SCRYPT_LOG_N {
        return Err(archive_err(ArchiveCode::UnsupportedEncryption));
    }
    recipient.set_work_factor(log_n);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|_| archive_err(ArchiveCode::WriteFailed))?;
    let mut writer = encryptor.wrap_output(out)?;
    std::io::copy(&mut plain, &mut writer)?;
    writer.finish()?.flush()?;
    Ok(())
}

/// The bytes age adds to `plain` bytes: a header well under 1 KiB and 16 bytes per 64 KiB chunk.
pub(crate) const fn encrypted_size_bound(plain: u64) -> u64 {
    plain + (plain / 65_536 + 1) * 16 + 1024
}

/// Builds the archive and writes it safely into `folder` (`pack`, then `Packed::export_to_folder`);
/// the file is read back and opened with the same passphrase before this returns `Ok`.
pub fn export_to_folder(
    register: &Register,
    selection: &[ExportCase],
    options: &ExportOptions,
    folder: &Path,
    today: NaiveDate,
) -> Result<Exported> {
    options.check()?;
    pack(register, selection, today)?.export_to_folder(options, folder)
}

// ---------------------------------------------------------------------------------------------------
// Safe writing to a folder (the stick)

/// An I/O failure on the stick, as an error the operator can act on. The raw error (paths, errno) is
/// developers' detail and carries no personal data, but the codes are what the UI translates.
fn stick_error(e: std::io::Error) -> Error {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull => archive_err(ArchiveCode::StickFull),
        ErrorKind::FileTooLarge => archive_err(ArchiveCode::TooLargeForStick),
        ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied => {
            archive_err(ArchiveCode::StickReadOnly)
        }
        ErrorKind::NotFound | ErrorKind::NotADirectory => archive_err(ArchiveCode::StickRemoved),
        _ => match e.raw_os_error() {
            // EDQUOT: a quota counts as full.
            Some(122) => archive_err(ArchiveCode::StickFull),
            // EIO, ENXIO, ENODEV, ENOTCONN (FUSE gone), ESHUTDOWN: the device went away.
            Some(5 | 6 | 19 | 107 | 108) => archive_err(ArchiveCode::StickRemoved),
            _ => Error::Io(e),
        },
    }
}

/// Refuses a file FAT32 cannot hold, before a byte is written.
pub fn check_fat32_size(size: u64) -> Result<()> {
    if size > FAT32_MAX_FILE {
        return Err(archive_err(ArchiveCode::TooLargeForStick));
    }
    Ok(())
}

/// A name in `folder` that no entry holds in any letter case (FAT32 and exFAT compare names without
/// case, so `A.zip` and `a.zip` are the same file there): `name`, else `stem-2.ext` … `stem-99.ext`.
fn free_name(folder: &Path, name: &str) -> Result<String> {
    let mut taken = HashSet::new();
    for entry in std::fs::read_dir(folder).map_err(stick_error)? {
        let entry = entry.map_err(stick_error)?;
        taken.insert(entry.file_name().to_string_lossy().to_lowercase());
    }
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..100 {
        let candidate = if n == 1 {
            name.to_string()
        } else {
            format!("{stem}-{n}.{extension}")
        };
        if !taken.contains(&candidate.to_lowercase()) {
            return Ok(candidate);
        }
    }
    Err(archive_err(ArchiveCode::NoFreeName))
}

/// Writes `bytes` into `folder` under `name` (or the first free variant, see `free_name`) so that the
/// final name only ever holds a complete, verified file (see `write_with`): once on the device, the
/// file is read back, compared byte for byte and given to `verify` (decrypt, hashes).
pub fn write_to_folder(
    folder: &Path,
    name: &str,
    bytes: &[u8],
    verify: impl FnOnce(&[u8]) -> Result<()>,
) -> Result<PathBuf> {
    write_with(
        folder,
        name,
        bytes.len() as u64,
        |file| Ok(file.write_all(bytes)?),
        |path| {
            let read = std::fs::read(path).map_err(stick_error)?;
            if read != bytes {
                return Err(archive_err(ArchiveCode::VerifyFailed));
            }
            verify(&read).map_err(|_| archive_err(ArchiveCode::VerifyFailed))
        },
    )
}

/// Writes a file into `folder` under `name` (or the first free variant) with `write`, which may
/// stream: `size` (at most what `write` will write) is checked against FAT32's limit first.
///
/// 1. write to a temporary name in the same folder and `sync_all` it (the data is on the device);
/// 2. rename it to the final name and sync the folder (the name is on the device);
/// 3. run `verify` on the final path (read it back: compare, decrypt, hashes).
///
/// On any failure (stick full, read-only, pulled out, verification failed) the temporary file and
/// any file under the final name are removed when the device still allows it, and the error says
/// what happened. Returns the final path.
pub fn write_with(
    folder: &Path,
    name: &str,
    size: u64,
    write: impl FnOnce(&mut File) -> Result<()>,
    verify: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    check_fat32_size(size)?;
    if !std::fs::metadata(folder).map_err(stick_error)?.is_dir() {
        return Err(archive_err(ArchiveCode::StickRemoved));
    }
    let final_name = free_name(folder, name)?;
    let temp = folder.join(format!("mixite-{:016x}.tmp", rand::random::<u64>()));
    let target = folder.join(&final_name);

    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(stick_error)?;
    let written = write(&mut file).and_then(|()| Ok(file.sync_all()?));
    if written.is_err() {
        // Give the clusters back now: a FUSE driver frees a deleted file only once it has processed
        // the release, which arrives after `close` returns.
        let _ = file.set_len(0);
    }
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(match e {
            // The folder took a new file a moment ago, so it is not read-only: a permission error in
            // the middle of writing is how FUSE FAT drivers (fusefat) report a volume with no free
            // cluster.
            Error::Io(io) if io.raw_os_error() == Some(1) => archive_err(ArchiveCode::StickFull),
            Error::Io(io) => stick_error(io),
            other => other,
        });
    }
    // Checked again just before the rename, which would replace a file that appeared meanwhile.
    if target.exists() {
        let _ = std::fs::remove_file(&temp);
        return Err(archive_err(ArchiveCode::NoFreeName));
    }
    if let Err(e) = std::fs::rename(&temp, &target) {
        let _ = std::fs::remove_file(&temp);
        return Err(stick_error(e));
    }
    let checked = sync_folder(folder)
        .map_err(stick_error)
        .and_then(|()| verify(&target));
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&target);
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok(target)
}

/// Makes the rename durable: on Unix the directory entry is only on the device once the folder itself
/// is synced. File systems that cannot sync a directory (they answer EINVAL or "unsupported") write
/// their directory entries synchronously or not at all; the read-back that follows still checks the
/// file is there.
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        match File::open(folder)?.sync_all() {
            Err(e)
                if e.kind() == std::io::ErrorKind::Unsupported || e.raw_os_error() == Some(22) =>
            {
                Ok(())
            }
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------------
// Reading and verifying (no database)

/// A verified archive: every member present, listed, within the caps and matching its hash; the
/// JSON of the right schema; every case's data and history valid. Nothing in the database yet.
#[derive(Debug, Clone)]
pub struct Archive {
    cases: Vec<ArchivedCase>,
    pdfs: Vec<ArchivedPdf>,
}

/// A PDF carried by an archive, for the caller to store in the data folder's `print/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedPdf {
    pub case_uuid: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Archive {
    pub fn cases(&self) -> &[ArchivedCase] {
        &self.cases
    }

    pub fn pdfs(&self) -> &[ArchivedPdf] {
        &self.pdfs
    }
}

/// Reads and verifies an archive file (see `open_bytes`). A file larger than any archive can be
/// (`MAX_ARCHIVE_FILE_BYTES`) is refused as `too_large` by its size, unread; one that grows while it is
/// read is cut at that size and refused too.
pub fn open_file(path: &Path, passphrase: Option<&str>, reference: &Reference) -> Result<Archive> {
    let file = File::open(path).map_err(stick_error)?;
    let len = file.metadata().map_err(stick_error)?.len();
    if len > MAX_ARCHIVE_FILE_BYTES {
        return Err(archive_err(ArchiveCode::TooLarge));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_ARCHIVE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(stick_error)?;
    if bytes.len() as u64 > MAX_ARCHIVE_FILE_BYTES {
        return Err(archive_err(ArchiveCode::TooLarge));
    }
    open_bytes(&bytes, passphrase, reference)
}

/// Decrypts (when it is an age file) and verifies an archive held in memory. Every failure is an
/// `Error::Archive` with a code; a panic in a parser on hostile bytes is caught and reported as
/// `corrupt` (the libraries are fuzzed, but this desk must never go down on a file from a stick).
pub fn open_bytes(
    bytes: &[u8],
    passphrase: Option<&str>,
    reference: &Reference,
) -> Result<Archive> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let zip = if bytes.starts_with(AGE_MAGIC) {
            let passphrase = passphrase
                .filter(|p| !p.is_empty())
                .ok_or(archive_err(ArchiveCode::PassphraseRequired))?;
            // The ZIP inside can be no larger than its members plus their headers.
            std::borrow::Cow::Owned(decrypt(bytes, passphrase, MAX_ZIP_BYTES)?)
        } else if bytes.starts_with(ZIP_MAGIC) {
            std::borrow::Cow::Borrowed(bytes)
        } else {
            return Err(archive_err(ArchiveCode::NotAnArchive));
        };
        read_zip(&zip, reference)
    }))
    .unwrap_or(Err(archive_err(ArchiveCode::Corrupt)))
}

/// Decrypts an age file with a passphrase, reading at most `cap` bytes of plain text (`too_large`
/// beyond). Used for archives and for backups.
pub(crate) fn decrypt(bytes: &[u8], passphrase: &str, cap: u64) -> Result<Vec<u8>> {
    let mut reader = decrypt_reader(bytes, passphrase)?;
    let mut plain = Vec::new();
    (&mut reader)
        .take(cap + 1)
        .read_to_end(&mut plain)
        .map_err(|_| archive_err(ArchiveCode::Corrupt))?;
    if plain.len() as u64 > cap {
        return Err(archive_err(ArchiveCode::TooLarge));
    }
    Ok(plain)
}

/// The plain text of an age file with a passphrase (scrypt only, at most `MAX_SCRYPT_LOG_N`), as a
/// stream: each chunk is authenticated as it is read, and a read error means a damaged file.
pub(crate) fn decrypt_reader<R: std::io::BufRead>(
    input: R,
    passphrase: &str,
) -> Result<age::stream::StreamReader<R>> {
    use age::DecryptError as D;
    let decryptor =
        age::Decryptor::new_buffered(input).map_err(|_| archive_err(ArchiveCode::Corrupt))?;
    if !decryptor.is_scrypt() {
        return Err(archive_err(ArchiveCode::UnsupportedEncryption));
    }
    let mut identity =
        age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(MAX_SCRYPT_LOG_N);
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            // A flipped bit in the wrapped key looks the same as a wrong passphrase; the message
            // says both.
            D::DecryptionFailed | D::KeyDecryptionFailed | D::NoMatchingKeys => {
                archive_err(ArchiveCode::WrongPassphrase)
            }
            D::ExcessiveWork { .. } => archive_err(ArchiveCode::UnsupportedEncryption),
            _ => archive_err(ArchiveCode::Corrupt),
        })
}

/// What a member name may be: `case.json`, `manifest.json` or `pdf/<uuid>/<safe name>.pdf`.
enum MemberName {
    CaseJson,
    Manifest,
    Pdf,
}

fn member_name(raw: &[u8]) -> Result<MemberName> {
    let name = std::str::from_utf8(raw).map_err(|_| archive_err(ArchiveCode::UnsafeMember))?;
    // Anything that could climb out of a folder or name a drive is hostile, whatever else it is.
    if name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name.contains(':')
        || name.contains('\0')
        || name.split('/').any(|part| part == ".." || part == ".")
    {
        return Err(archive_err(ArchiveCode::UnsafeMember));
    }
    match name {
        CASE_JSON => return Ok(MemberName::CaseJson),
        MANIFEST_JSON => return Ok(MemberName::Manifest),
        _ => {}
    }
    let mut parts = name.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("pdf"), Some(uuid), Some(file), None)
            if canonical_uuid(uuid) && safe_pdf_name(file) =>
        {
            Ok(MemberName::Pdf)
        }
        _ => Err(archive_err(ArchiveCode::UnexpectedMember)),
    }
}

/// A UUID in its lower-case hyphenated form (the one this app stores and names members with).
pub(crate) fn canonical_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

fn read_zip(bytes: &[u8], reference: &Reference) -> Result<Archive> {
    let corrupt = |_| archive_err(ArchiveCode::Corrupt);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if zip.len() > MAX_MEMBERS {
        return Err(archive_err(ArchiveCode::TooLarge));
    }
    if zip.has_duplicate_names() {
        return Err(archive_err(ArchiveCode::DuplicateMember));
    }
    // Names first, for every member, before any is decompressed.
    let mut names = Vec::with_capacity(zip.len());
    let mut folded = HashSet::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(corrupt)?;
        let text = String::from_utf8(entry.name_raw().to_vec())
            .map_err(|_| archive_err(ArchiveCode::UnsafeMember))?;
        // Two members differing only in case would be one file on the stick or on Windows.
        if !folded.insert(text.to_lowercase()) {
            return Err(archive_err(ArchiveCode::DuplicateMember));
        }
        let parsed = member_name(text.as_bytes())?;
        names.push((text, parsed));
    }
    // Overlapping members are how the smallest zip bombs reuse one compressed stream many times.
    if zip.has_overlapping_files().map_err(corrupt)? {
        return Err(archive_err(ArchiveCode::Corrupt));
    }
    let mut contents: HashMap<String, Vec<u8>> = HashMap::new();
    let mut total = 0u64;
    for (i, (name, parsed)) in names.iter().enumerate() {
        let cap = match parsed {
            MemberName::Pdf => MAX_PDF_BYTES,
            _ => MAX_JSON_BYTES,
        };
        let mut member = zip.by_index(i).map_err(corrupt)?;
        if member.is_dir() || member.size() > cap {
            return Err(archive_err(ArchiveCode::TooLarge));
        }
        let mut data = Vec::new();
        // The declared size is not trusted: at most `cap + 1` bytes are inflated.
        (&mut member)
            .take(cap + 1)
            .read_to_end(&mut data)
            .map_err(|_| archive_err(ArchiveCode::Corrupt))?;
        if data.len() as u64 > cap {
            return Err(archive_err(ArchiveCode::TooLarge));
        }
        total += data.len() as u64;
        if total > MAX_TOTAL_BYTES {
            return Err(archive_err(ArchiveCode::TooLarge));
        }
        contents.insert(name.clone(), data);
    }

    let manifest_bytes = contents
        .remove(MANIFEST_JSON)
        .ok_or(archive_err(ArchiveCode::MissingMember))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|_| archive_err(ArchiveCode::InvalidJson))?;
    if manifest.schema != SCHEMA {
        return Err(archive_err(ArchiveCode::UnsupportedSchema));
    }
    let mut listed = HashSet::new();
    for entry in &manifest.members {
        if !listed.insert(entry.name.as_str()) {
            return Err(archive_err(ArchiveCode::DuplicateMember));
        }
        let data = contents
            .get(&entry.name)
            .ok_or(archive_err(ArchiveCode::MissingMember))?;
        if data.len() as u64 != entry.size || sha256_hex(data) != entry.sha256 {
            return Err(archive_err(ArchiveCode::ChecksumMismatch));
        }
    }
    if contents.keys().any(|name| !listed.contains(name.as_str())) {
        return Err(archive_err(ArchiveCode::UnlistedMember));
    }

    let case_bytes = contents
        .remove(CASE_JSON)
        .ok_or(archive_err(ArchiveCode::MissingMember))?;
    let value: serde_json::Value =
        serde_json::from_slice(&case_bytes).map_err(|_| archive_err(ArchiveCode::InvalidJson))?;
    if value.get("schema").and_then(|s| s.as_u64()) != Some(u64::from(SCHEMA)) {
        return Err(archive_err(ArchiveCode::UnsupportedSchema));
    }
    let file: CaseFile =
        serde_json::from_value(value).map_err(|_| archive_err(ArchiveCode::InvalidJson))?;
    if file.cases.is_empty() {
        return Err(archive_err(ArchiveCode::InvalidCaseData));
    }
    let mut uuids = HashSet::new();
    let mut cases = Vec::with_capacity(file.cases.len());
    let mut pdfs = Vec::new();
    for mut case in file.cases {
        check_case(&mut case, reference)?;
        if !uuids.insert(case.uuid.clone()) {
            return Err(archive_err(ArchiveCode::InvalidCaseData));
        }
        let mut own = HashSet::new();
        for name in &case.pdfs {
            if !safe_pdf_name(name) || !own.insert(name.to_ascii_lowercase()) {
                return Err(archive_err(ArchiveCode::InvalidCaseData));
            }
            let member = format!("pdf/{}/{}", case.uuid, name);
            let bytes = contents
                .remove(&member)
                .ok_or(archive_err(ArchiveCode::MissingMember))?;
            pdfs.push(ArchivedPdf {
                case_uuid: case.uuid.clone(),
                name: name.clone(),
                bytes,
            });
        }
        cases.push(case);
    }
    // A PDF of no case in `case.json`.
    if !contents.is_empty() {
        return Err(archive_err(ArchiveCode::UnexpectedMember));
    }
    Ok(Archive { cases, pdfs })
}

fn rfc3339_day(s: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.date_naive())
}

/// `YYYY/NNNNNN` → (year, seq).
fn parse_number(number: &str) -> Option<(i64, i64)> {
    let (year, seq) = number.split_once('/')?;
    if year.len() != 4
        || seq.len() != 6
        || !(year.bytes().chain(seq.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (year, seq) = (year.parse().ok()?, seq.parse().ok()?);
    (seq >= 1).then_some((year, seq))
}

/// Checks one archived case as the local code paths would have when it was entered: identity
/// fields well formed, data through `validate::case`, every step through `validate::step` and
/// allowed after the one before it (`steps::next_steps`), corrections only of the latest effective
/// entry, status and issued permit as the history gives them. Normalises data and steps in place.
fn check_case(case: &mut ArchivedCase, reference: &Reference) -> Result<()> {
    let bad = || archive_err(ArchiveCode::InvalidCaseData);
    if !canonical_uuid(&case.uuid)
        || parse_number(&case.number).is_none()
        || !(1..=1_000_000_000).contains(&case.revision)
        || case.steps.is_empty()
        || case.steps.len() > MAX_STEPS
        || case.pdfs.len() > MAX_MEMBERS
    {
        return Err(bad());
    }
    if let Some(from) = &case.renewed_from {
        if !canonical_uuid(from) || *from == case.uuid {
            return Err(bad());
        }
    }
    let created = rfc3339_day(&case.created_at).ok_or_else(bad)?;
    let updated = rfc3339_day(&case.updated_at).ok_or_else(bad)?;
    // The data was valid on the day it was last written, which lies between these two days; a motivo
    // retired since is still the one the case was filed under.
    case.data = validate::case(&case.data, reference, updated)
        .or_else(|_| validate::case(&case.data, reference, created))
        .map_err(|_| bad())?;

    // Effective entries so far (indexes), and which entries a correction voided.
    let mut effective: Vec<usize> = Vec::new();
    let mut voided = vec![false; case.steps.len()];
    for i in 0..case.steps.len() {
        let step = &case.steps[i];
        let day = rfc3339_day(&step.recorded_at).ok_or_else(bad)?;
        // Earlier versions opened a case with an empty operator when no name was set (today
        // `Register::create` refuses it); any other name must be one the validators accept.
        if !step.operator.is_empty() {
            let operator = validate::operator(&step.operator, reference, day).map_err(|_| bad())?;
            if operator != step.operator {
                return Err(bad());
            }
        }
        if step.kind == steps::CORRECTION {
            let target = step.corrects.ok_or_else(bad)?;
            // Only the latest effective entry may be voided, and never the intake.
            if effective.last() != Some(&target) || effective.len() < 2 || voided[target] {
                return Err(bad());
            }
            let reason =
                validate::correction_reason(&step.note, reference, day).map_err(|_| bad())?;
            if reason != step.note || step.details != StepDetails::default() {
                return Err(bad());
            }
            voided[target] = true;
            effective.pop();
            continue;
        }
        if step.corrects.is_some() {
            return Err(bad());
        }
        if i == 0 {
            let intake_date =
                NaiveDate::parse_from_str(&step.date, "%Y-%m-%d").map_err(|_| bad())?;
            if step.kind != "intake"
                || step.details != StepDetails::default()
                || !step.note.is_empty()
                || intake_date > day
            {
                return Err(bad());
            }
            effective.push(0);
            continue;
        }
        let last = *effective.last().ok_or_else(bad)?;
        let last_step = &case.steps[last];
        if !steps::next_steps(&last_step.kind).contains(&step.kind.as_str())
            || step.date < last_step.date
        {
            return Err(bad());
        }
        let input = crate::model::StepInput {
            kind: step.kind.clone(),
            date: step.date.clone(),
            details: step.details.clone(),
            note: step.note.clone(),
        };
        let checked = validate::step(&input, reference, day).map_err(|_| bad())?;
        let step = &mut case.steps[i];
        step.date = checked.date;
        step.details = checked.details;
        step.note = checked.note;
        effective.push(i);
    }
    let latest = &case.steps[*effective.last().ok_or_else(bad)?];
    if case.status != latest.kind {
        return Err(bad());
    }
    let issued = if latest.kind == "collected" && !latest.details.issued_permit.is_empty() {
        Some(latest.details.issued_permit.clone())
    } else {
        None
    };
    if case.issued_permit != issued {
        return Err(bad());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Import

/// What to do with a case that exists here (same UUID) and differs from the archive's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportChoice {
    /// Leave the local case as it is.
    KeepLocal,
    /// Take the archive's data; its history entries missing here are appended (the local history is
    /// append-only and stays), status follows the merged history.
    TakeArchive,
}

/// One case that exists here and differs from the archive's copy: both versions side by side, and
/// the parts that differ, so the operator can choose knowing what each choice keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportConflict {
    pub uuid: String,
    pub local: ConflictSide,
    pub archive: ConflictSide,
    /// Which parts differ: `applicant`, `household`, `current_permit`, `request`, `notes`, `history`,
    /// `status` (UI labels `ui.usb.part.<name>`).
    pub differences: Vec<&'static str>,
}

/// One version of a conflicting case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictSide {
    pub number: String,
    pub revision: i64,
    pub updated_at: String,
    pub status: String,
    /// Surname and given names, as the operator knows the applicant.
    pub name: String,
    /// Entries in the history.
    pub steps: usize,
}

impl ConflictSide {
    fn of(case: &ArchivedCase) -> ConflictSide {
        let applicant = &case.data.applicant;
        ConflictSide {
            number: case.number.clone(),
            revision: case.revision,
            updated_at: case.updated_at.clone(),
            status: case.status.clone(),
            name: format!("{} {}", applicant.surname, applicant.given_names)
                .trim()
                .to_string(),
            steps: case.steps.len(),
        }
    }
}

fn differences(local: &ArchivedCase, archived: &ArchivedCase) -> Vec<&'static str> {
    let (a, b) = (&local.data, &archived.data);
    [
        ("applicant", a.applicant != b.applicant),
        ("household", a.household != b.household),
        ("current_permit", a.current_permit != b.current_permit),
        ("request", a.request != b.request),
        ("notes", a.notes != b.notes),
        ("history", local.steps != archived.steps),
        (
            "status",
            local.status != archived.status || local.issued_permit != archived.issued_permit,
        ),
    ]
    .into_iter()
    .filter_map(|(part, differs)| differs.then_some(part))
    .collect()
}

/// A case created by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedCase {
    pub uuid: String,
    pub id: i64,
    /// The number it has here.
    pub number: String,
    /// The number it had in the archive (differs when that number was taken here).
    pub archive_number: String,
}

/// The outcome of `import`. When `conflicts` is not empty, nothing was written: the caller asks the
/// operator and calls `import` again with a choice for each listed UUID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub applied: bool,
    pub inserted: Vec<ImportedCase>,
    /// UUIDs identical here and in the archive.
    pub unchanged: Vec<String>,
    /// UUIDs replaced by the archive's copy (`TakeArchive`).
    pub replaced: Vec<String>,
    /// UUIDs left as they are here (`KeepLocal`).
    pub kept_local: Vec<String>,
    /// Papers the archive brought that the cases here did not have (filed in the print folder).
    pub papers: usize,
    pub conflicts: Vec<ImportConflict>,
}

enum Plan<'a> {
    Insert(&'a ArchivedCase),
    Replace(i64, Box<ArchivedCase>, &'a ArchivedCase),
}

/// Whether the local copy is the archive's copy: same revision, data and history. The number may
/// differ (renumbered on an earlier import) and so may `updated_at` (the clock of the other desk).
fn same_case(local: &ArchivedCase, archived: &ArchivedCase) -> bool {
    local.revision == archived.revision
        && local.created_at == archived.created_at
        && local.status == archived.status
        && local.renewed_from == archived.renewed_from
        && local.issued_permit == archived.issued_permit
        && local.data == archived.data
        && local.steps == archived.steps
}

/// Imports a verified archive into the register in one transaction. Cases new here are inserted
/// with their UUID, history and (when free) number; cases identical here are left alone (importing a
/// file twice changes nothing); a case that differs here is a conflict unless `choices` says what to
/// do with its UUID. Any conflict without a choice: nothing is written and the report lists them all.
pub fn import(
    register: &mut Register,
    archive: &Archive,
    choices: &HashMap<String, ImportChoice>,
    at: &Clock,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut plans = Vec::new();
    for archived in &archive.cases {
        let local_id = cases::by_uuid(register.store().conn(), &archived.uuid)?;
        let Some(local_id) = local_id else {
            plans.push(Plan::Insert(archived));
            continue;
        };
        let view = register.get(local_id, at.today)?;
        let local = archived_of(register, &view)?;
        if same_case(&local, archived) {
            report.unchanged.push(archived.uuid.clone());
            continue;
        }
        match choices.get(&archived.uuid) {
            None => report.conflicts.push(ImportConflict {
                uuid: archived.uuid.clone(),
                local: ConflictSide::of(&local),
                archive: ConflictSide::of(archived),
                differences: differences(&local, archived),
            }),
            Some(ImportChoice::KeepLocal) => report.kept_local.push(archived.uuid.clone()),
            Some(ImportChoice::TakeArchive) => {
                plans.push(Plan::Replace(local_id, Box::new(local), archived))
            }
        }
    }
    if !report.conflicts.is_empty() {
        return Ok(report);
    }
    // The papers go into the print folder first, so the transaction can record them with the cases;
    // if it does not commit, the files go again.
    let incoming = crate::papers::folder::write_incoming(register, &archive.pdfs)?;
    let written = register.store_mut().write(|tx| {
        let plans = write_plans(tx, &plans, at)?;
        incoming.record(tx, at)?;
        Ok(plans)
    });
    let (inserted, replaced) = written.inspect_err(|_| incoming.discard())?;
    report.inserted = inserted;
    report.replaced = replaced;
    report.papers = incoming.count();
    report.applied = true;
    Ok(report)
}

fn write_plans(
    tx: &rusqlite::Transaction,
    plans: &[Plan],
    at: &Clock,
) -> Result<(Vec<ImportedCase>, Vec<String>)> {
    let mut inserted = Vec::new();
    let mut replaced = Vec::new();
    let mut links = Vec::new();
    for plan in plans {
        match plan {
            Plan::Insert(case) => {
                let (year, seq) =
                    parse_number(&case.number).ok_or(archive_err(ArchiveCode::InvalidCaseData))?;
                let (year, seq) = if cases::number_taken(tx, year, seq)? {
                    let year = i64::from(at.today.year());
                    (year, cases::next_number(tx, year)?)
                } else {
                    (year, seq)
                };
                let id = cases::insert_imported(
                    tx,
                    &cases::ImportedRow {
                        uuid: &case.uuid,
                        year,
                        seq,
                        created_at: &case.created_at,
                        updated_at: &case.updated_at,
                        renewed_from: None,
                        data: &case.data,
                    },
                )?;
                let mut ids: Vec<i64> = Vec::with_capacity(case.steps.len());
                for step in &case.steps {
                    let corrects = step.corrects.and_then(|j| ids.get(j).copied());
                    ids.push(steps::append_recorded(tx, id, &recorded(step, corrects))?);
                }
                steps::settle_imported(tx, id, case.revision, &case.updated_at)?;
                if let Some(from) = &case.renewed_from {
                    links.push((id, from.clone()));
                }
                inserted.push(ImportedCase {
                    uuid: case.uuid.clone(),
                    id,
                    number: format!("{year}/{seq:06}"),
                    archive_number: case.number.clone(),
                });
            }
            Plan::Replace(id, local, case) => {
                replace(tx, *id, local, case, at)?;
                replaced.push(case.uuid.clone());
            }
        }
    }
    // Links last: the renewed case may come later in the same archive. A target that is in neither
    // place stays unlinked (the case still says what it renews in its own data).
    for (id, from) in links {
        if let Some(target) = cases::by_uuid(tx, &from)? {
            cases::set_renewed_from(tx, id, target)?;
        }
    }
    Ok((inserted, replaced))
}

fn recorded(step: &ArchivedStep, corrects: Option<i64>) -> steps::RecordedStep<'_> {
    steps::RecordedStep {
        kind: &step.kind,
        date: &step.date,
        recorded_at: &step.recorded_at,
        operator: &step.operator,
        details: &step.details,
        note: &step.note,
        corrects,
    }
}

/// `TakeArchive`: the archive's data replaces the local data; archive entries not in the local
/// history are appended (an entry is the same when kind, dates, operator, details and note are), with
/// corrections pointed at the local entries they void. A correction whose target is already voided
/// here is skipped: the schema allows one correction per entry. Revision: the archive's when it is
/// ahead, else one past the local, so a form open on the old local revision gets a conflict.
fn replace(
    tx: &rusqlite::Transaction,
    id: i64,
    local: &ArchivedCase,
    case: &ArchivedCase,
    at: &Clock,
) -> Result<()> {
    cases::update(tx, id, &case.data, at)?;
    let view = cases::view(tx, id, at.today)?;
    let key = |s: &ArchivedStep| {
        (
            s.kind.clone(),
            s.date.clone(),
            s.recorded_at.clone(),
            s.operator.clone(),
            s.details.clone(),
            s.note.clone(),
        )
    };
    // Local entries still free to be matched, by key, with their ids and whether a correction voids
    // them.
    let mut free: Vec<(usize, i64)> = view
        .steps
        .iter()
        .take(local.steps.len())
        .enumerate()
        .map(|(i, s)| (i, s.id))
        .collect();
    let mut voided: HashSet<i64> = view.steps.iter().filter_map(|s| s.corrects).collect();
    let mut ids: Vec<Option<i64>> = Vec::with_capacity(case.steps.len());
    for step in &case.steps {
        let k = key(step);
        if let Some(pos) = free.iter().position(|(i, _)| key(&local.steps[*i]) == k) {
            ids.push(Some(free.remove(pos).1));
            continue;
        }
        let corrects = match step.corrects {
            Some(j) => match ids.get(j).copied().flatten() {
                Some(target) if !voided.contains(&target) => Some(target),
                _ => {
                    ids.push(None);
                    continue;
                }
            },
            None => None,
        };
        let new_id = steps::append_recorded(tx, id, &recorded(step, corrects))?;
        if let Some(target) = corrects {
            voided.insert(target);
        }
        ids.push(Some(new_id));
    }
    let local_only = !free.is_empty();
    let (revision, updated_at) = if case.revision > local.revision && !local_only {
        (case.revision, case.updated_at.clone())
    } else {
        (local.revision.max(case.revision) + 1, at.recorded_at())
    };
    steps::settle_imported(tx, id, revision, &updated_at)
}
