//! What the running app holds: the register of its data folder (or why it could not be opened), the
//! operator's language and name. It owns the lock discipline (one `Mutex` around the register, never
//! held across an `.await`) and must not contain domain logic.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use mixite_core::error::FieldCode;
use mixite_core::papers::print::FontLibrary;
use mixite_core::{Clock, Register};

use crate::wire::WireError;

pub const LOCALES: [&str; 2] = ["it", "en"];
const LOCALE_KEY: &str = "operator.locale";
const OPERATOR_KEY: &str = "operator.name";

/// The fonts folder: `MIXITE_FONTS_DIR`, else `fonts/` beside the executable (where the installed package
/// puts them), else the source tree's `assets/fonts` (development and test builds).
pub fn fonts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MIXITE_FONTS_DIR") {
        return PathBuf::from(dir);
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("fonts")))
        .filter(|d| d.is_dir());
    beside.unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts")))
}

pub struct Desk {
    /// The open register, or why it could not be opened (shown by the UI instead of crashing). Behind
    /// one lock so that a restore can close it, replace the file and open it again.
    register: Mutex<Result<Register, WireError>>,
    /// The shipped Noto fonts, loaded lazily by the print engine.
    pub fonts: FontLibrary,
    pub data_dir: PathBuf,
    pub locale: Mutex<String>,
    pub operator: Mutex<String>,
    pub started: Instant,
}

/// Opens the register of `data_dir` with the operator's stored language and name.
fn open_register(data_dir: &std::path::Path) -> (Result<Register, WireError>, String, String) {
    match Register::open(data_dir) {
        Ok(register) => {
            let stored = |key| register.store().setting(key).ok().flatten();
            let locale = stored(LOCALE_KEY)
                .filter(|l| LOCALES.contains(&l.as_str()))
                .unwrap_or_else(|| LOCALES[0].to_string());
            let operator = stored(OPERATOR_KEY).unwrap_or_default();
            (Ok(register), locale, operator)
        }
        Err(err) => {
            eprintln!("sportello-mixite: cannot open the data folder: {err}");
            let shown = WireError::from_core(&err, LOCALES[0]);
            (Err(shown), LOCALES[0].to_string(), String::new())
        }
    }
}

impl Desk {
    /// Opens the register of `data_dir`; a failure is kept and shown by the UI instead of crashing.
    pub fn open(data_dir: PathBuf, started: Instant) -> Desk {
        let (register, locale, operator) = open_register(&data_dir);
        Desk {
            register: Mutex::new(register),
            fonts: FontLibrary::new(fonts_dir()),
            data_dir,
            locale: Mutex::new(locale),
            operator: Mutex::new(operator),
            started,
        }
    }

    pub fn locale(&self) -> String {
        self.locale.lock().expect("locale lock").clone()
    }

    pub fn operator(&self) -> String {
        self.operator.lock().expect("operator lock").clone()
    }

    pub fn startup_error(&self) -> Option<WireError> {
        self.register
            .lock()
            .expect("register lock")
            .as_ref()
            .err()
            .cloned()
    }

    /// Runs `f` on the register with the clock of this moment; errors come back translated.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Register, &Clock) -> mixite_core::Result<T>,
    ) -> Result<T, WireError> {
        let mut guard = self.register.lock().expect("register lock");
        let register = guard.as_mut().map_err(|e| e.clone())?;
        f(register, &Clock::system()).map_err(|e| WireError::from_core(&e, &self.locale()))
    }

    /// Closes the register (releasing the data folder's lock), runs `f` on the folder, and opens the
    /// register again, whatever `f` answered: a failed restore leaves the old database in place and in
    /// use. The lock is held throughout, so no command sees a half-replaced register.
    pub fn reopening<T>(
        &self,
        f: impl FnOnce(&std::path::Path, &Clock) -> mixite_core::Result<T>,
    ) -> Result<T, WireError> {
        let mut guard = self.register.lock().expect("register lock");
        // A folder another instance holds stays held: only this instance's register is closed.
        if let Err(e) = guard.as_ref() {
            if e.kind == "locked" {
                return Err(e.clone());
            }
        }
        // Never seen: the lock is held until the register is back.
        *guard = Err(WireError::simple("internal", "restoring"));
        let answer = f(&self.data_dir, &Clock::system());
        let (register, locale, operator) = open_register(&self.data_dir);
        *guard = register;
        drop(guard);
        *self.locale.lock().expect("locale lock") = locale;
        *self.operator.lock().expect("operator lock") = operator;
        answer.map_err(|e| WireError::from_core(&e, &self.locale()))
    }

    /// Switches the operator's language and remembers it in the data folder.
    pub fn set_locale(&self, locale: &str) -> Result<(), WireError> {
        let Some(&locale) = LOCALES.iter().find(|l| **l == locale) else {
            return Err(WireError::from_core(
                &mixite_core::Error::Invalid(vec![mixite_core::FieldError::new(
                    "locale",
                    FieldCode::UnknownCode,
                )]),
                &self.locale(),
            ));
        };
        *self.locale.lock().expect("locale lock") = locale.to_string();
        self.with(|register, _| register.store_mut().set_setting(LOCALE_KEY, locale))
    }

    /// Sets the operator whose name goes on every step, and remembers it.
    pub fn set_operator(&self, name: &str) -> Result<(), WireError> {
        let name = self.with(|register, clock| {
            let name =
                mixite_core::register::validate::operator(name, register.reference(), clock.today)?;
            register.store_mut().set_setting(OPERATOR_KEY, &name)?;
            Ok(name)
        })?;
        *self.operator.lock().expect("operator lock") = name;
        Ok(())
    }
}
