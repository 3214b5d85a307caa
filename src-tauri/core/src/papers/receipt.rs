//! The bilingual papers the applicant takes home, Italian beside their language: the "ricevuta di presa in
//! carico" after a visit (the case number, what was done today with the assicurata code or the Questura
//! appointment, the next step, the reminder to bring it back) and the privacy notice with its consent
//! boxes (GDPR art. 13; who the controller is and how long data is kept come from
//! `assets/reference/privacy.toml`). Texts are the checklist translations (`locales/checklist/<lang>.yml`,
//! `receipt.*`, `privacy.*`, `next.*`), printed through the print engine, with the same preface as the
//! checklist under the title (`wording::Preface`). After the visit's lines the receipt says what follows:
//! the Questura appointment with a QR code of it as an iCalendar event (`appointment`, drawn by `qr`),
//! how to check the permit's status online with the postal receipt's numbers, and the dimora declaration
//! at the anagrafe; places and addresses are `assets/reference/desk_papers.toml` (`reference::desk`),
//! the days are the agenda's terms (`reference::agenda`).
//!
//! It must not decide the case's course (the next step follows the status the register computed) and
//! never prints a voided step.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::error::{Error, FieldCode, FieldError, Result};
use crate::model::CaseView;
use crate::papers::checklist::{check_glyphs, params, AREAS};
use crate::papers::print::{Align, Document, FontLibrary, Lang, PageSetup, Style};
use crate::papers::wording::{Preface, Texts as WordingTexts};
use crate::papers::{appointment, qr};
use crate::reference::content::Texts;
use crate::reference::text::italian_date;
use crate::register::Register;
use qrcode::EcLevel;

/// A line in Italian and in the applicant's language.
struct Pair {
    italian: String,
    other: String,
}

fn pair(texts: &Texts, key: &str, lang: &str, values: &BTreeMap<String, String>) -> Pair {
    Pair {
        italian: texts.text(key, "it", values),
        other: texts.text(key, lang, values),
    }
}

/// The text key of what the applicant does next, from the case's status.
fn next_key(status: &str) -> Option<&'static str> {
    Some(match status {
        "intake" | "documents_pending" => "receipt.next_documents",
        "ready_to_send" => "next.post_office",
        "kit_sent" => "next.questura_date",
        "questura_appointment" => "next.questura_bring",
        "permit_ready" => "receipt.next_collect",
        "collected" => "next.sixty_days",
        _ => return None,
    })
}

/// What the receipt says today, in Italian and `lang`: the steps of `today` and the next one.
fn lines(
    texts: &Texts,
    case: &CaseView,
    lang: &str,
    today: NaiveDate,
) -> (Vec<Pair>, Option<Pair>) {
    let none = BTreeMap::new();
    let today_iso = today.format("%Y-%m-%d").to_string();
    let mut done = Vec::new();
    for step in case
        .steps
        .iter()
        .filter(|s| s.date == today_iso && !s.voided && s.corrects.is_none())
    {
        done.push(pair(
            texts,
            &format!("receipt.step.{}", step.kind),
            lang,
            &none,
        ));
        match step.kind.as_str() {
            "kit_sent" if !step.details.assicurata.is_empty() => done.push(pair(
                texts,
                "receipt.kit_sent_detail",
                lang,
                &params([("code", step.details.assicurata.clone())]),
            )),
            "questura_appointment" => done.push(pair(
                texts,
                "receipt.appointment_detail",
                lang,
                &params([
                    ("date", italian_date(&step.details.appointment_date)),
                    ("time", step.details.appointment_time.clone()),
                ]),
            )),
            _ => {}
        }
    }
    (
        done,
        next_key(&case.status).map(|k| pair(texts, k, lang, &none)),
    )
}

/// The case, the applicant's language and a tight A4 document headed with the Comune, the case number
/// and the date. Refuses a language without a translation, and names no font can draw.
fn bilingual<'f>(
    register: &Register,
    fonts: &'f FontLibrary,
    case: &CaseView,
    language: &str,
    today: NaiveDate,
) -> Result<(Lang, Document<'f>)> {
    let known = register
        .reference()
        .language(language)
        .filter(|l| register.texts().has(&l.code))
        .ok_or_else(|| Error::Invalid(vec![FieldError::new("language", FieldCode::UnknownCode)]))?;
    let lang = Lang::try_from(known)?;
    check_glyphs(fonts, case)?;
    let texts = register.texts();
    let none = BTreeMap::new();
    let number = params([("number", case.number.clone())]);
    let setup = PageSetup::a4_tight()
        .footed(register.content().stamp.footer())
        .headed(format!(
            "{} · {} · {}",
            texts.text("layout.comune", "it", &none),
            texts.text("layout.case_number", "it", &number),
            texts.text(
                "layout.date",
                "it",
                &params([("date", today.format("%d/%m/%Y").to_string())])
            )
        ));
    let doc = Document::new(fonts, setup)?;
    Ok((lang, doc))
}

/// The receipt of a case as an A4 PDF in Italian and `language` (a checklist language); `operator` is
/// the name printed at the foot. Refuses a language without a translation, and names no font can draw.
pub fn pdf(
    register: &Register,
    fonts: &FontLibrary,
    case_id: i64,
    language: &str,
    operator: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let case = register.get(case_id, today)?;
    ricevuta(register, fonts, &case, language, operator, today)
}

/// The receipt (see `pdf`) of a case already read.
pub fn ricevuta(
    register: &Register,
    fonts: &FontLibrary,
    case: &CaseView,
    language: &str,
    operator: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let (lang, mut doc) = bilingual(register, fonts, case, language, today)?;
    let texts = register.texts();
    let it = Lang::italian();
    let none = BTreeMap::new();
    let code = lang.code().to_string();
    let body = Style::body().size(10.0);
    let heading = Style::body().bold().size(11.0);
    let title = pair(texts, "receipt.title", &code, &none);
    doc.paragraph(&title.italian, &it, Style::title().size(14.0))?;
    doc.paragraph(&title.other, &lang, Style::title().size(14.0))?;
    Preface::new(
        register.reference(),
        register.paper_texts(),
        &code,
        &AREAS,
        None,
    )?
    .print(&mut doc, &lang)?;
    let applicant = format!(
        "{} {}",
        case.data.applicant.surname, case.data.applicant.given_names
    );
    doc.paragraph(
        &texts.text("layout.applicant", "it", &params([("name", applicant)])),
        &it,
        body,
    )?;
    doc.space(2.0);
    let opened = case.steps.iter().find(|s| s.kind == "intake").map_or_else(
        || today.format("%d/%m/%Y").to_string(),
        |s| italian_date(&s.date),
    );
    let taken = pair(
        texts,
        "receipt.taken",
        &code,
        &params([("number", case.number.clone()), ("date", opened)]),
    );
    doc.parallel(&taken.italian, Some((&taken.other, &lang)), body)?;
    let (done, next) = lines(register.texts(), case, &code, today);
    if !done.is_empty() {
        doc.space(3.0);
        let h = pair(texts, "receipt.done_today", &code, &none);
        doc.parallel(&h.italian, Some((&h.other, &lang)), heading)?;
        doc.rule();
        for line in &done {
            doc.parallel(&line.italian, Some((&line.other, &lang)), body)?;
            doc.space(1.0);
        }
    }
    if let Some(next) = next {
        doc.space(3.0);
        let h = pair(texts, "receipt.next_title", &code, &none);
        doc.parallel(&h.italian, Some((&h.other, &lang)), heading)?;
        doc.rule();
        doc.parallel(&next.italian, Some((&next.other, &lang)), body)?;
    }
    follow_up(register, &mut doc, case, &lang, today)?;
    doc.space(4.0);
    let keep = pair(texts, "receipt.keep", &code, &none);
    doc.parallel(&keep.italian, Some((&keep.other, &lang)), body.bold())?;
    doc.space(6.0);
    doc.paragraph(
        &format!("Operatore: {operator}"),
        &it,
        Style::body().size(8.5),
    )?;
    Ok(doc.render()?)
}

/// The side the appointment's QR code aims at, quiet zone included: big enough for a phone held at arm's
/// length, small enough to leave the receipt on its page.
const QR_SIDE_MM: f32 = 42.0;
/// The smallest module: at 0.5 mm a module is three pixels of a 150 dpi scan, six at 300 dpi.
const QR_MIN_MODULE_MM: f32 = 0.5;

/// What the applicant does after the visit, each when the case has got there: the Questura appointment
/// with its QR code (an iCalendar event for the phone's calendar), how to check the permit's status
/// online with the postal receipt's numbers (once the kit was sent), and the dimora declaration at the
/// anagrafe within its deadline of collecting the new permit (from the kit on: a renewal's last duty).
fn follow_up(
    register: &Register,
    doc: &mut Document,
    case: &CaseView,
    lang: &Lang,
    today: NaiveDate,
) -> Result<()> {
    let facts = register.desk_papers();
    let texts = register.texts();
    let code = lang.code().to_string();
    let none = BTreeMap::new();
    let body = Style::body().size(10.0);
    let heading = Style::body().bold().size(11.0);
    let effective = |kind: &str| {
        case.steps
            .iter()
            .rev()
            .find(|s| s.kind == kind && !s.voided && s.corrects.is_none())
    };
    if let Some(appointment) = appointment::of_case(case, today) {
        doc.space(3.0);
        let h = pair(texts, "receipt.appointment_title", &code, &none);
        doc.parallel(&h.italian, Some((&h.other, lang)), heading)?;
        doc.rule();
        let when = pair(
            texts,
            "receipt.appointment_detail",
            &code,
            &params([
                ("date", appointment.date.format("%d/%m/%Y").to_string()),
                ("time", appointment.time.format("%H:%M").to_string()),
            ]),
        );
        doc.parallel(&when.italian, Some((&when.other, lang)), body.bold())?;
        doc.paragraph(
            &format!("{}, {}", facts.questura.name, facts.questura.address),
            &Lang::italian(),
            body,
        )?;
        doc.space(2.0);
        let event = appointment::ics(facts, texts, case, &appointment, &code, today)?;
        let side = qr::side_modules(event.as_bytes(), EcLevel::M)?;
        let module = (QR_SIDE_MM / side as f32).max(QR_MIN_MODULE_MM);
        qr::draw(doc, event.as_bytes(), EcLevel::M, module, Align::Center)?;
        let caption = pair(texts, "receipt.qr_caption", &code, &none);
        doc.parallel(
            &caption.italian,
            Some((&caption.other, lang)),
            Style::body().size(9.0),
        )?;
    }
    let sent = effective("kit_sent");
    if sent.is_some() {
        doc.space(3.0);
        let h = pair(texts, "receipt.status_title", &code, &none);
        doc.parallel(&h.italian, Some((&h.other, lang)), heading)?;
        doc.rule();
        for (key, url) in [
            ("receipt.status_police", &facts.status.police_url),
            ("receipt.status_portal", &facts.status.portal_url),
        ] {
            let line = pair(texts, key, &code, &params([("url", url.clone())]));
            doc.parallel(&line.italian, Some((&line.other, lang)), body)?;
            doc.space(1.0);
        }
    }
    let collected =
        effective("collected").and_then(|s| NaiveDate::parse_from_str(&s.date, "%Y-%m-%d").ok());
    if sent.is_some() || collected.is_some() {
        doc.space(3.0);
        let days = register.agenda_facts().dimora_days;
        let line = match collected {
            Some(day) => pair(
                texts,
                "receipt.dimora_by",
                &code,
                &params([(
                    "date",
                    (day + chrono::Duration::days(i64::from(days)))
                        .format("%d/%m/%Y")
                        .to_string(),
                )]),
            ),
            None => pair(
                texts,
                "receipt.dimora",
                &code,
                &params([("days", days.to_string())]),
            ),
        };
        doc.parallel(&line.italian, Some((&line.other, lang)), body.bold())?;
        doc.paragraph(
            &register.agenda_facts().dimora_law,
            &Lang::italian(),
            Style::body().size(8.0),
        )?;
    }
    Ok(())
}

/// The case's appointment as the text of its `.ics` file and the file's name, when the receipt prints
/// one (see `follow_up`): `papers::file` files it beside the receipt.
pub(crate) fn appointment_file(
    register: &Register,
    case: &CaseView,
    language: &str,
    today: NaiveDate,
) -> Result<Option<(String, String)>> {
    let Some(appointment) = appointment::of_case(case, today) else {
        return Ok(None);
    };
    let facts = register.desk_papers();
    let text = appointment::ics(facts, register.texts(), case, &appointment, language, today)?;
    Ok(Some((appointment::file_name(&appointment), text)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PrivacyFile {
    #[allow(dead_code)]
    table: toml::Table,
    notice: Notice,
}

/// Who the notice names and how long data is kept.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Notice {
    /// The Comune the desk belongs to, as "Comune di …" completes it (the recovery sheet's heading).
    comune: String,
    controller: String,
    dpo: String,
    verify: bool,
    #[allow(dead_code)]
    note: Option<String>,
}

fn notice() -> Result<Notice> {
    const FILE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/privacy.toml"
    ));
    let file: PrivacyFile = toml::from_str(FILE).map_err(|e| Error::Data {
        file: "assets/reference/privacy.toml".into(),
        line: e
            .span()
            .map_or(0, |s| FILE[..s.start].lines().count().max(1)),
        message: e.message().to_string(),
    })?;
    Ok(file.notice)
}

/// The Comune the desk belongs to (`assets/reference/privacy.toml`), for papers that name it.
pub fn comune() -> Result<String> {
    Ok(notice()?.comune)
}

/// The privacy notice (GDPR art. 13) with its consent boxes, Italian beside `language`, for the
/// applicant to read and sign.
pub fn informativa_pdf(
    register: &Register,
    fonts: &FontLibrary,
    case_id: i64,
    language: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let case = register.get(case_id, today)?;
    informativa(register, fonts, &case, language, today)
}

/// The privacy notice (see `informativa_pdf`) of a case already read.
pub fn informativa(
    register: &Register,
    fonts: &FontLibrary,
    case: &CaseView,
    language: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let notice = notice()?;
    let (lang, mut doc) = bilingual(register, fonts, case, language, today)?;
    let texts = register.texts();
    let it = Lang::italian();
    let code = lang.code().to_string();
    let none = BTreeMap::new();
    let body = Style::body().size(9.5);
    let title = pair(texts, "privacy.title", &code, &none);
    doc.paragraph(&title.italian, &it, Style::title().size(13.0))?;
    doc.paragraph(&title.other, &lang, Style::title().size(13.0))?;
    Preface::new(
        register.reference(),
        register.paper_texts(),
        &code,
        &AREAS,
        None,
    )?
    .print(&mut doc, &lang)?;
    doc.paragraph(
        &texts.text(
            "layout.applicant",
            "it",
            &params([(
                "name",
                format!(
                    "{} {}",
                    case.data.applicant.surname, case.data.applicant.given_names
                ),
            )]),
        ),
        &it,
        body,
    )?;
    doc.space(2.0);
    let values = params([
        ("controller", notice.controller.clone()),
        ("dpo", notice.dpo.clone()),
    ]);
    // The periods in force at this desk (`retention.toml` and the Comune's archive plan), one line per
    // purpose in the words of the access report, so the notice never promises another period.
    let policy = register.retention_policy()?;
    let wording = [
        WordingTexts::of(register.paper_texts(), "it")?,
        WordingTexts::of(register.paper_texts(), &code)?,
    ];
    let periods = policy
        .periods
        .iter()
        .map(|period| {
            wording
                .iter()
                .map(|t| -> Result<String> {
                    let (purpose, span) =
                        t.retention_period(period.purpose, period.anchor, period.months)?;
                    Ok(format!(
                        "{purpose}: {span}{}",
                        if period.verify { " *" } else { "" }
                    ))
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    for key in [
        "intro",
        "controller",
        "purpose",
        "basis",
        "recipients",
        "retention",
        "rights",
        "optional",
    ] {
        let p = pair(texts, &format!("privacy.{key}"), &code, &values);
        doc.parallel(&p.italian, Some((&p.other, &lang)), body)?;
        doc.space(1.5);
        if key == "retention" {
            for line in &periods {
                doc.parallel(
                    &format!("– {}", line[0]),
                    Some((&format!("– {}", line[1]), &lang)),
                    body,
                )?;
                doc.space(1.0);
            }
            doc.space(0.5);
        }
    }
    doc.space(2.0);
    let consent = pair(texts, "privacy.consent", &code, &none);
    doc.parallel(&consent.italian, Some((&consent.other, &lang)), body.bold())?;
    doc.space(6.0);
    let signature = pair(texts, "privacy.signature", &code, &none);
    doc.parallel(&signature.italian, Some((&signature.other, &lang)), body)?;
    if notice.verify || policy.periods.iter().any(|p| p.verify) {
        doc.space(4.0);
        doc.paragraph(
            "* Dati del titolare, del DPO e tempi di conservazione da confermare con l'ufficio privacy del Comune.",
            &it,
            Style::body().size(7.5),
        )?;
    }
    Ok(doc.render()?)
}
