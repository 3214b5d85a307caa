//! The partner directory as a file (issue 16: "the partnership's desks share one directory"): a small
//! versioned JSON document that one desk exports and another imports. It owns the format (`FORMAT`,
//! `VERSION`), turning a directory into bytes and bytes back into partners, and the checks a file must
//! pass before anything is written: size, shape, format and version, every partner validated as the
//! directory's form validates it (every problem of every partner at once, on `partner.<n>.<field>`),
//! and no stable id twice. It must not write the register (`Register::import_partners` applies a read
//! file in one transaction) nor touch a disk (the shell writes and reads the bytes).
//!
//! The file carries no applicant's data: a directory is public facts about organisations.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{ArchiveCode, Error, FieldCode, FieldError, Result};
use crate::reference::Reference;
use crate::register::partners::{Partner, Shared as FilePartner};
use crate::register::validate;

/// What the file says it is.
pub const FORMAT: &str = "mixite-partners";
/// The version this build writes and the only one it reads.
pub const VERSION: u32 = 1;
/// A directory of a few hundred partners is a few hundred KB; anything much larger is not one.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// A partner file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerFile {
    pub format: String,
    pub version: u32,
    /// The day it was written (`YYYY-MM-DD`).
    pub exported_on: String,
    pub partners: Vec<FilePartner>,
}

/// The file of `partners` (retired ones included, marked), written on `today`: UTF-8 JSON, indented so
/// a person can read it.
pub fn to_bytes(partners: &[Partner], today: NaiveDate) -> Result<Vec<u8>> {
    let file = PartnerFile {
        format: FORMAT.into(),
        version: VERSION,
        exported_on: today.to_string(),
        partners: partners
            .iter()
            .map(|p| FilePartner {
                data: p.data.clone(),
                retired: p.retired_on.is_some(),
            })
            .collect(),
    };
    serde_json::to_vec_pretty(&file).map_err(|_| Error::Archive(ArchiveCode::WriteFailed))
}

/// Reads and checks a partner file: `archive` errors for what is not one (`not_a_partner_file`,
/// `unsupported_schema`, `file_too_large`), `invalid` with every partner's every problem, the partners
/// normalised as the form would store them.
pub fn read(
    bytes: &[u8],
    needs: &[&str],
    reference: &Reference,
    today: NaiveDate,
) -> Result<PartnerFile> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::Archive(ArchiveCode::FileTooLarge));
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| Error::Archive(ArchiveCode::NotAPartnerFile))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(Error::Archive(ArchiveCode::NotAPartnerFile));
    }
    if value.get("version").and_then(|v| v.as_u64()) != Some(u64::from(VERSION)) {
        return Err(Error::Archive(ArchiveCode::UnsupportedSchema));
    }
    let file: PartnerFile =
        serde_json::from_value(value).map_err(|_| Error::Archive(ArchiveCode::NotAPartnerFile))?;
    let mut problems: Vec<FieldError> = Vec::new();
    let mut partners = Vec::with_capacity(file.partners.len());
    for (n, p) in file.partners.iter().enumerate() {
        let prefix = format!("partner.{n}");
        match validate::partner(&p.data, needs, &prefix, reference, today) {
            Ok(data) => {
                // Between desks a partner is matched by its stable id: one without is not shareable.
                if data.uid.is_empty() {
                    problems.push(FieldError::new(
                        format!("{prefix}.uid"),
                        FieldCode::Required,
                    ));
                } else if partners
                    .iter()
                    .any(|o: &FilePartner| o.data.uid == data.uid)
                {
                    problems.push(FieldError::new(
                        format!("{prefix}.uid"),
                        FieldCode::Duplicate,
                    ));
                }
                partners.push(FilePartner {
                    data,
                    retired: p.retired,
                });
            }
            Err(Error::Invalid(fields)) => problems.extend(fields),
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(PartnerFile { partners, ..file })
}
