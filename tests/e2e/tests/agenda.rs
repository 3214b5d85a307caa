//! The agenda on the real app in its real webview: it is the first screen after the first start; demo cases
//! with known dates (permits that ended today, expiring in 20 days, expired 10 and 100 days ago) each appear
//! in their bucket with the counts; on the focused row, C opens the contact form with the channel and
//! outcome preselected, Enter records the contact, and the row leaves today's list.
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

/// The Italian mark of a row without consent (the app starts in Italian).
fn t_no_consent() -> String {
    "nessun consenso".into()
}
