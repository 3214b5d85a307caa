//! Referrals to the partner network (issue 16): the starter directory and its data, the directory's
//! validation and its role rule, a partner file's round trip and its refusals, a retired partner keeping
//! its referrals, the follow-up state machine, the agenda's open referrals and the reports' counts, and
//! the referral slip (one A5 page, Italian and Arabic read back with pdftotext, the consent rule checked
//! on the PDF's text).

use chrono::Days;
use mixite_core::exchange::partners_file;
use mixite_core::papers::print::FontLibrary;
use mixite_core::papers::referral;
use mixite_core::register::operators::{Actor, Role};
use mixite_core::register::partners::{Directory, PartnerInput};
use mixite_core::register::referrals::{FollowUpInput, ReferralInput, State};
use mixite_core::register::Register;
use mixite_core::{Clock, Error};

use crate::checklist::artifacts;
use crate::{clock, create, day, op, problems, temp_register, worker};

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

fn boss() -> Actor {
    Actor::unchecked(
        "00000000-0000-4000-8000-000000000009",
        "Responsabile Uno",
        Role::Responsabile,
    )
}

/// A complete partner as the responsabile types it.
fn partner(name: &str) -> PartnerInput {
    PartnerInput {
        name: name.into(),
        needs: vec!["legal".into(), "housing".into()],
        address: "Via Fillungo 1, 55100 Lucca".into(),
        hours: "Lunedì 9-12".into(),
        phone: "0583 000000".into(),
        email: "sportello@example.org".into(),
        languages: vec!["it".into(), "ar".into()],
        bring: "Permesso di soggiorno e passaporto".into(),
        booking: "Per telefono".into(),
        directions: "Dieci minuti a piedi dal Comune".into(),
        source: "https://www.example.org/sportello".into(),
        read_on: "2026-11".into(),
        verify: false,
        ..PartnerInput::default()
    }
}

fn refer(
    register: &mut Register,
    case_id: Option<i64>,
    partner_id: i64,
    consent: bool,
    language: &str,
) -> mixite_core::register::referrals::Referral {
    register
        .refer(
            &ReferralInput {
                case_id,
                need: "legal".into(),
                partner_id,
                reason: "Permesso scaduto da oltre sessanta giorni: serve un avvocato".into(),
                consent,
                language: language.into(),
            },
            &clock(),
            &op("Operatore Uno"),
        )
        .expect("a valid referral is stored")
}

#[test]
fn the_starter_directory_seeds_a_new_register_with_nothing_invented() {
    let (_dir, register) = temp_register();
    let directory = Directory::bundled().unwrap();
    let partners = register.partners(true).unwrap();
    assert_eq!(
        partners.len(),
        directory.starter.len(),
        "migration 011 wrote every starter partner"
    );
    for name in [
        "Altro Diritto",
        "Fondazione Casa Lucca",
        "Odissea",
        "So & Co",
        "Oxfam",
        "Co&So",
        "Comune di Firenze",
        "CPIA",
        "Patronati",
        "ASL",
        "Centro per l'impiego",
        "Servizi sociali",
    ] {
        assert!(
            partners.iter().any(|p| p.data.name.contains(name)),
            "the issue's partner or kind of service {name} is in the directory"
        );
    }
    for p in &partners {
        // Without network access nothing was confirmed: every row says so, and no contact is made up.
        assert!(p.data.verify, "{} is flagged to verify", p.data.name);
        assert!(
            p.data.phone.is_empty() && p.data.email.is_empty() && p.data.address.is_empty(),
            "{}: no phone, e-mail or address the brief does not give",
            p.data.name
        );
        assert!(p.data.source.is_empty() || p.data.source.starts_with("http"));
        assert!(
            p.data.source.is_empty() == p.data.read_on.is_empty(),
            "{}: a source has its reading day",
            p.data.name
        );
        assert!(p
            .data
            .needs
            .iter()
            .all(|n| directory.need_codes().contains(&n.as_str())));
    }
    // Every need has its printed label in Italian (the other languages are checked against it).
    for need in directory.need_codes() {
        assert!(
            crate::locale_text("papers", "it", &format!("papers.referral.needs.{need}")).is_some(),
            "need {need} prints in Italian"
        );
    }
}

#[test]
fn a_partner_is_validated_field_by_field_and_only_a_responsabile_edits_the_directory() {
    let (_dir, mut register) = temp_register();
    let bad = PartnerInput {
        name: " ".into(),
        needs: vec!["astrology".into()],
        phone: "call me".into(),
        email: "not-an-address".into(),
        languages: vec!["xx".into()],
        source: "www.example.org".into(),
        read_on: "2026-13".into(),
        uid: "No Spaces".into(),
        ..PartnerInput::default()
    };
    let mut found = problems(register.add_partner(&bad, &clock(), &boss()).unwrap_err());
    found.sort();
    assert_eq!(
        found,
        [
            "partner.email:email_format",
            "partner.languages:unknown_code",
            "partner.name:required",
            "partner.needs:unknown_code",
            "partner.phone:phone_format",
            "partner.readOn:date_invalid",
            "partner.source:url_format",
            "partner.uid:partner_id_format",
        ],
        "every bad field is reported at once, on its own path"
    );
    let future = PartnerInput {
        read_on: "2027-01-01".into(),
        ..partner("Futuro")
    };
    assert_eq!(
        problems(
            register
                .add_partner(&future, &clock(), &boss())
                .unwrap_err()
        ),
        ["partner.readOn:date_future"]
    );
    assert!(
        matches!(
            register.add_partner(&partner("Sportello legale"), &clock(), &op("Operatore Uno")),
            Err(Error::Access(mixite_core::error::AccessCode::NotAllowed))
        ),
        "an operatore reads the directory but does not edit it"
    );
    let added = register
        .add_partner(&partner("Sportello legale"), &clock(), &boss())
        .unwrap();
    assert!(
        !added.data.uid.is_empty(),
        "a partner added here gets a stable id"
    );
    // A partner without a source cannot be presented as confirmed.
    let unsourced = register
        .update_partner(
            added.id,
            &PartnerInput {
                source: String::new(),
                read_on: String::new(),
                ..partner("Sportello legale")
            },
            &clock(),
            &boss(),
        )
        .unwrap();
    assert!(unsourced.data.verify);
    assert_eq!(unsourced.data.uid, added.data.uid, "the stable id is kept");
}

#[test]
fn the_directory_travels_as_a_file_and_comes_back_the_same() {
    // After the day the starter directory's sources were read (a reading day cannot be in the future).
    let clock = || Clock::at(day("2026-12-10"));
    let (_a, mut one) = temp_register();
    let (_b, mut other) = temp_register();
    let added = one
        .add_partner(&partner("Sportello legale"), &clock(), &boss())
        .unwrap();
    let odissea = one
        .partners(false)
        .unwrap()
        .into_iter()
        .find(|p| p.data.uid == "cooperativa-odissea")
        .unwrap();
    let mut changed = odissea.data.clone();
    changed.hours = "Martedì 15-18".into();
    one.update_partner(odissea.id, &changed, &clock(), &boss())
        .unwrap();
    let so_co = one
        .partners(false)
        .unwrap()
        .into_iter()
        .find(|p| p.data.uid == "so-and-co-lucca")
        .unwrap();
    one.retire_partner(so_co.id, true, &clock(), &boss())
        .unwrap();

    let bytes = partners_file::to_bytes(&one.partners(true).unwrap(), clock().today).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("\"format\": \"mixite-partners\"") && text.contains("\"version\": 1"));
    let needs = other
        .directory()
        .need_codes()
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>();
    let needs: Vec<&str> = needs.iter().map(String::as_str).collect();
    let file = partners_file::read(&bytes, &needs, other.reference(), clock().today).unwrap();
    let done = other
        .import_partners(&file.partners, &clock(), &boss())
        .unwrap();
    assert_eq!(
        (done.added, done.changed, done.retired),
        (1, 1, 1),
        "the new partner added, Odissea's hours changed, So & Co retired as at the other desk"
    );
    let strip = |r: &Register| {
        r.partners(true)
            .unwrap()
            .into_iter()
            .map(|p| (p.data, p.retired_on.is_some()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        strip(&one),
        strip(&other),
        "both desks hold the same directory"
    );
    assert!(other
        .partners(true)
        .unwrap()
        .iter()
        .any(|p| p.data.uid == added.data.uid));
    // Importing again changes nothing.
    let again = other
        .import_partners(&file.partners, &clock(), &boss())
        .unwrap();
    assert_eq!((again.added, again.changed, again.retired), (0, 0, 0));
    // An operatore may not import.
    assert!(other
        .import_partners(&file.partners, &clock(), &op("Operatore Uno"))
        .is_err());

    // What is not a partner file, or a newer one, or one with a bad partner, is refused whole.
    let refused = |bytes: &[u8]| {
        partners_file::read(bytes, &needs, other.reference(), clock().today).unwrap_err()
    };
    assert!(matches!(
        refused(b"not json"),
        Error::Archive(mixite_core::error::ArchiveCode::NotAPartnerFile)
    ));
    assert!(matches!(
        refused(
            br#"{"format":"mixite-partners","version":2,"exportedOn":"2026-11-26","partners":[]}"#
        ),
        Error::Archive(mixite_core::error::ArchiveCode::UnsupportedSchema)
    ));
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    value["partners"][2]["email"] = "nobody".into();
    value["partners"][4]["uid"] = value["partners"][3]["uid"].clone();
    let found = problems(refused(&serde_json::to_vec(&value).unwrap()));
    assert!(
        found.contains(&"partner.2.email:email_format".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"partner.4.uid:duplicate".to_string()),
        "{found:?}"
    );
}

#[test]
fn a_retired_partner_keeps_its_referrals_and_is_proposed_no_more() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let added = register
        .add_partner(&partner("Sportello legale"), &clock(), &boss())
        .unwrap();
    // The applicant's language first: the new partner speaks Arabic, the starter ones Italian.
    let proposed = register.partner_proposals("legal", "ar").unwrap();
    let speaks =
        |p: &mixite_core::register::partners::Partner| p.data.languages.iter().any(|l| l == "ar");
    let first_other = proposed.iter().position(|p| !speaks(p)).unwrap();
    assert!(
        proposed[..first_other].iter().any(|p| p.id == added.id)
            && proposed[first_other..].iter().all(|p| !speaks(p)),
        "the partners speaking the applicant's language come first"
    );
    let made = refer(&mut register, Some(case.id), added.id, true, "ar");
    register
        .retire_partner(added.id, true, &clock(), &boss())
        .unwrap();

    let kept = register.case_referrals(case.id).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, made.id);
    assert_eq!(
        kept[0].partner_name, "Sportello legale",
        "the referral still names its partner"
    );
    assert!(kept[0].partner_retired);
    assert!(
        register
            .partner_proposals("legal", "ar")
            .unwrap()
            .iter()
            .all(|p| p.id != added.id),
        "a retired partner is not proposed"
    );
    assert!(matches!(
        register.refer(
            &ReferralInput {
                case_id: Some(case.id),
                need: "legal".into(),
                partner_id: added.id,
                reason: "Di nuovo".into(),
                consent: false,
                language: "it".into(),
            },
            &clock(),
            &op("Operatore Uno")
        ),
        Err(Error::Conflict(
            mixite_core::error::ConflictCode::PartnerRetired
        ))
    ));
    // Not even SQL deletes a partner: the schema refuses it.
    let deleted = register
        .store()
        .conn()
        .execute("DELETE FROM partners WHERE id = ?1", [added.id]);
    assert!(deleted.is_err(), "partners are retired, never deleted");
    // Back in the directory, it is proposed again.
    register
        .retire_partner(added.id, false, &clock(), &boss())
        .unwrap();
    assert!(register
        .partner_proposals("legal", "ar")
        .unwrap()
        .iter()
        .any(|p| p.id == added.id));
}

#[test]
fn a_referral_is_validated_and_its_follow_up_only_goes_forward() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let bad = register
        .refer(
            &ReferralInput {
                case_id: Some(case.id),
                need: "magic".into(),
                partner_id: 0,
                reason: String::new(),
                consent: true,
                language: "xx".into(),
            },
            &clock(),
            &op("Operatore Uno"),
        )
        .unwrap_err();
    let mut found = problems(bad);
    found.sort();
    assert_eq!(
        found,
        [
            "referral.language:unknown_code",
            "referral.need:unknown_code",
            "referral.partner:required",
            "referral.reason:required",
        ]
    );
    let partner = register.partner_proposals("legal", "sq").unwrap()[0].id;
    let made = refer(&mut register, Some(case.id), partner, true, "sq");
    assert_eq!(made.state, State::Referred);
    assert_eq!(made.next, [State::Went, State::DidNotGo]);
    let step = |register: &mut Register, state: State, date: &str| {
        register.follow_up_referral(
            made.id,
            &FollowUpInput {
                state,
                date: date.into(),
            },
            &clock(),
            &op("Operatore Uno"),
        )
    };
    let illegal = |r: Result<_, Error>| {
        matches!(
            r,
            Err(Error::Conflict(
                mixite_core::error::ConflictCode::ReferralState
            ))
        )
    };
    assert!(
        illegal(step(&mut register, State::Resolved, "2026-11-26")),
        "no outcome before going"
    );
    assert!(
        illegal(step(&mut register, State::Referred, "2026-11-26")),
        "not back to where it is"
    );
    assert_eq!(
        problems(step(&mut register, State::Went, "2026-11-27").unwrap_err()),
        ["referral.date:date_future"]
    );
    assert_eq!(
        problems(step(&mut register, State::Went, "2026-11-25").unwrap_err()),
        ["referral.date:date_before_previous_step"],
        "not before it was referred"
    );
    let went = step(&mut register, State::Went, "2026-11-26").unwrap();
    assert_eq!(
        (went.state, went.went_on.as_deref()),
        (State::Went, Some("2026-11-26"))
    );
    assert!(
        illegal(step(&mut register, State::DidNotGo, "2026-11-26")),
        "who went did go"
    );
    let done = step(&mut register, State::NotResolved, "2026-11-26").unwrap();
    assert_eq!(
        (done.state, done.closed_on.as_deref()),
        (State::NotResolved, Some("2026-11-26"))
    );
    assert!(done.next.is_empty());
    for state in State::ALL {
        assert!(
            illegal(step(&mut register, state, "2026-11-26")),
            "an outcome is final"
        );
    }
    // A walk-in's referral keeps no case and no name.
    let walk_in = refer(&mut register, None, partner, false, "ar");
    assert!(walk_in.walk_in && walk_in.case_id.is_none());
}

#[test]
fn open_referrals_older_than_the_desks_setting_appear_on_the_agenda_and_feed_the_reports() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let partner = register.partner_proposals("legal", "it").unwrap()[0].id;
    let made = refer(&mut register, Some(case.id), partner, false, "it");
    let (days, set) = register.referral_open_days().unwrap();
    assert_eq!(
        (days, set),
        (30, false),
        "the data's default until the Comune sets it"
    );
    let bucket = |register: &Register, today: chrono::NaiveDate| {
        register
            .agenda(today)
            .unwrap()
            .buckets
            .into_iter()
            .find(|b| b.id == "referrals_open")
            .expect("the agenda has the open referrals' bucket")
    };
    let later = |n: u64| clock().today.checked_add_days(Days::new(n)).unwrap();
    assert_eq!(bucket(&register, later(29)).count, 0, "not yet");
    let due = bucket(&register, later(30));
    assert_eq!(due.count, 1);
    assert_eq!(due.group, "to_call");
    assert_eq!(due.rows[0].case_id, case.id);
    assert_eq!(due.rows[0].date, "2026-11-26");
    assert_eq!(due.rows[0].due, "2026-12-26");
    // The responsabile shortens the wait, within the data's bounds.
    assert_eq!(
        problems(
            register
                .set_referral_open_days(Some(3), &clock(), &boss())
                .unwrap_err()
        ),
        ["referral.openDays:out_of_range"]
    );
    assert!(register
        .set_referral_open_days(Some(7), &clock(), &op("Operatore Uno"))
        .is_err());
    assert_eq!(
        register
            .set_referral_open_days(Some(7), &clock(), &boss())
            .unwrap(),
        (7, true)
    );
    assert_eq!(bucket(&register, later(7)).count, 1);
    // An outcome takes it off; a walk-in's never shows (nobody to call).
    refer(&mut register, None, partner, false, "it");
    let went_day = later(10);
    register
        .follow_up_referral(
            made.id,
            &FollowUpInput {
                state: State::DidNotGo,
                date: went_day.to_string(),
            },
            &Clock::at(went_day),
            &op("Operatore Uno"),
        )
        .unwrap();
    assert_eq!(bucket(&register, later(60)).count, 0);

    let counts = register
        .referral_counts(day("2026-11-01"), day("2026-11-30"))
        .unwrap();
    assert_eq!(counts.len(), 1, "only needs with referrals are listed");
    assert_eq!(
        (
            counts[0].need.as_str(),
            counts[0].made,
            counts[0].did_not_go,
            counts[0].referred
        ),
        ("legal", 2, 1, 1)
    );
    assert!(register
        .referral_counts(day("2026-12-01"), day("2026-12-31"))
        .unwrap()
        .is_empty());
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slip.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

#[test]
fn the_slip_is_one_a5_page_in_italian_and_arabic_and_without_consent_names_only_the_person() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let partner = register
        .add_partner(&partner("Sportello legale"), &clock(), &boss())
        .unwrap();
    let fonts = fonts();
    let with = refer(&mut register, Some(case.id), partner.id, true, "ar");
    let without = refer(&mut register, Some(case.id), partner.id, false, "ar");

    let filed = referral::file(&mut register, &fonts, with.id, "Operatore Uno", &clock()).unwrap();
    assert!(
        filed.file.ends_with("invio-legal-ar-20261126.pdf"),
        "{}",
        filed.file
    );
    let pdf = filed.pdf.clone();
    artifacts("referral-ar-consent", &pdf);
    assert_eq!(pages(&pdf), 1, "one page");
    let raw = crate::pdf_text(&pdf);
    let text = squeeze(&raw);
    // The page is A5 (420 × 595 points).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.pdf"), &pdf).unwrap();
    let info = String::from_utf8(
        std::process::Command::new("pdfinfo")
            .arg(dir.path().join("s.pdf"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        info.contains("419.528 x 595.276"),
        "A5, 148 × 210 mm: {info}"
    );
    // Italian whole, the partner's facts, the desk's contact.
    for italian in [
        "Foglio di invio a un servizio",
        "Porta con te questo foglio.",
        "Via Fillungo 1, 55100 Lucca",
        "Dieci minuti a piedi dal Comune",
        "Permesso di soggiorno e passaporto",
        "0583 442042",
    ] {
        assert!(text.contains(&squeeze(italian)), "{italian:?} not found");
    }
    // Arabic word by word in logical order (its Latin words and punctuation are placed by the bidi
    // algorithm, which extraction applies again); a heading of pure script comes back whole.
    for key in [
        "title",
        "intro",
        "address",
        "directions",
        "bring",
        "consent_yes",
    ] {
        let arabic = crate::locale_text("papers", "ar", &format!("papers.referral.{key}")).unwrap();
        for word in arabic
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
        {
            assert!(text.contains(word), "ar: {word:?} of {key} not found");
        }
    }
    assert!(
        text.contains(&squeeze("ورقة إحالة إلى خدمة")),
        "the Arabic title in reading order"
    );
    // With consent: the name, birth date, phone, case number and the operator's reason.
    for personal in [
        "Arben Hoxha",
        "15/04/1990",
        "+39 333 1234567",
        &case.number,
        "serve un avvocato",
    ] {
        assert!(
            text.contains(&squeeze(personal)),
            "with consent the slip says {personal:?}"
        );
    }

    // Without consent: the name only, and the need instead of the reason.
    let pdf = referral::render(
        &register,
        &fonts,
        &register.referral(without.id).unwrap(),
        "",
        clock().today,
    )
    .unwrap();
    artifacts("referral-ar-no-consent", &pdf);
    assert_eq!(pages(&pdf), 1);
    let text = squeeze(&crate::pdf_text(&pdf));
    assert!(text.contains("ArbenHoxha"), "the name is printed");
    for personal in [
        "15/04/1990",
        "1990",
        "3331234567",
        case.number.as_str(),
        "avvocato",
        "Hoxha Arben",
    ] {
        assert!(
            !text.contains(&squeeze(personal)),
            "without consent the slip does not say {personal:?}"
        );
    }
    assert!(
        text.contains(&squeeze("Consulenza legale")),
        "the need says why"
    );
    assert!(text.contains(&squeeze("Non hai dato il consenso")));
}

#[test]
fn the_italian_slip_of_a_walk_in_and_of_a_starter_partner_says_to_ask_what_is_not_known() {
    let (_dir, mut register) = temp_register();
    let fonts = fonts();
    let odissea = register
        .partners(false)
        .unwrap()
        .into_iter()
        .find(|p| p.data.uid == "cooperativa-odissea")
        .unwrap();
    let walk_in = refer(&mut register, None, odissea.id, true, "it");
    assert!(
        referral::file(&mut register, &fonts, walk_in.id, "Operatore Uno", &clock()).is_err(),
        "a walk-in's slip belongs to no case and is not filed"
    );
    let pdf = referral::render(&register, &fonts, &walk_in, "Amina", clock().today).unwrap();
    artifacts("referral-it-walk-in", &pdf);
    assert_eq!(pages(&pdf), 1);
    let text = squeeze(&crate::pdf_text(&pdf));
    assert!(text.contains("Amina"));
    assert!(text.contains(&squeeze("Cooperativa sociale Odissea")));
    assert!(
        text.contains(&squeeze("Da chiedere allo sportello.")),
        "an unknown address says to ask"
    );
    assert!(
        text.contains(&squeeze("non sono ancora confermati")),
        "an unconfirmed partner says so"
    );
    assert!(
        !text.contains("avvocato"),
        "a walk-in's slip has no reason beyond the need"
    );
    assert!(text.contains(&squeeze("Consulenza legale")));
}

#[test]
fn every_report_carries_the_referrals_made_and_their_outcomes_with_small_counts_suppressed() {
    use mixite_core::register::report::{Cell, Period};
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let legal = register.partner_proposals("legal", "it").unwrap()[0].id;
    let housing = register.partner_proposals("housing", "it").unwrap()[0].id;
    for _ in 0..6 {
        refer(&mut register, Some(case.id), legal, false, "it");
    }
    register
        .refer(
            &ReferralInput {
                case_id: None,
                need: "housing".into(),
                partner_id: housing,
                reason: "Sfratto".into(),
                consent: false,
                language: "it".into(),
            },
            &clock(),
            &op("Operatore Uno"),
        )
        .unwrap();
    let definitions = register.report_definitions().unwrap();
    for definition in &definitions {
        for locale in ["it", "en"] {
            let report = register
                .report(
                    definition,
                    Period::new(day("2026-11-01"), day("2026-11-30")).unwrap(),
                    locale,
                )
                .unwrap();
            let table = report
                .table("referrals")
                .expect("every report has the referrals' table");
            assert!(
                !table.title.starts_with("report.")
                    && table.columns.iter().all(|c| !c.starts_with("report.")),
                "{locale}: translated"
            );
            assert_eq!(table.columns.len(), 7);
            let legal_label = if locale == "en" {
                "Legal advice"
            } else {
                "Consulenza legale"
            };
            let row = table
                .rows
                .iter()
                .find(|r| r[0] == Cell::Text(legal_label.into()))
                .unwrap();
            assert_eq!(
                row[1],
                Cell::Count(6),
                "six referrals made for legal advice"
            );
            assert_eq!(row[2], Cell::Count(6), "all six still waiting");
            let housing_row = table
                .rows
                .iter()
                .find(|r| r[0] != Cell::Text(legal_label.into()))
                .unwrap();
            assert_eq!(
                housing_row[1],
                Cell::Suppressed(definition.suppress_under),
                "one referral is shown as fewer than the threshold"
            );
        }
    }
}
