//! The term `<select>` of the Timetable tab (`select#term-picker`): newest term first, its value the
//! term's id. Remembering the choice is the page's business; this only shows and reports it.

use crate::i18n::t;
use leptos::prelude::*;
use pretzel_api::{Term, TermId};

/// `terms` newest first: by first day (terms without dates last), then by code, so the order does
/// not depend on how the shell happened to list them.
pub fn newest_first(mut terms: Vec<Term>) -> Vec<Term> {
    terms.sort_by(|a, b| {
        b.start_date
            .is_some()
            .cmp(&a.start_date.is_some())
            .then(b.start_date.cmp(&a.start_date))
            .then(b.code.cmp(&a.code))
    });
    terms
}

/// A labelled select of terms.
#[component]
pub fn TermPicker(
    /// The terms, in any order.
    #[prop(into)]
    terms: Signal<Vec<Term>>,
    /// The chosen term.
    #[prop(into)]
    value: Signal<Option<TermId>>,
    /// Called with the term the student picked.
    on_change: Callback<TermId>,
) -> impl IntoView {
    let options = move || {
        newest_first(terms.get())
            .into_iter()
            .map(|term| {
                let id = term.id;
                view! {
                    <option value=id.to_string() prop:selected=move || value.get() == Some(id)>
                        {term.name}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <div class="field tt-term">
            <label class="field-label" for="term-picker">{t("timetable-term")}</label>
            <select
                id="term-picker"
                class="field-input select"
                disabled=move || terms.with(Vec::is_empty)
                on:change=move |event| {
                    if let Ok(id) = event_target_value(&event).parse::<i64>() {
                        on_change.run(TermId(id));
                    }
                }
            >
                {options}
            </select>
        </div>
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn term(id: i64, code: &str, start: Option<&str>) -> Term {
        Term {
            id: TermId(id),
            university_id: pretzel_api::UniversityId(1),
            code: code.into(),
            name: format!("Term {id}"),
            // Through serde, since chrono is not a direct dependency of the UI crate.
            start_date: start.map(|iso| serde_json::from_value(serde_json::Value::from(iso)).expect("ISO date")),
            end_date: None,
            section_count: 10,
        }
    }

    #[test]
    fn test_terms_are_listed_newest_first() {
        let sorted = newest_first(vec![
            term(1, "2025-fa", Some("2025-08-25")),
            term(2, "2026-sp", Some("2026-01-12")),
            term(3, "2019-wi", None),
            term(4, "2024-fa", Some("2024-08-26")),
        ]);
        let ids: Vec<i64> = sorted.iter().map(|term| term.id.0).collect();
        assert_eq!(ids, vec![2, 1, 4, 3]);
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn term(id: i64, code: &str) -> Term {
        Term {
            id: TermId(id),
            university_id: pretzel_api::UniversityId(1),
            code: code.into(),
            name: format!("Term {code}"),
            start_date: None,
            end_date: None,
            section_count: 3,
        }
    }

    #[wasm_bindgen_test]
    async fn test_term_picker_lists_newest_first_and_reports_the_choice() {
        let picked = RwSignal::new(None::<TermId>);
        let terms = RwSignal::new(vec![term(1, "2025-fa"), term(2, "2026-sp")]);
        let root = mount(move || {
            view! { <TermPicker terms=terms value=picked on_change=Callback::new(move |id| picked.set(Some(id))) /> }
        });
        settle().await;
        let select = find(&root, "select#term-picker")
            .expect("select")
            .dyn_into::<web_sys::HtmlSelectElement>()
            .expect("select");
        assert_eq!(select.length(), 2);
        let first = select.item(0).expect("first option");
        assert_eq!(first.get_attribute("value").as_deref(), Some("2"));
        select.set_value("1");
        select.dispatch_event(&web_sys::Event::new("change").expect("event")).expect("dispatch");
        settle().await;
        assert_eq!(picked.get_untracked(), Some(TermId(1)));
    }
}
