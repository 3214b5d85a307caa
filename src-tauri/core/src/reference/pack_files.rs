// Which files form a content pack: shared by the core (`reference::content`) and its build script,
// which embeds the same files, so a file added to one of these folders is in the built-in content and
// in every pack built afterwards without another list to update. A new *area* (a folder of files of one
// kind, such as `locales/rights/`) is one more row here, and its loader takes its files from `Content`.
//
// Deliberately NOT in a pack: `assets/reference/retention.toml`, the retention purposes and their
// default periods. How long the desk keeps a case is the Comune's own decision as data controller
// (titolare, GDPR art. 5(1)(e) and 13(2)(a)), set by its responsabile in the retention screen within the
// file's bounds and stated in the privacy notice the applicant signed; a pack is signed by the
// maintainers, and applying one must not shorten or lengthen what the Comune decided, nor move the
// anonymisation of cases already held, behind the responsabile's back. It changes with a release, read
// in its notes. The operator texts (`locales/core`, `locales/ui`) are the app's, not content, and stay
// built in too.

/// Folders whose every file with the extension belongs to the pack: `(folder, extension)`. The
/// procedures, the checklist texts, the papers' own texts (access report, deletion receipt, the
/// preface's glossary and unreviewed mark), the kit forms' fields and the funders' report definitions
/// (a new funder's definition arrives as content; checked by `register::report`, which knows the
/// activity codes they name).
pub const AREAS: [(&str, &str); 5] = [
    ("assets/procedures", "toml"),
    ("locales/checklist", "yml"),
    ("locales/papers", "yml"),
    ("assets/forms", "toml"),
    ("assets/reports", "toml"),
];

/// Single files that belong to the pack: the dated reference tables the loaders check, the hosts whose
/// pages are official (the strength of every catalogue row) and who wrote and reviewed each language's
/// texts (the mark on paper), the provinces whose capoluogo names the Questura on the kit forms, and the
/// agenda's terms and lead-time readings, and the facts of the follow-up papers (the Questura's office,
/// the desk as sender, the status portals, the window envelope).
pub const REFERENCE_FILES: [&str; 10] = [
    "assets/reference/motivi.toml",
    "assets/reference/languages.toml",
    "assets/reference/countries.json",
    "assets/reference/fees.toml",
    "assets/reference/assegno_sociale.toml",
    "assets/reference/sources.toml",
    "assets/reference/translations.toml",
    "assets/reference/provinces.json",
    "assets/reference/agenda.toml",
    "assets/reference/desk_papers.toml",
];

/// The built-in content's version and date (not itself part of a pack: a pack's manifest says them).
pub const VERSION_FILE: &str = "assets/pack.toml";
