//! The faces the engine prints with, as names: the shipped families, which family writes which script,
//! the file of each face, and `FaceId`, the small number every other part of the engine (layout, memo,
//! PDF output) uses for a face. It must not load or parse a font (that is `fonts`), so that every other
//! module can name a face without depending on the library that loads it.

use unicode_script::Script as UScript;

use super::{Lang, Script};

/// A typeface family shipped in `assets/fonts/` (see `SOURCES.md` there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    /// Noto Sans: Latin, Greek, Cyrillic, and the fallback for Latin words and digits in other lines.
    Sans,
    NaskhArabic,
    /// Urdu is written in Nastaliq; Arabic and other Arabic-script text in Naskh.
    NastaliqUrdu,
    Sinhala,
    Tamil,
    Bengali,
    Gurmukhi,
    Devanagari,
    CjkSc,
}

pub(crate) const FAMILIES: [Family; 9] = [
    Family::Sans,
    Family::NaskhArabic,
    Family::NastaliqUrdu,
    Family::Sinhala,
    Family::Tamil,
    Family::Bengali,
    Family::Gurmukhi,
    Family::Devanagari,
    Family::CjkSc,
];

impl Family {
    fn index(self) -> usize {
        FAMILIES.iter().position(|f| *f == self).expect("listed")
    }

    /// The file of this family's face. There is no CJK Bold (16 MB more): bold Chinese uses Regular.
    pub(crate) fn file(self, bold: bool) -> &'static str {
        match (self, bold) {
            (Family::Sans, false) => "NotoSans-Regular.ttf",
            (Family::Sans, true) => "NotoSans-Bold.ttf",
            (Family::NaskhArabic, false) => "NotoNaskhArabic-Regular.ttf",
            (Family::NaskhArabic, true) => "NotoNaskhArabic-Bold.ttf",
            (Family::NastaliqUrdu, false) => "NotoNastaliqUrdu-Regular.ttf",
            (Family::NastaliqUrdu, true) => "NotoNastaliqUrdu-Bold.ttf",
            (Family::Sinhala, false) => "NotoSansSinhala-Regular.ttf",
            (Family::Sinhala, true) => "NotoSansSinhala-Bold.ttf",
            (Family::Tamil, false) => "NotoSansTamil-Regular.ttf",
            (Family::Tamil, true) => "NotoSansTamil-Bold.ttf",
            (Family::Bengali, false) => "NotoSansBengali-Regular.ttf",
            (Family::Bengali, true) => "NotoSansBengali-Bold.ttf",
            (Family::Gurmukhi, false) => "NotoSansGurmukhi-Regular.ttf",
            (Family::Gurmukhi, true) => "NotoSansGurmukhi-Bold.ttf",
            (Family::Devanagari, false) => "NotoSansDevanagari-Regular.ttf",
            (Family::Devanagari, true) => "NotoSansDevanagari-Bold.ttf",
            (Family::CjkSc, _) => "NotoSansCJKsc-Regular.otf",
        }
    }

    /// The family a paragraph in `lang` starts with.
    pub(crate) fn primary(lang: &Lang) -> Family {
        match lang.script() {
            Script::Latin | Script::Greek | Script::Cyrillic => Family::Sans,
            Script::Arabic if lang.code() == "ur" => Family::NastaliqUrdu,
            Script::Arabic => Family::NaskhArabic,
            Script::Sinhala => Family::Sinhala,
            Script::Tamil => Family::Tamil,
            Script::Bengali => Family::Bengali,
            Script::Gurmukhi => Family::Gurmukhi,
            Script::Devanagari => Family::Devanagari,
            Script::Han => Family::CjkSc,
        }
    }

    /// The family that writes characters of `script` (a Unicode script property value), if we ship one.
    pub(crate) fn for_script(script: UScript, lang: &Lang) -> Option<Family> {
        Some(match script {
            UScript::Latin | UScript::Greek | UScript::Cyrillic => Family::Sans,
            UScript::Arabic if lang.code() == "ur" => Family::NastaliqUrdu,
            UScript::Arabic => Family::NaskhArabic,
            UScript::Sinhala => Family::Sinhala,
            UScript::Tamil => Family::Tamil,
            UScript::Bengali => Family::Bengali,
            UScript::Gurmukhi => Family::Gurmukhi,
            UScript::Devanagari => Family::Devanagari,
            UScript::Han | UScript::Bopomofo | UScript::Hiragana | UScript::Katakana => {
                Family::CjkSc
            }
            _ => return None,
        })
    }
}

/// One face as the library loaded it: `Family` × weight, with CJK Bold aliased to CJK Regular.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct FaceId(u8);

impl FaceId {
    pub(crate) fn of(family: Family, bold: bool) -> FaceId {
        let bold = bold && family != Family::CjkSc;
        FaceId((family.index() * 2 + usize::from(bold)) as u8)
    }

    pub(crate) fn family(self) -> Family {
        FAMILIES[usize::from(self.0) / 2]
    }

    pub(crate) fn bold(self) -> bool {
        self.0 % 2 == 1
    }

    /// The face's number in the library, the same in every process.
    pub(crate) fn number(self) -> u8 {
        self.0
    }

    /// The face's name in a PDF's font resources: `F0`, `F1`…
    pub(crate) fn resource_name(self) -> String {
        format!("F{}", self.0)
    }
}
