//! The register's recovery sheet: the one page the responsabile keeps sealed in the Comune's safe, which
//! holds the recovery key (the random text that unwraps the register's database key when every
//! operator's passphrase is lost). It owns the sheet's content and layout: what the key is for and who
//! can read what with it, how to keep it and what losing it means, the key in large fixed-pitch groups and
//! as a QR code (error correction Q, drawn as vector rectangles with its quiet zone), the register it
//! opens, when and by whom it was issued, and the lines for the responsabile's signature and the sealing
//! date. Italian is always printed; the operator's language stands beside it when it is not Italian. The
//! texts are `recovery.*` of `locales/core/<locale>.yml`, the operator languages' files.
//!
//! It must not make, keep or check the key against the register (the key slots do), nor write the sheet
//! anywhere: it returns the PDF's bytes, which belong on paper, never in the print folder or on a stick.
//! It belongs to no case and is not a `Paper`.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use qrcode::EcLevel;

use crate::error::{Error, FieldCode, FieldError, Result};
use crate::papers::checklist::params;
use crate::papers::print::{Align, Document, FontLibrary, Lang, PageSetup, Style};
use crate::papers::qr;
use crate::reference::catalogue::{parse_locale, Strings};
use crate::reference::CORE_LOCALES;

/// What a recovery sheet prints.
#[derive(Debug, Clone, Copy)]
pub struct RecoverySheet<'a> {
    /// The recovery key exactly as it unlocks the register: groups of four base32 characters (RFC 4648:
    /// `A`–`Z`, `2`–`7`) joined by hyphens, `ABCD-EFGH-…`; printed and encoded in the QR code as given.
    pub key: &'a str,
    /// The UUID naming the data folder's register, printed as given.
    pub register_id: &'a str,
    /// When the key was issued, RFC 3339 (`2026-11-26T12:00:00.000Z`); printed to the minute in the
    /// offset it carries, which is named (`UTC`, `UTC+01:00`). Text that is not RFC 3339 is printed as
    /// given.
    pub issued_at: &'a str,
    /// The operator who issued it.
    pub issued_by: &'a str,
    /// The Comune's name without "Comune di" (`Lucca`).
    pub comune: &'a str,
}

/// The most groups a key may have: four lines of four groups still leave the sheet on one page.
const MAX_GROUPS: usize = 16;
/// Groups per printed line of the key.
const GROUPS_PER_LINE: usize = 4;
/// The key's characters: 20 pt bold, on a 7.5 mm pitch (Noto Sans Bold's widest capital, W, advances
/// 6.8 mm at that size, so even two W's stand apart); a line of four groups is 150 mm wide.
const KEY_SIZE: f32 = 20.0;
const KEY_PITCH_MM: f32 = 7.5;
/// A QR module's side. At 1.2 mm the key's code (version 4 at level Q, 33 modules) with its quiet zone
/// is 49 mm square: big for any hand-held reader, and seven pixels a module when scanned at 150 dpi.
const MODULE_MM: f32 = 1.2;

/// The recovery sheet as a one-page A4 PDF, in Italian and, when `locale` is not `it`, in the
/// operator's language beside it. `locale` is an operator language (`it`, `en`); any other is refused
/// on the `locale` field, and a key not made of base32 groups on `recovery.key`. A character of the
/// operator's or the Comune's name no shipped font has is refused as `missing_glyphs`.
///
/// The print engine's memo is emptied afterwards: the key's laid-out lines and page would otherwise stay
/// in the library's tables for as long as the app runs. (That drops the entries, it does not overwrite
/// memory; the PDF returned holds the key too, and is the caller's to send to the printer and drop.)
pub fn render(fonts: &FontLibrary, sheet: &RecoverySheet, locale: &str) -> Result<Vec<u8>> {
    let other = match locale {
        "it" => None,
        code => Some(
            CORE_LOCALES
                .iter()
                .find(|(c, _, _)| *c == code)
                .ok_or_else(|| {
                    Error::Invalid(vec![FieldError::new("locale", FieldCode::UnknownCode)])
                })
                .and_then(|&(code, file, text)| Texts::load(code, file, text))?,
        ),
    };
    check_key(sheet.key)?;
    let (_, file, text) = CORE_LOCALES[0];
    let italian = Texts::load("it", file, text)?;
    let result = write(fonts, sheet, &italian, other.as_ref());
    fonts.clear_memo();
    result
}

/// A key of one to `MAX_GROUPS` groups of four base32 characters joined by single hyphens. The sheet
/// promises the reader that O and I are letters (base32 has no 0 and no 1), and lays the key out four
/// groups to a line.
fn check_key(key: &str) -> Result<()> {
    let groups: Vec<&str> = key.split('-').collect();
    let base32 = |c: char| c.is_ascii_uppercase() || ('2'..='7').contains(&c);
    if groups.len() <= MAX_GROUPS
        && groups
            .iter()
            .all(|g| g.chars().count() == 4 && g.chars().all(base32))
    {
        Ok(())
    } else {
        Err(Error::Invalid(vec![FieldError::new(
            "recovery.key",
            FieldCode::RecoveryKeyFormat,
        )]))
    }
}

/// One operator language's `recovery.*` texts.
struct Texts {
    code: &'static str,
    file: &'static str,
    strings: Strings,
    lang: Lang,
}

impl Texts {
    fn load(code: &'static str, file: &'static str, text: &str) -> Result<Texts> {
        Ok(Texts {
            code,
            file,
            strings: parse_locale((file, text))?,
            // Both operator languages are written in Latin script, left to right.
            lang: Lang::new(code, "Latn", "ltr")?,
        })
    }

    /// `recovery.<key>` with its `%{name}` placeholders filled; a missing text is a data error naming
    /// the file.
    fn get(&self, key: &str, values: &BTreeMap<String, String>) -> Result<String> {
        crate::papers::wording::filled(
            &self.strings,
            self.file,
            self.code,
            &format!("recovery.{key}"),
            values,
        )
    }
}

/// Prints `recovery.<key>` in Italian, with the operator's language beside it when there is one.
struct Writer<'a, 'f> {
    doc: Document<'f>,
    italian: &'a Texts,
    other: Option<&'a Texts>,
}

impl Writer<'_, '_> {
    /// The label `recovery.<key>`: Italian, then ` / ` and the operator's language when there is one.
    /// A blank to fill in is labelled once, so that nobody signs twice.
    fn label(&self, key: &str) -> Result<String> {
        let none = BTreeMap::new();
        let italian = self.italian.get(key, &none)?;
        Ok(match self.other {
            None => italian,
            Some(other) => format!("{italian} / {}", other.get(key, &none)?),
        })
    }

    fn say(&mut self, key: &str, values: &BTreeMap<String, String>, style: Style) -> Result<()> {
        let italian = self.italian.get(key, values)?;
        match self.other {
            None => self.doc.paragraph(&italian, &self.italian.lang, style)?,
            Some(other) => {
                let text = other.get(key, values)?;
                self.doc
                    .parallel(&italian, Some((&text, &other.lang)), style)?
            }
        }
        Ok(())
    }
}

fn write(
    fonts: &FontLibrary,
    sheet: &RecoverySheet,
    italian: &Texts,
    other: Option<&Texts>,
) -> Result<Vec<u8>> {
    let none = BTreeMap::new();
    // Tight margins: with the operator's language beside the Italian, the sheet still fits one page.
    let setup = PageSetup {
        page_numbers: false,
        ..PageSetup::a4_tight()
    };
    let mut w = Writer {
        doc: Document::new(fonts, setup)?,
        italian,
        other,
    };
    let body = Style::body().size(10.0);
    w.doc.paragraph(
        &italian.get("comune", &params([("comune", sheet.comune.to_string())]))?,
        &italian.lang,
        body.bold(),
    )?;
    w.doc.space(2.0);
    w.doc
        .paragraph(&italian.get("title", &none)?, &italian.lang, Style::title())?;
    if let Some(other) = other {
        w.doc.paragraph(
            &other.get("title", &none)?,
            &other.lang,
            Style::title().size(12.0),
        )?;
    }
    w.doc.space(3.0);
    w.say("confidential", &none, body.bold())?;
    w.doc.space(2.0);
    for key in ["purpose", "keep", "loss"] {
        w.say(key, &none, body)?;
        w.doc.space(2.0);
    }

    w.doc.rule();
    w.say("key_label", &none, body.bold())?;
    w.doc.space(3.0);
    let lines: Vec<String> = sheet
        .key
        .split('-')
        .collect::<Vec<_>>()
        .chunks(GROUPS_PER_LINE)
        .map(|groups| groups.join("-"))
        .collect();
    // A line that goes on ends with the hyphen the key has there: the printed lines, joined, are the key.
    w.doc.fixed_pitch(
        &lines.join("-\n"),
        Style::title().size(KEY_SIZE).align(Align::Center),
        KEY_PITCH_MM,
    )?;
    w.doc.space(3.0);
    w.say("characters", &none, Style::body().size(9.0))?;
    w.doc.space(3.0);
    // Level Q: a quarter of the code may be lost to a fold or a stain and it still reads (the sheet
    // may lie in the safe for years).
    qr::draw(
        &mut w.doc,
        sheet.key.as_bytes(),
        EcLevel::Q,
        MODULE_MM,
        Align::Center,
    )?;
    w.doc.space(1.0);
    w.say("qr", &none, Style::body().size(9.0))?;

    w.doc.rule();
    let register = format!("{}: {}", w.label("register")?, sheet.register_id);
    w.doc.paragraph(&register, &italian.lang, body)?;
    w.doc.space(1.0);
    let moment = DateTime::parse_from_rfc3339(sheet.issued_at.trim()).ok();
    let issued = |texts: &Texts| -> Result<String> {
        let when = match moment {
            Some(m) => texts.get("moment", &when(m))?,
            None => sheet.issued_at.to_string(),
        };
        texts.get(
            "issued",
            &params([("when", when), ("operator", sheet.issued_by.to_string())]),
        )
    };
    let italian_issued = issued(italian)?;
    match other {
        None => w.doc.paragraph(&italian_issued, &italian.lang, body)?,
        Some(o) => w
            .doc
            .parallel(&italian_issued, Some((&issued(o)?, &o.lang)), body)?,
    }
    w.doc.space(6.0);
    let signature = w.label("signature")?;
    w.doc.paragraph(&signature, &italian.lang, body)?;
    w.doc.space(9.0);
    w.doc.paragraph(&"_".repeat(48), &italian.lang, body)?;
    w.doc.space(6.0);
    let sealed = format!("{}: ____ / ____ / ________", w.label("sealed")?);
    w.doc.paragraph(&sealed, &italian.lang, body)?;
    Ok(w.doc.render()?)
}

/// A moment's `date` (`26/11/2026`) and `time` with its offset named (`12:00 UTC`, `13:00 UTC+01:00`):
/// the sheet prints the offset the caller gave rather than guess the desk's time zone.
fn when(moment: DateTime<FixedOffset>) -> BTreeMap<String, String> {
    let zone = if moment.offset().local_minus_utc() == 0 {
        "UTC".to_string()
    } else {
        format!("UTC{}", moment.format("%:z"))
    };
    params([
        ("date", moment.format("%d/%m/%Y").to_string()),
        ("time", format!("{} {zone}", moment.format("%H:%M"))),
    ])
}
