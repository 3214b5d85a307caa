//! Entry point of the desktop app: hands over to the library so tests can build the same app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    sportello_mixite::run();
}
