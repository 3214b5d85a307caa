//! What the running app holds: the register of its data folder once an operator has signed in (or why
//! it could not be opened), the signed-in session, the recovery key waiting to be printed, the PDFs the
//! viewer was given (plain copies in the session's runtime folder, removed when the session locks or
//! ends and when the app closes), and the interface's language. It owns the lock discipline (one
//! `Mutex` each, never held across an `.await`, the session's taken and released before the
//! register's) and the rule that no command touches the register without an open session: `with` and
//! `acting` refuse with `no_session` or `session_locked`. It must not contain domain logic (the core's
//! `access` and `session` decide), and never writes a plain PDF anywhere but the runtime folder.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use mixite_core::error::{AccessCode, FieldCode};
use mixite_core::papers::print::FontLibrary;
use mixite_core::register::access::{readiness, Readiness};
use mixite_core::register::audit::Action;
use mixite_core::register::keys::{Kdf, RecoveryKey};
use mixite_core::register::operators::Actor;
use mixite_core::register::session::{Session, DEFAULT_IDLE_MINUTES, IDLE_MINUTES};
use mixite_core::{Clock, Error, Register};
use serde::Serialize;

use crate::wire::WireError;

pub const LOCALES: [&str; 2] = ["it", "en"];
const LOCALE_KEY: &str = "operator.locale";
const IDLE_KEY: &str = "session.idle_minutes";
/// A shorter idle time for the end-to-end tests (seconds); it can only make the lock come sooner.
const IDLE_SECONDS_ENV: &str = "MIXITE_IDLE_SECONDS";

/// The fonts folder: `MIXITE_FONTS_DIR`, else `fonts/` in the app's resource folder (`resources`, as Tauri
/// resolves it for the running executable: `/usr/lib/<productName>/` for the Debian package's
/// `/usr/bin` binary, the executable's own folder on Windows, `Contents/Resources` on macOS), else
/// `fonts/` beside the executable, else the source tree's `assets/fonts` (development and test builds).
pub fn fonts_dir(resources: Option<&Path>) -> PathBuf {
    if let Some(dir) = std::env::var_os("MIXITE_FONTS_DIR") {
        return PathBuf::from(dir);
    }
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf));
    resources
        .map(Path::to_path_buf)
        .into_iter()
        .chain(beside_exe)
        .map(|d| d.join("fonts"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts")))
}

/// The register as the app holds it.
enum Held {
    /// Nobody has signed in (or the last one signed out): the key is not in memory.
    Closed,
    Open(Box<Register>),
    /// The data folder cannot be used (another instance, a damaged file or key ring, a newer
    /// version); shown by the UI's start-up page, which offers a restore.
    Failed(WireError),
}

/// The signed-in session as the UI sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub operator: Actor,
    pub locked: bool,
    pub pin_tries_left: u32,
    pub idle_minutes: i64,
    /// The idle time in seconds, which the UI's timer uses (shorter than the minutes in the
    /// end-to-end tests).
    pub idle_seconds: i64,
}

/// What the UI needs before it shows anything: set-up, sign-in, the lock screen or the cases.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessState {
    #[serde(flatten)]
    pub readiness: Readiness,
    pub session: Option<SessionView>,
    pub startup_error: Option<WireError>,
}

pub struct Desk {
    register: Mutex<Held>,
    session: Mutex<Option<Session>>,
    /// The recovery key just issued, until the operator says the sheet is printed.
    recovery: Mutex<Option<RecoveryKey>>,
    /// Audit entries for the register opened next (a restore, written into the register it brought, at
    /// the next sign-in).
    pending_audit: Mutex<Vec<mixite_core::register::audit::Entry>>,
    /// The recovery sheet opened in the viewer, in the runtime folder, removed with the key.
    recovery_file: Mutex<Option<PathBuf>>,
    /// The papers opened in the viewer: plain copies in the runtime folder (`viewer_copy`).
    paper_copies: Mutex<Vec<PathBuf>>,
    /// Numbers the viewer's copies, so two papers of one name (two cases, the same day) never share
    /// a copy.
    copies_made: AtomicU64,
    /// The shipped Noto fonts, loaded lazily by the print engine.
    pub fonts: FontLibrary,
    pub data_dir: PathBuf,
    pub locale: Mutex<String>,
    pub started: Instant,
}

/// The register settings' idle minutes, within bounds.
fn idle_minutes(register: &Register) -> i64 {
    register
        .store()
        .setting(IDLE_KEY)
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .filter(|m| IDLE_MINUTES.contains(m))
        .unwrap_or(DEFAULT_IDLE_MINUTES)
}

impl Desk {
    /// The desk on `data_dir`; nothing is opened until someone signs in, but a folder another instance
    /// holds, or whose key ring is unreadable, is reported at once.
    pub fn open(data_dir: PathBuf, started: Instant) -> Desk {
        Desk::open_with_fonts(data_dir, fonts_dir(None), started)
    }

    /// As `open`, the print engine's fonts read from `fonts` (see `fonts_dir`).
    pub fn open_with_fonts(data_dir: PathBuf, fonts: PathBuf, started: Instant) -> Desk {
        let held = match mixite_core::register::store::refuse_if_in_use(&data_dir)
            .and_then(|()| readiness(&data_dir))
        {
            Ok(_) => Held::Closed,
            Err(err) => {
                eprintln!("sportello-mixite: cannot open the data folder: {err}");
                Held::Failed(WireError::from_core(&err, LOCALES[0]))
            }
        };
        Desk {
            register: Mutex::new(held),
            session: Mutex::new(None),
            recovery: Mutex::new(None),
            recovery_file: Mutex::new(None),
            pending_audit: Mutex::new(Vec::new()),
            paper_copies: Mutex::new(Vec::new()),
            copies_made: AtomicU64::new(0),
            fonts: FontLibrary::new(fonts),
            data_dir,
            locale: Mutex::new(LOCALES[0].to_string()),
            started,
        }
    }

    pub fn locale(&self) -> String {
        self.locale.lock().expect("locale lock").clone()
    }

    fn wire(&self, err: &Error) -> WireError {
        WireError::from_core(err, &self.locale())
    }

    /// The signed-in operator's name, or empty.
    pub fn operator(&self) -> String {
        self.session
            .lock()
            .expect("session lock")
            .as_ref()
            .map(|s| s.owner().name.clone())
            .unwrap_or_default()
    }

    pub fn startup_error(&self) -> Option<WireError> {
        match &*self.register.lock().expect("register lock") {
            Held::Failed(e) => Some(e.clone()),
            _ => None,
        }
    }

    /// The signed-in operator, if the session is open now (an idle one locks itself here, and the
    /// viewer's copies go).
    pub fn actor(&self) -> Result<Actor, WireError> {
        let found = {
            let mut session = self.session.lock().expect("session lock");
            let session = session
                .as_mut()
                .ok_or_else(|| self.wire(&Error::Access(AccessCode::NoSession)))?;
            session.actor(Clock::system().now).cloned()
        };
        found.map_err(|e| {
            if matches!(e, Error::Access(AccessCode::SessionLocked)) {
                self.forget_viewer_copies();
            }
            self.wire(&e)
        })
    }

    /// Runs `f` on the register for the signed-in operator; without an open session, refused.
    pub fn acting<T>(
        &self,
        f: impl FnOnce(&mut Register, &Actor, &Clock) -> mixite_core::Result<T>,
    ) -> Result<T, WireError> {
        let actor = self.actor()?;
        let mut guard = self.register.lock().expect("register lock");
        match &mut *guard {
            Held::Open(register) => {
                f(register, &actor, &Clock::system()).map_err(|e| self.wire(&e))
            }
            Held::Failed(e) => Err(e.clone()),
            Held::Closed => Err(self.wire(&Error::Access(AccessCode::NoSession))),
        }
    }

    /// Runs `f` on the register with the clock of this moment, for a signed-in operator.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Register, &Clock) -> mixite_core::Result<T>,
    ) -> Result<T, WireError> {
        self.acting(|register, _, clock| f(register, clock))
    }

    /// Closes the register (releasing the data folder's lock), runs `f` on the folder (a restore) and,
    /// when it succeeds, signs everyone out: the restored register opens with a passphrase from its own
    /// key ring. When it fails, the register is opened again as it was and the session goes on. The
    /// lock is held throughout, so no command sees a half-replaced register.
    pub fn reopening<T>(
        &self,
        f: impl FnOnce(&std::path::Path, &Clock) -> mixite_core::Result<T>,
    ) -> Result<T, WireError> {
        let mut guard = self.register.lock().expect("register lock");
        if let Held::Failed(e) = &*guard {
            if e.kind == "locked" {
                return Err(e.clone());
            }
        }
        let closed = match std::mem::replace(&mut *guard, Held::Closed) {
            Held::Open(register) => register.close(),
            _ => None,
        };
        let answer = f(&self.data_dir, &Clock::system());
        *guard = match (&answer, closed) {
            (Err(_), Some(closed)) => match Register::reopen(&self.data_dir, closed) {
                Ok(register) => Held::Open(Box::new(register)),
                Err(err) => Held::Failed(self.wire(&err)),
            },
            _ => match readiness(&self.data_dir) {
                Ok(_) => Held::Closed,
                Err(err) => Held::Failed(self.wire(&err)),
            },
        };
        let reopened = matches!(&*guard, Held::Open(_));
        drop(guard);
        if !reopened {
            *self.session.lock().expect("session lock") = None;
        }
        answer.map_err(|e| self.wire(&e))
    }

    /// Keeps `entry` for the register the next sign-in opens (see `pending_audit`).
    pub fn audit_at_next_sign_in(&self, entry: mixite_core::register::audit::Entry) {
        self.pending_audit
            .lock()
            .expect("pending audit lock")
            .push(entry);
    }

    /// Whether a restore may run now: by a responsabile over a register that holds cases only when they
    /// confirmed (`replace`); without a session only on a desk nobody can sign in to (a new one, a
    /// missing key ring, a register that does not open), where the backup's own passphrases decide.
    pub fn may_restore(&self, replace: bool) -> Result<(), WireError> {
        let signed_in = self.session.lock().expect("session lock").is_some();
        if signed_in {
            return self.acting(|register, actor, _| {
                if !actor.is_responsabile() {
                    return Err(Error::Access(AccessCode::NotAllowed));
                }
                mixite_core::exchange::backup::may_restore_over(register, replace)
            });
        }
        let state = readiness(&self.data_dir).map_err(|e| self.wire(&e))?;
        if state.needs_setup && !state.plain_register
            || state.keys_missing
            || self.startup_error().is_some()
        {
            return Ok(());
        }
        Err(self.wire(&Error::Access(AccessCode::NoSession)))
    }

    /// Switches the interface's language, remembered in the register when one is open.
    pub fn set_locale(&self, locale: &str) -> Result<(), WireError> {
        let Some(&locale) = LOCALES.iter().find(|l| **l == locale) else {
            return Err(self.wire(&Error::Invalid(vec![mixite_core::FieldError::new(
                "locale",
                FieldCode::UnknownCode,
            )])));
        };
        *self.locale.lock().expect("locale lock") = locale.to_string();
        if let Held::Open(register) = &mut *self.register.lock().expect("register lock") {
            register
                .store_mut()
                .set_setting(LOCALE_KEY, locale)
                .map_err(|e| WireError::from_core(&e, locale))?;
        }
        Ok(())
    }

    // ---- access: the first start, signing in and out, the lock ----------------------------------

    /// What the UI shows first. A session found locked (idle) removes the viewer's copies.
    pub fn access_state(&self) -> AccessState {
        let now = Clock::system().now;
        let session = self
            .session
            .lock()
            .expect("session lock")
            .as_ref()
            .map(|s| SessionView {
                operator: s.owner().clone(),
                locked: s.is_locked(now),
                pin_tries_left: s.pin_tries_left(),
                idle_minutes: s.idle_minutes(),
                idle_seconds: s.idle().num_seconds(),
            });
        if session.as_ref().is_some_and(|s| s.locked) {
            self.forget_viewer_copies();
        }
        AccessState {
            readiness: readiness(&self.data_dir).unwrap_or(Readiness {
                needs_setup: false,
                plain_register: false,
                keys_missing: false,
                operators: Vec::new(),
            }),
            session,
            startup_error: self.startup_error(),
        }
    }

    /// Takes an opened register and starts the session of `actor` with their PIN. A refused PIN closes
    /// nothing: the register is only kept once the PIN is accepted. The papers an earlier version
    /// printed (plain files in the print folder) are sealed first; a failure there is logged (without
    /// any applicant's data) and does not keep the operator out: the next sign-in tries again.
    fn start(&self, mut register: Register, actor: Actor, pin: &str) -> Result<(), WireError> {
        let clock = Clock::system();
        let mut session = Session::new(actor, pin, clock.now, idle_minutes(&register))
            .map_err(|e| self.wire(&e))?;
        if let Some(seconds) = std::env::var(IDLE_SECONDS_ENV)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|s| *s > 0 && *s < session.idle_minutes() * 60)
        {
            session.set_idle(chrono::Duration::seconds(seconds));
        }
        if let Some(locale) = register
            .store()
            .setting(LOCALE_KEY)
            .ok()
            .flatten()
            .filter(|l| LOCALES.contains(&l.as_str()))
        {
            *self.locale.lock().expect("locale lock") = locale;
        }
        for entry in std::mem::take(&mut *self.pending_audit.lock().expect("pending audit lock")) {
            if let Err(e) = register.record(entry, None, &clock) {
                eprintln!("sportello-mixite: an audit entry was not written: {e}");
            }
        }
        // Papers an anonymisation could not remove before a crash are removed now.
        if let Err(e) = mixite_core::papers::access_report::remove_anonymised_papers(&register) {
            eprintln!("sportello-mixite: papers of anonymised cases not removed: {e}");
        }
        match mixite_core::papers::sealed::seal_plain_files(&mut register) {
            Ok(0) => {}
            Ok(n) => eprintln!("sportello-mixite: {n} printed files of an earlier version sealed"),
            Err(e) => {
                eprintln!("sportello-mixite: printed files of an earlier version not sealed: {e}")
            }
        }
        *self.register.lock().expect("register lock") = Held::Open(Box::new(register));
        *self.session.lock().expect("session lock") = Some(session);
        Ok(())
    }

    /// Keeps a failure to open the folder (not a refused passphrase) for the start-up page.
    fn opening_failed(&self, err: Error) -> WireError {
        let shown = self.wire(&err);
        if !matches!(
            err,
            Error::Access(AccessCode::Refused) | Error::Wait { .. } | Error::Invalid(_)
        ) {
            eprintln!("sportello-mixite: cannot open the data folder: {err}");
            *self.register.lock().expect("register lock") = Held::Failed(shown.clone());
        }
        shown
    }

    /// The first start: the first responsabile, signed in. Returns the recovery key, shown once.
    pub fn set_up(&self, name: &str, passphrase: &str, pin: &str) -> Result<String, WireError> {
        mixite_core::register::session::check_pin(pin).map_err(|e| self.wire(&e))?;
        let (register, actor, recovery) = Register::set_up(
            &self.data_dir,
            name,
            passphrase,
            Kdf::OWASP,
            &Clock::system(),
        )
        .map_err(|e| self.opening_failed(e))?;
        self.start(register, actor, pin)?;
        let text = recovery.text().to_string();
        *self.recovery.lock().expect("recovery lock") = Some(recovery);
        Ok(text)
    }

    pub fn sign_in(&self, id: &str, passphrase: &str, pin: &str) -> Result<(), WireError> {
        mixite_core::register::session::check_pin(pin).map_err(|e| self.wire(&e))?;
        self.close();
        let (register, actor) = Register::sign_in(&self.data_dir, id, passphrase, &Clock::system())
            .map_err(|e| self.opening_failed(e))?;
        self.start(register, actor, pin)
    }

    pub fn recover(
        &self,
        recovery: &str,
        id: &str,
        new_passphrase: &str,
        pin: &str,
    ) -> Result<(), WireError> {
        mixite_core::register::session::check_pin(pin).map_err(|e| self.wire(&e))?;
        self.close();
        let (register, actor) = Register::recover(
            &self.data_dir,
            recovery,
            id,
            new_passphrase,
            &Clock::system(),
        )
        .map_err(|e| self.opening_failed(e))?;
        self.start(register, actor, pin)
    }

    /// Another operator takes over the open register with their passphrase and their own PIN.
    pub fn switch(&self, id: &str, passphrase: &str, pin: &str) -> Result<(), WireError> {
        mixite_core::register::session::check_pin(pin).map_err(|e| self.wire(&e))?;
        let clock = Clock::system();
        let actor = {
            let mut guard = self.register.lock().expect("register lock");
            let Held::Open(register) = &mut *guard else {
                return Err(self.wire(&Error::Access(AccessCode::NoSession)));
            };
            register
                .confirm(id, passphrase, &clock)
                .map_err(|e| self.wire(&e))?
        };
        let idle = self
            .session
            .lock()
            .expect("session lock")
            .as_ref()
            .map(|s| s.idle())
            .unwrap_or_else(|| chrono::Duration::minutes(DEFAULT_IDLE_MINUTES));
        let mut session =
            Session::new(actor, pin, clock.now, DEFAULT_IDLE_MINUTES).map_err(|e| self.wire(&e))?;
        session.set_idle(idle);
        if let Some(before) = self.owner() {
            self.record(&before, Action::SignedOut);
        }
        self.forget_viewer_copies();
        self.record(session.owner(), Action::SignedIn);
        *self.session.lock().expect("session lock") = Some(session);
        Ok(())
    }

    /// Records a session event (lock, unlock, switch, sign-out) by `actor` in the audit trail, when the
    /// register is open. A failure is logged, not shown: the event itself has happened.
    fn record(&self, actor: &Actor, action: Action) {
        if let Held::Open(register) = &mut *self.register.lock().expect("register lock") {
            let entry = mixite_core::register::entry(actor, action);
            if let Err(e) = register.record(entry, None, &Clock::system()) {
                eprintln!("sportello-mixite: an audit entry was not written: {e}");
            }
        }
    }

    fn owner(&self) -> Option<Actor> {
        self.session
            .lock()
            .expect("session lock")
            .as_ref()
            .map(|s| s.owner().clone())
    }

    /// Locks the session; the viewer's copies go (an unlocked desk is needed to open a paper again).
    pub fn lock(&self) {
        if let Some(session) = self.session.lock().expect("session lock").as_mut() {
            session.lock();
        }
        self.forget_viewer_copies();
        if let Some(owner) = self.owner() {
            self.record(&owner, Action::RegisterLocked);
        }
    }

    pub fn unlock_pin(&self, pin: &str) -> Result<(), WireError> {
        let mut guard = self.session.lock().expect("session lock");
        let session = guard
            .as_mut()
            .ok_or_else(|| self.wire(&Error::Access(AccessCode::NoSession)))?;
        session
            .unlock_pin(pin, Clock::system().now)
            .map_err(|e| self.wire(&e))?;
        let owner = session.owner().clone();
        drop(guard);
        self.record(&owner, Action::RegisterUnlocked);
        Ok(())
    }

    /// Unlocks with the session owner's passphrase (after too many wrong PINs, or by choice).
    pub fn unlock_passphrase(&self, passphrase: &str) -> Result<(), WireError> {
        let owner = self
            .session
            .lock()
            .expect("session lock")
            .as_ref()
            .map(|s| s.owner().id.clone())
            .ok_or_else(|| self.wire(&Error::Access(AccessCode::NoSession)))?;
        let clock = Clock::system();
        {
            let mut guard = self.register.lock().expect("register lock");
            let Held::Open(register) = &mut *guard else {
                return Err(self.wire(&Error::Access(AccessCode::NoSession)));
            };
            register
                .confirm(&owner, passphrase, &clock)
                .map_err(|e| self.wire(&e))?;
        }
        if let Some(session) = self.session.lock().expect("session lock").as_mut() {
            session.unlock_confirmed(clock.now);
        }
        if let Some(owner) = self.owner() {
            self.record(&owner, Action::RegisterUnlocked);
        }
        Ok(())
    }

    /// Signs out: the session ends and the register is closed, its key dropped from memory.
    pub fn sign_out(&self) {
        if let Some(owner) = self.owner() {
            self.record(&owner, Action::SignedOut);
        }
        self.close();
    }

    fn close(&self) {
        *self.session.lock().expect("session lock") = None;
        self.forget_recovery();
        self.forget_viewer_copies();
        let mut guard = self.register.lock().expect("register lock");
        if matches!(&*guard, Held::Open(_)) {
            *guard = Held::Closed;
        }
    }

    /// The operator is typing or moving the mouse: the idle timer starts again.
    pub fn activity(&self) {
        if let Some(session) = self.session.lock().expect("session lock").as_mut() {
            session.touch(Clock::system().now);
        }
    }

    /// The desk's idle time before locking (a responsabile's setting).
    pub fn set_idle(&self, minutes: i64) -> Result<(), WireError> {
        self.acting(|register, actor, _| {
            if !actor.is_responsabile() {
                return Err(Error::Access(AccessCode::NotAllowed));
            }
            if !IDLE_MINUTES.contains(&minutes) {
                return Err(Error::Invalid(vec![mixite_core::FieldError::new(
                    "idleMinutes",
                    FieldCode::OutOfRange,
                )
                .with("min", IDLE_MINUTES.start())
                .with("max", IDLE_MINUTES.end())]));
            }
            register
                .store_mut()
                .set_setting(IDLE_KEY, &minutes.to_string())
        })?;
        if let Some(session) = self.session.lock().expect("session lock").as_mut() {
            session.set_idle(chrono::Duration::minutes(minutes));
        }
        Ok(())
    }

    /// Keeps a recovery key just reissued until its sheet is printed.
    pub fn keep_recovery(&self, recovery: RecoveryKey) -> String {
        let text = recovery.text().to_string();
        *self.recovery.lock().expect("recovery lock") = Some(recovery);
        text
    }

    /// The recovery key waiting to be printed, with the register's id and the operator's name.
    pub fn pending_recovery(&self) -> Result<(String, String, Actor), WireError> {
        let actor = self.actor()?;
        let text = self
            .recovery
            .lock()
            .expect("recovery lock")
            .as_ref()
            .map(|r| r.text().to_string())
            .ok_or_else(|| self.wire(&Error::NotFound(mixite_core::error::Missing::Paper)))?;
        let id =
            self.with(|register, _| Ok(register.register_id().unwrap_or_default().to_string()))?;
        Ok((text, id, actor))
    }

    /// Forgets the recovery key: its sheet is printed and sealed (and the copy the viewer opened is
    /// overwritten and removed).
    pub fn forget_recovery(&self) {
        *self.recovery.lock().expect("recovery lock") = None;
        self.forget_recovery_file();
    }

    fn forget_recovery_file(&self) {
        let taken = self
            .recovery_file
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(path) = taken {
            shred_copy(&path);
        }
    }

    /// Writes the recovery sheet for the viewer into the session's runtime folder (see `runtime_copy`).
    pub fn recovery_file(&self, pdf: &[u8]) -> Result<PathBuf, WireError> {
        let path = self.runtime_copy("sportello-mixite-chiave-di-recupero.pdf", pdf)?;
        *self.recovery_file.lock().expect("recovery file lock") = Some(path.clone());
        Ok(path)
    }

    /// Writes a paper's plain PDF for the viewer into the session's runtime folder (see
    /// `runtime_copy`), as `sportello-mixite-<process>-<n>-<name>` (`name` is the paper's, which
    /// names no person). Removed by `forget_viewer_copies`: when the session locks or ends, another
    /// operator takes over, or the app closes; so only made while a session is open.
    pub fn viewer_copy(&self, name: &str, pdf: &[u8]) -> Result<PathBuf, WireError> {
        self.actor()?;
        let n = self.copies_made.fetch_add(1, Ordering::Relaxed);
        let file = format!("sportello-mixite-{}-{n}-{name}", std::process::id());
        let path = self.runtime_copy(&file, pdf)?;
        self.paper_copies
            .lock()
            .expect("paper copies lock")
            .push(path.clone());
        Ok(path)
    }

    /// Overwrites and removes one copy `viewer_copy` made (the viewer did not open it).
    pub fn forget_viewer_copy(&self, path: &Path) {
        self.paper_copies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|p| p != path);
        shred_copy(path);
    }

    /// Overwrites and removes every copy the viewer was given: the papers, and the recovery sheet
    /// (whose key stays in memory until `forget_recovery`, so it can be opened again).
    pub fn forget_viewer_copies(&self) {
        let taken = std::mem::take(
            &mut *self
                .paper_copies
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for path in taken {
            shred_copy(&path);
        }
        self.forget_recovery_file();
    }

    /// Writes `pdf` as `name` in the session's runtime folder (`XDG_RUNTIME_DIR`: in memory on Linux,
    /// the user's own), readable by this user only (0600), replacing an earlier copy of that name.
    /// Never in the data folder or the system's shared temporary folder: without a runtime folder
    /// (or one others may read) the answer is `viewer_failed` and nothing is written.
    fn runtime_copy(&self, name: &str, pdf: &[u8]) -> Result<PathBuf, WireError> {
        use std::io::Write;
        let viewer_failed =
            || WireError::shell(crate::wire::ShellCode::ViewerFailed, &self.locale());
        let dir = runtime_dir().ok_or_else(viewer_failed)?;
        let path = dir.join(name);
        shred_copy(&path);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = options.open(&path).and_then(|mut f| f.write_all(pdf));
        if written.is_err() {
            shred_copy(&path);
            return Err(viewer_failed());
        }
        Ok(path)
    }
}

/// The session's runtime folder (`XDG_RUNTIME_DIR`), when it is set, absolute, a folder, and (on Unix)
/// closed to other users, as the XDG specification requires of it.
fn runtime_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("XDG_RUNTIME_DIR")?);
    let meta = std::fs::metadata(&dir)
        .ok()
        .filter(|m| dir.is_absolute() && m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Some(dir)
}

/// Overwrites and removes a copy given to the viewer (nothing when it is gone already). A failure is
/// logged by its kind only: the copy's path holds no person, but the message stays generic.
fn shred_copy(path: &Path) {
    if let Err(e) = mixite_core::register::store::shred(path) {
        eprintln!("sportello-mixite: a copy given to the viewer was not removed: {e}");
    }
}

/// The viewer's copies leave with the desk (the app's own exit path calls `forget_viewer_copies`
/// too, as the process may end without dropping its state).
impl Drop for Desk {
    fn drop(&mut self) {
        self.forget_viewer_copies();
    }
}
