//! Build script of the Tauri shell: generates the Tauri context from `tauri.conf.json` and the capabilities
//! kept under `src-tauri/capabilities/`. It must not generate code of its own.

fn main() {
    // rust-i18n embeds locales/ at compile time, but once tauri-build prints its own rerun-if-changed
    // lines Cargo stops rerunning on other edits: name the folders explicitly.
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=assets/reference");
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
