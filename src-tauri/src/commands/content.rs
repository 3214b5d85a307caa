//! Commands of the content in force (issue 13 §5): which content pack the desk prints from (the about
//! screen), what a pack chosen on a stick or in a folder would change, applying it and going back to
//! the previous one. Verification, the checks, the swap in the data folder and the audit entry are the
//! core's (`Register::inspect_pack`, `apply_pack`, `restore_pack`), always against the keys this build
//! embeds; these commands must not decide anything themselves.

use mixite_core::reference::pack::{self, Diff};
use mixite_core::register::content::InForce;
use tauri::State;

use crate::state::Desk;
use crate::wire::WireError;

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
pub fn content_info(desk: State<'_, Desk>) -> Result<InForce, WireError> {
    desk.with(|r, _| Ok(r.content().clone()))
}

/// What applying the pack at `path` (found on a drive or picked) would change; nothing is written.
#[tauri::command(async)]
pub fn content_inspect(desk: State<'_, Desk>, path: String) -> Result<Diff, WireError> {
    desk.acting(|r, actor, _| r.inspect_pack(&read_pack(&path)?, &pack::trusted_keys(), actor))
}

#[tauri::command(async)]
pub fn content_apply(desk: State<'_, Desk>, path: String) -> Result<InForce, WireError> {
    desk.acting(|r, actor, clock| {
        r.apply_pack(&read_pack(&path)?, &pack::trusted_keys(), clock, actor)
    })
}

#[tauri::command(async)]
pub fn content_restore(desk: State<'_, Desk>) -> Result<InForce, WireError> {
    desk.acting(|r, actor, clock| r.restore_pack(&pack::trusted_keys(), clock, actor))
}
