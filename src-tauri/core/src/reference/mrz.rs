//! Reads the machine-readable zone of a passport (TD3, 2 × 44), an identity or residence-permit card
//! (TD1, 3 × 30) or a TD2 document (2 × 36), as the operator types it or a keyboard-wedge scanner sends
//! it, into the values of the case form. The ICAO 9303 parsing and every check digit are the `mrz`
//! crate's; this module owns what the crate does not: tidying what the field received (letter case,
//! stray spaces, the lines of a scanner that sends them as one), the century of a birth date (never in
//! the future), the mapping of ICAO nationality codes to the register's countries
//! (`assets/reference/icao_codes.toml`), what kind of document it is (an Italian permesso is the
//! applicant's current permit, not their passport), and errors that name the field a failed check
//! digit protects.
//!
//! It must fill nothing when any check digit fails, and it must never put the zone's characters in an
//! error or a log: errors carry line numbers, positions and lengths only.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use mrz::{MrzData, MrzDate, MrzError, ParseOptions};
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldCode, FieldError, Result};
use crate::reference::Reference;

/// The values a zone gives the case form. Dates are `YYYY-MM-DD`, countries the register's alpha-3
/// codes; names as the zone spells them (A–Z, no accents), in capitalised words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MrzReading {
    /// `TD3`, `TD2` or `TD1`.
    pub format: &'static str,
    /// `passport`, `identity_card`, or `residence_permit` (a permit issued by Italy: it goes to the
    /// case's current permit, not to the identity document).
    pub document: &'static str,
    pub surname: String,
    pub given_names: String,
    /// `M`, `F` or `X` (unspecified).
    pub sex: String,
    /// Absent when the issuer printed an unknown date of birth (`<` fillers, allowed by ICAO).
    pub birth_date: Option<String>,
    /// Absent when the zone's code is no country (stateless, refugee, UN document).
    pub nationality: Option<String>,
    pub document_number: String,
    pub expiry_date: Option<String>,
    /// What the operator must complete by hand: `nationality_not_a_country`, `birth_date_unknown`.
    pub notes: Vec<&'static str>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IcaoFile {
    #[allow(dead_code)]
    table: toml::Table,
    code: Vec<IcaoCode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IcaoCode {
    icao: String,
    iso3: Option<String>,
    #[allow(dead_code)]
    note: Option<String>,
    #[allow(dead_code)]
    #[serde(default)]
    verify: bool,
}

/// ICAO code → register code (`None`: no country), for the codes that are not ISO alpha-3.
fn icao_codes() -> &'static HashMap<String, Option<String>> {
    static CODES: OnceLock<HashMap<String, Option<String>>> = OnceLock::new();
    CODES.get_or_init(|| {
        let file: IcaoFile = toml::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/reference/icao_codes.toml"
        )))
        .expect("assets/reference/icao_codes.toml is checked by the tests");
        file.code.into_iter().map(|c| (c.icao, c.iso3)).collect()
    })
}

fn problem(code: FieldCode) -> FieldError {
    FieldError::new("mrz", code)
}

/// The zone's lines, tidied: spaces and tabs dropped, letters upper-cased, empty lines skipped, and a
/// single line of 88, 72 or 90 characters (a scanner that sends no line breaks) cut into its lines.
fn lines(text: &str) -> Vec<String> {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_uppercase())
                .collect::<String>()
        })
        .filter(|l| !l.is_empty())
        .collect();
    if let [one] = &lines[..] {
        let chars: Vec<char> = one.chars().collect();
        let width = match chars.len() {
            88 => 44,
            72 => 36,
            90 => 30,
            _ => return lines,
        };
        return chars.chunks(width).map(|c| c.iter().collect()).collect();
    }
    lines
}

/// Reads a zone. `today` decides the century of the birth date (a birth is never in the future).
/// Every problem is reported at once, on the `mrz` field, and then nothing is read.
pub fn read(text: &str, reference: &Reference, today: NaiveDate) -> Result<MrzReading> {
    let lines = lines(text);
    let (format, width) = match lines.len() {
        0 => return Err(Error::Invalid(vec![problem(FieldCode::MrzEmpty)])),
        3 => ("TD1", 30),
        2 if lines.iter().any(|l| l.chars().count() > 40) => ("TD3", 44),
        2 => ("TD2", 36),
        got => {
            return Err(Error::Invalid(vec![
                problem(FieldCode::MrzLines).with("got", got)
            ]))
        }
    };
    let wrong: Vec<FieldError> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.chars().count() != width)
        .map(|(i, l)| {
            problem(FieldCode::MrzLength)
                .with("line", i + 1)
                .with("got", l.chars().count())
                .with("expected", width)
        })
        .collect();
    if !wrong.is_empty() {
        return Err(Error::Invalid(wrong));
    }
    if format == "TD3" && !lines[0].starts_with('P') {
        // 2 × 44 lines that are not a passport's: a visa (MRV-A) identifies nobody's document here.
        return Err(Error::Invalid(vec![problem(FieldCode::MrzDocumentCode)]));
    }
    let options = ParseOptions::default().with_pivot_yy((today.year() % 100) as u32);
    let parsed = match format {
        "TD3" => mrz::parse_td3_with(&lines[0], &lines[1], &options),
        "TD2" => mrz::parse_td2_with(&lines[0], &lines[1], &options),
        _ => mrz::parse_td1_with(&lines[0], &lines[1], &lines[2], &options),
    }
    .map_err(|e| Error::Invalid(vec![parse_error(e)]))?;
    reading(format, &parsed, reference, today)
}

fn parse_error(e: MrzError) -> FieldError {
    match e {
        MrzError::BadCharacter { line, position, .. } => problem(FieldCode::MrzCharacter)
            .with("line", line.map_or(1, |l| l + 1))
            .with("position", position + 1),
        MrzError::BadLength { expected, got } => problem(FieldCode::MrzLength)
            .with("line", 1)
            .with("got", got)
            .with("expected", expected),
        MrzError::LeadingFiller { .. } => problem(FieldCode::MrzDocumentNumber),
        _ => problem(FieldCode::MrzDocumentCode),
    }
}

fn reading(
    format: &'static str,
    parsed: &MrzData,
    reference: &Reference,
    today: NaiveDate,
) -> Result<MrzReading> {
    let checks = &parsed.checks;
    // One problem per failed check digit, named by the field it protects; the composite digit
    // protects the zone as a whole.
    let mut problems: Vec<FieldError> = [
        (checks.document_number, FieldCode::MrzCheckDocumentNumber),
        (checks.date_of_birth, FieldCode::MrzCheckBirthDate),
        (checks.date_of_expiry, FieldCode::MrzCheckExpiryDate),
        (checks.personal_number, FieldCode::MrzCheckPersonalNumber),
        (checks.composite, FieldCode::MrzCheckComposite),
    ]
    .into_iter()
    .filter(|(ok, _)| *ok == Some(false))
    .map(|(_, code)| problem(code))
    .collect();
    let mut notes = Vec::new();
    let birth_date = match &parsed.date_of_birth {
        MrzDate::Calendar(_) => {
            let date = date_of(&parsed.date_of_birth);
            // The crate reads yy above the pivot as 19yy; a yy equal to this year's that would fall
            // after today is last century's too.
            date.map(|d| {
                if d > today {
                    d.with_year(d.year() - 100).unwrap_or(d)
                } else {
                    d
                }
            })
        }
        MrzDate::PartiallyUnknown(_) | MrzDate::Unknown => {
            notes.push("birth_date_unknown");
            None
        }
        _ => {
            problems.push(problem(FieldCode::MrzDateBirth));
            None
        }
    };
    let expiry_date = match &parsed.date_of_expiry {
        MrzDate::Calendar(_) => date_of(&parsed.date_of_expiry),
        _ => {
            problems.push(problem(FieldCode::MrzDateExpiry));
            None
        }
    };
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let nationality = country(&parsed.nationality, reference);
    if nationality.is_none() {
        notes.push("nationality_not_a_country");
    }
    let issuer = country(&parsed.issuing_country, reference);
    let document = match format {
        "TD3" => "passport",
        _ if issuer.as_deref() == Some("ITA") && nationality.as_deref() != Some("ITA") => {
            "residence_permit"
        }
        _ => "identity_card",
    };
    Ok(MrzReading {
        format,
        document,
        surname: capitalised(&parsed.surname),
        given_names: capitalised(&parsed.given_names),
        sex: match parsed.sex.to_string().as_str() {
            "M" => "M",
            "F" => "F",
            _ => "X",
        }
        .to_string(),
        birth_date: birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
        nationality,
        document_number: parsed.full_document_number().to_string(),
        expiry_date: expiry_date.map(|d| d.format("%Y-%m-%d").to_string()),
        notes,
    })
}

fn date_of(date: &MrzDate) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&date.to_string(), "%Y-%m-%d").ok()
}

/// The register's code for a zone's nationality or issuing-state code.
fn country(code: &str, reference: &Reference) -> Option<String> {
    let code = code.trim_end_matches('<');
    match icao_codes().get(code) {
        Some(mapped) => mapped.clone(),
        None => reference.country(code).map(|_| code.to_string()),
    }
}

/// `ANNA MARIA` → `Anna Maria`: how the register writes names (the zone has capitals only).
fn capitalised(name: &str) -> String {
    name.split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}
