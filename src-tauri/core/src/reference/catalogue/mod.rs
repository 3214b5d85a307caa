//! The procedure catalogue: every procedure the desk prepares (kit renewals, Questura permits,
//! aggiornamento, duplicato, conversione, and the Comune/Prefettura/ASL paperwork) as data in
//! `assets/procedures/*.toml`, with their texts in `locales/checklist/{it,en}.yml`. It owns loading and
//! validating those files (every problem reported with file and line), and resolving one procedure for
//! one case on one day into a language-independent checklist: the document and note lines (text keys with
//! parameters), the fee lines with their amounts from `fees`, and the income threshold. It must not hold
//! any document, amount, code or text itself (those are data), translate (the caller renders the keys in
//! a locale), or read the clock (`today` is a parameter).

mod load;
mod report;
mod resolve;

pub(crate) use load::placeholders;
pub use load::{parse_locale, Strings};
pub use report::{CatalogueReport, ProcedureReport, ReportLine, RowCounts};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use toml::Spanned;

use crate::error::{Error, FieldError, Result};
use crate::model::CaseData;
use crate::reference::data::{
    check_source, data_error, line_of, parse_toml, read_on, OfficialHosts, ReadOn, SOURCES,
};
use crate::reference::fees::{FeeTables, Household, Per, Threshold};
use crate::reference::{Reference, PROCEDURES};

/// `(file name, text)` of a file in `assets/procedures/`, embedded at compile time.
macro_rules! procedure_file {
    ($name:literal) => {
        (
            concat!("assets/procedures/", $name),
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../assets/procedures/",
                $name
            )),
        )
    };
}

/// The procedure files, embedded in the binary. A test checks that this list matches the folder, so a
/// new file cannot be forgotten here.
pub const PROCEDURE_FILES: [(&str, &str); 17] = [
    procedure_file!("groups.toml"),
    procedure_file!("kit_lavoro.toml"),
    procedure_file!("kit_famiglia.toml"),
    procedure_file!("kit_studio_asilo.toml"),
    procedure_file!("kit_lungo_periodo.toml"),
    procedure_file!("questura.toml"),
    procedure_file!("aggiornamento_duplicato.toml"),
    procedure_file!("conversione.toml"),
    procedure_file!("comune.toml"),
    procedure_file!("prefettura.toml"),
    procedure_file!("altri_uffici.toml"),
    procedure_file!("famiglia_ue.toml"),
    procedure_file!("protezione.toml"),
    procedure_file!("minori.toml"),
    procedure_file!("studio.toml"),
    procedure_file!("altre_pratiche.toml"),
    procedure_file!("lavoro_primo_rilascio.toml"),
];

/// The checklist texts in the two reference languages; every key the files use must be in both.
pub const LOCALE_FILES: [(&str, &str); 2] = [
    (
        "locales/checklist/it.yml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../locales/checklist/it.yml"
        )),
    ),
    (
        "locales/checklist/en.yml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../locales/checklist/en.yml"
        )),
    ),
];

/// The prefix of every checklist text key in the locale files (`checklist.doc.modulo_1`).
pub const KEY_PREFIX: &str = "checklist.";

/// Where a procedure is filed.
pub const CHANNELS: [&str; 5] = ["kit", "questura", "prefettura", "comune", "other"];
const MODULI: [&str; 2] = ["1", "2"];
/// Text key printed before a line the app cannot decide for the operator ("only if working").
const QUALIFIER_IF_WORKING: &str = "when.if_working";

/// When a document or note line applies (`when = "…"` in the files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "variant")]
pub enum Condition {
    Always,
    /// `variant:<id>`: the operator picked this variant.
    Variant(String),
    /// `not_variant:<id>`: the operator did not pick this variant.
    NotVariant(String),
    /// Printed once for each child under 14 on the case's date, with `%{name}`.
    PerChildUnder14,
    /// There is at least one child under 14.
    IfChildrenUnder14,
    /// Printed once for each household member aged 14 or more, with `%{name}`.
    PerMember14Plus,
    /// The case has household members.
    IfHousehold,
    /// The applicant works (Modulo 2): the case does not say, so the line is printed with the
    /// qualifier "only if working".
    IfWorking,
    /// The request is a renewal.
    IfRenewal,
    /// The request is a first issue.
    IfFirstIssue,
    /// `current_motivo:<code>,<code>`: the case's current permit has one of these motivi (the sponsor
    /// of a reunification is a refugee, …).
    CurrentMotivo(Vec<String>),
    /// `not_current_motivo:<code>,<code>`: the case's current permit has none of these motivi (an empty
    /// motivo counts as none of them).
    NotCurrentMotivo(Vec<String>),
}

impl Condition {
    fn parse(s: &str) -> Option<Condition> {
        let variant = |id: &str| {
            (!id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .then(|| id.to_string())
        };
        let motivi = |list: &str| {
            let codes: Vec<String> = list.split(',').map(|c| c.trim().to_string()).collect();
            codes
                .iter()
                .all(|c| {
                    !c.is_empty()
                        && c.chars()
                            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '-')
                })
                .then_some(codes)
        };
        if let Some(list) = s.strip_prefix("current_motivo:") {
            return motivi(list).map(Condition::CurrentMotivo);
        }
        if let Some(list) = s.strip_prefix("not_current_motivo:") {
            return motivi(list).map(Condition::NotCurrentMotivo);
        }
        Some(match s {
            "always" => Condition::Always,
            "per_child_under_14" => Condition::PerChildUnder14,
            "if_children_under_14" => Condition::IfChildrenUnder14,
            "per_member_14_plus" => Condition::PerMember14Plus,
            "if_household" => Condition::IfHousehold,
            "if_working" => Condition::IfWorking,
            "if_renewal" => Condition::IfRenewal,
            "if_first_issue" => Condition::IfFirstIssue,
            _ => {
                if let Some(id) = s.strip_prefix("variant:") {
                    Condition::Variant(variant(id)?)
                } else if let Some(id) = s.strip_prefix("not_variant:") {
                    Condition::NotVariant(variant(id)?)
                } else {
                    return None;
                }
            }
        })
    }

    /// The motivo codes a `current_motivo` condition names (checked against the reference table).
    fn motivi(&self) -> &[String] {
        match self {
            Condition::CurrentMotivo(m) | Condition::NotCurrentMotivo(m) => m,
            _ => &[],
        }
    }

    fn variant(&self) -> Option<&str> {
        match self {
            Condition::Variant(v) | Condition::NotVariant(v) => Some(v),
            _ => None,
        }
    }

    /// Lines printed once per person carry `%{name}`; the others carry no placeholder.
    fn per_person(&self) -> bool {
        matches!(
            self,
            Condition::PerChildUnder14 | Condition::PerMember14Plus
        )
    }
}

/// Whether the procedure has an income requirement, and whose income.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Income {
    #[serde(rename = "none")]
    NoRequirement,
    /// The applicant's own income against the plain assegno sociale.
    Applicant,
    /// The household's: assegno sociale increased for family members (brief §3.14).
    Household,
}

/// One document or note line as written in the files.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// Text key (under `checklist.`).
    pub text: String,
    pub when: Condition,
    pub source: String,
    pub source_date: Option<NaiveDate>,
    /// When the source was read (a day, a month or a year: see `ReadOn`).
    pub read_on: ReadOn,
    /// The source is an official page (derived from its host: `assets/reference/sources.toml`).
    pub official: bool,
    pub verify: bool,
    /// For the operator and maintainers (why `verify`, both readings of a conflict); never printed on
    /// the applicant's paper, shown in the operator's preview.
    pub note: Option<String>,
}

/// Lines shared by several procedures (`include = [...]`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub documents: Vec<Row>,
    pub notes: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Procedure {
    pub id: String,
    /// Text key of the title.
    pub title: String,
    /// `rilascio`, `rinnovo`, …; `None` for paperwork that is not a permit request, or when the case's
    /// own request applies (e.g. a family permit of a minor, first issue or renewal).
    pub request: Option<String>,
    /// Motivo code (reference table `motivi`), if the procedure has one.
    pub motivo: Option<String>,
    /// One of `CHANNELS`.
    pub channel: String,
    /// `"1"`, `"2"`: the kit forms always filled (Modulo 2 may also come as an `if_working` line).
    pub moduli: Vec<String>,
    /// Sub-cases the operator picks; each has the text key `variant.<id>`.
    pub variants: Vec<String>,
    /// The operator must pick one of `variants`.
    pub variant_required: bool,
    pub income: Income,
    /// When the income requirement applies (e.g. not for a sponsor who is a refugee); `None` = always.
    pub income_when: Option<Condition>,
    /// Fee ids of `fees.toml`, in printing order.
    pub fees: Vec<String>,
    /// Default band of the procedure's banded fee (the contribution's permit duration).
    pub contribution_band: Option<String>,
    /// Groups whose lines come first, in this order.
    pub include: Vec<String>,
    pub source: String,
    pub source_date: Option<NaiveDate>,
    /// When this team last checked the procedure against the brief and the content review.
    pub checked_on: ReadOn,
    /// The procedure ends with a postal-kit envelope though it is not filed by kit (study → work: after
    /// the Sportello Unico's positive outcome the worker sends the kit), so per-envelope fees apply.
    pub envelope: bool,
    pub verify: bool,
    /// For maintainers (why `verify`); never printed.
    pub maintainer_note: Option<String>,
    pub documents: Vec<Row>,
    pub notes: Vec<Row>,
    /// The file the procedure is written in.
    pub file: String,
}

impl Procedure {
    /// Whether this procedure is the one a case asks for: its motivo, and its kind of request when the
    /// procedure names one.
    pub fn matches(&self, request: &crate::model::Request) -> bool {
        self.motivo.as_deref() == Some(request.motivo_code.as_str())
            && self
                .request
                .as_deref()
                .is_none_or(|q| q == request.procedure)
    }
}

/// What the operator chose: the procedure, its variant, and the permit duration asked for (a band id of
/// the contribution: `le_1y`, `le_2y`, `long_term`, `3y`; `None` = the procedure's default).
#[derive(Debug, Clone, Copy, Default)]
pub struct Selection<'a> {
    pub procedure: &'a str,
    pub variant: Option<&'a str>,
    pub duration: Option<&'a str>,
}

/// One printed line: a text key and its parameters, in the language the caller chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedLine {
    /// Text key (under `checklist.`).
    pub text: String,
    /// Placeholder values (`name` for per-person lines).
    pub params: BTreeMap<String, String>,
    /// Text key to print before the line when the app cannot decide whether it applies
    /// (`when.if_working`).
    pub qualifier: Option<String>,
    pub verify: bool,
    pub source: String,
    pub read_on: ReadOn,
    pub official: bool,
    /// For the operator (why `verify`, both readings); never printed.
    pub note: Option<String>,
}

/// One fee line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeeLine {
    pub fee: String,
    /// Text keys: what it is, how it is paid.
    pub label: String,
    pub how: String,
    /// The band used and its text key, for a banded fee.
    pub band: Option<String>,
    pub band_label: Option<String>,
    /// The amount in force on the day, euro cents.
    pub unit_cents: i64,
    pub count: u32,
    /// `unit_cents × count`, or 0 when exempt.
    pub subtotal_cents: i64,
    pub exempt: bool,
    /// Text key of the exemption's reason.
    pub exempt_reason: Option<String>,
    /// The amount or the exemption is marked [CHECK]/[CONFLICT].
    pub verify: bool,
    pub source: String,
    pub read_on: ReadOn,
    pub official: bool,
    /// For the operator (why `verify`, both readings); never printed.
    pub note: Option<String>,
    /// Paid on the same bollettino as the other lines with this slip.
    pub slip: Option<String>,
}

/// What the applicant pays on one bollettino that carries several fees (the card and the contribution).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Slip {
    pub id: String,
    /// The applicant's own bollettino: one of each fee on it that is due (children's cards are paid on
    /// their own bollettini).
    pub cents: i64,
}

/// A procedure resolved for one case on one day. Language-independent: texts are keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedChecklist {
    pub procedure: String,
    pub title: String,
    pub variant: Option<String>,
    /// The request and motivo in effect (the procedure's, else the case's).
    pub request: Option<String>,
    pub motivo: Option<String>,
    /// The motivo code is in force on the day (reference table dates).
    pub motivo_in_force: bool,
    pub channel: String,
    pub moduli: Vec<String>,
    /// Included groups' lines first, then the procedure's.
    pub documents: Vec<ResolvedLine>,
    pub notes: Vec<ResolvedLine>,
    pub fees: Vec<FeeLine>,
    pub slips: Vec<Slip>,
    pub total_cents: i64,
    /// Present when the procedure has an income requirement and the table covers the year.
    pub threshold: Option<Threshold>,
    /// The threshold's source is an official page.
    pub threshold_official: bool,
    pub verify: bool,
    pub source: String,
    pub checked_on: ReadOn,
    /// Why the procedure itself is flagged (e.g. both routes of a conflict), for the operator.
    pub maintainer_note: Option<String>,
}

/// Every procedure and group, validated.
#[derive(Debug, Clone)]
pub struct Catalogue {
    procedures: Vec<Procedure>,
    groups: HashMap<String, Group>,
    index: HashMap<String, usize>,
    /// Which source hosts are official (for the fee lines' strength).
    hosts: OfficialHosts,
}

impl Catalogue {
    /// The bundled catalogue, checked against the bundled reference tables, fee tables and locales.
    pub fn bundled() -> Result<Catalogue> {
        Catalogue::from_sources(&PROCEDURE_FILES)
    }

    /// The bundled procedure files and locales, checked against tables the caller already loaded (the
    /// app loads each table once at start-up).
    pub fn bundled_with(reference: &Reference, fees: &FeeTables) -> Result<Catalogue> {
        Catalogue::load(&PROCEDURE_FILES, LOCALE_FILES, reference, fees)
    }

    /// Procedure files given as `(file name, text)`, checked against the bundled tables and locales;
    /// used by tests of malformed files.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Catalogue> {
        Catalogue::load(
            sources,
            LOCALE_FILES,
            &Reference::bundled()?,
            &FeeTables::bundled()?,
        )
    }

    /// The procedure files and checklist texts of a content pack, checked against tables the caller
    /// loaded from the same pack. The files of `PROCEDURE_FILES` come in that order, any other procedure
    /// file of the pack after them by name.
    pub fn from_content(
        content: &crate::reference::content::Content,
        reference: &Reference,
        fees: &FeeTables,
    ) -> Result<Catalogue> {
        let rank = |name: &str| {
            PROCEDURE_FILES
                .iter()
                .position(|(known, _)| *known == name)
                .unwrap_or(PROCEDURE_FILES.len())
        };
        let mut sources: Vec<(&str, &str)> = content.area("assets/procedures").collect();
        sources.sort_by_key(|(name, _)| (rank(name), *name));
        let locales = LOCALE_FILES.map(|(name, _)| content.source(name));
        let [it, en] = locales;
        let hosts = OfficialHosts::from_source(content.source(SOURCES.0)?)?;
        Catalogue::load_with_hosts(&sources, [it?, en?], reference, fees, hosts)
    }

    /// All procedures, in file order.
    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures
    }

    pub fn procedure(&self, id: &str) -> Option<&Procedure> {
        self.index.get(id).map(|&i| &self.procedures[i])
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    /// Whether a source URL is an official page.
    pub fn is_official(&self, url: &str) -> bool {
        self.hosts.is_official(url)
    }
}
