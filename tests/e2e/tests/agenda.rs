//! The agenda on the real app in its real webview: it is the first screen after the first start; demo cases
//! with known dates (permits that ended today, expiring in 20 days, expired 10 and 100 days ago) each appear
//! in their bucket with the counts; on the focused row, C opens the contact form with the channel and
//! outcome preselected, Enter records the contact, and the row leaves today's list. A row whose applicant
//! consented to letters, SMS and e-mail shows its reminder (M: the texts to copy, the SMS naming the due
//! date); the week's letters go out in one batch (this machine has no printer: the answer says so, as for
//! the checklist), the rows with letters leave today's list and the case lists its `promemoria` paper.
//!
//! Run with `make test-e2e`.

use mixite_e2e::*;
use serde_json::{json, Value};

/// The fixture's worker under `surname`, holding a permit that expires `offset` days from today.
fn applicant(surname: &str) -> Value {
    let mut data: Value =
        serde_json::from_str(include_str!("../../fixtures/worker.json")).expect("the fixture is a case");
    data["applicant"]["surname"] = json!(surname);
    data
}

/// Creates a case through the app's own command, its permit expiring `offset` days from the app's today, and
/// closes it today: a case the agenda reads by its expiry.
async fn ended_case(app: &App, surname: &str, offset: i64) -> i64 {
    let data = applicant(surname);
    let script = format!(
        "window.__made = null;
         const tauri = window.__TAURI__.core;
         const day = (n) => {{ const d = new Date(); d.setDate(d.getDate() + n);
           const p = (x) => String(x).padStart(2, '0');
           return `${{d.getFullYear()}}-${{p(d.getMonth() + 1)}}-${{p(d.getDate())}}`; }};
         const data = {data};
         data.currentPermit.expiryDate = day({offset});
         tauri.invoke('cases_create', {{ data }})
           .then(c => tauri.invoke('steps_add', {{ caseId: c.id, revision: c.revision,
                                                   step: {{ kind: 'closed', date: day(0) }} }}))
           .then(v => {{ window.__made = v.id; }}, e => {{ window.__made = 'error ' + JSON.stringify(e); }});
         return true;"
    );
    app.js(&script).await;
    let made = app.wait_js("window.__made", "the case created and closed").await;
    made.as_i64().unwrap_or_else(|| panic!("creating the case failed: {made}"))
}

/// The surnames listed in bucket `id`, and its count as shown.
async fn bucket(app: &App, id: &str) -> (Vec<String>, String) {
    let css = format!("[data-bucket-section=\"{id}\"]");
    let names = app
        .js(&format!(
            "return Array.from(document.querySelectorAll({rows})).map(e => e.textContent.trim());",
            rows = json!(format!("{css} [data-agenda-row] .fw-semibold"))
        ))
        .await;
    let names = names.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    (names, app.text(&format!("{css} [data-bucket-count]")).await.trim().to_string())
}

#[tokio::test]
async fn the_agenda_lists_each_applicant_in_its_bucket_and_a_contact_takes_the_row_off_today() {
    let data = temp_data_dir();
    let app = App::launch(data.path(), "agenda").await;
    app.set_up_and_sign_in().await;
    app.wait_css("[data-agenda]", "the agenda after the first start").await;
    assert_eq!(bucket(&app, "expiring").await.1, "0", "a fresh folder has nobody to call");

    ended_case(&app, "Presto", 20).await;
    ended_case(&app, "Urgente", -10).await;
    ended_case(&app, "Tardi", -100).await;
    ended_case(&app, "Lontano", 200).await;

    // The agenda again, as the operator comes back to it: Alt+A from the case list.
    app.open_case_list().await;
    app.chord(Key::Alt, 'a').await;
    app.wait_screen("agenda", "Alt+A opens the agenda").await;
    app.wait_css("[data-agenda-row]", "the agenda's rows").await;
    app.screenshot("30-agenda").await;
    assert_eq!(bucket(&app, "expiring").await, (vec!["Presto".to_string()], "1".to_string()));
    assert_eq!(bucket(&app, "expired_urgent").await, (vec!["Urgente".to_string()], "1".to_string()));
    assert_eq!(bucket(&app, "expired_legal").await, (vec!["Tardi".to_string()], "1".to_string()));
    let all = app.text("[data-agenda]").await;
    assert!(!all.contains("Lontano"), "a permit valid for 200 more days is nobody's concern today");
    assert!(
        app.text("[data-bucket-section=\"expiring\"] [data-agenda-row]").await.contains(&t_no_consent()),
        "without consent the row says not to remind"
    );

    // The first row (Presto's: today's buckets are empty) takes the focus with ↓; C opens the contact form.
    app.press(Key::Down).await;
    assert!(
        app.focus_is("[data-bucket-section=\"expiring\"] [data-agenda-row]").await,
        "↓ focuses the first row: {}",
        app.focused().await
    );
    app.type_keys("c").await;
    app.wait_css("[data-contact-form]", "the contact form").await;
    assert_eq!(app.value_of("contact.channel").await, "phone", "the channel preselected");
    assert_eq!(app.value_of("contact.outcome").await, "reached", "the outcome preselected");
    app.screenshot("31-agenda-contact").await;
    app.press(Key::Enter).await;
    app.wait_js(
        "document.querySelector('[data-bucket-section=\"expiring\"] [data-bucket-count]')?.textContent.trim() === '0'",
        "the contacted row off today's list",
    )
    .await;
    assert!(!app.text("[data-agenda]").await.contains("Presto"), "the contacted applicant left today's list");
    assert_eq!(bucket(&app, "expired_urgent").await.1, "1", "the others stay");
    assert!(app.visible("[data-agenda-print]").await, "the list can be printed");
    app.screenshot("32-agenda-after-contact").await;
    app.quit().await;
}

/// Records the applicant's consent to letters, SMS and e-mail on `case_id`, given today, through the app's
/// own command.
async fn consents(app: &App, case_id: i64) {
    let script = format!(
        "window.__consent = null;
         const d = new Date(); const p = (x) => String(x).padStart(2, '0');
         const today = `${{d.getFullYear()}}-${{p(d.getMonth() + 1)}}-${{p(d.getDate())}}`;
         window.__TAURI__.core.invoke('agenda_set_consent', {{ caseId: {case_id}, consent: {{
             phone: false, sms: true, email: true, letter: true, language: '', givenOn: today, withdrawnOn: '' }} }})
           .then(() => {{ window.__consent = 'ok'; }}, e => {{ window.__consent = 'error ' + JSON.stringify(e); }});
         return true;"
    );
    app.js(&script).await;
    let done = app.wait_js("window.__consent", "the consent recorded").await;
    assert_eq!(done, json!("ok"), "recording the consent failed: {done}");
}

#[tokio::test]
async fn a_consenting_row_offers_its_texts_and_the_weeks_letters_take_it_off_today() {
    let data = temp_data_dir();
    let app = App::launch(data.path(), "agenda-reminders").await;
    app.set_up_and_sign_in().await;
    app.wait_css("[data-agenda]", "the agenda after the first start").await;
    let willing = ended_case(&app, "Avvisato", 20).await;
    consents(&app, willing).await;
    ended_case(&app, "Riservato", 25).await;

    app.open_case_list().await;
    app.chord(Key::Alt, 'a').await;
    app.wait_screen("agenda", "Alt+A opens the agenda").await;
    app.wait_css("[data-agenda-row]", "the agenda's rows").await;
    let row = |id: i64| format!("[data-bucket-section=\"expiring\"] [data-agenda-row][data-case-id=\"{id}\"]");
    let willing_row = row(willing);
    assert!(app.visible(&format!("{willing_row} [data-remind-letter]")).await, "consent to letters: a letter");
    assert!(app.visible(&format!("{willing_row} [data-remind-messages]")).await, "consent to SMS: the texts");
    let other = "[data-bucket-section=\"expiring\"] [data-agenda-row]:not([data-case-id=\"".to_string()
        + &willing.to_string()
        + "\"])";
    assert!(
        app.text(&format!("{other} [data-remind-none]")).await.contains("consenso"),
        "no consent: the row says why no reminder is offered"
    );
    assert!(!app.visible(&format!("{other} [data-remind-letter]")).await, "no letter without consent");
    assert!(app.text("[data-agenda-letters]").await.contains("(1)"), "one letter for the week");

    // M on the focused row: the SMS in the applicant's language names the day the permit expires.
    app.js(&format!("document.querySelector({}).focus(); return true;", json!(willing_row))).await;
    app.type_keys("m").await;
    app.wait_css("[data-remind-dialog]", "the reminder's texts").await;
    let sms = app.js("return document.querySelector('[data-remind-text=\"sms\"]').value;").await;
    let due = app
        .js("const d = new Date(); d.setDate(d.getDate() + 20); const p = (x) => String(x).padStart(2, '0');
             return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;")
        .await;
    let (sms, due) = (sms.as_str().unwrap().to_string(), due.as_str().unwrap().to_string());
    assert!(sms.contains(&due), "the SMS names the expiry {due}: {sms}");
    assert!(!app.text("[data-sms-length]").await.is_empty(), "the SMS's length and parts are shown");
    // The texts are the applicant's (Albanian, the fixture's): marked so for a screen reader and the bidi.
    let marks = app
        .js("return Array.from(document.querySelectorAll('[data-remind-text]')).map((e) => `${e.lang} ${e.dir}`);")
        .await;
    assert_eq!(marks, json!(["sq ltr", "sq ltr", "sq ltr"]), "the SMS, subject and body carry lang and dir");
    let body = app.js("return document.querySelector('[data-remind-text=\"body\"]').value;").await;
    assert!(body.as_str().unwrap().contains(&due), "the e-mail names the expiry too");
    app.wait_css("[data-copy=\"sms\"]", "a button").await.click().await.expect("click");
    app.wait_js(
        "document.querySelector('[data-copied=\"sms\"]')?.textContent.trim().length > 0",
        "the copy said what it did",
    )
    .await;
    // Which way the copy went in WebKitGTK (the clipboard API, the copy command, or the text left selected).
    let how = app.js("return document.querySelector('[data-copied=\"sms\"]').dataset.how;").await;
    eprintln!("the SMS was copied by: {how}");
    assert!(["clipboard", "command", "selected"].contains(&how.as_str().unwrap_or("")), "copy answered: {how}");
    app.screenshot("33-agenda-messages").await;
    app.wait_css("[data-remind-close]", "a button").await.click().await.expect("click");
    app.wait_js("!document.querySelector('[data-messages-dialog]').open", "the texts closed").await;
    app.screenshot("33b-agenda-messages-closed").await;

    // The week's letters: one batch, filed, logged; no printer here, and the answer says so.
    app.js("document.querySelector('[data-agenda-letters]').scrollIntoView({ block: 'center' }); return true;").await;
    // The scroll settles before the click (WebKitWebDriver refuses a button still moving).
    app.wait_js("Math.abs(document.querySelector('[data-agenda-letters]').getBoundingClientRect().top - innerHeight / 2) < innerHeight / 2", "the button in view").await;
    app.wait_css("[data-agenda-letters]", "a button").await.click().await.expect("click");
    // Letters are laid out and filed one by one: more than the harness's usual 10 s on a debug build.
    app.wait_js_within(
        std::time::Duration::from_secs(90),
        "document.querySelector('[data-letters-done], [data-letters-error]') !== null",
        "the week's letters done",
    )
    .await;
    assert!(
        !app.visible("[data-letters-error]").await,
        "the letters failed: {}",
        app.text("[data-agenda-letters-status]").await
    );
    assert_eq!(app.js("return document.querySelector('[data-letters-done]').dataset.lettersDone;").await, json!("1"));
    assert!(app.visible("[data-no-printer], [data-print-ok]").await, "the outcome of printing is shown");
    app.screenshot("34-agenda-letters").await;
    let all = app.text("[data-agenda]").await;
    assert!(!all.contains("Avvisato"), "the row with its letter left today's list");
    assert!(all.contains("Riservato"), "the row without consent stays");

    app.js(&format!("location.hash = '#/case/{willing}'; return true;")).await;
    app.wait_css("[data-papers-printed] [data-paper-file*=\"promemoria\"]", "the letter among the case's papers").await;
    app.quit().await;
}

/// The Italian mark of a row without consent (the app starts in Italian).
fn t_no_consent() -> String {
    "nessun consenso".into()
}

/// Creates a case (the fixture's worker under `surname`) through the app's own command; returns its id.
async fn open_case(app: &App, surname: &str) -> i64 {
    let script = format!(
        "window.__made = null;
         window.__TAURI__.core.invoke('cases_create', {{ data: {data} }})
           .then(c => {{ window.__made = c.id; }}, e => {{ window.__made = 'error ' + JSON.stringify(e); }});
         return true;",
        data = applicant(surname)
    );
    app.js(&script).await;
    let made = app.wait_js("window.__made", "the case created").await;
    made.as_i64().unwrap_or_else(|| panic!("creating the case failed: {made}"))
}

#[tokio::test]
async fn a_desk_contact_from_a_case_and_a_walk_in_are_counted_in_the_report() {
    let data = temp_data_dir();
    let app = App::launch(data.path(), "agenda-desk").await;
    app.set_up_and_sign_in().await;
    app.wait_css("[data-agenda]", "the agenda after the first start").await;
    let id = open_case(&app, "Sportello").await;
    app.js(&format!("location.hash = '#/case/{id}'; return true;")).await;
    app.wait_css("[data-desk-contact-open]", "the case's desk contacts").await;
    assert!(app.visible("[data-no-desk-contacts]").await, "a new case has no desk contact yet");

    // Alt+D: the form, the kind (a visit) focused, the applicant's language and 15 minutes prefilled; Tab to
    // the first service, Space ticks it, Enter saves.
    app.chord(Key::Alt, 'd').await;
    app.wait_css("[data-desk-contact-form]", "Alt+D opens the desk-contact form").await;
    assert!(app.focus_is("[data-desk-kind=\"visit\"]").await, "the kind takes the focus: {}", app.focused().await);
    assert_eq!(app.value_of("desk.minutes").await, "15", "the minutes prefilled");
    assert_eq!(app.value_of("desk.language").await, "sq", "the applicant's language prefilled");
    app.tab_to("[data-desk-service]", 5).await;
    app.type_keys(" ").await;
    app.screenshot("35-desk-contact").await;
    app.press(Key::Enter).await;
    app.wait_css("[data-desk-contact]", "the recorded contact in the case's list").await;
    assert_eq!(app.count("[data-desk-contact]").await, 1, "one desk contact on the case");
    assert_eq!(app.count("[data-desk-contact-form]").await, 0, "the form closed after the save");

    // A walk-in from the operator's menu: citizenship, sex and age band only.
    app.js("document.querySelector('[data-operator-menu]').open = true; return true;").await;
    app.wait_css("[data-walk-in]", "the walk-in entry").await.click().await.expect("click");
    app.wait_css("[data-desk-contact-dialog=\"walk-in\"] [data-desk-contact-form]", "the walk-in form").await;
    app.js("for (const n of ['desk.citizenship', 'desk.sex', 'desk.ageBand']) {
           const s = document.querySelector(`[name=\"${n}\"]`); s.value = s.options[1].value; }
         document.querySelector('[data-desk-service]').checked = true;
         document.querySelector('[data-desk-kind=\"call\"]').focus(); return true;")
        .await;
    app.press(Key::Enter).await;
    app.wait_js("!document.querySelector('[data-walk-in-saved]').hidden", "the walk-in recorded").await;

    // The report: this month's summary, the two contacts under the suppression rule ("<5"), the charts.
    app.js("location.hash = '#/reports'; return true;").await;
    app.wait_css("[data-report-form]", "the report screen").await;
    app.wait_css("[data-report-build]", "the build button").await.click().await.expect("click");
    app.wait_css("[data-report-table=\"summary\"]", "the summary table").await;
    let rows = app
        .js("return Array.from(document.querySelectorAll('[data-report-table=\"summary\"] tbody tr'))
               .map(r => r.textContent.replace(/\\s+/g, ' ').trim());")
        .await;
    let rows: Vec<String> = rows.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert!(rows.contains(&"Contatti<5".to_string()), "2 contacts are shown as <5 under the rule: {rows:?}");
    assert!(!app.text("[data-report-rule]").await.is_empty(), "the suppression rule is shown");
    let chart =
        app.js("return document.querySelector('svg[data-report-chart=\"months\"]')?.getAttribute('role');").await;
    assert_eq!(chart, json!("img"), "the months chart is an image with its label");
    assert!(app.visible("[data-report-export=\"csv\"]").await, "the CSV export is offered");
    app.screenshot("36-report").await;

    // The operator's own staff time, on the same screen: Enter in the minutes records it.
    app.js("const k = document.querySelector('[name=\"staff.kind\"]'); k.value = k.options[1].value;
         document.querySelector('[name=\"staff.minutes\"]').focus(); return true;")
        .await;
    app.press(Key::Enter).await;
    app.wait_js(
        "document.querySelector('[data-staff-saved]').textContent.trim().length > 0",
        "the staff time recorded",
    )
    .await;
    assert!(!app.visible("[data-staff-errors] .alert").await, "no error on the staff time");
    app.quit().await;
}
