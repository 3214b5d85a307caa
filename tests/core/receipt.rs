//! The bilingual receipt the applicant takes home: the case number, what was done today with its details,
//! the next step, in Italian beside the applicant's language; checked with `pdftotext`.

use mixite_core::model::StepInput;
use mixite_core::papers::print::FontLibrary;
use mixite_core::papers::receipt;
use mixite_core::register::operators::{Actor, Role};
use mixite_core::register::retention::Purpose;

use crate::{clock, create, locale_text, op, problems, squeezed_text, temp_register, worker};

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

/// A text of `locales/checklist/<lang>.yml` as the file holds it (`key` below `checklist.`), read
/// without the core's own translation lookup.
fn translated(lang: &str, key: &str) -> String {
    locale_text("checklist", lang, &format!("checklist.{key}"))
        .unwrap_or_else(|| panic!("{lang}: checklist.{key} is a text"))
}

/// Text as `squeezed_text` gives it: every space removed.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
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
        .add_step(
            case.id,
            case.revision,
            &sent,
            &clock(),
            &op("Operatore Uno"),
        )
        .unwrap();
    let fonts = fonts();
    let next_in_italian = squeezed(&translated("it", "next.questura_date"));
    for (language, title) in [
        ("en", "Receipt:yourcasehasbeentakenon"),
        ("zh", "档案受理回执"),
        ("ar", "إيصال"),
    ] {
        // The applicant's next step as the translators wrote it (a kit sent: the Questura's appointment),
        // which the Italian line cannot stand in for.
        let next = translated(language, "next.questura_date");
        assert_ne!(
            squeezed(&next),
            next_in_italian,
            "{language}: the next step has its own translation"
        );
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
            next_in_italian.as_str(),
            title,
        ] {
            assert!(
                text.contains(expected),
                "{language}: {expected:?} in {text}"
            );
        }
        // pdftotext gives a right-to-left line as its runs in visual order (between embedding marks),
        // so an Arabic sentence is looked for word by word; a left-to-right one whole.
        let found = if language == "ar" {
            let plain: String = text
                .chars()
                .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'))
                .collect();
            next.split_whitespace()
                .map(|w| w.trim_matches(|c: char| c.is_ascii_punctuation()))
                .all(|w| plain.contains(w))
        } else {
            text.contains(&squeezed(&next))
        };
        assert!(
            found,
            "{language}: the next step in the applicant's language, {next:?}, in {text}"
        );
    }
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
            "Informativasultrattamentodeidatipersonalieconsenso",
            "ComunediLucca,PiazzaSanMartino7",
            // The periods in force, one line per purpose, not a fixed number of years.
            "Contattiperilpromemoriadelrinnovo(telefono,email):12mesi",
            "Notelibere(notedellapraticaedeipassi):0mesidallachiusuradellapratica",
            "Pratica(datirichiestidalfinanziatore):60mesidal31dicembre",
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
        assert!(!text.contains("5anni"), "{language}: no period of its own");
    }

    // The Comune's archive plan keeps cases for 10 years: the notice says so.
    let boss = Actor::unchecked(
        "00000000-0000-4000-8000-000000000002",
        "Responsabile Rossi",
        Role::Responsabile,
    );
    register
        .set_retention_months(&boss, Purpose::Case, Some(120), &clock())
        .unwrap();
    let pdf = receipt::informativa_pdf(&register, &fonts(), case.id, "fr", clock().today).unwrap();
    let text = squeezed_text(&pdf);
    assert!(
        text.contains("Pratica(datirichiestidalfinanziatore):120mesidal31dicembre"),
        "{text}"
    );
}
