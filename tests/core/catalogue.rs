use mixite_core::error::{FieldCode, Missing};
use mixite_core::model::{CaseData, HouseholdMember};
use mixite_core::reference::catalogue::{
    Catalogue, FeeLine, ResolvedChecklist, Selection, LOCALE_FILES, PROCEDURE_FILES,
};
use mixite_core::reference::fees::{FeeTables, Household};
use mixite_core::reference::Reference;
use mixite_core::Error;

use crate::{clock, day, worker};

const KIT_LAVORO: &str = include_str!("../../assets/procedures/kit_lavoro.toml");
const FEES: &str = include_str!("../../assets/reference/fees.toml");
const ASSEGNO: &str = include_str!("../../assets/reference/assegno_sociale.toml");

/// Every procedure the issue lists, by id.
const ISSUE_PROCEDURES: [&str; 31] = [
    "rinnovo_lavoro_subordinato",
    "rinnovo_lavoro_autonomo",
    "rinnovo_attesa_occupazione",
    "rinnovo_famiglia",
    "rinnovo_famiglia_minore",
    "rinnovo_studio",
    "rinnovo_asilo",
    "ue_lungo_periodo_rilascio",
    "ue_lungo_periodo_aggiornamento",
    "famiglia_convivente_italiano",
    "protezione_sussidiaria",
    "protezione_speciale",
    "cure_mediche",
    "minore_eta",
    "conversione_minore_eta_18",
    "duplicato_permesso",
    "aggiornamento_indirizzo",
    "aggiornamento_passaporto",
    "aggiornamento_figlio",
    "aggiornamento_dati_anagrafici",
    "aggiornamento_foto",
    "conversione_studio_lavoro",
    "conversione_stagionale_subordinato",
    "conversione_subordinato_autonomo",
    "conversione_non_consentite",
    "comunicazione_ospitalita",
    "idoneita_alloggiativa",
    "iscrizione_anagrafica",
    "iscrizione_ssn",
    "nulla_osta_ricongiungimento",
    "cittadinanza",
];

fn tables() -> (Catalogue, Reference, FeeTables) {
    (
        Catalogue::bundled().expect("the bundled catalogue is valid"),
        Reference::bundled().unwrap(),
        FeeTables::bundled().expect("the bundled fee tables are valid"),
    )
}

fn child(given: &str, birth: &str) -> HouseholdMember {
    HouseholdMember {
        relation: "child".into(),
        surname: "Hoxha".into(),
        given_names: given.into(),
        sex: "F".into(),
        birth_date: birth.into(),
        citizenship: "ALB".into(),
        codice_fiscale: String::new(),
    }
}

/// The worker of the other tests with two children under 14 (born 2019 and 2021).
fn worker_with_two_children() -> CaseData {
    let mut case = worker();
    case.household.push(child("Drita", "2021-03-10"));
    case
}

fn resolve(procedure: &str, case: &CaseData, on: &str) -> ResolvedChecklist {
    let (catalogue, reference, fees) = tables();
    catalogue
        .checklist(
            &Selection {
                procedure,
                ..Selection::default()
            },
            case,
            &reference,
            &fees,
            day(on),
        )
        .expect("the checklist resolves")
}

fn fee<'a>(checklist: &'a ResolvedChecklist, id: &str) -> Option<&'a FeeLine> {
    checklist.fees.iter().find(|l| l.fee == id)
}

/// The data error of loading `kit_lavoro.toml` replaced by `text`.
fn load_kit_lavoro(text: &str) -> (String, usize, String) {
    let sources: Vec<(&str, &str)> = PROCEDURE_FILES
        .iter()
        .map(|&(name, original)| {
            if name.ends_with("kit_lavoro.toml") {
                (name, text)
            } else {
                (name, original)
            }
        })
        .collect();
    match Catalogue::from_sources(&sources) {
        Err(Error::Data {
            file,
            line,
            message,
        }) => (file, line, message),
        other => panic!("expected a data error, got {other:?}"),
    }
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle present")
        + 1
}

#[test]
fn the_bundled_catalogue_loads_and_has_every_procedure_of_the_issue() {
    let (catalogue, _, _) = tables();
    for id in ISSUE_PROCEDURES {
        assert!(
            catalogue.procedure(id).is_some(),
            "the issue asks for {id}; it must be in assets/procedures"
        );
    }
    let subordinato = catalogue.procedure("rinnovo_lavoro_subordinato").unwrap();
    assert_eq!(
        subordinato.variants,
        ["domestico", "cooperativa"],
        "the issue asks for the domestic-work and cooperative variants"
    );
    let cure = catalogue.procedure("cure_mediche").unwrap();
    assert_eq!(cure.variants.len(), 3, "the three kinds of cure mediche");
    let duplicato = catalogue.procedure("duplicato_permesso").unwrap();
    assert_eq!(
        duplicato.variants,
        ["furto", "smarrimento", "deterioramento"],
        "loss, theft and damage"
    );
    let other_offices = catalogue
        .procedures()
        .iter()
        .filter(|p| matches!(p.channel.as_str(), "comune" | "prefettura" | "other"))
        .count();
    assert!(
        other_offices >= 6,
        "at least six paperwork items besides permits, found {other_offices}"
    );
}

#[test]
fn the_embedded_file_list_matches_the_procedures_folder() {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/procedures");
    let mut on_disk: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = PROCEDURE_FILES
        .iter()
        .map(|(name, _)| name.trim_start_matches("assets/procedures/").to_string())
        .collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "a procedure file missing from catalogue::PROCEDURE_FILES would be silently left out"
    );
}

#[test]
fn an_unknown_fee_id_is_reported_on_its_line() {
    let broken = KIT_LAVORO.replacen("\"pse_card\"", "\"pse_kard\"", 2);
    let (file, line, message) = load_kit_lavoro(&broken);
    assert_eq!(file, "assets/procedures/kit_lavoro.toml");
    assert_eq!(
        line,
        line_of(&broken, "pse_kard"),
        "the error points at the line of the unknown fee id"
    );
    assert!(message.contains("pse_kard"), "{message}");
}

#[test]
fn a_toml_syntax_error_is_reported_with_file_and_line() {
    let broken = KIT_LAVORO.replacen("motivo = \"15\"", "motivo = 15\"", 1);
    let (file, line, _) = load_kit_lavoro(&broken);
    assert_eq!(file, "assets/procedures/kit_lavoro.toml");
    assert_eq!(
        line,
        line_of(&broken, "motivo = 15\""),
        "the parser's position becomes a line"
    );
}

#[test]
fn an_unknown_condition_is_reported_on_its_line() {
    let broken = KIT_LAVORO.replacen(
        "when = \"variant:cooperativa\"",
        "when = \"if_cooperative\"",
        1,
    );
    let (_, line, message) = load_kit_lavoro(&broken);
    assert_eq!(line, line_of(&broken, "if_cooperative"));
    assert!(message.contains("unknown condition"), "{message}");
}

#[test]
fn a_variant_the_procedure_does_not_offer_is_refused() {
    let broken = KIT_LAVORO.replacen(
        "when = \"variant:cooperativa\"",
        "when = \"variant:coop\"",
        1,
    );
    let (_, line, message) = load_kit_lavoro(&broken);
    assert_eq!(line, line_of(&broken, "variant:coop\""));
    assert!(message.contains("no variant coop"), "{message}");
}

#[test]
fn a_missing_text_key_an_unknown_motivo_and_a_duplicate_id_are_refused() {
    let missing = KIT_LAVORO.replacen("text = \"doc.unilav\"", "text = \"doc.unilav_typo\"", 1);
    let (_, line, message) = load_kit_lavoro(&missing);
    assert_eq!(line, line_of(&missing, "doc.unilav_typo"));
    assert!(
        message.contains("doc.unilav_typo") && message.contains("missing"),
        "a text key must exist in both locale files: {message}"
    );

    let motivo = KIT_LAVORO.replacen("motivo = \"15\"", "motivo = \"99\"", 1);
    let (_, line, message) = load_kit_lavoro(&motivo);
    assert_eq!(line, line_of(&motivo, "motivo = \"99\""));
    assert!(message.contains("unknown motivo 99"), "{message}");

    let duplicate = KIT_LAVORO.replacen(
        "id = \"rinnovo_lavoro_autonomo\"",
        "id = \"rinnovo_famiglia\"",
        1,
    );
    let (file, line, message) = load_kit_lavoro(&duplicate);
    assert!(message.contains("duplicate procedure id"), "{message}");
    // kit_lavoro.toml is loaded before kit_famiglia.toml: the second one is the duplicate.
    assert_eq!(file, "assets/procedures/kit_famiglia.toml");
    assert!(line > 0);
}

#[test]
fn a_text_missing_from_one_language_is_reported_in_the_locale_file() {
    let (it, en) = (LOCALE_FILES[0], LOCALE_FILES[1]);
    let needle = "    unilav: ";
    let start = en.1.find(needle).unwrap();
    let end = start + en.1[start..].find('\n').unwrap() + 1;
    let en_without = format!("{}{}", &en.1[..start], &en.1[end..]);
    let result = Catalogue::load(
        &PROCEDURE_FILES,
        [it, (en.0, &en_without)],
        &Reference::bundled().unwrap(),
        &FeeTables::bundled().unwrap(),
    );
    match result {
        Err(Error::Data {
            file,
            line,
            message,
        }) => {
            assert_eq!(file, "locales/checklist/it.yml", "{message}");
            assert_eq!(line, line_of(it.1, needle), "the line of the key in it.yml");
            assert!(message.contains("checklist.doc.unilav"), "{message}");
        }
        other => panic!("expected a data error, got {other:?}"),
    }

    // The same key twice: YAML forbids it, and the second one is the line to fix.
    let line = &en.1[start..end];
    let duplicated = format!("{}{line}{}", &en.1[..end], &en.1[end..]);
    match Catalogue::load(
        &PROCEDURE_FILES,
        [it, (en.0, &duplicated)],
        &Reference::bundled().unwrap(),
        &FeeTables::bundled().unwrap(),
    ) {
        Err(Error::Data {
            file,
            line,
            message,
        }) => {
            assert_eq!(file, "locales/checklist/en.yml");
            assert_eq!(
                line,
                line_of(en.1, needle) + 1,
                "the duplicate's own line: {message}"
            );
        }
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn malformed_fee_tables_are_reported_with_file_and_line() {
    let overlap = FEES.replacen("valid_to = \"2016-04-28\"", "valid_to = \"2016-05-28\"", 1);
    match FeeTables::from_sources(("fees.toml", &overlap), ("assegno.toml", ASSEGNO)) {
        Err(Error::Data {
            file,
            line,
            message,
        }) => {
            assert_eq!(file, "fees.toml");
            assert_eq!(
                line,
                line_of(&overlap, "valid_from = \"2016-04-28\""),
                "the row that starts inside the previous one"
            );
            assert!(message.contains("overlap"), "{message}");
        }
        other => panic!("expected a data error, got {other:?}"),
    }
    let typo = ASSEGNO.replacen("annual_cents = 700297", "annual_cents = 700279", 1);
    match FeeTables::from_sources(("fees.toml", FEES), ("assegno.toml", &typo)) {
        Err(Error::Data { line, message, .. }) => {
            assert_eq!(line, line_of(&typo, "year = 2025"), "{message}");
        }
        other => panic!("a yearly amount that is not 13 monthly payments is a typo: {other:?}"),
    }
}

#[test]
fn a_worker_with_two_children_under_14_pays_three_cards_and_one_contribution() {
    let checklist = resolve(
        "rinnovo_lavoro_subordinato",
        &worker_with_two_children(),
        "2026-11-26",
    );
    let line = |id| fee(&checklist, id).unwrap_or_else(|| panic!("fee line {id}"));
    assert_eq!(
        (line("bollo").unit_cents, line("bollo").count),
        (1600, 1),
        "one marca da bollo per Modulo 1: children under 14 are on the parent's application"
    );
    assert_eq!(
        (line("pse_card").unit_cents, line("pse_card").count),
        (3046, 3),
        "a card for the applicant and one for each child under 14"
    );
    assert_eq!(
        (
            line("contributo").band.as_deref(),
            line("contributo").subtotal_cents
        ),
        (Some("le_2y"), 5000),
        "the procedure's default band: over 1 and up to 2 years"
    );
    assert_eq!(line("poste").subtotal_cents, 3000, "one envelope");
    assert_eq!(
        checklist.total_cents, 18738,
        "16 + 3 × 30.46 + 50 + 30 = 187.38"
    );
    let names: Vec<_> = checklist
        .documents
        .iter()
        .filter(|l| l.text == "doc.child_passport_copy")
        .map(|l| l.params["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Elira Hoxha", "Drita Hoxha"],
        "one passport copy line per child under 14, with the child's name"
    );
    assert_eq!(
        checklist.documents[0].text, "doc.modulo_1",
        "the included groups' lines come first"
    );
}

#[test]
fn an_asylum_renewal_is_exempt_from_the_contribution() {
    let mut case = worker();
    case.household.clear();
    case.request.motivo_code = "07".into();
    let checklist = resolve("rinnovo_asilo", &case, "2026-11-26");
    let contribution = fee(&checklist, "contributo").expect("the exempt line is shown");
    assert!(contribution.exempt, "brief §2.3: asylum is exempt");
    assert_eq!(
        contribution.exempt_reason.as_deref(),
        Some("exempt.protection")
    );
    assert_eq!(contribution.subtotal_cents, 0);
    assert_eq!(checklist.total_cents, 7646, "16 + 30.46 + 30 = 76.46");
}

#[test]
fn the_eu_long_term_permit_pays_the_long_term_band() {
    let mut case = worker();
    case.household.clear();
    let checklist = resolve("ue_lungo_periodo_rilascio", &case, "2026-11-26");
    assert_eq!(
        fee(&checklist, "contributo").map(|l| l.subtotal_cents),
        Some(10000)
    );
    assert_eq!(
        checklist.total_cents, 17646,
        "16 + 30.46 + 100 + 30 = 176.46"
    );
}

#[test]
fn in_the_2016_annulment_period_no_contribution_is_due() {
    let checklist = resolve(
        "rinnovo_lavoro_subordinato",
        &worker_with_two_children(),
        "2016-07-01",
    );
    assert!(
        fee(&checklist, "contributo").is_none(),
        "TAR Lazio 6095/2016 annulled the DM: nothing to pay until 9 June 2017"
    );
    let card = fee(&checklist, "pse_card").unwrap();
    assert_eq!(card.unit_cents, 3046, "€30.46 from 28 April 2016");
    assert_eq!(
        card.count, 1,
        "children born after the case's date are not counted"
    );
    assert_eq!(checklist.total_cents, 1600 + 3046 + 3000);
}

#[test]
fn past_dates_use_the_amounts_then_in_force() {
    let mut case = worker();
    case.household.clear();
    case.applicant.birth_date = "1980-01-01".into();
    let in_2013 = resolve("rinnovo_lavoro_subordinato", &case, "2013-01-15");
    assert_eq!(
        fee(&in_2013, "contributo").map(|l| l.unit_cents),
        Some(10000),
        "2012 DM: €100 for over 1 up to 2 years"
    );
    assert_eq!(fee(&in_2013, "pse_card").map(|l| l.unit_cents), Some(2750));
    assert_eq!(
        fee(&in_2013, "bollo").map(|l| (l.unit_cents, l.verify)),
        Some((1462, true)),
        "the €14.62 bollo before 2013, marked to verify"
    );
    let (catalogue, reference, fees) = tables();
    let three_years = catalogue
        .checklist(
            &Selection {
                procedure: "rinnovo_lavoro_subordinato",
                variant: None,
                duration: Some("3y"),
            },
            &case,
            &reference,
            &fees,
            clock().today,
        )
        .unwrap();
    let line = fee(&three_years, "contributo").unwrap();
    assert_eq!(line.unit_cents, 5000);
    assert!(
        line.verify,
        "[CHECK] no source states the 3-year contribution"
    );
}

#[test]
fn a_minor_and_a_conversion_are_exempt_from_the_contribution() {
    let mut minor = worker();
    minor.applicant.birth_date = "2011-02-01".into();
    minor.household.clear();
    let checklist = resolve("rinnovo_famiglia_minore", &minor, "2026-11-26");
    let line = fee(&checklist, "contributo").unwrap();
    assert_eq!(
        (line.exempt, line.exempt_reason.as_deref()),
        (true, Some("exempt.minor"))
    );
    assert_eq!(
        fee(&checklist, "bollo").map(|l| l.count),
        Some(1),
        "a 15-year-old files their own Modulo 1 with its bollo"
    );

    let mut case = worker();
    case.household.clear();
    let duplicate = resolve_with("duplicato_permesso", Some("furto"), &case);
    let line = fee(&duplicate, "contributo").unwrap();
    assert!(
        line.exempt && !line.verify,
        "the duplicate of a valid permit is exempt (DM 5 May 2017; review 2026-12 closed the conflict)"
    );
    case.current_permit.expiry_date = "2026-01-31".into();
    let duplicate = resolve_with("duplicato_permesso", Some("furto"), &case);
    assert!(
        !fee(&duplicate, "contributo").unwrap().exempt,
        "the duplicate of an expired permit pays the contribution"
    );
}

fn resolve_with(procedure: &str, variant: Option<&str>, case: &CaseData) -> ResolvedChecklist {
    let (catalogue, reference, fees) = tables();
    catalogue
        .checklist(
            &Selection {
                procedure,
                variant,
                duration: None,
            },
            case,
            &reference,
            &fees,
            clock().today,
        )
        .expect("the checklist resolves")
}

#[test]
fn variants_select_their_lines_and_a_required_variant_must_be_given() {
    let domestic = resolve_with("rinnovo_lavoro_subordinato", Some("domestico"), &worker());
    let texts: Vec<_> = domestic.documents.iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"doc.inps_denuncia_domestico"));
    assert!(
        !texts.contains(&"doc.unilav"),
        "domestic work has no UNILAV (not_variant:domestico)"
    );
    let plain = resolve_with("rinnovo_lavoro_subordinato", None, &worker());
    assert!(plain.documents.iter().any(|l| l.text == "doc.unilav"));
    assert!(!plain
        .documents
        .iter()
        .any(|l| l.text == "doc.coop_libro_soci"));

    let (catalogue, reference, fees) = tables();
    let ask = |variant| {
        catalogue.checklist(
            &Selection {
                procedure: "duplicato_permesso",
                variant,
                duration: None,
            },
            &worker(),
            &reference,
            &fees,
            clock().today,
        )
    };
    assert!(matches!(ask(None), Err(Error::Invalid(f)) if f[0].code == FieldCode::Required));
    assert!(
        matches!(ask(Some("fire")), Err(Error::Invalid(f)) if f[0].code == FieldCode::UnknownCode)
    );
    assert!(matches!(
        catalogue.checklist(
            &Selection {
                procedure: "nope",
                ..Selection::default()
            },
            &worker(),
            &reference,
            &fees,
            clock().today
        ),
        Err(Error::NotFound(Missing::Procedure))
    ));
}

#[test]
fn lines_the_app_cannot_decide_carry_a_qualifier_and_older_members_get_a_note() {
    let mut case = worker();
    case.household.push(HouseholdMember {
        relation: "child".into(),
        given_names: "Besa".into(),
        surname: "Hoxha".into(),
        birth_date: "2010-01-01".into(),
        ..HouseholdMember::default()
    });
    let study = resolve("rinnovo_studio", &case, "2026-11-26");
    let modulo_2 = study
        .documents
        .iter()
        .find(|l| l.text == "doc.modulo_2")
        .unwrap();
    assert_eq!(
        modulo_2.qualifier.as_deref(),
        Some("when.if_working"),
        "whether a student works is not in the case: the line says 'only if working'"
    );
    let own: Vec<_> = study
        .notes
        .iter()
        .filter(|l| l.text == "note.member_own_application")
        .map(|l| l.params["name"].as_str())
        .collect();
    assert_eq!(
        own,
        ["Besa Hoxha"],
        "a child of 16 files their own application"
    );
    assert_eq!(
        fee(&study, "pse_card").map(|l| l.count),
        Some(2),
        "the 16-year-old is not on the parent's card count; the 7-year-old is"
    );
}

#[test]
fn the_household_threshold_follows_the_assegno_sociale_rule() {
    let fees = FeeTables::bundled().unwrap();
    let at = |members, children_under_14| {
        fees.threshold(
            2025,
            Household {
                members,
                children_under_14,
            },
        )
        .unwrap()
        .threshold_cents
    };
    assert_eq!(
        at(0, 0),
        700297,
        "applicant alone: the assegno sociale 2025"
    );
    assert_eq!(at(1, 0), 1050446, "+1: × 1.5, the brief's table 10,504.46");
    assert_eq!(at(2, 0), 1400594, "+2: × 2, the brief's table 14,005.94");
    assert_eq!(at(2, 2), 1400594, "2 children under 14 only: × 2");
    assert_eq!(
        at(3, 3),
        1400594,
        "2 or more children under 14 count as one doubling, however many"
    );
    assert_eq!(
        at(3, 2),
        1750743,
        "spouse + 2 children under 14: 1 + ½ + 1 = × 2.5 (the brief's +3 row, 17,507.43)"
    );
    assert_eq!(at(6, 0), 2801188, "+6: × 4, the brief's table 28,011.88");
    let next = fees.threshold(2026, Household::default()).unwrap();
    assert!(next.provisional && next.verify, "2026 is provisional");
    assert_eq!(
        fees.threshold(2027, Household::default()).unwrap().year,
        2026,
        "a year not yet in the table uses the last known one, and says which"
    );
    assert!(fees.threshold(2022, Household::default()).is_none());
}

#[test]
fn a_checklist_with_an_income_requirement_shows_the_household_threshold() {
    let mut case = worker_with_two_children();
    case.household.push(HouseholdMember {
        relation: "spouse".into(),
        given_names: "Mira".into(),
        surname: "Hoxha".into(),
        birth_date: "1992-05-05".into(),
        ..HouseholdMember::default()
    });
    let checklist = resolve("rinnovo_famiglia", &case, "2025-06-01");
    let threshold = checklist
        .threshold
        .expect("family permits have an income requirement");
    assert_eq!(
        (
            threshold.year,
            threshold.household_size,
            threshold.factor_halves
        ),
        (2025, 4, 5),
        "applicant + spouse + 2 children under 14: factor 2.5"
    );
    assert_eq!(threshold.threshold_cents, 1750743);
    assert!(
        resolve("rinnovo_asilo", &worker(), "2025-06-01")
            .threshold
            .is_none(),
        "asylum has no income requirement"
    );
}

#[test]
fn paperwork_outside_the_permit_channels_does_not_borrow_the_cases_motivo() {
    let citizenship = resolve_with("cittadinanza", Some("residenza"), &worker());
    assert_eq!(
        (citizenship.motivo, citizenship.request),
        (None, None),
        "the case's permit request (16, rinnovo) says nothing about a citizenship application"
    );
    let mut minor = worker();
    minor.applicant.birth_date = "2011-02-01".into();
    minor.request.motivo_code = "14".into();
    let family_minor = resolve("rinnovo_famiglia_minore", &minor, "2026-11-26");
    assert_eq!(
        family_minor.request.as_deref(),
        Some("rinnovo"),
        "a kit procedure without its own request takes the case's"
    );
    assert!(family_minor.motivo_in_force);
}

// ------------------------------------------------------------ corrections of the December 2026 review

/// The worker alone (no household), current permit valid until 10 Jan 2027, on the counter's day.
fn alone() -> CaseData {
    let mut case = worker();
    case.household.clear();
    case
}

/// The worker alone, holding (and asking about) a permit the Questura issues directly.
fn questura_permit(motivo: &str) -> CaseData {
    let mut case = alone();
    case.request.motivo_code = motivo.into();
    case.current_permit.motivo_code = motivo.into();
    case
}

fn resolve_for(
    procedure: &str,
    variant: Option<&str>,
    duration: Option<&str>,
    case: &CaseData,
) -> ResolvedChecklist {
    let (catalogue, reference, fees) = tables();
    catalogue
        .checklist(
            &Selection {
                procedure,
                variant,
                duration,
            },
            case,
            &reference,
            &fees,
            clock().today,
        )
        .expect("the checklist resolves")
}

#[test]
fn the_bollettino_follows_the_permit_length_the_operator_picks() {
    // Review H1: €30.46 card + €40 (up to 1 year) or €50 (up to 2 years) on one bollettino.
    let slip = |duration| {
        let checklist = resolve_for("rinnovo_lavoro_subordinato", None, Some(duration), &alone());
        assert_eq!(
            checklist.slips.len(),
            1,
            "one bollettino for card and contribution"
        );
        checklist.slips[0].cents
    };
    assert_eq!(
        slip("le_1y"),
        7046,
        "1-year work renewal: €70.46 on the bollettino"
    );
    assert_eq!(
        slip("le_2y"),
        8046,
        "2-year work renewal: €80.46 on the bollettino"
    );

    let student = resolve_for(
        "iscrizione_ssn_volontaria",
        None,
        Some("studente"),
        &alone(),
    );
    assert_eq!(
        (
            fee(&student, "ssn_volontaria").unwrap().subtotal_cents,
            student.total_cents
        ),
        (70000, 70000),
        "a student's voluntary SSN enrolment is €700"
    );
}

#[test]
fn every_procedure_costs_its_hand_computed_total() {
    // Totals computed by hand from assets/reference/fees.toml on 26 Nov 2026 (bollo €16, card €30.46,
    // contribution €40/€50/€100, postal fee €30, citizenship €250, voluntary SSN €2,000), for one adult
    // applicant alone whose current permit is valid (or a 15-year-old for the minors' procedures).
    // Not computed by the code under test: a change of amounts or exemptions must change this table.
    let mut minor = alone();
    minor.applicant.birth_date = "2011-02-01".into();
    let adult = alone();
    let cure = questura_permit("Q-CURE");
    let cases: [(&str, Option<&str>, &CaseData, i64); 69] = [
        ("rinnovo_lavoro_subordinato", None, &adult, 12646), // 16 + 30.46 + 50 + 30
        ("rinnovo_lavoro_autonomo", None, &adult, 12646),
        ("rinnovo_attesa_occupazione", None, &adult, 11646), // 16 + 30.46 + 40 + 30
        ("rinnovo_famiglia", None, &adult, 12646),
        ("rinnovo_famiglia_minore", None, &minor, 7646), // minor: no contribution
        ("rinnovo_studio", None, &adult, 11646),
        ("rinnovo_asilo", None, &adult, 7646), // asylum: no contribution
        ("ue_lungo_periodo_rilascio", None, &adult, 17646), // 16 + 30.46 + 100 + 30
        ("ue_lungo_periodo_aggiornamento", None, &adult, 7646), // aggiornamento: exempt
        ("famiglia_convivente_italiano", None, &adult, 9646), // Questura: no postal fee
        ("protezione_sussidiaria", None, &adult, 4646),
        (
            "protezione_speciale",
            Some("decisione_commissione"),
            &adult,
            4646,
        ),
        ("cure_mediche", Some("art36"), &adult, 4646),
        ("minore_eta", None, &minor, 4646),
        (
            "conversione_minore_eta_18",
            Some("verso_studio"),
            &adult,
            7646,
        ), // valid permit: exempt
        (
            "conversione_studio_lavoro",
            Some("studio_a_subordinato"),
            &adult,
            9246,
        ), // 16 + 16 + 30.46 + 30
        ("conversione_stagionale_subordinato", None, &adult, 7646),
        (
            "conversione_subordinato_autonomo",
            Some("verso_autonomo"),
            &adult,
            7646,
        ),
        (
            "conversione_famiglia_lavoro",
            Some("famiglia_a_lavoro"),
            &adult,
            7646,
        ),
        ("conversione_non_consentite", None, &adult, 0),
        ("aggiornamento_indirizzo", None, &adult, 7646),
        ("aggiornamento_passaporto", None, &adult, 7646),
        ("aggiornamento_figlio", Some("nato_in_italia"), &adult, 7646),
        ("aggiornamento_dati_anagrafici", None, &adult, 7646),
        ("aggiornamento_foto", None, &adult, 7646),
        ("duplicato_permesso", Some("smarrimento"), &adult, 7646), // valid permit: exempt
        ("duplicato_carta", Some("furto"), &adult, 7646),
        ("comunicazione_ospitalita", None, &adult, 0),
        ("idoneita_alloggiativa", None, &adult, 1600),
        ("iscrizione_anagrafica", None, &adult, 0),
        ("rinnovo_dimora_abituale", None, &adult, 0),
        ("iscrizione_ssn", None, &adult, 0),
        ("iscrizione_ssn_volontaria", None, &adult, 200000),
        ("nulla_osta_ricongiungimento", None, &adult, 1600), // review L2: the €16 bollo counts
        ("cittadinanza", Some("residenza"), &adult, 26600),  // 250 + 16
        ("cittadinanza", Some("matrimonio"), &adult, 26600),
        // Issue 13 §2 (5 Dec 2026): card of family members of EU/Italian citizens, no contribution.
        ("carta_familiare_ue_rilascio", None, &adult, 4646), // 16 + 30.46
        ("carta_familiare_ue_rinnovo", None, &adult, 4646),
        ("carta_permanente_familiare_ue", None, &adult, 4646),
        ("primo_permesso_famiglia", None, &adult, 12646), // 16 + 30.46 + 50 + 30
        ("coesione_familiare", None, &adult, 12646),
        ("richiesta_asilo_rilascio", None, &adult, 0), // no fee line: the desk tells
        ("richiesta_asilo_rinnovo", None, &adult, 0),
        ("richiesta_asilo_ricorso", None, &adult, 0),
        ("primo_rilascio_asilo", None, &adult, 4646), // protection: no contribution
        ("primo_rilascio_sussidiaria", None, &adult, 4646),
        ("conversione_protezione_lavoro", None, &adult, 7646), // valid permit: exempt
        ("casi_speciali_art18", None, &adult, 8646),           // 16 + 30.46 + 40
        ("casi_speciali_art18bis", None, &adult, 8646),
        ("casi_speciali_art18ter", None, &adult, 8646),
        ("affidamento", None, &minor, 6046), // bollo exempt (02), minor: 30.46 + 30
        ("assistenza_minore_art31", None, &adult, 8646),
        ("prosieguo_amministrativo", None, &adult, 8646),
        ("studio_primo_rilascio", None, &adult, 11646), // 16 + 30.46 + 40 + 30
        ("studio_ricerca_lavoro", None, &adult, 11646),
        ("documento_viaggio_rifugiato", None, &adult, 11600), // 42.50 + 73.50
        // Other desk paperwork: free, except the CIE (EUR 22.21, flagged).
        ("codice_fiscale", None, &adult, 0),
        ("tessera_sanitaria", None, &adult, 0),
        ("isee_dsu", None, &adult, 0),
        ("conversione_patente", None, &adult, 0), // amounts told by the desk
        ("test_italiano_a2", None, &adult, 0),
        ("accordo_integrazione", None, &adult, 0),
        ("carta_identita", None, &adult, 2221),
        ("dichiarazione_presenza", None, &adult, 0),
        ("assegno_unico", None, &adult, 0),
        ("primo_permesso_lavoro_subordinato", None, &adult, 11646), // 16 + 30.46 + 40 + 30
        // Review M4 (5 Dec 2026): the renewal apart from the first issue, at the Questura (reading 1).
        ("famiglia_convivente_italiano_rinnovo", None, &adult, 9646), // 16 + 30.46 + 50
        // Review L14: aggiornamento and duplicato of a permit issued by the Questura (cure mediche).
        (
            "aggiornamento_questura",
            Some("nuovo_passaporto"),
            &cure,
            4646,
        ), // aggiornamento: exempt
        ("duplicato_questura", Some("smarrimento"), &cure, 4646), // valid permit: exempt
    ];
    let (catalogue, _, _) = tables();
    for p in catalogue.procedures() {
        assert!(
            cases.iter().any(|(id, ..)| *id == p.id),
            "procedure {} has no hand-computed total here",
            p.id
        );
    }
    for (procedure, variant, case, expected) in cases {
        let checklist = resolve_for(procedure, variant, None, case);
        assert_eq!(
            checklist.total_cents, expected,
            "{procedure} {variant:?}: total"
        );
    }
}

#[test]
fn refugee_sponsors_are_not_asked_for_income_or_housing_and_others_need_two_years() {
    // Review C1/C2: the sponsor's current permit decides (data: `current_motivo` conditions).
    let texts = |c: &ResolvedChecklist| -> Vec<String> {
        c.documents
            .iter()
            .chain(&c.notes)
            .map(|l| l.text.clone())
            .collect()
    };
    let worker_sponsor = resolve_for("nulla_osta_ricongiungimento", None, None, &alone());
    let t = texts(&worker_sponsor);
    for key in [
        "doc.idoneita_alloggiativa",
        "doc.sponsor_income",
        "note.ricongiungimento_2_years",
    ] {
        assert!(t.iter().any(|x| x == key), "a worker sponsor gets {key}");
    }
    assert!(
        worker_sponsor.threshold.is_some(),
        "a worker sponsor has an income threshold"
    );

    for refugee_motivo in ["07", "Q-PROT-SUSS"] {
        let mut refugee = alone();
        refugee.current_permit.motivo_code = refugee_motivo.into();
        let checklist = resolve_for("nulla_osta_ricongiungimento", None, None, &refugee);
        let t = texts(&checklist);
        for key in [
            "doc.idoneita_alloggiativa",
            "doc.sponsor_income",
            "note.ricongiungimento_2_years",
            "note.income_family",
        ] {
            assert!(!t.iter().any(|x| x == key), "{refugee_motivo}: no {key}");
        }
        assert!(
            t.iter().any(|x| x == "note.ricongiungimento_protection"),
            "{refugee_motivo}: the art. 29-bis note"
        );
        assert_eq!(
            checklist.threshold, None,
            "{refugee_motivo}: no income threshold"
        );
    }
}

#[test]
fn a_conversion_is_exempt_only_while_the_current_permit_is_valid_and_stays_flagged() {
    // Review H3 [conflict]: exempt if the permit is still valid, flagged with both readings.
    let valid = resolve_for(
        "conversione_subordinato_autonomo",
        Some("verso_autonomo"),
        None,
        &alone(),
    );
    let line = fee(&valid, "contributo").unwrap();
    assert!(line.exempt && line.verify, "valid permit: exempt, flagged");
    assert!(
        line.note
            .as_deref()
            .is_some_and(|n| n.contains("Reading 1") && n.contains("Reading 2")),
        "the operator sees both readings"
    );

    let mut expired = alone();
    expired.current_permit.expiry_date = "2026-10-01".into();
    let checklist = resolve_for(
        "conversione_subordinato_autonomo",
        Some("verso_autonomo"),
        None,
        &expired,
    );
    let line = fee(&checklist, "contributo").unwrap();
    assert_eq!(
        (line.exempt, line.subtotal_cents),
        (false, 5000),
        "expired: pays €50"
    );
}

#[test]
fn protection_holders_asking_for_the_eu_long_term_permit_get_a_flagged_exemption() {
    // Review H5: an exemption keyed on the current permit, flagged (conflict).
    let mut refugee = alone();
    refugee.current_permit.motivo_code = "07".into();
    let checklist = resolve_for("ue_lungo_periodo_rilascio", None, None, &refugee);
    let line = fee(&checklist, "contributo").unwrap();
    assert!(line.exempt && line.verify);
    let worker = resolve_for("ue_lungo_periodo_rilascio", None, None, &alone());
    assert_eq!(fee(&worker, "contributo").unwrap().subtotal_cents, 10000);
}

#[test]
fn every_line_knows_when_its_source_was_read_and_how_strong_it_is() {
    let (catalogue, ..) = tables();
    for p in catalogue.procedures() {
        assert!(
            p.checked_on.year >= 2026,
            "{}: checked by this team in 2026 or later",
            p.id
        );
        for row in p.documents.iter().chain(&p.notes) {
            assert!(row.read_on.year >= 2026, "{} {}: read_on", p.id, row.text);
            assert_eq!(
                row.official,
                catalogue.is_official(&row.source),
                "strength is derived from the URL"
            );
        }
    }
    assert!(catalogue.is_official("https://prefettura.interno.gov.it/it/node/643983"));
    assert!(catalogue.is_official("https://www.comune.lucca.it/cambio-residenza"));
    assert!(catalogue
        .is_official("https://informastranieri.comune.parma.it/news/2024-01-03/it-IT/x.aspx"));
    assert!(!catalogue.is_official("https://stranieriinitalia.it/normativa-immigrazione/x"));
    assert!(!catalogue.is_official("https://notinterno.gov.it.example.com/x"));
}

#[test]
fn a_read_on_date_more_precise_than_known_or_malformed_is_refused_on_its_line() {
    let (text, line, message) =
        load_kit_lavoro(&KIT_LAVORO.replacen("read_on = \"2026\"", "read_on = \"2026-13\"", 1));
    assert_eq!(text, "assets/procedures/kit_lavoro.toml");
    assert_eq!(line, line_of(KIT_LAVORO, "read_on = \"2026\""));
    assert!(message.contains("read_on"), "{message}");
}

fn texts(c: &ResolvedChecklist) -> Vec<String> {
    c.documents
        .iter()
        .chain(&c.notes)
        .map(|l| l.text.clone())
        .collect()
}

#[test]
fn questura_permits_renew_apart_from_their_first_issue_and_the_channel_conflict_shows_both_readings(
) {
    // Review M4 [conflict]: kit or Questura for the renewal; the sheet is the Questura's (reading 1),
    // flagged, and the operator reads both readings; the first issue asks for no permit to renew.
    let (catalogue, ..) = tables();
    for (first, renewal) in [
        (
            "famiglia_convivente_italiano",
            "famiglia_convivente_italiano_rinnovo",
        ),
        ("primo_rilascio_sussidiaria", "protezione_sussidiaria"),
    ] {
        let (first, renewal) = (
            catalogue.procedure(first).unwrap(),
            catalogue.procedure(renewal).unwrap(),
        );
        assert_eq!(first.request.as_deref(), Some("rilascio"), "{}", first.id);
        assert_eq!(
            renewal.request.as_deref(),
            Some("rinnovo"),
            "{}",
            renewal.id
        );
        assert_eq!(first.motivo, renewal.motivo, "{}: same motivo", renewal.id);
        assert_eq!(renewal.channel, "questura");
        let note = renewal.maintainer_note.as_deref().unwrap_or("");
        assert!(
            renewal.verify && note.contains("Reading 1") && note.contains("Reading 2"),
            "{}: flagged, both readings for the operator: {note}",
            renewal.id
        );
        let checklist = resolve_for(&renewal.id, None, None, &alone());
        let channel = checklist
            .notes
            .iter()
            .find(|l| l.text == "note.sussidiaria_channel_check")
            .unwrap_or_else(|| panic!("{}: the printed line says the desk will tell", renewal.id));
        assert!(
            channel.verify
                && channel
                    .note
                    .as_deref()
                    .is_some_and(|n| n.contains("Reading 2"))
        );
        assert!(texts(&checklist).contains(&"doc.permit_copy".to_string()));
        let first = resolve_for(&first.id, None, None, &alone());
        assert!(!texts(&first).contains(&"doc.permit_copy".to_string()));
    }
}

#[test]
fn a_questura_permit_has_its_own_aggiornamento_and_duplicato_flagged_with_the_reason() {
    // Review L14: no Poste code, so the case's motivo applies; every line flagged with the reason.
    let (catalogue, ..) = tables();
    for id in ["aggiornamento_questura", "duplicato_questura"] {
        let p = catalogue.procedure(id).unwrap();
        assert!(p.motivo.is_none() && p.channel == "questura" && p.verify);
        assert!(p
            .maintainer_note
            .as_deref()
            .is_some_and(|n| n.contains("L14")));
    }
    let cure = questura_permit("Q-CURE");
    let update = resolve_for(
        "aggiornamento_questura",
        Some("nuovo_domicilio"),
        None,
        &cure,
    );
    assert_eq!(
        (update.request.as_deref(), update.motivo.as_deref()),
        (Some("aggiornamento"), Some("Q-CURE"))
    );
    let t = texts(&update);
    assert!(t.contains(&"doc.housing_proof".to_string()));
    assert!(t.contains(&"doc.passport_original_and_copy".to_string()));
    assert!(!t.contains(&"doc.new_passport_copy".to_string()));
    assert!(update
        .documents
        .iter()
        .filter(|l| l.text != "doc.permit_copy_current"
            && l.text != "doc.new_passport_copy"
            && l.text != "doc.consulate_declaration_same_person")
        .all(|l| l.verify && l.note.is_some()));

    // A refugee brings a passport only if there is one (review L7).
    let refugee = questura_permit("Q-RIFUGIATO");
    let t = texts(&resolve_for(
        "duplicato_questura",
        Some("furto"),
        None,
        &refugee,
    ));
    assert!(t.contains(&"doc.passport_if_any".to_string()));
    assert!(!t.contains(&"doc.passport_original_and_copy".to_string()));
    assert!(t.contains(&"doc.denuncia_copy".to_string()));

    // The duplicate of an expired permit pays the contribution (a motivo not exempt): 16 + 30.46 + 40.
    let mut expired = questura_permit("Q-FAM-ITA");
    expired.current_permit.expiry_date = "2026-10-01".into();
    let checklist = resolve_for("duplicato_questura", Some("deterioramento"), None, &expired);
    assert_eq!(checklist.total_cents, 8646);
}
