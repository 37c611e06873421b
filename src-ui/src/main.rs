//! Entry point of the wasm bundle: installs the panic hook and mounts the app on `<body>`.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(pretzel_ui::App);
}
