//! Validation of what the operator typed: every rule for a case and for a step, all problems reported at
//! once with the field's path and a code. On success it returns the input normalised (trimmed, codes
//! upper-cased) so storage never sees raw input. It must not touch the database: rules that need stored
//! state (a stale revision, a step out of order) live with the writes in `cases` and `steps`.

use chrono::NaiveDate;

use crate::error::{Error, FieldCode, FieldError, Result};
use crate::model::{Applicant, CaseData, HouseholdMember, Permit, StepInput};
use crate::reference::codice_fiscale;
use crate::reference::text;
use crate::reference::{Reference, DOCUMENT_KINDS, PROCEDURES, RELATIONS, SEXES};

/// Field length limits, in characters. Generous for real names and addresses, small enough for forms.
const NAME_MAX: usize = 80;
const SHORT_MAX: usize = 20;
const LINE_MAX: usize = 120;
const NOTES_MAX: usize = 4000;
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();

/// Collects problems while normalising values; `finish` turns any problem into `Error::Invalid`.
pub struct Checker<'a> {
    reference: &'a Reference,
    today: NaiveDate,
    errors: Vec<FieldError>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
}
use Need::{Optional, Required};

/// Which dates a date field accepts.
#[derive(Clone, Copy)]
enum Span {
    /// From 1900 to today (births, issue dates, events that happened).
    Past,
    /// Any date from 1900 (expiries, appointments).
    Any,
}

impl<'a> Checker<'a> {
    pub fn new(reference: &'a Reference, today: NaiveDate) -> Self {
        Checker {
            reference,
            today,
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, field: &str, code: FieldCode) {
        self.errors.push(FieldError::new(field, code));
    }

    /// Free text on one line: tidied, length- and character-checked.
    fn text(&mut self, field: &str, value: &str, max: usize, need: Need) -> String {
        self.checked(field, text::tidy(value), max, need, false)
    }

    /// Free text over several lines (notes): only trimmed, so the operator's line breaks stay.
    fn notes(&mut self, field: &str, value: &str, need: Need) -> String {
        self.checked(field, value.trim().to_string(), NOTES_MAX, need, true)
    }

    fn checked(
        &mut self,
        field: &str,
        value: String,
        max: usize,
        need: Need,
        multiline: bool,
    ) -> String {
        if let Some(code) = text_problem(&value, max, multiline) {
            self.errors
                .push(FieldError::new(field, code).with("max", max));
        } else if value.is_empty() && need == Required {
            self.fail(field, FieldCode::Required);
        }
        value
    }

    /// A name as in the passport (Latin script).
    fn name(&mut self, field: &str, value: &str, need: Need) -> String {
        let before = self.errors.len();
        let value = self.text(field, value, NAME_MAX, need);
        if self.errors.len() == before && !value.is_empty() && !text::valid_name(&value) {
            self.fail(field, FieldCode::NameLatin);
        }
        value
    }

    /// A code drawn from a fixed list.
    fn choice(&mut self, field: &str, value: &str, allowed: &[&str], need: Need) -> String {
        let value = value.trim();
        if value.is_empty() {
            if need == Required {
                self.fail(field, FieldCode::Required);
            }
        } else if !allowed.contains(&value) {
            self.fail(field, FieldCode::UnknownCode);
        }
        value.to_string()
    }

    fn date(&mut self, field: &str, value: &str, span: Span, need: Need) -> Option<NaiveDate> {
        let value = value.trim();
        if value.is_empty() {
            if need == Required {
                self.fail(field, FieldCode::Required);
            }
            return None;
        }
        let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") else {
            self.fail(field, FieldCode::DateInvalid);
            return None;
        };
        if date < EARLIEST {
            self.fail(field, FieldCode::DateBefore1900);
        } else if matches!(span, Span::Past) && date > self.today {
            self.fail(field, FieldCode::DateFuture);
        }
        Some(date)
    }

    fn country(&mut self, field: &str, value: &str, need: Need) -> String {
        let code = value.trim().to_ascii_uppercase();
        if code.is_empty() {
            if need == Required {
                self.fail(field, FieldCode::Required);
            }
        } else if self.reference.country(&code).is_none() {
            self.fail(field, FieldCode::UnknownCountry);
        }
        code
    }

    fn codice_fiscale(&mut self, field: &str, value: &str) -> String {
        if text_problem(value, SHORT_MAX, false).is_some() {
            self.fail(field, FieldCode::CodiceFiscaleFormat);
            return String::new();
        }
        let code = text::code_key(value);
        if value.trim().is_empty() {
            return code;
        }
        // Spaces are tolerated (codes are often read out in groups); any other character is a typo.
        if code.len() != value.chars().filter(|c| !c.is_whitespace()).count() {
            self.fail(field, FieldCode::CodiceFiscaleFormat);
            return code;
        }
        match codice_fiscale::check(&code) {
            Ok(()) => {}
            Err(codice_fiscale::Problem::Format) => {
                self.fail(field, FieldCode::CodiceFiscaleFormat)
            }
            Err(codice_fiscale::Problem::CheckCharacter) => {
                self.fail(field, FieldCode::CodiceFiscaleCheck)
            }
        }
        code
    }

    /// A document or permit number: letters and digits, upper-cased; spaces and dashes dropped.
    fn doc_number(&mut self, field: &str, value: &str, need: Need) -> String {
        let before = self.errors.len();
        let raw = self.text(field, value, SHORT_MAX, need);
        if self.errors.len() > before {
            return String::new();
        }
        if raw
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '/')))
        {
            self.fail(field, FieldCode::DocumentNumberFormat);
        }
        text::code_key(&raw)
    }

    fn motivo(&mut self, field: &str, value: &str, need: Need) -> String {
        let code = value.trim().to_string();
        if code.is_empty() {
            if need == Required {
                self.fail(field, FieldCode::Required);
            }
        } else if self.reference.motivo(&code).is_none() {
            self.fail(field, FieldCode::UnknownCode);
        }
        code
    }

    fn permit(&mut self, prefix: &str, permit: &Permit, need: Need) -> Permit {
        let need = if permit.is_empty() { need } else { Required };
        let motivo = self.motivo(&format!("{prefix}.motivoCode"), &permit.motivo_code, need);
        let number = self.doc_number(&format!("{prefix}.number"), &permit.number, Optional);
        let expiry = self.date(
            &format!("{prefix}.expiryDate"),
            &permit.expiry_date,
            Span::Any,
            need,
        );
        Permit {
            motivo_code: motivo,
            number,
            expiry_date: iso(expiry),
        }
    }

    pub fn finish<T>(self, value: T) -> Result<T> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(Error::Invalid(self.errors))
        }
    }
}

/// Why a text value is refused, if it is: too long, or a forbidden character.
fn text_problem(value: &str, max: usize, multiline: bool) -> Option<FieldCode> {
    if value.chars().count() > max {
        Some(FieldCode::TooLong)
    } else if value.chars().any(|c| text::forbidden_char(c, multiline)) {
        Some(FieldCode::ForbiddenCharacter)
    } else {
        None
    }
}

/// `value` has one of the `lengths` (in bytes) and every byte passes `ok`.
fn shaped(value: &str, lengths: &[usize], ok: fn(&u8) -> bool) -> bool {
    lengths.contains(&value.len()) && value.as_bytes().iter().all(ok)
}

fn iso(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Validates a whole case on `today`; returns it normalised.
pub fn case(data: &CaseData, reference: &Reference, today: NaiveDate) -> Result<CaseData> {
    let mut c = Checker::new(reference, today);
    let applicant = applicant(&mut c, &data.applicant);
    let household = data
        .household
        .iter()
        .enumerate()
        .map(|(i, m)| member(&mut c, &format!("household.{i}"), m))
        .collect();
    let procedure = c.choice(
        "request.procedure",
        &data.request.procedure,
        &PROCEDURES,
        Required,
    );
    let motivo_code = c.motivo("request.motivoCode", &data.request.motivo_code, Required);
    if let Some(m) = reference.motivo(&motivo_code) {
        if !m.valid_on(today) {
            c.fail("request.motivoCode", FieldCode::MotivoNotInForce);
        } else if !procedure.is_empty() && !m.allows(&procedure) {
            c.fail("request.motivoCode", FieldCode::MotivoProcedureMismatch);
        }
    }
    // Renewing or converting is about the permit held now: its motivo and expiry must be known.
    let permit_need = if matches!(procedure.as_str(), "rinnovo" | "conversione") {
        Required
    } else {
        Optional
    };
    let current_permit = c.permit("currentPermit", &data.current_permit, permit_need);
    let notes = c.notes("notes", &data.notes, Optional);
    let request = crate::model::Request {
        procedure,
        motivo_code,
    };
    c.finish(CaseData {
        applicant,
        household,
        current_permit,
        request,
        notes,
    })
}

fn applicant(c: &mut Checker, a: &Applicant) -> Applicant {
    let mut out = Applicant {
        surname: c.name("applicant.surname", &a.surname, Required),
        given_names: c.name("applicant.givenNames", &a.given_names, Optional),
        sex: c.choice("applicant.sex", &a.sex, &SEXES, Required),
        birth_date: iso(c.date("applicant.birthDate", &a.birth_date, Span::Past, Required)),
        birth_place: c.text("applicant.birthPlace", &a.birth_place, NAME_MAX, Optional),
        birth_country: c.country("applicant.birthCountry", &a.birth_country, Optional),
        citizenships: Vec::new(),
        codice_fiscale: c.codice_fiscale("applicant.codiceFiscale", &a.codice_fiscale),
        ..Applicant::default()
    };
    let listed: Vec<&String> = a
        .citizenships
        .iter()
        .filter(|s| !s.trim().is_empty())
        .collect();
    if listed.is_empty() {
        c.fail("applicant.citizenships", FieldCode::Required);
    }
    for (i, code) in listed.iter().enumerate() {
        let code = c.country(&format!("applicant.citizenships.{i}"), code, Required);
        if out.citizenships.contains(&code) {
            c.fail(&format!("applicant.citizenships.{i}"), FieldCode::Duplicate);
        }
        out.citizenships.push(code);
    }

    let d = &a.document;
    out.document.kind = c.choice(
        "applicant.document.kind",
        &d.kind,
        &DOCUMENT_KINDS,
        Optional,
    );
    out.document.number = c.doc_number("applicant.document.number", &d.number, Optional);
    out.document.authority = c.text(
        "applicant.document.authority",
        &d.authority,
        LINE_MAX,
        Optional,
    );
    let issued = c.date(
        "applicant.document.issueDate",
        &d.issue_date,
        Span::Past,
        Optional,
    );
    let expires = c.date(
        "applicant.document.expiryDate",
        &d.expiry_date,
        Span::Any,
        Optional,
    );
    if let (Some(issued), Some(expires)) = (issued, expires) {
        if expires <= issued {
            c.fail(
                "applicant.document.expiryDate",
                FieldCode::ExpiryBeforeIssue,
            );
        }
    }
    out.document.issue_date = iso(issued);
    out.document.expiry_date = iso(expires);

    out.phone = c.text("applicant.phone", &a.phone, SHORT_MAX + 10, Optional);
    if out
        .phone
        .chars()
        .any(|ch| !(ch.is_ascii_digit() || " +()-./".contains(ch)))
    {
        c.fail("applicant.phone", FieldCode::PhoneFormat);
    }
    out.email = c.text("applicant.email", &a.email, 254, Optional);
    if !out.email.is_empty() && !email_ok(&out.email) {
        c.fail("applicant.email", FieldCode::EmailFormat);
    }

    let addr = &a.address;
    out.address.street = c.text("applicant.address.street", &addr.street, LINE_MAX, Optional);
    out.address.house_number = c.text(
        "applicant.address.houseNumber",
        &addr.house_number,
        10,
        Optional,
    );
    out.address.postcode = c.text("applicant.address.postcode", &addr.postcode, 5, Optional);
    if !(out.address.postcode.is_empty()
        || shaped(&out.address.postcode, &[5], |b| b.is_ascii_digit()))
    {
        c.fail("applicant.address.postcode", FieldCode::PostcodeFormat);
    }
    out.address.comune = c.text("applicant.address.comune", &addr.comune, NAME_MAX, Optional);
    out.address.province = c
        .text("applicant.address.province", &addr.province, 2, Optional)
        .to_ascii_uppercase();
    if !(out.address.province.is_empty()
        || shaped(&out.address.province, &[2], |b| b.is_ascii_uppercase()))
    {
        c.fail("applicant.address.province", FieldCode::ProvinceFormat);
    }
    let codes: Vec<&str> = c
        .reference
        .languages
        .iter()
        .map(|l| l.code.as_str())
        .collect();
    out.language = c.choice("applicant.language", &a.language, &codes, Required);
    out
}

/// An address a mail server would accept: the `email_address` crate's RFC 5322 parse, plus a dot in
/// the domain, since a local address is always a typo at a public counter.
fn email_ok(email: &str) -> bool {
    email_address::EmailAddress::parse_with_options(
        email,
        email_address::Options::default().without_display_text(),
    )
    .is_ok_and(|e| e.domain().contains('.'))
}

fn member(c: &mut Checker, prefix: &str, m: &HouseholdMember) -> HouseholdMember {
    let f = |name: &str| format!("{prefix}.{name}");
    HouseholdMember {
        relation: c.choice(&f("relation"), &m.relation, &RELATIONS, Required),
        surname: c.name(&f("surname"), &m.surname, Required),
        given_names: c.name(&f("givenNames"), &m.given_names, Optional),
        sex: c.choice(&f("sex"), &m.sex, &SEXES, Required),
        birth_date: iso(c.date(&f("birthDate"), &m.birth_date, Span::Past, Required)),
        citizenship: c.country(&f("citizenship"), &m.citizenship, Optional),
        codice_fiscale: c.codice_fiscale(&f("codiceFiscale"), &m.codice_fiscale),
    }
}

/// Validates a step's own fields (its order against the case is checked by `steps`).
pub fn step(input: &StepInput, reference: &Reference, today: NaiveDate) -> Result<StepInput> {
    let mut c = Checker::new(reference, today);
    let mut out = StepInput {
        kind: input.kind.trim().to_string(),
        note: c.notes("step.note", &input.note, Optional),
        ..StepInput::default()
    };
    let date = c.date("step.date", &input.date, Span::Past, Required);
    out.date = iso(date);
    let d = &input.details;
    match out.kind.as_str() {
        "kit_sent" => {
            // The receipt prints it with a dash before the last digit; sources disagree on 10 or 12
            // digits (brief §1.6 [CONFLICT]), so both lengths are accepted.
            let raw = c.text(
                "step.details.assicurata",
                &d.assicurata,
                SHORT_MAX,
                Required,
            );
            let digits: String = raw.chars().filter(|ch| !matches!(ch, ' ' | '-')).collect();
            if !(raw.is_empty() || shaped(&digits, &[10, 12], |b| b.is_ascii_digit())) {
                c.fail("step.details.assicurata", FieldCode::AssicurataFormat);
            }
            out.details.assicurata = digits;
        }
        "questura_appointment" => {
            let day = c.date(
                "step.details.appointmentDate",
                &d.appointment_date,
                Span::Any,
                Required,
            );
            out.details.appointment_date = iso(day);
            let time = d.appointment_time.trim();
            if time.is_empty() {
                c.fail("step.details.appointmentTime", FieldCode::Required);
            } else if chrono::NaiveTime::parse_from_str(time, "%H:%M").is_err() {
                c.fail("step.details.appointmentTime", FieldCode::TimeInvalid);
            }
            out.details.appointment_time = time.to_string();
        }
        "referred" => {
            out.details.referred_to = c.text(
                "step.details.referredTo",
                &d.referred_to,
                LINE_MAX,
                Required,
            );
        }
        "collected" => {
            out.details.issued_permit =
                c.permit("step.details.issuedPermit", &d.issued_permit, Required);
        }
        _ => {}
    }
    c.finish(out)
}

/// Validates the reason of a correction.
pub fn correction_reason(reason: &str, reference: &Reference, today: NaiveDate) -> Result<String> {
    let mut c = Checker::new(reference, today);
    let reason = c.text("reason", reason, LINE_MAX * 4, Required);
    c.finish(reason)
}

/// The operator's name recorded on each step: required, so every step says who did it.
pub fn operator(name: &str, reference: &Reference, today: NaiveDate) -> Result<String> {
    let mut c = Checker::new(reference, today);
    let name = c.text("operator", name, NAME_MAX, Required);
    c.finish(name)
}

/// The applicant's consent to reminders: a day given (not in the future) whenever a channel is ticked,
/// a withdrawal not before it nor in the future, a language of the list or none (the applicant's own).
pub fn consent(
    input: &crate::register::agenda::Consent,
    reference: &Reference,
    today: NaiveDate,
) -> Result<crate::register::agenda::Consent> {
    let mut c = Checker::new(reference, today);
    let any = input.phone || input.sms || input.email || input.letter;
    let given = c.date(
        "consent.givenOn",
        &input.given_on,
        Span::Past,
        if any { Required } else { Optional },
    );
    let withdrawn = c.date(
        "consent.withdrawnOn",
        &input.withdrawn_on,
        Span::Past,
        Optional,
    );
    if let (Some(g), Some(w)) = (given, withdrawn) {
        if w < g {
            c.fail("consent.withdrawnOn", FieldCode::DateBeforePreviousStep);
        }
    }
    // A withdrawal needs the consent it withdraws (with a channel ticked that is already reported).
    if withdrawn.is_some() && given.is_none() && !any && input.given_on.trim().is_empty() {
        c.fail("consent.givenOn", FieldCode::Required);
    }
    let codes: Vec<&str> = c
        .reference
        .languages
        .iter()
        .map(|l| l.code.as_str())
        .collect();
    let language = c.choice("consent.language", &input.language, &codes, Optional);
    let out = crate::register::agenda::Consent {
        given_on: iso(given),
        withdrawn_on: iso(withdrawn),
        language,
        ..input.clone()
    };
    c.finish(out)
}

/// A contact to log: channel, outcome and agenda bucket from their lists, an optional one-paragraph note.
pub fn contact(
    input: &crate::register::agenda::ContactInput,
    reference: &Reference,
    today: NaiveDate,
) -> Result<crate::register::agenda::ContactInput> {
    use crate::register::agenda::{BUCKETS, CHANNELS, OUTCOMES};
    let mut c = Checker::new(reference, today);
    let out = crate::register::agenda::ContactInput {
        channel: c.choice("contact.channel", &input.channel, &CHANNELS, Required),
        outcome: c.choice("contact.outcome", &input.outcome, &OUTCOMES, Required),
        bucket: c.choice(
            "contact.bucket",
            &input.bucket,
            &[&BUCKETS[..], &[crate::register::referrals::BUCKET]].concat(),
            Optional,
        ),
        note: c.notes("contact.note", &input.note, Optional),
    };
    c.finish(out)
}

/// A desk contact: a kind and at least one service of the activity table, 1–480 minutes, a known
/// language; a walk-in (no case) also needs citizenship, sex and age band (a case's come from its
/// applicant, and a walk-in's given with a case are ignored).
pub fn desk_contact(
    input: &crate::register::activity::DeskContactInput,
    table: &crate::register::activity::Table,
    reference: &Reference,
    today: NaiveDate,
) -> Result<crate::register::activity::DeskContactInput> {
    use crate::register::activity::{DeskContactInput, WalkIn};
    let mut c = Checker::new(reference, today);
    let kind = c.choice("desk.kind", &input.kind, &table.kind_codes(), Required);
    let codes = table.service_codes();
    let mut services: Vec<String> = Vec::new();
    for s in &input.services {
        let s = c.choice("desk.services", s, &codes, Required);
        if !services.contains(&s) {
            services.push(s);
        }
    }
    if input.services.is_empty() {
        c.fail("desk.services", FieldCode::Required);
    }
    let languages: Vec<&str> = reference
        .languages
        .iter()
        .map(|l| l.code.as_str())
        .collect();
    let language = c.choice("desk.language", &input.language, &languages, Optional);
    if !(1..=480).contains(&input.minutes) {
        c.errors.push(
            FieldError::new("desk.minutes", FieldCode::OutOfRange)
                .with("min", 1)
                .with("max", 480),
        );
    }
    let walk_in = if input.case_id.is_none() {
        WalkIn {
            citizenship: c.country("desk.citizenship", &input.walk_in.citizenship, Required),
            sex: c.choice("desk.sex", &input.walk_in.sex, &SEXES, Required),
            age_band: c.choice(
                "desk.ageBand",
                &input.walk_in.age_band,
                &table.band_codes(),
                Required,
            ),
        }
    } else {
        WalkIn::default()
    };
    c.finish(DeskContactInput {
        kind,
        case_id: input.case_id,
        walk_in,
        services,
        language,
        mediator: input.mediator,
        minutes: input.minutes,
    })
}

/// Staff time: a day not in the future, a staff kind of the activity table, 1–720 minutes.
pub fn staff_time(
    input: &crate::register::activity::StaffTimeInput,
    table: &crate::register::activity::Table,
    reference: &Reference,
    today: NaiveDate,
) -> Result<crate::register::activity::StaffTimeInput> {
    let mut c = Checker::new(reference, today);
    let day = c.date("staff.day", &input.day, Span::Past, Required);
    let kind = c.choice("staff.kind", &input.kind, &table.staff_codes(), Required);
    if !(1..=720).contains(&input.minutes) {
        c.errors.push(
            FieldError::new("staff.minutes", FieldCode::OutOfRange)
                .with("min", 1)
                .with("max", 720),
        );
    }
    c.finish(crate::register::activity::StaffTimeInput {
        day: iso(day),
        kind,
        minutes: input.minutes,
    })
}

/// A satisfaction answer: a code of the activity table.
pub fn satisfaction(
    answer: &str,
    table: &crate::register::activity::Table,
    reference: &Reference,
    today: NaiveDate,
) -> Result<String> {
    let mut c = Checker::new(reference, today);
    let answer = c.choice(
        "satisfaction.answer",
        answer,
        &table.answer_codes(),
        Required,
    );
    c.finish(answer)
}

/// Whether `url` looks like a web address: `http(s)://host.tld…` without spaces.
fn url_ok(url: &str) -> bool {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .is_some_and(|host| host.contains('.') && !host.starts_with('.'))
        && !url.chars().any(char::is_whitespace)
}

/// A partner of the directory: a name and at least one known need, known languages, a phone and an
/// e-mail of the usual shapes, a source that is a web address read on a day (`YYYY`, `YYYY-MM` or
/// `YYYY-MM-DD`, not in the future), texts of bounded length; `prefix` is `partner` (the form) or
/// `partner.<n>` (the n-th partner of a file). A partner without a source is always flagged to verify.
pub fn partner(
    input: &crate::register::partners::PartnerInput,
    needs: &[&str],
    prefix: &str,
    reference: &Reference,
    today: NaiveDate,
) -> Result<crate::register::partners::PartnerInput> {
    let mut c = Checker::new(reference, today);
    let f = |name: &str| format!("{prefix}.{name}");
    let uid = input.uid.trim().to_string();
    if !uid.is_empty() && !crate::register::partners::uid_ok(&uid) {
        c.fail(&f("uid"), FieldCode::PartnerIdFormat);
    }
    let name = c.text(&f("name"), &input.name, LINE_MAX, Required);
    let mut list = |field: &str, values: &[String], allowed: &[&str], need: Need| {
        let mut out: Vec<String> = Vec::new();
        for v in values {
            let v = c.choice(&f(field), v, allowed, Required);
            if !v.is_empty() && !out.contains(&v) {
                out.push(v);
            }
        }
        if need == Required && values.is_empty() {
            c.fail(&f(field), FieldCode::Required);
        }
        out
    };
    let needs = list("needs", &input.needs, needs, Required);
    let codes: Vec<&str> = reference
        .languages
        .iter()
        .map(|l| l.code.as_str())
        .collect();
    let languages = list("languages", &input.languages, &codes, Optional);
    let address = c.text(&f("address"), &input.address, LINE_MAX * 2, Optional);
    let hours = c.text(&f("hours"), &input.hours, LINE_MAX * 2, Optional);
    let phone = c.text(&f("phone"), &input.phone, SHORT_MAX * 2, Optional);
    if phone
        .chars()
        .any(|ch| !(ch.is_ascii_digit() || " +()-./".contains(ch)))
    {
        c.fail(&f("phone"), FieldCode::PhoneFormat);
    }
    let email = c.text(&f("email"), &input.email, 254, Optional);
    if !email.is_empty() && !email_ok(&email) {
        c.fail(&f("email"), FieldCode::EmailFormat);
    }
    let bring = c.text(&f("bring"), &input.bring, LINE_MAX * 4, Optional);
    let booking = c.text(&f("booking"), &input.booking, LINE_MAX * 4, Optional);
    let directions = c.text(&f("directions"), &input.directions, LINE_MAX * 4, Optional);
    let notes = c.notes(&f("notes"), &input.notes, Optional);
    let source = c.text(&f("source"), &input.source, 500, Optional);
    if !source.is_empty() && !url_ok(&source) {
        c.fail(&f("source"), FieldCode::UrlFormat);
    }
    let read_on = input.read_on.trim().to_string();
    match crate::reference::data::ReadOn::parse(&read_on) {
        None if !read_on.is_empty() => c.fail(&f("readOn"), FieldCode::DateInvalid),
        Some(r)
            if r > crate::reference::data::ReadOn {
                year: chrono::Datelike::year(&today),
                month: Some(chrono::Datelike::month(&today)),
                day: Some(chrono::Datelike::day(&today)),
            } =>
        {
            c.fail(&f("readOn"), FieldCode::DateFuture)
        }
        _ => {}
    }
    c.finish(crate::register::partners::PartnerInput {
        uid,
        name,
        needs,
        address,
        hours,
        phone,
        email,
        languages,
        bring,
        booking,
        directions,
        notes,
        verify: input.verify || source.is_empty(),
        source,
        read_on,
    })
}

/// A referral: a known need, a partner chosen, a reason in a few lines (required with consent: the
/// partner reads it; without consent the slip prints the need instead), the slip's language.
pub fn referral(
    input: &crate::register::referrals::ReferralInput,
    needs: &[&str],
    reference: &Reference,
    today: NaiveDate,
) -> Result<crate::register::referrals::ReferralInput> {
    let mut c = Checker::new(reference, today);
    let need = c.choice("referral.need", &input.need, needs, Required);
    if input.partner_id <= 0 {
        c.fail("referral.partner", FieldCode::Required);
    }
    let reason = c.notes("referral.reason", &input.reason, Required);
    let codes: Vec<&str> = reference
        .languages
        .iter()
        .map(|l| l.code.as_str())
        .collect();
    let language = c.choice("referral.language", &input.language, &codes, Required);
    c.finish(crate::register::referrals::ReferralInput {
        case_id: input.case_id,
        need,
        partner_id: input.partner_id,
        reason,
        consent: input.consent,
        language,
    })
}

/// A follow-up step's day: a date, not in the future.
pub fn referral_date(date: &str, reference: &Reference, today: NaiveDate) -> Result<String> {
    let mut c = Checker::new(reference, today);
    let day = c.date("referral.date", date, Span::Past, Required);
    c.finish(iso(day))
}
