//! The print engine on real PDFs, checked with poppler's tools (`pdftotext`, `pdffonts`, `pdfinfo`,
//! `pdftoppm`): every tier language comes back as words in logical order, fonts are embedded as subsets,
//! pages are numbered, and text with a character no shipped font has is refused. Sample pages are
//! rendered to PNG under `$ARTIFACTS` (default `artifacts/print/`) for a human to look at.

use crate::tool;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use mixite_core::papers::print::{
    Align, Document, FontLibrary, Header, Lang, PageSetup, Paint, PrintError, Style,
};
use mixite_core::reference::Reference;
use unicode_normalization::UnicodeNormalization;

fn fonts() -> &'static FontLibrary {
    static FONTS: OnceLock<FontLibrary> = OnceLock::new();
    FONTS.get_or_init(|| {
        FontLibrary::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts"))
    })
}

fn artifacts() -> PathBuf {
    let dir = std::env::var_os("ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts"))
        .join("print");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lang(code: &str) -> Lang {
    let reference = Reference::bundled().unwrap();
    Lang::try_from(reference.language(code).expect("a tier language")).unwrap()
}

/// Checklist lines: (Italian, the applicant's language). Realistic items of a renewal kit.
fn items(code: &str) -> Vec<(&'static str, &'static str)> {
    match code {
        "ar" => vec![
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
        "ur" => vec![
            ("Fotocopia del passaporto", "پاسپورٹ کی فوٹو کاپی"),
            (
                "Due fotografie formato tessera",
                "پاسپورٹ سائز کی دو تصاویر",
            ),
            ("Ricevuta dell'ufficio postale", "ڈاک خانے کی رسید"),
            ("Contratto di lavoro firmato", "دستخط شدہ ملازمت کا معاہدہ"),
            ("Appuntamento in Questura", "Questura میں ملاقات کا وقت"),
        ],
        "bn" => vec![
            ("Fotocopia del passaporto", "পাসপোর্টের ফটোকপি"),
            ("Documenti necessari", "প্রয়োজনীয় কাগজপত্র"),
            ("Due fotografie formato tessera", "পাসপোর্ট সাইজের দুটি ছবি"),
            ("Contratto di lavoro", "চাকরির চুক্তিপত্র"),
            ("Ricevuta dell'ufficio postale", "ডাকঘরের রসিদ"),
        ],
        "zh" => vec![
            ("Fotocopia del passaporto", "护照复印件"),
            ("Due fotografie formato tessera", "两张护照尺寸的照片"),
            ("Ricevuta di pagamento dell'ufficio postale", "邮局付款收据"),
            ("Contratto di lavoro firmato", "已签署的劳动合同"),
            ("Marca da bollo da 16 euro", "16欧元印花税票"),
        ],
        "si" => vec![
            ("Fotocopia del passaporto", "විදේශ ගමන් බලපත්‍රයේ ඡායා පිටපත"),
            ("Due fotografie formato tessera", "ඡායාරූප දෙකක්"),
            ("Ricevuta dell'ufficio postale", "තැපැල් කාර්යාලයේ රිසිට්පත"),
            ("Contratto di lavoro", "රැකියා ගිවිසුම"),
        ],
        "ta" => vec![
            ("Fotocopia del passaporto", "கடவுச்சீட்டின் நகல்"),
            ("Due fotografie formato tessera", "இரண்டு புகைப்படங்கள்"),
            ("Ricevuta dell'ufficio postale", "அஞ்சல் அலுவலக ரசீது"),
            ("Contratto di lavoro", "வேலை ஒப்பந்தம்"),
        ],
        "hi" => vec![
            ("Fotocopia del passaporto", "पासपोर्ट की फोटोकॉपी"),
            ("Documenti necessari", "आवश्यक दस्तावेज़"),
            ("Ricevuta dell'ufficio postale", "डाकघर की रसीद"),
            ("Contratto di lavoro", "रोज़गार अनुबंध"),
        ],
        "pa" => vec![
            ("Fotocopia del passaporto", "ਪਾਸਪੋਰਟ ਦੀ ਫੋਟੋਕਾਪੀ"),
            ("Documenti necessari", "ਜ਼ਰੂਰੀ ਦਸਤਾਵੇਜ਼"),
            ("Ricevuta dell'ufficio postale", "ਡਾਕਘਰ ਦੀ ਰਸੀਦ"),
            ("Contratto di lavoro", "ਨੌਕਰੀ ਦਾ ਇਕਰਾਰਨਾਮਾ"),
        ],
        other => panic!("no samples for {other}"),
    }
}

/// A checklist-like document of exactly two pages: title, applicant line, bilingual rows until the
/// second page has started, then a few more rows.
fn checklist(code: &str) -> Vec<u8> {
    let other = lang(code);
    let italian = Lang::italian();
    let mut setup = PageSetup::a4();
    setup.header = Some(Header {
        lines: vec![(
            "Comune di Lucca – Sportello Mixitè".to_string(),
            italian.clone(),
        )],
    });
    let mut doc = Document::new(fonts(), setup).unwrap();
    doc.paragraph(
        "Rinnovo del permesso di soggiorno",
        &italian,
        Style::title(),
    )
    .unwrap();
    doc.paragraph("Documenti da portare", &other, Style::body().bold())
        .unwrap();
    doc.paragraph("Richiedente: Hoxha Arben", &italian, Style::body())
        .unwrap();
    doc.rule();
    let samples = items(code);
    let mut rows = 0;
    while doc.page_count() < 2 || rows % samples.len() != 0 {
        let (it, tr) = samples[rows % samples.len()];
        doc.bilingual_item(it, Some((tr, &other)), Style::body())
            .unwrap();
        rows += 1;
    }
    assert_eq!(doc.page_count(), 2, "the sample fills exactly two pages");
    doc.render().unwrap()
}

fn save(name: &str, pdf: &[u8]) -> PathBuf {
    let path = artifacts().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    path
}

/// Extracted text with whitespace runs collapsed and NFC applied (Arabic marks may come back decomposed).
fn text_of(path: &Path, page: Option<usize>) -> String {
    let p = path.to_str().unwrap();
    let text = match page {
        Some(n) => {
            let n = n.to_string();
            tool("pdftotext", &["-f", &n, "-l", &n, p, "-"])
        }
        None => tool("pdftotext", &[p, "-"]),
    };
    normalise(&text)
}

fn normalise(s: &str) -> String {
    // pdftotext wraps right-to-left stretches in RLE … PDF (U+202B, U+202C).
    s.replace(['\u{202A}', '\u{202B}', '\u{202C}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .nfc()
        .collect()
}

/// The stretches of a line that a reader gives back whole: the line itself, or for a right-to-left line
/// with Latin words in it, the right-to-left and the Latin stretches. pdftotext orders the stretches of
/// a mixed line by the page's main direction (poppler's `primaryLR`, here Italian, so left to right),
/// which no PDF writer controls; each stretch must still be in logical order.
fn direction_segments(line: &str) -> Vec<String> {
    let mut segments: Vec<(bool, Vec<&str>)> = Vec::new();
    for word in line.split_whitespace() {
        let latin = word.chars().any(|c| c.is_ascii_alphanumeric());
        match segments.last_mut() {
            Some((l, words)) if *l == latin => words.push(word),
            _ => segments.push((latin, vec![word])),
        }
    }
    segments
        .into_iter()
        .map(|(_, words)| normalise(&words.join(" ")))
        .collect()
}

/// The embedded fonts as `pdffonts` lists them: (name, embedded, subset).
fn fonts_of(path: &Path) -> Vec<(String, bool, bool)> {
    tool("pdffonts", &[path.to_str().unwrap()])
        .lines()
        .skip(2)
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let n = cols.len();
            (
                cols[0].to_string(),
                cols[n - 5] == "yes",
                cols[n - 4] == "yes",
            )
        })
        .collect()
}

fn png(path: &Path, name: &str) {
    let out = artifacts().join(name);
    tool(
        "pdftoppm",
        &[
            "-r",
            "60",
            "-png",
            path.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
}

/// Renders the it+`code` checklist and checks what a reader gets back from it.
fn check_language(code: &str, face: &str) {
    let pdf = checklist(code);
    let path = save(&format!("checklist-it-{code}"), &pdf);
    png(&path, &format!("checklist-it-{code}"));

    let info = tool("pdfinfo", &[path.to_str().unwrap()]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(" 2")),
        "two pages: {info}"
    );

    let text = text_of(&path, None);
    for (it, other) in items(code) {
        assert!(
            text.contains(&normalise(it)),
            "{code}: the Italian line {it:?} comes back as written, in {text}"
        );
        for segment in direction_segments(other) {
            assert!(
                text.contains(&segment),
                "{code}: {segment:?} of the {code} line {other:?} comes back in logical order, in {text}"
            );
        }
    }

    for page in [1, 2] {
        assert!(
            text_of(&path, Some(page)).contains(&format!("{page}/2")),
            "page {page} carries its number {page}/2"
        );
    }

    let embedded = fonts_of(&path);
    assert!(
        embedded.iter().all(|(_, emb, sub)| *emb && *sub),
        "{code}: every font embedded and subset: {embedded:?}"
    );
    assert!(
        embedded
            .iter()
            .all(|(name, _, _)| name.len() > 7 && name.as_bytes()[6] == b'+'),
        "{code}: subset fonts carry the ABCDEF+ tag: {embedded:?}"
    );
    assert!(
        embedded.iter().any(|(name, _, _)| name.contains(face)),
        "{code}: {face} is embedded: {embedded:?}"
    );
    assert!(
        embedded
            .iter()
            .any(|(name, _, _)| name.contains("NotoSans-")),
        "{code}: Noto Sans is embedded for the Italian lines: {embedded:?}"
    );
}

#[test]
fn an_arabic_checklist_joins_letters_and_extracts_right_to_left_text_in_logical_order() {
    check_language("ar", "NotoNaskhArabic");
}

#[test]
fn an_urdu_checklist_is_set_in_nastaliq_and_extracts_in_logical_order() {
    check_language("ur", "NotoNastaliqUrdu");
}

#[test]
fn a_bengali_checklist_keeps_conjuncts_and_two_part_vowel_signs_searchable() {
    check_language("bn", "NotoSansBengali");
}

#[test]
fn a_chinese_checklist_extracts_and_stays_under_80_kb() {
    check_language("zh", "NotoSansCJKsc");
    let pdf = checklist("zh");
    assert!(
        pdf.len() < 80_000,
        "a two-page it+zh checklist with subset fonts is {} bytes, over the 80 KB budget",
        pdf.len()
    );
}

#[test]
fn a_sinhala_checklist_extracts_in_logical_order() {
    check_language("si", "NotoSansSinhala");
}

#[test]
fn a_tamil_checklist_extracts_in_logical_order() {
    check_language("ta", "NotoSansTamil");
}

#[test]
fn a_hindi_checklist_extracts_in_logical_order() {
    check_language("hi", "NotoSansDevanagari");
}

#[test]
fn a_punjabi_checklist_extracts_in_logical_order() {
    check_language("pa", "NotoSansGurmukhi");
}

#[test]
fn every_language_of_the_reference_table_has_a_font() {
    let reference = Reference::bundled().unwrap();
    for code in [
        "it", "en", "fr", "ar", "sq", "si", "ur", "bn", "uk", "ru", "es", "zh", "ro", "ta", "pa",
        "hi",
    ] {
        let language = reference.language(code).expect("a tier language");
        let lang = Lang::try_from(language).expect("the engine knows its script and direction");
        let missing = fonts().missing_chars(&language.endonym, &lang).unwrap();
        assert!(
            missing.is_empty(),
            "{code}: the endonym prints, missing {missing:?}"
        );
    }
}

#[test]
fn a_name_with_a_character_no_font_has_is_refused_with_that_character_named() {
    let italian = Lang::italian();
    let name = "Zhang 😀 Wei \u{2D30}\u{2D31}";
    assert_eq!(
        fonts().missing_chars(name, &italian).unwrap(),
        vec!['😀', '\u{2D30}', '\u{2D31}'],
        "the emoji and the Tifinagh letters have no shipped font; the Latin letters do"
    );
    let mut doc = Document::new(fonts(), PageSetup::a4()).unwrap();
    let err = doc
        .paragraph(&format!("Richiedente: {name}"), &italian, Style::body())
        .unwrap_err();
    assert_eq!(
        err,
        PrintError::MissingGlyphs {
            chars: vec!['😀', '\u{2D30}', '\u{2D31}']
        },
        "the engine refuses rather than drawing empty boxes"
    );
    assert!(
        err.to_string().contains("U+1F600"),
        "the message names the code point: {err}"
    );
    let err = doc
        .bilingual_item("Nome", Some(("名字 \u{2A6D6}", &lang("zh"))), Style::body())
        .unwrap_err();
    assert!(
        matches!(&err, PrintError::MissingGlyphs { chars } if chars == &['\u{2A6D6}']),
        "a CJK Extension B ideograph outside the shipped face is refused: {err:?}"
    );
}

#[test]
fn a_latin_word_in_an_arabic_line_falls_back_to_noto_sans() {
    let mut doc = Document::new(fonts(), PageSetup::a4()).unwrap();
    doc.paragraph("موعد في Questura يوم 12", &lang("ar"), Style::body())
        .unwrap();
    let path = save("fallback-ar-latin", &doc.render().unwrap());
    let embedded = fonts_of(&path);
    assert!(
        embedded
            .iter()
            .any(|(n, _, _)| n.contains("NotoNaskhArabic"))
            && embedded.iter().any(|(n, _, _)| n.contains("NotoSans-")),
        "Naskh has no Latin letters, so Questura is set in Noto Sans: {embedded:?}"
    );
    let text = text_of(&path, None);
    assert!(text.contains("Questura"), "{text}");
    assert!(text.contains(&normalise("موعد في")), "{text}");
}

#[test]
fn form_boxes_print_block_capitals_and_refuse_a_value_longer_than_the_row() {
    let mut doc = Document::new(fonts(), PageSetup::a4()).unwrap();
    doc.boxes("Cognome", "Hoxha", 16).unwrap();
    doc.boxes("Codice fiscale", "HXHRBN90D15Z100Z", 16).unwrap();
    doc.rect(18.0, 120.0, 60.0, 10.0, Paint::Fill(0.9));
    doc.rect(18.0, 135.0, 60.0, 10.0, Paint::Stroke(1.0));
    doc.line((18.0, 150.0), (78.0, 150.0), 0.5);
    assert_eq!(
        doc.boxes("Nome", "Abcdefghijklmnopq", 16).unwrap_err(),
        PrintError::Overflow { len: 17, boxes: 16 },
        "seventeen letters do not fit in sixteen boxes"
    );
    let path = save("form-boxes", &doc.render().unwrap());
    png(&path, "form-boxes");
    let text = text_of(&path, None);
    assert!(text.contains("Cognome"), "{text}");
    for c in "HOXHA".chars() {
        assert!(text.contains(c), "{c} is printed in a box: {text}");
    }
}

/// The words `pdftotext -bbox` finds on page 1: (text, xMin, yMin, xMax, yMax), points from the top left.
fn words(path: &Path) -> Vec<(String, f32, f32, f32, f32)> {
    tool(
        "pdftotext",
        &["-bbox", "-f", "1", "-l", "1", path.to_str().unwrap(), "-"],
    )
    .lines()
    .filter_map(|l| {
        let l = l.trim().strip_prefix("<word ")?;
        let attr = |name: &str| -> Option<f32> {
            l.split(&format!("{name}=\""))
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()
        };
        let text = l.split('>').nth(1)?.split("</word").next()?.to_string();
        Some((
            text,
            attr("xMin")?,
            attr("yMin")?,
            attr("xMax")?,
            attr("yMax")?,
        ))
    })
    .collect()
}

#[test]
fn fixed_pitch_lines_centre_every_character_in_a_cell_of_its_own_and_extract_as_written() {
    let mut doc = Document::new(fonts(), PageSetup::a4()).unwrap();
    let style = Style::title().size(20.0);
    doc.fixed_pitch("IIII\nWWWW", style, 7.0).unwrap();
    doc.fixed_pitch("AB2-\nCD7", style.align(Align::Center), 7.0)
        .unwrap();
    assert_eq!(
        doc.fixed_pitch(&"W".repeat(25), style, 7.0).unwrap_err(),
        PrintError::Overflow { len: 25, boxes: 24 },
        "twenty-five 7 mm cells do not fit 174 mm"
    );
    let path = save("fixed-pitch", &doc.render().unwrap());
    png(&path, "fixed-pitch");
    let words = words(&path);
    let line = |text: &str| {
        words
            .iter()
            .find(|w| w.0 == text)
            .unwrap_or_else(|| panic!("{text:?} extracts as one word, as written: {words:?}"))
            .clone()
    };
    // Four I's and four W's, far apart in width, each centred in its cell: both runs are centred on
    // the middle of four cells from the left margin (18 mm + 2 × 7 mm).
    let centre = (18.0 + 14.0) * 72.0 / 25.4;
    for text in ["IIII", "WWWW"] {
        let (_, x_min, _, x_max, _) = line(text);
        assert!(
            ((x_min + x_max) / 2.0 - centre).abs() < 0.5,
            "{text} is centred on its cells ({x_min}..{x_max}, centre {centre})"
        );
    }
    let (_, i_min, _, i_max, _) = line("IIII");
    assert!(
        i_max - i_min > 3.0 * 7.0 * 72.0 / 25.4,
        "narrow letters still stand a cell apart ({i_min}..{i_max})"
    );
    // As laid out (`-layout`): in reading order poppler would join a line ending with a hyphen to the
    // next and drop the hyphen, as in a word broken in prose.
    let text = normalise(&tool(
        "pdftotext",
        &["-layout", path.to_str().unwrap(), "-"],
    ));
    assert!(
        text.contains("AB2- CD7"),
        "a code broken over two lines gives back its lines: {text}"
    );
}

#[test]
fn a_figure_of_filled_rectangles_flows_like_a_block_and_is_part_of_its_pages_memo_key() {
    // A library of its own: its memo must hold only these pages.
    let library =
        FontLibrary::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts"));
    let page = |rects: &[[f32; 4]]| {
        let mut doc = Document::new(&library, PageSetup::a4()).unwrap();
        doc.paragraph("Sopra", &Lang::italian(), Style::body())
            .unwrap();
        doc.figure(20.0, 20.0, Align::Center, rects, Paint::Fill(0.0));
        doc.paragraph("Sotto", &Lang::italian(), Style::body())
            .unwrap();
        doc.render().unwrap()
    };
    let one = page(&[[0.0, 0.0, 10.0, 10.0]]);
    let other = page(&[[10.0, 10.0, 10.0, 10.0], [0.0, 0.0, 5.0, 5.0]]);
    assert_ne!(
        without_id(&one),
        without_id(&other),
        "the same words with other rectangles are another page, not the memo's first one"
    );
    library.clear_memo();
    assert_eq!(
        without_id(&other),
        without_id(&page(&[[10.0, 10.0, 10.0, 10.0], [0.0, 0.0, 5.0, 5.0]])),
        "and that page is the one written afresh"
    );
    let path = save("figure", &other);
    png(&path, "figure");
    let words = words(&path);
    let y = |text: &str| {
        let w = words.iter().find(|w| w.0 == text).expect("the word");
        (w.2, w.4)
    };
    // poppler's word boxes are the face's full ascent and descent, a point or two more than a line's.
    let ((_, above), (below, _)) = (y("Sopra"), y("Sotto"));
    let figure = 20.0 * 72.0 / 25.4;
    assert!(
        (below - above - figure).abs() < 3.0,
        "the text after the figure starts right below its 20 mm ({above} → {below})"
    );
}

#[test]
fn a_long_italian_paragraph_wraps_within_the_margins_and_flows_onto_the_next_page() {
    let mut doc = Document::new(fonts(), PageSetup::a4()).unwrap();
    let sentence =
        "Il richiedente deve presentarsi allo sportello con il passaporto in corso di validità, \
                    la ricevuta dell'assicurata e le fotografie. ";
    doc.paragraph(&sentence.repeat(60), &Lang::italian(), Style::body())
        .unwrap();
    assert!(doc.page_count() >= 2, "sixty sentences do not fit one page");
    let path = save("long-italian", &doc.render().unwrap());
    let text = text_of(&path, None);
    assert!(
        text.contains("Il richiedente deve presentarsi allo sportello"),
        "{text}"
    );
    let info = tool("pdftotext", &["-bbox", path.to_str().unwrap(), "-"]);
    let max_x = info
        .lines()
        .filter_map(|l| l.split("xMax=\"").nth(1))
        .filter_map(|r| r.split('"').next()?.parse::<f32>().ok())
        .fold(0f32, f32::max);
    let right_edge = (210.0 - 18.0) * 72.0 / 25.4;
    assert!(
        max_x <= right_edge + 0.5,
        "no word crosses the right margin ({max_x} > {right_edge})"
    );
}

/// The PDF without its trailer's random /ID (`ID[(…)(…)]`), the only part that differs between two
/// writings of the same document.
fn without_id(pdf: &[u8]) -> Vec<u8> {
    let at = pdf
        .windows(4)
        .rposition(|w| w == b"/ID[")
        .expect("a trailer /ID");
    let end = at + pdf[at..].iter().position(|b| *b == b']').expect("its end");
    [&pdf[..at], &pdf[end + 1..]].concat()
}

/// A one-page it+ar document on `library` naming `applicant`, not yet written.
fn applicant_page<'f>(library: &'f FontLibrary, applicant: &str) -> Document<'f> {
    let (italian, arabic) = (Lang::italian(), lang("ar"));
    let mut doc = Document::new(library, PageSetup::a4()).unwrap();
    doc.paragraph(
        &format!("Richiedente: {applicant}"),
        &italian,
        Style::body(),
    )
    .unwrap();
    for (it, ar) in items("ar") {
        doc.bilingual_item(it, Some((ar, &arabic)), Style::body())
            .unwrap();
    }
    doc
}

/// The [`applicant_page`] of `applicant`, written.
fn named(library: &FontLibrary, applicant: &str) -> Vec<u8> {
    applicant_page(library, applicant).render().unwrap()
}

/// A two-page it+ar document: page 1 as [`named`] prints it for Hoxha Arben, page 2 signed `signature`.
fn two_pages(library: &FontLibrary, signature: &str) -> Vec<u8> {
    let mut doc = applicant_page(library, "Hoxha Arben");
    doc.page_break();
    doc.paragraph(
        &format!("Firma: {signature}"),
        &Lang::italian(),
        Style::body(),
    )
    .unwrap();
    assert_eq!(doc.page_count(), 2);
    doc.render().unwrap()
}

#[test]
fn a_document_printed_again_from_the_memo_is_the_same_pdf_and_a_new_name_gets_its_own_glyphs() {
    // A library of its own: what the other tests print must not warm this one's memo.
    let library =
        FontLibrary::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts"));
    let first = named(&library, "Hoxha Arben");
    let again = named(&library, "Hoxha Arben");
    library.clear_memo();
    let afresh = named(&library, "Hoxha Arben");
    assert_eq!(
        without_id(&again),
        without_id(&first),
        "laid out, subset and deflated from the memo, the document is byte for byte the same"
    );
    assert_eq!(
        without_id(&afresh),
        without_id(&first),
        "and so it is once the memo is emptied and everything is computed again"
    );

    // A two-page document whose second page changes and first does not, with the same glyphs: the
    // first page's content comes from the memo, the second's is written, and the fonts still map
    // every glyph of both (the memo's page carries the glyph inventory).
    two_pages(&library, "Hoxha Arben");
    let second = two_pages(&library, "Arben Hoxha");
    library.clear_memo();
    assert_eq!(
        without_id(&second),
        without_id(&two_pages(&library, "Arben Hoxha")),
        "a page from the memo beside a page written afresh gives the PDF written all afresh"
    );
    let path = save("memo-two-pages", &second);
    let text = text_of(&path, None);
    assert!(
        text.contains("Richiedente: Hoxha Arben") && text.contains("Firma: Arben Hoxha"),
        "both pages extract: {text}"
    );

    // Another applicant: the Arabic lines and their subset come from the memo, the name's letters
    // (none of them in the first document's Latin subset) must not.
    let other = named(&library, "Żółkiewski Vyqx");
    let path = save("memo-new-name", &other);
    assert!(
        text_of(&path, None).contains("Richiedente: Żółkiewski Vyqx"),
        "the new name is printed and searchable: {}",
        text_of(&path, None)
    );
    let first_fonts = fonts_of(&save("memo-first-name", &first));
    let regular = |fonts: &[(String, bool, bool)]| {
        fonts
            .iter()
            .find(|(n, _, _)| n.ends_with("+NotoSans-Regular"))
            .map(|(n, _, sub)| (n.clone(), *sub))
            .expect("the Latin face, embedded as a subset")
    };
    let (before, after) = (regular(&first_fonts), regular(&fonts_of(&path)));
    assert!(before.1 && after.1, "both are subsets");
    assert_ne!(
        before.0, after.0,
        "a different glyph set is a different subset, with its own tag"
    );
}
