//! The comunicazione di ospitalità and the delega for a real case: the typed host or delegate, the case's
//! applicant as guest or delegant, one or three copies, and every problem of an incomplete form at once.

use mixite_core::papers::declarations::{self, Delega, Ospitalita, Person, Property};
use mixite_core::papers::print::FontLibrary;

use crate::{clock, create, problems, squeezed_text, temp_register, worker};

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

fn host() -> Person {
    Person {
        surname: "Bianchi".into(),
        given_names: "Maria".into(),
        sex: "F".into(),
        birth_date: "1970-05-02".into(),
        birth_place: "Lucca".into(),
        citizenship: "ITA".into(),
        street: "Via Fillungo".into(),
        house_number: "10".into(),
        comune: "Lucca".into(),
        province: "LU".into(),
        phone: "0583 123456".into(),
        document_kind: "carta d'identità".into(),
        document_number: "CA12345AB".into(),
        permit_number: String::new(),
    }
}

fn ospitalita(copies: u8) -> Ospitalita {
    Ospitalita {
        host: host(),
        title: "proprietario".into(),
        title_other: String::new(),
        property: Property {
            street: "Via Fillungo".into(),
            house_number: "10".into(),
            comune: "Lucca".into(),
            province: "LU".into(),
            ..Property::default()
        },
        kind: "ospitalita".into(),
        from: "2026-12-01".into(),
        to: String::new(),
        copies,
    }
}

fn pages(pdf: &[u8]) -> usize {
    let needle = b"/Type/Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
        .count()
}

#[test]
fn the_comunicazione_di_ospitalita_names_host_guest_document_property_and_dates() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let one = declarations::pdf(&fonts(), &case, &ospitalita(1), &register, clock().today).unwrap();
    crate::checklist::artifacts("ospitalita-worker", &one);
    let text = squeezed_text(&one);
    for expected in [
        "COMUNICAZIONEDIOSPITALITÀ",
        "BianchiMaria",
        "inqualitàdi:proprietario",
        "COMUNICAdiospitare",
        "dal01/12/2026atempoindeterminato",
        "Lucca(LU),ViaFillungo10",
        "HoxhaArben",
        "passaporton.BA1234567",
        "Permessodisoggiorno(oricevutadelladomanda):I12345678",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let three =
        declarations::pdf(&fonts(), &case, &ospitalita(3), &register, clock().today).unwrap();
    assert_eq!(
        pages(&three),
        3 * pages(&one),
        "three copies, each starting on its own page"
    );
}

#[test]
fn an_incomplete_comunicazione_lists_every_problem_and_prints_nothing() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let mut form = ospitalita(2);
    form.host.surname.clear();
    form.host.citizenship = "XYZ".into();
    form.title = "amico".into();
    form.property.street.clear();
    form.from = "2026-12-10".into();
    form.to = "2026-12-01".into();
    let err = declarations::pdf(&fonts(), &case, &form, &register, clock().today).unwrap_err();
    let mut got = problems(err);
    got.sort();
    assert_eq!(
        got,
        [
            "copies:unknown_code",
            "host.citizenship:unknown_country",
            "host.surname:required",
            "property.street:required",
            "title:required",
            "to:expiry_before_issue",
        ]
    );
}

#[test]
fn a_delega_names_the_delegate_and_what_they_may_do() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let form = Delega {
        delegate: host(),
        purpose: "ritirare allo sportello la ricevuta e le copie dei documenti".into(),
    };
    let pdf = declarations::pdf(&fonts(), &case, &form, &register, clock().today).unwrap();
    let text = squeezed_text(&pdf);
    for expected in [
        "DELEGA",
        "HoxhaArben",
        "BianchiMaria",
        "a:ritirareallosportellolaricevuta",
        "2026/000001",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let empty = Delega::default();
    let err = declarations::pdf(&fonts(), &case, &empty, &register, clock().today).unwrap_err();
    assert!(problems(err).contains(&"purpose:required".to_string()));
}

/// A worker with a child, a family with a spouse and two children, a student, an asylum renewal: each
/// case gets every paper that applies, and each paper names the case and the applicant.
#[test]
fn every_paper_prints_for_four_realistic_cases() {
    let (_dir, mut register) = temp_register();
    let mut family = worker();
    family.applicant.surname = "El Idrissi".into();
    family.applicant.given_names = "Fatima Zahra".into();
    family.applicant.sex = "F".into();
    family.applicant.codice_fiscale.clear();
    family.request.motivo_code = "13".into();
    family.current_permit.motivo_code = "13".into();
    let mut spouse = family.household[0].clone();
    spouse.relation = "spouse".into();
    spouse.given_names = "Youssef".into();
    spouse.sex = "M".into();
    spouse.birth_date = "1985-03-03".into();
    family.household.push(spouse);
    let mut second = family.household[0].clone();
    second.given_names = "Amine".into();
    second.birth_date = "2021-09-09".into();
    family.household.push(second);
    let mut student = worker();
    student.applicant.surname = "Nguyễn".into();
    student.applicant.given_names = "Thị Lan".into();
    student.applicant.codice_fiscale.clear();
    student.household.clear();
    student.request.motivo_code = "24".into();
    student.current_permit.motivo_code = "24".into();
    let mut asylum = worker();
    asylum.applicant.surname = "Tesfaye".into();
    asylum.applicant.codice_fiscale.clear();
    asylum.request.motivo_code = "06".into();
    asylum.current_permit.motivo_code = "06".into();
    let fonts = fonts();
    for (data, procedure, surname) in [
        (worker(), "rinnovo_lavoro_subordinato", "HOXHA"),
        (family, "rinnovo_famiglia", "EL IDRISSI"),
        (student, "rinnovo_studio", "NGUYEN"),
        (asylum, "rinnovo_asilo", "TESFAYE"),
    ] {
        let case = create(&mut register, data);
        let p = register.catalogue().procedure(procedure).unwrap();
        let mut pdfs = Vec::new();
        for form in mixite_core::papers::forms::for_procedure(register.forms(), p) {
            let filled = mixite_core::papers::forms::fill(register.forms(), form, &case, p)
                .unwrap_or_else(|e| panic!("{procedure}: {e:?}"));
            pdfs.push(mixite_core::papers::forms::pdf(&fonts, &filled, clock().today).unwrap());
        }
        assert!(
            !pdfs.is_empty(),
            "{procedure}: a kit procedure has its Modulo 1 guide"
        );
        pdfs.push(
            mixite_core::papers::receipt::pdf(
                &register,
                &fonts,
                case.id,
                "en",
                "Op",
                clock().today,
            )
            .unwrap(),
        );
        pdfs.push(
            mixite_core::papers::receipt::informativa_pdf(
                &register,
                &fonts,
                case.id,
                "fr",
                clock().today,
            )
            .unwrap(),
        );
        pdfs.push(
            declarations::pdf(&fonts, &case, &ospitalita(1), &register, clock().today).unwrap(),
        );
        let delega = Delega {
            delegate: host(),
            purpose: "ritirare la ricevuta".into(),
        };
        pdfs.push(declarations::pdf(&fonts, &case, &delega, &register, clock().today).unwrap());
        let folded = surname.replace(' ', "");
        for (i, pdf) in pdfs.iter().enumerate() {
            let text = squeezed_text(pdf);
            assert!(
                text.contains(&case.number),
                "{procedure} paper {i}: the case number"
            );
            // Accents dropped and upper case, as the guides write names.
            assert!(
                deunicode::deunicode(&text).to_uppercase().contains(&folded),
                "{procedure} paper {i}: the applicant {surname} in {text}"
            );
        }
    }
}

#[test]
fn a_typed_name_with_a_character_no_font_has_is_refused_naming_its_field() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let mut form = ospitalita(1);
    form.host.surname = String::new();
    form.host.given_names = "Maria \u{1F600}".into();
    form.property.foglio = "12\u{1F3E0}".into();
    let err = declarations::pdf(&fonts(), &case, &form, &register, clock().today)
        .expect_err("an emoji is in no shipped font: the paper cannot print it");
    let mixite_core::Error::Invalid(fields) = err else {
        panic!("expected a field problem, got {err:?}");
    };
    let listed: Vec<String> = fields
        .iter()
        .map(|f| format!("{}:{}", f.field, f.code))
        .collect();
    assert_eq!(
        listed,
        [
            "host.surname:required",
            "host.givenNames:missing_glyphs",
            "property.foglio:missing_glyphs"
        ],
        "each unprintable text is refused on its own field, with the form's other problems"
    );
    assert_eq!(
        fields[1].params,
        [("chars".to_string(), "\u{1F600} (U+1F600)".to_string())],
        "the problem names the character, so the operator knows what to retype"
    );

    let delega = Delega {
        delegate: Person {
            surname: "Rossi\u{1F600}".into(),
            ..host()
        },
        purpose: "ritirare la ricevuta".into(),
    };
    let err = declarations::pdf(&fonts(), &case, &delega, &register, clock().today)
        .expect_err("the delegate's name cannot be printed");
    assert_eq!(
        problems(err),
        ["delegate.surname:missing_glyphs"],
        "the delega names the delegate's field"
    );
}
