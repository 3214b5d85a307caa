//! The data folder's print folder and the record of what is in it. A paper of a case is the file
//! `print/<case uuid>/<name>` together with its row in `papers` (name, kind, size, SHA-256, when, who);
//! the row is what makes the file the case's. This module owns writing a paper (temporary name, sync,
//! rename, then the record in one transaction), the files that came with an imported case, the papers of
//! a case for an export, and turning a name the UI sends back into a path.
//!
//! It must never find a case's papers by a number in a file name (numbers change on import, UUIDs do not),
//! accept a path from outside (only `<uuid>/<name>` of a recorded paper, checked against the folder), or
//! put personal data in a name. Files in `print/` that no record names (the flat
//! `<kind>-<number>-<date>.pdf` files of earlier versions, a file orphaned by a crash before its record)
//! are left alone and never attached to a case.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use crate::clock::Clock;
use crate::error::{ArchiveCode, Error, Missing, Result};
use crate::exchange::archive::{self, Archive, ArchivedPdf, ImportChoice, ImportReport, Pdf};
use crate::model::CaseView;
use crate::register::Register;

/// The print folder inside a data folder.
pub const PRINT_DIR: &str = "print";

/// A paper just filed, for the shell: the name to open it by and the name the save dialog proposes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filed {
    /// The paper inside the print folder, `<case uuid>/<name>`: what `path_of` takes back.
    pub file: String,
    /// The name the save dialog proposes: the file's name with the case's number here
    /// (`ricevuta-ar-2026-000012-20261204.pdf`), so a saved copy says whose case it is without a name.
    pub suggested_name: String,
    /// Where it is on disk (for the print service; not sent to the UI).
    #[serde(skip)]
    pub path: PathBuf,
}

/// A recorded paper of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaperFile {
    /// `<case uuid>/<name>`.
    pub file: String,
    pub name: String,
    pub kind: String,
    pub bytes: u64,
    pub filed_at: String,
}

/// The print folder of the register's data folder. An in-memory register (tests, benchmarks) has none.
fn root(register: &Register) -> Result<PathBuf> {
    register
        .store()
        .dir()
        .map(|d| d.join(PRINT_DIR))
        .ok_or(Error::NotFound(Missing::PrintFolder))
}

/// Creates a folder readable by this user only: printed papers carry names, documents and addresses.
fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    Ok(())
}

/// Writes `bytes` as `dir/name`, whole or not at all: a temporary name in the same folder, synced, then
/// renamed over any earlier file of that name, and the folder synced so the name is on disk.
fn write_whole(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    create_private_dir(dir)?;
    let temp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let target = dir.join(name);
    let written = (|| -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)?;
        #[cfg(unix)]
        File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e.into());
    }
    Ok(target)
}

/// A file's size and SHA-256 (lower-case hex), as its record keeps them.
struct Digest {
    bytes: u64,
    sha256: String,
}

impl Digest {
    fn of(bytes: &[u8]) -> Digest {
        Digest {
            bytes: bytes.len() as u64,
            sha256: archive::sha256_hex(bytes),
        }
    }
}

fn record(
    tx: &Transaction,
    case_uuid: &str,
    name: &str,
    kind: &str,
    digest: &Digest,
    operator: &str,
    at: &Clock,
) -> Result<()> {
    tx.execute(
        "INSERT INTO papers (case_uuid, name, kind, bytes, sha256, filed_at, operator)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (case_uuid, name) DO UPDATE SET
             kind = excluded.kind, bytes = excluded.bytes, sha256 = excluded.sha256,
             filed_at = excluded.filed_at, operator = excluded.operator",
        params![
            case_uuid,
            name,
            kind,
            digest.bytes as i64,
            digest.sha256,
            at.recorded_at(),
            operator
        ],
    )?;
    Ok(())
}

/// Files a rendered paper of `case` as `name` (see `papers::file`).
pub(crate) fn put(
    register: &mut Register,
    case: &CaseView,
    name: &str,
    kind: &str,
    pdf: &[u8],
    operator: &str,
    at: &Clock,
) -> Result<Filed> {
    if !archive::safe_pdf_name(name) || !archive::canonical_uuid(&case.uuid) {
        return Err(Error::Print("paper file name".into()));
    }
    let root = root(register)?;
    create_private_dir(&root)?;
    let path = write_whole(&root.join(&case.uuid), name, pdf)?;
    register
        .store_mut()
        .write(|tx| record(tx, &case.uuid, name, kind, &Digest::of(pdf), operator, at))?;
    let (stem, _) = name.rsplit_once('-').unwrap_or((name, ""));
    Ok(Filed {
        file: format!("{}/{name}", case.uuid),
        suggested_name: format!(
            "{stem}-{}-{}.pdf",
            case.number.replace('/', "-"),
            at.today.format("%Y%m%d")
        ),
        path,
    })
}

/// The recorded papers of a case in the order they were first filed, with their paths; a recorded file that is no longer
/// on disk (removed by hand, or a register restored from a backup, which carries no PDFs) is left out.
fn of_uuid(conn: &Connection, root: &Path, uuid: &str) -> Result<Vec<(PaperFile, PathBuf)>> {
    let mut stmt = conn.prepare(
        "SELECT name, kind, bytes, filed_at FROM papers WHERE case_uuid = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([uuid], |r| {
        Ok(PaperFile {
            file: String::new(),
            name: r.get(0)?,
            kind: r.get(1)?,
            bytes: r.get::<_, i64>(2)? as u64,
            filed_at: r.get(3)?,
        })
    })?;
    let mut found = Vec::new();
    for row in rows {
        let mut paper = row?;
        let path = root.join(uuid).join(&paper.name);
        if path.is_file() {
            paper.file = format!("{uuid}/{}", paper.name);
            found.push((paper, path));
        }
    }
    Ok(found)
}

/// The recorded papers of case `case_id` that are on disk, with their paths (none without a folder).
fn of_case_id(register: &Register, case_id: i64) -> Result<Vec<(PaperFile, PathBuf)>> {
    let conn = register.store().conn();
    let uuid =
        crate::register::cases::uuid_of(conn, case_id)?.ok_or(Error::NotFound(Missing::Case))?;
    match root(register) {
        Ok(root) => of_uuid(conn, &root, &uuid),
        Err(_) => Ok(Vec::new()),
    }
}

/// The papers recorded for case `case_id`.
pub fn of_case(register: &Register, case_id: i64) -> Result<Vec<PaperFile>> {
    Ok(of_case_id(register, case_id)?
        .into_iter()
        .map(|(paper, _)| paper)
        .collect())
}

/// The papers of case `case_id` as an export carries them: exactly the files recorded against its UUID.
pub fn for_export(register: &Register, case_id: i64) -> Result<Vec<Pdf>> {
    of_case_id(register, case_id)?
        .into_iter()
        .map(|(paper, path)| {
            Ok(Pdf {
                name: paper.name,
                bytes: std::fs::read(path)?,
            })
        })
        .collect()
}

/// The path of a recorded paper from the name the UI got with it (`<case uuid>/<name>`). Anything else
/// (a path, `..`, a name no record holds, a symbolic link, a file outside the folder) is `not_found`:
/// the viewer only ever opens a paper this desk filed.
pub fn path_of(register: &Register, file: &str) -> Result<PathBuf> {
    let unknown = Error::NotFound(Missing::Paper);
    let Some((uuid, name)) = file.split_once('/') else {
        return Err(unknown);
    };
    if !archive::canonical_uuid(uuid) || !archive::safe_pdf_name(name) {
        return Err(unknown);
    }
    let recorded: Option<i64> = register
        .store()
        .conn()
        .query_row(
            "SELECT id FROM papers WHERE case_uuid = ?1 AND name = ?2",
            [uuid, name],
            |r| r.get(0),
        )
        .optional()?;
    if recorded.is_none() {
        return Err(unknown);
    }
    let root = root(register)?;
    let path = root.join(uuid).join(name);
    // A link could point anywhere; the folder's own files are plain files.
    let plain = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
    let inside = match (path.canonicalize(), root.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => false,
    };
    if plain && inside {
        Ok(path)
    } else {
        Err(unknown)
    }
}

/// Imports an archive (see `archive::import`) with its papers: they are written into their cases'
/// folders before the import's transaction, recorded inside it, and removed again if it does not
/// commit. Nothing is written while a conflict waits for the operator's choice.
pub fn import_archive(
    register: &mut Register,
    archive: &Archive,
    choices: &HashMap<String, ImportChoice>,
    at: &Clock,
) -> Result<ImportReport> {
    let prepared = archive::prepare(register, archive, choices, at)?;
    if prepared.waits_for_choices() {
        return Ok(prepared.into_report());
    }
    let incoming = write_incoming(register, archive.pdfs())?;
    let mut report = prepared
        .apply(register, at, |tx| incoming.record(tx, at))
        .inspect_err(|_| incoming.discard())?;
    report.papers = incoming.count();
    Ok(report)
}

/// The files of an import, written before its transaction and recorded inside it (`record_imported`);
/// removed again by `discard` when the transaction does not commit.
pub(crate) struct Incoming {
    files: Vec<IncomingFile>,
}

struct IncomingFile {
    case_uuid: String,
    name: String,
    path: PathBuf,
    /// Size and hash only: the bytes are already in the archive and on disk.
    digest: Digest,
}

/// Writes the archive's papers into the print folder under their cases' UUIDs, before the import's
/// transaction. A paper the case already has (same bytes) is not written again; a different paper
/// with a name the case already uses gets the next free name (`name-2.pdf`), so neither replaces the
/// other. An in-memory register keeps no papers.
fn write_incoming(register: &Register, pdfs: &[ArchivedPdf]) -> Result<Incoming> {
    let mut incoming = Incoming { files: Vec::new() };
    let Ok(root) = root(register) else {
        return Ok(incoming);
    };
    let mut recorded_of = register
        .store()
        .conn()
        .prepare("SELECT name, sha256 FROM papers WHERE case_uuid = ?1")?;
    let written = (|| -> Result<()> {
        for pdf in pdfs {
            let digest = Digest::of(&pdf.bytes);
            let recorded: Vec<(String, String)> = recorded_of
                .query_map([&pdf.case_uuid], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let arriving = incoming
                .files
                .iter()
                .filter(|f| f.case_uuid == pdf.case_uuid);
            if recorded.iter().any(|(_, s)| *s == digest.sha256)
                || arriving.clone().any(|f| f.digest.sha256 == digest.sha256)
            {
                continue;
            }
            let dir = root.join(&pdf.case_uuid);
            let taken: HashSet<String> = recorded
                .into_iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .chain(arriving.map(|f| f.name.to_ascii_lowercase()))
                .collect();
            let name = free_name(&dir, &pdf.name, &taken)
                .ok_or(Error::Archive(ArchiveCode::NoFreeName))?;
            let path = write_whole(&dir, &name, &pdf.bytes)?;
            incoming.files.push(IncomingFile {
                case_uuid: pdf.case_uuid.clone(),
                name,
                path,
                digest,
            });
        }
        Ok(())
    })();
    if let Err(e) = written {
        incoming.discard();
        return Err(e);
    }
    Ok(incoming)
}

/// `name`, else `stem-2.pdf` … `stem-99.pdf`: the first that neither a record of the case nor a file in
/// its folder holds.
fn free_name(dir: &Path, name: &str, taken: &HashSet<String>) -> Option<String> {
    let stem = name.strip_suffix(".pdf").unwrap_or(name);
    (1..100)
        .map(|n| {
            if n == 1 {
                name.to_string()
            } else {
                format!("{stem}-{n}.pdf")
            }
        })
        .find(|c| {
            archive::safe_pdf_name(c)
                && !taken.contains(&c.to_ascii_lowercase())
                && !dir.join(c).exists()
        })
}

impl Incoming {
    /// Records the written files against their cases, inside the import's transaction (after the
    /// cases' rows, which the records refer to).
    pub(crate) fn record(&self, tx: &Transaction, at: &Clock) -> Result<()> {
        for f in &self.files {
            record(tx, &f.case_uuid, &f.name, "imported", &f.digest, "", at)?;
        }
        Ok(())
    }

    /// How many papers the import brought.
    pub(crate) fn count(&self) -> usize {
        self.files.len()
    }

    /// Removes the written files (the import did not commit).
    pub(crate) fn discard(&self) {
        for f in &self.files {
            let _ = std::fs::remove_file(&f.path);
        }
    }
}
