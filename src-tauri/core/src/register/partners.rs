//! The partner directory (issue 16): the organisations the desk refers applicants to (legal advice,
//! housing, language schools, patronati, health services…), what each helps with (the needs of
//! `assets/reference/partners.toml`), where, when, in which languages, and where each fact comes from
//! (`source`, `read_on`, `verify`). It owns the table `partners` of migration 011, the starter directory
//! that migration seeds from the data file, the writes a responsabile makes (each inside the caller's
//! transaction; the `Register` façade checks the role and adds the audit entry) and the proposal of
//! partners for a need, the applicant's language first.
//!
//! A partner is never deleted: a retired one (`retired_on`) is no longer proposed, and every referral
//! that named it still does (a trigger refuses DELETE). It must not validate (`validate::partner`),
//! refer anyone (`referrals`) nor read or write a partner file (`exchange::partners_file`).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::clock::Clock;
use crate::error::{Error, Missing, Result};
use crate::reference::data::{check_source, data_error, parse_toml, read_on};

const PARTNERS: (&str, &str) = (
    "assets/reference/partners.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/partners.toml"
    )),
);

/// A need a referral is for (legal advice, housing…): stored as its code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Need {
    pub code: String,
    pub label_it: String,
    pub label_en: String,
}

/// How long an open referral waits before the agenda lists it: the data's default and the bounds of the
/// Comune's setting, in days.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct FollowUp {
    pub default_days: u32,
    pub min_days: u32,
    pub max_days: u32,
}

/// A partner as the responsabile types it, as a partner file carries it, and as the starter file lists
/// it. Lists are codes; every text is free text on the paper in Italian.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PartnerInput {
    /// Stable id across desks (`[a-z0-9-]`, 3–64); empty for a partner added here (a UUID is given).
    #[serde(alias = "id")]
    pub uid: String,
    pub name: String,
    /// Need codes of the data, at least one.
    pub needs: Vec<String>,
    pub address: String,
    pub hours: String,
    pub phone: String,
    pub email: String,
    /// Language codes of `languages.toml`.
    pub languages: Vec<String>,
    /// What to bring.
    pub bring: String,
    /// How to book.
    pub booking: String,
    /// How to get there from the Comune's desk.
    pub directions: String,
    pub notes: String,
    /// The public page the facts were read on ('' when none was).
    pub source: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; '' when nothing was read.
    #[serde(alias = "read_on")]
    pub read_on: String,
    /// Not confirmed: to check with the partner.
    pub verify: bool,
}

/// A partner of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Partner {
    pub id: i64,
    #[serde(flatten)]
    pub data: PartnerInput,
    /// The day it was retired (`YYYY-MM-DD`); none: in the directory.
    pub retired_on: Option<String>,
}

/// A partner as desks share it (a partner file): its data and whether the desk it comes from retired
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shared {
    #[serde(flatten)]
    pub data: PartnerInput,
    #[serde(default)]
    pub retired: bool,
}

/// What importing shared partners did: added (a stable id new here), changed (data differed), the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Imported {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Retired here because the file has them retired.
    pub retired: usize,
}

/// Applies validated shared partners inside `tx`, matched by stable id: a new one is added, one whose
/// data differ is replaced, one retired in the file is retired here too. A partner retired here stays
/// retired (putting one back is this desk's decision), and nothing here is deleted.
pub(crate) fn import(tx: &Transaction, shared: &[Shared], at: &Clock) -> Result<Imported> {
    let mut out = Imported::default();
    for s in shared {
        let id = match id_of_uid(tx, &s.data.uid)? {
            None => {
                out.added += 1;
                write(tx, None, &s.data, &at.recorded_at())?
            }
            Some(id) => {
                if get(tx, id)?.data == s.data {
                    out.unchanged += 1;
                } else {
                    out.changed += 1;
                    write(tx, Some(id), &s.data, &at.recorded_at())?;
                }
                id
            }
        };
        if s.retired && get(tx, id)?.retired_on.is_none() {
            set_retired(tx, id, true, at)?;
            out.retired += 1;
        }
    }
    Ok(out)
}

/// The data of `partners.toml`, checked.
#[derive(Debug, Clone)]
pub struct Directory {
    pub needs: Vec<Need>,
    pub follow_up: FollowUp,
    /// The starter directory a new register is seeded with.
    pub starter: Vec<PartnerInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    table: RawTable,
    follow_up: RawFollowUp,
    need: Vec<Spanned<Need>>,
    partner: Vec<Spanned<RawPartner>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawTable {
    name: String,
    source: Spanned<String>,
    read_on: Spanned<String>,
    verify: bool,
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawFollowUp {
    default_days: u32,
    min_days: u32,
    max_days: u32,
    source: String,
    verify: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPartner {
    id: String,
    name: String,
    needs: Vec<String>,
    #[serde(default)]
    address: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    bring: String,
    #[serde(default)]
    booking: String,
    #[serde(default)]
    directions: String,
    #[serde(default)]
    notes: String,
    source: Spanned<String>,
    read_on: Spanned<String>,
    verify: bool,
}

/// Whether `uid` is a stable partner id: 3 to 64 of `a-z`, `0-9`, `-`.
pub fn uid_ok(uid: &str) -> bool {
    (3..=64).contains(&uid.len())
        && uid
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Directory {
    /// `assets/reference/partners.toml`; a problem names the file and line.
    pub fn bundled() -> Result<Directory> {
        Directory::from_source(PARTNERS)
    }

    /// The data from `(file name, text)`: need codes unique, the follow-up bounds in order, every starter
    /// partner with a stable unique id, known needs, and a source read on a day unless it is flagged to
    /// verify (a fact with no page behind it is never presented as confirmed).
    pub fn from_source(source: (&str, &str)) -> Result<Directory> {
        let raw: RawFile = parse_toml(source)?;
        check_source(source, &raw.table.source)?;
        read_on(source, &raw.table.read_on)?;
        for (i, n) in raw.need.iter().enumerate() {
            let code = &n.get_ref().code;
            if code.is_empty()
                || !code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                || raw.need[..i].iter().any(|o| &o.get_ref().code == code)
            {
                return Err(data_error(
                    source,
                    n.span(),
                    format!("need code '{code}' is not snake_case or is listed twice"),
                ));
            }
        }
        let f = &raw.follow_up;
        if !(1 <= f.min_days && f.min_days <= f.default_days && f.default_days <= f.max_days) {
            return Err(data_error(
                source,
                0..0,
                "follow_up: 1 <= min_days <= default_days <= max_days".into(),
            ));
        }
        let needs: Vec<Need> = raw.need.into_iter().map(Spanned::into_inner).collect();
        let mut starter: Vec<PartnerInput> = Vec::new();
        for p in raw.partner {
            let span = p.span();
            let p = p.into_inner();
            let problem = if !uid_ok(&p.id) || starter.iter().any(|s| s.uid == p.id) {
                Some(format!(
                    "partner id '{}' is not [a-z0-9-]{{3,64}} or is listed twice",
                    p.id
                ))
            } else if p.name.trim().is_empty() || p.needs.is_empty() {
                Some(format!("partner {}: a name and at least one need", p.id))
            } else if let Some(n) = p
                .needs
                .iter()
                .find(|n| !needs.iter().any(|k| &k.code == *n))
            {
                Some(format!("partner {}: unknown need '{n}'", p.id))
            } else if p.source.get_ref().is_empty() && !p.verify {
                Some(format!(
                    "partner {}: without a source it must be verify = true",
                    p.id
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                return Err(data_error(source, span, message));
            }
            if !p.source.get_ref().is_empty() {
                check_source(source, &p.source)?;
                read_on(source, &p.read_on)?;
            }
            starter.push(PartnerInput {
                uid: p.id,
                name: p.name,
                needs: p.needs,
                address: p.address,
                hours: p.hours,
                phone: p.phone,
                email: p.email,
                languages: p.languages,
                bring: p.bring,
                booking: p.booking,
                directions: p.directions,
                notes: p.notes,
                source: p.source.into_inner(),
                read_on: p.read_on.into_inner(),
                verify: p.verify,
            });
        }
        Ok(Directory {
            needs,
            follow_up: raw.follow_up.checked(),
            starter,
        })
    }

    pub fn need_codes(&self) -> Vec<&str> {
        self.needs.iter().map(|n| n.code.as_str()).collect()
    }
}

impl RawFollowUp {
    fn checked(&self) -> FollowUp {
        FollowUp {
            default_days: self.default_days,
            min_days: self.min_days,
            max_days: self.max_days,
        }
    }
}

/// Migration 011's hook: the starter directory written into a new register (see the migration).
pub(crate) fn seed(tx: &Transaction) -> rusqlite::Result<()> {
    let directory =
        Directory::bundled().map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    for p in &directory.starter {
        write(tx, None, p, "")?;
    }
    Ok(())
}

fn joined(codes: &[String]) -> String {
    codes.join(" ")
}

fn split(codes: String) -> Vec<String> {
    codes.split_whitespace().map(String::from).collect()
}

/// Inserts (`id` none) or replaces the fields of partner `id`; the caller validated `p`. Both statements
/// take the same sixteen values in the same order (the update adds the id as ?17).
fn write(tx: &Transaction, id: Option<i64>, p: &PartnerInput, now: &str) -> rusqlite::Result<i64> {
    let (needs, languages) = (joined(&p.needs), joined(&p.languages));
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![
        &p.uid,
        &p.name,
        &needs,
        &p.address,
        &p.hours,
        &p.phone,
        &p.email,
        &languages,
        &p.bring,
        &p.booking,
        &p.directions,
        &p.notes,
        &p.source,
        &p.read_on,
        &p.verify,
        &now,
    ];
    match id {
        None => {
            tx.execute(
                "INSERT INTO partners (uid, name, needs, address, hours, phone, email, languages, bring,
                     booking, directions, notes, source, read_on, verify, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                values.as_slice(),
            )?;
            Ok(tx.last_insert_rowid())
        }
        Some(id) => {
            values.push(&id);
            tx.execute(
                "UPDATE partners SET uid = ?1, name = ?2, needs = ?3, address = ?4, hours = ?5,
                     phone = ?6, email = ?7, languages = ?8, bring = ?9, booking = ?10,
                     directions = ?11, notes = ?12, source = ?13, read_on = ?14, verify = ?15,
                     updated_at = ?16
                 WHERE id = ?17",
                values.as_slice(),
            )?;
            Ok(id)
        }
    }
}

/// Adds a validated partner (a new UUID when it has no id) inside `tx`.
pub(crate) fn insert(tx: &Transaction, p: &PartnerInput, at: &Clock) -> Result<i64> {
    let mut p = p.clone();
    if p.uid.is_empty() {
        p.uid = uuid::Uuid::new_v4().to_string();
    }
    Ok(write(tx, None, &p, &at.recorded_at())?)
}

/// Replaces partner `id`'s fields with the validated `p` (its stable id is kept when `p` has none).
pub(crate) fn update(tx: &Transaction, id: i64, p: &PartnerInput, at: &Clock) -> Result<()> {
    let old = get(tx, id)?;
    let mut p = p.clone();
    if p.uid.is_empty() {
        p.uid = old.data.uid;
    }
    write(tx, Some(id), &p, &at.recorded_at())?;
    Ok(())
}

/// Retires partner `id` on `at.today` (`retire` false: back in the directory). Its referrals keep it.
pub(crate) fn set_retired(tx: &Transaction, id: i64, retire: bool, at: &Clock) -> Result<()> {
    get(tx, id)?;
    tx.execute(
        "UPDATE partners SET retired_on = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, retire.then(|| at.today.to_string()), at.recorded_at()],
    )?;
    Ok(())
}

const COLUMNS: &str =
    "id, uid, name, needs, address, hours, phone, email, languages, bring, booking,
    directions, notes, source, read_on, verify, retired_on";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Partner> {
    Ok(Partner {
        id: r.get(0)?,
        data: PartnerInput {
            uid: r.get(1)?,
            name: r.get(2)?,
            needs: split(r.get(3)?),
            address: r.get(4)?,
            hours: r.get(5)?,
            phone: r.get(6)?,
            email: r.get(7)?,
            languages: split(r.get(8)?),
            bring: r.get(9)?,
            booking: r.get(10)?,
            directions: r.get(11)?,
            notes: r.get(12)?,
            source: r.get(13)?,
            read_on: r.get(14)?,
            verify: r.get(15)?,
        },
        retired_on: r.get(16)?,
    })
}

/// Partner `id`, retired or not.
pub fn get(conn: &Connection, id: i64) -> Result<Partner> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM partners WHERE id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or(Error::NotFound(Missing::Partner))
}

/// The id of the partner whose stable id is `uid`, if it is here.
pub fn id_of_uid(conn: &Connection, uid: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM partners WHERE uid = ?1", [uid], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Every partner by name (the retired ones too when `retired`).
pub fn list(conn: &Connection, retired: bool) -> Result<Vec<Partner>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM partners WHERE ?1 OR retired_on IS NULL ORDER BY name COLLATE NOCASE, id"
    ))?;
    let rows = stmt
        .query_map([retired], row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The partners in the directory that help with `need`: those speaking `language` first (the
/// applicant's), then the others, each group by name. Retired partners are not proposed.
pub fn proposals(conn: &Connection, need: &str, language: &str) -> Result<Vec<Partner>> {
    let mut all: Vec<Partner> = list(conn, false)?
        .into_iter()
        .filter(|p| p.data.needs.iter().any(|n| n == need))
        .collect();
    // A stable sort keeps the name order inside each group.
    all.sort_by_key(|p| !p.data.languages.iter().any(|l| l == language));
    Ok(all)
}
