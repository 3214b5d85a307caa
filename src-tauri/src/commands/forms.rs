//! Form commands: the guides that apply to a case's procedure, a guide filled for preview (or the list of
//! every problem of the case), printing or saving its PDF; and the bilingual receipt of today's visit.
//! Filling, checking and the receipt are `mixite_core`'s; printing, opening and saving are `output`'s.

use std::path::PathBuf;

use mixite_core::forms::{self, Filled};
use mixite_core::papers;
use mixite_core::{Error, Register};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::output::{self, Printed};
use crate::state::Desk;
use crate::wire::WireError;

/// What the forms part of the panel sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormArgs {
    pub case_id: i64,
    pub procedure: String,
    pub form: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormChoice {
    pub id: String,
    pub title: String,
    pub kit_form: String,
}

/// The guides that apply to a procedure (none for one handled at the Questura or elsewhere).
#[tauri::command(async)]
pub fn forms_list(desk: State<'_, Desk>, procedure: String) -> Result<Vec<FormChoice>, WireError> {
    desk.with(|r, _| {
        let p = r
            .catalogue()
            .procedure(&procedure)
            .ok_or(Error::NotFound("procedure"))?;
        Ok(forms::for_procedure(p)
            .into_iter()
            .map(|f| FormChoice {
                id: f.head.id.clone(),
                title: f.head.title.clone(),
                kit_form: f.head.kit_form.clone(),
            })
            .collect())
    })
}

fn filled(r: &Register, args: &FormArgs, today: chrono::NaiveDate) -> mixite_core::Result<Filled> {
    let case = r.get(args.case_id, today)?;
    let p = r
        .catalogue()
        .procedure(&args.procedure)
        .ok_or(Error::NotFound("procedure"))?;
    let form = forms::for_procedure(p)
        .into_iter()
        .find(|f| f.head.id == args.form)
        .ok_or(Error::NotFound("form"))?;
    forms::fill(form, &case, p)
}

/// The guide filled for the case, or every problem at once (on the case's fields).
#[tauri::command(async)]
pub fn forms_preview(desk: State<'_, Desk>, args: FormArgs) -> Result<Filled, WireError> {
    desk.with(|r, clock| filled(r, &args, clock.today))
}

fn render_to_file(desk: &Desk, args: &FormArgs) -> Result<PathBuf, WireError> {
    desk.with(|r, clock| {
        let filled = filled(r, args, clock.today)?;
        let pdf = forms::pdf(&desk.fonts, &filled, clock.today)?;
        output::store(desk, &filled.form, &filled.case_number, clock.today, &pdf)
    })
}

/// Prints the guide (or says there is no printer, with the PDF to open instead).
#[tauri::command(async)]
pub fn forms_print(desk: State<'_, Desk>, args: FormArgs) -> Result<Printed, WireError> {
    Ok(output::print(&render_to_file(&desk, &args)?))
}

/// Saves the guide where the operator chooses; `None` when cancelled.
#[tauri::command]
pub async fn forms_save<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    args: FormArgs,
) -> Result<Option<String>, WireError> {
    output::save(&app, &render_to_file(&desk, &args)?)
}

/// What the receipt and privacy-notice buttons send: the case, the applicant's language (the checklist
/// panel's choice), and which of the two (`informativa`; anything else is the receipt).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptArgs {
    pub case_id: i64,
    pub language: String,
    #[serde(default)]
    pub paper: String,
}

fn receipt_to_file(desk: &Desk, args: &ReceiptArgs) -> Result<PathBuf, WireError> {
    let operator = desk.operator();
    desk.with(|r, clock| {
        let (kind, pdf) = if args.paper == "informativa" {
            let pdf = mixite_core::receipt::informativa_pdf(
                r,
                &desk.fonts,
                args.case_id,
                &args.language,
                clock.today,
            )?;
            ("informativa", pdf)
        } else {
            let pdf = mixite_core::receipt::pdf(
                r,
                &desk.fonts,
                args.case_id,
                &args.language,
                &operator,
                clock.today,
            )?;
            ("ricevuta", pdf)
        };
        let number = r.get(args.case_id, clock.today)?.number;
        output::store(
            desk,
            &format!("{kind}-{}", args.language),
            &number,
            clock.today,
            &pdf,
        )
    })
}

/// Writes today's receipt and returns its path, for the viewer (`checklist_open`).
#[tauri::command(async)]
pub fn receipt_render(desk: State<'_, Desk>, args: ReceiptArgs) -> Result<String, WireError> {
    Ok(receipt_to_file(&desk, &args)?.display().to_string())
}

/// Prints today's receipt (or says there is no printer, with the PDF to open instead).
#[tauri::command(async)]
pub fn receipt_print(desk: State<'_, Desk>, args: ReceiptArgs) -> Result<Printed, WireError> {
    Ok(output::print(&receipt_to_file(&desk, &args)?))
}

/// Saves today's receipt where the operator chooses; `None` when cancelled.
#[tauri::command]
pub async fn receipt_save<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    args: ReceiptArgs,
) -> Result<Option<String>, WireError> {
    output::save(&app, &receipt_to_file(&desk, &args)?)
}

/// What the ospitalità and delega parts of the panel send: the case, which paper, and what the operator
/// typed for it (the host or the delegate is not kept in the register).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaperArgs {
    pub case_id: i64,
    pub paper: String,
    #[serde(default)]
    pub ospitalita: Option<papers::Ospitalita>,
    #[serde(default)]
    pub delega: Option<papers::Delega>,
}

fn paper_to_file(desk: &Desk, args: &PaperArgs) -> Result<PathBuf, WireError> {
    desk.with(|r, clock| {
        let case = r.get(args.case_id, clock.today)?;
        let pdf = match args.paper.as_str() {
            "ospitalita" => papers::pdf(
                &desk.fonts,
                &case,
                &args.ospitalita.clone().unwrap_or_default(),
                r.reference(),
                clock.today,
            )?,
            "delega" => papers::pdf(
                &desk.fonts,
                &case,
                &args.delega.clone().unwrap_or_default(),
                r.reference(),
                clock.today,
            )?,
            _ => return Err(Error::NotFound("paper")),
        };
        output::store(desk, &args.paper, &case.number, clock.today, &pdf)
    })
}

/// Checks and writes the paper, returning its path for the viewer (`checklist_open`).
#[tauri::command(async)]
pub fn papers_render(desk: State<'_, Desk>, args: PaperArgs) -> Result<String, WireError> {
    Ok(paper_to_file(&desk, &args)?.display().to_string())
}

/// Checks and prints the paper.
#[tauri::command(async)]
pub fn papers_print(desk: State<'_, Desk>, args: PaperArgs) -> Result<Printed, WireError> {
    Ok(output::print(&paper_to_file(&desk, &args)?))
}

/// Checks the paper and saves it where the operator chooses; `None` when cancelled.
#[tauri::command]
pub async fn papers_save<R: tauri::Runtime>(
    desk: State<'_, Desk>,
    app: tauri::AppHandle<R>,
    args: PaperArgs,
) -> Result<Option<String>, WireError> {
    output::save(&app, &paper_to_file(&desk, &args)?)
}
