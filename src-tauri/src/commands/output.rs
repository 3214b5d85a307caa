//! Where a filed paper goes from the desk: the system's print service (`lp`, fed through its standard
//! input), the system viewer (given a copy in the session's runtime folder, `Desk::viewer_copy`), and a
//! copy saved through the platform's dialog where the operator chooses. Which PDF is the core's answer
//! (`papers::Filed`, or the plain bytes of a recorded paper); this module must not render, name or find
//! papers itself, and never gives anyone a file of the print folder: those are sealed.

use std::path::Path;
use std::process::Command;

use mixite_core::papers::Filed;
use serde::Serialize;

use crate::state::Desk;
use crate::wire::{ShellCode, WireError};

/// Where an export through the save dialog went (`save_as`), for the UI.
#[derive(Serialize)]
pub struct Exported {
    pub path: String,
}

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

/// Sends a filed paper to the default printer: its plain PDF through `lp`'s standard input, titled with
/// the paper's name (no person in it). No printer is not an error of the document: the answer says so
/// and the UI offers to open the PDF instead.
pub fn print(filed: &Filed) -> Printed {
    let title = filed.file.rsplit('/').next();
    let reason = lp(&filed.pdf, title);
    Printed {
        printed: reason.is_none(),
        file: filed.file.clone(),
        reason,
    }
}

/// Opens a PDF copy the desk wrote for the viewer (`Desk::viewer_copy`) in the system's viewer.
pub fn open<R: tauri::Runtime>(
    desk: &Desk,
    app: &tauri::AppHandle<R>,
    path: &Path,
) -> Result<(), WireError> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| {
            // The error names the viewer, not the applicant (the copy is named by the paper only).
            eprintln!("sportello-mixite: the viewer did not open a paper: {e}");
            WireError::shell(ShellCode::ViewerFailed, &desk.locale())
        })
}

/// Asks where to save a copy of a filed paper (the platform's save dialog, proposing the paper's name
/// with the case number) and writes its plain PDF there: the operator's explicit choice to take the
/// paper out of the desk. `None` when cancelled.
pub fn save<R: tauri::Runtime>(
    desk: &Desk,
    app: &tauri::AppHandle<R>,
    filed: &Filed,
) -> Result<Option<String>, WireError> {
    save_as(
        app,
        &desk.locale(),
        &filed.suggested_name,
        "pdf",
        &filed.pdf,
        "a copy of a paper",
    )
}

/// The platform's save dialog proposing `name` (files of extension `ext` shown), then `bytes` written
/// to the path chosen; the path, or `None` when cancelled. Every export through the dialog (papers,
/// reports, the partner file, the audit CSV) goes through here. The chosen path may carry a name the
/// operator typed, so a failure logs only `what` failed and the kind of error.
pub fn save_as<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    locale: &str,
    name: &str,
    ext: &str,
    bytes: &[u8],
    what: &str,
) -> Result<Option<String>, WireError> {
    use tauri_plugin_dialog::DialogExt;
    let Some(target) = app
        .dialog()
        .file()
        .set_file_name(name)
        .add_filter(ext.to_uppercase(), &[ext])
        .blocking_save_file()
    else {
        return Ok(None);
    };
    let failed = |kind: std::io::ErrorKind| {
        eprintln!("sportello-mixite: saving {what} failed: {kind:?}");
        WireError::shell(ShellCode::SaveFailed, locale)
    };
    let target = target
        .into_path()
        .map_err(|_| failed(std::io::ErrorKind::InvalidInput))?;
    std::fs::write(&target, bytes).map_err(|e| failed(e.kind()))?;
    Ok(Some(target.display().to_string()))
}

/// Sends a PDF that must never be written to disk (the recovery sheet) to the default printer through
/// `lp`'s standard input. `Some(reason)` when the print service refused it.
pub fn print_bytes(pdf: &[u8]) -> Option<String> {
    lp(pdf, None)
}

/// `lp` with the PDF on its standard input (`-`), titled `title` in the print queue when given (else
/// CUPS calls it `(stdin)`). `Some(reason)` when the print service refused it or could not be run.
fn lp(pdf: &[u8], title: Option<&str>) -> Option<String> {
    use std::io::Write;
    use std::process::Stdio;
    let mut command = Command::new("lp");
    if let Some(title) = title {
        command.arg("-t").arg(title);
    }
    let child = command
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
    // Closed once written, so `lp` sees the end of the PDF. A refusing `lp` (no default printer) may
    // exit before reading it all: then what it said matters, not the broken pipe.
    let written = child.stdin.take().map(|mut stdin| stdin.write_all(pdf));
    let out = match child.wait_with_output() {
        Ok(out) => out,
        Err(e) => return Some(format!("lp: {e}")),
    };
    let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
    match written {
        Some(Err(e)) if said.is_empty() => Some(format!("lp: {e}")),
        Some(Err(_)) => Some(said),
        _ if out.status.success() => None,
        _ => Some(said),
    }
}

/// What happened to a PDF that is handed out but never filed (a report, a receipt, the recovery sheet).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handed {
    /// Whether the print service accepted it (`false` when opened in the viewer instead).
    pub printed: bool,
    /// What `lp` said when it refused.
    pub reason: Option<String>,
}

/// Sends an unfiled PDF to the printer (`action` "print", through `lp`'s standard input) or opens it in
/// the viewer from a private copy in the session's runtime folder ("open"), named `name`.
pub fn hand_out<R: tauri::Runtime>(
    desk: &Desk,
    app: &tauri::AppHandle<R>,
    pdf: &[u8],
    name: &str,
    action: &str,
) -> Result<Handed, WireError> {
    if action == "open" {
        let path = desk.viewer_copy(name, pdf)?;
        open(desk, app, &path)?;
        return Ok(Handed {
            printed: false,
            reason: None,
        });
    }
    let reason = print_bytes(pdf);
    Ok(Handed {
        printed: reason.is_none(),
        reason,
    })
}
