use mixite_core::error::{ConflictCode, Missing};
use mixite_core::model::Filing;
use mixite_core::{Error, NewCase};

use crate::{clock, create, op, temp_register, worker};

#[test]
fn a_created_case_reads_back_as_typed_normalised_and_numbered() {
    let (_dir, mut register) = temp_register();
    let mut data = worker();
    data.applicant.surname = "  Hoxha  ".into();
    data.applicant.document.number = "ba 1234567".into();
    let case = create(&mut register, data);
    assert_eq!(case.number, "2026/000001", "first case of the year");
    assert_eq!(case.data.applicant.surname, "Hoxha", "names are trimmed");
    assert_eq!(
        case.data.applicant.document.number, "BA1234567",
        "document numbers are upper-cased without spaces"
    );
    assert_eq!(case.status, "intake");
    assert_eq!(case.revision, 1);
    assert_eq!(case.steps.len(), 1, "creation records the intake step");
    assert_eq!(case.steps[0].operator, "Operatore Uno");
    assert_eq!(
        uuid::Uuid::parse_str(&case.uuid)
            .map(|u| u.get_version_num())
            .ok(),
        Some(4)
    );
    let again = register.get(case.id, clock().today).unwrap();
    assert_eq!(again, case, "reading gives what creating returned");
}

#[test]
fn case_numbers_count_up_and_start_again_each_year() {
    let (_dir, mut register) = temp_register();
    let a = create(&mut register, worker());
    let b = create(&mut register, worker());
    let next_year = mixite_core::Clock::at(crate::day("2027-01-02"));
    let c = register
        .create(
            &NewCase {
                data: worker(),
                ..NewCase::default()
            },
            &next_year,
            &op("Op"),
        )
        .unwrap();
    assert_eq!(
        (a.number.as_str(), b.number.as_str()),
        ("2026/000001", "2026/000002")
    );
    assert_eq!(c.number, "2027/000001", "numbering restarts with the year");
}

#[test]
fn the_same_request_id_twice_creates_one_case() {
    let (_dir, mut register) = temp_register();
    let new = NewCase {
        data: worker(),
        request_id: Some("form-7f3a".into()),
        renewed_from: None,
    };
    let first = register.create(&new, &clock(), &op("Op")).unwrap();
    let second = register.create(&new, &clock(), &op("Op")).unwrap();
    assert_eq!(
        first.id, second.id,
        "a double click or a double Enter must not make two cases"
    );
    assert_eq!(register.search("", 0, 10).unwrap().items.len(), 1);
}

#[test]
fn an_update_replaces_data_bumps_the_revision_and_refuses_a_stale_one() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let mut data = case.data.clone();
    data.applicant.address.street = "Piazza Napoleone".into();
    data.household.clear();
    let updated = register
        .update(case.id, case.revision, &data, &clock(), &op("Op"))
        .unwrap();
    assert_eq!(updated.revision, 2);
    assert_eq!(updated.data.applicant.address.street, "Piazza Napoleone");
    assert!(
        updated.data.household.is_empty(),
        "removed members are gone"
    );
    let stale = register.update(case.id, case.revision, &data, &clock(), &op("Op"));
    assert!(
        matches!(stale, Err(Error::Conflict(ConflictCode::StaleRevision))),
        "a save based on an old read must not overwrite a newer one"
    );
}

#[test]
fn an_invalid_update_changes_nothing() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let mut data = case.data.clone();
    data.applicant.surname.clear();
    assert!(register
        .update(case.id, case.revision, &data, &clock(), &op("Op"))
        .is_err());
    assert_eq!(
        register.get(case.id, clock().today).unwrap(),
        case,
        "nothing half-written"
    );
}

#[test]
fn household_filing_follows_age_on_the_case_date() {
    let (_dir, mut register) = temp_register();
    let mut data = worker();
    let member = data.household[0].clone();
    data.household = [
        "2019-06-01",
        "2011-01-01",
        "2008-11-27",
        "2008-11-26",
        "1992-02-02",
    ]
    .iter()
    .map(|born| mixite_core::model::HouseholdMember {
        birth_date: born.to_string(),
        ..member.clone()
    })
    .collect();
    let case = create(&mut register, data);
    assert_eq!(
        case.household_filing,
        vec![
            Filing::OnParentApplication,
            Filing::OwnMinorPermit,
            Filing::OwnMinorPermit,
            Filing::OwnApplication,
            Filing::OwnApplication
        ],
        "under 14 on the parent's application, 14-17 own minor permit, adults their own Modulo 1"
    );
}

#[test]
fn renewal_draft_carries_people_and_the_issued_permit_forward() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let mut step = mixite_core::model::StepInput {
        kind: "collected".into(),
        date: "2026-11-26".into(),
        ..Default::default()
    };
    step.details.issued_permit = mixite_core::model::Permit {
        motivo_code: "16".into(),
        number: "I99999999".into(),
        expiry_date: "2029-11-25".into(),
    };
    let collected = register
        .add_step(case.id, case.revision, &step, &clock(), &op("Op"))
        .unwrap();
    let draft = register.renewal_draft(collected.id, clock().today).unwrap();
    assert_eq!(draft.renewed_from.number, case.number);
    assert_eq!(
        draft.data.applicant, case.data.applicant,
        "the applicant is pre-filled"
    );
    assert_eq!(
        draft.data.household, case.data.household,
        "so is the household"
    );
    assert_eq!(
        draft.data.current_permit.number, "I99999999",
        "the permit issued becomes the current one"
    );
    assert_eq!(draft.data.request.procedure, "rinnovo");
    assert_eq!(draft.data.request.motivo_code, "16");
    assert!(draft
        .review_fields
        .contains(&"currentPermit.expiryDate".to_string()));

    let renewed = register
        .create(
            &NewCase {
                data: draft.data,
                request_id: None,
                renewed_from: Some(case.id),
            },
            &clock(),
            &op("Op"),
        )
        .unwrap();
    assert_eq!(
        renewed.renewed_from.as_ref().map(|r| r.id),
        Some(case.id),
        "the new case links to the old one"
    );
    assert_ne!(
        renewed.number, case.number,
        "a renewal is a new case with its own number"
    );
}

#[test]
fn renewing_from_a_missing_case_is_not_found() {
    let (_dir, mut register) = temp_register();
    let result = register.create(
        &NewCase {
            data: worker(),
            request_id: None,
            renewed_from: Some(999),
        },
        &clock(),
        &op("Op"),
    );
    assert!(matches!(result, Err(Error::NotFound(Missing::Case))));
    assert!(
        register.search("", 0, 10).unwrap().items.is_empty(),
        "nothing was stored"
    );
}
