//! The agenda's facts (`assets/reference/agenda.toml`): the renewal lead-time readings (both sides of the
//! brief's [CONFLICT] kept), the legal terms after expiry and for the dimora declaration, the desk's
//! default wait for a Questura appointment, the follow-up interval of each to-call bucket, how far back
//! the agenda looks, and what to bring to the appointment; each with its source, `read_on` and
//! `valid_from`. It owns loading and checking them (every problem with file and line). It must not hold
//! a day count itself, nor decide which case falls in which bucket (that is `register::agenda`).

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::Result;
use crate::reference::content::Content;
use crate::reference::data::{check_source, data_error, parse_toml, read_on, ReadOn};

/// The provenance fields every row carries (no serde `flatten`: it would lose the spans).
macro_rules! provenance_of {
    ($row:expr) => {
        RawProvenance {
            source: &$row.source,
            read_on: &$row.read_on,
            valid_from: &$row.valid_from,
            verify: $row.verify,
            note: &$row.note,
        }
    };
}

/// The file's name in a content.
pub const FILE: &str = "assets/reference/agenda.toml";

/// The to-call buckets, each with its follow-up interval (a row of `[[follow_up]]` each).
pub const TO_CALL: [&str; 5] = [
    "expiring",
    "expired_urgent",
    "expired_legal",
    "kit_no_appointment",
    "dimora_due",
];

/// Where a fact comes from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    pub source: String,
    pub read_on: ReadOn,
    /// Since when the rule holds, as precisely as known.
    pub valid_from: ReadOn,
    pub verify: bool,
    pub note: Option<String>,
}

/// One reading of how long before expiry a renewal is asked.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reading {
    pub id: String,
    pub days: u32,
    pub applies_to: String,
    pub basis: String,
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A number of days a responsabile may set, with its default and bounds.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bounded {
    pub default_days: u32,
    pub min_days: u32,
    pub max_days: u32,
}

/// The checked agenda facts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaFacts {
    pub lead_time: Bounded,
    /// Every reading, the current one first as the file gives them.
    pub readings: Vec<Reading>,
    /// Days after expiry still in time (TUI art. 13 c.2 lett. b).
    pub after_expiry_days: u32,
    /// The article the term comes from, as printed (`D.Lgs. 286/1998, art. 13 c. 2 lett. b`).
    pub after_expiry_law: String,
    pub after_expiry: Provenance,
    /// Days after a renewed permit's collection to renew the dimora declaration (DPR 223/1989 art. 7 c.3).
    pub dimora_days: u32,
    /// The procedures whose collection starts the dimora term.
    pub dimora_procedures: Vec<String>,
    /// The article, as printed under the receipt's dimora line (`DPR 223/1989, art. 7 c. 3`).
    pub dimora_law: String,
    pub dimora: Provenance,
    pub kit_wait: Bounded,
    pub kit_wait_source: Provenance,
    pub lookback_days: u32,
    /// `(bucket, days)` for every bucket of `TO_CALL`.
    pub follow_up: Vec<(String, u32)>,
    /// UI text keys (under `agenda.bring.`) of what to bring to the Questura appointment.
    pub bring: Vec<String>,
}

impl AgendaFacts {
    /// The follow-up interval of a to-call bucket (0 for any other: nothing hides it).
    pub fn follow_up_days(&self, bucket: &str) -> u32 {
        self.follow_up
            .iter()
            .find(|(b, _)| b == bucket)
            .map_or(0, |(_, d)| *d)
    }

    pub fn from_content(content: &Content) -> Result<AgendaFacts> {
        AgendaFacts::parse(content.source(FILE)?)
    }

    /// Loads and checks `(file name, text)`.
    pub fn parse(file: (&str, &str)) -> Result<AgendaFacts> {
        let raw: RawFile = parse_toml(file)?;
        let _ = &raw.table;
        let prov = |p: &RawProvenance<'_>| -> Result<Provenance> {
            check_source(file, p.source)?;
            Ok(Provenance {
                source: p.source.get_ref().clone(),
                read_on: read_on(file, p.read_on)?,
                valid_from: dated(file, p.valid_from)?,
                verify: p.verify,
                note: p.note.clone(),
            })
        };
        let lead = &raw.lead_time;
        let lead_time = bounded(file, &lead.default_days, lead.min_days, lead.max_days)?;
        let mut readings = Vec::new();
        for r in &lead.reading {
            if readings.iter().any(|x: &Reading| x.id == *r.id.get_ref()) {
                return Err(data_error(
                    file,
                    r.id.span(),
                    format!("reading {} twice", r.id.get_ref()),
                ));
            }
            readings.push(Reading {
                id: r.id.get_ref().clone(),
                days: positive(file, &r.days)?,
                applies_to: r.applies_to.clone(),
                basis: r.basis.clone(),
                provenance: prov(&provenance_of!(r))?,
            });
        }
        if !readings.iter().any(|r| r.days == lead_time.default_days) {
            return Err(data_error(
                file,
                lead.default_days.span(),
                "default_days must be the days of one of the readings".into(),
            ));
        }
        let limit = |id: &str| -> Result<&RawLimit> {
            let mut found = raw.limit.iter().filter(|l| l.id.get_ref() == id);
            match (found.next(), found.next()) {
                (Some(l), None) => Ok(l),
                (_, Some(l)) => Err(data_error(file, l.id.span(), format!("limit {id} twice"))),
                (None, _) => Err(data_error(file, 0..0, format!("limit {id} is missing"))),
            }
        };
        if let Some(l) = raw
            .limit
            .iter()
            .find(|l| !["after_expiry", "dimora"].contains(&l.id.get_ref().as_str()))
        {
            return Err(data_error(
                file,
                l.id.span(),
                format!("unknown limit {}", l.id.get_ref()),
            ));
        }
        let after = limit("after_expiry")?;
        let dimora = limit("dimora")?;
        if dimora.procedures.is_empty() {
            return Err(data_error(
                file,
                dimora.id.span(),
                "dimora needs procedures".into(),
            ));
        }
        let kit = &raw.kit_wait;
        let kit_wait = bounded(file, &kit.default_days, kit.min_days, kit.max_days)?;
        let mut follow_up = Vec::new();
        for f in &raw.follow_up {
            let bucket = f.bucket.get_ref();
            if !TO_CALL.contains(&bucket.as_str()) || follow_up.iter().any(|(b, _)| b == bucket) {
                return Err(data_error(
                    file,
                    f.bucket.span(),
                    format!("follow_up bucket {bucket} unknown or twice"),
                ));
            }
            prov(&provenance_of!(f))?;
            follow_up.push((bucket.clone(), positive(file, &f.days)?));
        }
        if let Some(missing) = TO_CALL
            .iter()
            .find(|b| !follow_up.iter().any(|(x, _)| x == *b))
        {
            return Err(data_error(
                file,
                0..0,
                format!("follow_up for {missing} is missing"),
            ));
        }
        let mut bring = Vec::new();
        for b in &raw.bring {
            prov(&provenance_of!(b))?;
            bring.push(b.item.clone());
        }
        prov(&provenance_of!(raw.window))?;
        Ok(AgendaFacts {
            lead_time,
            readings,
            after_expiry_days: positive(file, &after.days)?,
            after_expiry_law: after.law.clone(),
            after_expiry: prov(&provenance_of!(after))?,
            dimora_days: positive(file, &dimora.days)?,
            dimora_procedures: dimora.procedures.clone(),
            dimora_law: dimora.law.clone(),
            dimora: prov(&provenance_of!(dimora))?,
            kit_wait,
            kit_wait_source: prov(&provenance_of!(kit))?,
            lookback_days: positive(file, &raw.window.lookback_days)?,
            follow_up,
            bring,
        })
    }
}

fn positive(file: (&str, &str), days: &Spanned<u32>) -> Result<u32> {
    if *days.get_ref() == 0 {
        return Err(data_error(
            file,
            days.span(),
            "days must be at least 1".into(),
        ));
    }
    Ok(*days.get_ref())
}

fn bounded(file: (&str, &str), default: &Spanned<u32>, min: u32, max: u32) -> Result<Bounded> {
    let d = *default.get_ref();
    if min == 0 || !(min..=max).contains(&d) {
        return Err(data_error(
            file,
            default.span(),
            format!("default_days {d} must be within min_days {min} ..= max_days {max} (min at least 1)"),
        ));
    }
    Ok(Bounded {
        default_days: d,
        min_days: min,
        max_days: max,
    })
}

/// `valid_from`: a year, a month or a day, as precisely as known.
fn dated(file: (&str, &str), raw: &Spanned<String>) -> Result<ReadOn> {
    ReadOn::parse(raw.get_ref()).ok_or_else(|| {
        data_error(
            file,
            raw.span(),
            format!(
                "valid_from must be YYYY, YYYY-MM or YYYY-MM-DD: {}",
                raw.get_ref()
            ),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    table: toml::Table,
    lead_time: RawLead,
    limit: Vec<RawLimit>,
    kit_wait: RawKit,
    window: RawWindow,
    follow_up: Vec<RawFollowUp>,
    bring: Vec<RawBring>,
}

struct RawProvenance<'a> {
    source: &'a Spanned<String>,
    read_on: &'a Spanned<String>,
    valid_from: &'a Spanned<String>,
    verify: bool,
    note: &'a Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLead {
    default_days: Spanned<u32>,
    min_days: u32,
    max_days: u32,
    reading: Vec<RawReading>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReading {
    id: Spanned<String>,
    days: Spanned<u32>,
    applies_to: String,
    basis: String,
    source: Spanned<String>,
    read_on: Spanned<String>,
    valid_from: Spanned<String>,
    verify: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    id: Spanned<String>,
    days: Spanned<u32>,
    #[serde(default)]
    procedures: Vec<String>,
    #[allow(dead_code)]
    basis: String,
    /// The article, as printed under the line that counts from it.
    law: String,
    source: Spanned<String>,
    read_on: Spanned<String>,
    valid_from: Spanned<String>,
    verify: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKit {
    default_days: Spanned<u32>,
    min_days: u32,
    max_days: u32,
    #[allow(dead_code)]
    basis: String,
    source: Spanned<String>,
    read_on: Spanned<String>,
    valid_from: Spanned<String>,
    verify: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    lookback_days: Spanned<u32>,
    source: Spanned<String>,
    read_on: Spanned<String>,
    valid_from: Spanned<String>,
    verify: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFollowUp {
    bucket: Spanned<String>,
    days: Spanned<u32>,
    source: Spanned<String>,
    read_on: Spanned<String>,
    valid_from: Spanned<String>,
    verify: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBring {
    item: String,
    source: Spanned<String>,
    read_on: Spanned<String>,
    valid_from: Spanned<String>,
    verify: bool,
    note: Option<String>,
}
