//! The data folder's print folder and the record of what is in it. A paper of a case is the file
//! `print/<case uuid>/<name>` together with its row in `papers` (name, kind, size and SHA-256 of the
//! plain PDF, when, who); the row is what makes the file the case's. The file itself is sealed
//! (`sealed`: encrypted under the register's papers key, bound to its path). This module owns writing
//! a paper (sealed, temporary name, sync, rename, then the record in one transaction), the files that
//! came with an imported case, the papers of a case for an export, and reading a recorded paper back
//! by the name the UI sends.
//!
//! It must never find a case's papers by a number in a file name (numbers change on import, UUIDs do not),
//! accept a path from outside (only `<uuid>/<name>` of a recorded paper, checked against the folder),
//! hand anyone a path to a paper (only its plain bytes: the shell must never give a sealed file to a
//! viewer), write a plain PDF into the folder, or put personal data in a name. Files in `print/` that
//! no record names (the flat `<kind>-<number>-<date>.pdf` files of earlier versions, a file orphaned by
//! a crash before its record) are sealed like the others (`sealed::seal_plain_files`) but never
//! attached to a case. Besides PDFs a case's folder holds one other kind of file, the appointment's
//! `.ics` filed with the receipt (`safe_paper_name`): sealed and recorded the same way, read back the
//! same way, but left out of an export (made again from the history the archive carries).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use crate::clock::Clock;
use crate::error::{ArchiveCode, Error, Missing, Result};
use crate::exchange::archive::{self, Archive, ArchivedPdf, ImportChoice, ImportReport, Pdf};
use crate::model::CaseView;
use crate::register::Register;

use super::sealed::{self, Opened, PapersKey};

/// The print folder inside a data folder.
pub const PRINT_DIR: &str = "print";

/// A paper just filed, for the shell: the name to open it by, the name the save dialog proposes, and
/// the plain PDF for the printer or the copy the operator saves (the file on disk is sealed).
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filed {
    /// The paper inside the print folder, `<case uuid>/<name>`: what `read` takes back.
    pub file: String,
    /// The name the save dialog proposes: the file's name with the case's number here
    /// (`ricevuta-ar-2026-000012-20261204.pdf`), so a saved copy says whose case it is without a name.
    pub suggested_name: String,
    /// The plain PDF (never sent to the UI).
    #[serde(skip)]
    pub pdf: Vec<u8>,
}

/// The PDF is the applicant's data: a `Debug` print (a panic, a log) shows only its size.
impl std::fmt::Debug for Filed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filed")
            .field("file", &self.file)
            .field("suggested_name", &self.suggested_name)
            .field("pdf", &format_args!("{} bytes", self.pdf.len()))
            .finish()
    }
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
    /// The version of the content the paper was printed from; `None` (unknown) for a paper filed
    /// before versions were recorded, or brought by an archive that does not say it (schema 1).
    pub content_version: Option<String>,
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

/// Writes `plain` sealed as `<case uuid>/<name>` of the print folder `root`, whole or not at all: the
/// sealed bytes under a temporary name in the case's folder, synced, then renamed over any earlier
/// file of that name, and the folder synced so the name is on disk. The plain PDF is never written.
fn write_sealed(
    root: &Path,
    key: &PapersKey,
    case_uuid: &str,
    name: &str,
    plain: &[u8],
) -> Result<PathBuf> {
    let sealed = sealed::seal(key, &format!("{case_uuid}/{name}"), plain)?;
    let dir = root.join(case_uuid);
    create_private_dir(&dir)?;
    let temp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let target = dir.join(name);
    let written = (|| -> Result<()> {
        let mut file = sealed::create_private(&temp)?;
        file.write_all(&sealed)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)?;
        sealed::sync_dir(&dir)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok(target)
}

/// A name a paper may have in a case's folder: a PDF's (`archive::safe_pdf_name`), or the same with
/// `.ics` (the appointment's calendar file filed beside the receipt). The record's `bytes` and `sha256`
/// are then the plain `.ics`'s.
pub(crate) fn safe_paper_name(name: &str) -> bool {
    archive::safe_pdf_name(name)
        || name
            .strip_suffix(".ics")
            .is_some_and(|stem| archive::safe_pdf_name(&format!("{stem}.pdf")))
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

/// A paper's record: `content_version` is the content it was printed from (`None`: unknown).
#[allow(clippy::too_many_arguments)]
fn record(
    tx: &Transaction,
    case_uuid: &str,
    name: &str,
    kind: &str,
    digest: &Digest,
    operator: &str,
    content_version: Option<&str>,
    at: &Clock,
) -> Result<()> {
    tx.execute(
        "INSERT INTO papers (case_uuid, name, kind, bytes, sha256, filed_at, operator, content_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (case_uuid, name) DO UPDATE SET
             kind = excluded.kind, bytes = excluded.bytes, sha256 = excluded.sha256,
             filed_at = excluded.filed_at, operator = excluded.operator,
             content_version = excluded.content_version",
        params![
            case_uuid,
            name,
            kind,
            digest.bytes as i64,
            digest.sha256,
            at.recorded_at(),
            operator,
            content_version
        ],
    )?;
    Ok(())
}

/// Files a rendered paper of `case` as `name` (see `papers::file`): sealed on disk, recorded with the
/// plain PDF's size and hash, and the plain PDF handed back for the printer or a saved copy.
pub(crate) fn put(
    register: &mut Register,
    case: &CaseView,
    name: &str,
    kind: &str,
    pdf: Vec<u8>,
    operator: &str,
    at: &Clock,
) -> Result<Filed> {
    if !safe_paper_name(name) || !archive::canonical_uuid(&case.uuid) {
        return Err(Error::Print("paper file name".into()));
    }
    let root = root(register)?;
    create_private_dir(&root)?;
    let key = PapersKey::get_or_create(register)?;
    write_sealed(&root, &key, &case.uuid, name, &pdf)?;
    let version = register.content().stamp.version.to_string();
    register.store_mut().write(|tx| {
        let digest = Digest::of(&pdf);
        record(
            tx,
            &case.uuid,
            name,
            kind,
            &digest,
            operator,
            Some(&version),
            at,
        )
    })?;
    let (stem, _) = name.rsplit_once('-').unwrap_or((name, ""));
    let extension = name.rsplit_once('.').map_or("pdf", |(_, e)| e);
    Ok(Filed {
        file: format!("{}/{name}", case.uuid),
        suggested_name: format!(
            "{stem}-{}-{}.{extension}",
            case.number.replace('/', "-"),
            at.today.format("%Y%m%d")
        ),
        pdf,
    })
}

/// The plain PDF of the recorded paper `file` (`<case uuid>/<name>`) from the bytes stored for it. A
/// sealed file opens only under its own path; a plain file (an earlier version's, not sealed yet) is
/// taken only if it is the very PDF its record describes, so a plain file put in a paper's place
/// is refused as a sealed one moved there is. Either refusal is `PaperUnreadable`.
fn plain_of(key: Option<&PapersKey>, file: &str, stored: Vec<u8>, sha256: &str) -> Result<Vec<u8>> {
    match sealed::open(key, file, stored)? {
        Opened::Sealed(pdf) => Ok(pdf),
        Opened::Plain(pdf) if archive::sha256_hex(&pdf) == sha256 => Ok(pdf),
        Opened::Plain(_) => Err(Error::NotFound(Missing::PaperUnreadable)),
    }
}

/// A recorded paper found on disk: its record, where it is and the plain PDF's recorded SHA-256.
struct OnDisk {
    paper: PaperFile,
    path: PathBuf,
    sha256: String,
}

/// The recorded papers of a case in the order they were first filed, with their paths; a recorded file that is no longer
/// on disk (removed by hand, or a register restored from a backup, which carries no PDFs) is left out.
fn of_uuid(conn: &Connection, root: &Path, uuid: &str) -> Result<Vec<OnDisk>> {
    let mut stmt = conn.prepare(
        "SELECT name, kind, bytes, filed_at, sha256, content_version FROM papers
         WHERE case_uuid = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([uuid], |r| {
        Ok((
            PaperFile {
                file: String::new(),
                name: r.get(0)?,
                kind: r.get(1)?,
                bytes: r.get::<_, i64>(2)? as u64,
                filed_at: r.get(3)?,
                content_version: r.get(5)?,
            },
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut found = Vec::new();
    for row in rows {
        let (mut paper, sha256) = row?;
        let path = root.join(uuid).join(&paper.name);
        if path.is_file() {
            paper.file = format!("{uuid}/{}", paper.name);
            found.push(OnDisk {
                paper,
                path,
                sha256,
            });
        }
    }
    Ok(found)
}

/// The recorded papers of case `case_id` that are on disk, with their paths (none without a folder).
fn of_case_id(register: &Register, case_id: i64) -> Result<Vec<OnDisk>> {
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
        .map(|found| found.paper)
        .collect())
}

/// The papers of case `case_id` as an export carries them: exactly the files recorded against its
/// UUID, opened (an archive carries plain PDFs, encrypted as a whole with the archive's passphrase).
/// A paper whose file does not open (`PaperUnreadable`: altered, or another case's file put in its
/// place) is left out like a file no longer on disk, so the case can still travel; it can be printed
/// again from the case.
pub fn for_export(register: &Register, case_id: i64) -> Result<Vec<Pdf>> {
    let key = PapersKey::existing(register)?;
    let mut pdfs = Vec::new();
    // Only PDFs travel: an archive's members are PDFs (`archive::safe_pdf_name`), and another desk's
    // version would refuse a member it does not know. The appointment's `.ics` is made again from the
    // case's history, which the archive carries.
    for found in of_case_id(register, case_id)?
        .into_iter()
        .filter(|f| archive::safe_pdf_name(&f.paper.name))
    {
        let stored = std::fs::read(&found.path)?;
        match plain_of(key.as_ref(), &found.paper.file, stored, &found.sha256) {
            Ok(bytes) => pdfs.push(Pdf {
                name: found.paper.name,
                bytes,
                content_version: found.paper.content_version,
            }),
            Err(Error::NotFound(Missing::PaperUnreadable)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(pdfs)
}

/// The plain PDF of a recorded paper, by the name the UI got with it (`<case uuid>/<name>`): what the
/// shell prints, saves or gives the viewer (from a copy outside the data folder), never the sealed
/// file's path. Anything else (a path, `..`, a name no record holds, a symbolic link, a file outside
/// the folder) is `Paper` not found; a file that does not open as that paper is `PaperUnreadable`.
pub fn read(register: &Register, file: &str) -> Result<Vec<u8>> {
    let (path, sha256) = locate(register, file)?;
    let key = PapersKey::existing(register)?;
    plain_of(key.as_ref(), file, std::fs::read(path)?, &sha256)
}

/// The path of a recorded paper and its plain PDF's recorded SHA-256, from the name the UI got with it
/// (`<case uuid>/<name>`). Anything else is `not_found`: only a paper this desk filed is ever read.
fn locate(register: &Register, file: &str) -> Result<(PathBuf, String)> {
    let unknown = Error::NotFound(Missing::Paper);
    let Some((uuid, name)) = file.split_once('/') else {
        return Err(unknown);
    };
    if !archive::canonical_uuid(uuid) || !safe_paper_name(name) {
        return Err(unknown);
    }
    let recorded: Option<String> = register
        .store()
        .conn()
        .query_row(
            "SELECT sha256 FROM papers WHERE case_uuid = ?1 AND name = ?2",
            [uuid, name],
            |r| r.get(0),
        )
        .optional()?;
    let Some(sha256) = recorded else {
        return Err(unknown);
    };
    let root = root(register)?;
    let path = root.join(uuid).join(name);
    // A link could point anywhere; the folder's own files are regular files.
    let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
    let inside = match (path.canonicalize(), root.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => false,
    };
    if regular && inside {
        Ok((path, sha256))
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
    // An in-memory register keeps no papers (and needs no key for them).
    let incoming = match root(register) {
        Ok(root) if !archive.pdfs().is_empty() => {
            let key = PapersKey::get_or_create(register)?;
            write_incoming(register, &root, &key, archive.pdfs())?
        }
        _ => Incoming { files: Vec::new() },
    };
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
    /// The plain PDF's size and hash only: the bytes are already in the archive and, sealed, on disk.
    digest: Digest,
    /// The content it was printed from, as the archive says (`None`: unknown).
    content_version: Option<String>,
}

/// Writes the archive's papers, sealed, into the print folder `root` under their cases' UUIDs, before
/// the import's transaction. A paper the case already has (same plain bytes) is not written again; a
/// different paper with a name the case already uses gets the next free name (`name-2.pdf`), so
/// neither replaces the other.
fn write_incoming(
    register: &Register,
    root: &Path,
    key: &PapersKey,
    pdfs: &[ArchivedPdf],
) -> Result<Incoming> {
    let mut incoming = Incoming { files: Vec::new() };
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
            let path = write_sealed(root, key, &pdf.case_uuid, &name, &pdf.bytes)?;
            incoming.files.push(IncomingFile {
                case_uuid: pdf.case_uuid.clone(),
                name,
                path,
                digest,
                content_version: pdf.content_version.clone(),
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
            record(
                tx,
                &f.case_uuid,
                &f.name,
                "imported",
                &f.digest,
                "",
                f.content_version.as_deref(),
                at,
            )?;
        }
        Ok(())
    }

    /// How many papers the import brought.
    pub(crate) fn count(&self) -> usize {
        self.files.len()
    }

    /// Removes the written files (the import did not commit; they are sealed).
    pub(crate) fn discard(&self) {
        for f in &self.files {
            let _ = std::fs::remove_file(&f.path);
        }
    }
}
