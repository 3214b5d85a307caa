//! Case commands: search, read, duplicate check, create, update, renewal draft, and reading a passport's
//! MRZ. Each one delegates to `mixite_core`; none holds a rule of its own.

use mixite_core::model::{Applicant, CaseData, CaseSummary, CaseView, RenewalDraft, SearchPage};
use mixite_core::reference::codice_fiscale;
use mixite_core::reference::mrz::MrzReading;
use mixite_core::NewCase;
use tauri::State;

use crate::state::Desk;
use crate::wire::WireError;

#[tauri::command(async)]
pub fn cases_search(
    desk: State<'_, Desk>,
    query: String,
    offset: usize,
    limit: usize,
) -> Result<SearchPage, WireError> {
    desk.with(|r, _| r.search(&query, offset, limit))
}

#[tauri::command(async)]
pub fn cases_get(desk: State<'_, Desk>, id: i64) -> Result<CaseView, WireError> {
    desk.acting(|r, actor, clock| r.view(id, clock, actor))
}

#[tauri::command(async)]
pub fn cases_check_duplicates(
    desk: State<'_, Desk>,
    data: CaseData,
    except: Option<i64>,
) -> Result<Vec<CaseSummary>, WireError> {
    desk.with(|r, _| r.duplicates(&data, except))
}

/// The other cases of the case's family (for copying a household to a stick together).
#[tauri::command(async)]
pub fn cases_household(desk: State<'_, Desk>, id: i64) -> Result<Vec<CaseSummary>, WireError> {
    desk.with(|r, _| r.household(id))
}

#[tauri::command(async)]
pub fn cases_create(
    desk: State<'_, Desk>,
    data: CaseData,
    request_id: Option<String>,
    renewed_from: Option<i64>,
) -> Result<CaseView, WireError> {
    let new = NewCase {
        data,
        request_id,
        renewed_from,
    };
    desk.acting(|r, actor, clock| r.create(&new, clock, actor))
}

#[tauri::command(async)]
pub fn cases_update(
    desk: State<'_, Desk>,
    id: i64,
    revision: i64,
    data: CaseData,
) -> Result<CaseView, WireError> {
    desk.acting(|r, actor, clock| r.update(id, revision, &data, clock, actor))
}

#[tauri::command(async)]
pub fn cases_renew_draft(desk: State<'_, Desk>, id: i64) -> Result<RenewalDraft, WireError> {
    desk.with(|r, clock| r.renewal_draft(id, clock.today))
}

/// Reads a machine-readable zone (typed, pasted or sent by a scanner) into case-form values; a failed
/// check digit is an error on the `mrz` field and fills nothing.
#[tauri::command(async)]
pub fn cases_read_mrz(desk: State<'_, Desk>, text: String) -> Result<MrzReading, WireError> {
    desk.with(|r, clock| mixite_core::reference::mrz::read(&text, r.reference(), clock.today))
}

/// The codice fiscale the applicant's data gives, and which parts of the entered one differ from it.
#[tauri::command(async)]
pub fn cases_codice_fiscale_hint(
    desk: State<'_, Desk>,
    applicant: Applicant,
) -> Result<codice_fiscale::Hint, WireError> {
    desk.with(|r, _| Ok(codice_fiscale::hint(&applicant, r.reference())))
}
