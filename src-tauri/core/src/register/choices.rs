//! What the case form and the detail screen offer to choose from: the reference tables' codes (procedures,
//! motivi with their dates and `verify` marks, languages, today's countries, document kinds, relations,
//! sexes, step kinds) as typed lists, each code with its label in the operator's language. The labels
//! of coded lists come from the caller's translator (the shell's `labels.<group>.<code>`), the others
//! from the tables themselves. It must not decide what a code means or which is valid beyond the tables'
//! own dates.

use chrono::NaiveDate;
use serde::Serialize;

use crate::reference::{Language, Reference, DOCUMENT_KINDS, PROCEDURES, RELATIONS, SEXES};
use crate::register::steps;

/// A code and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coded {
    pub code: String,
    pub label: String,
}

/// A motivo of permit, with what the form needs to warn about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MotivoChoice {
    pub code: String,
    pub label: String,
    pub label_it: String,
    pub channel: String,
    pub procedures: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Valid on the day the lists were made.
    pub in_force: bool,
    pub verify: bool,
    pub note: Option<String>,
    pub source: String,
}

/// A language: its own name, its label, its direction, and whether a native speaker reviewed its
/// translations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LanguageChoice {
    pub code: String,
    pub endonym: String,
    pub label: String,
    pub dir: String,
    pub reviewed: bool,
}

impl LanguageChoice {
    fn named(l: &Language, label: &str) -> LanguageChoice {
        LanguageChoice {
            code: l.code.clone(),
            endonym: l.endonym.clone(),
            label: label.to_string(),
            dir: l.dir.clone(),
            reviewed: l.reviewed,
        }
    }

    /// Labelled with its Italian name (what the checklist panel shows beside the endonym).
    pub fn italian(l: &Language) -> LanguageChoice {
        LanguageChoice::named(l, &l.name_it)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryChoice {
    /// ISO 3166-1 alpha-3.
    pub code: String,
    pub name: String,
}

/// Every list, labelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lists {
    pub procedures: Vec<Coded>,
    pub motivi: Vec<MotivoChoice>,
    pub languages: Vec<LanguageChoice>,
    pub countries: Vec<CountryChoice>,
    pub document_kinds: Vec<Coded>,
    pub relations: Vec<Coded>,
    pub sexes: Vec<Coded>,
    pub steps: Vec<Coded>,
}

/// The lists on `today`, with English names from the tables when `english`, Italian otherwise, and
/// `label(group, code)` for the coded lists (`group`: `procedure`, `document_kind`, `relation`, `sex`,
/// `step`).
pub fn lists(
    reference: &Reference,
    today: NaiveDate,
    english: bool,
    label: impl Fn(&str, &str) -> String,
) -> Lists {
    let coded = |codes: &mut dyn Iterator<Item = &'static str>, group: &str| -> Vec<Coded> {
        codes
            .map(|code| Coded {
                code: code.to_string(),
                label: label(group, code),
            })
            .collect()
    };
    let name = |it: &String, en: &String| if english { en.clone() } else { it.clone() };
    Lists {
        procedures: coded(&mut PROCEDURES.into_iter(), "procedure"),
        motivi: reference
            .motivi
            .iter()
            .map(|m| MotivoChoice {
                code: m.code.clone(),
                label: name(&m.label_it, &m.label_en),
                label_it: m.label_it.clone(),
                channel: m.channel.clone(),
                procedures: m.procedures.clone(),
                valid_from: m.valid_from,
                valid_to: m.valid_to,
                in_force: m.valid_on(today),
                verify: m.verify,
                note: m.note.clone(),
                source: m.source.clone(),
            })
            .collect(),
        languages: reference
            .languages
            .iter()
            .map(|l| LanguageChoice::named(l, &name(&l.name_it, &l.name_en)))
            .collect(),
        // Current countries only: the form asks for today's citizenship and birth country.
        countries: reference
            .countries
            .iter()
            .filter(|c| c.valid_to.is_none())
            .filter_map(|c| {
                Some(CountryChoice {
                    code: c.iso3.clone()?,
                    name: name(&c.name_it, &c.name_en),
                })
            })
            .collect(),
        document_kinds: coded(&mut DOCUMENT_KINDS.into_iter(), "document_kind"),
        relations: coded(&mut RELATIONS.into_iter(), "relation"),
        sexes: coded(&mut SEXES.into_iter(), "sex"),
        steps: coded(&mut steps::all_kinds().chain([steps::CORRECTION]), "step"),
    }
}
