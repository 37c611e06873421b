//! A labelled input with an optional hint and a field-level error underneath.
//!
//! The error element carries `class="field-error"` and `data-field="<wire name>"`, the hook the
//! end-to-end tests use; while an error shows, the input is `aria-invalid` and described by it.

use leptos::prelude::*;

/// A labelled text input bound to `value`.
#[component]
pub fn TextField(
    /// Element id of the `<input>` (stable: the end-to-end tests use it).
    #[prop(into)]
    id: String,
    /// The field's name on the wire, written to the error's `data-field`.
    #[prop(into)]
    field: String,
    /// The visible label.
    #[prop(into)]
    label: Signal<String>,
    /// The input's current text.
    value: RwSignal<String>,
    /// The error to show under the input, already translated.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Help shown under the input while there is no error.
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
    /// The input type (`text`, `email`, `password`, `url`).
    #[prop(default = "text")]
    input_type: &'static str,
    /// The `autocomplete` token, so password managers and autofill work.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Greys the input out (e.g. while the form is submitting).
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// Called when the student edits the text, e.g. to clear a stale error.
    #[prop(optional)]
    on_edit: Option<Callback<()>>,
) -> impl IntoView {
    let message_id = format!("{id}-message");
    let described_by = message_id.clone();
    let name = field.clone();
    let label_for = id.clone();
    let has_error = move || error.with(Option::is_some);
    view! {
        <div class="field" class:field-invalid=has_error>
            <label class="field-label" for=label_for>{label}</label>
            <input
                id=id
                class="field-input"
                type=input_type
                name=name
                autocomplete=autocomplete
                spellcheck="false"
                aria-invalid=move || if has_error() { "true" } else { "false" }
                aria-describedby=described_by
                disabled=move || disabled.get()
                prop:value=move || value.get()
                on:input=move |event| {
                    value.set(event_target_value(&event));
                    if let Some(on_edit) = on_edit {
                        on_edit.run(());
                    }
                }
            />
            {move || match error.get() {
                Some(message) => {
                    view! {
                        <p id=message_id.clone() class="field-error" data-field=field.clone() role="alert">
                            {message}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    let hint = hint.map(|hint| hint.get());
                    view! { <p id=message_id.clone() class="field-hint">{hint}</p> }.into_any()
                }
            }}
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
    async fn test_text_field_renders_its_label_and_error() {
        let value = RwSignal::new(String::from("ada@example.edu"));
        let error = RwSignal::new(None::<String>);
        let root = mount(move || {
            view! {
                <TextField
                    id="t-email"
                    field="email"
                    label=Signal::derive(|| "Email".to_owned())
                    value=value
                    error=error
                    input_type="email"
                />
            }
        });
        assert_eq!(text(&root, "label[for=t-email]").as_deref(), Some("Email"));
        assert!(find(&root, ".field-error").is_none());

        error.set(Some("Enter a valid email address.".to_owned()));
        settle().await;
        assert_eq!(text(&root, ".field-error[data-field=email]").as_deref(), Some("Enter a valid email address."));
        let input = find(&root, "#t-email").expect("input");
        assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
        assert_eq!(input.get_attribute("type").as_deref(), Some("email"));

        error.set(None);
        settle().await;
        assert!(find(&root, ".field-error").is_none());
    }
}
