//! The funder's report as a printable PDF (issue 15): a cover (the definition's title, the period, the
//! desk and its Comune from `desk_papers.toml`, the day it was produced, the suppression rule, the
//! definition's funder, source and the date it was read, and every indicator marked `verify` with its
//! reason), the charts the report screen draws (bars by month, by service and by citizenship, and the
//! trend by month), drawn as vectors with a value written beside every bar and point so they read
//! without colour, then every table of the `Report` as it was built, and the staff timesheet as one
//! page per operator with the signature lines. Its own texts are `report.pdf.*` of the operator
//! languages (`locales/core/<locale>.yml`, `reference::CORE_LOCALES`); the report's are the report's.
//!
//! It must not count, round or suppress anything: it lays out a `register::report::Report`, whose
//! cells are already aggregates and whose small counts are already "<n" (a suppressed bar is drawn as a
//! short empty stub, never at its size). It is never filed (it belongs to no case): the PDF is returned
//! for the printer, the viewer or the save dialog.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::error::Result;
use crate::papers::print::{Align, Column, Document, FontLibrary, Lang, PageSetup, Paint, Style};
use crate::register::report::{Cell, Definition, Report, ReportTable};
use crate::register::Register;

/// The table and column the bar charts draw, as the report screen does (`ui/js/views/reports.js`):
/// contacts by month and by service, persons by citizenship.
pub const BARS: [(&str, usize); 3] = [("months", 2), ("services", 2), ("citizenships", 1)];

/// Every `report.pdf.*` key this module prints, for the translations test.
pub const KEYS: [&str; 17] = [
    "period",
    "desk",
    "address",
    "produced",
    "definition",
    "source",
    "rule",
    "verify_title",
    "verify_line",
    "verify_none",
    "charts",
    "chart_bars",
    "chart_trend",
    "legend",
    "suppressed_bar",
    "timesheet_for",
    "empty",
];

/// `report.pdf.<key>` in `locale`, placeholders filled; the key itself when missing (a test checks
/// none is). The reports' own strings (`register::report::t`) read the same catalogue.
pub fn text(locale: &str, key: &str, values: &[(&str, &str)]) -> String {
    let values: Vec<(&str, String)> = values.iter().map(|(n, v)| (*n, v.to_string())).collect();
    crate::register::report::t(locale, &format!("pdf.{key}"), &values)
}

/// A cell as printed: counts as integers, "<n" for a suppressed count, decimals with two places and
/// the operator language's decimal mark.
pub fn cell_text(cell: &Cell, locale: &str) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Suppressed(under) => format!("<{under}"),
        Cell::Decimal(x) if locale == "en" => format!("{x:.2}"),
        Cell::Decimal(x) => format!("{x:.2}").replace('.', ","),
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The PDF of `report`, built under `definition` (the cover shows its source and `verify` marks), its
/// own texts in `locale` (an operator language), produced `today`; the desk's name and Comune come
/// from the content in force.
pub fn render(
    register: &Register,
    fonts: &FontLibrary,
    report: &Report,
    definition: &Definition,
    locale: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let desk = &register.desk_papers().desk;
    let (from, to) = (date(report.period.from), date(report.period.to));
    let setup = PageSetup::a4()
        .headed(format!("{} · {from} – {to}", report.title))
        .footed(register.content().stamp.footer());
    let mut doc = Document::new(fonts, setup)?;
    let lang = Lang::new(locale, "Latn", "ltr")?;
    let t = |key: &str, values: &[(&str, &str)]| text(locale, key, values);

    // The cover.
    doc.paragraph(&report.title, &lang, Style::title().size(18.0))?;
    doc.space(4.0);
    let body = Style::body();
    doc.paragraph(
        &t("period", &[("from", &from), ("to", &to)]),
        &lang,
        body.bold(),
    )?;
    doc.paragraph(&t("desk", &[("desk", &desk.name)]), &lang, body)?;
    doc.paragraph(
        &t("address", &[("street", &desk.street), ("town", &desk.town)]),
        &lang,
        body,
    )?;
    doc.paragraph(&t("produced", &[("date", &date(today))]), &lang, body)?;
    doc.rule();
    cover_definition(&mut doc, definition, &lang, locale)?;
    doc.space(2.0);
    doc.paragraph(&t("rule", &[]), &lang, body.bold())?;
    doc.paragraph(&report.rule, &lang, body)?;

    // The charts.
    let bars: Vec<(&ReportTable, usize)> = BARS
        .iter()
        .filter_map(|(id, col)| report.table(id).map(|tb| (tb, *col)))
        .filter(|(tb, col)| !tb.rows.is_empty() && tb.columns.len() > *col)
        .collect();
    let months = report.table("months").filter(|tb| !tb.rows.is_empty());
    if !bars.is_empty() || months.is_some() {
        doc.page_break();
        doc.paragraph(&t("charts", &[]), &lang, Style::title())?;
        doc.paragraph(
            &t(
                "suppressed_bar",
                &[("n", &report.suppress_under.to_string())],
            ),
            &lang,
            body.size(8.5),
        )?;
        for (tb, col) in bars {
            bar_chart(&mut doc, tb, col, &lang, locale)?;
        }
        if let Some(tb) = months {
            trend_chart(&mut doc, tb, &lang, locale)?;
        }
    }

    // The tables.
    for tb in &report.tables {
        if tb.id == "timesheet" {
            timesheet(&mut doc, tb, &lang, locale)?;
            continue;
        }
        doc.page_break();
        table(&mut doc, tb, &tb.rows, &lang, locale)?;
    }
    Ok(doc.render()?)
}

/// The definition on the cover: its title and funder, its source and when it was read, and every
/// indicator whose wording or mapping is still to be checked, with why.
fn cover_definition(
    doc: &mut Document<'_>,
    d: &Definition,
    lang: &Lang,
    locale: &str,
) -> Result<()> {
    let t = |key: &str, values: &[(&str, &str)]| text(locale, key, values);
    let body = Style::body();
    doc.paragraph(
        &t(
            "definition",
            &[
                ("title", d.title(locale)),
                ("id", &d.id),
                ("funder", &d.funder),
            ],
        ),
        lang,
        body,
    )?;
    doc.paragraph(
        &t("source", &[("source", &d.source), ("read_on", &d.read_on)]),
        lang,
        body.size(9.0),
    )?;
    doc.space(2.0);
    doc.paragraph(&t("verify_title", &[]), lang, body.bold())?;
    let flagged: Vec<_> = d.indicators.iter().filter(|i| i.verify).collect();
    if flagged.is_empty() {
        doc.paragraph(&t("verify_none", &[]), lang, body.size(9.0))?;
    }
    for i in flagged {
        let label = if locale == "en" {
            &i.label_en
        } else {
            &i.label_it
        };
        doc.paragraph(
            &t(
                "verify_line",
                &[
                    ("code", &i.code),
                    ("label", label),
                    ("reason", i.verify_reason.trim()),
                    ("source", &i.source),
                ],
            ),
            lang,
            body.size(9.0),
        )?;
        doc.space(1.0);
    }
    Ok(())
}

/// The value a chart draws from a cell: a count, or `None` (a suppressed count, text or nothing).
fn value(cell: Option<&Cell>) -> Option<u64> {
    match cell {
        Some(Cell::Count(n)) => Some(*n),
        _ => None,
    }
}

/// Chart geometry, in millimetres from the page's left edge (A4, 18 mm margins).
const LEFT: f32 = 18.0;
const LABEL_W: f32 = 52.0;
const BAR_W: f32 = 96.0;
const ROW_H: f32 = 6.0;

/// A horizontal bar chart of column `col` of `tb`: each row's label before its bar, a grey bar with a
/// black outline, and the value written after it; a suppressed count is a short empty stub with "<n".
fn bar_chart(
    doc: &mut Document<'_>,
    tb: &ReportTable,
    col: usize,
    lang: &Lang,
    locale: &str,
) -> Result<()> {
    doc.space(5.0);
    doc.reserve(10.0 + ROW_H * tb.rows.len().min(3) as f32);
    doc.paragraph(
        &text(
            locale,
            "chart_bars",
            &[("table", &tb.title), ("column", &tb.columns[col])],
        ),
        lang,
        Style::body().bold().size(9.5),
    )?;
    doc.space(1.5);
    let max = tb
        .rows
        .iter()
        .filter_map(|r| value(r.get(col)))
        .max()
        .unwrap_or(0)
        .max(1);
    let small = Style::body().size(8.0);
    let axis = LEFT + LABEL_W;
    for row in &tb.rows {
        let top = doc.reserve(ROW_H);
        let label = row
            .first()
            .map(|c| cell_text(c, locale))
            .unwrap_or_default();
        let label: String = if label.chars().count() > 34 {
            label.chars().take(33).chain(['…']).collect()
        } else {
            label
        };
        doc.text_at(
            LEFT,
            top + 1.0,
            LABEL_W - 2.0,
            &label,
            lang,
            small.align(Align::Right),
        )?;
        let cell = row.get(col).cloned().unwrap_or(Cell::Count(0));
        let (w, paint) = match &cell {
            Cell::Count(n) => (BAR_W * *n as f32 / max as f32, Some(Paint::Fill(0.6))),
            Cell::Suppressed(_) => (3.0, None),
            _ => (0.0, None),
        };
        if w > 0.0 {
            if let Some(fill) = paint {
                doc.rect(axis, top + 1.0, w, ROW_H - 2.0, fill);
            }
            doc.rect(axis, top + 1.0, w, ROW_H - 2.0, Paint::Stroke(0.6));
        }
        doc.line((axis, top), (axis, top + ROW_H), 0.6);
        doc.text_at(
            axis + w + 1.5,
            top + 1.0,
            24.0,
            &cell_text(&cell, locale),
            lang,
            small.bold(),
        )?;
        doc.skip_to_mm(top + ROW_H);
    }
    Ok(())
}

/// The trend by month of the months table's persons (column 1: a thick line, filled squares) and
/// contacts (column 2: a thin line, empty squares), every point's value written beside it; a
/// suppressed month breaks the line and is written "<n" on the axis.
fn trend_chart(doc: &mut Document<'_>, tb: &ReportTable, lang: &Lang, locale: &str) -> Result<()> {
    const PLOT_W: f32 = 150.0;
    const PLOT_H: f32 = 50.0;
    const X0: f32 = LEFT + 14.0;
    doc.space(6.0);
    let top = doc.reserve(PLOT_H + 30.0);
    let columns = |i: usize| tb.columns.get(i).cloned().unwrap_or_default();
    let bottom = doc.text_at(
        LEFT,
        top,
        174.0,
        &text(locale, "chart_trend", &[("table", &tb.title)]),
        lang,
        Style::body().bold().size(9.5),
    )?;
    let legend = text(
        locale,
        "legend",
        &[("thick", &columns(1)), ("thin", &columns(2))],
    );
    let bottom = doc.text_at(
        LEFT,
        bottom + 1.0,
        174.0,
        &legend,
        lang,
        Style::body().size(8.0),
    )?;
    let plot_top = bottom + 6.0;
    let base = plot_top + PLOT_H;
    let series: [Vec<Option<u64>>; 2] =
        [1, 2].map(|c| tb.rows.iter().map(|r| value(r.get(c))).collect());
    let max = series
        .iter()
        .flatten()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let small = Style::body().size(7.0);
    // Axes and the gridline at the maximum, labelled.
    doc.line((X0, plot_top), (X0, base), 0.6);
    doc.line((X0, base), (X0 + PLOT_W, base), 0.6);
    doc.line((X0 - 1.0, plot_top), (X0 + PLOT_W, plot_top), 0.2);
    for (v, y) in [(0, base), (max, plot_top)] {
        doc.text_at(
            LEFT,
            y - 1.5,
            12.0,
            &v.to_string(),
            lang,
            small.align(Align::Right),
        )?;
    }
    let n = tb.rows.len().max(1);
    let step = PLOT_W / n as f32;
    let x = |i: usize| X0 + step * (i as f32 + 0.5);
    let y = |v: u64| base - PLOT_H * v as f32 / max as f32;
    for (i, row) in tb.rows.iter().enumerate() {
        let month = row
            .first()
            .map(|c| cell_text(c, locale))
            .unwrap_or_default();
        doc.text_at(
            x(i) - step / 2.0,
            base + 1.0,
            step,
            &month,
            lang,
            small.align(Align::Center),
        )?;
        doc.line((x(i), base), (x(i), base + 0.8), 0.4);
    }
    for (s, points) in series.iter().enumerate() {
        let (width, side) = if s == 0 { (1.4, 1.8) } else { (0.6, 1.8) };
        let mut run: Vec<(f32, f32)> = Vec::new();
        for (i, v) in points.iter().enumerate() {
            match v {
                Some(v) => {
                    let p = (x(i), y(*v));
                    run.push(p);
                    let paint = if s == 0 {
                        Paint::Fill(0.0)
                    } else {
                        Paint::Stroke(0.6)
                    };
                    if s == 1 {
                        // An empty square over the line: white inside, then its outline.
                        doc.rect(
                            p.0 - side / 2.0,
                            p.1 - side / 2.0,
                            side,
                            side,
                            Paint::Fill(1.0),
                        );
                    }
                    doc.rect(p.0 - side / 2.0, p.1 - side / 2.0, side, side, paint);
                    // Persons' values above their point, contacts' below.
                    let ty = if s == 0 { p.1 - 4.5 } else { p.1 + 1.5 };
                    doc.text_at(
                        p.0 - 8.0,
                        ty,
                        16.0,
                        &v.to_string(),
                        lang,
                        small.align(Align::Center),
                    )?;
                }
                None => {
                    doc.polyline(&run, width);
                    run.clear();
                    let shown = tb.rows[i].get(s + 1).map(|c| cell_text(c, locale));
                    if let Some(shown) = shown.filter(|t| t.starts_with('<')) {
                        let ty = base - 4.0 - 3.0 * s as f32;
                        doc.text_at(
                            x(i) - 8.0,
                            ty,
                            16.0,
                            &shown,
                            lang,
                            small.align(Align::Center),
                        )?;
                    }
                }
            }
        }
        doc.polyline(&run, width);
    }
    doc.skip_to_mm(base + 8.0);
    Ok(())
}

/// A table of the report with its title, the given rows and its notes: text columns wider than
/// number columns, numbers aligned on the right.
fn table(
    doc: &mut Document<'_>,
    tb: &ReportTable,
    rows: &[Vec<Cell>],
    lang: &Lang,
    locale: &str,
) -> Result<()> {
    doc.paragraph(&tb.title, lang, Style::title().size(13.0))?;
    doc.space(1.5);
    let text_column = |c: usize| {
        rows.iter()
            .any(|r| matches!(r.get(c), Some(Cell::Text(s)) if !s.is_empty()))
    };
    let columns: Vec<Column> = (0..tb.columns.len())
        .map(|c| {
            if text_column(c) {
                Column {
                    width_mm: if c == 0 { 3.2 } else { 2.4 },
                    align: Align::Left,
                }
            } else {
                Column {
                    width_mm: 1.4,
                    align: Align::Right,
                }
            }
        })
        .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cell_text(c, locale)).collect())
        .collect();
    let size = if tb.columns.len() > 5 { 7.5 } else { 9.0 };
    doc.table(
        &columns,
        &tb.columns,
        &cells,
        lang,
        Style::body().size(size),
    )?;
    if rows.is_empty() {
        doc.paragraph(&text(locale, "empty", &[]), lang, Style::body().size(9.0))?;
    }
    doc.space(2.0);
    for note in &tb.notes {
        doc.paragraph(note, lang, Style::body().size(8.5))?;
    }
    Ok(())
}

/// The timesheet as a page per operator: the operator's months and hours, the note, and the
/// signature lines of the operator and the responsabile (the table's notes). Without rows, the table
/// as it is, on one page.
fn timesheet(doc: &mut Document<'_>, tb: &ReportTable, lang: &Lang, locale: &str) -> Result<()> {
    let mut by: BTreeMap<String, Vec<Vec<Cell>>> = BTreeMap::new();
    for row in tb.rows.iter().filter(|r| !r.is_empty()) {
        let name = row
            .first()
            .map(|c| cell_text(c, locale))
            .unwrap_or_default();
        by.entry(name).or_default().push(row.clone());
    }
    if by.is_empty() {
        doc.page_break();
        return table(doc, tb, &[], lang, locale);
    }
    for (name, rows) in by {
        doc.page_break();
        // The page names the operator: its table leaves the operator column out.
        let titled = ReportTable {
            title: format!(
                "{} – {}",
                tb.title,
                text(locale, "timesheet_for", &[("operator", &name)])
            ),
            columns: tb.columns.iter().skip(1).cloned().collect(),
            notes: Vec::new(),
            ..tb.clone()
        };
        let rows: Vec<Vec<Cell>> = rows.into_iter().map(|r| r[1..].to_vec()).collect();
        table(doc, &titled, &rows, lang, locale)?;
        doc.space(2.0);
        let mut notes = tb.notes.iter();
        if let Some(note) = notes.next() {
            doc.paragraph(note, lang, Style::body().size(8.5))?;
        }
        for sign in notes {
            doc.space(14.0);
            doc.paragraph(sign, lang, Style::body())?;
        }
    }
    Ok(())
}
