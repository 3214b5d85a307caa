//! Content packs (issue 13 §5): a corrected catalogue, the papers' texts and the kit forms taken without
//! a new build. Packs are signed with a test key the tests pass as the trusted one (the app trusts only
//! the keys embedded from `assets/keys/`); a tampered pack, an older one and one with a broken table,
//! papers file or forms file are refused with nothing changed; a good one, read from a real FAT32
//! stick, is applied, prints its version and its texts on the papers and is recorded with them (also
//! on the desk an archive takes them to), and the previous content comes back.

use std::collections::BTreeMap;
use std::path::Path;

use mixite_core::error::PackCode;
use mixite_core::papers::{self, print::FontLibrary, ChecklistOptions, Paper};
use mixite_core::reference::content::{Content, Stamp, Tables, Version};
use mixite_core::reference::pack::{self, Change};
use mixite_core::register::audit::{self, Filter};
use mixite_core::register::content::{CURRENT, FOLDER, PREVIOUS};
use mixite_core::register::operators::{Actor, Role};
use mixite_core::{Error, Register};

use crate::archive::Stick;
use crate::{clock, create, day, key, squeezed_text, temp_register, worker};

/// The tests' signing key: fixed, so a failure is reproducible; never trusted by the app.
fn test_key() -> pack::SigningKey {
    pack::parse_secret_key(&format!("# test key\n{}\n", "2a".repeat(32))).unwrap()
}

fn trusted() -> Vec<pack::VerifyingKey> {
    vec![test_key().verifying_key()]
}

fn responsabile() -> Actor {
    Actor::unchecked(
        "00000000-0000-4000-8000-00000000000a",
        "Responsabile Una",
        Role::Responsabile,
    )
}

fn fonts() -> FontLibrary {
    FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"))
}

/// The built-in content as version `version` of 1 February 2027, each `(file, from, to)` replacing the
/// first `from` in that file by `to`.
fn content(version: &str, edits: &[(&str, &str, &str)]) -> Content {
    let built_in = Content::embedded().unwrap();
    let mut files: BTreeMap<String, String> = built_in
        .files()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    for (file, from, to) in edits {
        let text = files.get_mut(*file).unwrap();
        assert!(text.contains(from), "{file} holds {from:?}");
        *text = text.replacen(from, to, 1);
    }
    Content::new(
        Stamp {
            version: Version::parse(version).unwrap(),
            date: day("2027-02-01"),
        },
        files,
    )
}

/// A signed pack of `content` (its tables need not pass: the app checks them).
fn signed(content: &Content) -> Vec<u8> {
    pack::build(content, &test_key()).unwrap()
}

const TITLE_IT: &str = "Rinnovo del permesso per lavoro subordinato";
const NEW_TITLE_IT: &str = "Rinnovo del permesso di soggiorno per lavoro subordinato";

/// The corrections of "2027": the bollo rises to €17 from 1 January 2027, the employment renewal's
/// default contribution band changes, and its Italian title is reworded.
fn corrected(version: &str) -> Content {
    content(
        version,
        &[
            (
                "assets/reference/fees.toml",
                "cents = 1600\nvalid_from = \"2013-06-26\"\n",
                "cents = 1600\nvalid_from = \"2013-06-26\"\nvalid_to = \"2027-01-01\"\n",
            ),
            (
                "assets/reference/fees.toml",
                "[[fee]]\nid = \"bollo_istanza\"",
                "[[fee.amount]]\ncents = 1700\nvalid_from = \"2027-01-01\"\n\
                 source = \"https://www.agenziaentrate.gov.it/\"\nread_on = \"2027-01\"\nverify = true\n\n\
                 [[fee]]\nid = \"bollo_istanza\"",
            ),
            (
                "assets/procedures/kit_lavoro.toml",
                "contribution_band = \"le_2y\"",
                "contribution_band = \"le_1y\"",
            ),
            ("locales/checklist/it.yml", TITLE_IT, NEW_TITLE_IT),
        ],
    )
}

fn pack_error(result: Result<impl std::fmt::Debug, Error>) -> (PackCode, String) {
    match result {
        Err(Error::Pack { code, detail }) => (code, detail),
        other => panic!("expected a pack error, got {other:?}"),
    }
}

/// The data folder's installed packs, by name, with their bytes: what "nothing changed" compares.
fn installed(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join(FOLDER))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn title_of(register: &Register, procedure: &str) -> String {
    let p = register.catalogue().procedure(procedure).unwrap();
    register.texts().text(&p.title, "it", &BTreeMap::new())
}

/// Files the worker's checklist (`checklist`), as the desk prints it.
fn print_checklist(register: &mut Register, case_id: i64) -> papers::Filed {
    papers::file(
        register,
        &fonts(),
        case_id,
        &checklist(),
        "Operatore Uno",
        &clock(),
    )
    .unwrap()
}

fn checklist() -> Paper {
    Paper::Checklist(ChecklistOptions {
        procedure: "rinnovo_lavoro_subordinato".into(),
        variant: None,
        duration: None,
        language: "ar".into(),
        italian_only: false,
    })
}

#[test]
fn versions_compare_number_by_number() {
    let v = |s: &str| Version::parse(s).unwrap();
    assert!(v("2026.10") > v("2026.9"), "10 is after 9, not before");
    assert!(v("2027") > v("2026.99"));
    assert!(v("2026.1.1") > v("2026.1"));
    for bad in ["", "2026.", "v2026", "2026.-1", "1.2.3.4.5", "2026 .1"] {
        assert!(Version::parse(bad).is_none(), "{bad:?} is not a version");
    }
}

#[test]
fn the_built_in_content_and_the_shipped_public_key_are_valid() {
    let tables = Tables::embedded().expect("the built-in content passes its checks");
    assert!(
        tables.texts.languages().len() >= 16,
        "every checklist language"
    );
    assert_eq!(
        tables.papers.languages().len(),
        tables.reference.languages.len(),
        "the papers' texts of every language of languages.toml"
    );
    assert_eq!(
        tables
            .forms
            .forms
            .iter()
            .map(|f| f.head.kit_form.as_str())
            .collect::<Vec<_>>(),
        ["Modulo 1", "Modulo 2"],
        "the kit forms"
    );
    assert_eq!(tables.forms.province_name(" lu "), Some("Lucca"));
    assert_eq!(
        pack::trusted_keys().len(),
        1,
        "the project's public key parses"
    );
    // A pack of the built-in content opens with the key that signed it, and only with that one.
    let built_in = Content::embedded().unwrap();
    let bytes = signed(&built_in);
    let opened = pack::open(&bytes, &trusted()).unwrap();
    assert_eq!(opened.stamp, built_in.stamp);
    assert_eq!(opened.files().count(), built_in.files().count());
    assert_eq!(
        pack_error(pack::open(&bytes, &pack::trusted_keys())).0,
        PackCode::BadSignature,
        "the test key is not the project's"
    );
}

#[test]
fn a_tampered_pack_is_refused_and_nothing_changes() {
    let (dir, mut register) = temp_register();
    let good = signed(&corrected("2027.1"));
    let before = register.content().clone();

    // One amount changed inside the TAR after signing: the file no longer matches the manifest.
    let at = good
        .windows(b"cents = 1700".len())
        .position(|w| w == b"cents = 1700")
        .unwrap();
    let mut tampered = good.clone();
    tampered[at + 8] = b'0'; // 1700 → 0700
    let (code, detail) = pack_error(register.inspect_pack(&tampered, &trusted(), &responsabile()));
    assert_eq!(code, PackCode::BadSignature);
    assert!(detail.contains("fees.toml"), "names the file: {detail}");
    let (code, _) =
        pack_error(register.apply_pack(&tampered, &trusted(), &clock(), &responsabile()));
    assert_eq!(code, PackCode::BadSignature);

    // The manifest itself changed (its version raised): the signature fails.
    let mut raised = good.clone();
    let at = raised
        .windows(b"\"2027.1\"".len())
        .position(|w| w == b"\"2027.1\"")
        .unwrap();
    raised[at + 4] = b'8';
    assert_eq!(
        pack_error(register.apply_pack(&raised, &trusted(), &clock(), &responsabile())).0,
        PackCode::BadSignature
    );

    // Signed by a key the desk does not trust.
    let other = pack::parse_secret_key(&"7b".repeat(32)).unwrap();
    let foreign = pack::build(&corrected("2027.1"), &other).unwrap();
    assert_eq!(
        pack_error(register.apply_pack(&foreign, &trusted(), &clock(), &responsabile())).0,
        PackCode::BadSignature
    );
    // Not a pack at all.
    assert_eq!(
        pack_error(register.apply_pack(b"PK\x03\x04 zip", &trusted(), &clock(), &responsabile())).0,
        PackCode::NotAPack
    );

    assert!(
        installed(dir.path()).is_empty(),
        "nothing was written to the data folder"
    );
    assert_eq!(
        register.content(),
        &before,
        "the content in force is the same"
    );
    assert_eq!(title_of(&register, "rinnovo_lavoro_subordinato"), TITLE_IT);
}

#[test]
fn an_older_pack_or_one_not_newer_is_refused_and_nothing_changes() {
    let (dir, mut register) = temp_register();
    let built_in = register.content().built_in.version.to_string();
    // The built-in version again, with the corrections: not newer than the content in force.
    let same = signed(&corrected(&built_in));
    let (code, detail) =
        pack_error(register.apply_pack(&same, &trusted(), &clock(), &responsabile()));
    assert_eq!(code, PackCode::NotNewer);
    assert_eq!(detail, built_in, "says the version in force");

    register
        .apply_pack(
            &signed(&corrected("2027.2")),
            &trusted(),
            &clock(),
            &responsabile(),
        )
        .unwrap();
    let after_apply = installed(dir.path());
    let older = signed(&corrected("2027.1"));
    let (code, detail) = pack_error(register.inspect_pack(&older, &trusted(), &responsabile()));
    assert_eq!((code, detail.as_str()), (PackCode::NotNewer, "2027.2"));
    let (code, _) = pack_error(register.apply_pack(&older, &trusted(), &clock(), &responsabile()));
    assert_eq!(code, PackCode::NotNewer);
    assert_eq!(
        installed(dir.path()),
        after_apply,
        "the installed packs are untouched"
    );
    assert_eq!(register.content().stamp.version.to_string(), "2027.2");
}

#[test]
fn a_pack_with_a_broken_table_is_refused_naming_its_file_and_line() {
    let (dir, mut register) = temp_register();
    // Two fees with one id: the fee table's own check.
    let broken = content(
        "2027.1",
        &[(
            "assets/reference/fees.toml",
            "id = \"bollo_istanza\"",
            "id = \"bollo\"",
        )],
    );
    let fees = broken.source("assets/reference/fees.toml").unwrap().1;
    let line = fees[..fees
        .find("id = \"bollo\"\nlabel = \"fee.bollo_istanza\"")
        .unwrap()]
        .matches('\n')
        .count()
        + 1;
    let bytes = signed(&broken);
    let (code, detail) = pack_error(register.inspect_pack(&bytes, &trusted(), &responsabile()));
    assert_eq!(code, PackCode::InvalidData);
    assert_eq!(
        detail,
        format!("assets/reference/fees.toml:{line}: duplicate fee id bollo")
    );
    let (code, _) = pack_error(register.apply_pack(&bytes, &trusted(), &clock(), &responsabile()));
    assert_eq!(code, PackCode::InvalidData);

    // A procedure naming a fee the pack's table does not have: the catalogue's cross-check.
    let unknown_fee = content(
        "2027.1",
        &[(
            "assets/procedures/kit_lavoro.toml",
            "fees = [\"bollo\",",
            "fees = [\"bollo_2027\",",
        )],
    );
    let (code, detail) = pack_error(register.apply_pack(
        &signed(&unknown_fee),
        &trusted(),
        &clock(),
        &responsabile(),
    ));
    assert_eq!(code, PackCode::InvalidData);
    assert!(
        detail.starts_with("assets/procedures/kit_lavoro.toml:")
            && detail.contains("unknown fee bollo_2027"),
        "{detail}"
    );
    assert!(installed(dir.path()).is_empty(), "nothing was written");
    assert!(!register.content().installed);
}

#[test]
fn a_good_pack_from_a_fat32_stick_is_applied_printed_with_and_the_previous_content_restored() {
    let Some(mut stick) = Stick::new(16) else {
        return;
    };
    let (dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let built_in = register.content().stamp.clone();

    // The maintainers' pack, copied onto a FAT32 stick, read back from it at the desk.
    let name = format!("contenuti-2027.1.{}", pack::EXTENSION);
    let mount = stick.mount("rw+").to_path_buf();
    std::fs::write(mount.join(&name), signed(&corrected("2027.1"))).unwrap();
    stick.unmount();
    let mount = stick.mount("ro").to_path_buf();
    let found = mixite_core::exchange::drives::found_files(&[(mount.clone(), "STICK".into())]);
    assert_eq!(found.len(), 1, "the pack is listed on the stick: {found:?}");
    let bytes = std::fs::read(&found[0].path).unwrap();

    // An operatore may not even look; the responsabile sees what changes first.
    let operatore = crate::op("Operatore Uno");
    assert!(matches!(
        register.inspect_pack(&bytes, &trusted(), &operatore),
        Err(Error::Access(_))
    ));
    let diff = register
        .inspect_pack(&bytes, &trusted(), &responsabile())
        .unwrap();
    assert_eq!(diff.from, built_in);
    assert_eq!(diff.to.version.to_string(), "2027.1");
    assert!(diff.procedures_added.is_empty() && diff.procedures_removed.is_empty());
    assert_eq!(
        diff.procedures_changed
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>(),
        ["rinnovo_lavoro_subordinato"],
        "the band changed; the title is a text, not the procedure's data"
    );
    let bollo: Vec<_> = diff.fees.iter().filter(|f| f.fee == "bollo").collect();
    assert_eq!(
        bollo
            .iter()
            .map(|f| (
                f.change,
                f.cents,
                f.valid_from.to_string(),
                f.valid_to.map(|d| d.to_string())
            ))
            .collect::<Vec<_>>(),
        [
            (Change::Removed, 1600, "2013-06-26".into(), None),
            (
                Change::Added,
                1600,
                "2013-06-26".into(),
                Some("2027-01-01".into())
            ),
            (Change::Added, 1700, "2027-01-01".into(), None),
        ],
        "the bollo's rows with their dates"
    );
    assert_eq!(diff.fees.len(), 3, "no other fee changed: {:?}", diff.fees);
    assert_eq!(diff.languages, ["it"]);
    assert_eq!(
        diff.files,
        [
            "assets/procedures/kit_lavoro.toml",
            "assets/reference/fees.toml",
            "locales/checklist/it.yml"
        ]
    );
    assert!(installed(dir.path()).is_empty(), "looking writes nothing");
    assert!(matches!(
        register.apply_pack(&bytes, &trusted(), &clock(), &operatore),
        Err(Error::Access(_))
    ));

    // Applied: the catalogue, the fees and the texts are the pack's.
    let in_force = register
        .apply_pack(&bytes, &trusted(), &clock(), &responsabile())
        .unwrap();
    assert!(in_force.installed);
    assert_eq!(in_force.stamp.version.to_string(), "2027.1");
    assert_eq!(
        installed(dir.path()),
        [(CURRENT.to_string(), bytes.clone())],
        "the pack is kept whole as the current one; the built-in content had no file to keep"
    );
    assert_eq!(
        title_of(&register, "rinnovo_lavoro_subordinato"),
        NEW_TITLE_IT
    );
    let procedure = register
        .catalogue()
        .procedure("rinnovo_lavoro_subordinato")
        .unwrap();
    assert_eq!(procedure.contribution_band.as_deref(), Some("le_1y"));
    let bollo = register.fees().fee("bollo").unwrap();
    assert!(bollo.amounts.iter().any(|a| a.cents == 1700));

    // The papers print the pack's version at their foot and are recorded with it.
    let filed = print_checklist(&mut register, case.id);
    let text = squeezed_text(&filed.pdf);
    assert!(
        text.contains("Contenutiv2027.1(01/02/2027)"),
        "the footer names the content: {text}"
    );
    assert!(text.contains(&NEW_TITLE_IT.replace(' ', "")));
    let recorded = papers::folder::of_case(&register, case.id).unwrap();
    assert_eq!(recorded[0].content_version.as_deref(), Some("2027.1"));

    let entries = audit::list(register.store().conn(), &Filter::default(), 0, 50)
        .unwrap()
        .items;
    let applied = entries
        .iter()
        .find(|e| e.action == "content_applied")
        .expect("the apply is in the audit trail");
    assert_eq!(applied.operator, "Responsabile Una");
    assert!(
        applied.detail.contains("\"version\":\"2027.1\""),
        "{}",
        applied.detail
    );

    // Opened again as the app opens it (the project's keys only): the test pack does not verify, so the
    // built-in content is in force and the reason is given, never half of each.
    drop(register);
    let reopened = Register::open(dir.path(), &key()).unwrap();
    assert!(!reopened.content().installed);
    assert_eq!(reopened.content().stamp, built_in);
    assert_eq!(
        reopened.content().problem.as_ref().map(|p| p.code),
        Some(PackCode::BadSignature),
        "the about screen says why the installed pack is not in use"
    );
    assert_eq!(title_of(&reopened, "rinnovo_lavoro_subordinato"), TITLE_IT);
    drop(reopened);

    // Restored: the built-in content again, the pack kept as the previous one; a paper printed now
    // says so.
    let mut register = Register::open(dir.path(), &key()).unwrap();
    register.reload_content(&trusted()).unwrap();
    assert_eq!(register.content().stamp.version.to_string(), "2027.1");
    let restored = register
        .restore_pack(&trusted(), &clock(), &responsabile())
        .unwrap();
    assert!(!restored.installed);
    assert_eq!(restored.stamp, built_in);
    assert_eq!(
        restored
            .previous
            .as_ref()
            .map(|s| s.version.to_string())
            .as_deref(),
        Some("2027.1")
    );
    assert_eq!(installed(dir.path()), [(PREVIOUS.to_string(), bytes)]);
    assert_eq!(title_of(&register, "rinnovo_lavoro_subordinato"), TITLE_IT);
    let filed = print_checklist(&mut register, case.id);
    assert!(squeezed_text(&filed.pdf).contains(&built_in.footer().replace(' ', "")));
    // And back again: the previous pack is the one in force once more.
    let again = register
        .restore_pack(&trusted(), &clock(), &responsabile())
        .unwrap();
    assert_eq!(again.stamp.version.to_string(), "2027.1");
    let restores = audit::list(register.store().conn(), &Filter::default(), 0, 50)
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.action == "content_restored")
        .count();
    assert_eq!(restores, 2);
}

#[test]
fn a_pack_carries_the_official_hosts_and_the_translations_provenance() {
    // Which hosts are official decides every row's strength: a pack that adds one changes the report.
    let built_in = Tables::embedded().unwrap();
    let official = |tables: &Tables| tables.catalogue.report(&tables.fees).lines.official;
    let before = official(&built_in);
    let wider = content(
        "2027.1",
        &[(
            "assets/reference/sources.toml",
            "domains = [\n",
            "domains = [\n    \"portalemigranti.it\",\n",
        )],
    );
    assert!(
        official(&Tables::check(&wider).unwrap()) > before,
        "the pack's own table of official hosts is the one applied"
    );

    // The provenance table is checked like every table of the pack: a language without an entry is
    // refused with its file.
    let broken = content(
        "2027.1",
        &[(
            "assets/reference/translations.toml",
            "[[area]]",
            "[[area_]]",
        )],
    );
    match Tables::check(&broken) {
        Err(Error::Data { file, .. }) => assert_eq!(file, "assets/reference/translations.toml"),
        other => panic!("a broken provenance table is refused, got {other:?}"),
    }
}

const GLOSSARY_EN: &str =
    "Questura: the immigration office of the State Police (residence permits, fingerprints).";
const NEW_GLOSSARY_EN: &str =
    "Questura: the State Police office where permits are issued and fingerprints taken.";

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect()
}

/// The access report of a case in English, as the desk prints it, through `pdftotext`.
fn access_report_text(register: &Register, case_id: i64) -> String {
    let pdf = papers::access_report::render_access_report(
        register,
        &fonts(),
        case_id,
        "en",
        clock().today,
    )
    .unwrap();
    squeezed_text(&pdf)
}

#[test]
fn a_pack_that_rewords_a_papers_text_changes_the_access_report_and_every_preface() {
    let (_dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let before = access_report_text(&register, case.id);
    assert!(
        before.contains(&squeeze(GLOSSARY_EN)),
        "the built-in glossary line: {before}"
    );

    let bytes = signed(&content(
        "2027.1",
        &[("locales/papers/en.yml", GLOSSARY_EN, NEW_GLOSSARY_EN)],
    ));
    let diff = register
        .inspect_pack(&bytes, &trusted(), &responsabile())
        .unwrap();
    assert_eq!(diff.files, ["locales/papers/en.yml"]);
    assert_eq!(
        diff.languages,
        ["en"],
        "the papers' texts count among the languages updated"
    );
    register
        .apply_pack(&bytes, &trusted(), &clock(), &responsabile())
        .unwrap();

    let after = access_report_text(&register, case.id);
    assert!(
        after.contains(&squeeze(NEW_GLOSSARY_EN)) && !after.contains(&squeeze(GLOSSARY_EN)),
        "the access report prints the pack's glossary line: {after}"
    );
    assert!(after.contains("Contenutiv2027.1(01/02/2027)"));
    // The preface of a filed paper (the receipt explains every office name) and of the checklist.
    let receipt = papers::file(
        &mut register,
        &fonts(),
        case.id,
        &Paper::Ricevuta {
            language: "en".into(),
        },
        "Operatore Uno",
        &clock(),
    )
    .unwrap();
    assert!(squeezed_text(&receipt.pdf).contains(&squeeze(NEW_GLOSSARY_EN)));
    let english = Paper::Checklist(ChecklistOptions {
        language: "en".into(),
        ..match checklist() {
            Paper::Checklist(options) => options,
            _ => unreachable!(),
        }
    });
    let sheet = papers::file(
        &mut register,
        &fonts(),
        case.id,
        &english,
        "Operatore Uno",
        &clock(),
    )
    .unwrap();
    let text = squeezed_text(&sheet.pdf);
    assert!(
        text.contains(&squeeze(NEW_GLOSSARY_EN)) && !text.contains(&squeeze(GLOSSARY_EN)),
        "the checklist's preface names the Questura in the pack's words: {text}"
    );

    // Back to the built-in content: its words again.
    register
        .restore_pack(&trusted(), &clock(), &responsabile())
        .unwrap();
    assert!(access_report_text(&register, case.id).contains(&squeeze(GLOSSARY_EN)));
}

/// `content` refused as the pack it would be, naming `file`, with nothing installed or changed.
fn refused_naming(register: &mut Register, dir: &Path, content: &Content, file: &str) -> String {
    let before = register.content().clone();
    let bytes = signed(content);
    let (code, detail) = pack_error(register.inspect_pack(&bytes, &trusted(), &responsabile()));
    assert_eq!(code, PackCode::InvalidData, "{detail}");
    assert!(
        detail.starts_with(&format!("{file}:")),
        "names {file}: {detail}"
    );
    let (code, again) =
        pack_error(register.apply_pack(&bytes, &trusted(), &clock(), &responsabile()));
    assert_eq!((code, &again), (PackCode::InvalidData, &detail));
    assert!(installed(dir).is_empty(), "nothing was written: {file}");
    assert_eq!(
        register.content(),
        &before,
        "the content in force is the same"
    );
    detail
}

#[test]
fn a_pack_with_a_broken_papers_file_is_refused_naming_it_and_nothing_changes() {
    let (dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let printed = access_report_text(&register, case.id);

    // A key missing from one language.
    let detail = refused_naming(
        &mut register,
        dir.path(),
        &content(
            "2027.1",
            &[(
                "locales/papers/en.yml",
                &format!("    questura: \"{GLOSSARY_EN}\"\n"),
                "",
            )],
        ),
        "locales/papers/en.yml",
    );
    assert!(
        detail.contains("papers.glossary.questura") && detail.contains("is missing"),
        "{detail}"
    );
    // A placeholder that is not the Italian's (the period would print "%{mesi}").
    let detail = refused_naming(
        &mut register,
        dir.path(),
        &content(
            "2027.1",
            &[(
                "locales/papers/fr.yml",
                "period: \"%{months} mois %{anchor}\"",
                "period: \"%{mesi} mois %{anchor}\"",
            )],
        ),
        "locales/papers/fr.yml",
    );
    assert!(
        detail.contains("papers.retention.period") && detail.contains("placeholders"),
        "{detail}"
    );
    // A language of languages.toml without its papers file.
    let built_in = Content::embedded().unwrap();
    let without_tamil = Content::new(
        Stamp {
            version: Version::parse("2027.1").unwrap(),
            date: day("2027-02-01"),
        },
        built_in
            .files()
            .filter(|(name, _)| *name != "locales/papers/ta.yml")
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
    );
    refused_naming(
        &mut register,
        dir.path(),
        &without_tamil,
        "locales/papers/ta.yml",
    );

    assert_eq!(
        access_report_text(&register, case.id),
        printed,
        "the papers print as before"
    );
}

#[test]
fn a_pack_with_a_broken_forms_file_is_refused_naming_it_and_a_good_one_changes_the_guide() {
    let (dir, mut register) = temp_register();
    let case = create(&mut register, worker());
    let label = |register: &Register| {
        papers::forms::for_case(register, &case, "rinnovo_lavoro_subordinato", "modulo1")
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.number == "1")
            .map(|r| (r.label, r.value))
            .unwrap()
    };
    let before = label(&register);
    assert_eq!(before.0, "AL SIGNOR QUESTORE DI");

    // A field asking for a value the guides do not know.
    let detail = refused_naming(
        &mut register,
        dir.path(),
        &content(
            "2027.1",
            &[(
                "assets/forms/modulo1.toml",
                "value = \"questura_city\"",
                "value = \"questura_town\"",
            )],
        ),
        "assets/forms/modulo1.toml",
    );
    assert!(
        detail.ends_with("field 1: unknown value questura_town"),
        "{detail}"
    );
    // Not TOML at all.
    refused_naming(
        &mut register,
        dir.path(),
        &content(
            "2027.1",
            &[("assets/forms/modulo2.toml", "[form]", "[form")],
        ),
        "assets/forms/modulo2.toml",
    );
    // A carta di soggiorno motivo the pack's motivo table does not have.
    let detail = refused_naming(
        &mut register,
        dir.path(),
        &content(
            "2027.1",
            &[(
                "assets/forms/modulo1.toml",
                "carta_motivi = [\"03\"",
                "carta_motivi = [\"99\"",
            )],
        ),
        "assets/forms/modulo1.toml",
    );
    assert!(detail.contains("unknown motivo 99"), "{detail}");
    // Modulo 2 dropped while kit procedures still ask for it: the procedure's file is named.
    let built_in = Content::embedded().unwrap();
    let without_modulo2 = Content::new(
        Stamp {
            version: Version::parse("2027.1").unwrap(),
            date: day("2027-02-01"),
        },
        built_in
            .files()
            .filter(|(name, _)| *name != "assets/forms/modulo2.toml")
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
    );
    let err = Tables::check(&without_modulo2).unwrap_err().to_string();
    assert!(
        err.contains("assets/procedures/") && err.contains("no form in assets/forms for Modulo 2"),
        "{err}"
    );
    assert_eq!(label(&register), before, "the guide is as before");

    // A pack that rewords the field's label, with a province renamed: the guide follows it.
    let bytes = signed(&content(
        "2027.1",
        &[
            (
                "assets/forms/modulo1.toml",
                "label = \"AL SIGNOR QUESTORE DI\"",
                "label = \"ALLA QUESTURA DI\"",
            ),
            (
                "assets/reference/provinces.json",
                &format!("\"name\":\"{}\"", province_of(&before.1)),
                &format!("\"name\":\"{} Centro\"", province_of(&before.1)),
            ),
        ],
    ));
    register
        .apply_pack(&bytes, &trusted(), &clock(), &responsabile())
        .unwrap();
    let (label_now, value_now) = label(&register);
    assert_eq!(label_now, "ALLA QUESTURA DI");
    assert_eq!(value_now, format!("{} CENTRO", before.1));
    let filled =
        papers::forms::for_case(&register, &case, "rinnovo_lavoro_subordinato", "modulo1").unwrap();
    let pdf = papers::forms::pdf(&fonts(), &filled, clock().today).unwrap();
    let text = squeezed_text(&pdf);
    assert!(
        text.contains("ALLAQUESTURADI") && text.contains("Contenutiv2027.1(01/02/2027)"),
        "{text}"
    );
}

/// The name a province has in `provinces.json` from its name in capitals on the guide.
fn province_of(capitals: &str) -> String {
    let text = Content::embedded()
        .unwrap()
        .source("assets/reference/provinces.json")
        .unwrap()
        .1
        .to_string();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["provinces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["current"] == true)
        .map(|p| p["name"].as_str().unwrap().to_string())
        .find(|name| name.to_uppercase() == capitals)
        .unwrap_or_else(|| panic!("{capitals} is a province"))
}

#[test]
fn an_imported_paper_keeps_the_content_version_it_was_printed_from_and_an_old_archive_still_imports(
) {
    use mixite_core::exchange::archive::{self, ExportCase, ExportOptions};
    use std::collections::HashMap;

    let (_dir, mut register) = temp_register();
    register
        .apply_pack(
            &signed(&corrected("2027.1")),
            &trusted(),
            &clock(),
            &responsabile(),
        )
        .unwrap();
    let case = create(&mut register, worker());
    print_checklist(&mut register, case.id);
    let built = archive::build(
        &register,
        &[ExportCase {
            id: case.id,
            pdfs: papers::folder::for_export(&register, case.id).unwrap(),
        }],
        &ExportOptions::unencrypted(),
        clock().today,
    )
    .unwrap();

    // A fresh register with the built-in content: the paper keeps the version it was printed under.
    let (_other_dir, mut other) = temp_register();
    let opened = archive::open_bytes(&built.bytes, None, other.reference()).unwrap();
    assert_eq!(opened.pdfs()[0].content_version.as_deref(), Some("2027.1"));
    let report =
        papers::folder::import_archive(&mut other, &opened, &HashMap::new(), &clock()).unwrap();
    assert_eq!(report.papers, 1);
    let imported = other.search("", 0, 10).unwrap().items[0].id;
    let recorded = papers::folder::of_case(&other, imported).unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        recorded[0].content_version.as_deref(),
        Some("2027.1"),
        "the imported record says the content the paper was printed from"
    );

    // The same case as an archive of the format before versions (schema 1, no versions): it imports,
    // and its paper's version is unknown.
    let mut members = crate::archive::members_of(&built.bytes);
    let case_json = &mut members
        .iter_mut()
        .find(|(n, _)| n == "case.json")
        .unwrap()
        .1;
    let mut value: serde_json::Value = serde_json::from_slice(case_json).unwrap();
    assert_eq!(value["schema"], archive::SCHEMA);
    value["schema"] = 1.into();
    for case in value["cases"].as_array_mut().unwrap() {
        let removed = case.as_object_mut().unwrap().remove("contentVersions");
        assert!(removed.is_some(), "the new format carries the versions");
    }
    *case_json = serde_json::to_vec_pretty(&value).unwrap();
    let old = crate::archive::craft(&members, None);
    let (_old_dir, mut fresh) = temp_register();
    let opened = archive::open_bytes(&old, None, fresh.reference()).unwrap();
    let report =
        papers::folder::import_archive(&mut fresh, &opened, &HashMap::new(), &clock()).unwrap();
    assert_eq!(report.papers, 1);
    let imported = fresh.search("", 0, 10).unwrap().items[0].id;
    let recorded = papers::folder::of_case(&fresh, imported).unwrap();
    assert_eq!(
        recorded[0].content_version, None,
        "unknown: the old archive does not say"
    );

    // A version that names no paper of the case, or is not a version, is refused.
    for bad in [
        serde_json::json!({"someone-else.pdf": "2027.1"}),
        serde_json::json!({"x": "new"}),
    ] {
        let mut members = crate::archive::members_of(&built.bytes);
        let case_json = &mut members
            .iter_mut()
            .find(|(n, _)| n == "case.json")
            .unwrap()
            .1;
        let mut value: serde_json::Value = serde_json::from_slice(case_json).unwrap();
        let name = value["cases"][0]["pdfs"][0].clone();
        let bad = match bad.get("x") {
            Some(v) => serde_json::json!({ name.as_str().unwrap(): v }),
            None => bad,
        };
        value["cases"][0]["contentVersions"] = bad;
        *case_json = serde_json::to_vec(&value).unwrap();
        assert!(matches!(
            archive::open_bytes(
                &crate::archive::craft(&members, None),
                None,
                fresh.reference()
            ),
            Err(Error::Archive(
                mixite_core::error::ArchiveCode::InvalidCaseData
            ))
        ));
    }
}

/// The built-in content as version `version`, with `extra` files added (`(name, text)`).
fn with_files(version: &str, extra: &[(&str, &str)]) -> Content {
    let mut files: BTreeMap<String, String> = Content::embedded()
        .unwrap()
        .files()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    for (name, text) in extra {
        files.insert(name.to_string(), text.to_string());
    }
    Content::new(
        Stamp {
            version: Version::parse(version).unwrap(),
            date: day("2027-02-01"),
        },
        files,
    )
}

const NEW_FUNDER: &str = r#"id = "regione-toscana-2027"
title_it = "Rapporto per la Regione"
title_en = "Report for the Region"
funder = "Regione Toscana"
source = "https://www.regione.toscana.it/"
read_on = "2027-01"
tables = ["summary", "months"]

[[indicator]]
code = "RT1"
label_it = "Persone orientate"
label_en = "Persons given guidance"
measure = "persons"
services = ["information"]
source = "https://www.regione.toscana.it/"
"#;

#[test]
fn a_new_funders_definition_arrives_in_a_pack_and_a_bad_one_is_refused_naming_its_file_and_field() {
    let (dir, mut register) = temp_register();
    let before: Vec<String> = register
        .report_definitions()
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(before, ["desk-monthly", "amif-2021-2027-so2"]);

    // An indicator naming a service the desk does not record.
    let bad = NEW_FUNDER.replace("services = [\"information\"]", "services = [\"fax\"]");
    let detail = refused_naming(
        &mut register,
        dir.path(),
        &with_files("2027.1", &[("assets/reports/regione.toml", &bad)]),
        "assets/reports/regione.toml",
    );
    assert!(
        detail.contains("services") && detail.contains("fax"),
        "names the field and the value: {detail}"
    );
    // A missing field is named by serde.
    let bad = NEW_FUNDER.replace("funder = \"Regione Toscana\"\n", "");
    let detail = refused_naming(
        &mut register,
        dir.path(),
        &with_files("2027.1", &[("assets/reports/regione.toml", &bad)]),
        "assets/reports/regione.toml",
    );
    assert!(detail.contains("funder"), "{detail}");
    // Two files with one id.
    let twice = with_files(
        "2027.1",
        &[
            ("assets/reports/regione.toml", NEW_FUNDER),
            ("assets/reports/regione-bis.toml", NEW_FUNDER),
        ],
    );
    let detail = refused_naming(
        &mut register,
        dir.path(),
        &twice,
        "assets/reports/regione.toml",
    );
    assert!(detail.contains("id:"), "{detail}");
    assert_eq!(
        register.report_definitions().unwrap().len(),
        2,
        "nothing changed"
    );

    // The good one, applied: it is offered and builds.
    let good = with_files("2027.1", &[("assets/reports/regione.toml", NEW_FUNDER)]);
    register
        .apply_pack(&signed(&good), &trusted(), &clock(), &responsabile())
        .unwrap();
    let all = register.report_definitions().unwrap();
    let ids: Vec<&str> = all.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        ["desk-monthly", "amif-2021-2027-so2", "regione-toscana-2027"]
    );
    let report = register
        .report(
            &all[2],
            mixite_core::register::report::Period::year(2026),
            "it",
        )
        .unwrap();
    assert_eq!(report.title, "Rapporto per la Regione");
    assert_eq!(report.tables.len(), 2);
}
