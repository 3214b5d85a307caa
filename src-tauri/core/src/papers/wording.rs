//! The `papers` locale area (`locales/papers/<lang>.yml`, every applicant language of
//! `languages.toml`): the texts printed on the applicant's papers that the checklist files do not
//! hold. Those are the right-of-access report's and the deletion receipt's labels and sentences
//! (`papers.fields.*`, `labels.*`, `audit.action.*`, `retention.*`), the glossary of the Italian office
//! names the papers keep in Italian (`papers.glossary.*`), and the mark of a translation no native
//! speaker has reviewed (`papers.provenance.unreviewed`). The files are content (a content pack may
//! change them): `reference::content::PaperTexts` reads and checks them once, when the content loads,
//! and this module takes one language's texts from the content in force (`Texts::of`, nothing parsed
//! at print). It owns the `Preface` every paper in the applicant's language prints under its title:
//! the glossary, the legend of the Italian amounts for readers whose decimal mark is the point
//! (`papers.amounts.legend`), and, when `translations.toml` says so, the mark.
//!
//! It must not decide whether a translation is reviewed (`reference::provenance` does) nor lay out a
//! paper beyond the preface's two small paragraphs.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::papers::print::{Document, Lang, Style};
use crate::reference::catalogue::Strings;
use crate::reference::content::PaperTexts;
use crate::reference::Reference;
use crate::register::retention::{Anchor, Purpose};

/// One language's texts of the area, from the content in force (`Register::paper_texts`).
pub(crate) struct Texts {
    /// The language's code (`languages.toml`), also its checklist locale.
    pub code: String,
    file: String,
    strings: Arc<Strings>,
}

impl Texts {
    /// The texts of language `code` among `all` (the content's, read and checked when it loaded; no
    /// file is parsed here); a language without them is a data error (every language of
    /// `languages.toml` has them in a content that passed its checks).
    pub(crate) fn of(all: &PaperTexts, code: &str) -> Result<Texts> {
        let (file, strings) = all.language(code).ok_or_else(|| Error::Data {
            file: format!("locales/papers/{code}.yml"),
            line: 0,
            message: format!("no texts for the language {code}"),
        })?;
        Ok(Texts {
            code: code.to_string(),
            file: file.to_string(),
            strings: Arc::clone(strings),
        })
    }

    /// The text at `papers.<key>` with its `%{name}` placeholders filled; a missing text is a data
    /// error naming the file.
    pub(crate) fn get(&self, key: &str, values: &BTreeMap<String, String>) -> Result<String> {
        filled(
            &self.strings,
            &self.file,
            &self.code,
            &format!("papers.{key}"),
            values,
        )
    }

    /// A retention purpose's label and its period ("12 mesi dall'ultima scadenza…"), as the access
    /// report and the privacy notice print them.
    pub(crate) fn retention_period(
        &self,
        purpose: Purpose,
        anchor: Anchor,
        months: u32,
    ) -> Result<(String, String)> {
        let none = BTreeMap::new();
        let anchor = self.get(&format!("retention.anchor.{anchor}"), &none)?;
        let mut values = BTreeMap::new();
        values.insert("months".to_string(), months.to_string());
        values.insert("anchor".to_string(), anchor);
        Ok((
            self.get(&format!("retention.purpose.{purpose}"), &none)?,
            self.get("retention.period", &values)?,
        ))
    }
}

/// What a paper in the applicant's language prints under its title: the Italian office names
/// explained in that language (the papers keep Questura, Prefettura, Comune and permesso in Italian,
/// as the applicant reads them on signs and forms), and the mark of an unreviewed translation in
/// Italian and in that language. Both are absent on a paper in Italian only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preface {
    pub glossary: Option<String>,
    /// How to read the Italian amounts, for a reader whose decimal mark is the point, on a paper
    /// with amounts.
    pub amounts: Option<String>,
    /// `[Italian, the applicant's language]`.
    pub unreviewed: Option<[String; 2]>,
}

impl Preface {
    /// The preface of a paper in Italian and `code` whose texts come from the locale `areas`: the mark
    /// is printed unless every area was reviewed by a native speaker in `code`. With `italian`, the
    /// paper's Italian text, only the office names it uses are explained (a checklist must stay short);
    /// without, all of them. `reference` and `texts` are one content's (`Register::reference`,
    /// `Register::paper_texts`).
    pub fn new(
        reference: &Reference,
        texts: &PaperTexts,
        code: &str,
        areas: &[&str],
        italian: Option<&str>,
    ) -> Result<Preface> {
        if code == "it" {
            return Ok(Preface::default());
        }
        let (it, own) = (Texts::of(texts, "it")?, Texts::of(texts, code)?);
        let none = BTreeMap::new();
        let used = |term: &str| italian.is_none_or(|text| text.to_lowercase().contains(term));
        let glossary = ["questura", "prefettura", "comune", "permesso"]
            .iter()
            .filter(|term| used(term))
            .map(|term| own.get(&format!("glossary.{term}"), &none))
            .collect::<Result<Vec<_>>>()?;
        let reviewed = areas
            .iter()
            .all(|area| reference.provenance.native_reviewed(area, code));
        let mark = "provenance.unreviewed";
        let point = reference
            .language(code)
            .is_some_and(|l| l.decimal_mark == "point");
        let amounts = (point && italian.is_some_and(|text| text.contains('€')))
            .then(|| own.get("amounts.legend", &none))
            .transpose()?;
        Ok(Preface {
            glossary: (!glossary.is_empty())
                .then(|| {
                    Ok::<_, Error>(format!(
                        "{} — {}",
                        own.get("glossary.title", &none)?,
                        glossary.join(" ")
                    ))
                })
                .transpose()?,
            amounts,
            unreviewed: (!reviewed)
                .then(|| Ok::<_, Error>([it.get(mark, &none)?, own.get(mark, &none)?]))
                .transpose()?,
        })
    }

    /// Prints the preface in small type: the mark (Italian beside the language), the glossary, the
    /// amounts' legend.
    pub fn print(&self, doc: &mut Document, lang: &Lang) -> Result<()> {
        let small = Style::body().size(7.5);
        if let Some([italian, own]) = &self.unreviewed {
            doc.parallel(italian, Some((own, lang)), small)?;
        }
        for text in [&self.glossary, &self.amounts].into_iter().flatten() {
            doc.paragraph(text, lang, small)?;
        }
        Ok(())
    }
}

/// The text at the full key `full` of a locale file's `strings` (`file`, language `code`) with its
/// `%{name}` placeholders filled; a missing text is a data error naming the file. Shared by the papers
/// that read their own locale area (this one, the recovery sheet's).
pub(crate) fn filled(
    strings: &Strings,
    file: &str,
    code: &str,
    full: &str,
    values: &BTreeMap<String, String>,
) -> Result<String> {
    let (text, _) = strings.get(full).ok_or_else(|| Error::Data {
        file: file.to_string(),
        line: 0,
        message: format!("{full} is missing ({code})"),
    })?;
    Ok(values.iter().fold(text.clone(), |out, (name, value)| {
        out.replace(&format!("%{{{name}}}"), value)
    }))
}
