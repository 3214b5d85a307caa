//! The funder's reports over the desk's activity (issue 15): for a period, persons reached (distinct) and
//! contacts, new and returning persons, the counts by month, citizenship, sex, age band and service,
//! procedures started, kits sent and permits collected, average minutes, a funder's indicators, the
//! satisfaction answers and the staff timesheet. It owns the report definitions (`assets/reports/*.toml`:
//! which tables, and each indicator as a measure over the desk's records, with its wording, source and
//! `verify` mark), the one pass over a period's contacts and the suppression of small cells. It must not
//! write anything, nor hand out a row about one person: every cell is a count, a sum or an average, and
//! a count from 1 to `suppress_under - 1` (default 5) is `Cell::Suppressed` ("<5") in every table about
//! applicants. The timesheet is about the staff, whose hours the co-financing claim needs, and is not
//! suppressed. No secondary suppression is done: a total beside a single suppressed cell can give it
//! away, which the rule printed with the tables says.
//!
//! *Counting*: a person is a contact's `person` token (see `activity`); a walk-in is a person of their
//! own. New in a period: the person's first desk contact ever falls in it; returning: it fell before.
//! A contact with several services counts once under each service, so the service rows add up to more
//! than the contacts. Citizenship is the main one. Steps are counted from the case history (corrected
//! steps left out); an anonymised case's steps keep only their month, so they count in a period that
//! starts on the first of a month.
//!
//! *Reading*: whole months come from the monthly aggregates of migration 010 (kept by triggers on
//! `desk_contacts`), the persons' months as numbers (`desk_person_facts`, migration 012), the days
//! of a month the period covers in part from the contacts themselves. Steps are read once from their
//! index, with the cases' motivi and applicants' sexes from one scan each, and counted here.
//! `build_recounted` reads every contact and counts steps in SQL, for the tests that hold the two
//! equal.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{Error, FieldCode, FieldError, Result};
use crate::reference::catalogue::{parse_locale, Strings};
use crate::reference::content::Content;
use crate::reference::data::{check_source, data_error, parse_toml};
use crate::reference::CORE_LOCALES;
use crate::register::activity::Table as Activity;

/// The folder of the content whose files are report definitions, one per file.
pub const FOLDER: &str = "assets/reports";

/// The standard tables a definition may ask for, in the order they are built. `referrals` (the referrals
/// made and their outcomes, issue 16) is built by `Register::report` from the partner directory, last.
pub const TABLES: [&str; 9] = [
    "summary",
    "indicators",
    "months",
    "services",
    "citizenships",
    "breakdown",
    "satisfaction",
    "timesheet",
    "referrals",
];

/// What an indicator counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Distinct persons with a desk contact matching the filters.
    Persons,
    /// Desk contacts matching the filters.
    Contacts,
    /// Satisfaction answers among `answers`.
    Answers,
    /// Distinct cases with an effective step of a kind in `steps` in the period (and a motivo in
    /// `motivi` when given): one case is one applicant.
    Cases,
}

/// A funder's indicator as a measure over the desk's records.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Indicator {
    pub code: String,
    pub label_it: String,
    pub label_en: String,
    pub measure: Measure,
    /// Any of these services (none: any contact).
    #[serde(default)]
    pub services: Vec<String>,
    /// The case's motivo among these (none: any; a walk-in never matches a list).
    #[serde(default)]
    pub motivi: Vec<String>,
    #[serde(default)]
    pub answers: Vec<String>,
    #[serde(default)]
    pub steps: Vec<String>,
    pub source: String,
    /// The wording or the mapping was not checked against its source; `verify_reason` says why.
    #[serde(default)]
    pub verify: bool,
    #[serde(default)]
    pub verify_reason: String,
}

/// A report definition (`assets/reports/<id>.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    pub id: String,
    pub title_it: String,
    pub title_en: String,
    pub funder: String,
    pub source: String,
    pub read_on: String,
    /// Counts from 1 to this minus one are shown "<n" (default 5).
    #[serde(default = "five")]
    pub suppress_under: u64,
    pub tables: Vec<String>,
    #[serde(default, rename = "indicator")]
    pub indicators: Vec<Indicator>,
}

fn five() -> u64 {
    5
}

#[derive(Deserialize)]
struct RawDefinition {
    id: String,
    title_it: String,
    title_en: String,
    funder: String,
    source: Spanned<String>,
    read_on: String,
    #[serde(default = "five")]
    suppress_under: u64,
    tables: Spanned<Vec<String>>,
    #[serde(default)]
    indicator: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: String,
    label_it: String,
    label_en: String,
    measure: Measure,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    motivi: Vec<String>,
    #[serde(default)]
    answers: Vec<String>,
    #[serde(default)]
    steps: Vec<String>,
    source: Spanned<String>,
    #[serde(default)]
    verify: bool,
    #[serde(default)]
    verify_reason: String,
}

impl Definition {
    /// A definition from `(file name, text)`, checked against the activity table: known tables,
    /// services, answers and step kinds; each measure with the filters it uses; a reason with every
    /// `verify`; sources that are URLs; suppression at 1 or more (1: none).
    pub fn from_source(source: (&str, &str), activity: &Activity) -> Result<Definition> {
        let raw: RawDefinition = parse_toml(source)?;
        check_source(source, &raw.source)?;
        if let Some(t) = raw
            .tables
            .get_ref()
            .iter()
            .find(|t| !TABLES.contains(&t.as_str()))
        {
            return Err(data_error(
                source,
                raw.tables.span(),
                format!("tables: unknown table {t}"),
            ));
        }
        if raw.suppress_under == 0 {
            return Err(data_error(
                source,
                0..0,
                "suppress_under: must be 1 or more".into(),
            ));
        }
        let services = activity.service_codes();
        let answers = activity.answer_codes();
        let kinds: Vec<&str> = crate::register::steps::all_kinds().collect();
        let mut indicators = Vec::new();
        for spanned in raw.indicator {
            let span = spanned.span();
            let i = spanned.into_inner();
            check_source(source, &i.source)?;
            let fail = |m: String| Err(data_error(source, span.clone(), m));
            if let Some(s) = i.services.iter().find(|s| !services.contains(&s.as_str())) {
                return fail(format!(
                    "indicator {}: services: unknown service {s}",
                    i.code
                ));
            }
            if let Some(a) = i.answers.iter().find(|a| !answers.contains(&a.as_str())) {
                return fail(format!("indicator {}: answers: unknown answer {a}", i.code));
            }
            if let Some(k) = i.steps.iter().find(|k| !kinds.contains(&k.as_str())) {
                return fail(format!(
                    "indicator {}: steps: unknown step kind {k}",
                    i.code
                ));
            }
            let fits = match i.measure {
                Measure::Persons | Measure::Contacts => i.answers.is_empty() && i.steps.is_empty(),
                Measure::Answers => {
                    !i.answers.is_empty()
                        && i.services.is_empty()
                        && i.motivi.is_empty()
                        && i.steps.is_empty()
                }
                Measure::Cases => {
                    !i.steps.is_empty() && i.services.is_empty() && i.answers.is_empty()
                }
            };
            if !fits {
                return fail(format!(
                    "indicator {}: measure: filters that the measure {:?} does not use",
                    i.code, i.measure
                ));
            }
            if i.verify && i.verify_reason.trim().is_empty() {
                return fail(format!(
                    "indicator {}: verify_reason: verify without a reason",
                    i.code
                ));
            }
            indicators.push(Indicator {
                code: i.code,
                label_it: i.label_it,
                label_en: i.label_en,
                measure: i.measure,
                services: i.services,
                motivi: i.motivi,
                answers: i.answers,
                steps: i.steps,
                source: i.source.into_inner(),
                verify: i.verify,
                verify_reason: i.verify_reason,
            });
        }
        Ok(Definition {
            id: raw.id,
            title_it: raw.title_it,
            title_en: raw.title_en,
            funder: raw.funder,
            source: raw.source.into_inner(),
            read_on: raw.read_on,
            suppress_under: raw.suppress_under,
            tables: raw.tables.into_inner(),
            indicators,
        })
    }

    /// Every definition of `content`'s `assets/reports/`, each checked (`from_source`), ids unique;
    /// the first problem names its file and line.
    pub fn from_content(content: &Content, activity: &Activity) -> Result<Vec<Definition>> {
        let mut all: Vec<Definition> = Vec::new();
        for source in content.area(FOLDER) {
            let d = Definition::from_source(source, activity)?;
            if all.iter().any(|other| other.id == d.id) {
                return Err(data_error(
                    source,
                    0..0,
                    format!("id: {} is used twice", d.id),
                ));
            }
            all.push(d);
        }
        // The desk's own summary first, then the funders' (the files' order).
        all.sort_by_key(|d| d.id != "desk-monthly");
        Ok(all)
    }

    pub fn title(&self, locale: &str) -> &str {
        if locale == "en" {
            &self.title_en
        } else {
            &self.title_it
        }
    }
}

/// A period of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// A period; `invalid` on `report.to` when it ends before it starts.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period> {
        if to < from {
            return Err(Error::Invalid(vec![FieldError::new(
                "report.to",
                FieldCode::DateBeforePreviousStep,
            )]));
        }
        Ok(Period { from, to })
    }

    /// A period from two `YYYY-MM-DD` strings (the wire's): every bad end reported at once on
    /// `report.from` / `report.to`.
    pub fn parse(from: &str, to: &str) -> Result<Period> {
        let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let (f, t) = (day(from), day(to));
        let mut problems = Vec::new();
        if f.is_none() {
            problems.push(FieldError::new("report.from", FieldCode::DateInvalid));
        }
        if t.is_none() {
            problems.push(FieldError::new("report.to", FieldCode::DateInvalid));
        }
        match (f, t) {
            (Some(f), Some(t)) => Period::new(f, t),
            _ => Err(Error::Invalid(problems)),
        }
    }

    /// The calendar year `year`.
    pub fn year(year: i32) -> Period {
        Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January"),
            to: NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December"),
        }
    }
}

/// One cell of a report table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "camelCase")]
pub enum Cell {
    Text(String),
    Count(u64),
    /// A count from 1 to the threshold minus one, or an average over so few: shown "<n".
    Suppressed(u64),
    /// Hours or minutes with decimals (two places).
    Decimal(f64),
}

/// One table of a report: translated headers, rows of cells, notes printed under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportTable {
    pub id: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub notes: Vec<String>,
}

/// A report: aggregates only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub definition: String,
    pub title: String,
    pub period: Period,
    pub suppress_under: u64,
    /// The suppression rule as printed with the tables.
    pub rule: String,
    pub tables: Vec<ReportTable>,
}

impl Report {
    pub fn table(&self, id: &str) -> Option<&ReportTable> {
        self.tables.iter().find(|t| t.id == id)
    }
}

fn strings(locale: &str) -> &'static Strings {
    static LOADED: OnceLock<Vec<(&'static str, Strings)>> = OnceLock::new();
    let all = LOADED.get_or_init(|| {
        CORE_LOCALES
            .iter()
            .map(|(code, file, text)| (*code, parse_locale((file, text)).unwrap_or_default()))
            .collect()
    });
    all.iter()
        .find(|(c, _)| *c == locale)
        .or_else(|| all.first())
        .map(|(_, s)| s)
        .expect("two locales")
}

/// `report.<key>` in `locale`, placeholders filled; the key itself when missing (a test checks none is).
pub(crate) fn t(locale: &str, key: &str, values: &[(&str, String)]) -> String {
    let full = format!("report.{key}");
    let mut text = strings(locale)
        .get(&full)
        .map(|(s, _)| s.clone())
        .unwrap_or(full);
    for (name, value) in values {
        text = text.replace(&format!("%{{{name}}}"), value);
    }
    text
}

/// Every `report.*` key the reports use, for the translations test.
pub fn translation_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "rule",
        "rule_none",
        "note.services",
        "note.citizenship",
        "note.walk_in",
        "note.timesheet",
        "sign.operator",
        "sign.responsabile",
        "unknown",
        "verify",
    ]
    .iter()
    .map(|k| format!("report.{k}"))
    .collect();
    keys.extend(TABLES.iter().map(|t| format!("report.table.{t}")));
    keys.extend(COLUMNS.iter().map(|c| format!("report.column.{c}")));
    keys.extend(SUMMARY.iter().map(|c| format!("report.summary.{c}")));
    keys
}

const COLUMNS: [&str; 23] = [
    "item",
    "value",
    "code",
    "indicator",
    "total",
    "women",
    "men",
    "other_sex",
    "verify",
    "month",
    "persons",
    "contacts",
    "minutes_average",
    "service",
    "citizenship",
    "sex",
    "age_band",
    "answer",
    "answers",
    "operator",
    "desk_hours",
    "kind_hours",
    "total_hours",
];

const SUMMARY: [&str; 12] = [
    "persons",
    "contacts",
    "persons_new",
    "persons_returning",
    "walk_in_contacts",
    "procedures_started",
    "kits_sent",
    "permits_collected",
    "referrals",
    "mediator_contacts",
    "minutes_average",
    "hours_total",
];

/// The referral service (the summary's "referrals made").
const REFERRAL: &str = "referral";

/// The counts of one pass over a period's contacts. Contact counts are summed as the rows come;
/// distinct persons are counted after, person by person (see `count_persons`).
#[derive(Default)]
struct Pass {
    contacts: u64,
    minutes: u64,
    walk_in: u64,
    mediator: u64,
    referrals: u64,
    persons: u64,
    new_persons: u64,
    /// month index → (contacts, minutes), and → distinct persons.
    months: BTreeMap<u32, (u64, u64)>,
    month_persons: FxHashMap<u32, u64>,
    /// service bit → contacts, and → distinct persons.
    services: FxHashMap<u8, u64>,
    service_persons: FxHashMap<u8, u64>,
    citizenships: FxHashMap<u32, u64>,
    citizenship_persons: FxHashMap<u32, u64>,
    /// (month, citizenship, sex, band, service bit) packed → contacts, and → distinct persons.
    cells: FxHashMap<u64, u64>,
    cell_persons: FxHashMap<u64, u64>,
    /// Per indicator: contacts, and distinct persons by sex (women, men, other or unknown).
    indicator_contacts: Vec<u64>,
    indicator_persons: Vec<[u64; 3]>,
    /// (operator, month) → minutes at the desk (the timesheet).
    desk_minutes: FxHashMap<(u32, u32), u64>,
}

/// One contact as the pass keeps it until persons are counted.
struct Seen {
    person: i64,
    new: bool,
    month: u32,
    citizenship: u32,
    sex: u32,
    band: u32,
    services: i64,
    /// Bit i: the contact matches indicator i.
    indicators: u32,
}

/// Interns short codes (citizenships, sexes, bands, motivi) as small numbers during the pass. A code
/// under 8 bytes (all of the shipped ones) is looked up as one `u64` (its bytes and its length), which
/// spares hashing and comparing a slice for each of the period's rows.
#[derive(Default)]
struct Codes {
    short: FxHashMap<u64, u32>,
    long: FxHashMap<Vec<u8>, u32>,
    names: Vec<String>,
}

impl Codes {
    /// The number of `code` (the column's bytes: read without a copy or a UTF-8 check per row).
    fn id(&mut self, code: &[u8]) -> u32 {
        let next = self.names.len() as u32;
        let id = if code.len() < 8 {
            let mut packed = [0u8; 8];
            packed[..code.len()].copy_from_slice(code);
            packed[7] = code.len() as u8;
            *self.short.entry(u64::from_le_bytes(packed)).or_insert(next)
        } else {
            match self.long.get(code) {
                Some(id) => *id,
                None => *self.long.entry(code.to_vec()).or_insert(next),
            }
        };
        if id == next {
            self.names.push(String::from_utf8_lossy(code).into_owned());
        }
        id
    }
}

/// An indicator's filters as the pass tests them.
struct Filter {
    services: i64,
    motivi: Vec<String>,
}

/// The packed breakdown cell of a contact for one service.
fn cell_key(month: u32, citizenship: u32, sex: u32, band: u32, bit: u8) -> u64 {
    (u64::from(month) << 48)
        | (u64::from(citizenship) << 24)
        | (u64::from(sex) << 16)
        | (u64::from(band) << 8)
        | u64::from(bit)
}

/// What the period holds of one person while their months are counted.
#[derive(Default)]
struct PersonSeen {
    /// A row said their first day ever was before the period.
    returning: bool,
    /// The OR of their services.
    services: i64,
    /// Their citizenships (almost always one).
    citizenships: Vec<u32>,
    /// The indicators they matched, and the sex slot of each (2 bits per indicator) as it was in the
    /// first month they matched it.
    indicators: u32,
    sexes: u64,
}

/// Distinct persons per month, citizenship, service, cell and indicator. The rows are taken by month,
/// then person (the order `desk_person_months` is read in, so no sort is needed then): the persons of
/// a month and of its cells are the groups of one month, and what spans the period (persons, new ones,
/// citizenships, services, indicators) is gathered per person on the way and counted at the end. Months
/// come in order, so a person's first matching month for an indicator is the first one met.
fn count_persons(pass: &mut Pass, seen: &mut [Seen], bits: &[u8], sexes: &Codes) {
    // The women/men/other slot of each interned sex code.
    let slots: Vec<u64> = sexes
        .names
        .iter()
        .map(|n| sex_slot(n.as_bytes()) as u64)
        .collect();
    if !seen.is_sorted_by_key(|s| (s.month, s.person)) {
        seen.sort_unstable_by_key(|s| (s.month, s.person));
    }
    let mut persons: FxHashMap<i64, PersonSeen> = FxHashMap::default();
    let mut cells: Vec<u64> = Vec::new();
    for group in seen.chunk_by(|a, b| a.month == b.month && a.person == b.person) {
        let month = group[0].month;
        *pass.month_persons.entry(month).or_default() += 1;
        let p = persons.entry(group[0].person).or_default();
        cells.clear();
        // Indicators first matched this month: several rows of the month (facts that changed within
        // it) give the lowest slot (F, M, other), whichever order they came in.
        let mut matched = 0u32;
        for s in group {
            p.returning |= !s.new;
            p.services |= s.services;
            if !p.citizenships.contains(&s.citizenship) {
                p.citizenships.push(s.citizenship);
            }
            for &bit in bits {
                if s.services & (1 << bit) != 0 {
                    cells.push(cell_key(s.month, s.citizenship, s.sex, s.band, bit));
                }
            }
            let slot = slots.get(s.sex as usize).copied().unwrap_or(2);
            let mut fresh = s.indicators & !p.indicators;
            while fresh != 0 {
                let i = fresh.trailing_zeros();
                let shift = 2 * i;
                let before = (p.sexes >> shift) & 3;
                if matched & (1 << i) == 0 || slot < before {
                    p.sexes = (p.sexes & !(3 << shift)) | (slot << shift);
                }
                matched |= 1 << i;
                fresh &= fresh - 1;
            }
        }
        p.indicators |= matched;
        if group.len() > 1 {
            cells.sort_unstable();
            cells.dedup();
        }
        for c in &cells {
            *pass.cell_persons.entry(*c).or_default() += 1;
        }
    }
    for p in persons.values() {
        pass.persons += 1;
        pass.new_persons += u64::from(!p.returning);
        for &bit in bits {
            if p.services & (1 << bit) != 0 {
                *pass.service_persons.entry(bit).or_default() += 1;
            }
        }
        for c in &p.citizenships {
            *pass.citizenship_persons.entry(*c).or_default() += 1;
        }
        let mut m = p.indicators;
        while m != 0 {
            let i = m.trailing_zeros();
            pass.indicator_persons[i as usize][((p.sexes >> (2 * i)) & 3) as usize] += 1;
            m &= m - 1;
        }
    }
}

/// Builds the report of `period` under `definition`, its texts in `locale`. Whole months are counted
/// from the monthly aggregates of migration 010; the days of a month the period covers only in part
/// are read contact by contact.
pub fn build(
    conn: &Connection,
    activity: &Activity,
    definition: &Definition,
    period: Period,
    locale: &str,
) -> Result<Report> {
    build_from(conn, activity, definition, period, locale, true)
}

/// The same report counted contact by contact, without the monthly aggregates: the straight recount
/// the tests hold the aggregates against. Not for the app (it is the slow path).
#[doc(hidden)]
pub fn build_recounted(
    conn: &Connection,
    activity: &Activity,
    definition: &Definition,
    period: Period,
    locale: &str,
) -> Result<Report> {
    build_from(conn, activity, definition, period, locale, false)
}

/// The whole months of `period` as `(first YYYYMM, last YYYYMM, first day, last day)`, if any.
fn whole_months(period: Period) -> Option<(i64, i64, NaiveDate, NaiveDate)> {
    let first = if period.from.day() == 1 {
        period.from
    } else {
        period
            .from
            .with_day(1)?
            .checked_add_months(chrono::Months::new(1))?
    };
    let next = period.to.succ_opt()?;
    let last = if next.day() == 1 {
        period.to
    } else {
        period.to.with_day(1)?.pred_opt()?
    };
    (first <= last).then(|| {
        let month = |d: NaiveDate| i64::from(d.year()) * 100 + i64::from(d.month());
        (month(first), month(last), first, last)
    })
}

/// The women/men/other slot of a sex code.
fn sex_slot(code: &[u8]) -> usize {
    match code {
        b"F" => 0,
        b"M" => 1,
        _ => 2,
    }
}

/// What one report's counting holds while it reads contacts and monthly aggregates.
struct Counter {
    pass: Pass,
    filters: Vec<Option<Filter>>,
    citizenships: Codes,
    sexes: Codes,
    bands: Codes,
    base_month: u32,
    /// The period's first day as YYYYMMDD (a person is new when their first day is not before it).
    from: i64,
    referral: i64,
    bits: Vec<u8>,
    seen: Vec<Seen>,
}

/// A combination of facts of `desk_facts` (migration 012) as the pass numbers its codes.
#[derive(Clone, Copy, Default)]
struct Facts {
    citizenship: u32,
    sex: u32,
    band: u32,
    motivo_matches: u32,
}

impl Counter {
    /// The period's month number of a day (YYYYMMDD) or month (YYYYMM) given as year and month.
    fn month(&self, year: i64, month1: i64) -> u32 {
        (year as u32 * 12 + (month1 as u32).saturating_sub(1)).saturating_sub(self.base_month)
    }

    /// Bit i set: a contact (or a person's month, whose services are the OR of its contacts') with
    /// these services and motivo matches indicator i.
    fn indicators(&self, services: i64, motivo: &[u8]) -> u32 {
        self.indicators_by(services, self.motivo_matches(motivo))
    }

    /// Bit i set: indicator i takes `motivo` (or takes any).
    fn motivo_matches(&self, motivo: &[u8]) -> u32 {
        let mut matches = 0u32;
        for (i, f) in self.filters.iter().enumerate() {
            if let Some(f) = f {
                if f.motivi.is_empty() || f.motivi.iter().any(|m| m.as_bytes() == motivo) {
                    matches |= 1 << i;
                }
            }
        }
        matches
    }

    /// `indicators` with the motivo's matches already known.
    fn indicators_by(&self, services: i64, motivo_matches: u32) -> u32 {
        let mut indicators = 0u32;
        for (i, f) in self.filters.iter().enumerate() {
            if let Some(f) = f {
                if motivo_matches & (1 << i) != 0 && (f.services == 0 || services & f.services != 0)
                {
                    indicators |= 1 << i;
                }
            }
        }
        indicators
    }

    /// Reads the contacts of the days `from..=to` (YYYYMMDD) one by one.
    fn contacts(&mut self, conn: &Connection, from: i64, to: i64) -> Result<()> {
        let mut stmt = conn.prepare_cached(
            "SELECT day, person, first_day >= ?3, citizenship, sex, age_band, services, minutes, motivo,
                    walk_in, mediator, operator
             FROM desk_contacts INDEXED BY desk_contacts_report WHERE day BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query(params![from, to, self.from])?;
        while let Some(r) = rows.next()? {
            let day: i64 = r.get(0)?;
            let month = self.month(day / 10_000, day / 100 % 100);
            let person: i64 = r.get(1)?;
            let new: bool = r.get(2)?;
            let citizenship = self.citizenships.id(bytes(r, 3)?);
            let sex = self.sexes.id(bytes(r, 4)?);
            let band = self.bands.id(bytes(r, 5)?);
            let services: i64 = r.get(6)?;
            let minutes: i64 = r.get(7)?;
            let motivo = bytes(r, 8)?;
            let walk_in: bool = r.get(9)?;
            let mediator: bool = r.get(10)?;
            let operator: i64 = r.get(11)?;
            let indicators = self.indicators(services, motivo);
            let pass = &mut self.pass;
            pass.contacts += 1;
            pass.minutes += minutes as u64;
            pass.walk_in += u64::from(walk_in);
            pass.mediator += u64::from(mediator);
            pass.referrals += u64::from(services & self.referral != 0);
            *pass
                .desk_minutes
                .entry((operator as u32, month))
                .or_default() += minutes as u64;
            let m = pass.months.entry(month).or_default();
            m.0 += 1;
            m.1 += minutes as u64;
            *pass.citizenships.entry(citizenship).or_default() += 1;
            for &bit in &self.bits {
                if services & (1 << bit) != 0 {
                    *pass.services.entry(bit).or_default() += 1;
                    *pass
                        .cells
                        .entry(cell_key(month, citizenship, sex, band, bit))
                        .or_default() += 1;
                }
            }
            let mut m = indicators;
            while m != 0 {
                pass.indicator_contacts[m.trailing_zeros() as usize] += 1;
                m &= m - 1;
            }
            self.seen.push(Seen {
                person,
                new,
                month,
                citizenship,
                sex,
                band,
                services,
                indicators,
            });
        }
        Ok(())
    }

    /// Reads the monthly aggregates of the months `from..=to` (YYYYMM). Contact counts are sums; a
    /// walk-in is a person of their own, so their persons are their contacts; the persons of the
    /// cases' contacts come from `desk_person_months`, deduplicated over the period with the rest.
    fn months(&mut self, conn: &Connection, from: i64, to: i64) -> Result<()> {
        let mut stmt = conn.prepare_cached(
            "SELECT month, walk_in, services, motivo, sex, n, mediated, minutes FROM desk_month_masks
             WHERE month BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query(params![from, to])?;
        while let Some(r) = rows.next()? {
            let yyyymm: i64 = r.get(0)?;
            let month = self.month(yyyymm / 100, yyyymm % 100);
            let walk_in: bool = r.get(1)?;
            let services: i64 = r.get(2)?;
            let indicators = self.indicators(services, bytes(r, 3)?);
            let sex = sex_slot(bytes(r, 4)?);
            let n = r.get::<_, i64>(5)? as u64;
            let mediated = r.get::<_, i64>(6)? as u64;
            let minutes = r.get::<_, i64>(7)? as u64;
            let pass = &mut self.pass;
            pass.contacts += n;
            pass.minutes += minutes;
            pass.mediator += mediated;
            if services & self.referral != 0 {
                pass.referrals += n;
            }
            let m = pass.months.entry(month).or_default();
            m.0 += n;
            m.1 += minutes;
            if walk_in {
                pass.walk_in += n;
                pass.persons += n;
                pass.new_persons += n;
            }
            let mut m = indicators;
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                pass.indicator_contacts[i] += n;
                if walk_in {
                    pass.indicator_persons[i][sex] += n;
                }
                m &= m - 1;
            }
        }
        drop(rows);
        let mut stmt = conn.prepare_cached(
            "SELECT month, operator, minutes FROM desk_month_operators WHERE month BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query(params![from, to])?;
        while let Some(r) = rows.next()? {
            let yyyymm: i64 = r.get(0)?;
            let month = self.month(yyyymm / 100, yyyymm % 100);
            let operator: i64 = r.get(1)?;
            let minutes: i64 = r.get(2)?;
            *self
                .pass
                .desk_minutes
                .entry((operator as u32, month))
                .or_default() += minutes as u64;
        }
        drop(rows);
        let mut stmt = conn.prepare_cached(
            "SELECT month, walk_in, citizenship, sex, age_band, bit, n FROM desk_month_cells
             WHERE month BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query(params![from, to])?;
        while let Some(r) = rows.next()? {
            let yyyymm: i64 = r.get(0)?;
            let month = self.month(yyyymm / 100, yyyymm % 100);
            let walk_in: bool = r.get(1)?;
            let citizenship = self.citizenships.id(bytes(r, 2)?);
            let sex = self.sexes.id(bytes(r, 3)?);
            let band = self.bands.id(bytes(r, 4)?);
            let bit: i64 = r.get(5)?;
            let n = r.get::<_, i64>(6)? as u64;
            let pass = &mut self.pass;
            if bit < 0 {
                *pass.citizenships.entry(citizenship).or_default() += n;
                if walk_in {
                    *pass.citizenship_persons.entry(citizenship).or_default() += n;
                    *pass.month_persons.entry(month).or_default() += n;
                }
                continue;
            }
            let bit = bit as u8;
            if !self.bits.contains(&bit) {
                continue;
            }
            *pass.services.entry(bit).or_default() += n;
            let key = cell_key(month, citizenship, sex, band, bit);
            *pass.cells.entry(key).or_default() += n;
            if walk_in {
                *pass.service_persons.entry(bit).or_default() += n;
                *pass.cell_persons.entry(key).or_default() += n;
            }
        }
        drop(rows);
        // The facts' combinations first (a few hundred), then the persons' months as numbers only.
        let mut facts: Vec<Facts> = Vec::new();
        let mut stmt =
            conn.prepare_cached("SELECT id, citizenship, sex, age_band, motivo FROM desk_facts")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id = r.get::<_, i64>(0)? as usize;
            if facts.len() <= id {
                facts.resize(id + 1, Facts::default());
            }
            facts[id] = Facts {
                citizenship: self.citizenships.id(bytes(r, 1)?),
                sex: self.sexes.id(bytes(r, 2)?),
                band: self.bands.id(bytes(r, 3)?),
                motivo_matches: self.motivo_matches(bytes(r, 4)?),
            };
        }
        drop(rows);
        let mut stmt = conn.prepare_cached(
            "SELECT month, person, first_day >= ?3, facts, services FROM desk_person_facts
             WHERE month BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query(params![from, to, self.from])?;
        while let Some(r) = rows.next()? {
            let yyyymm: i64 = r.get(0)?;
            let month = self.month(yyyymm / 100, yyyymm % 100);
            let person: i64 = r.get(1)?;
            let new: bool = r.get(2)?;
            let facts = facts
                .get(r.get::<_, i64>(3)? as usize)
                .copied()
                // The foreign key keeps every id in `desk_facts`.
                .ok_or(Error::Damaged)?;
            let services: i64 = r.get(4)?;
            self.seen.push(Seen {
                person,
                new,
                month,
                citizenship: facts.citizenship,
                sex: facts.sex,
                band: facts.band,
                services,
                indicators: self.indicators_by(services, facts.motivo_matches),
            });
        }
        Ok(())
    }
}

fn build_from(
    conn: &Connection,
    activity: &Activity,
    definition: &Definition,
    period: Period,
    locale: &str,
    aggregates: bool,
) -> Result<Report> {
    let filters: Vec<Option<Filter>> = definition
        .indicators
        .iter()
        .map(|i| {
            matches!(i.measure, Measure::Persons | Measure::Contacts).then(|| Filter {
                services: activity.mask(&i.services),
                motivi: i.motivi.clone(),
            })
        })
        .collect();
    if filters.len() > 32 {
        return Err(Error::Data {
            file: definition.id.clone(),
            line: 0,
            message: "at most 32 indicators".into(),
        });
    }
    use crate::register::activity::day_number;
    let from = day_number(period.from);
    let to = day_number(period.to);
    let mut counter = Counter {
        pass: Pass {
            indicator_contacts: vec![0; filters.len()],
            indicator_persons: vec![[0; 3]; filters.len()],
            ..Pass::default()
        },
        filters,
        citizenships: Codes::default(),
        sexes: Codes::default(),
        bands: Codes::default(),
        base_month: period.from.year() as u32 * 12 + period.from.month0(),
        from,
        referral: activity.mask(&[REFERRAL.to_string()]),
        bits: activity.services.iter().map(|s| s.bit).collect(),
        seen: Vec::new(),
    };
    match whole_months(period).filter(|_| aggregates) {
        Some((first, last, first_day, last_day)) => {
            if period.from < first_day {
                let before = first_day.pred_opt().unwrap_or(first_day);
                counter.contacts(conn, from, day_number(before))?;
            }
            counter.months(conn, first, last)?;
            if period.to > last_day {
                let after = last_day.succ_opt().unwrap_or(last_day);
                counter.contacts(conn, day_number(after), to)?;
            }
        }
        None => counter.contacts(conn, from, to)?,
    }
    let Counter {
        mut pass,
        citizenships,
        sexes,
        bands,
        bits,
        mut seen,
        ..
    } = counter;
    count_persons(&mut pass, &mut seen, &bits, &sexes);
    drop(seen);
    // The straight recount counts steps by SQL too, for the tests that hold the two equal.
    let read = if aggregates {
        Some(CaseSteps::read(conn, definition, period)?)
    } else {
        None
    };
    let case_counts = definition
        .indicators
        .iter()
        .map(|i| match (i.measure, &read) {
            (Measure::Cases, Some(read)) => Ok(read.indicator(i)),
            (Measure::Cases, None) => cases_with_steps(conn, i, period),
            _ => Ok((0, [0; 3])),
        })
        .collect::<Result<Vec<_>>>()?;
    let steps = match &read {
        Some(read) => read.counts(),
        None => step_counts(conn, period)?,
    };
    let answers = answer_counts(conn, period)?;
    let ctx = Context {
        locale,
        under: definition.suppress_under,
        activity,
    };
    let mut tables = Vec::new();
    for id in TABLES {
        if id == "referrals" || !definition.tables.iter().any(|t| t == id) {
            continue;
        }
        let mut table = match id {
            "summary" => ctx.summary(&pass, &steps),
            "indicators" => ctx.indicators(definition, &pass, &answers, &case_counts),
            "months" => ctx.months(&pass, period),
            "services" => ctx.services(&pass),
            "citizenships" => ctx.citizenships(&pass, &citizenships),
            "breakdown" => ctx.breakdown(&pass, period, &citizenships, &sexes, &bands),
            "satisfaction" => ctx.satisfaction(&answers),
            _ => ctx.timesheet(conn, period, &pass)?,
        };
        table.id = id.to_string();
        table.title = t(locale, &format!("table.{id}"), &[]);
        tables.push(table);
    }
    let rule = if definition.suppress_under > 1 {
        t(
            locale,
            "rule",
            &[("n", definition.suppress_under.to_string())],
        )
    } else {
        t(locale, "rule_none", &[])
    };
    Ok(Report {
        definition: definition.id.clone(),
        title: definition.title(locale).to_string(),
        period,
        suppress_under: definition.suppress_under,
        rule,
        tables,
    })
}

/// Effective steps of the counted kinds in the period, by kind: (kind, motivo) → distinct cases.
type StepCounts = Vec<(String, String, u64)>;

/// The step kinds the summary counts.
const SUMMARY_STEPS: [&str; 5] = [
    "intake",
    "kit_sent",
    "collected",
    "questura_appointment",
    "referred",
];

/// The steps' date bounds of a period. An anonymised case's step keeps only `YYYY-MM`: from the first
/// of a month, the month itself is the lower bound so those steps count.
fn step_bounds(period: Period) -> (String, String) {
    let from = if period.from.day() == 1 {
        period.from.format("%Y-%m").to_string()
    } else {
        period.from.to_string()
    };
    (from, period.to.to_string())
}

/// The effective steps of a period, read once for the summary and every indicator that counts cases:
/// each (kind, case) once, with the case's motivo and its applicant's sex slot (`None` without an
/// applicant row, as after anonymisation: the indicators leave such a case out). The cases' facts
/// are read by one scan of `cases` (and of the applicants) rather than a lookup per step: several
/// times cheaper for a year of a desk's steps (about 5 ms against 15–20 ms at 10 000 cases).
struct CaseSteps {
    kinds: Vec<String>,
    /// (index in `kinds`, case id), sorted, each once.
    pairs: Vec<(usize, i64)>,
    cases: FxHashMap<i64, (String, Option<usize>)>,
}

impl CaseSteps {
    fn read(conn: &Connection, definition: &Definition, period: Period) -> Result<CaseSteps> {
        let mut kinds: Vec<String> = SUMMARY_STEPS.iter().map(|k| k.to_string()).collect();
        let counted = definition
            .indicators
            .iter()
            .filter(|i| i.measure == Measure::Cases);
        for kind in counted.clone().flat_map(|i| &i.steps) {
            if !kinds.contains(kind) {
                kinds.push(kind.clone());
            }
        }
        let corrected: rustc_hash::FxHashSet<i64> = conn
            .prepare_cached("SELECT corrects FROM steps WHERE corrects IS NOT NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let (from, to) = step_bounds(period);
        let mut stmt = conn.prepare_cached(
            "SELECT kind, case_id, id FROM steps INDEXED BY steps_report
             WHERE kind IN (SELECT value FROM json_each(?1)) AND date >= ?2 AND date <= ?3",
        )?;
        let json = serde_json::to_string(&kinds).unwrap_or_default();
        let mut rows = stmt.query(params![json, from, to])?;
        let mut pairs = Vec::new();
        let mut cases: FxHashMap<i64, (String, Option<usize>)> = FxHashMap::default();
        while let Some(r) = rows.next()? {
            if corrected.contains(&r.get::<_, i64>(2)?) {
                continue;
            }
            let kind = bytes(r, 0)?;
            let case: i64 = r.get(1)?;
            if let Some(k) = kinds.iter().position(|k| k.as_bytes() == kind) {
                pairs.push((k, case));
                cases.entry(case).or_default();
            }
        }
        drop(rows);
        pairs.sort_unstable();
        pairs.dedup();
        let mut stmt = conn.prepare_cached("SELECT id, motivo_code FROM cases")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if let Some(case) = cases.get_mut(&r.get::<_, i64>(0)?) {
                case.0 = r.get(1)?;
            }
        }
        drop(rows);
        if counted.clone().next().is_some() {
            let mut stmt = conn.prepare_cached("SELECT case_id, sex FROM persons WHERE ord = 0")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(case) = cases.get_mut(&r.get::<_, i64>(0)?) {
                    case.1 = Some(sex_slot(bytes(r, 1)?));
                }
            }
        }
        Ok(CaseSteps {
            kinds,
            pairs,
            cases,
        })
    }

    /// The summary's counts.
    fn counts(&self) -> StepCounts {
        let mut by: BTreeMap<(usize, &str), u64> = BTreeMap::new();
        for (k, case) in &self.pairs {
            if *k < SUMMARY_STEPS.len() {
                let motivo = self.cases.get(case).map_or("", |c| c.0.as_str());
                *by.entry((*k, motivo)).or_default() += 1;
            }
        }
        by.into_iter()
            .map(|((k, motivo), n)| (self.kinds[k].clone(), motivo.to_string(), n))
            .collect()
    }

    /// An indicator's distinct cases (see `cases_with_steps`).
    fn indicator(&self, ind: &Indicator) -> (u64, [u64; 3]) {
        let mut counted: Vec<i64> = self
            .pairs
            .iter()
            .filter(|(k, _)| ind.steps.contains(&self.kinds[*k]))
            .map(|(_, case)| *case)
            .collect();
        counted.sort_unstable();
        counted.dedup();
        let mut by = [0u64; 3];
        for case in counted {
            let Some((motivo, Some(slot))) = self.cases.get(&case) else {
                continue;
            };
            if ind.motivi.is_empty() || ind.motivi.contains(motivo) {
                by[*slot] += 1;
            }
        }
        (by.iter().sum(), by)
    }
}

/// The summary's step counts by SQL, for the straight recount.
fn step_counts(conn: &Connection, period: Period) -> Result<StepCounts> {
    let (from, to) = step_bounds(period);
    let mut stmt = conn.prepare_cached(
        "SELECT s.kind, c.motivo_code, count(DISTINCT s.case_id) FROM steps s
         JOIN cases c ON c.id = s.case_id
         WHERE s.kind IN (SELECT value FROM json_each(?3))
           AND s.date >= ?1 AND s.date <= ?2
           AND NOT EXISTS (SELECT 1 FROM steps x WHERE x.corrects = s.id)
         GROUP BY s.kind, c.motivo_code",
    )?;
    let rows = stmt
        .query_map(
            params![
                from,
                to,
                serde_json::to_string(&SUMMARY_STEPS).unwrap_or_default()
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Satisfaction answers of the months the period touches: (month, answer, n).
fn answer_counts(conn: &Connection, period: Period) -> Result<Vec<(String, String, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT month, answer, n FROM satisfaction WHERE month BETWEEN ?1 AND ?2 ORDER BY month, answer",
    )?;
    let rows = stmt
        .query_map(
            params![
                period.from.format("%Y-%m").to_string(),
                period.to.format("%Y-%m").to_string()
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

struct Context<'a> {
    locale: &'a str,
    under: u64,
    activity: &'a Activity,
}

impl Context<'_> {
    fn count(&self, n: u64) -> Cell {
        if n > 0 && n < self.under {
            Cell::Suppressed(self.under)
        } else {
            Cell::Count(n)
        }
    }

    /// An average over `n` contacts, suppressed with them.
    fn average(&self, total: u64, n: u64) -> Cell {
        if n > 0 && n < self.under {
            Cell::Suppressed(self.under)
        } else if n == 0 {
            Cell::Decimal(0.0)
        } else {
            Cell::Decimal(total as f64 / n as f64)
        }
    }

    fn headers(&self, keys: &[&str]) -> Vec<String> {
        keys.iter()
            .map(|k| t(self.locale, &format!("column.{k}"), &[]))
            .collect()
    }

    fn table(&self, columns: &[&str], rows: Vec<Vec<Cell>>, notes: Vec<String>) -> ReportTable {
        ReportTable {
            id: String::new(),
            title: String::new(),
            columns: self.headers(columns),
            rows,
            notes,
        }
    }

    fn text(&self, key: &str) -> Cell {
        Cell::Text(t(self.locale, key, &[]))
    }

    fn summary(&self, p: &Pass, steps: &StepCounts) -> ReportTable {
        let kind = |k: &str| {
            steps
                .iter()
                .filter(|(kind, _, _)| kind == k)
                .map(|(_, _, n)| n)
                .sum::<u64>()
        };
        let persons = p.persons;
        let new = p.new_persons;
        let rows = vec![
            vec![self.text("summary.persons"), self.count(persons)],
            vec![self.text("summary.contacts"), self.count(p.contacts)],
            vec![self.text("summary.persons_new"), self.count(new)],
            vec![
                self.text("summary.persons_returning"),
                self.count(persons - new),
            ],
            vec![self.text("summary.walk_in_contacts"), self.count(p.walk_in)],
            vec![
                self.text("summary.procedures_started"),
                self.count(kind("intake")),
            ],
            vec![self.text("summary.kits_sent"), self.count(kind("kit_sent"))],
            vec![
                self.text("summary.permits_collected"),
                self.count(kind("collected")),
            ],
            vec![self.text("summary.referrals"), self.count(p.referrals)],
            vec![
                self.text("summary.mediator_contacts"),
                self.count(p.mediator),
            ],
            vec![
                self.text("summary.minutes_average"),
                self.average(p.minutes, p.contacts),
            ],
            vec![
                self.text("summary.hours_total"),
                Cell::Decimal(p.minutes as f64 / 60.0),
            ],
        ];
        self.table(
            &["item", "value"],
            rows,
            vec![t(self.locale, "note.walk_in", &[])],
        )
    }

    /// `cases`: each indicator's distinct cases by sex, for those that count cases.
    fn indicators(
        &self,
        d: &Definition,
        p: &Pass,
        answers: &[(String, String, u64)],
        cases: &[(u64, [u64; 3])],
    ) -> ReportTable {
        let mut rows = Vec::new();
        for (i, ind) in d.indicators.iter().enumerate() {
            let (total, by_sex): (u64, [u64; 3]) = match ind.measure {
                Measure::Persons => {
                    let by = p.indicator_persons[i];
                    (by.iter().sum(), by)
                }
                Measure::Contacts => (p.indicator_contacts[i], [0; 3]),
                Measure::Answers => (
                    answers
                        .iter()
                        .filter(|(_, a, _)| ind.answers.contains(a))
                        .map(|(_, _, n)| n)
                        .sum(),
                    [0; 3],
                ),
                Measure::Cases => cases[i],
            };
            let label = if self.locale == "en" {
                &ind.label_en
            } else {
                &ind.label_it
            };
            let verify = if ind.verify {
                format!(
                    "{}: {}",
                    t(self.locale, "verify", &[]),
                    ind.verify_reason.trim()
                )
            } else {
                String::new()
            };
            let by_sex_known = matches!(ind.measure, Measure::Persons | Measure::Cases);
            let sex_cell = |n: u64| {
                if by_sex_known {
                    self.count(n)
                } else {
                    Cell::Text(String::new())
                }
            };
            rows.push(vec![
                Cell::Text(ind.code.clone()),
                Cell::Text(label.clone()),
                self.count(total),
                sex_cell(by_sex[0]),
                sex_cell(by_sex[1]),
                sex_cell(by_sex[2]),
                Cell::Text(verify),
            ]);
        }
        self.table(
            &[
                "code",
                "indicator",
                "total",
                "women",
                "men",
                "other_sex",
                "verify",
            ],
            rows,
            Vec::new(),
        )
    }

    fn months(&self, p: &Pass, period: Period) -> ReportTable {
        let per = &p.month_persons;
        let rows = p
            .months
            .iter()
            .map(|(m, (contacts, minutes))| {
                vec![
                    Cell::Text(month_name(period, *m)),
                    self.count(per.get(m).copied().unwrap_or(0)),
                    self.count(*contacts),
                    self.average(*minutes, *contacts),
                ]
            })
            .collect();
        self.table(
            &["month", "persons", "contacts", "minutes_average"],
            rows,
            Vec::new(),
        )
    }

    fn service_label(&self, bit: u8) -> String {
        self.activity
            .services
            .iter()
            .find(|s| s.bit == bit)
            .map(|s| s.coded.label(self.locale).to_string())
            .unwrap_or_default()
    }

    fn services(&self, p: &Pass) -> ReportTable {
        let per = &p.service_persons;
        let rows = self
            .activity
            .services
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.coded.label(self.locale).to_string()),
                    self.count(per.get(&s.bit).copied().unwrap_or(0)),
                    self.count(p.services.get(&s.bit).copied().unwrap_or(0)),
                ]
            })
            .collect();
        self.table(
            &["service", "persons", "contacts"],
            rows,
            vec![t(self.locale, "note.services", &[])],
        )
    }

    fn code_or_unknown(&self, code: &str) -> String {
        if code.is_empty() {
            t(self.locale, "unknown", &[])
        } else {
            code.to_string()
        }
    }

    fn citizenships(&self, p: &Pass, codes: &Codes) -> ReportTable {
        let per = &p.citizenship_persons;
        let mut list: Vec<(&String, u32)> = codes
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n, i as u32))
            .collect();
        list.sort();
        let rows = list
            .into_iter()
            .filter(|(_, id)| p.citizenships.contains_key(id))
            .map(|(name, id)| {
                vec![
                    Cell::Text(self.code_or_unknown(name)),
                    self.count(per.get(&id).copied().unwrap_or(0)),
                    self.count(p.citizenships.get(&id).copied().unwrap_or(0)),
                ]
            })
            .collect();
        self.table(
            &["citizenship", "persons", "contacts"],
            rows,
            vec![t(self.locale, "note.citizenship", &[])],
        )
    }

    fn breakdown(
        &self,
        p: &Pass,
        period: Period,
        citizenships: &Codes,
        sexes: &Codes,
        bands: &Codes,
    ) -> ReportTable {
        let per = &p.cell_persons;
        let name = |codes: &Codes, id: u64| self.code_or_unknown(&codes.names[id as usize]);
        let mut keyed: Vec<(CellName, u64)> = p
            .cells
            .keys()
            .map(|&cell| {
                (
                    (
                        (cell >> 48) as u32,
                        name(citizenships, (cell >> 24) & 0xff_ffff),
                        name(sexes, (cell >> 16) & 0xff),
                        name(bands, (cell >> 8) & 0xff),
                        (cell & 0xff) as u8,
                    ),
                    cell,
                )
            })
            .collect();
        keyed.sort();
        let rows = keyed
            .into_iter()
            .map(|((month, cit, sex, band, bit), cell)| {
                vec![
                    Cell::Text(month_name(period, month)),
                    Cell::Text(cit),
                    Cell::Text(sex),
                    Cell::Text(band),
                    Cell::Text(self.service_label(bit)),
                    self.count(per.get(&cell).copied().unwrap_or(0)),
                    self.count(p.cells.get(&cell).copied().unwrap_or(0)),
                ]
            })
            .collect();
        self.table(
            &[
                "month",
                "citizenship",
                "sex",
                "age_band",
                "service",
                "persons",
                "contacts",
            ],
            rows,
            vec![
                t(self.locale, "note.services", &[]),
                t(self.locale, "note.citizenship", &[]),
            ],
        )
    }

    fn satisfaction(&self, answers: &[(String, String, u64)]) -> ReportTable {
        let rows = answers
            .iter()
            .map(|(month, answer, n)| {
                let label = self
                    .activity
                    .answers
                    .iter()
                    .find(|a| &a.code == answer)
                    .map_or(answer.clone(), |a| a.label(self.locale).to_string());
                vec![Cell::Text(month.clone()), Cell::Text(label), self.count(*n)]
            })
            .collect();
        self.table(&["month", "answer", "answers"], rows, Vec::new())
    }

    /// Hours per operator per month: at the desk (the contacts' minutes) and each staff-time kind.
    fn timesheet(&self, conn: &Connection, period: Period, p: &Pass) -> Result<ReportTable> {
        let kinds = self.activity.staff_codes();
        let names: HashMap<String, String> = conn
            .prepare_cached("SELECT id, name FROM operators")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let numbers: HashMap<u32, String> = conn
            .prepare_cached("SELECT no, operator_id FROM desk_operators")?
            .query_map([], |r| Ok((r.get::<_, i64>(0)? as u32, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
        // (operator name, month) → [desk, kind 1, kind 2…] minutes.
        let mut sheet: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
        for ((operator, month), minutes) in &p.desk_minutes {
            sheet
                .entry((
                    name(numbers.get(operator).map_or("", String::as_str)),
                    month_name(period, *month),
                ))
                .or_insert_with(|| vec![0; kinds.len() + 1])[0] += minutes;
        }
        let mut stmt = conn.prepare_cached(
            "SELECT operator_id, substr(day, 1, 7), kind, sum(minutes) FROM staff_time
             WHERE day BETWEEN ?1 AND ?2 GROUP BY operator_id, substr(day, 1, 7), kind",
        )?;
        let mut rows = stmt.query(params![period.from.to_string(), period.to.to_string()])?;
        while let Some(r) = rows.next()? {
            let operator: String = r.get(0)?;
            let month: String = r.get(1)?;
            let kind: String = r.get(2)?;
            let minutes: i64 = r.get(3)?;
            let slot = kinds.iter().position(|k| *k == kind).map_or(0, |i| i + 1);
            sheet
                .entry((name(&operator), month))
                .or_insert_with(|| vec![0; kinds.len() + 1])[slot] += minutes as u64;
        }
        let hours = |m: u64| Cell::Decimal(m as f64 / 60.0);
        let rows = sheet
            .into_iter()
            .map(|((name, month), minutes)| {
                let mut row = vec![Cell::Text(name), Cell::Text(month)];
                row.extend(minutes.iter().map(|m| hours(*m)));
                row.push(hours(minutes.iter().sum()));
                row
            })
            .collect();
        let mut columns = vec![
            t(self.locale, "column.operator", &[]),
            t(self.locale, "column.month", &[]),
            t(self.locale, "column.desk_hours", &[]),
        ];
        columns.extend(self.activity.staff_kinds.iter().map(|k| {
            t(
                self.locale,
                "column.kind_hours",
                &[("kind", k.label(self.locale).to_string())],
            )
        }));
        columns.push(t(self.locale, "column.total_hours", &[]));
        Ok(ReportTable {
            id: String::new(),
            title: String::new(),
            columns,
            rows,
            notes: vec![
                t(self.locale, "note.timesheet", &[]),
                t(self.locale, "sign.operator", &[]),
                t(self.locale, "sign.responsabile", &[]),
            ],
        })
    }
}

/// The distinct cases with an effective step of the indicator's kinds in the period (and a motivo of
/// its list), and how many of their applicants are women, men, other or unknown.
fn cases_with_steps(conn: &Connection, ind: &Indicator, period: Period) -> Result<(u64, [u64; 3])> {
    let (from, to) = step_bounds(period);
    let kinds = serde_json::to_string(&ind.steps).unwrap_or_default();
    let motivi = serde_json::to_string(&ind.motivi).unwrap_or_default();
    let mut stmt = conn.prepare_cached(
        "SELECT p.sex, count(*) FROM (
             SELECT DISTINCT s.case_id FROM steps s JOIN cases c ON c.id = s.case_id
             WHERE s.kind IN (SELECT value FROM json_each(?1))
               AND s.date >= ?2 AND s.date <= ?3
               AND (json_array_length(?4) = 0 OR c.motivo_code IN (SELECT value FROM json_each(?4)))
               AND NOT EXISTS (SELECT 1 FROM steps x WHERE x.corrects = s.id)
         ) k JOIN persons p ON p.case_id = k.case_id AND p.ord = 0 GROUP BY p.sex",
    )?;
    let mut by = [0u64; 3];
    let mut rows = stmt.query(params![kinds, from, to, motivi])?;
    while let Some(r) = rows.next()? {
        by[sex_slot(bytes(r, 0)?)] += r.get::<_, i64>(1)? as u64;
    }
    Ok((by.iter().sum(), by))
}

/// Text column `i` of `r` as bytes, without a copy.
fn bytes<'r>(r: &'r rusqlite::Row, i: usize) -> Result<&'r [u8]> {
    Ok(r.get_ref(i)?.as_bytes().map_err(rusqlite::Error::from)?)
}

/// A breakdown cell by its names, in the order its rows are sorted: month, citizenship, sex, age band,
/// service bit.
type CellName = (u32, String, String, String, u8);

/// `YYYY-MM` of the period's month number `m` (0: the period's first month).
fn month_name(period: Period, m: u32) -> String {
    let base = period.from.year() as u32 * 12 + period.from.month0() + m;
    format!("{:04}-{:02}", base / 12, base % 12 + 1)
}
