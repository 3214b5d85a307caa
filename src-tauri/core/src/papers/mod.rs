//! Every paper the desk prints for a case, behind one API. A `Paper` says which paper and with what
//! options; `file` renders it for a case, writes it sealed (`sealed`) into the data folder's print folder
//! under the case's UUID and records it against the case (`folder`), in one step, and hands the plain
//! PDF back for the printer. The shell's generic commands (render,
//! print, save, open) call this and know nothing of any one paper: a new paper is a variant here, the
//! module that lays it out, and its panel in the UI.
//!
//! It must not send anything to a printer or open a dialog (the shell does), nor put a person's name in a
//! file name: files are named by paper, language and date, inside a folder named by the case's UUID.
//!
//! One paper belongs to no case and is not a `Paper`: the register's recovery sheet (`recovery`), which
//! holds the register's recovery key and is never filed, only returned as PDF bytes for the printer.
//! Two belong to a case but are not filed either (`access_report`): the right-of-access report, a copy of
//! everything held on the applicant, and the deletion receipt of an anonymised case; the same module
//! removes an anonymised case's print folder, which the register may not touch.

pub mod access_report;
pub mod appointment;
pub mod checklist;
pub mod declarations;
pub mod folder;
pub mod forms;
pub mod print;
pub mod qr;
pub mod receipt;
pub mod recovery;
pub mod referral;
pub mod reminder;
pub mod report;
pub mod sealed;
pub mod wording;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::clock::Clock;
use crate::error::{Error, Missing, Result};
use crate::model::CaseView;
use crate::reference::catalogue::Selection;
use crate::register::Register;
use checklist::Request;
use print::FontLibrary;

pub use folder::{Filed, PaperFile};

/// A paper and its options, as the case's panel sends it: `{ "kind": "checklist", "options": {…} }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    tag = "kind",
    content = "options",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Paper {
    /// The bilingual list of documents, fees and next steps for a procedure of the catalogue.
    Checklist(ChecklistOptions),
    /// A kit form's filling-in guide (Modulo 1 or 2) for a procedure.
    Guide { procedure: String, form: String },
    /// The receipt of today's visit, Italian beside `language`.
    Ricevuta { language: String },
    /// The privacy notice with its consent boxes, Italian beside `language`.
    Informativa { language: String },
    /// The comunicazione di ospitalità / cessione di fabbricato, from what the operator typed.
    Ospitalita(Box<declarations::Ospitalita>),
    /// The delega, from what the operator typed.
    Delega(Box<declarations::Delega>),
}

/// What a checklist is printed for.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistOptions {
    pub procedure: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub duration: Option<String>,
    /// The applicant's language printed under the Italian (ignored with `italian_only`).
    pub language: String,
    #[serde(default)]
    pub italian_only: bool,
}

impl ChecklistOptions {
    /// The request `checklist` renders (an empty variant or duration is none).
    pub fn request(&self) -> Request<'_> {
        Request {
            selection: Selection {
                procedure: &self.procedure,
                variant: self.variant.as_deref().filter(|v| !v.is_empty()),
                duration: self.duration.as_deref().filter(|d| !d.is_empty()),
            },
            language: &self.language,
            italian_only: self.italian_only,
        }
    }
}

impl Paper {
    /// What the record calls this paper (`papers.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Paper::Checklist(_) => "checklist",
            Paper::Guide { .. } => "guide",
            Paper::Ricevuta { .. } => "ricevuta",
            Paper::Informativa { .. } => "informativa",
            Paper::Ospitalita(_) => "ospitalita",
            Paper::Delega(_) => "delega",
        }
    }

    /// The start of the file name: the paper and, for bilingual papers, the language printed beside the
    /// Italian (`checklist-ar`, `modulo1`, `ricevuta-ur`). Only called once rendering succeeded, so
    /// language and form are known codes; anything else is replaced, never trusted into a file name.
    fn stem(&self) -> String {
        let raw = match self {
            Paper::Checklist(o) if o.italian_only => "checklist-it".to_string(),
            Paper::Checklist(o) => format!("checklist-{}", o.language),
            Paper::Guide { form, .. } => form.clone(),
            Paper::Ricevuta { language } | Paper::Informativa { language } => {
                format!("{}-{language}", self.kind())
            }
            Paper::Ospitalita(_) | Paper::Delega(_) => self.kind().to_string(),
        };
        raw.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect()
    }
}

/// The PDF of a paper for a case already read. `operator` is the name printed where a paper is signed
/// by the desk (the receipt).
pub fn render(
    register: &Register,
    fonts: &FontLibrary,
    case: &CaseView,
    paper: &Paper,
    operator: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    match paper {
        Paper::Checklist(o) => checklist::render_case(register, fonts, case, &o.request(), today),
        Paper::Guide { procedure, form } => {
            let filled = forms::for_case(register, case, procedure, form)?;
            forms::pdf(fonts, &filled, today)
        }
        Paper::Ricevuta { language } => {
            receipt::ricevuta(register, fonts, case, language, operator, today)
        }
        Paper::Informativa { language } => {
            receipt::informativa(register, fonts, case, language, today)
        }
        Paper::Ospitalita(o) => declarations::pdf(fonts, case, &**o, register, today),
        Paper::Delega(d) => declarations::pdf(fonts, case, &**d, register, today),
    }
}

/// Renders a paper for a case and files it: the PDF goes, sealed, to `print/<case uuid>/<stem>-<date>.pdf`
/// (written whole under a temporary name, synced, then renamed) and is recorded against the case in one
/// transaction, with the operator and the moment; the answer carries the plain PDF. Printing the same paper again the same day replaces
/// the file and its record: a case never has two records of one file.
pub fn file(
    register: &mut Register,
    fonts: &FontLibrary,
    case_id: i64,
    paper: &Paper,
    operator: &str,
    at: &Clock,
) -> Result<Filed> {
    let case = register.get(case_id, at.today)?;
    register.expect_in_use(case_id)?;
    let pdf = render(register, fonts, &case, paper, operator, at.today)?;
    let name = format!("{}-{}.pdf", paper.stem(), at.today.format("%Y%m%d"));
    let filed = folder::put(register, &case, &name, paper.kind(), pdf, operator, at)?;
    // The receipt's appointment, as the QR code holds it, kept with the case as its `.ics` file (the
    // operator can hand it over by e-mail or a stick from the case's papers).
    if let Paper::Ricevuta { language } = paper {
        if let Some((ics_name, text)) =
            receipt::appointment_file(register, &case, language, at.today)?
        {
            folder::put(
                register,
                &case,
                &ics_name,
                APPOINTMENT_KIND,
                text.into_bytes(),
                operator,
                at,
            )?;
        }
    }
    Ok(filed)
}

/// The kind of the appointment's calendar file in the `papers` records.
pub const APPOINTMENT_KIND: &str = "appuntamento";

/// The translated sheet a `Checklist` paper prints, for the panel's preview.
pub fn checklist_preview(
    register: &Register,
    case_id: i64,
    paper: &Paper,
    today: NaiveDate,
) -> Result<checklist::Sheet> {
    let Paper::Checklist(options) = paper else {
        return Err(Error::NotFound(Missing::Paper));
    };
    checklist::for_case(register, case_id, &options.request(), today)
}

/// The filled rows a `Guide` paper prints, or every problem of the case at once, for the preview.
pub fn guide_preview(
    register: &Register,
    case_id: i64,
    paper: &Paper,
    today: NaiveDate,
) -> Result<forms::Filled> {
    let Paper::Guide { procedure, form } = paper else {
        return Err(Error::NotFound(Missing::Paper));
    };
    forms::for_case(register, &register.get(case_id, today)?, procedure, form)
}
