//! The codice fiscale computed from a person's data and compared with an entered one: the worked examples
//! of the brief (§5.1), the tricky rules (short names, four-consonant names, women's day + 40, places in
//! Italy on the birth date), omocodia, and the hint the case form shows.

use chrono::NaiveDate;
use mixite_core::reference::codice_fiscale::{belfiore, check, compute, differences, hint};
use mixite_core::reference::Reference;

use crate::{day, worker};

fn d(s: &str) -> NaiveDate {
    day(s)
}

/// Replaces the character at `i` (an omocodia letter for a digit) and recomputes the check character,
/// as the Agenzia does for the second person with the same code.
fn omocode(code: &str, i: usize) -> String {
    let mut first15: Vec<u8> = code.as_bytes()[..15].to_vec();
    first15[i] = b"LMNPQRSTUV"[usize::from(first15[i] - b'0')];
    let first15 = String::from_utf8(first15).unwrap();
    let check = mixite_core::reference::codice_fiscale::check_character(&first15);
    format!("{first15}{check}")
}

#[test]
fn the_worked_examples_of_the_brief_are_computed_exactly() {
    assert_eq!(
        belfiore("Milano", None, d("1945-04-25")).as_deref(),
        Some("F205")
    );
    assert_eq!(
        compute("Rossi", "Mario", false, d("1945-04-25"), "F205"),
        "RSSMRA45D25F205N"
    );
    assert_eq!(
        compute("Rossi", "Antonio", false, d("1985-05-23"), "Z110"),
        "RSSNTN85E23Z110R",
        "born in France"
    );
    assert_eq!(
        compute("Hoxha", "Arben", false, d("1990-04-15"), "Z100"),
        "HXHRBN90D15Z100Z",
        "born in Albania"
    );
    assert!(
        check("TTVNLA61B15Z135B").is_ok(),
        "born in the USSR, with the State code valid at birth"
    );
}

#[test]
fn short_names_four_consonant_names_and_women_follow_the_decree() {
    // A surname with one consonant takes its vowels, then X; a name with four or more consonants takes
    // the first, third and fourth; a woman's day is + 40.
    let code = compute("Fo", "Gianfranco", false, d("1970-01-09"), "E715");
    assert_eq!(&code[..6], "FOXGFR");
    let code = compute("Li", "Yu", true, d("1988-12-07"), "Z210");
    assert_eq!(
        &code[..11],
        "LIXYUX88T47",
        "short Chinese names padded with X; December is T; 7 + 40"
    );
    // Accents and apostrophes are dropped: D'Amico Zoë.
    assert_eq!(
        &compute("D'Amico", "Zoë", true, d("2001-02-03"), "E715")[..6],
        "DMCZOE"
    );
    assert!(check(&code).is_ok(), "a computed code passes its own check");
}

#[test]
fn a_comune_gets_the_code_valid_on_the_birth_date() {
    assert_eq!(
        belfiore("Lucca", Some("LU"), d("1990-01-01")).as_deref(),
        Some("E715")
    );
    assert_eq!(
        belfiore("lucca", None, d("1990-01-01")).as_deref(),
        Some("E715"),
        "names are folded"
    );
    assert_eq!(
        belfiore("Lucca", Some("MI"), d("1990-01-01")),
        None,
        "not in that province"
    );
    assert_eq!(belfiore("Nowhere", None, d("1990-01-01")), None);
}

#[test]
fn an_omocodic_code_matches_and_a_wrong_part_is_named() {
    let computed = compute("Hoxha", "Arben", false, d("1990-04-15"), "Z100");
    let omocodic = omocode(&computed, 14);
    assert_ne!(omocodic, computed);
    assert!(check(&omocodic).is_ok(), "an omocodic code is well formed");
    assert!(
        differences(&omocodic, &computed).is_empty(),
        "omocodia letters read back as digits: no difference"
    );
    let two_letters = omocode(&omocode(&computed, 14), 13);
    assert!(differences(&two_letters, &computed).is_empty());

    let other_day = compute("Hoxha", "Arben", false, d("1990-04-16"), "Z100");
    assert_eq!(
        differences(&other_day, &computed),
        vec!["birth_day_sex", "check_character"]
    );
    let woman = compute("Hoxha", "Arben", true, d("1990-04-15"), "Z100");
    assert_eq!(
        differences(&woman, &computed),
        vec!["birth_day_sex", "check_character"],
        "sex is in the day"
    );
    let kosovo = compute("Hoxha", "Arben", false, d("1990-04-15"), "Z160");
    assert_eq!(
        differences(&kosovo, &computed),
        vec!["birth_place", "check_character"]
    );
}

#[test]
fn the_case_form_hint_computes_compares_and_says_what_is_missing() {
    let reference = Reference::bundled().unwrap();
    let mut applicant = worker().applicant;
    let h = hint(&applicant, &reference);
    assert_eq!(h.computed.as_deref(), Some("HXHRBN90D15Z100Z"));
    assert!(h.differences.is_empty() && h.notes.is_empty(), "{h:?}");

    applicant.codice_fiscale = compute("Hoxha", "Arben", false, d("1991-04-15"), "Z100");
    assert_eq!(
        hint(&applicant, &reference).differences,
        vec!["birth_year", "check_character"]
    );

    applicant.codice_fiscale = "12345678903".into();
    assert_eq!(hint(&applicant, &reference).notes, vec!["provisional"]);

    applicant.codice_fiscale.clear();
    applicant.birth_country = "ITA".into();
    applicant.birth_place = "Lucca".into();
    assert_eq!(
        hint(&applicant, &reference)
            .computed
            .as_deref()
            .map(|c| &c[11..15]),
        Some("E715")
    );
    applicant.birth_place = "Atlantide".into();
    assert_eq!(hint(&applicant, &reference).notes, vec!["place_unknown"]);
    applicant.sex = "X".into();
    assert_eq!(hint(&applicant, &reference).notes, vec!["missing_data"]);
}
