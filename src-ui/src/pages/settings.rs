//! The two settings a student can change anywhere: the UI language and the backend server address.
//!
//! Both appear on the auth screens (a student may need them before signing in) and on Me. Each
//! section here owns its shell call (`set_locale`, `set_backend_url`) so both places behave the same;
//! the inputs themselves are the `language_picker` and `backend_url_field` components.

use crate::components::backend_url_field::BackendUrlField;
use crate::components::banner::FormBanner;
use crate::components::language_picker::LanguagePicker;
use crate::form_errors::FormErrors;
use crate::i18n::{Locale, Msg, browser_language, resolve_locale, use_i18n};
use crate::ipc;
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pretzel_api::shell::{CommandError, CommandErrorKind, DEFAULT_BACKEND_URL};

/// `true` when `url` is worth sending to the shell: `http(s)://` followed by a host, no spaces.
/// The shell has the final say; this only catches typos before a round trip.
pub fn is_plausible_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.starts_with(':') && !url.chars().any(char::is_whitespace)
    })
}

/// The message for a failed `set_backend_url`.
fn url_error(error: &CommandError) -> Msg {
    if error.kind == CommandErrorKind::InvalidInput {
        return Msg::new("field-invalid-url");
    }
    let errors = FormErrors::from_command_error(error, &["url"]);
    errors.field("url").cloned().or(errors.banner).unwrap_or_else(|| Msg::new("error-generic"))
}

/// The backend address editor, saved through `set_backend_url`.
#[component]
pub fn ServerSettings() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let current = move || {
        session.settings.with(|settings| {
            settings.as_ref().map_or_else(|| DEFAULT_BACKEND_URL.to_owned(), |settings| settings.backend_url.clone())
        })
    };
    let draft = RwSignal::new(untrack(current));
    // Follow the stored address when it arrives (start-up) or changes (a save normalised it).
    Effect::new(move |_| draft.set(current()));
    let error = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let on_save = Callback::new(move |url: String| {
        let url = url.trim().to_owned();
        saved.set(false);
        if !is_plausible_url(&url) {
            error.set(Some(Msg::new("field-invalid-url")));
            return;
        }
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = ipc::set_backend_url(url).await;
            busy.set(false);
            match result {
                Ok(settings) => {
                    session.settings.set(Some(settings));
                    saved.set(true);
                }
                Err(failure) => error.set(Some(url_error(&failure))),
            }
        });
    });
    let on_edit = Callback::new(move |()| {
        error.set(None);
        saved.set(false);
    });
    view! {
        <BackendUrlField
            value=draft
            error=Signal::derive(move || error.with(|error| error.as_ref().map(|msg| i18n.msg(msg))))
            busy=busy
            saved=saved
            on_save=on_save
            on_edit=on_edit
        />
    }
}

/// The language choice, applied at once and saved through `set_locale`.
#[component]
pub fn LanguageSetting(
    /// Element id of the `<select>` (`language-picker` on Me).
    #[prop(into)]
    id: String,
    /// The small variant for the corner of the auth screens.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let stored = move || {
        session.settings.with(|settings| settings.as_ref().and_then(|s| s.locale.as_deref().map(Locale::from_tag)))
    };
    let choice = RwSignal::new(untrack(stored));
    Effect::new(move |_| choice.set(stored()));
    let error = RwSignal::new(None::<Msg>);
    let on_change = Callback::new(move |picked: Option<Locale>| {
        choice.set(picked);
        error.set(None);
        // Switch at once; the shell only needs to remember the choice for the next start.
        let os = session.settings.with_untracked(|s| s.as_ref().map(|s| s.os_locale.clone()));
        i18n.set_locale(resolve_locale(picked.map(Locale::tag), os.as_deref(), browser_language().as_deref()));
        spawn_local(async move {
            match ipc::set_locale(picked.map(|locale| locale.tag().to_owned())).await {
                Ok(settings) => session.apply_settings(settings, i18n),
                // Outside the shell the start-up banner already says so; the switch still works.
                Err(failure) if ipc::is_missing_shell(&failure) => {}
                Err(failure) => error.set(FormErrors::from_command_error(&failure, &[]).banner),
            }
        });
    });
    view! {
        <LanguagePicker id=id value=choice on_change=on_change compact=compact />
        <FormBanner error=Signal::derive(move || error.with(|error| error.as_ref().map(|msg| i18n.msg(msg))))/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_plausible_urls() {
        for good in ["http://127.0.0.1:8787", "https://pretzel.example.edu", "HTTPS://Campus.example/api"] {
            assert!(is_plausible_url(good), "{good}");
        }
        for bad in ["", "pretzel.example.edu", "ftp://x", "http://", "https://:8787", "http://a b", "http//x"] {
            assert!(!is_plausible_url(bad), "{bad}");
        }
    }
}
