//! The dated reference tables bundled in `assets/reference/`: motivo codes, applicant languages,
//! countries, and the translations' provenance (`provenance`). It owns loading and validating them (every problem reported with file and line) and
//! answering "is this code valid on that day". It must not hold any code, amount or label itself: those
//! are data, edited in the asset files with their sources. Beside them: `content` and `pack` (where the
//! files come from: the content built in, or a signed content pack the Comune installed), `forms` (the
//! kit forms' fields and the provinces, from a content), `data`
//! (reading any bundled file), `choices` (the tables as the forms' lists), `codice_fiscale`, `mrz` and `text` (the rules for
//! what the operator types or scans).

pub mod agenda;
pub mod catalogue;
pub mod codice_fiscale;
pub mod content;
pub mod data;
pub mod desk;
pub mod fees;
pub mod forms;
pub mod mrz;
pub mod pack;
pub mod provenance;
pub mod text;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::reference::data::{line_of, parse_toml};
use crate::reference::provenance::{Provenance, TRANSLATIONS};

/// The operator languages and their texts (`locales/core/<locale>.yml`), for what the core writes in the
/// operator's language outside rust-i18n's catalogue (which holds only the applicants' languages): the
/// recovery sheet and the funder's reports.
pub(crate) const CORE_LOCALES: [(&str, &str, &str); 2] = [
    (
        "it",
        "locales/core/it.yml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../locales/core/it.yml"
        )),
    ),
    (
        "en",
        "locales/core/en.yml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../locales/core/en.yml"
        )),
    ),
];

const MOTIVI: (&str, &str) = (
    "assets/reference/motivi.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/motivi.toml"
    )),
);
const LANGUAGES: (&str, &str) = (
    "assets/reference/languages.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/languages.toml"
    )),
);
const COUNTRIES: (&str, &str) = (
    "assets/reference/countries.json",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/countries.json"
    )),
);

/// The procedures a request can ask for (brief §1.2 columns). Their labels live in the locales.
pub const PROCEDURES: [&str; 5] = [
    "rilascio",
    "rinnovo",
    "aggiornamento",
    "duplicato",
    "conversione",
];
pub const DOCUMENT_KINDS: [&str; 4] = ["passport", "travel_document", "identity_card", "other"];
pub const RELATIONS: [&str; 4] = ["spouse", "child", "parent", "other"];
pub const SEXES: [&str; 3] = ["M", "F", "X"];

/// Rows are snake_case in the TOML files (as people edit them) and camelCase on the wire.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Motivo {
    pub code: String,
    pub label_it: String,
    pub label_en: String,
    /// `kit` (post office) or `questura`.
    pub channel: String,
    /// Procedures this motivo may be requested with; empty = any.
    #[serde(default)]
    pub procedures: Vec<String>,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    pub source: String,
    #[serde(default)]
    pub source_date: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
    /// The brief marks this row [CHECK] or [CONFLICT]: show it as "to verify".
    #[serde(default)]
    pub verify: bool,
}

impl Motivo {
    /// In force on `day`: `valid_from <= day < valid_to`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|end| day < end)
    }

    pub fn allows(&self, procedure: &str) -> bool {
        self.procedures.is_empty() || self.procedures.iter().any(|p| p == procedure)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Language {
    pub code: String,
    pub endonym: String,
    pub name_it: String,
    pub name_en: String,
    /// `ltr` or `rtl`.
    pub dir: String,
    pub script: String,
    pub tier: u8,
    /// `point` or `comma`: how the language's readers mark decimals. Papers print amounts the Italian
    /// way (the Poste clerk's figure) and explain it to readers of the point.
    pub decimal_mark: String,
    /// Whether a native speaker has reviewed its checklist translation (or it is the Italian): set from
    /// `translations.toml` (`provenance`), never written in `languages.toml`.
    #[serde(default, skip_deserializing)]
    pub reviewed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Country {
    /// ISO 3166-1 alpha-3 (3166-3 for ceased states); none for a few ceased entities without one.
    /// Unique among current rows only: a ceased row may share it (Georgia's old Z136).
    #[serde(default)]
    pub iso3: Option<String>,
    #[serde(default)]
    pub iso2: Option<String>,
    /// Codice AT (Belfiore code of a foreign state), `Z` + 3 digits; none for Italy.
    #[serde(default)]
    pub z_code: Option<String>,
    pub name_it: String,
    pub name_en: String,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    pub verify: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MotiviFile {
    #[allow(dead_code)]
    table: toml::Table,
    motivo: Vec<Motivo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguagesFile {
    #[allow(dead_code)]
    table: toml::Table,
    language: Vec<Language>,
}

#[derive(Deserialize)]
struct CountriesFile {
    countries: Vec<Country>,
}

/// All reference tables, loaded once at start-up.
#[derive(Debug, Clone)]
pub struct Reference {
    pub motivi: Vec<Motivo>,
    pub languages: Vec<Language>,
    pub countries: Vec<Country>,
    /// Who wrote and reviewed each language's printed texts (`translations.toml`).
    pub provenance: Provenance,
    motivo_index: HashMap<String, usize>,
    country_index: HashMap<String, usize>,
}

impl Reference {
    /// Loads the bundled tables. An error names the file and line of the first problem.
    pub fn bundled() -> Result<Reference> {
        Reference::from_sources(MOTIVI, LANGUAGES, COUNTRIES)
    }

    /// Loads the tables of a content pack (the built-in one or an installed one).
    pub fn from_content(content: &content::Content) -> Result<Reference> {
        Reference::from_sources_with(
            content.source(MOTIVI.0)?,
            content.source(LANGUAGES.0)?,
            content.source(COUNTRIES.0)?,
            content.source(TRANSLATIONS.0)?,
        )
    }

    /// Loads tables from `(file name, text)` pairs with the built-in provenance table; used by
    /// `bundled` and by tests of malformed files.
    pub fn from_sources(
        motivi: (&str, &str),
        languages: (&str, &str),
        countries: (&str, &str),
    ) -> Result<Reference> {
        Reference::from_sources_with(motivi, languages, countries, TRANSLATIONS)
    }

    /// `from_sources` with the provenance table `translations` (a content pack carries its own).
    fn from_sources_with(
        motivi: (&str, &str),
        languages: (&str, &str),
        countries: (&str, &str),
        translations: (&str, &str),
    ) -> Result<Reference> {
        let motivi_file: MotiviFile = parse_toml(motivi)?;
        let languages_file: LanguagesFile = parse_toml(languages)?;
        let countries_file: CountriesFile =
            serde_json::from_str(countries.1).map_err(|e| Error::Data {
                file: countries.0.to_string(),
                line: e.line(),
                message: e.to_string(),
            })?;
        let motivo_index = unique_index(motivi, motivi_file.motivo.iter().map(|m| &m.code))?;
        // A code is unique among current countries; a ceased row may share it (Georgia's old Z136), and
        // then the current row is the one a code finds.
        let current = countries_file
            .countries
            .iter()
            .filter(|c| c.valid_to.is_none());
        unique_index(countries, current.filter_map(|c| c.iso3.as_ref()))?;
        let mut country_index = HashMap::new();
        for (i, c) in countries_file.countries.iter().enumerate() {
            if let Some(code) = &c.iso3 {
                if c.valid_to.is_none() || !country_index.contains_key(code) {
                    country_index.insert(code.clone(), i);
                }
            }
        }
        unique_index(languages, languages_file.language.iter().map(|l| &l.code))?;
        for m in &motivi_file.motivo {
            let bad =
                |message: String| data_error(motivi, &format!("code = \"{}\"", m.code), message);
            if m.valid_to.is_some_and(|end| end <= m.valid_from) {
                return Err(bad(format!(
                    "motivo {}: valid_to is not after valid_from",
                    m.code
                )));
            }
            if let Some(p) = m
                .procedures
                .iter()
                .find(|p| !PROCEDURES.contains(&p.as_str()))
            {
                return Err(bad(format!("motivo {}: unknown procedure {p}", m.code)));
            }
            if !matches!(m.channel.as_str(), "kit" | "questura") {
                return Err(bad(format!(
                    "motivo {}: unknown channel {}",
                    m.code, m.channel
                )));
            }
            if !m.source.starts_with("http") {
                return Err(bad(format!("motivo {}: source must be a URL", m.code)));
            }
        }
        for l in &languages_file.language {
            if !matches!(l.dir.as_str(), "ltr" | "rtl") {
                return Err(data_error(
                    languages,
                    &format!("code = \"{}\"", l.code),
                    format!("language {}: dir must be ltr or rtl", l.code),
                ));
            }
            if !matches!(l.decimal_mark.as_str(), "point" | "comma") {
                return Err(data_error(
                    languages,
                    &format!("code = \"{}\"", l.code),
                    format!("language {}: decimal_mark must be point or comma", l.code),
                ));
            }
        }
        let provenance = Provenance::from_source(translations, &languages_file.language)?;
        let mut languages = languages_file.language;
        for l in &mut languages {
            l.reviewed = provenance.native_reviewed("checklist", &l.code);
        }
        Ok(Reference {
            motivi: motivi_file.motivo,
            languages,
            provenance,
            countries: countries_file.countries,
            motivo_index,
            country_index,
        })
    }

    pub fn motivo(&self, code: &str) -> Option<&Motivo> {
        self.motivo_index.get(code).map(|&i| &self.motivi[i])
    }

    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    /// The country with this alpha-3 code: the current one where a ceased row shares the code.
    pub fn country(&self, iso3: &str) -> Option<&Country> {
        self.country_index.get(iso3).map(|&i| &self.countries[i])
    }
}

/// A semantic error in a file that parsed: point at the line where `needle` (the row's key) appears.
fn data_error((file, text): (&str, &str), needle: &str, message: String) -> Error {
    Error::Data {
        file: file.to_string(),
        line: text.find(needle).map_or(0, |at| line_of(text, at)),
        message,
    }
}

fn unique_index<'a>(
    source: (&str, &str),
    keys: impl Iterator<Item = &'a String>,
) -> Result<HashMap<String, usize>> {
    let mut index = HashMap::new();
    for (i, key) in keys.enumerate() {
        if index.insert(key.clone(), i).is_some() {
            return Err(data_error(
                source,
                &format!("\"{key}\""),
                format!("duplicate code {key}"),
            ));
        }
    }
    Ok(index)
}
