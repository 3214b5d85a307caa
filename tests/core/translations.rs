//! The translations as data: the `papers` locale area against the language list and the operator
//! texts, the provenance table (`assets/reference/translations.toml`) and what it marks on paper.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use mixite_core::reference::catalogue::parse_locale;
use mixite_core::reference::content::Tables;
use mixite_core::reference::provenance::Provenance;
use mixite_core::reference::Reference;
use mixite_core::Error;

fn locales(area: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../locales")
        .join(area)
}

/// `full key → text` of `locales/<area>/<lang>.yml`.
pub fn read(area: &str, lang: &str) -> BTreeMap<String, String> {
    let path = locales(area).join(format!("{lang}.yml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    parse_locale((&path.display().to_string(), &text))
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|(k, (v, _))| (k, v))
        .collect()
}

fn codes() -> Vec<String> {
    Reference::bundled()
        .unwrap()
        .languages
        .iter()
        .map(|l| l.code.clone())
        .collect()
}

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("%{")
        .skip(1)
        .filter_map(|r| r.split_once('}').map(|(n, _)| n.to_string()))
        .collect()
}

#[test]
fn the_papers_area_has_one_file_per_language_of_the_language_list_and_the_core_embeds_each() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(locales("papers"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = codes().into_iter().collect();
    assert_eq!(
        on_disk, listed,
        "languages.toml is the one list of languages"
    );
    let embedded: BTreeSet<String> = Tables::embedded()
        .unwrap()
        .papers
        .languages()
        .into_iter()
        .collect();
    assert_eq!(
        embedded, listed,
        "the built-in content carries every language's file"
    );
    let checklist: BTreeSet<String> = std::fs::read_dir(locales("checklist"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        checklist, listed,
        "the checklist area speaks the same languages"
    );
}

#[test]
fn every_papers_translation_has_the_keys_and_placeholders_of_the_italian() {
    let italian = read("papers", "it");
    for lang in codes() {
        let other = read("papers", &lang);
        assert_eq!(
            other.keys().collect::<Vec<_>>(),
            italian.keys().collect::<Vec<_>>(),
            "{lang}: the same keys as it.yml"
        );
        for (key, text) in &italian {
            assert_eq!(
                placeholders(text),
                placeholders(&other[key]),
                "{lang}: placeholders of {key}"
            );
            assert!(!other[key].trim().is_empty(), "{lang}: {key} is empty");
        }
    }
}

#[test]
fn the_papers_italian_and_english_are_the_operator_texts_of_the_core() {
    // The papers copy the operator's labels so that the applicant's paper and the operator's screen
    // say the same; this keeps the copy from drifting.
    for lang in ["it", "en"] {
        let core = read("core", lang);
        let mut compared = 0;
        for (key, text) in read("papers", lang) {
            let Some(operator) = core.get(key.trim_start_matches("papers.")) else {
                continue;
            };
            assert_eq!(&text, operator, "{lang}: {key} differs from locales/core");
            compared += 1;
        }
        assert!(
            compared > 90,
            "{lang}: the labels were compared ({compared})"
        );
    }
}

#[test]
fn the_provenance_table_has_an_entry_per_area_and_language_and_says_none_is_native_reviewed() {
    let reference = Reference::bundled().unwrap();
    let p = &reference.provenance;
    for area in mixite_core::reference::provenance::AREAS {
        for lang in codes() {
            assert!(
                p.entries.iter().any(|e| e.area == area && e.lang == lang),
                "{area}/{lang} has an entry"
            );
            assert_eq!(
                p.native_reviewed(area, &lang),
                lang == "it",
                "{area}/{lang}: only the Italian master counts as reviewed (the December 2026 review \
                 was not by native speakers)"
            );
        }
    }
    assert!(
        reference
            .languages
            .iter()
            .all(|l| l.reviewed == (l.code == "it")),
        "the checklist panel's reviewed flag comes from the same table"
    );
}

#[test]
fn a_provenance_table_missing_a_language_or_naming_an_unknown_review_is_refused_with_its_line() {
    let reference = Reference::bundled().unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/reference/translations.toml"),
    )
    .unwrap();
    let data = |result: Result<Provenance, Error>| match result {
        Err(Error::Data { message, line, .. }) => format!("{line}: {message}"),
        other => panic!("expected a data error, got {other:?}"),
    };
    let without_tamil = text.replace(
        "[[entry]]\narea = \"papers\"\nlang = \"ta\"\norigin = \"llm-draft\"\nreviews = []\n",
        "",
    );
    assert_ne!(without_tamil, text, "the test removed an entry");
    let message = data(Provenance::from_source(
        ("translations.toml", &without_tamil),
        &reference.languages,
    ));
    assert!(message.contains("papers/ta: no entry"), "{message}");

    let unknown = text.replacen(
        "reviews = [{ id = \"2026-12\", confidence = \"low-medium\" }]",
        "reviews = [{ id = \"2027-01\", confidence = \"low-medium\" }]",
        1,
    );
    let message = data(Provenance::from_source(
        ("translations.toml", &unknown),
        &reference.languages,
    ));
    assert!(message.contains("unknown review 2027-01"), "{message}");
    assert!(!message.starts_with("0:"), "the line is named: {message}");

    let native = text.replace("native = false", "native = true");
    let reviewed =
        Provenance::from_source(("translations.toml", &native), &reference.languages).unwrap();
    assert!(
        reviewed.native_reviewed("checklist", "ta") && !reviewed.native_reviewed("papers", "ta"),
        "a native review counts only for the area and languages that list it"
    );
}

// ------------------------------------------------------------------ what a translation must keep
//
// A translation that drops a number, a placeholder or a negation of the Italian, or adds a negation to
// an instruction, changes what the applicant does. The December 2026 review found Tamil and Sinhala
// telling applicants to bring the documents "not on" the list (`receipt.next_documents`).

/// How a language says "not": whole words, words beginning or ending so, and (for a script without
/// spaces between words) any substring.
struct Negation {
    words: &'static [&'static str],
    prefixes: &'static [&'static str],
    suffixes: &'static [&'static str],
    substrings: &'static [&'static str],
}

const NONE: &[&str] = &[];

fn negation(lang: &str) -> Negation {
    let words = |words| Negation {
        words,
        prefixes: NONE,
        suffixes: NONE,
        substrings: NONE,
    };
    match lang {
        "it" => words(&[
            "non", "senza", "nessun", "nessuno", "nessuna", "né", "mai", "no",
        ]),
        "en" => words(&[
            "not", "no", "without", "never", "none", "nor", "neither", "cannot", "nothing",
        ]),
        "fr" => Negation {
            words: &[
                "ne", "pas", "sans", "aucun", "aucune", "jamais", "ni", "non", "rien",
            ],
            prefixes: &["n'"],
            ..words(NONE)
        },
        "es" => words(&[
            "no", "sin", "ningún", "ninguno", "ninguna", "nunca", "ni", "nada",
        ]),
        "ro" => words(&[
            "nu",
            "fără",
            "niciun",
            "nicio",
            "niciuna",
            "niciunul",
            "niciodată",
            "nici",
        ]),
        "sq" => words(&["nuk", "mos", "pa", "asnjë", "kurrë", "jo", "s'"]),
        "ru" => words(&["не", "нет", "без", "ни", "никогда", "нельзя", "запрещены"]),
        "uk" => words(&[
            "не",
            "немає",
            "без",
            "ні",
            "ніколи",
            "жодних",
            "жоден",
            "заборонені",
        ]),
        "zh" => Negation {
            substrings: &["不", "没", "无", "未", "非", "勿", "别", "禁止"],
            ..words(NONE)
        },
        "ar" => words(&["لا", "لم", "لن", "ليس", "ليست", "غير", "بدون", "دون", "عدم"]),
        "ur" => words(&["نہیں", "نہ", "بغیر", "مت", "غیر"]),
        "hi" => words(&["नहीं", "न", "बिना", "मत", "ग़ैर", "गैर"]),
        "pa" => words(&["ਨਹੀਂ", "ਨਾ", "ਬਿਨਾਂ", "ਬਿਨਾ", "ਮਤ", "ਗੈਰ"]),
        "bn" => Negation {
            words: &["না", "নয়", "নেই", "নই", "নন", "হয়নি", "করেননি", "ছাড়া", "বিনা"],
            ..words(NONE)
        },
        "ta" => Negation {
            words: &[
                "இல்லை",
                "இல்லாத",
                "இல்லாமல்",
                "அல்ல",
                "முடியாது",
                "வேண்டாம்",
                "கூடாது",
                "இன்றி",
            ],
            prefixes: &["இல்லா", "இல்லை"],
            // -ஆதவர்: the negative personal noun ("one who does not pass / attend").
            suffixes: &["இல்லை", "ில்லை", "ில்லாத", "ாது", "ாத", "ாமல்", "ாதவர்", "ாதவர்கள்"],
            ..words(NONE)
        },
        "si" => Negation {
            words: &[
                "නැත",
                "නැති",
                "නොවේ",
                "එපා",
                "බැහැ",
                "බැරි",
                "නැහැ",
                "නැතිව",
                "නොහැක",
            ],
            prefixes: &["නො", "නැත"],
            suffixes: &["නැත", "නැති", "නොවේ", "නොහැක"],
            ..words(NONE)
        },
        other => panic!("no negation words for {other}: add them with the language"),
    }
}

/// The text without placeholders and without the Italian terms the translations keep that look like
/// a negation ("nulla osta" is a permit, "Case no." an abbreviation).
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("%{") {
        out.push_str(&rest[..at]);
        rest = rest[at..].split_once('}').map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out.to_lowercase()
        .replace("nulla osta", " ")
        .replace("no. ", " ")
}

fn negated(lang: &str, text: &str) -> bool {
    let n = negation(lang);
    let text = plain(text);
    if n.substrings.iter().any(|s| text.contains(s)) {
        return true;
    }
    let found = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || is_mark(c)))
        .filter(|w| !w.is_empty())
        .flat_map(|w| {
            // Arabic and Urdu write "and"/"so" (و, ف) joined to the next word.
            let bare = w
                .strip_prefix(['و', 'ف'])
                .filter(|_| matches!(lang, "ar" | "ur"));
            [Some(w), bare].into_iter().flatten()
        })
        .any(|w| {
            n.words.contains(&w)
                || n.prefixes.iter().any(|p| w.starts_with(p) && w != *p)
                || n.suffixes.iter().any(|s| w.ends_with(s) && w != *s)
        });
    found
}

/// Combining marks (Indic vowel signs, viramas, Arabic harakat) belong to their word.
fn is_mark(c: char) -> bool {
    let danda = matches!(c, '\u{0964}' | '\u{0965}');
    !danda
        && matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x0900..=0x0DFF | 0x200C | 0x200D)
}

/// The numbers of a text, `1.040`, `1,040` and `1040` alike (a thousands mark joins three digits),
/// placeholders left out.
fn numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = plain(text).chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            current.push(*c);
        } else if matches!(c, '.' | ',' | '\u{202f}' | '\u{a0}')
            && !current.is_empty()
            && chars[i + 1..]
                .iter()
                .take(3)
                .filter(|c| c.is_ascii_digit())
                .count()
                == 3
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            continue;
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.sort();
    out
}

/// Whether `text` says `number` with a word of the language instead of the digit. Only where the
/// grammar does not put a numeral before a noun: Arabic says one and two of a thing with the noun and
/// واحد/ة or with the dual (سنة واحدة، سنتان، يومَي عمل), and the December 2026 review asked for the
/// word or the digit, not both (`سنتين (2)` was clutter). A number dropped with no such word still fails.
fn spelled(lang: &str, number: &str, text: &str) -> bool {
    let words: &[&str] = match (lang, number) {
        ("ar", "1") => &["واحد", "واحدة"],
        ("ar", "2") => &["سنتان", "سنتين", "يومَي", "يومي", "لشخصين", "شخصين"],
        ("ar", "5") => &["الخمس", "خمس"],
        _ => return false,
    };
    plain(text)
        .split(|c: char| !(c.is_alphanumeric() || is_mark(c)))
        .any(|w| words.contains(&w) || w.strip_prefix('و').is_some_and(|w| words.contains(&w)))
}

/// The keys whose added negation is checked too: the lines that tell the applicant what to do next
/// and the sheet's frame. Elsewhere a translator may rightly say a positive Italian word with a
/// negation ("esente": "no fee"), and the check the other way still holds there.
fn instruction(key: &str) -> bool {
    [
        "checklist.receipt.",
        "checklist.next.",
        "checklist.layout.",
        "checklist.when.",
    ]
    .iter()
    .any(|p| key.starts_with(p))
}

/// Lines allowed to differ from the rule, with the reason.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "zh",
        "checklist.next.post_office",
        "未封口的信封 is \"an unsealed envelope\", the Italian \"busta aperta\"",
    ),
    (
        "en",
        "checklist.note.sign_and_section_2_last",
        "\"senza firma\" is \"unsigned\": the negation is the prefix un-",
    ),
    (
        "en",
        "papers.labels.sex.X",
        "\"non specificato\" is \"unspecified\" (un-), the operator's English label",
    ),
    (
        "en",
        "checklist.proc.minore_eta",
        "\"non accompagnato\" is \"unaccompanied\" (un-)",
    ),
    (
        "sq",
        "checklist.proc.minore_eta",
        "\"non accompagnato\" is \"i pashoqëruar\" (pa-)",
    ),
    (
        "ro",
        "checklist.proc.minore_eta",
        "\"non accompagnato\" is \"neînsoțit\" (ne-)",
    ),
    (
        "fr",
        "checklist.note.income_autonomo",
        "\"non inferiore\" said positively: \"au moins égal\"",
    ),
    (
        "fr",
        "checklist.note.income_household",
        "\"non inferiore\" said positively: \"au moins égal\"",
    ),
    (
        "ro",
        "checklist.note.income_autonomo",
        "\"non inferiore\" said positively: \"cel puțin egal\"",
    ),
    (
        "ro",
        "checklist.note.income_household",
        "\"non inferiore\" said positively: \"cel puțin egal\"",
    ),
];

/// Every problem of `lang`'s `area` file against the Italian, as `key: problem`.
fn keeping_problems(
    italian: &BTreeMap<String, String>,
    lang: &str,
    other: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, it) in italian {
        let Some(text) = other.get(key) else {
            problems.push(format!("{key}: missing"));
            continue;
        };
        if EXCEPTIONS.iter().any(|(l, k, _)| *l == lang && k == key) {
            continue;
        }
        if placeholders(it) != placeholders(text) {
            problems.push(format!("{key}: placeholders"));
        }
        let theirs = numbers(text);
        let missing: Vec<String> = numbers(it)
            .into_iter()
            .filter(|n| !theirs.contains(n) && !spelled(lang, n, text))
            .collect();
        if !missing.is_empty() {
            problems.push(format!("{key}: numbers {missing:?} dropped"));
        }
        match (negated("it", it), negated(lang, text)) {
            (true, false) => problems.push(format!("{key}: the Italian's negation is lost")),
            (false, true) if instruction(key) => {
                problems.push(format!("{key}: a negation the Italian does not have"))
            }
            _ => {}
        }
    }
    problems
}

#[test]
fn no_translation_drops_a_number_a_placeholder_or_a_negation_of_the_italian() {
    for area in ["checklist", "papers"] {
        let italian = read(area, "it");
        let mut all = Vec::new();
        for lang in codes().iter().filter(|l| *l != "it") {
            all.extend(
                keeping_problems(&italian, lang, &read(area, lang))
                    .into_iter()
                    .map(|p| format!("{area}/{lang} {p}")),
            );
        }
        assert!(
            all.is_empty(),
            "{} problems:\n{}",
            all.len(),
            all.join("\n")
        );
    }
}

#[test]
fn the_check_catches_the_tamil_and_sinhala_flip_and_a_dropped_number_or_negation() {
    let italian = read("checklist", "it");
    // The lines as the review found them.
    for (lang, flipped) in [
        (
            "ta",
            "கொடுக்கப்பட்ட பட்டியலில் இல்லாத ஆவணங்களை சாளரத்திற்குக் கொண்டு வாருங்கள்.",
        ),
        ("si", "ඔබට දුන් ලැයිස්තුවේ නැති ලේඛන කවුළුවට ගෙනෙන්න."),
    ] {
        let mut damaged = read("checklist", lang);
        damaged.insert("checklist.receipt.next_documents".into(), flipped.into());
        assert_eq!(
            keeping_problems(&italian, lang, &damaged),
            ["checklist.receipt.next_documents: a negation the Italian does not have"],
            "{lang}: the flip is caught"
        );
    }
    let mut damaged = read("checklist", "zh");
    let key = "checklist.note.student_work_limit";
    let dropped = damaged[key].replace("1040", "104");
    damaged.insert(key.into(), dropped);
    assert_eq!(
        keeping_problems(&italian, "zh", &damaged),
        [format!("{key}: numbers [\"1040\"] dropped")]
    );
    let mut damaged = read("checklist", "fr");
    // "Le fototessere non vanno nella busta": a translation that puts them in is caught.
    let key = "checklist.note.photos_at_questura";
    damaged.insert(
        key.into(),
        "Mettez les photos d'identité dans l'enveloppe pour la Questura.".into(),
    );
    assert_eq!(
        keeping_problems(&italian, "fr", &damaged),
        [format!("{key}: the Italian's negation is lost")]
    );
    // Arabic says "2 working days" with the dual (يومَي عمل): the word counts as the number; a
    // plural with no number does not.
    let mut damaged = read("checklist", "ar");
    let key = "checklist.note.residence_20_days";
    assert!(damaged[key].contains("يومَي عمل") && !numbers(&damaged[key]).contains(&"2".into()));
    assert_eq!(
        keeping_problems(&italian, "ar", &damaged),
        Vec::<String>::new()
    );
    let dropped = damaged[key].replace("يومَي عمل", "أيام عمل");
    damaged.insert(key.into(), dropped);
    assert_eq!(
        keeping_problems(&italian, "ar", &damaged),
        [format!("{key}: numbers [\"2\"] dropped")]
    );
    assert_eq!(
        numbers("1.040 ore, 1,040 h, 1040 — € 7.002,97"),
        ["1040", "1040", "1040", "7002", "97"],
        "a thousands mark joins, a decimal mark separates"
    );
}
