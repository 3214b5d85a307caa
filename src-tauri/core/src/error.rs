//! The core's one error type. It owns the closed list of failure kinds the shell maps to the wire
//! (`{kind, message, fields}`); it must not format user-facing text — translation happens in the shell,
//! keyed by `kind` and each field's `code`. Messages here are for developers and never carry
//! applicants' data (no names, numbers or dates), because errors may reach logs.

use serde::Serialize;
use strum::{Display, IntoStaticStr, VariantArray};

/// One problem with one input field. `field` is the camelCase JSON path of the field as the UI sends it
/// (`applicant.surname`, `household.1.birthDate`), `code` a stable snake_case reason the UI translates
/// (`errors.field.<code>`), `params` optional values for the message (a limit, never the user's input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    pub field: String,
    pub code: FieldCode,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<(String, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: FieldCode) -> Self {
        let field = field.into();
        // A path without a label would show the operator a bare key: every path is listed (and the list
        // is checked against the translations).
        debug_assert!(
            FIELD_LABELS.contains(&label_key(&field).as_str()),
            "field {field} has no label in FIELD_LABELS"
        );
        FieldError {
            field,
            code,
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
    NotFound(Missing),
    /// The record changed since the caller read it (stale revision) or the operation does not fit
    /// the record's state (e.g. a step after a terminal one). The code says which.
    #[error("conflict: {0}")]
    Conflict(ConflictCode),
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
    Archive(ArchiveCode),
    /// Who is at the desk: no session, a refused sign-in, an action only a responsabile may take, a key
    /// that does not open the register (which was left untouched). Translated as `errors.access.<code>`.
    #[error("access: {0}")]
    Access(AccessCode),
    /// Too many refused sign-ins on one name: the next try is answered after `seconds`.
    #[error("sign-in refused for {seconds} s")]
    Wait { seconds: u64 },
    /// A content pack was refused (`reference::pack`, `register::content`) and nothing was changed:
    /// translated as `errors.pack.<code>` with `%{detail}` (a version, or the file and line of a table
    /// that fails its checks: the pack's own file names, never an applicant's data).
    #[error("content pack: {code} {detail}")]
    Pack { code: PackCode, detail: String },
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
            Error::Access(_) | Error::Wait { .. } => "access",
            Error::Pack { .. } => "pack",
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

/// Every kind `Error::kind` answers (translated as `errors.kind.<kind>`).
pub const KINDS: [&str; 11] = [
    "invalid",
    "not_found",
    "conflict",
    "db_too_new",
    "locked",
    "damaged",
    "data",
    "archive",
    "access",
    "pack",
    "internal",
];

/// Why a field is refused: translated as `errors.field.<code>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FieldCode {
    MissingGlyphs,
    Required,
    TooLong,
    ForbiddenCharacter,
    NotWellFormed,
    NameLatin,
    UnknownCode,
    UnknownCountry,
    DateInvalid,
    #[serde(rename = "date_before_1900")]
    #[strum(serialize = "date_before_1900")]
    DateBefore1900,
    DateFuture,
    DateBeforePreviousStep,
    ExpiryBeforeIssue,
    CodiceFiscaleFormat,
    CodiceFiscaleCheck,
    DocumentNumberFormat,
    MotivoNotInForce,
    MotivoProcedureMismatch,
    PhoneFormat,
    EmailFormat,
    PostcodeFormat,
    ProvinceFormat,
    Duplicate,
    AssicurataFormat,
    TimeInvalid,
    StepNotAllowed,
    PassphraseShort,
    PinFormat,
    OutOfRange,
    FormRequired,
    FormTooLong,
    FormCharacters,
    MrzEmpty,
    MrzLines,
    MrzLength,
    MrzCharacter,
    MrzDocumentCode,
    MrzDocumentNumber,
    MrzCheckDocumentNumber,
    MrzCheckBirthDate,
    MrzCheckExpiryDate,
    MrzCheckPersonalNumber,
    MrzCheckComposite,
    MrzDateBirth,
    MrzDateExpiry,
    /// A recovery key that is not groups of four base32 characters joined by hyphens.
    RecoveryKeyFormat,
    /// Not a web address (`http(s)://host.tld/…`).
    UrlFormat,
    /// A partner's stable id that is not 3 to 64 of `a-z`, `0-9`, `-`.
    PartnerIdFormat,
}

/// What was not found: translated as `errors.not_found.<what>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Missing {
    Procedure,
    Form,
    Paper,
    /// A recorded paper whose file does not open as that paper: altered, damaged, or another case's
    /// file moved into its place.
    PaperUnreadable,
    Language,
    PrintFolder,
    Case,
    Operator,
    Partner,
    Referral,
}

/// Why an operation does not fit the record now: translated as `errors.conflict.<code>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ConflictCode {
    StaleRevision,
    OnlyLatestStepCorrectable,
    IntakeNotCorrectable,
    /// The case's processing is restricted (GDPR art. 18): it is kept, but not changed, and nothing is
    /// cleared from it until the restriction is lifted (`register::retention`).
    CaseRestricted,
    /// The case was anonymised: what is left is statistics, never changed again.
    CaseAnonymised,
    /// A retention step (minimising notes, anonymising, an erasure request) needs a closed case: record
    /// its ending first.
    CaseNotClosed,
    /// The period the case must be kept for has not ended: restrict it instead (an erasure request does).
    RetentionNotOver,
    /// A deletion receipt is printed for an anonymised case only.
    CaseNotAnonymised,
    /// Lifting a restriction the case does not have.
    CaseNotRestricted,
    /// A retired partner is not referred to (its past referrals keep it).
    PartnerRetired,
    /// The follow-up only goes referred → went → resolved / not resolved, or referred → did not go.
    ReferralState,
}

/// Why a case archive or a backup could not be written, read or trusted: translated as
/// `errors.archive.<code>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ArchiveCode {
    /// A file larger than any archive can be (`MAX_ARCHIVE_FILE_BYTES`), refused unread.
    FileTooLarge,
    NothingToExport,
    DuplicateCase,
    InvalidPdfName,
    DuplicateMember,
    TooLarge,
    InvalidJson,
    WriteFailed,
    PassphraseRequired,
    UnsupportedEncryption,
    StickFull,
    TooLargeForStick,
    StickReadOnly,
    StickRemoved,
    NoFreeName,
    VerifyFailed,
    NoDataFolder,
    RestoreNeedsConfirmation,
    NotAnArchive,
    WrongPassphrase,
    Corrupt,
    UnsafeMember,
    UnexpectedMember,
    MissingMember,
    UnsupportedSchema,
    ChecksumMismatch,
    UnlistedMember,
    InvalidCaseData,
    /// A file that is not a partner directory of this app.
    NotAPartnerFile,
}

/// Why a content pack is refused: translated as `errors.pack.<code>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PackCode {
    /// Not a content pack at all (not a TAR with a manifest and a signature), or too large to be one.
    NotAPack,
    /// The signature does not verify with a trusted key, or a file differs from the signed manifest:
    /// the pack was altered or not made by the Comune's maintainers.
    BadSignature,
    /// The pack's version is not newer than the content in force (`detail`: the version in force).
    NotNewer,
    /// A table of the pack fails the catalogue's checks (`detail`: file, line and problem).
    InvalidData,
    /// There is no previous pack to go back to.
    NoPrevious,
}

impl Error {
    pub(crate) fn pack(code: PackCode, detail: impl Into<String>) -> Error {
        Error::Pack {
            code,
            detail: detail.into(),
        }
    }
}

/// Why the desk refuses who is asking: translated as `errors.access.<code>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AccessCode {
    /// Nobody is signed in.
    NoSession,
    /// The session is locked: the PIN or the passphrase opens it.
    SessionLocked,
    /// Name or passphrase wrong (never which).
    Refused,
    /// The PIN was wrong.
    PinRefused,
    /// Five wrong PINs: only the passphrase opens the session now.
    PinExhausted,
    /// The data folder has no operators yet: the first responsabile is to be created.
    NotSetUp,
    /// The first responsabile exists already.
    AlreadySetUp,
    /// Only a responsabile may do this.
    NotAllowed,
    /// The last active responsabile cannot be disabled or made an operatore.
    LastResponsabile,
    /// An operator cannot disable themselves.
    SelfDisable,
    /// The operator is disabled.
    OperatorDisabled,
    /// The key does not open the register (a wrong recovery key, a backup of another desk); nothing
    /// was changed.
    WrongKey,
    /// The key file cannot be read: restore a backup.
    KeysDamaged,
    /// The register's key file is missing while the encrypted register is there: restore a backup.
    KeysMissing,
}

/// Every field path a `FieldError` may name, without list indexes (`household.0.birthDate` is
/// `household.birthDate`): each has its label `fields.<path>`. `FieldError::new` checks it in test builds.
pub const FIELD_LABELS: &[&str] = &[
    "variant",
    "duration",
    "language",
    "text",
    "passphrase",
    "reminderDays",
    "dueDate",
    "host.surname",
    "host.givenNames",
    "host.birthDate",
    "host.birthPlace",
    "host.citizenship",
    "host.documentNumber",
    "host.comune",
    "host.street",
    "host.sex",
    "host.phone",
    "host.houseNumber",
    "host.province",
    "host.documentKind",
    "host.permitNumber",
    "delegate.surname",
    "delegate.givenNames",
    "delegate.birthDate",
    "delegate.birthPlace",
    "delegate.citizenship",
    "delegate.documentNumber",
    "delegate.comune",
    "delegate.street",
    "delegate.sex",
    "delegate.phone",
    "delegate.houseNumber",
    "delegate.province",
    "delegate.documentKind",
    "property.street",
    "property.houseNumber",
    "property.comune",
    "property.province",
    "property.foglio",
    "property.mappale",
    "property.subalterno",
    "title",
    "titleOther",
    "kind",
    "from",
    "to",
    "copies",
    "purpose",
    "mrz",
    "applicant.surname",
    "applicant.givenNames",
    "applicant.sex",
    "applicant.birthDate",
    "applicant.birthPlace",
    "applicant.birthCountry",
    "applicant.citizenships",
    "applicant.codiceFiscale",
    "applicant.phone",
    "applicant.email",
    "applicant.language",
    "applicant.document.kind",
    "applicant.document.number",
    "applicant.document.authority",
    "applicant.document.issueDate",
    "applicant.document.expiryDate",
    "applicant.address.street",
    "applicant.address.houseNumber",
    "applicant.address.postcode",
    "applicant.address.comune",
    "applicant.address.province",
    "household.relation",
    "household.surname",
    "household.givenNames",
    "household.sex",
    "household.birthDate",
    "household.citizenship",
    "household.codiceFiscale",
    "currentPermit.motivoCode",
    "currentPermit.number",
    "currentPermit.expiryDate",
    "request.procedure",
    "request.motivoCode",
    "notes",
    "step.kind",
    "step.date",
    "step.note",
    "step.details.assicurata",
    "step.details.appointmentDate",
    "step.details.appointmentTime",
    "step.details.referredTo",
    "step.details.issuedPermit.motivoCode",
    "step.details.issuedPermit.number",
    "step.details.issuedPermit.expiryDate",
    "reason",
    "operator",
    "locale",
    "role",
    "pin",
    "newPassphrase",
    "recoveryKey",
    "idleMinutes",
    "recovery.key",
    "retention.months",
    "retention.finalPayment",
    "consent.channels",
    "consent.givenOn",
    "consent.withdrawnOn",
    "consent.language",
    "contact.channel",
    "contact.outcome",
    "contact.bucket",
    "contact.note",
    "contact.log",
    "agenda.leadDays",
    "agenda.kitDays",
    "desk.kind",
    "desk.services",
    "desk.language",
    "desk.minutes",
    "desk.citizenship",
    "desk.sex",
    "desk.ageBand",
    "staff.day",
    "staff.kind",
    "staff.minutes",
    "satisfaction.answer",
    "report.from",
    "report.to",
    "report.definition",
    "partner.uid",
    "partner.name",
    "partner.needs",
    "partner.address",
    "partner.hours",
    "partner.phone",
    "partner.email",
    "partner.languages",
    "partner.bring",
    "partner.booking",
    "partner.directions",
    "partner.notes",
    "partner.source",
    "partner.readOn",
    "referral.need",
    "referral.partner",
    "referral.reason",
    "referral.language",
    "referral.name",
    "referral.date",
    "referral.openDays",
];

/// Every translation key the core's errors may need: `errors.kind.<kind>`, `errors.field.<code>`,
/// `errors.not_found.<what>`, `errors.conflict.<code>`, `errors.archive.<code>`, `errors.access.<code>`
/// and `fields.<path>`.
/// The shell's tests check each is in every operator language, so no error shows the operator a key.
pub fn translation_keys() -> Vec<String> {
    fn all<T: VariantArray + std::fmt::Display>(prefix: &str) -> Vec<String> {
        T::VARIANTS
            .iter()
            .map(|v| format!("{prefix}.{v}"))
            .collect()
    }
    let mut keys: Vec<String> = KINDS.iter().map(|k| format!("errors.kind.{k}")).collect();
    keys.extend(all::<FieldCode>("errors.field"));
    keys.extend(all::<Missing>("errors.not_found"));
    keys.extend(all::<ConflictCode>("errors.conflict"));
    keys.extend(all::<ArchiveCode>("errors.archive"));
    keys.extend(all::<AccessCode>("errors.access"));
    keys.extend(all::<PackCode>("errors.pack"));
    keys.push("errors.access.wait".into());
    keys.extend(FIELD_LABELS.iter().map(|f| format!("fields.{f}")));
    keys
}

/// A field path without its list indexes: the key of its label.
pub fn label_key(field: &str) -> String {
    field
        .split('.')
        .filter(|part| !part.bytes().all(|b| b.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(".")
}
