//! The log-in screen: email and password, a general error banner, errors under each field, and the
//! way to the sign-up screen. A successful `log_in` signs the session in and the app frame replaces
//! this screen.

use crate::components::banner::FormBanner;
use crate::components::busy_button::BusyButton;
use crate::components::text_field::TextField;
use crate::form_errors::FormErrors;
use crate::i18n::{Msg, t, use_i18n};
use crate::ipc;
use crate::session::{Notice, use_session};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pretzel_api::LoginRequest;

/// The inputs of this form, by wire name.
const FIELDS: &[&str] = &["email", "password"];

/// The log-in form.
#[component]
pub fn LoginPage(
    /// Switches to the sign-up screen.
    on_go_signup: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::none());
    let busy = RwSignal::new(false);

    let field_error = move |field: &'static str| {
        Signal::derive(move || errors.with(|errors| errors.field(field).map(|msg| i18n.msg(msg))))
    };
    let clear = move |field: &'static str| Callback::new(move |()| errors.update(|errors| errors.clear_field(field)));
    let banner_error = Signal::derive(move || {
        let own = errors.with(|errors| errors.banner.clone());
        let notice = session.notice.with(|notice| match notice {
            Some(Notice::Error(msg)) => Some(msg.clone()),
            _ => None,
        });
        own.or(notice).map(|msg| i18n.msg(&msg))
    });
    let banner_info = Signal::derive(move || {
        session.notice.with(|notice| match notice {
            Some(Notice::Info(msg)) => Some(i18n.msg(msg)),
            _ => None,
        })
    });

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request =
            LoginRequest { email: email.get_untracked().trim().to_owned(), password: password.get_untracked() };
        let mut local = FormErrors::none();
        if request.email.is_empty() {
            local.set_field("email", Msg::new("field-required"));
        }
        if request.password.is_empty() {
            local.set_field("password", Msg::new("field-required"));
        }
        errors.set(local.clone());
        if !local.is_empty() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = ipc::log_in(&request).await;
            busy.set(false);
            match result {
                Ok(me) => session.sign_in(me),
                Err(error) => errors.set(FormErrors::from_command_error(&error, FIELDS)),
            }
        });
    };

    view! {
        <section class="card auth-card" aria-labelledby="login-title">
            <h1 id="login-title" class="auth-title">{t("login-title")}</h1>
            <p class="auth-subtitle">{t("login-subtitle")}</p>
            <FormBanner error=banner_error info=banner_info />
            <form class="form" novalidate=true on:submit=submit>
                <TextField
                    id="login-email"
                    field="email"
                    label=t("login-email")
                    value=email
                    error=field_error("email")
                    input_type="email"
                    autocomplete="username"
                    disabled=busy
                    on_edit=clear("email")
                />
                <TextField
                    id="login-password"
                    field="password"
                    label=t("login-password")
                    value=password
                    error=field_error("password")
                    input_type="password"
                    autocomplete="current-password"
                    disabled=busy
                    on_edit=clear("password")
                />
                <BusyButton
                    id="login-submit"
                    class="btn-primary btn-block"
                    busy=busy
                    label="login-submit"
                    busy_label="login-submitting"
                    submit=true
                />
            </form>
            <p class="auth-switch">
                <span>{t("login-no-account")}</span>
                " "
                <button id="go-signup" type="button" class="link-button" on:click=move |_| on_go_signup.run(())>
                    {t("login-go-signup")}
                </button>
            </p>
        </section>
    }
}
