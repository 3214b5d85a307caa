//! The print engine: lays out bilingual documents (an Italian line and the applicant's language) on A4
//! pages and writes them as PDF with embedded, subset Noto fonts. It owns shaping (rustybuzz), bidi
//! ordering (unicode-bidi), line breaking (unicode-linebreak), the per-character font fallback, page
//! breaks and page numbers, and the refusal to print a character no shipped font has. Checklists and forms
//! print through [`Document`]; they supply the words, this module only places them. Layouts, subsets,
//! page contents and deflated streams are memoised in the [`FontLibrary`] (`memo`), so printing the same
//! texts again is cheap.
//!
//! It must not read system fonts (fonts come from the folder given to [`FontLibrary::new`]), decide
//! document content or translations, touch the register, or put applicants' data in errors: a
//! [`PrintError::MissingGlyphs`] names code points so the caller can show them, nothing else.
//!
//! Text stays searchable (checked with poppler's `pdftotext`): every glyph carries the characters it
//! stands for (/ToUnicode), and /ActualText spans carry the logical text where glyphs cannot: one span per
//! left-to-right stretch (Indic conjuncts, reordered vowel signs), one per Naskh cluster, and one per
//! Nastaliq word written in visual order, because poppler reverses right-to-left text itself and splits
//! spans that do not share a baseline (see `layout`).
//!
//! The parts, each using only those before it: `faces` (families and face ids, as names), `lines` (laid-out
//! text as data), `memo` (the bounded tables), `fonts` (loading faces, coverage, subsets), `layout`
//! (shaping and line breaking), `document` (pages and blocks), `pdf` (writing a document).

mod document;
mod faces;
mod fonts;
mod layout;
mod lines;
mod memo;
mod pdf;

pub use document::{Align, Column, Document, Header, Margins, PageSetup, Paint, Style};
pub use fonts::FontLibrary;

/// Writing direction of a language (`dir` in `assets/reference/languages.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Ltr,
    Rtl,
}

/// The scripts the shipped fonts write (`script` in `assets/reference/languages.toml`, ISO 15924).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    Greek,
    Cyrillic,
    Arabic,
    Sinhala,
    Tamil,
    Bengali,
    Gurmukhi,
    Devanagari,
    /// Simplified Chinese (`Hans`; `Hani` is accepted too).
    Han,
}

impl Script {
    /// From an ISO 15924 code (`Latn`, `Arab`, `Hans`…); `None` for a script no shipped font writes.
    pub fn from_iso15924(code: &str) -> Option<Script> {
        Some(match code {
            "Latn" => Script::Latin,
            "Grek" => Script::Greek,
            "Cyrl" => Script::Cyrillic,
            "Arab" => Script::Arabic,
            "Sinh" => Script::Sinhala,
            "Taml" => Script::Tamil,
            "Beng" => Script::Bengali,
            "Guru" => Script::Gurmukhi,
            "Deva" => Script::Devanagari,
            "Hans" | "Hani" => Script::Han,
            _ => return None,
        })
    }
}

/// A language a paragraph is written in: its code (which selects OpenType language rules and, for Urdu,
/// the Nastaliq face), its script and its direction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lang {
    code: String,
    script: Script,
    dir: Direction,
}

impl Lang {
    /// `code` is a BCP 47 language code (`it`, `ar`, `ur`, `zh`), `script` an ISO 15924 code and `dir`
    /// `ltr` or `rtl`, as in `assets/reference/languages.toml`.
    pub fn new(code: &str, script: &str, dir: &str) -> Result<Lang, PrintError> {
        let script = Script::from_iso15924(script)
            .ok_or_else(|| PrintError::Lang(format!("{code}: script {script} has no font")))?;
        let dir = match dir {
            "ltr" => Direction::Ltr,
            "rtl" => Direction::Rtl,
            other => return Err(PrintError::Lang(format!("{code}: direction {other}"))),
        };
        Ok(Lang {
            code: code.to_string(),
            script,
            dir,
        })
    }

    /// Italian, the language of every document's first line.
    pub fn italian() -> Lang {
        Lang {
            code: "it".into(),
            script: Script::Latin,
            dir: Direction::Ltr,
        }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn script(&self) -> Script {
        self.script
    }

    pub fn dir(&self) -> Direction {
        self.dir
    }

    pub fn is_rtl(&self) -> bool {
        self.dir == Direction::Rtl
    }
}

impl TryFrom<&crate::reference::Language> for Lang {
    type Error = PrintError;

    fn try_from(l: &crate::reference::Language) -> Result<Lang, PrintError> {
        Lang::new(&l.code, &l.script, &l.dir)
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrintError {
    /// Characters no shipped font has a glyph for; nothing was printed. Listed once each, in order.
    #[error("no font has a glyph for {}", code_points(chars))]
    MissingGlyphs { chars: Vec<char> },
    /// A font file of the library is missing or unreadable.
    #[error("font {file}: {reason}")]
    Font { file: String, reason: String },
    /// A language whose script or direction the engine does not know.
    #[error("language {0}")]
    Lang(String),
    /// More characters than boxes in a row of one-character boxes.
    #[error("{len} characters do not fit in {boxes} boxes")]
    Overflow { len: usize, boxes: usize },
    /// printpdf reported an error while writing.
    #[error("pdf: {0}")]
    Pdf(String),
}

/// `U+1F600 U+2A6D6`: code points, never the text around them (errors may reach logs).
fn code_points(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("U+{:04X}", u32::from(*c)))
        .collect::<Vec<_>>()
        .join(" ")
}

pub type Result<T, E = PrintError> = std::result::Result<T, E>;
