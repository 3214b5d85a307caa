//! Commands of the desk's activity and the funder's reports: recording a desk contact, staff time and a
//! satisfaction answer, a case's desk contacts, the activity codes and report definitions for the forms,
//! a report for a period, and its export as CSV or XLSX through the save dialog. Validation, counting,
//! suppression and audit entries are the core's (`register::activity`, `register::report`,
//! `exchange::report_files`); these commands must not decide anything themselves.

use mixite_core::error::FieldCode;
use mixite_core::exchange::report_files;
use mixite_core::papers::report as papers_report;
use mixite_core::register::activity::{
    DeskContact, DeskContactInput, SatisfactionQuestion, StaffTime, StaffTimeInput, Table,
};
use mixite_core::register::report::{Definition, Period, Report};
use mixite_core::{Error, FieldError};
use tauri::State;

use super::output::Exported;
use crate::commands::output::{hand_out, Handed};
use crate::state::Desk;
use crate::wire::WireError;

/// The activity codes (contact kinds, services, age bands, staff-time kinds, answers) for the forms.
#[tauri::command(async)]
pub fn reports_codes(desk: State<'_, Desk>) -> Result<Table, WireError> {
    desk.with(|r, _| Ok(r.activity().clone()))
}

/// Records a desk contact today by the session's operator (a walk-in when `caseId` is null).
#[tauri::command(async)]
pub fn reports_record_contact(
    desk: State<'_, Desk>,
    contact: DeskContactInput,
) -> Result<DeskContact, WireError> {
    desk.acting(|r, actor, clock| r.record_desk_contact(&contact, clock, actor))
}

/// The desk contacts of a case, newest first.
#[tauri::command(async)]
pub fn reports_case_contacts(
    desk: State<'_, Desk>,
    case_id: i64,
) -> Result<Vec<DeskContact>, WireError> {
    desk.with(|r, _| r.desk_contacts(case_id))
}

/// Records staff time that is not a contact for the session's operator.
#[tauri::command(async)]
pub fn reports_record_staff_time(
    desk: State<'_, Desk>,
    time: StaffTimeInput,
) -> Result<StaffTime, WireError> {
    desk.acting(|r, actor, clock| r.record_staff_time(&time, clock, actor))
}

/// Counts one satisfaction answer (kept apart from identity: nothing of the case or the operator).
#[tauri::command(async)]
pub fn reports_record_satisfaction(desk: State<'_, Desk>, answer: String) -> Result<(), WireError> {
    desk.acting(|r, actor, clock| r.record_satisfaction(&answer, clock, actor))
}

/// The satisfaction question in Italian and in the applicant's language (read only).
#[tauri::command(async)]
pub fn reports_satisfaction_question(
    desk: State<'_, Desk>,
    language: String,
) -> Result<SatisfactionQuestion, WireError> {
    desk.with(|r, _| Ok(r.satisfaction_question(&language)))
}

/// The shipped report definitions.
#[tauri::command(async)]
pub fn reports_definitions(desk: State<'_, Desk>) -> Result<Vec<Definition>, WireError> {
    desk.with(|r, _| r.report_definitions())
}

fn build(
    r: &mixite_core::Register,
    definition: &str,
    from: &str,
    to: &str,
    locale: &str,
) -> mixite_core::Result<Report> {
    built(r, definition, from, to, locale).map(|(_, report)| report)
}

/// The definition named `definition` and its report of the period, in `locale`.
fn built(
    r: &mixite_core::Register,
    definition: &str,
    from: &str,
    to: &str,
    locale: &str,
) -> mixite_core::Result<(Definition, Report)> {
    let period = Period::parse(from, to)?;
    let definitions = r.report_definitions()?;
    let Some(d) = definitions.into_iter().find(|d| d.id == definition) else {
        return Err(Error::Invalid(vec![FieldError::new(
            "report.definition",
            FieldCode::UnknownCode,
        )]));
    };
    let report = r.report(&d, period, locale)?;
    Ok((d, report))
}

/// The printable report (PDF) of `definition` over the period: always in Italian, the funder's
/// language, whatever the operator's.
fn pdf(
    desk: &Desk,
    r: &mixite_core::Register,
    definition: &str,
    from: &str,
    to: &str,
    today: chrono::NaiveDate,
) -> mixite_core::Result<Vec<u8>> {
    let (d, report) = built(r, definition, from, to, PDF_LOCALE)?;
    papers_report::render(r, &desk.fonts, &report, &d, PDF_LOCALE, today)
}

/// The language of the printed report.
const PDF_LOCALE: &str = "it";

/// The report of `definition` from `from` to `to` (`YYYY-MM-DD`), in the operator's language.
#[tauri::command(async)]
pub fn reports_build(
    desk: State<'_, Desk>,
    definition: String,
    from: String,
    to: String,
) -> Result<Report, WireError> {
    let locale = desk.locale();
    desk.with(|r, _| build(r, &definition, &from, &to, &locale))
}

/// Saves the report as `csv`, `xlsx` or `pdf` where the operator chooses (`None` when cancelled);
/// audited.
#[tauri::command(async)]
pub fn reports_export<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
    definition: String,
    from: String,
    to: String,
    format: String,
) -> Result<Option<Exported>, WireError> {
    let locale = desk.locale();
    let ext = match format.as_str() {
        "xlsx" => "xlsx",
        "pdf" => "pdf",
        _ => "csv",
    };
    let bytes = desk.acting(|r, actor, clock| {
        let bytes = match ext {
            "pdf" => pdf(&desk, r, &definition, &from, &to, clock.today)?,
            "xlsx" => report_files::xlsx(&build(r, &definition, &from, &to, &locale)?)?,
            _ => report_files::csv(&build(r, &definition, &from, &to, &locale)?)?,
        };
        r.record_report_export(&definition, ext, clock, actor)?;
        Ok(bytes)
    })?;
    let path = super::output::save_as(
        &app,
        &locale,
        &format!("rapporto-{definition}-{from}-{to}.{ext}"),
        ext,
        &bytes,
        "a report",
    )?;
    Ok(path.map(|path| Exported { path }))
}

/// The printable report (PDF) to the printer (`action` "print") or the viewer ("open"), from a private
/// copy in the session's runtime folder; audited like an export.
#[tauri::command(async)]
pub fn reports_print<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
    definition: String,
    from: String,
    to: String,
    action: String,
) -> Result<Handed, WireError> {
    let bytes = desk.acting(|r, actor, clock| {
        let bytes = pdf(&desk, r, &definition, &from, &to, clock.today)?;
        r.record_report_export(&definition, "pdf", clock, actor)?;
        Ok(bytes)
    })?;
    hand_out(
        &desk,
        &app,
        &bytes,
        &format!("rapporto-{definition}.pdf"),
        &action,
    )
}
