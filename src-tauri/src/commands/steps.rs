//! Step commands: record the next step of a case, or void the latest one with a reason. The operator's
//! name comes from the app state, never from the call.

use mixite_core::model::{CaseView, StepInput};
use tauri::State;

use crate::state::Desk;
use crate::wire::WireError;

#[tauri::command(async)]
pub fn steps_add(
    desk: State<'_, Desk>,
    case_id: i64,
    revision: i64,
    step: StepInput,
) -> Result<CaseView, WireError> {
    desk.acting(|r, actor, clock| r.add_step(case_id, revision, &step, clock, actor))
}

#[tauri::command(async)]
pub fn steps_correct(
    desk: State<'_, Desk>,
    case_id: i64,
    revision: i64,
    step_id: i64,
    reason: String,
) -> Result<CaseView, WireError> {
    desk.acting(|r, actor, clock| r.correct_step(case_id, revision, step_id, &reason, clock, actor))
}
