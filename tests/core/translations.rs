//! The translations as data: the `papers` locale area against the language list and the operator
//! texts, the provenance table (`assets/reference/translations.toml`) and what it marks on paper.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use mixite_core::papers::wording::FILES;
use mixite_core::reference::catalogue::parse_locale;
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
    let embedded: BTreeSet<String> = FILES.iter().map(|(c, _, _)| c.to_string()).collect();
    assert_eq!(embedded, listed, "the core embeds every language's file");
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
            compared > 100,
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
