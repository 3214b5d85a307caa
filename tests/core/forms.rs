//! The guides to filling in Modulo 1 and Modulo 2, for realistic cases (a worker with a child, a student,
//! an asylum renewal): the values in the boxes, their order in the PDF (`pdftotext`), the list of every
//! problem of an incomplete case with no PDF, and the form files' own checks.

use mixite_core::model::CaseView;
use mixite_core::papers::forms::{self, Filled};
use mixite_core::papers::print::FontLibrary;
use mixite_core::Register;

use crate::{clock, create, problems, squeezed_text, temp_register, worker};

fn procedure<'r>(
    register: &'r Register,
    id: &str,
) -> &'r mixite_core::reference::catalogue::Procedure {
    register
        .catalogue()
        .procedure(id)
        .expect("a procedure of the catalogue")
}

fn guide(register: &Register, case: &CaseView, procedure_id: &str, form: &str) -> Filled {
    let p = procedure(register, procedure_id);
    let form = forms::for_procedure(register.forms(), p)
        .into_iter()
        .find(|f| f.head.id == form)
        .unwrap_or_else(|| panic!("{form} applies to {procedure_id}"));
    forms::fill(register.forms(), form, case, p).unwrap_or_else(|e| panic!("{e:?}"))
}

fn value(filled: &Filled, number: &str) -> String {
    filled
        .rows
        .iter()
        .find(|r| r.number == number)
        .unwrap_or_else(|| panic!("field {number}"))
        .value
        .clone()
}

#[test]
fn a_worker_s_modulo_1_guide_has_every_value_in_the_kit_s_format_and_order() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let filled = guide(&register, &case, "rinnovo_lavoro_subordinato", "modulo1");
    for (number, expected) in [
        ("1", "LUCCA"),
        ("2", "LU"),
        ("3", "HOXHA"),
        ("4", "ARBEN"),
        ("9", "X"),
        ("8", ""),
        ("14", "X"),
        ("15", ""),
        ("16", "16"),
        ("18", "I12345678"),
        ("20", "10012027"),
        ("23", "X"),
        ("24", "X"),
        ("26", "1"),
        ("31", "HXHRBN90D15Z100Z"),
        ("33", "M"),
        ("34", "15041990"),
        ("35", "ALB"),
        ("36", "ALB"),
        ("38", "DURRES"),
        ("40", "X"),
        ("44", "BA1234567"),
        ("45", "28022030"),
        ("46", "01"),
        ("68", "VIA DEL MORO"),
    ] {
        assert_eq!(value(&filled, number), expected, "field {number}");
    }
    assert!(
        filled.rows.iter().any(|r| r.number == "16" && r.verify),
        "field 16's number is in conflict"
    );

    let fonts = FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"));
    let pdf = forms::pdf(&fonts, &filled, clock().today).unwrap();
    crate::checklist::artifacts("modulo1-worker", &pdf);
    let text = squeezed_text(&pdf);
    assert!(
        text.contains("GUIDA:nonèilmoduloufficiale"),
        "every page says it is a guide"
    );
    let mut at = 0;
    for expected in [
        "[3]COGNOME",
        "HOXHA",
        "[4]NOME",
        "ARBEN",
        "[34]NATOIL",
        "15041990",
        "[44]NUMERO",
        "BA1234567",
    ] {
        let found = text[at..]
            .find(expected)
            .unwrap_or_else(|| panic!("{expected} after byte {at}: {text}"));
        at += found + expected.len();
    }
}

#[test]
fn modulo_2_applies_to_work_and_ticks_the_kind_of_work() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let filled = guide(&register, &case, "rinnovo_lavoro_subordinato", "modulo2");
    assert_eq!(value(&filled, "4"), "X", "lavoro subordinato");
    assert_eq!(value(&filled, "5"), "");
    assert_eq!(
        value(&filled, "23"),
        "",
        "employer data is filled in with the applicant"
    );
    let studio = procedure(&register, "rinnovo_studio");
    let ids: Vec<&str> = forms::for_procedure(register.forms(), studio)
        .iter()
        .map(|f| f.head.id.as_str())
        .collect();
    assert_eq!(ids, ["modulo1"], "a student files Modulo 1 only");
    let questura = procedure(&register, "protezione_speciale");
    assert!(
        forms::for_procedure(register.forms(), questura).is_empty(),
        "no kit, no kit guide"
    );
}

#[test]
fn a_student_and_an_asylum_renewal_get_their_own_values() {
    let (_dir, mut register) = temp_register();
    let mut data = worker();
    data.applicant.surname = "Müller-Lüdenscheidt".into();
    data.applicant.given_names = "Zoë Ángel".into();
    data.applicant.address.comune = "Forlì".into();
    data.applicant.address.province = "FC".into();
    data.household.clear();
    data.request.motivo_code = "24".into();
    data.current_permit.motivo_code = "24".into();
    let student = create(&mut register, data);
    let filled = guide(&register, &student, "rinnovo_studio", "modulo1");
    assert_eq!(
        value(&filled, "3"),
        "MUELLER-LUEDENSCHEIDT",
        "ICAO transliteration, as in the MRZ"
    );
    assert_eq!(value(&filled, "4"), "ZOE ANGEL");
    assert_eq!(value(&filled, "6"), "FORLI");
    assert_eq!(
        value(&filled, "1"),
        "FORLI'-CESENA".replace('\'', ""),
        "the Questura of the province"
    );
    assert_eq!(value(&filled, "24"), "", "no Modulo 2 for study");
    assert_eq!(value(&filled, "26"), "", "no children declared");

    let mut asylum = worker();
    asylum.request.motivo_code = "06".into();
    asylum.current_permit.motivo_code = "06".into();
    asylum.applicant.document.kind = "travel_document".into();
    let case = create(&mut register, asylum);
    let filled = guide(&register, &case, "rinnovo_asilo", "modulo1");
    assert_eq!(value(&filled, "16"), "06");
    assert_eq!(value(&filled, "40"), "", "not a passport");
    assert_eq!(
        value(&filled, "46"),
        "",
        "the issuing authority is chosen from the kit's table"
    );
}

#[test]
fn an_incomplete_case_gets_every_problem_at_once_and_no_guide() {
    let (_dir, mut register) = temp_register();
    let mut case = create(&mut register, worker());
    case.data.applicant.address.province = String::new();
    case.data.applicant.surname = "Abdelrahman Mohamed Elsayed Ibrahim".into();
    case.data.applicant.birth_place = "Tiranë #2".into();
    let p = procedure(&register, "rinnovo_lavoro_subordinato");
    let form = &forms::for_procedure(register.forms(), p)[0];
    let err = forms::fill(register.forms(), form, &case, p).unwrap_err();
    let mut got = problems(err);
    got.sort();
    assert_eq!(
        got,
        [
            "applicant.address.province:form_required",
            "applicant.birthPlace:form_characters",
            "applicant.surname:form_too_long",
        ],
        "one problem per case field, all of them"
    );
}

#[test]
fn a_form_file_with_an_unknown_value_is_refused_naming_file_and_line() {
    let text = "[form]\nid = \"x\"\ntitle = \"X\"\nkit_form = \"Modulo 1\"\nsource = \"https://example.org\"\nsource_date = \"2020-01-01\"\n\n[[section]]\ntitle = \"S\"\n\n[[section.field]]\nnumber = \"1\"\nlabel = \"L\"\nvalue = \"shoe_size\"\nboxes = 2\nsource = \"https://example.org\"\n";
    let err = forms::parse(&[("assets/forms/bad.toml", text)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("assets/forms/bad.toml") && err.contains("14"),
        "{err}"
    );
    let err = forms::parse(&[("assets/forms/bad.toml", "[form]\nid = 3\n")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.toml") && err.contains('2'), "{err}");
    let built_in = mixite_core::reference::content::Tables::embedded().unwrap();
    assert_eq!(built_in.forms.forms.len(), 2, "Modulo 1 and Modulo 2");
}
