//! What an operator does at the desk, on the real app in its real webview, with the keyboard: set the operator
//! name, open a new case (Alt+N), fill it in by typing and tabbing, meet a validation error, save, find the
//! case again by a folded part of the surname (Ctrl+K, ↓, Enter), record the next step, quit, relaunch on the
//! same data folder and find everything still there. A second test opens the same folder twice; a third scans a
//! passport's MRZ into a new case, first misread, then right; others follow the idle lock and a colleague taking
//! over, and an applicant's erasure request that the funder's period turns into a restriction.
//!
//! Run with `make test-e2e` (builds the app, installs tauri-driver, runs this under Xvfb).

use mixite_e2e::*;
use serde_json::Value;

/// The operator the steps name: the first responsabile the harness sets up.
const OPERATOR: &str = RESPONSABILE;

/// Presses Shift+Tab until the focus is on `css` (at most `max` times): the keyboard order must lead there.
async fn shift_tab_to(app: &App, css: &str, max: usize, way: &str) {
    for _ in 0..max {
        if app.focus_is(css).await {
            break;
        }
        app.chord(Key::Shift, char::from(Key::Tab)).await;
    }
    assert!(app.focus_is(css).await, "Shift+Tab should lead {way}; focus is on {}", app.focused().await);
}

/// Ctrl+K, then type the query; waits until the rows match `expected_ids` (in order).
async fn search(app: &App, query: &str, expected_ids: &[i64]) {
    app.chord(Key::Control, 'k').await;
    assert!(
        app.focus_is("[data-search]").await,
        "Ctrl+K must put the focus in the search box; focus is on {}",
        app.focused().await
    );
    // The list re-renders once the debounced query has run: mark what is on screen now, and wait for
    // it to be replaced (the rows for "" and for the query may well be the same ones).
    app.wait_css("[data-results] > *", "the list's results (or its empty message)").await;
    app.js("document.querySelector('[data-results] > *').dataset.e2eStale = '1'").await;
    // Ctrl+K selects what was there: typing replaces it.
    app.type_keys(query).await;
    let want = serde_json::json!(expected_ids);
    app.wait_js(
        &format!(
            "JSON.stringify(Array.from(document.querySelectorAll('tr[data-case-row]')).map(r => Number(r.dataset.caseId)))
               === JSON.stringify({want}) && document.querySelector('[data-search]').value === {q}
               && !document.querySelector('[data-results] [data-e2e-stale]')",
            q = serde_json::json!(query)
        ),
        &format!("the list to show exactly the cases {want} for the query {query:?}"),
    )
    .await;
}

async fn heading_case(app: &App) -> (i64, String, String, usize) {
    let v = app
        .js("const d = document.querySelector('[data-case-detail]');
             return [Number(d.dataset.caseId), d.querySelector('[data-case-heading]').textContent.trim(),
                     d.querySelector('[data-case-heading] ~ [data-status]').dataset.status,
                     d.querySelectorAll('li[data-step]').length];")
        .await;
    (
        v[0].as_i64().unwrap(),
        v[1].as_str().unwrap().to_string(),
        v[2].as_str().unwrap().to_string(),
        v[3].as_u64().unwrap() as usize,
    )
}

#[tokio::test]
async fn operator_records_a_case_and_finds_it_after_restart() {
    let data = temp_data_dir();
    let year = current_year();
    // The print service's refusal, for real: lp pointed (CUPS_SERVER) at a scheduler socket that does not
    // exist answers "No default destination", as on a desk without a printer, even while the tests' CUPS
    // queue is up (the other tests print to it).
    let no_scheduler = std::path::Path::new("/run/mixite-tests-no-cups/cups.sock");
    let app = App::launch_env(data.path(), "operator-1", &[("CUPS_SERVER", no_scheduler)]).await;

    // a. A fresh folder: the first responsabile is created and signed in; an empty list, the search
    // box focused.
    app.set_up_and_sign_in().await;
    app.open_case_list().await;
    app.wait_css("[data-empty]", "the empty-list message on a fresh data folder").await;
    assert!(app.focus_is("[data-search]").await, "the list must open with the focus in the search box");
    app.screenshot("01-list-empty").await;

    // b. Alt+N opens the form with the focus on the surname.
    app.chord(Key::Alt, 'n').await;
    app.wait_screen("form", "Alt+N opens the new-case form").await;
    app.wait_js("document.activeElement?.name === 'applicant.surname'", "the focus on the surname in a new form").await;
    app.type_keys("Müller").await;
    app.fill("applicant.givenNames", "Ilir").await;
    app.fill("applicant.sex", "M").await;
    app.fill("applicant.birthDate", "2099-01-01").await; // in the future: must be refused
    app.fill("applicant.birthPlace", "Tirana").await;
    app.fill("applicant.birthCountry", "ALB").await;
    app.fill("applicant.citizenships.0", "ALB").await;
    app.fill("applicant.language", "shq").await; // type-ahead on "Shqip — albanese"
    app.fill("applicant.phone", "3331234567").await;
    app.fill("currentPermit.motivoCode", "16").await;
    app.fill("currentPermit.expiryDate", "15/03/2026").await; // GG/MM/AAAA is accepted too
    app.fill("request.procedure", "rin").await;
    app.fill("request.motivoCode", "16").await;
    for (name, want) in [
        ("applicant.surname", "Müller"),
        ("applicant.sex", "M"),
        ("applicant.language", "sq"),
        ("currentPermit.motivoCode", "16"),
        ("request.procedure", "rinnovo"),
        ("request.motivoCode", "16"),
    ] {
        assert_eq!(app.value_of(name).await, want, "typing into {name} should have set it to {want:?}");
    }
    app.press(Key::Enter).await; // Enter on a select submits too

    app.wait_js(
        "document.querySelector('[data-error-for=\"applicant.birthDate\"]')?.textContent.trim()",
        "a field error next to the birth date, since 2099-01-01 is in the future",
    )
    .await;
    assert!(
        app.visible("[data-form-errors] .alert").await,
        "the error summary [data-form-errors] must be on screen when the backend refuses the case"
    );
    assert!(
        app.focus_is("[name=\"applicant.birthDate\"]").await,
        "the focus must move to the first invalid field (the birth date); it is on {}",
        app.focused().await
    );
    assert_eq!(
        app.count("[data-error-for].invalid-feedback:not(:empty)").await,
        1,
        "only the birth date should be in error: every other field was filled in correctly"
    );
    app.screenshot("02-form-validation-error").await;

    // Fix the date where the focus already is: select all, type over it, Enter.
    app.chord(Key::Control, 'a').await;
    app.type_keys("1990-04-12").await;
    app.press(Key::Enter).await;
    app.wait_screen("detail", "a valid case is saved and its detail shown").await;
    app.wait_css("[data-case-detail]", "the case detail").await;
    let (case_id, heading, status, steps) = heading_case(&app).await;
    let number = format!("{year}/000001");
    assert!(heading.contains(&number), "the first case of {year} should be numbered {number}; heading: {heading:?}");
    assert!(heading.contains("Müller"), "the heading should name the applicant; heading: {heading:?}");
    assert_eq!(steps, 1, "a new case starts with one timeline entry (its opening)");
    app.screenshot("03-detail").await;

    // c. Esc back to the list: exactly one case (the refused submit stored nothing).
    app.press(Key::Escape).await;
    app.wait_screen("list", "Esc leaves the detail for the list").await;
    app.wait_js("document.querySelectorAll('tr[data-case-row]').length >= 1", "the list rows").await;
    assert_eq!(
        app.count("tr[data-case-row]").await,
        1,
        "the list must hold exactly one case: the submit refused for the future birth date must not store one"
    );
    search(&app, "mull", &[case_id]).await; // lowercase, no umlaut: the search folds names
    app.press(Key::Down).await;
    app.wait_css(&format!("tr[data-case-row][data-case-id=\"{case_id}\"][data-selected]"), "↓ selects the row").await;
    app.screenshot("04-list-search").await;
    app.press(Key::Enter).await;
    app.wait_js(
        &format!("document.querySelector('[data-case-detail]')?.dataset.caseId === '{case_id}'"),
        "Enter on the selected row opens that case",
    )
    .await;

    // d. Alt+P focuses the next step; Enter opens its form with the date prefilled; Enter records it.
    app.chord(Key::Alt, 'p').await;
    assert!(
        app.focus_is("[data-next-step]").await,
        "Alt+P must focus the next-step button; focus is on {}",
        app.focused().await
    );
    let kind = app.js("return document.activeElement.dataset.kind").await.as_str().unwrap().to_string();
    assert_ne!(kind, status, "the next step proposed must differ from the current status {status}");
    app.press(Key::Enter).await;
    app.wait_js("document.activeElement?.name === 'step.date'", "the step form, focus on its date").await;
    assert!(
        !app.value_of("step.date").await.is_empty(),
        "the step date must be prefilled with today's date, so the operator only confirms"
    );
    match kind.as_str() {
        "kit_sent" => app.fill("step.details.assicurata", "123456789012").await,
        "questura_appointment" => {
            app.fill("step.details.appointmentDate", &format!("{}-06-01", year + 1)).await;
            app.fill("step.details.appointmentTime", "9.30").await;
        }
        _ => {}
    }
    app.fill("step.note", "Passo registrato dal test end-to-end").await;
    app.press(Key::Enter).await;
    app.wait_js(
        &format!(
            "document.querySelector('[data-case-heading] ~ [data-status]')?.dataset.status === '{kind}'
             && document.querySelectorAll('li[data-step]').length === 2"
        ),
        &format!("the status to become {kind} and the timeline to hold 2 entries after recording the step"),
    )
    .await;
    let newest = app.text("li[data-step]").await; // newest first
    assert!(
        newest.contains(OPERATOR),
        "the new timeline entry must name the operator who recorded it ({OPERATOR}); it says {newest:?}"
    );
    app.screenshot("05-detail-step").await;

    // The checklist for the applicant: previewed in the app, then printed. This app's lp reaches no print
    // service, so the app must say so, keep the PDF in the data folder and offer to open it.
    let preview = app.wait_css("[data-checklist-preview-btn]", "the checklist panel on the case").await;
    app.js("document.querySelector('[data-checklist-panel]').scrollIntoView({ block: 'start', behavior: 'instant' })")
        .await;
    preview.click().await.expect("click the checklist preview button");
    app.wait_js(
        "document.querySelector('[data-checklist-preview]')?.textContent.includes('Documenti')",
        "the checklist preview listing the documents to bring",
    )
    .await;
    app.screenshot("07-checklist-preview").await;
    // The requested permit's length decides the contribution and so the bollettino (issue 13 §1): the
    // renewal's default (up to 2 years) prints € 80,46; the operator picks "up to 1 year" and it is € 70,46.
    assert!(
        app.text("[data-checklist-preview]").await.contains("80,46"),
        "the default length's bollettino amount in the preview"
    );
    let chosen = app
        .js("const s = document.querySelector('[data-checklist-form] [name=\"duration\"]');
             if (![...s.options].some((o) => o.value === 'le_1y')) return false;
             s.value = 'le_1y'; s.dispatchEvent(new Event('change', { bubbles: true })); return true;")
        .await;
    assert_eq!(chosen.as_bool(), Some(true), "the panel offers the permit's length");
    app.js("document.querySelector('[data-checklist-preview-btn]').focus(); return true;").await;
    app.press(Key::Enter).await;
    app.wait_js(
        "document.querySelector('[data-checklist-preview]')?.textContent.includes('70,46')",
        "the preview with the 1-year bollettino amount",
    )
    .await;
    app.print_checklist().await;
    assert!(app.visible("[data-no-printer]").await, "lp reached no print service: the app must say it did not print");
    // print/<case uuid>/checklist-<language>-<date>.pdf: the case's folder, the paper's name.
    let cases: Vec<_> = std::fs::read_dir(data.path().join("print"))
        .expect("the PDF is kept in the data folder's print/")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    assert_eq!(cases.len(), 1, "one case printed, one case folder: {cases:?}");
    let printed: Vec<_> = std::fs::read_dir(&cases[0])
        .expect("the case's folder")
        .map(|e| e.expect("a folder entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        printed.len() == 1 && printed[0].starts_with("checklist-") && printed[0].ends_with(".pdf"),
        "without a printer the checklist PDF must still be written, ready to open: {printed:?}"
    );
    assert!(app.visible("[data-open-pdf]").await, "with no printer the app must offer to open the PDF");

    // The Modulo 1 guide needs the address, which this case lacks: the panel lists the problems, and
    // "Correggi nella pratica" opens the case form with each one next to its field.
    let guide = app
        .wait_css("[data-form-item=\"modulo1\"] [data-form-action=\"preview\"]", "the Modulo 1 guide on the panel")
        .await;
    app.js("document.querySelector('[data-form-item=\"modulo1\"]').scrollIntoView({ block: 'center', behavior: 'instant' })")
        .await;
    guide.click().await.expect("click the Modulo 1 guide preview");
    app.wait_css("[data-form-problems]", "the problems the Modulo 1 guide found").await;
    app.screenshot("11-form-problems").await;
    app.press(Key::Enter).await; // the focus is on "Correggi nella pratica"
    app.wait_screen("form", "the case form opens to fix the problems").await;
    let message = app
        .wait_js(
            "document.querySelector('[data-error-for=\"applicant.address.province\"]')?.textContent.trim()",
            "the province's problem next to its field",
        )
        .await;
    assert!(
        message.as_str().unwrap_or_default().contains("Modulo 1"),
        "the message next to the field names the form that needs it: {message}"
    );
    app.press(Key::Escape).await;
    app.wait_screen("detail", "Esc leaves the form for the case").await;

    // e. Quit, relaunch on the same folder: the operator, the case and its status are all still there.
    app.quit().await;
    let app = App::launch(data.path(), "operator-2").await;
    app.sign_in(RESPONSABILE, RESPONSABILE_PASSPHRASE, RESPONSABILE_PIN).await;
    app.open_case_list().await;
    assert_eq!(app.text("[data-operator-name]").await.trim(), OPERATOR, "the header names the signed-in operator");
    search(&app, "mull", &[case_id]).await;
    assert_eq!(
        app.js(&format!(
            "return document.querySelector('tr[data-case-id=\"{case_id}\"] [data-status]').dataset.status"
        ))
        .await,
        Value::String(kind.clone()),
        "after a restart the list must show the status recorded before quitting"
    );
    app.press(Key::Down).await;
    app.press(Key::Enter).await;
    app.wait_js(
        &format!("document.querySelector('[data-case-detail]')?.dataset.caseId === '{case_id}'"),
        "↓ Enter opens the case after the restart",
    )
    .await;
    let (_, heading2, status2, steps2) = heading_case(&app).await;
    assert!(heading2.contains(&number), "the case keeps its number {number} across a restart; heading: {heading2:?}");
    assert_eq!(status2, kind, "the case keeps the status recorded before the restart");
    assert_eq!(steps2, 2, "the timeline keeps both entries across a restart");
    app.quit().await;
}

#[tokio::test]
async fn a_second_instance_on_the_same_folder_is_refused() {
    let data = temp_data_dir();
    let first = App::launch(data.path(), "lock-first").await;
    first.set_up_and_sign_in().await;
    first.open_case_list().await;

    let second = App::launch(data.path(), "lock-second").await;
    let el = second
        .wait_css("[data-startup-error]", "the second instance on the same folder shows the startup error page")
        .await;
    let text = el.text().await.unwrap_or_default();
    assert!(
        text.contains("già aperto"),
        "the startup error must tell the operator the folder is already open elsewhere; it says {text:?}"
    );
    assert_eq!(
        second.js("return document.querySelector('[data-startup-error]').dataset.kind").await,
        Value::String("locked".into()),
        "the startup error's kind must be `locked`"
    );
    assert!(
        !second.visible("[data-new-case]").await && !second.visible("[data-operator-input]").await,
        "the refused instance must not offer the header's controls (new case, operator)"
    );
    second.screenshot("06-startup-error-locked").await;
    second.quit().await;

    // The first instance is untouched by the refused second one.
    assert_eq!(first.screen().await, "list", "the first instance must keep working after a second one is refused");
    first.quit().await;
}

/// The Albanian passport of the core tests' worker, as a keyboard-wedge scanner types it.
const PASSPORT: [&str; 2] =
    ["P<ALBHOXHA<<ARBEN<<<<<<<<<<<<<<<<<<<<<<<<<<<", "BA12345675ALB9004159M3002289<<<<<<<<<<<<<<<4"];

/// A scanner types each line followed by Enter.
fn scanned(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}{}", char::from(Key::Enter))).collect()
}

#[tokio::test]
async fn a_scanned_passport_fills_the_form_and_a_misread_digit_fills_nothing() {
    let data = temp_data_dir();
    let app = App::launch(data.path(), "mrz").await;
    app.set_up_and_sign_in().await;
    app.open_case_list().await;
    app.chord(Key::Alt, 'n').await;
    app.wait_screen("form", "Alt+N opens the new-case form").await;
    app.wait_js("document.activeElement?.name === 'applicant.surname'", "the focus on the surname").await;
    // The MRZ field comes just before the surname in the keyboard order.
    shift_tab_to(&app, "[data-mrz]", 4, "from the surname back to the MRZ field").await;

    // A misread birth date (900415 → 900416): its check digit fails, the error names it, nothing is filled.
    let misread = PASSPORT[1].replace("9004159", "9004169");
    app.type_keys(&scanned(&[PASSPORT[0], &misread])).await;
    let error = app
        .wait_js(
            "document.querySelector('[data-error-for=\"mrz\"]')?.textContent.trim()",
            "an error under the MRZ field for the misread zone",
        )
        .await;
    assert!(
        error.as_str().unwrap_or_default().contains("data di nascita"),
        "the error must name the field the failed check digit protects (the birth date): {error}"
    );
    assert_eq!(app.value_of("applicant.surname").await, "", "a zone with a failed check digit must fill nothing");
    assert!(app.focus_is("[data-mrz]").await, "the focus stays in the MRZ field to scan again");
    app.screenshot("09-mrz-misread").await;

    // Scanned again, right: every field the zone holds is filled and highlighted.
    app.chord(Key::Control, 'a').await;
    app.type_keys(&scanned(&PASSPORT)).await;
    app.wait_js(
        "document.querySelector('[name=\"applicant.surname\"]').value === 'Hoxha'",
        "the surname filled from the zone",
    )
    .await;
    for (name, want) in [
        ("applicant.givenNames", "Arben"),
        ("applicant.sex", "M"),
        ("applicant.birthDate", "1990-04-15"),
        ("applicant.citizenships.0", "ALB"),
        ("applicant.document.kind", "passport"),
        ("applicant.document.number", "BA1234567"),
        ("applicant.document.expiryDate", "2030-02-28"),
    ] {
        assert_eq!(app.value_of(name).await, want, "the zone should have set {name}");
    }
    assert_eq!(app.count(".mrz-filled").await, 8, "every field the zone filled is highlighted for checking");
    assert!(app.visible("[data-mrz-status]").await, "the operator is told which fields were filled");
    assert_eq!(
        app.count("[data-mrz].is-invalid, [data-error-for=\"mrz\"]:not(:empty)").await,
        0,
        "the earlier error is gone"
    );
    app.screenshot("10-mrz-filled").await;

    // A codice fiscale typed with the wrong day of birth is flagged, naming the part that differs; the
    // right one clears the warning.
    app.fill("applicant.birthCountry", "ALB").await;
    app.fill("applicant.codiceFiscale", "HXHRBN90D16Z100B").await;
    app.press(Key::Tab).await;
    let hint = app
        .wait_js(
            "document.querySelector('[data-cf-hint][data-mismatch=\"1\"]')?.textContent.trim()",
            "a warning that the codice fiscale does not match the data",
        )
        .await;
    assert!(
        hint.as_str().unwrap_or_default().contains("giorno di nascita e sesso"),
        "the warning must name the part that differs (the day of birth): {hint}"
    );
    app.chord(Key::Shift, char::from(Key::Tab)).await;
    app.chord(Key::Control, 'a').await;
    app.type_keys("HXHRBN90D15Z100Z").await;
    app.press(Key::Tab).await;
    app.wait_js(
        "document.querySelector('[data-cf-hint]').dataset.mismatch === ''",
        "the warning gone once the right code is typed",
    )
    .await;
    app.quit().await;
}

/// The path through the desk's access: the first start creates the responsabile, who signs in,
/// opens a case and adds a colleague; the idle lock fires and hides the applicant; the colleague takes
/// over from the lock screen and records a step; the responsabile comes back and finds both in the audit
/// trail.
#[tokio::test]
async fn the_idle_lock_hides_the_applicant_a_colleague_takes_over_and_the_audit_trail_names_both() {
    const COLLEAGUE: &str = "Luca Bianchi";
    const COLLEAGUE_PASSPHRASE: &str = "la sua parola 2";
    let data = temp_data_dir();
    let idle = std::path::Path::new("6");
    let app = App::launch_env(data.path(), "access", &[("MIXITE_IDLE_SECONDS", idle)]).await;
    app.set_up_and_sign_in().await;

    // A case, through the backend the screens use, then opened on its detail screen.
    let made = app
        .js("window.__made = null;
             window.__TAURI__.core.invoke('cases_create', { data: {
               applicant: { surname: 'Qerimaj', givenNames: 'Arta', sex: 'F', birthDate: '1991-03-04',
                 birthPlace: 'Scutari', birthCountry: 'ALB', citizenships: ['ALB'],
                 document: { kind: 'passport', number: 'BB1234567', expiryDate: '2031-01-01' }, language: 'sq' },
               household: [], currentPermit: { motivoCode: '16', expiryDate: '2027-01-10' },
               request: { procedure: 'rinnovo', motivoCode: '16' } } })
               .then(v => { window.__made = v.id; }, e => { window.__made = 'error ' + JSON.stringify(e); });
             return true;")
        .await;
    assert_eq!(made, Value::Bool(true));
    let id = app.wait_js("window.__made", "the case created").await;
    let id = id.as_i64().unwrap_or_else(|| panic!("creating the case failed: {id}"));

    // The colleague is added on the operators screen (responsabile only), typing their own passphrase.
    app.js("location.hash = '#/operators'; return true;").await;
    app.wait_css("[data-operator-add-form]", "the operators screen's add form").await;
    app.fill("operator", COLLEAGUE).await;
    app.fill("passphrase", COLLEAGUE_PASSPHRASE).await;
    app.fill("passphraseRepeat", COLLEAGUE_PASSPHRASE).await;
    app.press(Key::Enter).await;
    app.wait_css(
        "tr[data-operator-row][data-role=\"operatore\"][data-active=\"true\"]",
        "the colleague listed as an active operatore",
    )
    .await;

    // Idle: the lock screen replaces everything; the applicant's name is nowhere in the page.
    app.js(&format!("location.hash = '#/case/{id}'; return true;")).await;
    app.wait_js("document.body.innerText.includes('Qerimaj')", "the case on screen").await;
    app.wait_css("[data-lock-screen]", "the idle lock after a few seconds without input").await;
    app.screenshot("30-idle-locked").await;
    assert_eq!(
        app.js("return document.documentElement.innerHTML.includes('Qerimaj');").await,
        Value::Bool(false),
        "the locked page holds no applicant data, not even hidden"
    );
    let title = app.js("return document.title;").await;
    assert!(!title.as_str().unwrap_or_default().contains("Qerimaj"), "the window title is neutral: {title}");

    // The colleague takes over from the lock screen and records a step on the same case.
    app.js("document.querySelector('[data-lock-switch]').click(); return true;").await;
    app.wait_css("[data-switch-form]", "the switch form on the lock screen").await;
    app.choose("operatorId", COLLEAGUE).await;
    app.fill("passphrase", COLLEAGUE_PASSPHRASE).await;
    app.fill("pin", "1357").await;
    app.press(Key::Enter).await;
    app.wait_js(
        &format!(
            "document.querySelector('[data-operator-name]')?.textContent.trim() === {}",
            serde_json::json!(COLLEAGUE)
        ),
        "the header names the colleague",
    )
    .await;
    let stepped = app
        .js(&format!(
            "window.__step = null;
             const core = window.__TAURI__.core;
             core.invoke('cases_get', {{ id: {id} }})
               .then(c => core.invoke('steps_add', {{ caseId: c.id, revision: c.revision,
                                                     step: {{ kind: 'documents_pending', date: c.createdAt.slice(0, 10) }} }}))
               .then(v => {{ window.__step = v.steps[1].operator; }}, e => {{ window.__step = 'error ' + JSON.stringify(e); }});
             return true;"
        ))
        .await;
    assert_eq!(stepped, Value::Bool(true));
    let by = app.wait_js("window.__step", "the colleague's step").await;
    assert_eq!(by, Value::String(COLLEAGUE.into()), "the step names the session's operator");
    assert!(
        app.count("[data-audit-link]").await == 0 || !app.visible("[data-audit-link]").await,
        "an operatore has no audit trail link"
    );

    // The responsabile comes back (Ctrl+Shift+L, then switch) and reads the audit trail.
    app.chord_shift(Key::Control, 'L').await;
    app.wait_css("[data-lock-screen]", "Ctrl+Shift+L locks at once").await;
    app.js("document.querySelector('[data-lock-switch]').click(); return true;").await;
    app.wait_css("[data-switch-form]", "the switch form").await;
    app.choose("operatorId", RESPONSABILE).await;
    app.fill("passphrase", RESPONSABILE_PASSPHRASE).await;
    app.fill("pin", RESPONSABILE_PIN).await;
    app.press(Key::Enter).await;
    app.wait_js(
        &format!(
            "document.querySelector('[data-operator-name]')?.textContent.trim() === {}",
            serde_json::json!(RESPONSABILE)
        ),
        "the header names the responsabile again",
    )
    .await;
    app.js("location.hash = '#/audit'; return true;").await;
    app.wait_css("tr[data-audit-row]", "the audit trail's rows").await;
    let rows = app.text("[data-screen=\"audit\"] table").await;
    assert!(rows.contains(COLLEAGUE) && rows.contains(RESPONSABILE), "both operators in the trail: {rows}");
    assert!(!rows.contains("Qerimaj"), "the trail names cases by number, never the applicant");
    app.js("document.querySelector('[data-audit-verify]').click(); return true;").await;
    app.wait_css("[data-verdict=\"ok\"]", "the verified, unbroken chain").await;
    app.screenshot("31-audit-trail").await;
    app.quit().await;
}

/// The applicant asks for erasure while the funder's period still holds the case. The responsabile says on
/// the retention screen that the desk has no funder (a case is then kept 60 months from the end of its closing
/// year): nothing is due yet, and the screen says why. On the closed case the erasure request, confirmed in a
/// dialog, answers that the case is restricted until 31 December five years on: it leaves the search, its
/// contacts are gone, and the retention screen lists it as restricted. Lifting the restriction there brings it
/// back into the search.
#[tokio::test]
async fn an_erasure_request_within_the_funders_period_restricts_the_case_until_the_period_ends() {
    const SURNAME: &str = "Hoxhallari";
    const PHONE: &str = "3471234567";
    let data = temp_data_dir();
    let year = current_year();
    let app = App::launch(data.path(), "retention").await;
    app.set_up_and_sign_in().await;

    // A case with a phone number, closed today with a note, through the backend the screens use.
    let made = app
        .js("window.__made = null;
             const core = window.__TAURI__.core;
             const d = new Date();
             const today = [d.getFullYear(), d.getMonth() + 1, d.getDate()].map(n => String(n).padStart(2, '0')).join('-');
             core.invoke('cases_create', { data: {
               applicant: { surname: 'Hoxhallari', givenNames: 'Drita', sex: 'F', birthDate: '1988-07-21',
                 birthPlace: 'Valona', birthCountry: 'ALB', citizenships: ['ALB'], phone: '3471234567',
                 document: { kind: 'passport', number: 'BC7654321', expiryDate: '2031-01-01' }, language: 'sq' },
               household: [], currentPermit: { motivoCode: '16', expiryDate: '2027-01-10' },
               request: { procedure: 'rinnovo', motivoCode: '16' } } })
               .then(c => core.invoke('steps_add', { caseId: c.id, revision: c.revision,
                                                     step: { kind: 'closed', date: today, note: 'Trasferita a Bologna' } }))
               .then(v => { window.__made = v.status === 'closed' ? v.id : 'status ' + v.status; },
                     e => { window.__made = 'error ' + JSON.stringify(e); });
             return true;")
        .await;
    assert_eq!(made, Value::Bool(true));
    let id = app.wait_js("window.__made", "the case created and closed").await;
    let id = id.as_i64().unwrap_or_else(|| panic!("creating and closing the case failed: {id}"));
    let number = format!("{year}/000001");
    app.open_case_list().await;
    app.wait_js("document.activeElement?.matches('[data-search]')", "the list's search box focused").await;
    search(&app, SURNAME, &[id]).await;

    // The retention screen, from the responsabile's menu; the focus on its heading.
    app.js("document.querySelector('[data-operator-menu] summary').click(); return true;").await;
    app.wait_js("document.querySelector('[data-operator-menu]').open", "the operator's menu open").await;
    assert!(app.visible("[data-retention-link]").await, "a responsabile's menu offers the retention screen");
    app.js("document.querySelector('[data-retention-link]').focus(); return true;").await;
    app.press(Key::Enter).await;
    app.wait_screen("retention", "the menu's link opens the retention screen").await;
    app.wait_css(
        "tr[data-policy-row][data-purpose=\"case\"][data-months=\"60\"]",
        "the case's 60 months in the policy",
    )
    .await;
    assert!(app.focus_is("[data-retention-heading]").await, "the screen opens with the focus on its heading");
    assert!(app.count("tr[data-policy-row] [data-verify]").await > 0, "periods the table marks are shown as to verify");
    app.wait_css("[data-funder-state=\"unknown\"]", "a new desk does not know its funder yet").await;
    assert!(app.visible("[data-funder-unknown]").await, "the screen says plainly that nothing is anonymised meanwhile");

    // "No funder", with the keyboard: Tab to the chosen radio, ↑ to the one above it, Tab to save, Enter.
    app.tab_to("[data-funder-kind=\"unknown\"]", 30).await;
    app.press(Key::Up).await;
    assert!(
        app.focus_is("[data-funder-kind=\"no_funder\"]:checked").await,
        "↑ in the radio group chooses \"no funder\""
    );
    app.tab_to("[data-funder-save]", 3).await;
    app.press(Key::Enter).await;
    app.wait_css("[data-funder-state=\"no_funder\"]", "the funder setting saved and read again").await;
    app.wait_css("[data-retention-done]", "the saved setting announced").await;
    // Closed today: its notes go tomorrow, its contacts a year after the permit, the case at the end of the
    // closing year plus 60 months. Nothing is due today, and the empty list says why.
    let empty = app.text("[data-retention-due-empty][data-why=\"periods_running\"]").await;
    assert!(!empty.is_empty(), "the empty due list explains itself");
    assert_eq!(app.count("tr[data-due-row]").await, 0, "nothing is due on the day the case closed");
    assert_eq!(app.count("[data-retention-apply]").await, 0, "nothing to apply");
    app.wait_css("[data-restricted-none]", "no restricted case yet").await;
    app.screenshot("40-retention-no-funder").await;

    // The erasure request on the case screen: Esc first cancels the dialog (and stays on the case), then
    // the request is confirmed.
    app.js(&format!("location.hash = '#/case/{id}'; return true;")).await;
    app.wait_css("[data-rights] [data-retention-state=\"closed\"]", "the case's rights section, closed").await;
    let contacts = "document.querySelector('[data-section=\"contacts\"]').textContent";
    assert_eq!(app.js(&format!("return {contacts}.includes('{PHONE}');")).await, Value::Bool(true), "the phone shown");
    app.js("document.querySelector('[data-rights-heading]').focus(); return true;").await;
    app.tab_to("[data-erasure-request]", 20).await;
    app.press(Key::Enter).await;
    app.wait_css("dialog[data-confirm-dialog=\"erasure\"][open]", "the erasure request's confirmation").await;
    assert!(
        app.focus_is("[data-confirm-cancel]").await,
        "the dialog opens on Annulla; focus is on {}",
        app.focused().await
    );
    app.press(Key::Escape).await;
    app.wait_js("!document.querySelector('dialog[data-confirm-dialog]')", "Esc closes the dialog").await;
    assert_eq!(app.screen().await, "detail", "Esc in the dialog does not leave the case");
    assert!(app.focus_is("[data-erasure-request]").await, "the focus goes back to the button that opened the dialog");
    app.press(Key::Enter).await;
    app.wait_css("dialog[data-confirm-dialog=\"erasure\"][open]", "the confirmation again").await;
    shift_tab_to(&app, "[data-confirm-ok]", 3, "from Annulla to the confirming button").await;
    app.screenshot("41-erasure-confirm").await;
    app.press(Key::Enter).await;
    let why = app.text("[data-erasure-outcome=\"restricted\"] [data-why-text]").await;
    let until = format!("31/12/{}", year + 5);
    assert!(why.contains(&until), "the applicant is told the case is kept, restricted, until {until}: {why:?}");
    assert!(
        app.focus_is("[data-rights-notice]").await,
        "the outcome takes the focus; it is on {}",
        app.focused().await
    );
    app.wait_css("[data-retention-banner=\"restricted\"]", "the case marked restricted").await;
    assert_eq!(app.count("[data-edit]").await, 0, "a restricted case offers no change");
    assert_eq!(
        app.js(&format!("return {contacts}.includes('{PHONE}');")).await,
        Value::Bool(false),
        "contacts cleared"
    );
    app.screenshot("42-erasure-restricted").await;

    // Gone from the search.
    app.js("location.hash = '#/'; return true;").await;
    app.wait_screen("list", "back to the list").await;
    app.wait_js("document.activeElement?.matches('[data-search]')", "the search box focused").await;
    search(&app, SURNAME, &[]).await;

    // Listed as restricted on the retention screen; lifted there with the keyboard.
    app.js("location.hash = '#/retention'; return true;").await;
    let row = format!("tr[data-restricted-row][data-case-id=\"{id}\"][data-reason=\"erasure_requested\"]");
    app.wait_css(&row, "the case among the restricted ones, for the erasure request").await;
    assert!(app.text(&row).await.contains(&until), "the restricted row says until when it is kept");
    assert_eq!(app.count("tr[data-due-row]").await, 0, "still nothing due");
    app.tab_to(&format!("{row} [data-restricted-lift]"), 60).await;
    app.press(Key::Enter).await;
    app.wait_css("[data-restricted-none]", "no restricted case once lifted").await;
    let done = app.text("[data-retention-done]").await;
    assert!(done.contains(&number), "the lifting is announced with the case's number: {done:?}");

    // Back in the search.
    app.js("location.hash = '#/'; return true;").await;
    app.wait_screen("list", "back to the list").await;
    app.wait_js("document.activeElement?.matches('[data-search]')", "the search box focused").await;
    search(&app, SURNAME, &[id]).await;
    app.quit().await;
}

/// The about screen, from any operator's menu, says which content the desk prints from; a responsabile finds
/// a content pack on the stick there and, asking what it would change, is told in words that the file is not
/// a pack the desk accepts, with nothing changed.
#[tokio::test]
async fn the_about_screen_shows_the_content_in_force_and_refuses_a_file_that_is_not_a_pack() {
    let data = temp_data_dir();
    let stick = tempfile::tempdir().expect("a folder for the stick");
    std::fs::write(stick.path().join("contenuti-2099.1.mixite-pack"), b"not a content pack").unwrap();
    let env = [("MIXITE_STICK_DIR", stick.path())];
    let app = App::launch_env(data.path(), "content", &env).await;
    app.set_up_and_sign_in().await;
    app.open_case_list().await;
    app.wait_js("document.activeElement?.matches('[data-search]')", "the list's search box focused").await;

    app.js("document.querySelector('[data-operator-menu] summary').click(); return true;").await;
    app.wait_js("document.querySelector('[data-operator-menu]').open", "the operator's menu open").await;
    assert!(app.visible("[data-content-link]").await, "the menu offers the about screen");
    app.js("document.querySelector('[data-content-link]').focus(); return true;").await;
    app.press(Key::Enter).await;
    app.wait_screen("content", "the menu's link opens the about screen").await;
    let info = app.wait_css("[data-content-info][data-installed=\"false\"]", "the content in force, built in").await;
    let built_in = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/pack.toml")).unwrap();
    let version = built_in
        .lines()
        .find_map(|l| l.strip_prefix("version = \"")?.strip_suffix('"'))
        .expect("assets/pack.toml says the built-in version");
    assert!(info.text().await.unwrap().contains(&format!("v{version}")), "the built-in content's version is shown");
    assert!(app.focus_is("[data-content-heading]").await, "the screen opens with the focus on its heading");

    // The pack on the stick is listed; choosing it and asking what it changes is refused in words.
    app.wait_css("[data-pack-file]", "the pack on the stick listed").await;
    app.js("document.querySelector('[data-pack-file]').focus(); return true;").await;
    app.press(Key::Space).await;
    app.wait_js("!document.querySelector('[data-pack-inspect]').disabled", "the pack chosen").await;
    app.js("document.querySelector('[data-pack-inspect]').focus(); return true;").await;
    app.press(Key::Enter).await;
    let error = app.wait_css("[data-content-error]", "the refusal").await;
    assert!(
        error.text().await.unwrap().contains("pacchetto dei contenuti"),
        "the refusal says the file is not a content pack"
    );
    assert_eq!(app.count("[data-diff]").await, 0, "no changes are shown for a refused file");
    assert!(!data.path().join("content").exists(), "nothing was installed");
    app.screenshot("content-refused").await;

    // The responsabile's catalogue report (issue 13 §3): every procedure with its check date.
    app.js("location.hash = '#/catalogue'; return true;").await;
    app.wait_screen("catalogue", "the catalogue report").await;
    app.wait_css("[data-catalogue-report]", "the catalogue report's table").await;
    assert!(
        app.count("[data-catalogue-procedure]").await >= 55,
        "the report lists every procedure (at least the 55 issue 13 asks for)"
    );
    assert!(app.text("[data-catalogue-procedure=\"carta_familiare_ue_rilascio\"]").await.contains("2026"));
    app.screenshot("catalogue-report").await;
    app.quit().await;
}
