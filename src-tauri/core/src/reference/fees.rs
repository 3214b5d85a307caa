//! The dated money tables: the fees of the procedures (`assets/reference/fees.toml`: bollo, electronic
//! permit card, contribution bands and exemptions, postal fee, …) and the assegno sociale by year with the
//! rule that turns it into a household's income threshold (`assets/reference/assegno_sociale.toml`). It
//! owns loading and checking them (every problem reported with file and line) and answering "how much on
//! that day" and "which threshold for that household". It must not hold any amount, date or exemption
//! itself (those are rows in the files, with their sources), nor decide which fees a procedure charges or
//! who is counted (that is `catalogue`). Money is integer euro cents throughout.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use toml::Spanned;

use crate::error::Result;
use crate::reference::data::{check_source, data_error, line_of, parse_toml, read_on, ReadOn};
use crate::reference::PROCEDURES;

const FEES: (&str, &str) = (
    "assets/reference/fees.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/fees.toml"
    )),
);
const ASSEGNO_SOCIALE: (&str, &str) = (
    "assets/reference/assegno_sociale.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/assegno_sociale.toml"
    )),
);

/// Who a fee is counted for (see the header of fees.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// One per application (Modulo 1): the applicant, if aged 14 or more.
    #[serde(rename = "applicant_over_14")]
    ApplicantOver14,
    /// Every permit card: the applicant and each child under 14 on the application.
    Card,
    /// The applicant, if aged 18 or more (a minor gets an exempt line only where an exempt row says so).
    AdultApplicant,
    /// Once per postal envelope.
    Envelope,
}

/// One dated amount: in force on `valid_from <= day < valid_to`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    /// Euro cents; 0 means "not due in this period" (e.g. the 2016–2017 annulment of the contribution).
    pub cents: i64,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source: String,
    pub source_date: Option<NaiveDate>,
    /// When the source was read (a day, a month or a year: see `ReadOn`).
    pub read_on: ReadOn,
    /// The brief marks the figure [CHECK] or [CONFLICT].
    pub verify: bool,
    pub note: Option<String>,
}

impl Amount {
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|end| day < end)
    }
}

/// A band of a fee whose amount depends on the permit's duration (the contribution) or on the payer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Band {
    pub id: String,
    /// Text key (under `checklist.`).
    pub label: String,
    pub amounts: Vec<Amount>,
}

/// A case in which a fee is not due. Every field given must match; the first matching row wins.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exempt {
    /// A motivo code (reference table `motivi`).
    pub motivo: Option<String>,
    /// `rilascio`, `rinnovo`, …
    pub request: Option<String>,
    /// `Some(true)`: the applicant is under 18 on the case's date.
    pub minor: Option<bool>,
    /// The motivo of the case's current permit is one of these (empty: any). Exemptions that depend
    /// on who the applicant already is (a protection holder asking for another permit).
    pub current_motivo: Vec<String>,
    /// `Some(true)`: the case's current permit is still valid on the day (its expiry date is not
    /// before it); an unknown expiry date does not match. The DM exempts the conversion of a valid permit.
    pub current_valid: Option<bool>,
    /// Text key printed next to the exempt line.
    pub reason: String,
    pub source: String,
    pub read_on: ReadOn,
    pub verify: bool,
    /// For the operator (why `verify`, both readings of a conflict); never printed.
    pub note: Option<String>,
    /// Line of the row in fees.toml (for cross-checks made by the catalogue).
    #[serde(skip)]
    pub line: usize,
}

/// What an exempt row is matched against.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExemptCase<'a> {
    /// Motivo and request in effect (the procedure's, else the case's).
    pub motivo: &'a str,
    pub request: &'a str,
    /// The applicant is under 18 on the day.
    pub minor: bool,
    /// The motivo of the case's current permit ("" if none).
    pub current_motivo: &'a str,
    /// The case's current permit is still valid on the day.
    pub current_valid: bool,
}

impl Exempt {
    /// Whether the row applies to the case.
    pub fn applies(&self, case: &ExemptCase) -> bool {
        self.motivo.as_deref().is_none_or(|m| m == case.motivo)
            && self.request.as_deref().is_none_or(|r| r == case.request)
            && self.minor.is_none_or(|m| m == case.minor)
            && (self.current_motivo.is_empty()
                || self.current_motivo.iter().any(|m| m == case.current_motivo))
            && self.current_valid.is_none_or(|v| v == case.current_valid)
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fee {
    pub id: String,
    /// Text key: what the fee is.
    pub label: String,
    /// Text key: how and where it is paid.
    pub how: String,
    pub per: Per,
    /// Fees with the same `slip` are paid together on one bollettino (the card and the contribution):
    /// the checklist prints the applicant's total for that slip.
    pub slip: Option<String>,
    /// Dated amounts of a fee without bands.
    pub amounts: Vec<Amount>,
    /// Bands, each with dated amounts (a fee has either amounts or bands).
    pub bands: Vec<Band>,
    pub exempt: Vec<Exempt>,
}

impl Fee {
    pub fn band(&self, id: &str) -> Option<&Band> {
        self.bands.iter().find(|b| b.id == id)
    }

    /// The first exempt row that applies, if any.
    pub fn exemption(&self, case: &ExemptCase) -> Option<&Exempt> {
        self.exempt.iter().find(|e| e.applies(case))
    }
}

/// The assegno sociale of one year (INPS).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssegnoYear {
    pub year: i32,
    pub monthly_cents: i64,
    /// 13 monthly payments.
    pub annual_cents: i64,
    /// INPS has not published the definitive figure yet.
    pub provisional: bool,
    pub source: String,
    pub source_date: Option<NaiveDate>,
    pub verify: bool,
    pub note: Option<String>,
}

/// How a household's threshold is made from the assegno sociale, in halves of it (brief §3.14).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdRule {
    /// The applicant alone (2 halves = 1×).
    pub base_halves: u32,
    /// Each family member (1 half = +½).
    pub member_halves: u32,
    /// From this many children under 14 on…
    pub many_children_under_14: u32,
    /// …they add exactly this many halves together, however many they are.
    pub many_children_under_14_halves: u32,
    pub source: String,
    pub note: Option<String>,
}

/// Who lives on the applicant's income, for the threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Household {
    /// Family members besides the applicant.
    pub members: u32,
    /// How many of `members` are children under 14.
    pub children_under_14: u32,
}

/// The income threshold of a household in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Threshold {
    /// The assegno-sociale year used (the latest one not after the year asked).
    pub year: i32,
    /// The applicant plus the family members counted.
    pub household_size: u32,
    pub children_under_14: u32,
    /// The factor in halves of the assegno sociale (3 = 1.5×).
    pub factor_halves: u32,
    /// The assegno sociale of `year`, per year.
    pub annual_cents: i64,
    /// `annual_cents × factor_halves / 2`, rounded half up to the cent.
    pub threshold_cents: i64,
    pub provisional: bool,
    pub verify: bool,
    pub source: String,
    /// The year row's note (why it is to verify), for the operator.
    pub note: Option<String>,
}

/// Both tables, loaded once at start-up.
#[derive(Debug, Clone)]
pub struct FeeTables {
    pub fees: Vec<Fee>,
    pub years: Vec<AssegnoYear>,
    pub rule: ThresholdRule,
    /// Text keys used by the fee rows, with their line in `fees_file` (checked by the catalogue
    /// against the locales).
    text_keys: Vec<(String, usize)>,
    fees_file: String,
}

impl FeeTables {
    /// Loads the bundled tables. An error names the file and line of the problem.
    pub fn bundled() -> Result<FeeTables> {
        FeeTables::from_sources(FEES, ASSEGNO_SOCIALE)
    }

    /// Loads the tables of a content pack (the built-in one or an installed one).
    pub fn from_content(content: &crate::reference::content::Content) -> Result<FeeTables> {
        FeeTables::from_sources(content.source(FEES.0)?, content.source(ASSEGNO_SOCIALE.0)?)
    }

    /// Loads tables from `(file name, text)` pairs; used by `bundled` and by tests of malformed files.
    pub fn from_sources(fees: (&str, &str), assegno: (&str, &str)) -> Result<FeeTables> {
        let raw: RawFees = parse_toml(fees)?;
        let mut ids = HashSet::new();
        let mut text_keys = Vec::new();
        let mut out = Vec::new();
        for f in raw.fee {
            let at =
                |span: std::ops::Range<usize>, message: String| data_error(fees, span, message);
            if !ids.insert(f.id.get_ref().clone()) {
                return Err(at(
                    f.id.span(),
                    format!("duplicate fee id {}", f.id.get_ref()),
                ));
            }
            for key in [&f.label, &f.how] {
                text_keys.push((key.get_ref().clone(), line_of(fees.1, key.span().start)));
            }
            if f.amount.is_empty() == f.band.is_empty() {
                return Err(at(
                    f.id.span(),
                    format!(
                        "fee {}: give either [[fee.amount]] or [[fee.band]] rows",
                        f.id.get_ref()
                    ),
                ));
            }
            let fee_amounts = amounts(fees, f.amount)?;
            let mut bands: Vec<Band> = Vec::new();
            for b in f.band {
                if bands.iter().any(|x| &x.id == b.id.get_ref()) {
                    return Err(at(
                        b.id.span(),
                        format!("duplicate band {}", b.id.get_ref()),
                    ));
                }
                if b.amount.is_empty() {
                    return Err(at(
                        b.id.span(),
                        format!("band {} has no amount", b.id.get_ref()),
                    ));
                }
                text_keys.push((
                    b.label.get_ref().clone(),
                    line_of(fees.1, b.label.span().start),
                ));
                bands.push(Band {
                    id: b.id.into_inner(),
                    label: b.label.into_inner(),
                    amounts: amounts(fees, b.amount)?,
                });
            }
            let mut exempt = Vec::new();
            for e in f.exempt {
                let line = line_of(fees.1, e.reason.span().start);
                if e.motivo.is_none()
                    && e.request.is_none()
                    && e.minor.is_none()
                    && e.current_motivo.is_empty()
                    && e.current_valid.is_none()
                {
                    return Err(at(
                        e.reason.span(),
                        "exempt row needs motivo, request, minor, current_motivo or current_valid"
                            .into(),
                    ));
                }
                if let Some(request) = &e.request {
                    if !PROCEDURES.contains(&request.get_ref().as_str()) {
                        return Err(at(
                            request.span(),
                            format!("unknown request {}", request.get_ref()),
                        ));
                    }
                }
                check_source(fees, &e.source)?;
                let read = read_on(fees, &e.read_on)?;
                text_keys.push((e.reason.get_ref().clone(), line));
                exempt.push(Exempt {
                    motivo: e.motivo.map(Spanned::into_inner),
                    request: e.request.map(Spanned::into_inner),
                    minor: e.minor,
                    current_motivo: e.current_motivo,
                    current_valid: e.current_valid,
                    reason: e.reason.into_inner(),
                    source: e.source.into_inner(),
                    read_on: read,
                    verify: e.verify,
                    note: e.note,
                    line,
                });
            }
            out.push(Fee {
                id: f.id.into_inner(),
                label: f.label.into_inner(),
                how: f.how.into_inner(),
                per: f.per,
                slip: f.slip,
                amounts: fee_amounts,
                bands,
                exempt,
            });
        }

        let raw: RawAssegno = parse_toml(assegno)?;
        let mut years: Vec<AssegnoYear> = Vec::new();
        for y in raw.year {
            let at = |message: String| data_error(assegno, y.year.span(), message);
            if years
                .last()
                .is_some_and(|prev| prev.year >= *y.year.get_ref())
            {
                return Err(at(format!(
                    "year {} is not after the previous row",
                    y.year.get_ref()
                )));
            }
            if y.annual_cents != 13 * y.monthly_cents {
                return Err(at(format!(
                    "year {}: annual_cents must be 13 × monthly_cents",
                    y.year.get_ref()
                )));
            }
            check_source(assegno, &y.source)?;
            years.push(AssegnoYear {
                year: y.year.into_inner(),
                monthly_cents: y.monthly_cents,
                annual_cents: y.annual_cents,
                provisional: y.provisional,
                source: y.source.into_inner(),
                source_date: y.source_date,
                verify: y.verify,
                note: y.note,
            });
        }
        if years.is_empty() {
            return Err(data_error(assegno, 0..0, "no [[year]] rows".into()));
        }
        check_source(assegno, &raw.rule.source)?;
        if raw.rule.base_halves == 0 {
            return Err(data_error(
                assegno,
                raw.rule.source.span(),
                "rule.base_halves must be positive".into(),
            ));
        }
        Ok(FeeTables {
            fees: out,
            years,
            rule: ThresholdRule {
                base_halves: raw.rule.base_halves,
                member_halves: raw.rule.member_halves,
                many_children_under_14: raw.rule.many_children_under_14,
                many_children_under_14_halves: raw.rule.many_children_under_14_halves,
                source: raw.rule.source.into_inner(),
                note: raw.rule.note,
            },
            text_keys,
            fees_file: fees.0.to_string(),
        })
    }

    pub fn fee(&self, id: &str) -> Option<&Fee> {
        self.fees.iter().find(|f| f.id == id)
    }

    /// The amount row of `fee` (and `band`, for a banded fee) in force on `day`; `None` if the fee or
    /// band is unknown, or no row covers the day (the fee did not exist then).
    pub fn amount_on(&self, fee: &str, band: Option<&str>, day: NaiveDate) -> Option<&Amount> {
        let fee = self.fee(fee)?;
        let rows = match band {
            Some(band) if !fee.bands.is_empty() => &fee.band(band)?.amounts,
            None if fee.bands.is_empty() => &fee.amounts,
            _ => return None,
        };
        rows.iter().find(|a| a.valid_on(day))
    }

    /// The assegno sociale of `year`, or of the latest year before it in the table (a new year whose
    /// row is not there yet uses the last known one; `AssegnoYear::year` says which).
    pub fn assegno_sociale(&self, year: i32) -> Option<&AssegnoYear> {
        self.years.iter().rev().find(|y| y.year <= year)
    }

    /// The factor of a household, in halves of the assegno sociale (see `ThresholdRule`).
    pub fn factor_halves(&self, household: Household) -> u32 {
        let rule = &self.rule;
        let children = household.children_under_14.min(household.members);
        let others = household.members - children;
        let children_halves =
            if rule.many_children_under_14 > 0 && children >= rule.many_children_under_14 {
                rule.many_children_under_14_halves
            } else {
                children * rule.member_halves
            };
        rule.base_halves + others * rule.member_halves + children_halves
    }

    /// The income threshold of `household` for `year` (see `assegno_sociale` for the year used);
    /// `None` before the first year of the table.
    pub fn threshold(&self, year: i32, household: Household) -> Option<Threshold> {
        let row = self.assegno_sociale(year)?;
        let factor_halves = self.factor_halves(household);
        // Half up to the cent: the brief's table rounds 7,002.97 × 1.5 = 10,504.455 to 10,504.46.
        let threshold_cents = (row.annual_cents * i64::from(factor_halves) + 1) / 2;
        Some(Threshold {
            year: row.year,
            household_size: 1 + household.members,
            children_under_14: household.children_under_14.min(household.members),
            factor_halves,
            annual_cents: row.annual_cents,
            threshold_cents,
            provisional: row.provisional,
            verify: row.verify,
            source: row.source.clone(),
            note: row.note.clone(),
        })
    }

    /// The text keys the fee rows use, with their lines, and the file they are in.
    pub(crate) fn text_keys(&self) -> (&str, &[(String, usize)]) {
        (&self.fees_file, &self.text_keys)
    }
}

// ----------------------------------------------------------------------------------- file shapes

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFees {
    #[allow(dead_code)]
    table: toml::Table,
    fee: Vec<RawFee>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFee {
    id: Spanned<String>,
    label: Spanned<String>,
    how: Spanned<String>,
    per: Per,
    #[serde(default)]
    slip: Option<String>,
    #[serde(default)]
    amount: Vec<RawAmount>,
    #[serde(default)]
    band: Vec<RawBand>,
    #[serde(default)]
    exempt: Vec<RawExempt>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    id: Spanned<String>,
    label: Spanned<String>,
    #[serde(default)]
    amount: Vec<RawAmount>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmount {
    cents: Spanned<i64>,
    valid_from: Spanned<NaiveDate>,
    #[serde(default)]
    valid_to: Option<NaiveDate>,
    source: Spanned<String>,
    #[serde(default)]
    source_date: Option<NaiveDate>,
    read_on: Spanned<String>,
    #[serde(default)]
    verify: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExempt {
    #[serde(default)]
    motivo: Option<Spanned<String>>,
    #[serde(default)]
    request: Option<Spanned<String>>,
    #[serde(default)]
    minor: Option<bool>,
    #[serde(default)]
    current_motivo: Vec<String>,
    #[serde(default)]
    current_valid: Option<bool>,
    reason: Spanned<String>,
    source: Spanned<String>,
    read_on: Spanned<String>,
    #[serde(default)]
    verify: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssegno {
    #[allow(dead_code)]
    table: toml::Table,
    rule: RawRule,
    year: Vec<RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    base_halves: u32,
    member_halves: u32,
    many_children_under_14: u32,
    many_children_under_14_halves: u32,
    source: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: Spanned<i32>,
    monthly_cents: i64,
    annual_cents: i64,
    #[serde(default)]
    provisional: bool,
    source: Spanned<String>,
    #[serde(default)]
    source_date: Option<NaiveDate>,
    #[serde(default)]
    verify: bool,
    #[serde(default)]
    note: Option<String>,
}

/// Dated rows of one fee or band: each row well formed, sorted and not overlapping, so that at most one
/// row is in force on any day.
fn amounts(file: (&str, &str), rows: Vec<RawAmount>) -> Result<Vec<Amount>> {
    let mut out: Vec<Amount> = Vec::new();
    for r in rows {
        let from = *r.valid_from.get_ref();
        let at = |message: String| data_error(file, r.valid_from.span(), message);
        if *r.cents.get_ref() < 0 {
            return Err(data_error(
                file,
                r.cents.span(),
                "cents must not be negative".into(),
            ));
        }
        if r.valid_to.is_some_and(|to| to <= from) {
            return Err(at("valid_to is not after valid_from".into()));
        }
        if let Some(prev) = out.last() {
            match prev.valid_to {
                None => return Err(at("the previous row has no valid_to: rows overlap".into())),
                Some(end) if end > from => return Err(at("rows overlap".into())),
                Some(_) => {}
            }
        }
        check_source(file, &r.source)?;
        let read = read_on(file, &r.read_on)?;
        out.push(Amount {
            cents: r.cents.into_inner(),
            valid_from: from,
            valid_to: r.valid_to,
            source: r.source.into_inner(),
            source_date: r.source_date,
            read_on: read,
            verify: r.verify,
            note: r.note,
        });
    }
    Ok(out)
}
