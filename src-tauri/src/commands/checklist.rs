//! Checklist commands: the choices for a case (procedures, languages with their review state), the
//! translated preview, printing through the system's print service (`lp`) and saving through the save
//! dialog. Rendering is `mixite_core::checklist`; this module only moves bytes to a printer or a file.
//! PDF file names carry the case number and the date, never a name.

use std::path::PathBuf;
use std::process::Command;

use mixite_core::catalogue::Selection;
use mixite_core::checklist::{self, Request, Sheet};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tauri::State;

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

/// Renders the PDF into the data folder's `print/` (a file name with the case number and date only) and
/// returns its path.
fn render_to_file(desk: &Desk, args: &ChecklistArgs) -> Result<PathBuf, WireError> {
    desk.with(|r, clock| {
        let pdf = checklist::render(r, &desk.fonts, args.case_id, &args.request(), clock.today)?;
        let number = r.get(args.case_id, clock.today)?.number.replace('/', "-");
        let dir = desk.data_dir.join("print");
        std::fs::create_dir_all(&dir)?;
        let kind = if args.italian_only {
            "it"
        } else {
            args.language.as_str()
        };
        let path = dir.join(format!(
            "checklist-{number}-{kind}-{}.pdf",
            clock.today.format("%Y%m%d")
        ));
        std::fs::write(&path, pdf)?;
        Ok(path)
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Printed {
    /// Whether the print service accepted the job.
    pub printed: bool,
    /// The PDF on disk (to open in the viewer when there is no printer).
    pub path: String,
    /// What `lp` said when it refused (e.g. no default destination), for the operator.
    pub reason: Option<String>,
}

/// Sends the checklist to the default printer with `lp`. No printer is not an error of the checklist: the
/// answer says so and the UI offers to open the PDF instead.
#[tauri::command(async)]
pub fn checklist_print(desk: State<'_, Desk>, args: ChecklistArgs) -> Result<Printed, WireError> {
    let path = render_to_file(&desk, &args)?;
    let outcome = Command::new("lp").arg("--").arg(&path).output();
    let reason = match outcome {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(e) => Some(format!("lp: {e}")),
    };
    Ok(Printed {
        printed: reason.is_none(),
        path: path.display().to_string(),
        reason,
    })
}

/// Opens a printed PDF of the data folder in the system's viewer.
#[tauri::command(async)]
pub fn checklist_open<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    path: String,
) -> Result<(), WireError> {
    use tauri_plugin_opener::OpenerExt;
    let path = PathBuf::from(path);
    // Only files this app printed: the UI never names paths of its own.
    if !path.starts_with(desk.data_dir.join("print")) {
        return Err(WireError::simple("not_found", "unknown file"));
    }
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| WireError::simple("internal", &e.to_string()))
}

/// Asks where to save (the platform's save dialog) and writes the PDF there. `None` when cancelled.
#[tauri::command]
pub async fn checklist_save<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    args: ChecklistArgs,
) -> Result<Option<String>, WireError> {
    use tauri_plugin_dialog::DialogExt;
    let rendered = render_to_file(&desk, &args)?;
    let name = rendered
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let Some(target) = app
        .dialog()
        .file()
        .set_file_name(&name)
        .add_filter("PDF", &["pdf"])
        .blocking_save_file()
    else {
        return Ok(None);
    };
    let target = target
        .into_path()
        .map_err(|e| WireError::simple("internal", &e.to_string()))?;
    std::fs::copy(&rendered, &target).map_err(|e| WireError::simple("internal", &e.to_string()))?;
    Ok(Some(target.display().to_string()))
}
