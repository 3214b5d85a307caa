//! Commands about who is at the desk: the first start, signing in and out, the recovery key, the lock
//! and the PIN, switching operator, and managing operators. Passphrases, PINs and recovery keys arrive
//! as secrets (never logged, wiped when dropped). They must not decide anything themselves: the core's
//! `access` and `session` do, through `Desk`.

use mixite_core::register::operators::{Operator, Role};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tauri::State;

use crate::state::{AccessState, Desk};
use crate::wire::WireError;

#[tauri::command(async)]
pub fn access_state(desk: State<'_, Desk>) -> AccessState {
    desk.access_state()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetUpDone {
    state: AccessState,
    /// Shown once; kept in memory only until its sheet is printed (`access_recovery_done`).
    recovery_key: String,
}

#[tauri::command(async)]
pub fn access_set_up(
    desk: State<'_, Desk>,
    name: String,
    passphrase: SecretString,
    pin: SecretString,
) -> Result<SetUpDone, WireError> {
    let recovery_key = desk.set_up(&name, passphrase.expose_secret(), pin.expose_secret())?;
    Ok(SetUpDone {
        state: desk.access_state(),
        recovery_key,
    })
}

#[tauri::command(async)]
pub fn access_sign_in(
    desk: State<'_, Desk>,
    operator_id: String,
    passphrase: SecretString,
    pin: SecretString,
) -> Result<AccessState, WireError> {
    desk.sign_in(
        &operator_id,
        passphrase.expose_secret(),
        pin.expose_secret(),
    )?;
    Ok(desk.access_state())
}

#[tauri::command(async)]
pub fn access_recover(
    desk: State<'_, Desk>,
    recovery_key: SecretString,
    operator_id: String,
    new_passphrase: SecretString,
    pin: SecretString,
) -> Result<AccessState, WireError> {
    desk.recover(
        recovery_key.expose_secret(),
        &operator_id,
        new_passphrase.expose_secret(),
        pin.expose_secret(),
    )?;
    Ok(desk.access_state())
}

/// Another operator takes over at the counter (also from the lock screen).
#[tauri::command(async)]
pub fn access_switch(
    desk: State<'_, Desk>,
    operator_id: String,
    passphrase: SecretString,
    pin: SecretString,
) -> Result<AccessState, WireError> {
    desk.switch(
        &operator_id,
        passphrase.expose_secret(),
        pin.expose_secret(),
    )?;
    Ok(desk.access_state())
}

#[tauri::command(async)]
pub fn access_lock(desk: State<'_, Desk>) -> AccessState {
    desk.lock();
    desk.access_state()
}

#[tauri::command(async)]
pub fn access_unlock_pin(
    desk: State<'_, Desk>,
    pin: SecretString,
) -> Result<AccessState, WireError> {
    desk.unlock_pin(pin.expose_secret())?;
    Ok(desk.access_state())
}

#[tauri::command(async)]
pub fn access_unlock_passphrase(
    desk: State<'_, Desk>,
    passphrase: SecretString,
) -> Result<AccessState, WireError> {
    desk.unlock_passphrase(passphrase.expose_secret())?;
    Ok(desk.access_state())
}

#[tauri::command(async)]
pub fn access_sign_out(desk: State<'_, Desk>) -> AccessState {
    desk.sign_out();
    desk.access_state()
}

/// The UI's heartbeat while the operator types or moves the mouse (at most every 30 s).
#[tauri::command(async)]
pub fn access_activity(desk: State<'_, Desk>) {
    desk.activity();
}

#[tauri::command(async)]
pub fn access_set_idle(desk: State<'_, Desk>, minutes: i64) -> Result<AccessState, WireError> {
    desk.set_idle(minutes)?;
    Ok(desk.access_state())
}

/// Forgets the recovery key just issued: its sheet is printed and sealed.
#[tauri::command(async)]
pub fn access_recovery_done(desk: State<'_, Desk>) {
    desk.forget_recovery();
}

#[tauri::command(async)]
pub fn operators_list(desk: State<'_, Desk>) -> Result<Vec<Operator>, WireError> {
    desk.acting(|r, actor, _| r.operators(actor))
}

#[tauri::command(async)]
pub fn operators_add(
    desk: State<'_, Desk>,
    name: String,
    role: Role,
    passphrase: SecretString,
) -> Result<Operator, WireError> {
    desk.acting(|r, actor, clock| {
        r.add_operator(actor, &name, role, passphrase.expose_secret(), clock)
    })
}

#[tauri::command(async)]
pub fn operators_disable(desk: State<'_, Desk>, id: String) -> Result<(), WireError> {
    desk.acting(|r, actor, clock| r.disable_operator(actor, &id, clock))
}

#[tauri::command(async)]
pub fn operators_enable(
    desk: State<'_, Desk>,
    id: String,
    passphrase: SecretString,
) -> Result<(), WireError> {
    desk.acting(|r, actor, clock| r.enable_operator(actor, &id, passphrase.expose_secret(), clock))
}

#[tauri::command(async)]
pub fn operators_set_role(desk: State<'_, Desk>, id: String, role: Role) -> Result<(), WireError> {
    desk.acting(|r, actor, clock| r.set_role(actor, &id, role, clock))
}

#[tauri::command(async)]
pub fn operators_change_passphrase(
    desk: State<'_, Desk>,
    id: String,
    current: Option<SecretString>,
    new_passphrase: SecretString,
) -> Result<(), WireError> {
    desk.acting(|r, actor, clock| {
        r.change_passphrase(
            actor,
            &id,
            current.as_ref().map(|c| c.expose_secret()),
            new_passphrase.expose_secret(),
            clock,
        )
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reissued {
    recovery_key: String,
}

#[tauri::command(async)]
pub fn operators_reissue_recovery(desk: State<'_, Desk>) -> Result<Reissued, WireError> {
    let recovery = desk.acting(|r, actor, clock| r.reissue_recovery(actor, clock))?;
    Ok(Reissued {
        recovery_key: desk.keep_recovery(recovery),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SheetPrinted {
    printed: bool,
    reason: Option<String>,
}

/// Prints the recovery sheet of the key just issued straight to the print service (`print`), or opens it
/// in the viewer (`open`) from the session's runtime folder, which lives in memory (`XDG_RUNTIME_DIR`)
/// and is removed when the key is forgotten: a PDF of the key left on the disk would be a copy of the
/// register's key.
#[tauri::command(async)]
pub fn access_recovery_sheet<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
    action: String,
) -> Result<SheetPrinted, WireError> {
    let (key, register_id, actor) = desk.pending_recovery()?;
    let comune = mixite_core::papers::receipt::comune()
        .map_err(|e| WireError::from_core(&e, &desk.locale()))?;
    let pdf = mixite_core::papers::recovery::render(
        &desk.fonts,
        &mixite_core::papers::recovery::RecoverySheet {
            key: &key,
            register_id: &register_id,
            issued_at: &mixite_core::Clock::system().recorded_at(),
            issued_by: &actor.name,
            comune: &comune,
        },
        &desk.locale(),
    )
    .map_err(|e| WireError::from_core(&e, &desk.locale()))?;
    if action == "open" {
        let path = desk.recovery_file(&pdf)?;
        crate::commands::output::open(&desk, &app, &path)?;
        return Ok(SheetPrinted {
            printed: false,
            reason: None,
        });
    }
    let reason = crate::commands::output::print_bytes(&pdf);
    Ok(SheetPrinted {
        printed: reason.is_none(),
        reason,
    })
}
