//! Machine-readable zones read into case fields: the ICAO 9303 specimens, zones written with the `mrz`
//! crate's emitter for realistic applicants, and what an operator's field really receives (lower case,
//! stray spaces, a scanner sending one long line, a line missing, a misread digit).

use std::str::FromStr;

use mixite_core::reference::mrz::{read, MrzReading};
use mixite_core::reference::Reference;
use mrz::{MrzDate, Sex, Td1Fields, Td3Fields};

use crate::{clock, problems};

fn reference() -> Reference {
    Reference::bundled().unwrap()
}

fn ok(text: &str) -> MrzReading {
    read(text, &reference(), clock().today).unwrap_or_else(|e| panic!("{e:?}"))
}

fn refused(text: &str) -> Vec<String> {
    problems(read(text, &reference(), clock().today).unwrap_err())
}

fn date(s: &str) -> MrzDate {
    MrzDate::from_str(s).unwrap()
}

/// An Albanian passport for Hoxha Arben, written as a passport office would.
fn albanian_passport() -> String {
    mrz::format_td3(&Td3Fields {
        issuing_country: "ALB".into(),
        document_number: "BA1234567".into(),
        surname: "HOXHA".into(),
        given_names: "ARBEN".into(),
        nationality: "ALB".into(),
        date_of_birth: date("1990-04-15"),
        sex: Sex::Male,
        date_of_expiry: date("2030-02-28"),
        ..Td3Fields::default()
    })
}

const SPECIMEN_TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const SPECIMEN_TD1: &str =
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
const SPECIMEN_TD2: &str =
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";

#[test]
fn the_icao_passport_specimen_reads_with_every_field_and_utopia_is_no_country() {
    let r = ok(SPECIMEN_TD3);
    assert_eq!(r.format, "TD3");
    assert_eq!(r.document, "passport");
    assert_eq!(
        (r.surname.as_str(), r.given_names.as_str()),
        ("Eriksson", "Anna Maria")
    );
    assert_eq!(r.sex, "F");
    assert_eq!(
        r.birth_date.as_deref(),
        Some("1974-08-12"),
        "birth last century"
    );
    assert_eq!(
        r.expiry_date.as_deref(),
        Some("2012-04-15"),
        "expiry this century"
    );
    assert_eq!(r.document_number, "L898902C3");
    assert_eq!(r.nationality, None, "UTO is ICAO's fictional state");
    assert_eq!(r.notes, vec!["nationality_not_a_country"]);
}

#[test]
fn the_icao_card_specimens_read_as_identity_cards() {
    for (text, format) in [(SPECIMEN_TD1, "TD1"), (SPECIMEN_TD2, "TD2")] {
        let r = ok(text);
        assert_eq!(r.format, format);
        assert_eq!(r.document, "identity_card");
        assert_eq!(r.document_number, "D23145890", "{format}");
        assert_eq!(r.birth_date.as_deref(), Some("1974-08-12"));
        assert_eq!(r.surname, "Eriksson");
    }
}

#[test]
fn an_albanian_passport_fills_the_applicant_as_the_register_writes_it() {
    let r = ok(&albanian_passport());
    assert_eq!(r.nationality.as_deref(), Some("ALB"));
    assert_eq!(
        (r.surname.as_str(), r.given_names.as_str()),
        ("Hoxha", "Arben")
    );
    assert_eq!(r.sex, "M");
    assert_eq!(r.birth_date.as_deref(), Some("1990-04-15"));
    assert_eq!(r.expiry_date.as_deref(), Some("2030-02-28"));
    assert_eq!(r.document_number, "BA1234567");
    assert!(r.notes.is_empty());
    // The same zone as the e2e test types it, with an empty personal number checked by `<`.
    let typed = "P<ALBHOXHA<<ARBEN<<<<<<<<<<<<<<<<<<<<<<<<<<<\nBA12345675ALB9004159M3002289<<<<<<<<<<<<<<<4";
    assert_eq!(ok(typed), r);
}

#[test]
fn an_italian_residence_permit_is_read_as_the_current_permit() {
    let zone = mrz::format_td1(&Td1Fields {
        document_code: "IR".into(),
        issuing_country: "ITA".into(),
        document_number: "I12345678".into(),
        surname: "KHAN".into(),
        given_names: "MUHAMMAD ALI".into(),
        nationality: "PAK".into(),
        date_of_birth: date("1985-01-31"),
        sex: Sex::Male,
        date_of_expiry: date("2027-01-10"),
        ..Td1Fields::default()
    });
    let r = ok(&zone);
    assert_eq!(r.document, "residence_permit");
    assert_eq!(r.document_number, "I12345678");
    assert_eq!(r.nationality.as_deref(), Some("PAK"));
    assert_eq!(
        r.given_names, "Muhammad Ali",
        "several given names, split on <"
    );
}

#[test]
fn icao_codes_that_are_not_iso_map_to_the_register_countries() {
    for (icao, expected) in [("D<<", Some("DEU")), ("RKS", Some("XKX")), ("XXA", None)] {
        let zone = mrz::format_td3(&Td3Fields {
            issuing_country: icao.trim_end_matches('<').into(),
            document_number: "C01X00T47".into(),
            surname: "MUSTERMANN".into(),
            given_names: "ERIKA".into(),
            nationality: icao.trim_end_matches('<').into(),
            date_of_birth: date("1964-08-12"),
            sex: Sex::Female,
            date_of_expiry: date("2031-10-31"),
            ..Td3Fields::default()
        });
        assert_eq!(ok(&zone).nationality.as_deref(), expected, "{icao}");
    }
}

#[test]
fn a_birth_in_this_year_s_two_digits_after_today_is_last_century() {
    // Today is 2026-11-26: a person born on 1926-12-01 has yy = 26, which must not become 2026.
    let zone = mrz::format_td3(&Td3Fields {
        issuing_country: "MAR".into(),
        document_number: "AB1234567".into(),
        surname: "EL AMRANI".into(),
        given_names: "FATIMA".into(),
        nationality: "MAR".into(),
        date_of_birth: date("2026-12-01"),
        sex: Sex::Female,
        date_of_expiry: date("2028-05-05"),
        ..Td3Fields::default()
    });
    let r = ok(&zone);
    assert_eq!(r.birth_date.as_deref(), Some("1926-12-01"));
    assert_eq!(r.surname, "El Amrani", "a surname in two parts");
}

#[test]
fn what_a_keyboard_or_a_scanner_sends_is_tidied_before_reading() {
    let expected = ok(SPECIMEN_TD3);
    // Lower case, stray spaces and a blank line, as typed by hand.
    let typed = "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\n\n L898902C36 UTO7408122F1204159ZE184226B<<<<<10 \r\n";
    assert_eq!(ok(typed), expected);
    // A scanner that sends both lines without a break.
    assert_eq!(ok(&SPECIMEN_TD3.replace('\n', "")), expected);
}

#[test]
fn a_misread_digit_names_the_field_it_protects_and_nothing_is_read() {
    // Date of birth 740812 read as 750812: its own check digit and the composite fail.
    let misread = SPECIMEN_TD3.replace("7408122F", "7508122F");
    assert_eq!(
        refused(&misread),
        vec!["mrz:mrz_check_birth_date", "mrz:mrz_check_composite"]
    );
    // The document number's last character misread.
    let misread = SPECIMEN_TD3.replace("L898902C36", "L898902C86");
    assert!(refused(&misread).contains(&"mrz:mrz_check_document_number".to_string()));
}

#[test]
fn wrong_lines_are_refused_with_the_line_and_its_length() {
    assert_eq!(refused("   \n "), vec!["mrz:mrz_empty"]);
    let first_only = SPECIMEN_TD3.lines().next().unwrap();
    assert_eq!(
        refused(first_only),
        vec!["mrz:mrz_lines"],
        "one line missing"
    );
    let short = SPECIMEN_TD3.replacen("<<<<<10", "<<<<10", 1);
    assert_eq!(refused(&short), vec!["mrz:mrz_length"]);
    let err = read(&short, &reference(), clock().today).unwrap_err();
    let mixite_core::Error::Invalid(fields) = err else {
        panic!("a field error")
    };
    assert!(
        fields[0].params.contains(&("line".into(), "2".into()))
            && fields[0].params.contains(&("got".into(), "43".into())),
        "{:?}",
        fields[0].params
    );
    let visa = SPECIMEN_TD3.replacen('P', "V", 1);
    assert_eq!(refused(&visa), vec!["mrz:mrz_document_code"]);
    let accented = SPECIMEN_TD3.replacen("ERIKSSON", "ERIKSSÖN", 1);
    assert_eq!(refused(&accented), vec!["mrz:mrz_character"]);
}
