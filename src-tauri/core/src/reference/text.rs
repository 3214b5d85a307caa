//! Text rules shared by validation, search and printing: folding names to a search key, deciding which
//! characters a field may hold, and writing a stored date the Italian way. It must not know about fields
//! or cases (see `validate`).

/// Folds a name to its search key: Latin transliteration (`Müller` → `muller`, `Çelik` → `celik`),
/// lower case, runs of anything but letters and digits collapsed to one space. Names are typed as in the
/// passport, so the key matches whatever accents the operator types or omits.
pub fn fold(s: &str) -> String {
    let ascii = deunicode::deunicode(s);
    let mut out = String::with_capacity(ascii.len());
    let mut space = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c.to_ascii_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Upper-case ASCII letters and digits only: the key for document numbers, codici fiscali and
/// assicurata numbers, so `ab 123-45` finds `AB12345`.
pub fn code_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Trims and collapses internal runs of white space to one space.
pub fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A character no form field may contain: control characters (a newline only where `multiline`),
/// bidirectional overrides that could make printed text lie about its order, the replacement
/// character (what a lone surrogate becomes on the way in) and non-characters.
pub fn forbidden_char(c: char, multiline: bool) -> bool {
    if multiline && (c == '\n' || c == '\t') {
        return false;
    }
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFFD}')
        || matches!(c as u32, 0xFDD0..=0xFDEF)
        || (c as u32 & 0xFFFE) == 0xFFFE
}

/// Letters of the Latin script (with diacritics), as a passport writes names in its visual zone.
pub fn latin_letter(c: char) -> bool {
    c.is_alphabetic()
        && matches!(c as u32, 0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF)
        && c != '×'
        && c != '÷'
}

/// A name as written in the passport: Latin letters, spaces, apostrophes, hyphens and dots.
pub fn valid_name(s: &str) -> bool {
    s.chars()
        .all(|c| latin_letter(c) || matches!(c, ' ' | '\'' | '’' | '-' | '.'))
        && s.chars().any(latin_letter)
}

/// A stored `YYYY-MM-DD` date as Italian papers write it (`GG/MM/AAAA`); anything else as it is.
pub fn italian_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso.trim(), "%Y-%m-%d")
        .map_or_else(|_| iso.to_string(), |d| d.format("%d/%m/%Y").to_string())
}
