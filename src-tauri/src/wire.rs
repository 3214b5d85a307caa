//! The one error shape the UI receives, `{ kind, message, fields: [{ field, code, message }] }`, made
//! here and nowhere else. It owns translating core errors into the operator's language. Internal errors
//! (database, file system) are logged for developers and shown generically: their text may describe the
//! machine, never an applicant, but the UI has no use for it either.

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
    pub message: String,
    pub fields: Vec<WireField>,
}

/// The label key of a field path: list indexes dropped (`household.0.birthDate` → `household.birthDate`).
fn label_key(field: &str) -> String {
    field
        .split('.')
        .filter(|part| !part.bytes().all(|b| b.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(".")
}

/// "Data di nascita (familiare 2)" for `household.1.birthDate`.
fn field_label(field: &str, locale: &str) -> String {
    let label = t!(format!("fields.{}", label_key(field)), locale = locale).to_string();
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
}

impl WireError {
    /// An error without field problems, for the shell's own failures (a dialog, the file opener).
    pub fn simple(kind: &str, message: &str) -> WireError {
        WireError {
            kind: kind.to_string(),
            message: message.to_string(),
            fields: Vec::new(),
        }
    }

    pub fn from_core(err: &Error, locale: &str) -> WireError {
        let kind = err.kind();
        let message = match err {
            Error::Conflict(code) => {
                t!(format!("errors.conflict.{code}"), locale = locale).to_string()
            }
            Error::NotFound(what) => {
                t!(format!("errors.not_found.{what}"), locale = locale).to_string()
            }
            Error::Archive(code) => {
                t!(format!("errors.archive.{code}"), locale = locale).to_string()
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
                    t!(format!("errors.field.{}", f.code), locale = locale).to_string();
                for (name, value) in &f.params {
                    problem = problem.replace(&format!("%{{{name}}}"), value);
                }
                WireField {
                    field: f.field.clone(),
                    code: f.code.clone(),
                    message: t!(
                        "errors.field_message",
                        locale = locale,
                        field = field_label(&f.field, locale),
                        problem = problem
                    )
                    .to_string(),
                }
            })
            .collect();
        WireError {
            kind: kind.to_string(),
            message,
            fields,
        }
    }
}
