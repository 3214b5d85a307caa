//! How long the register keeps what, and the applicant's rights over it (GDPR art. 5(1)(e), 15, 17, 18).
//! It owns the retention policy (the bundled purposes of `assets/reference/retention.toml`, the
//! Comune's overrides and the funder's final payment, both a responsabile's settings), deciding what is
//! due (`due`), and the writes that forget: clearing the reminder contacts, minimising the free-text
//! notes, anonymising a case, restricting one (and lifting the restriction), and answering an erasure
//! request. Every write is one transaction by a signed-in responsabile with its audit entry.
//!
//! It must not touch files: a case's papers in `print/<uuid>/` are the papers area's
//! (`papers::access_report` removes them after an anonymisation commits, and sweeps what a crash left),
//! and it must not print (the deletion receipt and the access report are `papers::access_report`).
//!
//! **Purposes.** `contacts` (phone and e-mail, kept to remind the applicant of the next renewal; the
//! consent to the reminders is on the signed paper notice, not in the register) are
//! kept through `months` after the later of the case's permit expiries and its closing; `notes` (the
//! case's notes, step notes, correction reasons) through `months` after the closing (0 by default: due
//! the day after); the `case` itself through `months` after 31 December of the year of the funder's final
//! payment (Reg. (EU) 2021/1060 art. 82: five years), or of the case's closing when that is later. Until
//! the responsabile enters the final payment (or says the desk has no funder, when the period counts
//! from the closing year's end) no case is ever due for anonymisation: it cannot be undone, so an
//! unknown end keeps. Only a closed case (`steps::is_final`) is ever due. The bundled periods can be
//! changed within each purpose's `min_months..=max_months` (the Comune's archive plan); the funder's
//! five years are the case's minimum.
//!
//! **Anonymising** keeps only what the funder's statistics need: each person's citizenship, sex and year
//! of birth (household members keep their relation), the procedure and motivo codes, permit expiries by
//! month, the step kinds with their dates cut to the month and the operators who recorded them, the case
//! number. It removes the names and their search keys, birth place, country and exact date, codici
//! fiscali, documents, contacts, address, language, permit numbers, notes, step notes and details
//! (assicurata, appointment, referral, issued permit), the renewal link, and the papers' records. All in
//! one transaction, then the WAL is checkpointed and truncated, so that the old pages survive neither in
//! the WAL nor (thanks to `secure_delete`, set on every open by `Store`, which zeroes what is deleted) in
//! free space of the database file; a plain register shows it byte for byte
//! (`anonymised_values_are_gone_from_the_database_file_and_its_wal`, which fails if any one of
//! `secure_delete`, the index's `secure-delete` below or the checkpoint is left out; no `VACUUM` is
//! needed).
//!
//! **Three places that would keep a name, and what is done about each.**
//! - `steps` refuses UPDATE and DELETE by trigger (the history is append-only). Migration 006 recreates
//!   the UPDATE trigger with a `WHEN`: an update passes only if every column is unchanged or *erased*
//!   (note and assicurata emptied, details `{}`, date and recording time cut to `YYYY-MM`) on a closed
//!   case. That keeps the invariant that matters (no update can make the history say something else, and
//!   nothing can remove an entry) without a second copy of the notes elsewhere or a trigger that trusts a
//!   flag any writer could set. Moving notes into a side table was the alternative; it would have
//!   changed every reader of the history and the archive format.
//! - `persons` is replaced (DELETE + INSERT) as everywhere else, so the search index's triggers remove
//!   the old names from the FTS5 trigram index.
//! - The FTS5 index would still keep a deleted name's trigrams in its segments (a delete only adds a
//!   tombstone until segments merge). Anonymisation switches the index's `secure-delete` option on for
//!   its own transaction, so the trigrams are taken out of the segments at once, and off again, so the
//!   everyday edits keep their speed.
//!
//! **Restriction** (art. 18) hides a case from search and lists (`search`), keeps it, and refuses
//! changes, steps and imports over it. A restriction for an erasure request lets retention go on (the
//! case is anonymised once its period ends: that is what was asked); any other reason freezes the case
//! until it is lifted. **An erasure request** (art. 17) on a closed case anonymises it if its period is
//! over; otherwise it clears what no obligation keeps (the contacts: the reminders' consent is
//! withdrawn; the notes) and restricts the rest, and says until when (`Erasure::Restricted`), so the app
//! can tell the applicant why.

use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};
use toml::Spanned;

use crate::clock::Clock;
use crate::error::{AccessCode, ConflictCode, Error, FieldCode, FieldError, Missing, Result};
use crate::reference::data::{check_source, data_error, parse_toml};
use crate::register::audit::{self, Action, Detail};
use crate::register::operators::Actor;
use crate::register::store::{put_setting, read_setting};
use crate::register::{entry, steps, Register};

/// Built in, never part of a content pack: the periods are the Comune's decision as data controller,
/// changed by its responsabile here, not by a pack the maintainers sign (see `reference/pack_files.rs`).
const RETENTION: (&str, &str) = (
    "assets/reference/retention.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/retention.toml"
    )),
);

/// The `settings` key of a purpose's period set by the Comune: `retention.months.<purpose>`.
const MONTHS_SETTING: &str = "retention.months.";
/// The `settings` key of the funder: `no_funder` or the final payment's `YYYY-MM-DD`; none: unknown.
const FUNDER_SETTING: &str = "retention.funder";
const NO_FUNDER: &str = "no_funder";

/// Why data are kept, each with its own period. Translated as `retention.purpose.<code>`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Purpose {
    /// The applicant's phone and e-mail, for the next renewal's reminder.
    Contacts,
    /// Free text: the case's notes, step notes, correction reasons.
    Notes,
    /// The case itself, as long as the funder (or the Comune's archive plan) requires.
    Case,
}

/// The day a purpose's period counts from. Translated as `retention.anchor.<code>`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Anchor {
    /// The later of the permit expiries the case handled (held, issued) and its closing.
    LastExpiry,
    /// The day of the case's final step.
    Closing,
    /// 31 December of the year of the funder's final payment, or of the closing when that is later.
    FunderYearEnd,
}

/// One purpose as `retention.toml` bundles it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub purpose: Purpose,
    pub anchor: Anchor,
    pub default_months: u32,
    pub min_months: u32,
    pub max_months: u32,
    /// The legal basis, in Italian, as printed.
    pub basis: String,
    pub source: String,
    /// The period is the desk's choice or the brief marks its rule [CHECK]: show "to verify".
    pub verify: bool,
    pub note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionFile {
    #[allow(dead_code)]
    table: toml::Table,
    purpose: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<Purpose>,
    anchor: Anchor,
    default_months: Spanned<u32>,
    min_months: u32,
    max_months: u32,
    basis: Spanned<String>,
    source: Spanned<String>,
    verify: bool,
    #[serde(default)]
    note: Option<String>,
}

/// The bundled purposes, one per `Purpose`, checked when the register opens.
#[derive(Debug, Clone)]
pub struct Table {
    rules: Vec<Rule>,
}

impl Table {
    /// `assets/reference/retention.toml`; a problem names the file and line.
    pub fn bundled() -> Result<Table> {
        Table::from_source(RETENTION)
    }

    /// A table from `(file name, text)`: used by `bundled` and by tests of malformed files. Every
    /// purpose must be there exactly once, its default within its bounds, its basis given and its
    /// source a URL.
    pub fn from_source(source: (&str, &str)) -> Result<Table> {
        let file: RetentionFile = parse_toml(source)?;
        let mut rules: Vec<Rule> = Vec::new();
        for raw in file.purpose {
            let purpose = *raw.id.get_ref();
            if rules.iter().any(|r| r.purpose == purpose) {
                return Err(data_error(
                    source,
                    raw.id.span(),
                    format!("purpose {purpose} is listed twice"),
                ));
            }
            let months = *raw.default_months.get_ref();
            if raw.min_months > raw.max_months
                || !(raw.min_months..=raw.max_months).contains(&months)
            {
                return Err(data_error(
                    source,
                    raw.default_months.span(),
                    format!(
                        "purpose {purpose}: default_months must lie within min_months..=max_months"
                    ),
                ));
            }
            if raw.basis.get_ref().trim().is_empty() {
                return Err(data_error(
                    source,
                    raw.basis.span(),
                    format!("purpose {purpose}: basis is empty"),
                ));
            }
            check_source(source, &raw.source)?;
            rules.push(Rule {
                purpose,
                anchor: raw.anchor,
                default_months: months,
                min_months: raw.min_months,
                max_months: raw.max_months,
                basis: raw.basis.into_inner(),
                source: raw.source.into_inner(),
                verify: raw.verify,
                note: raw.note,
            });
        }
        if let Some(missing) = Purpose::VARIANTS
            .iter()
            .find(|p| !rules.iter().any(|r| r.purpose == **p))
        {
            return Err(data_error(
                source,
                0..0,
                format!("purpose {missing} is missing"),
            ));
        }
        rules.sort_by_key(|r| Purpose::VARIANTS.iter().position(|p| *p == r.purpose));
        Ok(Table { rules })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, purpose: Purpose) -> &Rule {
        self.rules
            .iter()
            .find(|r| r.purpose == purpose)
            .expect("the table holds every purpose (checked when loaded)")
    }
}

/// What the desk knows of its funder, a responsabile's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "date", rename_all = "snake_case")]
pub enum Funder {
    /// Nothing entered yet: the funder's period has no known end, no case is anonymised.
    Unknown,
    /// The desk has no funder: a case's period counts from the end of its closing year.
    NoFunder,
    /// The funder's final payment to the desk was made on this day.
    FinalPayment(NaiveDate),
}

/// A funder setting as the UI sends it: `{ "kind": "final_payment", "date": "2027-06-30" }`,
/// `{ "kind": "no_funder" }` or `{ "kind": "unknown" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FunderInput {
    Unknown,
    NoFunder,
    FinalPayment { date: String },
}

/// A purpose's period in force at this desk.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    pub purpose: Purpose,
    pub anchor: Anchor,
    /// The period in force: the Comune's, else the bundled default.
    pub months: u32,
    pub default_months: u32,
    /// Whether the Comune's archive plan set `months`.
    pub overridden: bool,
    pub min_months: u32,
    pub max_months: u32,
    pub basis: String,
    pub source: String,
    pub verify: bool,
}

/// The retention policy in force: every purpose's period and the funder.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// One per purpose, in `Purpose` order.
    pub periods: Vec<Period>,
    pub funder: Funder,
    /// The last day a case closed by the final payment's year is kept (none without a final payment).
    pub funder_kept_until: Option<NaiveDate>,
}

impl Policy {
    pub fn period(&self, purpose: Purpose) -> &Period {
        self.periods
            .iter()
            .find(|p| p.purpose == purpose)
            .expect("the policy holds every purpose")
    }
}

/// The policy in force in the register `conn` reads: the bundled `table` with the Comune's periods and
/// the funder from `settings`. An override outside its purpose's bounds (a hand-edited file) is taken to
/// the nearest bound, an unreadable one is ignored: the bounds are the table's promise.
pub fn policy(conn: &Connection, table: &Table) -> Result<Policy> {
    let mut periods = Vec::new();
    for rule in table.rules() {
        let set = read_setting(conn, &format!("{MONTHS_SETTING}{}", rule.purpose))?
            .and_then(|v| v.trim().parse::<u32>().ok())
            .map(|m| m.clamp(rule.min_months, rule.max_months));
        periods.push(Period {
            purpose: rule.purpose,
            anchor: rule.anchor,
            months: set.unwrap_or(rule.default_months),
            default_months: rule.default_months,
            overridden: set.is_some(),
            min_months: rule.min_months,
            max_months: rule.max_months,
            basis: rule.basis.clone(),
            source: rule.source.clone(),
            verify: rule.verify,
        });
    }
    let funder = match read_setting(conn, FUNDER_SETTING)?.as_deref() {
        Some(NO_FUNDER) => Funder::NoFunder,
        Some(date) => match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Ok(day) => Funder::FinalPayment(day),
            Err(_) => Funder::Unknown,
        },
        None => Funder::Unknown,
    };
    let case_months = periods
        .iter()
        .find(|p| p.purpose == Purpose::Case)
        .map_or(0, |p| p.months);
    let funder_kept_until = match funder {
        Funder::FinalPayment(day) => year_end(day).checked_add_months(Months::new(case_months)),
        _ => None,
    };
    Ok(Policy {
        periods,
        funder,
        funder_kept_until,
    })
}

fn year_end(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), 12, 31).expect("31 December exists")
}

/// Why a case's processing is restricted (GDPR art. 18(1), and art. 17(3) for an erasure the funder's
/// period holds back). Stored and translated as `retention.reason.<code>`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RestrictionReason {
    /// The applicant asked for erasure before the case's period ended: kept, hidden, anonymised when
    /// the period ends.
    ErasureRequested,
    /// Art. 18(1)(a): the applicant contests the data's accuracy, while it is checked.
    AccuracyContested,
    /// Art. 18(1)(b): the processing is unlawful and the applicant asks for restriction, not erasure.
    UnlawfulProcessing,
    /// Art. 18(1)(c): the desk no longer needs the data, the applicant needs them for legal claims.
    LegalClaims,
    /// Art. 18(1)(d): the applicant objected (art. 21), pending the verification.
    Objection,
}

/// What is due for a case. Translated as `retention.due.<code>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DueAction {
    /// The case's period is over: anonymise it (which also removes contacts and notes).
    Anonymise,
    /// The contacts' period is over: clear phone and e-mail.
    ClearContacts,
    /// The notes' period is over: empty the case's and the steps' notes.
    MinimiseNotes,
}

/// One line of the "due" list: a case, what to do and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Due {
    pub case_id: i64,
    pub number: String,
    pub action: DueAction,
    /// The purpose whose period ended.
    pub purpose: Purpose,
    /// The last day that purpose kept the data (due since the day after).
    pub kept_until: NaiveDate,
    /// The case is restricted because the applicant asked for erasure.
    pub erasure_requested: bool,
}

/// What the register holds about a case's retention, for the case screen and the access report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseRetention {
    pub anonymised_at: Option<String>,
    pub restricted_at: Option<String>,
    pub restriction: Option<RestrictionReason>,
    /// The day of the final step; none while the case is open.
    pub closed_on: Option<NaiveDate>,
    /// One per purpose, in `Purpose` order.
    pub periods: Vec<CasePeriod>,
}

/// One purpose's period for one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CasePeriod {
    pub purpose: Purpose,
    pub months: u32,
    /// The last day kept; none while the case is open or the funder's final payment is unknown.
    pub kept_until: Option<NaiveDate>,
    /// The period ended (and the case is neither anonymised nor frozen by a restriction).
    pub due: bool,
    pub verify: bool,
}

/// A restricted case for the responsabile's retention screen (search does not show them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestrictedCase {
    pub case_id: i64,
    pub number: String,
    pub restricted_at: String,
    /// None for a code this version does not know.
    pub reason: Option<RestrictionReason>,
    /// The last day the case's period keeps it (none: open, or the final payment unknown).
    pub kept_until: Option<NaiveDate>,
}

/// What an anonymisation did: for the caller's message, the papers' removal and the deletion receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Anonymised {
    pub case_id: i64,
    pub uuid: String,
    pub number: String,
    /// The applicant's language before it was removed: the deletion receipt is printed in it (empty
    /// when the case had none: print it in Italian, `it`).
    pub language: String,
    /// The field paths emptied or cut (`REMOVED`).
    pub removed: Vec<String>,
    /// Household members whose names, dates and codici fiscali were removed.
    pub household: usize,
    /// Paper records removed (their files are `papers::access_report::remove_papers`'s).
    pub papers: usize,
    /// When, RFC 3339 UTC.
    pub at: String,
}

/// Why an erasure request restricted the case instead of anonymising it. Translated as
/// `retention.why.<code>` (with `%{date}` for `funder_period`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErasureWhy {
    /// The case must be kept until `kept_until` (the funder's period, or the Comune's archive plan).
    FunderPeriod,
    /// The funder's final payment is not entered yet: the end of the period is not known.
    FunderUnknown,
}

/// The answer to an erasure request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "outcome",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Erasure {
    /// The period was over: the case is anonymised (remove its papers and print the receipt).
    Anonymised(Anonymised),
    /// The period is not over: the case is restricted (hidden, kept) until `kept_until`, when it will
    /// be due for anonymisation; the contacts and notes, which no obligation keeps, were cleared.
    Restricted {
        kept_until: Option<NaiveDate>,
        why: ErasureWhy,
        /// The purposes whose data were cleared at once.
        cleared: Vec<Purpose>,
    },
}

/// What a retention run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// Case numbers whose contacts were cleared.
    pub contacts_cleared: Vec<String>,
    /// Case numbers whose notes were minimised.
    pub notes_minimised: Vec<String>,
    pub anonymised: Vec<Anonymised>,
}

/// The field paths anonymisation removes (emptied, or for dates cut to the year or month), as the audit
/// entry and the deletion receipt name them.
pub const REMOVED: &[&str] = &[
    "applicant.surname",
    "applicant.givenNames",
    "applicant.birthDate",
    "applicant.birthPlace",
    "applicant.birthCountry",
    "applicant.codiceFiscale",
    "applicant.document.kind",
    "applicant.document.number",
    "applicant.document.authority",
    "applicant.document.issueDate",
    "applicant.document.expiryDate",
    "applicant.phone",
    "applicant.email",
    "applicant.address.street",
    "applicant.address.houseNumber",
    "applicant.address.postcode",
    "applicant.address.comune",
    "applicant.address.province",
    "applicant.language",
    "household.surname",
    "household.givenNames",
    "household.birthDate",
    "household.codiceFiscale",
    "currentPermit.number",
    "currentPermit.expiryDate",
    "notes",
    "step.date",
    "step.note",
    "step.details.assicurata",
    "step.details.appointmentDate",
    "step.details.appointmentTime",
    "step.details.referredTo",
    "step.details.issuedPermit.number",
    "step.details.issuedPermit.expiryDate",
    "consent.channels",
    "contact.log",
];

/// What anonymisation keeps, as categories (printed as `papers.retention.kept.<code>`).
pub const KEPT: &[&str] = &[
    "citizenship",
    "sex",
    "birth_year",
    "relations",
    "procedure",
    "permit_months",
    "steps_by_month",
    "operators",
    "case_number",
];

/// What anonymisation removes, as categories (printed as `papers.retention.removed.<code>`).
pub const REMOVED_CATEGORIES: &[&str] = &[
    "names",
    "birth",
    "codice_fiscale",
    "documents",
    "contacts",
    "address",
    "language",
    "permit_numbers",
    "notes",
    "step_details",
    "household",
    "papers",
];

/// The reminder contacts: the numbers, and the consent and contact log of the agenda (migration 008),
/// which serve only to remind.
const CONTACT_FIELDS: [&str; 4] = [
    "applicant.phone",
    "applicant.email",
    "consent.channels",
    "contact.log",
];
const NOTE_FIELDS: [&str; 3] = ["notes", "step.note", "contact.note"];

/// What the retention rules need to know of one case.
struct Facts {
    id: i64,
    uuid: String,
    number: String,
    status: String,
    closed_on: Option<NaiveDate>,
    expiries: Vec<NaiveDate>,
    has_contacts: bool,
    has_notes: bool,
    anonymised_at: Option<String>,
    restricted_at: Option<String>,
    restriction: Option<RestrictionReason>,
}

impl Facts {
    fn closed(&self) -> bool {
        steps::is_final(&self.status)
    }

    /// Restricted for another reason than an erasure request: nothing is cleared until it is lifted.
    fn frozen(&self) -> bool {
        self.restricted_at.is_some()
            && self.restriction != Some(RestrictionReason::ErasureRequested)
    }

    fn anchor(&self, anchor: Anchor, funder: Funder) -> Option<NaiveDate> {
        let closed = self.closed_on.filter(|_| self.closed())?;
        match anchor {
            Anchor::Closing => Some(closed),
            Anchor::LastExpiry => self.expiries.iter().copied().chain([closed]).max(),
            Anchor::FunderYearEnd => match funder {
                Funder::Unknown => None,
                Funder::NoFunder => Some(year_end(closed)),
                Funder::FinalPayment(paid) => Some(year_end(closed.max(paid))),
            },
        }
    }

    /// The last day `purpose` keeps this case's data; none while it cannot be known.
    fn kept_until(&self, policy: &Policy, purpose: Purpose) -> Option<NaiveDate> {
        let period = policy.period(purpose);
        self.anchor(period.anchor, policy.funder)?
            .checked_add_months(Months::new(period.months))
    }

    fn ended(&self, policy: &Policy, purpose: Purpose, today: NaiveDate) -> Option<NaiveDate> {
        self.kept_until(policy, purpose)
            .filter(|until| today > *until)
    }
}

const FACTS: &str = "SELECT c.id, c.uuid, c.number, c.status, c.permit_expiry, c.issued_expiry,
        c.anonymised_at, c.restricted_at, c.restriction_reason,
        (SELECT s.date FROM steps s
         WHERE s.case_id = c.id AND s.kind <> 'correction'
           AND NOT EXISTS (SELECT 1 FROM steps x WHERE x.corrects = s.id)
         ORDER BY s.id DESC LIMIT 1),
        EXISTS (SELECT 1 FROM persons p WHERE p.case_id = c.id AND (p.phone <> '' OR p.email <> ''))
          OR EXISTS (SELECT 1 FROM consents k WHERE k.case_id = c.id)
          OR EXISTS (SELECT 1 FROM contacts k WHERE k.case_id = c.id),
        c.notes <> '' OR EXISTS (SELECT 1 FROM steps s WHERE s.case_id = c.id AND s.note <> '')
          OR EXISTS (SELECT 1 FROM contacts k WHERE k.case_id = c.id AND k.note <> '')
     FROM cases c";

fn facts_row(r: &rusqlite::Row) -> rusqlite::Result<Facts> {
    let day = |s: String| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let reason: String = r.get(8)?;
    Ok(Facts {
        id: r.get(0)?,
        uuid: r.get(1)?,
        number: r.get(2)?,
        status: r.get(3)?,
        expiries: [r.get::<_, String>(4)?, r.get(5)?]
            .into_iter()
            .filter_map(day)
            .collect(),
        anonymised_at: r.get(6)?,
        restricted_at: r.get(7)?,
        restriction: RestrictionReason::from_str(&reason).ok(),
        closed_on: r.get::<_, Option<String>>(9)?.and_then(day),
        has_contacts: r.get(10)?,
        has_notes: r.get(11)?,
    })
}

fn facts(conn: &Connection, case_id: i64) -> Result<Facts> {
    conn.prepare_cached(&format!("{FACTS} WHERE c.id = ?1"))?
        .query_row([case_id], facts_row)
        .optional()?
        .ok_or(Error::NotFound(Missing::Case))
}

/// The cases whose period of some purpose has ended on `today`, and what to do: a case due for
/// anonymisation is listed once (that removes everything else too); otherwise its contacts and its
/// notes are listed when their own periods ended and something is left to clear. Anonymised cases and
/// cases frozen by a restriction are never listed; open cases neither. In case-number order.
///
/// Reads every closed case once (no index answers "period over", which depends on the policy): a
/// screen's or a run's query, not the list's.
pub fn due(conn: &Connection, policy: &Policy, today: NaiveDate) -> Result<Vec<Due>> {
    let finals: Vec<&str> = steps::COURSE[steps::COURSE.len() - 1..]
        .iter()
        .chain(steps::ENDINGS.iter())
        .copied()
        .collect();
    let finals = serde_json::to_string(&finals).expect("strings serialise");
    let mut stmt = conn.prepare(&format!(
        "{FACTS} WHERE c.anonymised_at IS NULL AND c.status IN (SELECT value FROM json_each(?1))
         ORDER BY c.number"
    ))?;
    let mut rows = stmt.query([finals])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let f = facts_row(row)?;
        if f.frozen() {
            continue;
        }
        let mut push = |action, purpose, kept_until| {
            out.push(Due {
                case_id: f.id,
                number: f.number.clone(),
                action,
                purpose,
                kept_until,
                erasure_requested: f.restricted_at.is_some(),
            })
        };
        if let Some(until) = f.ended(policy, Purpose::Case, today) {
            push(DueAction::Anonymise, Purpose::Case, until);
            continue;
        }
        if f.has_contacts {
            if let Some(until) = f.ended(policy, Purpose::Contacts, today) {
                push(DueAction::ClearContacts, Purpose::Contacts, until);
            }
        }
        if f.has_notes {
            if let Some(until) = f.ended(policy, Purpose::Notes, today) {
                push(DueAction::MinimiseNotes, Purpose::Notes, until);
            }
        }
    }
    Ok(out)
}

/// A case's retention as the case screen shows it (see `CaseRetention`).
pub fn of_case(
    conn: &Connection,
    policy: &Policy,
    case_id: i64,
    today: NaiveDate,
) -> Result<CaseRetention> {
    let f = facts(conn, case_id)?;
    let periods = policy
        .periods
        .iter()
        .map(|p| {
            let kept_until = f.kept_until(policy, p.purpose);
            CasePeriod {
                purpose: p.purpose,
                months: p.months,
                kept_until,
                due: f.anonymised_at.is_none()
                    && !f.frozen()
                    && kept_until.is_some_and(|until| today > until),
                verify: p.verify,
            }
        })
        .collect();
    Ok(CaseRetention {
        anonymised_at: f.anonymised_at.clone(),
        restricted_at: f.restricted_at.clone(),
        restriction: f.restriction,
        closed_on: f.closed_on.filter(|_| f.closed()),
        periods,
    })
}

/// Refuses a change to a case that is anonymised or restricted (`Conflict`); a case that is not there
/// passes (the caller's own check answers `NotFound`). Called by every write that changes a case's
/// data or history: the façade's update and steps, and an import's `TakeArchive` (through
/// `cases::update`), so an old archive cannot bring an anonymised applicant back.
pub(crate) fn expect_writable(conn: &Connection, case_id: i64) -> Result<()> {
    let state: Option<(bool, bool)> = conn
        .prepare_cached(
            "SELECT anonymised_at IS NOT NULL, restricted_at IS NOT NULL FROM cases WHERE id = ?1",
        )?
        .query_row([case_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match state {
        Some((true, _)) => Err(Error::Conflict(ConflictCode::CaseAnonymised)),
        Some((_, true)) => Err(Error::Conflict(ConflictCode::CaseRestricted)),
        _ => Ok(()),
    }
}

fn require_responsabile(by: &Actor) -> Result<()> {
    if by.is_responsabile() {
        Ok(())
    } else {
        Err(Error::Access(AccessCode::NotAllowed))
    }
}

fn conflict(code: ConflictCode) -> Error {
    Error::Conflict(code)
}

/// An audit entry about case `uuid` by `by`.
fn about(by: &Actor, action: Action, uuid: &str, detail: Detail) -> audit::Entry {
    entry(by, action).on_case(uuid).with(detail)
}

fn paths(list: &[&str]) -> Vec<String> {
    list.iter().map(|p| p.to_string()).collect()
}

/// Empties the applicant's phone and e-mail (household members have none) and removes the consent to
/// reminders and the contact log.
fn clear_contacts_tx(tx: &Transaction, f: &Facts, by: &Actor, at: &Clock) -> Result<()> {
    tx.execute(
        "UPDATE persons SET phone = '', email = '' WHERE case_id = ?1",
        [f.id],
    )?;
    forget_agenda(tx, f.id)?;
    // The revision moves (a form opened before is stale), the list's order does not.
    tx.execute(
        "UPDATE cases SET revision = revision + 1 WHERE id = ?1",
        [f.id],
    )?;
    let detail = Detail {
        fields: paths(&CONTACT_FIELDS),
        ..Detail::default()
    };
    audit::append(tx, &about(by, Action::ContactsCleared, &f.uuid, detail), at)?;
    Ok(())
}

/// Removes a case's consent to reminders and its contact log (personal data kept only to remind).
fn forget_agenda(tx: &Transaction, case_id: i64) -> Result<()> {
    tx.execute("DELETE FROM consents WHERE case_id = ?1", [case_id])?;
    tx.execute("DELETE FROM contacts WHERE case_id = ?1", [case_id])?;
    Ok(())
}

/// Empties the case's notes and every step's note (correction reasons included).
fn minimise_notes_tx(tx: &Transaction, f: &Facts, by: &Actor, at: &Clock) -> Result<()> {
    tx.execute(
        "UPDATE cases SET notes = '', revision = revision + 1 WHERE id = ?1",
        [f.id],
    )?;
    tx.execute(
        "UPDATE steps SET note = '' WHERE case_id = ?1 AND note <> ''",
        [f.id],
    )?;
    tx.execute(
        "UPDATE contacts SET note = '' WHERE case_id = ?1 AND note <> ''",
        [f.id],
    )?;
    crate::register::referrals::minimise_notes(tx, f.id)?;
    let detail = Detail {
        fields: paths(&NOTE_FIELDS),
        ..Detail::default()
    };
    audit::append(tx, &about(by, Action::NotesMinimised, &f.uuid, detail), at)?;
    Ok(())
}

/// Switches the search index's FTS5 `secure-delete` option: on, a deleted row's trigrams are taken
/// out of the index's segments at once instead of waiting under a tombstone for a merge.
fn fts_secure_delete(tx: &Transaction, on: bool) -> Result<()> {
    tx.execute(
        "INSERT INTO person_names (person_names, rank) VALUES ('secure-delete', ?1)",
        [i64::from(on)],
    )?;
    Ok(())
}

/// The anonymisation of one case inside `tx` (see the module doc); the caller checked it may be done.
fn anonymise_tx(tx: &Transaction, f: &Facts, by: &Actor, at: &Clock) -> Result<Anonymised> {
    struct Kept {
        ord: i64,
        role: String,
        sex: String,
        birth_year: String,
        citizenships: String,
        language: String,
    }
    let people: Vec<Kept> = tx
        .prepare(
            "SELECT ord, role, sex, birth_date, citizenships, language FROM persons
             WHERE case_id = ?1 ORDER BY ord",
        )?
        .query_map([f.id], |r| {
            let born: String = r.get(3)?;
            Ok(Kept {
                ord: r.get(0)?,
                role: r.get(1)?,
                sex: r.get(2)?,
                birth_year: born.get(..4).unwrap_or_default().to_string(),
                citizenships: r.get(4)?,
                language: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    fts_secure_delete(tx, true)?;
    // Replaced, as every edit replaces people: the index's delete trigger takes the names out.
    tx.execute("DELETE FROM persons WHERE case_id = ?1", [f.id])?;
    fts_secure_delete(tx, false)?;
    let mut insert = tx.prepare(
        "INSERT INTO persons (case_id, ord, role, surname, sex, birth_date, citizenships, name_key)
         VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, '')",
    )?;
    for p in &people {
        insert.execute(params![
            f.id,
            p.ord,
            p.role,
            p.sex,
            p.birth_year,
            p.citizenships
        ])?;
    }
    let now = at.recorded_at();
    tx.execute(
        "UPDATE cases SET notes = '', permit_number = '', issued_number = '',
             permit_expiry = substr(permit_expiry, 1, 7), issued_expiry = substr(issued_expiry, 1, 7),
             request_id = NULL, renewed_from = NULL, created_at = substr(created_at, 1, 7),
             status_date = substr(status_date, 1, 7),
             updated_at = ?2, revision = revision + 1, anonymised_at = ?3,
             restricted_at = NULL, restriction_reason = ''
         WHERE id = ?1",
        params![f.id, at.today.format("%Y-%m").to_string(), now],
    )?;
    // Through the one update the steps' trigger allows: erasing, never rewriting.
    tx.execute(
        "UPDATE steps SET note = '', details = '{}', assicurata = '',
             date = substr(date, 1, 7), recorded_at = substr(recorded_at, 1, 7)
         WHERE case_id = ?1",
        [f.id],
    )?;
    forget_agenda(tx, f.id)?;
    // The desk's contacts stay for the funder's counts, without their link to the case.
    crate::register::activity::forget_case(tx, f.id)?;
    // Referrals likewise: need, partner, outcome and dates stay; the link and the reason go.
    crate::register::referrals::forget_case(tx, f.id)?;
    let papers = tx.execute("DELETE FROM papers WHERE case_uuid = ?1", [&f.uuid])?;
    let detail = Detail {
        fields: paths(REMOVED),
        count: Some(papers as u64),
        ..Detail::default()
    };
    audit::append(tx, &about(by, Action::CaseAnonymised, &f.uuid, detail), at)?;
    Ok(Anonymised {
        case_id: f.id,
        uuid: f.uuid.clone(),
        number: f.number.clone(),
        language: people
            .iter()
            .find(|p| p.ord == 0)
            .map(|p| p.language.clone())
            .unwrap_or_default(),
        removed: paths(REMOVED),
        household: people.iter().filter(|p| p.ord > 0).count(),
        papers,
        at: now,
    })
}

/// The checks before an anonymisation: closed, not already anonymised, not frozen, period over.
fn may_anonymise(f: &Facts, policy: &Policy, today: NaiveDate) -> Result<()> {
    if f.anonymised_at.is_some() {
        return Err(conflict(ConflictCode::CaseAnonymised));
    }
    if !f.closed() {
        return Err(conflict(ConflictCode::CaseNotClosed));
    }
    if f.frozen() {
        return Err(conflict(ConflictCode::CaseRestricted));
    }
    if f.ended(policy, Purpose::Case, today).is_none() {
        return Err(conflict(ConflictCode::RetentionNotOver));
    }
    Ok(())
}

fn restrict_tx(
    tx: &Transaction,
    f: &Facts,
    reason: RestrictionReason,
    by: &Actor,
    at: &Clock,
) -> Result<()> {
    tx.execute(
        "UPDATE cases SET restricted_at = ?2, restriction_reason = ?3, revision = revision + 1
         WHERE id = ?1",
        params![f.id, at.recorded_at(), reason.to_string()],
    )?;
    let detail = Detail {
        reason: Some(reason.to_string()),
        ..Detail::default()
    };
    audit::append(tx, &about(by, Action::CaseRestricted, &f.uuid, detail), at)?;
    Ok(())
}

impl Register {
    /// The bundled retention purposes.
    pub fn retention_table(&self) -> &Table {
        &self.retention
    }

    /// The retention policy in force (see `policy`).
    pub fn retention_policy(&self) -> Result<Policy> {
        policy(self.store.conn(), &self.retention)
    }

    /// Sets the period of `purpose` as the Comune's archive plan says (`Some(months)`, within the
    /// purpose's `min_months..=max_months`, else `invalid` on `retention.months` with `min` and `max`),
    /// or goes back to the bundled default (`None`). A responsabile's setting, audited.
    pub fn set_retention_months(
        &mut self,
        by: &Actor,
        purpose: Purpose,
        months: Option<u32>,
        at: &Clock,
    ) -> Result<Policy> {
        require_responsabile(by)?;
        let rule = self.retention.rule(purpose);
        if let Some(m) = months {
            if !(rule.min_months..=rule.max_months).contains(&m) {
                return Err(Error::Invalid(vec![FieldError::new(
                    "retention.months",
                    FieldCode::OutOfRange,
                )
                .with("min", rule.min_months)
                .with("max", rule.max_months)]));
            }
        }
        let key = format!("{MONTHS_SETTING}{purpose}");
        self.store.write(|tx| {
            match months {
                Some(m) => put_setting(tx, &key, &m.to_string())?,
                None => {
                    tx.execute("DELETE FROM settings WHERE key = ?1", [&key])?;
                }
            }
            let detail = Detail {
                purpose: Some(purpose.to_string()),
                count: months.map(u64::from),
                ..Detail::default()
            };
            audit::append(
                tx,
                &entry(by, Action::RetentionPolicyChanged).with(detail),
                at,
            )?;
            Ok(())
        })?;
        self.retention_policy()
    }

    /// Records what the desk knows of its funder: the day of the final payment (`YYYY-MM-DD`, not after
    /// today, else `invalid` on `retention.finalPayment`), that there is no funder, or nothing (unknown).
    /// A responsabile's setting, audited.
    pub fn set_funder(&mut self, by: &Actor, input: &FunderInput, at: &Clock) -> Result<Policy> {
        require_responsabile(by)?;
        let funder = match input {
            FunderInput::Unknown => Funder::Unknown,
            FunderInput::NoFunder => Funder::NoFunder,
            FunderInput::FinalPayment { date } => {
                let bad =
                    |code| Error::Invalid(vec![FieldError::new("retention.finalPayment", code)]);
                let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
                    .map_err(|_| bad(FieldCode::DateInvalid))?;
                if day > at.today {
                    return Err(bad(FieldCode::DateFuture));
                }
                Funder::FinalPayment(day)
            }
        };
        self.store.write(|tx| {
            match funder {
                Funder::Unknown => {
                    tx.execute("DELETE FROM settings WHERE key = ?1", [FUNDER_SETTING])?;
                }
                Funder::NoFunder => put_setting(tx, FUNDER_SETTING, NO_FUNDER)?,
                Funder::FinalPayment(day) => {
                    put_setting(tx, FUNDER_SETTING, &day.format("%Y-%m-%d").to_string())?
                }
            }
            let detail = Detail {
                purpose: Some(
                    if funder == Funder::NoFunder {
                        NO_FUNDER
                    } else {
                        "funder"
                    }
                    .into(),
                ),
                date: match funder {
                    Funder::FinalPayment(day) => Some(day),
                    _ => None,
                },
                ..Detail::default()
            };
            audit::append(
                tx,
                &entry(by, Action::RetentionPolicyChanged).with(detail),
                at,
            )?;
            Ok(())
        })?;
        self.retention_policy()
    }

    /// What is due on `today` (see `due`): the responsabile's list.
    pub fn retention_due(&self, by: &Actor, today: NaiveDate) -> Result<Vec<Due>> {
        require_responsabile(by)?;
        due(self.store.conn(), &self.retention_policy()?, today)
    }

    /// Case `case_id`'s retention (see `CaseRetention`), for anyone who may see the case.
    pub fn case_retention(&self, case_id: i64, today: NaiveDate) -> Result<CaseRetention> {
        of_case(self.store.conn(), &self.retention_policy()?, case_id, today)
    }

    /// The restricted cases, oldest restriction first: search and lists leave them out.
    pub fn restricted_cases(&self, by: &Actor) -> Result<Vec<RestrictedCase>> {
        require_responsabile(by)?;
        let policy = self.retention_policy()?;
        let conn = self.store.conn();
        let ids: Vec<i64> = conn
            .prepare(
                "SELECT id FROM cases WHERE restricted_at IS NOT NULL ORDER BY restricted_at, id",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.into_iter()
            .map(|id| {
                let f = facts(conn, id)?;
                Ok(RestrictedCase {
                    case_id: f.id,
                    number: f.number.clone(),
                    restricted_at: f.restricted_at.clone().unwrap_or_default(),
                    reason: f.restriction,
                    kept_until: f.kept_until(&policy, Purpose::Case),
                })
            })
            .collect()
    }

    /// Clears the applicant's phone and e-mail of case `case_id`: when their period ended (a retention
    /// run does it), or at once when the applicant withdraws the reminders' consent. Refused on an
    /// anonymised case and on one frozen by a restriction.
    pub fn clear_contacts(&mut self, by: &Actor, case_id: i64, at: &Clock) -> Result<()> {
        require_responsabile(by)?;
        self.store.write(|tx| {
            let f = facts(tx, case_id)?;
            if f.anonymised_at.is_some() {
                return Err(conflict(ConflictCode::CaseAnonymised));
            }
            if f.frozen() {
                return Err(conflict(ConflictCode::CaseRestricted));
            }
            clear_contacts_tx(tx, &f, by, at)
        })
    }

    /// Empties the free-text notes of closed case `case_id` (the case's notes, every step's note).
    /// Minimising earlier than the policy's period is always allowed; an open case is refused
    /// (`case_not_closed`: its notes are still being written), as are anonymised and frozen cases.
    pub fn minimise_notes(&mut self, by: &Actor, case_id: i64, at: &Clock) -> Result<()> {
        require_responsabile(by)?;
        self.store.write(|tx| {
            let f = facts(tx, case_id)?;
            if f.anonymised_at.is_some() {
                return Err(conflict(ConflictCode::CaseAnonymised));
            }
            if !f.closed() {
                return Err(conflict(ConflictCode::CaseNotClosed));
            }
            if f.frozen() {
                return Err(conflict(ConflictCode::CaseRestricted));
            }
            minimise_notes_tx(tx, &f, by, at)
        })
    }

    /// Anonymises closed case `case_id` whose period is over (see the module doc), in one transaction,
    /// then checkpoints and truncates the WAL. Refused: `case_anonymised`, `case_not_closed`,
    /// `case_restricted` (frozen by a restriction other than an erasure request), `retention_not_over`
    /// (restrict it instead). The papers' files are not touched: call
    /// `papers::access_report::anonymise`, which does this and removes them.
    pub fn anonymise(&mut self, by: &Actor, case_id: i64, at: &Clock) -> Result<Anonymised> {
        require_responsabile(by)?;
        let policy = self.retention_policy()?;
        self.ensure_secure_delete()?;
        let done = self.store.write(|tx| {
            let f = facts(tx, case_id)?;
            may_anonymise(&f, &policy, at.today)?;
            anonymise_tx(tx, &f, by, at)
        })?;
        self.flush_freed()?;
        Ok(done)
    }

    /// Restricts case `case_id` (GDPR art. 18) for `reason`: hidden from search and lists, kept, not
    /// changed. Refused on an anonymised case and on one already restricted (`case_restricted`).
    pub fn restrict(
        &mut self,
        by: &Actor,
        case_id: i64,
        reason: RestrictionReason,
        at: &Clock,
    ) -> Result<()> {
        require_responsabile(by)?;
        self.store.write(|tx| {
            let f = facts(tx, case_id)?;
            if f.anonymised_at.is_some() {
                return Err(conflict(ConflictCode::CaseAnonymised));
            }
            if f.restricted_at.is_some() {
                return Err(conflict(ConflictCode::CaseRestricted));
            }
            restrict_tx(tx, &f, reason, by, at)
        })
    }

    /// Lifts case `case_id`'s restriction: it is found and changed again. `case_not_restricted` if it
    /// has none.
    pub fn lift_restriction(&mut self, by: &Actor, case_id: i64, at: &Clock) -> Result<()> {
        require_responsabile(by)?;
        self.store.write(|tx| {
            let f = facts(tx, case_id)?;
            if f.restricted_at.is_none() {
                return Err(conflict(ConflictCode::CaseNotRestricted));
            }
            tx.execute(
                "UPDATE cases SET restricted_at = NULL, restriction_reason = '',
                     revision = revision + 1
                 WHERE id = ?1",
                [f.id],
            )?;
            audit::append(
                tx,
                &about(
                    by,
                    Action::CaseRestrictionLifted,
                    &f.uuid,
                    Detail::default(),
                ),
                at,
            )?;
            Ok(())
        })
    }

    /// The applicant of closed case `case_id` asks for erasure (GDPR art. 17). If the case's period is
    /// over it is anonymised (`Erasure::Anonymised`; then remove its papers: use
    /// `papers::access_report::erasure_request`, which does). Otherwise the funder's period holds it
    /// back (art. 17(3)(b)): the contacts and notes, which nothing obliges the desk to keep, are cleared,
    /// the case is restricted for `erasure_requested` (or its restriction given that reason) and the
    /// answer says until when and why (`Erasure::Restricted`). All in one transaction. An open case is
    /// `case_not_closed` (record its ending, e.g. `withdrawn`, first); an anonymised one
    /// `case_anonymised`.
    pub fn erasure_request(&mut self, by: &Actor, case_id: i64, at: &Clock) -> Result<Erasure> {
        require_responsabile(by)?;
        let policy = self.retention_policy()?;
        self.ensure_secure_delete()?;
        let outcome = self.store.write(|tx| {
            let f = facts(tx, case_id)?;
            if f.anonymised_at.is_some() {
                return Err(conflict(ConflictCode::CaseAnonymised));
            }
            if !f.closed() {
                return Err(conflict(ConflictCode::CaseNotClosed));
            }
            if f.ended(&policy, Purpose::Case, at.today).is_some() {
                return anonymise_tx(tx, &f, by, at).map(Erasure::Anonymised);
            }
            let mut cleared = Vec::new();
            if f.has_contacts {
                clear_contacts_tx(tx, &f, by, at)?;
                cleared.push(Purpose::Contacts);
            }
            if f.has_notes {
                minimise_notes_tx(tx, &f, by, at)?;
                cleared.push(Purpose::Notes);
            }
            if f.restriction != Some(RestrictionReason::ErasureRequested) {
                restrict_tx(tx, &f, RestrictionReason::ErasureRequested, by, at)?;
            }
            let kept_until = f.kept_until(&policy, Purpose::Case);
            Ok(Erasure::Restricted {
                kept_until,
                why: if kept_until.is_some() {
                    ErasureWhy::FunderPeriod
                } else {
                    ErasureWhy::FunderUnknown
                },
                cleared,
            })
        })?;
        self.flush_freed()?;
        Ok(outcome)
    }

    /// Does everything `retention_due` lists on `at.today`, each case in its own transaction, then
    /// records the run and checkpoints the WAL once. A case whose state changed since the list was read
    /// is checked again and skipped if no longer due. The papers of the anonymised cases are not
    /// touched: call `papers::access_report::apply_retention`, which does this and removes them.
    pub fn apply_retention(&mut self, by: &Actor, at: &Clock) -> Result<RunReport> {
        require_responsabile(by)?;
        let policy = self.retention_policy()?;
        let due = due(self.store.conn(), &policy, at.today)?;
        self.ensure_secure_delete()?;
        let mut report = RunReport::default();
        for d in &due {
            self.store.write(|tx| {
                let f = facts(tx, d.case_id)?;
                if f.anonymised_at.is_some() || f.frozen() {
                    return Ok(());
                }
                match d.action {
                    DueAction::Anonymise if may_anonymise(&f, &policy, at.today).is_ok() => {
                        report.anonymised.push(anonymise_tx(tx, &f, by, at)?);
                    }
                    DueAction::ClearContacts if f.has_contacts => {
                        clear_contacts_tx(tx, &f, by, at)?;
                        report.contacts_cleared.push(f.number.clone());
                    }
                    DueAction::MinimiseNotes if f.has_notes => {
                        minimise_notes_tx(tx, &f, by, at)?;
                        report.notes_minimised.push(f.number.clone());
                    }
                    _ => {}
                }
                Ok(())
            })?;
        }
        let taken =
            report.anonymised.len() + report.contacts_cleared.len() + report.notes_minimised.len();
        self.store.write(|tx| {
            let detail = Detail {
                count: Some(taken as u64),
                ..Detail::default()
            };
            audit::append(tx, &entry(by, Action::RetentionRun).with(detail), at)?;
            Ok(())
        })?;
        self.flush_freed()?;
        Ok(report)
    }

    /// The UUIDs of every anonymised case (the papers area sweeps their print folders).
    pub fn anonymised_uuids(&self) -> Result<Vec<String>> {
        Ok(self
            .store
            .conn()
            .prepare("SELECT uuid FROM cases WHERE anonymised_at IS NOT NULL ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// `Store::open` sets `secure_delete`; forgetting relies on it, so it is checked (and set) again
    /// before anything is removed.
    fn ensure_secure_delete(&self) -> Result<()> {
        let conn = self.store.conn();
        let on: i64 = conn.pragma_query_value(None, "secure_delete", |r| r.get(0))?;
        if on != 1 {
            conn.pragma_update(None, "secure_delete", "ON")?;
        }
        Ok(())
    }

    /// Copies the WAL into the database and truncates it to nothing: the pages written before the
    /// removal (which still hold what was removed) leave the WAL, and the database file's own copies
    /// are overwritten by the zeroed ones.
    fn flush_freed(&self) -> Result<()> {
        self.store
            .conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}
