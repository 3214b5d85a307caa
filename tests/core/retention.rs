//! Retention and the applicant's rights: the bundled purposes and the responsabile's settings, what is
//! due when, clearing contacts and notes, anonymising (checked down to the bytes of a plain register's
//! file), restriction, erasure requests, the deletion receipt and the right-of-access report (read back
//! with `pdftotext`).

use std::collections::HashMap;
use std::path::Path;

use strum::VariantArray;

use mixite_core::error::{AccessCode, ConflictCode, Error};
use mixite_core::exchange::archive::{self, ExportCase, ExportOptions, ImportChoice, Protection};
use mixite_core::model::{CaseData, CaseView, Permit, StepDetails, StepInput};
use mixite_core::papers::access_report;
use mixite_core::papers::print::FontLibrary;
use mixite_core::papers::{self, Paper};
use mixite_core::register::audit::{self, Action, Filter};
use mixite_core::register::operators::{Actor, Role};
use mixite_core::register::retention::{
    DueAction, Erasure, ErasureWhy, Funder, FunderInput, Purpose, RestrictionReason, Table, KEPT,
    REMOVED_CATEGORIES,
};
use mixite_core::{Clock, NewCase, Register};

use crate::{day, key, locale_text, op, problems, squeezed_text, temp_register, worker};

/// The moment `d` (noon UTC).
fn at(d: &str) -> Clock {
    Clock::at(day(d))
}

/// The desk's responsabile, who alone runs retention.
fn boss() -> Actor {
    Actor::unchecked(
        "00000000-0000-4000-8000-000000000002",
        "Responsabile Rossi",
        Role::Responsabile,
    )
}

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

/// The worker of the fixture under a surname nobody else has (so its bytes and its search trigrams can
/// be looked for), with the permit held before this case.
fn qwzyx() -> CaseData {
    let mut data = worker();
    data.applicant.surname = "Qwzyx".into();
    data.applicant.given_names = "Vjkq".into();
    data.applicant.email = "qwzyx.vjkq@example.org".into();
    data.household[0].surname = "Qwzyx".into();
    data.current_permit.expiry_date = "2021-04-30".into();
    data
}

fn step(kind: &str, date: &str) -> StepInput {
    StepInput {
        kind: kind.into(),
        date: date.into(),
        ..StepInput::default()
    }
}

/// A case opened on `opened`, its kit sent the same day (with an assicurata and a note), and ended by
/// `ending` on `closed` (`collected` records the permit issued, expiring on `2023-05-19`); `None`
/// leaves it open.
fn case_on(
    register: &mut Register,
    data: CaseData,
    opened: &str,
    ending: Option<(&str, &str)>,
) -> CaseView {
    let who = op("Operatore Uno");
    let case = register
        .create(
            &NewCase {
                data,
                ..NewCase::default()
            },
            &at(opened),
            &who,
        )
        .unwrap();
    let mut sent = step("kit_sent", opened);
    sent.details.assicurata = "050123456789".into();
    sent.note = "Spedito con la cugina Drita Kelmendi.".into();
    let case = register
        .add_step(case.id, case.revision, &sent, &at(opened), &who)
        .unwrap();
    let Some((kind, closed)) = ending else {
        return case;
    };
    let mut end = step(kind, closed);
    match kind {
        "collected" => {
            end.details.issued_permit = Permit {
                motivo_code: "16".into(),
                number: "I98765432".into(),
                expiry_date: "2023-05-19".into(),
            }
        }
        "referred" => end.details.referred_to = "Patronato INCA".into(),
        _ => {}
    }
    end.note = "Ritirato dal fratello.".into();
    register
        .add_step(case.id, case.revision, &end, &at(closed), &who)
        .unwrap()
}

/// A case collected on 2021-05-20 (opened 2021-03-10); with the final payment on 2021-06-30 its
/// contacts are kept until 2024-05-19 (a year after the issued permit's expiry), its notes until the
/// closing day, and the case until 2026-12-31.
fn collected(register: &mut Register) -> CaseView {
    case_on(
        register,
        qwzyx(),
        "2021-03-10",
        Some(("collected", "2021-05-20")),
    )
}

fn final_payment(register: &mut Register, date: &str) {
    register
        .set_funder(
            &boss(),
            &FunderInput::FinalPayment { date: date.into() },
            &at("2026-11-26"),
        )
        .unwrap();
}

/// The due list on `today` as `(case number, action)`.
fn due_on(register: &Register, today: &str) -> Vec<(String, DueAction)> {
    register
        .retention_due(&boss(), day(today))
        .unwrap()
        .into_iter()
        .map(|d| (d.number, d.action))
        .collect()
}

fn conflict<T: std::fmt::Debug>(result: mixite_core::Result<T>) -> ConflictCode {
    match result {
        Err(Error::Conflict(code)) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn not_allowed<T: std::fmt::Debug>(result: mixite_core::Result<T>) -> bool {
    matches!(result, Err(Error::Access(AccessCode::NotAllowed)))
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

fn actions(register: &Register, uuid: &str) -> Vec<String> {
    let filter = Filter {
        case_uuid: Some(uuid.into()),
        ..Filter::default()
    };
    let mut out: Vec<String> = audit::list(register.store().conn(), &filter, 0, 100)
        .unwrap()
        .items
        .into_iter()
        .map(|l| l.action)
        .collect();
    out.reverse();
    out
}

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

#[test]
fn the_bundled_purposes_carry_their_periods_sources_and_verify_marks() {
    let table = Table::bundled().unwrap();
    let periods: Vec<(Purpose, u32, u32)> = table
        .rules()
        .iter()
        .map(|r| (r.purpose, r.default_months, r.min_months))
        .collect();
    assert_eq!(
        periods,
        [
            (Purpose::Contacts, 12, 0),
            (Purpose::Notes, 0, 0),
            (Purpose::Case, 60, 60)
        ],
        "contacts a year after the last expiry, notes at closing, the case five years (the funder's \
         minimum, which the archive plan cannot shorten)"
    );
    let case = table.rule(Purpose::Case);
    assert!(
        case.source.contains("2021/1060") && case.basis.contains("art. 82"),
        "the case's period cites Reg. (EU) 2021/1060 art. 82"
    );
    assert!(
        table.rule(Purpose::Contacts).source.contains("2016/679"),
        "the other periods cite the GDPR"
    );
    assert!(
        table.rules().iter().all(|r| r.verify),
        "no period is settled by the brief's sources: each stays flagged for the privacy office"
    );
}

#[test]
fn a_malformed_retention_table_names_its_file_and_line() {
    let good = include_str!("../../assets/reference/retention.toml");
    let cases = [
        (
            good.replacen("id = \"notes\"", "id = \"contacts\"", 1),
            "listed twice",
        ),
        (
            good.replacen("default_months = 12", "default_months = 99", 1),
            "default_months",
        ),
        (
            good.replacen("id = \"notes\"", "id = \"memo\"", 1),
            "unknown variant",
        ),
        (
            good.replacen(
                "source = \"https://eur-lex.europa.eu/eli/reg/2021/1060/oj\"",
                "source = \"Reg. 2021/1060\"",
                1,
            ),
            "URL",
        ),
    ];
    for (text, expected) in cases {
        match Table::from_source(("assets/reference/retention.toml", &text)) {
            Err(Error::Data {
                file,
                line,
                message,
            }) => {
                assert_eq!(file, "assets/reference/retention.toml");
                assert!(line > 1, "{message}: the line of the row is named");
                assert!(message.contains(expected), "{message}");
            }
            other => panic!("{expected}: expected a data error, got {other:?}"),
        }
    }
    let without_case = good[..good.rfind("[[purpose]]").unwrap()].to_string();
    match Table::from_source(("assets/reference/retention.toml", &without_case)) {
        Err(Error::Data { message, .. }) => assert!(message.contains("purpose case is missing")),
        other => panic!("a missing purpose is refused, got {other:?}"),
    }
}

#[test]
fn only_a_responsabile_sets_the_periods_and_the_funder_and_each_change_is_audited() {
    let (_dir, mut register) = temp_register();
    let now = at("2026-11-26");
    assert!(
        not_allowed(register.set_retention_months(
            &op("Operatore Uno"),
            Purpose::Contacts,
            Some(24),
            &now
        )),
        "an operatore may not change the policy"
    );
    let policy = register
        .set_retention_months(&boss(), Purpose::Contacts, Some(24), &now)
        .unwrap();
    let contacts = policy.period(Purpose::Contacts);
    assert_eq!((contacts.months, contacts.overridden), (24, true));
    assert_eq!(
        problems(
            register
                .set_retention_months(&boss(), Purpose::Case, Some(36), &now)
                .unwrap_err()
        ),
        ["retention.months:out_of_range"],
        "the archive plan cannot shorten the funder's five years"
    );
    let policy = register
        .set_retention_months(&boss(), Purpose::Contacts, None, &now)
        .unwrap();
    assert_eq!(
        (
            policy.period(Purpose::Contacts).months,
            policy.period(Purpose::Contacts).overridden
        ),
        (12, false),
        "back to the bundled default"
    );

    assert_eq!(register.retention_policy().unwrap().funder, Funder::Unknown);
    assert_eq!(
        problems(
            register
                .set_funder(
                    &boss(),
                    &FunderInput::FinalPayment {
                        date: "2027-01-01".into()
                    },
                    &now
                )
                .unwrap_err()
        ),
        ["retention.finalPayment:date_future"],
        "a final payment is a day that has been"
    );
    assert!(not_allowed(register.set_funder(
        &op("Operatore Uno"),
        &FunderInput::NoFunder,
        &now
    )));
    final_payment(&mut register, "2021-06-30");
    let policy = register.retention_policy().unwrap();
    assert_eq!(policy.funder, Funder::FinalPayment(day("2021-06-30")));
    assert_eq!(
        policy.funder_kept_until,
        Some(day("2026-12-31")),
        "five years from 31 December of the final payment's year"
    );

    let filter = Filter {
        action: Some(Action::RetentionPolicyChanged),
        ..Filter::default()
    };
    let entries = audit::list(register.store().conn(), &filter, 0, 10)
        .unwrap()
        .items;
    assert_eq!(entries.len(), 3, "each accepted change is one audit entry");
    assert!(entries.iter().all(|e| e.operator == "Responsabile Rossi"));
    assert!(
        entries[0].detail.contains("\"date\":\"2021-06-30\""),
        "{}",
        entries[0].detail
    );
}

#[test]
fn nothing_is_due_while_a_case_is_open_or_the_funders_final_payment_is_unknown() {
    let (_dir, mut register) = temp_register();
    case_on(&mut register, qwzyx(), "2021-03-10", None);
    let closed = collected(&mut register);
    let due = due_on(&register, "2035-01-01");
    assert!(
        !due.iter().any(|(_, a)| *a == DueAction::Anonymise),
        "without the final payment no case is anonymised: {due:?}"
    );
    assert_eq!(
        due,
        [
            (closed.number.clone(), DueAction::ClearContacts),
            (closed.number.clone(), DueAction::MinimiseNotes)
        ],
        "the open case is never due; the closed one only for its contacts and notes"
    );
    assert!(
        not_allowed(register.retention_due(&op("Operatore Uno"), day("2035-01-01"))),
        "the due list is the responsabile's"
    );
}

#[test]
fn each_purpose_is_due_the_day_after_its_period_ends() {
    let (_dir, mut register) = temp_register();
    let case = collected(&mut register);
    final_payment(&mut register, "2021-06-30");
    let n = case.number.clone();
    assert_eq!(
        due_on(&register, "2021-05-20"),
        [],
        "notes are kept through the closing day"
    );
    assert_eq!(
        due_on(&register, "2021-05-21"),
        [(n.clone(), DueAction::MinimiseNotes)]
    );
    assert_eq!(
        due_on(&register, "2024-05-19"),
        [(n.clone(), DueAction::MinimiseNotes)],
        "contacts are kept a year after the issued permit's expiry (2023-05-19), not the closing"
    );
    assert_eq!(
        due_on(&register, "2024-05-20"),
        [
            (n.clone(), DueAction::ClearContacts),
            (n.clone(), DueAction::MinimiseNotes)
        ]
    );
    assert_eq!(
        due_on(&register, "2026-12-31").len(),
        2,
        "the case is kept through 31 Dec 2026"
    );
    let due = register.retention_due(&boss(), day("2027-01-01")).unwrap();
    assert_eq!(
        due.len(),
        1,
        "anonymising covers the contacts and notes too"
    );
    assert_eq!(
        (due[0].action, due[0].purpose, due[0].kept_until),
        (DueAction::Anonymise, Purpose::Case, day("2026-12-31"))
    );

    let retention = register.case_retention(case.id, day("2027-01-01")).unwrap();
    assert_eq!(retention.closed_on, Some(day("2021-05-20")));
    let ends: Vec<_> = retention
        .periods
        .iter()
        .map(|p| (p.purpose, p.kept_until, p.due))
        .collect();
    assert_eq!(
        ends,
        [
            (Purpose::Contacts, Some(day("2024-05-19")), true),
            (Purpose::Notes, Some(day("2021-05-20")), true),
            (Purpose::Case, Some(day("2026-12-31")), true)
        ]
    );
}

#[test]
fn the_funders_period_counts_from_the_final_payments_year_or_a_later_closing_and_the_archive_plan_lengthens_it(
) {
    let (_dir, mut register) = temp_register();
    let early = collected(&mut register);
    let late = case_on(
        &mut register,
        qwzyx(),
        "2022-01-10",
        Some(("withdrawn", "2022-02-10")),
    );
    final_payment(&mut register, "2021-06-30");
    let until = |register: &Register, id| {
        register
            .case_retention(id, day("2026-11-26"))
            .unwrap()
            .periods[2]
            .kept_until
    };
    assert_eq!(until(&register, early.id), Some(day("2026-12-31")));
    assert_eq!(
        until(&register, late.id),
        Some(day("2027-12-31")),
        "a case closed after the final payment's year counts from its own closing year"
    );
    register
        .set_funder(&boss(), &FunderInput::NoFunder, &at("2026-11-26"))
        .unwrap();
    assert_eq!(
        until(&register, early.id),
        Some(day("2026-12-31")),
        "without a funder the period counts from the end of the closing year"
    );
    register
        .set_retention_months(&boss(), Purpose::Case, Some(120), &at("2026-11-26"))
        .unwrap();
    assert_eq!(
        until(&register, early.id),
        Some(day("2031-12-31")),
        "the Comune's archive plan of ten years"
    );
}

#[test]
fn clearing_contacts_and_minimising_notes_remove_only_those_and_are_audited() {
    let (_dir, mut register) = temp_register();
    let open = case_on(&mut register, qwzyx(), "2021-03-10", None);
    let case = collected(&mut register);
    let now = at("2026-11-26");
    assert!(not_allowed(register.clear_contacts(
        &op("Operatore Uno"),
        case.id,
        &now
    )));
    assert_eq!(
        conflict(register.minimise_notes(&boss(), open.id, &now)),
        ConflictCode::CaseNotClosed,
        "an open case's notes are still being written"
    );
    register.clear_contacts(&boss(), case.id, &now).unwrap();
    register.minimise_notes(&boss(), case.id, &now).unwrap();
    let after = register.get(case.id, now.today).unwrap();
    let a = &after.data.applicant;
    assert_eq!((a.phone.as_str(), a.email.as_str()), ("", ""));
    assert_eq!(a.surname, "Qwzyx", "the rest of the case stays");
    assert_eq!(after.data.notes, "");
    assert!(
        after.steps.iter().all(|s| s.note.is_empty()),
        "step notes are free text too"
    );
    assert_eq!(
        after.steps[1].details.assicurata, "050123456789",
        "step details stay until anonymisation"
    );
    assert_eq!(after.steps[1].date, "2021-03-10", "dates stay whole");
    assert!(
        after.revision > case.revision,
        "a form opened before is stale"
    );
    let trail = actions(&register, &after.uuid);
    assert!(
        trail.ends_with(&["contacts_cleared".into(), "notes_minimised".into()]),
        "{trail:?}"
    );
    assert_eq!(
        due_on(&register, "2026-11-26"),
        [],
        "nothing is left to clear before the case's own period ends"
    );
}

#[test]
fn the_history_stays_append_only_except_for_erasing_a_closed_cases_details() {
    let (_dir, mut register) = temp_register();
    let open = case_on(&mut register, qwzyx(), "2021-03-10", None);
    let closed = collected(&mut register);
    let conn = register.store().conn();
    let run = |sql: &str, id: i64| conn.execute(sql, [id]);
    assert!(
        run("UPDATE steps SET note = '' WHERE case_id = ?1", open.id).is_err(),
        "an open case's history is not erased"
    );
    for sql in [
        "UPDATE steps SET note = 'altro' WHERE case_id = ?1",
        "UPDATE steps SET date = '2021-01-01' WHERE case_id = ?1",
        "UPDATE steps SET operator = 'x' WHERE case_id = ?1",
        "UPDATE steps SET kind = 'closed' WHERE case_id = ?1",
        "UPDATE steps SET assicurata = '999999999999' WHERE case_id = ?1",
        "UPDATE steps SET details = '{\"referredTo\":\"altro\"}' WHERE case_id = ?1",
        "DELETE FROM steps WHERE case_id = ?1",
    ] {
        assert!(
            run(sql, closed.id).is_err(),
            "{sql}: no update makes the history say something else"
        );
    }
    run(
        "UPDATE steps SET note = '', details = '{}', assicurata = '', date = substr(date, 1, 7),
             recorded_at = substr(recorded_at, 1, 7)
         WHERE case_id = ?1",
        closed.id,
    )
    .expect("erasing a closed case's details is the one update allowed");
}

#[test]
fn anonymising_keeps_only_the_statistics_and_the_search_finds_nothing_of_the_names() {
    let (_dir, mut register) = temp_register();
    let mut hoxha = worker();
    hoxha.applicant.document.number = "AB7654321".into();
    hoxha.applicant.codice_fiscale.clear();
    let other = case_on(
        &mut register,
        hoxha,
        "2021-03-10",
        Some(("closed", "2021-04-01")),
    );
    let case = collected(&mut register);
    final_payment(&mut register, "2021-06-30");
    assert_eq!(
        numbers(&register, "qwzyx"),
        std::slice::from_ref(&case.number)
    );
    let now = at("2027-01-02");
    assert!(not_allowed(register.anonymise(
        &op("Operatore Uno"),
        case.id,
        &now
    )));
    let done = register.anonymise(&boss(), case.id, &now).unwrap();
    assert_eq!(
        (done.language.as_str(), done.household),
        ("sq", 1),
        "the receipt's language and the members are reported"
    );

    let after = register.get(case.id, now.today).unwrap();
    let a = &after.data.applicant;
    assert_eq!(
        (
            a.sex.as_str(),
            a.citizenships.clone(),
            a.birth_date.as_str()
        ),
        ("M", vec!["ALB".to_string()], "1990"),
        "sex, citizenship and the year of birth stay"
    );
    for (what, value) in [
        ("surname", &a.surname),
        ("given names", &a.given_names),
        ("birth place", &a.birth_place),
        ("birth country", &a.birth_country),
        ("codice fiscale", &a.codice_fiscale),
        ("document", &a.document.number),
        ("authority", &a.document.authority),
        ("phone", &a.phone),
        ("e-mail", &a.email),
        ("street", &a.address.street),
        ("comune", &a.address.comune),
        ("language", &a.language),
        ("notes", &after.data.notes),
        ("permit number", &after.data.current_permit.number),
    ] {
        assert!(value.is_empty(), "{what} is removed");
    }
    let child = &after.data.household[0];
    assert_eq!(
        (
            child.relation.as_str(),
            child.sex.as_str(),
            child.birth_date.as_str(),
            child.surname.as_str()
        ),
        ("child", "F", "2019", ""),
        "a member keeps relation, sex and birth year"
    );
    assert_eq!(
        (
            after.data.request.procedure.as_str(),
            after.data.request.motivo_code.as_str()
        ),
        ("rinnovo", "16")
    );
    assert_eq!(
        after.data.current_permit.expiry_date, "2021-04",
        "expiry by month"
    );
    let history: Vec<(&str, &str, &str)> = after
        .steps
        .iter()
        .map(|s| (s.kind.as_str(), s.date.as_str(), s.operator.as_str()))
        .collect();
    assert_eq!(
        history,
        [
            ("intake", "2021-03", "Operatore Uno"),
            ("kit_sent", "2021-03", "Operatore Uno"),
            ("collected", "2021-05", "Operatore Uno")
        ],
        "the steps by month and who recorded them (the operators' time)"
    );
    assert!(after.steps.iter().all(|s| s.note.is_empty()
        && s.details == StepDetails::default()
        && s.recorded_at.len() == 7));
    assert_eq!(
        after.issued_permit.as_ref().map(|p| p.number.as_str()),
        Some("")
    );

    for query in [
        "qwzyx",
        "Vjkq",
        "qwz",
        "BA1234567",
        "HXHRBN90D15Z100Z",
        "050123456789",
        "I98765432",
    ] {
        assert!(
            !numbers(&register, query).contains(&case.number),
            "{query} does not find the anonymised case"
        );
    }
    assert_eq!(
        numbers(&register, "hoxha"),
        std::slice::from_ref(&other.number),
        "other applicants are untouched"
    );
    let index_hits: i64 = register
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM person_names WHERE person_names MATCH '\"qwz\" AND \"zyx\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        index_hits, 0,
        "the trigram index holds nothing of the old names"
    );
    assert_eq!(
        numbers(&register, &case.number),
        std::slice::from_ref(&case.number),
        "the case number still finds it (to print the receipt again)"
    );
    assert!(
        !numbers(&register, "").contains(&case.number),
        "the recent list leaves anonymised cases out"
    );

    assert_eq!(
        actions(&register, &case.uuid).last().map(String::as_str),
        Some("case_anonymised")
    );
    assert_eq!(
        conflict(register.update(
            after.id,
            after.revision,
            &qwzyx(),
            &now,
            &op("Operatore Uno")
        )),
        ConflictCode::CaseAnonymised,
        "an anonymised case is never filled in again"
    );
    assert_eq!(
        conflict(register.anonymise(&boss(), case.id, &now)),
        ConflictCode::CaseAnonymised
    );
    assert_eq!(
        due_on(&register, "2030-01-01")
            .iter()
            .filter(|(n, _)| *n == case.number)
            .count(),
        0
    );
}

/// Every file of the register (database, WAL) as one byte string.
fn register_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["mixite.sqlite3", "mixite.sqlite3-wal"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            bytes.extend(b);
        }
    }
    bytes
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn anonymised_values_are_gone_from_the_database_file_and_its_wal() {
    // A plain register, so the file's bytes can be read: secure_delete and the checkpoint must do the
    // work without the help of the encryption.
    let dir = tempfile::tempdir().unwrap();
    let mut register = Register::open_plain(dir.path()).unwrap();
    let case = collected(&mut register);
    final_payment(&mut register, "2021-06-30");
    let gone = [
        "Qwzyx",
        "qwzyx",
        "Vjkq",
        "vjkq",
        "BA1234567",
        "HXHRBN90D15Z100Z",
        "1234567",
        "qwzyx.vjkq@example.org",
        "Via del Moro",
        "Durr",
        "Ministria e Brendshme",
        "050123456789",
        "I98765432",
        "Datore di lavoro",
        "Drita Kelmendi",
        "Ritirato dal fratello",
        "Elira",
        // Trigrams of the folded names, which only the search index holds.
        "wzy",
        "jkq",
    ];
    register
        .store()
        .conn()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let before = register_bytes(dir.path());
    for value in gone {
        assert!(
            holds(&before, value),
            "{value} is in the file before (else this test proves nothing)"
        );
    }
    register
        .anonymise(&boss(), case.id, &at("2027-01-02"))
        .unwrap();
    let after = register_bytes(dir.path());
    for value in gone {
        assert!(
            !holds(&after, value),
            "{value} is still in the register's files"
        );
    }
    assert!(
        holds(&after, &case.number),
        "the case itself is still there"
    );
}

#[test]
fn every_register_deletes_securely() {
    let dir = tempfile::tempdir().unwrap();
    let on = |register: &Register| -> i64 {
        register
            .store()
            .conn()
            .pragma_query_value(None, "secure_delete", |r| r.get(0))
            .unwrap()
    };
    {
        let plain = Register::open_plain(dir.path()).unwrap();
        assert_eq!(on(&plain), 1, "plain");
    }
    let other = tempfile::tempdir().unwrap();
    assert_eq!(
        on(&Register::open(other.path(), &key()).unwrap()),
        1,
        "encrypted"
    );
    assert_eq!(on(&Register::in_memory().unwrap()), 1, "in memory");
}

#[test]
fn anonymising_is_refused_on_an_open_case_and_before_the_period_ends() {
    let (_dir, mut register) = temp_register();
    let open = case_on(&mut register, qwzyx(), "2021-03-10", None);
    let case = collected(&mut register);
    let now = at("2026-11-26");
    assert_eq!(
        conflict(register.anonymise(&boss(), open.id, &now)),
        ConflictCode::CaseNotClosed
    );
    assert_eq!(
        conflict(register.anonymise(&boss(), case.id, &now)),
        ConflictCode::RetentionNotOver,
        "the final payment is not even known"
    );
    final_payment(&mut register, "2021-06-30");
    assert_eq!(
        conflict(register.anonymise(&boss(), case.id, &now)),
        ConflictCode::RetentionNotOver,
        "kept until 31 December 2026"
    );
    assert_eq!(
        register
            .get(case.id, now.today)
            .unwrap()
            .data
            .applicant
            .surname,
        "Qwzyx",
        "a refused anonymisation changes nothing"
    );
}

#[test]
fn a_restricted_case_is_hidden_from_search_and_lists_kept_and_not_changed_until_lifted() {
    let (_dir, mut register) = temp_register();
    let case = collected(&mut register);
    let now = at("2026-11-26");
    assert!(not_allowed(register.restrict(
        &op("Operatore Uno"),
        case.id,
        RestrictionReason::AccuracyContested,
        &now
    )));
    register
        .restrict(&boss(), case.id, RestrictionReason::AccuracyContested, &now)
        .unwrap();
    for query in [
        "qwzyx",
        "BA1234567",
        "HXHRBN90D15Z100Z",
        "050123456789",
        "",
        &case.number,
    ] {
        assert!(
            !numbers(&register, query).contains(&case.number),
            "{query:?} does not find a restricted case"
        );
    }
    assert!(
        register.duplicates(&qwzyx(), None).unwrap().is_empty(),
        "nor does the duplicate check"
    );
    let kept = register.get(case.id, now.today).unwrap();
    assert_eq!(kept.data.applicant.surname, "Qwzyx", "kept whole");
    assert_eq!(
        conflict(register.update(kept.id, kept.revision, &qwzyx(), &now, &op("Operatore Uno"))),
        ConflictCode::CaseRestricted
    );
    assert_eq!(
        conflict(register.restrict(&boss(), case.id, RestrictionReason::Objection, &now)),
        ConflictCode::CaseRestricted
    );
    assert_eq!(
        conflict(register.clear_contacts(&boss(), case.id, &now)),
        ConflictCode::CaseRestricted,
        "a restriction freezes the case"
    );
    let listed = register.restricted_cases(&boss()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].number.as_str(), listed[0].reason),
        (
            case.number.as_str(),
            Some(RestrictionReason::AccuracyContested)
        )
    );
    final_payment(&mut register, "2021-06-30");
    assert_eq!(
        due_on(&register, "2030-01-01"),
        [],
        "retention waits while the applicant contests the data"
    );

    register.lift_restriction(&boss(), case.id, &now).unwrap();
    assert_eq!(
        numbers(&register, "qwzyx"),
        std::slice::from_ref(&case.number)
    );
    assert_eq!(
        conflict(register.lift_restriction(&boss(), case.id, &now)),
        ConflictCode::CaseNotRestricted
    );
    let trail = actions(&register, &case.uuid);
    assert!(
        trail.ends_with(&["case_restricted".into(), "case_restriction_lifted".into()]),
        "{trail:?}"
    );
}

#[test]
fn an_erasure_request_within_the_period_restricts_the_case_and_says_until_when() {
    let (_dir, mut register) = temp_register();
    let open = case_on(&mut register, qwzyx(), "2021-03-10", None);
    let case = collected(&mut register);
    let now = at("2026-11-26");
    assert_eq!(
        conflict(register.erasure_request(&boss(), open.id, &now)),
        ConflictCode::CaseNotClosed,
        "an open case is closed (withdrawn) first"
    );
    let unknown = register.erasure_request(&boss(), case.id, &now).unwrap();
    assert_eq!(
        unknown,
        Erasure::Restricted {
            kept_until: None,
            why: ErasureWhy::FunderUnknown,
            cleared: vec![Purpose::Contacts, Purpose::Notes]
        },
        "without the final payment the end is not known; what no obligation keeps goes at once"
    );
    let held = register.get(case.id, now.today).unwrap();
    assert_eq!(
        (held.data.applicant.phone.as_str(), held.data.notes.as_str()),
        ("", "")
    );
    assert_eq!(held.data.applicant.surname, "Qwzyx", "the rest is kept");
    assert!(
        !numbers(&register, "qwzyx").contains(&case.number),
        "and hidden"
    );

    final_payment(&mut register, "2021-06-30");
    assert_eq!(
        register.erasure_request(&boss(), case.id, &now).unwrap(),
        Erasure::Restricted {
            kept_until: Some(day("2026-12-31")),
            why: ErasureWhy::FunderPeriod,
            cleared: vec![]
        },
        "asked again, the answer names the day the funder's period ends"
    );
    assert_eq!(
        serde_json::to_value(register.erasure_request(&boss(), case.id, &now).unwrap()).unwrap(),
        serde_json::json!({
            "outcome": "restricted",
            "keptUntil": "2026-12-31",
            "why": "funder_period",
            "cleared": []
        }),
        "the shape the shell passes to the UI"
    );
    let due = register.retention_due(&boss(), day("2027-01-01")).unwrap();
    assert_eq!(
        due.iter()
            .map(|d| (d.action, d.erasure_requested))
            .collect::<Vec<_>>(),
        [(DueAction::Anonymise, true)],
        "the restricted case is anonymised when its period ends: that is what was asked"
    );
    let report = access_report::apply_retention(&mut register, &boss(), &at("2027-01-01")).unwrap();
    assert_eq!(report.anonymised.len(), 1);
    assert!(register
        .case_retention(case.id, day("2027-01-01"))
        .unwrap()
        .restricted_at
        .is_none());
}

#[test]
fn an_erasure_request_after_the_period_anonymises_and_removes_the_papers() {
    let (dir, mut register) = temp_register();
    let case = collected(&mut register);
    final_payment(&mut register, "2021-06-30");
    let fonts = fonts();
    papers::file(
        &mut register,
        &fonts,
        case.id,
        &Paper::Ricevuta {
            language: "sq".into(),
        },
        "Operatore Uno",
        &at("2026-11-26"),
    )
    .unwrap();
    let folder = dir.path().join("print").join(&case.uuid);
    assert!(
        folder.is_dir(),
        "the receipt is filed under the case's UUID"
    );
    let outcome =
        access_report::erasure_request(&mut register, &boss(), case.id, &at("2027-01-02")).unwrap();
    let Erasure::Anonymised(done) = outcome else {
        panic!("the period is over: the case is anonymised, got {outcome:?}")
    };
    assert_eq!(done.papers, 1, "the paper's record went with the case");
    assert!(!folder.exists(), "and so did its file");
    assert!(papers::folder::of_case(&register, case.id)
        .unwrap()
        .is_empty());
}

#[test]
fn a_crash_between_the_anonymisation_and_the_papers_removal_is_swept_up() {
    let (dir, mut register) = temp_register();
    let case = collected(&mut register);
    final_payment(&mut register, "2021-06-30");
    let folder = dir.path().join("print").join(&case.uuid);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("ricevuta-sq-20261126.pdf"), b"%PDF-1.7 Qwzyx").unwrap();
    // The register's own use case leaves the files to the papers area.
    register
        .anonymise(&boss(), case.id, &at("2027-01-02"))
        .unwrap();
    assert!(folder.exists());
    assert_eq!(
        access_report::remove_anonymised_papers(&register).unwrap(),
        1
    );
    assert!(!folder.exists());
}

#[test]
fn a_retention_run_does_everything_due_and_records_it() {
    let (_dir, mut register) = temp_register();
    let old = collected(&mut register);
    let recent = case_on(
        &mut register,
        qwzyx(),
        "2026-01-10",
        Some(("closed", "2026-02-01")),
    );
    final_payment(&mut register, "2021-06-30");
    assert!(not_allowed(
        register.apply_retention(&op("Operatore Uno"), &at("2027-01-02"))
    ));
    let report = access_report::apply_retention(&mut register, &boss(), &at("2027-01-02")).unwrap();
    assert_eq!(
        report
            .anonymised
            .iter()
            .map(|a| a.number.as_str())
            .collect::<Vec<_>>(),
        [old.number.as_str()]
    );
    assert_eq!(report.notes_minimised, std::slice::from_ref(&recent.number));
    assert!(
        report.contacts_cleared.is_empty(),
        "the recent case's permit expires in 2027: its contacts are still needed"
    );
    let filter = Filter {
        action: Some(Action::RetentionRun),
        ..Filter::default()
    };
    let run = audit::list(register.store().conn(), &filter, 0, 5)
        .unwrap()
        .items;
    assert_eq!(run.len(), 1);
    assert!(run[0].detail.contains("\"count\":2"), "{}", run[0].detail);
    assert_eq!(
        due_on(&register, "2027-01-02"),
        [],
        "a second run has nothing left to do"
    );
}

#[test]
fn an_old_archive_cannot_bring_back_an_anonymised_applicant() {
    let (_dir, mut register) = temp_register();
    let case = collected(&mut register);
    final_payment(&mut register, "2021-06-30");
    let built = archive::build(
        &register,
        &[ExportCase {
            id: case.id,
            pdfs: vec![],
        }],
        &ExportOptions {
            protection: Protection::None,
            scrypt_log_n: None,
        },
        day("2026-11-26"),
    )
    .unwrap();
    register
        .anonymise(&boss(), case.id, &at("2027-01-02"))
        .unwrap();
    let opened = archive::open_bytes(&built.bytes, None, register.reference()).unwrap();
    let take = HashMap::from([(case.uuid.clone(), ImportChoice::TakeArchive)]);
    let result = archive::import(&mut register, &opened, &take, &at("2027-01-02"));
    assert!(
        matches!(result, Err(Error::Conflict(ConflictCode::CaseAnonymised))),
        "{result:?}"
    );
    assert_eq!(
        register
            .get(case.id, day("2027-01-02"))
            .unwrap()
            .data
            .applicant
            .surname,
        "",
        "nothing came back"
    );
}

#[test]
fn the_deletion_receipt_says_what_was_removed_and_kept_and_shows_no_removed_value() {
    let (_dir, mut register) = temp_register();
    let case = collected(&mut register);
    final_payment(&mut register, "2021-06-30");
    let fonts = fonts();
    assert_eq!(
        conflict(access_report::render_deletion_receipt(
            &register,
            &fonts,
            case.id,
            "sq",
            day("2026-11-26")
        )),
        ConflictCode::CaseNotAnonymised
    );
    let done =
        access_report::anonymise(&mut register, &boss(), case.id, &at("2027-01-02")).unwrap();
    let pdf = access_report::deletion_receipt(
        &mut register,
        &fonts,
        &boss(),
        case.id,
        &done.language,
        &at("2027-01-02"),
    )
    .unwrap();
    crate::checklist::artifacts("deletion-receipt-sq", &pdf);
    let text = squeezed_text(&pdf);
    for expected in [
        "Ricevutadicancellazionedeidatipersonali",
        "Dëftesëefshirjessëtëdhënavepersonale",
        &case.number,
        "02/01/2027",
        "ResponsabileRossi",
        "Cognomienomi/Mbiemratdheemrat",
        "Cittadinanza/Shtetësia",
        "Annodinascita/Vitiilindjes",
        "2021/1060",
        "2016/679",
        "Traduzionenonancorarivistadaunmadrelingua.",
    ] {
        assert!(
            text.contains(expected),
            "{expected} is on the receipt:\n{text}"
        );
    }
    assert!(
        text.contains(&squeezed(
            &locale_text("checklist", "sq", "checklist.privacy.rights").unwrap()
        )),
        "the applicant's rights in Albanian"
    );
    for removed in [
        "Qwzyx",
        "Vjkq",
        "BA1234567",
        "HXHRBN90D15Z100Z",
        "050123456789",
        "Elira",
    ] {
        assert!(!text.contains(removed), "{removed} is not on the receipt");
    }
    for code in REMOVED_CATEGORIES.iter().chain(KEPT) {
        assert!(
            locale_text("papers", "sq", &format!("papers.retention.removed.{code}"))
                .or_else(|| locale_text("papers", "sq", &format!("papers.retention.kept.{code}")))
                .is_some(),
            "{code} has its label"
        );
    }
    assert_eq!(
        actions(&register, &case.uuid).last().map(String::as_str),
        Some("paper_printed"),
        "printing the receipt is recorded"
    );
}

#[test]
fn the_access_report_prints_everything_held_with_the_labels_in_italian_and_the_applicants_language()
{
    let (_dir, mut register) = temp_register();
    let case = collected(&mut register);
    let fonts = fonts();
    let pdf = access_report::access_report(
        &mut register,
        &fonts,
        &op("Operatore Uno"),
        case.id,
        "en",
        &at("2026-11-26"),
    )
    .unwrap();
    crate::checklist::artifacts("access-report-en", &pdf);
    let text = squeezed_text(&pdf);
    for expected in [
        "Datipersonaliconservatidallosportello",
        "Personaldataheldbythedesk",
        "Cognome/Surname:Qwzyx",
        "Nome/i/Givennames:Vjkq",
        "BA1234567",
        "HXHRBN90D15Z100Z",
        "qwzyx.vjkq@example.org",
        "ViadelMoro",
        "Elira",
        "050123456789",
        "I98765432",
        "SpeditoconlacuginaDritaKelmendi.",
        "Datoredilavoro",
        "Aperturadellapratica",
        "Caseopened",
        "Creazionepratica",
        "Casecreated",
        "OperatoreUno",
        "2016/679",
        "2021/1060",
    ] {
        assert!(
            text.contains(expected),
            "{expected} is in the report:\n{text}"
        );
    }
    assert_eq!(
        actions(&register, &case.uuid).last().map(String::as_str),
        Some("access_report_printed"),
        "printing it is recorded"
    );

    let pdf =
        access_report::render_access_report(&register, &fonts, case.id, "sq", day("2026-11-26"))
            .unwrap();
    crate::checklist::artifacts("access-report-sq", &pdf);
    let text = squeezed_text(&pdf);
    for expected in [
        "Cognome/Mbiemri:Qwzyx",
        "Codicefiscale/Codicefiscale(kodifiskal):HXHRBN90D15Z100Z",
        "Tipodidocumento/Llojiidokumentit:Passaporto/Pasaportë",
        "Numerodeldocumento/Numriidokumentit:BA1234567",
        "Traduzionenonancorarivistadaunmadrelingua.",
    ] {
        assert!(
            text.contains(expected),
            "{expected} is in the Albanian report:\n{text}"
        );
    }
    assert!(
        text.contains(&squeezed(
            &locale_text("checklist", "sq", "checklist.receipt.step.intake").unwrap()
        )),
        "the step kinds are in Albanian beside the Italian"
    );

    // Arabic (right to left) and Tamil (an Indic script): every label in Italian and beside it in the
    // applicant's language, the title and a sentence in both, and the preface in that language.
    for lang in ["ar", "ta"] {
        let pdf = access_report::render_access_report(
            &register,
            &fonts,
            case.id,
            lang,
            day("2026-11-26"),
        )
        .unwrap();
        crate::checklist::artifacts(&format!("access-report-{lang}"), &pdf);
        let text = squeezed_text(&pdf);
        // Without the final stop, which right-to-left extraction moves to the front.
        let papers = |key: &str| {
            squeezed(&locale_text("papers", lang, key).unwrap())
                .trim_end_matches('.')
                .to_string()
        };
        for (italian, key) in [
            ("Cognome", "papers.fields.applicant.surname"),
            (
                "Numerodeldocumento",
                "papers.fields.applicant.document.number",
            ),
            (
                "Datipersonaliconservatidallosportello",
                "papers.retention.report.title",
            ),
            ("Passidellapratica", "papers.retention.report.steps"),
            (
                "Finalitàetempidiconservazione",
                "papers.retention.report.retention",
            ),
        ] {
            assert!(
                text.contains(italian),
                "{lang}: {italian} in Italian:\n{text}"
            );
            assert!(
                text.contains(&papers(key)),
                "{lang}: {key} in the applicant's language:\n{text}"
            );
        }
        assert!(
            text.contains("Qwzyx") && text.contains("BA1234567"),
            "{lang}: the values"
        );
        assert!(
            text.contains(&papers("papers.glossary.title")),
            "{lang}: the Italian office names are explained in the applicant's language"
        );
        assert!(
            text.contains(&papers("papers.provenance.unreviewed"))
                && text.contains("Traduzionenonancorarivistadaunmadrelingua."),
            "{lang}: the unreviewed mark in Italian and in the language"
        );
        assert!(
            text.contains(&squeezed(
                &locale_text("checklist", lang, "checklist.receipt.step.intake").unwrap()
            )),
            "{lang}: the step kinds in the checklist's words"
        );
        assert!(
            !text.contains("Surname"),
            "{lang}: English no longer stands in for the applicant's language"
        );
    }
    assert_eq!(
        problems(
            access_report::render_access_report(
                &register,
                &fonts,
                case.id,
                "xx",
                day("2026-11-26")
            )
            .unwrap_err()
        ),
        ["language:unknown_code"]
    );
}

#[test]
fn every_retention_code_has_its_italian_and_english_text() {
    let mut keys: Vec<String> = Vec::new();
    keys.extend(
        Purpose::VARIANTS
            .iter()
            .map(|p| format!("retention.purpose.{p}")),
    );
    keys.extend(
        RestrictionReason::VARIANTS
            .iter()
            .map(|r| format!("retention.reason.{r}")),
    );
    keys.extend(
        DueAction::VARIANTS
            .iter()
            .map(|d| format!("retention.due.{d}")),
    );
    keys.extend(
        ErasureWhy::VARIANTS
            .iter()
            .map(|w| format!("retention.why.{w}")),
    );
    keys.extend(
        mixite_core::register::retention::Anchor::VARIANTS
            .iter()
            .map(|a| format!("retention.anchor.{a}")),
    );
    // What the deletion receipt lists is printed for the applicant, in every language.
    for code in KEPT
        .iter()
        .map(|k| format!("kept.{k}"))
        .chain(REMOVED_CATEGORIES.iter().map(|k| format!("removed.{k}")))
    {
        for lang in ["it", "en", "ar", "ta", "zh"] {
            assert!(
                locale_text("papers", lang, &format!("papers.retention.{code}")).is_some(),
                "{lang}: {code} is printed"
            );
        }
    }
    for key in keys {
        for lang in ["it", "en"] {
            assert!(
                locale_text("core", lang, &key).is_some(),
                "{lang}: {key} is translated"
            );
        }
    }
}
