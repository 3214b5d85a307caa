//! A report as files for the office's spreadsheets (issue 15): CSV that opens right in Italian Excel and
//! LibreOffice (`;` between fields, UTF-8 with a byte-order mark, comma decimals, the tables one after
//! the other, each under its title, with its notes and the suppression rule), and XLSX with one sheet per
//! table (`rust_xlsxwriter`). It owns only the layout: it returns bytes, and the caller (the shell's save
//! dialog, the command line) writes them where the operator chose. It must not count anything nor see
//! a row about a person: it only lays out a `report::Report`, whose cells are already aggregates.

use rust_xlsxwriter::{Format, Workbook};

use crate::error::{Error, Result};
use crate::register::report::{Cell, Report};

/// A cell as the CSV writes it: counts as integers, decimals with a comma and two places, suppressed
/// counts "<5".
fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Suppressed(under) => format!("<{under}"),
        Cell::Decimal(x) => format!("{x:.2}").replace('.', ","),
    }
}

/// The whole report as one CSV file (see the module doc).
pub fn csv(report: &Report) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_writer(&mut out);
        let io = |e: csv::Error| Error::Io(std::io::Error::other(e.to_string()));
        w.write_record([report.title.as_str()]).map_err(io)?;
        w.write_record([format!("{} – {}", report.period.from, report.period.to)])
            .map_err(io)?;
        w.write_record([report.rule.as_str()]).map_err(io)?;
        for table in &report.tables {
            w.write_record([""]).map_err(io)?;
            w.write_record([table.title.as_str()]).map_err(io)?;
            w.write_record(&table.columns).map_err(io)?;
            for row in &table.rows {
                w.write_record(row.iter().map(csv_text)).map_err(io)?;
            }
            for note in &table.notes {
                w.write_record([note.as_str()]).map_err(io)?;
            }
        }
        w.flush()?;
    }
    Ok(out)
}

/// The report as an XLSX workbook: a sheet per table (named after its id, which is short and has no
/// character a sheet name refuses), the title, period and rule above the headers, numbers as numbers
/// (a suppressed count is the text "<5"), notes below.
pub fn xlsx(report: &Report) -> Result<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Io(std::io::Error::other(e.to_string()));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let decimal = Format::new().set_num_format("0.00");
    for table in &report.tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&table.id).map_err(fail)?;
        sheet
            .write_string_with_format(0, 0, &table.title, &bold)
            .map_err(fail)?;
        sheet
            .write_string(
                1,
                0,
                format!(
                    "{} – {} · {}",
                    report.period.from, report.period.to, report.title
                ),
            )
            .map_err(fail)?;
        sheet.write_string(2, 0, &report.rule).map_err(fail)?;
        for (c, header) in table.columns.iter().enumerate() {
            sheet
                .write_string_with_format(4, c as u16, header, &bold)
                .map_err(fail)?;
        }
        let mut r = 5u32;
        for row in &table.rows {
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                    Cell::Count(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                    Cell::Suppressed(under) => {
                        sheet.write_string(r, c, format!("<{under}")).map(|_| ())
                    }
                    Cell::Decimal(x) => sheet
                        .write_number_with_format(r, c, *x, &decimal)
                        .map(|_| ()),
                }
                .map_err(fail)?;
            }
            r += 1;
        }
        r += 1;
        for note in &table.notes {
            sheet.write_string(r, 0, note).map_err(fail)?;
            r += 1;
        }
    }
    book.save_to_buffer().map_err(fail)
}
