//! The core's one error type. It owns the closed list of failure kinds the shell maps to the wire
//! (`{kind, message, fields}`); it must not format user-facing text — translation happens in the shell,
//! keyed by `kind` and each field's `code`. Messages here are for developers and never carry
//! applicants' data (no names, numbers or dates), because errors may reach logs.

use serde::Serialize;

/// One problem with one input field. `field` is the camelCase JSON path of the field as the UI sends it
/// (`applicant.surname`, `household.1.birthDate`), `code` a stable snake_case reason the UI translates
/// (`errors.field.<code>`), `params` optional values for the message (a limit, never the user's input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    pub field: String,
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<(String, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str) -> Self {
        FieldError {
            field: field.into(),
            code: code.to_string(),
            params: Vec::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.params.push((name.to_string(), value.to_string()));
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input failed validation; every problem found is listed, not just the first.
    #[error("invalid input ({} field problems)", .0.len())]
    Invalid(Vec<FieldError>),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The record changed since the caller read it (stale revision) or the operation does not fit
    /// the record's state (e.g. a step after a terminal one). The code says which.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database was written by a newer version of the app; it was left untouched.
    #[error("database schema version {found} is newer than this app supports ({supported})")]
    DbTooNew { found: i64, supported: i64 },
    /// Another instance holds the data folder.
    #[error("the data folder is in use by another instance")]
    Locked,
    /// The data folder's database is not a SQLite database, or SQLite finds it damaged. It was not
    /// modified: the remedy is restoring a backup (which keeps the damaged file aside).
    #[error("the database file is damaged")]
    Damaged,
    /// A bundled data file (assets/) is malformed: names the file and line so it can be fixed.
    #[error("{file}:{line}: {message}")]
    Data {
        file: String,
        line: usize,
        message: String,
    },
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The print engine failed (a font file missing or unreadable, a PDF writing error).
    #[error("print: {0}")]
    Print(String),
    /// A case archive could not be written, read or trusted (`archive`): the code says why
    /// (`wrong_passphrase`, `corrupt`, `stick_full`…) and is translated as `errors.archive.<code>`.
    /// Nothing was changed: no file under the final name, no row in the database.
    #[error("archive: {0}")]
    Archive(&'static str),
}

impl Error {
    /// A stable code for the wire: the UI branches and translates on it.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "invalid",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::DbTooNew { .. } => "db_too_new",
            Error::Locked => "locked",
            Error::Damaged => "damaged",
            Error::Data { .. } => "data",
            Error::Archive(_) => "archive",
            Error::Io(_) | Error::Db(_) | Error::Migration(_) | Error::Print(_) => "internal",
        }
    }

    pub fn fields(&self) -> &[FieldError] {
        match self {
            Error::Invalid(fields) => fields,
            _ => &[],
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
