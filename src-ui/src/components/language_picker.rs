//! The language `<select>`: "System default" plus every translated language, each written in its
//! own script so a student can find theirs whatever language the UI currently speaks.

use crate::i18n::{Locale, t};
use leptos::prelude::*;

/// A select of `None` (follow the system) or one [`Locale`].
#[component]
pub fn LanguagePicker(
    /// Element id of the `<select>`.
    #[prop(into)]
    id: String,
    /// The current choice.
    #[prop(into)]
    value: Signal<Option<Locale>>,
    /// Called with the new choice.
    on_change: Callback<Option<Locale>>,
    /// Hides the visible label (the compact picker on the auth screens keeps it for screen readers).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let options = Locale::ALL
        .into_iter()
        .map(|locale| {
            view! {
                <option value=locale.tag() prop:selected=move || value.get() == Some(locale)>
                    {locale.native_name()}
                </option>
            }
        })
        .collect_view();
    let label_for = id.clone();
    view! {
        <div class="field language-picker" class:language-picker-compact=compact>
            <label class="field-label" class:visually-hidden=compact for=label_for>
                {t("settings-language")}
            </label>
            <select
                id=id
                class="field-input select"
                on:change=move |event| {
                    let tag = event_target_value(&event);
                    let choice = Locale::ALL.into_iter().find(|locale| locale.tag() == tag);
                    on_change.run(choice);
                }
            >
                <option value="" prop:selected=move || value.get().is_none()>
                    {t("settings-language-system")}
                </option>
                {options}
            </select>
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_language_picker_offers_every_language_and_reports_the_choice() {
        let choice = RwSignal::new(None::<Locale>);
        let root = mount(move || {
            view! { <LanguagePicker id="t-lang" value=choice on_change=Callback::new(move |c| choice.set(c)) /> }
        });
        let select =
            find(&root, "select#t-lang").expect("select").dyn_into::<web_sys::HtmlSelectElement>().expect("select");
        let values: Vec<String> = (0..select.length())
            .filter_map(|i| select.item(i))
            .filter_map(|option| option.get_attribute("value"))
            .collect();
        assert_eq!(values, ["", "en", "ko", "zh-CN"]);
        assert_eq!(select.value(), "");

        select.set_value("ko");
        select.dispatch_event(&web_sys::Event::new("change").expect("event")).expect("dispatch");
        settle().await;
        assert_eq!(choice.get_untracked(), Some(Locale::Ko));
        assert_eq!(select.value(), "ko");
    }
}
