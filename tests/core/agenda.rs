//! The desk's agenda: every bucket on fixed dates (the day before, on and after each limit), the consent
//! rule, the contact log (written, listed, audited, hiding a row until its next due date, cleared by
//! retention), the responsabile's settings and the facts' data.

use mixite_core::model::{CaseView, Permit, StepDetails, StepInput};
use mixite_core::reference::agenda::AgendaFacts;
use mixite_core::register::agenda::{Agenda, Consent, ContactInput, Setting};
use mixite_core::register::audit::{self, Action, Filter};
use mixite_core::register::operators::{Actor, Role};
use mixite_core::register::retention::RestrictionReason;
use mixite_core::{Clock, NewCase, Register};

use crate::{day, op, problems, temp_register, worker};

fn at(d: &str) -> Clock {
    Clock::at(day(d))
}

fn boss() -> Actor {
    Actor::unchecked(
        "00000000-0000-4000-8000-000000000002",
        "Responsabile Rossi",
        Role::Responsabile,
    )
}

/// `d` moved by `n` days, as `YYYY-MM-DD`.
fn shift(d: &str, n: i64) -> String {
    (day(d) + chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

/// A case opened on `opened` by the worker of the fixture, surname `surname`, holding a permit that
/// expires on `expiry`.
fn open(register: &mut Register, surname: &str, expiry: &str, opened: &str) -> CaseView {
    let mut data = worker();
    data.applicant.surname = surname.into();
    data.current_permit.expiry_date = expiry.into();
    register
        .create(
            &NewCase {
                data,
                ..NewCase::default()
            },
            &at(opened),
            &op("Operatore Uno"),
        )
        .expect("a valid case is stored")
}

fn add(register: &mut Register, case: &CaseView, kind: &str, date: &str, details: StepDetails) {
    let revision = register.get(case.id, day(date)).unwrap().revision;
    register
        .add_step(
            case.id,
            revision,
            &StepInput {
                kind: kind.into(),
                date: date.into(),
                details,
                note: String::new(),
            },
            &at(date),
            &op("Operatore Uno"),
        )
        .expect("the step follows the case's status");
}

/// A case that ended (closed) on `opened`, its permit expiring on `expiry`: what the expiry buckets read.
fn ended(register: &mut Register, surname: &str, expiry: &str, opened: &str) -> CaseView {
    let case = open(register, surname, expiry, opened);
    add(register, &case, "closed", opened, StepDetails::default());
    case
}

fn kit() -> StepDetails {
    StepDetails {
        assicurata: "123456789012".into(),
        ..StepDetails::default()
    }
}

fn appointment(date: &str, time: &str) -> StepDetails {
    StepDetails {
        appointment_date: date.into(),
        appointment_time: time.into(),
        ..StepDetails::default()
    }
}

fn issued(expiry: &str) -> StepDetails {
    StepDetails {
        issued_permit: Permit {
            motivo_code: "16".into(),
            number: "I87654321".into(),
            expiry_date: expiry.into(),
        },
        ..StepDetails::default()
    }
}

/// The case numbers in bucket `id`, and its count.
fn bucket(agenda: &Agenda, id: &str) -> (Vec<String>, u64) {
    let b = agenda
        .buckets
        .iter()
        .find(|b| b.id == id)
        .unwrap_or_else(|| panic!("bucket {id} is listed"));
    (b.rows.iter().map(|r| r.number.clone()).collect(), b.count)
}

/// Which buckets hold case `number` on `today`.
fn buckets_of(register: &Register, number: &str, today: &str) -> Vec<String> {
    register
        .agenda(day(today))
        .unwrap()
        .buckets
        .iter()
        .filter(|b| b.rows.iter().any(|r| r.number == number))
        .map(|b| b.id.clone())
        .collect()
}

#[test]
fn the_facts_keep_both_lead_time_readings_flagged_and_the_legal_terms_with_sources() {
    let (_dir, register) = temp_register();
    let facts: &AgendaFacts = register.agenda_facts();
    let days: Vec<u32> = facts.readings.iter().map(|r| r.days).collect();
    assert!(
        days.contains(&60) && days.contains(&90) && days.contains(&30),
        "the current 60-day reading and the older 90/60/30 ones are all kept: {days:?}"
    );
    assert!(
        facts.readings.iter().all(|r| r.provenance.verify),
        "the readings conflict, so every one is flagged verify"
    );
    assert_eq!(
        facts.lead_time.default_days, 60,
        "the current guidance is the default"
    );
    assert_eq!(facts.after_expiry_days, 60, "TUI art. 13 c.2 lett. b");
    assert_eq!(facts.dimora_days, 60, "DPR 223/1989 art. 7 c.3");
    assert!(facts.after_expiry.source.starts_with("https://"));
    assert_eq!(facts.dimora_procedures, vec!["rinnovo".to_string()]);
}

#[test]
fn a_bad_agenda_file_is_refused_with_its_line() {
    let text = include_str!("../../assets/reference/agenda.toml").replace(
        "default_days = 60\nmin_days = 30",
        "default_days = 75\nmin_days = 30",
    );
    let err = AgendaFacts::parse(("assets/reference/agenda.toml", &text)).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("agenda.toml") && message.contains("readings"),
        "a default lead time that is no reading's is refused, naming the file: {message}"
    );
}

#[test]
fn an_expiring_permit_moves_through_expiring_urgent_and_legal_on_the_limits_days() {
    let (_dir, mut register) = temp_register();
    let expiry = "2027-03-10";
    let case = ended(&mut register, "Scadenza", expiry, "2026-11-02");
    let n = case.number.as_str();
    let cases: [(i64, &[&str]); 10] = [
        (-61, &[]),
        (-60, &["expiring"]),
        (-59, &["expiring"]),
        (0, &["expiring"]),
        (1, &["expired_urgent"]),
        (60, &["expired_urgent"]),
        (61, &["expired_legal"]),
        (62, &["expired_legal"]),
        (365, &["expired_legal"]),
        (366, &[]),
    ];
    for (offset, want) in cases {
        let today = shift(expiry, offset);
        assert_eq!(
            buckets_of(&register, n, &today),
            want.to_vec(),
            "{offset} days from the expiry ({today})"
        );
    }
    let row = register.agenda(day("2027-03-12")).unwrap();
    let row = &row
        .buckets
        .iter()
        .find(|b| b.id == "expired_urgent")
        .unwrap()
        .rows[0];
    assert_eq!(
        (row.days, row.due.as_str()),
        (-2, expiry),
        "the row says how late"
    );
}

#[test]
fn the_issued_permit_counts_once_collected_and_a_renewal_takes_the_case_off() {
    let (_dir, mut register) = temp_register();
    let case = open(&mut register, "Rinnovo", "2026-01-31", "2026-01-05");
    add(
        &mut register,
        &case,
        "collected",
        "2026-02-10",
        issued("2028-02-09"),
    );
    assert_eq!(
        buckets_of(&register, &case.number, "2027-12-15"),
        vec!["expiring"],
        "the new permit's expiry is the one that counts, not the old one's"
    );
    let mut renewal = worker();
    renewal.current_permit.expiry_date = "2028-02-09".into();
    register
        .create(
            &NewCase {
                data: renewal,
                renewed_from: Some(case.id),
                ..NewCase::default()
            },
            &at("2027-12-15"),
            &op("Operatore Uno"),
        )
        .unwrap();
    assert!(
        buckets_of(&register, &case.number, "2027-12-15").is_empty(),
        "with its renewal opened the case is nobody's to call"
    );
}

#[test]
fn a_kit_without_appointment_is_called_after_the_kit_wait_until_an_appointment_is_recorded() {
    let (_dir, mut register) = temp_register();
    let case = open(&mut register, "Kit", "2026-12-31", "2026-09-01");
    add(&mut register, &case, "kit_sent", "2026-09-01", kit());
    let wait = register.agenda_settings().unwrap().kit_days as i64;
    assert_eq!(wait, 60, "the data's default wait");
    for (offset, want) in [
        (wait - 1, vec![]),
        (wait, vec!["kit_no_appointment"]),
        (wait + 1, vec!["kit_no_appointment"]),
    ] {
        assert_eq!(
            buckets_of(&register, &case.number, &shift("2026-09-01", offset)),
            want,
            "{offset} days after the kit"
        );
    }
    add(
        &mut register,
        &case,
        "questura_appointment",
        "2026-11-05",
        appointment("2026-12-03", "09:30"),
    );
    assert!(buckets_of(&register, &case.number, "2026-11-05").is_empty());
    // The appointment voided: the case is back at the kit, dated by the kit again (not the correction).
    let view = register.get(case.id, day("2026-11-06")).unwrap();
    let latest = view
        .steps
        .iter()
        .rev()
        .find(|s| !s.voided && s.kind != "correction")
        .unwrap()
        .id;
    register
        .correct_step(
            case.id,
            view.revision,
            latest,
            "appuntamento registrato per errore",
            &at("2026-11-06"),
            &op("Uno"),
        )
        .unwrap();
    assert_eq!(
        buckets_of(&register, &case.number, "2026-11-06"),
        vec!["kit_no_appointment"],
        "counted from the kit's day"
    );
}

#[test]
fn todays_appointments_show_their_time_and_what_to_bring_and_ready_permits_are_listed() {
    let (_dir, mut register) = temp_register();
    let case = open(&mut register, "Appuntamento", "2026-12-31", "2026-09-01");
    add(&mut register, &case, "kit_sent", "2026-09-01", kit());
    add(
        &mut register,
        &case,
        "questura_appointment",
        "2026-10-01",
        appointment("2026-12-03", "09:30"),
    );
    for (today, want) in [
        ("2026-12-02", vec![]),
        ("2026-12-03", vec!["appointments"]),
        ("2026-12-04", vec![]),
    ] {
        assert_eq!(buckets_of(&register, &case.number, today), want, "{today}");
    }
    let agenda = register.agenda(day("2026-12-03")).unwrap();
    let row = &agenda.buckets[0].rows[0];
    assert_eq!(
        (row.time.as_str(), row.surname.as_str()),
        ("09:30", "Appuntamento")
    );
    assert!(
        agenda.settings.bring.contains(&"photos".to_string()),
        "what to bring comes from the data: {:?}",
        agenda.settings.bring
    );
    add(
        &mut register,
        &case,
        "permit_ready",
        "2026-12-10",
        StepDetails::default(),
    );
    assert_eq!(
        buckets_of(&register, &case.number, "2026-12-11"),
        vec!["ready"]
    );
}

#[test]
fn a_collected_renewal_asks_for_the_dimora_declaration_until_confirmed() {
    let (_dir, mut register) = temp_register();
    let case = open(&mut register, "Dimora", "2026-11-30", "2026-06-01");
    add(
        &mut register,
        &case,
        "collected",
        "2026-07-01",
        issued("2028-06-30"),
    );
    let n = case.number.clone();
    assert_eq!(buckets_of(&register, &n, "2026-07-01"), vec!["dimora_due"]);
    let agenda = register.agenda(day("2026-07-01")).unwrap();
    let (rows, _) = bucket(&agenda, "dimora_due");
    assert_eq!(rows, vec![n.clone()]);
    let row = &agenda
        .buckets
        .iter()
        .find(|b| b.id == "dimora_due")
        .unwrap()
        .rows[0];
    assert_eq!(row.due, "2026-08-30", "due 60 days after the collection");
    assert_eq!(buckets_of(&register, &n, "2026-08-30"), vec!["dimora_due"]);
    assert_eq!(
        buckets_of(&register, &n, "2026-08-31"),
        vec!["dimora_due"],
        "overdue, still listed"
    );
    assert_eq!(
        buckets_of(&register, &n, &shift("2026-08-30", 365)),
        vec!["dimora_due"]
    );
    assert!(buckets_of(&register, &n, &shift("2026-08-30", 366)).is_empty());
    register
        .record_contact(
            case.id,
            &ContactInput {
                channel: "phone".into(),
                outcome: "dimora_confirmed".into(),
                bucket: "dimora_due".into(),
                note: String::new(),
            },
            &at("2026-07-20"),
            &op("Operatore Uno"),
        )
        .unwrap();
    assert!(
        buckets_of(&register, &n, "2026-10-20").is_empty(),
        "a confirmed declaration leaves the list for good, past any follow-up"
    );
}

#[test]
fn a_logged_contact_hides_the_row_until_its_next_due_date() {
    let (_dir, mut register) = temp_register();
    let case = ended(&mut register, "Chiamato", "2027-01-20", "2026-11-02");
    let n = case.number.clone();
    let today = "2026-12-01";
    assert_eq!(buckets_of(&register, &n, today), vec!["expiring"]);
    let log = register
        .record_contact(
            case.id,
            &ContactInput {
                channel: "phone".into(),
                outcome: "no_answer".into(),
                bucket: "expiring".into(),
                note: "richiamare dopo le 17".into(),
            },
            &at(today),
            &op("Operatore Uno"),
        )
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].day.as_str(), log[0].channel.as_str()),
        (today, "phone")
    );
    let follow = register.agenda_facts().follow_up_days("expiring") as i64;
    assert!(
        buckets_of(&register, &n, today).is_empty(),
        "contacted today: off the list"
    );
    assert!(buckets_of(&register, &n, &shift(today, follow - 1)).is_empty());
    assert_eq!(
        buckets_of(&register, &n, &shift(today, follow)),
        vec!["expiring"],
        "back on its next due date"
    );
    // A contact for another bucket does not answer this one; one from the case's screen does.
    let (_dir2, mut other) = temp_register();
    let case = ended(&mut other, "Altro", "2027-01-20", "2026-11-02");
    let contact = |bucket: &str| ContactInput {
        channel: "sms".into(),
        outcome: "message_left".into(),
        bucket: bucket.into(),
        note: String::new(),
    };
    other
        .record_contact(
            case.id,
            &contact("kit_no_appointment"),
            &at(today),
            &op("Uno"),
        )
        .unwrap();
    assert_eq!(buckets_of(&other, &case.number, today), vec!["expiring"]);
    other
        .record_contact(case.id, &contact(""), &at(today), &op("Uno"))
        .unwrap();
    assert!(buckets_of(&other, &case.number, today).is_empty());
}

#[test]
fn reminders_are_offered_only_to_applicants_who_consented() {
    let (_dir, mut register) = temp_register();
    let case = ended(&mut register, "Consenso", "2027-01-20", "2026-11-02");
    let today = day("2026-12-01");
    let row = |register: &Register| register.agenda(today).unwrap().buckets[2].rows[0].clone();
    let r = row(&register);
    assert!(
        !r.remind && r.channels.is_empty(),
        "without consent the row is listed, marked do-not-remind"
    );
    let consent = Consent {
        sms: true,
        letter: true,
        language: "ar".into(),
        given_on: "2026-11-02".into(),
        ..Consent::default()
    };
    register
        .set_consent(case.id, &consent, &at("2026-12-01"), &op("Uno"))
        .unwrap();
    let r = row(&register);
    assert!(r.remind);
    assert_eq!(r.channels, vec!["sms", "letter"]);
    assert_eq!(r.language, "ar", "the consent's language is the reminders'");
    let withdrawn = Consent {
        withdrawn_on: "2026-12-01".into(),
        ..consent
    };
    register
        .set_consent(case.id, &withdrawn, &at("2026-12-01"), &op("Uno"))
        .unwrap();
    assert!(!row(&register).remind, "a withdrawn consent offers nothing");
    assert_eq!(register.consent(case.id).unwrap(), Some(withdrawn));
}

#[test]
fn a_consent_with_every_problem_is_refused_naming_each_field() {
    let (_dir, mut register) = temp_register();
    let case = ended(&mut register, "Errori", "2027-01-20", "2026-11-02");
    let err = register
        .set_consent(
            case.id,
            &Consent {
                phone: true,
                language: "xx".into(),
                withdrawn_on: "2027-05-01".into(),
                ..Consent::default()
            },
            &at("2026-12-01"),
            &op("Uno"),
        )
        .unwrap_err();
    let mut got = problems(err);
    got.sort();
    assert_eq!(
        got,
        vec![
            "consent.givenOn:required",
            "consent.language:unknown_code",
            "consent.withdrawnOn:date_future",
        ]
    );
    assert_eq!(
        register.consent(case.id).unwrap(),
        None,
        "nothing half-written"
    );
}

#[test]
fn a_contact_is_audited_and_a_bad_one_reports_every_field() {
    let (_dir, mut register) = temp_register();
    let case = ended(&mut register, "Audit", "2027-01-20", "2026-11-02");
    let err = register
        .record_contact(
            case.id,
            &ContactInput {
                channel: "pigeon".into(),
                outcome: String::new(),
                bucket: "someday".into(),
                note: String::new(),
            },
            &at("2026-12-01"),
            &op("Uno"),
        )
        .unwrap_err();
    let mut got = problems(err);
    got.sort();
    assert_eq!(
        got,
        vec![
            "contact.bucket:unknown_code",
            "contact.channel:unknown_code",
            "contact.outcome:required"
        ]
    );
    register
        .record_contact(
            case.id,
            &ContactInput {
                channel: "in_person".into(),
                outcome: "reached".into(),
                bucket: "expiring".into(),
                note: String::new(),
            },
            &at("2026-12-01"),
            &op("Uno"),
        )
        .unwrap();
    let filter = Filter {
        action: Some(Action::ContactRecorded),
        ..Filter::default()
    };
    let lines = audit::list(register.store().conn(), &filter, 0, 10)
        .unwrap()
        .items;
    assert_eq!(lines.len(), 1, "one entry for the one contact written");
    assert_eq!(lines[0].case_uuid.as_deref(), Some(case.uuid.as_str()));
    assert!(
        lines[0].detail.contains("\"channel\":\"in_person\"")
            && lines[0].detail.contains("\"outcome\":\"reached\""),
        "the entry names the codes, never a note: {}",
        lines[0].detail
    );
    assert!(audit::verify(register.store().conn())
        .unwrap()
        .first_broken
        .is_none());
}

#[test]
fn retention_clears_the_consent_and_log_with_the_contacts_and_the_notes_with_the_notes() {
    let (_dir, mut register) = temp_register();
    let case = ended(&mut register, "Ritenzione", "2027-01-20", "2026-11-02");
    register
        .set_consent(
            case.id,
            &Consent {
                phone: true,
                given_on: "2026-11-02".into(),
                ..Consent::default()
            },
            &at("2026-12-01"),
            &op("Uno"),
        )
        .unwrap();
    let contact = ContactInput {
        channel: "phone".into(),
        outcome: "reached".into(),
        bucket: String::new(),
        note: "ha detto che viene lunedì".into(),
    };
    register
        .record_contact(case.id, &contact, &at("2026-12-01"), &op("Uno"))
        .unwrap();
    register
        .minimise_notes(&boss(), case.id, &at("2026-12-02"))
        .unwrap();
    let log = register.contacts(case.id).unwrap();
    assert_eq!(
        log[0].note, "",
        "a contact's note is a note: minimised with them"
    );
    assert_eq!(
        log[0].outcome, "reached",
        "the rest of the log stays until the contacts go"
    );
    register
        .clear_contacts(&boss(), case.id, &at("2026-12-02"))
        .unwrap();
    assert!(register.contacts(case.id).unwrap().is_empty());
    assert_eq!(register.consent(case.id).unwrap(), None);
}

#[test]
fn restricted_and_anonymised_cases_never_appear() {
    let (_dir, mut register) = temp_register();
    let case = ended(&mut register, "Limitato", "2027-01-20", "2026-11-02");
    assert_eq!(
        buckets_of(&register, &case.number, "2026-12-01"),
        vec!["expiring"]
    );
    register
        .restrict(
            &boss(),
            case.id,
            RestrictionReason::AccuracyContested,
            &at("2026-12-01"),
        )
        .unwrap();
    assert!(buckets_of(&register, &case.number, "2026-12-01").is_empty());
    let err = register
        .record_contact(
            case.id,
            &ContactInput {
                channel: "phone".into(),
                outcome: "reached".into(),
                ..ContactInput::default()
            },
            &at("2026-12-01"),
            &op("Uno"),
        )
        .unwrap_err();
    assert!(
        matches!(err, mixite_core::Error::Conflict(_)),
        "a restricted case takes no contact: {err:?}"
    );
}

#[test]
fn the_responsabile_sets_the_lead_time_within_the_datas_bounds() {
    let (_dir, mut register) = temp_register();
    let case = ended(&mut register, "Anticipo", "2027-02-20", "2026-11-02");
    let today = "2026-12-01"; // 81 days before the expiry
    assert!(buckets_of(&register, &case.number, today).is_empty());
    let refused = register
        .set_agenda_days(Setting::LeadDays, Some(90), &at(today), &op("Uno"))
        .unwrap_err();
    assert!(
        matches!(refused, mixite_core::Error::Access(_)),
        "an operator may not"
    );
    let settings = register
        .set_agenda_days(Setting::LeadDays, Some(90), &at(today), &boss())
        .unwrap();
    assert!(settings.lead_overridden && settings.lead_days == 90);
    assert_eq!(buckets_of(&register, &case.number, today), vec!["expiring"]);
    let err = register
        .set_agenda_days(Setting::KitDays, Some(1000), &at(today), &boss())
        .unwrap_err();
    assert_eq!(problems(err), vec!["agenda.kitDays:out_of_range"]);
    register
        .set_agenda_days(Setting::LeadDays, None, &at(today), &boss())
        .unwrap();
    assert!(
        buckets_of(&register, &case.number, today).is_empty(),
        "back to the default"
    );
}

#[test]
fn the_agenda_counts_every_row_even_past_the_rows_it_lists() {
    let (_dir, mut register) = temp_register();
    for name in ["Conta", "Contb", "Contc"] {
        ended(&mut register, name, "2027-01-20", "2026-11-02");
    }
    let agenda = register.agenda(day("2026-12-01")).unwrap();
    let (rows, count) = bucket(&agenda, "expiring");
    assert_eq!((rows.len(), count), (3, 3));
    assert_eq!(
        agenda.buckets.len(),
        8,
        "every bucket is listed, empty ones too (the seven of the agenda and the open referrals)"
    );
}

#[test]
fn the_access_report_lists_the_consent_and_the_contact_log() {
    use mixite_core::papers::access_report;
    use mixite_core::papers::print::FontLibrary;
    let (_dir, mut register) = temp_register();
    let case = ended(&mut register, "Accesso", "2027-01-20", "2026-11-02");
    register
        .set_consent(
            case.id,
            &Consent {
                sms: true,
                given_on: "2026-11-02".into(),
                ..Consent::default()
            },
            &at("2026-12-01"),
            &op("Uno"),
        )
        .unwrap();
    register
        .record_contact(
            case.id,
            &ContactInput {
                channel: "phone".into(),
                outcome: "will_come".into(),
                bucket: "expiring".into(),
                note: String::new(),
            },
            &at("2026-12-01"),
            &op("Uno"),
        )
        .unwrap();
    let fonts = FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"));
    let pdf =
        access_report::render_access_report(&register, &fonts, case.id, "en", day("2026-12-02"))
            .unwrap();
    let text = crate::squeezed_text(&pdf);
    for expected in [
        "Consensoaipromemoria(canali)/Consenttoreminders(channels):sms",
        "Datadelconsenso/Datetheconsentwasgiven:02/11/2026",
        "Registrodeicontatti/Contactlog:01/12/2026·phone·will_come",
    ] {
        assert!(
            text.contains(expected),
            "the report shows {expected}: {text}"
        );
    }
}

#[test]
fn a_bucket_longer_than_its_listed_rows_still_counts_them_all() {
    use mixite_core::register::agenda::ROWS_MAX;
    let mut register = Register::in_memory().unwrap();
    let surnames: Vec<String> = (0..ROWS_MAX + 5)
        .map(|i| {
            // Latin letters only (a name as in the passport): base 26 of the index.
            let (a, b) = (i / 26, i % 26);
            format!(
                "Conto{}{}",
                (b'a' + a as u8) as char,
                (b'a' + b as u8) as char
            )
        })
        .collect();
    for name in &surnames {
        ended(&mut register, name, "2027-01-20", "2026-11-02");
    }
    let agenda = register.agenda(day("2026-12-01")).unwrap();
    let expiring = agenda.buckets.iter().find(|b| b.id == "expiring").unwrap();
    assert_eq!(
        expiring.rows.len(),
        ROWS_MAX,
        "the list stops at {ROWS_MAX} rows"
    );
    assert_eq!(expiring.count, (ROWS_MAX + 5) as u64, "the count goes on");
    assert!(!expiring.capped, "far below the count's cap");
}
