//! Reading an archive without touching the database: decryption within caps, member names, sizes and
//! hashes against the manifest, the schema, and every case re-validated with its history replayed. It
//! must not trust a byte it has not checked, nor panic on any input.

use super::*;

/// A verified archive: every member present, listed, within the caps and matching its hash; the
/// JSON of the right schema; every case's data and history valid. Nothing in the database yet.
#[derive(Debug, Clone)]
pub struct Archive {
    pub(super) cases: Vec<ArchivedCase>,
    pub(super) pdfs: Vec<ArchivedPdf>,
}

/// A PDF carried by an archive, for the caller to store in the data folder's `print/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedPdf {
    pub case_uuid: String,
    pub name: String,
    pub bytes: Vec<u8>,
    /// The content version it was printed from, when the archive says it (schema 2).
    pub content_version: Option<String>,
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
/// (`MAX_ARCHIVE_FILE_BYTES`) is refused as `file_too_large` (naming the cap) by its size, unread; one that grows while it is
/// read is cut at that size and refused too.
pub fn open_file(path: &Path, passphrase: Option<&str>, reference: &Reference) -> Result<Archive> {
    let file = File::open(path).map_err(stick_error)?;
    let len = file.metadata().map_err(stick_error)?.len();
    if len > MAX_ARCHIVE_FILE_BYTES {
        return Err(archive_err(ArchiveCode::FileTooLarge));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_ARCHIVE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(stick_error)?;
    if bytes.len() as u64 > MAX_ARCHIVE_FILE_BYTES {
        return Err(archive_err(ArchiveCode::FileTooLarge));
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
    if !(OLDEST_SCHEMA..=SCHEMA).contains(&manifest.schema) {
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
    let schema = value.get("schema").and_then(|s| s.as_u64());
    if !schema.is_some_and(|s| (u64::from(OLDEST_SCHEMA)..=u64::from(SCHEMA)).contains(&s)) {
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
    let activity = activity::Table::bundled()?;
    for mut case in file.cases {
        check_case(&mut case, reference)?;
        // Desk contacts came with schema 3; each must be one this desk could have recorded.
        if (!case.desk_contacts.is_empty() && file.schema < 3)
            || case.desk_contacts.len() > MAX_STEPS
            || case
                .desk_contacts
                .iter()
                .any(|c| !activity::recorded_contact_ok(&activity, c))
        {
            return Err(archive_err(ArchiveCode::InvalidCaseData));
        }
        if !uuids.insert(case.uuid.clone()) {
            return Err(archive_err(ArchiveCode::InvalidCaseData));
        }
        // A version names one of the case's PDFs and is a content version, or the case is refused.
        if case.content_versions.iter().any(|(name, version)| {
            !case.pdfs.contains(name)
                || crate::reference::content::Version::parse(version).is_none()
        }) {
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
                content_version: case.content_versions.get(name).cloned(),
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
pub(super) fn parse_number(number: &str) -> Option<(i64, i64)> {
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
