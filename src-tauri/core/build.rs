//! Build script of the core: rust-i18n reads `locales/checklist/` inside a macro, which Cargo does not
//! track, so a changed translation would not rebuild the crate without this line. Nothing else.

fn main() {
    println!("cargo:rerun-if-changed=../../locales/checklist");
}
