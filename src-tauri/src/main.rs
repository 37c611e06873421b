//! The `pretzel` desktop binary: everything lives in the library so mobile builds share it.

// Release builds on Windows must not open a console window next to the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    pretzel_app::run();
}
