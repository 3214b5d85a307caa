//! The desk's activity and the funder's reports on a fixed synthetic set whose counts are written here by
//! hand: distinct persons against contacts, new and returning persons, age bands at their edges, a
//! person with two citizenships (counted once, under the main one), walk-ins without a case, an
//! anonymised case still counted, suppression at 4 and 5, and the CSV and XLSX read back with Python.

use std::path::{Path, PathBuf};
use std::process::Command;

use mixite_core::exchange::report_files;
use mixite_core::model::{StepDetails, StepInput};
use mixite_core::papers::print::FontLibrary;
use mixite_core::papers::report as papers_report;
use mixite_core::register::activity::{DeskContactInput, StaffTimeInput, WalkIn};
use mixite_core::register::operators::{Actor, Role};
use mixite_core::register::report::{Cell, Definition, Period, Report};
use mixite_core::register::retention::FunderInput;
use mixite_core::{Clock, NewCase, Register};

use crate::{day, op, problems, temp_register, tool, worker};

fn at(d: &str) -> Clock {
    Clock::at(day(d))
}

fn boss() -> Actor {
    Actor::unchecked(
        "00000000-0000-4000-8000-000000000002",
        "Responsabile Rossi",
        Role::Responsabile,
    )
}

fn contact(
    register: &mut Register,
    d: &str,
    case_id: Option<i64>,
    walk_in: WalkIn,
    services: &[&str],
    minutes: u32,
) {
    register
        .record_desk_contact(
            &DeskContactInput {
                kind: "visit".into(),
                case_id,
                walk_in,
                services: services.iter().map(|s| s.to_string()).collect(),
                language: String::new(),
                mediator: false,
                minutes,
            },
            &at(d),
            &op("Operatore Uno"),
        )
        .expect("a valid desk contact is recorded");
}

fn walk_in(citizenship: &str, sex: &str, band: &str) -> WalkIn {
    WalkIn {
        citizenship: citizenship.into(),
        sex: sex.into(),
        age_band: band.into(),
    }
}

/// A test definition `id` with every table, suppressing under `under`, and the `[[indicator]]` tables
/// of `indicators`.
fn test_definition(register: &Register, id: &str, under: u64, indicators: &str) -> Definition {
    let text = format!(
        r#"id = "{id}"
title_it = "Prova"
title_en = "Test"
funder = "Prova"
source = "https://example.org/prova"
read_on = "2026"
suppress_under = {under}
tables = ["summary", "indicators", "months", "services", "citizenships", "breakdown", "satisfaction", "timesheet"]
{indicators}"#
    );
    Definition::from_source((&format!("{id}.toml") as &str, &text), register.activity()).unwrap()
}

/// A definition with every table and one indicator, suppressing under `under`.
fn definition(register: &Register, under: u64) -> Definition {
    test_definition(
        register,
        "test",
        under,
        r#"
[[indicator]]
code = "I1"
label_it = "Persone con un invio"
label_en = "Persons referred"
measure = "persons"
services = ["referral"]
source = "https://example.org/prova"
"#,
    )
}

/// The fixed set (see the module doc), with the counts each part adds:
/// - case A (Hoxha: M, born 1990-04-15, ALB) opened 2020-12-01 with a contact that day (before the
///   period: A is a returning person), then three contacts in 2021 (20 + 10 + 30 minutes);
/// - case B (F, born 2003-01-10, MAR and TUN) opened 2021-01-09: a contact that day (aged 17: 14-17) and
///   one the next day (aged 18: 18-24, a referral), 15 + 5 minutes; closed, later anonymised;
/// - five walk-ins from LKA (F, 25-34) and four from PAK (M, 35-54) in February, 10 minutes each.
///
/// In 2021: 11 persons (A, B, 5 + 4 walk-ins), 14 contacts, 10 new and 1 returning, 9 walk-in
/// contacts, 170 minutes (12.14 on average), 1 procedure started (B's intake), 1 referral.
fn fixed_set() -> (tempfile::TempDir, Register, i64) {
    let (dir, mut register) = temp_register();
    let a = register
        .create(
            &NewCase {
                data: worker(),
                ..NewCase::default()
            },
            &at("2020-12-01"),
            &op("Operatore Uno"),
        )
        .unwrap();
    contact(
        &mut register,
        "2020-12-01",
        Some(a.id),
        WalkIn::default(),
        &["information"],
        15,
    );
    contact(
        &mut register,
        "2021-01-10",
        Some(a.id),
        WalkIn::default(),
        &["information", "checklist"],
        20,
    );
    contact(
        &mut register,
        "2021-02-15",
        Some(a.id),
        WalkIn::default(),
        &["booking"],
        10,
    );
    contact(
        &mut register,
        "2021-03-01",
        Some(a.id),
        WalkIn::default(),
        &["form_help"],
        30,
    );

    let mut data = worker();
    data.applicant.surname = "Bennani".into();
    data.applicant.given_names = "Salma".into();
    data.applicant.sex = "F".into();
    data.applicant.birth_date = "2003-01-10".into();
    data.applicant.citizenships = vec!["MAR".into(), "TUN".into()];
    data.applicant.codice_fiscale.clear();
    data.applicant.document.number = "MA7654321".into();
    data.household.clear();
    let b = register
        .create(
            &NewCase {
                data,
                ..NewCase::default()
            },
            &at("2021-01-09"),
            &op("Operatore Uno"),
        )
        .unwrap();
    contact(
        &mut register,
        "2021-01-09",
        Some(b.id),
        WalkIn::default(),
        &["information"],
        15,
    );
    contact(
        &mut register,
        "2021-01-10",
        Some(b.id),
        WalkIn::default(),
        &["referral"],
        5,
    );
    let revision = register.get(b.id, day("2021-01-10")).unwrap().revision;
    register
        .add_step(
            b.id,
            revision,
            &StepInput {
                kind: "closed".into(),
                date: "2021-01-10".into(),
                details: StepDetails::default(),
                note: String::new(),
            },
            &at("2021-01-10"),
            &op("Operatore Uno"),
        )
        .unwrap();
    for i in 0..5 {
        contact(
            &mut register,
            &format!("2021-02-0{}", i + 1),
            None,
            walk_in("LKA", "F", "25-34"),
            &["information"],
            10,
        );
    }
    for i in 0..4 {
        contact(
            &mut register,
            &format!("2021-02-1{}", i + 1),
            None,
            walk_in("PAK", "M", "35-54"),
            &["information"],
            10,
        );
    }
    (dir, register, b.id)
}

fn cell(report: &Report, table: &str, row: usize, col: usize) -> Cell {
    report.table(table).unwrap().rows[row][col].clone()
}

/// The row of `table` whose first cells are `keys`.
fn row(report: &Report, table: &str, keys: &[&str]) -> Vec<Cell> {
    report
        .table(table)
        .unwrap()
        .rows
        .iter()
        .find(|r| {
            keys.iter()
                .enumerate()
                .all(|(i, k)| r[i] == Cell::Text(k.to_string()))
        })
        .unwrap_or_else(|| panic!("{table} has a row {keys:?}"))
        .clone()
}

fn count(n: u64) -> Cell {
    Cell::Count(n)
}

#[test]
fn the_fixed_set_gives_the_counts_written_by_hand() {
    let (_dir, register, _) = fixed_set();
    let report = register
        .report(&definition(&register, 1), Period::year(2021), "it")
        .unwrap();
    let summary: Vec<Cell> = report
        .table("summary")
        .unwrap()
        .rows
        .iter()
        .map(|r| r[1].clone())
        .collect();
    assert_eq!(
        summary[..10],
        [count(11), count(14), count(10), count(1), count(9), count(1), count(0), count(0), count(1), count(0)],
        "persons, contacts, new, returning, walk-ins, started, kits, collected, referrals, mediator"
    );
    match summary[10] {
        Cell::Decimal(x) => assert!((x - 170.0 / 14.0).abs() < 1e-9, "average minutes {x}"),
        ref other => panic!("average minutes {other:?}"),
    }
    // January: A once, B twice (two persons, three contacts); February: A once, 9 walk-ins; March: A.
    assert_eq!(
        row(&report, "months", &["2021-01"])[1..3],
        [count(2), count(3)]
    );
    assert_eq!(
        row(&report, "months", &["2021-02"])[1..3],
        [count(10), count(10)]
    );
    assert_eq!(
        row(&report, "months", &["2021-03"])[1..3],
        [count(1), count(1)]
    );
    // Information: A (January), B (January), 9 walk-ins: 11 persons, 11 contacts; A's January contact
    // also counts under checklist.
    assert_eq!(
        row(&report, "services", &["Informazioni"])[1..],
        [count(11), count(11)]
    );
    assert_eq!(
        row(&report, "services", &["Elenco documenti"])[1..],
        [count(1), count(1)]
    );
    // B counts once, under Morocco (the main citizenship), never under Tunisia.
    assert_eq!(
        row(&report, "citizenships", &["MAR"])[1..],
        [count(1), count(2)]
    );
    assert!(report
        .table("citizenships")
        .unwrap()
        .rows
        .iter()
        .all(|r| r[0] != Cell::Text("TUN".into())));
    // The age band on each contact's day: 17 the day before the 18th birthday, 18 on it.
    assert_eq!(
        row(
            &report,
            "breakdown",
            &["2021-01", "MAR", "F", "14-17", "Informazioni"]
        )[5..],
        [count(1), count(1)]
    );
    assert_eq!(
        row(
            &report,
            "breakdown",
            &["2021-01", "MAR", "F", "18-24", "Invio ad altro servizio"]
        )[5..],
        [count(1), count(1)]
    );
    assert_eq!(
        row(
            &report,
            "breakdown",
            &["2021-01", "ALB", "M", "25-34", "Informazioni"]
        )[5..],
        [count(1), count(1)]
    );
    // The indicator: persons referred, by sex.
    assert_eq!(
        row(&report, "indicators", &["I1"])[2..6],
        [count(1), count(1), count(0), count(0)]
    );
}

#[test]
fn an_anonymised_case_is_still_counted_without_its_link() {
    let (_dir, mut register, b) = fixed_set();
    register
        .set_funder(
            &boss(),
            &FunderInput::FinalPayment {
                date: "2021-06-30".into(),
            },
            &at("2026-11-26"),
        )
        .unwrap();
    assert_eq!(register.desk_contacts(b).unwrap().len(), 2);
    register.anonymise(&boss(), b, &at("2027-01-02")).unwrap();
    assert!(
        register.desk_contacts(b).unwrap().is_empty(),
        "no contact leads back to the case"
    );
    let report = register
        .report(&definition(&register, 1), Period::year(2021), "it")
        .unwrap();
    assert_eq!(cell(&report, "summary", 0, 1), count(11), "persons");
    assert_eq!(cell(&report, "summary", 1, 1), count(14), "contacts");
    assert_eq!(
        cell(&report, "summary", 4, 1),
        count(9),
        "an anonymised case is not a walk-in"
    );
    assert_eq!(
        cell(&report, "summary", 5, 1),
        count(1),
        "its intake, kept by month, still counts"
    );
    assert_eq!(
        row(&report, "citizenships", &["MAR"])[1..],
        [count(1), count(2)]
    );
}

#[test]
fn cells_under_five_are_suppressed_and_five_is_shown() {
    let (_dir, register, _) = fixed_set();
    let report = register
        .report(&definition(&register, 5), Period::year(2021), "it")
        .unwrap();
    assert_eq!(
        row(&report, "citizenships", &["LKA"])[1..],
        [count(5), count(5)],
        "5 is shown"
    );
    assert_eq!(
        row(&report, "citizenships", &["PAK"])[1..],
        [Cell::Suppressed(5), Cell::Suppressed(5)],
        "4 is <5"
    );
    assert_eq!(
        cell(&report, "summary", 8, 1),
        Cell::Suppressed(5),
        "one referral is <5"
    );
    assert_eq!(
        cell(&report, "summary", 6, 1),
        count(0),
        "zero gives nobody away"
    );
    assert!(
        report.rule.contains("<5"),
        "the rule is stated: {}",
        report.rule
    );
}

#[test]
fn a_walk_in_needs_its_three_facts_and_every_problem_is_reported_at_once() {
    let (_dir, mut register) = temp_register();
    let err = register
        .record_desk_contact(
            &DeskContactInput {
                kind: "fax".into(),
                minutes: 0,
                ..DeskContactInput::default()
            },
            &at("2026-11-26"),
            &op("Operatore Uno"),
        )
        .unwrap_err();
    let mut got = problems(err);
    got.sort();
    assert_eq!(
        got,
        [
            "desk.ageBand:required",
            "desk.citizenship:required",
            "desk.kind:unknown_code",
            "desk.minutes:out_of_range",
            "desk.services:required",
            "desk.sex:required",
        ]
    );
}

#[test]
fn satisfaction_answers_are_month_counters_with_nothing_that_links_them() {
    let (_dir, mut register) = temp_register();
    for _ in 0..5 {
        register
            .record_satisfaction("yes", &at("2021-03-04"), &op("Operatore Uno"))
            .unwrap();
    }
    register
        .record_satisfaction("no", &at("2021-03-05"), &op("Operatore Uno"))
        .unwrap();
    let conn = register.store().conn();
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('satisfaction')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        columns,
        ["month", "answer", "n"],
        "no case, person, operator or time"
    );
    let report = register
        .report(&definition(&register, 5), Period::year(2021), "it")
        .unwrap();
    assert_eq!(
        row(&report, "satisfaction", &["2021-03", "Sì"])[2],
        count(5)
    );
    assert_eq!(
        row(&report, "satisfaction", &["2021-03", "No"])[2],
        Cell::Suppressed(5)
    );
}

fn python(script: &str, arg: &std::path::Path) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(arg)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_csv_and_the_xlsx_read_back_with_python() {
    let (dir, mut register, _) = fixed_set();
    register
        .record_staff_time(
            &StaffTimeInput {
                day: "2021-02-01".into(),
                kind: "back_office".into(),
                minutes: 90,
            },
            &at("2021-02-01"),
            &op("Operatore Uno"),
        )
        .unwrap();
    let report = register
        .report(&definition(&register, 5), Period::year(2021), "it")
        .unwrap();
    let csv_path = dir.path().join("rapporto.csv");
    let bytes = report_files::csv(&report).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 with a byte-order mark"
    );
    std::fs::write(&csv_path, bytes).unwrap();
    let read = python(
        "import csv,sys\nrows=list(csv.reader(open(sys.argv[1],encoding='utf-8-sig',newline=''),delimiter=';'))\n\
         d={r[0]:r[1:] for r in rows if r}\n\
         print(d['Persone raggiunte (distinte)'][0]);print(d['Minuti medi per contatto'][0]);print(d['PAK'][0]);print(d['LKA'][0])\n\
         print([r for r in rows if len(r)>5 and r[1]=='2021-02'][0][2:5])",
        &csv_path,
    );
    assert_eq!(
        read.lines().collect::<Vec<_>>(),
        ["11", "12,14", "<5", "5", "['1,67', '1,50', '0,00']"],
        "persons, comma decimals, suppression, February's timesheet (9 walk-ins and A: 100 min at the desk, 90 back office)"
    );

    let xlsx_path = dir.path().join("rapporto.xlsx");
    std::fs::write(&xlsx_path, report_files::xlsx(&report).unwrap()).unwrap();
    let read = python(
        "import openpyxl,sys\nwb=openpyxl.load_workbook(sys.argv[1])\nprint(','.join(wb.sheetnames))\n\
         ws=wb['summary'];print(ws.cell(5,1).value, ws.cell(5,2).value);print(ws.cell(6,1).value, ws.cell(6,2).value)\n\
         ws=wb['citizenships'];print([(r[0],r[1]) for r in ws.iter_rows(min_row=6,values_only=True) if r[0] in ('LKA','PAK')])",
        &xlsx_path,
    );
    assert_eq!(
        read.lines().collect::<Vec<_>>(),
        [
            "summary,indicators,months,services,citizenships,breakdown,satisfaction,timesheet",
            "Voce Valore",
            "Persone raggiunte (distinte) 11",
            "[('LKA', 5), ('PAK', '<5')]",
        ],
        "one sheet per table, headers, numbers as numbers, suppressed cells as text"
    );
}

#[test]
fn the_shipped_definitions_load_and_every_amif_indicator_is_marked_to_verify() {
    let (_dir, register) = temp_register();
    let all = register.report_definitions().unwrap();
    let ids: Vec<&str> = all.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["desk-monthly", "amif-2021-2027-so2"]);
    let amif = &all[1];
    assert!(!amif.indicators.is_empty());
    assert!(amif
        .indicators
        .iter()
        .all(|i| i.verify && !i.verify_reason.is_empty()));
    let bad = Definition::from_source(
        ("bad.toml", "id='x'\ntitle_it='x'\ntitle_en='x'\nfunder='x'\nsource='https://e.org'\nread_on='2026'\ntables=['summary']\n[[indicator]]\ncode='X'\nlabel_it='x'\nlabel_en='x'\nmeasure='persons'\nservices=['fax']\nsource='https://e.org'\n"),
        register.activity(),
    );
    assert!(
        bad.is_err(),
        "an unknown service is refused with the file's line"
    );
}

#[test]
fn every_text_of_a_report_is_translated_in_both_operator_languages() {
    let (_dir, mut register, _) = fixed_set();
    register
        .record_satisfaction("yes", &at("2021-03-04"), &op("Operatore Uno"))
        .unwrap();
    for locale in ["it", "en"] {
        let report = register
            .report(&definition(&register, 5), Period::year(2021), locale)
            .unwrap();
        let mut texts = vec![report.rule.clone()];
        for t in &report.tables {
            texts.push(t.title.clone());
            texts.extend(t.columns.iter().cloned());
            texts.extend(t.notes.iter().cloned());
            texts.extend(t.rows.iter().flatten().filter_map(|c| match c {
                Cell::Text(s) => Some(s.clone()),
                _ => None,
            }));
        }
        assert_eq!(report.tables.len(), 8);
        let missing: Vec<&String> = texts.iter().filter(|s| s.starts_with("report.")).collect();
        assert!(missing.is_empty(), "{locale}: {missing:?}");
    }
}

#[test]
fn staff_time_is_validated_and_the_timesheet_carries_the_signature_lines() {
    let (_dir, mut register) = temp_register();
    let err = register
        .record_staff_time(
            &StaffTimeInput {
                day: "2030-01-01".into(),
                kind: "coffee".into(),
                minutes: 721,
            },
            &at("2026-11-26"),
            &op("Operatore Uno"),
        )
        .unwrap_err();
    let mut got = problems(err);
    got.sort();
    assert_eq!(
        got,
        [
            "staff.day:date_future",
            "staff.kind:unknown_code",
            "staff.minutes:out_of_range"
        ]
    );
    for (d, kind, minutes) in [
        ("2026-11-02", "training", 120),
        ("2026-11-03", "network", 60),
    ] {
        register
            .record_staff_time(
                &StaffTimeInput {
                    day: d.into(),
                    kind: kind.into(),
                    minutes,
                },
                &at("2026-11-26"),
                &op("Operatore Uno"),
            )
            .unwrap();
    }
    let period = Period::new(day("2026-11-01"), day("2026-11-30")).unwrap();
    let report = register
        .report(&definition(&register, 5), period, "it")
        .unwrap();
    let sheet = report.table("timesheet").unwrap();
    assert_eq!(
        sheet.rows[0][1..],
        [
            Cell::Text("2026-11".into()),
            Cell::Decimal(0.0),
            Cell::Decimal(0.0),
            Cell::Decimal(2.0),
            Cell::Decimal(1.0),
            Cell::Decimal(3.0),
        ],
        "month, desk, back office, training, network, total: staff hours are not suppressed"
    );
    assert!(sheet
        .notes
        .iter()
        .any(|n| n.starts_with("Firma dell'operatore")));
    assert!(sheet
        .notes
        .iter()
        .any(|n| n.starts_with("Firma del responsabile")));
}

#[test]
fn a_restricted_case_takes_no_desk_contact() {
    let (_dir, mut register, _) = fixed_set();
    let case = register
        .create(
            &NewCase {
                data: {
                    let mut d = worker();
                    d.applicant.document.number = "ZZ1234567".into();
                    d.applicant.codice_fiscale.clear();
                    d
                },
                ..NewCase::default()
            },
            &at("2021-05-01"),
            &op("Operatore Uno"),
        )
        .unwrap();
    register
        .restrict(
            &boss(),
            case.id,
            mixite_core::register::retention::RestrictionReason::AccuracyContested,
            &at("2021-05-02"),
        )
        .unwrap();
    let err = register
        .record_desk_contact(
            &DeskContactInput {
                kind: "visit".into(),
                case_id: Some(case.id),
                services: vec!["information".into()],
                minutes: 5,
                ..DeskContactInput::default()
            },
            &at("2021-05-03"),
            &op("Operatore Uno"),
        )
        .unwrap_err();
    assert!(matches!(err, mixite_core::Error::Conflict(_)), "{err:?}");
}

/// A definition with every table and indicators over services, motivi, steps and every measure.
fn wide_definition(register: &Register, under: u64) -> Definition {
    test_definition(
        register,
        "wide",
        under,
        r#"
[[indicator]]
code = "P1"
label_it = "Persone con un invio o una mediazione"
label_en = "Persons referred or mediated"
measure = "persons"
services = ["referral", "mediation"]
source = "https://example.org/prova"

[[indicator]]
code = "P2"
label_it = "Persone per lavoro"
label_en = "Persons, work"
measure = "persons"
motivi = ["M1", "M3"]
source = "https://example.org/prova"

[[indicator]]
code = "P3"
label_it = "Persone"
label_en = "Persons"
measure = "persons"
source = "https://example.org/prova"

[[indicator]]
code = "K1"
label_it = "Casi con un kit o un permesso ritirato, lavoro o famiglia"
label_en = "Cases with a kit or a collected permit, work or family"
measure = "cases"
steps = ["kit_sent", "collected"]
motivi = ["M1", "M2"]
source = "https://example.org/prova"

[[indicator]]
code = "K2"
label_it = "Casi aperti o mandati alla Questura"
label_en = "Cases opened or sent to the Questura"
measure = "cases"
steps = ["intake", "questura_appointment", "referred"]
source = "https://example.org/prova"

[[indicator]]
code = "C1"
label_it = "Contatti con una lista"
label_en = "Contacts with a checklist"
measure = "contacts"
services = ["checklist", "form_help"]
motivi = ["M2"]
source = "https://example.org/prova"
"#,
    )
}

/// A random synthetic set of desk contacts over 2021 and 2022, written through the same insert as the
/// demo data and, for six real cases, through the app's own use case; then corrected (services,
/// minutes, day, age band, citizenship, mediator changed in place), partly deleted and partly cut
/// from its case as anonymisation does. Every change goes through `desk_contacts` itself, so the
/// monthly aggregates follow by their triggers. The real cases get random steps (some corrected, some
/// with only their month as anonymisation keeps them), motivi, and one loses its applicant row.
fn random_set(seed: u64) -> (tempfile::TempDir, Register) {
    use mixite_core::register::activity::insert_generated;
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};
    let (dir, mut register) = temp_register();
    let mut rng = SmallRng::seed_from_u64(seed);
    let services: Vec<String> = register
        .activity()
        .services
        .iter()
        .map(|s| s.coded.code.clone())
        .collect();
    let bands: Vec<String> = register
        .activity()
        .age_bands
        .iter()
        .map(|b| b.code.clone())
        .collect();
    let start = day("2021-01-01");
    let pick =
        |rng: &mut SmallRng, list: &[&str]| list[rng.random_range(0..list.len())].to_string();
    // Six real cases with contacts recorded as the app records them.
    for i in 0..6 {
        let mut data = worker();
        data.applicant.surname = format!("Prova{}", ["a", "b", "c", "d", "e", "f"][i]);
        data.applicant.codice_fiscale.clear();
        data.applicant.document.number = format!("XY{i}234567");
        let case = register
            .create(
                &NewCase {
                    data,
                    ..NewCase::default()
                },
                &at("2020-12-20"),
                &op("Operatore Uno"),
            )
            .unwrap();
        for _ in 0..rng.random_range(1..6) {
            let d = start + chrono::TimeDelta::days(rng.random_range(0..700));
            let n = rng.random_range(1..=3);
            let chosen: Vec<&str> = (0..n)
                .map(|_| services[rng.random_range(0..services.len())].as_str())
                .collect();
            contact(
                &mut register,
                &d.to_string(),
                Some(case.id),
                WalkIn::default(),
                &chosen,
                rng.random_range(1..60),
            );
        }
    }
    let table = register.activity().clone();
    register
        .store_mut()
        .write(|tx| {
            let cases: Vec<i64> = tx
                .prepare("SELECT id FROM cases ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for (i, case) in cases.iter().enumerate() {
                tx.execute(
                    "UPDATE cases SET motivo_code = ?2 WHERE id = ?1",
                    rusqlite::params![case, ["M1", "M2", "M3", ""][i % 4]],
                )?;
                for _ in 0..rng.random_range(2..12) {
                    let kind = pick(
                        &mut rng,
                        &["intake", "kit_sent", "collected", "questura_appointment", "referred", "closed"],
                    );
                    let d = start + chrono::TimeDelta::days(rng.random_range(-30..760));
                    let date = if rng.random_bool(0.2) {
                        d.format("%Y-%m").to_string()
                    } else {
                        d.to_string()
                    };
                    tx.execute(
                        "INSERT INTO steps (case_id, kind, date, recorded_at, operator)
                         VALUES (?1, ?2, ?3, ?3, 'Operatore Uno')",
                        rusqlite::params![case, kind, date],
                    )?;
                    if rng.random_bool(0.25) {
                        tx.execute(
                            "INSERT INTO steps (case_id, kind, date, recorded_at, operator, corrects)
                             VALUES (?1, 'correction', ?2, ?2, 'Operatore Uno', ?3)",
                            rusqlite::params![case, date, tx.last_insert_rowid()],
                        )?;
                    }
                }
            }
            // As anonymisation leaves a case: no applicant row.
            tx.execute("DELETE FROM persons WHERE case_id = ?1", [cases[1]])?;
            // Persons for cases: a few facts each, a token shared by their contacts.
            for person in 0..40i64 {
                let citizenship = pick(&mut rng, &["ALB", "MAR", "PAK", "LKA", ""]);
                let sex = pick(&mut rng, &["F", "M", ""]);
                let motivo = pick(&mut rng, &["M1", "M2", "M3", ""]);
                let first = start + chrono::TimeDelta::days(rng.random_range(-200..600));
                let band = rng.random_range(0..bands.len() - 1);
                for _ in 0..rng.random_range(1..12) {
                    let d = first + chrono::TimeDelta::days(rng.random_range(0..300));
                    let who = WalkIn {
                        citizenship: citizenship.clone(),
                        sex: sex.clone(),
                        // A birthday may move the person to the next band.
                        age_band: bands[band + usize::from(rng.random_bool(0.2))].clone(),
                    };
                    insert_generated(
                        tx,
                        d,
                        "visit",
                        None,
                        1000 + person,
                        first,
                        &who,
                        &motivo,
                        table.mask(&[services[rng.random_range(0..services.len())].clone()])
                            | table.mask(&[services[rng.random_range(0..services.len())].clone()]),
                        rng.random_range(0..90),
                        &format!("op-{}", rng.random_range(0..3)),
                    )?;
                }
            }
            // The generated contacts above are for cases that are not in this register; mark them so.
            tx.execute("UPDATE desk_contacts SET walk_in = 0 WHERE person >= 1000", [])?;
            // Walk-ins: a person each.
            for i in 0..120i64 {
                let d = start + chrono::TimeDelta::days(rng.random_range(0..730));
                let who = WalkIn {
                    citizenship: pick(&mut rng, &["ALB", "MAR", "PAK", "LKA"]),
                    sex: pick(&mut rng, &["F", "M"]),
                    age_band: bands[rng.random_range(0..bands.len())].clone(),
                };
                insert_generated(
                    tx,
                    d,
                    "call",
                    None,
                    1_000_000 + i,
                    d,
                    &who,
                    "",
                    table.mask(&[services[rng.random_range(0..services.len())].clone()]),
                    rng.random_range(0..90),
                    &format!("op-{}", rng.random_range(0..3)),
                )?;
            }
            // Corrections, deletions, anonymisation.
            let ids: Vec<i64> = tx
                .prepare("SELECT id FROM desk_contacts")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids {
                match rng.random_range(0..12) {
                    0 => {
                        tx.execute("DELETE FROM desk_contacts WHERE id = ?1", [id])?;
                    }
                    1 => {
                        let mask = table.mask(&[services[rng.random_range(0..services.len())].clone()]);
                        tx.execute(
                            "UPDATE desk_contacts SET services = ?2, minutes = ?3 WHERE id = ?1",
                            rusqlite::params![id, mask, rng.random_range(0..90)],
                        )?;
                    }
                    2 => {
                        // Moved to another day, possibly another month.
                        let d = start + chrono::TimeDelta::days(rng.random_range(0..730));
                        tx.execute(
                            "UPDATE desk_contacts SET day = ?2 WHERE id = ?1 AND walk_in = 0",
                            rusqlite::params![id, d.format("%Y%m%d").to_string().parse::<i64>().unwrap()],
                        )?;
                    }
                    3 => {
                        tx.execute(
                            "UPDATE desk_contacts SET age_band = ?2, mediator = 1 - mediator WHERE id = ?1",
                            rusqlite::params![id, bands[rng.random_range(0..bands.len())]],
                        )?;
                    }
                    4 => {
                        tx.execute(
                            "UPDATE desk_contacts SET citizenship = 'TUN' WHERE id = ?1",
                            [id],
                        )?;
                    }
                    5 => {
                        tx.execute(
                            "UPDATE desk_contacts SET case_id = NULL, at = substr(at, 1, 10)
                             WHERE id = ?1",
                            [id],
                        )?;
                    }
                    _ => {}
                }
            }
            Ok(())
        })
        .unwrap();
    (dir, register)
}

#[test]
fn the_monthly_aggregates_and_a_straight_recount_agree_on_random_sets_with_corrections() {
    use mixite_core::register::report::build_recounted;
    let periods = [
        ("2021-01-01", "2021-12-31"),
        ("2022-01-01", "2022-12-31"),
        ("2021-01-01", "2022-12-31"),
        ("2021-04-01", "2021-06-30"),
        ("2021-03-17", "2021-11-04"),
        ("2021-02-01", "2021-02-28"),
        ("2021-05-03", "2021-05-20"),
        ("2021-12-31", "2022-01-01"),
        ("2020-06-15", "2023-01-31"),
    ];
    for seed in [1u64, 2, 3, 4, 5] {
        let (_dir, register) = random_set(seed);
        let contacts: i64 = register
            .store()
            .conn()
            .query_row("SELECT count(*) FROM desk_contacts", [], |r| r.get(0))
            .unwrap();
        assert!(contacts > 150, "seed {seed}: a set worth comparing");
        for under in [1, 5] {
            let definition = wide_definition(&register, under);
            for (from, to) in periods {
                let period = Period::new(day(from), day(to)).unwrap();
                let fast = register.report(&definition, period, "it").unwrap();
                let slow = build_recounted(
                    register.store().conn(),
                    register.activity(),
                    &definition,
                    period,
                    "it",
                )
                .unwrap();
                assert_eq!(
                    fast, slow,
                    "seed {seed}, {from}..{to}, under {under}: aggregates and recount differ"
                );
                if under == 1 && (from, to) == ("2021-01-01", "2022-12-31") {
                    // Not an empty agreement: the period holds persons, contacts and walk-ins.
                    let persons = &fast.table("summary").unwrap().rows[0][1];
                    assert!(matches!(persons, Cell::Count(n) if *n > 100), "{persons:?}");
                    let k2 = &row(&fast, "indicators", &["K2"])[2];
                    assert!(matches!(k2, Cell::Count(n) if *n > 0), "{k2:?}");
                    let started = &fast.table("summary").unwrap().rows[5][1];
                    assert!(matches!(started, Cell::Count(n) if *n > 0), "{started:?}");
                }
            }
        }
    }
}

#[test]
fn the_migration_fill_gives_the_aggregates_the_triggers_kept() {
    let (_dir, mut register) = random_set(7);
    let migration = include_str!("../../src-tauri/core/migrations/010_activity_months.sql");
    let fill = &migration[migration.find("-- The existing contacts.").unwrap()
        ..migration.find("-- Keeping them").unwrap()];
    let tables = [
        "desk_month_cells",
        "desk_month_masks",
        "desk_month_operators",
        "desk_person_months",
    ];
    register
        .store_mut()
        .write(|tx| {
            for t in tables {
                tx.execute_batch(&format!(
                    "CREATE TEMP TABLE kept_{t} AS SELECT * FROM {t}; DELETE FROM {t};"
                ))?;
            }
            tx.execute_batch(fill)?;
            for t in tables {
                let rows: i64 =
                    tx.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
                assert!(rows > 0, "{t} filled");
                let differ: i64 = tx.query_row(
                    &format!(
                        "SELECT count(*) FROM (SELECT * FROM {t} EXCEPT SELECT * FROM kept_{t}
                         UNION ALL SELECT * FROM kept_{t} EXCEPT SELECT * FROM {t})"
                    ),
                    [],
                    |r| r.get(0),
                )?;
                assert_eq!(differ, 0, "{t}: the fill and the triggers agree");
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_persons_months_by_number_follow_the_persons_months_by_code_and_012s_fill_agrees_and_no_month_is_rekeyed(
) {
    let (_dir, mut register) = random_set(8);
    let migration = include_str!("../../src-tauri/core/migrations/012_report_speed.sql");
    let fill = &migration[migration.find("INSERT INTO desk_facts").unwrap()
        ..migration.find("CREATE TRIGGER").unwrap()];
    let by_code = "SELECT month, person, citizenship, sex, age_band, motivo, first_day, services
                   FROM desk_person_months";
    let by_number =
        "SELECT p.month, p.person, f.citizenship, f.sex, f.age_band, f.motivo, p.first_day,
                            p.services
                     FROM desk_person_facts p JOIN desk_facts f ON f.id = p.facts";
    register
        .store_mut()
        .write(|tx| {
            let compare = |what: &str| -> rusqlite::Result<()> {
                let rows: i64 =
                    tx.query_row("SELECT count(*) FROM desk_person_facts", [], |r| r.get(0))?;
                assert!(rows > 100, "{what}: the persons' months are there ({rows})");
                let differ: i64 = tx.query_row(
                    &format!(
                        "SELECT count(*) FROM ({by_code} EXCEPT {by_number}
                         UNION ALL {by_number} EXCEPT {by_code})"
                    ),
                    [],
                    |r| r.get(0),
                )?;
                assert_eq!(differ, 0, "{what}: by number and by code agree");
                Ok(())
            };
            compare("kept by the triggers through corrections and deletions")?;
            tx.execute_batch("DELETE FROM desk_person_facts; DELETE FROM desk_facts;")?;
            tx.execute_batch(fill)?;
            compare("filled by the migration")?;
            let rekeyed = tx.execute(
                "UPDATE desk_person_months SET sex = 'X'
                 WHERE (month, person) = (SELECT month, person FROM desk_person_months LIMIT 1)",
                [],
            );
            assert!(
                matches!(&rekeyed, Err(e) if e.to_string().contains("not re-keyed")),
                "a person's month is rebuilt, never re-keyed: {rekeyed:?}"
            );
            Ok(())
        })
        .unwrap();
}

/// The report's PDF, written to `target/test-artifacts/<name>.pdf` for a look.
fn report_pdf(register: &Register, report: &Report, d: &Definition, name: &str) -> PathBuf {
    let fonts = FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"));
    let pdf = papers_report::render(register, &fonts, report, d, "it", day("2026-12-05")).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    path
}

#[test]
fn the_pdf_report_has_its_cover_the_tables_numbers_the_suppressed_cells_and_vector_charts() {
    let (_dir, mut register, _) = fixed_set();
    register
        .record_staff_time(
            &StaffTimeInput {
                day: "2021-03-02".into(),
                kind: "training".into(),
                minutes: 90,
            },
            &at("2021-03-04"),
            &boss(),
        )
        .unwrap();
    let d = definition(&register, 5);
    let report = register.report(&d, Period::year(2021), "it").unwrap();
    let path = report_pdf(&register, &report, &d, "report-2021");
    let file = path.to_str().unwrap();
    let text = tool("pdftotext", &["-layout", file, "-"]);
    for cover in [
        "Prova",
        "Periodo: dal 01/01/2021 al 31/12/2021",
        "Sportello: Comune di Lucca",
        "Rapporto prodotto il 05/12/2026",
        "Fonte della definizione: https://example.org/prova",
        "Regola di riservatezza",
        "Nessuna voce della definizione è segnata da verificare.",
    ] {
        assert!(text.contains(cover), "the cover says {cover:?}:\n{text}");
    }
    assert!(text.contains(&report.rule[..40]), "the rule is stated");
    // The summary's numbers, each on its label's line (written by hand in `fixed_set`).
    let line = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("a line {label:?}:\n{text}"))
            .split_whitespace()
            .last()
            .unwrap()
            .to_string()
    };
    assert_eq!(line("Persone raggiunte (distinte)"), "11");
    assert_eq!(line("Contatti con mediatore"), "0");
    assert_eq!(line("Minuti medi per contatto"), "12,14");
    assert_eq!(line("Accessi anonimi senza pratica"), "9");
    assert!(text.contains("<5"), "suppressed cells print <5");
    assert!(
        text.contains("Nessun dato nel periodo."),
        "an empty table (no satisfaction answers) says so"
    );
    assert!(!text.contains("report.pdf."), "every text is translated");
    // Charts with their value labels, and a timesheet page per operator with the signature lines.
    assert!(text.contains("Grafici") && text.contains("Per mese: Contatti"));
    assert!(text.contains("Per cittadinanza: Persone"));
    assert!(text.contains("Per mese: andamento"));
    // (the tests' actors are not in the operators table: the timesheet names them by their id)
    for operator in [op("").id, boss().id] {
        let squeezed: String = text.split_whitespace().collect();
        assert!(
            squeezed.contains(&format!("operatore:{operator}")),
            "{operator}'s timesheet page"
        );
    }
    assert_eq!(text.matches("Firma dell'operatore").count(), 2);
    assert_eq!(text.matches("Firma del responsabile").count(), 2);
    let pages = crate::pdf_pages(std::path::Path::new(file));
    assert!((6..=20).contains(&pages), "{pages} pages");
    // Vector charts: no image in the file, and path operators (rectangles, lines) in the pages.
    let images = tool("pdfimages", &["-list", file]);
    assert_eq!(
        images.lines().count(),
        2,
        "no image, only the header:\n{images}"
    );
    let doc = lopdf::Document::load(&path).unwrap();
    let charts_page = doc.get_pages()[&2];
    let content = String::from_utf8_lossy(&doc.get_page_content(charts_page)).to_string();
    let ops = |op: &str| {
        content
            .lines()
            .filter(|l| l.split_whitespace().last() == Some(op))
            .count()
    };
    assert!(ops("re") >= 10, "bars are rectangles:\n{content}");
    assert!(ops("l") >= 10, "axes and the trend are lines");
    assert!(
        ops("f") + ops("f*") >= 5 && ops("S") >= 10,
        "filled and stroked"
    );

    // Without suppression every month is a point: the trend is one path through the three months
    // (a move and two lines in a row; the axes are a move and one line each).
    let d = definition(&register, 1);
    let report = register.report(&d, Period::year(2021), "it").unwrap();
    let path = report_pdf(&register, &report, &d, "report-2021-unsuppressed");
    let doc = lopdf::Document::load(&path).unwrap();
    let content = String::from_utf8_lossy(&doc.get_page_content(doc.get_pages()[&2])).to_string();
    let last: Vec<&str> = content
        .lines()
        .map(|l| l.split_whitespace().last().unwrap_or(""))
        .collect();
    assert!(
        last.windows(3).any(|w| w == ["m", "l", "l"]),
        "a polyline of three points: {content}"
    );
}

#[test]
fn the_pdf_cover_shows_the_definitions_verify_marks_and_its_source() {
    let (_dir, register, _) = fixed_set();
    let amif = register
        .report_definitions()
        .unwrap()
        .into_iter()
        .find(|d| d.id == "amif-2021-2027-so2")
        .unwrap();
    let report = register.report(&amif, Period::year(2021), "it").unwrap();
    let path = report_pdf(&register, &report, &amif, "report-amif-2021");
    let text = tool("pdftotext", &[path.to_str().unwrap(), "-"]);
    let squeezed: String = text.split_whitespace().collect();
    assert!(text.contains(&amif.title_it));
    let source: String = amif.source.split_whitespace().collect();
    assert!(squeezed.contains(&source), "the definition's source");
    for i in &amif.indicators {
        let mark: String = format!("Daverificare–{}", i.code);
        assert!(squeezed.contains(&mark), "{} is marked to verify", i.code);
    }
}

#[test]
fn every_text_of_the_pdf_report_is_in_both_operator_languages() {
    for locale in ["it", "en"] {
        for key in papers_report::KEYS {
            let t = papers_report::text(locale, key, &[]);
            assert!(!t.starts_with("report.pdf."), "{locale}: report.pdf.{key}");
        }
    }
}

#[test]
fn the_access_report_lists_the_cases_desk_contacts() {
    let (_dir, mut register) = temp_register();
    let case = crate::create(&mut register, worker());
    contact(
        &mut register,
        "2026-11-26",
        Some(case.id),
        WalkIn::default(),
        &["information", "form_help"],
        25,
    );
    let fonts = FontLibrary::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts"));
    let pdf = mixite_core::papers::access_report::render_access_report(
        &register,
        &fonts,
        case.id,
        "en",
        day("2026-11-26"),
    )
    .unwrap();
    let text = crate::squeezed_text(&pdf);
    let label = "Deskcontacts(date,kind,services,minutes,operator):";
    let at = text.find(label).unwrap_or_else(|| panic!("{text}"));
    let line = &text[at..(at + 160).min(text.len())];
    for part in [
        "26/11/2026",
        "Accessoallosportello",
        "Informazioni",
        "25min",
    ] {
        assert!(line.contains(part), "{part} in {line}");
    }
}

#[test]
fn the_visit_proposals_and_the_satisfaction_question_are_data_in_every_applicant_language() {
    let (_dir, register) = temp_register();
    let table = register.activity();
    let on = |action: &str| {
        table
            .proposals
            .iter()
            .filter(|p| p.on == action)
            .flat_map(|p| p.services.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(on("open"), ["information"]);
    assert_eq!(on("paper.checklist"), ["checklist"]);
    assert_eq!(on("paper.guide"), ["form_help"]);
    assert_eq!(on("step.questura_appointment"), ["booking"]);
    assert!(on("step.kit_sent").contains(&"kit_check".to_string()));
    // A proposal naming an unknown service or step is refused with the file and line.
    let text = include_str!("../../assets/reference/activity.toml");
    for bad in [
        "on = \"step.kit_sent\"\nservices = [\"kit_check\"]",
        "on = \"open\"\nservices = [\"information\"]",
    ] {
        let broken = text.replacen(
            bad,
            &bad.replace("kit_check", "nope")
                .replace("\"open\"", "\"opened\""),
            1,
        );
        assert!(
            mixite_core::register::activity::Table::from_source(("activity.toml", &broken))
                .is_err(),
            "refused: {bad}"
        );
    }

    let languages: Vec<String> = register
        .reference()
        .languages
        .iter()
        .map(|l| l.code.clone())
        .collect();
    assert_eq!(languages.len(), 16);
    let italian = register.satisfaction_question("it");
    assert!(italian.applicant.is_none(), "Italian is asked once");
    assert_eq!(
        italian.italian.question,
        "Questo servizio le è stato utile?"
    );
    let codes: Vec<&str> = italian
        .italian
        .answers
        .iter()
        .map(|(c, _)| c.as_str())
        .collect();
    assert_eq!(
        codes,
        table.answer_codes(),
        "every answer of activity.toml, in its order"
    );
    for code in languages.iter().filter(|c| *c != "it") {
        let q = register.satisfaction_question(code);
        let theirs = q
            .applicant
            .unwrap_or_else(|| panic!("{code}: the applicant's question"));
        assert!(
            !theirs.question.starts_with("checklist."),
            "{code}: translated"
        );
        assert_ne!(
            theirs.question, italian.italian.question,
            "{code}: not the Italian"
        );
        for (c, text) in &theirs.answers {
            assert!(
                !text.is_empty() && !text.starts_with("checklist."),
                "{code}: answer {c}"
            );
        }
    }
    let arabic = register.satisfaction_question("ar").applicant.unwrap();
    assert_eq!(
        (arabic.language.as_str(), arabic.dir.as_str()),
        ("ar", "rtl")
    );
    assert_eq!(
        register.satisfaction_question("fr").applicant.unwrap().dir,
        "ltr"
    );
    assert!(register.satisfaction_question("").applicant.is_none());
}
