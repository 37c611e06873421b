//! The sign-up screen: email, password, display name and university (loaded from the shell's
//! `list_universities`). Obvious mistakes are caught before the round trip; everything else comes
//! back from the server as field errors, shown under the field to fix.

use crate::components::banner::FormBanner;
use crate::components::busy_button::BusyButton;
use crate::components::text_field::TextField;
use crate::components::university_picker::UniversityPicker;
use crate::form_errors::{FormErrors, field_message};
use crate::i18n::{Msg, t, use_i18n};
use crate::ipc;
use crate::session::use_session;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pretzel_api::{DISPLAY_NAME_MAX_CHARS, PASSWORD_MIN_CHARS, SignupRequest, University, UniversityId};

/// The inputs of this form, by wire name.
const FIELDS: &[&str] = &["email", "password", "display_name", "university_id"];

/// Where the list of universities is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Universities {
    Loading,
    Loaded,
    Failed(Msg),
}

/// The problems the form can see without asking the server.
fn check(email: &str, password: &str, display_name: &str, university: Option<UniversityId>) -> FormErrors {
    let mut errors = FormErrors::none();
    if email.is_empty() {
        errors.set_field("email", Msg::new("field-required"));
    }
    if password.is_empty() {
        errors.set_field("password", Msg::new("field-required"));
    } else if password.chars().count() < PASSWORD_MIN_CHARS {
        errors.set_field("password", field_message("password", "too_short"));
    }
    if display_name.is_empty() {
        errors.set_field("display_name", Msg::new("field-required"));
    } else if display_name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        errors.set_field("display_name", field_message("display_name", "too_long"));
    }
    if university.is_none() {
        errors.set_field("university_id", Msg::new("field-unknown-university"));
    }
    errors
}

/// The sign-up form.
#[component]
pub fn SignupPage(
    /// Switches back to the log-in screen.
    on_go_login: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let university = RwSignal::new(None::<UniversityId>);
    let universities = RwSignal::new(Vec::<University>::new());
    let load_state = RwSignal::new(Universities::Loading);
    let errors = RwSignal::new(FormErrors::none());
    let busy = RwSignal::new(false);

    let load = move || {
        load_state.set(Universities::Loading);
        spawn_local(async move {
            match ipc::list_universities().await {
                Ok(mut list) => {
                    list.sort_by_key(|university| university.name.to_lowercase());
                    universities.set(list);
                    load_state.set(Universities::Loaded);
                }
                Err(error) => {
                    let msg = FormErrors::from_command_error(&error, &[]).banner;
                    load_state.set(Universities::Failed(msg.unwrap_or_else(|| Msg::new("error-universities"))));
                }
            }
        });
    };
    load();

    let field_error = move |field: &'static str| {
        Signal::derive(move || errors.with(|errors| errors.field(field).map(|msg| i18n.msg(msg))))
    };
    let clear = move |field: &'static str| Callback::new(move |()| errors.update(|errors| errors.clear_field(field)));
    let loading = move || load_state.with(|state| *state == Universities::Loading);
    let banner_error = Signal::derive(move || {
        let own = errors.with(|errors| errors.banner.clone());
        let load_failure = load_state.with(|state| match state {
            Universities::Failed(msg) => Some(msg.clone()),
            _ => None,
        });
        own.or(load_failure).map(|msg| i18n.msg(&msg))
    });
    // Clear a stale university error as soon as one is picked.
    Effect::new(move |_| {
        if university.with(Option::is_some) {
            errors.update(|errors| errors.clear_field("university_id"));
        }
    });

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let email = email.get_untracked().trim().to_owned();
        let password = password.get_untracked();
        let display_name = display_name.get_untracked().trim().to_owned();
        let university_id = university.get_untracked();
        let local = check(&email, &password, &display_name, university_id);
        errors.set(local.clone());
        let Some(university_id) = university_id.filter(|_| local.is_empty()) else { return };
        let request = SignupRequest { email, password, display_name, university_id };
        busy.set(true);
        spawn_local(async move {
            let result = ipc::sign_up(&request).await;
            busy.set(false);
            match result {
                Ok(me) => session.sign_in(me),
                Err(error) => errors.set(FormErrors::from_command_error(&error, FIELDS)),
            }
        });
    };

    view! {
        <section class="card auth-card" aria-labelledby="signup-title">
            <h1 id="signup-title" class="auth-title">{t("signup-title")}</h1>
            <p class="auth-subtitle">{t("signup-subtitle")}</p>
            <FormBanner error=banner_error />
            <form class="form" novalidate=true on:submit=submit>
                <TextField
                    id="signup-email"
                    field="email"
                    label=t("signup-email")
                    value=email
                    error=field_error("email")
                    hint=Signal::derive(t("signup-email-hint"))
                    input_type="email"
                    autocomplete="email"
                    disabled=busy
                    on_edit=clear("email")
                />
                <TextField
                    id="signup-password"
                    field="password"
                    label=t("signup-password")
                    value=password
                    error=field_error("password")
                    hint=Signal::derive(move || {
                        i18n.msg(&Msg::new("signup-password-hint").arg("min", PASSWORD_MIN_CHARS))
                    })
                    input_type="password"
                    autocomplete="new-password"
                    disabled=busy
                    on_edit=clear("password")
                />
                <TextField
                    id="signup-display-name"
                    field="display_name"
                    label=t("signup-display-name")
                    value=display_name
                    error=field_error("display_name")
                    hint=Signal::derive(t("signup-display-name-hint"))
                    autocomplete="nickname"
                    disabled=busy
                    on_edit=clear("display_name")
                />
                <UniversityPicker
                    id="signup-university"
                    label=t("signup-university")
                    placeholder=Signal::derive(move || {
                        i18n.t(if loading() { "signup-university-loading" } else { "signup-university-placeholder" })
                    })
                    universities=universities
                    value=university
                    error=field_error("university_id")
                    disabled=Signal::derive(move || busy.get() || loading())
                />
                <Show when=move || load_state.with(|state| matches!(state, Universities::Failed(_)))>
                    <button id="universities-retry" type="button" class="link-button retry" on:click=move |_| load()>
                        {t("signup-university-retry")}
                    </button>
                </Show>
                <BusyButton
                    id="signup-submit"
                    class="btn-primary btn-block"
                    busy=busy
                    label="signup-submit"
                    busy_label="signup-submitting"
                    submit=true
                />
            </form>
            <p class="auth-switch">
                <span>{t("signup-have-account")}</span>
                " "
                <button id="go-login" type="button" class="link-button" on:click=move |_| on_go_login.run(())>
                    {t("signup-go-login")}
                </button>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_local_checks_catch_empty_and_short_input() {
        let errors = check("", "short", "", None);
        assert_eq!(errors.field("email"), Some(&Msg::new("field-required")));
        assert_eq!(errors.field("password").map(|m| m.key), Some("field-password-too-short"));
        assert_eq!(errors.field("display_name"), Some(&Msg::new("field-required")));
        assert_eq!(errors.field("university_id"), Some(&Msg::new("field-unknown-university")));
        assert!(check("ada@example.edu", "correct horse", "Ada", Some(UniversityId(1))).is_empty());
    }
}
