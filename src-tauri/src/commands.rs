//! The Tauri commands the UI invokes: each is a few lines over [`pretzel_client::Client`], returning
//! the shell contract's types from `pretzel_api::shell` and failing with its [`CommandError`].
//!
//! Argument names are part of the contract: Tauri maps them to the keys of the JS `invoke` payload
//! (`invoke("sign_up", {request})`, `invoke("set_backend_url", {args: {url}})`). Commands are
//! `async` so that disk and network work never runs on the UI thread. Session changes are not
//! emitted here: the client announces every one of them and `lib.rs` forwards them as the
//! `session-changed` event.

use pretzel_api::shell::{AppState, CommandError, Profile, SetBackendUrl, SetLocale, ShellSettings};
use pretzel_api::{LoginRequest, Me, SignupRequest, University};
use pretzel_client::{Client, Settings, normalize_locale};
use tauri::State;

/// Start-up state: the settings (with the OS language) and the cached student, if signed in.
#[tauri::command]
pub async fn app_state(client: State<'_, Client>) -> Result<AppState, CommandError> {
    Ok(AppState { settings: with_os_locale(client.settings()), me: client.cached_me() })
}

/// The university catalog (the cached one when offline).
#[tauri::command]
pub async fn list_universities(client: State<'_, Client>) -> Result<Vec<University>, CommandError> {
    Ok(client.universities().await?)
}

/// Creates an account and signs in.
#[tauri::command]
pub async fn sign_up(client: State<'_, Client>, request: SignupRequest) -> Result<Me, CommandError> {
    Ok(client.sign_up(request).await?)
}

/// Signs in with email and password.
#[tauri::command]
pub async fn log_in(client: State<'_, Client>, request: LoginRequest) -> Result<Me, CommandError> {
    Ok(client.log_in(request).await?)
}

/// Signs out, on the server if reachable and locally always.
#[tauri::command]
pub async fn log_out(client: State<'_, Client>) -> Result<(), CommandError> {
    Ok(client.log_out().await?)
}

/// The signed-in student, fresh or (offline) cached.
#[tauri::command]
pub async fn profile(client: State<'_, Client>) -> Result<Profile, CommandError> {
    Ok(client.profile().await?)
}

/// Points the app at another backend.
#[tauri::command]
pub async fn set_backend_url(client: State<'_, Client>, args: SetBackendUrl) -> Result<ShellSettings, CommandError> {
    Ok(with_os_locale(client.set_backend_url(&args.url)?))
}

/// Chooses the UI language, or `None` to follow the OS.
#[tauri::command]
pub async fn set_locale(client: State<'_, Client>, args: SetLocale) -> Result<ShellSettings, CommandError> {
    Ok(with_os_locale(client.set_locale(args.locale)?))
}

fn with_os_locale(settings: Settings) -> ShellSettings {
    settings.with_os_locale(os_locale())
}

/// The OS language as a BCP 47 tag. POSIX locales (`C`, `POSIX`, `en_US.UTF-8`) are cleaned up, and
/// anything unusable becomes English, the UI's own fallback.
fn os_locale() -> String {
    sys_locale::get_locale()
        .map(|tag| tag.split(['.', '@']).next().unwrap_or_default().to_owned())
        .filter(|tag| !tag.eq_ignore_ascii_case("posix"))
        .and_then(|tag| normalize_locale(Some(tag)).ok().flatten())
        .unwrap_or_else(|| "en".to_owned())
}
