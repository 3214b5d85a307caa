//! The translation catalogue as the build script read it from `locales/` with rust-i18n's own loader:
//! every locale's flattened keys. It serves the UI its `ui.*` strings (one source of translations for
//! Rust and JS) and lets tests compare locales. It must not translate (that is `rust_i18n::t!`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

type Catalog = BTreeMap<String, BTreeMap<String, String>>;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/locales.json")))
            .expect("build.rs writes a valid catalogue")
    })
}

/// Every locale with its flattened `key → text` map.
pub fn all() -> &'static Catalog {
    catalog()
}

/// The `ui.*` strings of `locale`, prefix removed, as a JSON object.
pub fn ui_strings(locale: &str) -> Option<Value> {
    let strings = catalog().get(locale)?;
    Some(Value::Object(
        strings
            .iter()
            .filter_map(|(key, text)| {
                Some((
                    key.strip_prefix("ui.")?.to_string(),
                    Value::String(text.clone()),
                ))
            })
            .collect(),
    ))
}
