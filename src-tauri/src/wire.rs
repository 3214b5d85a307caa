//! The one error shape the UI receives, `{ kind, message, fields: [{ field, code, message }] }`, made
//! here and nowhere else. It owns translating core errors into the operator's language. Internal errors
//! (database, file system) are logged for developers and shown generically: their text may describe the
//! machine, never an applicant, but the UI has no use for it either.

use mixite_core::error::label_key;
use mixite_core::Error;
use rust_i18n::t;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WireField {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WireError {
    pub kind: String,
    /// For kind `access`: which refusal (`no_session`, `session_locked`, `pin_exhausted`, `wait`…), so
    /// the UI shows the sign-in or the lock screen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
    pub fields: Vec<WireField>,
}

/// The text of `key` in `locale`, `None` when the catalogue has none: rust-i18n answers a missing key with
/// `<locale>.<key>`, which must never reach the operator (the translation tests keep this from happening;
/// this keeps a slip from showing).
fn translated(key: &str, locale: &str) -> Option<String> {
    let text = t!(key, locale = locale).to_string();
    (text != format!("{locale}.{key}")).then_some(text)
}

/// The text of `key`, or of the error kind's general message when there is none.
fn message_or_kind(key: &str, kind: &str, locale: &str) -> String {
    translated(key, locale)
        .unwrap_or_else(|| t!(format!("errors.kind.{kind}"), locale = locale).to_string())
}

/// "Data di nascita (familiare 2)" for `household.1.birthDate`; `None` for a field without a label.
fn field_label(field: &str, locale: &str) -> Option<String> {
    let label = translated(&format!("fields.{}", label_key(field)), locale)?;
    match field.split('.').find_map(|p| p.parse::<usize>().ok()) {
        Some(i) if field.starts_with("household") => t!(
            "fields.household_member",
            locale = locale,
            label = label,
            n = i + 1
        )
        .to_string(),
        Some(i) => format!("{label} {}", i + 1),
        None => label,
    }
    .into()
}

/// The shell's own failures (the viewer, the save dialog), each with its translated message
/// `errors.shell.<code>`. A closed list, so a test can check every one has its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellCode {
    /// The system's PDF viewer could not be started.
    ViewerFailed,
    /// The copy could not be written where the operator chose.
    SaveFailed,
    /// The UI asked for the strings of a language the app has none for.
    UnknownLocale,
}

impl ShellCode {
    pub const ALL: [ShellCode; 3] = [
        ShellCode::ViewerFailed,
        ShellCode::SaveFailed,
        ShellCode::UnknownLocale,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ShellCode::ViewerFailed => "viewer_failed",
            ShellCode::SaveFailed => "save_failed",
            ShellCode::UnknownLocale => "unknown_locale",
        }
    }
}

impl WireError {
    /// An error without field problems, for the shell's own state (never shown: see `Desk::reopening`).
    pub fn simple(kind: &str, message: &str) -> WireError {
        WireError {
            kind: kind.to_string(),
            code: None,
            message: message.to_string(),
            fields: Vec::new(),
        }
    }

    /// A failure of the shell itself, translated; its kind is `internal` (nothing the operator typed).
    pub fn shell(code: ShellCode, locale: &str) -> WireError {
        WireError::simple(
            "internal",
            &t!(format!("errors.shell.{}", code.code()), locale = locale),
        )
    }

    pub fn from_core(err: &Error, locale: &str) -> WireError {
        let kind = err.kind();
        let message = match err {
            Error::Conflict(code) => {
                message_or_kind(&format!("errors.conflict.{code}"), kind, locale)
            }
            Error::NotFound(what) => {
                message_or_kind(&format!("errors.not_found.{what}"), kind, locale)
            }
            Error::Archive(code) => code.params().into_iter().fold(
                message_or_kind(&format!("errors.archive.{code}"), kind, locale),
                |text, (name, value)| text.replace(&format!("%{{{name}}}"), &value),
            ),
            Error::Access(code) => message_or_kind(&format!("errors.access.{code}"), kind, locale),
            Error::Pack { code, detail } => {
                message_or_kind(&format!("errors.pack.{code}"), kind, locale)
                    .replace("%{detail}", detail)
            }
            Error::Wait { seconds } => {
                t!("errors.access.wait", locale = locale, seconds = seconds).to_string()
            }
            Error::DbTooNew { found, supported } => t!(
                "errors.kind.db_too_new",
                locale = locale,
                found = found,
                supported = supported
            )
            .to_string(),
            Error::Io(_)
            | Error::Db(_)
            | Error::Migration(_)
            | Error::Data { .. }
            | Error::Print(_) => {
                // Developers need the detail; it names files and SQL, not applicants.
                eprintln!("sportello-mixite: internal error: {err}");
                t!(format!("errors.kind.{kind}"), locale = locale).to_string()
            }
            Error::Invalid(_) | Error::Locked | Error::Damaged => {
                t!(format!("errors.kind.{kind}"), locale = locale).to_string()
            }
        };
        let fields = err
            .fields()
            .iter()
            .map(|f| {
                let mut problem =
                    message_or_kind(&format!("errors.field.{}", f.code), "invalid", locale);
                for (name, value) in &f.params {
                    problem = problem.replace(&format!("%{{{name}}}"), value);
                }
                let message = match field_label(&f.field, locale) {
                    Some(label) => t!(
                        "errors.field_message",
                        locale = locale,
                        field = label,
                        problem = problem
                    )
                    .to_string(),
                    None => problem,
                };
                WireField {
                    field: f.field.clone(),
                    code: f.code.to_string(),
                    message,
                }
            })
            .collect();
        let code = match err {
            Error::Access(code) => Some(code.to_string()),
            Error::Wait { .. } => Some("wait".to_string()),
            _ => None,
        };
        WireError {
            kind: kind.to_string(),
            code,
            message,
            fields,
        }
    }
}
