//! Pre-filled forms: the guides to filling in Modulo 1 and Modulo 2 of the postal kit. For every numbered
//! field of the printed form the guide gives its label and the exact value to copy, in one-character boxes,
//! in block capitals: codes for the procedure and motivo, state codes, dates as the kit writes them
//! (GG MM AAAA), names transliterated to A–Z as in the passport's MRZ (ICAO 9303 Part 3 §6, `mrz` crate).
//!
//! Field numbers, labels, box counts, sources and `verify` marks are data (`assets/forms/*.toml`); this
//! module owns what each named value is for a case (`value_of`), the checks before printing (every problem
//! at once, on the case field it comes from, and no PDF while one remains), and the layout through the
//! print engine. It must not print anything that reads as the official form: every page says it is a guide
//! for copying onto the kit's form, and fields whose numbering is uncertain are marked.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldCode, FieldError, Missing, Result};
use crate::model::CaseView;
use crate::papers::print::{Document, FontLibrary, Lang, PageSetup, Style};
use crate::reference::catalogue::Procedure;
use crate::register::Register;

const FILES: [(&str, &str); 2] = [
    (
        "modulo1.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/forms/modulo1.toml"
        )),
    ),
    (
        "modulo2.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/forms/modulo2.toml"
        )),
    ),
];

/// The values a form field may ask for, each with the case field it comes from (where the UI shows a
/// problem). `blank` is written by hand at the counter.
const VALUES: [(&str, &str); 38] = [
    ("questura_city", "applicant.address.province"),
    ("province", "applicant.address.province"),
    ("comune", "applicant.address.comune"),
    ("street", "applicant.address.street"),
    ("house_number", "applicant.address.houseNumber"),
    ("postcode", "applicant.address.postcode"),
    ("phone", "applicant.phone"),
    ("surname", "applicant.surname"),
    ("given_names", "applicant.givenNames"),
    ("sex", "applicant.sex"),
    ("birth_date", "applicant.birthDate"),
    ("birth_place", "applicant.birthPlace"),
    ("birth_country", "applicant.birthCountry"),
    ("citizenship", "applicant.citizenships"),
    ("codice_fiscale", "applicant.codiceFiscale"),
    ("marital_status", "household"),
    ("children_count", "household"),
    ("tick_passport", "applicant.document.kind"),
    ("document_number", "applicant.document.number"),
    ("document_expiry", "applicant.document.expiryDate"),
    ("document_issuer", "applicant.document.kind"),
    ("tick_rilascio", "request.procedure"),
    ("tick_rinnovo", "request.procedure"),
    ("tick_aggiornamento", "request.procedure"),
    ("tick_duplicato", "request.procedure"),
    ("tick_conversione", "request.procedure"),
    ("tick_permesso", "request.motivoCode"),
    ("tick_carta", "request.motivoCode"),
    ("request_motivo", "request.motivoCode"),
    ("current_permit_number", "currentPermit.number"),
    ("current_permit_motivo", "currentPermit.motivoCode"),
    ("current_permit_expiry", "currentPermit.expiryDate"),
    ("tick_modulo1", "request.procedure"),
    ("tick_modulo2", "request.procedure"),
    ("tick_subordinato", "request.motivoCode"),
    ("tick_autonomo", "request.motivoCode"),
    ("blank", ""),
    ("employer", ""),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormFile {
    form: FormHead,
    section: Vec<SectionDef>,
}

/// A form's heading data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormHead {
    pub id: String,
    pub title: String,
    /// The kit's form this guide is for (`Modulo 1`).
    pub kit_form: String,
    /// The whole layout is reconstructed, not read from the official PDF.
    #[serde(default)]
    pub verify: bool,
    pub source: String,
    pub source_date: NaiveDate,
    /// Motivi of the carta di soggiorno (field 15 of Modulo 1 instead of 14).
    #[serde(default)]
    carta_motivi: Vec<String>,
    /// Motivi of employed and self-employed work (Modulo 2, fields 4 and 5).
    #[serde(default)]
    subordinato_motivi: Vec<String>,
    #[serde(default)]
    autonomo_motivi: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionDef {
    title: String,
    field: Vec<FieldDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldDef {
    number: String,
    label: String,
    value: String,
    boxes: usize,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    verify: bool,
    note: Option<String>,
    #[allow(dead_code)]
    source: String,
}

/// A form definition, loaded from `assets/forms/`.
#[derive(Debug, Clone)]
pub struct Form {
    pub head: FormHead,
    sections: Vec<SectionDef>,
}

/// Parses form files; an error names the file and the line. Used for the bundled files and by tests of
/// malformed ones.
pub fn parse(files: &[(&str, &str)]) -> Result<Vec<Form>> {
    files
        .iter()
        .map(|(file, text)| {
            let data_error = |line: usize, message: String| Error::Data {
                file: format!("assets/forms/{file}"),
                line,
                message,
            };
            let parsed: FormFile = toml::from_str(text).map_err(|e| {
                let line = e
                    .span()
                    .map_or(0, |s| text[..s.start].lines().count().max(1));
                data_error(line, e.message().to_string())
            })?;
            for field in parsed.section.iter().flat_map(|s| &s.field) {
                if !VALUES.iter().any(|(v, _)| *v == field.value) {
                    let line = text
                        .lines()
                        .position(|l| l.trim() == format!("value = \"{}\"", field.value))
                        .map_or(0, |i| i + 1);
                    return Err(data_error(
                        line,
                        format!("field {}: unknown value {}", field.number, field.value),
                    ));
                }
            }
            Ok(Form {
                head: parsed.form,
                sections: parsed.section,
            })
        })
        .collect()
}

/// The bundled forms.
pub fn bundled() -> &'static [Form] {
    static FORMS: OnceLock<Vec<Form>> = OnceLock::new();
    FORMS.get_or_init(|| parse(&FILES).expect("assets/forms are checked by the tests"))
}

/// The guides that apply to a procedure: Modulo 1 for every kit procedure, Modulo 2 when it asks for it.
pub fn for_procedure(procedure: &Procedure) -> Vec<&'static Form> {
    bundled()
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
    Ok(for_procedure(p)
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
    let form = for_procedure(p)
        .into_iter()
        .find(|f| f.head.id == form)
        .ok_or(Error::NotFound(Missing::Form))?;
    let mut filled = fill(form, case, p)?;
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

#[derive(Deserialize)]
struct ProvincesFile {
    provinces: Vec<Province>,
}

#[derive(Deserialize)]
struct Province {
    sigla: String,
    name: String,
    current: bool,
}

/// The name of a current province (its capoluogo names the Questura), from `assets/reference/provinces.json`.
fn province_name(sigla: &str) -> Option<&'static str> {
    static PROVINCES: OnceLock<Vec<Province>> = OnceLock::new();
    PROVINCES
        .get_or_init(|| {
            let file: ProvincesFile = serde_json::from_str(include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../assets/reference/provinces.json"
            )))
            .expect("assets/reference/provinces.json is checked by the tests");
            file.provinces
        })
        .iter()
        .find(|p| p.current && p.sigla.eq_ignore_ascii_case(sigla.trim()))
        .map(|p| p.name.as_str())
}

fn value_of(name: &str, form: &FormHead, case: &CaseView, procedure: &Procedure) -> String {
    let d = &case.data;
    let a = &d.applicant;
    let request = |p: &str| tick(d.request.procedure == p);
    match name {
        "questura_city" => province_name(&a.address.province)
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
/// returned at once; a guide is only returned when there is none.
pub fn fill(form: &Form, case: &CaseView, procedure: &Procedure) -> Result<Filled> {
    let mut rows = Vec::new();
    let mut problems: Vec<FieldError> = Vec::new();
    let mut seen = BTreeSet::new();
    for section in &form.sections {
        for field in &section.field {
            let value = value_of(&field.value, &form.head, case, procedure);
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
