//! A document being laid out: pages with margins, a cursor that flows content down the page and onto the
//! next, and the building blocks checklists and forms are made of (paragraphs, bilingual checklist rows,
//! rows of one-character boxes, fixed-pitch lines, rules, rectangles, figures of filled rectangles such
//! as a QR code). Writing it as a PDF is `pdf`'s. It must not choose words, languages or fonts for a
//! character (that is the caller's and `fonts`' job), and it never draws a glyph the fonts lack.

use super::fonts::FontLibrary;
use super::layout;
use super::lines::Line;
use super::{Lang, PrintError};

const PT_PER_MM: f32 = 72.0 / 25.4;

pub(super) fn pt(mm: f32) -> f32 {
    mm * PT_PER_MM
}

/// Page margins in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    pub top_mm: f32,
    pub right_mm: f32,
    pub bottom_mm: f32,
    pub left_mm: f32,
}

/// Text repeated at the top of every page (in the top margin), one line per entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub lines: Vec<(String, Lang)>,
}

/// Paper, margins and the page template.
#[derive(Debug, Clone, PartialEq)]
pub struct PageSetup {
    pub width_mm: f32,
    pub height_mm: f32,
    pub margins: Margins,
    pub header: Option<Header>,
    /// Print `n/N` centred in the bottom margin of every page.
    pub page_numbers: bool,
    /// A line printed in the bottom margin of every page, before the page number: which content the
    /// paper was printed from (`Contenuti v2026.1 (01/12/2026)`).
    pub footer: Option<String>,
}

impl PageSetup {
    /// A4 portrait, 18 mm side and 20 mm top/bottom margins, page numbers, no header.
    pub fn a4() -> PageSetup {
        PageSetup {
            width_mm: 210.0,
            height_mm: 297.0,
            margins: Margins {
                top_mm: 20.0,
                right_mm: 18.0,
                bottom_mm: 20.0,
                left_mm: 18.0,
            },
            header: None,
            page_numbers: true,
            footer: None,
        }
    }

    /// The same page with one Italian line at the top of every page (the desk's papers say whose case
    /// and which day on each page, so a page that comes loose is still placed).
    pub fn headed(mut self, line: String) -> PageSetup {
        self.header = Some(Header {
            lines: vec![(line, Lang::italian())],
        });
        self
    }

    /// The same page with `line` in its bottom margin on every page (see `footer`).
    pub fn footed(mut self, line: String) -> PageSetup {
        self.footer = Some(line);
        self
    }
}

impl PageSetup {
    /// A4 with tight margins (14 mm top, 12 mm bottom, 13 mm sides) for papers the applicant takes home,
    /// which must fit few pages: checklists and receipts.
    pub fn a4_tight() -> PageSetup {
        PageSetup {
            margins: Margins {
                top_mm: 14.0,
                right_mm: 13.0,
                bottom_mm: 12.0,
                left_mm: 13.0,
            },
            ..PageSetup::a4()
        }
    }
}

/// Horizontal placement of a paragraph's lines. `Start` is the left edge for a left-to-right language and
/// the right edge for a right-to-left one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Start,
    Left,
    Right,
    Center,
}

/// How a paragraph is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Font size in points.
    pub size: f32,
    pub bold: bool,
    pub align: Align,
}

impl Style {
    /// 10.5 pt regular, start-aligned: checklist lines.
    pub fn body() -> Style {
        Style {
            size: 10.5,
            bold: false,
            align: Align::Start,
        }
    }

    /// 15 pt bold: a document title.
    pub fn title() -> Style {
        Style {
            size: 15.0,
            bold: true,
            align: Align::Start,
        }
    }

    pub fn size(self, size: f32) -> Style {
        Style { size, ..self }
    }

    pub fn bold(self) -> Style {
        Style { bold: true, ..self }
    }

    pub fn align(self, align: Align) -> Style {
        Style { align, ..self }
    }
}

/// How a rectangle is painted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paint {
    /// Outline only, line width in points.
    Stroke(f32),
    /// Filled with a grey level (0 black … 1 white), no outline.
    Fill(f32),
}

/// Something drawn on a page. Coordinates are points from the page's top-left corner (y downwards);
/// the PDF's bottom-up coordinates are applied only when rendering.
#[derive(Debug, Clone)]
pub(super) enum Item {
    /// A line of text whose left edge is `x` and baseline `y`.
    Text { x: f32, y: f32, line: Line },
    Rule {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        paint: Paint,
    },
    /// An open polyline through `points`, stroked `width` points wide (a chart's trend line).
    Path { points: Vec<(f32, f32)>, width: f32 },
}

/// A column of [`Document::table`]: its width in millimetres and how its cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    pub width_mm: f32,
    pub align: Align,
}

/// A document laid out as its blocks are added; [`Document::render`] writes the PDF. Blocks flow down the
/// page and onto a new one when they do not fit. Every text-adding method refuses, with
/// [`PrintError::MissingGlyphs`], text that has characters no shipped font can draw.
pub struct Document<'f> {
    pub(super) fonts: &'f FontLibrary,
    pub(super) setup: PageSetup,
    /// The header's lines, placed once and repeated on every page.
    pub(super) header: Vec<Item>,
    pub(super) pages: Vec<Vec<Item>>,
    /// Top of the free space on the current page, points from the page top.
    y: f32,
}

impl<'f> Document<'f> {
    /// An empty document with its first page. Lays the header out once (it repeats on every page).
    pub fn new(fonts: &'f FontLibrary, setup: PageSetup) -> Result<Document<'f>, PrintError> {
        let mut doc = Document {
            fonts,
            setup,
            header: Vec::new(),
            pages: Vec::new(),
            y: 0.0,
        };
        if let Some(header) = doc.setup.header.clone() {
            let style = Style::body().size(8.0);
            let mut y = pt(doc.setup.margins.top_mm) / 3.0;
            for (text, lang) in &header.lines {
                for line in doc.lines(text, lang, style, doc.content_width())? {
                    y += line.ascent;
                    let x = doc.aligned_x(&line, style.align, doc.left(), doc.content_width());
                    let descent = line.descent;
                    doc.header.push(Item::Text { x, y, line });
                    y += descent;
                }
            }
        }
        doc.new_page();
        Ok(doc)
    }

    pub(super) fn left(&self) -> f32 {
        pt(self.setup.margins.left_mm)
    }

    pub(super) fn content_width(&self) -> f32 {
        pt(self.setup.width_mm - self.setup.margins.left_mm - self.setup.margins.right_mm)
    }

    fn bottom(&self) -> f32 {
        pt(self.setup.height_mm - self.setup.margins.bottom_mm)
    }

    fn top(&self) -> f32 {
        pt(self.setup.margins.top_mm)
    }

    pub(super) fn lines(
        &self,
        text: &str,
        lang: &Lang,
        style: Style,
        width: f32,
    ) -> Result<Vec<Line>, PrintError> {
        layout::paragraph(self.fonts, text, lang, style.size, style.bold, width)
    }

    pub(super) fn aligned_x(&self, line: &Line, align: Align, left: f32, width: f32) -> f32 {
        let align = match align {
            Align::Start if line.rtl_paragraph => Align::Right,
            Align::Start => Align::Left,
            other => other,
        };
        match align {
            Align::Right => left + width - line.width,
            Align::Center => left + (width - line.width) / 2.0,
            _ => left,
        }
    }

    fn items(&mut self) -> &mut Vec<Item> {
        self.pages.last_mut().expect("a document always has a page")
    }

    /// Number of pages so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Ends the current page; what follows starts at the top of a new one.
    pub fn page_break(&mut self) {
        self.new_page();
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top();
    }

    /// Moves to a new page unless `height` points still fit on this one (or this page is empty, where
    /// nothing would be gained).
    fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom() && self.y > self.top() {
            self.new_page();
        }
    }

    /// Vertical space, in millimetres (dropped at the top of a page).
    pub fn space(&mut self, mm: f32) {
        if self.y > self.top() {
            self.y = (self.y + pt(mm)).min(self.bottom());
        }
    }

    /// A paragraph across the content width, wrapped, flowing onto new pages line by line.
    pub fn paragraph(&mut self, text: &str, lang: &Lang, style: Style) -> Result<(), PrintError> {
        let (left, width) = (self.left(), self.content_width());
        let lines = self.lines(text, lang, style, width)?;
        self.place_all(lines, style.align, left, width)
    }

    fn place(&mut self, line: Line, align: Align, left: f32, width: f32) {
        let x = self.aligned_x(&line, align, left, width);
        let baseline = self.y + line.ascent;
        self.y = baseline + line.descent;
        self.items().push(Item::Text {
            x,
            y: baseline,
            line,
        });
    }

    /// A paragraph in Italian and in the applicant's language side by side, as in a parallel text: the
    /// Italian in the left half, the translation in the right half (from its right edge when it is
    /// written right to left), with a 6 mm gutter. Half-width columns waste less of a short line than
    /// one line under the other, which is what lets a renewal's notes fit on the checklist's second
    /// page. The pair is kept on one page; without a translation the Italian takes the full width.
    pub fn parallel(
        &mut self,
        italian: &str,
        other: Option<(&str, &Lang)>,
        style: Style,
    ) -> Result<(), PrintError> {
        let Some((text, lang)) = other else {
            return self.paragraph(italian, &Lang::italian(), style);
        };
        let gutter = pt(6.0);
        let column = (self.content_width() - gutter) / 2.0;
        let (left, right) = (self.left(), self.left() + column + gutter);
        let it = self.lines(italian, &Lang::italian(), style, column)?;
        let tr = self.lines(text, lang, style, column)?;
        let height = |lines: &[Line]| lines.iter().map(Line::height).sum::<f32>();
        self.ensure(height(&it).max(height(&tr)));
        let top = self.y;
        self.place_all(it, Align::Left, left, column)?;
        let bottom = self.y;
        self.y = top;
        self.place_all(tr, Align::Start, right, column)?;
        self.y = self.y.max(bottom);
        Ok(())
    }

    fn place_all(
        &mut self,
        lines: Vec<Line>,
        align: Align,
        left: f32,
        width: f32,
    ) -> Result<(), PrintError> {
        for line in lines {
            self.ensure(line.height());
            self.place(line, align, left, width);
        }
        Ok(())
    }

    /// A checklist row in `style`: an empty checkbox, the Italian text, and under it the same item in the
    /// applicant's language (right-aligned for a right-to-left language). The row is kept on one page.
    pub fn bilingual_item(
        &mut self,
        italian: &str,
        other: Option<(&str, &Lang)>,
        style: Style,
    ) -> Result<(), PrintError> {
        // Box and indent scale with the type: 3.1 mm and 6 mm at 9 pt.
        let em_mm = style.size / PT_PER_MM;
        let indent = pt(1.9 * em_mm);
        let side = pt(em_mm);
        let left = self.left() + indent;
        let width = self.content_width() - indent;
        let mut lines = self.lines(italian, &Lang::italian(), style, width)?;
        let first_italian = lines.len();
        if let Some((text, lang)) = other {
            lines.extend(self.lines(text, lang, style, width)?);
        }
        let gap = 0.1 * style.size;
        let height: f32 = lines.iter().map(Line::height).sum::<f32>() + gap;
        self.ensure(height);
        let first_baseline = self.y + lines.first().map_or(0.0, |l| l.ascent);
        let box_bottom = first_baseline + 0.05 * style.size;
        let box_x = self.left();
        self.items().push(Item::Rect {
            x: box_x,
            y: box_bottom - side,
            w: side,
            h: side,
            paint: Paint::Stroke(0.6),
        });
        for (i, line) in lines.into_iter().enumerate() {
            if i == first_italian {
                self.y += gap;
            }
            self.place(line, Align::Start, left, width);
        }
        self.y += 0.4 * style.size;
        Ok(())
    }

    /// A form row of `boxes` one-character boxes with `label` (Italian) above and `value` written one
    /// character per box in block capitals. Refuses a value longer than the row.
    pub fn boxes(&mut self, label: &str, value: &str, boxes: usize) -> Result<(), PrintError> {
        const BOX_W_MM: f32 = 6.0;
        const BOX_H_MM: f32 = 7.0;
        let value: Vec<char> = value.to_uppercase().chars().collect();
        if value.len() > boxes {
            return Err(PrintError::Overflow {
                len: value.len(),
                boxes,
            });
        }
        let italian = Lang::italian();
        let label_style = Style::body().size(8.0);
        let label_lines = self.lines(label, &italian, label_style, self.content_width())?;
        let box_w = pt(BOX_W_MM).min(self.content_width() / boxes.max(1) as f32);
        let box_h = pt(BOX_H_MM);
        let mut cells = Vec::with_capacity(value.len());
        for c in &value {
            let mut lines = self.lines(&c.to_string(), &italian, Style::body().size(12.0), 1e6)?;
            cells.push(lines.pop());
        }
        let height = label_lines.iter().map(Line::height).sum::<f32>() + pt(0.8) + box_h;
        self.ensure(height);
        let left = self.left();
        let width = self.content_width();
        for line in label_lines {
            self.place(line, Align::Left, left, width);
        }
        self.y += pt(0.8);
        let top = self.y;
        for i in 0..boxes {
            let x = left + i as f32 * box_w;
            self.items().push(Item::Rect {
                x,
                y: top,
                w: box_w,
                h: box_h,
                paint: Paint::Stroke(0.6),
            });
            if let Some(Some(line)) = cells.get_mut(i).map(Option::take) {
                let baseline = top + box_h - pt(1.8);
                let cx = x + (box_w - line.width) / 2.0;
                self.items().push(Item::Text {
                    x: cx,
                    y: baseline,
                    line,
                });
            }
        }
        self.y = top + box_h + pt(2.0);
        Ok(())
    }

    /// Left-to-right text set on a fixed pitch, as a monospace face would set it: each character centred
    /// in a cell `cell_mm` wide, each line (`text` split at `\n`, never wrapped) aligned on the content
    /// width as `style` says (`Start` is the left edge), the lines kept together on one page. The shipped
    /// faces are all proportional, and a code a person copies by hand (a recovery key) is read more
    /// surely when its characters stand in columns that can be counted. The lines keep their text: the
    /// PDF writer sees the gaps the cells open between glyphs and gives each line's text as /ActualText,
    /// so it extracts as written. Refused with [`PrintError::Overflow`] when a line's cells do not fit the
    /// content width.
    pub fn fixed_pitch(
        &mut self,
        text: &str,
        style: Style,
        cell_mm: f32,
    ) -> Result<(), PrintError> {
        let cell = pt(cell_mm);
        let fit = (self.content_width() / cell).floor() as usize;
        let mut lines = self.lines(text, &Lang::italian(), style, f32::MAX)?;
        for line in &mut lines {
            let cells = line.text.chars().count();
            if cells > fit {
                return Err(PrintError::Overflow {
                    len: cells,
                    boxes: fit,
                });
            }
            // A cluster (a character with its marks) is the glyph that carries its text and the glyphs
            // after it that carry none; it is centred on as many cells as it has characters.
            let mut next_cell = 0usize;
            // The cluster's first glyph: where the shaper put it, and where its cell puts it.
            let mut moved: Option<(f32, f32)> = None;
            for run in &mut line.runs {
                let face = self.fonts.face(run.face)?;
                for g in &mut run.glyphs {
                    if !g.text.is_empty() {
                        let chars = line.text[g.text.start as usize..g.text.end as usize]
                            .chars()
                            .count();
                        let advance = face.pdf_width(g.gid) * run.size / 1000.0;
                        let span = chars as f32 * cell;
                        moved = Some((g.x, next_cell as f32 * cell + (span - advance) / 2.0));
                        next_cell += chars;
                    }
                    if let Some((from, to)) = moved {
                        g.x = to + (g.x - from);
                    }
                }
            }
            line.width = cells as f32 * cell;
        }
        self.ensure(lines.iter().map(Line::height).sum());
        let (left, width) = (self.left(), self.content_width());
        self.place_all(lines, style.align, left, width)
    }

    /// A figure of filled rectangles (a QR code's dark modules), `width_mm` × `height_mm`, placed at the
    /// cursor like a paragraph: kept whole on one page, aligned on the content width (`Start` is the
    /// left edge), the cursor moved below it. Each rectangle is `[x, y, w, h]` in millimetres from the
    /// figure's top-left corner and is painted `paint`; the figure's area outside them stays blank, so a
    /// margin the figure needs (a QR code's quiet zone) is part of its size.
    pub fn figure(
        &mut self,
        width_mm: f32,
        height_mm: f32,
        align: Align,
        rects: &[[f32; 4]],
        paint: Paint,
    ) {
        let (width, height) = (pt(width_mm), pt(height_mm));
        self.ensure(height);
        let left = match align {
            Align::Start | Align::Left => self.left(),
            Align::Center => self.left() + (self.content_width() - width) / 2.0,
            Align::Right => self.left() + self.content_width() - width,
        };
        let top = self.y;
        for [x, y, w, h] in rects {
            self.items().push(Item::Rect {
                x: left + pt(*x),
                y: top + pt(*y),
                w: pt(*w),
                h: pt(*h),
                paint,
            });
        }
        self.y = top + height;
    }

    /// A thin horizontal rule across the content width, with a little space around it.
    pub fn rule(&mut self) {
        self.ensure(pt(4.0));
        self.y += pt(2.0);
        let (left, right, y) = (self.left(), self.left() + self.content_width(), self.y);
        self.items().push(Item::Rule {
            from: (left, y),
            to: (right, y),
            width: 0.5,
        });
        self.y += pt(2.0);
    }

    /// A straight line on the current page between two points given in millimetres from the page's
    /// top-left corner; `width` in points. Does not move the cursor.
    pub fn line(&mut self, from_mm: (f32, f32), to_mm: (f32, f32), width: f32) {
        self.items().push(Item::Rule {
            from: (pt(from_mm.0), pt(from_mm.1)),
            to: (pt(to_mm.0), pt(to_mm.1)),
            width,
        });
    }

    /// A rectangle on the current page; position and size in millimetres from the page's top-left corner.
    /// Does not move the cursor.
    pub fn rect(&mut self, x_mm: f32, y_mm: f32, w_mm: f32, h_mm: f32, paint: Paint) {
        self.items().push(Item::Rect {
            x: pt(x_mm),
            y: pt(y_mm),
            w: pt(w_mm),
            h: pt(h_mm),
            paint,
        });
    }

    /// Paragraphs placed at a fixed place of the current page, one under the other from `y_mm` (the
    /// top of the first line), each wrapped to `width_mm` from `x_mm` (millimetres from the page's
    /// top-left corner), whatever the cursor: an address that must show through an envelope's window.
    /// Does not move the cursor; answers the block's bottom in millimetres from the page top.
    pub fn block_at(
        &mut self,
        x_mm: f32,
        y_mm: f32,
        width_mm: f32,
        texts: &[(&str, &Lang)],
        style: Style,
    ) -> Result<f32, PrintError> {
        let span = (pt(x_mm), pt(width_mm));
        let mut y = pt(y_mm);
        for (text, lang) in texts {
            y = self.place_text(span, y, text, lang, style, Align::Left)?;
        }
        Ok(y / PT_PER_MM)
    }

    /// `text` wrapped to `span` (left edge and width, points) with its first line's top at `y` (points
    /// from the page top), each line aligned in the span as `align` says; answers the bottom of its last
    /// line in points. Does not move the cursor.
    fn place_text(
        &mut self,
        (left, width): (f32, f32),
        mut y: f32,
        text: &str,
        lang: &Lang,
        style: Style,
        align: Align,
    ) -> Result<f32, PrintError> {
        for line in self.lines(text, lang, style, width)? {
            let x = self.aligned_x(&line, align, left, width);
            let baseline = y + line.ascent;
            y = baseline + line.descent;
            self.items().push(Item::Text {
                x,
                y: baseline,
                line,
            });
        }
        Ok(y)
    }

    /// Moves the cursor down to `y_mm` from the page top (never up, never past the bottom margin).
    pub fn skip_to_mm(&mut self, y_mm: f32) {
        self.y = self.y.max(pt(y_mm)).min(self.bottom());
    }

    /// The cursor: millimetres from the page top to the free space on the current page.
    pub fn cursor_mm(&self) -> f32 {
        self.y / PT_PER_MM
    }

    /// Keeps the next `height_mm` millimetres on one page: moves to a new page unless they fit on this
    /// one. Answers the cursor (millimetres from the page top) where the block may start.
    pub fn reserve(&mut self, height_mm: f32) -> f32 {
        self.ensure(pt(height_mm));
        self.cursor_mm()
    }

    /// One Italian-or-operator-language text placed at a fixed place of the current page, its first
    /// line's top at `y_mm`, wrapped to `width_mm` from `x_mm` and aligned in that width as `style`
    /// says (a chart's labels: right-aligned before a bar, left after it). Does not move the cursor;
    /// answers the text's bottom in millimetres from the page top.
    pub fn text_at(
        &mut self,
        x_mm: f32,
        y_mm: f32,
        width_mm: f32,
        text: &str,
        lang: &Lang,
        style: Style,
    ) -> Result<f32, PrintError> {
        let bottom = self.place_text(
            (pt(x_mm), pt(width_mm)),
            pt(y_mm),
            text,
            lang,
            style,
            style.align,
        )?;
        Ok(bottom / PT_PER_MM)
    }

    /// An open polyline on the current page through `points` (millimetres from the page's top-left
    /// corner), stroked `width` points wide. Does not move the cursor.
    pub fn polyline(&mut self, points: &[(f32, f32)], width: f32) {
        if points.len() < 2 {
            return;
        }
        self.items().push(Item::Path {
            points: points.iter().map(|(x, y)| (pt(*x), pt(*y))).collect(),
            width,
        });
    }

    /// A table across the content width: a bold header row, then `rows`, each cell wrapped in its
    /// column (widths scaled to the content width when they add up to more or less), a thin rule under
    /// the header and under every row. A row is kept on one page; the header is repeated at the top of
    /// every page the table continues on. Rows shorter than the columns leave the rest blank.
    pub fn table(
        &mut self,
        columns: &[Column],
        header: &[String],
        rows: &[Vec<String>],
        lang: &Lang,
        style: Style,
    ) -> Result<(), PrintError> {
        let total: f32 = columns.iter().map(|c| c.width_mm).sum();
        let scale = if total > 0.0 {
            self.content_width() / pt(total)
        } else {
            1.0
        };
        let pad = pt(1.2);
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| pt(c.width_mm) * scale - 2.0 * pad)
            .collect();
        let lay = |doc: &Self, cells: &[String], style: Style| {
            cells
                .iter()
                .zip(&widths)
                .map(|(text, w)| doc.lines(text, lang, style, w.max(1.0)))
                .collect::<Result<Vec<Vec<Line>>, PrintError>>()
        };
        let height = |cells: &[Vec<Line>]| {
            cells
                .iter()
                .map(|ls| ls.iter().map(Line::height).sum::<f32>())
                .fold(0.0f32, f32::max)
                + 2.0 * pad
        };
        let head = lay(self, header, style.bold())?;
        let head_h = height(&head);
        let mut laid = Vec::with_capacity(rows.len());
        for row in rows {
            laid.push(lay(self, row, style)?);
        }
        let place_row = |doc: &mut Self, cells: Vec<Vec<Line>>, h: f32, rule: f32| {
            let top = doc.y;
            let mut x = doc.left();
            for ((lines, w), col) in cells.into_iter().zip(&widths).zip(columns) {
                let mut y = top + pad;
                for line in lines {
                    let lx = doc.aligned_x(&line, col.align, x + pad, *w);
                    let baseline = y + line.ascent;
                    y = baseline + line.descent;
                    doc.items().push(Item::Text {
                        x: lx,
                        y: baseline,
                        line,
                    });
                }
                x += w + 2.0 * pad;
            }
            doc.y = top + h;
            let (l, r, y) = (doc.left(), doc.left() + doc.content_width(), doc.y);
            doc.items().push(Item::Rule {
                from: (l, y),
                to: (r, y),
                width: rule,
            });
        };
        self.ensure(head_h + laid.first().map_or(0.0, |c| height(c)));
        place_row(self, head.clone(), head_h, 0.8);
        for cells in laid {
            let h = height(&cells);
            if self.y + h > self.bottom() && self.y > self.top() {
                self.new_page();
                place_row(self, head.clone(), head_h, 0.8);
            }
            place_row(self, cells, h, 0.3);
        }
        Ok(())
    }
}
