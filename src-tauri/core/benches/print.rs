//! Time to lay out and write a two-page bilingual checklist in process (it+ar, it+ur, it+bn, it+zh), with
//! the font library loaded once and reused across iterations as the app keeps it; and, before that, the
//! peak resident memory (VmHWM) of a process that has printed one Chinese checklist.
//! Run: `cargo bench -p mixite-core --bench print`.

use std::path::Path;

use criterion::{criterion_group, Criterion};
use mixite_core::print::{Document, FontLibrary, Header, Lang, PageSetup, Style};

fn fonts_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts")
}

fn lang(code: &str) -> Lang {
    match code {
        "ar" | "ur" => Lang::new(code, "Arab", "rtl").unwrap(),
        "bn" => Lang::new(code, "Beng", "ltr").unwrap(),
        "zh" => Lang::new(code, "Hans", "ltr").unwrap(),
        other => panic!("no samples for {other}"),
    }
}

fn items(code: &str) -> [(&'static str, &'static str); 5] {
    match code {
        "ar" => [
            ("Fotocopia del passaporto", "نسخة من جواز السفر"),
            (
                "Due fotografie formato tessera",
                "صورتان شخصيتان بحجم جواز السفر",
            ),
            (
                "Ricevuta di pagamento dell'ufficio postale",
                "إيصال الدفع من مكتب البريد",
            ),
            (
                "Appuntamento in Questura a Lucca",
                "موعد في Questura في مدينة لوكا",
            ),
            ("Marca da bollo da 16 euro", "طابع ضريبي بقيمة 16 يورو"),
        ],
        "ur" => [
            ("Fotocopia del passaporto", "پاسپورٹ کی فوٹو کاپی"),
            (
                "Due fotografie formato tessera",
                "پاسپورٹ سائز کی دو تصاویر",
            ),
            ("Ricevuta dell'ufficio postale", "ڈاک خانے کی رسید"),
            ("Contratto di lavoro firmato", "دستخط شدہ ملازمت کا معاہدہ"),
            ("Appuntamento in Questura", "Questura میں ملاقات کا وقت"),
        ],
        "bn" => [
            ("Fotocopia del passaporto", "পাসপোর্টের ফটোকপি"),
            ("Documenti necessari", "প্রয়োজনীয় কাগজপত্র"),
            ("Due fotografie formato tessera", "পাসপোর্ট সাইজের দুটি ছবি"),
            ("Contratto di lavoro", "চাকরির চুক্তিপত্র"),
            ("Ricevuta dell'ufficio postale", "ডাকঘরের রসিদ"),
        ],
        "zh" => [
            ("Fotocopia del passaporto", "护照复印件"),
            ("Due fotografie formato tessera", "两张护照尺寸的照片"),
            ("Ricevuta di pagamento dell'ufficio postale", "邮局付款收据"),
            ("Contratto di lavoro firmato", "已签署的劳动合同"),
            ("Marca da bollo da 16 euro", "16欧元印花税票"),
        ],
        other => panic!("no samples for {other}"),
    }
}

/// The same document as the tests' checklists: header, title, 20 bilingual rows over two pages.
fn checklist(fonts: &FontLibrary, code: &str) -> Vec<u8> {
    let other = lang(code);
    let italian = Lang::italian();
    let mut setup = PageSetup::a4();
    setup.header = Some(Header {
        lines: vec![("Comune di Lucca – Sportello Mixitè".into(), italian.clone())],
    });
    let mut doc = Document::new(fonts, setup).unwrap();
    doc.paragraph(
        "Rinnovo del permesso di soggiorno",
        &italian,
        Style::title(),
    )
    .unwrap();
    doc.paragraph("Richiedente: Hoxha Arben", &italian, Style::body())
        .unwrap();
    doc.rule();
    for (it, tr) in items(code).iter().cycle().take(22) {
        doc.bilingual_item(it, Some((tr, &other))).unwrap();
    }
    assert_eq!(doc.page_count(), 2, "{code}: two pages");
    doc.render().unwrap()
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

fn bench(c: &mut Criterion) {
    let fonts = FontLibrary::new(fonts_dir());
    let mut group = c.benchmark_group("checklist_2_pages");
    for code in ["ar", "ur", "bn", "zh"] {
        let pdf = checklist(&fonts, code); // warm: faces parsed, shaping plans built
        eprintln!("it+{code}: {} bytes", pdf.len());
        group.bench_function(format!("it+{code}"), |b| {
            b.iter(|| checklist(&fonts, std::hint::black_box(code)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(40);
    targets = bench
}

fn main() {
    // Memory first, before any other language is loaded: a fresh process printing one Chinese
    // checklist (cold: the CJK face is read and parsed), then a second one (warm).
    let before = peak_rss_kib();
    let fonts = FontLibrary::new(fonts_dir());
    let start = std::time::Instant::now();
    let pdf = checklist(&fonts, "zh");
    let cold = start.elapsed();
    let start = std::time::Instant::now();
    checklist(&fonts, "zh");
    let warm = start.elapsed();
    eprintln!(
        "it+zh: cold {:.1} ms, warm {:.1} ms, {} bytes; peak RSS (VmHWM) {} KiB before, {} KiB after",
        cold.as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3,
        pdf.len(),
        before,
        peak_rss_kib()
    );
    drop(fonts);
    benches();
    Criterion::default().configure_from_args().final_summary();
}
