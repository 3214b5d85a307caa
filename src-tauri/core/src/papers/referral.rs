//! The referral slip (issue 16): one A5 page the applicant takes to the partner, Italian beside the
//! applicant's language like the checklist: the service, its address, hours, contacts, how to book, how
//! to get there from the Comune, what to bring, why the desk sends them, and the desk's own contact.
//! The partner's facts are printed as the directory holds them (Italian, the responsabile's words); the
//! labels and sentences are `papers.referral.*` of `locales/papers/<lang>.yml`, and a fact the
//! directory lacks prints "ask the desk", never a blank that looks like nothing is needed.
//!
//! **The consent rule.** Without the applicant's consent to share their data with the partner, the
//! slip carries no personal data beyond the name: no birth date, phone or case number, and instead of
//! the operator's reason (which says something about the person) the need the partner is for. With
//! consent it prints the name, birth date, phone, the case number and the reason. A walk-in's slip
//! prints the name typed for it and nothing else of the person, consent or not (the desk holds nothing
//! else on a walk-in).
//!
//! A case's slip is filed with the case (`invio-<need>-<lang>-<date>.pdf`, kind `invio`); a walk-in's
//! belongs to no case and is only returned for the printer. This module must not decide who is
//! referred where (`register::referrals`), nor send the slip anywhere.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::clock::Clock;
use crate::error::{Error, FieldCode, FieldError, Result};
use crate::papers::checklist::{glyph_problems, params, AREAS};
use crate::papers::folder::{self, Filed};
use crate::papers::print::{Document, FontLibrary, Lang, Margins, PageSetup, Style};
use crate::papers::wording::{Preface, Texts};
use crate::reference::text::tidy;
use crate::register::partners::Partner;
use crate::register::referrals::Referral;
use crate::register::Register;

/// The kind of a filed slip (`papers.kind`).
pub const KIND: &str = "invio";
/// The longest walk-in name the slip takes.
const NAME_MAX: usize = 80;

/// A5 portrait with 10 mm margins, the content's version at the foot, no page numbers (one page).
fn setup(register: &Register) -> PageSetup {
    PageSetup {
        width_mm: 148.0,
        height_mm: 210.0,
        margins: Margins {
            top_mm: 10.0,
            right_mm: 10.0,
            bottom_mm: 10.0,
            left_mm: 10.0,
        },
        header: None,
        page_numbers: false,
        footer: None,
    }
    .footed(register.content().stamp.footer())
}

/// The person as the slip names them, and what else it may say of them (with consent only).
struct Person {
    name: String,
    /// `(label key, value)` printed only with consent.
    details: Vec<(&'static str, String)>,
}

fn person(
    register: &Register,
    referral: &Referral,
    walk_in_name: &str,
    today: NaiveDate,
) -> Result<Person> {
    match referral.case_id {
        Some(case_id) => {
            let case = register.get(case_id, today)?;
            let a = &case.data.applicant;
            let mut details = Vec::new();
            if referral.consent {
                let born = NaiveDate::parse_from_str(&a.birth_date, "%Y-%m-%d")
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_default();
                details.push(("birth_date", born));
                details.push(("phone", a.phone.clone()));
                details.push(("case", case.number.clone()));
            }
            Ok(Person {
                name: format!("{} {}", a.given_names, a.surname),
                details,
            })
        }
        None => {
            let name = tidy(walk_in_name);
            if name.chars().count() > NAME_MAX {
                return Err(Error::Invalid(vec![FieldError::new(
                    "referral.name",
                    FieldCode::TooLong,
                )
                .with("max", NAME_MAX)]));
            }
            Ok(Person {
                name,
                details: Vec::new(),
            })
        }
    }
}

/// The slip of referral `referral` in the applicant's language (its own `language`), for a case or, with
/// `walk_in_name`, a walk-in. Every text checked against the fonts first.
pub fn render(
    register: &Register,
    fonts: &FontLibrary,
    referral: &Referral,
    walk_in_name: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let partner = register.partner(referral.partner_id)?;
    let who = person(register, referral, walk_in_name, today)?;
    let known = register
        .reference()
        .language(&referral.language)
        .ok_or_else(|| {
            Error::Invalid(vec![FieldError::new(
                "referral.language",
                FieldCode::UnknownCode,
            )])
        })?;
    let lang = Lang::try_from(known)?;
    let it = Texts::of(register.paper_texts(), "it")?;
    let own = Texts::of(register.paper_texts(), &known.code)?;
    let other = (known.code != "it").then_some((&own, &lang));
    let problems = glyph_problems(
        fonts,
        &[
            ("referral.name".to_string(), who.name.as_str()),
            ("referral.reason".to_string(), referral.reason.as_str()),
        ],
    )?;
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let facts = register.desk_papers().clone();
    let none = BTreeMap::new();
    let mut doc = Document::new(fonts, setup(register))?;
    let italian = Lang::italian();
    let small = Style::body().size(7.5);
    let body = Style::body().size(8.5);
    let label = body.bold();
    // Italian beside the applicant's language.
    let say = |doc: &mut Document, key: &str, values: &BTreeMap<String, String>, style: Style| {
        let i = it.get(key, values)?;
        match other {
            Some((t, l)) => doc.parallel(&i, Some((&t.get(key, values)?, l)), style)?,
            None => doc.paragraph(&i, &italian, style)?,
        }
        Ok::<_, Error>(())
    };
    let unknown = |t: &Texts| t.get("referral.unknown", &none);
    // A fact of the directory under its bilingual label; an empty fact says to ask the desk.
    let fact = |doc: &mut Document, key: &str, value: &str| {
        say(doc, &format!("referral.{key}"), &none, label)?;
        if value.trim().is_empty() {
            let i = unknown(&it)?;
            match other {
                Some((t, l)) => doc.parallel(&i, Some((&unknown(t)?, l)), body)?,
                None => doc.paragraph(&i, &italian, body)?,
            }
        } else {
            doc.paragraph(value, &italian, body)?;
        }
        doc.space(0.8);
        Ok::<_, Error>(())
    };

    say(&mut doc, "referral.title", &none, Style::title().size(12.0))?;
    Preface::new(
        register.reference(),
        register.paper_texts(),
        &known.code,
        &AREAS,
        Some(&it.get("referral.intro", &none)?),
    )?
    .print(&mut doc, &lang)?;
    say(&mut doc, "referral.intro", &none, body)?;
    doc.space(1.5);
    doc.rule();
    doc.space(1.0);
    // The person: the name, and with consent what the partner needs to know who comes.
    say(&mut doc, "referral.person", &none, label)?;
    if !who.name.is_empty() {
        doc.paragraph(&who.name, &italian, body.bold())?;
    }
    for (key, value) in &who.details {
        if !value.is_empty() {
            let line = format!("{}: {value}", it.get(&format!("referral.{key}"), &none)?);
            doc.paragraph(&line, &italian, body)?;
        }
    }
    let consent_key = if referral.consent && referral.case_id.is_some() {
        "referral.consent_yes"
    } else {
        "referral.consent_no"
    };
    say(&mut doc, consent_key, &none, small)?;
    doc.space(1.0);
    // Why: the operator's words with consent, else only the need the partner is for.
    say(&mut doc, "referral.reason", &none, label)?;
    if referral.consent && referral.case_id.is_some() && !referral.reason.is_empty() {
        doc.paragraph(&referral.reason, &italian, body)?;
    } else {
        say(
            &mut doc,
            &format!("referral.needs.{}", referral.need),
            &none,
            body,
        )?;
    }
    doc.space(1.0);
    doc.rule();
    doc.space(1.0);
    write_partner(&mut doc, &partner, &fact, body)?;
    if partner.data.verify {
        say(&mut doc, "referral.verify", &none, small.bold())?;
    }
    doc.space(1.0);
    doc.rule();
    let desk = params([
        ("desk", facts.desk.name.clone()),
        ("phone", facts.desk.phone.clone()),
        ("email", facts.desk.email.clone()),
        ("date", today.format("%d/%m/%Y").to_string()),
    ]);
    say(&mut doc, "referral.desk", &desk, small)?;
    let pdf = doc.render()?;
    Ok(pdf)
}

fn write_partner(
    doc: &mut Document,
    partner: &Partner,
    fact: &dyn Fn(&mut Document, &str, &str) -> Result<()>,
    body: Style,
) -> Result<()> {
    let p = &partner.data;
    doc.paragraph(&p.name, &Lang::italian(), body.bold().size(10.0))?;
    fact(doc, "address", &p.address)?;
    fact(doc, "hours", &p.hours)?;
    let contacts = [p.phone.as_str(), p.email.as_str()]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    fact(doc, "contacts", &contacts)?;
    fact(doc, "booking", &p.booking)?;
    fact(doc, "directions", &p.directions)?;
    fact(doc, "bring", &p.bring)?;
    Ok(())
}

/// A case referral's slip, filed with its case (`invio-<need>-<lang>-<date>.pdf`, kind `invio`); the
/// answer carries the PDF for the printer. A walk-in's referral has no case to file it with:
/// `render` it instead.
pub fn file(
    register: &mut Register,
    fonts: &FontLibrary,
    referral_id: i64,
    operator: &str,
    at: &Clock,
) -> Result<Filed> {
    let referral = register.referral(referral_id)?;
    let Some(case_id) = referral.case_id else {
        return Err(Error::Invalid(vec![FieldError::new(
            "referral.name",
            FieldCode::Required,
        )]));
    };
    register.expect_in_use(case_id)?;
    let case = register.get(case_id, at.today)?;
    let pdf = render(register, fonts, &referral, "", at.today)?;
    let name = format!(
        "{KIND}-{}-{}-{}.pdf",
        referral.need.replace('_', "-"),
        referral.language,
        at.today.format("%Y%m%d")
    );
    folder::put(register, &case, &name, KIND, pdf, operator, at)
}
