//! The bilingual receipt the applicant takes home: the case number, what was done today with its details,
//! the next step, in Italian beside the applicant's language; checked with `pdftotext`.

use mixite_core::model::StepInput;
use mixite_core::print::FontLibrary;
use mixite_core::receipt;

use crate::{clock, create, problems, squeezed_text, temp_register, worker};

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

#[test]
fn the_receipt_tells_what_was_done_today_and_what_comes_next_in_both_languages() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let sent = StepInput {
        kind: "kit_sent".into(),
        date: "2026-11-26".into(),
        details: mixite_core::model::StepDetails {
            assicurata: "050123456789".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let case = register
        .add_step(case.id, case.revision, &sent, &clock(), "Operatore Uno")
        .unwrap();
    let fonts = fonts();
    for (language, title, next) in [
        ("en", "Receipt:yourcasehasbeentakenon", "Questura"),
        ("zh", "案件受理回执", "Questura"),
        ("ar", "إيصال", "Questura"),
    ] {
        let pdf = receipt::pdf(
            &register,
            &fonts,
            case.id,
            language,
            "Operatore Uno",
            clock().today,
        )
        .unwrap();
        crate::checklist::artifacts(&format!("receipt-{language}"), &pdf);
        let text = squeezed_text(&pdf);
        for expected in [
            "Ricevutadipresaincarico",
            "2026/000001",
            "Fattooggi",
            "Kitspeditodall'ufficiopostale",
            "050123456789",
            "Prossimopasso",
            "OperatoreUno",
            title,
            next,
        ] {
            assert!(
                text.contains(expected),
                "{language}: {expected:?} in {text}"
            );
        }
    }
    let _ = case;
}

#[test]
fn a_language_without_translation_is_refused_on_the_language_field() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let err = receipt::pdf(&register, &fonts(), case.id, "xx", "Op", clock().today).unwrap_err();
    assert_eq!(problems(err), ["language:unknown_code"]);
}

#[test]
fn the_privacy_notice_names_controller_retention_and_consent_in_both_languages() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    for (language, title) in [
        ("ur", "ذاتی"),
        ("zh", "个人数据处理告知及同意书"),
        ("sq", "Informacionpërpërpunimin"),
    ] {
        let pdf = receipt::informativa_pdf(&register, &fonts(), case.id, language, clock().today)
            .unwrap();
        crate::checklist::artifacts(&format!("informativa-{language}"), &pdf);
        let text = squeezed_text(&pdf);
        for expected in [
            "Informativasultrattamentodeidatipersonaliconsenso"
                .replace("consenso", "econsenso")
                .as_str(),
            "ComunediLucca,PiazzaSanMartino7",
            "5anni",
            "[]acconsento",
            "www.garanteprivacy.it",
            "daconfermare",
            title,
        ] {
            assert!(
                text.contains(expected),
                "{language}: {expected:?} in {text}"
            );
        }
    }
}
