//! Building an archive: the cases as recorded (with their papers), zipped with a manifest, sealed with
//! age, and written safely to a folder and read back. It must not hold the register's lock while it
//! encrypts or writes (`pack` reads, `Packed` seals and writes).

use super::*;

/// The archived form of a stored case (also what an import compares a local case with).
pub(super) fn archived_of(register: &Register, view: &CaseView) -> Result<ArchivedCase> {
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
        content_versions: BTreeMap::new(),
        desk_contacts: crate::register::activity::recorded_contacts(
            conn,
            register.activity(),
            view.id,
        )?,
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
        register.expect_in_use(item.id)?;
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
            if let Some(version) = &pdf.content_version {
                case.content_versions
                    .insert(pdf.name.clone(), version.clone());
            }
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
