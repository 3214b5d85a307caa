//! Where the desk's changeable data comes from. A `Content` is a content pack's files by name
//! (`assets/procedures/kit_lavoro.toml` → its text) with the pack's version and date: the content built
//! into the binary (`Content::embedded`, the files of `pack_files.rs` embedded by the build script) and a
//! pack the Comune installed later (`pack::open`) have the same shape, so the same loaders check either,
//! and `Tables::check` loads and checks all of them at once (every problem with its file and line). It
//! also owns the locale areas the papers print from, checked once when the content loads: the
//! checklist texts of every language (`Texts`) and the papers' own texts (`PaperTexts`: access
//! report, deletion receipt, the preface's glossary and unreviewed mark).
//!
//! It must not decide what a file means (that is each loader's: `Reference`, `FeeTables`, `Catalogue`,
//! `Forms`),
//! read the disk or verify a signature (`pack` and `register::content` do), or choose which content is
//! in force (`register::content`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::reference::agenda::AgendaFacts;
use crate::reference::catalogue::{parse_locale, placeholders, Catalogue, Strings, KEY_PREFIX};
use crate::reference::data::parse_toml;
use crate::reference::desk::DeskPapers;
use crate::reference::fees::FeeTables;
use crate::reference::forms::Forms;
use crate::reference::Reference;

include!("pack_files.rs");
include!(concat!(env!("OUT_DIR"), "/embedded_content.rs"));

/// The folder of the checklist texts, one `<language>.yml` each.
const CHECKLIST_FOLDER: &str = "locales/checklist";
/// The folder of the papers' own texts, one `<language>.yml` each.
const PAPERS_FOLDER: &str = "locales/papers";

/// A content version: numbers separated by dots (`2026.2`), compared number by number, so `2026.10`
/// is newer than `2026.9`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(Vec<u32>);

impl Version {
    /// `None` for anything but 1 to 4 dot-separated numbers.
    pub fn parse(text: &str) -> Option<Version> {
        let parts: Option<Vec<u32>> = text
            .split('.')
            .map(|p| {
                (!p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            })
            .collect();
        parts.filter(|p| (1..=4).contains(&p.len())).map(Version)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Version, D::Error> {
        let text = String::deserialize(d)?;
        Version::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("version must be numbers and dots: {text}"))
        })
    }
}

/// A content's version and date, as the about screen and every paper's footer show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stamp {
    pub version: Version,
    pub date: NaiveDate,
}

impl Stamp {
    /// The line printed at the foot of every paper: `Contenuti v2026.1 (01/12/2026)`.
    pub fn footer(&self) -> String {
        format!(
            "Contenuti v{} ({})",
            self.version,
            self.date.format("%d/%m/%Y")
        )
    }
}

/// The files of one content pack, by name, with its version and date.
#[derive(Debug, Clone)]
pub struct Content {
    pub stamp: Stamp,
    files: BTreeMap<String, Cow<'static, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionFile {
    version: Version,
    date: NaiveDate,
}

impl Content {
    /// The content built into this binary, its version and date from `assets/pack.toml`.
    pub fn embedded() -> Result<Content> {
        let (version_file, files): (Vec<_>, Vec<_>) =
            EMBEDDED.iter().partition(|(name, _)| *name == VERSION_FILE);
        let file: VersionFile = parse_toml(version_file[0])?;
        Ok(Content {
            stamp: Stamp {
                version: file.version,
                date: file.date,
            },
            files: files
                .into_iter()
                .map(|(name, text)| (name.to_string(), Cow::Borrowed(text)))
                .collect(),
        })
    }

    /// A content from files the caller read (a pack's), unchecked: `Tables::check` checks it.
    pub fn new(stamp: Stamp, files: BTreeMap<String, String>) -> Content {
        Content {
            stamp,
            files: files
                .into_iter()
                .map(|(name, text)| (name, Cow::Owned(text)))
                .collect(),
        }
    }

    /// Whether `name` may be a file of a pack: one of the reference tables, or a file directly in one of
    /// the areas with its extension (no sub-folder, no `..`, nothing hidden).
    pub fn belongs(name: &str) -> bool {
        REFERENCE_FILES.contains(&name)
            || AREAS.iter().any(|(folder, extension)| {
                name.strip_prefix(folder)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .and_then(|file| file.strip_suffix(extension))
                    .and_then(|stem| stem.strip_suffix('.'))
                    .is_some_and(|stem| {
                        !stem.is_empty()
                            && stem
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    })
            })
    }

    /// The folders and single files a pack is built from (`mixite pack build` reads these).
    pub fn areas() -> &'static [(&'static str, &'static str)] {
        &AREAS
    }

    pub fn reference_files() -> &'static [&'static str] {
        &REFERENCE_FILES
    }

    /// `(name, text)` of a file the loaders need; a pack without it is refused naming it.
    pub fn source(&self, name: &str) -> Result<(&str, &str)> {
        self.files
            .get_key_value(name)
            .map(|(name, text)| (name.as_str(), text.as_ref()))
            .ok_or_else(|| Error::Data {
                file: name.to_string(),
                line: 0,
                message: "the file is missing from the content pack".into(),
            })
    }

    /// The files of an area folder, by name.
    pub fn area<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.files
            .iter()
            .filter(move |(name, _)| {
                name.strip_prefix(folder)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
            .map(|(name, text)| (name.as_str(), text.as_ref()))
    }

    /// Every file, by name.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_ref()))
    }
}

/// The checklist texts of every language of a content: language → full key (`checklist.doc.x`) → text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Texts {
    languages: BTreeMap<String, HashMap<String, String>>,
}

/// The files of the locale area `folder` of a content, by language code, each parsed with its lines.
/// Every language must have exactly the Italian file's keys with its placeholders (the papers print a
/// line in both); the first file that does not is refused with its name and line.
fn locale_area(content: &Content, folder: &str) -> Result<BTreeMap<String, Strings>> {
    let italian_file = format!("{folder}/it.yml");
    let italian = parse_locale(content.source(&italian_file)?)?;
    let mut languages = BTreeMap::new();
    for (file, text) in content.area(folder) {
        let code = file
            .rsplit('/')
            .next()
            .and_then(|name| name.strip_suffix(".yml"))
            .unwrap_or_default();
        let strings = parse_locale((file, text))?;
        let mut keys: Vec<_> = italian.iter().collect();
        keys.sort_by_key(|(_, (_, line))| *line);
        for (key, (it_text, it_line)) in keys {
            let problem = match strings.get(key) {
                None => format!("{key} ({italian_file}:{it_line}) is missing"),
                Some((text, _)) if placeholders(text) != placeholders(it_text) => {
                    format!("{key}: placeholders differ from {italian_file}")
                }
                Some(_) => continue,
            };
            let line = strings.get(key).map_or(0, |(_, line)| *line);
            return Err(Error::Data {
                file: file.to_string(),
                line,
                message: problem,
            });
        }
        if let Some((key, (_, line))) = strings.iter().find(|(k, _)| !italian.contains_key(*k)) {
            return Err(Error::Data {
                file: file.to_string(),
                line: *line,
                message: format!("{key} is not in {italian_file}"),
            });
        }
        languages.insert(code.to_string(), strings);
    }
    Ok(languages)
}

impl Texts {
    /// Reads `locales/checklist/<language>.yml` of the content. Every language must have exactly the
    /// Italian file's keys with its placeholders (the papers print a line in both).
    pub fn from_content(content: &Content) -> Result<Texts> {
        let languages = locale_area(content, CHECKLIST_FOLDER)?
            .into_iter()
            .map(|(code, strings)| {
                let texts = strings
                    .into_iter()
                    .map(|(key, (text, _))| (key, text))
                    .collect();
                (code, texts)
            })
            .collect();
        Ok(Texts { languages })
    }

    /// The text of `checklist.<key>` in `lang` with its `%{name}` placeholders filled; Italian where the
    /// language has no such file, the key itself where Italian has none either.
    pub fn text(&self, key: &str, lang: &str, params: &BTreeMap<String, String>) -> String {
        let full = format!("{KEY_PREFIX}{key}");
        let found = [lang, "it"]
            .iter()
            .find_map(|l| self.languages.get(*l)?.get(&full));
        let mut out = found.cloned().unwrap_or(full);
        for (name, value) in params {
            out = out.replace(&format!("%{{{name}}}"), value);
        }
        out
    }

    /// The languages with a checklist translation.
    pub fn languages(&self) -> Vec<String> {
        self.languages.keys().cloned().collect()
    }

    pub fn has(&self, lang: &str) -> bool {
        self.languages.contains_key(lang)
    }

    /// The languages whose texts differ between `self` and `other` (added, removed or changed).
    pub fn changed_languages(&self, other: &Texts) -> Vec<String> {
        let all: BTreeSet<&String> = self
            .languages
            .keys()
            .chain(other.languages.keys())
            .collect();
        all.into_iter()
            .filter(|l| self.languages.get(*l) != other.languages.get(*l))
            .cloned()
            .collect()
    }
}

/// The `papers` locale area of a content (`locales/papers/<language>.yml`): the access report's and
/// the deletion receipt's texts, the glossary of the Italian office names and the unreviewed mark,
/// which `papers::wording` prints from. Read and checked once, when the content loads: every language
/// of `languages.toml` has a file, with exactly the Italian file's keys and placeholders.
#[derive(Debug, Clone, Default)]
pub struct PaperTexts {
    /// Language code → (file name, full key `papers.x` → text and line).
    languages: BTreeMap<String, (String, Arc<Strings>)>,
}

impl PaperTexts {
    /// Reads the area of `content`; `reference` is the same content's language list.
    pub fn from_content(content: &Content, reference: &Reference) -> Result<PaperTexts> {
        let mut languages = BTreeMap::new();
        for (code, strings) in locale_area(content, PAPERS_FOLDER)? {
            let file = format!("{PAPERS_FOLDER}/{code}.yml");
            languages.insert(code, (file, Arc::new(strings)));
        }
        // A paper in a language without its file could not be printed: refused now, not at the desk.
        if let Some(missing) = reference
            .languages
            .iter()
            .find(|l| !languages.contains_key(&l.code))
        {
            return Err(Error::Data {
                file: format!("{PAPERS_FOLDER}/{}.yml", missing.code),
                line: 0,
                message: format!(
                    "the language {} of languages.toml has no papers texts",
                    missing.code
                ),
            });
        }
        Ok(PaperTexts { languages })
    }

    /// The file name and the texts of language `code`, if the content has them.
    pub fn language(&self, code: &str) -> Option<(&str, &Arc<Strings>)> {
        self.languages
            .get(code)
            .map(|(file, strings)| (file.as_str(), strings))
    }

    /// The languages with papers texts.
    pub fn languages(&self) -> Vec<String> {
        self.languages.keys().cloned().collect()
    }

    /// The languages whose texts differ between `self` and `other` (added, removed or changed; a line
    /// that only moved is no change).
    pub fn changed_languages(&self, other: &PaperTexts) -> Vec<String> {
        let texts = |t: &PaperTexts, code: &str| {
            t.languages.get(code).map(|(_, strings)| {
                strings
                    .iter()
                    .map(|(key, (text, _))| (key.clone(), text.clone()))
                    .collect::<BTreeMap<_, _>>()
            })
        };
        let all: BTreeSet<&String> = self
            .languages
            .keys()
            .chain(other.languages.keys())
            .collect();
        all.into_iter()
            .filter(|l| texts(self, l) != texts(other, l))
            .cloned()
            .collect()
    }
}

/// Every table of a content, loaded and checked against each other: what the register validates
/// against and the papers print from.
#[derive(Debug, Clone)]
pub struct Tables {
    pub stamp: Stamp,
    pub reference: Reference,
    pub fees: FeeTables,
    pub catalogue: Catalogue,
    pub texts: Texts,
    /// The `papers` locale area (access report, deletion receipt, the preface of every paper).
    pub papers: PaperTexts,
    /// The kit forms' fields and the provinces their Questura is named from.
    pub forms: Forms,
    /// The agenda's terms, lead-time readings and follow-up intervals.
    pub agenda: AgendaFacts,
    /// The facts the receipt's appointment and the reminder papers print.
    pub desk: DeskPapers,
}

impl Tables {
    /// Loads and checks every file of `content`; the first problem is returned with its file and line.
    pub fn check(content: &Content) -> Result<Tables> {
        let reference = Reference::from_content(content)?;
        let fees = FeeTables::from_content(content)?;
        let catalogue = Catalogue::from_content(content, &reference, &fees)?;
        let texts = Texts::from_content(content)?;
        let papers = PaperTexts::from_content(content, &reference)?;
        let forms = Forms::from_content(content, &reference)?;
        forms.check_procedures(&catalogue, content)?;
        let agenda = AgendaFacts::from_content(content)?;
        let desk = DeskPapers::from_content(content)?;
        Ok(Tables {
            stamp: content.stamp.clone(),
            reference,
            fees,
            catalogue,
            texts,
            papers,
            forms,
            agenda,
            desk,
        })
    }

    /// The built-in content's tables.
    pub fn embedded() -> Result<Tables> {
        Tables::check(&Content::embedded()?)
    }
}
