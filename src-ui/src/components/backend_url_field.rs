//! The backend server address: an input (`#backend-url`), a save button (`#backend-url-save`), the
//! validation error and a confirmation once saved. Saving itself is the caller's job.

use crate::components::text_field::TextField;
use crate::i18n::t;
use leptos::prelude::*;

/// The server address editor.
#[component]
pub fn BackendUrlField(
    /// The address being edited.
    value: RwSignal<String>,
    /// The validation or save error, already translated.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// `true` while saving: the button shows progress and is disabled.
    #[prop(into)]
    busy: Signal<bool>,
    /// `true` right after a successful save.
    #[prop(into)]
    saved: Signal<bool>,
    /// Called with the address when the student saves.
    on_save: Callback<String>,
    /// Called when the student edits the address.
    on_edit: Callback<()>,
) -> impl IntoView {
    view! {
        <form
            class="backend-url"
            novalidate=true
            on:submit=move |event| {
                event.prevent_default();
                on_save.run(value.get_untracked());
            }
        >
            <TextField
                id="backend-url"
                field="url"
                label=t("settings-server-url")
                value=value
                error=error
                hint=Signal::derive(t("settings-server-hint"))
                input_type="url"
                autocomplete="url"
                disabled=busy
                on_edit=on_edit
            />
            <div class="backend-url-actions">
                <button id="backend-url-save" type="submit" class="btn btn-secondary" disabled=move || busy.get()>
                    {move || if busy.get() { t("settings-server-saving")() } else { t("settings-server-save")() }}
                </button>
                <Show when=move || saved.get()>
                    <span class="saved-note" role="status">{t("settings-server-saved")}</span>
                </Show>
            </div>
        </form>
    }
}
