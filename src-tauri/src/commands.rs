//! The Tauri commands the UI invokes: each is a few lines over [`pretzel_client::Client`], returning
//! the shell contract's types from `pretzel_api::shell` and failing with its [`CommandError`].
//!
//! Argument names are part of the contract: Tauri maps them to the keys of the JS `invoke` payload
//! (`invoke("sign_up", {request})`, `invoke("set_backend_url", {args: {url}})`). Commands are
//! `async` so that disk and network work never runs on the UI thread. Session and timetable changes
//! are not emitted here: the client announces every one of them and `lib.rs` forwards them as the
//! `session-changed` and `timetables-changed` events.

use pretzel_api::shell::{
    AppState, ChangeOutcome, ChangeTimetable, CommandError, DiscardPending, ExportedCalendar, Profile, SearchResults,
    SearchSections, SetBackendUrl, SetLocale, ShellSettings, TermArgs, TimetableArgs, TimetablesView, WeekView,
    WeekViewArgs,
};
use pretzel_api::{CalendarSubscription, LoginRequest, Me, SignupRequest, Term, University, UpdateMe};
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

/// Changes the student's profile (display name, home time zone, student visa).
#[tauri::command]
pub async fn update_me(client: State<'_, Client>, request: UpdateMe) -> Result<Me, CommandError> {
    Ok(client.update_me(request).await?)
}

/// The terms of the student's university (the cached list when offline).
#[tauri::command]
pub async fn list_terms(client: State<'_, Client>) -> Result<Vec<Term>, CommandError> {
    Ok(client.terms().await?)
}

/// One page of a term's sections (a recent search's cached page when offline).
#[tauri::command]
pub async fn search_sections(client: State<'_, Client>, args: SearchSections) -> Result<SearchResults, CommandError> {
    Ok(client.search(args.term_id, &args.query).await?)
}

/// The term's plans with the changes still queued.
#[tauri::command]
pub async fn term_timetables(client: State<'_, Client>, args: TermArgs) -> Result<TimetablesView, CommandError> {
    Ok(client.term_timetables(args.term_id).await?)
}

/// One edit of a term's plans: sent, queued offline, or refused for confirmation of conflicts.
#[tauri::command]
pub async fn change_timetable(client: State<'_, Client>, args: ChangeTimetable) -> Result<ChangeOutcome, CommandError> {
    Ok(client.change_timetable(args).await?)
}

/// Drops a queued change (typically one the server refused).
#[tauri::command]
pub async fn discard_pending_change(
    client: State<'_, Client>,
    args: DiscardPending,
) -> Result<TimetablesView, CommandError> {
    Ok(client.discard_pending(args.term_id, args.id).await?)
}

/// One plan on a week of real dates, in campus or home time.
#[tauri::command]
pub async fn week_view(client: State<'_, Client>, args: WeekViewArgs) -> Result<WeekView, CommandError> {
    Ok(client.week_view(args).await?)
}

/// Saves the plan's calendar file to Downloads.
#[tauri::command]
pub async fn export_calendar(client: State<'_, Client>, args: TimetableArgs) -> Result<ExportedCalendar, CommandError> {
    let path = client.export_calendar(args.timetable_id).await?;
    Ok(ExportedCalendar { path: path.display().to_string() })
}

/// Issues a private calendar feed URL for the plan.
#[tauri::command]
pub async fn subscribe_calendar(
    client: State<'_, Client>,
    args: TimetableArgs,
) -> Result<CalendarSubscription, CommandError> {
    Ok(client.subscribe_calendar(args.timetable_id).await?)
}

/// Revokes the plan's calendar feed URL.
#[tauri::command]
pub async fn revoke_calendar(client: State<'_, Client>, args: TimetableArgs) -> Result<(), CommandError> {
    Ok(client.revoke_calendar(args.timetable_id).await?)
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
