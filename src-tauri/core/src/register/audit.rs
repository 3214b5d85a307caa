//! The audit trail (GDPR art. 5(2) accountability, art. 32 security): an append-only log of who did what
//! to which case and when, in the `audit` table (migration 005). It owns writing an entry (`append`, inside
//! the caller's transaction, so a change and its audit line commit or roll back together), checking the
//! chain (`verify`), and reading it back for the operator (`list`, a page with filters) and for an auditor
//! (`csv`). It must not decide *when* something is recorded (the use cases do) nor read the clock itself
//! (the `Clock` is a parameter).
//!
//! **No personal values.** An entry names the operator (an employee acting for the Comune), an action, a
//! case by its UUID and a small `Detail`: the *paths* of the fields changed (`applicant.document.number`,
//! never the number), a step's kind, a paper's kind and file name, a count, the file name of an archive or
//! backup as this app names it (a case number and a date), a role. Never an applicant's name, document
//! number, address, date of birth or any other value typed into a case, and never a folder path (which
//! may be named after a person). `Detail` has no free-text member, and in test builds `append` checks that
//! every field path is a known one (`error::FIELD_LABELS`) and that a file name has no folder in it.
//!
//! **Tamper evidence.** Entry `n` stores `hash = SHA-256(JSON [prev_hash, seq, at, day, operator_id,
//! operator, action, case_uuid, detail])` (lower-case hex, `detail` as the stored text), and its
//! `prev_hash` is entry `n − 1`'s hash (64 zeros for the first). The triggers refuse UPDATE and DELETE;
//! someone who edits the file anyway (the triggers dropped) leaves a changed entry whose hash no longer
//! matches, a gap in `seq`, or an entry whose `prev_hash` is not its predecessor's hash, and `verify`
//! names the first. A chain alone cannot see its *last* entries cut off (what is left is a valid chain),
//! so `append` also keeps the head (the last `seq` and hash) in `settings`, in the same transaction, and
//! `verify` compares the two; `append` chains a new entry onto that head, not onto the table's last row,
//! so a cut stays visible after later entries.
//!
//! **What it cannot see.** The hash has no secret: someone who can write the file and knows this scheme
//! can cut or rewrite entries, recompute every hash after them and write a matching head, and `verify`
//! will find nothing; so can someone who cuts the tail and sets the head back to match, or who empties
//! the table and removes the head. The chain makes careless or partial edits evident, not a careful
//! forger's. What keeps a forger out is access to the file (a data folder readable by its owner only,
//! and the database encrypted once the key slots are in); a head noted elsewhere (`head`, printed or kept
//! with a backup) shows a rewrite later: the entry with that `seq` must still have that hash.

use std::str::FromStr;

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::clock::Clock;
use crate::error::{label_key, Error, FieldCode, FieldError, Result, FIELD_LABELS};
use crate::register::search::MAX_PAGE;
use crate::register::store::{put_setting, read_setting};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The `settings` key holding the head: `{"entries": <last seq>, "hash": "<its hash>"}`.
pub const HEAD_SETTING: &str = "audit.head";

/// What was done: stored by its snake_case name, translated as `audit.action.<name>`.
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
pub enum Action {
    /// A case shown to the operator (read access to personal data is accountable too).
    CaseViewed,
    CaseCreated,
    /// `Detail::fields`: the paths changed.
    CaseChanged,
    /// `Detail::step`: the kind.
    StepAdded,
    /// `Detail::step`: the kind of the step voided.
    StepCorrected,
    /// `Detail::paper` and `file`.
    PaperPrinted,
    /// A paper's PDF saved outside the data folder (`Detail::paper` and `file`).
    PaperSaved,
    /// One entry per case exported (`Detail::file`: the archive's name; `encrypted`).
    CaseExported,
    /// One entry per case taken from an archive (`Detail::file`).
    CaseImported,
    /// `Detail::file`: the backup's name.
    BackupMade,
    /// `Detail::file`: the backup restored.
    BackupRestored,
    SignedIn,
    SignedOut,
    /// No `operator_id`: `operator` is the name chosen.
    SignInFailed,
    RegisterLocked,
    RegisterUnlocked,
    /// `Detail::subject`: the operator added (and `role`).
    OperatorAdded,
    OperatorDisabled,
    OperatorEnabled,
    /// `Detail::subject` and the new `role`.
    OperatorRoleChanged,
    OperatorPassphraseChanged,
    RecoveryKeyReissued,
    /// `Detail::count`: the retention steps the run took (contacts cleared, notes minimised, cases
    /// anonymised; each has its own entry too).
    RetentionRun,
    /// `Detail::fields`: the paths removed; `count`: the papers removed.
    CaseAnonymised,
    /// Processing restricted (GDPR art. 18); `Detail::reason`: why (`retention::RestrictionReason`).
    CaseRestricted,
    CaseRestrictionLifted,
    /// The applicant's copy of their data printed (GDPR art. 15).
    AccessReportPrinted,
    /// The register converted to an encrypted database.
    RegisterEncrypted,
    /// A retention setting changed by a responsabile: `Detail::purpose` and the new period in months as
    /// `count` (none: back to the bundled default); or `purpose` `funder` with the final payment's `date`
    /// (no date: unknown again), or `no_funder`.
    RetentionPolicyChanged,
    /// The reminder contacts removed (`Detail::fields`: their paths).
    ContactsCleared,
    /// The free-text notes of a closed case emptied (`Detail::fields`: `notes`, `step.note`).
    NotesMinimised,
    /// A content pack applied by a responsabile (`Detail::version`: the pack's).
    ContentApplied,
    /// The previous content put back in force (`Detail::version`: the version in force now).
    ContentRestored,
    /// The applicant's consent to reminders recorded or changed (`Detail::fields`: the `consent.*`
    /// paths changed).
    ConsentChanged,
    /// A contact with the applicant logged (`Detail::channel`, `outcome`; `purpose`: the agenda bucket).
    ContactRecorded,
    /// The agenda's lead time or kit wait set by a responsabile (`Detail::purpose`: `lead_days` or
    /// `kit_days`, `count`: the days; none: back to the data's default).
    AgendaSettingsChanged,
    /// A contact at the desk recorded (`Detail::channel`: its kind, `count`: the minutes), on its case
    /// when it had one; a walk-in's has no case.
    DeskContactRecorded,
    /// Staff time recorded (`Detail::purpose`: its kind, `count`: the minutes, `date`: the day).
    StaffTimeRecorded,
    /// A report exported (`Detail::purpose`: the definition, `file`: csv or xlsx; only aggregates leave).
    ReportExported,
    /// A partner added to the directory (`Detail::subject`: its stable id).
    PartnerAdded,
    /// A partner's data changed (`Detail::subject`, `fields`: the `partner.*` paths changed).
    PartnerChanged,
    /// A partner retired from the directory (`Detail::subject`); its referrals keep it.
    PartnerRetired,
    /// A retired partner put back in the directory (`Detail::subject`).
    PartnerReinstated,
    /// A partner file read into the directory (`Detail::count`: partners added or changed).
    PartnersImported,
    /// The directory written to a partner file (`Detail::count`: partners).
    PartnersExported,
    /// A referral made (`Detail::purpose`: the need, `subject`: the partner's stable id), on its case
    /// when it has one.
    ReferralMade,
    /// A referral's follow-up step (`Detail::outcome`: the new state).
    ReferralFollowedUp,
    /// The follow-up interval of referrals set by a responsabile (`Detail::count`: days; none: back to
    /// the data's default).
    ReferralSettingsChanged,
}

/// What an entry says beyond its action and case. Only identifiers and counts, see the module doc; an
/// empty member is left out of the stored JSON (`{}` when all are).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Detail {
    /// The camelCase paths of the fields changed (`applicant.surname`, `household.1.birthDate`), each
    /// a path `error::FIELD_LABELS` knows (without its list indexes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// A step's kind (`kit_sent`, `correction`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// A paper's kind (`checklist`, `ricevuta`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper: Option<String>,
    /// A file's name without its folder, as this app names it: a paper, an archive, a backup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Whether an archive was encrypted (`false`: the applicant's plain copy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// How many (cases in an archive, steps a retention run took, papers an anonymisation removed, the
    /// months of a retention period).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The operator acted on, by id (operator management).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A role given to an operator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A retention purpose (`contacts`, `notes`, `case`), or `funder` / `no_funder`: what a retention
    /// setting was about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// A code: why processing was restricted (`erasure_requested`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A date that is nobody's personal data: the funder's final payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// A content pack's version (`2027.1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// A contact's channel code (`phone`, `sms`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// A contact's outcome code (`reached`, `dimora_confirmed`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// An entry to append: who, what, on which case. The time and the chain are `append`'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The signed-in operator's id; `None` when nobody is (a failed sign-in).
    pub operator_id: Option<String>,
    /// The operator's display name now, or the name chosen at a failed sign-in.
    pub operator: String,
    pub action: Action,
    pub case_uuid: Option<String>,
    pub detail: Detail,
}

impl Entry {
    /// `action` by an operator, on no case, with no detail.
    pub fn new(operator_id: Option<&str>, operator: &str, action: Action) -> Entry {
        Entry {
            operator_id: operator_id.map(String::from),
            operator: operator.to_string(),
            action,
            case_uuid: None,
            detail: Detail::default(),
        }
    }

    pub fn on_case(mut self, uuid: &str) -> Entry {
        self.case_uuid = Some(uuid.to_string());
        self
    }

    pub fn with(mut self, detail: Detail) -> Entry {
        self.detail = detail;
        self
    }
}

/// An entry as stored, every column: what the hash covers and what the audit screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    pub seq: i64,
    /// RFC 3339 UTC with milliseconds.
    pub at: String,
    /// The counter's local date, `YYYY-MM-DD`.
    pub day: String,
    pub operator_id: Option<String>,
    pub operator: String,
    /// `Action`'s name as stored (a name this version does not know stays readable).
    pub action: String,
    pub case_uuid: Option<String>,
    /// The stored JSON text; sent to the UI as the object it holds.
    #[serde(serialize_with = "as_json")]
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Line {
    /// The hash this line's columns give: SHA-256 of the JSON array of `prev_hash` and the fields, in
    /// lower-case hex. JSON keeps every boundary between fields (no text run into the next can collide).
    pub fn computed_hash(&self) -> String {
        let canonical = serde_json::to_string(&(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.day,
            &self.operator_id,
            &self.operator,
            &self.action,
            &self.case_uuid,
            &self.detail,
        ))
        .expect("strings and numbers always serialize");
        sha256_hex(canonical.as_bytes())
    }
}

/// The stored detail as the JSON it holds, or as the text itself when it is not JSON (an edited file).
fn as_json<S: Serializer>(detail: &str, out: S) -> std::result::Result<S::Ok, S::Error> {
    match serde_json::from_str::<serde_json::Value>(detail) {
        Ok(value) => value.serialize(out),
        Err(_) => out.serialize_str(detail),
    }
}

/// SHA-256 in lower-case hex, as the chain, the archives' manifests and the papers' records store it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The last entry `append` wrote, kept in `settings` (`HEAD_SETTING`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Its `seq`: how many entries the trail had then.
    pub entries: i64,
    pub hash: String,
}

/// The head `append` last wrote; `None` before the first entry, or when it was removed or made
/// unreadable.
pub fn head(conn: &Connection) -> Result<Option<Head>> {
    // An unreadable head counts as none: `verify` reports it, `append` chains onto the table.
    Ok(read_setting(conn, HEAD_SETTING)?.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Appends `entry` at `at` inside the caller's transaction and returns its `seq`. The head in
/// `settings` moves with it, so both commit or roll back with the caller's change.
pub fn append(tx: &Transaction, entry: &Entry, at: &Clock) -> Result<i64> {
    debug_assert!(
        entry
            .detail
            .fields
            .iter()
            .all(|f| FIELD_LABELS.contains(&label_key(f).as_str())),
        "an audit detail names field paths from FIELD_LABELS, never values"
    );
    debug_assert!(
        entry
            .detail
            .file
            .as_deref()
            .is_none_or(|f| !f.contains(['/', '\\'])),
        "an audit detail names a file without its folder"
    );
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let seq = last.as_ref().map_or(0, |(seq, _)| *seq) + 1;
    // Onto the head, not the table's last row: if entries were cut off the end since the last append,
    // the new one does not follow what is left and the cut stays visible.
    let prev_hash = match (head(tx)?, last) {
        (Some(head), _) => head.hash,
        (None, Some((_, hash))) => hash,
        (None, None) => GENESIS.to_string(),
    };
    let mut line = Line {
        seq,
        at: at.recorded_at(),
        day: at.today.format("%Y-%m-%d").to_string(),
        operator_id: entry.operator_id.clone(),
        operator: entry.operator.clone(),
        action: entry.action.to_string(),
        case_uuid: entry.case_uuid.clone(),
        detail: serde_json::to_string(&entry.detail).expect("a Detail always serializes"),
        prev_hash,
        hash: String::new(),
    };
    line.hash = line.computed_hash();
    tx.execute(
        "INSERT INTO audit (seq, at, day, operator_id, operator, action, case_uuid, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            line.seq,
            line.at,
            line.day,
            line.operator_id,
            line.operator,
            line.action,
            line.case_uuid,
            line.detail,
            line.prev_hash,
            line.hash
        ],
    )?;
    let head = Head {
        entries: seq,
        hash: line.hash,
    };
    put_setting(
        tx,
        HEAD_SETTING,
        &serde_json::to_string(&head).expect("a Head always serializes"),
    )?;
    Ok(seq)
}

/// Why the chain is broken: translated as `audit.broken.<code>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum BrokenCode {
    /// The entry's columns do not give its hash: it was changed after it was written.
    Altered,
    /// `seq` skips this number: the entry was removed.
    Missing,
    /// The entry's `prev_hash` is not its predecessor's hash: entries before it were removed, inserted
    /// or moved.
    Unlinked,
    /// The head records more entries than the table holds: the last ones were removed.
    Truncated,
    /// The table goes on past the head, or its last entry is not the one the head records: entries
    /// written by other means than `append`.
    HeadMismatch,
    /// Entries but no head (removed from `settings`): the chain checks out as far as it goes, but a cut
    /// at its end could not be seen.
    HeadMissing,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// How many entries the table holds.
    pub entries: i64,
    /// The `seq` of the first broken entry: for `Missing` and `Truncated` the number the removed entry
    /// had, for `HeadMismatch` the first entry the head and the table do not share; `None` when intact
    /// and for `HeadMissing`.
    pub first_broken: Option<i64>,
    /// `None` when the trail is intact.
    pub reason: Option<BrokenCode>,
}

impl Verdict {
    pub fn is_intact(&self) -> bool {
        self.reason.is_none()
    }
}

const COLUMNS: &str =
    "seq, at, day, operator_id, operator, action, case_uuid, detail, prev_hash, hash";

fn read_line(r: &Row) -> rusqlite::Result<Line> {
    Ok(Line {
        seq: r.get(0)?,
        at: r.get(1)?,
        day: r.get(2)?,
        operator_id: r.get(3)?,
        operator: r.get(4)?,
        action: r.get(5)?,
        case_uuid: r.get(6)?,
        detail: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

/// Walks the chain in `seq` order and reports the first broken entry, then compares the chain's end with
/// the head in `settings`. Reads every entry once, without holding them in memory.
pub fn verify(conn: &Connection) -> Result<Verdict> {
    let entries: i64 = conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
    let verdict = |first_broken, reason| Verdict {
        entries,
        first_broken,
        reason,
    };
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))?;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_string();
    for line in stmt.query_map([], read_line)? {
        let line = line?;
        if line.seq > expected_seq {
            return Ok(verdict(Some(expected_seq), Some(BrokenCode::Missing)));
        }
        // A seq below the expected one can only be a row numbered 0 or less, put there by hand.
        if line.seq < expected_seq || line.prev_hash != prev_hash {
            return Ok(verdict(Some(line.seq), Some(BrokenCode::Unlinked)));
        }
        if line.computed_hash() != line.hash {
            return Ok(verdict(Some(line.seq), Some(BrokenCode::Altered)));
        }
        expected_seq = line.seq + 1;
        prev_hash = line.hash;
    }
    let last = expected_seq - 1;
    Ok(match head(conn)? {
        None if last == 0 => verdict(None, None),
        None => verdict(None, Some(BrokenCode::HeadMissing)),
        Some(head) if head.entries > last => verdict(Some(last + 1), Some(BrokenCode::Truncated)),
        Some(head) if head.entries < last => {
            verdict(Some(head.entries + 1), Some(BrokenCode::HeadMismatch))
        }
        Some(head) if head.hash != prev_hash => verdict(Some(last), Some(BrokenCode::HeadMismatch)),
        Some(_) => verdict(None, None),
    })
}

/// Which entries to list or export; every member left empty lets all through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Filter {
    pub operator_id: Option<String>,
    pub case_uuid: Option<String>,
    pub action: Option<Action>,
    /// First day of the period, `YYYY-MM-DD` (the counter's local date), inclusive.
    pub from: Option<String>,
    /// Last day of the period, `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
}

impl Filter {
    /// The SQL condition (`WHERE …` or nothing) and its values. A bad date is refused with its field
    /// (`from`, `to`), both reported at once.
    fn condition(&self) -> Result<(String, Vec<Value>)> {
        let mut terms = Vec::new();
        let mut values = Vec::new();
        let mut problems = Vec::new();
        let mut term = |sql: &str, value: Value| {
            values.push(value);
            terms.push(format!("{sql} ?{}", values.len()));
        };
        if let Some(id) = &self.operator_id {
            term("operator_id =", Value::Text(id.clone()));
        }
        if let Some(uuid) = &self.case_uuid {
            term("case_uuid =", Value::Text(uuid.clone()));
        }
        if let Some(action) = self.action {
            term("action =", Value::Text(action.to_string()));
        }
        for (field, date, sql) in [("from", &self.from, "day >="), ("to", &self.to, "day <=")] {
            let Some(date) = date.as_deref() else {
                continue;
            };
            match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
                // Compared as the stored form, whatever padding the input had.
                Ok(day) => term(sql, Value::Text(day.format("%Y-%m-%d").to_string())),
                Err(_) => problems.push(FieldError::new(field, FieldCode::DateInvalid)),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let condition = if terms.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", terms.join(" AND "))
        };
        Ok((condition, values))
    }
}

/// One page of the audit screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub items: Vec<Line>,
    /// Whether another page follows (as the case list, no total is counted).
    pub has_more: bool,
}

/// The entries `filter` lets through, newest first: `limit` (at most `search::MAX_PAGE`) from `offset`.
pub fn list(conn: &Connection, filter: &Filter, offset: usize, limit: usize) -> Result<Page> {
    let limit = limit.clamp(1, MAX_PAGE);
    let (condition, mut values) = filter.condition()?;
    values.push(Value::Integer(limit as i64 + 1));
    values.push(Value::Integer(offset as i64));
    let sql = format!(
        "SELECT {COLUMNS} FROM audit {condition} ORDER BY seq DESC LIMIT ?{} OFFSET ?{}",
        values.len() - 1,
        values.len()
    );
    let mut items: Vec<Line> = conn
        .prepare(&sql)?
        .query_map(params_from_iter(values), read_line)?
        .collect::<rusqlite::Result<_>>()?;
    let has_more = items.len() > limit;
    items.truncate(limit);
    Ok(Page { items, has_more })
}

/// The entries `filter` lets through as CSV for an auditor, oldest first (the chain's order): a header,
/// then `seq, at, operator, action, case, detail, hash`, the action as `labels` translates it (a name
/// this version does not know as stored). A cell that a spreadsheet would take for a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return: an operator's name can) gets a leading `'`.
pub fn csv(
    conn: &Connection,
    filter: &Filter,
    labels: impl Fn(Action) -> String,
) -> Result<String> {
    let (condition, values) = filter.condition()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit {condition} ORDER BY seq"
    ))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["seq", "at", "operator", "action", "case", "detail", "hash"])
        .map_err(csv_error)?;
    for line in stmt.query_map(params_from_iter(values), read_line)? {
        let line = line?;
        let action = Action::from_str(&line.action).map_or(line.action.clone(), &labels);
        out.write_record([
            line.seq.to_string(),
            line.at,
            inert(line.operator),
            inert(action),
            line.case_uuid.unwrap_or_default(),
            inert(line.detail),
            line.hash,
        ])
        .map_err(csv_error)?;
    }
    let bytes = out.into_inner().map_err(|e| Error::Io(e.into_error()))?;
    Ok(String::from_utf8(bytes).expect("the cells written are UTF-8"))
}

/// A cell a spreadsheet will show as text, not run as a formula (OWASP "CSV injection").
fn inert(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Writing CSV into memory fails only as memory does: an internal error.
fn csv_error(e: csv::Error) -> Error {
    Error::Io(e.into())
}

/// Every translation key the audit screen needs: `audit.action.<name>` and `audit.broken.<code>`.
pub fn translation_keys() -> Vec<String> {
    let actions = Action::VARIANTS.iter().map(|a| format!("audit.action.{a}"));
    let reasons = BrokenCode::VARIANTS
        .iter()
        .map(|c| format!("audit.broken.{c}"));
    actions.chain(reasons).collect()
}
