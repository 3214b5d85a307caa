use mixite_core::model::CaseData;

use crate::{clock, op, problems, temp_register, worker};

fn refused(edit: impl FnOnce(&mut CaseData)) -> Vec<String> {
    let (_dir, mut register) = temp_register();
    let mut data = worker();
    edit(&mut data);
    let result = register.create(
        &mixite_core::NewCase {
            data,
            ..Default::default()
        },
        &clock(),
        &op("Op"),
    );
    let found = problems(result.expect_err("the input must be refused"));
    assert!(
        register.search("", 0, 10).unwrap().items.is_empty(),
        "a refused case must leave nothing stored"
    );
    found
}

#[test]
fn an_empty_surname_is_required() {
    assert_eq!(
        refused(|d| d.applicant.surname = "   ".into()),
        ["applicant.surname:required"]
    );
}

#[test]
fn a_birth_date_in_the_future_or_before_1900_is_refused() {
    assert_eq!(
        refused(|d| d.applicant.birth_date = "2026-11-27".into()),
        ["applicant.birthDate:date_future"]
    );
    assert_eq!(
        refused(|d| d.applicant.birth_date = "1899-12-31".into()),
        ["applicant.birthDate:date_before_1900"]
    );
    assert_eq!(
        refused(|d| d.applicant.birth_date = "2026-02-30".into()),
        ["applicant.birthDate:date_invalid"]
    );
}

#[test]
fn a_document_expiring_before_its_issue_is_refused() {
    assert_eq!(
        refused(|d| d.applicant.document.expiry_date = "2019-01-01".into()),
        ["applicant.document.expiryDate:expiry_before_issue"]
    );
}

#[test]
fn a_malformed_codice_fiscale_or_email_is_refused() {
    assert_eq!(
        refused(|d| d.applicant.codice_fiscale = "HXHRBN90D15Z100A".into()),
        ["applicant.codiceFiscale:codice_fiscale_check"]
    );
    assert_eq!(
        refused(|d| d.applicant.codice_fiscale = "HXHRBN90".into()),
        ["applicant.codiceFiscale:codice_fiscale_format"]
    );
    assert_eq!(
        refused(|d| d.applicant.email = "arben@".into()),
        ["applicant.email:email_format"]
    );
    assert_eq!(
        refused(|d| d.applicant.email = "arben@localhost".into()),
        ["applicant.email:email_format"]
    );
}

#[test]
fn valid_codici_fiscali_pass_including_omocodia_and_the_numeric_provisional_code() {
    for code in [
        "RSSMRA45D25F205N",
        "RSSNTN85E23Z110R",
        "TTVNLA61B15Z135B",
        "rssmra45d25f205n",
        "12345678903",
    ] {
        let (_dir, mut register) = temp_register();
        let mut data = worker();
        data.applicant.codice_fiscale = code.into();
        assert!(
            register
                .create(
                    &mixite_core::NewCase {
                        data,
                        ..Default::default()
                    },
                    &clock(),
                    &op("Op")
                )
                .is_ok(),
            "{code} is a well-formed code"
        );
    }
    // Omocodia: the last digit 5 of the day replaced by R, check character recomputed.
    let first15 = "RSSMRA45D2RF205";
    let code = format!(
        "{first15}{}",
        mixite_core::reference::codice_fiscale::check_character(first15)
    );
    assert!(
        mixite_core::reference::codice_fiscale::check(&code).is_ok(),
        "omocodia letters are accepted"
    );
}

#[test]
fn ten_thousand_characters_are_too_long() {
    let long = "A".repeat(10_000);
    assert_eq!(
        refused(|d| d.applicant.surname = long.clone()),
        ["applicant.surname:too_long"]
    );
    assert_eq!(refused(|d| d.notes = long.clone()), ["notes:too_long"]);
}

#[test]
fn control_characters_and_what_lone_surrogates_become_are_refused() {
    assert_eq!(
        refused(|d| d.applicant.birth_place = "Dur\u{7}rës".into()),
        ["applicant.birthPlace:forbidden_character"]
    );
    assert_eq!(
        refused(|d| d.applicant.address.street = "Via\u{0}Roma".into()),
        ["applicant.address.street:forbidden_character"]
    );
    assert_eq!(
        refused(|d| d.applicant.address.comune = "Lu\u{FFFD}ca".into()),
        ["applicant.address.comune:forbidden_character"]
    );
    assert_eq!(
        refused(|d| d.applicant.birth_place = "abc\u{202E}def".into()),
        ["applicant.birthPlace:forbidden_character"]
    );
}

#[test]
fn names_must_be_in_latin_script_as_in_the_passport() {
    assert_eq!(
        refused(|d| d.applicant.surname = "محمد".into()),
        ["applicant.surname:name_latin"]
    );
    assert_eq!(
        refused(|d| d.applicant.given_names = "Arben1".into()),
        ["applicant.givenNames:name_latin"]
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let found = refused(|d| {
        d.applicant.surname.clear();
        d.applicant.sex = "Q".into();
        d.applicant.citizenships.clear();
        d.applicant.address.postcode = "5510".into();
        d.applicant.address.province = "L1".into();
        d.household[0].birth_date = "2030-01-01".into();
        d.request.motivo_code = "99".into();
        d.applicant.language = "xx".into();
    });
    assert_eq!(
        found,
        [
            "applicant.surname:required",
            "applicant.sex:unknown_code",
            "applicant.citizenships:required",
            "applicant.address.postcode:postcode_format",
            "applicant.address.province:province_format",
            "applicant.language:unknown_code",
            "household.0.birthDate:date_future",
            "request.motivoCode:unknown_code",
        ],
        "the operator sees every problem in one go"
    );
}

#[test]
fn motivi_follow_the_dated_table() {
    assert_eq!(
        refused(|d| d.request.motivo_code = "26".into()),
        ["request.motivoCode:motivo_not_in_force"],
        "tourism (26) left the Poste list"
    );
    assert_eq!(
        refused(|d| {
            d.request.procedure = "rilascio".into();
            d.request.motivo_code = "07".into();
        }),
        ["request.motivoCode:motivo_procedure_mismatch"],
        "asylum by kit is renewal only; first issue is at the Questura"
    );
}

#[test]
fn a_renewal_needs_the_current_permit() {
    assert_eq!(
        refused(|d| d.current_permit = Default::default()),
        [
            "currentPermit.motivoCode:required",
            "currentPermit.expiryDate:required"
        ]
    );
}
