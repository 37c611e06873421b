//! The typed bridge to the native shell: the only place the UI talks to the outside world.
//!
//! The shell (`src-tauri`) exposes its commands through `window.__TAURI__.core.invoke` and its
//! events through `window.__TAURI__.event.listen` (Tauri's `withGlobalTauri`). [`invoke`] wraps the
//! first once, with serde on both sides, and the functions below give each command its argument
//! and result types from `pretzel_api::shell`, so no page ever spells a command name or builds
//! JSON by hand. Every failure arrives as a [`CommandError`]: a rejected promise carries the
//! shell's own error, and running outside the shell (a plain browser, `wasm-bindgen-test`) yields a
//! [`CommandErrorKind::Internal`] error that [`is_missing_shell`] recognises, never a panic.

use js_sys::{Function, Promise, Reflect};
use pretzel_api::chat::RoomMember;
use pretzel_api::shell::chat::{
    ChatEvent, ChatLine, ChatRoomView, ChatRoomsView, ChatSend, EVENT_CHAT, EditMessage, MarkRead, MessageArgs,
    MessagePage, MuteRoom, OlderMessages, PendingMessageArgs, ReportMessage, RoomArgs, RoomView, UserArgs, WindowFocus,
};
use pretzel_api::shell::{
    AppState, ChangeOutcome, ChangeTimetable, CommandError, CommandErrorKind, DiscardPending, EVENT_SESSION_CHANGED,
    EVENT_TIMETABLES_CHANGED, ExportedCalendar, Profile, SearchResults, SearchSections, SessionChanged, SetBackendUrl,
    SetLocale, ShellSettings, TermArgs, TimetableArgs, TimetablesChanged, TimetablesView, WeekView, WeekViewArgs,
};
use pretzel_api::timetable::CalendarSubscription;
use pretzel_api::{LoginRequest, Me, SignupRequest, Term, University, UpdateMe, UserId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The message of the error returned when the page is not running inside the Pretzel shell.
pub const MISSING_SHELL_MESSAGE: &str =
    "The Pretzel app shell is not available: this page is not running inside the Pretzel app (no window.__TAURI__).";

/// `true` when `error` means the UI runs outside the shell rather than that a command failed.
pub fn is_missing_shell(error: &CommandError) -> bool {
    error.kind == CommandErrorKind::Internal && error.message == MISSING_SHELL_MESSAGE
}

fn internal(message: impl Into<String>) -> CommandError {
    CommandError { kind: CommandErrorKind::Internal, code: None, message: message.into(), fields: Vec::new() }
}

/// Looks up `window.__TAURI__.<path…>` and returns the function with the object it belongs to.
fn shell_function(path: &[&str]) -> Result<(JsValue, Function), CommandError> {
    let mut owner = JsValue::UNDEFINED;
    let mut value: JsValue = js_sys::global().into();
    for name in ["__TAURI__"].iter().chain(path) {
        owner = value;
        if owner.is_undefined() || owner.is_null() {
            return Err(internal(MISSING_SHELL_MESSAGE));
        }
        value = Reflect::get(&owner, &JsValue::from_str(name)).map_err(|_| internal(MISSING_SHELL_MESSAGE))?;
    }
    let function = value.dyn_into::<Function>().map_err(|_| internal(MISSING_SHELL_MESSAGE))?;
    Ok((owner, function))
}

/// Turns whatever a promise rejected with into a [`CommandError`]: the shell's error object when it
/// is one, otherwise Tauri's own string (e.g. an unknown command) or a JavaScript exception.
fn rejection(value: JsValue) -> CommandError {
    if let Ok(error) = serde_wasm_bindgen::from_value::<CommandError>(value.clone()) {
        return error;
    }
    if let Some(text) = value.as_string() {
        return internal(text);
    }
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return internal(String::from(error.message()));
    }
    internal(format!("the shell failed with {value:?}"))
}

async fn await_promise(value: JsValue, what: &str) -> Result<JsValue, CommandError> {
    let promise = value.dyn_into::<Promise>().map_err(|_| internal(format!("{what} did not return a promise")))?;
    JsFuture::from(promise).await.map_err(rejection)
}

/// Calls the shell command `cmd` with the named arguments `args` and decodes its answer.
pub async fn invoke<A: Serialize, R: DeserializeOwned>(cmd: &str, args: &A) -> Result<R, CommandError> {
    let (owner, invoke) = shell_function(&["core", "invoke"])?;
    // Plain JSON objects, not JS `Map`s, and `null` for `None`: what Tauri's serde expects.
    let args = args
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| internal(format!("could not encode the arguments of `{cmd}`: {error}")))?;
    let promise = invoke.call2(&owner, &JsValue::from_str(cmd), &args).map_err(rejection)?;
    let answer = await_promise(promise, cmd).await?;
    serde_wasm_bindgen::from_value(answer).map_err(|error| internal(format!("unexpected answer from `{cmd}`: {error}")))
}

/// Arguments of commands that take none.
#[derive(Serialize)]
struct NoArgs {}

/// Arguments of commands whose Rust parameter is `request`.
#[derive(Serialize)]
struct RequestArgs<'a, T> {
    request: &'a T,
}

/// Arguments of the commands whose Rust parameter is `args` (settings, timetables).
#[derive(Serialize)]
struct SettingArgs<T> {
    args: T,
}

/// Settings and the remembered student, asked for once at start-up.
pub async fn app_state() -> Result<AppState, CommandError> {
    invoke("app_state", &NoArgs {}).await
}

/// The universities a student can sign up with.
pub async fn list_universities() -> Result<Vec<University>, CommandError> {
    invoke("list_universities", &NoArgs {}).await
}

/// Creates an account and signs in with it.
pub async fn sign_up(request: &SignupRequest) -> Result<Me, CommandError> {
    invoke("sign_up", &RequestArgs { request }).await
}

/// Signs in with email and password.
pub async fn log_in(request: &LoginRequest) -> Result<Me, CommandError> {
    invoke("log_in", &RequestArgs { request }).await
}

/// Signs out and forgets the session on this device.
pub async fn log_out() -> Result<(), CommandError> {
    invoke("log_out", &NoArgs {}).await
}

/// The signed-in student's profile, fresh from the server or from the offline cache.
pub async fn profile() -> Result<Profile, CommandError> {
    invoke("profile", &NoArgs {}).await
}

/// Points the app at another backend.
pub async fn set_backend_url(url: String) -> Result<ShellSettings, CommandError> {
    invoke("set_backend_url", &SettingArgs { args: SetBackendUrl { url } }).await
}

/// Saves the chosen UI language (`None` follows the OS).
pub async fn set_locale(locale: Option<String>) -> Result<ShellSettings, CommandError> {
    invoke("set_locale", &SettingArgs { args: SetLocale { locale } }).await
}

/// Saves changes to the student's own profile (home time zone, student visa) and returns it.
pub async fn update_me(request: &UpdateMe) -> Result<Me, CommandError> {
    invoke("update_me", &RequestArgs { request }).await
}

/// The terms of the student's university, newest first.
pub async fn list_terms() -> Result<Vec<Term>, CommandError> {
    invoke("list_terms", &NoArgs {}).await
}

/// Searches a term's sections (the cached answer of the same query when offline).
pub async fn search_sections(args: SearchSections) -> Result<SearchResults, CommandError> {
    invoke("search_sections", &SettingArgs { args }).await
}

/// Every plan of a term, with the changes still waiting to reach the server.
pub async fn term_timetables(args: TermArgs) -> Result<TimetablesView, CommandError> {
    invoke("term_timetables", &SettingArgs { args }).await
}

/// Applies (or queues, offline) one edit of a term's plans.
pub async fn change_timetable(args: ChangeTimetable) -> Result<ChangeOutcome, CommandError> {
    invoke("change_timetable", &SettingArgs { args }).await
}

/// Drops a queued change (typically one the server refused) and returns the term's plans without it.
pub async fn discard_pending_change(args: DiscardPending) -> Result<TimetablesView, CommandError> {
    invoke("discard_pending_change", &SettingArgs { args }).await
}

/// One plan laid out on a week of real dates in campus or home time.
pub async fn week_view(args: WeekViewArgs) -> Result<WeekView, CommandError> {
    invoke("week_view", &SettingArgs { args }).await
}

/// Writes a plan as an `.ics` file and says where.
pub async fn export_calendar(args: TimetableArgs) -> Result<ExportedCalendar, CommandError> {
    invoke("export_calendar", &SettingArgs { args }).await
}

/// Issues a private calendar feed URL for a plan (any earlier one stops working).
pub async fn subscribe_calendar(args: TimetableArgs) -> Result<CalendarSubscription, CommandError> {
    invoke("subscribe_calendar", &SettingArgs { args }).await
}

/// Revokes a plan's calendar feed URL.
pub async fn revoke_calendar(args: TimetableArgs) -> Result<(), CommandError> {
    invoke("revoke_calendar", &SettingArgs { args }).await
}

/// The student's chat rooms, newest activity first, with the connection state.
pub async fn chat_rooms() -> Result<ChatRoomsView, CommandError> {
    invoke("chat_rooms", &NoArgs {}).await
}

/// Opens a room: its newest cached lines (older ones come through [`chat_older`]).
pub async fn chat_open_room(args: RoomArgs) -> Result<RoomView, CommandError> {
    invoke("chat_open_room", &SettingArgs { args }).await
}

/// A page of a room's messages older than a `seq`.
pub async fn chat_older(args: OlderMessages) -> Result<MessagePage, CommandError> {
    invoke("chat_older", &SettingArgs { args }).await
}

/// Queues a message and returns it as a pending line.
pub async fn chat_send(args: ChatSend) -> Result<ChatLine, CommandError> {
    invoke("chat_send", &SettingArgs { args }).await
}

/// Sends a failed message again, optionally with a corrected body.
pub async fn chat_retry(args: PendingMessageArgs) -> Result<ChatLine, CommandError> {
    invoke("chat_retry", &SettingArgs { args }).await
}

/// Drops one of the student's unsent messages.
pub async fn chat_discard(args: PendingMessageArgs) -> Result<(), CommandError> {
    invoke("chat_discard", &SettingArgs { args }).await
}

/// Replaces the body of one of the student's own messages (the change arrives as an event).
pub async fn chat_edit(args: EditMessage) -> Result<(), CommandError> {
    invoke("chat_edit", &SettingArgs { args }).await
}

/// Deletes one of the student's own messages.
pub async fn chat_delete(args: MessageArgs) -> Result<(), CommandError> {
    invoke("chat_delete", &SettingArgs { args }).await
}

/// Tells the room's members the student is typing.
pub async fn chat_typing(args: RoomArgs) -> Result<(), CommandError> {
    invoke("chat_typing", &SettingArgs { args }).await
}

/// Moves the student's read marker forward.
pub async fn chat_mark_read(args: MarkRead) -> Result<(), CommandError> {
    invoke("chat_mark_read", &SettingArgs { args }).await
}

/// A room's members with their presence.
pub async fn chat_members(args: RoomArgs) -> Result<Vec<RoomMember>, CommandError> {
    invoke("chat_members", &SettingArgs { args }).await
}

/// Mutes or unmutes a room's notifications.
pub async fn chat_set_muted(args: MuteRoom) -> Result<ChatRoomView, CommandError> {
    invoke("chat_set_muted", &SettingArgs { args }).await
}

/// Hides a student's messages; answers everyone blocked.
pub async fn chat_block(args: UserArgs) -> Result<Vec<UserId>, CommandError> {
    invoke("chat_block", &SettingArgs { args }).await
}

/// Stops hiding a student's messages; answers everyone still blocked.
pub async fn chat_unblock(args: UserArgs) -> Result<Vec<UserId>, CommandError> {
    invoke("chat_unblock", &SettingArgs { args }).await
}

/// Reports a message to the moderators.
pub async fn chat_report(args: ReportMessage) -> Result<(), CommandError> {
    invoke("chat_report", &SettingArgs { args }).await
}

/// Tells the shell which room is on screen (`None`: none), so it skips notifications for it.
pub async fn chat_set_window_focused(args: WindowFocus) -> Result<(), CommandError> {
    invoke("chat_set_window_focused", &SettingArgs { args }).await
}

/// A live subscription to a shell event; dropping it stops listening.
pub struct Subscription {
    /// Keeps the JavaScript handler alive as long as the subscription.
    _handler: Closure<dyn FnMut(JsValue)>,
    /// Tauri's `unlisten` function.
    unlisten: Option<Function>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(unlisten) = &self.unlisten {
            // Nothing useful to do if unlistening fails: the page is going away anyway.
            let _ = unlisten.call0(&JsValue::NULL);
        }
    }
}

/// Calls `handler` with the decoded payload of every `event` the shell emits.
pub async fn listen<T, F>(event: &str, handler: F) -> Result<Subscription, CommandError>
where
    T: DeserializeOwned,
    F: Fn(T) + 'static,
{
    let (owner, listen) = shell_function(&["event", "listen"])?;
    let name = event.to_owned();
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let payload = Reflect::get(&event, &JsValue::from_str("payload")).unwrap_or(JsValue::UNDEFINED);
        match serde_wasm_bindgen::from_value::<T>(payload) {
            Ok(payload) => handler(payload),
            Err(error) => leptos::logging::warn!("ignoring malformed `{name}` event: {error}"),
        }
    });
    let promise = listen.call2(&owner, &JsValue::from_str(event), handler.as_ref()).map_err(rejection)?;
    let unlisten = await_promise(promise, "listen").await?;
    Ok(Subscription { _handler: handler, unlisten: unlisten.dyn_into::<Function>().ok() })
}

/// Follows sign-ins, sign-outs and revocations decided by the shell or the server.
pub async fn on_session_changed(handler: impl Fn(SessionChanged) + 'static) -> Result<Subscription, CommandError> {
    listen(EVENT_SESSION_CHANGED, handler).await
}

/// Follows changes to a term's plans made behind the UI's back (the outbox synced or failed).
pub async fn on_timetables_changed(
    handler: impl Fn(TimetablesChanged) + 'static,
) -> Result<Subscription, CommandError> {
    listen(EVENT_TIMETABLES_CHANGED, handler).await
}

/// Follows everything that changes in chat: lines, rooms, connection, typing, presence.
pub async fn on_chat(handler: impl Fn(ChatEvent) + 'static) -> Result<Subscription, CommandError> {
    listen(EVENT_CHAT, handler).await
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_invoke_outside_the_shell_is_a_clear_error_not_a_panic() {
        let error = app_state().await.expect_err("no shell in the test browser");
        assert_eq!(error.kind, CommandErrorKind::Internal);
        assert!(is_missing_shell(&error));
        let error = listen::<SessionChanged, _>(EVENT_SESSION_CHANGED, |_| {}).await.expect_err("no shell");
        assert!(is_missing_shell(&error));
    }

    #[wasm_bindgen_test]
    fn test_shell_errors_decode_from_rejections() {
        let json = r#"{"kind":"server","code":"email_taken","message":"taken","fields":[]}"#;
        let value = js_sys::JSON::parse(json).expect("valid JSON");
        let error = rejection(value);
        assert_eq!(error.kind, CommandErrorKind::Server);
        assert_eq!(error.code, Some(pretzel_api::ErrorCode::EmailTaken));
        let error = rejection(JsValue::from_str("command nope not found"));
        assert_eq!(error.kind, CommandErrorKind::Internal);
        assert_eq!(error.message, "command nope not found");
    }
}
