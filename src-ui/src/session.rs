//! Who is signed in and what the shell's settings are: the app-wide state every page shares.
//!
//! [`Session`] is a bundle of signals handed down as a Leptos context by `app.rs`. The top-level
//! view switches between the auth screens and the app frame by reading [`Session::status`]; pages
//! change it only through the methods here, so a sign-in from the login page, a sign-out from Me and
//! a revocation announced by the shell's `session-changed` event all take the same path.

use crate::i18n::{I18n, Msg, browser_language, resolve_locale};
use leptos::prelude::*;
use pretzel_api::Me;
use pretzel_api::shell::{SessionChanged, ShellSettings};

/// Where the student is in the app's life cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionStatus {
    /// `app_state` has not answered yet.
    Starting,
    /// Nobody is signed in: show the login or sign-up screen.
    SignedOut,
    /// A student is signed in: show the app frame.
    SignedIn(Box<Me>),
}

/// A message for the login screen explaining why the student is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Something is broken (e.g. the shell is unreachable): shown as the form's error banner.
    Error(Msg),
    /// Worth knowing but not a failure (e.g. the server ended the session).
    Info(Msg),
}

/// The shared app state; cheap to copy into closures.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// Who is signed in.
    pub status: RwSignal<SessionStatus>,
    /// The shell's settings, once known (`None` outside the shell).
    pub settings: RwSignal<Option<ShellSettings>>,
    /// Why the login screen is showing, if there is something to say.
    pub notice: RwSignal<Option<Notice>>,
    /// `true` while the student's own log-out is under way, so the shell's `session-changed`
    /// event for it is not mistaken for a revocation.
    pub signing_out: RwSignal<bool>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// A session that is still starting.
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(SessionStatus::Starting),
            settings: RwSignal::new(None),
            notice: RwSignal::new(None),
            signing_out: RwSignal::new(false),
        }
    }

    /// The signed-in student, if any (tracked).
    pub fn me(&self) -> Option<Me> {
        self.status.with(|status| match status {
            SessionStatus::SignedIn(me) => Some(me.as_ref().clone()),
            _ => None,
        })
    }

    /// Enters the app frame as `me`.
    pub fn sign_in(&self, me: Me) {
        self.notice.set(None);
        self.signing_out.set(false);
        self.status.set(SessionStatus::SignedIn(Box::new(me)));
    }

    /// Returns to the login screen, optionally saying why.
    pub fn sign_out(&self, notice: Option<Notice>) {
        self.notice.set(notice);
        self.signing_out.set(false);
        self.status.set(SessionStatus::SignedOut);
    }

    /// Applies a `session-changed` event. A sign-out the student did not ask for (the server
    /// revoked the session) explains itself on the login screen.
    pub fn on_session_changed(&self, change: SessionChanged) {
        match change.me {
            Some(me) => self.sign_in(me),
            None => {
                let was_signed_in = self.status.with_untracked(|s| matches!(s, SessionStatus::SignedIn(_)));
                if self.signing_out.get_untracked() {
                    self.sign_out(None);
                } else if was_signed_in {
                    self.sign_out(Some(Notice::Info(Msg::new("notice-signed-out"))));
                }
            }
        }
    }

    /// Stores the shell's settings and switches the UI to the language they call for.
    pub fn apply_settings(&self, settings: ShellSettings, i18n: I18n) {
        let locale = resolve_locale(
            settings.locale.as_deref(),
            Some(settings.os_locale.as_str()),
            browser_language().as_deref(),
        );
        i18n.set_locale(locale);
        self.settings.set(Some(settings));
    }
}

/// The session context provided by the app root.
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| {
        let session = Session::new();
        provide_context(session);
        session
    })
}
