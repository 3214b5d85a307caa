//! Throughput of the case form's input helpers (release build): reading a passport's MRZ (TD3, as a
//! scanner sends it, tidying included) and an Italian permit's (TD1), and the codice fiscale hint
//! (computed from the applicant's data, compared with the entered code). Criterion reports the time
//! per call and, with `Throughput::Elements(1)`, calls per second.
//! Run: `cargo bench -p mixite-core --bench input`.

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mixite_core::model::CaseData;
use mixite_core::reference::codice_fiscale;
use mixite_core::reference::mrz;
use mixite_core::reference::Reference;

const PASSPORT: &str =
    "P<ALBHOXHA<<ARBEN<<<<<<<<<<<<<<<<<<<<<<<<<<<\nBA12345675ALB9004159M3002289<<<<<<<<<<<<<<<4\n";
const CARD: &str =
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

fn bench(c: &mut Criterion) {
    let reference = Reference::bundled().expect("bundled tables");
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date");
    let case: CaseData =
        serde_json::from_str(include_str!("../../../tests/fixtures/worker.json")).expect("a case");
    // The comuni table loads on first use; do it before measuring.
    codice_fiscale::belfiore("Lucca", None, today);
    let mut group = c.benchmark_group("input");
    group.throughput(Throughput::Elements(1));
    group.bench_function("mrz_td3", |b| {
        b.iter(|| mrz::read(std::hint::black_box(PASSPORT), &reference, today))
    });
    group.bench_function("mrz_td1", |b| {
        b.iter(|| mrz::read(std::hint::black_box(CARD), &reference, today))
    });
    group.bench_function("codice_fiscale_hint", |b| {
        b.iter(|| codice_fiscale::hint(std::hint::black_box(&case.applicant), &reference))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
