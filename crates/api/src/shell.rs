//! The contract between the native shell (`src-tauri`) and the UI (`src-ui`): Tauri command
//! arguments and results, event payloads, and the error every command can fail with.
//!
//! The UI never talks to the network; it invokes these commands and listens to these events.

use crate::error::{ErrorCode, FieldError};
use crate::users::Me;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Name of the event the shell emits whenever the signed-in student changes (sign-in, sign-out,
/// or a session revoked by the server). Payload: [`SessionChanged`].
pub const EVENT_SESSION_CHANGED: &str = "session-changed";

/// Default address of the backend the app talks to.
pub const DEFAULT_BACKEND_URL: &str = "http://127.0.0.1:8787";

/// The app's settings as the shell keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellSettings {
    /// Base URL of the Pretzel backend, e.g. `http://127.0.0.1:8787`.
    pub backend_url: String,
    /// Language the student picked in Me (a BCP 47 tag such as `ko` or `zh-CN`); `None` follows the OS.
    pub locale: Option<String>,
    /// The operating system's preferred language (BCP 47), used when `locale` is `None`.
    pub os_locale: String,
}

/// What the UI needs at start-up: the settings and, if a session is stored, the student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppState {
    /// Current settings.
    pub settings: ShellSettings,
    /// The signed-in student from the last session, if any (possibly from the offline cache).
    pub me: Option<Me>,
}

/// Answer of the `profile` command: the student, and whether it came from the offline cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The signed-in student.
    pub me: Me,
    /// `true` when the backend was unreachable and this is the last cached copy.
    pub offline: bool,
}

/// Payload of [`EVENT_SESSION_CHANGED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionChanged {
    /// The student now signed in, or `None` after sign-out or revocation.
    pub me: Option<Me>,
}

/// Arguments of `set_backend_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetBackendUrl {
    /// New base URL, `http://` or `https://`.
    pub url: String,
}

/// Arguments of `set_locale`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetLocale {
    /// BCP 47 tag, or `None` to follow the OS.
    pub locale: Option<String>,
}

/// Broad class of a command failure, so the UI can pick the right message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandErrorKind {
    /// The backend answered with an error; see `code` and `fields`.
    Server,
    /// The backend could not be reached.
    Offline,
    /// The request needs a signed-in student and there is none.
    NotSignedIn,
    /// The input was refused by the shell before reaching the network (e.g. a bad URL).
    InvalidInput,
    /// Local storage (cache, token store) failed.
    Storage,
    /// Anything else; the message says what.
    Internal,
}

/// The error every Tauri command returns, serialised to the UI as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    /// Broad class of the failure.
    pub kind: CommandErrorKind,
    /// The server's error code when `kind` is `server`.
    pub code: Option<ErrorCode>,
    /// A sentence for humans (English; the UI localises by `kind`/`code` where it can).
    pub message: String,
    /// Per-field problems from the server's validation.
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}
