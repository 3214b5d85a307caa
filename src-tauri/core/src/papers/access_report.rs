//! The applicant's rights on paper, and the papers' side of forgetting.
//!
//! - **The access report** (GDPR art. 15): everything the register holds on the applicant in one case,
//!   printed for them: the case, every field of the applicant and of each household member with its
//!   label, the permits, the notes, the consent to reminders and the contact log, the desk contacts, the whole history (step kinds translated, details, notes, voided
//!   entries), the papers kept, the audit trail's entries about the case (day, action, operator), and
//!   each purpose's retention period with the day it ends for this case.
//! - **The deletion receipt** of an anonymised case: what was removed and what was kept (as categories,
//!   never a removed value), when, by whom, the case number and the legal basis.
//! - **The papers of an anonymised case**: `anonymise`, `erasure_request` and `apply_retention` run the
//!   register's use case and then remove the case's print folder (`print/<uuid>/`, each file overwritten
//!   before it is unlinked), which the register may not touch; `remove_anonymised_papers` sweeps what a
//!   crash between the commit and the removal left. The shell calls these, not the `Register` methods.
//!
//! **Languages.** Italian is always printed, and the applicant's language (any of `languages.toml`)
//! beside it: every label (`Cognome / Surname`, `Cognome / 姓`), sentence and line. The texts are the
//! `papers` locale area of the content in force (`papers::wording`, `locales/papers/<lang>.yml`:
//! `fields.*`, `labels.*`, `audit.action.*`, `retention.*`, whose Italian and English are the operator
//! texts of `locales/core`), and the checklist translations for what the checklist and the receipt
//! already say (the step kinds, `receipt.step.*`, and the statement of rights, `privacy.rights`), so
//! that the papers an applicant holds use the same words. Under the title, the preface explains the Italian
//! office names in the applicant's language and, while no native speaker has reviewed these texts
//! (`assets/reference/translations.toml`), says so in Italian and in that language.
//!
//! Neither paper is filed: both are returned as PDF bytes for the printer (like the recovery sheet). A
//! copy of everything held on a person does not belong in the print folder (it would be exported with
//! the case, and outlive an anonymisation), and a receipt belongs to a case that no longer has papers.
//! Printing each is recorded in the audit trail. This module must not decide what is kept or removed
//! (`register::retention` does) nor print a removed value on the receipt.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::clock::Clock;
use crate::error::{ConflictCode, Error, FieldCode, FieldError, Result};
use crate::exchange::archive::canonical_uuid;
use crate::model::{CaseView, Permit};
use crate::papers::checklist::params;
use crate::papers::folder::{self, PRINT_DIR};
use crate::papers::print::{Document, FontLibrary, Lang, PageSetup, Style};
use crate::papers::wording::{Preface, Texts};
use crate::reference::content::Texts as ChecklistTexts;
use crate::reference::text::italian_date;
use crate::register::audit::{self, Action, Detail, Filter};
use crate::register::operators::Actor;
use crate::register::retention::{
    self, Anonymised, CaseRetention, Erasure, Policy, RunReport, KEPT, REMOVED_CATEGORIES,
};
use crate::register::search::MAX_PAGE;
use crate::register::store::shred;
use crate::register::{entry, Register};

/// What an empty field prints as: every field is listed, held or not.
const EMPTY: &str = "—";

/// The languages a paper speaks: Italian, and the applicant's language beside it when that is not
/// Italian (see the module doc).
struct Voice {
    /// The checklist texts of the content in force (step kinds, the statement of rights).
    checklist: ChecklistTexts,
    it: Texts,
    other: Option<(Texts, Lang)>,
    preface: Preface,
}

fn none() -> BTreeMap<String, String> {
    BTreeMap::new()
}

impl Voice {
    /// The voice for an applicant's `language` (a code of `languages.toml`); any other is refused on
    /// the `language` field.
    fn new(register: &Register, language: &str) -> Result<Voice> {
        let known = register.reference().language(language).ok_or_else(|| {
            Error::Invalid(vec![FieldError::new("language", FieldCode::UnknownCode)])
        })?;
        let other = (known.code != "it")
            .then(|| {
                Ok::<_, Error>((
                    Texts::of(register.paper_texts(), &known.code)?,
                    Lang::try_from(known)?,
                ))
            })
            .transpose()?;
        Ok(Voice {
            checklist: register.texts().clone(),
            it: Texts::of(register.paper_texts(), "it")?,
            preface: Preface::new(
                register.reference(),
                register.paper_texts(),
                &known.code,
                &AREAS,
                None,
            )?,
            other,
        })
    }

    /// `key` in Italian, and ` / ` the applicant's language beside it when that says something else
    /// (`Codice fiscale` may be the same in both): a label.
    fn label(&self, key: &str) -> Result<String> {
        let italian = self.it.get(key, &none())?;
        Ok(match &self.other {
            Some((t, _)) => match t.get(key, &none())? {
                own if own == italian => italian,
                own => format!("{italian} / {own}"),
            },
            None => italian,
        })
    }

    /// Prints what `make` writes in Italian and, beside it, in the applicant's language.
    fn print(
        &self,
        doc: &mut Document,
        style: Style,
        make: impl Fn(&Texts) -> Result<String>,
    ) -> Result<()> {
        let italian = make(&self.it)?;
        match &self.other {
            Some((t, lang)) => doc.parallel(&italian, Some((&make(t)?, lang)), style)?,
            None => doc.paragraph(&italian, &Lang::italian(), style)?,
        }
        Ok(())
    }

    /// `key` as a paragraph in Italian, with the applicant's language beside it.
    fn say(
        &self,
        doc: &mut Document,
        key: &str,
        values: &BTreeMap<String, String>,
        style: Style,
    ) -> Result<()> {
        self.print(doc, style, |t| t.get(key, values))
    }

    /// A checklist text (`checklist.<key>`, the same words the checklist and the receipt print) in
    /// Italian with the applicant's language beside it.
    fn checklist(
        &self,
        doc: &mut Document,
        key: &str,
        values: &BTreeMap<String, String>,
        style: Style,
    ) -> Result<()> {
        self.print(doc, style, |t| {
            Ok(self.checklist.text(key, &t.code, values))
        })
    }

    /// The preface (the mark of an unreviewed translation, the glossary) in the applicant's language.
    fn preface(&self, doc: &mut Document) -> Result<()> {
        if let Some((_, lang)) = &self.other {
            self.preface.print(doc, lang)?;
        }
        Ok(())
    }
}

/// The locale areas these papers print from: their own, and the checklist's (step kinds, rights).
const AREAS: [&str; 2] = ["papers", "checklist"];

/// An A4 document (`page`) headed, on every page, with the Comune, the case number and the day.
fn document<'f>(
    register: &Register,
    fonts: &'f FontLibrary,
    page: PageSetup,
    number: &str,
    today: NaiveDate,
) -> Result<Document<'f>> {
    let text = |key: &str, lang: &str, values: &BTreeMap<String, String>| {
        register.texts().text(key, lang, values)
    };
    let setup = page
        .footed(register.content().stamp.footer())
        .headed(format!(
            "{} · {} · {}",
            text("layout.comune", "it", &none()),
            text(
                "layout.case_number",
                "it",
                &params([("number", number.to_string())])
            ),
            text(
                "layout.date",
                "it",
                &params([("date", today.format("%d/%m/%Y").to_string())])
            )
        ));
    Ok(Document::new(fonts, setup)?)
}

/// The title in Italian and, under it, in the applicant's language; then the preface.
fn title(voice: &Voice, doc: &mut Document, key: &str) -> Result<()> {
    doc.paragraph(
        &voice.it.get(key, &none())?,
        &Lang::italian(),
        Style::title().size(14.0),
    )?;
    if let Some((t, lang)) = &voice.other {
        doc.paragraph(&t.get(key, &none())?, lang, Style::title().size(12.0))?;
    }
    voice.preface(doc)
}

fn heading(voice: &Voice, doc: &mut Document, key: &str) -> Result<()> {
    doc.space(3.0);
    doc.paragraph(
        &voice.label(key)?,
        &Lang::italian(),
        Style::body().bold().size(11.0),
    )?;
    doc.rule();
    Ok(())
}

/// `YYYY-MM-DD…` (a date, or the date of an RFC 3339 moment) the Italian way; a month or a year (an
/// anonymised date) and anything else as stored.
fn day(value: &str) -> String {
    italian_date(value.get(..10).unwrap_or(value))
}

/// The right-of-access report of case `case_id` (see the module doc) as an A4 PDF, in Italian and
/// beside it English or the applicant's `language` (a code of `languages.toml`; any other is `invalid`
/// on `language`). A value no shipped font can draw is `invalid` (`missing_glyphs`). Read only: the
/// shell prints with `access_report`, which records it.
pub fn render_access_report(
    register: &Register,
    fonts: &FontLibrary,
    case_id: i64,
    language: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let voice = Voice::new(register, language)?;
    let case = register.get(case_id, today)?;
    let retention = register.case_retention(case_id, today)?;
    let policy = register.retention_policy()?;
    let mut doc = document(register, fonts, PageSetup::a4(), &case.number, today)?;
    Report {
        register,
        voice: &voice,
        case: &case,
    }
    .write(&mut doc, &retention, &policy, today)?;
    Ok(doc.render()?)
}

/// Prints the right-of-access report (see `render_access_report`) and records it in the audit trail
/// (`access_report_printed`) by `by`. Any operator may: the applicant asks at the counter.
pub fn access_report(
    register: &mut Register,
    fonts: &FontLibrary,
    by: &Actor,
    case_id: i64,
    language: &str,
    at: &Clock,
) -> Result<Vec<u8>> {
    let pdf = render_access_report(register, fonts, case_id, language, at.today)?;
    register.record(entry(by, Action::AccessReportPrinted), Some(case_id), at)?;
    Ok(pdf)
}

struct Report<'a> {
    register: &'a Register,
    voice: &'a Voice,
    case: &'a CaseView,
}

impl Report<'_> {
    fn body() -> Style {
        Style::body().size(9.5)
    }

    /// `label: value` (an empty value as a dash).
    fn field(&self, doc: &mut Document, key: &str, value: &str) -> Result<()> {
        let value = if value.trim().is_empty() {
            EMPTY
        } else {
            value
        };
        doc.paragraph(
            &format!("{}: {value}", self.voice.label(key)?),
            &Lang::italian(),
            Self::body(),
        )?;
        Ok(())
    }

    /// A code by its label `labels.<group>.<code>` (Italian / English), or as stored when it has none.
    fn coded(&self, group: &str, code: &str) -> String {
        if code.is_empty() {
            return String::new();
        }
        self.voice
            .label(&format!("labels.{group}.{code}"))
            .unwrap_or_else(|_| code.to_string())
    }

    fn country(&self, code: &str) -> String {
        match self.register.reference().country(code) {
            Some(c) => format!("{code} — {}", c.name_it),
            None => code.to_string(),
        }
    }

    fn motivo(&self, code: &str) -> String {
        match self.register.reference().motivo(code) {
            Some(m) => format!("{code} — {}", m.label_it),
            None => code.to_string(),
        }
    }

    fn permit(&self, doc: &mut Document, prefix: &str, permit: &Permit) -> Result<()> {
        self.field(
            doc,
            &format!("{prefix}.motivoCode"),
            &self.motivo(&permit.motivo_code),
        )?;
        self.field(doc, &format!("{prefix}.number"), &permit.number)?;
        self.field(
            doc,
            &format!("{prefix}.expiryDate"),
            &day(&permit.expiry_date),
        )
    }

    fn write(
        &self,
        doc: &mut Document,
        retention: &CaseRetention,
        policy: &Policy,
        today: NaiveDate,
    ) -> Result<()> {
        let (v, case) = (self.voice, self.case);
        let body = Self::body();
        title(v, doc, "retention.report.title")?;
        doc.space(2.0);
        v.say(
            doc,
            "retention.report.intro",
            &params([
                ("number", case.number.clone()),
                ("date", today.format("%d/%m/%Y").to_string()),
            ]),
            body,
        )?;
        doc.space(1.5);
        if let Some(at) = &retention.anonymised_at {
            v.say(
                doc,
                "retention.report.anonymised",
                &params([("date", day(at))]),
                body.bold(),
            )?;
        }
        if let Some(at) = &retention.restricted_at {
            let reason = |t: &Texts| {
                retention
                    .restriction
                    .map(|r| t.get(&format!("retention.reason.{r}"), &none()))
                    .transpose()
                    .map(Option::unwrap_or_default)
            };
            let values = |t: &Texts| -> Result<BTreeMap<String, String>> {
                Ok(params([("date", day(at)), ("reason", reason(t)?)]))
            };
            v.print(doc, body.bold(), |t| {
                t.get("retention.report.restricted", &values(t)?)
            })?;
        }

        heading(v, doc, "retention.report.case")?;
        self.field(doc, "retention.report.case", &case.number)?;
        self.field(
            doc,
            "retention.report.status",
            &self.coded("step", &case.status),
        )?;
        self.field(doc, "retention.report.opened", &day(&case.created_at))?;
        if let Some(from) = &case.renewed_from {
            self.field(doc, "retention.report.renewed_from", &from.number)?;
        }
        let request = &case.data.request;
        self.field(
            doc,
            "fields.request.procedure",
            &self.coded("procedure", &request.procedure),
        )?;
        self.field(
            doc,
            "fields.request.motivoCode",
            &self.motivo(&request.motivo_code),
        )?;

        heading(v, doc, "retention.report.applicant")?;
        let a = &case.data.applicant;
        let language = self.register.reference().language(&a.language).map_or_else(
            || a.language.clone(),
            |l| format!("{} — {}", l.code, l.name_it),
        );
        let citizenships: Vec<String> = a.citizenships.iter().map(|c| self.country(c)).collect();
        let (d, addr) = (&a.document, &a.address);
        for (key, value) in [
            ("applicant.surname", a.surname.clone()),
            ("applicant.givenNames", a.given_names.clone()),
            ("applicant.sex", self.coded("sex", &a.sex)),
            ("applicant.birthDate", day(&a.birth_date)),
            ("applicant.birthPlace", a.birth_place.clone()),
            ("applicant.birthCountry", self.country(&a.birth_country)),
            ("applicant.citizenships", citizenships.join(", ")),
            ("applicant.codiceFiscale", a.codice_fiscale.clone()),
            (
                "applicant.document.kind",
                self.coded("document_kind", &d.kind),
            ),
            ("applicant.document.number", d.number.clone()),
            ("applicant.document.authority", d.authority.clone()),
            ("applicant.document.issueDate", day(&d.issue_date)),
            ("applicant.document.expiryDate", day(&d.expiry_date)),
            ("applicant.phone", a.phone.clone()),
            ("applicant.email", a.email.clone()),
            ("applicant.address.street", addr.street.clone()),
            ("applicant.address.houseNumber", addr.house_number.clone()),
            ("applicant.address.postcode", addr.postcode.clone()),
            ("applicant.address.comune", addr.comune.clone()),
            ("applicant.address.province", addr.province.clone()),
            ("applicant.language", language),
        ] {
            self.field(doc, &format!("fields.{key}"), &value)?;
        }

        heading(v, doc, "retention.report.household")?;
        if case.data.household.is_empty() {
            v.say(doc, "retention.report.none", &none(), body)?;
        }
        for (i, m) in case.data.household.iter().enumerate() {
            doc.space(1.0);
            v.say(
                doc,
                "retention.report.member",
                &params([("n", (i + 1).to_string())]),
                body.bold(),
            )?;
            for (key, value) in [
                ("household.relation", self.coded("relation", &m.relation)),
                ("household.surname", m.surname.clone()),
                ("household.givenNames", m.given_names.clone()),
                ("household.sex", self.coded("sex", &m.sex)),
                ("household.birthDate", day(&m.birth_date)),
                ("household.citizenship", self.country(&m.citizenship)),
                ("household.codiceFiscale", m.codice_fiscale.clone()),
            ] {
                self.field(doc, &format!("fields.{key}"), &value)?;
            }
        }

        heading(v, doc, "retention.report.permit")?;
        self.permit(doc, "fields.currentPermit", &case.data.current_permit)?;
        if let Some(issued) = &case.issued_permit {
            self.permit(doc, "fields.step.details.issuedPermit", issued)?;
        }
        self.field(doc, "fields.notes", &case.data.notes)?;
        self.contacts(doc)?;

        self.steps(doc)?;
        self.papers(doc)?;
        self.audit(doc)?;

        heading(v, doc, "retention.report.retention")?;
        for period in &retention.periods {
            let p = policy.period(period.purpose);
            let line = |t: &Texts| -> Result<String> {
                let (purpose, span) =
                    t.retention_period(period.purpose, p.anchor, period.months)?;
                let end = match period.kept_until {
                    Some(date) => t.get(
                        "retention.report.kept_until",
                        &params([("date", date.format("%d/%m/%Y").to_string())]),
                    )?,
                    None => t.get("retention.report.kept_unknown", &none())?,
                };
                let mut line = format!("{purpose}: {span}; {end}. {}.", p.basis);
                if period.verify {
                    line.push_str(&format!(
                        " ({})",
                        t.get("retention.report.verify", &none())?
                    ));
                }
                Ok(line)
            };
            v.print(doc, body, line)?;
            doc.space(1.0);
        }
        doc.space(3.0);
        v.checklist(doc, "privacy.rights", &none(), body)?;
        Ok(())
    }

    fn steps(&self, doc: &mut Document) -> Result<()> {
        let (v, body) = (self.voice, Self::body());
        heading(v, doc, "retention.report.steps")?;
        for step in &self.case.steps {
            doc.space(1.0);
            let when = day(&step.date);
            if step.kind == "correction" {
                let label = v.label("labels.step.correction")?;
                doc.paragraph(&format!("{when} — {label}"), &Lang::italian(), body.bold())?;
            } else {
                let key = format!("receipt.step.{}", step.kind);
                v.print(doc, body.bold(), |t| {
                    Ok(format!(
                        "{when} — {}",
                        v.checklist.text(&key, &t.code, &none())
                    ))
                })?;
            }
            v.say(
                doc,
                "retention.report.recorded",
                &params([
                    ("date", day(&step.recorded_at)),
                    ("operator", step.operator.clone()),
                ]),
                body,
            )?;
            let d = &step.details;
            for (key, value) in [
                ("step.details.assicurata", d.assicurata.clone()),
                ("step.details.appointmentDate", day(&d.appointment_date)),
                ("step.details.appointmentTime", d.appointment_time.clone()),
                ("step.details.referredTo", d.referred_to.clone()),
                (
                    "step.details.issuedPermit.motivoCode",
                    self.motivo(&d.issued_permit.motivo_code),
                ),
                (
                    "step.details.issuedPermit.number",
                    d.issued_permit.number.clone(),
                ),
                (
                    "step.details.issuedPermit.expiryDate",
                    day(&d.issued_permit.expiry_date),
                ),
                ("step.note", step.note.clone()),
            ] {
                // A step shows what it holds; the kinds that hold nothing there leave it out.
                if !value.trim().is_empty() {
                    self.field(doc, &format!("fields.{key}"), &value)?;
                }
            }
            if step.voided {
                v.say(doc, "retention.report.voided", &none(), body)?;
            }
        }
        Ok(())
    }

    /// The consent to reminders and the contact log (the agenda's, migration 008). Channels and outcomes
    /// print as their codes: their words exist only in the operator languages so far.
    fn contacts(&self, doc: &mut Document) -> Result<()> {
        let id = self.case.id;
        let consent = self.register.consent(id)?.unwrap_or_default();
        let channels: Vec<String> = [
            ("phone", consent.phone),
            ("sms", consent.sms),
            ("email", consent.email),
            ("letter", consent.letter),
        ]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(c, _)| c.to_string())
        .collect();
        self.field(doc, "fields.consent.channels", &channels.join(", "))?;
        self.field(doc, "fields.consent.givenOn", &day(&consent.given_on))?;
        self.field(
            doc,
            "fields.consent.withdrawnOn",
            &day(&consent.withdrawn_on),
        )?;
        let log = self.register.contacts(id)?;
        if log.is_empty() {
            self.field(doc, "fields.contact.log", "")?;
        }
        for k in log.iter().rev() {
            let line = [
                day(&k.day),
                k.channel.clone(),
                k.outcome.clone(),
                k.note.clone(),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            self.field(doc, "fields.contact.log", &line)?;
        }
        self.desk_contacts(doc)
    }

    /// The case's desk contacts (migration 009: the funder's statistics, but personal data while the
    /// case is linked): day, kind, services, minutes and operator, oldest first. Kinds and services
    /// print in Italian, the words the desk records them with (`activity.toml` has Italian and English).
    fn desk_contacts(&self, doc: &mut Document) -> Result<()> {
        let table = self.register.activity();
        let names = self.register.operator_names()?;
        let label = |list: &[crate::register::activity::Coded], code: &str| {
            list.iter()
                .find(|c| c.code == code)
                .map_or(code.to_string(), |c| c.label_it.clone())
        };
        let services: Vec<crate::register::activity::Coded> =
            table.services.iter().map(|s| s.coded.clone()).collect();
        let contacts = self.register.desk_contacts(self.case.id)?;
        if contacts.is_empty() {
            self.field(doc, "fields.deskContact.log", "")?;
        }
        for c in contacts.iter().rev() {
            let line = [
                day(&c.day),
                label(&table.kinds, &c.kind),
                c.services
                    .iter()
                    .map(|s| label(&services, s))
                    .collect::<Vec<_>>()
                    .join(", "),
                format!("{} min", c.minutes),
                names.get(&c.operator_id).cloned().unwrap_or_default(),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            self.field(doc, "fields.deskContact.log", &line)?;
        }
        Ok(())
    }

    fn papers(&self, doc: &mut Document) -> Result<()> {
        let (v, body) = (self.voice, Self::body());
        heading(v, doc, "retention.report.papers")?;
        let papers = folder::of_case(self.register, self.case.id)?;
        if papers.is_empty() {
            v.say(doc, "retention.report.none", &none(), body)?;
        }
        for paper in papers {
            v.say(
                doc,
                "retention.report.paper_line",
                &params([
                    ("name", paper.name),
                    ("kind", paper.kind),
                    ("date", day(&paper.filed_at)),
                ]),
                body,
            )?;
        }
        Ok(())
    }

    /// The audit trail's entries about the case, oldest first.
    fn audit(&self, doc: &mut Document) -> Result<()> {
        let (v, body) = (self.voice, Self::body());
        heading(v, doc, "retention.report.audit")?;
        let filter = Filter {
            case_uuid: Some(self.case.uuid.clone()),
            ..Filter::default()
        };
        let conn = self.register.store().conn();
        let mut lines = Vec::new();
        loop {
            let page = audit::list(conn, &filter, lines.len(), MAX_PAGE)?;
            lines.extend(page.items);
            if !page.has_more {
                break;
            }
        }
        lines.reverse();
        for line in lines {
            let action = |t: &Texts| {
                t.get(&format!("audit.action.{}", line.action), &none())
                    .unwrap_or_else(|_| line.action.clone())
            };
            let values = |t: &Texts| {
                params([
                    ("date", day(&line.day)),
                    ("action", action(t)),
                    ("operator", line.operator.clone()),
                ])
            };
            v.print(doc, body, |t| {
                t.get("retention.report.audit_line", &values(t))
            })?;
        }
        Ok(())
    }
}

/// The deletion receipt of anonymised case `case_id` (see the module doc) as an A4 PDF, in Italian and
/// beside it English or the applicant's `language` (the language the case had: `Anonymised::language`).
/// `case_not_anonymised` for a case that still holds personal data. Read only: the shell prints with
/// `deletion_receipt`, which records it.
pub fn render_deletion_receipt(
    register: &Register,
    fonts: &FontLibrary,
    case_id: i64,
    language: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let voice = Voice::new(register, language)?;
    let case = register.get(case_id, today)?;
    let retention = register.case_retention(case_id, today)?;
    if retention.anonymised_at.is_none() {
        return Err(Error::Conflict(ConflictCode::CaseNotAnonymised));
    }
    let filter = Filter {
        case_uuid: Some(case.uuid.clone()),
        action: Some(Action::CaseAnonymised),
        ..Filter::default()
    };
    let done = audit::list(register.store().conn(), &filter, 0, 1)?
        .items
        .into_iter()
        .next();
    let (when, operator, papers) = match &done {
        Some(line) => (
            day(&line.day),
            line.operator.clone(),
            serde_json::from_str::<Detail>(&line.detail)
                .ok()
                .and_then(|d| d.count)
                .unwrap_or(0),
        ),
        None => (
            day(retention.anonymised_at.as_deref().unwrap_or_default()),
            String::new(),
            0,
        ),
    };
    let policy = register.retention_policy()?;
    let v = &voice;
    let body = Style::body().size(10.0);
    // Tight margins: the receipt, with English beside the Italian, fits one page.
    let mut doc = document(register, fonts, PageSetup::a4_tight(), &case.number, today)?;
    title(v, &mut doc, "retention.receipt.title")?;
    doc.space(1.5);
    v.say(
        &mut doc,
        "retention.receipt.done",
        &params([
            ("number", case.number.clone()),
            ("date", when),
            ("operator", operator),
        ]),
        body,
    )?;
    heading(v, &mut doc, "retention.receipt.removed")?;
    for code in REMOVED_CATEGORIES {
        doc.paragraph(
            &format!("• {}", v.label(&format!("retention.removed.{code}"))?),
            &Lang::italian(),
            body,
        )?;
    }
    doc.space(1.0);
    v.say(
        &mut doc,
        "retention.receipt.papers",
        &params([("count", papers.to_string())]),
        body,
    )?;
    heading(v, &mut doc, "retention.receipt.kept")?;
    for code in KEPT {
        doc.paragraph(
            &format!("• {}", v.label(&format!("retention.kept.{code}"))?),
            &Lang::italian(),
            body,
        )?;
    }
    heading(v, &mut doc, "retention.receipt.basis")?;
    v.say(&mut doc, "retention.receipt.gdpr", &none(), body)?;
    doc.space(1.0);
    v.say(
        &mut doc,
        "retention.receipt.statistics",
        &params([(
            "basis",
            policy.period(retention::Purpose::Case).basis.clone(),
        )]),
        body,
    )?;
    doc.space(3.0);
    v.say(&mut doc, "retention.receipt.no_data", &none(), body.bold())?;
    doc.space(2.0);
    v.checklist(&mut doc, "privacy.rights", &none(), Style::body().size(9.0))?;
    doc.space(8.0);
    doc.paragraph(
        &v.label("retention.receipt.signature")?,
        &Lang::italian(),
        body,
    )?;
    doc.space(8.0);
    doc.paragraph(&"_".repeat(48), &Lang::italian(), body)?;
    Ok(doc.render()?)
}

/// Prints the deletion receipt (see `render_deletion_receipt`) and records it in the audit trail
/// (`paper_printed`, paper `deletion_receipt`) by `by`.
pub fn deletion_receipt(
    register: &mut Register,
    fonts: &FontLibrary,
    by: &Actor,
    case_id: i64,
    language: &str,
    at: &Clock,
) -> Result<Vec<u8>> {
    let pdf = render_deletion_receipt(register, fonts, case_id, language, at.today)?;
    let detail = Detail {
        paper: Some("deletion_receipt".into()),
        ..Detail::default()
    };
    register.record(
        entry(by, Action::PaperPrinted).with(detail),
        Some(case_id),
        at,
    )?;
    Ok(pdf)
}

/// Removes `print/<uuid>/` under `root`: each file overwritten with zeros and removed (`store::shred`;
/// a link is removed, never followed), then the folder. Returns how many files; nothing when there is
/// no such folder, or the name is not a UUID.
fn remove_folder(root: &Path, uuid: &str) -> Result<usize> {
    if !canonical_uuid(uuid) {
        return Ok(0);
    }
    let dir = root.join(uuid);
    match std::fs::symlink_metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            std::fs::remove_file(&dir)?;
            return Ok(0);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    }
    let mut removed = 0;
    for item in std::fs::read_dir(&dir)? {
        let path = item?.path();
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_file() {
            shred(&path)?;
            removed += 1;
        } else if meta.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    std::fs::remove_dir(&dir)?;
    Ok(removed)
}

/// The data folder's print folder, if the register has a data folder.
fn print_root(register: &Register) -> Option<std::path::PathBuf> {
    register.store().dir().map(|d| d.join(PRINT_DIR))
}

/// Removes the print folder of every anonymised case (what a crash between an anonymisation's commit
/// and its files' removal left); returns how many files. The shell calls it after signing in.
pub fn remove_anonymised_papers(register: &Register) -> Result<usize> {
    let Some(root) = print_root(register) else {
        return Ok(0);
    };
    let mut removed = 0;
    for uuid in register.anonymised_uuids()? {
        removed += remove_folder(&root, &uuid)?;
    }
    Ok(removed)
}

/// Anonymises case `case_id` (`Register::anonymise`) and then removes its papers' files. If the
/// removal fails the anonymisation has still committed: the error says so much only as `internal`, and
/// `remove_anonymised_papers` finishes the job.
pub fn anonymise(
    register: &mut Register,
    by: &Actor,
    case_id: i64,
    at: &Clock,
) -> Result<Anonymised> {
    let done = register.anonymise(by, case_id, at)?;
    if let Some(root) = print_root(register) {
        remove_folder(&root, &done.uuid)?;
    }
    Ok(done)
}

/// Answers an erasure request (`Register::erasure_request`) and, when the case was anonymised, removes
/// its papers' files.
pub fn erasure_request(
    register: &mut Register,
    by: &Actor,
    case_id: i64,
    at: &Clock,
) -> Result<Erasure> {
    let outcome = register.erasure_request(by, case_id, at)?;
    if let (Erasure::Anonymised(done), Some(root)) = (&outcome, print_root(register)) {
        remove_folder(&root, &done.uuid)?;
    }
    Ok(outcome)
}

/// Runs the retention (`Register::apply_retention`) and then removes the papers of every anonymised
/// case.
pub fn apply_retention(register: &mut Register, by: &Actor, at: &Clock) -> Result<RunReport> {
    let report = register.apply_retention(by, at)?;
    remove_anonymised_papers(register)?;
    Ok(report)
}
