//! Where a filed paper goes from the desk: the system's print service (`lp`), the system viewer, and a
//! copy saved through the platform's dialog. Which file is the core's answer (`papers::Filed`, or a path
//! the core resolved from a recorded paper); this module must not render, name or find papers itself.

use std::path::Path;
use std::process::Command;

use mixite_core::papers::Filed;
use serde::Serialize;

use crate::state::Desk;
use crate::wire::{ShellCode, WireError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Printed {
    /// Whether the print service accepted the job.
    pub printed: bool,
    /// The paper, to open in the viewer when there is no printer (`papers_open`).
    pub file: String,
    /// What `lp` said when it refused (e.g. no default destination), for the operator.
    pub reason: Option<String>,
}

/// Sends a filed paper to the default printer with `lp`. No printer is not an error of the document:
/// the answer says so and the UI offers to open the PDF instead.
pub fn print(filed: &Filed) -> Printed {
    let outcome = Command::new("lp").arg("--").arg(&filed.path).output();
    let reason = match outcome {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(e) => Some(format!("lp: {e}")),
    };
    Printed {
        printed: reason.is_none(),
        file: filed.file.clone(),
        reason,
    }
}

/// Opens a paper the core found in the print folder in the system's viewer.
pub fn open<R: tauri::Runtime>(
    desk: &Desk,
    app: &tauri::AppHandle<R>,
    path: &Path,
) -> Result<(), WireError> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| {
            // The error names the viewer, not the applicant (the path is print/<uuid>/<paper>).
            eprintln!("sportello-mixite: the viewer did not open a paper: {e}");
            WireError::shell(ShellCode::ViewerFailed, &desk.locale())
        })
}

/// Asks where to save a copy of a filed paper (the platform's save dialog, proposing the paper's name
/// with the case number) and copies it there. `None` when cancelled.
pub fn save<R: tauri::Runtime>(
    desk: &Desk,
    app: &tauri::AppHandle<R>,
    filed: &Filed,
) -> Result<Option<String>, WireError> {
    use tauri_plugin_dialog::DialogExt;
    let Some(target) = app
        .dialog()
        .file()
        .set_file_name(&filed.suggested_name)
        .add_filter("PDF", &["pdf"])
        .blocking_save_file()
    else {
        return Ok(None);
    };
    // The chosen path may carry a name the operator typed: only the kind of failure is logged.
    let failed = |kind: std::io::ErrorKind| {
        eprintln!("sportello-mixite: saving a copy of a paper failed: {kind:?}");
        WireError::shell(ShellCode::SaveFailed, &desk.locale())
    };
    let target = target
        .into_path()
        .map_err(|_| failed(std::io::ErrorKind::InvalidInput))?;
    std::fs::copy(&filed.path, &target).map_err(|e| failed(e.kind()))?;
    Ok(Some(target.display().to_string()))
}

/// Sends a PDF that must never be written to disk (the recovery sheet) to the default printer through
/// `lp`'s standard input. `Some(reason)` when the print service refused it.
pub fn print_bytes(pdf: &[u8]) -> Option<String> {
    use std::io::Write;
    use std::process::Stdio;
    let child = Command::new("lp")
        .arg("--")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return Some(format!("lp: {e}")),
    };
    if let Some(mut stdin) = child.stdin.take() {
        if let Err(e) = stdin.write_all(pdf) {
            return Some(format!("lp: {e}"));
        }
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(e) => Some(format!("lp: {e}")),
    }
}
