//! Content packs (issue 13 §5): a corrected catalogue taken without a new build. Packs are signed with
//! a test key the tests pass as the trusted one (the app trusts only the keys embedded from
//! `assets/keys/`); a tampered pack, an older one and one with a broken table are refused with nothing
//! changed; a good one, read from a real FAT32 stick, is applied, prints its version at the foot of the
//! papers and is recorded with them, and the previous content comes back.

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
