//! The register's recovery sheet: one page that shows the key, the register it opens and the warnings
//! (checked with `pdftotext`, against the texts as the locale files hold them), in Italian alone or with
//! the operator's English beside it, and a QR code that a reader decodes to exactly the key (the page
//! rendered with `pdftoppm`, decoded with zbar's `zbarimg`).

use std::path::{Path, PathBuf};
use std::process::Command;

use mixite_core::papers::print::FontLibrary;
use mixite_core::papers::recovery::{self, RecoverySheet};

use crate::{problems, squeezed_text};

/// Every character of the base32 alphabet once, so each is shaped, set on the grid and encoded.
const KEY: &str = "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567";
const OTHER_KEY: &str = "Q7XK-M2PA-ZR4W-HN6T-B3VD-LY5C-JE7G-UF2S";
const REGISTER: &str = "5f0c2a1e-8b3d-4c7a-9e21-6d4b3a2f1c90";

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

fn sheet(key: &str) -> RecoverySheet<'_> {
    RecoverySheet {
        key,
        register_id: REGISTER,
        issued_at: "2026-11-26T12:00:00.000Z",
        issued_by: "Operatore Uno",
        comune: "Lucca",
    }
}

/// `recovery.<key>` of `locales/core/<locale>.yml` as the file holds it, read without the core's lookup.
fn translated(locale: &str, key: &str) -> String {
    let path = format!(
        "{}/../../locales/core/{locale}.yml",
        env!("CARGO_MANIFEST_DIR")
    );
    let docs = yaml_rust2::YamlLoader::load_from_str(&std::fs::read_to_string(path).unwrap())
        .expect("the translation file is YAML");
    docs[0]["recovery"][key]
        .as_str()
        .unwrap_or_else(|| panic!("{locale}: recovery.{key} is a text"))
        .to_string()
}

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (apt-get install poppler-utils zbar-tools): {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts")
}

/// What a QR reader gets from page 1 of `name`'s PDF (written by `checklist::artifacts`), rendered at
/// 150 dpi as a printer-and-scanner chain would see it.
pub fn decoded_qr(name: &str) -> String {
    let dir = artifacts_dir();
    let pdf = dir.join(format!("{name}.pdf"));
    let png = dir.join(format!("{name}-150dpi"));
    tool(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-singlefile",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
    );
    let png = dir.join(format!("{name}-150dpi.png"));
    let out = tool("zbarimg", &["--raw", "-q", png.to_str().unwrap()]);
    // zbarimg ends each decoded symbol with a newline; the key has none of its own.
    out.strip_suffix('\n').unwrap_or(&out).to_string()
}

/// Renders the sheet of `key` for an operator working in `locale`, keeps it under `name` and checks
/// what every sheet must show; returns the extracted text, spaces removed.
fn rendered(name: &str, key: &str, locale: &str) -> String {
    let pdf = recovery::render(&fonts(), &sheet(key), locale).unwrap();
    crate::checklist::artifacts(name, &pdf);
    let info = tool(
        "pdfinfo",
        &[artifacts_dir()
            .join(format!("{name}.pdf"))
            .to_str()
            .unwrap()],
    );
    assert!(
        info.lines()
            .any(|l| l.split_whitespace().eq(["Pages:", "1"])),
        "{locale}: the sheet is one page to seal in one envelope: {info}"
    );
    // The key's lines as printed (`-layout`): in reading order, poppler joins a line that ends with a
    // hyphen to the next and drops the hyphen, as it would a word broken in prose.
    let printed: String = tool(
        "pdftotext",
        &[
            "-layout",
            artifacts_dir()
                .join(format!("{name}.pdf"))
                .to_str()
                .unwrap(),
            "-",
        ],
    )
    .split_whitespace()
    .collect();
    assert!(
        printed.contains(key),
        "{locale}: the key's lines, joined, are exactly the key: {printed}"
    );
    let text = squeezed_text(&pdf);
    assert!(
        text.contains(REGISTER),
        "{locale}: the register the key opens: {text}"
    );
    for expected in ["ComunediLucca", "26/11/2026", "12:00UTC", "OperatoreUno"] {
        assert!(
            text.contains(expected),
            "{locale}: {expected:?} (who issued it, when, for which Comune) in {text}"
        );
    }
    for key in [
        "title",
        "confidential",
        "purpose",
        "keep",
        "loss",
        "characters",
        "qr",
    ] {
        let italian = squeezed(&translated("it", key));
        assert!(
            text.contains(&italian),
            "{locale}: the Italian recovery.{key} is always printed: {italian} in {text}"
        );
    }
    assert_eq!(
        decoded_qr(name),
        key,
        "{locale}: the QR code holds exactly the key, nothing more"
    );
    text
}

#[test]
fn the_italian_sheet_shows_the_key_the_register_and_every_warning_and_its_qr_code_reads_back_the_key(
) {
    let text = rendered("recovery-it", KEY, "it");
    assert!(
        !text.contains(&squeezed(&translated("en", "loss"))),
        "an Italian operator's sheet is in Italian only: {text}"
    );
}

#[test]
fn an_english_operator_gets_the_english_beside_the_italian_and_the_same_readable_qr_code() {
    let text = rendered("recovery-en", OTHER_KEY, "en");
    for key in [
        "title",
        "confidential",
        "purpose",
        "keep",
        "loss",
        "characters",
        "qr",
    ] {
        let english = squeezed(&translated("en", key));
        assert!(
            text.contains(&english),
            "the operator's English recovery.{key} stands beside the Italian: {english} in {text}"
        );
    }
    assert!(
        text.contains("Issuedon26/11/2026at12:00UTCbyOperatoreUno"),
        "when and by whom, in English too: {text}"
    );
}

#[test]
fn the_time_of_issue_keeps_the_offset_it_was_given() {
    let at_desk = RecoverySheet {
        issued_at: "2026-11-26T13:05:00+01:00",
        ..sheet(KEY)
    };
    let text = squeezed_text(&recovery::render(&fonts(), &at_desk, "it").unwrap());
    assert!(
        text.contains("Emessail26/11/2026alle13:05UTC+01:00daOperatoreUno."),
        "the desk's local time, with its offset named so nobody reads it as UTC: {text}"
    );
}

#[test]
fn a_key_that_is_not_groups_of_four_base32_characters_is_refused_before_anything_is_printed() {
    let fonts = fonts();
    for bad in [
        "",
        "abcd-efgh-ijkl-mnop",
        "ABCD-EFG0-IJKL-MNOP",
        "ABCD-EFG1-IJKL-MNOP",
        "ABCD--EFGH",
        "ABCD-EFGH-",
        "ABCDE-FGH",
        "ABCD EFGH",
        "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD",
    ] {
        let err = recovery::render(&fonts, &sheet(bad), "it").unwrap_err();
        assert_eq!(
            problems(err),
            ["recovery.key:recovery_key_format"],
            "{bad:?}: the sheet prints only a key the register could have issued"
        );
    }
}

#[test]
fn an_operator_language_the_sheet_has_no_texts_for_is_refused_on_the_locale_field() {
    let err = recovery::render(&fonts(), &sheet(KEY), "fr").unwrap_err();
    assert_eq!(problems(err), ["locale:unknown_code"]);
}

#[test]
fn every_text_of_the_sheet_is_in_both_operator_languages_with_the_same_placeholders() {
    let root = format!("{}/../../locales/core", env!("CARGO_MANIFEST_DIR"));
    let load = |locale: &str| {
        let file = format!("{root}/{locale}.yml");
        let docs = yaml_rust2::YamlLoader::load_from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap();
        docs[0]["recovery"]
            .as_hash()
            .expect("a recovery section")
            .iter()
            .map(|(k, v)| {
                let text = v.as_str().expect("texts are strings");
                let mut names: Vec<&str> = text
                    .split("%{")
                    .skip(1)
                    .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
                    .collect();
                names.sort_unstable();
                (k.as_str().unwrap().to_string(), names.join(","))
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (it, en) = (load("it"), load("en"));
    assert_eq!(
        it, en,
        "each language has every key, each with the same placeholders"
    );
}
