//! The desk's reminders to an applicant who asked to be reminded: the letter (bilingual, Italian beside
//! the applicant's language, the address placed to show through a window envelope's window, the desk as
//! sender, the reason with its date and what to bring), the week's letters as one PDF for the printer,
//! and the same reminder as an SMS and an e-mail ready to copy (the app sends nothing). The reasons are
//! the agenda's: a permit expiring, a permit expired (come urgently), a kit sent with no appointment
//! heard of, the dimora declaration due, a Questura appointment. Texts are `reminder.*` of
//! `locales/checklist/<lang>.yml`; the desk, the Questura, the deadlines and the envelope's window are
//! `assets/reference/desk_papers.toml` (`desk`).
//!
//! It must not decide who is reminded or when (the agenda and the applicant's consent do), nor send
//! anything. Each letter is filed as a paper of its case (`folder`), so the case shows it was sent; the
//! batch PDF is only returned.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::error::{Error, FieldCode, FieldError, Result};
use crate::model::CaseView;
use crate::papers::checklist::{check_glyphs, params, AREAS};
use crate::papers::folder::{self, Filed};
use crate::papers::print::{Document, FontLibrary, Lang, PageSetup, Style};
use crate::papers::{appointment, wording::Preface};
use crate::reference::content::Texts;
use crate::reference::desk::DeskPapers;
use crate::register::Register;

/// The kind of a paper a reminder letter is filed as (`papers.kind`).
pub const KIND: &str = "promemoria";

/// Why the applicant is reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The permit expires on the due date (within the Comune's lead time).
    Expiring,
    /// The permit expired on the due date: come urgently (the tolerance after expiry is data).
    Expired,
    /// The kit was sent on the due date and no Questura appointment is recorded.
    KitNoAppointment,
    /// The dimora declaration is due by the due date.
    DimoraDue,
    /// The Questura appointment is on the due date (the time is the case's appointment step's).
    Appointment,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::Expiring,
        Reason::Expired,
        Reason::KitNoAppointment,
        Reason::DimoraDue,
        Reason::Appointment,
    ];

    /// The key under `reminder.reason.`, `reminder.sms.`, `reminder.subject.`.
    pub fn key(self) -> &'static str {
        match self {
            Reason::Expiring => "expiring",
            Reason::Expired => "expired",
            Reason::KitNoAppointment => "kit_no_appointment",
            Reason::DimoraDue => "dimora_due",
            Reason::Appointment => "appointment",
        }
    }

    /// What to bring: a `reminder.bring.*` key, or the checklist's own line for the Questura.
    fn bring_key(self) -> &'static str {
        match self {
            Reason::Expiring | Reason::Expired => "reminder.bring.renewal",
            Reason::KitNoAppointment => "reminder.bring.kit",
            Reason::DimoraDue => "reminder.bring.dimora",
            Reason::Appointment => "next.questura_bring",
        }
    }
}

/// One reminder to print or to write: the case, why, and the date the reason is about (`YYYY-MM-DD`:
/// the expiry, the day the kit was sent, the dimora's last day, the appointment's day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderInput {
    pub case_id: i64,
    pub reason: Reason,
    pub due_date: String,
}

/// A reminder made ready: the case read, the language, the values its texts take.
struct Ready {
    case: CaseView,
    reason: Reason,
    lang: Lang,
    values: BTreeMap<String, String>,
}

fn ready(
    register: &Register,
    facts: &DeskPapers,
    input: &ReminderInput,
    today: NaiveDate,
) -> Result<Ready> {
    let case = register.get(input.case_id, today)?;
    let mut problems = Vec::new();
    let due = NaiveDate::parse_from_str(input.due_date.trim(), "%Y-%m-%d").ok();
    if due.is_none() {
        problems.push(FieldError::new("dueDate", FieldCode::Required));
    }
    let known = register
        .reference()
        .language(&case.data.applicant.language)
        .filter(|l| register.texts().has(&l.code));
    let lang = match known {
        Some(l) => Some(Lang::try_from(l)?),
        None => {
            problems.push(FieldError::new(
                "applicant.language",
                FieldCode::UnknownCode,
            ));
            None
        }
    };
    let (Some(due), Some(lang)) = (due, lang) else {
        return Err(Error::Invalid(problems));
    };
    let time = match input.reason {
        Reason::Appointment => appointment::of_case(&case, today)
            .filter(|a| a.date == due)
            .map(|a| a.time.format("%H:%M").to_string())
            .unwrap_or_else(|| "—".to_string()),
        _ => String::new(),
    };
    let limit = due + Duration::days(i64::from(register.agenda_facts().after_expiry_days));
    let a = &case.data.applicant;
    let values = params([
        ("name", format!("{} {}", a.given_names, a.surname)),
        ("date", due.format("%d/%m/%Y").to_string()),
        ("limit", limit.format("%d/%m/%Y").to_string()),
        ("time", time),
        (
            "place",
            format!("{}, {}", facts.questura.name, facts.questura.address),
        ),
        ("desk", facts.desk.name.clone()),
        ("phone", facts.desk.phone.clone()),
        ("email", facts.desk.email.clone()),
    ]);
    Ok(Ready {
        case,
        reason: input.reason,
        lang,
        values,
    })
}

/// The recipient's address lines as Poste Italiane orders them: name, street and number, CAP comune
/// province. Every part missing is reported at once: a letter without an address is not printed.
fn address(case: &CaseView) -> Result<[String; 3]> {
    let a = &case.data.applicant;
    let ad = &a.address;
    let problems: Vec<FieldError> = [
        ("applicant.address.street", &ad.street),
        ("applicant.address.postcode", &ad.postcode),
        ("applicant.address.comune", &ad.comune),
    ]
    .into_iter()
    .filter(|(_, v)| v.trim().is_empty())
    .map(|(f, _)| FieldError::new(f, FieldCode::Required))
    .collect();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok([
        format!("{} {}", a.given_names, a.surname).to_uppercase(),
        format!("{} {}", ad.street, ad.house_number)
            .trim()
            .to_uppercase(),
        format!("{} {} {}", ad.postcode, ad.comune, ad.province)
            .trim()
            .to_uppercase(),
    ])
}

/// The page a letter is set on: A4, tight margins, no running header or page numbers (a batch holds
/// many applicants' letters: each says its own case).
fn setup(register: &Register) -> PageSetup {
    PageSetup {
        page_numbers: false,
        ..PageSetup::a4_tight().footed(register.content().stamp.footer())
    }
}

/// Sets one letter from the top of the current page.
fn write(
    register: &Register,
    facts: &DeskPapers,
    doc: &mut Document,
    r: &Ready,
    today: NaiveDate,
) -> Result<()> {
    let texts: &Texts = register.texts();
    let it = Lang::italian();
    let code = r.lang.code().to_string();
    let other = (code != "it").then_some(&r.lang);
    let small = Style::body().size(8.5);
    let body = Style::body().size(10.0);
    // The sender, top left, in Italian (the post office reads it).
    for line in [&facts.desk.name, &facts.desk.street, &facts.desk.town] {
        doc.paragraph(line, &it, small)?;
    }
    // The recipient, inside the part of the window that shows whatever the slide (desk_papers.toml).
    let [x, y, w, _] = facts.envelope.address_area();
    let lines = address(&r.case)?;
    let bottom = doc.block_at(
        x,
        y,
        w,
        &lines.iter().map(|l| (l.as_str(), &it)).collect::<Vec<_>>(),
        Style::body().size(10.0),
    )?;
    doc.skip_to_mm(bottom.max(y + facts.envelope.window_height_mm) + 4.0);
    let none = BTreeMap::new();
    doc.paragraph(
        &format!(
            "{} · {}",
            texts.text(
                "layout.case_number",
                "it",
                &params([("number", r.case.number.clone())])
            ),
            texts.text(
                "layout.date",
                "it",
                &params([("date", today.format("%d/%m/%Y").to_string())])
            )
        ),
        &it,
        small,
    )?;
    doc.space(3.0);
    let pair = |key: &str, values: &BTreeMap<String, String>| {
        (
            texts.text(key, "it", values),
            texts.text(key, &code, values),
        )
    };
    let say = |doc: &mut Document, (italian, translated): (String, String), style: Style| {
        doc.parallel(&italian, other.map(|l| (translated.as_str(), l)), style)
    };
    let title = pair("reminder.title", &none);
    doc.paragraph(&title.0, &it, Style::title().size(13.0))?;
    if let Some(lang) = other {
        doc.paragraph(&title.1, lang, Style::title().size(13.0))?;
    }
    Preface::new(
        register.reference(),
        register.paper_texts(),
        &code,
        &AREAS,
        None,
    )?
    .print(doc, &r.lang)?;
    doc.space(2.0);
    say(doc, pair("reminder.greeting", &r.values), body)?;
    doc.space(1.0);
    say(
        doc,
        pair(&format!("reminder.reason.{}", r.reason.key()), &r.values),
        body.bold(),
    )?;
    doc.space(3.0);
    say(doc, pair("reminder.bring_title", &none), body.bold())?;
    doc.rule();
    say(doc, pair(r.reason.bring_key(), &r.values), body)?;
    doc.space(3.0);
    say(doc, pair("reminder.contact", &r.values), body)?;
    doc.space(2.0);
    say(doc, pair("reminder.why", &none), small)?;
    doc.space(4.0);
    say(doc, pair("reminder.closing", &none), body)?;
    doc.paragraph(&facts.desk.name, &it, body)?;
    Ok(())
}

/// The file name of a letter in its case's folder: the reason, the language, the day (no person).
fn file_name(r: &Ready, today: NaiveDate) -> String {
    format!(
        "promemoria-{}-{}-{}.pdf",
        r.reason.key().replace('_', "-"),
        r.lang.code(),
        today.format("%Y%m%d")
    )
}

fn one_pdf(
    register: &Register,
    fonts: &FontLibrary,
    facts: &DeskPapers,
    r: &Ready,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let mut doc = Document::new(fonts, setup(register))?;
    write(register, facts, &mut doc, r, today)?;
    Ok(doc.render()?)
}

/// The letter of one reminder, filed as a paper of its case (`promemoria-<reason>-<lang>-<date>.pdf`,
/// kind `promemoria`); the answer carries the PDF for the printer.
pub fn letter(
    register: &mut Register,
    fonts: &FontLibrary,
    input: &ReminderInput,
    operator: &str,
    at: &Clock,
) -> Result<Filed> {
    let facts = register.desk_papers().clone();
    let r = ready(register, &facts, input, at.today)?;
    register.expect_in_use(r.case.id)?;
    check_glyphs(fonts, &r.case)?;
    let pdf = one_pdf(register, fonts, &facts, &r, at.today)?;
    let name = file_name(&r, at.today);
    folder::put(register, &r.case, &name, KIND, pdf, operator, at)
}

/// The week's letters for the printer, and each as filed with its case.
pub struct Batch {
    /// The letters one after the other, for the printer (not filed as a whole).
    pub pdf: Vec<u8>,
    /// Each letter as filed with its case, in the order of the inputs.
    pub filed: Vec<Filed>,
    /// Pages in `pdf`.
    pub pages: usize,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("pdf", &format_args!("{} bytes", self.pdf.len()))
            .field("filed", &self.filed.len())
            .field("pages", &self.pages)
            .finish()
    }
}

/// The week's letters: every input checked first (a bad one stops the batch before anything is filed,
/// with every problem of that input at once), then one PDF with each letter starting on a new page, and
/// each letter filed as a paper of its case (a record and a sealed file each, in the inputs' order).
pub fn batch(
    register: &mut Register,
    fonts: &FontLibrary,
    inputs: &[ReminderInput],
    operator: &str,
    at: &Clock,
) -> Result<Batch> {
    let facts = register.desk_papers().clone();
    let mut readies = Vec::with_capacity(inputs.len());
    for input in inputs {
        let r = ready(register, &facts, input, at.today)?;
        register.expect_in_use(r.case.id)?;
        check_glyphs(fonts, &r.case)?;
        address(&r.case)?;
        readies.push(r);
    }
    let mut doc = Document::new(fonts, setup(register))?;
    for (i, r) in readies.iter().enumerate() {
        if i > 0 {
            doc.page_break();
        }
        write(register, &facts, &mut doc, r, at.today)?;
    }
    let pages = doc.page_count();
    let pdf = doc.render()?;
    let mut filed = Vec::with_capacity(readies.len());
    for r in &readies {
        let one = one_pdf(register, fonts, &facts, r, at.today)?;
        let name = file_name(r, at.today);
        filed.push(folder::put(
            register, &r.case, &name, KIND, one, operator, at,
        )?);
    }
    Ok(Batch { pdf, filed, pages })
}

/// The SMS and e-mail of a reminder in the applicant's language, ready to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Messages {
    /// The applicant's language the texts are in.
    pub language: String,
    pub sms: String,
    /// `gsm7` (160 characters a message) or `ucs2` (70; for scripts GSM-7 has not).
    pub sms_encoding: String,
    /// The SMS's length in its encoding's units (a GSM-7 extension character counts two).
    pub sms_units: usize,
    /// How many messages the SMS takes (153 or 67 units each once it is split).
    pub sms_parts: usize,
    pub subject: String,
    pub body: String,
}

/// The reminder's SMS and e-mail for a case (see `Messages`). In a Latin-script language, a letter
/// GSM-7 lacks (`ó`, `ș`, `ë`) is written without its accent so the SMS stays in GSM-7, as phones do.
pub fn messages(register: &Register, input: &ReminderInput, today: NaiveDate) -> Result<Messages> {
    let facts = register.desk_papers().clone();
    let mut r = ready(register, &facts, input, today)?;
    r.values
        .insert("desk".to_string(), facts.desk.sms_name.clone());
    let texts = register.texts();
    let code = r.lang.code().to_string();
    let latin = register
        .reference()
        .language(&code)
        .is_some_and(|l| l.script == "Latn");
    let raw = texts.text(
        &format!("reminder.sms.{}", r.reason.key()),
        &code,
        &r.values,
    );
    let sms = if latin { gsm::fold(&raw) } else { raw };
    let (encoding, units) = match gsm::units(&sms) {
        Some(units) => ("gsm7", units),
        None => ("ucs2", sms.encode_utf16().count()),
    };
    let (single, part) = if encoding == "gsm7" {
        (160, 153)
    } else {
        (70, 67)
    };
    let parts = if units <= single {
        1
    } else {
        units.div_ceil(part)
    };
    let subject = texts.text(
        &format!("reminder.subject.{}", r.reason.key()),
        &code,
        &r.values,
    );
    let mut full = r.values.clone();
    full.insert("desk".to_string(), facts.desk.name.clone());
    let none = BTreeMap::new();
    let body = [
        texts.text("reminder.greeting", &code, &full),
        String::new(),
        texts.text(&format!("reminder.reason.{}", r.reason.key()), &code, &full),
        String::new(),
        format!(
            "{}: {}",
            texts.text("reminder.bring_title", &code, &none),
            texts.text(r.reason.bring_key(), &code, &full)
        ),
        String::new(),
        texts.text("reminder.contact", &code, &full),
        String::new(),
        texts.text("reminder.closing", &code, &none),
        facts.desk.name.clone(),
    ]
    .join("\n");
    Ok(Messages {
        language: code,
        sms,
        sms_encoding: encoding.to_string(),
        sms_units: units,
        sms_parts: parts,
        subject,
        body,
    })
}

/// The GSM 03.38 alphabet an SMS is sent in when it can be.
pub mod gsm {
    /// The basic character set (one unit each).
    const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    /// The extension table (two units each: an escape and the character).
    const EXTENSION: &str = "^{}\\[~]|€\u{c}";

    /// The text's length in GSM-7 units, or `None` when a character is not in the alphabet.
    pub fn units(text: &str) -> Option<usize> {
        text.chars().try_fold(0, |n, c| {
            if BASIC.contains(c) {
                Some(n + 1)
            } else if EXTENSION.contains(c) {
                Some(n + 2)
            } else {
                None
            }
        })
    }

    /// Each character outside the alphabet replaced by its unaccented Latin form when that one is in it
    /// (`ó` → `o`, `ș` → `s`, `ë` → `e`, `’` → `'`); anything else is kept.
    pub fn fold(text: &str) -> String {
        text.chars()
            .map(|c| {
                if units(c.encode_utf8(&mut [0; 4])).is_some() {
                    return c.to_string();
                }
                let plain = deunicode::deunicode_char(c).unwrap_or("");
                if !plain.is_empty() && units(plain).is_some() {
                    plain.to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    }
}
