//! Referrals to the partner network (issue 16): a case's applicant, or an anonymous walk-in, sent to a
//! partner of the directory (`partners`) for a need, with the operator's reason in plain words, the
//! applicant's consent to their data being shared with that partner, and the follow-up: referred →
//! went → resolved / not resolved, or referred → did not go, each step dated. It owns the table
//! `referrals` of migration 011 and its writes (inside the caller's transaction; the `Register` façade
//! validates and audits), the state machine (`State::next_allowed`: anything else is a conflict), the
//! agenda's bucket of referrals left open too long, the desk's setting of how long that is, and what
//! retention does to referrals.
//!
//! It must not print (the slip is `papers::referral`'s) nor count for a report beyond its own small table
//! (`counts`). A walk-in's referral keeps no name: the name the slip prints is typed for the slip only.
//! Retention follows the case's: the reason is free text and goes with the notes; anonymising the case
//! unlinks its referrals and empties their reasons, keeping need, partner, outcome and dates for the
//! funder's counts.

use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::error::{ConflictCode, Error, FieldCode, FieldError, Missing, Result};
use crate::register::agenda::{self, Bucket, COUNT_MAX, ROWS_MAX};
use crate::register::partners::FollowUp;

/// The agenda bucket of open referrals.
pub const BUCKET: &str = "referrals_open";
/// The `settings` key of the Comune's follow-up interval in days.
pub const OPEN_DAYS_SETTING: &str = "referrals.open_days";

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Sent to the partner; nothing heard since.
    Referred,
    /// The applicant went to the partner; the outcome is not known yet.
    Went,
    Resolved,
    NotResolved,
    /// The applicant did not go.
    DidNotGo,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Referred,
        State::Went,
        State::Resolved,
        State::NotResolved,
        State::DidNotGo,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Referred => "referred",
            State::Went => "went",
            State::Resolved => "resolved",
            State::NotResolved => "not_resolved",
            State::DidNotGo => "did_not_go",
        }
    }

    fn of(code: &str) -> State {
        State::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .unwrap_or(State::Referred)
    }

    /// The states a referral in this state may move to: the follow-up only goes forward, and an outcome
    /// is final (a new need is a new referral).
    pub fn next_allowed(self) -> &'static [State] {
        match self {
            State::Referred => &[State::Went, State::DidNotGo],
            State::Went => &[State::Resolved, State::NotResolved],
            State::Resolved | State::NotResolved | State::DidNotGo => &[],
        }
    }

    /// Still waiting for news (the agenda lists it when it waited too long).
    pub fn is_open(self) -> bool {
        matches!(self, State::Referred | State::Went)
    }
}

/// A referral as the operator makes it (the operator and the day come from the session).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReferralInput {
    /// The case; none: an anonymous walk-in.
    pub case_id: Option<i64>,
    /// A need code of `partners.toml`.
    pub need: String,
    pub partner_id: i64,
    /// Why, in plain words the applicant and the partner understand.
    pub reason: String,
    /// The applicant agreed to their data being shared with the partner.
    pub consent: bool,
    /// The slip's language beside the Italian (a code of `languages.toml`).
    pub language: String,
}

/// A step of the follow-up: the new state and its day (`YYYY-MM-DD`, not in the future, not before the
/// previous step's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpInput {
    pub state: State,
    pub date: String,
}

/// A recorded referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Referral {
    pub id: i64,
    pub case_id: Option<i64>,
    pub walk_in: bool,
    pub need: String,
    pub partner_id: i64,
    pub partner_name: String,
    /// The partner has been retired since (it is still this referral's).
    pub partner_retired: bool,
    pub reason: String,
    pub consent: bool,
    pub language: String,
    pub state: State,
    pub referred_on: String,
    pub went_on: Option<String>,
    pub closed_on: Option<String>,
    /// The day of the latest step.
    pub state_on: String,
    pub operator_id: String,
    /// The states it may move to now.
    pub next: Vec<State>,
}

/// Writes a validated referral inside `tx`, dated `at.today`, by operator `operator_id`. A retired
/// partner is not referred to (`conflict`); an unknown one is `not_found`.
pub(crate) fn insert(
    tx: &Transaction,
    input: &ReferralInput,
    at: &Clock,
    operator_id: &str,
) -> Result<i64> {
    let partner = crate::register::partners::get(tx, input.partner_id)?;
    if partner.retired_on.is_some() {
        return Err(Error::Conflict(ConflictCode::PartnerRetired));
    }
    let today = at.today.to_string();
    tx.execute(
        "INSERT INTO referrals (case_id, walk_in, need, partner_id, reason, consent, language, state,
             referred_on, state_on, operator_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'referred', ?8, ?8, ?9, ?10)",
        params![
            input.case_id,
            input.case_id.is_none(),
            input.need,
            input.partner_id,
            input.reason,
            input.consent,
            input.language,
            today,
            operator_id,
            at.recorded_at()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Moves referral `id` to `input.state` on `input.date` (validated as a date by the caller): refused
/// as a conflict unless the state machine allows it, and on the date field when the day is before the
/// previous step's. Returns the referral as it was.
pub(crate) fn follow_up(tx: &Transaction, id: i64, input: &FollowUpInput) -> Result<Referral> {
    let before = get(tx, id)?;
    if !before.state.next_allowed().contains(&input.state) {
        return Err(Error::Conflict(ConflictCode::ReferralState));
    }
    if input.date < before.state_on {
        return Err(Error::Invalid(vec![FieldError::new(
            "referral.date",
            FieldCode::DateBeforePreviousStep,
        )]));
    }
    let went = input.state == State::Went;
    tx.execute(
        "UPDATE referrals SET state = ?2, state_on = ?3,
             went_on = CASE WHEN ?4 THEN ?3 ELSE went_on END,
             closed_on = CASE WHEN ?4 THEN closed_on ELSE ?3 END
         WHERE id = ?1",
        params![id, input.state.code(), input.date, went],
    )?;
    Ok(before)
}

const COLUMNS: &str =
    "r.id, r.case_id, r.walk_in, r.need, r.partner_id, p.name, p.retired_on IS NOT NULL,
    r.reason, r.consent, r.language, r.state, r.referred_on, r.went_on, r.closed_on, r.state_on,
    r.operator_id";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Referral> {
    let state = State::of(&r.get::<_, String>(10)?);
    Ok(Referral {
        id: r.get(0)?,
        case_id: r.get(1)?,
        walk_in: r.get(2)?,
        need: r.get(3)?,
        partner_id: r.get(4)?,
        partner_name: r.get(5)?,
        partner_retired: r.get(6)?,
        reason: r.get(7)?,
        consent: r.get(8)?,
        language: r.get(9)?,
        state,
        referred_on: r.get(11)?,
        went_on: r.get(12)?,
        closed_on: r.get(13)?,
        state_on: r.get(14)?,
        operator_id: r.get(15)?,
        next: state.next_allowed().to_vec(),
    })
}

/// Referral `id`.
pub fn get(conn: &Connection, id: i64) -> Result<Referral> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM referrals r JOIN partners p ON p.id = r.partner_id WHERE r.id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or(Error::NotFound(Missing::Referral))
}

/// The referrals of case `case_id`, newest first.
pub fn of_case(conn: &Connection, case_id: i64) -> Result<Vec<Referral>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM referrals r JOIN partners p ON p.id = r.partner_id
         WHERE r.case_id = ?1 ORDER BY r.referred_on DESC, r.id DESC"
    ))?;
    let rows = stmt
        .query_map([case_id], row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The referrals to partner `partner_id`, newest first (a retired partner keeps them).
pub fn of_partner(conn: &Connection, partner_id: i64) -> Result<Vec<Referral>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM referrals r JOIN partners p ON p.id = r.partner_id
         WHERE r.partner_id = ?1 ORDER BY r.referred_on DESC, r.id DESC"
    ))?;
    let rows = stmt
        .query_map([partner_id], row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The follow-up interval in force: the Comune's setting, else the data's default.
pub fn open_days(conn: &Connection, bounds: &FollowUp) -> Result<(u32, bool)> {
    let set: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [OPEN_DAYS_SETTING],
            |r| r.get(0),
        )
        .optional()?;
    Ok(
        match set
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|d| (bounds.min_days..=bounds.max_days).contains(d))
        {
            Some(d) => (d, true),
            None => (bounds.default_days, false),
        },
    )
}

/// Sets the follow-up interval (`None`: back to the data's default), within the data's bounds (else
/// `invalid` on `referral.openDays` with `min` and `max`).
pub(crate) fn put_open_days(tx: &Transaction, bounds: &FollowUp, days: Option<u32>) -> Result<()> {
    match days {
        Some(d) if !(bounds.min_days..=bounds.max_days).contains(&d) => {
            Err(Error::Invalid(vec![FieldError::new(
                "referral.openDays",
                FieldCode::OutOfRange,
            )
            .with("min", bounds.min_days)
            .with("max", bounds.max_days)]))
        }
        Some(d) => crate::register::store::put_setting(tx, OPEN_DAYS_SETTING, &d.to_string()),
        None => {
            tx.execute("DELETE FROM settings WHERE key = ?1", [OPEN_DAYS_SETTING])?;
            Ok(())
        }
    }
}

/// The agenda's bucket of the referrals of cases in use still open `days` after their latest step: one
/// row per referral (its day the latest step's, due that day plus `days`), oldest first. A contact logged
/// for this bucket hides the case's rows for `days` more. A walk-in's referral is not listed: nobody can
/// be called about it.
pub fn agenda_bucket(conn: &Connection, today: NaiveDate, days: u32) -> Result<Bucket> {
    let since = today
        .checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
        .to_string();
    let from = format!(
        "FROM referrals r JOIN cases c ON c.id = r.case_id {joins}
         WHERE r.state IN ('referred', 'went') AND r.state_on <= ?1 AND {in_use}
           AND NOT EXISTS (SELECT 1 FROM contacts h
                WHERE h.case_id = c.id AND h.bucket = '{BUCKET}' AND h.day > ?1)",
        joins = agenda::ROW_JOINS,
        in_use = agenda::IN_USE,
    );
    let sql = format!(
        "SELECT {columns}, r.state_on, '' {from} ORDER BY r.state_on, r.id LIMIT {limit}",
        columns = agenda::ROW_COLUMNS,
        limit = ROWS_MAX + 1,
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows: Vec<agenda::Row> = stmt
        .query_map([&since], |r| agenda::row(r, today, BUCKET, &0))?
        .collect::<rusqlite::Result<_>>()?;
    for r in &mut rows {
        if let Ok(d) = NaiveDate::parse_from_str(&r.date, "%Y-%m-%d") {
            r.due = d
                .checked_add_days(Days::new(u64::from(days)))
                .unwrap_or(d)
                .to_string();
        }
    }
    let count = if rows.len() > ROWS_MAX {
        rows.truncate(ROWS_MAX);
        conn.query_row(
            &format!("SELECT count(*) FROM (SELECT 1 {from} LIMIT {COUNT_MAX})"),
            [&since],
            |r| r.get::<_, i64>(0),
        )? as u64
    } else {
        rows.len() as u64
    };
    Ok(Bucket {
        id: BUCKET.to_string(),
        group: "to_call".to_string(),
        count,
        capped: count >= COUNT_MAX as u64,
        rows,
    })
}

/// The referrals made from `from` to `to` (inclusive) by need: how many, and how many of them stand at
/// each state now (the funder's "referrals made" and their outcomes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NeedCount {
    pub need: String,
    pub made: u64,
    pub referred: u64,
    pub went: u64,
    pub resolved: u64,
    pub not_resolved: u64,
    pub did_not_go: u64,
}

/// Counts of the referrals made in a period, by need (the data's order; needs with none left out).
pub fn counts(
    conn: &Connection,
    needs: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NeedCount>> {
    let mut stmt = conn.prepare_cached(
        "SELECT need, state, count(*) FROM referrals WHERE referred_on BETWEEN ?1 AND ?2
         GROUP BY need, state",
    )?;
    let mut out: Vec<NeedCount> = needs
        .iter()
        .map(|n| NeedCount {
            need: (*n).to_string(),
            ..NeedCount::default()
        })
        .collect();
    let rows = stmt.query_map(params![from.to_string(), to.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)? as u64,
        ))
    })?;
    for row in rows {
        let (need, state, n) = row?;
        let Some(c) = out.iter_mut().find(|c| c.need == need) else {
            continue;
        };
        c.made += n;
        match State::of(&state) {
            State::Referred => c.referred += n,
            State::Went => c.went += n,
            State::Resolved => c.resolved += n,
            State::NotResolved => c.not_resolved += n,
            State::DidNotGo => c.did_not_go += n,
        }
    }
    out.retain(|c| c.made > 0);
    Ok(out)
}

/// Retention's notes purpose: the reasons of case `case_id`'s referrals emptied.
pub(crate) fn minimise_notes(tx: &Transaction, case_id: i64) -> Result<usize> {
    Ok(tx.execute(
        "UPDATE referrals SET reason = '' WHERE case_id = ?1 AND reason <> ''",
        [case_id],
    )?)
}

/// Anonymisation: case `case_id`'s referrals lose their link to it and their reasons; need, partner,
/// consent, states and dates stay for the counts.
pub(crate) fn forget_case(tx: &Transaction, case_id: i64) -> Result<usize> {
    Ok(tx.execute(
        "UPDATE referrals SET case_id = NULL, reason = '', at = substr(at, 1, 10) WHERE case_id = ?1",
        [case_id],
    )?)
}

/// The columns of the reports' referrals table after the need, in order (`report.referrals.<column>`).
pub const REPORT_COLUMNS: [&str; 6] = [
    "made",
    "referred",
    "went",
    "resolved",
    "not_resolved",
    "did_not_go",
];

/// The referrals table every report carries (the "referrals made" and their outcomes): one row
/// per need with referrals in `period`, its label in `locale`, each count from 1 to `under - 1` shown
/// suppressed like the report's other tables. Built here, beside the report's own tables, so the
/// report's data path stays its own.
pub fn report_table(
    conn: &Connection,
    directory: &crate::register::partners::Directory,
    period: crate::register::report::Period,
    locale: &str,
    under: u64,
) -> Result<crate::register::report::ReportTable> {
    use crate::register::report::{t, Cell, ReportTable};
    let count = |n: u64| {
        if n > 0 && n < under {
            Cell::Suppressed(under)
        } else {
            Cell::Count(n)
        }
    };
    let rows = counts(conn, &directory.need_codes(), period.from, period.to)?
        .into_iter()
        .map(|c| {
            let label =
                directory
                    .needs
                    .iter()
                    .find(|n| n.code == c.need)
                    .map_or(c.need.clone(), |n| {
                        if locale == "en" {
                            n.label_en.clone()
                        } else {
                            n.label_it.clone()
                        }
                    });
            vec![
                Cell::Text(label),
                count(c.made),
                count(c.referred),
                count(c.went),
                count(c.resolved),
                count(c.not_resolved),
                count(c.did_not_go),
            ]
        })
        .collect();
    Ok(ReportTable {
        id: "referrals".into(),
        title: t(locale, "table.referrals", &[]),
        columns: std::iter::once("need")
            .chain(REPORT_COLUMNS)
            .map(|c| t(locale, &format!("referrals.{c}"), &[]))
            .collect(),
        rows,
        notes: vec![t(locale, "referrals.note", &[])],
    })
}
