use mixite_core::model::{CaseData, StepInput};
use mixite_core::Register;

use crate::{clock, create, op, temp_register, worker};

fn person(surname: &str, given: &str, born: &str, passport: &str) -> CaseData {
    let mut data = worker();
    data.applicant.surname = surname.into();
    data.applicant.given_names = given.into();
    data.applicant.birth_date = born.into();
    data.applicant.document.number = passport.into();
    data.applicant.codice_fiscale.clear();
    data.household.clear();
    data
}

fn numbers(register: &Register, query: &str) -> Vec<String> {
    register
        .search(query, 0, 50)
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.number)
        .collect()
}

fn seeded() -> (tempfile::TempDir, Register) {
    let (dir, mut register) = temp_register();
    create(
        &mut register,
        person("Müller", "Jürgen", "1980-01-02", "C01X00T47"),
    ); // 000001
    create(
        &mut register,
        person("Perera", "Kasun Chaminda", "1985-03-04", "N1234567"),
    ); // 000002
    create(
        &mut register,
        person("El Amrani", "Fatima Zahra", "1992-07-08", "AB987654"),
    ); // 000003
    create(&mut register, worker()); // 000004, Hoxha with child Elira
    (dir, register)
}

#[test]
fn any_part_of_a_name_finds_the_case_ignoring_case_and_accents() {
    let (_dir, register) = seeded();
    assert_eq!(
        numbers(&register, "muller"),
        ["2026/000001"],
        "muller finds Müller"
    );
    assert_eq!(numbers(&register, "MÜLL"), ["2026/000001"]);
    assert_eq!(
        numbers(&register, "urge"),
        ["2026/000001"],
        "a fragment inside a given name"
    );
    assert_eq!(
        numbers(&register, "chaminda pere"),
        ["2026/000002"],
        "words in any order"
    );
    assert_eq!(
        numbers(&register, "el am"),
        ["2026/000003"],
        "short words match the start"
    );
    assert_eq!(numbers(&register, "amrani f"), ["2026/000003"]);
    assert!(numbers(&register, "xyzzy").is_empty());
}

#[test]
fn household_members_lead_to_their_case() {
    let (_dir, register) = seeded();
    let page = register.search("elira", 0, 10).unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(
        page.items[0].surname, "Hoxha",
        "the row shows the applicant"
    );
    assert_eq!(page.items[0].matched, "household");
}

#[test]
fn passport_codice_fiscale_assicurata_and_case_number_find_the_case() {
    let (_dir, mut register) = seeded();
    assert_eq!(
        numbers(&register, "n123 4567"),
        ["2026/000002"],
        "passport number, spaces ignored"
    );
    assert_eq!(
        numbers(&register, "HXHRBN90D15"),
        ["2026/000004"],
        "codice fiscale prefix"
    );
    assert_eq!(
        numbers(&register, "2026/3"),
        ["2026/000003"],
        "case number without zeros"
    );
    assert_eq!(numbers(&register, "2026/000003"), ["2026/000003"]);
    let case = register.get(2, clock().today).unwrap();
    let mut sent = StepInput {
        kind: "kit_sent".into(),
        date: "2026-11-26".into(),
        ..Default::default()
    };
    sent.details.assicurata = "05012345678-9".into();
    register
        .add_step(case.id, case.revision, &sent, &clock(), &op("Op"))
        .unwrap();
    let page = register.search("050123456789", 0, 10).unwrap();
    assert_eq!(
        page.items
            .iter()
            .map(|s| (s.number.as_str(), s.matched.as_str()))
            .collect::<Vec<_>>(),
        [("2026/000002", "assicurata")]
    );
}

#[test]
fn pages_go_forward_without_a_total() {
    let (_dir, mut register) = temp_register();
    for i in 0..7 {
        create(
            &mut register,
            person(
                "Rossi",
                &format!("Test {}", "abcdefg".chars().nth(i).unwrap()),
                "1980-01-01",
                "",
            ),
        );
    }
    let first = register.search("rossi", 0, 3).unwrap();
    let last = register.search("rossi", 6, 3).unwrap();
    assert_eq!((first.items.len(), first.has_more), (3, true));
    assert_eq!((last.items.len(), last.has_more), (1, false));
    assert_eq!(first.items[0].number, "2026/000007", "newest first");
    let all = register.search("", 0, 5).unwrap();
    assert_eq!(
        (all.items.len(), all.has_more),
        (5, true),
        "an empty query lists recent cases"
    );
}

#[test]
fn a_probable_duplicate_applicant_is_found_by_name_and_birth_date_or_document() {
    let (_dir, register) = seeded();
    let same_person = person("MULLER", "Jurgen", "1980-01-02", "");
    let found = register.duplicates(&same_person, None).unwrap();
    assert_eq!(
        found.iter().map(|s| s.number.as_str()).collect::<Vec<_>>(),
        ["2026/000001"]
    );
    let same_passport = person("Someone", "Else", "1970-01-01", "N1234567");
    assert_eq!(
        register.duplicates(&same_passport, None).unwrap()[0].number,
        "2026/000002"
    );
    let other_birthday = person("Müller", "Jürgen", "1981-01-02", "");
    assert!(
        register
            .duplicates(&other_birthday, None)
            .unwrap()
            .is_empty(),
        "a namesake is not a duplicate"
    );
    assert!(
        register
            .duplicates(&same_person, Some(1))
            .unwrap()
            .is_empty(),
        "a case is no duplicate of itself"
    );
}

#[test]
fn a_case_finds_its_family_s_cases_but_not_the_applicant_s_own_other_cases() {
    let (_dir, mut register) = temp_register();
    // Arben (the fixture) with his daughter Elira in his household.
    let arben = create(&mut register, worker());
    // His wife's own case lists him as her spouse.
    let mut drita = person("Hoxha", "Drita", "1992-09-10", "BA7654321");
    let mut husband = worker().household[0].clone();
    husband.relation = "spouse".into();
    husband.given_names = "Arben".into();
    husband.sex = "M".into();
    husband.birth_date = "1990-04-15".into();
    drita.household.push(husband);
    let drita = create(&mut register, drita);
    // Arben's own earlier case, and a stranger with the same surname.
    let mut earlier = worker();
    earlier.applicant.document.number = "BA0000001".into();
    let earlier = create(&mut register, earlier);
    create(
        &mut register,
        person("Hoxha", "Besnik", "1970-01-01", "BA1111111"),
    );

    let family = |id: i64| -> Vec<i64> {
        register
            .household(id)
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(
        family(arben.id),
        [drita.id],
        "his wife's case lists him; his own earlier case is not family, nor the other Hoxha"
    );
    assert_eq!(
        family(drita.id),
        [earlier.id, arben.id],
        "both of her husband's cases"
    );
}
