//! USB commands: the removable drives, exporting cases to a folder (with the papers filed for them),
//! importing an archive (its papers are filed against their cases by the core), and the register's backup
//! with its reminder. Archives, backups, papers and drive listing are `mixite_core`'s; this module maps
//! the answers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use mixite_core::exchange::archive::{self, ExportCase, ExportOptions, ImportChoice, ImportReport};
use mixite_core::exchange::backup;
use mixite_core::exchange::drives::{self, Drive, FoundFile};
use mixite_core::papers;
// Passphrases arrive as secrets: never printed by `Debug`, wiped from memory when dropped.
use mixite_core::register::audit::{Action, Detail};
use mixite_core::register::entry;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::state::Desk;
use crate::wire::WireError;

/// The removable drives mounted now, and the folder `MIXITE_STICK_DIR` names when set: a fixed
/// destination some offices use (a shared archive folder), and the stick the end-to-end tests preset.
#[tauri::command(async)]
pub fn archive_drives() -> Vec<Drive> {
    let mut found = drives::removable();
    if let Some(dir) = std::env::var_os("MIXITE_STICK_DIR").map(PathBuf::from) {
        if dir.is_dir() && !found.iter().any(|d| d.path == dir) {
            found.push(Drive {
                label: dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| dir.display().to_string()),
                filesystem: String::new(),
                free_bytes: None,
                fat: false,
                path: dir,
            });
        }
    }
    found
}

/// The case files and backups at the top of every drive (and of `folder`, when the operator picked
/// one), newest name first. Only names and sizes are read.
#[tauri::command(async)]
pub fn archive_files(folder: Option<String>) -> Vec<FoundFile> {
    let mut places: Vec<(PathBuf, String)> = archive_drives()
        .into_iter()
        .map(|d| (d.path, d.label))
        .collect();
    if let Some(folder) = folder.map(PathBuf::from) {
        let label = folder.display().to_string();
        places.push((folder, label));
    }
    drives::found_files(&places)
}

/// The platform's folder picker, for a destination that is not listed as a drive. `None`: cancelled.
#[tauri::command(async)]
pub fn archive_pick_folder<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Option<String> {
    use tauri_plugin_dialog::DialogExt;
    app.dialog()
        .file()
        .blocking_pick_folder()
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string())
}

/// The platform's file picker for a case file (`kind` = `cases`), a backup (`backup`) or a content
/// pack (`pack`).
#[tauri::command(async)]
pub fn archive_pick_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    kind: String,
) -> Option<String> {
    use tauri_plugin_dialog::DialogExt;
    let dialog = app.dialog().file();
    let dialog = if kind == "backup" {
        dialog.add_filter("Backup", &["age"])
    } else if kind == "pack" {
        dialog.add_filter("Contenuti", &[mixite_core::reference::pack::EXTENSION])
    } else {
        dialog.add_filter("Sportello Mixitè", &["mixite", "zip"])
    };
    dialog
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string())
}

/// What the export sends: the cases, the target folder, and the passphrase (`None`: a plain ZIP, the
/// operator's explicit choice for the applicant's own copy).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportArgs {
    pub case_ids: Vec<i64>,
    pub folder: String,
    pub passphrase: Option<SecretString>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportDone {
    pub path: String,
    pub size: u64,
    pub pdfs: usize,
}

/// The register is locked only to read the cases and zip them; the key derivation (scrypt), the write
/// to the stick and its verification run with the register free for the other commands.
#[tauri::command(async)]
pub fn archive_export(desk: State<'_, Desk>, args: ExportArgs) -> Result<ExportDone, WireError> {
    let options = match args.passphrase.as_ref().map(ExposeSecret::expose_secret) {
        Some(p) => ExportOptions::encrypted(p),
        None => ExportOptions::unencrypted(),
    };
    let (packed, pdfs) = desk.with(|r, clock| {
        options.check()?;
        let mut selection = Vec::new();
        for id in &args.case_ids {
            selection.push(ExportCase {
                id: *id,
                pdfs: papers::folder::for_export(r, *id)?,
            });
        }
        let pdfs = selection.iter().map(|c| c.pdfs.len()).sum::<usize>();
        Ok((archive::pack(r, &selection, clock.today)?, pdfs))
    })?;
    let done = packed
        .export_to_folder(&options, Path::new(&args.folder))
        .map_err(|e| WireError::from_core(&e, &desk.locale()))?;
    let file = done
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let encrypted = args.passphrase.is_some();
    desk.acting(|r, actor, clock| {
        for id in &args.case_ids {
            let detail = Detail {
                file: file.clone(),
                encrypted: Some(encrypted),
                ..Detail::default()
            };
            r.record(
                entry(actor, Action::CaseExported).with(detail),
                Some(*id),
                clock,
            )?;
        }
        Ok(())
    })?;
    Ok(ExportDone {
        path: done.path.display().to_string(),
        size: done.size,
        pdfs,
    })
}

/// What the import sends: the file, its passphrase, and the operator's choice for each conflicting
/// case (`keepLocal` or `takeArchive`, by UUID) on the second call.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportArgs {
    pub path: String,
    pub passphrase: Option<SecretString>,
    #[serde(default)]
    pub choices: HashMap<String, ImportChoice>,
}

#[tauri::command(async)]
pub fn archive_import(desk: State<'_, Desk>, args: ImportArgs) -> Result<ImportReport, WireError> {
    // Reading the stick and the passphrase's key derivation (scrypt) run with the register free; only
    // the import itself takes it.
    let reference = desk.with(|r, _| Ok(r.reference().clone()))?;
    let opened = archive::open_file(
        Path::new(&args.path),
        args.passphrase.as_ref().map(ExposeSecret::expose_secret),
        &reference,
    )
    .map_err(|e| WireError::from_core(&e, &desk.locale()))?;
    let file = Path::new(&args.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    desk.acting(|r, actor, clock| {
        let report = papers::folder::import_archive(r, &opened, &args.choices, clock)?;
        if report.applied {
            let touched = report.inserted.iter().map(|c| c.id).collect::<Vec<_>>();
            let replaced = report
                .replaced
                .iter()
                .filter_map(|uuid| r.case_id_of_uuid(uuid).transpose())
                .collect::<mixite_core::Result<Vec<_>>>()?;
            for id in touched.into_iter().chain(replaced) {
                let detail = Detail {
                    file: file.clone(),
                    ..Detail::default()
                };
                r.record(
                    entry(actor, Action::CaseImported).with(detail),
                    Some(id),
                    clock,
                )?;
            }
        }
        Ok(report)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupArgs {
    pub folder: String,
    pub passphrase: SecretString,
}

/// Backs the register up, encrypted, to a folder (the stick). The register is locked only to copy it
/// (SQLite's online backup, into the data folder) and, at the end, to record the backup: the key
/// derivation, the write to the stick and its verification (minutes for a large register) leave the
/// other commands free.
#[tauri::command(async)]
pub fn backup_run(desk: State<'_, Desk>, args: BackupArgs) -> Result<backup::Written, WireError> {
    let snapshot =
        desk.with(|r, clock| backup::snapshot(r, args.passphrase.expose_secret(), clock))?;
    let written = snapshot
        .write(Path::new(&args.folder), args.passphrase.expose_secret())
        .map_err(|e| WireError::from_core(&e, &desk.locale()))?;
    desk.acting(|r, actor, clock| {
        backup::record(r, &written)?;
        let detail = Detail {
            file: written
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
            ..Detail::default()
        };
        r.record(entry(actor, Action::BackupMade).with(detail), None, clock)
    })?;
    Ok(written)
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    pub last: Option<backup::Last>,
    /// The reminder's number of days.
    pub days: i64,
    /// The last backup is older than `days` days, or there is none.
    pub due: bool,
}

fn status(
    r: &mixite_core::Register,
    clock: &mixite_core::Clock,
) -> mixite_core::Result<BackupStatus> {
    let last = backup::last(r)?;
    let days = backup::reminder_days(r)?;
    let due = backup::due(last.as_ref(), days, clock);
    Ok(BackupStatus { last, days, due })
}

/// The last backup and whether the reminder is due.
#[tauri::command(async)]
pub fn backup_status(desk: State<'_, Desk>) -> Result<BackupStatus, WireError> {
    desk.with(|r, clock| status(r, clock))
}

/// Sets after how many days without a backup the operator is reminded.
#[tauri::command(async)]
pub fn backup_set_reminder(desk: State<'_, Desk>, days: i64) -> Result<BackupStatus, WireError> {
    desk.with(|r, clock| {
        backup::set_reminder_days(r, days)?;
        status(r, clock)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreArgs {
    pub path: String,
    pub passphrase: SecretString,
    /// Who opens the backup's key ring: an operator of the backup with their passphrase, or the
    /// recovery key (either missing: refused by the core as `access`).
    pub operator_id: Option<String>,
    pub operator_passphrase: Option<SecretString>,
    pub recovery_key: Option<SecretString>,
    /// The operator confirmed that the current cases are replaced (needed when there are any).
    #[serde(default)]
    pub replace: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreDone {
    /// Where the replaced database was kept (none on a fresh installation).
    pub safety_copy: Option<String>,
}

/// Restores a backup into this desk's data folder: the register is closed, the backup verified and
/// put in place (the current database kept as a safety copy), and the register opened again. Over
/// a register that holds cases, only with `replace`.
#[tauri::command(async)]
pub fn backup_restore(desk: State<'_, Desk>, args: RestoreArgs) -> Result<RestoreDone, WireError> {
    desk.may_restore(args.replace)?;
    // Who restored, when signed in (a desk nobody can sign in to restores with the backup's passphrases).
    let by = desk.actor().ok();
    let unlock = match &args.recovery_key {
        Some(recovery) => backup::Unlock::Recovery(recovery.expose_secret()),
        None => backup::Unlock::Operator {
            id: args.operator_id.as_deref().unwrap_or_default(),
            passphrase: args
                .operator_passphrase
                .as_ref()
                .map_or("", |p| p.expose_secret()),
        },
    };
    let restored = desk.reopening(|dir, clock| {
        backup::restore(
            Path::new(&args.path),
            args.passphrase.expose_secret(),
            &unlock,
            dir,
            clock,
        )
    })?;
    let file = Path::new(&args.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let detail = Detail {
        file,
        ..Detail::default()
    };
    let restored_entry = match &by {
        Some(actor) => entry(actor, Action::BackupRestored),
        None => mixite_core::register::audit::Entry::new(
            restored.operator_id.as_deref(),
            "",
            Action::BackupRestored,
        ),
    };
    desk.audit_at_next_sign_in(restored_entry.with(detail));
    Ok(RestoreDone {
        safety_copy: restored.safety_copy.map(|p| p.display().to_string()),
    })
}
