//! Declarations the operator types for a case: the comunicazione di ospitalità / cessione
//! di fabbricato (art. 7 D.Lgs. 286/1998, brief §4.4) with the host, the guest (the case's applicant), the
//! guest's document, the property, the title and the dates, in one or three copies; and the delega that
//! authorises a third person to act for the applicant. The operator types the host's or the delegate's
//! data for the print; this module checks them (every problem at once, on the panel's own fields, a
//! character no shipped font has included) and lays the paper out through the print engine.
//!
//! It must not store the host's or the delegate's data in the register (they are not the case's people),
//! nor print a paper while a required field is missing.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, FieldCode, FieldError, Result};
use crate::model::CaseView;
use crate::papers::print::{Document, FontLibrary, Lang, PageSetup, Style};
use crate::reference::text::italian_date;
use crate::reference::Reference;
use crate::register::Register;

/// A person the operator types in for a paper (the host, the delegate).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Person {
    pub surname: String,
    pub given_names: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_place: String,
    pub citizenship: String,
    pub street: String,
    pub house_number: String,
    pub comune: String,
    pub province: String,
    pub phone: String,
    pub document_kind: String,
    pub document_number: String,
    /// For a foreign host: the residence permit's number.
    pub permit_number: String,
}

/// Where the guest lives or what is handed over.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Property {
    pub street: String,
    pub house_number: String,
    pub comune: String,
    pub province: String,
    /// Cadastral identifiers, asked by some Comuni (optional).
    pub foglio: String,
    pub mappale: String,
    pub subalterno: String,
}

/// The comunicazione di ospitalità as the operator fills it in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Ospitalita {
    pub host: Person,
    /// `proprietario`, `affittuario`, `comodatario` or `altro` (then `title_other`).
    pub title: String,
    pub title_other: String,
    pub property: Property,
    /// `ospitalita` (the guest lives with the host) or `cessione` (the property is handed over).
    pub kind: String,
    pub from: String,
    /// Empty: a tempo indeterminato.
    pub to: String,
    /// 1, or 3 where the Comune asks for the form in triplicate.
    pub copies: u8,
}

/// The delega as the operator fills it in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Delega {
    pub delegate: Person,
    /// What the delegate may do, in the operator's words (e.g. "ritirare la ricevuta").
    pub purpose: String,
}

const TITLES: [&str; 4] = ["proprietario", "affittuario", "comodatario", "altro"];

/// Collects the problems of a form typed in the panel, all at once.
pub struct Problems {
    list: Vec<FieldError>,
}

impl Problems {
    fn required(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.list.push(FieldError::new(field, FieldCode::Required));
        }
    }

    fn date(&mut self, field: &str, value: &str, required: bool) -> Option<NaiveDate> {
        if value.trim().is_empty() {
            if required {
                self.list.push(FieldError::new(field, FieldCode::Required));
            }
            return None;
        }
        let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            self.list
                .push(FieldError::new(field, FieldCode::DateInvalid));
        }
        date
    }

    fn country(&mut self, field: &str, value: &str, reference: &Reference) {
        if value.trim().is_empty() {
            self.list.push(FieldError::new(field, FieldCode::Required));
        } else if reference.country(value.trim()).is_none() && value.trim() != "ITA" {
            self.list
                .push(FieldError::new(field, FieldCode::UnknownCountry));
        }
    }

    /// Every typed text that prints must be printable: a character no shipped font has is refused on
    /// its own field (rather than as the print engine's anonymous `text` problem).
    fn glyphs(&mut self, fonts: &FontLibrary, texts: &[(String, &str)]) -> Result<()> {
        self.list
            .extend(crate::papers::checklist::glyph_problems(fonts, texts)?);
        Ok(())
    }

    /// A person's identity, residence and document (`prefix`: `host` or `delegate`).
    fn person(&mut self, prefix: &str, p: &Person, reference: &Reference) {
        let f = |name: &str| format!("{prefix}.{name}");
        self.required(&f("surname"), &p.surname);
        self.required(&f("givenNames"), &p.given_names);
        self.date(&f("birthDate"), &p.birth_date, true);
        self.required(&f("birthPlace"), &p.birth_place);
        self.country(&f("citizenship"), &p.citizenship, reference);
        self.required(&f("documentNumber"), &p.document_number);
    }

    fn done(self) -> Result<()> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.list))
        }
    }
}

/// The register's document kind in the words of an Italian form.
fn kind_it(kind: &str) -> &str {
    match kind {
        "passport" => "passaporto",
        "travel_document" => "documento di viaggio",
        "identity_card" => "carta d'identità",
        "other" => "altro documento",
        other => other,
    }
}

/// "Nato/a a: Durrës (ALB) il 15/04/1990" for the case's applicant.
fn born(a: &crate::model::Applicant) -> (&'static str, String) {
    (
        "Nato/a a",
        format!(
            "{} ({}) il {}",
            a.birth_place,
            a.birth_country,
            italian_date(&a.birth_date)
        ),
    )
}

fn header(case: &CaseView, today: NaiveDate, what: &str) -> PageSetup {
    PageSetup::a4().headed(format!(
        "{what} · Pratica n. {} · stampato il {}",
        case.number,
        today.format("%d/%m/%Y")
    ))
}

/// Label and value lines, one under the other ("Cognome: HOXHA").
fn rows(doc: &mut Document, rows: &[(&str, String)]) -> Result<()> {
    let it = Lang::italian();
    for (label, value) in rows {
        let value = if value.trim().is_empty() {
            "________________________"
        } else {
            value.trim()
        };
        doc.paragraph(&format!("{label}: {value}"), &it, Style::body().size(10.0))?;
    }
    Ok(())
}

/// The texts typed for a person that the paper prints, with their field paths (`prefix`: `host` or
/// `delegate`); the permit's number only where the paper prints it.
fn person_texts<'p>(prefix: &str, p: &'p Person, permit: bool) -> Vec<(String, &'p str)> {
    let mut texts = vec![
        ("surname", p.surname.as_str()),
        ("givenNames", &p.given_names),
        ("sex", &p.sex),
        ("birthPlace", &p.birth_place),
        ("citizenship", &p.citizenship),
        ("street", &p.street),
        ("houseNumber", &p.house_number),
        ("comune", &p.comune),
        ("province", &p.province),
        ("phone", &p.phone),
        ("documentKind", &p.document_kind),
        ("documentNumber", &p.document_number),
    ];
    if permit {
        texts.push(("permitNumber", &p.permit_number));
    }
    texts
        .into_iter()
        .map(|(name, text)| (format!("{prefix}.{name}"), text))
        .collect()
}

fn person_rows(p: &Person) -> Vec<(&'static str, String)> {
    vec![
        ("Cognome e nome", format!("{} {}", p.surname, p.given_names)),
        ("Sesso", p.sex.clone()),
        (
            "Nato/a a",
            format!("{} il {}", p.birth_place, italian_date(&p.birth_date)),
        ),
        ("Cittadinanza", p.citizenship.clone()),
        (
            "Residente a",
            format!(
                "{} ({}), {} {}",
                p.comune, p.province, p.street, p.house_number
            ),
        ),
        ("Telefono", p.phone.clone()),
        (
            "Documento",
            format!("{} n. {}", p.document_kind, p.document_number),
        ),
    ]
}

fn signature(doc: &mut Document, place: &str, who: &str) -> Result<()> {
    let it = Lang::italian();
    doc.space(8.0);
    doc.paragraph(
        &format!("{place}, li ____________________"),
        &it,
        Style::body(),
    )?;
    doc.space(6.0);
    doc.paragraph(
        &format!("Firma {who} ______________________________"),
        &it,
        Style::body(),
    )?;
    Ok(())
}

/// A declaration typed in the panel: what it checks, and how it is written.
pub trait Declaration {
    /// What the page header calls it.
    const NAME: &'static str;
    fn check(&self, p: &mut Problems, reference: &Reference);
    /// The typed texts the paper prints, with their field paths.
    fn texts(&self) -> Vec<(String, &str)>;
    fn write(&self, doc: &mut Document, case: &CaseView) -> Result<()>;
}

/// Checks a paper (every problem at once, nothing printed while one remains) and prints it for a case.
pub fn pdf<P: Declaration>(
    fonts: &FontLibrary,
    case: &CaseView,
    paper: &P,
    register: &Register,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let mut problems = Problems { list: Vec::new() };
    paper.check(&mut problems, register.reference());
    problems.glyphs(fonts, &paper.texts())?;
    problems.done()?;
    let setup = header(case, today, P::NAME).footed(register.content().stamp.footer());
    let mut doc = Document::new(fonts, setup)?;
    paper.write(&mut doc, case)?;
    Ok(doc.render()?)
}

impl Declaration for Ospitalita {
    const NAME: &'static str = "Comunicazione di ospitalità";

    fn check(&self, p: &mut Problems, reference: &Reference) {
        let form = self;
        p.person("host", &form.host, reference);
        p.required("host.comune", &form.host.comune);
        p.required("host.street", &form.host.street);
        if !TITLES.contains(&form.title.as_str()) {
            p.list.push(FieldError::new("title", FieldCode::Required));
        } else if form.title == "altro" {
            p.required("titleOther", &form.title_other);
        }
        p.required("property.street", &form.property.street);
        p.required("property.houseNumber", &form.property.house_number);
        p.required("property.comune", &form.property.comune);
        if !matches!(form.kind.as_str(), "ospitalita" | "cessione") {
            p.list.push(FieldError::new("kind", FieldCode::Required));
        }
        let from = p.date("from", &form.from, true);
        let to = p.date("to", &form.to, false);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                p.list
                    .push(FieldError::new("to", FieldCode::ExpiryBeforeIssue));
            }
        }
        if !matches!(form.copies, 1 | 3) {
            p.list
                .push(FieldError::new("copies", FieldCode::UnknownCode));
        }
    }

    fn texts(&self) -> Vec<(String, &str)> {
        let pr = &self.property;
        let mut texts = person_texts("host", &self.host, true);
        texts.extend([
            ("titleOther".to_string(), self.title_other.as_str()),
            ("property.street".into(), &pr.street),
            ("property.houseNumber".into(), &pr.house_number),
            ("property.comune".into(), &pr.comune),
            ("property.province".into(), &pr.province),
            ("property.foglio".into(), &pr.foglio),
            ("property.mappale".into(), &pr.mappale),
            ("property.subalterno".into(), &pr.subalterno),
        ]);
        texts
    }

    fn write(&self, doc: &mut Document, case: &CaseView) -> Result<()> {
        let form = self;
        let a = &case.data.applicant;
        let it = Lang::italian();
        for copy in 1..=form.copies {
            if copy > 1 {
                doc.page_break();
            }
            doc.paragraph(
                "COMUNICAZIONE DI OSPITALITÀ / CESSIONE DI FABBRICATO",
                &it,
                Style::title().size(13.0),
            )?;
            doc.paragraph(
            "(art. 7 D.Lgs. 25 luglio 1998 n. 286 – da presentare entro 48 ore all'autorità locale di \
             pubblica sicurezza; dove non c'è un Commissariato, al Sindaco)",
            &it,
            Style::body().size(8.5),
        )?;
            if form.copies > 1 {
                doc.paragraph(
                    &format!("Copia {copy} di {}", form.copies),
                    &it,
                    Style::body().size(8.5),
                )?;
            }
            doc.space(2.0);
            doc.paragraph(
                "IL/LA SOTTOSCRITTO/A (dichiarante)",
                &it,
                Style::body().bold(),
            )?;
            let mut host = person_rows(&form.host);
            if !form.host.permit_number.trim().is_empty() {
                host.push(("Permesso di soggiorno n.", form.host.permit_number.clone()));
            }
            rows(doc, &host)?;
            let title = if form.title == "altro" {
                form.title_other.clone()
            } else {
                form.title.clone()
            };
            rows(doc, &[("in qualità di", title)])?;
            doc.space(2.0);
            let what = if form.kind == "cessione" {
                "COMUNICA di aver ceduto (in vendita, locazione o comodato) l'immobile sotto indicato"
            } else {
                "COMUNICA di ospitare presso l'immobile sotto indicato"
            };
            let until = if form.to.trim().is_empty() {
                "a tempo indeterminato".to_string()
            } else {
                format!("fino al {}", italian_date(&form.to))
            };
            doc.paragraph(
                &format!("{what}, dal {} {until}:", italian_date(&form.from)),
                &it,
                Style::body().bold(),
            )?;
            let pr = &form.property;
            let mut property = vec![(
                "Immobile",
                format!(
                    "{} ({}), {} {}",
                    pr.comune, pr.province, pr.street, pr.house_number
                ),
            )];
            if !(pr.foglio.is_empty() && pr.mappale.is_empty() && pr.subalterno.is_empty()) {
                property.push((
                    "Dati catastali",
                    format!(
                        "foglio {} mappale {} subalterno {}",
                        pr.foglio, pr.mappale, pr.subalterno
                    ),
                ));
            }
            rows(doc, &property)?;
            doc.space(2.0);
            doc.paragraph(
                "IL/LA CITTADINO/A STRANIERO/A (ospite o cessionario)",
                &it,
                Style::body().bold(),
            )?;
            rows(
                doc,
                &[
                    ("Cognome e nome", format!("{} {}", a.surname, a.given_names)),
                    ("Sesso", a.sex.clone()),
                    born(a),
                    ("Cittadinanza", a.citizenships.join(", ")),
                    (
                        "Passaporto o documento",
                        format!(
                            "{} n. {}, rilasciato da {} il {}, valido fino al {}",
                            kind_it(&a.document.kind),
                            a.document.number,
                            a.document.authority,
                            italian_date(&a.document.issue_date),
                            italian_date(&a.document.expiry_date)
                        ),
                    ),
                    (
                        "Permesso di soggiorno (o ricevuta della domanda)",
                        case.data.current_permit.number.clone(),
                    ),
                ],
            )?;
            doc.space(2.0);
            doc.paragraph(
            "Allegati: copia del documento del dichiarante (del permesso di soggiorno se straniero); copia \
             del passaporto dell'ospite con la pagina del visto, o del permesso di soggiorno o della ricevuta \
             postale; copia del titolo sull'immobile (atto, contratto).",
            &it,
            Style::body().size(8.5),
        )?;
            signature(doc, &form.host.comune, "del dichiarante")?;
        }
        Ok(())
    }
}

impl Declaration for Delega {
    const NAME: &'static str = "Delega";

    fn check(&self, p: &mut Problems, reference: &Reference) {
        p.person("delegate", &self.delegate, reference);
        p.required("purpose", &self.purpose);
    }

    fn texts(&self) -> Vec<(String, &str)> {
        let mut texts = person_texts("delegate", &self.delegate, false);
        texts.push(("purpose".into(), &self.purpose));
        texts
    }

    fn write(&self, doc: &mut Document, case: &CaseView) -> Result<()> {
        let form = self;
        let a = &case.data.applicant;
        let it = Lang::italian();
        doc.paragraph("DELEGA", &it, Style::title().size(14.0))?;
        doc.space(2.0);
        doc.paragraph("Il/La sottoscritto/a", &it, Style::body().bold())?;
        rows(
            doc,
            &[
                ("Cognome e nome", format!("{} {}", a.surname, a.given_names)),
                born(a),
                (
                    "Documento",
                    format!("{} n. {}", kind_it(&a.document.kind), a.document.number),
                ),
                ("Pratica dello sportello", case.number.clone()),
            ],
        )?;
        doc.space(2.0);
        doc.paragraph("DELEGA", &it, Style::body().bold())?;
        rows(doc, &person_rows(&form.delegate))?;
        doc.space(2.0);
        doc.paragraph(
            &format!("a: {}", form.purpose.trim()),
            &it,
            Style::body().bold(),
        )?;
        doc.paragraph(
        "Il delegato deve presentarsi con un proprio documento d'identità valido e con copia del documento \
         del delegante. La delega non vale per gli adempimenti che richiedono la presenza personale del \
         richiedente (rilievi fotodattiloscopici in Questura, firma della domanda).",
        &it,
        Style::body().size(8.5),
    )?;
        signature(doc, "Lucca", "del delegante")?;
        Ok(())
    }
}
