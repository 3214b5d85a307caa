//! The audit trail (`register::audit`) on real SQLite files: the chain as written, every way of editing
//! the file that `verify` must notice (an attacker with the file drops the triggers first), the one it
//! honestly cannot, the screen's filters and pages, the CSV for an auditor and the labels' translations.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use mixite_core::error::{Error, Missing};
use mixite_core::register::audit::{self, Action, BrokenCode, Detail, Entry, Filter, Line};
use mixite_core::register::store::{Store, DB_FILE};
use mixite_core::Clock;
use rusqlite::Connection;
use strum::VariantArray;
use tempfile::TempDir;

use crate::{day, locale_text, problems};

const CASE_A: &str = "6f1c1d7e-0b3a-4d55-9a57-1d2f3e4a5b6c";
const CASE_B: &str = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
const FIRST_DAY: &str = "2026-11-01";

/// The `i`-th entry (from 1) of a varied trail: two operators, two cases, a failed sign-in without an
/// operator id; ten entries a day from `FIRST_DAY`, one second apart.
fn nth(i: i64) -> (Entry, Clock) {
    let today = day(FIRST_DAY) + Duration::days((i - 1) / 10);
    let noon: DateTime<Utc> = Clock::at(today).now;
    let at = Clock {
        now: noon + Duration::seconds(i),
        today,
    };
    let anna = |action| Entry::new(Some("op-1"), "Anna Bianchi", action);
    let luca = |action| Entry::new(Some("op-2"), "Luca Verdi", action);
    let entry = match i % 5 {
        0 => anna(Action::SignedIn),
        1 => anna(Action::CaseViewed).on_case(CASE_A),
        2 => luca(Action::CaseChanged).on_case(CASE_A).with(Detail {
            fields: vec!["applicant.phone".into(), "household.0.birthDate".into()],
            ..Detail::default()
        }),
        3 => luca(Action::PaperPrinted).on_case(CASE_B).with(Detail {
            paper: Some("checklist".into()),
            file: Some("checklist-it-2026-11-26.pdf".into()),
            ..Detail::default()
        }),
        _ => Entry::new(None, "Luca Verdi", Action::SignInFailed),
    };
    (entry, at)
}

fn append(store: &mut Store, entry: &Entry, at: &Clock) -> i64 {
    store
        .write(|tx| audit::append(tx, entry, at))
        .expect("an entry is appended")
}

/// A data folder whose trail holds entries 1 to `n` of `nth`.
fn trail(n: i64) -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), &crate::key()).unwrap();
    for i in 1..=n {
        let (entry, at) = nth(i);
        assert_eq!(append(&mut store, &entry, &at), i, "seq counts from 1");
    }
    (dir, store)
}

/// Edits the file as someone holding it would, with the app closed: the triggers dropped, then `sql`
/// through a plain connection. Returns the store opened again.
fn tamper(dir: &TempDir, store: Store, sql: &str) -> Store {
    drop(store);
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    // The tests' key (`crate::key()`, 32 bytes of 7), as SQLCipher takes a raw key.
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", "07".repeat(32)))
        .unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; {sql}"
    ))
    .unwrap();
    drop(conn);
    Store::open(dir.path(), &crate::key()).unwrap()
}

fn lines(store: &Store) -> Vec<Line> {
    let page = audit::list(store.conn(), &Filter::default(), 0, 100).unwrap();
    assert!(!page.has_more, "the tests' trails fit one page");
    page.items.into_iter().rev().collect()
}

/// Writes `line` into the table as a forger would, with the hash its columns give.
fn forge(store: &Store, mut line: Line) {
    line.hash = line.computed_hash();
    store
        .conn()
        .execute(
            "INSERT INTO audit (seq, at, day, operator_id, operator, action, case_uuid, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            rusqlite::params![
                line.seq,
                line.at,
                line.day,
                line.operator_id,
                line.operator,
                line.action,
                line.case_uuid,
                line.detail,
                line.prev_hash,
                line.hash
            ],
        )
        .unwrap();
}

fn broken_at(store: &Store) -> (Option<i64>, Option<BrokenCode>) {
    let verdict = audit::verify(store.conn()).unwrap();
    (verdict.first_broken, verdict.reason)
}

#[test]
fn the_first_entry_follows_sixty_four_zeros_and_each_next_the_one_before() {
    let (_dir, store) = trail(3);
    let lines = lines(&store);
    assert_eq!(
        lines.iter().map(|l| l.seq).collect::<Vec<_>>(),
        [1, 2, 3],
        "numbered without gaps"
    );
    assert_eq!(lines[0].prev_hash, "0".repeat(64), "the chain's start");
    assert_eq!(
        lines[1].prev_hash, lines[0].hash,
        "each entry names the one before"
    );
    assert_eq!(lines[2].prev_hash, lines[1].hash);
    assert!(
        lines
            .iter()
            .all(|l| l.hash.len() == 64 && l.hash == l.computed_hash()),
        "each hash is the one its columns give"
    );
    assert_eq!(
        audit::head(store.conn()).unwrap(),
        Some(audit::Head {
            entries: 3,
            hash: lines[2].hash.clone()
        }),
        "the head in settings follows the last entry"
    );
}

#[test]
fn the_hash_is_sha256_of_the_json_array_of_the_previous_hash_and_the_fields() {
    // The format an auditor can recompute with any tool, spelled out once here.
    assert_eq!(
        audit::sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "FIPS 180-2's test vector, in lower-case hex"
    );
    let (_dir, store) = trail(2);
    let second = &lines(&store)[1];
    let canonical = serde_json::json!([
        second.prev_hash,
        second.seq,
        second.at,
        second.day,
        second.operator_id,
        second.operator,
        second.action,
        second.case_uuid,
        second.detail,
    ]);
    assert_eq!(
        second.at, "2026-11-01T12:00:02.000Z",
        "RFC 3339 UTC from the clock"
    );
    assert_eq!(second.day, "2026-11-01", "the counter's local date");
    assert_eq!(
        second.action, "case_changed",
        "stored by its snake_case name"
    );
    assert_eq!(
        second.detail, r#"{"fields":["applicant.phone","household.0.birthDate"]}"#,
        "a small JSON object of field paths, empty members left out"
    );
    assert_eq!(
        second.hash,
        audit::sha256_hex(canonical.to_string().as_bytes())
    );
}

#[test]
fn a_clean_chain_of_fifty_entries_verifies_after_reopening() {
    let (dir, store) = trail(50);
    drop(store);
    let store = Store::open(dir.path(), &crate::key()).unwrap();
    let verdict = audit::verify(store.conn()).unwrap();
    assert_eq!(verdict.entries, 50);
    assert!(verdict.is_intact(), "nothing was touched: {verdict:?}");
    assert_eq!(verdict.first_broken, None);
}

#[test]
fn an_empty_trail_is_intact() {
    let store = Store::open_in_memory().unwrap();
    let verdict = audit::verify(store.conn()).unwrap();
    assert_eq!((verdict.entries, verdict.reason), (0, None));
}

#[test]
fn the_schema_refuses_to_update_or_delete_an_entry() {
    let (_dir, store) = trail(3);
    for sql in [
        "UPDATE audit SET operator = 'Someone else' WHERE seq = 2",
        "DELETE FROM audit WHERE seq = 3",
    ] {
        let err = store.conn().execute(sql, []).unwrap_err();
        assert!(
            err.to_string().contains("append-only"),
            "{sql}: refused by the trigger, got {err}"
        );
    }
    assert!(audit::verify(store.conn()).unwrap().is_intact());
}

#[test]
fn an_edited_detail_is_found_at_its_entry() {
    let (dir, store) = trail(50);
    let store = tamper(
        &dir,
        store,
        r#"UPDATE audit SET detail = '{"fields":["notes"]}' WHERE seq = 17"#,
    );
    assert_eq!(broken_at(&store), (Some(17), Some(BrokenCode::Altered)));
}

#[test]
fn an_edited_operator_is_found_at_its_entry() {
    let (dir, store) = trail(50);
    let store = tamper(
        &dir,
        store,
        "UPDATE audit SET operator = 'Anna Bianchi', operator_id = 'op-1' WHERE seq = 23",
    );
    assert_eq!(
        broken_at(&store),
        (Some(23), Some(BrokenCode::Altered)),
        "who did it is covered by the hash like everything else"
    );
}

#[test]
fn a_deleted_middle_entry_is_found_where_the_gap_is() {
    let (dir, store) = trail(50);
    let store = tamper(&dir, store, "DELETE FROM audit WHERE seq = 25");
    let verdict = audit::verify(store.conn()).unwrap();
    assert_eq!(verdict.entries, 49);
    assert_eq!(
        (verdict.first_broken, verdict.reason),
        (Some(25), Some(BrokenCode::Missing)),
        "the number the removed entry had"
    );
}

#[test]
fn a_deleted_entry_hidden_by_renumbering_the_rest_is_found_at_the_next() {
    let (dir, store) = trail(50);
    let store = tamper(
        &dir,
        store,
        "DELETE FROM audit WHERE seq = 25;
         UPDATE audit SET seq = seq + 1000 WHERE seq > 25;
         UPDATE audit SET seq = seq - 1001 WHERE seq > 1000;",
    );
    assert_eq!(
        broken_at(&store),
        (Some(25), Some(BrokenCode::Unlinked)),
        "entry 26, now numbered 25, does not follow entry 24"
    );
}

#[test]
fn two_swapped_entries_are_found_at_the_earlier() {
    let (dir, store) = trail(50);
    let store = tamper(
        &dir,
        store,
        "UPDATE audit SET seq = -10 WHERE seq = 10;
         UPDATE audit SET seq = 10 WHERE seq = 20;
         UPDATE audit SET seq = 20 WHERE seq = -10;",
    );
    assert_eq!(broken_at(&store), (Some(10), Some(BrokenCode::Unlinked)));
}

#[test]
fn two_entries_swapped_with_their_hashes_left_in_place_are_found_as_altered() {
    let (dir, store) = trail(50);
    let store = tamper(
        &dir,
        store,
        "CREATE TEMP TABLE keep AS SELECT * FROM audit WHERE seq IN (10, 20);
         UPDATE audit SET (at, day, operator_id, operator, action, case_uuid, detail) =
             (SELECT at, day, operator_id, operator, action, case_uuid, detail FROM keep
              WHERE keep.seq = 30 - audit.seq)
         WHERE seq IN (10, 20);",
    );
    assert_eq!(broken_at(&store), (Some(10), Some(BrokenCode::Altered)));
}

#[test]
fn an_entry_forged_into_the_middle_is_found_at_the_one_after_it() {
    let (dir, store) = trail(50);
    let store = tamper(
        &dir,
        store,
        "UPDATE audit SET seq = seq + 1000 WHERE seq > 10;
         UPDATE audit SET seq = seq - 999 WHERE seq > 1000;",
    );
    let tenth = lines(&store).into_iter().nth(9).unwrap();
    // A perfect entry 11: it follows entry 10 and its hash is right, but the old 11 (now 12) names
    // entry 10 as its predecessor.
    forge(
        &store,
        Line {
            seq: 11,
            prev_hash: tenth.hash.clone(),
            action: "case_viewed".into(),
            case_uuid: Some(CASE_B.into()),
            ..tenth
        },
    );
    assert_eq!(broken_at(&store), (Some(12), Some(BrokenCode::Unlinked)));
}

#[test]
fn an_entry_forged_onto_the_end_is_found_against_the_head() {
    let (_dir, store) = trail(50);
    let last = lines(&store).pop().unwrap();
    // Inserting needs no trigger dropped; the chain alone would take it.
    forge(
        &store,
        Line {
            seq: 51,
            prev_hash: last.hash.clone(),
            ..last
        },
    );
    let verdict = audit::verify(store.conn()).unwrap();
    assert_eq!(verdict.entries, 51);
    assert_eq!(
        (verdict.first_broken, verdict.reason),
        (Some(51), Some(BrokenCode::HeadMismatch)),
        "append keeps the head; entry 51 is beyond it"
    );
}

#[test]
fn cutting_off_the_last_entries_is_found_against_the_head() {
    let (dir, store) = trail(50);
    let store = tamper(&dir, store, "DELETE FROM audit WHERE seq > 47");
    let verdict = audit::verify(store.conn()).unwrap();
    assert_eq!(verdict.entries, 47);
    assert_eq!(
        (verdict.first_broken, verdict.reason),
        (Some(48), Some(BrokenCode::Truncated)),
        "what is left is a valid chain; only the head knows there were 50"
    );
}

#[test]
fn a_cut_stays_visible_after_new_entries() {
    let (dir, store) = trail(50);
    let mut store = tamper(&dir, store, "DELETE FROM audit WHERE seq > 47");
    let (entry, at) = nth(51);
    assert_eq!(append(&mut store, &entry, &at), 48);
    assert_eq!(
        broken_at(&store),
        (Some(48), Some(BrokenCode::Unlinked)),
        "the new entry follows the head's entry 50, not what is left"
    );
}

#[test]
fn a_cut_with_the_head_set_back_to_match_goes_unseen() {
    // The limit the module documents: the head is in the same file, so whoever cuts the tail and
    // rewrites the head to the new last entry leaves a trail that checks out.
    let (dir, store) = trail(50);
    let store = tamper(
        &dir,
        store,
        "DELETE FROM audit WHERE seq > 47;
         UPDATE settings SET value =
             (SELECT json_object('entries', seq, 'hash', hash) FROM audit WHERE seq = 47)
         WHERE key = 'audit.head';",
    );
    let verdict = audit::verify(store.conn()).unwrap();
    assert_eq!((verdict.entries, verdict.reason), (47, None));
}

#[test]
fn a_removed_head_is_reported_without_naming_an_entry() {
    let (_dir, store) = trail(5);
    store
        .conn()
        .execute("DELETE FROM settings WHERE key = ?1", [audit::HEAD_SETTING])
        .unwrap();
    assert_eq!(broken_at(&store), (None, Some(BrokenCode::HeadMissing)));
}

#[test]
fn an_entry_rolled_back_with_its_change_leaves_no_trace_and_no_gap() {
    let mut store = Store::open_in_memory().unwrap();
    let (entry, at) = nth(1);
    let refused = store.write(|tx| {
        audit::append(tx, &entry, &at)?;
        // The change the entry records fails after it: both go.
        Err::<(), _>(Error::NotFound(Missing::Case))
    });
    assert!(refused.is_err());
    let verdict = audit::verify(store.conn()).unwrap();
    assert_eq!(
        (verdict.entries, verdict.reason),
        (0, None),
        "no entry, no head"
    );
    assert_eq!(
        append(&mut store, &entry, &at),
        1,
        "the next entry is still 1"
    );
    assert!(audit::verify(store.conn()).unwrap().is_intact());
}

fn seqs(store: &Store, filter: &Filter) -> Vec<i64> {
    let page = audit::list(store.conn(), filter, 0, 100).unwrap();
    page.items.iter().map(|l| l.seq).collect()
}

#[test]
fn the_list_is_newest_first_and_pages_forward() {
    let (_dir, store) = trail(50);
    let first = audit::list(store.conn(), &Filter::default(), 0, 20).unwrap();
    assert_eq!(
        first.items.iter().map(|l| l.seq).collect::<Vec<_>>(),
        (31..=50).rev().collect::<Vec<_>>()
    );
    assert!(first.has_more);
    let last = audit::list(store.conn(), &Filter::default(), 40, 20).unwrap();
    assert_eq!(
        last.items.iter().map(|l| l.seq).collect::<Vec<_>>(),
        (1..=10).rev().collect::<Vec<_>>()
    );
    assert!(!last.has_more, "nothing before entry 1");
}

#[test]
fn the_list_filters_by_operator_case_action_and_period() {
    let (_dir, store) = trail(50);
    let by = |f: fn(i64) -> bool| (1..=50).rev().filter(|i| f(*i)).collect::<Vec<i64>>();
    let anna = Filter {
        operator_id: Some("op-1".into()),
        ..Filter::default()
    };
    assert_eq!(seqs(&store, &anna), by(|i| i % 5 <= 1));
    let case_a = Filter {
        case_uuid: Some(CASE_A.into()),
        ..Filter::default()
    };
    assert_eq!(seqs(&store, &case_a), by(|i| i % 5 == 1 || i % 5 == 2));
    let failed = Filter {
        action: Some(Action::SignInFailed),
        ..Filter::default()
    };
    let page = audit::list(store.conn(), &failed, 0, 100).unwrap();
    assert_eq!(page.items.len(), 10);
    assert!(
        page.items
            .iter()
            .all(|l| l.operator_id.is_none() && l.operator == "Luca Verdi"),
        "a failed sign-in has no operator id, only the name chosen"
    );
    let two_days = Filter {
        from: Some("2026-11-02".into()),
        to: Some("2026-11-03".into()),
        ..Filter::default()
    };
    assert_eq!(
        seqs(&store, &two_days),
        by(|i| (11..=30).contains(&i)),
        "both days included"
    );
    let since = Filter {
        from: Some("2026-11-05".into()),
        ..Filter::default()
    };
    assert_eq!(seqs(&store, &since), by(|i| i >= 41));
    let together = Filter {
        case_uuid: Some(CASE_A.into()),
        ..two_days
    };
    assert_eq!(
        seqs(&store, &together),
        by(|i| (11..=30).contains(&i) && (i % 5 == 1 || i % 5 == 2)),
        "filters combine"
    );
    let backwards = Filter {
        from: Some("2026-11-03".into()),
        to: Some("2026-11-02".into()),
        ..Filter::default()
    };
    assert!(seqs(&store, &backwards).is_empty(), "an empty period");
}

#[test]
fn the_period_is_the_counter_s_local_day_not_the_utc_one() {
    let mut store = Store::open_in_memory().unwrap();
    // 00:30 in Rome on 26 November is 23:30 UTC on the 25th.
    let late = Clock {
        now: NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap()
            .and_utc(),
        today: day("2026-11-26"),
    };
    append(
        &mut store,
        &Entry::new(Some("op-1"), "Anna Bianchi", Action::SignedIn),
        &late,
    );
    let on = |d: &str| Filter {
        from: Some(d.into()),
        to: Some(d.into()),
        ..Filter::default()
    };
    assert_eq!(seqs(&store, &on("2026-11-26")), [1]);
    assert!(seqs(&store, &on("2026-11-25")).is_empty());
}

#[test]
fn a_bad_date_in_the_filter_is_refused_with_both_fields() {
    let (_dir, store) = trail(3);
    let filter = Filter {
        from: Some("26/11/2026".into()),
        to: Some("2026-13-01".into()),
        ..Filter::default()
    };
    let err = audit::list(store.conn(), &filter, 0, 10).unwrap_err();
    assert_eq!(problems(err), ["from:date_invalid", "to:date_invalid"]);
    let err = audit::csv(store.conn(), &filter, |a| a.to_string()).unwrap_err();
    assert_eq!(problems(err), ["from:date_invalid", "to:date_invalid"]);
}

#[test]
fn a_line_reaches_the_ui_in_camel_case_with_its_detail_as_an_object() {
    let (_dir, store) = trail(3);
    let page = audit::list(store.conn(), &Filter::default(), 0, 1).unwrap();
    let json = serde_json::to_value(&page).unwrap();
    assert_eq!(json["hasMore"], true);
    let line = &json["items"][0];
    assert_eq!(line["seq"], 3);
    assert_eq!(line["operatorId"], "op-2");
    assert_eq!(line["caseUuid"], CASE_B);
    assert_eq!(line["action"], "paper_printed");
    assert_eq!(
        line["detail"],
        serde_json::json!({"paper": "checklist", "file": "checklist-it-2026-11-26.pdf"})
    );
}

#[test]
fn the_csv_reads_back_with_commas_and_quotes_intact() {
    let mut store = Store::open_in_memory().unwrap();
    let at = Clock::at(day("2026-11-26"));
    let entry = Entry::new(Some("op-3"), r#"Rossi, "Maria""#, Action::CaseExported)
        .on_case(CASE_A)
        .with(Detail {
            file: Some(r#"pratica "2026-000001", copia.mixite"#.into()),
            encrypted: Some(true),
            count: Some(1),
            ..Detail::default()
        });
    append(&mut store, &entry, &at);
    append(
        &mut store,
        &Entry::new(Some("op-3"), "Maria Rossi", Action::SignedOut),
        &at,
    );
    let text = audit::csv(store.conn(), &Filter::default(), |a| {
        format!("label of {a}, translated")
    })
    .unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["seq", "at", "operator", "action", "case", "detail", "hash"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let stored = lines(&store);
    assert_eq!(rows.len(), 2, "oldest first, one row per entry");
    assert_eq!(
        rows[0].iter().collect::<Vec<_>>(),
        vec![
            "1",
            "2026-11-26T12:00:00.000Z",
            r#"Rossi, "Maria""#,
            "label of case_exported, translated",
            CASE_A,
            stored[0].detail.as_str(),
            stored[0].hash.as_str(),
        ]
    );
    assert!(
        stored[0].detail.contains(r#"\"2026-000001\", copia"#),
        "the detail holds both quotes and commas: {}",
        stored[0].detail
    );
    assert_eq!(&rows[1][4], "", "no case");
}

#[test]
fn a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_made_text() {
    let mut store = Store::open_in_memory().unwrap();
    append(
        &mut store,
        &Entry::new(None, "=HYPERLINK(\"http://x\")", Action::SignInFailed),
        &Clock::at(day("2026-11-26")),
    );
    let text = audit::csv(store.conn(), &Filter::default(), |a| a.to_string()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[2], "'=HYPERLINK(\"http://x\")");
}

#[test]
fn the_csv_takes_the_same_filters_as_the_list() {
    let (_dir, store) = trail(50);
    let filter = Filter {
        action: Some(Action::PaperPrinted),
        from: Some("2026-11-05".into()),
        ..Filter::default()
    };
    let text = audit::csv(store.conn(), &filter, |a| a.to_string()).unwrap();
    let seqs: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(seqs, ["43", "48"]);
}

#[test]
fn every_action_and_break_reason_is_labelled_in_italian_and_in_english() {
    let keys = audit::translation_keys();
    assert_eq!(
        keys.len(),
        Action::VARIANTS.len() + BrokenCode::VARIANTS.len()
    );
    for lang in ["it", "en"] {
        let missing: Vec<&String> = keys
            .iter()
            .filter(|k| locale_text("core", lang, k).is_none_or(|t| t.trim().is_empty()))
            .collect();
        assert!(missing.is_empty(), "{lang}: no text for {missing:?}");
    }
    assert_eq!(
        locale_text("core", "it", "audit.action.sign_in_failed").as_deref(),
        Some("Accesso non riuscito")
    );
    // And no label for an action that does not exist (a translation nobody would ever see).
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../locales/core/it.yml");
    let docs =
        yaml_rust2::YamlLoader::load_from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let labelled = docs[0]["audit"]["action"].as_hash().unwrap().len();
    assert_eq!(labelled, Action::VARIANTS.len());
}

#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "field paths from FIELD_LABELS")]
fn a_value_passed_as_a_field_path_is_refused_in_test_builds() {
    let mut store = Store::open_in_memory().unwrap();
    let entry = Entry::new(Some("op-1"), "Anna Bianchi", Action::CaseChanged)
        .on_case(CASE_A)
        .with(Detail {
            fields: vec!["Mario Rossi".into()],
            ..Detail::default()
        });
    append(&mut store, &entry, &Clock::at(day("2026-11-26")));
}
