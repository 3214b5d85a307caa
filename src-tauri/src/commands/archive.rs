//! USB commands: the removable drives, exporting cases to a folder (with the PDFs printed for them),
//! importing an archive (its PDFs go back to the data folder's `print/`), and the register's backup with
//! its reminder. Archives, backups and drive listing are `mixite_core`'s; this module only finds the
//! case's PDFs in `print/` and maps the answers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use mixite_core::archive::{self, ExportCase, ExportOptions, ImportChoice, ImportReport, Pdf};
use mixite_core::backup;
use mixite_core::drives::{self, Drive};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::state::Desk;
use crate::wire::WireError;

/// The removable drives mounted now.
#[tauri::command(async)]
pub fn archive_drives() -> Vec<Drive> {
    drives::removable()
}

/// What the export sends: the cases, the target folder, and the passphrase (`None`: a plain ZIP, the
/// operator's explicit choice for the applicant's own copy).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportArgs {
    pub case_ids: Vec<i64>,
    pub folder: String,
    pub passphrase: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportDone {
    pub path: String,
    pub size: u64,
    pub pdfs: usize,
}

/// The PDFs printed for a case: `print/<kind>-<YYYY-NNNNNN>-<date>.pdf` (see `output::store`).
fn pdfs_of(print: &Path, number: &str) -> Vec<Pdf> {
    let key = format!("-{}-", number.replace('/', "-"));
    let mut pdfs: Vec<Pdf> = std::fs::read_dir(print)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            (name.contains(&key) && name.ends_with(".pdf"))
                .then(|| {
                    std::fs::read(entry.path())
                        .ok()
                        .map(|bytes| Pdf { name, bytes })
                })
                .flatten()
        })
        .collect();
    pdfs.sort_by(|a, b| a.name.cmp(&b.name));
    pdfs
}

#[tauri::command(async)]
pub fn archive_export(desk: State<'_, Desk>, args: ExportArgs) -> Result<ExportDone, WireError> {
    desk.with(|r, clock| {
        let print = desk.data_dir.join("print");
        let mut selection = Vec::new();
        for id in &args.case_ids {
            let number = r.get(*id, clock.today)?.number;
            selection.push(ExportCase {
                id: *id,
                pdfs: pdfs_of(&print, &number),
            });
        }
        let options = match args.passphrase.as_deref() {
            Some(p) => ExportOptions::encrypted(p),
            None => ExportOptions::unencrypted(),
        };
        let pdfs = selection.iter().map(|c| c.pdfs.len()).sum();
        let done = archive::export_to_folder(
            r,
            &selection,
            &options,
            Path::new(&args.folder),
            clock.today,
        )?;
        Ok(ExportDone {
            path: done.path.display().to_string(),
            size: done.size,
            pdfs,
        })
    })
}

/// What the import sends: the file, its passphrase, and the operator's choice for each conflicting
/// case (`keepLocal` or `takeArchive`, by UUID) on the second call.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportArgs {
    pub path: String,
    pub passphrase: Option<String>,
    #[serde(default)]
    pub choices: HashMap<String, String>,
}

#[tauri::command(async)]
pub fn archive_import(desk: State<'_, Desk>, args: ImportArgs) -> Result<ImportReport, WireError> {
    desk.with(|r, clock| {
        let opened = archive::open_file(
            Path::new(&args.path),
            args.passphrase.as_deref(),
            r.reference(),
        )?;
        let choices = args
            .choices
            .iter()
            .map(|(uuid, choice)| {
                let choice = match choice.as_str() {
                    "takeArchive" => ImportChoice::TakeArchive,
                    _ => ImportChoice::KeepLocal,
                };
                (uuid.clone(), choice)
            })
            .collect();
        let report = archive::import(r, &opened, &choices, clock)?;
        if report.applied {
            // The archive's PDFs go where this desk keeps printed papers; a name already there is kept.
            let print = desk.data_dir.join("print");
            std::fs::create_dir_all(&print)?;
            for pdf in opened.pdfs() {
                let target = print.join(&pdf.name);
                if !target.exists() {
                    std::fs::write(&target, &pdf.bytes)?;
                }
            }
        }
        Ok(report)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupArgs {
    pub folder: String,
    pub passphrase: String,
}

/// Backs the register up, encrypted, to a folder (the stick).
#[tauri::command(async)]
pub fn backup_run(desk: State<'_, Desk>, args: BackupArgs) -> Result<backup::Written, WireError> {
    desk.with(|r, clock| backup::backup(r, &PathBuf::from(&args.folder), &args.passphrase, clock))
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    pub last: Option<backup::Last>,
    /// The last backup is older than `days` days, or there is none.
    pub due: bool,
}

/// The last backup and whether the reminder is due after `days` days.
#[tauri::command(async)]
pub fn backup_status(desk: State<'_, Desk>, days: i64) -> Result<BackupStatus, WireError> {
    desk.with(|r, clock| {
        let last = backup::last(r)?;
        let due = backup::due(last.as_ref(), days, clock);
        Ok(BackupStatus { last, due })
    })
}
