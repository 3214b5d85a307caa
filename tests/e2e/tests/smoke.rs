//! The smoke test of a build as the Comune installs it: a first run on a fresh data folder sets up the
//! responsabile, records a case, finds it with the search box and prints its checklist (the print engine
//! reads its fonts from wherever the build keeps them: the package's resource folder for an installed app);
//! a later run on the same folder signs in and finds the case again.
//!
//! In the ordinary end-to-end run both runs happen here, one after the other, on a temporary folder.
//! `tests/package/deb.sh` runs them against the installed `/usr/bin/sportello-mixite` with a package removal
//! and reinstall in between: `MIXITE_SMOKE_DIR` names the data folder (kept), `MIXITE_SMOKE_RUN` is `first`
//! or `again`.
//!
//! Run with `make test-e2e`.

use std::path::Path;

use mixite_e2e::*;
use serde_json::{json, Value};

/// The shared fixture: Arben Hoxha, a worker, whose checklist prints in Italian and Albanian.
fn applicant() -> Value {
    serde_json::from_str(include_str!("../../fixtures/worker.json")).expect("the fixture is a case")
}

/// The list's rows for `query` typed into the search box (Ctrl+K), once the search has answered.
async fn rows_for(app: &App, query: &str, want: usize) -> Vec<(i64, String)> {
    app.chord(Key::Control, 'k').await;
    assert!(app.focus_is("[data-search]").await, "Ctrl+K puts the focus in the search box");
    app.type_keys(query).await;
    let expr = format!(
        "document.querySelector('[data-search]').value === {q}
           && document.querySelectorAll('tr[data-case-row]').length === {want}",
        q = json!(query)
    );
    app.wait_js(&expr, &format!("{want} row(s) for {query:?}")).await;
    let rows = app
        .js("return Array.from(document.querySelectorAll('tr[data-case-row]'))
                 .map(r => [Number(r.dataset.caseId), r.textContent.replace(/\\s+/g, ' ').trim()]);")
        .await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_i64().unwrap(), r[1].as_str().unwrap_or_default().to_string()))
        .collect()
}

/// A fresh folder: set-up, one case through the backend the form uses, found by the search box, opened,
/// and its checklist printed (or, with no printer, filed and offered to open).
async fn first_run(data: &Path) {
    let app = App::launch(data, "smoke-1").await;
    app.set_up_and_sign_in().await;
    app.open_case_list().await;
    let made = app
        .js(&format!(
            "window.__made = null;
             window.__TAURI__.core.invoke('cases_create', {{ data: {} }})
               .then(v => {{ window.__made = v.id; }}, e => {{ window.__made = 'error ' + JSON.stringify(e); }});
             return true;",
            applicant()
        ))
        .await;
    assert_eq!(made, Value::Bool(true));
    let id = app.wait_js("window.__made", "the case created").await;
    let id = id.as_i64().unwrap_or_else(|| panic!("creating the case failed: {id}"));

    let rows = rows_for(&app, "hoxha", 1).await;
    assert_eq!(rows[0].0, id, "the search finds the case just made: {rows:?}");
    app.press(Key::Down).await;
    app.press(Key::Enter).await;
    app.wait_js(&format!("document.querySelector('[data-case-detail]')?.dataset.caseId === '{id}'"), "the case open")
        .await;

    // The checklist: previewed, then printed. Its PDF is laid out with the shipped fonts, so a package
    // that lost them fails here.
    let preview = app.wait_css("[data-checklist-preview-btn]", "the checklist panel on the case").await;
    app.js("document.querySelector('[data-checklist-panel]').scrollIntoView({ block: 'start', behavior: 'instant' })")
        .await;
    preview.click().await.expect("click the checklist preview button");
    app.wait_js(
        "document.querySelector('[data-checklist-preview]')?.textContent.includes('Documenti')",
        "the checklist preview listing the documents to bring",
    )
    .await;
    app.print_checklist().await;
    app.screenshot("smoke-1-printed").await;
    app.quit().await;
}

/// A folder with the first run's register: sign in, the case is there.
async fn again(data: &Path) {
    let app = App::launch(data, "smoke-2").await;
    app.sign_in(RESPONSABILE, RESPONSABILE_PASSPHRASE, RESPONSABILE_PIN).await;
    app.open_case_list().await;
    let rows = rows_for(&app, "hoxha", 1).await;
    assert!(rows[0].1.contains("Hoxha"), "the first run's case is listed: {rows:?}");
    app.screenshot("smoke-2-found").await;
    app.quit().await;
}

#[tokio::test]
async fn a_case_recorded_on_one_run_is_found_on_the_next() {
    match std::env::var_os("MIXITE_SMOKE_DIR") {
        Some(dir) => {
            let dir = Path::new(&dir);
            std::fs::create_dir_all(dir).expect("create the smoke test's data folder");
            match std::env::var("MIXITE_SMOKE_RUN").as_deref() {
                Ok("first") => first_run(dir).await,
                Ok("again") => again(dir).await,
                other => panic!("MIXITE_SMOKE_RUN must be `first` or `again` with MIXITE_SMOKE_DIR, not {other:?}"),
            }
        }
        None => {
            let data = temp_data_dir();
            first_run(data.path()).await;
            again(data.path()).await;
        }
    }
}
