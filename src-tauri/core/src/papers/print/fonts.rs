//! The shipped fonts: which face draws which script, lazy loading from the caller's font folder, and the
//! coverage check behind [`FontLibrary::missing_chars`]. It owns the per-character font choice (the fallback
//! chain) so the layout and the pre-print check can never disagree. It must not read system font paths or
//! guess files: the folder is given by the caller and the file names are fixed here.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rustybuzz::ttf_parser::Tag;
use unicode_script::{Script as UScript, UnicodeScript};

use super::faces::{FaceId, Family, FAMILIES};
use super::memo::{Memo, Subset};
use super::{Lang, PrintError};

const FACE_SLOTS: usize = FAMILIES.len() * 2;

self_cell::self_cell!(
    /// The font bytes and the rustybuzz face parsed from them, kept together so shaping never re-parses.
    struct ShapingFace {
        owner: Vec<u8>,
        #[covariant]
        dependent: RbFace,
    }
);

type RbFace<'a> = rustybuzz::Face<'a>;

/// The key of a cached shaping plan: building a plan walks the font's GSUB/GPOS lookups (slow for
/// Nastaliq), so one is kept per direction, script and language actually used.
#[derive(Clone, PartialEq, Eq)]
struct PlanKey {
    rtl: bool,
    script: [u8; 4],
    language: Option<String>,
}

/// A loaded face: the shaper's view, printpdf's view (for embedding and subsetting), and metrics.
pub(crate) struct Face {
    shaping: ShapingFace,
    /// printpdf's parsed copy; cloned into each document it is embedded in.
    pub(crate) pdf: printpdf::ParsedFont,
    units_per_em: f32,
    /// Whether glyph outlines are TrueType (`glyf`), whose bounding boxes cost a table lookup; CFF
    /// outlines (the CJK face) would have to be interpreted, and its ideographs stay inside the em box.
    glyf: bool,
    plans: Mutex<Vec<(PlanKey, Arc<rustybuzz::ShapePlan>)>>,
}

impl Face {
    fn load(dir: &Path, id: FaceId) -> Result<Face, PrintError> {
        let file = id.family().file(id.bold());
        let font_error = |reason: String| PrintError::Font {
            file: file.to_string(),
            reason,
        };
        let bytes = std::fs::read(dir.join(file)).map_err(|e| font_error(e.to_string()))?;
        let mut warnings = Vec::new();
        let pdf = printpdf::ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| font_error("printpdf cannot parse it".into()))?;
        let shaping = ShapingFace::try_new(bytes, |bytes| {
            rustybuzz::Face::from_slice(bytes, 0).ok_or(())
        })
        .map_err(|()| font_error("not an OpenType font".into()))?;
        let face = shaping.borrow_dependent();
        let (units_per_em, glyf) = (face.units_per_em() as f32, face.tables().glyf.is_some());
        Ok(Face {
            shaping,
            pdf,
            units_per_em,
            glyf,
            plans: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn covers(&self, c: char) -> bool {
        self.shaping.borrow_dependent().glyph_index(c).is_some()
    }

    /// Points per font unit at `size` points.
    pub(crate) fn scale(&self, size: f32) -> f32 {
        size / self.units_per_em
    }

    /// The least ascent above and descent below the baseline a line takes at `size`, both positive, in
    /// points: 0.95 and 0.27 em, a 1.22 em line. The faces' own ascenders (1.07 em for Noto Sans, 1.9
    /// for Nastaliq) are sized for the tallest glyph any language could stack and would space every
    /// line for it; instead a line grows past this only where its glyphs' ink does (see [`Face::ink`]).
    pub(crate) fn extent(&self, size: f32) -> (f32, f32) {
        (0.95 * size, 0.27 * size)
    }

    /// A glyph's advance in 1/1000 em exactly as printpdf writes it in the font's /W array (truncated
    /// to a whole unit), which is where a PDF viewer moves the pen after drawing it.
    pub(crate) fn pdf_width(&self, gid: u16) -> f32 {
        let advance = self
            .shaping
            .borrow_dependent()
            .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(gid))
            .unwrap_or(0);
        (f32::from(advance) * 1000.0 / self.units_per_em).trunc()
    }

    /// Top and bottom of a glyph's ink above the baseline at `size`, points (bottom negative when it
    /// descends); `None` for a glyph without outline or a face whose boxes are not looked up.
    pub(crate) fn ink(&self, gid: u16, size: f32) -> Option<(f32, f32)> {
        if !self.glyf {
            return None;
        }
        // The box stored in the glyph's header: `glyph_bounding_box` would outline the glyph.
        let bbox = self
            .shaping
            .borrow_dependent()
            .tables()
            .glyf?
            .bbox(rustybuzz::ttf_parser::GlyphId(gid))?;
        let scale = self.scale(size);
        Some((f32::from(bbox.y_max) * scale, f32::from(bbox.y_min) * scale))
    }

    /// Shapes `text` (one run: one face, one direction, one script) with a cached plan. Clusters are
    /// byte offsets into `text` plus `cluster_base`.
    pub(crate) fn shape(
        &self,
        text: &str,
        cluster_base: usize,
        rtl: bool,
        script: UScript,
        language: Option<&str>,
    ) -> rustybuzz::GlyphBuffer {
        let face = self.shaping.borrow_dependent();
        let tag = script.short_name().as_bytes();
        let script_tag = [tag[0], tag[1], tag[2], tag[3]];
        let rb_script = rustybuzz::Script::from_iso15924_tag(Tag::from_bytes(&script_tag));
        let rb_language = language.and_then(|l| l.parse::<rustybuzz::Language>().ok());
        let direction = if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        };
        let key = PlanKey {
            rtl,
            script: script_tag,
            language: language.map(str::to_string),
        };
        let plan = {
            let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
            match plans.iter().find(|(k, _)| *k == key) {
                Some((_, plan)) => Arc::clone(plan),
                None => {
                    let plan = Arc::new(rustybuzz::ShapePlan::new(
                        face,
                        direction,
                        rb_script,
                        rb_language.as_ref(),
                        &[],
                    ));
                    plans.push((key, Arc::clone(&plan)));
                    plan
                }
            }
        };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        // Characters level keeps each mark in its own cluster, so text extraction can give every glyph
        // the characters it stands for.
        buffer.set_cluster_level(rustybuzz::BufferClusterLevel::MonotoneCharacters);
        for (i, c) in text.char_indices() {
            buffer.add(c, (cluster_base + i) as u32);
        }
        buffer.set_direction(direction);
        if let Some(s) = rb_script {
            buffer.set_script(s);
        }
        if let Some(l) = rb_language {
            buffer.set_language(l);
        }
        rustybuzz::shape_with_plan(face, &plan, buffer)
    }
}

/// The shipped fonts, read from a folder the caller names (the app's bundled `assets/fonts`). Faces are
/// parsed on first use and kept: a Chinese face is only read when a document needs Chinese, and a second
/// document reuses every face parsed for the first. Shareable between threads.
pub struct FontLibrary {
    dir: PathBuf,
    faces: [OnceLock<Result<Arc<Face>, PrintError>>; FACE_SLOTS],
    /// Layouts, subsets, page contents and deflated streams of recent documents, reused by the next ones.
    memo: Memo,
}

impl std::fmt::Debug for FontLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontLibrary")
            .field("dir", &self.dir)
            .field(
                "loaded",
                &self.faces.iter().filter(|s| s.get().is_some()).count(),
            )
            .finish()
    }
}

impl FontLibrary {
    /// A library over `dir` (the folder holding the files listed in `assets/fonts/SOURCES.md`). Nothing
    /// is read until a document needs a face; a missing or broken file is a `PrintError::Font` then.
    pub fn new(dir: impl Into<PathBuf>) -> FontLibrary {
        FontLibrary {
            dir: dir.into(),
            faces: std::array::from_fn(|_| OnceLock::new()),
            memo: Memo::default(),
        }
    }

    pub(crate) fn memo(&self) -> &Memo {
        &self.memo
    }

    /// Forgets the memo (layouts, subsets, page contents, deflated streams) and keeps the parsed faces: the next
    /// document is laid out and written from scratch, as the first one of its kind is.
    pub fn clear_memo(&self) {
        self.memo.clear();
    }

    pub(crate) fn face(&self, id: FaceId) -> Result<&Arc<Face>, PrintError> {
        self.faces[usize::from(id.number())]
            .get_or_init(|| Face::load(&self.dir, id).map(Arc::new))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Face `id` cut down to `gids` for embedding, by printpdf's subsetter (allsorts), from the memo
    /// when a document used the same glyphs before. The subset keeps the face's name and metrics, which
    /// printpdf writes in the font descriptor.
    pub(crate) fn subset(
        &self,
        id: FaceId,
        gids: &BTreeSet<u16>,
    ) -> Result<Arc<Subset>, PrintError> {
        let face = self.face(id)?;
        let font_error = |reason: String| PrintError::Font {
            file: id.family().file(id.bold()).to_string(),
            reason,
        };
        self.memo
            .subset(id, gids.iter().copied().collect(), |gids| {
                let wanted: BTreeMap<u16, String> =
                    gids.iter().map(|g| (*g, String::new())).collect();
                let cut = printpdf::font::subset_font(&face.pdf, &wanted).map_err(font_error)?;
                let mut warnings = Vec::new();
                let mut font = printpdf::ParsedFont::from_bytes(&cut.bytes, 0, &mut warnings)
                    .ok_or_else(|| font_error("printpdf cannot parse its subset".into()))?;
                font.font_name = face.pdf.font_name.clone();
                font.font_metrics = face.pdf.font_metrics;
                font.pdf_font_metrics = face.pdf.pdf_font_metrics;
                let gids: HashMap<u16, u16> = cut
                    .glyph_mapping
                    .iter()
                    .map(|(old, (new, _))| (*old, *new))
                    .collect();
                Ok(Subset {
                    font,
                    tag: subset_tag(id, &wanted),
                    gids,
                })
            })
    }

    /// The characters of `text` that no shipped font can draw in a `lang` paragraph, each once, in order
    /// of first appearance. Print refuses such text; the caller names these characters to the operator.
    /// Line breaks and invisible format characters (joiners, bidi marks) are never reported.
    pub fn missing_chars(&self, text: &str, lang: &Lang) -> Result<Vec<char>, PrintError> {
        let mut missing = Vec::new();
        let mut prev = None;
        for c in text.chars() {
            if c == '\n' {
                continue;
            }
            match self.face_for(c, lang, false, prev)? {
                Some(id) => prev = Some(id),
                None if !missing.contains(&c) => missing.push(c),
                None => {}
            }
        }
        Ok(missing)
    }

    /// The face that draws `c` in a `lang` paragraph, following the fallback chain: the face of the
    /// character's own script; for shared characters (spaces, digits, punctuation, marks) the face of
    /// the preceding text, then the paragraph's face, then Noto Sans, then the CJK face. `None` when no
    /// shipped face has a glyph. Only the faces the chain reaches are loaded.
    pub(crate) fn face_for(
        &self,
        c: char,
        lang: &Lang,
        bold: bool,
        prev: Option<FaceId>,
    ) -> Result<Option<FaceId>, PrintError> {
        let primary = FaceId::of(Family::primary(lang), bold);
        let sans = FaceId::of(Family::Sans, bold);
        let mut chain: [Option<FaceId>; 4] = [None; 4];
        match c.script() {
            UScript::Common | UScript::Inherited => {
                chain = [
                    prev,
                    Some(primary),
                    Some(sans),
                    Some(FaceId::of(Family::CjkSc, bold)).filter(|_| is_cjk_symbol(c)),
                ];
            }
            script => {
                if let Some(family) = Family::for_script(script, lang) {
                    chain[0] = Some(FaceId::of(family, bold));
                }
            }
        }
        for id in chain.into_iter().flatten() {
            if self.face(id)?.covers(c) {
                return Ok(Some(id));
            }
        }
        // A zero-width format character (ZWJ, ZWNJ, bidi marks, variation selectors) changes shaping,
        // not ink: the shaper hides it when the font lacks it, so it never prints as a box.
        if is_invisible_format(c) {
            return Ok(Some(prev.unwrap_or(primary)));
        }
        Ok(None)
    }
}

/// Six capital letters from the face and its glyph set (FNV-1a, so the same document always gets the
/// same tag).
fn subset_tag(id: FaceId, gids: &BTreeMap<u16, String>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in std::iter::once(id.number()).chain(gids.keys().flat_map(|g| g.to_le_bytes())) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 10)) % 26) as u8))
        .collect()
}

/// CJK punctuation and full-width forms have the Common script but only the CJK face draws them.
fn is_cjk_symbol(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '\u{30FB}' | '\u{30FC}')
}

pub(crate) fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{E0100}'..='\u{E01EF}' | '\u{061C}' | '\u{034F}')
}
