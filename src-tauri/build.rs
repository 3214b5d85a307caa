//! Build script of the Tauri shell: generates the Tauri context from `tauri.conf.json` and the
//! capabilities under `src-tauri/capabilities/`, and writes the translation catalogue (`locales/`, read by
//! rust-i18n's own loader) to `OUT_DIR/locales.json` for the UI. It must not generate code of its own.

fn main() {
    // rust-i18n embeds locales/ at compile time, but once tauri-build prints its own rerun-if-changed
    // lines Cargo stops rerunning on other edits: name the folders explicitly.
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=assets/reference");

    let catalogue = rust_i18n_support::load_locales("locales", |_| false);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(
        out.join("locales.json"),
        serde_json::to_string(&catalogue).expect("catalogue serialises"),
    )
    .expect("write locales.json");

    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
