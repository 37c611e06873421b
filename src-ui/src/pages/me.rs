//! The Me tab: the student's profile (fresh from `profile`, marked when it comes from the offline
//! cache), the timetable settings (home time zone, student visa) saved through `update_me`, the
//! language and server settings, and logging out.

use crate::components::banner::FormBanner;
use crate::components::busy_button::BusyButton;
use crate::components::icons::{Glyph, Icon};
use crate::components::time_zone_picker::TimeZonePicker;
use crate::form_errors::FormErrors;
use crate::i18n::{Locale, Msg, t, use_i18n};
use crate::ipc;
use crate::pages::settings::{LanguageSetting, ServerSettings};
use crate::session::{SessionStatus, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pretzel_api::UpdateMe;
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

    // Timetable settings save at once; the answer updates this page and the session, so the
    // Timetable tab sees the new home zone without a reload.
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let save_error = RwSignal::new(None::<Msg>);
    let save = move |request: UpdateMe| {
        saving.set(true);
        saved.set(false);
        save_error.set(None);
        spawn_local(async move {
            let answer = ipc::update_me(&request).await;
            let _ = saving.try_set(false);
            match answer {
                Ok(fresh) => {
                    profile.update(|profile| {
                        if let Some(profile) = profile {
                            profile.me = fresh.clone();
                        }
                    });
                    session.status.set(SessionStatus::SignedIn(Box::new(fresh)));
                    saved.set(true);
                }
                Err(error) => {
                    let errors = FormErrors::from_command_error(&error, &[]);
                    save_error.set(errors.banner.or_else(|| Some(Msg::new("error-generic"))));
                }
            }
        });
    };
    let home_zone = Signal::derive(move || me.with(|me| me.as_ref().and_then(|me| me.home_time_zone.clone())));
    let student_visa = move || me.with(|me| me.as_ref().is_some_and(|me| me.student_visa));

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

            <article class="card settings-card" id="me-timetable-settings">
                <h2 class="card-title">{t("me-timetable-settings")}</h2>
                <FormBanner error=Signal::derive(move || save_error.with(|e| e.as_ref().map(|msg| i18n.msg(msg)))) />
                <div class="setting">
                    <div class="setting-icon"><Glyph icon=Icon::Globe /></div>
                    <div class="setting-body">
                        <TimeZonePicker
                            value=home_zone
                            disabled=saving
                            on_change=Callback::new(move |zone: Option<String>| {
                                let zone = Some(zone.unwrap_or_default());
                                save(UpdateMe { home_time_zone: zone, ..UpdateMe::default() });
                            })
                        />
                    </div>
                </div>
                <div class="setting">
                    <div class="setting-icon"><Glyph icon=Icon::Timetable /></div>
                    <div class="setting-body">
                        <label class="tt-check">
                            <input
                                id="student-visa"
                                type="checkbox"
                                prop:checked=student_visa
                                disabled=move || saving.get()
                                on:change=move |event| {
                                    let holds = event_target_checked(&event);
                                    save(UpdateMe { student_visa: Some(holds), ..UpdateMe::default() });
                                }
                            />
                            <span>{t("me-student-visa")}</span>
                        </label>
                        <p class="field-hint">{t("me-student-visa-hint")}</p>
                        <p id="me-timetable-status" class="saved-note" role="status">
                            {move || {
                                if saving.get() {
                                    Some(i18n.t("me-saving"))
                                } else {
                                    saved.get().then(|| i18n.t("me-saved"))
                                }
                            }}
                        </p>
                    </div>
                </div>
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

/// The timetable settings against a scripted stand-in for the shell: each change is saved through
/// `update_me` with only the field that changed, and the answer reaches the session.
#[cfg(all(test, target_arch = "wasm32"))]
mod wasm_tests {
    use super::*;
    use crate::components::fake_shell::{FakeShell, click, sleep, wait_for};
    use crate::components::test_support::{find, mount, text};
    use crate::session::Session;
    use pretzel_api::{Me, University, UniversityId, UserId};
    use serde_json::json;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn me(zone: Option<&str>, visa: bool) -> Me {
        Me {
            id: UserId(1),
            email: "minjun@illinois.edu".into(),
            display_name: "Minjun Kim".into(),
            university: University {
                id: UniversityId(1),
                name: "University of Illinois Urbana-Champaign".into(),
                short_name: "UIUC".into(),
                time_zone: "America/Chicago".into(),
                email_domains: vec!["illinois.edu".into()],
                full_time_credits: 12,
            },
            created_at: chrono::DateTime::UNIX_EPOCH,
            home_time_zone: zone.map(str::to_owned),
            student_visa: visa,
        }
    }

    async fn wait_for_saves(shell: &FakeShell, root: &web_sys::HtmlElement, count: usize) {
        for _ in 0..200 {
            let saved = text(root, "#me-timetable-status").is_some_and(|status| status == "Saved.");
            if shell.calls("update_me").len() == count && saved {
                return;
            }
            sleep(50).await;
        }
        panic!("expected {count} saves, saw {:?}", shell.calls("update_me"));
    }

    #[wasm_bindgen_test]
    async fn test_me_saves_the_home_zone_and_the_visa_flag_through_update_me() {
        let answers = json!({
            "profile": { "me": me(None, false), "offline": false },
            "update_me": [me(Some("Asia/Seoul"), false), me(Some("Asia/Seoul"), true)],
        });
        let shell = FakeShell::install(&answers, &["update_me"]);
        let session = Session::new();
        session.sign_in(me(None, false));
        let root = mount(move || {
            provide_context(session);
            view! { <MePage /> }
        });
        let picker = wait_for(&root, "select#home-zone-picker").await;
        let picker = picker.dyn_into::<web_sys::HtmlSelectElement>().expect("select");
        picker.set_value("Asia/Seoul");
        picker.dispatch_event(&web_sys::Event::new("change").expect("event")).expect("dispatch");
        wait_for_saves(&shell, &root, 1).await;
        assert_eq!(shell.calls("update_me")[0], json!({ "request": { "home_time_zone": "Asia/Seoul" } }));
        assert_eq!(session.me().and_then(|me| me.home_time_zone).as_deref(), Some("Asia/Seoul"));

        click(find(&root, "#student-visa").expect("visa toggle"));
        wait_for_saves(&shell, &root, 2).await;
        assert_eq!(shell.calls("update_me")[1], json!({ "request": { "student_visa": true } }));
        assert!(session.me().is_some_and(|me| me.student_visa));
    }
}
