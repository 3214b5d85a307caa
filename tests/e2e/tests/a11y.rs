//! Accessibility, measured on the real app (issue 17 §2): one walk through every screen of `ui/js/app.js`'s
//! routes and the access screens (first start, recovery key, sign-in with an error, lock), the case form
//! empty and with errors, the case with its checklist previewed in Arabic and a kit guide's problems, the
//! dialogs (shortcuts, desk contact). On each: axe-core (no serious or critical violation), text contrast
//! computed from the computed colours (with every badge style the UI writes and the header's backup badge,
//! shown for the measure), and on the main screens the Tab order with a visible focus and the screen at 200 %
//! zoom. Errors are checked announced (a live region holds the message) and linked to their fields
//! (aria-invalid + aria-describedby to the error's text); the Arabic checklist carries `lang="ar" dir="rtl"`.
//! The findings per screen go to `$ARTIFACTS/a11y/` (`summary.md`, JSON per screen).

use mixite_e2e::a11y::{axe_check, axe_self_test, contrast_check, lang_check, record, tab_walk, zoom_check};
use mixite_e2e::*;
use serde_json::{json, Value};

/// Every badge style the UI writes (`class="badge …"` in ui/js), put on screen for the contrast measure: a
/// badge state can be hard to reach in a run (an operator disabled, a flagged catalogue line).
async fn badge_samples(app: &App) -> usize {
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    let mut classes = std::collections::BTreeSet::new();
    let mut files = vec![ui.join("index.html")];
    for dir in [ui.join("js"), ui.join("js/views")] {
        for e in std::fs::read_dir(dir).expect("ui/js").flatten() {
            if e.path().extension().is_some_and(|x| x == "js") {
                files.push(e.path());
            }
        }
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for part in text.split("class=\"badge ").skip(1) {
            let cls = part.split('"').next().unwrap_or("");
            classes.insert(format!("badge {cls}"));
        }
    }
    assert!(classes.len() >= 3, "the UI's badge styles: {classes:?}");
    let classes: Vec<_> = classes.into_iter().collect();
    app.js(&format!(
        "const box = document.createElement('div'); box.dataset.a11ySamples = '';
         box.className = 'container py-2';
         for (const c of {}) {{ const s = document.createElement('span'); s.className = c; s.textContent = 'Backup da fare';
           box.append(s, ' '); }}
         document.querySelector('[data-main]').prepend(box); return true;",
        json!(classes)
    ))
    .await;
    classes.len()
}

/// axe, and the contrast of every text on screen.
async fn measure(app: &App, screen: &str) {
    axe_check(app, screen).await;
    contrast_check(app, screen, "[data-backup-badge]").await;
}

/// `measure`, then the keyboard and the 200 % zoom.
async fn measure_all(app: &App, screen: &str) {
    measure(app, screen).await;
    tab_walk(app, screen).await;
    zoom_check(app, screen).await;
}

/// The errors on a form: announced (the live region `summary` holds text, and is `role="alert"` or
/// `aria-live`), and each invalid control (aria-invalid) described by an element holding its message.
async fn errors_linked(app: &App, screen: &str, summary: &str) -> usize {
    let v = app
        .js(&format!(
            "const s = document.querySelector({s});
             const live = !!s && (s.getAttribute('role') === 'alert' || s.closest('[aria-live], [role=alert], [role=status]') !== null);
             const bad = [], fields = document.querySelectorAll('[aria-invalid=true]');
             for (const el of fields) {{
               const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
               const text = ids.map((id) => document.getElementById(id)?.textContent.trim() || '').join(' ').trim();
               const err = ids.map((id) => document.getElementById(id)).find((e) => e?.classList.contains('invalid-feedback'));
               if (!err || !err.textContent.trim()) bad.push({{ name: el.name || el.id, describedby: ids, text }});
             }}
             return {{ live, summary: s?.textContent.trim() || '', invalid: fields.length, bad }};",
            s = json!(summary)
        ))
        .await;
    let result = format!(
        "{} invalid fields, {} without their message linked; live summary: {}",
        v["invalid"],
        v["bad"].as_array().map_or(0, |b| b.len()),
        v["live"]
    );
    record(screen, "errors", &result, v.clone());
    assert_eq!(v["live"], Value::Bool(true), "the error summary {summary} on {screen} must be a live region: {v}");
    assert!(!v["summary"].as_str().unwrap_or("").is_empty(), "the error summary on {screen} is empty: {v}");
    assert!(v["bad"].as_array().is_some_and(|b| b.is_empty()), "fields without their error linked on {screen}: {v}");
    v["invalid"].as_u64().unwrap_or(0) as usize
}

/// Goes to `hash` and waits for the screen `name` to have rendered `ready`.
async fn go(app: &App, hash: &str, name: &str, ready: &str) {
    app.js(&format!("location.hash = {}; return true;", json!(hash))).await;
    app.wait_screen(name, hash).await;
    app.wait_css(&format!("[data-screen=\"{name}\"] {ready}"), &format!("{hash} rendered")).await;
    // The screen may still be filling its tables: let the pending IPC answers land.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
}

#[tokio::test]
async fn every_screen_is_accessible() {
    let data = temp_data_dir();
    let app = App::launch(data.path(), "a11y").await;

    // First start and the recovery key (the harness's set-up, with a measure on each screen).
    app.wait_css("[data-setup-form]", "the first-start screen").await;
    // The instrument first: axe must see a missing alt text and grey-on-grey text in this webview.
    let found = axe_self_test(&app).await;
    assert!(
        ["image-alt", "color-contrast", "contrast_check"].iter().all(|r| found.iter().any(|f| f == r)),
        "axe-core must report the probes' image-alt and color-contrast violations in the webview, and the contrast \
         measure the grey text; found: {found:?}"
    );
    measure(&app, "first start").await;
    app.wait_js("document.activeElement?.name === 'operator'", "the focus on the name").await;
    app.type_keys(RESPONSABILE).await;
    app.fill("passphrase", RESPONSABILE_PASSPHRASE).await;
    app.fill("passphraseRepeat", RESPONSABILE_PASSPHRASE).await;
    app.fill("pin", RESPONSABILE_PIN).await;
    app.press(Key::Enter).await;
    app.wait_js_within(
        SET_UP_WAIT,
        "document.querySelector('[data-recovery-key]')?.textContent.trim()",
        "the recovery key",
    )
    .await;
    measure(&app, "recovery key").await;
    app.tab_to("[data-recovery-confirm]", 10).await;
    app.type_keys(" ").await;
    app.tab_to("[data-recovery-continue]", 5).await;
    app.press(Key::Enter).await;
    app.wait_screen("agenda", "the agenda after the first start").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;

    // The badge styles (and the header's backup badge, due on a register never backed up).
    let n = badge_samples(&app).await;
    contrast_check(&app, "badges", "[data-backup-badge]").await;
    app.js("document.querySelector('[data-a11y-samples]').remove(); return true;").await;
    eprintln!("[a11y] {n} badge styles measured");

    measure_all(&app, "agenda").await;

    app.js("location.hash = '#/'; return true;").await;
    app.wait_screen("list", "the case list").await;
    app.wait_css("[data-empty]", "the empty list").await;
    measure_all(&app, "case list (empty)").await;

    // The case form, empty, then submitted empty: errors on every required field.
    app.chord(Key::Alt, 'n').await;
    app.wait_screen("form", "Alt+N").await;
    app.wait_js("document.activeElement?.name === 'applicant.surname'", "the focus on the surname").await;
    measure_all(&app, "case form (empty)").await;
    app.js("document.querySelector('[name=\"applicant.surname\"]').focus(); return true;").await;
    app.press(Key::Enter).await;
    app.wait_js("document.querySelectorAll('[aria-invalid=true]').length > 1", "the errors of an empty case").await;
    let invalid = errors_linked(&app, "case form (errors)", "[data-form-errors]").await;
    assert!(invalid >= 3, "an empty case has several missing fields: {invalid}");
    measure(&app, "case form (errors)").await;

    // A valid case, an applicant who reads Arabic.
    app.js(
        "const set = (n, v) => { const e = document.querySelector(`[name=\"${n}\"]`); e.value = v;
           e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true })); };
         set('applicant.surname', 'Haddad'); set('applicant.givenNames', 'Amina'); set('applicant.sex', 'F');
         set('applicant.birthDate', '1990-04-12'); set('applicant.birthPlace', 'Casablanca');
         set('applicant.birthCountry', 'MAR'); set('applicant.citizenships.0', 'MAR'); set('applicant.language', 'ar');
         set('applicant.phone', '3331234567'); set('currentPermit.motivoCode', '16');
         set('currentPermit.expiryDate', '2026-03-15'); set('request.procedure', 'rinnovo'); set('request.motivoCode', '16');
         document.querySelector('[name=\"applicant.surname\"]').focus(); return true;",
    )
    .await;
    app.press(Key::Enter).await;
    app.wait_screen("detail", "the saved case").await;
    app.wait_css("[data-checklist-preview-btn]", "the checklist panel").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    measure_all(&app, "case detail").await;

    // The checklist previewed in the applicant's language.
    let lang = app
        .js("const s = document.querySelector('[data-checklist-form] [name=\"language\"]');
             s.value = 'ar'; s.dispatchEvent(new Event('change', { bubbles: true })); return s.value;")
        .await;
    assert_eq!(lang, json!("ar"), "the checklist offers Arabic");
    app.js("document.querySelector('[data-checklist-preview-btn]').click(); return true;").await;
    app.wait_css("[data-checklist-preview] .checklist-other", "the Arabic lines of the checklist").await;
    lang_check(&app, "checklist preview (ar)", "[data-checklist-preview]", "[\\u0600-\\u06FF]", "ar", "rtl").await;
    measure(&app, "checklist preview (ar)").await;

    // A kit guide that needs what the case lacks: its problems listed.
    app.js(
        "document.querySelector('[data-form-item=\"modulo1\"] [data-form-action=\"preview\"]').click(); return true;",
    )
    .await;
    app.wait_css("[data-form-problems], [data-form-preview]", "the Modulo 1 guide or its problems").await;
    measure(&app, "forms (guide)").await;

    // The window title names the screen, never the applicant.
    let title = app.js("return document.title;").await;
    let title = title.as_str().unwrap_or_default();
    assert!(title.starts_with("Pratica n. ") && !title.contains("Haddad"), "the case's window title: {title}");

    // The dialogs: the referral (Alt+I), the desk contact (Alt+D on the case) and the shortcuts (F1).
    app.js("document.activeElement?.blur(); return true;").await;
    app.chord(Key::Alt, 'i').await;
    app.wait_css("[data-referral-dialog=\"case\"]", "the referral dialog").await;
    measure(&app, "referral (dialog)").await;
    app.press(Key::Escape).await;
    app.wait_js("!document.querySelector('[data-referral-dialog][open]')", "the referral dialog closed").await;
    app.js("document.activeElement?.blur(); return true;").await;
    app.chord(Key::Alt, 'd').await;
    app.wait_css("[data-desk-contact-dialog][open]", "the desk-contact dialog").await;
    measure(&app, "desk contact (dialog)").await;
    app.press(Key::Escape).await;
    app.wait_js("!document.querySelector('[data-desk-contact-dialog][open]')", "the dialog closed").await;
    app.press(Key::F1).await;
    app.wait_css("[data-shortcuts-dialog][open]", "the shortcuts dialog").await;
    measure(&app, "shortcuts (dialog)").await;
    app.press(Key::Escape).await;

    // The case list with a case.
    app.js("location.hash = '#/'; return true;").await;
    app.wait_screen("list", "the case list").await;
    app.wait_css("tr[data-case-row]", "the case in the list").await;
    measure(&app, "case list").await;
    // The results are announced by a short status, not by a live table read whole at every keystroke.
    let live = app
        .js("return [document.querySelector('[data-results]').getAttribute('aria-live'),
                     document.querySelector('[data-results-status][role=status]')?.textContent.trim()];")
        .await;
    assert_eq!(live[0], Value::Null, "the results table is not a live region");
    assert_eq!(live[1], json!("Risultati 1–1"), "the status says what was found");

    for (hash, name, ready, all) in [
        ("#/usb", "usb", "h1", true),
        ("#/reports", "reports", "h1", true),
        ("#/operators", "operators", "h1", true),
        ("#/audit", "audit", "h1", true),
        ("#/retention", "retention", "h1", true),
        ("#/content", "content", "h1", true),
        ("#/catalogue", "catalogue", "h1", true),
        ("#/partners", "partners", "h1", true),
    ] {
        go(&app, hash, name, ready).await;
        let titles = app
            .js("return [document.title, document.querySelector('[data-screen] h1').textContent.replace(/\\s+/g, ' ').trim()];")
            .await;
        assert_eq!(
            titles[0],
            json!(format!("{} · Sportello Mixitè", titles[1].as_str().unwrap())),
            "{name}: the window title names the screen"
        );
        if all {
            measure_all(&app, name).await;
        } else {
            measure(&app, name).await;
        }
    }

    // Locked (Ctrl+Shift+L), unlocked with the PIN; then signed out, and a wrong passphrase at sign-in.
    app.chord_shift(Key::Control, 'l').await;
    app.wait_css("[data-lock-screen]", "the lock screen").await;
    measure_all(&app, "lock").await;
    app.fill("pin", RESPONSABILE_PIN).await;
    app.press(Key::Enter).await;
    app.wait_js("!document.querySelector('[data-app-header]').hidden", "the desk again").await;
    app.js("document.querySelector('[data-sign-out]').click(); return true;").await;
    app.wait_css("[data-signin-form]", "the sign-in screen").await;
    measure_all(&app, "sign-in").await;
    app.choose("operatorId", RESPONSABILE).await;
    app.fill("passphrase", "not the passphrase").await;
    app.fill("pin", RESPONSABILE_PIN).await;
    app.press(Key::Enter).await;
    app.wait_js(
        "document.querySelector('[data-access-errors]:not([hidden])')?.textContent.trim()",
        "the sign-in's error",
    )
    .await;
    errors_linked(&app, "sign-in (error)", "[data-access-errors]").await;
    measure(&app, "sign-in (error)").await;
    app.quit().await;
}
