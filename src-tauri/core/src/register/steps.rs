//! The life of a case: which steps exist, which may follow the current status, and writing a step or a
//! correction into the append-only history. It must not rewrite history: a mistaken entry is voided by a
//! new `correction` entry (the schema's triggers refuse UPDATE and DELETE on `steps`).

use rusqlite::{params, OptionalExtension, Transaction};

use crate::clock::Clock;
use crate::error::{ConflictCode, Error, FieldCode, FieldError, Missing, Result};
use crate::model::{StepDetails, StepInput};

/// The ordinary course of a renewal, in order.
pub const COURSE: [&str; 7] = [
    "intake",
    "documents_pending",
    "ready_to_send",
    "kit_sent",
    "questura_appointment",
    "permit_ready",
    "collected",
];
/// Ways a case ends other than collection.
pub const ENDINGS: [&str; 3] = ["closed", "withdrawn", "referred"];
pub const CORRECTION: &str = "correction";

/// Every step kind, in the order the UI lists them.
pub fn all_kinds() -> impl Iterator<Item = &'static str> {
    COURSE.iter().chain(ENDINGS.iter()).copied()
}

/// A case in this status takes no further step (a renewal opens a new case).
pub fn is_final(status: &str) -> bool {
    status == "collected" || ENDINGS.contains(&status)
}

/// The steps that may follow `status`: any later step of the course (a Questura filing skips the kit,
/// a busy day may skip "documents pending"), then the endings.
pub fn next_steps(status: &str) -> Vec<&'static str> {
    if is_final(status) {
        return Vec::new();
    }
    let from = COURSE
        .iter()
        .position(|s| *s == status)
        .map_or(0, |i| i + 1);
    COURSE[from..]
        .iter()
        .chain(ENDINGS.iter())
        .copied()
        .collect()
}

/// Checks the case's revision inside the transaction; a stale one means someone else saved first.
pub fn expect_revision(tx: &Transaction, case_id: i64, revision: i64) -> Result<()> {
    let current: Option<i64> = tx
        .prepare_cached("SELECT revision FROM cases WHERE id = ?1")?
        .query_row([case_id], |r| r.get(0))
        .optional()?;
    match current {
        None => Err(Error::NotFound(Missing::Case)),
        Some(r) if r != revision => Err(Error::Conflict(ConflictCode::StaleRevision)),
        Some(_) => Ok(()),
    }
}

/// The latest entry not voided by a correction: `(id, kind, date)`.
fn latest_effective(tx: &Transaction, case_id: i64) -> Result<Option<(i64, String, String)>> {
    Ok(tx
        .prepare_cached(
            "SELECT id, kind, date FROM steps s
             WHERE case_id = ?1 AND kind <> 'correction'
               AND NOT EXISTS (SELECT 1 FROM steps c WHERE c.corrects = s.id)
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([case_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

fn insert(
    tx: &Transaction,
    case_id: i64,
    step: &StepInput,
    at: &Clock,
    operator: &str,
    corrects: Option<i64>,
) -> Result<i64> {
    let details =
        serde_json::to_string(&step.details).map_err(|e| Error::Io(std::io::Error::other(e)))?;
    tx.prepare_cached("INSERT INTO steps (case_id, kind, date, recorded_at, operator, assicurata, details, note, corrects)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(params![
            case_id,
            step.kind,
            step.date,
            at.recorded_at(),
            operator,
            step.details.assicurata,
            details,
            step.note,
            corrects
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// One entry of another desk's history, written as it was recorded there (date, time, operator).
pub struct RecordedStep<'a> {
    pub kind: &'a str,
    pub date: &'a str,
    pub recorded_at: &'a str,
    pub operator: &'a str,
    pub details: &'a StepDetails,
    pub note: &'a str,
    /// The local id of the entry a correction voids.
    pub corrects: Option<i64>,
}

/// Appends an imported history entry as recorded elsewhere (no transition check: the archive's
/// history was checked as a whole before the transaction). Returns its id. Appending keeps the
/// history append-only: nothing local is rewritten.
pub fn append_recorded(tx: &Transaction, case_id: i64, step: &RecordedStep) -> Result<i64> {
    let details =
        serde_json::to_string(step.details).map_err(|e| Error::Io(std::io::Error::other(e)))?;
    tx.prepare_cached("INSERT INTO steps (case_id, kind, date, recorded_at, operator, assicurata, details, note, corrects)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(params![
            case_id,
            step.kind,
            step.date,
            step.recorded_at,
            step.operator,
            step.details.assicurata,
            details,
            step.note,
            step.corrects
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// After an import wrote a case's history: status from the latest effective entry, the issued
/// permit from it when it is the collection, and the given revision and update time.
pub fn settle_imported(
    tx: &Transaction,
    case_id: i64,
    revision: i64,
    updated_at: &str,
) -> Result<()> {
    let (step_id, status, _) =
        latest_effective(tx, case_id)?.ok_or(Error::NotFound(Missing::Case))?;
    let issued = if status == "collected" {
        let details: String = tx
            .prepare_cached("SELECT details FROM steps WHERE id = ?1")?
            .query_row([step_id], |r| r.get(0))?;
        serde_json::from_str::<StepDetails>(&details)
            .unwrap_or_default()
            .issued_permit
    } else {
        crate::model::Permit::default()
    };
    tx.prepare_cached(
        "UPDATE cases SET status = ?2, revision = ?3, updated_at = ?4,
             issued_motivo = ?5, issued_number = ?6, issued_expiry = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        case_id,
        status,
        revision,
        updated_at,
        issued.motivo_code,
        issued.number,
        issued.expiry_date
    ])?;
    Ok(())
}

/// Records the first step of a new case.
pub fn record_intake(tx: &Transaction, case_id: i64, at: &Clock, operator: &str) -> Result<()> {
    let step = StepInput {
        kind: "intake".into(),
        date: at.today.format("%Y-%m-%d").to_string(),
        ..StepInput::default()
    };
    insert(tx, case_id, &step, at, operator, None)?;
    Ok(())
}

/// Appends a validated step after checking it may follow the case's status and date.
pub fn append(
    tx: &Transaction,
    case_id: i64,
    step: &StepInput,
    at: &Clock,
    operator: &str,
) -> Result<()> {
    let (_, status, last_date) =
        latest_effective(tx, case_id)?.ok_or(Error::NotFound(Missing::Case))?;
    if !next_steps(&status).contains(&step.kind.as_str()) {
        return Err(Error::Invalid(vec![FieldError::new(
            "step.kind",
            FieldCode::StepNotAllowed,
        )]));
    }
    if step.date < last_date {
        return Err(Error::Invalid(vec![FieldError::new(
            "step.date",
            FieldCode::DateBeforePreviousStep,
        )]));
    }
    insert(tx, case_id, step, at, operator, None)?;
    let issued = &step.details.issued_permit;
    tx.prepare_cached(
        "UPDATE cases SET status = ?2, revision = revision + 1, updated_at = ?3,
             issued_motivo = CASE WHEN ?2 = 'collected' THEN ?4 ELSE issued_motivo END,
             issued_number = CASE WHEN ?2 = 'collected' THEN ?5 ELSE issued_number END,
             issued_expiry = CASE WHEN ?2 = 'collected' THEN ?6 ELSE issued_expiry END
         WHERE id = ?1",
    )?
    .execute(params![
        case_id,
        step.kind,
        at.recorded_at(),
        issued.motivo_code,
        issued.number,
        issued.expiry_date
    ])?;
    Ok(())
}

/// Voids the latest effective step with a reason. The first step (intake) cannot be voided: it is the
/// record that the case was opened.
pub fn correct(
    tx: &Transaction,
    case_id: i64,
    step_id: i64,
    reason: &str,
    at: &Clock,
    operator: &str,
) -> Result<()> {
    let (latest_id, kind, _) =
        latest_effective(tx, case_id)?.ok_or(Error::NotFound(Missing::Case))?;
    if latest_id != step_id {
        return Err(Error::Conflict(ConflictCode::OnlyLatestStepCorrectable));
    }
    if kind == "intake" {
        return Err(Error::Conflict(ConflictCode::IntakeNotCorrectable));
    }
    let entry = StepInput {
        kind: CORRECTION.into(),
        date: at.today.format("%Y-%m-%d").to_string(),
        details: StepDetails::default(),
        note: reason.to_string(),
    };
    insert(tx, case_id, &entry, at, operator, Some(step_id))?;
    let (_, status, _) = latest_effective(tx, case_id)?.ok_or(Error::NotFound(Missing::Case))?;
    // Voiding the collection also forgets the permit it recorded.
    tx.prepare_cached(
        "UPDATE cases SET status = ?2, revision = revision + 1, updated_at = ?3,
             issued_motivo = CASE WHEN ?4 = 'collected' THEN '' ELSE issued_motivo END,
             issued_number = CASE WHEN ?4 = 'collected' THEN '' ELSE issued_number END,
             issued_expiry = CASE WHEN ?4 = 'collected' THEN '' ELSE issued_expiry END
         WHERE id = ?1",
    )?
    .execute(params![case_id, status, at.recorded_at(), kind])?;
    Ok(())
}
