//! The USB screen on the real app in its real webview: a case, and his wife's case offered as the same
//! family's, are copied from one desk in one file to a folder that stands for the stick (preset with `MIXITE_STICK_DIR`, so no native dialog is needed), encrypted, with a mistyped
//! repeat of the passphrase caught first; a second desk on another data folder finds the file on the stick,
//! refuses a wrong passphrase, imports the case and opens it; it then backs its register up (the header's
//! reminder goes away) and restores that backup, which needs the explicit confirmation. A third desk, whose
//! database is damaged, restores the same backup from its startup page and opens on the restored cases.
//!
//! Run with `make test-e2e`.

use std::path::Path;

use mixite_e2e::*;
use serde_json::{json, Value};

const PASS: &str = "una frase lunga";

/// The shared fixture: Arben Hoxha, a worker, with his daughter in his household.
fn applicant() -> Value {
    serde_json::from_str(include_str!("../../fixtures/worker.json")).expect("the fixture is a case")
}

/// His wife's own case, with him in her household.
fn spouse() -> Value {
    let mut wife = applicant();
    let husband = json!({ "relation": "spouse", "surname": "Hoxha", "givenNames": "Arben", "sex": "M",
                          "birthDate": "1990-04-15", "citizenship": "ALB" });
    wife["applicant"]["givenNames"] = json!("Drita");
    wife["applicant"]["sex"] = json!("F");
    wife["applicant"]["birthDate"] = json!("1992-09-10");
    wife["applicant"]["codiceFiscale"] = json!("");
    wife["applicant"]["document"]["number"] = json!("BA7654321");
    wife["household"] = json!([husband]);
    wife
}

/// Creates a case through the backend the screens use (the case form has its own end-to-end test).
async fn create_case(app: &App, data: Value) -> i64 {
    let script = format!(
        "window.__made = null;
         const tauri = window.__TAURI__.core;
         tauri.invoke('cases_create', {{ data: {data} }})
           .then(v => {{ window.__made = v.id; }}, e => {{ window.__made = 'error ' + JSON.stringify(e); }});
         return true;"
    );
    app.js(&script).await;
    let made = app.wait_js("window.__made", "the case created").await;
    made.as_i64().unwrap_or_else(|| panic!("creating the case failed: {made}"))
}

/// Clicks the element `css` and types `text` into it (after selecting what it held).
async fn type_into(app: &App, css: &str, text: &str) {
    app.wait_css(css, css).await;
    app.js(&format!("document.querySelector({}).focus(); return true;", json!(css))).await;
    if !app.focus_is(css).await {
        app.screenshot("usb-unfocusable").await;
        panic!("{css} cannot take the focus");
    }
    app.chord(Key::Control, 'a').await;
    app.type_keys(text).await;
}

/// Activates the button or link `css` the keyboard way, focus then Enter: the USB screen's forms run
/// below the fold, and WebKitWebDriver refused pointer clicks there as "not interactable" in CI.
async fn click(app: &App, css: &str) {
    app.wait_css(css, css).await;
    app.js(&format!("document.querySelector({}).focus(); return true;", json!(css))).await;
    assert!(app.focus_is(css).await, "{css} cannot take the focus");
    app.press(Key::Enter).await;
}

/// Ticks a radio button or checkbox the keyboard way: focus, then Space (Bootstrap Italia draws its own
/// box over the native input, so a pointer click lands on the label's decoration).
async fn choose(app: &App, css: &str) {
    app.wait_css(css, css).await;
    app.js(&format!("document.querySelector({}).focus(); return true;", json!(css))).await;
    app.press(Key::Space).await;
    let checked = format!("document.querySelector({}).checked", json!(css));
    app.wait_js(&checked, &format!("{css} ticked")).await;
}

/// The error summary a form of the USB screen shows, once it shows one.
async fn refusal(app: &App, form: &str, what: &str) -> String {
    let expr =
        format!("document.querySelector('[data-{form}-form] [data-usb-summary]:not([hidden])')?.textContent.trim()");
    app.wait_js(&expr, what).await.as_str().unwrap_or_default().to_string()
}

/// The folder standing for the stick: a fresh folder on the FAT32 image mounted at `MIXITE_E2E_STICK` when
/// the run provides one (tests/offline/run.sh does), else in the temporary folder.
fn stick_folder() -> tempfile::TempDir {
    match std::env::var_os("MIXITE_E2E_STICK") {
        Some(root) => tempfile::Builder::new()
            .prefix("stick-")
            .tempdir_in(root)
            .expect("a folder on the stick image named by MIXITE_E2E_STICK"),
        None => temp_data_dir(),
    }
}

fn stick_files(stick: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(stick).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_case_goes_to_the_stick_and_into_another_desk_which_backs_up_and_restores() {
    let stick = stick_folder();
    let stick_path = stick.path().canonicalize().unwrap();
    let env = [("MIXITE_STICK_DIR", stick_path.as_path())];
    let stick_css = |kind: &str, path: &str| format!("[{kind}][value={}]", json!(path));

    // ---- the first desk copies a case to the stick ----------------------------------------------------
    let first = temp_data_dir();
    let app = App::launch_env(first.path(), "usb-export", &env).await;
    app.set_up_and_sign_in().await;
    app.open_case_list().await;
    let id = create_case(&app, applicant()).await;
    let wife = create_case(&app, spouse()).await;
    app.js(&format!("location.hash = '#/case/{id}'; return true;")).await;
    app.wait_screen("detail", "the case is open").await;
    click(&app, "[data-to-stick]").await;
    app.wait_screen("usb", "the case's button opens the USB screen").await;
    app.wait_css(&format!("[data-export-case=\"{id}\"]"), "the case chosen for the copy").await;
    // His wife's case is offered as the same family's, and joins the copy.
    click(&app, &format!("[data-household-offer=\"{wife}\"]")).await;
    app.wait_css(&format!("[data-export-case=\"{wife}\"]"), "the wife's case chosen too").await;
    let destination = stick_css("data-destination-option", &stick_path.display().to_string());
    choose(&app, &destination).await;

    type_into(&app, "#usb-export-passphrase", PASS).await;
    type_into(&app, "#usb-export-passphraseRepeat", "una frase lungo").await;
    app.press(Key::Enter).await;
    let mismatch = app
        .wait_js(
            "document.querySelector('[data-export-form] [data-error-for=\"passphraseRepeat\"]')?.textContent.trim()",
            "an error under the repeated passphrase",
        )
        .await;
    assert!(mismatch.as_str().unwrap_or_default().contains("non coincidono"), "{mismatch}");
    assert!(stick_files(&stick_path).is_empty(), "nothing is written while the passphrases differ");

    type_into(&app, "#usb-export-passphraseRepeat", PASS).await;
    app.press(Key::Enter).await;
    let done = app
        .wait_js("document.querySelector('[data-export-done]')?.textContent.trim()", "the export written and verified")
        .await;
    let done = done.as_str().unwrap_or_default().to_string();
    let files = stick_files(&stick_path);
    assert_eq!(files.len(), 1, "one archive on the stick, no temporary: {files:?}");
    let archive = &files[0];
    assert!(
        archive.starts_with("pratiche-") && archive.contains("-e-altre-1-") && archive.ends_with(".mixite"),
        "{archive}"
    );
    assert!(!archive.to_lowercase().contains("hoxha"), "no personal data in the file name: {archive}");
    assert!(done.contains("Scritto e verificato") && done.contains(archive.as_str()), "{done}");
    let bytes = std::fs::read(stick_path.join(archive)).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"), "encrypted by default");
    assert!(!bytes.windows(5).any(|w| w == b"Hoxha"), "the applicant's name is not readable on the stick");
    app.screenshot("20-usb-exported").await;
    app.quit().await;

    // ---- a second desk imports it ---------------------------------------------------------------------
    let second = temp_data_dir();
    let app = App::launch_env(second.path(), "usb-import", &env).await;
    app.set_up_and_sign_in().await;
    app.open_case_list().await;
    assert!(app.visible("[data-backup-badge]").await, "a desk never backed up shows the reminder");
    app.chord(Key::Alt, 'u').await;
    app.wait_screen("usb", "Alt+U opens the USB screen").await;
    let file = stick_css("data-found-file", &stick_path.join(archive).display().to_string());
    choose(&app, &file).await;
    type_into(&app, "#usb-import-passphrase", "sbagliata!").await;
    app.press(Key::Enter).await;
    let wrong = refusal(&app, "import", "the wrong passphrase refused").await;
    assert!(wrong.contains("Parola d'ordine errata"), "{wrong}");

    type_into(&app, "#usb-import-passphrase", PASS).await;
    app.press(Key::Enter).await;
    app.wait_css("[data-import-report] [data-import-inserted=\"2\"]", "both cases imported").await;
    app.screenshot("21-usb-imported").await;
    click(&app, "[data-imported-case]").await;
    app.wait_screen("detail", "the imported case opens").await;
    let heading = app.text("[data-case-heading]").await;
    assert!(heading.contains("Hoxha"), "{heading}");

    app.chord(Key::Alt, 'u').await;
    app.wait_screen("usb", "back on the USB screen").await;
    // The same file again changes nothing.
    choose(&app, &file).await;
    type_into(&app, "#usb-import-passphrase", PASS).await;
    app.press(Key::Enter).await;
    app.wait_css("[data-import-report] [data-import-unchanged=\"2\"]", "the second import finds them unchanged").await;

    // ---- its backup, then a restore that must be confirmed ---------------------------------------------
    choose(&app, &destination).await;
    type_into(&app, "#usb-backup-passphrase", PASS).await;
    type_into(&app, "#usb-backup-passphraseRepeat", PASS).await;
    app.press(Key::Enter).await;
    app.wait_css("[data-backup-done]", "the backup written and verified").await;
    app.wait_js("document.querySelector('[data-backup-badge]').hidden", "the header's reminder gone").await;
    let backup = stick_files(&stick_path).into_iter().find(|n| n.ends_with(".age")).expect("a backup on the stick");
    assert!(backup.starts_with("mixite-backup-"), "{backup}");

    let backup_file = stick_css("data-found-file", &stick_path.join(&backup).display().to_string());
    choose(&app, &format!("[data-file-list=\"backup\"] {backup_file}")).await;
    type_into(&app, "#usb-restore-passphrase", PASS).await;
    type_into(&app, "#usb-restore-operator", RESPONSABILE).await;
    type_into(&app, "#usb-restore-operatorPassphrase", RESPONSABILE_PASSPHRASE).await;
    app.press(Key::Enter).await;
    let refused = refusal(&app, "restore", "a restore over cases refused without confirmation").await;
    assert!(refused.contains("confermare"), "{refused}");
    // The fields are kept after a refusal: tick the confirmation and submit again.
    choose(&app, "[data-restore-replace]").await;
    click(&app, "[data-restore-submit]").await;
    // The restored register opens with its own operators: everyone is signed out.
    app.wait_css("[data-signin-form]", "the sign-in screen once the backup is in place").await;
    app.screenshot("22-usb-restored").await;
    let kept = std::fs::read_dir(second.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("mixite-before-restore-"))
        .count();
    assert_eq!(kept, 2, "the replaced database and its key ring are kept aside");
    app.sign_in(RESPONSABILE, RESPONSABILE_PASSPHRASE, RESPONSABILE_PIN).await;
    app.chord(Key::Alt, 'u').await;
    app.wait_screen("usb", "Alt+U opens the USB screen").await;
    let after = app.wait_js("document.querySelector('[data-backup-last]')?.textContent", "the backup status").await;
    assert!(!after.as_str().unwrap_or_default().is_empty());
    let backup_keys = std::fs::read(second.path().join("mixite.keys")).unwrap();
    app.quit().await;

    // ---- a desk whose database is damaged restores the backup from its startup page --------------------
    // Its register is there but its key ring is lost (the file deleted, a disk error): nothing can open
    // it, and the start-up page says so and offers the restore.
    let broken = temp_data_dir();
    std::fs::write(broken.path().join("mixite.sqlite3"), vec![0x5Au8; 8192]).unwrap();
    let app = App::launch_env(broken.path(), "usb-broken", &env).await;
    app.wait_css("[data-startup-error][data-kind=\"keys_missing\"]", "the startup page of a register without keys")
        .await;
    let said = app.text("[data-startup-error]").await;
    assert!(said.contains("chiavi") && said.contains("backup"), "the page says what happened and what to do: {said}");
    click(&app, "[data-startup-restore]").await;
    choose(&app, &format!("[data-file-list=\"backup\"] {backup_file}")).await;
    type_into(&app, "#usb-restore-passphrase", PASS).await;
    type_into(&app, "#usb-restore-operator", RESPONSABILE).await;
    type_into(&app, "#usb-restore-operatorPassphrase", RESPONSABILE_PASSPHRASE).await;
    app.press(Key::Enter).await;
    let outcome = app
        .wait_js(
            "document.querySelector('[data-restore-done], [data-restore-form] [data-usb-summary]:not([hidden])')?.textContent.trim()",
            "the outcome of the restore at startup",
        )
        .await;
    assert!(app.count("[data-restore-done]").await == 1, "the backup restored over the damaged database: {outcome}");
    app.screenshot("23-usb-restored-at-startup").await;
    // The restart button is below the fold of the long restore page and takes the focus when it
    // appears: Enter, as the operator would, and not a pointer click (WebKitWebDriver refused one as
    // "not interactable" once, on the button not yet scrolled into view).
    app.wait_css("[data-restart]", "the button that opens the restored register").await;
    app.wait_js("document.activeElement?.matches('[data-restart]')", "the focus on the restart button").await;
    app.press(Key::Enter).await;
    app.sign_in(RESPONSABILE, RESPONSABILE_PASSPHRASE, RESPONSABILE_PIN).await;
    app.open_case_list().await;
    assert_eq!(
        std::fs::read(broken.path().join("mixite.keys")).unwrap(),
        backup_keys,
        "the backup brought its key ring"
    );
    app.wait_js(
        "document.querySelector('[data-case-row]')?.textContent.includes('Hoxha')",
        "the restored case in the list",
    )
    .await;
    let kept = std::fs::read_dir(broken.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("mixite-before-restore-"))
        .count();
    assert_eq!(kept, 1, "the damaged database is kept aside, not deleted");
    app.quit().await;
}
