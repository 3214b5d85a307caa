//! The shell through Tauri's mock runtime: what the UI receives from a command on success and on error
//! (the `{kind, message, fields}` shape, translated), plus the translation catalogue's consistency.
//! No window and no webview: the real webview is exercised by tests/e2e.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde_json::{json, Value};
use sportello_mixite::state::Desk;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

struct App {
    _dir: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    window: WebviewWindow<tauri::test::MockRuntime>,
}

/// The responsabile every test desk is set up with.
const BOSS: &str = "Mario Rossi";
const BOSS_PASSPHRASE: &str = "una parola lunga 1";

/// The app on a fresh data folder, its first responsabile set up and signed in.
fn app() -> App {
    let app = app_without_operator();
    let done = invoke(
        &app,
        "access_set_up",
        json!({ "name": BOSS, "passphrase": BOSS_PASSPHRASE, "pin": "2468" }),
    )
    .unwrap();
    assert_eq!(done["state"]["session"]["operator"]["name"], BOSS);
    app
}

/// The app as it first starts on a fresh data folder: nobody signed in, no operator yet.
fn app_without_operator() -> App {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path().to_path_buf(), Instant::now());
    let app = sportello_mixite::setup(mock_builder(), desk)
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    App {
        _dir: dir,
        _app: app,
        window,
    }
}

/// The responsabile adds an operatore, Luca Bianchi, who takes over the counter with their passphrase
/// and PIN; returns the operator as added.
fn colleague_takes_over(app: &App) -> Value {
    let added = invoke(
        app,
        "operators_add",
        json!({ "name": "Luca Bianchi", "role": "operatore", "passphrase": "la sua parola 2" }),
    )
    .unwrap();
    invoke(
        app,
        "access_switch",
        json!({ "operatorId": added["id"], "passphrase": "la sua parola 2", "pin": "1357" }),
    )
    .unwrap();
    added
}

fn invoke(app: &App, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        &app.window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

/// `papers_render`'s arguments for today's receipt of a case, in Sinhala.
fn receipt(case_id: &Value) -> Value {
    json!({ "args": { "caseId": case_id, "paper": { "kind": "ricevuta", "options": { "language": "si" } } } })
}

fn worker() -> Value {
    json!({
        "applicant": {
            "surname": "Perera", "givenNames": "Kasun", "sex": "M", "birthDate": "1988-02-03",
            "citizenships": ["LKA"], "language": "si",
            "document": { "kind": "passport", "number": "N1234567" }
        },
        "currentPermit": { "motivoCode": "16", "expiryDate": "2027-01-10" },
        "request": { "procedure": "rinnovo", "motivoCode": "16" }
    })
}

#[test]
fn creating_a_case_returns_the_case_view_in_camel_case() {
    let app = app();
    let case = invoke(
        &app,
        "cases_create",
        json!({ "data": worker(), "requestId": "r-1" }),
    )
    .unwrap();
    assert!(
        case["number"].as_str().unwrap().ends_with("/000001"),
        "first case number: {case}"
    );
    assert_eq!(case["status"], "intake");
    assert_eq!(
        case["data"]["applicant"]["givenNames"], "Kasun",
        "the wire is camelCase"
    );
    assert_eq!(case["nextSteps"][0], "documents_pending");
    let page = invoke(
        &app,
        "cases_search",
        json!({ "query": "pere", "offset": 0, "limit": 25 }),
    )
    .unwrap();
    assert_eq!(page["items"][0]["surname"], "Perera");
    assert_eq!(page["hasMore"], false);
}

#[test]
fn a_validation_error_arrives_as_kind_message_and_translated_fields() {
    let app = app();
    let mut data = worker();
    data["applicant"]["surname"] = json!("");
    data["applicant"]["birthDate"] = json!("2999-01-01");
    let err = invoke(
        &app,
        "cases_create",
        json!({ "data": data, "requestId": "r-2" }),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid");
    assert!(
        err["message"].as_str().unwrap().contains("campi"),
        "Italian by default: {err}"
    );
    let fields = err["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 2, "every problem at once: {err}");
    assert_eq!(fields[0]["field"], "applicant.surname");
    assert_eq!(fields[0]["code"], "required");
    assert_eq!(
        fields[0]["message"], "Cognome: campo obbligatorio",
        "the message names the field"
    );
    assert_eq!(fields[1]["field"], "applicant.birthDate");
    let empty = invoke(
        &app,
        "cases_search",
        json!({ "query": "", "offset": 0, "limit": 25 }),
    )
    .unwrap();
    assert_eq!(empty["items"], json!([]), "nothing stored");
}

#[test]
fn errors_follow_the_operator_language_and_name_household_members() {
    let app = app();
    let info = invoke(&app, "app_set_locale", json!({ "locale": "en" })).unwrap();
    assert_eq!(info["locale"], "en");
    let mut data = worker();
    data["household"] =
        json!([{ "relation": "child", "surname": "Perera", "sex": "F", "birthDate": "" }]);
    let err = invoke(&app, "cases_create", json!({ "data": data })).unwrap_err();
    assert_eq!(err["fields"][0]["field"], "household.0.birthDate");
    assert_eq!(
        err["fields"][0]["message"],
        "Date of birth (family member 1): required"
    );
}

#[test]
fn commands_refuse_without_a_session_and_record_the_session_s_operator() {
    let app = app_without_operator();
    let state = invoke(&app, "access_state", json!({})).unwrap();
    assert_eq!(state["needsSetup"], true, "{state}");
    assert_eq!(state["session"], Value::Null);
    for (cmd, args) in [
        (
            "cases_search",
            json!({ "query": "", "offset": 0, "limit": 10 }),
        ),
        ("cases_create", json!({ "data": worker() })),
        ("cases_get", json!({ "id": 1 })),
        ("reference_get", json!({})),
        ("operators_list", json!({})),
        ("backup_status", json!({})),
    ] {
        let err = invoke(&app, cmd, args).unwrap_err();
        assert_eq!(
            (err["kind"].as_str(), err["code"].as_str()),
            (Some("access"), Some("no_session")),
            "{cmd} without a session: {err}"
        );
        assert!(
            err["message"].as_str().unwrap().contains("accedere"),
            "{err}"
        );
    }
    let short = invoke(
        &app,
        "access_set_up",
        json!({ "name": "Giulia Neri", "passphrase": "corta", "pin": "2468" }),
    )
    .unwrap_err();
    assert_eq!(short["fields"][0]["field"], "passphrase", "{short}");
    assert!(short["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("10"));
    let done = invoke(
        &app,
        "access_set_up",
        json!({ "name": "Giulia Neri", "passphrase": BOSS_PASSPHRASE, "pin": "2468" }),
    )
    .unwrap();
    assert_eq!(done["recoveryKey"].as_str().unwrap().len(), 39);
    // The UI never sends a name: the step carries the signed-in operator.
    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    assert_eq!(case["steps"][0]["operator"], "Giulia Neri");
    // A second operator takes over at the counter; their steps carry their name.
    let added = colleague_takes_over(&app);
    let args = json!({ "caseId": case["id"], "revision": case["revision"],
                       "step": { "kind": "documents_pending", "date": case["createdAt"].as_str().unwrap()[..10] } });
    let stepped = invoke(&app, "steps_add", args).unwrap();
    assert_eq!(stepped["steps"][1]["operator"], "Luca Bianchi");
    let not_allowed = invoke(&app, "operators_list", json!({})).unwrap_err();
    assert_eq!(not_allowed["code"], "not_allowed", "{not_allowed}");
    // Locked: nothing answers but the unlock; five wrong PINs leave only the passphrase.
    let locked = invoke(&app, "access_lock", json!({})).unwrap();
    assert_eq!(locked["session"]["locked"], true);
    let refused = invoke(&app, "cases_get", json!({ "id": case["id"] })).unwrap_err();
    assert_eq!(refused["code"], "session_locked", "{refused}");
    for _ in 0..5 {
        invoke(&app, "access_unlock_pin", json!({ "pin": "0000" })).unwrap_err();
    }
    let exhausted = invoke(&app, "access_unlock_pin", json!({ "pin": "1357" })).unwrap_err();
    assert_eq!(exhausted["code"], "pin_exhausted");
    invoke(
        &app,
        "access_unlock_passphrase",
        json!({ "passphrase": "la sua parola 2" }),
    )
    .unwrap();
    invoke(&app, "cases_get", json!({ "id": case["id"] })).unwrap();
    let out = invoke(&app, "access_sign_out", json!({})).unwrap();
    assert_eq!(out["session"], Value::Null);
    assert_eq!(out["operators"].as_array().unwrap().len(), 2);
    let wrong = invoke(
        &app,
        "access_sign_in",
        json!({ "operatorId": added["id"], "passphrase": "non è la sua", "pin": "1357" }),
    )
    .unwrap_err();
    let unknown = invoke(
        &app,
        "access_sign_in",
        json!({ "operatorId": "nessuno", "passphrase": "non è la sua", "pin": "1357" }),
    )
    .unwrap_err();
    assert_eq!(wrong, unknown, "no answer tells whether a name exists");
}

#[test]
fn a_locked_data_folder_is_reported_at_startup_not_by_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let key = mixite_core::register::keys::DbKey::generate();
    let _first = mixite_core::Register::open(dir.path(), &key).unwrap();
    let desk = Desk::open(dir.path().to_path_buf(), Instant::now());
    let error = desk
        .startup_error()
        .expect("the second opener gets an error");
    assert_eq!(error.kind, "locked");
    assert!(error.message.contains("già aperto"), "{}", error.message);
}

#[test]
fn the_ui_gets_its_strings_and_the_reference_lists() {
    let app = app();
    let strings = invoke(&app, "i18n_ui", json!({ "locale": "it" })).unwrap();
    assert!(
        strings.as_object().unwrap().len() > 50,
        "the ui.* keys, prefix removed"
    );
    assert!(strings.get("ui.list.title").is_none());
    let reference = invoke(&app, "reference_get", json!({})).unwrap();
    assert_eq!(reference["languages"].as_array().unwrap().len(), 16);
    let motivo = reference["motivi"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "27")
        .unwrap();
    assert_eq!(motivo["verify"], true, "the verify mark reaches the UI");
    assert!(reference["countries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "ALB"));
}

#[test]
fn the_visit_proposals_and_the_satisfaction_question_reach_the_ui_and_an_answer_is_counted() {
    let app = app();
    let codes = invoke(&app, "reports_codes", json!({})).unwrap();
    let open = codes["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["on"] == "open")
        .expect("opening a case proposes a contact");
    assert_eq!(open["services"], json!(["information"]));
    let q = invoke(
        &app,
        "reports_satisfaction_question",
        json!({ "language": "ur" }),
    )
    .unwrap();
    assert_eq!(q["italian"]["language"], "it");
    assert_eq!(q["italian"]["answers"][0][0], "yes");
    assert_eq!(q["applicant"]["language"], "ur");
    assert_eq!(q["applicant"]["dir"], "rtl");
    assert_eq!(q["applicant"]["answers"].as_array().unwrap().len(), 3);
    let italian = invoke(
        &app,
        "reports_satisfaction_question",
        json!({ "language": "it" }),
    )
    .unwrap();
    assert_eq!(italian["applicant"], Value::Null, "Italian is asked once");
    invoke(
        &app,
        "reports_record_satisfaction",
        json!({ "answer": "partly" }),
    )
    .unwrap();
    let bad = invoke(
        &app,
        "reports_record_satisfaction",
        json!({ "answer": "maybe" }),
    )
    .unwrap_err();
    assert_eq!(bad["kind"], "invalid", "{bad}");
}

/// `%{name}` placeholders of a message, as a set.
fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("%{")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn every_key_exists_in_every_operator_language_with_the_same_placeholders() {
    let catalog = sportello_mixite::catalog::all();
    let it: &BTreeMap<String, String> = &catalog["it"];
    for locale in sportello_mixite::state::LOCALES {
        let other = &catalog[locale];
        let missing: Vec<_> = it.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !it.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{locale}: missing {missing:?}, extra {extra:?}"
        );
        for (key, text) in it {
            assert_eq!(
                placeholders(text),
                placeholders(&other[key]),
                "{locale}: placeholders of {key}"
            );
        }
    }
}

#[test]
fn every_code_and_field_an_error_can_name_is_translated_in_both_languages() {
    let core = mixite_core::error::translation_keys();
    let shell = sportello_mixite::wire::ShellCode::ALL
        .iter()
        .map(|c| format!("errors.shell.{}", c.code()));
    let needed: BTreeSet<String> = core.into_iter().chain(shell).collect();
    assert!(
        needed.len() > 150,
        "the core lists its codes and fields: {}",
        needed.len()
    );
    for locale in sportello_mixite::state::LOCALES {
        let catalog = &sportello_mixite::catalog::all()[locale];
        let missing: Vec<&String> = needed
            .iter()
            .filter(|k| !catalog.contains_key(*k))
            .collect();
        assert!(missing.is_empty(), "{locale}: no text for {missing:?}");
        // And the other way round: a message no code can show is a translation nobody reviews.
        let stale: Vec<&String> = catalog
            .keys()
            .filter(|k| {
                [
                    "errors.field.",
                    "errors.not_found.",
                    "errors.conflict.",
                    "errors.archive.",
                    "errors.access.",
                ]
                .iter()
                .any(|p| k.starts_with(p))
                    && !needed.contains(*k)
            })
            .collect();
        assert!(stale.is_empty(), "{locale}: no code shows {stale:?}");
    }
}

const SPECIMEN: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

#[test]
fn the_mrz_and_the_form_guides_answer_through_ipc_with_translated_problems() {
    let app = app();
    let reading = invoke(&app, "cases_read_mrz", json!({ "text": SPECIMEN })).unwrap();
    assert_eq!(reading["surname"], "Eriksson");
    assert_eq!(reading["birthDate"], "1974-08-12");
    assert_eq!(reading["document"], "passport");
    let misread = SPECIMEN.replace("7408122F", "7508122F");
    let err = invoke(&app, "cases_read_mrz", json!({ "text": misread })).unwrap_err();
    assert_eq!(err["kind"], "invalid");
    assert_eq!(err["fields"][0]["field"], "mrz");
    let message = err["fields"][0]["message"].as_str().unwrap();
    assert!(message.contains("data di nascita"), "{message}");

    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    let list = invoke(
        &app,
        "forms_list",
        json!({ "procedure": "rinnovo_lavoro_subordinato" }),
    )
    .unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["modulo1", "modulo2"]);
    // This worker has no address yet: the guide lists what it needs, on the case's own fields.
    let guide = json!({ "kind": "guide", "options": { "procedure": "rinnovo_lavoro_subordinato", "form": "modulo1" } });
    let err = invoke(
        &app,
        "forms_preview",
        json!({ "args": { "caseId": case["id"], "paper": guide } }),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid");
    let fields: Vec<&str> = err["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"applicant.address.province")
            && fields.contains(&"applicant.address.street"),
        "{err}"
    );
    let message = err["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Modulo 1"),
        "the message names the form: {message}"
    );

    // Today's receipt and the privacy notice in Sinhala (the worker's language): PDFs in the data
    // folder's print/, in the case's UUID folder, named by paper, language and date only; the save
    // dialog proposes the name with the case number.
    for (paper, prefix) in [
        ("ricevuta", "ricevuta-si-"),
        ("informativa", "informativa-si-"),
    ] {
        let filed = invoke(
            &app,
            "papers_render",
            json!({ "args": { "caseId": case["id"], "paper": { "kind": paper, "options": { "language": "si" } } } }),
        )
        .unwrap();
        let file = filed["file"].as_str().unwrap();
        let path = app._dir.path().join("print").join(file);
        assert_eq!(
            file.split_once('/').unwrap().0,
            case["uuid"],
            "the paper is in its case's folder: {filed}"
        );
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.starts_with(prefix) && !name.contains("Perera"),
            "{name}"
        );
        let number = case["number"].as_str().unwrap().replace('/', "-");
        assert!(
            filed["suggestedName"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{prefix}{number}-")),
            "{filed}"
        );
        let stored = std::fs::read(&path).unwrap();
        assert!(
            stored.starts_with(mixite_core::papers::sealed::MAGIC) && !stored.starts_with(b"%PDF"),
            "the PDF is kept sealed"
        );
        assert!(
            filed.get("path").is_none() && filed.get("pdf").is_none(),
            "no path and no PDF go to the UI: {filed}"
        );
    }

    // A comunicazione di ospitalità with nothing typed: every problem, on the panel's own fields.
    let args = json!({ "args": { "caseId": case["id"], "paper": { "kind": "ospitalita", "options": { "copies": 1 } } } });
    let err = invoke(&app, "papers_render", args).unwrap_err();
    let fields: Vec<&str> = err["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"host.surname")
            && fields.contains(&"property.street")
            && fields.contains(&"from"),
        "{err}"
    );
    let message = err["fields"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("Cognome del dichiarante"), "{message}");
}

#[test]
fn a_case_goes_to_a_stick_with_its_papers_and_into_another_desk_and_the_register_is_backed_up() {
    let desk = app();
    let case = invoke(&desk, "cases_create", json!({ "data": worker() })).unwrap();
    invoke(&desk, "papers_render", receipt(&case["id"])).unwrap();
    let stick = tempfile::tempdir().unwrap();
    let folder = stick.path().display().to_string();

    let done = invoke(
        &desk,
        "archive_export",
        json!({ "args": { "caseIds": [case["id"]], "folder": folder, "passphrase": "una frase lunga" } }),
    )
    .unwrap();
    assert_eq!(
        done["pdfs"], 1,
        "the receipt printed for the case travels with it"
    );
    let path = done["path"].as_str().unwrap().to_string();
    assert!(
        path.ends_with(".mixite") && !path.contains("Perera"),
        "{path}"
    );

    let other = app();
    let wrong = invoke(
        &other,
        "archive_import",
        json!({ "args": { "path": path, "passphrase": "sbagliata" } }),
    )
    .unwrap_err();
    assert_eq!(wrong["kind"], "archive");
    let report = invoke(
        &other,
        "archive_import",
        json!({ "args": { "path": path, "passphrase": "una frase lunga" } }),
    )
    .unwrap();
    assert_eq!(report["applied"], true);
    assert_eq!(report["inserted"].as_array().unwrap().len(), 1);
    assert_eq!(report["papers"], 1, "the receipt came with the case");
    let copy = report["inserted"][0]["id"].clone();
    let papers = invoke(&other, "papers_list", json!({ "caseId": copy })).unwrap();
    assert_eq!(
        papers.as_array().unwrap().len(),
        1,
        "the PDF is the other desk's copy's paper: {papers}"
    );

    let status = invoke(&desk, "backup_status", json!({})).unwrap();
    assert_eq!(
        (&status["due"], &status["days"]),
        (&json!(true), &json!(7)),
        "no backup yet; a week by default"
    );
    let bad = invoke(&desk, "backup_set_reminder", json!({ "days": 0 })).unwrap_err();
    assert_eq!(bad["fields"][0]["field"], "reminderDays");
    assert_eq!(
        bad["fields"][0]["message"],
        "Giorni tra un backup e l'altro: fuori dai limiti: da 1 a 365"
    );
    let set = invoke(&desk, "backup_set_reminder", json!({ "days": 30 })).unwrap();
    assert_eq!(set["days"], 30);
    let written = invoke(
        &desk,
        "backup_run",
        json!({ "args": { "folder": folder, "passphrase": "una frase lunga" } }),
    )
    .unwrap();
    assert!(written["path"].as_str().unwrap().ends_with(".age"));
    let status = invoke(&desk, "backup_status", json!({})).unwrap();
    assert_eq!(
        (&status["due"], &status["days"]),
        (&json!(false), &json!(30))
    );
    assert_eq!(status["last"]["bytes"], written["bytes"]);

    // The stick's files as the import and restore lists show them.
    let found = invoke(&desk, "archive_files", json!({ "folder": folder })).unwrap();
    let kinds: Vec<(&str, &str)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("cases", path.as_str())), "{found}");
    assert!(
        kinds.contains(&("backup", written["path"].as_str().unwrap())),
        "{found}"
    );

    // The other desk changed its copy; a second import shows both versions and what differs.
    let mine = invoke(&other, "cases_get", json!({ "id": copy })).unwrap();
    let mut data = mine["data"].clone();
    data["notes"] = json!("Richiamare lunedì");
    invoke(
        &other,
        "cases_update",
        json!({ "id": copy, "revision": mine["revision"], "data": data }),
    )
    .unwrap();
    let again = invoke(
        &other,
        "archive_import",
        json!({ "args": { "path": path, "passphrase": "una frase lunga" } }),
    )
    .unwrap();
    let conflict = &again["conflicts"][0];
    assert_eq!(again["applied"], false);
    assert_eq!(conflict["differences"], json!(["notes"]));
    assert_eq!(conflict["local"]["name"], "Perera Kasun");
    assert_eq!(
        (
            &conflict["local"]["revision"],
            &conflict["archive"]["revision"]
        ),
        (&json!(2), &json!(1))
    );

    // A choice the import does not know is refused before anything is read; the operator's choice to
    // take the archive's copy replaces the local one.
    let uuid = conflict["uuid"].as_str().unwrap().to_string();
    let choose = |choice: &str| json!({ "args": { "path": path, "passphrase": "una frase lunga", "choices": { uuid.clone(): choice } } });
    let unknown = invoke(&other, "archive_import", choose("overwrite")).unwrap_err();
    assert!(unknown.is_string(), "refused as arguments: {unknown}");
    let still = invoke(&other, "cases_get", json!({ "id": copy })).unwrap();
    assert_eq!(
        still["data"]["notes"], "Richiamare lunedì",
        "nothing was imported"
    );
    let taken = invoke(&other, "archive_import", choose("takeArchive")).unwrap();
    assert_eq!(
        (&taken["applied"], &taken["replaced"]),
        (&json!(true), &json!([uuid])),
        "{taken}"
    );
    let after_take = invoke(&other, "cases_get", json!({ "id": copy })).unwrap();
    assert_eq!(
        after_take["data"]["notes"], "",
        "the archive's copy is the case now"
    );
    // Each desk's audit trail says what left and what came in, naming the archive, not the applicant.
    let imported = invoke(
        &other,
        "audit_list",
        json!({ "filter": { "action": "case_imported" }, "offset": 0, "limit": 50 }),
    )
    .unwrap();
    let lines = imported["items"].as_array().unwrap();
    assert!(!lines.is_empty(), "{imported}");
    assert!(lines.iter().all(|l| l["detail"]["file"]
        .as_str()
        .is_some_and(|f| f.ends_with(".mixite") && !f.contains("Perera"))));
    let exported = invoke(
        &desk,
        "audit_list",
        json!({ "filter": { "action": "case_exported" }, "offset": 0, "limit": 50 }),
    )
    .unwrap();
    assert_eq!(
        exported["items"][0]["detail"]["encrypted"], true,
        "{exported}"
    );

    // Restoring over the other desk's cases needs the operator's confirmation, then replaces them
    // and keeps a safety copy.
    let backup = json!({ "path": written["path"], "passphrase": "una frase lunga" });
    let refused = invoke(&other, "backup_restore", json!({ "args": backup })).unwrap_err();
    assert!(
        refused["message"].as_str().unwrap().contains("confermare"),
        "{refused}"
    );
    // The backup opens with a passphrase of its own key ring: the first desk's responsabile's.
    let first_desk = invoke(&desk, "access_state", json!({})).unwrap();
    let boss_id = first_desk["session"]["operator"]["id"].clone();
    let mut confirmed = backup.clone();
    confirmed["replace"] = json!(true);
    confirmed["operatorId"] = boss_id.clone();
    confirmed["operatorPassphrase"] = json!("non è questa");
    let wrong_operator =
        invoke(&other, "backup_restore", json!({ "args": confirmed })).unwrap_err();
    assert_eq!(wrong_operator["code"], "refused", "{wrong_operator}");
    confirmed["operatorPassphrase"] = json!(BOSS_PASSPHRASE);
    let restored = invoke(&other, "backup_restore", json!({ "args": confirmed })).unwrap();
    let safety = restored["safetyCopy"].as_str().unwrap();
    assert!(std::path::Path::new(safety).is_file(), "{restored}");
    // Everyone is signed out: the restored register opens with its own operators' passphrases.
    let out = invoke(&other, "cases_get", json!({ "id": copy })).unwrap_err();
    assert_eq!(out["code"], "no_session", "{out}");
    invoke(
        &other,
        "access_sign_in",
        json!({ "operatorId": boss_id, "passphrase": BOSS_PASSPHRASE, "pin": "2468" }),
    )
    .unwrap();
    let after = invoke(&other, "cases_get", json!({ "id": copy })).unwrap();
    let restored_line = invoke(
        &other,
        "audit_list",
        json!({ "filter": { "action": "backup_restored" }, "offset": 0, "limit": 5 }),
    )
    .unwrap();
    assert_eq!(
        restored_line["items"][0]["operator"], BOSS,
        "the restored register records who restored it: {restored_line}"
    );
    assert_eq!(
        (&after["data"]["notes"], &after["revision"]),
        (&json!(""), &json!(1)),
        "the register now is the backed-up one, open and usable"
    );
    invoke(&other, "cases_create", json!({ "data": worker() })).unwrap();
}

/// The PDFs inside an unencrypted case archive, by name.
fn archived_pdfs(path: &str) -> BTreeMap<String, Vec<u8>> {
    let reference = mixite_core::reference::Reference::bundled().unwrap();
    let opened =
        mixite_core::exchange::archive::open_file(std::path::Path::new(path), None, &reference)
            .expect("the exported archive opens");
    opened
        .pdfs()
        .iter()
        .map(|p| (p.name.clone(), p.bytes.clone()))
        .collect()
}

#[test]
fn a_renumbered_import_never_puts_its_papers_in_another_applicant_s_export() {
    let stick = tempfile::tempdir().unwrap();
    let folder = stick.path().display().to_string();
    // Another desk: its first case (number …/000001) and its receipt.
    let there = app();
    let mut stranger = worker();
    stranger["applicant"]["surname"] = json!("Hoxha");
    stranger["applicant"]["document"]["number"] = json!("K7654321");
    let theirs = invoke(&there, "cases_create", json!({ "data": stranger })).unwrap();
    invoke(&there, "papers_render", receipt(&theirs["id"])).unwrap();
    let sent = invoke(
        &there,
        "archive_export",
        json!({ "args": { "caseIds": [theirs["id"]], "folder": folder, "passphrase": null } }),
    )
    .unwrap();
    // This desk: its own first case, with the same number, and its own privacy notice.
    let here = app();
    let mine = invoke(&here, "cases_create", json!({ "data": worker() })).unwrap();
    assert_eq!(
        mine["number"], theirs["number"],
        "both desks gave out …/000001"
    );
    let notice = json!({ "args": { "caseId": mine["id"], "paper": { "kind": "informativa", "options": { "language": "si" } } } });
    invoke(&here, "papers_render", notice).unwrap();
    let report = invoke(
        &here,
        "archive_import",
        json!({ "args": { "path": sent["path"], "passphrase": null } }),
    )
    .unwrap();
    let imported = &report["inserted"][0];
    assert_ne!(
        imported["number"], mine["number"],
        "the import was renumbered"
    );

    let export = |id: &Value| {
        let out = tempfile::tempdir().unwrap();
        let done = invoke(
            &here,
            "archive_export",
            json!({ "args": { "caseIds": [id], "folder": out.path().display().to_string(), "passphrase": null } }),
        )
        .unwrap();
        (archived_pdfs(done["path"].as_str().unwrap()), out)
    };
    let (my_pdfs, _a) = export(&mine["id"]);
    let (their_pdfs, _b) = export(&imported["id"]);
    let sent_pdfs = archived_pdfs(sent["path"].as_str().unwrap());
    assert_eq!(
        my_pdfs.len(),
        1,
        "the local applicant's export holds their privacy notice only: {:?}",
        my_pdfs.keys()
    );
    assert!(
        my_pdfs
            .values()
            .all(|b| !sent_pdfs.values().any(|s| s == b)),
        "none of the stranger's papers is in the local applicant's export"
    );
    assert_eq!(
        their_pdfs.values().collect::<Vec<_>>(),
        sent_pdfs.values().collect::<Vec<_>>(),
        "the imported case's export carries the papers it came with"
    );
}

#[test]
fn a_procedure_that_needs_a_variant_says_so_in_words_and_paths_never_reach_the_viewer() {
    let app = app();
    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    let checklist = |variant: Value| {
        json!({ "args": { "caseId": case["id"], "paper": { "kind": "checklist", "options": {
            "procedure": "protezione_speciale", "variant": variant, "language": "en" } } } })
    };
    let err = invoke(&app, "checklist_preview", checklist(Value::Null)).unwrap_err();
    assert_eq!(
        (&err["fields"][0]["field"], &err["fields"][0]["message"]),
        (&json!("variant"), &json!("Variante: campo obbligatorio")),
        "a translated label and problem, never a translation key: {err}"
    );
    let sheet = invoke(
        &app,
        "checklist_preview",
        checklist(json!("decisione_commissione")),
    )
    .unwrap();
    assert_eq!(
        sheet["language"], "en",
        "with its variant the preview is made"
    );

    let filed = invoke(&app, "papers_render", receipt(&case["id"])).unwrap();
    let file = filed["file"].as_str().unwrap();
    let database = app._dir.path().join("mixite.sqlite3").display().to_string();
    let (uuid, _) = file.split_once('/').unwrap();
    for path in [
        format!("{uuid}/../../mixite.sqlite3"),
        "../mixite.sqlite3".into(),
        database,
        app._dir
            .path()
            .join("print")
            .join(file)
            .display()
            .to_string(),
    ] {
        let refused = invoke(&app, "papers_open", json!({ "file": path })).unwrap_err();
        assert_eq!(
            refused,
            json!({ "kind": "not_found", "message": "Documento stampato non trovato: stamparlo di nuovo dalla pratica.", "fields": [] }),
            "{path} is not a paper's name"
        );
    }
    let papers = invoke(&app, "papers_list", json!({ "caseId": case["id"] })).unwrap();
    assert_eq!(papers[0]["file"], file, "the case lists the paper it filed");
}

#[test]
fn the_operator_picks_the_permit_length_sees_why_lines_are_flagged_and_the_responsabile_gets_the_catalogue_report(
) {
    let app = app();
    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    let options = invoke(&app, "checklist_options", json!({ "caseId": case["id"] })).unwrap();
    let renewal = options["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "rinnovo_lavoro_subordinato")
        .unwrap();
    assert_eq!(
        renewal["band"], "le_2y",
        "the procedure's default band is offered"
    );
    assert!(
        renewal["bands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["id"] == "le_1y" && b["label"] == "permesso oltre 3 mesi e fino a 1 anno"),
        "the bands come labelled in Italian: {renewal}"
    );

    let sheet = invoke(
        &app,
        "checklist_preview",
        json!({ "args": { "caseId": case["id"], "paper": { "kind": "checklist", "options": {
            "procedure": "rinnovo_lavoro_subordinato", "duration": "le_1y", "language": "en" } } } }),
    )
    .unwrap();
    let lines: Vec<&Value> = sheet["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["lines"].as_array().unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["italian"] == "Importo del bollettino del richiedente: € 70,46"),
        "the band the operator picked sets the bollettino"
    );
    let flagged = lines.iter().find(|l| l["verify"] == true).unwrap();
    assert!(
        flagged["operator"]["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("http")),
        "a flagged line carries its source for the operator: {flagged}"
    );
    assert!(sheet["checkedOn"]["italian"]
        .as_str()
        .unwrap()
        .starts_with("Informazioni verificate: "));

    let report = invoke(&app, "catalogue_report", json!({})).unwrap();
    let procedures = report["procedures"].as_array().unwrap();
    assert!(procedures.len() > 30, "every procedure is reported");
    assert!(
        report["texts"][procedures[0]["title"].as_str().unwrap()].is_string(),
        "titles come in Italian"
    );
    colleague_takes_over(&app);
    let refused = invoke(&app, "catalogue_report", json!({})).unwrap_err();
    assert_eq!(
        refused["code"], "not_allowed",
        "the responsabile's screen: {refused}"
    );
}

#[test]
fn the_viewer_gets_a_private_copy_outside_the_data_folder_removed_when_the_session_locks_or_ends() {
    use tauri::Manager;
    let app = app();
    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    let filed = invoke(&app, "papers_render", receipt(&case["id"])).unwrap();
    let file = filed["file"].as_str().unwrap().to_string();
    // Only this test sets the variable (and never opens a viewer with it set to a real folder).
    let runtime = tempfile::tempdir().unwrap();
    std::env::set_var("XDG_RUNTIME_DIR", runtime.path().join("missing"));
    let refused = invoke(&app, "papers_open", json!({ "file": file })).unwrap_err();
    assert_eq!(
        refused["message"],
        "Il visualizzatore di PDF non si è aperto: stampare o salvare il documento.",
        "without a runtime folder the plain PDF is written nowhere: {refused}"
    );
    assert!(std::fs::read_dir(runtime.path()).unwrap().next().is_none());

    std::env::set_var("XDG_RUNTIME_DIR", runtime.path());
    let desk = app._app.state::<Desk>();
    let pdf = desk
        .with(|r, _| mixite_core::papers::folder::read(r, &file))
        .unwrap();
    let name = file.rsplit('/').next().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let open_to_others = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(runtime.path(), open_to_others).unwrap();
        assert!(
            desk.viewer_copy(name, &pdf).is_err(),
            "a runtime folder other users can read is no place for the plain PDF"
        );
        let private = std::fs::Permissions::from_mode(0o700);
        std::fs::set_permissions(runtime.path(), private).unwrap();
    }
    let copy = |desk: &Desk| desk.viewer_copy(name, &pdf).unwrap();
    let first = copy(&desk);
    assert!(first.starts_with(runtime.path()), "{}", first.display());
    assert_eq!(
        std::fs::read(&first).unwrap(),
        pdf,
        "the viewer gets the plain PDF"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&first).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only this user reads the copy");
    }
    let second = copy(&desk);
    assert_ne!(first, second, "two copies never share a name");
    invoke(&app, "access_lock", json!({})).unwrap();
    assert!(
        !first.exists() && !second.exists(),
        "locking the desk removes the viewer's copies"
    );
    invoke(&app, "access_unlock_pin", json!({ "pin": "2468" })).unwrap();
    let third = copy(&desk);
    invoke(&app, "access_sign_out", json!({})).unwrap();
    assert!(!third.exists(), "signing out removes them too");
    assert!(std::fs::read_dir(runtime.path()).unwrap().next().is_none());
}

#[test]
fn the_drives_list_has_the_fixed_destination_the_office_configured() {
    let app = app();
    let stick = tempfile::tempdir().unwrap();
    let folder = stick.path().join("ARCHIVIO");
    std::fs::create_dir(&folder).unwrap();
    // Only this test reads the variable, and only through the command.
    std::env::set_var("MIXITE_STICK_DIR", &folder);
    let drives = invoke(&app, "archive_drives", json!({})).unwrap();
    std::env::remove_var("MIXITE_STICK_DIR");
    let configured: Vec<&Value> = drives
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == json!(folder.display().to_string()))
        .collect();
    assert_eq!(configured.len(), 1, "the folder is listed once: {drives}");
    assert_eq!(
        configured[0]["label"], "ARCHIVIO",
        "labelled by its name, as a stick by its label"
    );
}

#[test]
fn a_file_too_large_to_be_an_archive_is_refused_naming_the_largest_one() {
    let app = app();
    let stick = tempfile::tempdir().unwrap();
    let path = stick.path().join("pratica-2026-000001-20261204.mixite");
    // Sparse: no room on the disk, and never read.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(mixite_core::exchange::archive::MAX_ARCHIVE_FILE_BYTES + 1)
        .unwrap();
    let refused = invoke(
        &app,
        "archive_import",
        json!({ "args": { "path": path, "passphrase": "una frase lunga" } }),
    )
    .unwrap_err();
    let message = refused["message"].as_str().unwrap();
    let cap = mixite_core::exchange::archive::MAX_ARCHIVE_FILE_BYTES.div_ceil(1_000_000);
    assert!(
        refused["kind"] == "archive" && message.contains(&format!("al massimo {cap} MB")),
        "the cap is in the message: {refused}"
    );
}

#[test]
fn passphrases_never_show_in_debug_output() {
    use sportello_mixite::commands::archive::{BackupArgs, ExportArgs, ImportArgs, RestoreArgs};
    let secret = "cavallo batteria graffetta";
    let shown = [
        format!(
            "{:?}",
            serde_json::from_value::<ExportArgs>(
                json!({ "caseIds": [1], "folder": "/media/x", "passphrase": secret })
            )
            .unwrap()
        ),
        format!(
            "{:?}",
            serde_json::from_value::<ImportArgs>(
                json!({ "path": "/media/x/a.mixite", "passphrase": secret })
            )
            .unwrap()
        ),
        format!(
            "{:?}",
            serde_json::from_value::<BackupArgs>(
                json!({ "folder": "/media/x", "passphrase": secret })
            )
            .unwrap()
        ),
        format!(
            "{:?}",
            serde_json::from_value::<RestoreArgs>(
                json!({ "path": "/media/x/b.age", "passphrase": secret })
            )
            .unwrap()
        ),
        format!(
            "{:?}",
            mixite_core::exchange::archive::ExportOptions::encrypted(secret)
        ),
    ];
    for text in &shown {
        assert!(
            !text.contains(secret) && !text.contains("cavallo"),
            "a log line must not carry a passphrase: {text}"
        );
    }
}

#[test]
fn the_audit_trail_names_who_did_what_verifies_and_is_the_responsabile_s_to_read() {
    let app = app();
    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    invoke(&app, "cases_get", json!({ "id": case["id"] })).unwrap();
    let page = invoke(
        &app,
        "audit_list",
        json!({ "filter": {}, "offset": 0, "limit": 50 }),
    )
    .unwrap();
    let actions: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["case_viewed", "case_created", "signed_in", "operator_added"],
        "newest first: {page}"
    );
    let viewed = &page["items"][0];
    assert_eq!(viewed["operator"], BOSS);
    assert_eq!(viewed["caseNumber"], case["number"]);
    assert_eq!(viewed["actionLabel"], "Consultazione pratica");
    let by_case = invoke(
        &app,
        "audit_list",
        json!({ "filter": { "caseQuery": case["number"] }, "offset": 0, "limit": 50 }),
    )
    .unwrap();
    assert_eq!(by_case["items"].as_array().unwrap().len(), 2);
    let own = invoke(&app, "audit_case", json!({ "caseId": case["id"] })).unwrap();
    assert_eq!(own["items"].as_array().unwrap().len(), 2);
    let verdict = invoke(&app, "audit_verify", json!({})).unwrap();
    assert_eq!(verdict["firstBroken"], Value::Null, "{verdict}");
    assert!(verdict["entries"].as_i64().unwrap() >= 4);
    // An operatore cannot read the trail.
    colleague_takes_over(&app);
    let refused = invoke(
        &app,
        "audit_list",
        json!({ "filter": {}, "offset": 0, "limit": 50 }),
    )
    .unwrap_err();
    assert_eq!(refused["code"], "not_allowed");
}

#[test]
fn an_erasure_request_within_the_funder_s_period_restricts_the_case_and_says_until_when() {
    let app = app();
    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    let today = case["createdAt"].as_str().unwrap()[..10].to_string();
    invoke(
        &app,
        "steps_add",
        json!({ "caseId": case["id"], "revision": case["revision"],
                "step": { "kind": "closed", "date": today } }),
    )
    .unwrap();
    let policy = invoke(
        &app,
        "retention_set_funder",
        json!({ "funder": { "kind": "no_funder" } }),
    )
    .unwrap();
    assert_eq!(policy["funder"]["kind"], "no_funder", "{policy}");
    let due = invoke(&app, "retention_due", json!({})).unwrap();
    assert_eq!(due, json!([]), "a case closed today is not due");

    let answer = invoke(
        &app,
        "retention_erasure_request",
        json!({ "caseId": case["id"] }),
    )
    .unwrap();
    assert_eq!(answer["outcome"], "restricted", "{answer}");
    let why = answer["whyText"].as_str().unwrap();
    let until = answer["keptUntil"].as_str().unwrap();
    assert!(
        why.contains(&format!(
            "{}/{}/{}",
            &until[8..10],
            &until[5..7],
            &until[..4]
        )),
        "the applicant is told until when: {why}"
    );
    let found = invoke(
        &app,
        "cases_search",
        json!({ "query": "Perera", "offset": 0, "limit": 10 }),
    )
    .unwrap();
    assert_eq!(
        found["items"],
        json!([]),
        "a restricted case is hidden from search"
    );
    // Restricted: kept, but nothing is printed for it and it leaves on no stick.
    let print = invoke(
        &app,
        "papers_render",
        json!({ "args": { "caseId": case["id"], "paper": { "kind": "ricevuta", "options": { "language": "si" } } } }),
    )
    .unwrap_err();
    assert_eq!(print["kind"], "conflict", "{print}");
    let restricted = invoke(&app, "retention_restricted", json!({})).unwrap();
    assert_eq!(restricted[0]["number"], case["number"]);
    assert_eq!(restricted[0]["reason"], "erasure_requested");

    // The right of access still answers for the case, and the print is recorded.
    let handed = invoke(
        &app,
        "retention_access_report",
        json!({ "caseId": case["id"], "language": "sq", "action": "print" }),
    )
    .unwrap();
    assert!(handed["printed"].is_boolean(), "{handed}");
    let printed = invoke(
        &app,
        "audit_list",
        json!({ "filter": { "action": "access_report_printed" }, "offset": 0, "limit": 5 }),
    )
    .unwrap();
    assert_eq!(printed["items"][0]["caseNumber"], case["number"]);

    invoke(&app, "retention_lift", json!({ "caseId": case["id"] })).unwrap();
    let back = invoke(
        &app,
        "cases_search",
        json!({ "query": "Perera", "offset": 0, "limit": 10 }),
    )
    .unwrap();
    assert_eq!(
        back["items"].as_array().unwrap().len(),
        1,
        "lifted: found again"
    );
    // An operatore may not restrict.
    colleague_takes_over(&app);
    let refused = invoke(
        &app,
        "retention_restrict",
        json!({ "caseId": case["id"], "reason": "objection" }),
    )
    .unwrap_err();
    assert_eq!(refused["code"], "not_allowed", "{refused}");
}

#[test]
fn the_content_in_force_is_shown_and_a_pack_the_desk_does_not_trust_is_refused_in_words() {
    use mixite_core::reference::content::{Content, Stamp, Version};
    use mixite_core::reference::pack;

    let app = app();
    let info = invoke(&app, "content_info", json!({})).unwrap();
    let built_in = Content::embedded().unwrap().stamp;
    assert_eq!(info["stamp"]["version"], built_in.version.to_string());
    assert_eq!(info["installed"], false);
    assert_eq!(info["builtIn"], info["stamp"]);
    assert_eq!(info["previous"], Value::Null);

    // A paper's record says which content printed it.
    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    invoke(&app, "papers_render", receipt(&case["id"])).unwrap();
    let papers = invoke(&app, "papers_list", json!({ "caseId": case["id"] })).unwrap();
    assert_eq!(papers[0]["contentVersion"], built_in.version.to_string());

    // A newer pack signed with a key this build does not embed.
    let dir = tempfile::tempdir().unwrap();
    let mut content = Content::embedded().unwrap();
    content.stamp = Stamp {
        version: Version::parse("9999.1").unwrap(),
        ..content.stamp
    };
    let key = pack::parse_secret_key(&"5c".repeat(32)).unwrap();
    let foreign = dir.path().join(format!("contenuti.{}", pack::EXTENSION));
    std::fs::write(&foreign, pack::build(&content, &key).unwrap()).unwrap();
    let path = json!({ "path": foreign.to_str().unwrap() });
    for command in ["content_inspect", "content_apply"] {
        let refused = invoke(&app, command, path.clone()).unwrap_err();
        assert_eq!(refused["kind"], "pack", "{refused}");
        assert!(
            refused["message"].as_str().unwrap().contains("firma"),
            "said in the operator's language: {refused}"
        );
    }
    let not_a_pack = dir.path().join("x.mixite-pack");
    std::fs::write(&not_a_pack, b"not a pack").unwrap();
    let refused = invoke(
        &app,
        "content_inspect",
        json!({ "path": not_a_pack.to_str().unwrap() }),
    )
    .unwrap_err();
    assert_eq!(refused["kind"], "pack");
    let refused = invoke(&app, "content_restore", json!({})).unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("pacchetto precedente"),
        "{refused}"
    );
    let info_after = invoke(&app, "content_info", json!({})).unwrap();
    assert_eq!(info_after, info, "nothing changed");
    assert_eq!(info["problemMessage"], Value::Null);

    // A damaged installed pack: at the next sign-in the built-in content is in force, and the about
    // screen says why in words.
    let data_dir = invoke(&app, "app_info", json!({})).unwrap()["dataDir"]
        .as_str()
        .unwrap()
        .to_string();
    let installed = std::path::Path::new(&data_dir).join("content");
    std::fs::create_dir_all(&installed).unwrap();
    std::fs::write(installed.join("current.pack"), b"damaged").unwrap();
    let state = invoke(&app, "access_sign_out", json!({})).unwrap();
    invoke(
        &app,
        "access_sign_in",
        json!({ "operatorId": state["operators"][0]["id"], "passphrase": BOSS_PASSPHRASE, "pin": "2468" }),
    )
    .unwrap();
    let info = invoke(&app, "content_info", json!({})).unwrap();
    assert_eq!(info["installed"], false);
    assert_eq!(info["stamp"]["version"], built_in.version.to_string());
    assert_eq!(info["problem"]["code"], "not_a_pack", "{info}");
    assert!(
        info["problemMessage"]
            .as_str()
            .unwrap()
            .contains("non è un pacchetto"),
        "{info}"
    );

    // An operatore reads the content in force but does not touch packs.
    colleague_takes_over(&app);
    invoke(&app, "content_info", json!({})).unwrap();
    let refused = invoke(&app, "content_inspect", path).unwrap_err();
    assert_eq!(refused["code"], "not_allowed");
}

/// The worker of these tests with an address for the window envelope.
fn worker_at_home() -> Value {
    let mut data = worker();
    data["applicant"]["address"] = json!({
        "street": "Via Fillungo", "houseNumber": "5", "postcode": "55100", "comune": "Lucca", "province": "LU"
    });
    data
}

#[test]
fn reminders_file_a_letter_and_a_batch_and_write_the_messages_of_a_case() {
    let app = app();
    let case = invoke(&app, "cases_create", json!({ "data": worker_at_home() })).unwrap();
    let other = invoke(&app, "cases_create", json!({ "data": worker_at_home() })).unwrap();
    let expiring = json!({ "caseId": case["id"], "reason": "expiring", "dueDate": "2027-01-10" });

    let filed = invoke(&app, "reminders_letter", json!({ "args": expiring })).unwrap();
    let file = filed["file"].as_str().unwrap();
    assert!(
        file.starts_with(case["uuid"].as_str().unwrap())
            && file.contains("/promemoria-expiring-si-")
            && !file.contains("Perera"),
        "{filed}"
    );
    let papers = invoke(&app, "papers_list", json!({ "caseId": case["id"] })).unwrap();
    assert_eq!(papers[0]["kind"], "promemoria", "{papers}");

    let messages = invoke(&app, "reminders_messages", json!({ "args": expiring })).unwrap();
    assert_eq!(messages["language"], "si");
    assert_eq!(messages["smsEncoding"], "ucs2", "Sinhala is not GSM-7");
    assert!(messages["sms"].as_str().unwrap().contains("10/01/2027"));
    assert!(messages["smsUnits"].as_u64().unwrap() > 0);
    assert!(messages["subject"].as_str().unwrap().contains("10/01/2027"));
    assert!(messages["body"].as_str().unwrap().contains("Kasun Perera"));

    let inputs = json!([
        expiring,
        { "caseId": other["id"], "reason": "expired", "dueDate": "2026-11-01" },
    ]);
    // The viewer, not the printer (a test must not print on a desk that has one): under the mock
    // runtime the viewer may not open, but the letters are filed before it is asked.
    match invoke(&app, "reminders_batch_open", json!({ "inputs": inputs })) {
        Ok(batch) => {
            assert_eq!(batch["letters"].as_array().unwrap().len(), 2, "{batch}");
            assert!(batch["pages"].as_u64().unwrap() >= 2);
        }
        Err(err) => assert_eq!(err["kind"], "internal", "only the viewer failed: {err}"),
    }
    for id in [&case["id"], &other["id"]] {
        let papers = invoke(&app, "papers_list", json!({ "caseId": id })).unwrap();
        assert!(
            papers
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"].as_str().unwrap().starts_with("promemoria-")),
            "{papers}"
        );
    }
    let printed = invoke(
        &app,
        "audit_list",
        json!({ "filter": { "action": "paper_printed" }, "offset": 0, "limit": 50 }),
    )
    .unwrap();
    let lines = printed["items"].as_array().unwrap();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["detail"]["paper"] == "promemoria")
            .count(),
        3,
        "each letter filed is a paper printed: {printed}"
    );

    // A bad input stops the batch, with the field named and translated.
    let bad = json!([{ "caseId": case["id"], "reason": "expiring", "dueDate": "10/01/2027" }]);
    let err = invoke(&app, "reminders_batch_print", json!({ "inputs": bad })).unwrap_err();
    assert_eq!(err["kind"], "invalid", "{err}");
    assert_eq!(err["fields"][0]["field"], "dueDate", "{err}");
    let unknown = json!({ "caseId": case["id"], "reason": "birthday", "dueDate": "2027-01-10" });
    assert!(invoke(&app, "reminders_messages", json!({ "args": unknown })).is_err());
}

#[test]
fn the_receipt_of_a_case_with_an_appointment_files_its_ics_beside_it() {
    let app = app();
    let case = invoke(&app, "cases_create", json!({ "data": worker_at_home() })).unwrap();
    let today = &case["createdAt"].as_str().unwrap()[..10];
    let sent = invoke(
        &app,
        "steps_add",
        json!({ "caseId": case["id"], "revision": case["revision"],
                "step": { "kind": "kit_sent", "date": today, "details": { "assicurata": "050123456789" } } }),
    )
    .unwrap();
    invoke(
        &app,
        "steps_add",
        json!({ "caseId": case["id"], "revision": sent["revision"],
                "step": { "kind": "questura_appointment", "date": today,
                          "details": { "appointmentDate": "2099-01-15", "appointmentTime": "09:30" } } }),
    )
    .unwrap();
    invoke(&app, "papers_render", receipt(&case["id"])).unwrap();
    let papers = invoke(&app, "papers_list", json!({ "caseId": case["id"] })).unwrap();
    let kinds: Vec<&str> = papers
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["ricevuta", "appuntamento"], "{papers}");
    assert_eq!(papers[1]["name"], "appuntamento-20990115.ics");
}

#[test]
fn the_agenda_lists_a_permit_to_renew_takes_a_contact_and_refuses_a_bad_one_in_words() {
    let app = app();
    let draft = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    let today = draft["createdAt"].as_str().unwrap()[..10].to_string();
    let soon = (chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").unwrap()
        + chrono::Duration::days(30))
    .format("%Y-%m-%d")
    .to_string();
    let mut data = worker();
    data["currentPermit"]["expiryDate"] = json!(soon);
    let case = invoke(&app, "cases_create", json!({ "data": data })).unwrap();
    invoke(
        &app,
        "steps_add",
        json!({ "caseId": case["id"], "revision": case["revision"],
                "step": { "kind": "closed", "date": today } }),
    )
    .unwrap();

    let agenda = invoke(&app, "agenda_today", json!({})).unwrap();
    assert_eq!(agenda["today"], today);
    assert_eq!(
        agenda["settings"]["leadDays"], 60,
        "the data's default: {agenda}"
    );
    let expiring = &agenda["buckets"][2];
    assert_eq!(expiring["id"], "expiring");
    assert_eq!(expiring["group"], "to_call");
    assert_eq!(expiring["count"], 1, "{agenda}");
    let row = &expiring["rows"][0];
    assert_eq!(
        (
            row["caseId"].clone(),
            row["surname"].clone(),
            row["days"].clone()
        ),
        (case["id"].clone(), json!("Perera"), json!(30)),
        "the wire is camelCase and counts days: {row}"
    );
    assert_eq!(row["remind"], false, "no consent: do not remind");

    let consent = invoke(
        &app,
        "agenda_set_consent",
        json!({ "caseId": case["id"], "consent": { "sms": true, "givenOn": today } }),
    )
    .unwrap();
    assert_eq!(consent["sms"], true);
    assert_eq!(
        invoke(&app, "agenda_consent", json!({ "caseId": case["id"] })).unwrap()["givenOn"],
        today
    );

    let err = invoke(
        &app,
        "agenda_record_contact",
        json!({ "caseId": case["id"], "contact": { "channel": "fax", "outcome": "" } }),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid");
    let fields: Vec<&str> = err["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["contact.channel", "contact.outcome"], "{err}");
    assert!(
        err["fields"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Canale del contatto"),
        "the message names the field in the operator's language: {err}"
    );

    let log = invoke(
        &app,
        "agenda_record_contact",
        json!({ "caseId": case["id"],
                "contact": { "channel": "sms", "outcome": "message_left", "bucket": "expiring" } }),
    )
    .unwrap();
    assert_eq!(
        log[0]["operator"], BOSS,
        "the session's operator, never one the UI names"
    );
    assert_eq!(
        invoke(&app, "agenda_contacts", json!({ "caseId": case["id"] })).unwrap(),
        log
    );
    let after = invoke(&app, "agenda_today", json!({})).unwrap();
    assert_eq!(
        after["buckets"][2]["count"], 0,
        "contacted: off today's list"
    );

    let settings = invoke(
        &app,
        "agenda_set_days",
        json!({ "setting": "lead_days", "days": 90 }),
    )
    .unwrap();
    assert_eq!(settings["leadDays"], 90);
    assert_eq!(
        invoke(&app, "agenda_contacts", json!({ "caseId": 999 })).unwrap_err()["kind"],
        "not_found"
    );
}

#[test]
fn a_desk_contact_and_a_walk_in_show_in_the_report_and_a_bad_one_is_refused_in_words() {
    let app = app();
    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    let today = case["createdAt"].as_str().unwrap()[..10].to_string();
    let codes = invoke(&app, "reports_codes", json!({})).unwrap();
    assert_eq!(codes["services"][0]["code"], "information", "{codes}");
    let recorded = invoke(
        &app,
        "reports_record_contact",
        json!({ "contact": { "kind": "visit", "caseId": case["id"],
                             "services": ["information", "checklist"], "minutes": 15 } }),
    )
    .unwrap();
    assert_eq!(recorded["day"], today);
    assert_eq!(recorded["services"], json!(["information", "checklist"]));
    invoke(
        &app,
        "reports_record_contact",
        json!({ "contact": { "kind": "call", "caseId": null,
                             "walkIn": { "citizenship": "LKA", "sex": "F", "ageBand": "25-34" },
                             "services": ["booking"], "minutes": 5 } }),
    )
    .unwrap();
    assert_eq!(
        invoke(
            &app,
            "reports_case_contacts",
            json!({ "caseId": case["id"] })
        )
        .unwrap()
        .as_array()
        .unwrap()
        .len(),
        1
    );
    let err = invoke(
        &app,
        "reports_record_contact",
        json!({ "contact": { "kind": "visit", "services": [], "minutes": 5 } }),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid");
    let fields: Vec<&str> = err["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "desk.services",
            "desk.citizenship",
            "desk.sex",
            "desk.ageBand"
        ],
        "{err}"
    );
    assert!(
        err["fields"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Servizi resi"),
        "the message names the field in the operator's language: {err}"
    );

    let report = invoke(
        &app,
        "reports_build",
        json!({ "definition": "desk-monthly", "from": today, "to": today }),
    )
    .unwrap();
    let summary = &report["tables"][0];
    assert_eq!(summary["id"], "summary");
    assert_eq!(
        summary["rows"][1][1],
        json!({ "t": "suppressed", "v": 5 }),
        "two contacts are <5 on the wire: {summary}"
    );
    let bad = invoke(
        &app,
        "reports_build",
        json!({ "definition": "nope", "from": "2026-13-01", "to": today }),
    )
    .unwrap_err();
    assert_eq!(bad["fields"][0]["field"], "report.from", "{bad}");

    // The printable report goes to `lp` (printed or not as this machine has a default printer or not;
    // without one, printed false with what lp said); a
    // definition that does not exist is refused on its field before anything is printed.
    let handed = invoke(
        &app,
        "reports_print",
        json!({ "definition": "desk-monthly", "from": today, "to": today, "action": "print" }),
    )
    .unwrap();
    assert!(handed["printed"].is_boolean(), "{handed}");
    let bad = invoke(
        &app,
        "reports_print",
        json!({ "definition": "nope", "from": today, "to": today, "action": "print" }),
    )
    .unwrap_err();
    assert_eq!(bad["fields"][0]["field"], "report.definition", "{bad}");
}

#[test]
fn a_case_is_referred_to_a_partner_its_slip_is_filed_and_the_follow_up_refuses_a_step_back_in_words(
) {
    let app = app();
    let case = invoke(&app, "cases_create", json!({ "data": worker() })).unwrap();
    let needs = invoke(&app, "partners_needs", json!({})).unwrap();
    assert_eq!(needs["needs"][0]["code"], "legal", "{needs}");
    assert_eq!(needs["openDays"], 30);
    let directory = invoke(&app, "partners_list", json!({ "retired": false })).unwrap();
    assert!(
        directory.as_array().unwrap().len() >= 10,
        "the starter directory"
    );
    let added = invoke(
        &app,
        "partners_add",
        json!({ "partner": { "name": "Sportello legale", "needs": ["legal"], "languages": ["sq"],
                             "address": "Via Fillungo 1, Lucca", "source": "https://www.example.org/x",
                             "readOn": "2026" } }),
    )
    .unwrap();
    assert_eq!(added["name"], "Sportello legale");
    assert_eq!(added["retiredOn"], Value::Null);
    let bad = invoke(
        &app,
        "partners_add",
        json!({ "partner": { "name": "", "needs": [] } }),
    )
    .unwrap_err();
    assert_eq!(bad["kind"], "invalid");
    assert!(
        bad["fields"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Nome del partner"),
        "{bad}"
    );
    let proposed = invoke(
        &app,
        "partners_proposals",
        json!({ "need": "legal", "language": "sq" }),
    )
    .unwrap();
    assert_eq!(
        proposed[0]["id"], added["id"],
        "the applicant's language first"
    );

    let made = invoke(
        &app,
        "referrals_make",
        json!({ "referral": { "caseId": case["id"], "need": "legal", "partnerId": added["id"],
                              "reason": "Serve un avvocato", "consent": false, "language": "sq" } }),
    )
    .unwrap();
    assert_eq!(made["state"], "referred");
    assert_eq!(made["next"], json!(["went", "did_not_go"]));
    let slip = invoke(&app, "referrals_slip_print", json!({ "id": made["id"] })).unwrap();
    assert!(
        slip["file"].as_str().unwrap().ends_with(".pdf")
            && slip["file"].as_str().unwrap().contains("/invio-legal-sq-"),
        "{slip}"
    );
    let papers = invoke(&app, "papers_list", json!({ "caseId": case["id"] })).unwrap();
    assert!(
        papers
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "invio"),
        "{papers}"
    );
    let listed = invoke(&app, "referrals_case", json!({ "caseId": case["id"] })).unwrap();
    assert_eq!(listed[0]["partnerName"], "Sportello legale");

    let today = case["createdAt"].as_str().unwrap()[..10].to_string();
    let wrong = invoke(
        &app,
        "referrals_follow_up",
        json!({ "id": made["id"], "step": { "state": "resolved", "date": today } }),
    )
    .unwrap_err();
    assert_eq!(wrong["kind"], "conflict", "{wrong}");
    assert!(
        wrong["message"].as_str().unwrap().contains("Andato"),
        "{wrong}"
    );
    let went = invoke(
        &app,
        "referrals_follow_up",
        json!({ "id": made["id"], "step": { "state": "went", "date": today } }),
    )
    .unwrap();
    assert_eq!(went["state"], "went");

    let agenda = invoke(&app, "agenda_today", json!({})).unwrap();
    assert!(
        agenda["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["id"] == "referrals_open"),
        "the agenda has the open referrals' bucket"
    );
    let set = invoke(&app, "referrals_set_open_days", json!({ "days": 400 })).unwrap_err();
    assert_eq!(set["fields"][0]["field"], "referral.openDays", "{set}");

    // A retired partner is not referred to, and an operatore does not edit the directory.
    invoke(
        &app,
        "partners_retire",
        json!({ "id": added["id"], "retire": true }),
    )
    .unwrap();
    let refused = invoke(
        &app,
        "referrals_make",
        json!({ "referral": { "caseId": case["id"], "need": "legal", "partnerId": added["id"],
                              "reason": "Di nuovo", "consent": false, "language": "sq" } }),
    )
    .unwrap_err();
    assert_eq!(refused["kind"], "conflict");
    colleague_takes_over(&app);
    let not_allowed = invoke(
        &app,
        "partners_retire",
        json!({ "id": added["id"], "retire": false }),
    )
    .unwrap_err();
    assert_eq!(not_allowed["kind"], "access");
    assert!(invoke(&app, "partners_list", json!({ "retired": true })).is_ok());
}

#[test]
fn a_partner_file_is_imported_whole_or_refused_in_words() {
    let app = app();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("partner.json");
    std::fs::write(
        &good,
        serde_json::to_vec(
            &json!({ "format": "mixite-partners", "version": 1, "exportedOn": "2026-12-01",
            "partners": [{ "uid": "sportello-casa", "name": "Sportello casa", "needs": ["housing"],
                           "verify": true }] }),
        )
        .unwrap(),
    )
    .unwrap();
    let done = invoke(
        &app,
        "partners_import",
        json!({ "path": good.display().to_string() }),
    )
    .unwrap();
    assert_eq!(done["added"], 1, "{done}");
    let bad = dir.path().join("other.json");
    std::fs::write(&bad, b"{\"format\": \"something else\"}").unwrap();
    let refused = invoke(
        &app,
        "partners_import",
        json!({ "path": bad.display().to_string() }),
    )
    .unwrap_err();
    assert_eq!(refused["kind"], "archive");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("elenco dei partner"),
        "{refused}"
    );
}
