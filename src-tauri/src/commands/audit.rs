//! Commands of the audit trail: the responsabile's screen (filters, verification, CSV export) and a
//! case's own entries on its detail screen. Labels come translated from the catalogue; the entries carry
//! no applicant data (see the core's `register::audit`). They must not write entries themselves.

use mixite_core::register::audit::{self, Action, Filter, Line};
use mixite_core::register::operators::Actor;
use mixite_core::{Error, Register};
use rust_i18n::t;
use serde::{Deserialize, Serialize};
use strum::VariantArray;
use tauri::State;

use super::output::Exported;
use crate::state::Desk;
use crate::wire::WireError;

fn label(action: &str, locale: &str) -> String {
    t!(format!("audit.action.{action}"), locale = locale).to_string()
}

/// Refuses an operator who is not a responsabile (the audit trail and the catalogue report are theirs).
pub(crate) fn responsabile(actor: &Actor) -> mixite_core::Result<()> {
    if actor.is_responsabile() {
        Ok(())
    } else {
        Err(Error::Access(mixite_core::error::AccessCode::NotAllowed))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    code: &'static str,
    label: String,
}

#[tauri::command(async)]
pub fn audit_actions(desk: State<'_, Desk>) -> Vec<Choice> {
    let locale = desk.locale();
    Action::VARIANTS
        .iter()
        .map(|a| {
            let code: &'static str = a.into();
            Choice {
                code,
                label: label(code, &locale),
            }
        })
        .collect()
}

/// An entry as the screens show it: its action labelled, its case by number when the case is here.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shown {
    #[serde(flatten)]
    line: Line,
    action_label: String,
    case_number: Option<String>,
}

fn shown(register: &Register, lines: Vec<Line>, locale: &str) -> mixite_core::Result<Vec<Shown>> {
    lines
        .into_iter()
        .map(|line| {
            let case_number = match &line.case_uuid {
                Some(uuid) => register.case_number_of(uuid)?,
                None => None,
            };
            Ok(Shown {
                action_label: label(&line.action, locale),
                case_number,
                line,
            })
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct FilterArgs {
    operator_id: Option<String>,
    /// A case number (`2026/000001`) or UUID.
    case_query: Option<String>,
    action: Option<Action>,
    from: Option<String>,
    to: Option<String>,
}

impl FilterArgs {
    fn filter(self, register: &Register) -> mixite_core::Result<Filter> {
        let case_uuid = match self.case_query.as_deref().map(str::trim) {
            Some(q) if !q.is_empty() => {
                Some(register.case_uuid_of(q)?.unwrap_or_else(|| q.to_string()))
            }
            _ => None,
        };
        let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        Ok(Filter {
            operator_id: blank(self.operator_id),
            case_uuid,
            action: self.action,
            from: blank(self.from),
            to: blank(self.to),
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShownPage {
    items: Vec<Shown>,
    has_more: bool,
}

#[tauri::command(async)]
pub fn audit_list(
    desk: State<'_, Desk>,
    filter: FilterArgs,
    offset: usize,
    limit: usize,
) -> Result<ShownPage, WireError> {
    let locale = desk.locale();
    desk.acting(|r, actor, _| {
        responsabile(actor)?;
        let filter = filter.filter(r)?;
        let page = audit::list(r.store().conn(), &filter, offset, limit.min(200))?;
        Ok(ShownPage {
            items: shown(r, page.items, &locale)?,
            has_more: page.has_more,
        })
    })
}

/// A case's own entries, for its detail screen (any operator: it is their desk's work).
#[tauri::command(async)]
pub fn audit_case(desk: State<'_, Desk>, case_id: i64) -> Result<ShownPage, WireError> {
    let locale = desk.locale();
    desk.with(|r, clock| {
        let uuid = r.get(case_id, clock.today)?.uuid;
        let filter = Filter {
            case_uuid: Some(uuid),
            ..Filter::default()
        };
        let page = audit::list(r.store().conn(), &filter, 0, 200)?;
        Ok(ShownPage {
            items: shown(r, page.items, &locale)?,
            has_more: page.has_more,
        })
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerdictShown {
    entries: i64,
    first_broken: Option<i64>,
    reason: Option<String>,
}

#[tauri::command(async)]
pub fn audit_verify(desk: State<'_, Desk>) -> Result<VerdictShown, WireError> {
    let locale = desk.locale();
    desk.acting(|r, actor, _| {
        responsabile(actor)?;
        let verdict = audit::verify(r.store().conn())?;
        Ok(VerdictShown {
            entries: verdict.entries,
            first_broken: verdict.first_broken,
            reason: verdict
                .reason
                .map(|code| t!(format!("audit.broken.{code}"), locale = locale).to_string()),
        })
    })
}

/// Saves the filtered entries as CSV where the responsabile chooses (`None` when cancelled).
#[tauri::command(async)]
pub fn audit_export<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
    filter: FilterArgs,
) -> Result<Option<Exported>, WireError> {
    let locale = desk.locale();
    let text = desk.acting(|r, actor, _| {
        responsabile(actor)?;
        let filter = filter.filter(r)?;
        audit::csv(r.store().conn(), &filter, |a| label(a.into(), &locale))
    })?;
    let path = super::output::save_as(
        &app,
        &locale,
        "registro-operazioni.csv",
        "csv",
        text.as_bytes(),
        "the audit CSV",
    )?;
    Ok(path.map(|path| Exported { path }))
}
