//! Where rendered PDFs go: a file in the data folder's `print/` (named by kind, case number and date,
//! never by a person's name), the system's print service (`lp`), the system viewer, and the platform's
//! save dialog. Shared by the checklist and the forms; it must not render anything itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use serde::Serialize;

use crate::state::Desk;
use crate::wire::WireError;

/// Writes a PDF to `print/<kind>-<case number>-<date>.pdf` in the data folder and returns its path.
pub fn store(
    desk: &Desk,
    kind: &str,
    case_number: &str,
    today: NaiveDate,
    pdf: &[u8],
) -> mixite_core::Result<PathBuf> {
    let dir = desk.data_dir.join("print");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!(
        "{kind}-{}-{}.pdf",
        case_number.replace('/', "-"),
        today.format("%Y%m%d")
    ));
    std::fs::write(&path, pdf)?;
    Ok(path)
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

/// Sends a PDF to the default printer with `lp`. No printer is not an error of the document: the answer
/// says so and the UI offers to open the PDF instead.
pub fn print(path: &Path) -> Printed {
    let outcome = Command::new("lp").arg("--").arg(path).output();
    let reason = match outcome {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(e) => Some(format!("lp: {e}")),
    };
    Printed {
        printed: reason.is_none(),
        path: path.display().to_string(),
        reason,
    }
}

/// Opens a PDF this app printed (only files of the data folder's `print/`) in the system's viewer.
pub fn open<R: tauri::Runtime>(
    desk: &Desk,
    app: &tauri::AppHandle<R>,
    path: &str,
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

/// Asks where to save a rendered PDF (the platform's save dialog) and copies it there. `None` when
/// cancelled.
pub fn save<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    rendered: &Path,
) -> Result<Option<String>, WireError> {
    use tauri_plugin_dialog::DialogExt;
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
    std::fs::copy(rendered, &target).map_err(|e| WireError::simple("internal", &e.to_string()))?;
    Ok(Some(target.display().to_string()))
}
