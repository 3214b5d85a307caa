//! Commands of the content in force (issue 13 §5): which content pack the desk prints from (the about
//! screen), what a pack chosen on a stick or in a folder would change, applying it and going back to
//! the previous one. Verification, the checks, the swap in the data folder and the audit entry are the
//! core's (`Register::inspect_pack`, `apply_pack`, `restore_pack`), always against the keys this build
//! embeds; these commands must not decide anything themselves.

use mixite_core::reference::pack::{self, Diff};
use mixite_core::register::content::InForce;
use serde::Serialize;
use tauri::State;

use crate::state::Desk;
use crate::wire::WireError;

/// The content in force, with why an installed pack is not in use said in the operator's language.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentInfo {
    #[serde(flatten)]
    in_force: InForce,
    problem_message: Option<String>,
}

fn info(desk: &Desk, in_force: InForce) -> ContentInfo {
    let problem_message = in_force.problem.as_ref().map(|p| {
        let refusal = mixite_core::Error::Pack {
            code: p.code,
            detail: p.detail.clone(),
        };
        WireError::from_core(&refusal, &desk.locale()).message
    });
    ContentInfo {
        in_force,
        problem_message,
    }
}

/// A pack file's bytes, refused unread when larger than any pack (`pack::MAX_PACK_BYTES`).
fn read_pack(path: &str) -> mixite_core::Result<Vec<u8>> {
    if std::fs::metadata(path)?.len() > pack::MAX_PACK_BYTES {
        return Err(mixite_core::Error::Pack {
            code: mixite_core::error::PackCode::NotAPack,
            detail: String::new(),
        });
    }
    Ok(std::fs::read(path)?)
}

#[tauri::command(async)]
pub fn content_info(desk: State<'_, Desk>) -> Result<ContentInfo, WireError> {
    let in_force = desk.with(|r, _| Ok(r.content().clone()))?;
    Ok(info(&desk, in_force))
}

/// What applying the pack at `path` (found on a drive or picked) would change; nothing is written.
#[tauri::command(async)]
pub fn content_inspect(desk: State<'_, Desk>, path: String) -> Result<Diff, WireError> {
    desk.acting(|r, actor, _| r.inspect_pack(&read_pack(&path)?, &pack::trusted_keys(), actor))
}

#[tauri::command(async)]
pub fn content_apply(desk: State<'_, Desk>, path: String) -> Result<ContentInfo, WireError> {
    let in_force = desk.acting(|r, actor, clock| {
        r.apply_pack(&read_pack(&path)?, &pack::trusted_keys(), clock, actor)
    })?;
    Ok(info(&desk, in_force))
}

#[tauri::command(async)]
pub fn content_restore(desk: State<'_, Desk>) -> Result<ContentInfo, WireError> {
    let in_force =
        desk.acting(|r, actor, clock| r.restore_pack(&pack::trusted_keys(), clock, actor))?;
    Ok(info(&desk, in_force))
}
