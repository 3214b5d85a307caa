//! The Questura appointment of a case as an iCalendar event (RFC 5545, built with the `icalendar`
//! crate): what the receipt prints as a QR code for the applicant's phone, and the `.ics` file filed with
//! the case. The event holds the day and time (in the zone of `desk_papers.toml`), the place (the
//! Questura's office from the same file), a summary and what to bring in the applicant's language, and
//! nothing else: no name, no case number, no document (a phone's calendar syncs to places the desk does
//! not know). Its UID is derived from the case's UUID and the step, not the UUID itself.
//!
//! It must not choose which appointment counts beyond the case's own history (the latest appointment
//! step not voided), nor write anything: `papers::file` files the text it returns.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};

use crate::error::Result;
use crate::model::CaseView;
use crate::reference::content::Texts;
use crate::reference::desk::DeskPapers;

/// An appointment at the Questura, as the case's history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    /// The step that recorded it.
    pub step_id: i64,
    pub date: NaiveDate,
    pub time: NaiveTime,
}

/// The case's Questura appointment: the latest `questura_appointment` step neither voided nor a
/// correction, with a valid day and time, on `today` or later (a past appointment has nothing to put in
/// a calendar). `None` otherwise.
pub fn of_case(case: &CaseView, today: NaiveDate) -> Option<Appointment> {
    let step = case
        .steps
        .iter()
        .rev()
        .find(|s| s.kind == "questura_appointment" && !s.voided && s.corrects.is_none())?;
    let date = NaiveDate::parse_from_str(step.details.appointment_date.trim(), "%Y-%m-%d").ok()?;
    let time = NaiveTime::parse_from_str(step.details.appointment_time.trim(), "%H:%M").ok()?;
    (date >= today).then_some(Appointment {
        step_id: step.id,
        date,
        time,
    })
}

/// The file name the event is filed under in the case's print folder: the appointment's day only.
pub fn file_name(appointment: &Appointment) -> String {
    format!("appuntamento-{}.ics", appointment.date.format("%Y%m%d"))
}

/// The event as the text of an iCalendar file (CRLF lines), in `lang` (a checklist language; Italian
/// stands in for a missing text). `today` dates its DTSTAMP (at midnight UTC: the day it was printed,
/// nothing finer).
pub fn ics(
    facts: &DeskPapers,
    texts: &Texts,
    case: &CaseView,
    appointment: &Appointment,
    lang: &str,
    today: NaiveDate,
) -> Result<String> {
    let none = BTreeMap::new();
    let start = NaiveDateTime::new(appointment.date, appointment.time);
    let end = start + Duration::minutes(i64::from(facts.appointment.minutes));
    let zoned = |at: NaiveDateTime| CalendarDateTime::WithTimezone {
        date_time: at,
        tzid: facts.appointment.timezone.clone(),
    };
    let stamp = Utc.from_utc_datetime(&today.and_time(NaiveTime::MIN));
    let uid = {
        let digest = crate::register::audit::sha256_hex(
            format!("{}/{}", case.uuid, appointment.step_id).as_bytes(),
        );
        format!("{}@sportello-mixite", &digest[..32])
    };
    let event = Event::new()
        .uid(&uid)
        .timestamp(stamp)
        .starts(zoned(start))
        .ends(zoned(end))
        .summary(&texts.text("receipt.ics_summary", lang, &none))
        .location(&format!(
            "{}, {}",
            facts.questura.name, facts.questura.address
        ))
        .description(&texts.text("next.questura_bring", lang, &none))
        .done();
    let mut calendar = Calendar::new();
    calendar.push(event);
    Ok(calendar.done().to_string())
}
