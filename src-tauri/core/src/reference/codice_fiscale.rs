//! The codice fiscale (DM 23 Dec 1976, brief §5.1): checks the form of an entered code (16 characters
//! with a valid check character, accepting the omocodia letters in the digit positions, or the 11-digit
//! provisional numeric code); computes the code from a person's data (surname, names, birth date, sex and
//! the place code: the foreign State's Z code, or the Belfiore code of the Italian comune valid on the
//! birth date, from `assets/reference/comuni.json`); and tells the operator which part of an entered code
//! does not match the case, reading omocodia letters back as digits.
//!
//! It must not decide that a code belongs to the person, nor replace an entered code with the computed
//! one: only the Agenzia delle Entrate's certificate (or the tessera sanitaria) is valid, and omocodia
//! means a correct code may differ from the computed one.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::Applicant;
use crate::reference::Reference;

/// Positions (0-based) that hold digits, which omocodia may replace with letters L..V.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
const OMOCODIA: &str = "LMNPQRSTUV";
const MONTHS: &str = "ABCDEHLMPRST";
/// Values of characters in odd positions (1st, 3rd, …), indexed by digit or letter (brief §5.1).
const ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Wrong length or a character out of place.
    Format,
    /// Well formed but the check character does not match.
    CheckCharacter,
}

/// Validates an upper-case code (callers normalise with `text::code_key`).
pub fn check(code: &str) -> Result<(), Problem> {
    let bytes = code.as_bytes();
    if bytes.len() == 11 && bytes.iter().all(u8::is_ascii_digit) {
        return check_numeric(bytes);
    }
    if bytes.len() != 16
        || !bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(Problem::Format);
    }
    for (i, &b) in bytes[..15].iter().enumerate() {
        let ok = if DIGIT_POSITIONS.contains(&i) {
            b.is_ascii_digit() || OMOCODIA.as_bytes().contains(&b)
        } else if i == 8 {
            MONTHS.as_bytes().contains(&b)
        } else {
            b.is_ascii_uppercase()
        };
        if !ok {
            return Err(Problem::Format);
        }
    }
    if !bytes[15].is_ascii_uppercase() {
        return Err(Problem::Format);
    }
    if check_character(&code[..15]) == bytes[15] as char {
        Ok(())
    } else {
        Err(Problem::CheckCharacter)
    }
}

/// The check character of the first 15 characters.
pub fn check_character(first15: &str) -> char {
    let sum: u32 = first15
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let index = if b.is_ascii_digit() {
                (b - b'0') as usize
            } else {
                (b - b'A') as usize
            };
            // Positions are counted from 1 in the decree, so index 0 is "odd".
            if i % 2 == 0 {
                ODD[index]
            } else {
                index as u32
            }
        })
        .sum();
    (b'A' + (sum % 26) as u8) as char
}

/// The provisional numeric code uses the same check digit as a partita IVA.
fn check_numeric(digits: &[u8]) -> Result<(), Problem> {
    let value = |i: usize| u32::from(digits[i] - b'0');
    let sum: u32 = (0..10)
        .map(|i| {
            if i % 2 == 0 {
                value(i)
            } else {
                let doubled = value(i) * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            }
        })
        .sum();
    if (10 - sum % 10) % 10 == value(10) {
        Ok(())
    } else {
        Err(Problem::CheckCharacter)
    }
}

/// Consonants and vowels of a name, folded to A–Z (accents dropped, other characters ignored).
fn letters(name: &str) -> (Vec<u8>, Vec<u8>) {
    let ascii = deunicode::deunicode(name).to_ascii_uppercase();
    let mut consonants = Vec::new();
    let mut vowels = Vec::new();
    for b in ascii.bytes().filter(u8::is_ascii_uppercase) {
        if b"AEIOU".contains(&b) {
            vowels.push(b);
        } else {
            consonants.push(b);
        }
    }
    (consonants, vowels)
}

/// Consonants, then vowels, then X, up to three letters (the surname's rule, and the names' with fewer
/// than four consonants).
fn three(mut consonants: Vec<u8>, vowels: Vec<u8>) -> String {
    consonants.extend(vowels);
    consonants.extend(b"XXX");
    String::from_utf8(consonants[..3].to_vec()).expect("ASCII")
}

/// The codice fiscale computed from personal data, without omocodia: surname, given names, year,
/// month letter, day (+40 for women), place code, check character. A draft: the valid code is the
/// one on the Agenzia's certificate.
pub fn compute(
    surname: &str,
    given_names: &str,
    female: bool,
    birth: NaiveDate,
    place: &str,
) -> String {
    let (sc, sv) = letters(surname);
    let (gc, gv) = letters(given_names);
    let name = if gc.len() >= 4 {
        String::from_utf8(vec![gc[0], gc[2], gc[3]]).expect("ASCII")
    } else {
        three(gc, gv)
    };
    let month = MONTHS.as_bytes()[birth.month0() as usize] as char;
    let day = birth.day() + if female { 40 } else { 0 };
    let first15 = format!(
        "{}{}{:02}{}{:02}{}",
        three(sc, sv),
        name,
        birth.year().rem_euclid(100),
        month,
        day,
        place
    );
    let check = check_character(&first15);
    format!("{first15}{check}")
}

/// The parts of a code, in order, with the positions they span; the names are what the UI translates.
const PARTS: [(&str, std::ops::Range<usize>); 7] = [
    ("surname", 0..3),
    ("given_names", 3..6),
    ("birth_year", 6..8),
    ("birth_month", 8..9),
    ("birth_day_sex", 9..11),
    ("birth_place", 11..15),
    ("check_character", 15..16),
];

/// An omocodia letter in a digit position read back as its digit (L→0 … V→9).
fn decoded(code: &str) -> String {
    code.bytes()
        .enumerate()
        .map(|(i, b)| match OMOCODIA.bytes().position(|o| o == b) {
            Some(digit) if DIGIT_POSITIONS.contains(&i) => (b'0' + digit as u8) as char,
            _ => b as char,
        })
        .collect()
}

/// The parts in which a well-formed entered code differs from the computed one. Omocodia letters are
/// read back as digits first; then a difference in the check character alone is expected (omocodia
/// changes it) and not reported.
pub fn differences(entered: &str, computed: &str) -> Vec<&'static str> {
    let omocodia = decoded(entered) != entered;
    let (entered, computed) = (decoded(entered), decoded(computed));
    PARTS
        .iter()
        .filter(|(part, range)| {
            entered.get(range.clone()) != computed.get(range.clone())
                && !(*part == "check_character" && omocodia)
        })
        .map(|(part, _)| *part)
        .collect()
}

/// One row of `comuni.json`: code, name, alternative name, province, valid from, valid to.
type ComuneRow = (
    String,
    String,
    Option<String>,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

#[derive(Deserialize)]
struct ComuniFile {
    rows: Vec<ComuneRow>,
}

/// A comune's Belfiore code with the dates it was valid, by folded name.
struct Comune {
    code: String,
    province: String,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

fn comuni() -> &'static HashMap<String, Vec<Comune>> {
    static COMUNI: OnceLock<HashMap<String, Vec<Comune>>> = OnceLock::new();
    COMUNI.get_or_init(|| {
        let file: ComuniFile = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/reference/comuni.json"
        )))
        .expect("assets/reference/comuni.json is checked by the tests");
        let mut by_name: HashMap<String, Vec<Comune>> = HashMap::new();
        for (code, name, alt, province, valid_from, valid_to) in file.rows {
            for n in std::iter::once(name).chain(alt) {
                by_name
                    .entry(crate::reference::text::fold(&n))
                    .or_default()
                    .push(Comune {
                        code: code.clone(),
                        province: province.clone(),
                        valid_from,
                        valid_to,
                    });
            }
        }
        by_name
    })
}

/// The Belfiore code of an Italian comune on a date (and in a province, when given).
pub fn belfiore(comune: &str, province: Option<&str>, on: NaiveDate) -> Option<String> {
    comuni()
        .get(&crate::reference::text::fold(comune))?
        .iter()
        .find(|c| {
            province.is_none_or(|p| p.eq_ignore_ascii_case(&c.province))
                && c.valid_from.is_none_or(|d| d <= on)
                && c.valid_to.is_none_or(|d| on <= d)
        })
        .map(|c| c.code.clone())
}

/// What the case form shows next to the codice fiscale.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hint {
    /// The code computed from the applicant's data; absent when data is missing.
    pub computed: Option<String>,
    /// Parts of the entered code that do not match the data (see [`differences`]).
    pub differences: Vec<&'static str>,
    /// Why nothing was computed or compared, or what to keep in mind: `missing_data`,
    /// `place_unknown`, `provisional`, `former_state` (the country did not exist on the birth date).
    pub notes: Vec<&'static str>,
}

/// Compares the applicant's entered code with the one their data gives.
pub fn hint(applicant: &Applicant, reference: &Reference) -> Hint {
    let mut hint = Hint::default();
    let entered = crate::reference::text::code_key(&applicant.codice_fiscale);
    if entered.len() == 11 && entered.bytes().all(|b| b.is_ascii_digit()) {
        hint.notes.push("provisional");
        return hint;
    }
    let birth = NaiveDate::parse_from_str(&applicant.birth_date, "%Y-%m-%d").ok();
    let female = match applicant.sex.as_str() {
        "M" => Some(false),
        "F" => Some(true),
        _ => None,
    };
    let (Some(birth), Some(female), false, false) = (
        birth,
        female,
        applicant.surname.trim().is_empty(),
        applicant.given_names.trim().is_empty(),
    ) else {
        hint.notes.push("missing_data");
        return hint;
    };
    let place = if applicant.birth_country == "ITA" {
        belfiore(&applicant.birth_place, None, birth)
    } else {
        reference.country(&applicant.birth_country).and_then(|c| {
            if c.valid_from.is_some_and(|d| d > birth) {
                hint.notes.push("former_state");
            }
            c.z_code.clone()
        })
    };
    let Some(place) = place else {
        hint.notes.push("place_unknown");
        return hint;
    };
    let computed = compute(
        &applicant.surname,
        &applicant.given_names,
        female,
        birth,
        &place,
    );
    if check(&entered).is_ok() && entered.len() == 16 {
        hint.differences = differences(&entered, &computed);
    }
    hint.computed = Some(computed);
    hint
}
