//! The Me tab: the student's profile (fresh from `profile`, marked when it comes from the offline
//! cache), the language and server settings, and logging out.

use crate::components::banner::FormBanner;
use crate::components::busy_button::BusyButton;
use crate::components::icons::{Glyph, Icon};
use crate::form_errors::FormErrors;
use crate::i18n::{Locale, Msg, t, use_i18n};
use crate::ipc;
use crate::pages::settings::{LanguageSetting, ServerSettings};
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pretzel_api::shell::Profile;
use wasm_bindgen::JsValue;

/// `created_at` (milliseconds since the epoch) as a long date in `locale`, e.g. "March 3, 2025",
/// "2025년 3월 3일", "2025年3月3日", using the web view's `Intl`.
fn long_date(epoch_millis: i64, locale: Locale) -> String {
    // Timestamps are far below 2^53 ms, so the conversion is exact.
    let date = js_sys::Date::new(&JsValue::from_f64(epoch_millis as f64));
    let options = js_sys::Object::new();
    for (key, value) in [("year", "numeric"), ("month", "long"), ("day", "numeric")] {
        // Setting a plain property on a fresh object cannot fail.
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    date.to_locale_date_string(locale.tag(), &options).into()
}

/// The first letter of the name, for the avatar.
fn initial(display_name: &str) -> String {
    display_name.trim().chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default()
}

/// The Me tab's content.
#[component]
pub fn MePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let profile = RwSignal::new(None::<Profile>);
    let load_error = RwSignal::new(None::<Msg>);
    let logging_out = RwSignal::new(false);
    let logout_error = RwSignal::new(None::<Msg>);

    spawn_local(async move {
        match ipc::profile().await {
            Ok(fresh) => profile.set(Some(fresh)),
            Err(error) => load_error.set(FormErrors::from_command_error(&error, &[]).banner),
        }
    });

    // Show the student from the session at once; the fresh profile replaces it when it arrives.
    let me = Memo::new(move |_| profile.with(|p| p.as_ref().map(|p| p.me.clone())).or_else(|| session.me()));
    let offline = move || profile.with(|p| p.as_ref().is_some_and(|p| p.offline));
    let field =
        move |read: fn(&pretzel_api::Me) -> String| move || me.with(|me| me.as_ref().map(read).unwrap_or_default());

    let log_out = move || {
        if logging_out.get_untracked() {
            return;
        }
        logging_out.set(true);
        logout_error.set(None);
        session.signing_out.set(true);
        spawn_local(async move {
            let result = ipc::log_out().await;
            logging_out.set(false);
            match result {
                Ok(()) => session.sign_out(None),
                Err(error) => {
                    session.signing_out.set(false);
                    logout_error.set(FormErrors::from_command_error(&error, &[]).banner);
                }
            }
        });
    };

    view! {
        <section class="page me-page" data-page="me">
            <FormBanner error=Signal::derive(move || load_error.with(|e| e.as_ref().map(|msg| i18n.msg(msg)))) />
            <article class="card profile-card">
                <div class="profile-head">
                    <div class="avatar avatar-large" aria-hidden="true">{field(|me| initial(&me.display_name))}</div>
                    <div class="profile-names">
                        <h2 id="me-display-name" class="profile-name">{field(|me| me.display_name.clone())}</h2>
                        <p id="me-email" class="profile-email">{field(|me| me.email.clone())}</p>
                    </div>
                    <Show when=offline>
                        <span class="badge badge-offline" title=t("me-offline-hint")>
                            <Glyph icon=Icon::Offline />
                            {t("me-offline")}
                        </span>
                    </Show>
                </div>
                <Show when=offline>
                    <p class="offline-hint">{t("me-offline-hint")}</p>
                </Show>
                <dl class="profile-facts">
                    <div class="fact">
                        <dt>{t("me-university")}</dt>
                        <dd>
                            <span id="me-university">{field(|me| me.university.name.clone())}</span>
                            " "
                            <span class="chip">{field(|me| me.university.short_name.clone())}</span>
                        </dd>
                    </div>
                    <div class="fact">
                        <dt>{t("me-member-since")}</dt>
                        <dd id="me-member-since">
                            {move || {
                                let locale = i18n.locale();
                                me.with(|me| me.as_ref().map(|me| long_date(me.created_at.timestamp_millis(), locale)))
                            }}
                        </dd>
                    </div>
                </dl>
            </article>

            <article class="card settings-card">
                <h2 class="card-title">{t("me-settings")}</h2>
                <div class="setting">
                    <div class="setting-icon"><Glyph icon=Icon::Globe /></div>
                    <div class="setting-body">
                        <LanguageSetting id="language-picker" />
                        <p class="field-hint">{t("settings-language-hint")}</p>
                    </div>
                </div>
                <div class="setting">
                    <div class="setting-icon"><Glyph icon=Icon::Server /></div>
                    <div class="setting-body">
                        <ServerSettings />
                    </div>
                </div>
            </article>

            <article class="card account-card">
                <h2 class="card-title">{t("me-account")}</h2>
                <FormBanner error=Signal::derive(move || logout_error.with(|e| e.as_ref().map(|msg| i18n.msg(msg)))) />
                <BusyButton
                    id="logout"
                    class="btn-danger"
                    busy=logging_out
                    label="me-logout"
                    busy_label="me-logging-out"
                    icon=Icon::Logout
                    on_click=Callback::new(move |()| log_out())
                />
            </article>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_avatar_initial() {
        assert_eq!(initial("ada lovelace"), "A");
        assert_eq!(initial("  김민준"), "김");
        assert_eq!(initial(""), "");
    }
}
