//! Writing a laid-out [`Document`] as a PDF: the page items turned into printpdf operations (text with
//! /ActualText where the glyphs do not give back the text, rules, rectangles), page numbers, fonts
//! embedded as the memo's subsets, page content streams reused from the memo when a page was written
//! before (keyed by everything the stream depends on), and streams deflated through the memo. It must
//! not place anything: where each item goes is `document`'s.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use printpdf::font::PdfFont;
use printpdf::{
    Codepoint, DictItem, FontId, Line as PdfLine, LinePoint, Mm, Op, PaintMode, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix,
};

use super::document::{pt, Align, Document, Item, Paint, Style};
use super::faces::FaceId;
use super::fonts::FontLibrary;
use super::memo::Subset;
use super::{Lang, PrintError};

impl Document<'_> {
    /// Writes the PDF: fonts embedded as subsets of the glyphs used, page numbers `n/N` if the setup
    /// asks for them.
    pub fn render(&self) -> Result<Vec<u8>, PrintError> {
        let total = self.pages.len();
        let page_h = pt(self.setup.height_mm);
        let mut numbers = Vec::new();
        if self.setup.page_numbers || self.setup.footer.is_some() {
            let style = Style::body().size(9.0).align(Align::Center);
            for n in 1..=total {
                let number = self.setup.page_numbers.then(|| format!("{n}/{total}"));
                let text: Vec<&str> = self
                    .setup
                    .footer
                    .as_deref()
                    .into_iter()
                    .chain(number.as_deref())
                    .collect();
                let mut lines = self.lines(
                    &text.join(" · "),
                    &Lang::italian(),
                    style,
                    self.content_width(),
                )?;
                let line = lines.pop().expect("one line");
                let x = self.aligned_x(&line, style.align, self.left(), self.content_width());
                let y = page_h - pt(self.setup.margins.bottom_mm) / 2.0;
                numbers.push(Item::Text { x, y, line });
            }
        }
        let pages: Vec<Vec<&Item>> = self
            .pages
            .iter()
            .enumerate()
            .map(|(i, items)| {
                self.header
                    .iter()
                    .chain(items)
                    .chain(numbers.get(i))
                    .collect::<Vec<_>>()
            })
            .collect();

        // One extraction text per glyph for the whole document: /ToUnicode maps a glyph id once per
        // font, so the first non-empty text a glyph gets is the one every later use repeats.
        let mut texts: HashMap<(FaceId, u16), String> = HashMap::new();
        let mut used: BTreeMap<FaceId, BTreeSet<u16>> = BTreeMap::new();
        for item in pages.iter().flatten() {
            if let Item::Text { line, .. } = item {
                for run in &line.runs {
                    let gids = used.entry(run.face).or_default();
                    for g in &run.glyphs {
                        gids.insert(g.gid);
                        let text = &line.text[g.text.start as usize..g.text.end as usize];
                        if !text.is_empty() {
                            texts
                                .entry((run.face, g.gid))
                                .or_insert_with(|| text.to_string());
                        }
                    }
                }
            }
        }

        // Each face is embedded as its subset for this document's glyphs, cut here (and kept in the
        // library's memo) rather than by printpdf at save time, so the next document with the same
        // glyphs reuses it.
        let mut pdf = PdfDocument::new("Sportello Mixitè");
        let mut embedded: HashMap<FaceId, Embedded> = HashMap::new();
        for (face, gids) in &used {
            let subset = self.fonts.subset(*face, gids)?;
            // Named after the face, not at random as `add_font` would: the same page then gives the
            // same content stream, which the memo has deflated before.
            let id = FontId(face.resource_name());
            pdf.resources
                .fonts
                .map
                .insert(id.clone(), PdfFont::new(subset.font.clone()));
            embedded.insert(*face, Embedded { id, subset });
        }
        // A page written before (the preview, then the print) takes its content stream from the memo:
        // turning operators into a stream is most of printpdf's time. printpdf cannot be handed a
        // stream, nor told which glyphs a font draws but through text operators, so such a page is
        // given none, except that the first of them carries the document's glyph inventory (what the
        // pages' own operators would have registered), and its stream is replaced once printpdf is done.
        let memo = self.fonts.memo();
        let state = font_state(page_h, &used, &texts);
        let keys: Vec<Vec<u8>> = pages.iter().map(|items| page_key(&state, items)).collect();
        let known: Vec<Option<Arc<Vec<u8>>>> = keys.iter().map(|key| memo.page(key)).collect();
        let inventory_on = known.iter().position(Option::is_some);
        let pdf_pages = pages
            .iter()
            .zip(&known)
            .enumerate()
            .map(|(i, (items, known))| {
                let ops = match known {
                    None => {
                        let mut ops = Vec::with_capacity(items.len() * 8);
                        for item in items {
                            item_ops(item, page_h, self.fonts, &embedded, &texts, &mut ops)?;
                        }
                        ops
                    }
                    Some(_) if Some(i) == inventory_on => glyph_inventory(&used, &embedded, &texts),
                    Some(_) => Vec::new(),
                };
                Ok(PdfPage::new(
                    Mm(self.setup.width_mm),
                    Mm(self.setup.height_mm),
                    ops,
                ))
            })
            .collect::<Result<_, PrintError>>()?;
        pdf.with_pages(pdf_pages);
        // The programs are subsets already: printpdf embeds them as they are, and the streams are
        // deflated below, through the memo, instead of by printpdf's `optimize`.
        let options = PdfSaveOptions {
            optimize: false,
            subset_fonts: false,
            secure: true,
            image_optimization: None,
        };
        let mut warnings = Vec::new();
        let mut doc = pdf.to_lopdf_document(&options, &mut warnings);
        if let Some(w) = warnings
            .iter()
            .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
        {
            return Err(PrintError::Pdf(w.msg.clone()));
        }
        let broken = |e: lopdf::Error| PrintError::Pdf(e.to_string());
        let written = doc.get_pages();
        if written.len() != known.len() {
            return Err(PrintError::Pdf(format!(
                "{} pages written for {}",
                written.len(),
                known.len()
            )));
        }
        for ((page, known), key) in written.into_values().zip(known).zip(keys) {
            let contents = doc
                .get_dictionary(page)
                .and_then(|page| page.get(b"Contents"))
                .and_then(lopdf::Object::as_reference)
                .map_err(broken)?;
            let stream = doc
                .get_object_mut(contents)
                .and_then(lopdf::Object::as_stream_mut)
                .map_err(broken)?;
            match known {
                Some(content) => stream.set_content(content.to_vec()),
                None => memo.keep_page(key, stream.content.clone()),
            }
        }
        let tags: HashMap<Vec<u8>, &str> = embedded
            .values()
            .filter_map(|e| {
                Some((
                    e.subset.font.font_name.clone()?.into_bytes(),
                    e.subset.tag.as_str(),
                ))
            })
            .collect();
        for object in doc.objects.values_mut() {
            tag_subset_names(object, &tags);
            if let lopdf::Object::Stream(stream) = object {
                self.deflate(stream)?;
            }
        }
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes)
            .map_err(|e| PrintError::Pdf(e.to_string()))?;
        Ok(bytes)
    }

    /// Deflates a stream lopdf would (what printpdf's `optimize` does), unless that does not make it
    /// smaller.
    fn deflate(&self, stream: &mut lopdf::Stream) -> Result<(), PrintError> {
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            return Ok(());
        }
        let deflated = self
            .fonts
            .memo()
            .deflate(&stream.content)
            .map_err(|e| PrintError::Pdf(e.to_string()))?;
        if deflated.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(deflated.to_vec());
        }
        Ok(())
    }
}

/// A face embedded in the document being written.
struct Embedded {
    id: FontId,
    subset: Arc<Subset>,
}

/// Gives the names of subset fonts their `ABCDEF+` tag: /BaseFont of the font and its descendant,
/// /FontName of the descriptor (which must match). printpdf only tags the subsets it cuts itself.
fn tag_subset_names(object: &mut lopdf::Object, tags: &HashMap<Vec<u8>, &str>) {
    match object {
        lopdf::Object::Dictionary(dict) => {
            for (key, value) in dict.iter_mut() {
                match value {
                    lopdf::Object::Name(name)
                        if key.as_slice() == b"BaseFont" || key.as_slice() == b"FontName" =>
                    {
                        if let Some(tag) = tags.get(name.as_slice()) {
                            *name = [tag.as_bytes(), b"+", name.as_slice()].concat();
                        }
                    }
                    other => tag_subset_names(other, tags),
                }
            }
        }
        lopdf::Object::Array(items) => {
            for item in items {
                tag_subset_names(item, tags);
            }
        }
        _ => {}
    }
}

fn item_ops(
    item: &Item,
    page_h: f32,
    fonts: &FontLibrary,
    embedded: &HashMap<FaceId, Embedded>,
    texts: &HashMap<(FaceId, u16), String>,
    ops: &mut Vec<Op>,
) -> Result<(), PrintError> {
    match item {
        Item::Text { x, y, line } => {
            if line.runs.is_empty() {
                return Ok(());
            }
            ops.push(Op::StartTextSection);
            // A span whose glyphs' own /ToUnicode texts already spell it, in order, one glyph after
            // the other along one baseline, needs no /ActualText (most Latin and Chinese lines):
            // leaving it out keeps the content stream small. Right-to-left words, reordered Indic
            // clusters and marks drawn back over their base (which readers take for a word break)
            // keep theirs.
            let mut spelled = vec![String::new(); line.spans.len()];
            let mut in_line = vec![true; line.spans.len()];
            let mut previous: Vec<Option<(f32, f32)>> = vec![None; line.spans.len()];
            for run in &line.runs {
                let face = fonts.face(run.face)?;
                for g in &run.glyphs {
                    let Some(span) = g.span.map(usize::from) else {
                        continue;
                    };
                    if let Some(text) = texts.get(&(run.face, g.gid)) {
                        spelled[span].push_str(text);
                    }
                    // Kerning may pull a glyph back a little; a forward gap or a zero-width mark
                    // reads as a space to poppler.
                    let width = face.pdf_width(g.gid);
                    in_line[span] &= width > 0.0
                        && previous[span].is_none_or(|(end, y)| {
                            y == g.y && (-0.2..=0.05).contains(&((g.x - end) / run.size))
                        });
                    previous[span] = Some((g.x + width * run.size / 1000.0, g.y));
                }
            }
            let needed = |span: Option<u16>| {
                span.filter(|&s| {
                    let s = usize::from(s);
                    let span = &line.spans[s];
                    span.visual
                        || !in_line[s]
                        || spelled[s] != line.text[span.text.start as usize..span.text.end as usize]
                })
            };
            let mut open: Option<u16> = None;
            for run in &line.runs {
                let embedded = &embedded[&run.face];
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(embedded.id.clone()),
                    size: Pt(run.size),
                });
                let face = fonts.face(run.face)?;
                // Consecutive glyphs of one text span on one baseline are one TJ: positioned once,
                // then each moved from where the previous left the pen by a whole 1/1000 em (at most
                // half a unit off, 0.005 pt at 9 pt, and never accumulating). Without this printpdf
                // writes the float noise of every difference, which made up half of a page's bytes.
                for chunk in run
                    .glyphs
                    .chunk_by(|a, b| needed(a.span) == needed(b.span) && a.y == b.y)
                {
                    let first = &chunk[0];
                    let span = needed(first.span);
                    if span != open {
                        if open.is_some() {
                            ops.push(Op::EndMarkedContentWithProperties);
                        }
                        if let Some(span) = span {
                            let span = &line.spans[usize::from(span)];
                            let text = &line.text[span.text.start as usize..span.text.end as usize];
                            let text: String = if span.visual {
                                text.chars().rev().collect()
                            } else {
                                text.to_string()
                            };
                            ops.push(Op::BeginMarkedContentWithProperties {
                                tag: "Span".into(),
                                properties: actual_text(&text),
                            });
                        }
                        open = span;
                    }
                    // 1/100 pt is far below what a printer resolves, and short numbers keep the
                    // content stream small (Nastaliq needs one position per glyph).
                    let at = |v: f32| Pt((v * 100.0).round() / 100.0);
                    ops.push(Op::SetTextMatrix {
                        matrix: TextMatrix::Translate(at(x + first.x), at(page_h - y + first.y)),
                    });
                    let units = 1000.0 / run.size;
                    let mut pen = 0.0f32;
                    let codepoints = chunk
                        .iter()
                        .enumerate()
                        .map(|(i, g)| {
                            pen += face.pdf_width(g.gid);
                            let offset = match chunk.get(i + 1) {
                                Some(next) => (pen - (next.x - first.x) * units).round(),
                                None => 0.0,
                            };
                            pen -= offset;
                            codepoint(embedded, texts, run.face, g.gid, offset)
                        })
                        .collect();
                    ops.push(Op::ShowText {
                        items: vec![TextItem::GlyphIds(codepoints)],
                    });
                }
            }
            if open.is_some() {
                ops.push(Op::EndMarkedContentWithProperties);
            }
            ops.push(Op::EndTextSection);
        }
        Item::Rule { from, to, width } => {
            ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
            ops.push(Op::DrawLine {
                line: PdfLine {
                    points: vec![
                        LinePoint {
                            p: Point {
                                x: Pt(from.0),
                                y: Pt(page_h - from.1),
                            },
                            bezier: false,
                        },
                        LinePoint {
                            p: Point {
                                x: Pt(to.0),
                                y: Pt(page_h - to.1),
                            },
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            });
        }
        Item::Path { points, width } => {
            ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
            ops.push(Op::DrawLine {
                line: PdfLine {
                    points: points
                        .iter()
                        .map(|(x, y)| LinePoint {
                            p: Point {
                                x: Pt(*x),
                                y: Pt(page_h - y),
                            },
                            bezier: false,
                        })
                        .collect(),
                    is_closed: false,
                },
            });
        }
        Item::Rect { x, y, w, h, paint } => {
            let mode = match paint {
                Paint::Stroke(width) => {
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                    PaintMode::Stroke
                }
                Paint::Fill(grey) => {
                    ops.push(Op::SetFillColor {
                        col: printpdf::Color::Greyscale(printpdf::Greyscale::new(*grey, None)),
                    });
                    PaintMode::Fill
                }
            };
            ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(*x),
                    y: Pt(page_h - y - h),
                    width: Pt(*w),
                    height: Pt(*h),
                    mode: Some(mode),
                    winding_order: None,
                },
            });
            if matches!(paint, Paint::Fill(_)) {
                // Text after a filled shape is black again.
                ops.push(Op::SetFillColor {
                    col: printpdf::Color::Greyscale(printpdf::Greyscale::new(0.0, None)),
                });
            }
        }
    }
    Ok(())
}

/// Glyph `gid` of `face` as printpdf shows it: its id in the face's subset (every glyph of the document is
/// in it), and the text printpdf's /ToUnicode gives it.
fn codepoint(
    embedded: &Embedded,
    texts: &HashMap<(FaceId, u16), String>,
    face: FaceId,
    gid: u16,
    offset: f32,
) -> Codepoint {
    Codepoint {
        gid: embedded.subset.gids[&gid],
        offset,
        cid: Some(texts.get(&(face, gid)).cloned().unwrap_or_default()),
    }
}

/// Text operators showing every glyph the document uses, with the text of each: printpdf builds each
/// font's /W and /ToUnicode from the glyphs the pages' operators show, and a page taken from the memo
/// shows none (see [`Document::render`]). The stream they are written to is then replaced.
fn glyph_inventory(
    used: &BTreeMap<FaceId, BTreeSet<u16>>,
    embedded: &HashMap<FaceId, Embedded>,
    texts: &HashMap<(FaceId, u16), String>,
) -> Vec<Op> {
    let mut ops = vec![Op::StartTextSection];
    for (face, gids) in used {
        let embedded = &embedded[face];
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(embedded.id.clone()),
            size: Pt(1.0),
        });
        let codepoints = gids
            .iter()
            .map(|&gid| codepoint(embedded, texts, *face, gid, 0.0))
            .collect();
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(codepoints)],
        });
    }
    ops.push(Op::EndTextSection);
    ops
}

/// What every page's content stream depends on besides its own items: the page height, the glyphs of
/// each face (which fix the subset's glyph ids) and the text each glyph is extracted as (which decides
/// where /ActualText is needed), as bytes.
fn font_state(
    page_h: f32,
    used: &BTreeMap<FaceId, BTreeSet<u16>>,
    texts: &HashMap<(FaceId, u16), String>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut key = Key(&mut out);
    key.float(page_h);
    key.count(used.len());
    for (face, gids) in used {
        key.byte(face.number());
        key.count(gids.len());
        for gid in gids {
            key.glyph(*gid);
        }
    }
    let mut texts: Vec<_> = texts.iter().collect();
    texts.sort_unstable_by_key(|(glyph, _)| **glyph);
    key.count(texts.len());
    for ((face, gid), text) in texts {
        key.byte(face.number());
        key.glyph(*gid);
        key.text(text);
    }
    out
}

/// A page's key in the memo: the document's font state and everything of each item, so that equal keys
/// give equal content streams.
fn page_key(state: &[u8], items: &[&Item]) -> Vec<u8> {
    let mut out = Vec::with_capacity(state.len() + items.len() * 256);
    out.extend_from_slice(state);
    let mut key = Key(&mut out);
    key.count(items.len());
    for item in items {
        match item {
            Item::Text { x, y, line } => {
                key.byte(0);
                key.floats(&[*x, *y, line.width, line.ascent, line.descent]);
                key.text(&line.text);
                key.byte(u8::from(line.rtl_paragraph));
                key.count(line.spans.len());
                for span in &line.spans {
                    key.range(&span.text);
                    key.byte(u8::from(span.visual));
                }
                key.count(line.runs.len());
                for run in &line.runs {
                    key.byte(run.face.number());
                    key.float(run.size);
                    key.count(run.glyphs.len());
                    for g in &run.glyphs {
                        key.glyph(g.gid);
                        key.floats(&[g.x, g.y]);
                        key.range(&g.text);
                        key.count(g.span.map_or(usize::MAX, usize::from));
                    }
                }
            }
            Item::Rule { from, to, width } => {
                key.byte(1);
                key.floats(&[from.0, from.1, to.0, to.1, *width]);
            }
            Item::Path { points, width } => {
                key.byte(4);
                key.float(*width);
                key.count(points.len());
                for (x, y) in points {
                    key.floats(&[*x, *y]);
                }
            }
            Item::Rect { x, y, w, h, paint } => {
                let (kind, value) = match paint {
                    Paint::Stroke(width) => (2, width),
                    Paint::Fill(grey) => (3, grey),
                };
                key.byte(kind);
                key.floats(&[*x, *y, *w, *h, *value]);
            }
        }
    }
    out
}

/// Writes a memo key: numbers at fixed width, texts and lists after their length, so that different
/// inputs never give the same bytes.
struct Key<'a>(&'a mut Vec<u8>);

impl Key<'_> {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    fn glyph(&mut self, gid: u16) {
        self.0.extend_from_slice(&gid.to_le_bytes());
    }

    fn count(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }

    fn float(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_bits().to_le_bytes());
    }

    fn floats(&mut self, values: &[f32]) {
        for v in values {
            self.float(*v);
        }
    }

    fn range(&mut self, range: &std::ops::Range<u32>) {
        self.0.extend_from_slice(&range.start.to_le_bytes());
        self.0.extend_from_slice(&range.end.to_le_bytes());
    }

    fn text(&mut self, text: &str) {
        self.count(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }
}

/// `/ActualText` as a UTF-16BE string with its byte-order mark (PDF text string).
fn actual_text(text: &str) -> DictItem {
    let mut data = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        data.extend_from_slice(&unit.to_be_bytes());
    }
    DictItem::Dict {
        map: BTreeMap::from([(
            "ActualText".to_string(),
            DictItem::String {
                data,
                literal: false,
            },
        )]),
    }
}
