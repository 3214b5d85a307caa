//! The bilingual document checklist of a case: what to bring, what it costs and how to pay, the income
//! threshold, what to know and what happens next — each line in Italian and, under it, in the applicant's
//! language. It owns turning a resolved checklist (`catalogue`) into a `Sheet` of translated lines (the
//! UI's preview shows exactly that) and printing a sheet through the print engine. It must not decide
//! which documents or amounts apply (that is `catalogue` and `fees`) nor hold any text: every word comes
//! from `locales/checklist/<lang>.yml`, except the preface under the title (the Italian office names
//! explained, the mark of an unreviewed translation), which is `papers::wording`'s.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, FieldCode, FieldError, Missing, Result};
use crate::model::CaseView;
use crate::papers::print::{Document, FontLibrary, Lang, PageSetup, PrintError, Style};
use crate::papers::wording::Preface;
use crate::reference::catalogue::{FeeLine, ResolvedChecklist, ResolvedLine, Selection};
use crate::reference::content::Texts;
use crate::reference::data::ReadOn;
use crate::register::choices::LanguageChoice;
use crate::register::Register;

/// What the operator asks for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub selection: Selection<'a>,
    /// Language of the applicant's lines (a code of `languages.toml`).
    pub language: &'a str,
    /// The copy for the file: Italian lines only.
    pub italian_only: bool,
}

/// One printed line in both languages (`other` is absent on the Italian-only copy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    pub italian: String,
    pub other: Option<String>,
    /// A thing to bring: printed with a checkbox.
    pub check: bool,
    /// Marked "to verify" in the data.
    pub verify: bool,
    /// For the operator's preview only, never printed: where the line comes from, how strong that is,
    /// and the reason it is flagged (both readings of a conflict).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<Operator>,
}

/// What the operator's screen shows beside a catalogue line (never on the applicant's paper).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operator {
    pub source: String,
    /// The source is an official page (Questura, Prefettura, Poste, Ministero, Regione, Comune, …).
    pub official: bool,
    /// When the source was read (`2026`, `2026-12`, `2026-12-05`), where the table records it.
    pub read_on: Option<String>,
    /// Why the line is flagged; for a conflict, both readings.
    pub note: Option<String>,
}

impl Operator {
    fn of(
        source: &str,
        official: bool,
        read_on: ReadOn,
        note: &Option<String>,
    ) -> Option<Operator> {
        Some(Operator {
            source: source.to_string(),
            official,
            read_on: Some(read_on.to_string()),
            note: note.clone(),
        })
    }

    fn of_fee(fee: &FeeLine) -> Option<Operator> {
        Operator::of(&fee.source, fee.official, fee.read_on, &fee.note)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub heading: Line,
    pub lines: Vec<Line>,
}

/// The whole checklist, translated, as the PDF prints it and the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sheet {
    /// Language of `other` lines and its direction (`ltr`/`rtl`).
    pub language: String,
    pub dir: String,
    pub header: Vec<Line>,
    pub title: Line,
    pub sections: Vec<Section>,
    /// Whether any line is marked "to verify" (a footnote then says so).
    pub verify: bool,
    /// Under the title: the Italian office names explained and the mark of an unreviewed translation
    /// (`wording::Preface`); empty on the Italian-only copy.
    pub preface: Preface,
    /// When the procedure's data was last checked, printed small at the foot of every page.
    pub checked_on: Line,
    /// For the operator's preview only, never printed: why the procedure itself is flagged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator_note: Option<String>,
    /// That footnote, when `verify`.
    pub footnote: Option<Line>,
    /// The content the sheet was made from (`Contenuti v2026.1 (01/12/2026)`), printed at the foot of
    /// every page; empty for a sheet made outside a register.
    pub content: String,
}

/// A date as precise as it is known, the Italian way: `05/12/2026`, `12/2026` or `2026`.
pub fn read_on_text(date: ReadOn) -> String {
    match (date.month, date.day) {
        (Some(m), Some(d)) => format!("{d:02}/{m:02}/{:04}", date.year),
        (Some(m), None) => format!("{m:02}/{:04}", date.year),
        _ => format!("{:04}", date.year),
    }
}

/// `1234567` → `12.345,67`: amounts are written the Italian way in both languages, so the applicant's line
/// shows the same figure the Poste clerk reads.
pub fn euros(cents: i64) -> String {
    let units = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    format!("{grouped},{:02}", cents % 100)
}

pub(crate) fn params<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The locale areas the applicant's papers print from (the checklist's lines, the receipt and the
/// privacy notice take their preface from `papers`).
pub(crate) const AREAS: [&str; 2] = ["checklist", "papers"];

/// Between a qualifier and its line: the translations hold the qualifier without punctuation.
pub const QUALIFIER_SEPARATOR: &str = ": ";

/// Builds lines in Italian and, unless Italian-only, in `other`, from the content's texts.
struct Writer<'a> {
    texts: &'a Texts,
    other: Option<&'a str>,
}

impl Writer<'_> {
    fn line(
        &self,
        key: &str,
        params: &BTreeMap<String, String>,
        check: bool,
        verify: bool,
    ) -> Line {
        Line {
            italian: self.texts.text(key, "it", params),
            other: self.other.map(|lang| self.texts.text(key, lang, params)),
            check,
            verify,
            operator: None,
        }
    }

    fn plain(&self, key: &str, params: &BTreeMap<String, String>) -> Line {
        self.line(key, params, false, false)
    }

    /// A catalogue line, with its qualifier ("Solo se lavora: …") in front. The colon is put here, once
    /// for every language, so no translation runs the qualifier into the line.
    fn resolved(&self, row: &ResolvedLine, check: bool) -> Line {
        let mut line = self.line(&row.text, &row.params, check, row.verify);
        line.operator = Operator::of(&row.source, row.official, row.read_on, &row.note);
        if let Some(q) = &row.qualifier {
            let prefix = self.plain(q, &BTreeMap::new());
            line.italian = format!("{}{QUALIFIER_SEPARATOR}{}", prefix.italian, line.italian);
            line.other = line
                .other
                .zip(prefix.other)
                .map(|(l, p)| format!("{p}{QUALIFIER_SEPARATOR}{l}"));
        }
        line
    }
}

/// The translated sheet of a resolved checklist for a case.
pub fn sheet(
    texts: &Texts,
    resolved: &ResolvedChecklist,
    case_number: &str,
    applicant: &str,
    language: &str,
    italian_only: bool,
    today: NaiveDate,
) -> Sheet {
    let w = Writer {
        texts,
        other: (!italian_only).then_some(language),
    };
    let text =
        |key: &str, lang: &str, params: &BTreeMap<String, String>| texts.text(key, lang, params);
    let none = BTreeMap::new();
    let title = w.plain(&resolved.title, &none);
    let mut header = vec![
        w.plain("layout.comune", &none),
        w.plain(
            "layout.case_number",
            &params([("number", case_number.to_string())]),
        ),
        w.plain(
            "layout.applicant",
            &params([("name", applicant.to_string())]),
        ),
        w.plain(
            "layout.date",
            &params([("date", today.format("%d/%m/%Y").to_string())]),
        ),
    ];
    if italian_only {
        header.push(w.plain("layout.italian_only", &none));
    }
    let mut sections = Vec::new();

    let mut documents: Vec<Line> = Vec::new();
    if !resolved.moduli.is_empty() {
        let moduli = resolved
            .moduli
            .iter()
            .map(|m| format!("Modulo {m}"))
            .collect::<Vec<_>>()
            .join(", ");
        documents.push(w.plain("layout.moduli", &params([("moduli", moduli)])));
    }
    documents.extend(resolved.documents.iter().map(|d| w.resolved(d, true)));
    sections.push(Section {
        heading: w.plain("layout.documents", &none),
        lines: documents,
    });

    if !resolved.fees.is_empty() {
        let mut lines = Vec::new();
        for fee in &resolved.fees {
            let label = |lang: &str| text(&fee.label, lang, &none);
            let line = if fee.exempt {
                let reason = |lang: &str| {
                    fee.exempt_reason
                        .as_deref()
                        .map(|r| text(r, lang, &none))
                        .unwrap_or_default()
                };
                Line {
                    italian: text(
                        "layout.fee_exempt",
                        "it",
                        &params([("label", label("it")), ("reason", reason("it"))]),
                    ),
                    other: w.other.map(|l| {
                        text(
                            "layout.fee_exempt",
                            l,
                            &params([("label", label(l)), ("reason", reason(l))]),
                        )
                    }),
                    check: false,
                    verify: fee.verify,
                    operator: Operator::of_fee(fee),
                }
            } else {
                let numbers = |lang: &str| {
                    params([
                        ("label", label(lang)),
                        ("count", fee.count.to_string()),
                        ("unit", euros(fee.unit_cents)),
                        ("subtotal", euros(fee.subtotal_cents)),
                    ])
                };
                Line {
                    italian: text("layout.fee_line", "it", &numbers("it")),
                    other: w.other.map(|l| text("layout.fee_line", l, &numbers(l))),
                    check: true,
                    verify: fee.verify,
                    operator: Operator::of_fee(fee),
                }
            };
            lines.push(line);
            let how = |lang: &str| params([("how", text(&fee.how, lang, &none))]);
            if !fee.exempt {
                lines.push(Line {
                    italian: text("layout.how_to_pay", "it", &how("it")),
                    other: w.other.map(|l| text("layout.how_to_pay", l, &how(l))),
                    check: false,
                    verify: false,
                    operator: None,
                });
            }
        }
        lines.push(w.plain(
            "layout.total",
            &params([("total", euros(resolved.total_cents))]),
        ));
        // What the applicant's own bollettino carries (the card and the contribution together), the
        // figure the Poste clerk asks for.
        for slip in &resolved.slips {
            lines.push(w.plain(
                "layout.slip_applicant",
                &params([("amount", euros(slip.cents))]),
            ));
        }
        sections.push(Section {
            heading: w.plain("layout.fees", &none),
            lines,
        });
    }

    if let Some(t) = &resolved.threshold {
        // "per 1 persone" reads wrong in most languages: one person has a line of its own.
        let key = if t.household_size == 1 {
            "layout.income_line_one"
        } else {
            "layout.income_line"
        };
        let mut line = w.line(
            key,
            &params([
                ("people", t.household_size.to_string()),
                ("year", t.year.to_string()),
                ("amount", euros(t.threshold_cents)),
            ]),
            false,
            t.verify,
        );
        // The assegno-sociale table records no read date.
        line.operator = Some(Operator {
            source: t.source.clone(),
            official: resolved.threshold_official,
            read_on: None,
            note: t.note.clone(),
        });
        let mut lines = vec![line];
        if t.provisional {
            lines.push(w.plain("layout.income_provisional", &none));
        }
        sections.push(Section {
            heading: w.plain("layout.income", &none),
            lines,
        });
    }

    if !resolved.notes.is_empty() {
        sections.push(Section {
            heading: w.plain("layout.notes", &none),
            lines: resolved
                .notes
                .iter()
                .map(|n| w.resolved(n, false))
                .collect(),
        });
    }

    let renewal = resolved.request.as_deref() == Some("rinnovo");
    let next: Vec<&str> = match resolved.channel.as_str() {
        "kit" => {
            let mut keys = vec![
                "next.post_office",
                "next.receipt_codes",
                "next.questura_date",
                "next.questura_bring",
                "next.sms",
            ];
            if renewal {
                keys.extend(["next.sixty_days", "next.travel"]);
            }
            keys
        }
        "questura" => vec!["next.questura_channel", "next.questura_bring", "next.sms"],
        _ => vec!["next.other_office"],
    };
    sections.push(Section {
        heading: w.plain("layout.next", &none),
        lines: next.into_iter().map(|k| w.plain(k, &none)).collect(),
    });

    let verify = resolved.verify || sections.iter().flat_map(|s| &s.lines).any(|l| l.verify);
    Sheet {
        language: if italian_only {
            "it".into()
        } else {
            language.into()
        },
        dir: String::new(),
        header,
        title,
        sections,
        verify,
        preface: Preface::default(),
        checked_on: w.plain(
            "layout.checked_on",
            &params([("date", read_on_text(resolved.checked_on))]),
        ),
        operator_note: resolved.maintainer_note.clone(),
        footnote: verify.then(|| w.plain("layout.verify", &none)),
        content: String::new(),
    }
}

/// The checklist of a stored case, translated. Refuses a language without a translation.
pub fn for_case(
    register: &Register,
    case_id: i64,
    request: &Request,
    today: NaiveDate,
) -> Result<Sheet> {
    sheet_of(register, &register.get(case_id, today)?, request, today)
}

/// A procedure the checklist panel offers, labelled in Italian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcedureChoice {
    pub id: String,
    pub label: String,
    pub variants: Vec<Choice>,
    pub variant_required: bool,
    /// The bands of the procedure's banded fee (the requested permit's length for the contribution,
    /// the payer for voluntary SSN), for the operator to pick; empty if none.
    pub bands: Vec<Choice>,
    /// The band used when the operator picks none (the procedure's `contribution_band`).
    pub band: Option<String>,
    pub channel: String,
    /// The procedure the case asks for (offered first).
    pub matches: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// What the checklist panel offers for a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    pub procedures: Vec<ProcedureChoice>,
    /// The languages with a translation, labelled with their Italian name.
    pub languages: Vec<LanguageChoice>,
    /// The case's own language, chosen by default.
    pub language: String,
}

/// The procedures of the catalogue (marking the one the case asks for), the languages with a
/// translation, and the case's language.
pub fn options(register: &Register, case_id: i64, today: NaiveDate) -> Result<Options> {
    let case = register.get(case_id, today)?;
    let texts = register.texts();
    let title = |key: &str| texts.text(key, "it", &BTreeMap::new());
    let procedures = register
        .catalogue()
        .procedures()
        .iter()
        .map(|p| ProcedureChoice {
            id: p.id.clone(),
            label: title(&p.title),
            variants: p
                .variants
                .iter()
                .map(|v| Choice {
                    id: v.clone(),
                    label: title(&format!("variant.{v}")),
                })
                .collect(),
            variant_required: p.variant_required,
            bands: p
                .fees
                .iter()
                .filter_map(|f| register.fees().fee(f))
                .flat_map(|f| &f.bands)
                .map(|b| Choice {
                    id: b.id.clone(),
                    label: title(&b.label),
                })
                .collect(),
            band: p.contribution_band.clone(),
            channel: p.channel.clone(),
            matches: p.matches(&case.data.request),
        })
        .collect();
    let languages = register
        .reference()
        .languages
        .iter()
        .filter(|l| texts.has(&l.code))
        .map(LanguageChoice::italian)
        .collect();
    Ok(Options {
        procedures,
        languages,
        language: case.data.applicant.language,
    })
}

/// The translated sheet of a case already read.
fn sheet_of(
    register: &Register,
    case: &CaseView,
    request: &Request,
    today: NaiveDate,
) -> Result<Sheet> {
    let language = register
        .reference()
        .language(request.language)
        .filter(|l| request.italian_only || register.texts().has(&l.code))
        .ok_or_else(|| Error::Invalid(vec![FieldError::new("language", FieldCode::UnknownCode)]))?;
    let resolved = register.checklist(&case.data, &request.selection, today)?;
    let a = &case.data.applicant;
    let name = format!("{} {}", a.surname, a.given_names)
        .trim()
        .to_string();
    let mut sheet = sheet(
        register.texts(),
        &resolved,
        &case.number,
        &name,
        &language.code,
        request.italian_only,
        today,
    );
    if !request.italian_only {
        let italian: String = std::iter::once(&sheet.title)
            .chain(sheet.header.iter())
            .chain(
                sheet
                    .sections
                    .iter()
                    .flat_map(|s| std::iter::once(&s.heading).chain(&s.lines)),
            )
            .map(|l| l.italian.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        sheet.preface = Preface::new(
            register.reference(),
            register.paper_texts(),
            &language.code,
            &AREAS,
            Some(&italian),
        )?;
    }
    sheet.dir = if request.italian_only {
        "ltr".into()
    } else {
        language.dir.clone()
    };
    sheet.content = register.content().stamp.footer();
    Ok(sheet)
}

/// The case-specific texts that must print: every character must exist in the shipped fonts. Problems are
/// reported on the case field they come from, naming the characters. (Names that pass validation are Latin
/// letters, which the shipped fonts cover; the check stays for what validation may accept one day.)
pub(crate) fn check_glyphs(fonts: &FontLibrary, case: &CaseView) -> Result<()> {
    let a = &case.data.applicant;
    let mut fields: Vec<(String, &str)> = vec![
        ("applicant.surname".into(), a.surname.as_str()),
        ("applicant.givenNames".into(), a.given_names.as_str()),
    ];
    for (i, m) in case.data.household.iter().enumerate() {
        fields.push((format!("household.{i}.surname"), &m.surname));
        fields.push((format!("household.{i}.givenNames"), &m.given_names));
    }
    let problems = glyph_problems(fonts, &fields)?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// One `missing_glyphs` problem for each of `fields` (path, text) holding a character no shipped font
/// has, naming the characters.
pub(crate) fn glyph_problems(
    fonts: &FontLibrary,
    fields: &[(String, &str)],
) -> Result<Vec<FieldError>> {
    let mut problems = Vec::new();
    for (field, value) in fields {
        let missing = fonts
            .missing_chars(value, &Lang::italian())
            .map_err(Error::from)?;
        if !missing.is_empty() {
            let chars: Vec<String> = missing
                .iter()
                .map(|c| format!("{c} (U+{:04X})", *c as u32))
                .collect();
            problems.push(
                FieldError::new(field.as_str(), FieldCode::MissingGlyphs)
                    .with("chars", chars.join(", ")),
            );
        }
    }
    Ok(problems)
}

/// Prints a sheet as an A4 PDF. Set tight (9 pt text, 13 mm margins, headings and notes as parallel text) so that a renewal's checklist, with every line twice, fits on two pages:
/// two pages are what an applicant keeps folded in the envelope and what the counter's printer does in
/// one duplex sheet.
pub fn pdf(fonts: &FontLibrary, sheet: &Sheet, lang: &Lang) -> Result<Vec<u8>> {
    let it = Lang::italian();
    fn other<'l>(line: &'l Line, lang: &'l Lang) -> Option<(&'l str, &'l Lang)> {
        line.other.as_deref().map(|t| (t, lang))
    }
    let body = Style::body().size(9.0);
    let heading = Style::body().bold().size(10.5);
    // The foot of every page: when the procedure's data was last checked, in Italian only (a date
    // reads the same in every language, and a line of its own would push a renewal onto a third page),
    // and the content it was printed from.
    let setup = PageSetup::a4_tight().footed(match sheet.content.as_str() {
        "" => sheet.checked_on.italian.clone(),
        content => format!("{} · {content}", sheet.checked_on.italian),
    });
    // The Comune, the case number and the date head every page, so a page that comes loose is still
    // the applicant's; the applicant's name and the copy mark follow, on the first page only.
    let [comune, number, applicant, date, rest @ ..] = &sheet.header[..] else {
        return Err(Error::Print("checklist header".into()));
    };
    let setup = setup.headed(format!(
        "{} · {} · {}",
        comune.italian, number.italian, date.italian
    ));
    let mut doc = Document::new(fonts, setup)?;
    doc.paragraph(&applicant.italian, &it, body)?;
    for line in rest {
        doc.paragraph(&line.italian, &it, body)?;
    }
    doc.space(1.5);
    doc.paragraph(&sheet.title.italian, &it, Style::title().size(13.0))?;
    if let Some((t, l)) = other(&sheet.title, lang) {
        doc.paragraph(t, l, Style::title().size(13.0))?;
    }
    sheet.preface.print(&mut doc, lang)?;
    for section in &sheet.sections {
        doc.space(2.5);
        doc.parallel(
            &section.heading.italian,
            other(&section.heading, lang),
            heading,
        )?;
        doc.rule();
        for line in &section.lines {
            let italian = if line.verify {
                format!("{} *", line.italian)
            } else {
                line.italian.clone()
            };
            if line.check {
                doc.bilingual_item(&italian, other(line, lang), body)?;
            } else {
                doc.parallel(&italian, other(line, lang), body)?;
                doc.space(1.2);
            }
        }
    }
    if let Some(note) = sheet.footnote.clone() {
        doc.space(2.0);
        let small = Style::body().size(7.5);
        doc.paragraph(&format!("* {}", note.italian), &it, small)?;
        if let Some(t) = note.other {
            doc.paragraph(&format!("* {t}"), lang, small)?;
        }
    }
    Ok(doc.render()?)
}

/// The checklist PDF of a case: checks the case's names against the fonts, then prints.
pub fn render(
    register: &Register,
    fonts: &FontLibrary,
    case_id: i64,
    request: &Request,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    render_case(
        register,
        fonts,
        &register.get(case_id, today)?,
        request,
        today,
    )
}

/// The checklist PDF (see `render`) of a case already read: one read serves the sheet and the glyph
/// check.
pub fn render_case(
    register: &Register,
    fonts: &FontLibrary,
    case: &CaseView,
    request: &Request,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let sheet = sheet_of(register, case, request, today)?;
    check_glyphs(fonts, case)?;
    let language = register
        .reference()
        .language(&sheet.language)
        .ok_or(Error::NotFound(Missing::Language))?;
    let lang = Lang::try_from(language).map_err(Error::from)?;
    pdf(fonts, &sheet, &lang)
}

impl From<PrintError> for Error {
    fn from(e: PrintError) -> Error {
        match e {
            PrintError::MissingGlyphs { chars } => {
                let chars: Vec<String> = chars
                    .iter()
                    .map(|c| format!("U+{:04X}", *c as u32))
                    .collect();
                Error::Invalid(vec![FieldError::new("text", FieldCode::MissingGlyphs)
                    .with("chars", chars.join(", "))])
            }
            other => Error::Print(other.to_string()),
        }
    }
}
