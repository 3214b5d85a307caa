//! Commands of the desk's agenda: the day's buckets, the responsabile's lead time and kit wait, a case's
//! consent to reminders and its contact log. Buckets, rules, validation and audit entries are the
//! core's (`register::agenda`); these commands must not decide anything themselves.

use mixite_core::register::agenda::{Agenda, Consent, Contact, ContactInput, Setting, Settings};
use tauri::State;

use crate::state::Desk;
use crate::wire::WireError;

/// The agenda of the desk's today.
#[tauri::command(async)]
pub fn agenda_today(desk: State<'_, Desk>) -> Result<Agenda, WireError> {
    desk.with(|r, clock| r.agenda(clock.today))
}

/// Sets `lead_days` or `kit_days` (`days`: null goes back to the data's default). Responsabile.
#[tauri::command(async)]
pub fn agenda_set_days(
    desk: State<'_, Desk>,
    setting: Setting,
    days: Option<u32>,
) -> Result<Settings, WireError> {
    desk.acting(|r, actor, clock| r.set_agenda_days(setting, days, clock, actor))
}

/// The consent recorded on a case (`null`: never asked).
#[tauri::command(async)]
pub fn agenda_consent(desk: State<'_, Desk>, case_id: i64) -> Result<Option<Consent>, WireError> {
    desk.with(|r, _| r.consent(case_id))
}

#[tauri::command(async)]
pub fn agenda_set_consent(
    desk: State<'_, Desk>,
    case_id: i64,
    consent: Consent,
) -> Result<Consent, WireError> {
    desk.acting(|r, actor, clock| r.set_consent(case_id, &consent, clock, actor))
}

/// The contact log of a case, newest first.
#[tauri::command(async)]
pub fn agenda_contacts(desk: State<'_, Desk>, case_id: i64) -> Result<Vec<Contact>, WireError> {
    desk.with(|r, _| r.contacts(case_id))
}

/// Logs a contact today; returns the case's log.
#[tauri::command(async)]
pub fn agenda_record_contact(
    desk: State<'_, Desk>,
    case_id: i64,
    contact: ContactInput,
) -> Result<Vec<Contact>, WireError> {
    desk.acting(|r, actor, clock| r.record_contact(case_id, &contact, clock, actor))
}
