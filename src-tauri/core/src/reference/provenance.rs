//! Where each printed translation comes from: `assets/reference/translations.toml`, one entry per
//! locale area (`checklist`, `papers`) and applicant language saying who wrote it and which reviews it
//! had. It owns loading that table, checking it against the language list (every language of
//! `languages.toml` has an entry in every area, every review named exists) and answering one question
//! for the papers and the UI: has a native speaker reviewed this area in this language? It must not
//! hold the mark's words (they are translations, in `locales/papers/`) nor decide where a paper prints
//! it.

use serde::Deserialize;

use crate::error::Result;
use crate::reference::data::parse_toml;
use crate::reference::{data_error, Language};

pub(crate) const TRANSLATIONS: (&str, &str) = (
    "assets/reference/translations.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/translations.toml"
    )),
);

/// The locale areas whose texts are printed for the applicant.
pub const AREAS: [&str; 2] = ["checklist", "papers"];

/// Who wrote a translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The Italian source itself.
    Master,
    /// Drafted by the project's engineers, not by a translator.
    EngineerDraft,
    /// Drafted with a language model, no human translator.
    LlmDraft,
    Machine,
    Professional,
}

/// A review a translation had: its id (a `[[review]]`) and the reviewer's confidence in the language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewOf {
    pub id: String,
    pub confidence: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub id: String,
    /// `YYYY-MM` or `YYYY-MM-DD`, as the review is dated.
    pub date: String,
    pub by: String,
    /// Whether the reviewer is a native speaker of the languages that list this review.
    pub native: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub area: String,
    pub lang: String,
    pub origin: Origin,
    pub reviews: Vec<ReviewOf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Area {
    name: String,
    #[allow(dead_code)]
    files: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    table: toml::Table,
    review: Vec<Review>,
    area: Vec<Area>,
    entry: Vec<Entry>,
}

/// The translations' provenance, checked.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub reviews: Vec<Review>,
    pub entries: Vec<Entry>,
}

impl Provenance {
    /// Reads `source` (file name, text) and checks it against `languages`: the areas are exactly
    /// `AREAS`, each language has exactly one entry per area and no entry names another language,
    /// every review listed exists, and only the Italian is the master. A problem names the file and
    /// the line of the entry.
    pub fn from_source(source: (&str, &str), languages: &[Language]) -> Result<Provenance> {
        let file: File = parse_toml(source)?;
        let names: Vec<&str> = file.area.iter().map(|a| a.name.as_str()).collect();
        if names != AREAS {
            return Err(data_error(
                source,
                "[[area]]",
                format!("the areas must be {AREAS:?}, found {names:?}"),
            ));
        }
        for e in &file.entry {
            let at = format!("area = \"{}\"\nlang = \"{}\"", e.area, e.lang);
            let bad = |message: String| data_error(source, &at, message);
            if !AREAS.contains(&e.area.as_str()) {
                return Err(bad(format!("unknown area {}", e.area)));
            }
            if !languages.iter().any(|l| l.code == e.lang) {
                return Err(bad(format!("{} is not in languages.toml", e.lang)));
            }
            if (e.origin == Origin::Master) != (e.lang == "it") {
                return Err(bad(format!(
                    "{}/{}: only the Italian is the master",
                    e.area, e.lang
                )));
            }
            if let Some(r) = e
                .reviews
                .iter()
                .find(|r| !file.review.iter().any(|known| known.id == r.id))
            {
                return Err(bad(format!("unknown review {}", r.id)));
            }
            let twice = file
                .entry
                .iter()
                .filter(|o| o.area == e.area && o.lang == e.lang)
                .count();
            if twice > 1 {
                return Err(bad(format!("{}/{} has {twice} entries", e.area, e.lang)));
            }
        }
        for area in AREAS {
            if let Some(l) = languages.iter().find(|l| {
                !file
                    .entry
                    .iter()
                    .any(|e| e.area == area && e.lang == l.code)
            }) {
                return Err(data_error(
                    source,
                    "[[entry]]",
                    format!("{area}/{}: no entry (every language needs one)", l.code),
                ));
            }
        }
        Ok(Provenance {
            reviews: file.review,
            entries: file.entry,
        })
    }

    /// Whether area `area` in language `lang` is the Italian master or was reviewed by a native
    /// speaker. False for an area or language without an entry.
    pub fn native_reviewed(&self, area: &str, lang: &str) -> bool {
        self.entries
            .iter()
            .find(|e| e.area == area && e.lang == lang)
            .is_some_and(|e| {
                e.origin == Origin::Master
                    || e.reviews.iter().any(|r| {
                        self.reviews
                            .iter()
                            .any(|known| known.id == r.id && known.native)
                    })
            })
    }
}
