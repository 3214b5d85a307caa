//! The desk's agenda (issue 14): for a given `today`, which cases need the desk, in buckets with counts;
//! the applicant's consent to be reminded, and the contact log of a case. It owns the queries of the
//! buckets (on the indexes of migration 008), the rule that a logged contact hides a row until its next
//! due date, the consent rule (reminders are offered only to who consented; the others are listed,
//! marked), and the writes of consent and contacts (each one transaction with its audit entry, by the
//! `Register` façade). It must not hold a day count (they are `reference::agenda`'s data and the
//! responsabile's settings), send anything (the app has no network), nor print (the papers area does).
//!
//! The buckets, with T the day, L the lead time, A the days after expiry still in time, B the look-back
//! window, K the kit wait and D the dimora term (all data or settings). Only cases that still hold
//! personal data and are not restricted appear. The expiry of a case is its issued permit's once
//! collected, else the permit it held; a case counts for the expiry buckets when it ended (collected,
//! closed, withdrawn, referred: an open case is itself the renewal) and no case renews it.
//! - `appointments` (today): an effective Questura appointment step dated T on a case still at that step.
//! - `ready` (today): cases whose permit is ready to collect.
//! - `expiring`: expiry in T ..= T+L.
//! - `expired_urgent`: expiry in T-A ..= T-1 (the 60th day after expiry is still in time: the law says
//!   "scaduto da più di sessanta giorni").
//! - `expired_legal`: expiry in T-B ..= T-A-1 (refer to legal advice).
//! - `kit_no_appointment`: still at `kit_sent`, the kit sent on or before T-K.
//! - `dimora_due`: a renewed permit (procedures of the data) collected in T-D-B ..= T, no contact with
//!   the outcome `dimora_confirmed` (that outcome is how the desk confirms the declaration was made).
//!
//! A contact logged for a to-call row (its bucket) or on the case's screen (no bucket) on day d hides
//! the row while T < d + F, F the bucket's follow-up interval: d + F is the row's next due date.

use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::error::{Error, FieldCode, FieldError, Result};
use crate::reference::agenda::{AgendaFacts, Bounded, Reading};

/// The buckets in the order the agenda shows them: today's, then the calls.
pub const BUCKETS: [&str; 7] = [
    "appointments",
    "ready",
    "expiring",
    "expired_urgent",
    "expired_legal",
    "kit_no_appointment",
    "dimora_due",
];
/// How a contact was made (`in_person`: the applicant came to the desk).
pub const CHANNELS: [&str; 5] = ["phone", "sms", "email", "letter", "in_person"];
/// What came of it. `dimora_confirmed`: the applicant said the dimora declaration was made; it takes
/// the case off `dimora_due` for good.
pub const OUTCOMES: [&str; 6] = [
    "reached",
    "no_answer",
    "message_left",
    "wrong_contact",
    "will_come",
    "dimora_confirmed",
];
/// The outcome that confirms the dimora declaration.
pub const DIMORA_CONFIRMED: &str = "dimora_confirmed";
/// At most this many rows per bucket are listed.
pub const ROWS_MAX: usize = 200;
/// Counts stop here (`Bucket::capped`): a desk with more calls than this to make in one list needs to
/// know it is "more than a thousand", not the exact figure, and counting a register of a million cases
/// to the end would cost the agenda its 50 ms.
pub const COUNT_MAX: usize = 1000;

const LEAD_SETTING: &str = "agenda.lead_days";
const KIT_SETTING: &str = "agenda.kit_days";

/// The applicant's consent to reminders on a case (see migration 008).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Consent {
    pub phone: bool,
    pub sms: bool,
    pub email: bool,
    pub letter: bool,
    /// A language code of `languages.toml`, '' for the applicant's own.
    pub language: String,
    /// `YYYY-MM-DD`, '' when never given.
    pub given_on: String,
    /// `YYYY-MM-DD`, '' while in force.
    pub withdrawn_on: String,
}

impl Consent {
    /// Reminders may be offered: a channel, a day given, not withdrawn.
    pub fn in_force(&self) -> bool {
        self.any_channel() && !self.given_on.is_empty() && self.withdrawn_on.is_empty()
    }

    fn any_channel(&self) -> bool {
        self.phone || self.sms || self.email || self.letter
    }

    /// The channels consented to, in `CHANNELS` order; none unless in force.
    pub fn channels(&self) -> Vec<&'static str> {
        if !self.in_force() {
            return Vec::new();
        }
        [
            ("phone", self.phone),
            ("sms", self.sms),
            ("email", self.email),
            ("letter", self.letter),
        ]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(c, _)| c)
        .collect()
    }

    /// The `consent.*` paths whose values differ (what the audit entry names).
    pub fn changed_fields(&self, other: &Consent) -> Vec<String> {
        let mut out = Vec::new();
        if (self.phone, self.sms, self.email, self.letter)
            != (other.phone, other.sms, other.email, other.letter)
        {
            out.push("consent.channels".to_string());
        }
        for (path, a, b) in [
            ("consent.givenOn", &self.given_on, &other.given_on),
            (
                "consent.withdrawnOn",
                &self.withdrawn_on,
                &other.withdrawn_on,
            ),
            ("consent.language", &self.language, &other.language),
        ] {
            if a != b {
                out.push(path.to_string());
            }
        }
        out
    }
}

/// What the operator sends to log a contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContactInput {
    pub channel: String,
    pub outcome: String,
    /// The agenda bucket the contact answers, '' from the case's screen.
    pub bucket: String,
    pub note: String,
}

/// A logged contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: i64,
    pub day: String,
    pub at: String,
    pub channel: String,
    pub outcome: String,
    pub bucket: String,
    pub operator_id: String,
    /// The operator's name, when the operator is known here.
    pub operator: String,
    pub note: String,
}

/// The day counts in force: the responsabile's settings, or the data's defaults.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub lead_days: u32,
    pub kit_days: u32,
    /// Whether each is the Comune's choice (else the data's default).
    pub lead_overridden: bool,
    pub kit_overridden: bool,
    pub lead_time: Bounded,
    pub kit_wait: Bounded,
    /// Every reading of the lead time (the brief's [CONFLICT]: both kept, flagged).
    pub readings: Vec<Reading>,
    pub after_expiry_days: u32,
    pub dimora_days: u32,
    pub lookback_days: u32,
    /// `(bucket, days)`: how long a contact hides a row.
    pub follow_up: Vec<(String, u32)>,
    /// UI text keys under `agenda.bring.`.
    pub bring: Vec<String>,
}

/// One row of a bucket.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub case_id: i64,
    pub number: String,
    pub surname: String,
    pub given_names: String,
    pub phone: String,
    pub email: String,
    /// The applicant's language; the consent's when it names one.
    pub language: String,
    /// The day the row counts from: the expiry, the appointment, the kit sent, the collection.
    pub date: String,
    /// The appointment's time (`HH:MM`), else ''.
    pub time: String,
    /// The day the row is due: the expiry, the appointment, the dimora term's last day; '' when none.
    pub due: String,
    /// `date - today` in days (negative: in the past).
    pub days: i64,
    /// The channels the applicant consented to: reminders may be offered on these only.
    pub channels: Vec<String>,
    /// False: "no consent: do not remind" (the desk acts when the person comes).
    pub remind: bool,
}

/// A bucket: its rows (at most `ROWS_MAX`) and how many there are (at most `COUNT_MAX`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    pub id: String,
    /// `today` or `to_call`.
    pub group: String,
    pub count: u64,
    /// The count stopped at `COUNT_MAX`: there are at least that many.
    pub capped: bool,
    pub rows: Vec<Row>,
}

/// The agenda of one day.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agenda {
    pub today: String,
    pub settings: Settings,
    pub buckets: Vec<Bucket>,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn minus(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_days(Days::new(u64::from(n))).unwrap_or(d)
}

fn plus(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(n))).unwrap_or(d)
}

fn read_days(conn: &Connection, key: &str, bounds: &Bounded) -> Result<Option<u32>> {
    Ok(crate::register::store::read_setting(conn, key)?
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|d| (bounds.min_days..=bounds.max_days).contains(d)))
}

/// The settings in force for `facts`.
pub fn settings(conn: &Connection, facts: &AgendaFacts) -> Result<Settings> {
    let lead = read_days(conn, LEAD_SETTING, &facts.lead_time)?;
    let kit = read_days(conn, KIT_SETTING, &facts.kit_wait)?;
    Ok(Settings {
        lead_days: lead.unwrap_or(facts.lead_time.default_days),
        kit_days: kit.unwrap_or(facts.kit_wait.default_days),
        lead_overridden: lead.is_some(),
        kit_overridden: kit.is_some(),
        lead_time: facts.lead_time,
        kit_wait: facts.kit_wait,
        readings: facts.readings.clone(),
        after_expiry_days: facts.after_expiry_days,
        dimora_days: facts.dimora_days,
        lookback_days: facts.lookback_days,
        follow_up: facts.follow_up.clone(),
        bring: facts.bring.clone(),
    })
}

/// Which setting: the lead time or the kit wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    LeadDays,
    KitDays,
}

impl Setting {
    pub fn code(self) -> &'static str {
        match self {
            Setting::LeadDays => "lead_days",
            Setting::KitDays => "kit_days",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Setting::LeadDays => LEAD_SETTING,
            Setting::KitDays => KIT_SETTING,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Setting::LeadDays => "agenda.leadDays",
            Setting::KitDays => "agenda.kitDays",
        }
    }
}

/// Writes a setting (`None`: back to the data's default) after checking its bounds.
pub(crate) fn put_setting(
    tx: &Transaction,
    facts: &AgendaFacts,
    which: Setting,
    days: Option<u32>,
) -> Result<()> {
    let bounds = match which {
        Setting::LeadDays => facts.lead_time,
        Setting::KitDays => facts.kit_wait,
    };
    match days {
        Some(d) if !(bounds.min_days..=bounds.max_days).contains(&d) => {
            Err(Error::Invalid(vec![FieldError::new(
                which.field(),
                FieldCode::OutOfRange,
            )
            .with("min", bounds.min_days)
            .with("max", bounds.max_days)]))
        }
        Some(d) => crate::register::store::put_setting(tx, which.key(), &d.to_string()),
        None => {
            tx.execute("DELETE FROM settings WHERE key = ?1", [which.key()])?;
            Ok(())
        }
    }
}

/// The columns every bucket lists: the case, its applicant and consent. `{date}`, `{time}` are the
/// bucket's expressions.
pub(crate) const ROW_COLUMNS: &str =
    "c.id, c.number, p.surname, p.given_names, p.phone, p.email, p.language,
    k.phone, k.sms, k.email, k.letter, k.language, k.given_on, k.withdrawn_on";
pub(crate) const ROW_JOINS: &str = "LEFT JOIN persons p ON p.case_id = c.id AND p.ord = 0
    LEFT JOIN consents k ON k.case_id = c.id";
/// The cases the expiry buckets read (the partial index `cases_agenda_expiry`).
const EXPIRY: &str = "coalesce(nullif(c.issued_expiry, ''), c.permit_expiry)";
const ENDED: &str = "c.status IN ('collected', 'closed', 'withdrawn', 'referred')
    AND c.anonymised_at IS NULL AND c.restricted_at IS NULL";
pub(crate) const IN_USE: &str = "c.anonymised_at IS NULL AND c.restricted_at IS NULL";
/// Said out loud for the partial index `cases_open_status`: SQLite cannot tell by itself that
/// `status = 'kit_sent'` implies it.
const OPEN: &str = "c.status NOT IN ('collected', 'closed', 'withdrawn', 'referred')";
/// A contact for bucket ?b (or from the case's screen) after day ?since hides the row.
const NOT_CONTACTED: &str = "NOT EXISTS (SELECT 1 FROM contacts h
    WHERE h.case_id = c.id AND h.bucket IN (?3, '') AND h.day > ?4)";
const NOT_VOIDED: &str = "NOT EXISTS (SELECT 1 FROM steps x WHERE x.corrects = s.id)";

/// One bucket's query: the FROM/WHERE after the columns, the date and time expressions, the order.
struct Query {
    id: &'static str,
    group: &'static str,
    from: String,
    date: String,
    time: &'static str,
    /// Positions in the selected columns (15 the date, 16 the time, 2 the case number) or columns.
    order: &'static str,
    /// ?1 and ?2, the range or day the bucket reads.
    range: (String, String),
}

fn queries(today: NaiveDate, s: &Settings, dimora_procedures: &[String]) -> Vec<Query> {
    let procedures = dimora_procedures
        .iter()
        .map(|p| format!("'{}'", p.replace('\'', "")))
        .collect::<Vec<_>>()
        .join(", ");
    let a = s.after_expiry_days;
    let expiry = |id: &'static str, lo: NaiveDate, hi: NaiveDate, order: &'static str| Query {
        id,
        group: "to_call",
        from: format!(
            "FROM cases c {ROW_JOINS}
             WHERE {ENDED} AND {EXPIRY} BETWEEN ?1 AND ?2
               AND NOT EXISTS (SELECT 1 FROM cases r WHERE r.renewed_from = c.id)
               AND {NOT_CONTACTED}"
        ),
        date: EXPIRY.to_string(),
        time: "''",
        order,
        range: (day(lo), day(hi)),
    };
    vec![
        Query {
            id: "appointments",
            group: "today",
            from: format!(
                "FROM steps s JOIN cases c ON c.id = s.case_id {ROW_JOINS}
                 WHERE s.kind = 'questura_appointment'
                   AND json_extract(s.details, '$.appointmentDate') BETWEEN ?1 AND ?2
                   AND c.status = 'questura_appointment' AND {IN_USE} AND {NOT_VOIDED}
                   AND ?3 = ?3 AND ?4 = ?4"
            ),
            date: "json_extract(s.details, '$.appointmentDate')".into(),
            time: "coalesce(json_extract(s.details, '$.appointmentTime'), '')",
            order: "16, 2",
            range: (day(today), day(today)),
        },
        Query {
            id: "ready",
            group: "today",
            from: format!(
                "FROM cases c {ROW_JOINS}
                 WHERE c.status = 'permit_ready' AND {OPEN} AND {IN_USE}
                   AND ?1 = ?1 AND ?2 = ?2 AND ?3 = ?3 AND ?4 = ?4"
            ),
            date: "c.status_date".into(),
            time: "''",
            order: "c.status_date, c.id",
            range: (String::new(), String::new()),
        },
        expiry("expiring", today, plus(today, s.lead_days), "15, c.id"),
        expiry(
            "expired_urgent",
            minus(today, a),
            minus(today, 1),
            "15, c.id",
        ),
        expiry(
            "expired_legal",
            minus(today, s.lookback_days),
            minus(today, a + 1),
            "15 DESC, c.id DESC",
        ),
        Query {
            id: "kit_no_appointment",
            group: "to_call",
            from: format!(
                "FROM cases c {ROW_JOINS}
                 WHERE c.status = 'kit_sent' AND {OPEN} AND {IN_USE}
                   AND c.status_date BETWEEN ?1 AND ?2
                   AND {NOT_CONTACTED}"
            ),
            date: "c.status_date".into(),
            time: "''",
            order: "c.status_date, c.id",
            range: ("0000".into(), day(minus(today, s.kit_days))),
        },
        Query {
            id: "dimora_due",
            group: "to_call",
            from: format!(
                "FROM steps s JOIN cases c ON c.id = s.case_id {ROW_JOINS}
                 WHERE s.kind = 'collected' AND s.date BETWEEN ?1 AND ?2
                   AND c.status = 'collected' AND c.procedure IN ({procedures}) AND {IN_USE}
                   AND {NOT_VOIDED}
                   AND NOT EXISTS (SELECT 1 FROM contacts d
                        WHERE d.case_id = c.id AND d.outcome = '{DIMORA_CONFIRMED}')
                   AND {NOT_CONTACTED}"
            ),
            date: "s.date".into(),
            time: "''",
            order: "s.date, s.id",
            range: (
                day(minus(today, s.dimora_days + s.lookback_days)),
                day(today),
            ),
        },
    ]
}

/// The agenda of `today` under `settings`: every bucket's count (up to `COUNT_MAX`) and its first
/// `ROWS_MAX` rows.
pub fn agenda(
    conn: &Connection,
    facts: &AgendaFacts,
    today: NaiveDate,
    settings: Settings,
) -> Result<Agenda> {
    let mut buckets = Vec::new();
    for q in queries(today, &settings, &facts.dimora_procedures) {
        let since = day(minus(today, facts.follow_up_days(q.id)));
        let args = params![q.range.0, q.range.1, q.id, since];
        let sql = format!(
            "SELECT {ROW_COLUMNS}, {date}, {time} {from} ORDER BY {order} LIMIT {limit}",
            date = q.date,
            time = q.time,
            from = q.from,
            order = q.order,
            limit = ROWS_MAX + 1,
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows: Vec<Row> = stmt
            .query_map(args, |r| row(r, today, q.id, &facts.dimora_days))?
            .collect::<rusqlite::Result<_>>()?;
        let count = if rows.len() > ROWS_MAX {
            rows.truncate(ROWS_MAX);
            conn.prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT 1 {} LIMIT {COUNT_MAX})",
                q.from
            ))?
            .query_row(args, |r| r.get::<_, i64>(0))? as u64
        } else {
            rows.len() as u64
        };
        buckets.push(Bucket {
            id: q.id.to_string(),
            group: q.group.to_string(),
            count,
            capped: count >= COUNT_MAX as u64,
            rows,
        });
    }
    Ok(Agenda {
        today: day(today),
        settings,
        buckets,
    })
}

pub(crate) fn row(
    r: &rusqlite::Row,
    today: NaiveDate,
    bucket: &str,
    dimora_days: &u32,
) -> rusqlite::Result<Row> {
    let text = |i: usize| -> rusqlite::Result<String> {
        Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
    };
    let flag =
        |i: usize| -> rusqlite::Result<bool> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0) == 1) };
    let consent = Consent {
        phone: flag(7)?,
        sms: flag(8)?,
        email: flag(9)?,
        letter: flag(10)?,
        language: text(11)?,
        given_on: text(12)?,
        withdrawn_on: text(13)?,
    };
    let date = text(14)?;
    let parsed = NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok();
    let due = match (bucket, parsed) {
        ("dimora_due", Some(d)) => day(plus(d, *dimora_days)),
        ("kit_no_appointment" | "ready", _) => String::new(),
        _ => date.clone(),
    };
    let own_language = text(6)?;
    Ok(Row {
        case_id: r.get(0)?,
        number: r.get(1)?,
        surname: text(2)?,
        given_names: text(3)?,
        phone: text(4)?,
        email: text(5)?,
        language: if consent.language.is_empty() {
            own_language
        } else {
            consent.language.clone()
        },
        days: parsed.map_or(0, |d| (d - today).num_days()),
        date,
        time: text(15)?,
        due,
        remind: consent.in_force(),
        channels: consent.channels().into_iter().map(String::from).collect(),
    })
}

/// The consent recorded on case `case_id`, if any.
pub fn consent(conn: &Connection, case_id: i64) -> Result<Option<Consent>> {
    Ok(conn
        .prepare_cached(
            "SELECT phone, sms, email, letter, language, given_on, withdrawn_on
             FROM consents WHERE case_id = ?1",
        )?
        .query_row([case_id], |r| {
            Ok(Consent {
                phone: r.get::<_, i64>(0)? == 1,
                sms: r.get::<_, i64>(1)? == 1,
                email: r.get::<_, i64>(2)? == 1,
                letter: r.get::<_, i64>(3)? == 1,
                language: r.get(4)?,
                given_on: r.get(5)?,
                withdrawn_on: r.get(6)?,
            })
        })
        .optional()?)
}

/// Writes the (validated) consent of a case (the façade's `set_consent` audits it; the demo data writes
/// it directly, as it writes cases).
pub fn put_consent(tx: &Transaction, case_id: i64, c: &Consent, at: &Clock) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO consents (case_id, phone, sms, email, letter, language, given_on, withdrawn_on, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (case_id) DO UPDATE SET phone = excluded.phone, sms = excluded.sms,
             email = excluded.email, letter = excluded.letter, language = excluded.language,
             given_on = excluded.given_on, withdrawn_on = excluded.withdrawn_on,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        case_id,
        c.phone,
        c.sms,
        c.email,
        c.letter,
        c.language,
        c.given_on,
        c.withdrawn_on,
        at.recorded_at()
    ])?;
    Ok(())
}

/// A renewal keeps the consent the applicant gave on the case it renews.
pub(crate) fn copy_consent(tx: &Transaction, from: i64, to: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO consents
             (case_id, phone, sms, email, letter, language, given_on, withdrawn_on, updated_at)
         SELECT ?2, phone, sms, email, letter, language, given_on, withdrawn_on, updated_at
         FROM consents WHERE case_id = ?1",
    )?
    .execute([from, to])?;
    Ok(())
}

/// Appends a (validated) contact, dated by `at`.
pub(crate) fn insert_contact(
    tx: &Transaction,
    case_id: i64,
    c: &ContactInput,
    at: &Clock,
    operator_id: &str,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO contacts (case_id, day, at, channel, outcome, bucket, operator_id, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        case_id,
        day(at.today),
        at.recorded_at(),
        c.channel,
        c.outcome,
        c.bucket,
        operator_id,
        c.note
    ])?;
    Ok(tx.last_insert_rowid())
}

/// The contact log of a case, newest first.
pub fn contacts(conn: &Connection, case_id: i64) -> Result<Vec<Contact>> {
    Ok(conn
        .prepare_cached(
            "SELECT k.id, k.day, k.at, k.channel, k.outcome, k.bucket, k.operator_id,
                    coalesce(o.name, ''), k.note
             FROM contacts k LEFT JOIN operators o ON o.id = k.operator_id
             WHERE k.case_id = ?1 ORDER BY k.id DESC",
        )?
        .query_map([case_id], |r| {
            Ok(Contact {
                id: r.get(0)?,
                day: r.get(1)?,
                at: r.get(2)?,
                channel: r.get(3)?,
                outcome: r.get(4)?,
                bucket: r.get(5)?,
                operator_id: r.get(6)?,
                operator: r.get(7)?,
                note: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}
