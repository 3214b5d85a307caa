//! Commands of the partner directory and the referrals (issue 16): the needs and the follow-up setting,
//! the directory (read by anyone signed in; added to, changed and retired by a responsabile), the partners
//! proposed for a need, the directory as a partner file through the save and open dialogs, a referral
//! from a case or for a walk-in, its follow-up steps, and its slip to the printer or the viewer. The
//! role rule, validation, the state machine, the consent rule and the audit entries are the core's
//! (`register::partners`, `register::referrals`, `exchange::partners_file`, `papers::referral`); these
//! commands must not decide anything themselves.

use mixite_core::exchange::partners_file;
use mixite_core::papers::referral;
use mixite_core::papers::Filed;
use mixite_core::register::partners::{FollowUp, Imported, Need, Partner, PartnerInput};
use mixite_core::register::referrals::{FollowUpInput, Referral, ReferralInput};
use serde::Serialize;
use tauri::State;

use super::output::{self, Exported, Printed};
use crate::state::Desk;
use crate::wire::{ShellCode, WireError};

/// The needs a referral is for, the follow-up bounds and the interval in force.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Needs {
    pub needs: Vec<Need>,
    pub follow_up: FollowUp,
    pub open_days: u32,
    /// Whether `open_days` is the Comune's setting (else the data's default).
    pub open_days_set: bool,
}

fn needs(r: &mixite_core::Register) -> mixite_core::Result<Needs> {
    let (open_days, open_days_set) = r.referral_open_days()?;
    Ok(Needs {
        needs: r.directory().needs.clone(),
        follow_up: r.directory().follow_up,
        open_days,
        open_days_set,
    })
}

#[tauri::command(async)]
pub fn partners_needs(desk: State<'_, Desk>) -> Result<Needs, WireError> {
    desk.with(|r, _| needs(r))
}

/// The directory by name; the retired partners too when `retired`.
#[tauri::command(async)]
pub fn partners_list(desk: State<'_, Desk>, retired: bool) -> Result<Vec<Partner>, WireError> {
    desk.with(|r, _| r.partners(retired))
}

/// The partners for `need`, those speaking `language` first.
#[tauri::command(async)]
pub fn partners_proposals(
    desk: State<'_, Desk>,
    need: String,
    language: String,
) -> Result<Vec<Partner>, WireError> {
    desk.with(|r, _| r.partner_proposals(&need, &language))
}

#[tauri::command(async)]
pub fn partners_add(desk: State<'_, Desk>, partner: PartnerInput) -> Result<Partner, WireError> {
    desk.acting(|r, actor, clock| r.add_partner(&partner, clock, actor))
}

#[tauri::command(async)]
pub fn partners_update(
    desk: State<'_, Desk>,
    id: i64,
    partner: PartnerInput,
) -> Result<Partner, WireError> {
    desk.acting(|r, actor, clock| r.update_partner(id, &partner, clock, actor))
}

/// Retires a partner (`retire` false: puts it back in the directory).
#[tauri::command(async)]
pub fn partners_retire(desk: State<'_, Desk>, id: i64, retire: bool) -> Result<Partner, WireError> {
    desk.acting(|r, actor, clock| r.retire_partner(id, retire, clock, actor))
}

/// The directory (retired partners marked) saved as a partner file where the responsabile chooses;
/// `None` when cancelled. Audited.
#[tauri::command(async)]
pub fn partners_export<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
) -> Result<Option<Exported>, WireError> {
    let locale = desk.locale();
    let (bytes, count, today) = desk.acting(|r, actor, clock| {
        if !actor.is_responsabile() {
            return Err(mixite_core::Error::Access(
                mixite_core::error::AccessCode::NotAllowed,
            ));
        }
        let partners = r.partners(true)?;
        Ok((
            partners_file::to_bytes(&partners, clock.today)?,
            partners.len(),
            clock.today,
        ))
    })?;
    let Some(path) = super::output::save_as(
        &app,
        &locale,
        &format!("partner-{}.json", today.format("%Y%m%d")),
        "json",
        &bytes,
        "the partner file",
    )?
    else {
        return Ok(None);
    };
    desk.acting(|r, actor, clock| r.record_partners_export(count, clock, actor))?;
    Ok(Some(Exported { path }))
}

/// Reads a partner file (`path`, or one the responsabile picks when `None`), checks it whole and applies
/// it in one transaction; `None` when the picker was cancelled.
#[tauri::command(async)]
pub fn partners_import<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
    path: Option<String>,
) -> Result<Option<Imported>, WireError> {
    use tauri_plugin_dialog::DialogExt;
    let locale = desk.locale();
    let path = match path {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let Some(picked) = app
                .dialog()
                .file()
                .add_filter("JSON", &["json"])
                .blocking_pick_file()
            else {
                return Ok(None);
            };
            picked
                .into_path()
                .map_err(|_| WireError::shell(ShellCode::SaveFailed, &locale))?
        }
    };
    let bytes = std::fs::read(&path)
        .map_err(|e| WireError::from_core(&mixite_core::Error::Io(e), &locale))?;
    desk.acting(|r, actor, clock| {
        let needs: Vec<String> = r
            .directory()
            .need_codes()
            .into_iter()
            .map(String::from)
            .collect();
        let needs: Vec<&str> = needs.iter().map(String::as_str).collect();
        let file = partners_file::read(&bytes, &needs, r.reference(), clock.today)?;
        r.import_partners(&file.partners, clock, actor)
    })
    .map(Some)
}

/// Refers a case's applicant or a walk-in (`caseId` null) to a partner, today, by the session's operator.
#[tauri::command(async)]
pub fn referrals_make(
    desk: State<'_, Desk>,
    referral: ReferralInput,
) -> Result<Referral, WireError> {
    desk.acting(|r, actor, clock| r.refer(&referral, clock, actor))
}

/// The referrals of a case, newest first.
#[tauri::command(async)]
pub fn referrals_case(desk: State<'_, Desk>, case_id: i64) -> Result<Vec<Referral>, WireError> {
    desk.with(|r, _| r.case_referrals(case_id))
}

/// A follow-up step: `{ state, date }`.
#[tauri::command(async)]
pub fn referrals_follow_up(
    desk: State<'_, Desk>,
    id: i64,
    step: FollowUpInput,
) -> Result<Referral, WireError> {
    desk.acting(|r, actor, clock| r.follow_up_referral(id, &step, clock, actor))
}

/// Sets the days an open referral waits before the agenda lists it (`null`: the data's default).
#[tauri::command(async)]
pub fn referrals_set_open_days(
    desk: State<'_, Desk>,
    days: Option<u32>,
) -> Result<Needs, WireError> {
    desk.acting(|r, actor, clock| {
        r.set_referral_open_days(days, clock, actor)?;
        needs(r)
    })
}

/// The slip of referral `id`: a case's is filed with the case (and recorded as a paper printed); a
/// walk-in's, with the `name` typed for it, belongs to no case and is only made for the printer.
fn slip(desk: &Desk, id: i64, name: &str) -> Result<Filed, WireError> {
    desk.acting(|r, actor, clock| {
        let referral = r.referral(id)?;
        match referral.case_id {
            Some(case_id) => {
                let filed = referral::file(r, &desk.fonts, id, &actor.name, clock)?;
                super::reminders::record_printed(r, actor, case_id, referral::KIND, &filed, clock)?;
                Ok(filed)
            }
            None => {
                let pdf = referral::render(r, &desk.fonts, &referral, name, clock.today)?;
                let file = format!("{}-{}.pdf", referral::KIND, referral.language);
                Ok(Filed {
                    file: file.clone(),
                    suggested_name: file,
                    pdf,
                })
            }
        }
    })
}

/// The slip to the default printer (no printer: the answer says so; the UI offers the viewer).
#[tauri::command(async)]
pub fn referrals_slip_print(
    desk: State<'_, Desk>,
    id: i64,
    name: Option<String>,
) -> Result<Printed, WireError> {
    let filed = slip(&desk, id, name.as_deref().unwrap_or_default())?;
    Ok(output::print(&filed))
}

/// The slip in the system's viewer, from a copy in the session's runtime folder.
#[tauri::command(async)]
pub fn referrals_slip_open<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    id: i64,
    name: Option<String>,
) -> Result<Filed, WireError> {
    let filed = slip(&desk, id, name.as_deref().unwrap_or_default())?;
    let copy = desk.viewer_copy(&filed.suggested_name, &filed.pdf)?;
    output::open(&desk, &app, &copy).inspect_err(|_| desk.forget_viewer_copy(&copy))?;
    Ok(filed)
}
