//! The desk's own work (issue 15): every contact at the desk (a visit or a call, for a case or for an
//! anonymous walk-in), the staff time that is not a contact (back office, training, network meetings), and
//! the one-question satisfaction answers. It owns the activity table (`assets/reference/activity.toml`:
//! contact kinds, services, age bands, staff-time kinds, answers), the writes of migration 009's tables
//! (each inside the caller's transaction; the `Register` façade adds the audit entry) and what retention
//! does to them. It must not count for a report (`report` does), hold a service or band in code (they are
//! the table's rows), nor keep free text or a name: a walk-in is only citizenship, sex and age band.
//!
//! These records are not the agenda's reminder log (`contacts`, migration 008): that one is contact data
//! about reaching an applicant, cleared with the phone and e-mail; this one is the funder's statistics,
//! and survives the case's anonymisation without its link to the case.
//!
//! *Who a contact is about*: a random token (`person`) shared by every contact of a case and of the cases
//! in its renewal chain (found through `renewed_from`), a fresh one for each walk-in (an anonymous visitor
//! cannot be recognised the next time: each walk-in counts as a new person). A contact for a case counts
//! its applicant only (the household members are not counted as reached). The applicant's main citizenship
//! (the first listed: a person with two citizenships counts once, under the first), sex and age band on the
//! contact's day are copied into the row, so later edits and anonymisation change no past count.
//!
//! *Satisfaction answers are unlinkable*: they are counters per month and answer (`satisfaction`), with no
//! row per answer (no time, order or rowid to set beside a collection step), no case, no operator; and no
//! audit entry, because an entry's time and operator would be exactly the link the counter avoids.

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::clock::Clock;
use crate::error::{Error, Missing, Result};
use crate::reference::data::{check_source, data_error, parse_toml};

const ACTIVITY: (&str, &str) = (
    "assets/reference/activity.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/activity.toml"
    )),
);

/// How far up a renewal chain a contact looks for the person's token (chains are a few cases long).
const CHAIN_MAX: usize = 64;

/// A code with its labels (snake_case in the file, camelCase on the wire).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Coded {
    pub code: String,
    pub label_it: String,
    pub label_en: String,
}

impl Coded {
    /// The label in the operator's language (Italian unless English).
    pub fn label(&self, locale: &str) -> &str {
        if locale == "en" {
            &self.label_en
        } else {
            &self.label_it
        }
    }
}

/// A service given at the desk and its bit in a contact's `services`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    #[serde(flatten)]
    pub coded: Coded,
    pub bit: u8,
}

/// An age band: whole years `from ..= to` (`to` none: and older) on the contact's day.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgeBand {
    pub code: String,
    pub from: u32,
    pub to: Option<u32>,
}

/// What a case visit proposes: an action on a case (`open`, `paper.<kind>`, `step.<kind>`) and the
/// services it ticks in the visit's proposed desk contact.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    pub on: String,
    pub services: Vec<String>,
}

/// The satisfaction question in one language: the question and each answer code's text.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub language: String,
    /// `ltr` or `rtl` (`languages.toml`).
    pub dir: String,
    pub question: String,
    /// `(code, text)` in the table's order.
    pub answers: Vec<(String, String)>,
}

/// The satisfaction question in Italian and, when it is another, in the applicant's language.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SatisfactionQuestion {
    pub italian: Question,
    pub applicant: Option<Question>,
}

/// The question of `satisfaction.*` of the checklist texts in `language` (known to `texts`).
pub fn question(
    table: &Table,
    texts: &crate::reference::content::Texts,
    language: &str,
    dir: &str,
) -> Question {
    let none = std::collections::BTreeMap::new();
    Question {
        language: language.to_string(),
        dir: dir.to_string(),
        question: texts.text("satisfaction.question", language, &none),
        answers: table
            .answers
            .iter()
            .map(|a| {
                let key = format!("satisfaction.answer_{}", a.code);
                (a.code.clone(), texts.text(&key, language, &none))
            })
            .collect(),
    }
}

/// The activity table of `activity.toml`, checked.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Table {
    pub kinds: Vec<Coded>,
    pub services: Vec<Service>,
    pub age_bands: Vec<AgeBand>,
    pub staff_kinds: Vec<Coded>,
    pub answers: Vec<Coded>,
    pub proposals: Vec<Proposal>,
    pub source: String,
    pub verify: bool,
}

#[derive(Deserialize)]
struct RawFile {
    table: RawTable,
    kind: Vec<Spanned<Coded>>,
    service: Vec<Spanned<RawService>>,
    age_band: Vec<Spanned<AgeBand>>,
    staff_kind: Vec<Spanned<Coded>>,
    answer: Vec<Spanned<Coded>>,
    #[serde(default)]
    proposal: Vec<Spanned<Proposal>>,
}

#[derive(Deserialize)]
struct RawTable {
    source: Spanned<String>,
    #[serde(default)]
    verify: bool,
}

#[derive(Deserialize)]
struct RawService {
    code: String,
    bit: u8,
    label_it: String,
    label_en: String,
}

impl Table {
    /// `assets/reference/activity.toml`; a problem names the file and line.
    pub fn bundled() -> Result<Table> {
        Table::from_source(ACTIVITY)
    }

    /// A table from `(file name, text)`: codes unique per list, service bits unique and below 63, age
    /// bands from 0 without gaps or overlaps and only the last open-ended.
    pub fn from_source(source: (&str, &str)) -> Result<Table> {
        let raw: RawFile = parse_toml(source)?;
        check_source(source, &raw.table.source)?;
        fn unique<T>(
            source: (&str, &str),
            rows: &[Spanned<T>],
            code: impl Fn(&T) -> &str,
        ) -> Result<()> {
            for (i, row) in rows.iter().enumerate() {
                let c = code(row.get_ref());
                if c.is_empty() || rows[..i].iter().any(|r| code(r.get_ref()) == c) {
                    return Err(data_error(
                        source,
                        row.span(),
                        format!("code '{c}' is empty or listed twice"),
                    ));
                }
            }
            Ok(())
        }
        unique(source, &raw.kind, |c| &c.code)?;
        unique(source, &raw.service, |s| &s.code)?;
        unique(source, &raw.age_band, |b| &b.code)?;
        unique(source, &raw.staff_kind, |c| &c.code)?;
        unique(source, &raw.answer, |c| &c.code)?;
        for (i, s) in raw.service.iter().enumerate() {
            let bit = s.get_ref().bit;
            if bit > 62 || raw.service[..i].iter().any(|o| o.get_ref().bit == bit) {
                return Err(data_error(
                    source,
                    s.span(),
                    format!("bit {bit} is above 62 or taken"),
                ));
            }
        }
        let mut next = 0;
        for (i, b) in raw.age_band.iter().enumerate() {
            let band = b.get_ref();
            let last = i + 1 == raw.age_band.len();
            if band.from != next
                || band.to.is_some_and(|t| t < band.from)
                || band.to.is_none() != last
            {
                return Err(data_error(
                    source,
                    b.span(),
                    format!(
                        "age band {} must start at {next}, end at or after its start, and only the last may be open",
                        band.code
                    ),
                ));
            }
            next = band.to.map_or(next, |t| t + 1);
        }
        for p in &raw.proposal {
            let proposal = p.get_ref();
            let known_on = match proposal.on.split_once('.') {
                None => proposal.on == "open",
                Some(("paper", kind)) => {
                    !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                }
                Some(("step", kind)) => crate::register::steps::all_kinds().any(|k| k == kind),
                _ => false,
            };
            let unknown = proposal
                .services
                .iter()
                .find(|s| !raw.service.iter().any(|r| &r.get_ref().code == *s));
            if !known_on || proposal.services.is_empty() || unknown.is_some() {
                return Err(data_error(
                    source,
                    p.span(),
                    format!(
                        "proposal on '{}': on must be open, paper.<kind> or step.<a step kind>, with known services",
                        proposal.on
                    ),
                ));
            }
        }
        let inner = |rows: Vec<Spanned<Coded>>| rows.into_iter().map(Spanned::into_inner).collect();
        Ok(Table {
            kinds: inner(raw.kind),
            services: raw
                .service
                .into_iter()
                .map(|s| {
                    let s = s.into_inner();
                    Service {
                        coded: Coded {
                            code: s.code,
                            label_it: s.label_it,
                            label_en: s.label_en,
                        },
                        bit: s.bit,
                    }
                })
                .collect(),
            age_bands: raw.age_band.into_iter().map(Spanned::into_inner).collect(),
            staff_kinds: inner(raw.staff_kind),
            answers: inner(raw.answer),
            proposals: raw.proposal.into_iter().map(Spanned::into_inner).collect(),
            source: raw.table.source.into_inner(),
            verify: raw.table.verify,
        })
    }

    pub fn kind_codes(&self) -> Vec<&str> {
        self.kinds.iter().map(|k| k.code.as_str()).collect()
    }

    pub fn service_codes(&self) -> Vec<&str> {
        self.services
            .iter()
            .map(|s| s.coded.code.as_str())
            .collect()
    }

    pub fn band_codes(&self) -> Vec<&str> {
        self.age_bands.iter().map(|b| b.code.as_str()).collect()
    }

    pub fn staff_codes(&self) -> Vec<&str> {
        self.staff_kinds.iter().map(|k| k.code.as_str()).collect()
    }

    pub fn answer_codes(&self) -> Vec<&str> {
        self.answers.iter().map(|a| a.code.as_str()).collect()
    }

    /// The bit mask of known service codes (unknown ones are left out: validation refused them).
    pub fn mask(&self, codes: &[String]) -> i64 {
        codes
            .iter()
            .filter_map(|c| self.services.iter().find(|s| &s.coded.code == c))
            .fold(0, |m, s| m | (1i64 << s.bit))
    }

    /// The service codes of a mask, in the table's order.
    pub fn codes_of(&self, mask: i64) -> Vec<String> {
        self.services
            .iter()
            .filter(|s| mask & (1i64 << s.bit) != 0)
            .map(|s| s.coded.code.clone())
            .collect()
    }

    /// The band of someone born on `birth`, on `day` ('' when the birth date is unknown or later).
    pub fn age_band(&self, birth: &str, day: NaiveDate) -> String {
        let Ok(born) = NaiveDate::parse_from_str(birth, "%Y-%m-%d") else {
            return String::new();
        };
        let Some(age) = day.years_since(born) else {
            return String::new();
        };
        self.age_bands
            .iter()
            .find(|b| age >= b.from && b.to.is_none_or(|t| age <= t))
            .map(|b| b.code.clone())
            .unwrap_or_default()
    }
}

/// Who an anonymous walk-in was: nothing more than the funder's breakdowns need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WalkIn {
    /// ISO alpha-3 of the main citizenship.
    pub citizenship: String,
    pub sex: String,
    /// A band code of the table.
    pub age_band: String,
}

/// A desk contact as the operator records it; the operator and the day come from the session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeskContactInput {
    /// `visit` or `call` (the table's kinds).
    pub kind: String,
    /// The case it was for; none: an anonymous walk-in, described by `walk_in`.
    pub case_id: Option<i64>,
    pub walk_in: WalkIn,
    /// Service codes of the table, at least one.
    pub services: Vec<String>,
    /// The language spoken (a code of `languages.toml`), '' when Italian was enough.
    pub language: String,
    pub mediator: bool,
    /// Minutes spent, 1 to 480.
    pub minutes: u32,
}

/// A recorded desk contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeskContact {
    pub id: i64,
    pub day: String,
    pub kind: String,
    pub case_id: Option<i64>,
    pub citizenship: String,
    pub sex: String,
    pub age_band: String,
    pub services: Vec<String>,
    pub language: String,
    pub mediator: bool,
    pub minutes: u32,
    pub operator_id: String,
}

/// Staff time that is not a contact, as the operator records it (the operator from the session).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StaffTimeInput {
    /// `YYYY-MM-DD`, not in the future.
    pub day: String,
    /// A staff-kind code of the table.
    pub kind: String,
    /// 1 to 720.
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffTime {
    pub id: i64,
    pub operator_id: String,
    pub day: String,
    pub kind: String,
    pub minutes: u32,
}

/// The applicant of case `case_id` as a contact copies them, with the case's procedure and motivo.
struct Applicant {
    citizenship: String,
    sex: String,
    birth: String,
    procedure: String,
    motivo: String,
}

fn applicant(tx: &Connection, case_id: i64) -> Result<Applicant> {
    tx.query_row(
        "SELECT p.citizenships, p.sex, p.birth_date, c.procedure, c.motivo_code
         FROM cases c JOIN persons p ON p.case_id = c.id AND p.ord = 0 WHERE c.id = ?1",
        [case_id],
        |r| {
            let citizenships: String = r.get(0)?;
            Ok(Applicant {
                // Main citizenship first (see migration 001): a second one is not counted again.
                citizenship: citizenships
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                sex: r.get(1)?,
                birth: r.get(2)?,
                procedure: r.get(3)?,
                motivo: r.get(4)?,
            })
        },
    )
    .optional()?
    .ok_or(Error::NotFound(Missing::Case))
}

/// A day as stored: the integer YYYYMMDD.
pub fn day_number(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 10_000 + i64::from(day.month()) * 100 + i64::from(day.day())
}

/// A stored day as `YYYY-MM-DD`.
fn day_text(n: i64) -> String {
    format!("{:04}-{:02}-{:02}", n / 10_000, n / 100 % 100, n % 100)
}

/// The number of operator `operator_id` in `desk_operators`, given at its first contact.
fn operator_number(tx: &Transaction, operator_id: &str) -> Result<i64> {
    tx.execute(
        "INSERT OR IGNORE INTO desk_operators (operator_id) VALUES (?1)",
        [operator_id],
    )?;
    Ok(tx.query_row(
        "SELECT no FROM desk_operators WHERE operator_id = ?1",
        [operator_id],
        |r| r.get(0),
    )?)
}

/// The person token and first day already given to case `case_id` or a case it renews, if any.
fn known_person(tx: &Connection, case_id: i64) -> Result<Option<(i64, i64)>> {
    let mut id = Some(case_id);
    let mut seen = 0;
    while let Some(case) = id {
        if let Some(found) = tx
            .query_row(
                "SELECT person, first_day FROM desk_contacts WHERE case_id = ?1 LIMIT 1",
                [case],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
        {
            return Ok(Some(found));
        }
        seen += 1;
        if seen >= CHAIN_MAX {
            break;
        }
        id = tx
            .query_row(
                "SELECT renewed_from FROM cases WHERE id = ?1",
                [case],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
    }
    Ok(None)
}

/// A fresh token: random, so it carries no order or id a reader could trace back; below 2^47 so the
/// index stores it in six bytes (a million persons share one by chance about once in 300 reports'
/// worth of registers: 10^12 / 2^48).
fn new_token() -> i64 {
    (rand::random::<u64>() >> 17) as i64
}

/// Writes a validated desk contact inside `tx`, dated `at.today`, by operator `operator_id`.
pub(crate) fn insert_desk_contact(
    tx: &Transaction,
    table: &Table,
    input: &DeskContactInput,
    at: &Clock,
    operator_id: &str,
) -> Result<i64> {
    let day = day_number(at.today);
    let operator = operator_number(tx, operator_id)?;
    let (person, first_day, who, procedure, motivo) = match input.case_id {
        Some(case_id) => {
            let a = applicant(tx, case_id)?;
            let (person, first) = known_person(tx, case_id)?.unwrap_or((new_token(), day));
            let band = table.age_band(&a.birth, at.today);
            (
                person,
                first,
                WalkIn {
                    citizenship: a.citizenship,
                    sex: a.sex,
                    age_band: band,
                },
                a.procedure,
                a.motivo,
            )
        }
        None => (
            new_token(),
            day,
            input.walk_in.clone(),
            String::new(),
            String::new(),
        ),
    };
    tx.execute(
        "INSERT INTO desk_contacts (day, at, kind, case_id, walk_in, person, first_day, citizenship,
             sex, age_band, procedure, motivo, services, language, mediator, minutes, operator)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            day,
            at.recorded_at(),
            input.kind,
            input.case_id,
            input.case_id.is_none(),
            person,
            first_day,
            who.citizenship,
            who.sex,
            who.age_band,
            procedure,
            motivo,
            table.mask(&input.services),
            input.language,
            input.mediator,
            input.minutes,
            operator
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Demo data and benchmarks: a desk contact of a walk-in or case written with its facts given, without
/// the look-ups (`person` and `first_day` chosen by the caller). Not for the app.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn insert_generated(
    tx: &Transaction,
    day: NaiveDate,
    kind: &str,
    case_id: Option<i64>,
    person: i64,
    first_day: NaiveDate,
    who: &WalkIn,
    motivo: &str,
    services: i64,
    minutes: u32,
    operator_id: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO desk_contacts (day, at, kind, case_id, walk_in, person, first_day, citizenship,
             sex, age_band, procedure, motivo, services, language, mediator, minutes, operator)
         VALUES (?1, ?1, ?2, ?3, ?3 IS NULL, ?4, ?5, ?6, ?7, ?8, iif(?3 IS NULL, '', 'rinnovo'), ?9,
                 ?10, '', 0, ?11, ?12)",
    )?
    .execute(params![
        day_number(day),
        kind,
        case_id,
        person,
        day_number(first_day),
        who.citizenship,
        who.sex,
        who.age_band,
        motivo,
        services,
        minutes,
        operator_number(tx, operator_id)?
    ])?;
    Ok(())
}

/// The desk contacts recorded for case `case_id`, newest first.
pub fn case_contacts(conn: &Connection, table: &Table, case_id: i64) -> Result<Vec<DeskContact>> {
    let mut stmt = conn.prepare(
        "SELECT d.id, d.day, d.kind, d.case_id, d.citizenship, d.sex, d.age_band, d.services,
                d.language, d.mediator, d.minutes, o.operator_id
         FROM desk_contacts d JOIN desk_operators o ON o.no = d.operator
         WHERE d.case_id = ?1 ORDER BY d.day DESC, d.id DESC",
    )?;
    let rows = stmt
        .query_map([case_id], |r| row(r, table))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A desk contact by id.
pub fn desk_contact(conn: &Connection, table: &Table, id: i64) -> Result<DeskContact> {
    conn.query_row(
        "SELECT d.id, d.day, d.kind, d.case_id, d.citizenship, d.sex, d.age_band, d.services,
                d.language, d.mediator, d.minutes, o.operator_id
         FROM desk_contacts d JOIN desk_operators o ON o.no = d.operator WHERE d.id = ?1",
        [id],
        |r| row(r, table),
    )
    .optional()?
    .ok_or(Error::NotFound(Missing::Case))
}

fn row(r: &rusqlite::Row, table: &Table) -> rusqlite::Result<DeskContact> {
    Ok(DeskContact {
        id: r.get(0)?,
        day: day_text(r.get(1)?),
        kind: r.get(2)?,
        case_id: r.get(3)?,
        citizenship: r.get(4)?,
        sex: r.get(5)?,
        age_band: r.get(6)?,
        services: table.codes_of(r.get(7)?),
        language: r.get(8)?,
        mediator: r.get(9)?,
        minutes: r.get(10)?,
        operator_id: r.get(11)?,
    })
}

/// Writes validated staff time inside `tx`, by operator `operator_id`.
pub(crate) fn insert_staff_time(
    tx: &Transaction,
    input: &StaffTimeInput,
    at: &Clock,
    operator_id: &str,
) -> Result<StaffTime> {
    tx.execute(
        "INSERT INTO staff_time (operator_id, day, kind, minutes, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            operator_id,
            input.day,
            input.kind,
            input.minutes,
            at.recorded_at()
        ],
    )?;
    Ok(StaffTime {
        id: tx.last_insert_rowid(),
        operator_id: operator_id.to_string(),
        day: input.day.clone(),
        kind: input.kind.clone(),
        minutes: input.minutes,
    })
}

/// The staff time of operator `operator_id` (every operator: `None`) from `from` to `to` inclusive.
pub fn staff_times(
    conn: &Connection,
    operator_id: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StaffTime>> {
    let mut stmt = conn.prepare(
        "SELECT id, operator_id, day, kind, minutes FROM staff_time
         WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR operator_id = ?3) ORDER BY day, id",
    )?;
    let rows = stmt
        .query_map(
            params![from.to_string(), to.to_string(), operator_id],
            |r| {
                Ok(StaffTime {
                    id: r.get(0)?,
                    operator_id: r.get(1)?,
                    day: r.get(2)?,
                    kind: r.get(3)?,
                    minutes: r.get(4)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Counts one satisfaction answer in the month of `today` (see the module doc).
pub(crate) fn count_answer(tx: &Transaction, answer: &str, today: NaiveDate) -> Result<()> {
    let month = format!("{:04}-{:02}", today.year(), today.month());
    tx.execute(
        "INSERT INTO satisfaction (month, answer, n) VALUES (?1, ?2, 1)
         ON CONFLICT (month, answer) DO UPDATE SET n = n + 1",
        params![month, answer],
    )?;
    Ok(())
}

/// Retention: the contacts of case `case_id` lose their link to it (anonymisation), and their recording
/// time is cut to the day. The person token, citizenship, sex, age band, services, minutes, day and
/// operator stay: the funder's counts and the timesheet survive, and no column leads back to the case.
pub(crate) fn forget_case(tx: &Transaction, case_id: i64) -> Result<usize> {
    Ok(tx.execute(
        "UPDATE desk_contacts SET case_id = NULL, at = substr(at, 1, 10) WHERE case_id = ?1",
        [case_id],
    )?)
}

/// A desk contact of a case as recorded, for a case archive (`exchange::archive`, schema 3): the facts counted
/// (the applicant's citizenship, sex, age band, procedure and motivo on the day), the services by
/// code, and the operator by id. The person token is not carried: the importing desk gives the case
/// its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordedContact {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// When it was recorded (RFC 3339).
    pub at: String,
    pub kind: String,
    pub services: Vec<String>,
    pub language: String,
    pub mediator: bool,
    pub minutes: u32,
    pub operator_id: String,
    pub citizenship: String,
    pub sex: String,
    pub age_band: String,
    pub procedure: String,
    pub motivo: String,
}

/// The desk contacts of case `case_id` as recorded, oldest first, for its archive.
pub(crate) fn recorded_contacts(
    conn: &Connection,
    table: &Table,
    case_id: i64,
) -> Result<Vec<RecordedContact>> {
    let mut stmt = conn.prepare(
        "SELECT d.day, d.at, d.kind, d.services, d.language, d.mediator, d.minutes, o.operator_id,
                d.citizenship, d.sex, d.age_band, d.procedure, d.motivo
         FROM desk_contacts d JOIN desk_operators o ON o.no = d.operator
         WHERE d.case_id = ?1 ORDER BY d.day, d.id",
    )?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(RecordedContact {
                day: day_text(r.get(0)?),
                at: r.get(1)?,
                kind: r.get(2)?,
                services: table.codes_of(r.get(3)?),
                language: r.get(4)?,
                mediator: r.get(5)?,
                minutes: r.get(6)?,
                operator_id: r.get(7)?,
                citizenship: r.get(8)?,
                sex: r.get(9)?,
                age_band: r.get(10)?,
                procedure: r.get(11)?,
                motivo: r.get(12)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Whether `c` could have been recorded here: known kind, services and age band, a day, minutes in
/// range. An archive's contacts are checked with this before anything is written.
pub fn recorded_contact_ok(table: &Table, c: &RecordedContact) -> bool {
    NaiveDate::parse_from_str(&c.day, "%Y-%m-%d").is_ok()
        && !c.at.is_empty()
        && table.kind_codes().contains(&c.kind.as_str())
        && !c.services.is_empty()
        && c.services
            .iter()
            .all(|s| table.service_codes().contains(&s.as_str()))
        && (c.age_band.is_empty() || table.band_codes().contains(&c.age_band.as_str()))
        && c.minutes <= 1440
        && !c.operator_id.is_empty()
}

/// Writes an imported case's desk contacts inside `tx`, each unless the case already has it (same day,
/// time recorded, kind and minutes): the case's person token is the one it or a case it renews has
/// here, or a new one, and its first day the earliest of its contacts.
pub(crate) fn insert_recorded(
    tx: &Transaction,
    table: &Table,
    case_id: i64,
    contacts: &[RecordedContact],
) -> Result<usize> {
    if contacts.is_empty() {
        return Ok(0);
    }
    let days: Vec<i64> = contacts
        .iter()
        .filter_map(|c| NaiveDate::parse_from_str(&c.day, "%Y-%m-%d").ok())
        .map(day_number)
        .collect();
    let earliest = days.iter().copied().min().unwrap_or(0);
    let (person, first) = known_person(tx, case_id)?.unwrap_or((new_token(), earliest));
    let first = first.min(earliest);
    let mut written = 0;
    for (c, day) in contacts.iter().zip(days) {
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM desk_contacts WHERE case_id = ?1 AND day = ?2 AND at = ?3
                 AND kind = ?4 AND minutes = ?5)",
            params![case_id, day, c.at, c.kind, c.minutes],
            |r| r.get(0),
        )?;
        if exists {
            continue;
        }
        let operator = operator_number(tx, &c.operator_id)?;
        tx.execute(
            "INSERT INTO desk_contacts (day, at, kind, case_id, walk_in, person, first_day,
                 citizenship, sex, age_band, procedure, motivo, services, language, mediator, minutes,
                 operator)
             VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                day,
                c.at,
                c.kind,
                case_id,
                person,
                first,
                c.citizenship,
                c.sex,
                c.age_band,
                c.procedure,
                c.motivo,
                table.mask(&c.services),
                c.language,
                c.mediator,
                c.minutes,
                operator
            ],
        )?;
        written += 1;
    }
    // The person's first day is the earliest of all their contacts, here and brought.
    tx.execute(
        "UPDATE desk_contacts SET first_day = ?2 WHERE person = ?1 AND first_day > ?2",
        params![person, first],
    )?;
    Ok(written)
}
