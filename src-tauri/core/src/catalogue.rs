//! The procedure catalogue: every procedure the desk prepares (kit renewals, Questura permits,
//! aggiornamento, duplicato, conversione, and the Comune/Prefettura/ASL paperwork) as data in
//! `assets/procedures/*.toml`, with their texts in `locales/checklist/{it,en}.yml`. It owns loading and
//! validating those files (every problem reported with file and line), and resolving one procedure for
//! one case on one day into a language-independent checklist: the document and note lines (text keys with
//! parameters), the fee lines with their amounts from `fees`, and the income threshold. It must not hold
//! any document, amount, code or text itself (those are data), translate (the caller renders the keys in
//! a locale), or read the clock (`today` is a parameter).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use toml::Spanned;

use crate::error::{Error, FieldError, Result};
use crate::fees::{
    check_source, data_error, line_of, parse_toml, FeeTables, Household, Per, Threshold,
};
use crate::model::CaseData;
use crate::reference::{Reference, PROCEDURES};

/// `(file name, text)` of a file in `assets/procedures/`, embedded at compile time.
macro_rules! procedure_file {
    ($name:literal) => {
        (
            concat!("assets/procedures/", $name),
            include_str!(concat!("../../../assets/procedures/", $name)),
        )
    };
}

/// The procedure files, embedded in the binary. A test checks that this list matches the folder, so a
/// new file cannot be forgotten here.
pub const PROCEDURE_FILES: [(&str, &str); 11] = [
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
];

/// The checklist texts in the two reference languages; every key the files use must be in both.
pub const LOCALE_FILES: [(&str, &str); 2] = [
    (
        "locales/checklist/it.yml",
        include_str!("../../../locales/checklist/it.yml"),
    ),
    (
        "locales/checklist/en.yml",
        include_str!("../../../locales/checklist/en.yml"),
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
    pub verify: bool,
    /// For maintainers; never printed.
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
    /// Fee ids of `fees.toml`, in printing order.
    pub fees: Vec<String>,
    /// Default band of the procedure's banded fee (the contribution's permit duration).
    pub contribution_band: Option<String>,
    /// Groups whose lines come first, in this order.
    pub include: Vec<String>,
    pub source: String,
    pub source_date: Option<NaiveDate>,
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
    pub total_cents: i64,
    /// Present when the procedure has an income requirement and the table covers the year.
    pub threshold: Option<Threshold>,
    pub verify: bool,
    pub source: String,
}

/// Every procedure and group, validated.
#[derive(Debug, Clone)]
pub struct Catalogue {
    procedures: Vec<Procedure>,
    groups: HashMap<String, Group>,
    index: HashMap<String, usize>,
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

    /// Loads and validates procedure files against the given locales (`[it, en]`), reference tables
    /// and fee tables. The first problem found is returned with its file and line.
    pub fn load(
        sources: &[(&str, &str)],
        locales: [(&str, &str); 2],
        reference: &Reference,
        fees: &FeeTables,
    ) -> Result<Catalogue> {
        let texts = Texts::load(locales)?;
        texts.require(locales[0].0, QUALIFIER_IF_WORKING, 0, false)?;
        check_fee_tables(fees, reference, &texts)?;

        let mut parsed = Vec::new();
        for &source in sources {
            parsed.push((source, parse_toml::<RawFile>(source)?));
        }

        // Groups first: procedures in any file may include them.
        let mut groups: HashMap<String, (Group, GroupVariants)> = HashMap::new();
        for (source, file) in &mut parsed {
            for g in std::mem::take(&mut file.group) {
                let id = g.id.get_ref().clone();
                check_id(*source, &g.id)?;
                if groups.contains_key(&id) {
                    return Err(data_error(
                        *source,
                        g.id.span(),
                        format!("duplicate group id {id}"),
                    ));
                }
                if g.document.is_empty() && g.note.is_empty() {
                    return Err(data_error(
                        *source,
                        g.id.span(),
                        format!("group {id} has no lines"),
                    ));
                }
                let mut uses = Vec::new();
                let documents = rows(*source, g.document, &texts, &mut uses)?;
                let notes = rows(*source, g.note, &texts, &mut uses)?;
                let variants = GroupVariants {
                    file: source.0.to_string(),
                    uses,
                };
                groups.insert(
                    id.clone(),
                    (
                        Group {
                            id,
                            documents,
                            notes,
                        },
                        variants,
                    ),
                );
            }
        }

        let mut procedures: Vec<Procedure> = Vec::new();
        let mut index = HashMap::new();
        for (source, file) in parsed {
            for p in file.procedure {
                if index.contains_key(p.id.get_ref()) {
                    let message = format!("duplicate procedure id {}", p.id.get_ref());
                    return Err(data_error(source, p.id.span(), message));
                }
                let procedure = procedure(source, p, &texts, reference, fees, &groups)?;
                index.insert(procedure.id.clone(), procedures.len());
                procedures.push(procedure);
            }
        }
        Ok(Catalogue {
            procedures,
            groups: groups.into_iter().map(|(id, (g, _))| (id, g)).collect(),
            index,
        })
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

    /// Resolves `selection` for `case` on `today`: the lines that apply (per-person lines repeated with
    /// the person's name), the fee lines with the amounts in force on `today`, and the income threshold.
    ///
    /// Errors: `NotFound("procedure")`; `Invalid` on `variant` (`required`, `unknown_code`) or
    /// `duration` (`unknown_code`).
    pub fn checklist(
        &self,
        selection: &Selection,
        case: &CaseData,
        reference: &Reference,
        fees: &FeeTables,
        today: NaiveDate,
    ) -> Result<ResolvedChecklist> {
        let procedure = self
            .procedure(selection.procedure)
            .ok_or(Error::NotFound("procedure"))?;
        let variant = match selection.variant.filter(|v| !v.is_empty()) {
            Some(v) if !procedure.variants.iter().any(|x| x == v) => {
                return Err(Error::Invalid(vec![FieldError::new(
                    "variant",
                    "unknown_code",
                )]))
            }
            None if procedure.variant_required => {
                return Err(Error::Invalid(vec![FieldError::new("variant", "required")]))
            }
            v => v,
        };
        let people = People::of(case, today);
        // A permit procedure without its own request or motivo (e.g. the family permit of a minor, first
        // issue or renewal) takes the case's; other paperwork never does.
        let permit = matches!(procedure.channel.as_str(), "kit" | "questura");
        let from_case = |own: &Option<String>, case_value: &str| {
            own.clone()
                .or_else(|| Some(case_value.to_string()).filter(|v| permit && !v.is_empty()))
        };
        let request = from_case(&procedure.request, &case.request.procedure);
        let motivo = from_case(&procedure.motivo, &case.request.motivo_code);
        let situation = Situation {
            variant,
            request: request.as_deref(),
            people: &people,
        };

        let mut documents = Vec::new();
        let mut notes = Vec::new();
        for id in &procedure.include {
            let group = &self.groups[id];
            resolve(&group.documents, &situation, &mut documents);
        }
        resolve(&procedure.documents, &situation, &mut documents);
        for id in &procedure.include {
            resolve(&self.groups[id].notes, &situation, &mut notes);
        }
        resolve(&procedure.notes, &situation, &mut notes);

        let mut fee_lines = Vec::new();
        for id in &procedure.fees {
            let fee = fees.fee(id).expect("fee ids are checked at load");
            let band = if fee.bands.is_empty() {
                None
            } else {
                let band = selection
                    .duration
                    .filter(|d| !d.is_empty())
                    .or(procedure.contribution_band.as_deref())
                    .expect("a banded fee has a default band (checked at load)");
                if fee.band(band).is_none() {
                    return Err(Error::Invalid(vec![FieldError::new(
                        "duration",
                        "unknown_code",
                    )]));
                }
                Some(band)
            };
            // No row on the day: the fee did not exist then; a 0 row: it was not due (annulment).
            let Some(amount) = fees.amount_on(id, band, today).filter(|a| a.cents > 0) else {
                continue;
            };
            let exemption = fee.exemption(
                motivo.as_deref().unwrap_or(""),
                request.as_deref().unwrap_or(""),
                people.applicant_minor(),
            );
            let count = match fee.per {
                Per::ApplicantOver14 => u32::from(people.applicant_age.is_none_or(|a| a >= 14)),
                Per::Card => 1 + people.children_under_14().count() as u32,
                Per::AdultApplicant => u32::from(!people.applicant_minor()),
                Per::Envelope => 1,
            };
            let count = if exemption.is_some() {
                count.max(1)
            } else {
                count
            };
            if count == 0 {
                continue;
            }
            let subtotal = if exemption.is_some() {
                0
            } else {
                amount.cents * i64::from(count)
            };
            fee_lines.push(FeeLine {
                fee: fee.id.clone(),
                label: fee.label.clone(),
                how: fee.how.clone(),
                band: band.map(str::to_string),
                band_label: band.and_then(|b| fee.band(b)).map(|b| b.label.clone()),
                unit_cents: amount.cents,
                count,
                subtotal_cents: subtotal,
                exempt: exemption.is_some(),
                exempt_reason: exemption.map(|e| e.reason.clone()),
                verify: amount.verify || exemption.is_some_and(|e| e.verify),
                source: exemption.map_or(&amount.source, |e| &e.source).clone(),
            });
        }
        let total_cents = fee_lines.iter().map(|l| l.subtotal_cents).sum();

        let threshold = match procedure.income {
            Income::NoRequirement => None,
            Income::Applicant => fees.threshold(today.year(), Household::default()),
            Income::Household => fees.threshold(
                today.year(),
                Household {
                    members: people.members.len() as u32,
                    children_under_14: people.children_under_14().count() as u32,
                },
            ),
        };

        Ok(ResolvedChecklist {
            procedure: procedure.id.clone(),
            title: procedure.title.clone(),
            variant: variant.map(str::to_string),
            motivo_in_force: motivo
                .as_deref()
                .and_then(|m| reference.motivo(m))
                .is_some_and(|m| m.valid_on(today)),
            request,
            motivo,
            channel: procedure.channel.clone(),
            moduli: procedure.moduli.clone(),
            documents,
            notes,
            fees: fee_lines,
            total_cents,
            threshold,
            verify: procedure.verify,
            source: procedure.source.clone(),
        })
    }
}

// --------------------------------------------------------------------------------- resolution

/// A household member as the rules see them on the case's date.
struct Member {
    name: String,
    age: u32,
    child: bool,
}

/// The people of a case on one day. Members not yet born on that day are left out; a birth date that
/// does not parse (the case validation refuses those) counts as an adult of unknown age.
struct People {
    /// `None` if the birth date does not parse.
    applicant_age: Option<u32>,
    members: Vec<Member>,
}

impl People {
    fn of(case: &CaseData, today: NaiveDate) -> People {
        let age = |birth: &str| -> Result<u32, bool> {
            match NaiveDate::parse_from_str(birth.trim(), "%Y-%m-%d") {
                Ok(date) => today.years_since(date).ok_or(false),
                Err(_) => Err(true),
            }
        };
        let members = case
            .household
            .iter()
            .filter_map(|m| {
                let age = match age(&m.birth_date) {
                    Ok(a) => a,
                    Err(true) => u32::MAX,
                    Err(false) => return None,
                };
                let name = format!("{} {}", m.given_names.trim(), m.surname.trim())
                    .trim()
                    .to_string();
                Some(Member {
                    name,
                    age,
                    child: m.relation == "child",
                })
            })
            .collect();
        People {
            applicant_age: age(&case.applicant.birth_date).ok(),
            members,
        }
    }

    fn applicant_minor(&self) -> bool {
        self.applicant_age.is_some_and(|a| a < 18)
    }

    fn children_under_14(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.child && m.age < 14)
    }

    fn members_14_plus(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.age >= 14)
    }
}

struct Situation<'a> {
    variant: Option<&'a str>,
    request: Option<&'a str>,
    people: &'a People,
}

fn resolve(rows: &[Row], s: &Situation, out: &mut Vec<ResolvedLine>) {
    for row in rows {
        let line = |params: BTreeMap<String, String>, qualifier: Option<&str>| ResolvedLine {
            text: row.text.clone(),
            params,
            qualifier: qualifier.map(str::to_string),
            verify: row.verify,
            source: row.source.clone(),
        };
        let named = |m: &Member| BTreeMap::from([("name".to_string(), m.name.clone())]);
        match &row.when {
            Condition::Always => out.push(line(BTreeMap::new(), None)),
            Condition::Variant(v) if s.variant == Some(v.as_str()) => {
                out.push(line(BTreeMap::new(), None))
            }
            Condition::NotVariant(v) if s.variant != Some(v.as_str()) => {
                out.push(line(BTreeMap::new(), None))
            }
            Condition::PerChildUnder14 => {
                out.extend(s.people.children_under_14().map(|m| line(named(m), None)))
            }
            Condition::PerMember14Plus => {
                out.extend(s.people.members_14_plus().map(|m| line(named(m), None)))
            }
            Condition::IfChildrenUnder14 if s.people.children_under_14().next().is_some() => {
                out.push(line(BTreeMap::new(), None))
            }
            Condition::IfHousehold if !s.people.members.is_empty() => {
                out.push(line(BTreeMap::new(), None))
            }
            Condition::IfWorking => out.push(line(BTreeMap::new(), Some(QUALIFIER_IF_WORKING))),
            Condition::IfRenewal if s.request == Some("rinnovo") => {
                out.push(line(BTreeMap::new(), None))
            }
            Condition::IfFirstIssue if s.request == Some("rilascio") => {
                out.push(line(BTreeMap::new(), None))
            }
            _ => {}
        }
    }
}

// --------------------------------------------------------------------------------- validation

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    group: Vec<RawGroup>,
    #[serde(default)]
    procedure: Vec<RawProcedure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Spanned<String>,
    #[serde(default)]
    document: Vec<RawRow>,
    #[serde(default)]
    note: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    id: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    request: Option<Spanned<String>>,
    #[serde(default)]
    motivo: Option<Spanned<String>>,
    channel: Spanned<String>,
    moduli: Vec<Spanned<String>>,
    #[serde(default)]
    variants: Vec<Spanned<String>>,
    #[serde(default)]
    variant_required: Option<Spanned<bool>>,
    income: Income,
    fees: Vec<Spanned<String>>,
    #[serde(default)]
    contribution_band: Option<Spanned<String>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    source: Spanned<String>,
    #[serde(default)]
    source_date: Option<NaiveDate>,
    #[serde(default)]
    verify: bool,
    /// For maintainers, never printed (`note` is the array of printed note rows).
    #[serde(default)]
    maintainer_note: Option<String>,
    #[serde(default)]
    document: Vec<RawRow>,
    #[serde(default)]
    note: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    text: Spanned<String>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    source: Spanned<String>,
    #[serde(default)]
    source_date: Option<NaiveDate>,
    #[serde(default)]
    verify: bool,
    #[serde(default)]
    note: Option<String>,
}

/// The variant conditions used by a group's lines: every procedure including the group must offer them.
struct GroupVariants {
    file: String,
    /// (variant id, line)
    uses: Vec<(String, usize)>,
}

type Source<'a> = (&'a str, &'a str);

/// Ids are snake_case ASCII: they are stable keys stored with cases and used in text keys.
fn check_id(source: Source, id: &Spanned<String>) -> Result<()> {
    let s = id.get_ref();
    let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(data_error(
            source,
            id.span(),
            format!("id must be snake_case: {s}"),
        ))
    }
}

/// Checks and converts document or note rows; records the variants their conditions name.
fn rows(
    source: Source,
    raw: Vec<RawRow>,
    texts: &Texts,
    variant_uses: &mut Vec<(String, usize)>,
) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for r in raw {
        let when = match &r.when {
            None => Condition::Always,
            Some(w) => Condition::parse(w.get_ref()).ok_or_else(|| {
                data_error(
                    source,
                    w.span(),
                    format!("unknown condition {}", w.get_ref()),
                )
            })?,
        };
        if let Some(v) = when.variant() {
            let at = r.when.as_ref().map_or(r.text.span(), |w| w.span());
            variant_uses.push((v.to_string(), line_of(source.1, at.start)));
        }
        let line = line_of(source.1, r.text.span().start);
        texts.require(source.0, r.text.get_ref(), line, when.per_person())?;
        check_source(source, &r.source)?;
        out.push(Row {
            text: r.text.into_inner(),
            when,
            source: r.source.into_inner(),
            source_date: r.source_date,
            verify: r.verify,
            note: r.note,
        });
    }
    Ok(out)
}

fn procedure(
    source: Source,
    p: RawProcedure,
    texts: &Texts,
    reference: &Reference,
    fees: &FeeTables,
    groups: &HashMap<String, (Group, GroupVariants)>,
) -> Result<Procedure> {
    let id = p.id.get_ref().clone();
    let at = |span: std::ops::Range<usize>, message: String| data_error(source, span, message);
    let line = |span: std::ops::Range<usize>| line_of(source.1, span.start);
    check_id(source, &p.id)?;
    texts.require(source.0, p.title.get_ref(), line(p.title.span()), false)?;

    let channel = p.channel.get_ref().as_str();
    if !CHANNELS.contains(&channel) {
        return Err(at(p.channel.span(), format!("unknown channel {channel}")));
    }
    if let Some(request) = &p.request {
        if !PROCEDURES.contains(&request.get_ref().as_str()) {
            return Err(at(
                request.span(),
                format!("unknown request {}", request.get_ref()),
            ));
        }
    }
    if let Some(motivo) = &p.motivo {
        let code = motivo.get_ref();
        let Some(m) = reference.motivo(code) else {
            return Err(at(motivo.span(), format!("unknown motivo {code}")));
        };
        if matches!(channel, "kit" | "questura") && m.channel != channel {
            return Err(at(
                motivo.span(),
                format!("motivo {code} is filed by {}, not {channel}", m.channel),
            ));
        }
        if let Some(request) = &p.request {
            if !m.allows(request.get_ref()) {
                return Err(at(
                    request.span(),
                    format!("motivo {code} does not allow {}", request.get_ref()),
                ));
            }
        }
    }

    let mut moduli = Vec::new();
    for m in &p.moduli {
        if !MODULI.contains(&m.get_ref().as_str()) || moduli.contains(m.get_ref()) {
            return Err(at(
                m.span(),
                format!("modulo must be \"1\" or \"2\", once: {}", m.get_ref()),
            ));
        }
        moduli.push(m.get_ref().clone());
    }
    if channel == "kit" && !moduli.iter().any(|m| m == "1") {
        return Err(at(p.channel.span(), "a kit procedure has Modulo 1".into()));
    }
    if channel != "kit" && !moduli.is_empty() {
        return Err(at(
            p.channel.span(),
            "moduli are for kit procedures only".into(),
        ));
    }

    let mut variants: Vec<String> = Vec::new();
    for v in &p.variants {
        check_id(source, v)?;
        if variants.contains(v.get_ref()) {
            return Err(at(v.span(), format!("duplicate variant {}", v.get_ref())));
        }
        texts.require(
            source.0,
            &format!("variant.{}", v.get_ref()),
            line(v.span()),
            false,
        )?;
        variants.push(v.get_ref().clone());
    }
    let variant_required = p.variant_required.as_ref().is_some_and(|r| *r.get_ref());
    if let Some(r) = p.variant_required.as_ref().filter(|r| *r.get_ref()) {
        if variants.is_empty() {
            return Err(at(r.span(), "variant_required without variants".into()));
        }
    }

    let mut fee_ids: Vec<String> = Vec::new();
    let mut banded = None;
    for f in &p.fees {
        let Some(fee) = fees.fee(f.get_ref()) else {
            return Err(at(f.span(), format!("unknown fee {}", f.get_ref())));
        };
        if fee_ids.contains(f.get_ref()) {
            return Err(at(f.span(), format!("fee {} listed twice", f.get_ref())));
        }
        if fee.per == Per::Envelope && channel != "kit" {
            return Err(at(
                f.span(),
                format!("fee {} is per envelope: kit procedures only", f.get_ref()),
            ));
        }
        if !fee.bands.is_empty() {
            if banded.is_some() {
                return Err(at(f.span(), "at most one banded fee per procedure".into()));
            }
            banded = Some(fee);
        }
        fee_ids.push(f.get_ref().clone());
    }
    match (&p.contribution_band, banded) {
        (Some(band), Some(fee)) if fee.band(band.get_ref()).is_none() => {
            return Err(at(
                band.span(),
                format!("fee {} has no band {}", fee.id, band.get_ref()),
            ));
        }
        (Some(band), None) => {
            return Err(at(
                band.span(),
                "contribution_band without a banded fee".into(),
            ));
        }
        (None, Some(fee)) => {
            return Err(at(
                p.id.span(),
                format!("fee {} needs a contribution_band", fee.id),
            ));
        }
        _ => {}
    }

    let mut include: Vec<String> = Vec::new();
    for g in &p.include {
        let Some((_, uses)) = groups.get(g.get_ref()) else {
            return Err(at(g.span(), format!("unknown group {}", g.get_ref())));
        };
        if include.contains(g.get_ref()) {
            return Err(at(
                g.span(),
                format!("group {} included twice", g.get_ref()),
            ));
        }
        // A group's variant line must make sense for every procedure that includes it.
        if let Some((v, at_line)) = uses.uses.iter().find(|(v, _)| !variants.contains(v)) {
            return Err(Error::Data {
                file: uses.file.clone(),
                line: *at_line,
                message: format!(
                    "group {} names variant {v}, which procedure {id} does not offer",
                    g.get_ref()
                ),
            });
        }
        include.push(g.get_ref().clone());
    }

    check_source(source, &p.source)?;
    let mut uses = Vec::new();
    let documents = rows(source, p.document, texts, &mut uses)?;
    let notes = rows(source, p.note, texts, &mut uses)?;
    if let Some((v, at_line)) = uses.iter().find(|(v, _)| !variants.contains(v)) {
        return Err(Error::Data {
            file: source.0.to_string(),
            line: *at_line,
            message: format!("procedure {id} has no variant {v}"),
        });
    }
    if documents.is_empty() && notes.is_empty() && include.is_empty() {
        return Err(at(p.id.span(), format!("procedure {id} has no lines")));
    }

    Ok(Procedure {
        id,
        title: p.title.into_inner(),
        request: p.request.map(Spanned::into_inner),
        motivo: p.motivo.map(Spanned::into_inner),
        channel: channel.to_string(),
        moduli,
        variants,
        variant_required,
        income: p.income,
        fees: fee_ids,
        contribution_band: p.contribution_band.map(Spanned::into_inner),
        include,
        source: p.source.into_inner(),
        source_date: p.source_date,
        verify: p.verify,
        maintainer_note: p.maintainer_note,
        documents,
        notes,
        file: source.0.to_string(),
    })
}

/// The fee tables' cross-references: exempt motivi exist, text keys are translated.
fn check_fee_tables(fees: &FeeTables, reference: &Reference, texts: &Texts) -> Result<()> {
    let (file, keys) = fees.text_keys();
    for (key, line) in keys {
        texts.require(file, key, *line, false)?;
    }
    for fee in &fees.fees {
        for e in &fee.exempt {
            if let Some(code) = e
                .motivo
                .as_deref()
                .filter(|c| reference.motivo(c).is_none())
            {
                return Err(Error::Data {
                    file: file.to_string(),
                    line: e.line,
                    message: format!("fee {}: unknown motivo {code} in an exempt row", fee.id),
                });
            }
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------ locales

/// One locale file: full key → (text, line).
pub type Strings = HashMap<String, (String, usize)>;

/// The checklist texts of the two reference languages, with their file names.
struct Texts {
    files: [(String, Strings); 2],
}

impl Texts {
    fn load(locales: [(&str, &str); 2]) -> Result<Texts> {
        let [a, b] =
            locales.map(|source| parse_locale(source).map(|map| (source.0.to_string(), map)));
        let files = [a?, b?];
        // Same keys and the same placeholders in both files: translators work from these two.
        for (this, other) in [(&files[0], &files[1]), (&files[1], &files[0])] {
            let mut keys: Vec<_> = this.1.iter().collect();
            keys.sort_by_key(|(_, (_, line))| *line);
            for (key, (text, line)) in keys {
                let Some((other_text, _)) = other.1.get(key) else {
                    return Err(Error::Data {
                        file: this.0.clone(),
                        line: *line,
                        message: format!("{key} is missing from {}", other.0),
                    });
                };
                if placeholders(text) != placeholders(other_text) {
                    return Err(Error::Data {
                        file: this.0.clone(),
                        line: *line,
                        message: format!("{key}: placeholders differ from {}", other.0),
                    });
                }
            }
        }
        Ok(Texts { files })
    }

    /// `key` (without the `checklist.` prefix), used at `file:line`, must be in both languages, with
    /// `%{name}` if the line is printed per person and with no placeholder otherwise.
    fn require(&self, file: &str, key: &str, line: usize, per_person: bool) -> Result<()> {
        let full = format!("{KEY_PREFIX}{key}");
        for (locale, map) in &self.files {
            let bad = |message: String| Error::Data {
                file: file.to_string(),
                line,
                message,
            };
            let Some((text, _)) = map.get(&full) else {
                return Err(bad(format!("text key {key} is missing from {locale}")));
            };
            let found = placeholders(text);
            let expected: BTreeSet<&str> = if per_person {
                BTreeSet::from(["name"])
            } else {
                BTreeSet::new()
            };
            if found != expected {
                return Err(bad(format!(
                    "text {key} in {locale} must have the placeholders {expected:?}, has {found:?}"
                )));
            }
        }
        Ok(())
    }
}

/// The `%{name}` placeholders of a text.
fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("%{") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find('}') {
            found.insert(&rest[..end]);
            rest = &rest[end + 1..];
        }
    }
    found
}

/// Reads a locale file into `full key → (text, line)` with yaml-rust2's event parser, which keeps the line
/// of every scalar (a tree loader would lose it). Texts must be strings in nested mappings; a sequence,
/// an alias, a duplicate key or a YAML syntax error is reported with file and line.
pub fn parse_locale((file, text): (&str, &str)) -> Result<Strings> {
    use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
    use yaml_rust2::scanner::Marker;

    struct Flatten {
        /// Open mappings: the key each was opened under (none for the root).
        path: Vec<Option<String>>,
        /// A key read, waiting for its value.
        pending: Option<String>,
        out: Strings,
        problem: Option<(usize, String)>,
    }
    impl Flatten {
        fn full(&self, key: &str) -> String {
            let mut parts: Vec<&str> = self.path.iter().flatten().map(String::as_str).collect();
            parts.push(key);
            parts.join(".")
        }
        fn fail(&mut self, line: usize, message: String) {
            self.problem.get_or_insert((line, message));
        }
    }
    impl MarkedEventReceiver for Flatten {
        fn on_event(&mut self, event: Event, mark: Marker) {
            let line = mark.line();
            match event {
                Event::MappingStart(..) => {
                    let key = self.pending.take();
                    if let Some(key) = &key {
                        let full = self.full(key);
                        if self
                            .out
                            .keys()
                            .any(|k| k == &full || k.starts_with(&format!("{full}.")))
                        {
                            self.fail(line, format!("duplicate key {full}"));
                        }
                    }
                    self.path.push(key);
                }
                Event::MappingEnd => {
                    self.path.pop();
                }
                Event::Scalar(value, ..) => match self.pending.take() {
                    None => self.pending = Some(value),
                    Some(key) => {
                        let full = self.full(&key);
                        if self.out.insert(full.clone(), (value, line)).is_some() {
                            self.fail(line, format!("duplicate key {full}"));
                        }
                    }
                },
                Event::SequenceStart(..) | Event::Alias(..) => {
                    self.fail(line, "texts are plain strings in nested keys".to_string())
                }
                _ => {}
            }
        }
    }

    let mut flatten = Flatten {
        path: Vec::new(),
        pending: None,
        out: Strings::new(),
        problem: None,
    };
    let bad = |line: usize, message: String| Error::Data {
        file: file.to_string(),
        line,
        message,
    };
    Parser::new_from_str(text)
        .load(&mut flatten, false)
        .map_err(|e| bad(e.marker().line(), e.info().to_string()))?;
    match flatten.problem {
        Some((line, message)) => Err(bad(line, message)),
        None => Ok(flatten.out),
    }
}
