//! Getting a plan into a calendar app: export an `.ics` file (`#export-ics`, then the saved path),
//! or subscribe to a private feed (`#subscribe-ics`, then the URL with a copy button and Revoke).

use crate::components::busy_button::BusyButton;
use crate::components::icons::{Glyph, Icon};
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pretzel_api::timetable::CalendarSubscription;
use wasm_bindgen::{JsCast, JsValue};

/// Puts `text` on the clipboard through `navigator.clipboard.writeText`; `false` when the web view
/// offers no clipboard or refuses.
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let Ok(clipboard) = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("clipboard")) else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText")) else { return false };
    let Ok(write) = write.dyn_into::<js_sys::Function>() else { return false };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else { return false };
    match promise.dyn_into::<js_sys::Promise>() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
        Err(_) => false,
    }
}

/// Export and subscription controls of the shown plan.
#[component]
pub fn CalendarShare(
    /// Where the last export was written.
    #[prop(into)]
    exported: Signal<Option<String>>,
    /// The plan's live feed, once subscribed in this session.
    #[prop(into)]
    subscription: Signal<Option<CalendarSubscription>>,
    /// `true` while exporting.
    #[prop(into)]
    exporting: Signal<bool>,
    /// `true` while subscribing or revoking.
    #[prop(into)]
    subscribing: Signal<bool>,
    /// Writes the `.ics` file.
    on_export: Callback<()>,
    /// Issues a feed URL.
    on_subscribe: Callback<()>,
    /// Revokes the feed URL.
    on_revoke: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(None::<bool>);
    let feed = move || {
        subscription.get().map(|feed| {
            let url = feed.url.clone();
            view! {
                <div id="subscription" class="tt-feed">
                    <label class="field-label" for="subscription-url">{t("timetable-feed-url")}</label>
                    <div class="tt-feed-row">
                        <input
                            id="subscription-url"
                            class="field-input"
                            type="text"
                            readonly=true
                            prop:value=feed.url.clone()
                        />
                        <button
                            id="copy-subscription"
                            type="button"
                            class="btn btn-secondary"
                            on:click=move |_| {
                                let url = url.clone();
                                spawn_local(async move { copied.set(Some(copy_to_clipboard(&url).await)) });
                            }
                        >
                            {move || match copied.get() {
                                Some(true) => i18n.t("timetable-copied"),
                                Some(false) => i18n.t("timetable-copy-failed"),
                                None => i18n.t("timetable-copy"),
                            }}
                        </button>
                    </div>
                    <p class="field-hint">{t("timetable-feed-hint")}</p>
                    <div class="tt-feed-actions">
                        <a id="open-webcal" class="link-button" href=feed.webcal_url.clone()>
                            {t("timetable-feed-open")}
                        </a>
                        <button
                            id="revoke-subscription"
                            type="button"
                            class="link-button tt-danger-link"
                            disabled=move || subscribing.get()
                            on:click=move |_| on_revoke.run(())
                        >
                            {t("timetable-feed-revoke")}
                        </button>
                    </div>
                </div>
            }
        })
    };
    view! {
        <div class="tt-share">
            <div class="tt-share-buttons">
                <BusyButton
                    id="export-ics"
                    class="btn-secondary"
                    busy=exporting
                    label="timetable-export"
                    busy_label="timetable-exporting"
                    on_click=on_export
                />
                <BusyButton
                    id="subscribe-ics"
                    class="btn-secondary"
                    busy=subscribing
                    label="timetable-subscribe"
                    busy_label="timetable-subscribing"
                    on_click=Callback::new(move |()| {
                        copied.set(None);
                        on_subscribe.run(());
                    })
                />
            </div>
            {move || exported.get().map(|path| view! {
                <p id="export-path" class="tt-note">
                    <Glyph icon=Icon::Check />
                    <span>{t("timetable-exported")} " " <code>{path}</code></span>
                </p>
            })}
            {feed}
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_calendar_share_shows_the_path_and_the_feed_url() {
        let exported = RwSignal::new(None::<String>);
        let feed = RwSignal::new(None::<CalendarSubscription>);
        let revoked = RwSignal::new(false);
        let root = mount(move || {
            view! {
                <CalendarShare
                    exported=exported
                    subscription=feed
                    exporting=Signal::derive(|| false)
                    subscribing=Signal::derive(|| false)
                    on_export=Callback::new(|()| {})
                    on_subscribe=Callback::new(|()| {})
                    on_revoke=Callback::new(move |()| revoked.set(true))
                />
            }
        });
        assert!(find(&root, "#export-ics").is_some() && find(&root, "#subscribe-ics").is_some());
        exported.set(Some("/home/ada/Downloads/plan-a.ics".into()));
        feed.set(Some(CalendarSubscription {
            url: "http://127.0.0.1:8787/calendar/abc.ics".into(),
            webcal_url: "webcal://127.0.0.1:8787/calendar/abc.ics".into(),
            created_at: chrono::DateTime::UNIX_EPOCH,
        }));
        settle().await;
        assert!(text(&root, "#export-path").expect("path").contains("/home/ada/Downloads/plan-a.ics"));
        let url = find(&root, "#subscription-url").expect("url");
        let url = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(url).expect("input");
        assert_eq!(url.value(), "http://127.0.0.1:8787/calendar/abc.ics");
        wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(find(&root, "#revoke-subscription").expect("revoke"))
            .expect("button")
            .click();
        assert!(revoked.get_untracked());
    }
}
