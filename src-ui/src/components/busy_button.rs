//! A button that shows a spinner and a "working…" label and refuses clicks while its action runs:
//! the submit buttons of the auth forms and the log-out button share it.

use crate::components::icons::{Glyph, Icon};
use crate::i18n::use_i18n;
use leptos::prelude::*;

/// A submit (or plain) button with a busy state.
#[component]
pub fn BusyButton(
    /// The element id (a stable selector for tests).
    id: &'static str,
    /// Extra classes after `btn`, e.g. `"btn-primary btn-block"`.
    class: &'static str,
    /// `true` while the action runs.
    #[prop(into)]
    busy: Signal<bool>,
    /// Message id of the label at rest.
    label: &'static str,
    /// Message id of the label while busy.
    busy_label: &'static str,
    /// An icon before the label.
    #[prop(optional)]
    icon: Option<Icon>,
    /// `true` for a form's submit button; `false` for a button with `on_click`.
    #[prop(optional)]
    submit: bool,
    /// Called on click (for non-submit buttons).
    #[prop(optional)]
    on_click: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            id=id
            type=if submit { "submit" } else { "button" }
            class=format!("btn {class}")
            class:btn-busy=move || busy.get()
            disabled=move || busy.get()
            aria-busy=move || busy.get().to_string()
            on:click=move |_| {
                if let Some(on_click) = on_click {
                    on_click.run(());
                }
            }
        >
            <span class="spinner" aria-hidden="true"></span>
            {icon.map(|icon| view! { <Glyph icon=icon /> })}
            <span>{move || i18n.t(if busy.get() { busy_label } else { label })}</span>
        </button>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_busy_button_disables_itself_and_swaps_its_label() {
        let busy = RwSignal::new(false);
        let root = mount(move || {
            view! { <BusyButton id="go" class="btn-primary" busy=busy label="login-submit" busy_label="login-submitting" submit=true /> }
        });
        let button = find(&root, "#go").expect("button");
        assert_eq!(button.get_attribute("type").as_deref(), Some("submit"));
        assert!(button.get_attribute("disabled").is_none());
        let idle = text(&root, "#go").expect("label");
        busy.set(true);
        settle().await;
        assert!(button.get_attribute("disabled").is_some());
        assert!(button.class_list().contains("btn-busy"));
        assert_ne!(text(&root, "#go").expect("label"), idle);
    }
}
