//! Resolving one procedure for one case on one day: which document and note lines apply (conditions on
//! the household, the applicant's work, the variant), the fee lines with the amounts in force, the income
//! threshold. It must not load or check files (that is `load`) nor translate.

use super::*;
use crate::error::{FieldCode, Missing};
use crate::reference::fees::ExemptCase;

impl Catalogue {
    /// Resolves `selection` for `case` on `today`: the lines that apply (per-person lines repeated with
    /// the person's name), the fee lines with the amounts in force on `today`, and the income threshold.
    ///
    /// Errors: `NotFound(Missing::Procedure)`; `Invalid` on `variant` (`required`, `unknown_code`) or
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
            .ok_or(Error::NotFound(Missing::Procedure))?;
        let variant = match selection.variant.filter(|v| !v.is_empty()) {
            Some(v) if !procedure.variants.iter().any(|x| x == v) => {
                return Err(Error::Invalid(vec![FieldError::new(
                    "variant",
                    FieldCode::UnknownCode,
                )]))
            }
            None if procedure.variant_required => {
                return Err(Error::Invalid(vec![FieldError::new(
                    "variant",
                    FieldCode::Required,
                )]))
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
        let current = &case.current_permit;
        let situation = Situation {
            variant,
            request: request.as_deref(),
            people: &people,
            current_motivo: current.motivo_code.trim(),
        };
        // A permit is valid through its expiry date; an expiry date that does not parse is not known
        // to be valid.
        let current_valid = NaiveDate::parse_from_str(current.expiry_date.trim(), "%Y-%m-%d")
            .is_ok_and(|expiry| today <= expiry);
        let exempt_case = ExemptCase {
            motivo: motivo.as_deref().unwrap_or(""),
            request: request.as_deref().unwrap_or(""),
            minor: people.applicant_minor(),
            current_motivo: current.motivo_code.trim(),
            current_valid,
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
                        FieldCode::UnknownCode,
                    )]));
                }
                Some(band)
            };
            // No row on the day: the fee did not exist then; a 0 row: it was not due (annulment).
            let Some(amount) = fees.amount_on(id, band, today).filter(|a| a.cents > 0) else {
                continue;
            };
            let exemption = fee.exemption(&exempt_case);
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
                read_on: exemption.map_or(amount.read_on, |e| e.read_on),
                official: self.is_official(exemption.map_or(&amount.source, |e| &e.source)),
                note: exemption.map_or(&amount.note, |e| &e.note).clone(),
                slip: fee.slip.clone(),
            });
        }
        let total_cents = fee_lines.iter().map(|l| l.subtotal_cents).sum();
        // The applicant's own bollettino: one unit of each fee on the slip that is due.
        let mut slips: Vec<Slip> = Vec::new();
        for line in fee_lines.iter().filter(|l| !l.exempt) {
            let Some(id) = &line.slip else { continue };
            match slips.iter_mut().find(|s| &s.id == id) {
                Some(slip) => slip.cents += line.unit_cents,
                None => slips.push(Slip {
                    id: id.clone(),
                    cents: line.unit_cents,
                }),
            }
        }

        let income_applies = procedure
            .income_when
            .as_ref()
            .is_none_or(|c| c.holds(&situation));
        let threshold = match procedure.income {
            _ if !income_applies => None,
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
            slips,
            total_cents,
            threshold_official: threshold
                .as_ref()
                .is_some_and(|t| self.is_official(&t.source)),
            threshold,
            verify: procedure.verify,
            source: procedure.source.clone(),
            checked_on: procedure.checked_on,
            maintainer_note: procedure.maintainer_note.clone(),
        })
    }
}

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
    /// Motivo of the case's current permit ("" if none).
    current_motivo: &'a str,
}

impl Condition {
    /// Whether a condition that prints a line at most once holds (per-person conditions print once per
    /// person: see `resolve`; `if_working` always prints, with its qualifier).
    fn holds(&self, s: &Situation) -> bool {
        match self {
            Condition::Always | Condition::IfWorking => true,
            Condition::Variant(v) => s.variant == Some(v.as_str()),
            Condition::NotVariant(v) => s.variant != Some(v.as_str()),
            Condition::PerChildUnder14 | Condition::IfChildrenUnder14 => {
                s.people.children_under_14().next().is_some()
            }
            Condition::PerMember14Plus => s.people.members_14_plus().next().is_some(),
            Condition::IfHousehold => !s.people.members.is_empty(),
            Condition::IfRenewal => s.request == Some("rinnovo"),
            Condition::IfFirstIssue => s.request == Some("rilascio"),
            Condition::CurrentMotivo(m) => m.iter().any(|c| c == s.current_motivo),
            Condition::NotCurrentMotivo(m) => !m.iter().any(|c| c == s.current_motivo),
        }
    }
}

fn resolve(rows: &[Row], s: &Situation, out: &mut Vec<ResolvedLine>) {
    for row in rows {
        let line = |params: BTreeMap<String, String>, qualifier: Option<&str>| ResolvedLine {
            text: row.text.clone(),
            params,
            qualifier: qualifier.map(str::to_string),
            verify: row.verify,
            source: row.source.clone(),
            read_on: row.read_on,
            official: row.official,
            note: row.note.clone(),
        };
        let named = |m: &Member| BTreeMap::from([("name".to_string(), m.name.clone())]);
        match &row.when {
            Condition::PerChildUnder14 => {
                out.extend(s.people.children_under_14().map(|m| line(named(m), None)))
            }
            Condition::PerMember14Plus => {
                out.extend(s.people.members_14_plus().map(|m| line(named(m), None)))
            }
            Condition::IfWorking => out.push(line(BTreeMap::new(), Some(QUALIFIER_IF_WORKING))),
            once if once.holds(s) => out.push(line(BTreeMap::new(), None)),
            _ => {}
        }
    }
}
