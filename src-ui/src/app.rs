//! The root of the UI: starts the session and routes between the auth screens and the app frame.
//!
//! On start it asks the shell for `app_state`: a remembered student goes straight to the app frame
//! (so students stay signed in across restarts), anyone else sees the log-in screen, and a failure
//! (no shell, broken storage) lands on the log-in screen with the reason in its banner. From then
//! on the view follows [`Session::status`], which sign-in, log-out and the shell's
//! `session-changed` event all update.

use crate::components::brand::Brand;
use crate::components::chat_format::total_unread;
use crate::components::icons::{Glyph, Icon};
use crate::components::tab_bar::{Tab, TabBar};
use crate::form_errors::FormErrors;
use crate::i18n::{I18n, Msg, browser_language, provide_i18n, resolve_locale, t, use_i18n};
use crate::ipc;
use crate::pages::chats::ChatsPage;
use crate::pages::feed::FeedPage;
use crate::pages::login::LoginPage;
use crate::pages::me::MePage;
use crate::pages::notifications::NotificationsPage;
use crate::pages::settings::{LanguageSetting, ServerSettings};
use crate::pages::signup::SignupPage;
use crate::pages::timetable::TimetablePage;
use crate::session::{Notice, Session, SessionStatus, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pretzel_api::shell::chat::ChatEvent;

/// Which top-level view is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Starting,
    SignedOut,
    SignedIn,
}

/// Which auth screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthScreen {
    Login,
    Signup,
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_i18n(resolve_locale(None, None, browser_language().as_deref()));
    let session = Session::new();
    provide_context(session);

    // `<html lang>` lets the web view pick Korean or Chinese glyph variants for shared characters.
    Effect::new(move |_| {
        let tag = i18n.locale().tag();
        if let Some(root) = document().document_element() {
            // Setting `lang` on the root element cannot meaningfully fail.
            let _ = root.set_attribute("lang", tag);
        }
    });

    start(session, i18n);

    let phase = Memo::new(move |_| {
        session.status.with(|status| match status {
            SessionStatus::Starting => Phase::Starting,
            SessionStatus::SignedOut => Phase::SignedOut,
            SessionStatus::SignedIn(_) => Phase::SignedIn,
        })
    });
    move || match phase.get() {
        Phase::Starting => view! { <Splash /> }.into_any(),
        Phase::SignedOut => view! { <AuthScreens /> }.into_any(),
        Phase::SignedIn => view! { <AppFrame /> }.into_any(),
    }
}

/// Loads the start-up state and follows the shell's session events for the life of the app.
fn start(session: Session, i18n: I18n) {
    spawn_local(async move {
        match ipc::app_state().await {
            Ok(state) => {
                session.apply_settings(state.settings, i18n);
                match state.me {
                    Some(me) => session.sign_in(me),
                    None => session.sign_out(None),
                }
            }
            Err(error) => {
                let reason = FormErrors::from_command_error(&error, &[]).banner;
                session.sign_out(Some(Notice::Error(reason.unwrap_or_else(|| Msg::new("error-generic")))));
            }
        }
    });
    let subscription = StoredValue::new_local(None::<ipc::Subscription>);
    spawn_local(async move {
        match ipc::on_session_changed(move |change| session.on_session_changed(change)).await {
            Ok(live) => subscription.set_value(Some(live)),
            // `app_state` has already put the reason on the log-in screen.
            Err(error) if ipc::is_missing_shell(&error) => {}
            Err(error) => leptos::logging::warn!("not following session changes: {error}"),
        }
    });
}

/// Shown for the moment between launch and the shell's answer.
#[component]
fn Splash() -> impl IntoView {
    view! {
        <div class="splash" role="status">
            <Brand large=true />
            <span class="spinner spinner-large" aria-hidden="true"></span>
            <p class="splash-text">{t("app-loading")}</p>
        </div>
    }
}

/// Log in or sign up, with the language and server settings a student may need first.
#[component]
fn AuthScreens() -> impl IntoView {
    let session = use_session();
    let screen = RwSignal::new(AuthScreen::Login);
    // Open the server settings straight away when the server could not be reached.
    let server_trouble =
        move || session.notice.with(|notice| matches!(notice, Some(Notice::Error(msg)) if msg.key == "error-offline"));
    view! {
        <div class="auth-screen">
            <div class="auth-toolbar">
                <Glyph icon=Icon::Globe />
                <LanguageSetting id="auth-language-picker" compact=true />
            </div>
            <main class="auth-column">
                <header class="auth-header">
                    <Brand large=true />
                    <p class="auth-tagline">{t("app-tagline")}</p>
                </header>
                {move || match screen.get() {
                    AuthScreen::Login => {
                        view! { <LoginPage on_go_signup=Callback::new(move |()| screen.set(AuthScreen::Signup)) /> }
                            .into_any()
                    }
                    AuthScreen::Signup => {
                        view! { <SignupPage on_go_login=Callback::new(move |()| screen.set(AuthScreen::Login)) /> }
                            .into_any()
                    }
                }}
                <details class="card disclosure" prop:open=server_trouble>
                    <summary id="server-settings-toggle">
                        <Glyph icon=Icon::Server />
                        <span>{t("settings-server")}</span>
                        <span class="disclosure-chevron"><Glyph icon=Icon::Chevron /></span>
                    </summary>
                    <div class="disclosure-body">
                        <ServerSettings />
                    </div>
                </details>
            </main>
        </div>
    }
}

/// The signed-in app: header, navigation and the current tab.
#[component]
fn AppFrame() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let tab = RwSignal::new(Tab::Feed);
    let chat_unread = follow_chat_unread();
    let initial = move || {
        session.me().and_then(|me| me.display_name.trim().chars().next()).map(|c| c.to_uppercase().collect::<String>())
    };
    view! {
        <div id="app-frame" class="frame">
            <header class="frame-header">
                <Brand />
                <h1 class="frame-title">{move || i18n.t(tab.get().label_key())}</h1>
                <button
                    type="button"
                    class="avatar header-avatar"
                    aria-label=t("nav-me")
                    on:click=move |_| tab.set(Tab::Me)
                >
                    {initial}
                </button>
            </header>
            <TabBar active=tab chat_unread=chat_unread on_select=Callback::new(move |picked| tab.set(picked)) />
            <main class="frame-main">
                {move || match tab.get() {
                    Tab::Feed => view! { <FeedPage /> }.into_any(),
                    Tab::Timetable => view! { <TimetablePage /> }.into_any(),
                    Tab::Chats => view! { <ChatsPage /> }.into_any(),
                    Tab::Notifications => view! { <NotificationsPage /> }.into_any(),
                    Tab::Me => view! { <MePage /> }.into_any(),
                }}
            </main>
        </div>
    }
}

/// Unread chat messages over all rooms, for the Chats tab's badge: asked for once, then kept
/// current by the shell's `chat` event (its room list carries the counts).
fn follow_chat_unread() -> RwSignal<u32> {
    let unread = RwSignal::new(0_u32);
    spawn_local(async move {
        if let Ok(view) = ipc::chat_rooms().await {
            let _ = unread.try_set(total_unread(&view.rooms));
        }
    });
    let subscription = StoredValue::new_local(None::<ipc::Subscription>);
    spawn_local(async move {
        let listening = ipc::on_chat(move |event| {
            if let ChatEvent::Rooms { rooms } = event {
                let _ = unread.try_set(total_unread(&rooms));
            }
        })
        .await;
        match listening {
            Ok(live) => {
                let _ = subscription.try_set_value(Some(live));
            }
            Err(error) if ipc::is_missing_shell(&error) => {}
            Err(error) => leptos::logging::warn!("not following chat unread counts: {error}"),
        }
    });
    unread
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Outside the shell the app must land on the log-in screen and say why, not panic or go blank.
    #[wasm_bindgen_test]
    async fn test_app_outside_the_shell_shows_login_with_a_clear_error() {
        let root = mount(App);
        for _ in 0..20 {
            if find(&root, "#login-email").is_some() {
                break;
            }
            settle().await;
        }
        assert!(find(&root, "#login-email").is_some(), "log-in screen did not appear");
        assert!(find(&root, "#login-password").is_some());
        assert!(find(&root, "#login-submit").is_some());
        assert!(find(&root, "#go-signup").is_some());
        assert!(find(&root, "#backend-url").is_some());
        let banner = text(&root, ".form-error").unwrap_or_default();
        assert!(banner.contains("app shell"), "banner was {banner:?}");
    }
}
