use mixite_core::error::ConflictCode;
use mixite_core::model::{CaseView, StepInput};
use mixite_core::{Error, Register};

use crate::{clock, create, op, problems, temp_register, worker};

fn step(kind: &str) -> StepInput {
    StepInput {
        kind: kind.into(),
        date: "2026-11-26".into(),
        ..Default::default()
    }
}

fn add(register: &mut Register, case: &CaseView, input: &StepInput) -> CaseView {
    register
        .add_step(
            case.id,
            case.revision,
            input,
            &clock(),
            &op("Operatore Due"),
        )
        .unwrap()
}

#[test]
fn steps_advance_the_status_and_record_date_and_operator() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    assert_eq!(
        case.next_steps[0], "documents_pending",
        "the next action after intake"
    );
    let case = add(&mut register, &case, &step("documents_pending"));
    let mut sent = step("kit_sent");
    sent.details.assicurata = "05012345678-9".into();
    let case = add(&mut register, &case, &sent);
    assert_eq!(case.status, "kit_sent");
    let last = case.steps.last().unwrap();
    assert_eq!(
        last.details.assicurata, "050123456789",
        "stored as digits only"
    );
    assert_eq!(last.operator, "Operatore Due");
    assert_eq!(last.date, "2026-11-26");
    assert_eq!(case.revision, 3);
    assert_eq!(case.next_steps[0], "questura_appointment");
}

#[test]
fn step_details_are_validated_per_kind() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let mut sent = step("kit_sent");
    sent.details.assicurata = "12AB".into();
    let err = register
        .add_step(case.id, case.revision, &sent, &clock(), &op("Op"))
        .unwrap_err();
    assert_eq!(problems(err), ["step.details.assicurata:assicurata_format"]);
    let mut appointment = step("questura_appointment");
    appointment.details.appointment_date = "2027-01-15".into();
    appointment.details.appointment_time = "25:00".into();
    let err = register
        .add_step(case.id, case.revision, &appointment, &clock(), &op("Op"))
        .unwrap_err();
    assert_eq!(problems(err), ["step.details.appointmentTime:time_invalid"]);
    let err = register
        .add_step(
            case.id,
            case.revision,
            &step("referred"),
            &clock(),
            &op("Op"),
        )
        .unwrap_err();
    assert_eq!(problems(err), ["step.details.referredTo:required"]);
    let mut future = step("documents_pending");
    future.date = "2026-12-01".into();
    let err = register
        .add_step(case.id, case.revision, &future, &clock(), &op("Op"))
        .unwrap_err();
    assert_eq!(
        problems(err),
        ["step.date:date_future"],
        "a step records something that happened"
    );
    assert_eq!(
        register.get(case.id, clock().today).unwrap(),
        case,
        "refused steps leave no trace"
    );
}

#[test]
fn a_step_must_follow_the_course_and_nothing_follows_an_ending() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let case = add(&mut register, &case, &step("ready_to_send"));
    let err = register
        .add_step(
            case.id,
            case.revision,
            &step("documents_pending"),
            &clock(),
            &op("Op"),
        )
        .unwrap_err();
    assert_eq!(
        problems(err),
        ["step.kind:step_not_allowed"],
        "no going back without a correction"
    );
    let case = add(&mut register, &case, &step("withdrawn"));
    assert!(
        case.next_steps.is_empty(),
        "a withdrawn case takes no more steps"
    );
    let err = register
        .add_step(
            case.id,
            case.revision,
            &step("permit_ready"),
            &clock(),
            &op("Op"),
        )
        .unwrap_err();
    assert_eq!(problems(err), ["step.kind:step_not_allowed"]);
}

#[test]
fn a_mistaken_step_is_voided_by_a_correction_and_stays_in_the_history() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let mut sent = step("kit_sent");
    sent.details.assicurata = "050123456780".into();
    let case = add(&mut register, &case, &sent);
    let wrong = case.steps.last().unwrap().id;
    let case = register
        .correct_step(
            case.id,
            case.revision,
            wrong,
            "numero assicurata sbagliato",
            &clock(),
            &op("Op"),
        )
        .unwrap();
    assert_eq!(
        case.status, "intake",
        "the status falls back to the previous step"
    );
    assert_eq!(
        case.steps.len(),
        3,
        "intake, the voided step, the correction"
    );
    assert!(
        case.steps[1].voided,
        "the mistaken entry is kept and marked void"
    );
    assert_eq!(case.steps[2].kind, "correction");
    assert_eq!(case.steps[2].corrects, Some(wrong));
    assert_eq!(case.steps[2].note, "numero assicurata sbagliato");
    sent.details.assicurata = "050123456781".into();
    let case = add(&mut register, &case, &sent);
    assert_eq!(
        case.status, "kit_sent",
        "the right entry can then be recorded"
    );
    assert_eq!(
        register.search("050123456781", 0, 10).unwrap().items.len(),
        1
    );
}

#[test]
fn only_the_latest_step_can_be_corrected_and_never_the_intake() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let intake = case.steps[0].id;
    let err = register.correct_step(
        case.id,
        case.revision,
        intake,
        "errore",
        &clock(),
        &op("Op"),
    );
    assert!(matches!(
        err,
        Err(Error::Conflict(ConflictCode::IntakeNotCorrectable))
    ));
    let case = add(&mut register, &case, &step("documents_pending"));
    let first = case.steps[1].id;
    let case = add(&mut register, &case, &step("ready_to_send"));
    let err = register.correct_step(case.id, case.revision, first, "errore", &clock(), &op("Op"));
    assert!(matches!(
        err,
        Err(Error::Conflict(ConflictCode::OnlyLatestStepCorrectable))
    ));
    let err = register
        .correct_step(
            case.id,
            case.revision,
            case.steps[2].id,
            "  ",
            &clock(),
            &op("Op"),
        )
        .unwrap_err();
    assert_eq!(
        problems(err),
        ["reason:required"],
        "a correction must say why"
    );
}

#[test]
fn collecting_records_the_issued_permit_and_voiding_it_forgets_it() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let mut collected = step("collected");
    collected.details.issued_permit.motivo_code = "16".into();
    collected.details.issued_permit.expiry_date = "2029-11-25".into();
    let case = add(&mut register, &case, &collected);
    assert_eq!(
        case.issued_permit.as_ref().map(|p| p.expiry_date.as_str()),
        Some("2029-11-25")
    );
    let last = case.steps.last().unwrap().id;
    let case = register
        .correct_step(
            case.id,
            case.revision,
            last,
            "non ancora ritirato",
            &clock(),
            &op("Op"),
        )
        .unwrap();
    assert_eq!(case.issued_permit, None);
}

#[test]
fn a_step_on_a_stale_revision_is_a_conflict() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    add(&mut register, &case, &step("documents_pending"));
    let again = register.add_step(
        case.id,
        case.revision,
        &step("documents_pending"),
        &clock(),
        &op("Op"),
    );
    assert!(
        matches!(again, Err(Error::Conflict(ConflictCode::StaleRevision))),
        "pressing Enter twice on the step form records the step once"
    );
}
