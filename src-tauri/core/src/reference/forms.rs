//! The kit forms as data: for Modulo 1 and Modulo 2 of the postal kit, every numbered field's label,
//! the named value that goes in its boxes, how many boxes, `verify` marks and sources
//! (`assets/forms/*.toml`), and the provinces whose capoluogo names the Questura the form is addressed
//! to (`assets/reference/provinces.json`). Both come from the content in force (a content pack may
//! correct a field's number or label): they are read and checked once, when the content loads, and a
//! broken file is refused with its name and line.
//!
//! It owns parsing and checking these files: every field names a value the guides know (`VALUES`),
//! every motivo a form lists is in the same content's motivo table, every kit procedure has a guide
//! for each of its moduli. It must not decide what a value is
//! for a case nor lay out a guide (`papers::forms` does both).

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::reference::catalogue::Catalogue;
use crate::reference::content::Content;
use crate::reference::data::line_of;
use crate::reference::Reference;

/// The folder of the form files, one `<form>.toml` each.
pub const FOLDER: &str = "assets/forms";
/// The provinces table (sigla, name, whether current).
pub const PROVINCES: &str = "assets/reference/provinces.json";

/// The values a form field may ask for, each with the case field it comes from (where the UI shows a
/// problem). `blank` is written by hand at the counter. `papers::forms::value_of` says what each is.
pub const VALUES: [(&str, &str); 38] = [
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
    section: Vec<Section>,
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
    pub carta_motivi: Vec<String>,
    /// Motivi of employed and self-employed work (Modulo 2, fields 4 and 5).
    #[serde(default)]
    pub subordinato_motivi: Vec<String>,
    #[serde(default)]
    pub autonomo_motivi: Vec<String>,
}

/// A titled section of a form, its fields in the form's order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    pub field: Vec<Field>,
}

/// One numbered field of a form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub number: String,
    pub label: String,
    /// One of `VALUES`.
    pub value: String,
    /// One-character boxes the guide draws (0: a free line).
    pub boxes: usize,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub verify: bool,
    pub note: Option<String>,
    #[allow(dead_code)]
    source: String,
}

/// A form definition, from `assets/forms/` of a content.
#[derive(Debug, Clone)]
pub struct Form {
    pub head: FormHead,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Deserialize)]
struct ProvincesFile {
    provinces: Vec<Province>,
}

/// A province of `provinces.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Province {
    pub sigla: String,
    pub name: String,
    /// A province that still exists (the file keeps abolished ones for old codici fiscali).
    pub current: bool,
}

/// The forms and the provinces of one content, checked.
#[derive(Debug, Clone, Default)]
pub struct Forms {
    pub forms: Vec<Form>,
    pub provinces: Vec<Province>,
}

impl Forms {
    /// Reads the form files and the provinces of `content`; every motivo a form lists must be in
    /// `reference` (the same content's motivo table).
    pub fn from_content(content: &Content, reference: &Reference) -> Result<Forms> {
        let files: Vec<(&str, &str)> = content.area(FOLDER).collect();
        let forms = parse(&files)?;
        for ((file, text), form) in files.iter().zip(&forms) {
            let head = &form.head;
            let listed = head
                .carta_motivi
                .iter()
                .chain(&head.subordinato_motivi)
                .chain(&head.autonomo_motivi);
            if let Some(code) = listed.into_iter().find(|c| reference.motivo(c).is_none()) {
                return Err(Error::Data {
                    file: file.to_string(),
                    line: text
                        .find(&format!("\"{code}\""))
                        .map_or(0, |at| line_of(text, at)),
                    message: format!("form {}: unknown motivo {code}", head.id),
                });
            }
        }
        let (file, text) = content.source(PROVINCES)?;
        let provinces: ProvincesFile = serde_json::from_str(text).map_err(|e| Error::Data {
            file: file.to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        Ok(Forms {
            forms,
            provinces: provinces.provinces,
        })
    }

    /// Every kit procedure of `catalogue` (the same content's) has a guide for each of its moduli, or
    /// the procedure's file is refused naming the form it lacks.
    pub fn check_procedures(&self, catalogue: &Catalogue, content: &Content) -> Result<()> {
        for p in catalogue.procedures().iter().filter(|p| p.channel == "kit") {
            for m in &p.moduli {
                let kit_form = format!("Modulo {m}");
                if !self.forms.iter().any(|f| f.head.kit_form == kit_form) {
                    let line = content.source(&p.file).map_or(0, |(_, text)| {
                        text.find(&format!("id = \"{}\"", p.id))
                            .map_or(0, |at| line_of(text, at))
                    });
                    return Err(Error::Data {
                        file: p.file.clone(),
                        line,
                        message: format!("procedure {}: no form in {FOLDER} for {kit_form}", p.id),
                    });
                }
            }
        }
        Ok(())
    }

    /// The name of a current province by its sigla (case and spaces ignored).
    pub fn province_name(&self, sigla: &str) -> Option<&str> {
        self.provinces
            .iter()
            .find(|p| p.current && p.sigla.eq_ignore_ascii_case(sigla.trim()))
            .map(|p| p.name.as_str())
    }
}

/// Parses form files, `(name in the content, text)`; an error names the file and the line. Used for a
/// content's files and by tests of malformed ones.
pub fn parse(files: &[(&str, &str)]) -> Result<Vec<Form>> {
    files
        .iter()
        .map(|(file, text)| {
            let data_error = |line: usize, message: String| Error::Data {
                file: file.to_string(),
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
