//! Build script of the core: embeds the built-in content pack. It writes `embedded_content.rs`, the
//! `(name, include_str!)` pairs of every file `src/reference/pack_files.rs` names (the reference tables
//! and every file of its folders), so a file added to `assets/procedures/` or `locales/checklist/` is in
//! the binary without a list to edit. Nothing else.

use std::path::Path;

include!("src/reference/pack_files.rs");

fn main() {
    // The manifest folder as cargo gives it when the script runs, not as it was when the script was
    // compiled: a target folder copied from another checkout must not embed that checkout's files.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("../..");
    let mut names: Vec<String> = REFERENCE_FILES.iter().map(|s| s.to_string()).collect();
    names.push(VERSION_FILE.to_string());
    for (folder, extension) in AREAS {
        // A folder's listing changes when a file is added or removed: rebuild then.
        println!("cargo:rerun-if-changed=../../{folder}");
        let mut found: Vec<String> = std::fs::read_dir(root.join(folder))
            .unwrap_or_else(|e| panic!("{folder}: {e}"))
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(&format!(".{extension}")))
            .map(|name| format!("{folder}/{name}"))
            .collect();
        found.sort();
        names.extend(found);
    }
    let mut out = String::from("/// Every file of the built-in content, by name.\npub(crate) const EMBEDDED: &[(&str, &str)] = &[\n");
    for name in names {
        let path = root
            .join(&name)
            .canonicalize()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded_content.rs");
    std::fs::write(target, out).unwrap();
}
