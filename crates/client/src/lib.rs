//! Pretzel's native client core: everything the app does that is not drawing pixels, with no
//! Tauri dependency so it can be tested on its own against the real backend.
//!
//! [`Client`] is the entry point. It talks to the backend's REST API over HTTP, keeps
//! the session's tokens in the OS keychain or a private file ([`tokens`]), remembers
//! settings, the profile, the catalog and the student's timetables in a local SQLite cache
//! ([`cache`]), queues edits made offline in one persisted [`outbox`], keeps the course chat's
//! WebSocket and its offline copy ([`chat`]), and reports every failure as one [`ClientError`]
//! (chat commands as [`ChatClientError`]), which the shell maps to the UI's `CommandError`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), pretzel_client::ClientError> {
//! use pretzel_client::{Client, ClientOptions, TokenStoreKind};
//! let client = Client::new(ClientOptions {
//!     data_dir: "/tmp/pretzel".into(),
//!     backend_url: Some("http://127.0.0.1:8787".into()),
//!     token_store: TokenStoreKind::File,
//! })?;
//! let universities = client.universities().await?;
//! # Ok(()) }
//! ```

pub mod cache;
mod catalog;
pub mod chat;
mod client;
mod error;
mod http;
pub mod outbox;
mod session;
pub mod settings;
mod timetable;
pub mod tokens;

pub use chat::ChatClientError;
pub use client::{Client, ClientOptions};
pub use error::ClientError;
pub use http::{CONNECT_TIMEOUT, REQUEST_TIMEOUT};
pub use outbox::FlushReport;
pub use settings::{Settings, normalize_locale, validate_backend_url};
pub use tokens::{FileTokenStore, KeyringTokenStore, TokenStore, TokenStoreKind, Tokens};
