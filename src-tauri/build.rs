//! Build script of the Tauri shell: reads `tauri.conf.json` at the repository root (the package's
//! manifest directory), compiles the capabilities kept in `src-tauri/capabilities/` and the ACL of
//! the plugins, and prepares the context that `tauri::generate_context!` embeds.

fn main() {
    // A custom capabilities path means Tauri no longer watches it for us.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(error) = tauri_build::try_build(attributes) {
        // Build scripts report through stdout/stderr and the exit code; there is no caller to return to.
        eprintln!("tauri build failed: {error:#}");
        std::process::exit(1);
    }
}
