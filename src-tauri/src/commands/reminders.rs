//! The desk's reminders (issue 14 §3): a reminder letter for one case, the week's letters as one PDF for
//! the printer or the viewer (each letter filed with its case and recorded in the audit trail as a
//! paper printed), and the SMS and e-mail texts of a reminder to copy (the app sends nothing). Which
//! cases and reasons is the agenda's; laying out, filing and wording is the core's
//! (`mixite_core::papers::reminder`). These commands must not choose who is reminded.

use mixite_core::papers::reminder::{self, Messages, ReminderInput};
use mixite_core::papers::Filed;
use mixite_core::register::audit::{Action, Detail};
use mixite_core::register::entry;
use serde::Serialize;
use tauri::State;

use super::output::{self, Printed};
use crate::state::Desk;
use crate::wire::WireError;

/// The week's letters, filed: what each case now shows, and where the batch went.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchAnswer {
    /// Each letter as filed with its case, in the order asked.
    pub letters: Vec<Filed>,
    /// Pages of the batch.
    pub pages: usize,
    /// Whether the print service took the batch (`batch_print`); `None` when it went to the viewer.
    pub printed: Option<bool>,
    /// What `lp` said when it refused.
    pub reason: Option<String>,
}

/// Files each letter of `inputs` with an audit entry per letter (the paper's kind and file name, no
/// person), and answers the batch.
fn batch(desk: &Desk, inputs: &[ReminderInput]) -> Result<reminder::Batch, WireError> {
    desk.acting(|r, actor, clock| {
        let batch = reminder::batch(r, &desk.fonts, inputs, &actor.name, clock)?;
        for (input, filed) in inputs.iter().zip(&batch.filed) {
            record_printed(r, actor, input.case_id, reminder::KIND, filed, clock)?;
        }
        Ok(batch)
    })
}

/// Records that a paper of `kind` filed with case `case_id` was handed out (printed or opened): the
/// audit entry the reminder letters and the referral slips share.
pub(super) fn record_printed(
    r: &mut mixite_core::Register,
    actor: &mixite_core::register::operators::Actor,
    case_id: i64,
    kind: &str,
    filed: &Filed,
    clock: &mixite_core::Clock,
) -> mixite_core::Result<()> {
    let detail = Detail {
        paper: Some(kind.to_string()),
        file: filed.file.rsplit('/').next().map(String::from),
        ..Detail::default()
    };
    r.record(
        entry(actor, Action::PaperPrinted).with(detail),
        Some(case_id),
        clock,
    )
}

/// The reminder letter of one case, filed with it; open it with `papers_open` by the answer's `file`.
#[tauri::command(async)]
pub fn reminders_letter(desk: State<'_, Desk>, args: ReminderInput) -> Result<Filed, WireError> {
    desk.acting(|r, actor, clock| {
        let filed = reminder::letter(r, &desk.fonts, &args, &actor.name, clock)?;
        record_printed(r, actor, args.case_id, reminder::KIND, &filed, clock)?;
        Ok(filed)
    })
}

/// The week's letters as one PDF sent to the default printer (no printer: the answer says so, and the
/// UI offers `reminders_batch_open`).
#[tauri::command(async)]
pub fn reminders_batch_print(
    desk: State<'_, Desk>,
    inputs: Vec<ReminderInput>,
) -> Result<BatchAnswer, WireError> {
    let batch = batch(&desk, &inputs)?;
    let printed: Printed = output::print(&as_paper(&batch));
    Ok(BatchAnswer {
        pages: batch.pages,
        letters: batch.filed,
        printed: Some(printed.printed),
        reason: printed.reason,
    })
}

/// The week's letters as one PDF in the system's viewer (a copy in the session's runtime folder).
#[tauri::command(async)]
pub fn reminders_batch_open<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    inputs: Vec<ReminderInput>,
) -> Result<BatchAnswer, WireError> {
    let batch = batch(&desk, &inputs)?;
    let paper = as_paper(&batch);
    let copy = desk.viewer_copy(&paper.suggested_name, &paper.pdf)?;
    output::open(&desk, &app, &copy).inspect_err(|_| desk.forget_viewer_copy(&copy))?;
    Ok(BatchAnswer {
        pages: batch.pages,
        letters: batch.filed,
        printed: None,
        reason: None,
    })
}

/// The batch as `output` takes a paper: titled `promemoria.pdf` for the print queue (no person, no
/// case: it belongs to none and is not filed as a whole).
fn as_paper(batch: &reminder::Batch) -> Filed {
    Filed {
        file: "promemoria.pdf".into(),
        suggested_name: "promemoria.pdf".into(),
        pdf: batch.pdf.clone(),
    }
}

/// The reminder's SMS (with its length and encoding) and e-mail in the applicant's language.
#[tauri::command(async)]
pub fn reminders_messages(
    desk: State<'_, Desk>,
    args: ReminderInput,
) -> Result<Messages, WireError> {
    desk.with(|r, clock| reminder::messages(r, &args, clock.today))
}
