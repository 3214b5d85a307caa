//! Checklist commands: the choices for a case (procedures, languages with their review state), the
//! translated preview, printing through the system's print service (`lp`) and saving through the save
//! dialog. Rendering is `mixite_core::checklist`; printing, opening and saving are `output`'s.

use std::path::PathBuf;

use mixite_core::catalogue::Selection;
use mixite_core::checklist::{self, Request, Sheet};
use serde::Deserialize;
use serde_json::{json, Value};
use tauri::State;

use super::output::{self, Printed};
use crate::state::Desk;
use crate::wire::WireError;

/// What the checklist panel sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistArgs {
    pub case_id: i64,
    pub procedure: String,
    pub variant: Option<String>,
    pub duration: Option<String>,
    pub language: String,
    #[serde(default)]
    pub italian_only: bool,
}

impl ChecklistArgs {
    fn request(&self) -> Request<'_> {
        Request {
            selection: Selection {
                procedure: &self.procedure,
                variant: self.variant.as_deref().filter(|v| !v.is_empty()),
                duration: self.duration.as_deref().filter(|d| !d.is_empty()),
            },
            language: &self.language,
            italian_only: self.italian_only,
        }
    }
}

/// Procedures (with the one matching the case first), languages with a translation and whether a native
/// speaker has reviewed it, and the case's own language as the default.
#[tauri::command(async)]
pub fn checklist_options(desk: State<'_, Desk>, case_id: i64) -> Result<Value, WireError> {
    desk.with(|r, clock| {
        let case = r.get(case_id, clock.today)?;
        let request = &case.data.request;
        let available = checklist::available_languages();
        let procedures: Vec<Value> = r
            .catalogue()
            .procedures()
            .iter()
            .map(|p| {
                let matches = p.motivo.as_deref() == Some(request.motivo_code.as_str())
                    && p.request.as_deref().is_none_or(|q| q == request.procedure);
                json!({
                    "id": p.id,
                    "label": checklist::title(&p.title),
                    "variants": p.variants.iter()
                        .map(|v| json!({ "id": v, "label": checklist::title(&format!("variant.{v}")) }))
                        .collect::<Vec<_>>(),
                    "variantRequired": p.variant_required,
                    "channel": p.channel,
                    "matches": matches,
                })
            })
            .collect();
        let languages: Vec<Value> = r
            .reference()
            .languages
            .iter()
            .filter(|l| available.contains(&l.code))
            .map(|l| json!({ "code": l.code, "endonym": l.endonym, "nameIt": l.name_it, "reviewed": l.reviewed, "dir": l.dir }))
            .collect();
        Ok(json!({
            "procedures": procedures,
            "languages": languages,
            "language": case.data.applicant.language,
        }))
    })
}

#[tauri::command(async)]
pub fn checklist_preview(desk: State<'_, Desk>, args: ChecklistArgs) -> Result<Sheet, WireError> {
    desk.with(|r, clock| checklist::for_case(r, args.case_id, &args.request(), clock.today))
}

/// Renders the PDF into the data folder's `print/` and returns its path.
fn render_to_file(desk: &Desk, args: &ChecklistArgs) -> Result<PathBuf, WireError> {
    desk.with(|r, clock| {
        let pdf = checklist::render(r, &desk.fonts, args.case_id, &args.request(), clock.today)?;
        let number = r.get(args.case_id, clock.today)?.number;
        let kind = if args.italian_only {
            "it"
        } else {
            args.language.as_str()
        };
        output::store(
            desk,
            &format!("checklist-{kind}"),
            &number,
            clock.today,
            &pdf,
        )
    })
}

/// Sends the checklist to the default printer (see `output::print`).
#[tauri::command(async)]
pub fn checklist_print(desk: State<'_, Desk>, args: ChecklistArgs) -> Result<Printed, WireError> {
    Ok(output::print(&render_to_file(&desk, &args)?))
}

/// Opens a printed PDF of the data folder in the system's viewer (checklists and forms alike).
#[tauri::command(async)]
pub fn checklist_open<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    path: String,
) -> Result<(), WireError> {
    output::open(&desk, &app, &path)
}

/// Asks where to save (the platform's save dialog) and writes the PDF there. `None` when cancelled.
#[tauri::command]
pub async fn checklist_save<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    args: ChecklistArgs,
) -> Result<Option<String>, WireError> {
    output::save(&app, &render_to_file(&desk, &args)?)
}
