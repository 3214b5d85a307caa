use std::collections::BTreeSet;
use std::process::Command;

use mixite_core::papers::checklist::{self, Request};
use mixite_core::papers::print::{FontLibrary, Lang};
use mixite_core::reference::catalogue::{parse_locale, Selection};

use crate::{clock, create, problems, temp_register, worker};

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

fn locales_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../locales/checklist")
}

fn renewal() -> Selection<'static> {
    Selection {
        procedure: "rinnovo_lavoro_subordinato",
        variant: None,
        duration: None,
    }
}

/// What a poppler tool (`pdftotext`, `pdfinfo`) prints for a PDF.
fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .arg(&path)
        .args(args)
        .output()
        .expect("poppler-utils is installed");
    String::from_utf8(out.stdout).unwrap()
}

fn pdftotext(pdf: &[u8]) -> String {
    poppler("pdftotext", pdf, &["-"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes the PDF and its pages as PNG (pdftoppm, 100 dpi) under `target/test-artifacts/`, for a person to
/// look at after a run; checks that every page rendered and none is blank.
pub fn artifacts(name: &str, pdf: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    for old in std::fs::read_dir(&dir).unwrap().flatten() {
        let file = old.file_name().to_string_lossy().into_owned();
        if file.starts_with(&format!("{name}-")) && file.ends_with(".png") {
            std::fs::remove_file(old.path()).unwrap();
        }
    }
    let status = Command::new("pdftoppm")
        .args(["-r", "100", "-png"])
        .arg(&path)
        .arg(dir.join(name))
        .status()
        .expect("poppler-utils is installed");
    assert!(status.success(), "{name}: pdftoppm failed");
    let pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            file.starts_with(&format!("{name}-")) && file.ends_with(".png")
        })
        .collect();
    assert!(!pages.is_empty(), "{name}: no page rendered");
    for page in pages {
        // A blank A4 page at 100 dpi compresses to a few hundred bytes; text makes it far larger.
        let size = page.metadata().unwrap().len();
        assert!(
            size > 10_000,
            "{name}: {:?} looks blank ({size} bytes)",
            page.file_name()
        );
    }
}

#[test]
fn a_worker_with_one_child_sees_documents_fees_and_next_steps_in_both_languages() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let request = Request {
        selection: renewal(),
        language: "en",
        italian_only: false,
    };
    let sheet = checklist::for_case(&register, case.id, &request, clock().today).unwrap();
    assert_eq!(sheet.language, "en");
    let all: Vec<&checklist::Line> = sheet.sections.iter().flat_map(|s| &s.lines).collect();
    assert!(
        all.iter().all(|l| l.other.is_some()),
        "every line has its English twin"
    );
    let total = all
        .iter()
        .find(|l| l.italian.starts_with("Totale"))
        .expect("a total line");
    // bollo 16 + PSE 30.46 × 2 (applicant and the child under 14) + contribution 50 + Poste 30.
    assert_eq!(
        total.italian, "Totale da pagare: € 156,92",
        "hand-computed total for the worker's household"
    );
    assert_eq!(
        total.other.as_deref(),
        Some("Total to pay: € 156,92"),
        "amounts written as the clerk reads them"
    );
    assert!(
        all.iter().any(|l| l.italian.contains("Elira")),
        "the child under 14 gets her own bollettino line"
    );
    let headings: Vec<&str> = sheet
        .sections
        .iter()
        .map(|s| s.heading.italian.as_str())
        .collect();
    assert_eq!(headings.first(), Some(&"Documenti"));
    assert_eq!(
        headings.last(),
        Some(&"Cosa succede dopo"),
        "what happens next closes the list"
    );
}

#[test]
fn the_pdf_is_searchable_numbered_and_the_italian_copy_has_no_translation() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let fonts = fonts();
    let request = Request {
        selection: renewal(),
        language: "en",
        italian_only: false,
    };
    let text =
        pdftotext(&checklist::render(&register, &fonts, case.id, &request, clock().today).unwrap());
    for expected in [
        "Pratica n. 2026/000001",
        "Richiedente: Hoxha Arben",
        "Totale da pagare: € 156,92",
        "Total to pay: € 156,92",
        "What happens next",
        " 1/",
    ] {
        assert!(
            text.contains(expected),
            "the PDF text must contain {expected:?}: {text}"
        );
    }
    let italian = Request {
        italian_only: true,
        ..request
    };
    let text =
        pdftotext(&checklist::render(&register, &fonts, case.id, &italian, clock().today).unwrap());
    assert!(
        text.contains("Copia per il fascicolo") && !text.contains("What happens next"),
        "{text}"
    );
}

#[test]
fn a_language_without_a_translation_is_refused_on_the_language_field() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let request = Request {
        selection: renewal(),
        language: "xx",
        italian_only: false,
    };
    let err = checklist::for_case(&register, case.id, &request, clock().today).unwrap_err();
    assert_eq!(problems(err), ["language:unknown_code"]);
}

#[test]
fn every_letter_a_name_may_hold_has_a_glyph_in_the_shipped_fonts() {
    // Why a case's name never trips the checklist's glyph check: validation lets Latin letters only
    // into a name (`text::latin_letter`) and the shipped fonts draw every one of them. Widening the
    // letters or dropping a font face breaks this, and then names must be checked on their fields
    // (papers' typed names are: tests/core/papers.rs).
    let letters: String = (0..=0x1EFF_u32)
        .filter_map(char::from_u32)
        .filter(|c| mixite_core::reference::text::latin_letter(*c))
        .collect();
    assert!(
        letters.chars().count() > 700,
        "the scan reaches every Latin block a name may use"
    );
    let missing = fonts().missing_chars(&letters, &Lang::italian()).unwrap();
    assert_eq!(
        missing,
        Vec::<char>::new(),
        "a letter validation accepts in a name must print"
    );
}

#[test]
fn every_procedure_prints_in_every_translated_language_with_glyphs_for_every_line() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let fonts = fonts();
    let languages = register.texts().languages();
    assert!(languages.contains(&"it".to_string()) && languages.contains(&"en".to_string()));
    for procedure in register.catalogue().procedures() {
        let variant = procedure.variants.first().map(String::as_str);
        let selection = Selection {
            procedure: &procedure.id,
            variant,
            duration: None,
        };
        for language in &languages {
            let request = Request {
                selection,
                language,
                italian_only: false,
            };
            let sheet = checklist::for_case(&register, case.id, &request, clock().today)
                .unwrap_or_else(|e| panic!("{} in {language}: {e}", procedure.id));
            let lang = Lang::try_from(register.reference().language(language).unwrap()).unwrap();
            for line in sheet.sections.iter().flat_map(|s| &s.lines) {
                let other = line.other.as_deref().unwrap_or_default();
                assert!(
                    !other.contains("checklist."),
                    "{language}: untranslated key in {}: {other}",
                    procedure.id
                );
                let missing = fonts.missing_chars(other, &lang).unwrap();
                assert!(
                    missing.is_empty(),
                    "{language}/{}: no glyph for {missing:?}",
                    procedure.id
                );
            }
            let pdf = checklist::pdf(&fonts, &sheet, &lang)
                .unwrap_or_else(|e| panic!("{} in {language}: {e}", procedure.id));
            let pages = pdf_pages(&pdf);
            // Measured: at most 3 (Urdu renewals; Nastaliq lines are half again as tall as Naskh).
            assert!(
                (1..=3).contains(&pages),
                "{} in {language}: {pages} pages",
                procedure.id
            );
        }
    }
}

/// The page count poppler reads from a PDF.
fn pdf_pages(pdf: &[u8]) -> usize {
    poppler("pdfinfo", pdf, &[])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo reads the page count")
}

#[test]
fn every_translation_has_the_keys_and_placeholders_of_the_italian() {
    let read = |path: &std::path::Path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        parse_locale((&name, &text)).unwrap_or_else(|e| panic!("{e}"))
    };
    let italian = read(&locales_dir().join("it.yml"));
    let placeholders = |text: &str| -> BTreeSet<String> {
        text.split("%{")
            .skip(1)
            .filter_map(|r| r.split_once('}').map(|(n, _)| n.to_string()))
            .collect()
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(locales_dir()).unwrap() {
        let path = entry.unwrap().path();
        let other = read(&path);
        let name = path.display();
        for (key, (text, _)) in &italian {
            let Some((translated, line)) = other.get(key) else {
                panic!("{name}: {key} is missing")
            };
            assert_eq!(
                placeholders(text),
                placeholders(translated),
                "{name}:{line}: placeholders of {key}"
            );
        }
        assert_eq!(
            other.len(),
            italian.len(),
            "{name}: keys that it.yml does not have"
        );
        seen += 1;
    }
    assert!(seen >= 2);
}

#[test]
fn arabic_urdu_bengali_and_chinese_checklists_extract_in_logical_order() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let fonts = fonts();
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    for language in ["ar", "ur", "bn", "zh"] {
        let request = Request {
            selection: renewal(),
            language,
            italian_only: false,
        };
        let sheet = checklist::for_case(&register, case.id, &request, clock().today).unwrap();
        let pdf = checklist::render(&register, &fonts, case.id, &request, clock().today).unwrap();
        eprintln!("{language}: {} bytes", pdf.len());
        artifacts(&format!("checklist-{language}"), &pdf);
        // The issue's target: 80 KB with subset fonts. Two pages for a renewal, the applicant's fold;
        // Urdu takes three, Nastaliq lines being half again as tall as Naskh ones. Urdu gets 86 KB:
        // the preface (the Italian office names explained, the amounts' legend, the unreviewed mark)
        // adds about 5 KB of Nastaliq glyphs, whose contextual forms are many (85.1 KB with the check date and content version in the footer).
        let limit = if language == "ur" { 86_000 } else { 80_000 };
        assert!(
            pdf.len() <= limit,
            "{language}: subset fonts keep the checklist small ({} bytes)",
            pdf.len()
        );
        // Arabic takes three since the preface and the check date were added: its last page holds
        // only the footnote and the check date.
        let expected_pages = if matches!(language, "ur" | "ar") {
            3
        } else {
            2
        };
        assert_eq!(pdf_pages(&pdf), expected_pages, "{language}: pages");
        // Hyphens are dropped on both sides: pdftotext joins a line broken after "1-" as a hyphenated word.
        let squeeze = |s: &str| squeeze(s).replace('-', "");
        let text = squeeze(&pdftotext(&pdf));
        // Every Italian line comes back whole, and so does every line of a left-to-right language;
        // a right-to-left line comes back word by word (its Latin words and punctuation are placed
        // by the bidi algorithm, which extraction applies again), every word of it in logical order.
        for line in sheet.sections.iter().flat_map(|s| &s.lines) {
            let italian = line.italian.trim_end_matches(" *");
            assert!(
                text.contains(&squeeze(italian)),
                "{language}: {italian:?} not found"
            );
            let other = line.other.as_deref().unwrap();
            if language == "ar" || language == "ur" {
                for word in other
                    .split(|c: char| !c.is_alphabetic())
                    .filter(|w| !w.is_empty())
                {
                    assert!(
                        text.contains(word),
                        "{language}: {word:?} of {other:?} not found"
                    );
                }
            } else {
                assert!(
                    text.contains(&squeeze(other)),
                    "{language}: {other:?} not found"
                );
            }
        }
        // Section headings are pure script (no Latin words inside), so they must come back whole and in
        // reading order; spaces are ignored because extraction may add or drop them.
        for section in &sheet.sections {
            let heading = section.heading.other.as_deref().unwrap();
            assert!(
                text.contains(&squeeze(heading)),
                "{language}: {heading:?} not found in logical order"
            );
        }
    }
}

// ------------------------------------------------- issue 13 §2: the permits that had no procedure

/// The case of the other checklist tests without household (the worker alone, current permit valid
/// until 10 Jan 2027), or the same applicant aged 15 on the counter's day.
fn applicant(minor: bool) -> mixite_core::model::CaseData {
    let mut data = worker();
    data.household.clear();
    if minor {
        data.applicant.birth_date = "2011-02-01".into();
    }
    data
}

/// The Italian total line of the printed sheet of `procedure` (None when the sheet has no fee).
fn printed_total(procedure: &str, minor: bool) -> Option<String> {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, applicant(minor));
    let request = Request {
        selection: Selection {
            procedure,
            variant: None,
            duration: None,
        },
        language: "en",
        italian_only: false,
    };
    let sheet = checklist::for_case(&register, case.id, &request, clock().today)
        .unwrap_or_else(|e| panic!("{procedure}: {e}"));
    let lines: Vec<&checklist::Line> = sheet.sections.iter().flat_map(|s| &s.lines).collect();
    assert!(
        lines.iter().all(|l| !l.italian.contains("[CHECK]")
            && !l.italian.to_lowercase().contains("verificare se")),
        "{procedure}: the applicant's paper shows no operator doubt"
    );
    lines
        .iter()
        .find(|l| l.italian.starts_with("Totale"))
        .map(|l| l.italian.clone())
}

/// One test per new permit procedure: the printed total, computed by hand from fees.toml (bollo €16,
/// card €30.46, contribution €40/€50, postal fee €30; passport fees €42.50 + €73.50).
macro_rules! printed_total_test {
    ($name:ident, $procedure:literal, $minor:literal, $expected:expr) => {
        #[test]
        fn $name() {
            assert_eq!(
                printed_total($procedure, $minor).as_deref(),
                $expected,
                "{}: hand-computed total",
                $procedure
            );
        }
    };
}

// Family members of Italian/EU citizens: bollo + card, no contribution (review H4).
printed_total_test!(
    carta_familiare_ue_rilascio_costs_46_46,
    "carta_familiare_ue_rilascio",
    false,
    Some("Totale da pagare: € 46,46")
);
printed_total_test!(
    carta_familiare_ue_rinnovo_costs_46_46,
    "carta_familiare_ue_rinnovo",
    false,
    Some("Totale da pagare: € 46,46")
);
printed_total_test!(
    carta_permanente_familiare_ue_costs_46_46,
    "carta_permanente_familiare_ue",
    false,
    Some("Totale da pagare: € 46,46")
);
// 16 + 30.46 + 50 + 30.
printed_total_test!(
    primo_permesso_famiglia_costs_126_46,
    "primo_permesso_famiglia",
    false,
    Some("Totale da pagare: € 126,46")
);
printed_total_test!(
    coesione_familiare_costs_126_46,
    "coesione_familiare",
    false,
    Some("Totale da pagare: € 126,46")
);
// The asylum-seeker permit prints no fee (a note says the desk will tell).
printed_total_test!(
    richiesta_asilo_rilascio_prints_no_fee,
    "richiesta_asilo_rilascio",
    false,
    None
);
printed_total_test!(
    richiesta_asilo_rinnovo_prints_no_fee,
    "richiesta_asilo_rinnovo",
    false,
    None
);
printed_total_test!(
    richiesta_asilo_ricorso_prints_no_fee,
    "richiesta_asilo_ricorso",
    false,
    None
);
// Protection: 16 + 30.46, the contribution is exempt.
printed_total_test!(
    primo_rilascio_asilo_costs_46_46,
    "primo_rilascio_asilo",
    false,
    Some("Totale da pagare: € 46,46")
);
printed_total_test!(
    primo_rilascio_sussidiaria_costs_46_46,
    "primo_rilascio_sussidiaria",
    false,
    Some("Totale da pagare: € 46,46")
);
// Conversion of a valid permit: 16 + 30.46 + 30 (contribution exempt, flagged).
printed_total_test!(
    conversione_protezione_lavoro_costs_76_46,
    "conversione_protezione_lavoro",
    false,
    Some("Totale da pagare: € 76,46")
);
// Casi speciali, 12 months: 16 + 30.46 + 40.
printed_total_test!(
    casi_speciali_art18_costs_86_46,
    "casi_speciali_art18",
    false,
    Some("Totale da pagare: € 86,46")
);
printed_total_test!(
    casi_speciali_art18bis_costs_86_46,
    "casi_speciali_art18bis",
    false,
    Some("Totale da pagare: € 86,46")
);
printed_total_test!(
    casi_speciali_art18ter_costs_86_46,
    "casi_speciali_art18ter",
    false,
    Some("Totale da pagare: € 86,46")
);
// A 15-year-old in affidamento: no bollo (code 02), no contribution (minor): 30.46 + 30.
printed_total_test!(
    affidamento_of_a_minor_costs_60_46,
    "affidamento",
    true,
    Some("Totale da pagare: € 60,46")
);
printed_total_test!(
    assistenza_minore_art31_costs_86_46,
    "assistenza_minore_art31",
    false,
    Some("Totale da pagare: € 86,46")
);
printed_total_test!(
    prosieguo_amministrativo_costs_86_46,
    "prosieguo_amministrativo",
    false,
    Some("Totale da pagare: € 86,46")
);
// Study: 16 + 30.46 + 40 + 30.
printed_total_test!(
    studio_primo_rilascio_costs_116_46,
    "studio_primo_rilascio",
    false,
    Some("Totale da pagare: € 116,46")
);
printed_total_test!(
    studio_ricerca_lavoro_costs_116_46,
    "studio_ricerca_lavoro",
    false,
    Some("Totale da pagare: € 116,46")
);
// Refugee travel document: 42.50 + 73.50.
printed_total_test!(
    documento_viaggio_rifugiato_costs_116_00,
    "documento_viaggio_rifugiato",
    false,
    Some("Totale da pagare: € 116,00")
);

// Review Coverage: first employment permit after the flussi entry, 16 + 30.46 + 40 + 30.
printed_total_test!(
    primo_permesso_lavoro_subordinato_costs_116_46,
    "primo_permesso_lavoro_subordinato",
    false,
    Some("Totale da pagare: € 116,46")
);

#[test]
fn the_catalogue_has_the_procedures_issue_13_asked_for() {
    let (_dir, register) = temp_register();
    let count = register.catalogue().procedures().len();
    assert!(
        count >= 68,
        "issue 13 §2: at least 55 procedures asked, 68 reached; found {count}"
    );
}

#[test]
fn the_only_if_working_qualifier_ends_with_one_colon_in_every_language() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let study = Selection {
        procedure: "rinnovo_studio",
        variant: None,
        duration: None,
    };
    for entry in std::fs::read_dir(locales_dir()).unwrap() {
        let lang = entry
            .unwrap()
            .path()
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let qualifier =
            crate::locale_text("checklist", &lang, "checklist.when.if_working").unwrap();
        assert!(
            !qualifier.trim_end().ends_with([':', '：', '؛']),
            "{lang}: the file holds the qualifier without punctuation (the checklist adds it)"
        );
        let request = Request {
            selection: study,
            language: &lang,
            italian_only: false,
        };
        let sheet = checklist::for_case(&register, case.id, &request, clock().today).unwrap();
        let line = sheet
            .sections
            .iter()
            .flat_map(|s| &s.lines)
            .find(|l| l.italian.starts_with("Solo se lavora"))
            .expect("the student's Modulo 2 is qualified");
        assert!(
            line.italian.starts_with("Solo se lavora: Modulo 2"),
            "{}",
            line.italian
        );
        let other = line.other.as_deref().unwrap();
        assert!(
            other.starts_with(&format!("{qualifier}{}", checklist::QUALIFIER_SEPARATOR))
                && !other.contains("::"),
            "{lang}: {other}"
        );
    }
}

#[test]
fn the_bollettino_line_follows_the_permit_length_the_operator_picks() {
    // Issue 13 §1 (review H1): a 1-year work renewal prints €70.46 on the bollettino line, a 2-year one
    // €80.46 (card €30.46 + contribution €40 or €50).
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    // The worker's own renewal: the income of one person (review M8), said as one person.
    let request = Request {
        selection: renewal(),
        language: "fr",
        italian_only: false,
    };
    let sheet = checklist::for_case(&register, case.id, &request, clock().today).unwrap();
    let income = sheet
        .sections
        .iter()
        .flat_map(|s| &s.lines)
        .find(|l| l.italian.starts_with("Reddito annuo minimo"))
        .expect("the income line");
    assert!(
        income
            .italian
            .starts_with("Reddito annuo minimo per una persona (anno ")
            && income
                .other
                .as_deref()
                .is_some_and(|o| o.starts_with("Revenu annuel minimum pour une personne")),
        "{income:?}"
    );
    for (duration, expected) in [
        ("le_1y", "Importo del bollettino del richiedente: € 70,46"),
        ("le_2y", "Importo del bollettino del richiedente: € 80,46"),
    ] {
        let request = Request {
            selection: Selection {
                duration: Some(duration),
                ..renewal()
            },
            language: "en",
            italian_only: false,
        };
        let sheet = checklist::for_case(&register, case.id, &request, clock().today).unwrap();
        assert!(
            sheet
                .sections
                .iter()
                .flat_map(|s| &s.lines)
                .any(|l| l.italian == expected),
            "{duration}: {expected}"
        );
    }
}

#[test]
fn amounts_stay_italian_and_readers_of_the_decimal_point_get_a_legend_under_the_title() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let fonts = fonts();
    for (language, legend) in [("en", true), ("zh", true), ("fr", false), ("it", false)] {
        let request = Request {
            selection: renewal(),
            language,
            italian_only: false,
        };
        let pdf = checklist::render(&register, &fonts, case.id, &request, clock().today).unwrap();
        let text: String = pdftotext(&pdf).split_whitespace().collect();
        let expected: String = crate::locale_text("papers", language, "papers.amounts.legend")
            .unwrap()
            .split_whitespace()
            .collect();
        assert_eq!(text.contains(&expected), legend, "{language}: the legend");
        assert!(
            text.contains("€156,92"),
            "{language}: the total the Italian way:\n{text}"
        );
    }
}

#[test]
fn the_applicants_paper_shows_no_internal_marker_and_the_operator_sees_why_a_line_is_flagged() {
    // Issue 13 §3 and translation review C7: [CHECK]/[CONFLICT] and the office's doubts stay off the
    // paper; the preview carries them, for the operator, beside the flagged line.
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let forbidden = [
        "CHECK",
        "CONFLICT",
        "erificare se",
        "erificare quale",
        "erificare con la Questura",
        "secondo alcune fonti",
        "secondo varie fonti",
        "Reading 1",
    ];
    let mut flagged = 0;
    for procedure in register.catalogue().procedures() {
        let variants: Vec<Option<&str>> = if procedure.variants.is_empty() {
            vec![None]
        } else {
            procedure
                .variants
                .iter()
                .map(|v| Some(v.as_str()))
                .collect()
        };
        for variant in variants {
            let request = Request {
                selection: Selection {
                    procedure: &procedure.id,
                    variant,
                    duration: None,
                },
                language: "en",
                italian_only: false,
            };
            let sheet = checklist::for_case(&register, case.id, &request, clock().today).unwrap();
            let lines = sheet
                .header
                .iter()
                .chain([&sheet.title, &sheet.checked_on])
                .chain(sheet.sections.iter().flat_map(|s| s.lines.iter()));
            for line in lines {
                for text in [Some(line.italian.as_str()), line.other.as_deref()]
                    .into_iter()
                    .flatten()
                {
                    for f in forbidden {
                        assert!(
                            !text.contains(f),
                            "{}: printed {f:?} in {text}",
                            procedure.id
                        );
                    }
                }
                if line.verify {
                    flagged += 1;
                    assert!(
                        line.operator.is_some(),
                        "{}: a flagged line tells the operator why: {}",
                        procedure.id,
                        line.italian
                    );
                }
            }
            assert!(
                sheet
                    .checked_on
                    .italian
                    .starts_with("Informazioni verificate: "),
                "{}: the check date is printed",
                procedure.id
            );
        }
    }
    assert!(flagged > 0, "the catalogue has flagged lines to show");

    // On paper: the check date, and none of the operator's notes.
    let request = Request {
        selection: Selection {
            procedure: "conversione_subordinato_autonomo",
            variant: Some("verso_autonomo"),
            duration: None,
        },
        language: "en",
        italian_only: false,
    };
    let sheet = checklist::for_case(&register, case.id, &request, clock().today).unwrap();
    let note = sheet
        .sections
        .iter()
        .flat_map(|s| &s.lines)
        .filter_map(|l| l.operator.as_ref()?.note.clone())
        .find(|n| n.contains("Reading 2"))
        .expect("the preview shows both readings of the conversion's contribution");
    let lang = Lang::try_from(register.reference().language("en").unwrap()).unwrap();
    let text = pdftotext(&checklist::pdf(&fonts(), &sheet, &lang).unwrap());
    assert!(
        text.contains("Informazioni verificate: 05/12/2026"),
        "{text}"
    );
    assert!(!text.contains("Reading") && !text.contains(&note[..20]));

    // A procedure flagged as a whole (review M3: two routes) tells the operator both, off the paper.
    let request = Request {
        selection: Selection {
            procedure: "conversione_stagionale_subordinato",
            variant: None,
            duration: None,
        },
        language: "en",
        italian_only: false,
    };
    let sheet = checklist::for_case(&register, case.id, &request, clock().today).unwrap();
    assert!(sheet
        .operator_note
        .as_deref()
        .is_some_and(|n| n.contains("Mod. VB") && n.contains("kit")));

    // Review M4: the renewal of a family member of an Italian citizen, kit or Questura: both readings
    // in the preview, and the paper only says the desk will tell.
    let request = Request {
        selection: Selection {
            procedure: "famiglia_convivente_italiano_rinnovo",
            variant: None,
            duration: None,
        },
        language: "en",
        italian_only: false,
    };
    let sheet = checklist::for_case(&register, case.id, &request, clock().today).unwrap();
    let note = sheet.operator_note.clone().unwrap_or_default();
    assert!(note.contains("Reading 1") && note.contains("Reading 2") && note.contains("kit"));
    let text = pdftotext(&checklist::pdf(&fonts(), &sheet, &lang).unwrap());
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Lo sportello le dirà se il rinnovo si presenta con il kit postale"),
        "{flat}"
    );
    assert!(
        !text.contains("Reading") && !text.contains("CINFORMI"),
        "{text}"
    );
}
