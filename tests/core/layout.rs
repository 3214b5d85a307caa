//! The core's layout as ARCHITECTURE.md states it: its four areas depend one way only
//! (`reference` ← `register` ← `exchange` ← `papers`), so a newcomer can read them in that order.

use std::path::Path;

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    found
}

#[test]
fn the_core_s_areas_depend_one_way() {
    let src = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let order = ["reference", "register", "exchange", "papers"];
    for (i, area) in order.iter().enumerate() {
        let files = sources(&src.join(area));
        assert!(!files.is_empty(), "{area} is a folder of the core");
        for later in &order[i + 1..] {
            for (file, text) in &files {
                assert!(
                    !text.contains(&format!("crate::{later}")),
                    "{file} uses crate::{later}, an area that comes after {area}"
                );
            }
        }
    }
}
