//! Turns one paragraph of text into lines of positioned glyphs: splits it into runs of one face, one bidi
//! level and one script (the fallback chain of `fonts`), shapes each run once, breaks lines at
//! unicode-linebreak opportunities on the shaped widths, and orders each line's runs visually with the
//! Unicode bidi algorithm. It owns the glyph → text mapping used for search and copy. It must not know
//! about pages, PDF operators or document structure: that is `document`'s job.

use std::ops::Range;

use unicode_bidi::{Level, ParagraphBidiInfo};
use unicode_linebreak::{linebreaks, BreakOpportunity};
use unicode_script::{Script as UScript, UnicodeScript};

use super::faces::{FaceId, Family};
use super::fonts::{is_invisible_format, FontLibrary};
use super::lines::{Glyph, GlyphRun, Line, ParagraphKey, Span};
use super::{Lang, PrintError};

/// A shaped glyph, before line breaking. Distances in points.
struct Shaped {
    gid: u16,
    cluster: usize,
    /// End of the text this glyph stands for when it owns its cluster (`cluster` otherwise).
    text_end: usize,
    advance: f32,
    x_offset: f32,
    y_offset: f32,
}

struct Run {
    face: FaceId,
    range: Range<usize>,
    rtl: bool,
    script: UScript,
    /// In the shaper's output order: visual order (right to left runs come out reversed).
    glyphs: Vec<Shaped>,
}

/// Lays out `text` in `lang` at `size` points, wrapped at `max_width` points. `\n` starts a new line
/// (an empty line keeps its height). Refuses with every character no shipped font has.
pub(crate) fn paragraph(
    fonts: &FontLibrary,
    text: &str,
    lang: &Lang,
    size: f32,
    bold: bool,
    max_width: f32,
) -> Result<Vec<Line>, PrintError> {
    let key = ParagraphKey {
        text: text.to_string(),
        lang: lang.clone(),
        size: size.to_bits(),
        bold,
        width: max_width.to_bits(),
    };
    let lines = fonts.memo().paragraph(key, |key| lay_out(fonts, key))?;
    Ok(lines.as_ref().clone())
}

/// [`paragraph`] without the memo, from its key.
fn lay_out(fonts: &FontLibrary, key: &ParagraphKey) -> Result<Vec<Line>, PrintError> {
    let (text, lang, bold) = (key.text.as_str(), &key.lang, key.bold);
    let (size, max_width) = (f32::from_bits(key.size), f32::from_bits(key.width));
    let mut lines = Vec::new();
    let mut missing = Vec::new();
    for part in text.split('\n') {
        layout_part(
            fonts,
            part,
            lang,
            size,
            bold,
            max_width,
            &mut lines,
            &mut missing,
        )?;
    }
    if missing.is_empty() {
        Ok(lines)
    } else {
        Err(PrintError::MissingGlyphs { chars: missing })
    }
}

#[allow(clippy::too_many_arguments)]
fn layout_part(
    fonts: &FontLibrary,
    part: &str,
    lang: &Lang,
    size: f32,
    bold: bool,
    max_width: f32,
    lines: &mut Vec<Line>,
    missing: &mut Vec<char>,
) -> Result<(), PrintError> {
    let primary = FaceId::of(Family::primary(lang), bold);
    let (base_ascent, base_descent) = fonts.face(primary)?.extent(size);
    let base_level = if lang.is_rtl() {
        Level::rtl()
    } else {
        Level::ltr()
    };
    if part.is_empty() {
        lines.push(Line {
            text: String::new(),
            runs: Vec::new(),
            width: 0.0,
            ascent: base_ascent,
            descent: base_descent,
            spans: Vec::new(),
            rtl_paragraph: lang.is_rtl(),
        });
        return Ok(());
    }
    let bidi = ParagraphBidiInfo::new(part, Some(base_level));
    let runs = shape_runs(fonts, part, lang, size, bold, &bidi, missing)?;
    if !missing.is_empty() {
        return Ok(());
    }

    // Advance of each cluster at its first byte, then prefix sums: the width of any byte range.
    let mut prefix = vec![0f32; part.len() + 1];
    for run in &runs {
        for g in &run.glyphs {
            prefix[g.cluster + 1] += g.advance;
        }
    }
    for i in 0..part.len() {
        prefix[i + 1] += prefix[i];
    }
    let width = |a: usize, b: usize| prefix[b] - prefix[a];
    let trimmed = |a: usize, b: usize| a + part[a..b].trim_end().len();

    for range in break_lines(part, max_width, &width, &trimmed) {
        let end = trimmed(range.start, range.end);
        let line_width = width(range.start, end);
        let mut line = Line {
            text: part[range.start..end].to_string(),
            runs: Vec::new(),
            width: line_width,
            ascent: base_ascent,
            descent: base_descent,
            spans: Vec::new(),
            rtl_paragraph: lang.is_rtl(),
        };
        let (levels, visual) = bidi.visual_runs(range.clone());
        let mut pen = 0f32;
        for vrun in visual {
            let rtl = levels[vrun.start].is_rtl();
            let lo = vrun.start.max(range.start);
            let hi = vrun.end.min(end);
            if lo >= hi {
                continue;
            }
            // Text spans (/ActualText) of this visual run. A left-to-right stretch is one span: Indic
            // conjuncts and reordered vowel signs do not map back glyph by glyph.
            //
            // Right to left, readers (poppler) collect the characters of a line in the order the glyphs
            // stand from left to right and then reverse each right-to-left stretch. Per-glyph text
            // survives that, but Naskh ligatures (lam-alef), marks placed on their letter, and Nastaliq
            // skeletons shared by ر/ز or س/ش do not map back glyph by glyph; and Nastaliq glyphs cascade
            // up and down, where poppler splits a word wherever two spans do not sit on one baseline. So
            // each right-to-left word is one span. poppler lays a span's characters out left to right
            // as given, so the span is written in visual order for its reversal to undo. (One span per
            // Naskh cluster, tried first, lost shadda and tanwin in 60 of 527 words of an Arabic
            // checklist; one per word loses none, and the PDF is smaller.)
            let rel = |b: usize| (b - range.start) as u32;
            let ltr_span = (!rtl).then(|| {
                line.spans.push(Span {
                    text: rel(lo)..rel(hi),
                    visual: false,
                });
                (line.spans.len() - 1) as u16
            });
            let mut words: Vec<(Range<usize>, Option<u16>)> = Vec::new();
            if rtl {
                let mut word: Option<usize> = None;
                for (i, c) in part[lo..hi].char_indices() {
                    match (c.is_whitespace(), word) {
                        (false, None) => word = Some(lo + i),
                        (true, Some(w)) => {
                            words.push((w..lo + i, None));
                            word = None;
                        }
                        _ => {}
                    }
                }
                if let Some(w) = word {
                    words.push((w..hi, None));
                }
            }
            let mut overlapping: Vec<&Run> = runs
                .iter()
                .filter(|r| r.range.start < hi && r.range.end > lo)
                .collect();
            if rtl {
                overlapping.reverse();
            }
            for run in overlapping {
                let mut placed = GlyphRun {
                    face: run.face,
                    size,
                    glyphs: Vec::new(),
                };
                for g in run.glyphs.iter().filter(|g| (lo..hi).contains(&g.cluster)) {
                    let text_end = g.text_end.min(end);
                    let span = match ltr_span {
                        Some(span) => Some(span),
                        None if part[g.cluster..].starts_with(char::is_whitespace) => None,
                        None => {
                            let word = words
                                .iter_mut()
                                .find(|(w, _)| w.contains(&g.cluster))
                                .expect("a non-space cluster is in a word");
                            if word.1.is_none() {
                                line.spans.push(Span {
                                    text: rel(word.0.start)..rel(word.0.end),
                                    visual: true,
                                });
                                word.1 = Some((line.spans.len() - 1) as u16);
                            }
                            word.1
                        }
                    };
                    placed.glyphs.push(Glyph {
                        gid: g.gid,
                        x: pen + g.x_offset,
                        y: g.y_offset,
                        text: (g.cluster - range.start) as u32..(text_end - range.start) as u32,
                        span,
                    });
                    pen += g.advance;
                }
                if !placed.glyphs.is_empty() {
                    let face = fonts.face(run.face)?;
                    let (a, d) = face.extent(size);
                    line.ascent = line.ascent.max(a);
                    line.descent = line.descent.max(d);
                    // Tall stacks (Nastaliq reaches 2.1 em, Naskh marks 1.08) and deep descenders
                    // push the line apart instead of touching the next one.
                    for g in &placed.glyphs {
                        if let Some((top, bottom)) = face.ink(g.gid, size) {
                            line.ascent = line.ascent.max(top + g.y);
                            line.descent = line.descent.max(-(bottom + g.y));
                        }
                    }
                    line.runs.push(placed);
                }
            }
        }
        lines.push(line);
    }
    Ok(())
}

/// Splits `part` into runs (one face, one bidi level, one script) and shapes each.
fn shape_runs(
    fonts: &FontLibrary,
    part: &str,
    lang: &Lang,
    size: f32,
    bold: bool,
    bidi: &ParagraphBidiInfo,
    missing: &mut Vec<char>,
) -> Result<Vec<Run>, PrintError> {
    let mut runs: Vec<Run> = Vec::new();
    let mut prev: Option<FaceId> = None;
    for (i, c) in part.char_indices() {
        let Some(face) = fonts.face_for(c, lang, bold, prev)? else {
            if !missing.contains(&c) {
                missing.push(c);
            }
            continue;
        };
        prev = Some(face);
        let rtl = bidi.levels[i].is_rtl();
        let script = match c.script() {
            UScript::Common | UScript::Inherited => None,
            s => Some(s),
        };
        let end = i + c.len_utf8();
        if let Some(run) = runs.last_mut() {
            let same_script = match (script, run.script) {
                (None, _) | (Some(_), UScript::Common) => true,
                (Some(s), r) => s == r,
            };
            if run.face == face && run.rtl == rtl && same_script && run.range.end == i {
                run.range.end = end;
                if let Some(s) = script {
                    run.script = s;
                }
                continue;
            }
        }
        runs.push(Run {
            face,
            range: i..end,
            rtl,
            script: script.unwrap_or(UScript::Common),
            glyphs: Vec::new(),
        });
    }
    if !missing.is_empty() {
        return Ok(runs);
    }

    let primary = FaceId::of(Family::primary(lang), bold);
    for run in &mut runs {
        let face = fonts.face(run.face)?;
        let scale = face.scale(size);
        let language = (run.face == primary).then(|| lang.code());
        let shaped = face.shape(
            &part[run.range.clone()],
            run.range.start,
            run.rtl,
            run.script,
            language,
        );
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();

        // The text a glyph stands for runs from its cluster to the next larger cluster of the run.
        let mut clusters: Vec<usize> = infos.iter().map(|g| g.cluster as usize).collect();
        clusters.sort_unstable();
        clusters.dedup();
        let next_cluster = |c: usize| {
            let k = clusters.partition_point(|x| *x <= c);
            clusters.get(k).copied().unwrap_or(run.range.end)
        };

        let mut glyphs = Vec::with_capacity(infos.len());
        for (info, pos) in infos.iter().zip(positions) {
            let cluster = info.cluster as usize;
            if info.glyph_id == 0 {
                let c = part[cluster..].chars().next().unwrap_or(' ');
                if is_invisible_format(c) {
                    continue;
                }
                if !missing.contains(&c) {
                    missing.push(c);
                }
                continue;
            }
            glyphs.push(Shaped {
                gid: info.glyph_id as u16,
                cluster,
                text_end: next_cluster(cluster),
                advance: pos.x_advance as f32 * scale,
                x_offset: pos.x_offset as f32 * scale,
                y_offset: pos.y_offset as f32 * scale,
            });
        }
        // Only the first glyph of a cluster in logical order carries its text; the others (a split
        // vowel sign, Nastaliq dots) carry none, so nothing is extracted twice.
        let mut owned: Vec<usize> = Vec::new();
        let order: Box<dyn Iterator<Item = &mut Shaped>> = if run.rtl {
            Box::new(glyphs.iter_mut().rev())
        } else {
            Box::new(glyphs.iter_mut())
        };
        for g in order {
            if owned.last() == Some(&g.cluster) || owned.contains(&g.cluster) {
                g.text_end = g.cluster;
            } else {
                owned.push(g.cluster);
            }
        }
        run.glyphs = glyphs;
    }
    Ok(runs)
}

/// Greedy line breaking: the longest prefix that fits before each allowed break; a word longer than the
/// line is cut at the last character that fits. Returns byte ranges of `part` (trailing spaces included).
fn break_lines(
    part: &str,
    max_width: f32,
    width: &dyn Fn(usize, usize) -> f32,
    trimmed: &dyn Fn(usize, usize) -> usize,
) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let opportunities: Vec<(usize, BreakOpportunity)> = linebreaks(part).collect();
    let mut start = 0;
    let mut fit: Option<usize> = None;
    let mut k = 0;
    while k < opportunities.len() {
        let bp = opportunities[k].0;
        if bp <= start {
            k += 1;
            continue;
        }
        if width(start, trimmed(start, bp)) <= max_width {
            fit = Some(bp);
            k += 1;
            continue;
        }
        match fit.take() {
            Some(f) => {
                ranges.push(start..f);
                start = f;
            }
            None => {
                // One word wider than the line: cut it at the last character that still fits.
                let mut cut = None;
                for (i, _) in part[start..bp].char_indices().skip(1) {
                    if width(start, start + i) <= max_width {
                        cut = Some(start + i);
                    } else {
                        break;
                    }
                }
                let cut = cut.unwrap_or_else(|| {
                    start + part[start..].chars().next().map_or(1, char::len_utf8)
                });
                ranges.push(start..cut);
                start = cut;
            }
        }
    }
    if start < part.len() {
        ranges.push(start..part.len());
    }
    ranges
}
