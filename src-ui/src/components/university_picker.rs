//! The university `<select>` of the sign-up form: each option shows the full name and the short
//! name students actually use, and its value is the university's id.

use leptos::prelude::*;
use pretzel_api::{University, UniversityId};

/// A labelled select of universities with a placeholder and a field-level error.
#[component]
pub fn UniversityPicker(
    /// Element id of the `<select>`.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: Signal<String>,
    /// The placeholder option shown while nothing is chosen (or while loading).
    #[prop(into)]
    placeholder: Signal<String>,
    /// The universities to offer, in display order.
    #[prop(into)]
    universities: Signal<Vec<University>>,
    /// The chosen university.
    value: RwSignal<Option<UniversityId>>,
    /// The error to show under the select, already translated.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Greys the select out (loading, submitting).
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let label_for = id.clone();
    let message_id = format!("{id}-message");
    let described_by = message_id.clone();
    let has_error = move || error.with(Option::is_some);
    let options = move || {
        universities
            .get()
            .into_iter()
            .map(|university| {
                let university_id = university.id;
                view! {
                    <option
                        value=university_id.to_string()
                        prop:selected=move || value.get() == Some(university_id)
                    >
                        {format!("{} ({})", university.name, university.short_name)}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <div class="field" class:field-invalid=has_error>
            <label class="field-label" for=label_for>{label}</label>
            <select
                id=id
                class="field-input select"
                name="university_id"
                aria-invalid=move || if has_error() { "true" } else { "false" }
                aria-describedby=described_by
                disabled=move || disabled.get()
                on:change=move |event| {
                    value.set(event_target_value(&event).parse::<i64>().ok().map(UniversityId));
                }
            >
                <option value="" disabled=true prop:selected=move || value.get().is_none()>
                    {placeholder}
                </option>
                {options}
            </select>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p id=message_id.clone() class="field-error" data-field="university_id" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn university(id: i64, name: &str, short_name: &str) -> University {
        University {
            id: UniversityId(id),
            name: name.into(),
            short_name: short_name.into(),
            time_zone: "America/Chicago".into(),
            email_domains: vec![],
            full_time_credits: 12,
        }
    }

    #[wasm_bindgen_test]
    async fn test_university_picker_lists_names_and_reports_the_id() {
        let universities = RwSignal::new(Vec::new());
        let value = RwSignal::new(None);
        let error = RwSignal::new(None::<String>);
        let root = mount(move || {
            view! {
                <UniversityPicker
                    id="t-uni"
                    label=Signal::derive(|| "University".to_owned())
                    placeholder=Signal::derive(|| "Choose".to_owned())
                    universities=universities
                    value=value
                    error=error
                />
            }
        });
        universities.set(vec![
            university(7, "University of Illinois Urbana-Champaign", "UIUC"),
            university(9, "University of Toronto", "U of T"),
        ]);
        settle().await;
        let select =
            find(&root, "select#t-uni").expect("select").dyn_into::<web_sys::HtmlSelectElement>().expect("select");
        assert_eq!(select.length(), 3);
        assert_eq!(text(&root, "option[value='7']").as_deref(), Some("University of Illinois Urbana-Champaign (UIUC)"));
        select.set_value("9");
        select.dispatch_event(&web_sys::Event::new("change").expect("event")).expect("dispatch");
        settle().await;
        assert_eq!(value.get_untracked(), Some(UniversityId(9)));

        error.set(Some("Choose your university from the list.".into()));
        settle().await;
        assert!(find(&root, ".field-error[data-field=university_id]").is_some());
    }
}
