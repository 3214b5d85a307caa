//! Time to produce the bilingual checklist of a real case in process (release build): the renewal for
//! employment of `tests/fixtures/worker.json` (a worker with one child under 14), in it+ar, it+ur,
//! it+bn and it+zh, with the font library loaded once and reused as the app keeps it. Four figures per
//! language: `layout+pdf` (the translated sheet laid out and written again, with the library's memo of
//! layouts, subsets, pages and deflated streams: what the comparison with typst's warm re-render
//! measures), `first_print` (the same with the memo emptied first: the first checklist of its procedure
//! and language), `next_applicant` (the same procedure and language for another applicant: a new name
//! and case number on every iteration, the memo warm from the ones before) and `from_register` (the
//! case read from SQLite, the sheet built, its names checked against the fonts, then laid out and
//! written: what the operator waits for).
//!
//! Then the other papers of the same case (`forms`): the kit guides (Modulo 1 and 2) filled, checked and
//! written; the receipt and the privacy notice in it+ar; the comunicazione di ospitalità (three copies)
//! and the delega.
//!
//! Before that, in a fresh process: the peak resident memory (VmHWM) after printing one Chinese
//! checklist cold (CJK face read and parsed) and warm. It also writes each sheet as JSON and each PDF
//! under `target/bench/`, which `tests/bench/compare_print.py` reads to give other engines the same
//! content. Run: `cargo bench -p mixite-core --bench print`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use criterion::{criterion_group, Criterion};
use mixite_core::model::CaseData;
use mixite_core::papers::checklist::{self, Request, Sheet};
use mixite_core::papers::print::{FontLibrary, Lang};
use mixite_core::reference::catalogue::Selection;
use mixite_core::register::operators::{Actor, Role};
use mixite_core::{Clock, NewCase, Register};

const LANGUAGES: [&str; 4] = ["ar", "ur", "bn", "zh"];

/// Applicants who come after the fixture's Hoxha Arben (case 2026/000001).
const APPLICANTS: [&str; 8] = [
    "Kaur Harpreet",
    "Rahman Mohammed Abdul",
    "Popescu Ioana Maria",
    "Ndiaye Fatou",
    "Bondarenko Olena",
    "Perera Nuwan Jayasinghe",
    "Zhang Wei",
    "Qureshi Yusuf",
];

/// `sheet` as it is printed for the `n`th applicant after the fixture's: another name, another case
/// number, in both languages.
fn next_applicant(sheet: &Sheet, n: usize) -> Sheet {
    let mut next = sheet.clone();
    let number = format!("2026/{:06}", n + 2);
    for line in &mut next.header {
        for text in std::iter::once(&mut line.italian).chain(line.other.as_mut()) {
            *text = text
                .replace("2026/000001", &number)
                .replace("Hoxha Arben", APPLICANTS[n % APPLICANTS.len()]);
        }
    }
    next
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date")
}

fn request(language: &str) -> Request<'_> {
    Request {
        selection: Selection {
            procedure: "rinnovo_lavoro_subordinato",
            variant: None,
            duration: None,
        },
        language,
        italian_only: false,
    }
}

/// A register on a temporary folder holding the fixture's case.
fn register() -> (tempfile::TempDir, Register, i64) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let key = mixite_core::register::keys::DbKey::generate();
    let mut register = Register::open(dir.path(), &key).expect("a new register");
    let data: CaseData =
        serde_json::from_str(include_str!("../../../tests/fixtures/worker.json")).expect("a case");
    let case = register
        .create(
            &NewCase {
                data,
                ..NewCase::default()
            },
            &Clock::at(today()),
            &Actor::unchecked("bench", "Benchmark", Role::Operatore),
        )
        .expect("the fixture is valid");
    (dir, register, case.id)
}

fn lang(register: &Register, code: &str) -> Lang {
    Lang::try_from(register.reference().language(code).expect("a language")).expect("a script")
}

fn sheet(register: &Register, case: i64, code: &str) -> Sheet {
    checklist::for_case(register, case, &request(code), today()).expect("a checklist")
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn pages(pdf: &[u8]) -> usize {
    // Each page object carries `/Type/Page` once; `/Type/Pages` is the tree's root.
    let needle = b"/Type/Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
        .count()
}

fn bench(c: &mut Criterion) {
    let (_dir, register, case) = register();
    let fonts = FontLibrary::new(root().join("assets/fonts"));
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    let mut group = c.benchmark_group("checklist");
    for code in LANGUAGES {
        let sheet = sheet(&register, case, code);
        let lang = lang(&register, code);
        let pdf = checklist::pdf(&fonts, &sheet, &lang).expect("a PDF"); // warm
        eprintln!("it+{code}: {} pages, {} bytes", pages(&pdf), pdf.len());
        std::fs::write(out.join(format!("checklist-{code}.pdf")), &pdf).expect("write");
        let json = serde_json::json!({
            "language": code,
            "script": register.reference().language(code).map(|l| l.script.clone()),
            "dir": if lang.is_rtl() { "rtl" } else { "ltr" },
            "pages": pages(&pdf),
            "bytes": pdf.len(),
            "sheet": sheet,
        });
        std::fs::write(
            out.join(format!("checklist-{code}.json")),
            serde_json::to_vec_pretty(&json).expect("json"),
        )
        .expect("write");
        // Printed again (the preview, then the print): layouts, subsets, pages and deflated streams
        // come from the library's memo, as typst's warm re-compilation reuses its own.
        group.bench_function(format!("layout+pdf/it+{code}"), |b| {
            b.iter(|| checklist::pdf(&fonts, std::hint::black_box(&sheet), &lang))
        });
        // Printed for the first time: the memo is emptied (outside the timing) before each one.
        group.bench_function(format!("first_print/it+{code}"), |b| {
            b.iter_batched(
                || fonts.clear_memo(),
                |()| checklist::pdf(&fonts, std::hint::black_box(&sheet), &lang),
                criterion::BatchSize::PerIteration,
            )
        });
        let mut n = 0;
        group.bench_function(format!("next_applicant/it+{code}"), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    next_applicant(&sheet, n)
                },
                |next| checklist::pdf(&fonts, std::hint::black_box(&next), &lang),
                criterion::BatchSize::SmallInput,
            )
        });
        group.bench_function(format!("from_register/it+{code}"), |b| {
            b.iter(|| checklist::render(&register, &fonts, case, &request(code), today()))
        });
    }
    group.finish();

    // The kit guides of the same case: filled, checked and written.
    let case_view = register.get(case, today()).expect("the case");
    let procedure = register
        .catalogue()
        .procedure("rinnovo_lavoro_subordinato")
        .expect("a procedure");
    let mut group = c.benchmark_group("forms");
    let forms = register.forms();
    for form in mixite_core::papers::forms::for_procedure(forms, procedure) {
        let filled = mixite_core::papers::forms::fill(forms, form, &case_view, procedure)
            .expect("a complete case");
        let pdf = mixite_core::papers::forms::pdf(&fonts, &filled, today()).expect("a PDF");
        eprintln!(
            "{}: {} pages, {} bytes",
            form.head.id,
            pages(&pdf),
            pdf.len()
        );
        group.bench_function(format!("fill+pdf/{}", form.head.id), |b| {
            b.iter(|| {
                let filled = mixite_core::papers::forms::fill(forms, form, &case_view, procedure)?;
                mixite_core::papers::forms::pdf(&fonts, &filled, today())
            })
        });
    }
    // The bilingual papers (Arabic) and the typed ones, for the same case.
    group.bench_function("receipt/it+ar", |b| {
        b.iter(|| {
            mixite_core::papers::receipt::pdf(&register, &fonts, case, "ar", "Operatore", today())
        })
    });
    group.bench_function("informativa/it+ar", |b| {
        b.iter(|| {
            mixite_core::papers::receipt::informativa_pdf(&register, &fonts, case, "ar", today())
        })
    });
    let host = mixite_core::papers::declarations::Person {
        surname: "Bianchi".into(),
        given_names: "Maria".into(),
        birth_date: "1970-05-02".into(),
        birth_place: "Lucca".into(),
        citizenship: "ITA".into(),
        street: "Via Fillungo".into(),
        house_number: "10".into(),
        comune: "Lucca".into(),
        document_number: "CA12345AB".into(),
        ..Default::default()
    };
    let ospitalita = mixite_core::papers::declarations::Ospitalita {
        host: host.clone(),
        title: "proprietario".into(),
        property: mixite_core::papers::declarations::Property {
            street: "Via Fillungo".into(),
            house_number: "10".into(),
            comune: "Lucca".into(),
            ..Default::default()
        },
        kind: "ospitalita".into(),
        from: "2026-12-01".into(),
        copies: 3,
        ..Default::default()
    };
    group.bench_function("ospitalita/3_copies", |b| {
        b.iter(|| {
            mixite_core::papers::declarations::pdf(
                &fonts,
                &case_view,
                &ospitalita,
                &register,
                today(),
            )
        })
    });
    let delega = mixite_core::papers::declarations::Delega {
        delegate: host,
        purpose: "ritirare la ricevuta".into(),
    };
    group.bench_function("delega", |b| {
        b.iter(|| {
            mixite_core::papers::declarations::pdf(&fonts, &case_view, &delega, &register, today())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(40);
    targets = bench
}

fn main() {
    // Memory first, before any other language is loaded: this process prints one Chinese checklist
    // cold (the CJK face is read and parsed), then a second one warm.
    let before = peak_rss_kib();
    let (_dir, register, case) = register();
    let fonts = FontLibrary::new(root().join("assets/fonts"));
    let sheet = sheet(&register, case, "zh");
    let lang = lang(&register, "zh");
    let start = std::time::Instant::now();
    let pdf = checklist::pdf(&fonts, &sheet, &lang).expect("a PDF");
    let cold = start.elapsed();
    let start = std::time::Instant::now();
    checklist::pdf(&fonts, &sheet, &lang).expect("a PDF");
    let warm = start.elapsed();
    eprintln!(
        "it+zh: cold {:.1} ms, warm {:.1} ms, {} bytes; peak RSS (VmHWM) {} KiB before, {} KiB after",
        cold.as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3,
        pdf.len(),
        before,
        peak_rss_kib()
    );
    drop((fonts, register));
    benches();
    Criterion::default().configure_from_args().final_summary();
}
