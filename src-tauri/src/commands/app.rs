//! Commands about the app itself: who and where (version, data folder, operator, language), the UI's
//! translations and the reference tables for the form's lists. They must not touch cases.

use std::sync::atomic::{AtomicBool, Ordering};

use mixite_core::register::choices::{self, Lists};
use rust_i18n::t;
use serde::Serialize;
use serde_json::Value;
use tauri::State;

use crate::state::Desk;
use crate::wire::{ShellCode, WireError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: &'static str,
    pub data_dir: String,
    pub locale: String,
    pub operator: String,
    /// Why the data folder could not be opened (another instance, a newer database), if so.
    pub startup_error: Option<WireError>,
}

fn info(desk: &Desk) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: desk.data_dir.display().to_string(),
        locale: desk.locale(),
        operator: desk.operator(),
        startup_error: desk.startup_error(),
    }
}

#[tauri::command(async)]
pub fn app_info(desk: State<'_, Desk>) -> AppInfo {
    info(&desk)
}

#[tauri::command(async)]
pub fn app_set_locale(desk: State<'_, Desk>, locale: String) -> Result<AppInfo, WireError> {
    desk.set_locale(&locale)?;
    Ok(info(&desk))
}

static FIRST_PAINT: AtomicBool = AtomicBool::new(false);
static CASES_PAINT: AtomicBool = AtomicBool::new(false);

/// Called by the UI once a screen is on screen: `setup` (the first screen on a new data folder),
/// `signin` (the first screen at start-up, the register opens only at sign-in), `agenda` (the first
/// screen after signing in) or `cases` (the case list).
/// With `MIXITE_REPORT_STARTUP` set, prints the time since launch once for the first screen
/// (`first-paint-ms`) and once for the first screen of the register's data, the agenda or the case
/// list (`cases-paint-ms`, the name the launch benchmark `tests/bench/launch.sh` reads), which
/// measures memory at both.
#[tauri::command(async)]
pub fn app_first_paint(desk: State<'_, Desk>, screen: Option<String>) {
    if std::env::var_os("MIXITE_REPORT_STARTUP").is_none() {
        return;
    }
    let ms = desk.started.elapsed().as_millis();
    if !FIRST_PAINT.swap(true, Ordering::SeqCst) {
        eprintln!("first-paint-ms={ms}");
    }
    if matches!(screen.as_deref(), Some("cases" | "agenda"))
        && !CASES_PAINT.swap(true, Ordering::SeqCst)
    {
        eprintln!("cases-paint-ms={ms}");
    }
}

/// The `ui.*` strings of a locale, keys without the `ui.` prefix.
#[tauri::command(async)]
pub fn i18n_ui(locale: String) -> Result<Value, WireError> {
    crate::catalog::ui_strings(&locale)
        .ok_or_else(|| WireError::shell(ShellCode::UnknownLocale, crate::state::LOCALES[0]))
}

/// The lists the form and the detail screen need, labelled in the operator's language.
#[tauri::command(async)]
pub fn reference_get(desk: State<'_, Desk>) -> Result<Lists, WireError> {
    let locale = desk.locale();
    desk.with(|register, clock| {
        Ok(choices::lists(
            register.reference(),
            clock.today,
            locale == "en",
            |group, code| t!(format!("labels.{group}.{code}"), locale = locale).to_string(),
        ))
    })
}
