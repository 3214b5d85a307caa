//! The desk's follow-up papers (issue 14 §3): the receipt's appointment as a QR code of an iCalendar
//! event (the page rasterised with `pdftoppm`, decoded with `zbarimg`, parsed with the `icalendar`
//! crate) and its `.ics` filed with the case; the status and dimora lines on the receipt; the reminder
//! letter (both languages, the address inside the envelope's window by `pdftotext -bbox`), the week's
//! batch (pages, one record per letter) and the SMS and e-mail texts in the 16 languages.

use std::collections::BTreeMap;
use std::process::Command;
use std::str::FromStr;

use icalendar::{Calendar, Component, DatePerhapsTime, EventLike};
use mixite_core::model::{CaseView, StepDetails, StepInput};
use mixite_core::papers::print::FontLibrary;
use mixite_core::papers::reminder::{self, Reason, ReminderInput};
use mixite_core::papers::{self, folder, Paper};
use mixite_core::reference::content::Content;
use mixite_core::reference::desk::DeskPapers;
use mixite_core::register::Register;

use crate::{clock, create, locale_text, op, problems, squeezed_text, temp_register, worker};

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

fn languages() -> Vec<String> {
    let mut codes: Vec<String> = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../locales/checklist"
    ))
    .unwrap()
    .flatten()
    .filter_map(|e| {
        e.file_name()
            .to_string_lossy()
            .strip_suffix(".yml")
            .map(String::from)
    })
    .collect();
    codes.sort();
    codes
}

/// A worker's case (the fixture's applicant writes Albanian) with its kit sent today and a Questura
/// appointment on 15 January 2027 at 09:30.
fn with_appointment(register: &mut Register, language: &str) -> CaseView {
    let mut data = worker();
    data.applicant.language = language.into();
    let case = create(register, data);
    let sent = StepInput {
        kind: "kit_sent".into(),
        date: "2026-11-26".into(),
        details: StepDetails {
            assicurata: "050123456789".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let case = register
        .add_step(case.id, case.revision, &sent, &clock(), &op("Op"))
        .unwrap();
    let appointment = StepInput {
        kind: "questura_appointment".into(),
        date: "2026-11-26".into(),
        details: StepDetails {
            appointment_date: "2027-01-15".into(),
            appointment_time: "09:30".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    register
        .add_step(case.id, case.revision, &appointment, &clock(), &op("Op"))
        .unwrap()
}

/// The one event of an iCalendar text, parsed by the `icalendar` crate.
fn event_of(text: &str) -> icalendar::Event {
    let calendar = Calendar::from_str(text).expect("the text is iCalendar");
    let events: Vec<_> = calendar.events().cloned().collect();
    assert_eq!(events.len(), 1, "one event: {text}");
    events.into_iter().next().unwrap()
}

#[test]
fn the_receipt_carries_the_appointment_as_a_qr_code_a_phone_reads_into_its_calendar() {
    let (_dir, mut register) = temp_register();
    let case = with_appointment(&mut register, "ar");
    let facts = register.desk_papers().clone();
    let paper = Paper::Ricevuta {
        language: "ar".into(),
    };
    let filed = papers::file(&mut register, &fonts(), case.id, &paper, "Op", &clock()).unwrap();
    crate::checklist::artifacts("receipt-appointment-ar", &filed.pdf);
    let decoded = crate::recovery::decoded_qr("receipt-appointment-ar");
    let event = event_of(&decoded);
    match event.get_start() {
        Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
            date_time,
            tzid,
        })) => {
            assert_eq!(date_time.to_string(), "2027-01-15 09:30:00");
            assert_eq!(tzid, facts.appointment.timezone);
        }
        other => panic!("DTSTART is the appointment's local time in its zone: {other:?}"),
    }
    assert!(decoded.contains("DTSTART;TZID=Europe/Rome:20270115T093000"));
    assert_eq!(
        event.get_location(),
        Some(format!("{}, {}", facts.questura.name, facts.questura.address).as_str()),
        "the place is the Questura's office from the data"
    );
    assert_eq!(
        event.get_description(),
        locale_text("checklist", "ar", "checklist.next.questura_bring").as_deref(),
        "what to bring, in the applicant's language"
    );
    assert_eq!(
        event.get_summary(),
        locale_text("checklist", "ar", "checklist.receipt.ics_summary").as_deref()
    );
    // Nothing that names the applicant or the case goes into a phone's calendar.
    for personal in ["Hoxha", "Arben", "2026/000001", "050123456789", &case.uuid] {
        assert!(!decoded.contains(personal), "the event holds no {personal}");
    }
    // The receipt says when, where, how to follow the file and the dimora's duty, in both languages.
    let text = squeezed_text(&filed.pdf);
    for key in [
        "receipt.appointment_title",
        "receipt.qr_caption",
        "receipt.status_title",
    ] {
        let italian: String = locale_text("checklist", "it", &format!("checklist.{key}"))
            .unwrap()
            .split_whitespace()
            .collect();
        assert!(text.contains(&italian), "it {key} is printed");
        // Poppler may order a right-to-left line's words its own way: each word is checked.
        for word in locale_text("checklist", "ar", &format!("checklist.{key}"))
            .unwrap()
            .split_whitespace()
        {
            let word = word.trim_matches(|c: char| c.is_ascii_punctuation() || c == '،');
            assert!(text.contains(word), "ar {key}: {word} is printed");
        }
    }
    assert!(text.contains("15/01/2027") && text.contains("09:30"));
    assert!(text.contains(&facts.status.police_url));
    assert!(text.contains(&facts.status.portal_url));
    let dimora: String = locale_text("checklist", "it", "checklist.receipt.dimora")
        .unwrap()
        .replace("%{days}", &register.agenda_facts().dimora_days.to_string())
        .split_whitespace()
        .collect();
    assert!(
        text.contains(&dimora),
        "the dimora deadline from the data: {text}"
    );
}

#[test]
fn the_appointment_is_filed_with_the_case_as_an_ics_file_named_by_its_day_only() {
    let (_dir, mut register) = temp_register();
    let case = with_appointment(&mut register, "en");
    let paper = Paper::Ricevuta {
        language: "en".into(),
    };
    papers::file(&mut register, &fonts(), case.id, &paper, "Op", &clock()).unwrap();
    let papers = folder::of_case(&register, case.id).unwrap();
    let ics = papers
        .iter()
        .find(|p| p.kind == papers::APPOINTMENT_KIND)
        .expect("the appointment is a paper of the case");
    assert_eq!(ics.name, "appuntamento-20270115.ics");
    let text = String::from_utf8(folder::read(&register, &ics.file).unwrap()).unwrap();
    let event = event_of(&text);
    assert!(text.contains("DTEND;TZID=Europe/Rome:20270115T103000"));
    assert!(event.get_location().unwrap().contains("Questura di Lucca"));
    // Sealed at rest like every paper: the file on disk is not the calendar text.
    let on_disk = std::fs::read(
        register
            .store()
            .dir()
            .unwrap()
            .join("print")
            .join(&ics.file),
    )
    .unwrap();
    assert!(!crate::holds(&on_disk, "BEGIN:VCALENDAR"));
    // An export carries the PDFs only; the event is made again from the history it carries.
    let exported = folder::for_export(&register, case.id).unwrap();
    assert!(!exported.is_empty());
    assert!(exported.iter().all(|p| p.name.ends_with(".pdf")));
}

#[test]
fn a_receipt_without_an_appointment_to_come_prints_no_code_and_files_no_event() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let paper = Paper::Ricevuta {
        language: "sq".into(),
    };
    let filed = papers::file(&mut register, &fonts(), case.id, &paper, "Op", &clock()).unwrap();
    let text = squeezed_text(&filed.pdf);
    let title: String = locale_text("checklist", "it", "checklist.receipt.appointment_title")
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(!text.contains(&title));
    let papers = folder::of_case(&register, case.id).unwrap();
    assert_eq!(papers.len(), 1, "the receipt alone: {papers:?}");
}

/// The words of a page with their boxes, from `pdftotext -bbox` (points from the top-left corner).
fn words(pdf: &[u8], page: usize) -> Vec<(String, [f32; 4])> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |line: &str, name: &str| -> f32 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let word = l.split('>').nth(1).unwrap().split('<').next().unwrap();
            (
                word.to_string(),
                [
                    attr(l, "xMin"),
                    attr(l, "yMin"),
                    attr(l, "xMax"),
                    attr(l, "yMax"),
                ],
            )
        })
        .collect()
}

const PT_PER_MM: f32 = 72.0 / 25.4;

/// The part of the page that shows through the window whatever way the folded page slides in the
/// envelope (`address_area` plus the margin it keeps inside the window's edge), in points
/// `[x_min, y_min, x_max, y_max]`: poppler's word boxes take the font's whole ascent and descent, so
/// they are checked against the window itself.
fn visible_window() -> [f32; 4] {
    let envelope = DeskPapers::from_content(&Content::embedded().unwrap())
        .unwrap()
        .envelope;
    let [x, y, w, h] = envelope.address_area();
    let m = envelope.margin_mm;
    [
        (x - m) * PT_PER_MM,
        (y - m) * PT_PER_MM,
        (x + w + m) * PT_PER_MM,
        (y + h + m) * PT_PER_MM,
    ]
}

fn input(case: &CaseView, reason: Reason, due: &str) -> ReminderInput {
    ReminderInput {
        case_id: case.id,
        reason,
        due_date: due.into(),
    }
}

#[test]
fn the_letter_puts_the_address_inside_the_envelope_window_and_speaks_both_languages() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let filed = reminder::letter(
        &mut register,
        &fonts(),
        &input(&case, Reason::Expiring, "2027-01-20"),
        "Op",
        &clock(),
    )
    .unwrap();
    crate::checklist::artifacts("reminder-expiring-sq", &filed.pdf);
    let facts = register.desk_papers().clone();
    let window = visible_window();
    let words = words(&filed.pdf, 1);
    for needed in ["ARBEN", "HOXHA", "MORO", "12", "55100", "LUCCA", "LU"] {
        let (_, b) = words
            .iter()
            .find(|(word, b)| word == needed && b[0] > window[0] && b[1] > window[1])
            .unwrap_or_else(|| panic!("{needed} is in the address block: {words:?}"));
        assert!(
            b[0] >= window[0] - 0.5
                && b[2] <= window[2] + 0.5
                && b[1] >= window[1] - 0.5
                && b[3] <= window[3] + 0.5,
            "{needed} {b:?} lies within the window's safe area {window:?}"
        );
    }
    // Nothing else of the page shows through the window.
    for (word, b) in &words {
        let inside = b[0] < window[2] && b[2] > window[0] && b[1] < window[3] && b[3] > window[1];
        assert!(
            !inside
                || ["ARBEN", "HOXHA", "VIA", "DEL", "MORO", "12", "55100", "LUCCA", "LU"]
                    .contains(&word.as_str()),
            "{word} {b:?} would show through the window"
        );
    }
    let text = squeezed_text(&filed.pdf);
    let values = BTreeMap::from([("date".to_string(), "20/01/2027".to_string())]);
    for lang in ["it", "sq"] {
        let mut reason =
            locale_text("checklist", lang, "checklist.reminder.reason.expiring").unwrap();
        for (k, v) in &values {
            reason = reason.replace(&format!("%{{{k}}}"), v);
        }
        let reason: String = reason.split_whitespace().collect();
        assert!(
            text.contains(&reason),
            "{lang}: the reason is printed: {text}"
        );
        let bring: String = locale_text("checklist", lang, "checklist.reminder.bring.renewal")
            .unwrap()
            .split_whitespace()
            .collect();
        assert!(text.contains(&bring), "{lang}: what to bring");
    }
    assert!(text.contains(&facts.desk.phone.replace(' ', "")));
    assert!(text.contains("2026/000001"));
    // Filed with the case, named without the applicant.
    assert_eq!(
        filed.file.rsplit('/').next().unwrap(),
        "promemoria-expiring-sq-20261126.pdf"
    );
    let kinds: Vec<String> = folder::of_case(&register, case.id)
        .unwrap()
        .into_iter()
        .map(|p| p.kind)
        .collect();
    assert_eq!(kinds, [reminder::KIND]);
}

#[test]
fn the_weeks_letters_print_as_one_pdf_and_each_is_filed_with_its_case() {
    let (_dir, mut register) = temp_register();
    let mut inputs = Vec::new();
    let mut cases = Vec::new();
    for (lang, reason, due) in [
        ("ar", Reason::Expired, "2026-11-10"),
        ("zh", Reason::KitNoAppointment, "2026-10-01"),
        ("it", Reason::DimoraDue, "2026-12-20"),
        ("en", Reason::Expiring, "2027-01-20"),
    ] {
        let mut data = worker();
        data.applicant.language = lang.into();
        let case = create(&mut register, data);
        inputs.push(input(&case, reason, due));
        cases.push(case);
    }
    let appointment = with_appointment(&mut register, "hi");
    inputs.push(input(&appointment, Reason::Appointment, "2027-01-15"));
    cases.push(appointment);
    let batch = reminder::batch(&mut register, &fonts(), &inputs, "Op", &clock()).unwrap();
    crate::checklist::artifacts("reminder-batch", &batch.pdf);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.pdf");
    std::fs::write(&path, &batch.pdf).unwrap();
    let pages = crate::pdf_pages(&path);
    assert_eq!(pages, batch.pages);
    assert!(pages >= inputs.len(), "each letter starts on its own page");
    // Each letter's first page carries its own address in the window.
    let window = visible_window();
    let in_window = (1..=pages)
        .filter(|p| {
            words(&batch.pdf, *p).iter().any(|(w, b)| {
                w == "HOXHA"
                    && b[0] >= window[0]
                    && b[1] >= window[1]
                    && b[2] <= window[2]
                    && b[3] <= window[3]
            })
        })
        .count();
    assert_eq!(in_window, inputs.len(), "one address block per letter");
    let text = squeezed_text(&batch.pdf);
    assert!(
        text.contains("09/01/2027"),
        "the expired permit's limit: 60 days after 10/11/2026"
    );
    assert!(
        text.contains("09:30"),
        "the appointment's time from the case"
    );
    assert_eq!(batch.filed.len(), inputs.len());
    for case in &cases {
        let records = folder::of_case(&register, case.id).unwrap();
        assert!(
            records.iter().any(|p| p.kind == reminder::KIND),
            "case {} shows its letter was sent",
            case.number
        );
    }
}

#[test]
fn a_batch_with_a_bad_input_files_nothing() {
    let (_dir, mut register) = temp_register();
    let good = create(&mut register, worker());
    let mut data = worker();
    data.applicant.address.street = String::new();
    data.applicant.address.postcode = String::new();
    let homeless = create(&mut register, data);
    let err = reminder::batch(
        &mut register,
        &fonts(),
        &[
            input(&good, Reason::Expiring, "2027-01-20"),
            input(&homeless, Reason::Expiring, "2027-01-20"),
        ],
        "Op",
        &clock(),
    )
    .unwrap_err();
    assert_eq!(
        problems(err),
        [
            "applicant.address.street:required",
            "applicant.address.postcode:required"
        ]
    );
    assert!(folder::of_case(&register, good.id).unwrap().is_empty());
    let err = reminder::letter(
        &mut register,
        &fonts(),
        &input(&good, Reason::Expiring, "20/01/2027"),
        "Op",
        &clock(),
    )
    .unwrap_err();
    assert_eq!(problems(err), ["dueDate:required"]);
}

#[test]
fn sms_and_email_texts_exist_in_every_language_with_their_values_and_the_sms_fits() {
    let (_dir, mut register) = temp_register();
    let latin = ["en", "es", "fr", "it", "ro", "sq"];
    let mut lengths = Vec::new();
    for lang in languages() {
        let mut data = worker();
        data.applicant.language = lang.clone();
        let case = with_appointment(&mut register, &lang);
        let _ = data;
        for reason in Reason::ALL {
            let due = match reason {
                Reason::Appointment => "2027-01-15",
                _ => "2027-01-20",
            };
            let m =
                reminder::messages(&register, &input(&case, reason, due), clock().today).unwrap();
            assert_eq!(m.language, lang);
            for text in [&m.sms, &m.subject, &m.body] {
                assert!(
                    !text.contains("%{"),
                    "{lang} {reason:?}: placeholders filled: {text}"
                );
                assert!(
                    !text.contains("reminder."),
                    "{lang} {reason:?}: a text, not a key"
                );
            }
            assert!(
                m.body.contains("Arben Hoxha"),
                "{lang}: the e-mail greets the applicant"
            );
            assert!(m.body.contains("0583 442042"));
            if reason != Reason::KitNoAppointment {
                let date = if reason == Reason::Appointment {
                    "15/01/2027"
                } else {
                    "20/01/2027"
                };
                assert!(
                    m.sms.contains(date),
                    "{lang} {reason:?}: the date: {}",
                    m.sms
                );
            }
            if latin.contains(&lang.as_str()) {
                assert_eq!(m.sms_encoding, "gsm7", "{lang} {reason:?}: {}", m.sms);
                assert!(
                    m.sms_units <= 160,
                    "{lang} {reason:?}: {} units: {}",
                    m.sms_units,
                    m.sms
                );
                assert_eq!(m.sms_parts, 1);
            } else {
                assert_eq!(m.sms_encoding, "ucs2");
                assert!(
                    m.sms_parts <= 2,
                    "{lang} {reason:?}: {} units: {}",
                    m.sms_units,
                    m.sms
                );
            }
            lengths.push(format!("{lang}/{}={}", reason.key(), m.sms_units));
        }
    }
    eprintln!("SMS lengths: {}", lengths.join(" "));
}

#[test]
fn in_every_language_the_receipt_s_code_reads_back_and_the_letter_prints() {
    let (_dir, mut register) = temp_register();
    for lang in languages() {
        let case = with_appointment(&mut register, &lang);
        let paper = Paper::Ricevuta {
            language: lang.clone(),
        };
        let filed = papers::file(&mut register, &fonts(), case.id, &paper, "Op", &clock()).unwrap();
        let name = format!("receipt-appointment-all-{lang}");
        crate::checklist::artifacts(&name, &filed.pdf);
        let event = event_of(&crate::recovery::decoded_qr(&name));
        assert_eq!(
            event.get_description(),
            locale_text("checklist", &lang, "checklist.next.questura_bring").as_deref(),
            "{lang}: the code holds what to bring in the language"
        );
        let letter = reminder::letter(
            &mut register,
            &fonts(),
            &input(&case, Reason::Appointment, "2027-01-15"),
            "Op",
            &clock(),
        )
        .unwrap();
        let text = squeezed_text(&letter.pdf);
        assert!(text.contains("09:30"), "{lang}: the appointment's time");
        assert!(
            text.contains("Promemoriadellosportelloimmigrazione"),
            "{lang}"
        );
    }
}
