use mixite_core::reference::Reference;
use mixite_core::Error;

const MOTIVI: &str = include_str!("../../assets/reference/motivi.toml");
const LANGUAGES: &str = include_str!("../../assets/reference/languages.toml");
const COUNTRIES: &str = include_str!("../../assets/reference/countries.json");

fn load(motivi: &str) -> Result<Reference, Error> {
    Reference::from_sources(
        ("motivi.toml", motivi),
        ("languages.toml", LANGUAGES),
        ("countries.json", COUNTRIES),
    )
}

#[test]
fn the_bundled_tables_load_and_keep_their_verify_marks() {
    let reference = Reference::bundled().expect("bundled tables are valid");
    assert_eq!(
        reference.languages.len(),
        16,
        "the sixteen languages of the brief"
    );
    let researcher = reference.motivo("27").unwrap();
    assert!(researcher.verify, "[CHECK] rows stay visible as such");
    assert!(!reference.motivo("16").unwrap().verify);
    assert_eq!(
        reference.country("ALB").and_then(|c| c.z_code.as_deref()),
        Some("Z100")
    );
    assert_eq!(
        reference.country("LKA").and_then(|c| c.z_code.as_deref()),
        Some("Z209")
    );
}

#[test]
fn a_malformed_table_is_reported_with_file_and_line() {
    let broken = MOTIVI.replacen(
        "label_it = \"ATTESA OCCUPAZIONE\"",
        "label_it = ATTESA OCCUPAZIONE",
        1,
    );
    let line = broken
        .lines()
        .position(|l| l.starts_with("label_it = ATTESA"))
        .unwrap()
        + 1;
    match load(&broken) {
        Err(Error::Data { file, line: at, .. }) => {
            assert_eq!(file, "motivi.toml");
            assert_eq!(at, line, "the message points at the broken line");
        }
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn a_duplicate_code_or_bad_dates_are_reported() {
    let duplicate = MOTIVI.replacen("code = \"05\"", "code = \"02\"", 1);
    assert!(
        matches!(load(&duplicate), Err(Error::Data { ref message, .. }) if message.contains("duplicate"))
    );
    let backwards = MOTIVI.replacen("valid_to = \"2024-05-30\"", "valid_to = \"2001-01-01\"", 1);
    match load(&backwards) {
        Err(Error::Data { message, line, .. }) => {
            assert!(message.contains("valid_to"), "{message}");
            assert!(line > 0);
        }
        other => panic!("expected a data error, got {other:?}"),
    }
}
