//! The courses of the shown plan as a compact list (`#plan-sections`): code, section, kind and the
//! registration id (CRN) students type into their university's registration system, with the
//! catalog's drops flagged and a remove button each. Tapping a row opens its detail sheet.

use crate::components::timetable_format::kind_label;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use pretzel_api::SectionId;
use pretzel_api::timetable::{MissingComponent, TimetableSection};

/// The plan's sections and what its courses still lack.
#[component]
pub fn PlanSections(
    /// The plan's sections.
    #[prop(into)]
    sections: Signal<Vec<TimetableSection>>,
    /// Kinds the plan's courses still lack.
    #[prop(into)]
    missing: Signal<Vec<MissingComponent>>,
    /// `true` while a change is being sent.
    #[prop(into)]
    busy: Signal<bool>,
    /// Opens a section's sheet.
    on_open: Callback<SectionId>,
    /// Removes a section.
    on_remove: Callback<SectionId>,
    /// Searches for a course's other sections.
    on_find: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || {
        let locale = i18n.locale();
        sections
            .get()
            .into_iter()
            .map(|section| {
                let id = section.section_id;
                let removed = section.removed_at.is_some();
                view! {
                    <li class="tt-plan-section" class:removed=removed data-section-id=id.to_string()>
                        <button type="button" class="tt-plan-section-main" on:click=move |_| on_open.run(id)>
                            <strong>{section.course_code.clone()}</strong>
                            " "
                            <span class="chip">{section.section.clone().unwrap_or_default()}</span>
                            " "
                            <span class="tt-muted">{kind_label(locale, &section.kind)}</span>
                            <span class="tt-crn" title=t("timetable-registration-id")>
                                {format!("#{}", section.registration_id)}
                            </span>
                            {removed.then(|| {
                                view! { <span class="badge tt-removed-badge">{t("timetable-removed")}</span> }
                            })}
                        </button>
                        <button
                            type="button"
                            class="link-button tt-danger-link remove-section"
                            disabled=move || busy.get()
                            on:click=move |_| on_remove.run(id)
                        >
                            {t("timetable-remove")}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let lacking = move || {
        let locale = i18n.locale();
        missing
            .get()
            .into_iter()
            .map(|gap| {
                let course = gap.course_code.clone();
                view! {
                    <li class="tt-missing-row">
                        <span>
                            {format!(
                                "{} · {} {}",
                                gap.course_code,
                                i18n.t("timetable-missing-needs"),
                                kind_label(locale, &gap.kind),
                            )}
                        </span>
                        <button type="button" class="link-button" on:click=move |_| on_find.run(course.clone())>
                            {t("timetable-missing-find")}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show
            when=move || sections.with(|sections| !sections.is_empty())
            fallback=|| view! { <p class="tt-empty">{t("timetable-plan-empty")}</p> }
        >
            <ul id="plan-sections" class="tt-plan-sections">{rows}</ul>
        </Show>
        <ul id="missing-components" class="tt-missing-list">{lacking}</ul>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, text};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn test_plan_sections_show_the_crn_flag_drops_and_name_missing_parts() {
        let section = TimetableSection {
            section_id: SectionId(4),
            registration_id: "31152".into(),
            course_code: "CS 225".into(),
            title: "Data Structures".into(),
            section: Some("AL1".into()),
            kind: "lecture".into(),
            instructors: Vec::new(),
            credits: Some("4".into()),
            meetings: Vec::new(),
            students: 2,
            removed_at: Some(chrono::DateTime::UNIX_EPOCH),
        };
        let root = mount(move || {
            view! {
                <PlanSections
                    sections=Signal::derive(move || vec![section.clone()])
                    missing=Signal::derive(|| {
                        vec![MissingComponent { course_code: "CS 225".into(), kind: "lab".into() }]
                    })
                    busy=Signal::derive(|| false)
                    on_open=Callback::new(|_| {})
                    on_remove=Callback::new(|_| {})
                    on_find=Callback::new(|_| {})
                />
            }
        });
        let row = text(&root, "#plan-sections [data-section-id='4']").expect("row");
        assert!(row.contains("#31152") && row.contains("Dropped from catalog"), "{row}");
        assert!(find(&root, "#plan-sections .removed").is_some());
        assert!(text(&root, "#missing-components").expect("missing").contains("Lab"));
    }
}
