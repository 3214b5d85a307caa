//! Text laid out, as data: lines of positioned glyph runs with the text they stand for, and the key a
//! paragraph is laid out from. `layout` makes them, `document` places and writes them, the memo keeps
//! them; this module holds only the shapes, so none of those depends on another to name them.

use std::ops::Range;

use super::faces::FaceId;
use super::Lang;

/// A glyph placed on a line. `x` is from the line's left edge and `y` upwards from the baseline, in
/// points; `text` is the range of the line's text this glyph stands for (empty for the second and later
/// glyphs of a cluster, so a character is extracted once); `span` the index of the line's text span
/// (/ActualText) it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Glyph {
    pub gid: u16,
    pub x: f32,
    pub y: f32,
    pub text: Range<u32>,
    pub span: Option<u16>,
}

/// A stretch of a line's text that readers extract as written (/ActualText) instead of from the glyphs.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    /// Range of the line's text.
    pub text: Range<u32>,
    /// Give the characters in visual order (reversed): for a right-to-left word, see `layout_part`.
    pub visual: bool,
}

/// Consecutive glyphs of one face on one line, in visual (left-to-right) order.
#[derive(Debug, Clone)]
pub(crate) struct GlyphRun {
    pub face: FaceId,
    pub size: f32,
    pub glyphs: Vec<Glyph>,
}

/// One laid-out line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// The line's characters in logical order, trailing spaces dropped.
    pub text: String,
    pub runs: Vec<GlyphRun>,
    /// Ink advance width, points.
    pub width: f32,
    /// Height above / depth below the baseline, points: at least the faces' nominal extent, more where
    /// the line's ink reaches further.
    pub ascent: f32,
    pub descent: f32,
    /// Ranges of `text` a reader should extract as written (/ActualText), whatever the glyphs are: each
    /// left-to-right stretch of the line, and each right-to-left cluster on its own (see `print`).
    pub spans: Vec<Span>,
    /// The paragraph's direction: a right-to-left paragraph's lines start at the right margin.
    pub rtl_paragraph: bool,
}

impl Line {
    pub fn height(&self) -> f32 {
        self.ascent + self.descent
    }
}

/// Everything [`super::layout::paragraph`] depends on besides the library's fonts.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ParagraphKey {
    pub text: String,
    pub lang: Lang,
    /// `f32::to_bits` of the size and the width: the same floats give the same lines.
    pub size: u32,
    pub bold: bool,
    pub width: u32,
}
