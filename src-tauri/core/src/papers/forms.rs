//! Pre-filled forms: the guides to filling in Modulo 1 and Modulo 2 of the postal kit. For every numbered
//! field of the printed form the guide gives its label and the exact value to copy, in one-character boxes,
//! in block capitals: codes for the procedure and motivo, state codes, dates as the kit writes them
//! (GG MM AAAA), names transliterated to A–Z as in the passport's MRZ (ICAO 9303 Part 3 §6, `mrz` crate).
//!
//! Field numbers, labels, box counts, sources and `verify` marks are data (`assets/forms/*.toml`, read
//! and checked with the content in force by `reference::forms`, so a content pack can correct them); this
//! module owns what each named value is for a case (`value_of`), the checks before printing (every problem
//! at once, on the case field it comes from, and no PDF while one remains), and the layout through the
//! print engine. It must not print anything that reads as the official form: every page says it is a guide
//! for copying onto the kit's form, and fields whose numbering is uncertain are marked.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, FieldCode, FieldError, Missing, Result};
use crate::model::CaseView;
use crate::papers::print::{Document, FontLibrary, Lang, PageSetup, Style};
use crate::reference::catalogue::Procedure;
use crate::register::Register;

use crate::reference::forms::VALUES;
pub use crate::reference::forms::{parse, Form, FormHead, Forms};

/// The guides of `forms` (the content in force's: `Register::forms`) that apply to a procedure: Modulo 1
/// for every kit procedure, Modulo 2 when it asks for it.
pub fn for_procedure<'f>(forms: &'f Forms, procedure: &Procedure) -> Vec<&'f Form> {
    forms
        .forms
        .iter()
        .filter(|f| {
            procedure.channel == "kit"
                && procedure
                    .moduli
                    .iter()
                    .any(|m| f.head.kit_form == format!("Modulo {m}"))
        })
        .collect()
}

/// A guide the case panel offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormChoice {
    pub id: String,
    pub title: String,
    pub kit_form: String,
}

/// The guides of a procedure by name, for the case panel's list (none off the kit).
pub fn of_procedure(register: &Register, procedure: &str) -> Result<Vec<FormChoice>> {
    let p = register
        .catalogue()
        .procedure(procedure)
        .ok_or(Error::NotFound(Missing::Procedure))?;
    Ok(for_procedure(register.forms(), p)
        .into_iter()
        .map(|f| FormChoice {
            id: f.head.id.clone(),
            title: f.head.title.clone(),
            kit_form: f.head.kit_form.clone(),
        })
        .collect())
}

/// The guide `form` of `procedure` filled for a case, or every problem of the case at once (see `fill`).
pub fn for_case(
    register: &Register,
    case: &CaseView,
    procedure: &str,
    form: &str,
) -> Result<Filled> {
    let p = register
        .catalogue()
        .procedure(procedure)
        .ok_or(Error::NotFound(Missing::Procedure))?;
    let forms = register.forms();
    let form = for_procedure(forms, p)
        .into_iter()
        .find(|f| f.head.id == form)
        .ok_or(Error::NotFound(Missing::Form))?;
    let mut filled = fill(forms, form, case, p)?;
    filled.content = register.content().stamp.footer();
    Ok(filled)
}

/// One field of a filled guide, as printed and previewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilledRow {
    pub section: String,
    pub number: String,
    pub label: String,
    /// What goes in the boxes (empty: left for the counter).
    pub value: String,
    pub boxes: usize,
    pub note: Option<String>,
    pub verify: bool,
}

/// A guide filled for a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filled {
    pub form: String,
    pub title: String,
    pub kit_form: String,
    pub case_number: String,
    /// The applicant as the boxes write the name, so every guide says whose it is.
    pub applicant: String,
    pub verify: bool,
    pub rows: Vec<FilledRow>,
    /// The content the guide was filled from, printed at the foot of every page (empty when filled
    /// outside a register).
    pub content: String,
}

/// Names in A–Z as the passport's MRZ writes them (Ä→AE, Ø→OE, ß→SS; ICAO 9303 Part 3 §6 Table A).
/// Letters Table A does not list (Vietnamese ễ, Ị…) lose their marks, as those passports' zones do.
fn mrz_name(name: &str) -> String {
    let upper = name.trim().to_uppercase();
    let icao = mrz::transliterate(&upper, mrz::TransliterationStyle::Expanded);
    deunicode::deunicode(&icao)
        .to_uppercase()
        .replace('<', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Other text in block capitals without accents, the way forms are filled by hand (Forlì → FORLI).
fn capitals(text: &str) -> String {
    deunicode::deunicode(text.trim()).to_uppercase()
}

/// `YYYY-MM-DD` → `DDMMYYYY`, one digit per box; anything else as it is (the check reports it).
fn kit_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map_or_else(|_| iso.to_string(), |d| d.format("%d%m%Y").to_string())
}

fn tick(on: bool) -> String {
    if on { "X" } else { "" }.to_string()
}

fn value_of(
    name: &str,
    forms: &Forms,
    form: &FormHead,
    case: &CaseView,
    procedure: &Procedure,
) -> String {
    let d = &case.data;
    let a = &d.applicant;
    let request = |p: &str| tick(d.request.procedure == p);
    match name {
        "questura_city" => forms
            .province_name(&a.address.province)
            .map(capitals)
            .unwrap_or_default(),
        "province" => capitals(&a.address.province),
        "comune" => capitals(&a.address.comune),
        "street" => capitals(&a.address.street),
        "house_number" => capitals(&a.address.house_number),
        "postcode" => a.address.postcode.clone(),
        "phone" => a
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        "surname" => mrz_name(&a.surname),
        "given_names" => mrz_name(&a.given_names),
        "sex" => match a.sex.as_str() {
            "M" | "F" => a.sex.clone(),
            _ => String::new(),
        },
        "birth_date" => kit_date(&a.birth_date),
        "birth_place" => capitals(&a.birth_place),
        "birth_country" => a.birth_country.clone(),
        "citizenship" => a.citizenships.first().cloned().unwrap_or_default(),
        "codice_fiscale" => crate::reference::text::code_key(&a.codice_fiscale),
        "marital_status" => {
            if d.household.iter().any(|m| m.relation == "spouse") {
                "B".into()
            } else {
                String::new()
            }
        }
        "children_count" => {
            let children = d.household.iter().filter(|m| m.relation == "child").count();
            if children > 0 {
                children.to_string()
            } else {
                String::new()
            }
        }
        "tick_passport" => tick(a.document.kind == "passport"),
        "document_number" => crate::reference::text::code_key(&a.document.number),
        "document_expiry" => kit_date(&a.document.expiry_date),
        "document_issuer" => {
            if a.document.kind == "passport" {
                "01".into()
            } else {
                String::new()
            }
        }
        "tick_rilascio" => request("rilascio"),
        "tick_rinnovo" => request("rinnovo"),
        "tick_aggiornamento" => request("aggiornamento"),
        "tick_duplicato" => request("duplicato"),
        "tick_conversione" => request("conversione"),
        "tick_carta" => tick(form.carta_motivi.contains(&d.request.motivo_code)),
        "tick_permesso" => tick(!form.carta_motivi.contains(&d.request.motivo_code)),
        "request_motivo" => d.request.motivo_code.clone(),
        "current_permit_number" => crate::reference::text::code_key(&d.current_permit.number),
        "current_permit_motivo" => d.current_permit.motivo_code.clone(),
        "current_permit_expiry" => kit_date(&d.current_permit.expiry_date),
        "tick_modulo1" => tick(procedure.moduli.iter().any(|m| m == "1")),
        "tick_modulo2" => tick(procedure.moduli.iter().any(|m| m == "2")),
        "tick_subordinato" => tick(form.subordinato_motivi.contains(&d.request.motivo_code)),
        "tick_autonomo" => tick(form.autonomo_motivi.contains(&d.request.motivo_code)),
        _ => String::new(),
    }
}

/// What one-character boxes accept once transliterated: A–Z, digits, space and ' . - /.
fn box_character(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || " '.-/+".contains(c)
}

/// Fills a guide for a case and checks it: a required value missing, a value longer than its boxes or a
/// character the boxes cannot take is a problem on the case field it comes from. Every problem is
/// returned at once; a guide is only returned when there is none. `forms` is the content `form` comes
/// from (its provinces name the Questura).
pub fn fill(forms: &Forms, form: &Form, case: &CaseView, procedure: &Procedure) -> Result<Filled> {
    let mut rows = Vec::new();
    let mut problems: Vec<FieldError> = Vec::new();
    let mut seen = BTreeSet::new();
    for section in &form.sections {
        for field in &section.field {
            let value = value_of(&field.value, forms, &form.head, case, procedure);
            let path = VALUES
                .iter()
                .find(|(v, _)| *v == field.value)
                .map_or("", |(_, p)| p);
            let problem = if field.required && value.is_empty() {
                Some(FieldError::new(path, FieldCode::FormRequired))
            } else if field.boxes > 0 && value.chars().count() > field.boxes {
                Some(FieldError::new(path, FieldCode::FormTooLong).with("max", field.boxes))
            } else if field.boxes > 0 && !value.chars().all(box_character) {
                let bad: Vec<String> = value
                    .chars()
                    .filter(|c| !box_character(*c))
                    .map(|c| format!("U+{:04X}", u32::from(c)))
                    .collect();
                Some(FieldError::new(path, FieldCode::FormCharacters).with("chars", bad.join(" ")))
            } else {
                None
            };
            if let Some(p) = problem {
                // One problem per case field, however many form fields it feeds.
                if seen.insert(p.field.clone()) {
                    problems.push(
                        p.with("form", &form.head.kit_form)
                            .with("number", &field.number),
                    );
                }
            }
            rows.push(FilledRow {
                section: section.title.clone(),
                number: field.number.clone(),
                label: field.label.clone(),
                value,
                boxes: field.boxes,
                note: field.note.clone(),
                verify: field.verify,
            });
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(Filled {
        content: String::new(),
        form: form.head.id.clone(),
        title: form.head.title.clone(),
        kit_form: form.head.kit_form.clone(),
        case_number: case.number.clone(),
        applicant: format!(
            "{} {}",
            mrz_name(&case.data.applicant.surname),
            mrz_name(&case.data.applicant.given_names)
        ),
        verify: form.head.verify,
        rows,
    })
}

/// Prints a filled guide: A4, a header on every page saying it is a guide (not the form), each field as
/// its number and label over its boxes, notes under them, `*` on fields to verify.
pub fn pdf(fonts: &FontLibrary, filled: &Filled, today: NaiveDate) -> Result<Vec<u8>> {
    let it = Lang::italian();
    let page = match filled.content.as_str() {
        "" => PageSetup::a4(),
        content => PageSetup::a4().footed(content.to_string()),
    };
    let setup = page.headed(format!(
        "Sportello Mixitè · Pratica n. {} · {} · GUIDA: non è il modulo ufficiale",
        filled.case_number,
        today.format("%d/%m/%Y")
    ));
    let mut doc = Document::new(fonts, setup)?;
    doc.paragraph(&filled.title, &it, Style::title().size(13.0))?;
    doc.paragraph(
        &format!("Richiedente: {}", filled.applicant),
        &it,
        Style::body(),
    )?;
    doc.paragraph(
        &format!(
            "Questa è una guida per copiare i dati sul {} del kit ritirato all'ufficio postale: non sostituisce \
             il modulo e non va spedita. Scrivere in stampatello, una lettera per casella, con penna nera.",
            filled.kit_form
        ),
        &it,
        Style::body().size(9.5).bold(),
    )?;
    if filled.verify {
        doc.paragraph(
            "* Numerazione ricostruita da guide pubbliche, non dal modulo ufficiale: confrontarla con il kit.",
            &it,
            Style::body().size(8.0),
        )?;
    }
    let mut section = "";
    for row in &filled.rows {
        if row.section != section {
            section = &row.section;
            doc.space(2.5);
            doc.paragraph(section, &it, Style::body().bold().size(10.5))?;
            doc.rule();
        }
        let mark = if row.verify { " *" } else { "" };
        let label = format!("[{}] {}{mark}", row.number, row.label);
        if row.boxes > 0 {
            doc.boxes(&label, &row.value, row.boxes)?;
        } else {
            doc.paragraph(&label, &it, Style::body().size(8.0))?;
            doc.space(6.0);
            doc.rule();
        }
        if let Some(note) = &row.note {
            doc.paragraph(note, &it, Style::body().size(7.5))?;
            doc.space(1.0);
        }
    }
    Ok(doc.render()?)
}
