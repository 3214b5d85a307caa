// Which files form a content pack: shared by the core (`reference::content`) and its build script,
// which embeds the same files, so a file added to one of these folders is in the built-in content and
// in every pack built afterwards without another list to update. A new *area* (a folder of files of one
// kind, such as `locales/rights/`) is one more row here, and its loader takes its files from `Content`.

/// Folders whose every file with the extension belongs to the pack: `(folder, extension)`.
pub const AREAS: [(&str, &str); 2] = [("assets/procedures", "toml"), ("locales/checklist", "yml")];

/// Single files that belong to the pack: the dated reference tables the loaders check, the hosts whose
/// pages are official (the strength of every catalogue row) and who wrote and reviewed each language's
/// texts (the mark on paper), and the agenda's terms and lead-time readings.
pub const REFERENCE_FILES: [&str; 8] = [
    "assets/reference/motivi.toml",
    "assets/reference/languages.toml",
    "assets/reference/countries.json",
    "assets/reference/fees.toml",
    "assets/reference/assegno_sociale.toml",
    "assets/reference/sources.toml",
    "assets/reference/translations.toml",
    "assets/reference/agenda.toml",
];

/// The built-in content's version and date (not itself part of a pack: a pack's manifest says them).
pub const VERSION_FILE: &str = "assets/pack.toml";
