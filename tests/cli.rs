//! The `mixite` command line on real data folders: `audit-verify` signs in as a responsabile (the
//! passphrase from the environment, never the command line) and reports an intact trail, or the first
//! broken entry with exit code 2 after the file was edited behind the app's back; `catalogue-report`
//! lists the bundled catalogue's check dates, flagged and unofficial-only lines.

use std::process::Command;

use mixite_core::register::access::readiness;
use mixite_core::{Clock, Register};

const DEMO_OPERATOR: &str = "Responsabile Demo";
const DEMO_PASSPHRASE: &str = "frase di prova del banco";

fn mixite(args: &[&str], passphrase: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mixite"))
        .args(args)
        .env("MIXITE_PASSPHRASE", passphrase)
        .output()
        .expect("mixite runs");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn audit_verify_reports_an_intact_trail_then_the_first_edited_entry() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().to_str().unwrap();
    let (code, out) = mixite(
        &["seed", "--data-dir", folder, "--count", "5", "--seed", "7"],
        "",
    );
    assert_eq!(code, 0, "{out}");
    let verify = [
        "audit-verify",
        "--data-dir",
        folder,
        "--operator",
        DEMO_OPERATOR,
    ];
    let (code, out) = mixite(&verify, DEMO_PASSPHRASE);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"), "{out}");
    let (code, out) = mixite(&verify, "non è la sua parola");
    assert_ne!(code, 0, "a wrong passphrase opens nothing: {out}");

    // Someone with the key edits one entry with the app closed.
    let id = readiness(dir.path())
        .unwrap()
        .operators
        .into_iter()
        .find(|o| o.name == DEMO_OPERATOR)
        .unwrap()
        .id;
    {
        let (register, _) =
            Register::sign_in(dir.path(), &id, DEMO_PASSPHRASE, &Clock::system()).unwrap();
        register
            .store()
            .conn()
            .execute_batch(
                "DROP TRIGGER audit_no_update;
                 UPDATE audit SET operator = 'Qualcun Altro' WHERE seq = 3;",
            )
            .unwrap();
    }
    let (code, out) = mixite(&verify, DEMO_PASSPHRASE);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("broken at=3"), "{out}");
}

#[test]
fn catalogue_report_lists_procedures_by_check_date_with_flagged_and_unofficial_lines() {
    let (code, out) = mixite(&["catalogue-report"], "");
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("Procedures: "), "{out}");
    assert!(
        out.contains("with a read date (100%)"),
        "every row is dated: {out}"
    );
    let first_procedure = out.lines().find(|l| l.contains(" (checked ")).unwrap();
    assert!(
        first_procedure.contains("(checked 12/2026"),
        "oldest check first: {first_procedure}"
    );
    assert!(out.contains("  * "), "flagged lines with their reason");
    assert!(out.contains("  ~ "), "unofficial-only lines");

    let (code, json) = mixite(&["catalogue-report", "--json"], "");
    assert_eq!(code, 0, "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let procedures = report["procedures"].as_array().unwrap();
    assert!(procedures
        .iter()
        .any(|p| p["id"] == "carta_familiare_ue_rilascio"));
    assert_eq!(
        report["lines"]["rows"], report["lines"]["withReadOn"],
        "every document and note row has a read date"
    );
}

/// Copies the parts of the source tree a pack is built from into `to`: the folders of the pack's areas
/// and of its single files, as the core lists them.
fn copy_tree(to: &std::path::Path) {
    use mixite_core::reference::content::Content;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut folders: Vec<&str> = Content::areas().iter().map(|(f, _)| *f).collect();
    folders.extend(
        Content::reference_files()
            .iter()
            .filter_map(|f| f.rsplit_once('/').map(|(folder, _)| folder)),
    );
    folders.sort();
    folders.dedup();
    for folder in folders {
        std::fs::create_dir_all(to.join(folder)).unwrap();
        for entry in std::fs::read_dir(root.join(folder)).unwrap().flatten() {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), to.join(folder).join(entry.file_name())).unwrap();
            }
        }
    }
}

#[test]
fn pack_keygen_build_and_verify_check_the_tables_and_trust_only_the_project_s_key() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("test.key");
    let public = dir.path().join("test.pub");
    let (s, p) = (secret.to_str().unwrap(), public.to_str().unwrap());
    let (code, out) = mixite(&["pack", "keygen", "--secret", s, "--public", p], "");
    assert_eq!(code, 0, "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the secret key is its owner's only");
    }
    let first = std::fs::read(&secret).unwrap();
    let (code, _) = mixite(&["pack", "keygen", "--secret", s, "--public", p], "");
    assert_ne!(code, 0, "an existing key is never overwritten");
    assert_eq!(std::fs::read(&secret).unwrap(), first);

    let tree = dir.path().join("tree");
    copy_tree(&tree);
    let out_file = dir.path().join("contenuti-2027.1.mixite-pack");
    let build = |version: &str| {
        mixite(
            &[
                "pack",
                "build",
                "--key",
                s,
                "--version",
                version,
                "--date",
                "2027-02-01",
                "--root",
                tree.to_str().unwrap(),
                "--out",
                out_file.to_str().unwrap(),
            ],
            "",
        )
    };
    let (code, out) = build("2027.1");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Contenuti v2027.1 (01/02/2027)"), "{out}");
    // Signed with a key this build does not trust: the app's check refuses it.
    let (code, out) = mixite(&["pack", "verify", out_file.to_str().unwrap()], "");
    assert_ne!(code, 0);
    assert!(out.contains("bad_signature"), "{out}");
    // Against its own public key the pack verifies: signature, manifest and every table, the papers'
    // texts and the kit forms among them.
    let (code, out) = mixite(
        &["pack", "verify", out_file.to_str().unwrap(), "--public", p],
        "",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Contenuti v2027.1 (01/02/2027)"), "{out}");
    std::fs::remove_file(&out_file).unwrap();

    // A papers file missing a key of the Italian's is refused naming it.
    let english = tree.join("locales/papers/en.yml");
    let text = std::fs::read_to_string(&english).unwrap();
    let glossary = text
        .lines()
        .find(|l| l.trim_start().starts_with("questura:"))
        .unwrap()
        .to_string();
    std::fs::write(&english, text.replacen(&format!("{glossary}\n"), "", 1)).unwrap();
    let (code, out) = build("2027.1");
    assert_ne!(code, 0);
    assert!(out.contains("locales/papers/en.yml:"), "{out}");
    assert!(!out_file.exists(), "no pack was written");
    std::fs::write(&english, text).unwrap();

    // A broken table is refused with its file and line before anything is signed or written.
    let fees = tree.join("assets/reference/fees.toml");
    let text = std::fs::read_to_string(&fees).unwrap();
    std::fs::write(
        &fees,
        text.replacen("cents = 1600", "cents = \"sedici\"", 1),
    )
    .unwrap();
    let (code, out) = build("2027.1");
    assert_ne!(code, 0);
    assert!(out.contains("assets/reference/fees.toml:"), "{out}");
    assert!(!out_file.exists(), "no pack was written");
    let (code, out) = build("v2027");
    assert_ne!(code, 0, "{out}");
}
