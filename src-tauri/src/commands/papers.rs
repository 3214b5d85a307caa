//! The commands every printable paper shares: preview (the checklist's sheet, a guide's rows), render
//! (file it and answer the name to open it by), print with the system's print service, save through the
//! platform's dialog, open in the system's viewer, and the list of a case's papers. Which paper and with
//! what options is `mixite_core::papers::Paper`; rendering, filing, finding and unsealing a paper are the
//! core's, which answers plain PDF bytes, never a path. These commands must not know any one paper, take
//! a path from the UI, or give the viewer a file of the print folder (sealed): it gets a copy in the
//! session's runtime folder, removed when the session locks or ends.

use mixite_core::papers::checklist::{self, Sheet};
use mixite_core::papers::forms::{self, Filled, FormChoice};
use mixite_core::papers::{self, Filed, Paper, PaperFile};
use mixite_core::register::audit::{Action, Detail};
use mixite_core::register::entry;
use serde::Deserialize;
use tauri::State;

use super::output::{self, Printed};
use crate::state::Desk;
use crate::wire::WireError;

/// What the case's panel sends for a paper.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaperArgs {
    pub case_id: i64,
    pub paper: Paper,
}

/// Procedures, languages with their review state, and the case's own language, for the checklist panel.
#[tauri::command(async)]
pub fn checklist_options(
    desk: State<'_, Desk>,
    case_id: i64,
) -> Result<checklist::Options, WireError> {
    desk.with(|r, clock| checklist::options(r, case_id, clock.today))
}

/// The checklist's translated sheet, as it prints.
#[tauri::command(async)]
pub fn checklist_preview(desk: State<'_, Desk>, args: PaperArgs) -> Result<Sheet, WireError> {
    desk.with(|r, clock| papers::checklist_preview(r, args.case_id, &args.paper, clock.today))
}

/// The guides of a procedure (none for one handled at the Questura or elsewhere).
#[tauri::command(async)]
pub fn forms_list(desk: State<'_, Desk>, procedure: String) -> Result<Vec<FormChoice>, WireError> {
    desk.with(|r, _| forms::of_procedure(r, &procedure))
}

/// A guide filled for the case, or every problem at once (on the case's fields).
#[tauri::command(async)]
pub fn forms_preview(desk: State<'_, Desk>, args: PaperArgs) -> Result<Filled, WireError> {
    desk.with(|r, clock| papers::guide_preview(r, args.case_id, &args.paper, clock.today))
}

fn file(desk: &Desk, args: &PaperArgs) -> Result<Filed, WireError> {
    desk.acting(|r, actor, clock| {
        papers::file(
            r,
            &desk.fonts,
            args.case_id,
            &args.paper,
            &actor.name,
            clock,
        )
        .and_then(|filed| {
            // The paper's kind and its file name (`<case uuid>/<paper>-<lang>-<date>.pdf`): no person.
            let name = filed
                .file
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            let detail = Detail {
                paper: Some(args.paper.kind().to_string()),
                file: Some(name),
                ..Detail::default()
            };
            let printed = entry(actor, Action::PaperPrinted).with(detail);
            r.record(printed, Some(args.case_id), clock)?;
            Ok(filed)
        })
    })
}

/// Files the paper and answers how to open it (`papers_open`) and what to call a saved copy.
#[tauri::command(async)]
pub fn papers_render(desk: State<'_, Desk>, args: PaperArgs) -> Result<Filed, WireError> {
    file(&desk, &args)
}

/// Files the paper and sends its PDF to the default printer (no printer: the answer says so, and the UI
/// offers to open it instead).
#[tauri::command(async)]
pub fn papers_print(desk: State<'_, Desk>, args: PaperArgs) -> Result<Printed, WireError> {
    let filed = file(&desk, &args)?;
    Ok(output::print(&filed))
}

/// Files the paper and saves a copy where the operator chooses; `None` when cancelled.
#[tauri::command]
pub async fn papers_save<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    args: PaperArgs,
) -> Result<Option<String>, WireError> {
    let filed = file(&desk, &args)?;
    let saved = output::save(&desk, &app, &filed)?;
    if saved.is_some() {
        // A plain copy left the data folder by the operator's choice: recorded, without where it went.
        desk.acting(|r, actor, clock| {
            let detail = Detail {
                paper: Some(args.paper.kind().to_string()),
                ..Detail::default()
            };
            r.record(
                entry(actor, Action::PaperSaved).with(detail),
                Some(args.case_id),
                clock,
            )
        })?;
    }
    Ok(saved)
}

/// Opens a paper this desk filed in the system's viewer, by the name `papers_render` or `papers_print`
/// answered (`<case uuid>/<name>`): the core unseals it, and the viewer gets a copy in the session's
/// runtime folder (without one, `viewer_failed`: the plain PDF is never written to the disk).
#[tauri::command(async)]
pub fn papers_open<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    file: String,
) -> Result<(), WireError> {
    let pdf = desk.with(|r, _| papers::folder::read(r, &file))?;
    // `read` accepted only `<case uuid>/<paper name>`: the copy is named by the paper.
    let name = file.rsplit('/').next().unwrap_or_default();
    let copy = desk.viewer_copy(name, &pdf)?;
    output::open(&desk, &app, &copy).inspect_err(|_| desk.forget_viewer_copy(&copy))
}

/// The papers filed for a case.
#[tauri::command(async)]
pub fn papers_list(desk: State<'_, Desk>, case_id: i64) -> Result<Vec<PaperFile>, WireError> {
    desk.with(|r, _| papers::folder::of_case(r, case_id))
}
