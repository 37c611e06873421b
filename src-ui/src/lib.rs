//! Pretzel's user interface: a Leptos (client-side rendered, wasm) view over the native shell.
//!
//! The UI never touches the network. It asks the shell for everything through typed commands
//! (`ipc`), keeps app-wide state in `session`, and renders `pages` built from small `components`.
//! All text goes through `i18n` (English, Korean, Simplified Chinese). `main.rs` only mounts
//! [`App`].

pub mod app;
pub mod components;
pub mod form_errors;
pub mod i18n;
pub mod ipc;
pub mod pages;
pub mod session;

pub use app::App;
