//! Commands of retention and the applicant's rights: the policy in force and the responsabile's
//! settings (periods, the funder's final payment), what is due, a retention run, a case's retention
//! state, clearing contacts and notes, anonymising, restricting and lifting, an erasure request, and the
//! two papers handed to the applicant (the right-of-access report, the deletion receipt), printed or
//! opened but never filed. Who may do what, and every audit entry, is the core's; these commands must
//! not decide anything themselves.

use mixite_core::papers::access_report;
use mixite_core::register::retention::{
    Anonymised, CaseRetention, Due, Erasure, FunderInput, Policy, Purpose, RestrictedCase,
    RestrictionReason, RunReport,
};
use rust_i18n::t;
use serde::Serialize;
use tauri::State;

use crate::commands::output::{hand_out, Handed};
use crate::state::Desk;
use crate::wire::WireError;

#[tauri::command(async)]
pub fn retention_policy(desk: State<'_, Desk>) -> Result<Policy, WireError> {
    desk.with(|r, _| r.retention_policy())
}

/// The Comune's period for `purpose` (months), or the bundled default again (`null`).
#[tauri::command(async)]
pub fn retention_set_months(
    desk: State<'_, Desk>,
    purpose: Purpose,
    months: Option<u32>,
) -> Result<Policy, WireError> {
    desk.acting(|r, actor, clock| r.set_retention_months(actor, purpose, months, clock))
}

#[tauri::command(async)]
pub fn retention_set_funder(
    desk: State<'_, Desk>,
    funder: FunderInput,
) -> Result<Policy, WireError> {
    desk.acting(|r, actor, clock| r.set_funder(actor, &funder, clock))
}

#[tauri::command(async)]
pub fn retention_due(desk: State<'_, Desk>) -> Result<Vec<Due>, WireError> {
    desk.acting(|r, actor, clock| r.retention_due(actor, clock.today))
}

#[tauri::command(async)]
pub fn retention_restricted(desk: State<'_, Desk>) -> Result<Vec<RestrictedCase>, WireError> {
    desk.acting(|r, actor, _| r.restricted_cases(actor))
}

/// Does everything due: contacts cleared, notes minimised, cases anonymised (their papers removed).
#[tauri::command(async)]
pub fn retention_apply(desk: State<'_, Desk>) -> Result<RunReport, WireError> {
    let report = desk.acting(access_report::apply_retention)?;
    forget_layouts(&desk);
    Ok(report)
}

/// The print engine's memo keeps laid-out lines of recent papers in memory: after an anonymisation
/// none of the removed names may stay there either.
fn forget_layouts(desk: &Desk) {
    desk.fonts.clear_memo();
}

#[tauri::command(async)]
pub fn retention_case(desk: State<'_, Desk>, case_id: i64) -> Result<CaseRetention, WireError> {
    desk.with(|r, clock| r.case_retention(case_id, clock.today))
}

#[tauri::command(async)]
pub fn retention_clear_contacts(desk: State<'_, Desk>, case_id: i64) -> Result<(), WireError> {
    desk.acting(|r, actor, clock| r.clear_contacts(actor, case_id, clock))
}

#[tauri::command(async)]
pub fn retention_minimise_notes(desk: State<'_, Desk>, case_id: i64) -> Result<(), WireError> {
    desk.acting(|r, actor, clock| r.minimise_notes(actor, case_id, clock))
}

#[tauri::command(async)]
pub fn retention_anonymise(desk: State<'_, Desk>, case_id: i64) -> Result<Anonymised, WireError> {
    let done = desk.acting(|r, actor, clock| access_report::anonymise(r, actor, case_id, clock))?;
    forget_layouts(&desk);
    Ok(done)
}

#[tauri::command(async)]
pub fn retention_restrict(
    desk: State<'_, Desk>,
    case_id: i64,
    reason: RestrictionReason,
) -> Result<(), WireError> {
    desk.acting(|r, actor, clock| r.restrict(actor, case_id, reason, clock))
}

#[tauri::command(async)]
pub fn retention_lift(desk: State<'_, Desk>, case_id: i64) -> Result<(), WireError> {
    desk.acting(|r, actor, clock| r.lift_restriction(actor, case_id, clock))
}

/// The answer to an erasure request, with the sentence that tells the applicant why when the case is
/// only restricted (translated `retention.why.<code>`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErasureDone {
    #[serde(flatten)]
    erasure: Erasure,
    why_text: Option<String>,
}

#[tauri::command(async)]
pub fn retention_erasure_request(
    desk: State<'_, Desk>,
    case_id: i64,
) -> Result<ErasureDone, WireError> {
    let locale = desk.locale();
    let erasure =
        desk.acting(|r, actor, clock| access_report::erasure_request(r, actor, case_id, clock))?;
    let why_text = match &erasure {
        Erasure::Restricted {
            kept_until, why, ..
        } => Some(
            t!(
                format!("retention.why.{why}"),
                locale = locale,
                date = kept_until
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_default()
            )
            .to_string(),
        ),
        Erasure::Anonymised(_) => None,
    };
    Ok(ErasureDone { erasure, why_text })
}

/// Which of the two papers handed to the applicant.
#[derive(Clone, Copy)]
enum Handout {
    AccessReport,
    DeletionReceipt,
}

/// Renders `which` for case `case_id` in Italian beside `language` (recorded in the audit trail by the
/// core), then prints or opens it (`action`).
fn hand_to_applicant<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    desk: &Desk,
    which: Handout,
    case_id: i64,
    language: &str,
    action: &str,
) -> Result<Handed, WireError> {
    type Render = fn(
        &mut mixite_core::Register,
        &mixite_core::papers::print::FontLibrary,
        &mixite_core::register::operators::Actor,
        i64,
        &str,
        &mixite_core::Clock,
    ) -> mixite_core::Result<Vec<u8>>;
    let (render, name): (Render, &str) = match which {
        Handout::AccessReport => (access_report::access_report, "accesso-ai-dati.pdf"),
        Handout::DeletionReceipt => (
            access_report::deletion_receipt,
            "ricevuta-di-cancellazione.pdf",
        ),
    };
    let pdf =
        desk.acting(|r, actor, clock| render(r, &desk.fonts, actor, case_id, language, clock))?;
    hand_out(desk, app, &pdf, name, action)
}

/// The right-of-access report (GDPR art. 15) of a case, Italian beside `language`: printed or opened.
#[tauri::command(async)]
pub fn retention_access_report<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
    case_id: i64,
    language: String,
    action: String,
) -> Result<Handed, WireError> {
    hand_to_applicant(
        &app,
        &desk,
        Handout::AccessReport,
        case_id,
        &language,
        &action,
    )
}

/// The deletion receipt of an anonymised case, Italian beside `language`: printed or opened.
#[tauri::command(async)]
pub fn retention_deletion_receipt<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
    case_id: i64,
    language: String,
    action: String,
) -> Result<Handed, WireError> {
    hand_to_applicant(
        &app,
        &desk,
        Handout::DeletionReceipt,
        case_id,
        &language,
        &action,
    )
}
