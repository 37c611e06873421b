//! The section detail sheet (`#section-sheet`): everything the catalog says about one section, from
//! a search result or from the plan, with "Add" (`button.add-section`) or "Remove"
//! (`button.remove-section`), and a hint when the course also needs another kind of section
//! (a lecture's lab) that the plan does not hold yet.

use crate::components::icons::{Glyph, Icon};
use crate::components::timetable_format::{instructors_line, kind_label, meeting_line};
use crate::i18n::{Msg, t, use_i18n};
use leptos::prelude::*;
use pretzel_api::timetable::{MissingComponent, TimetableSection};
use pretzel_api::{SearchHit, SearchMeeting, SectionId};

/// What the sheet shows, from either a search hit or a section of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionDetails {
    /// The section.
    pub section_id: SectionId,
    /// CRN or the university's own id.
    pub registration_id: String,
    /// "CS 225".
    pub course_code: String,
    /// The title.
    pub title: String,
    /// "AL1".
    pub section: Option<String>,
    /// Normalised kind.
    pub kind: String,
    /// Instructors.
    pub instructors: Vec<String>,
    /// Credits as displayed.
    pub credits: Option<String>,
    /// Open seats, when known (search results only).
    pub open_seats: Option<u32>,
    /// Meeting patterns.
    pub meetings: Vec<SearchMeeting>,
    /// Pretzel students with it in their primary plan (plan sections only).
    pub students: Option<u32>,
    /// The catalog dropped it.
    pub removed: bool,
}

impl From<&SearchHit> for SectionDetails {
    fn from(hit: &SearchHit) -> Self {
        Self {
            section_id: hit.section_id,
            registration_id: hit.registration_id.clone(),
            course_code: hit.course_code.clone(),
            title: hit.title.clone(),
            section: hit.section.clone(),
            kind: hit.kind.clone(),
            instructors: hit.instructors.clone(),
            credits: hit.credits.clone(),
            open_seats: hit.open_seats,
            meetings: hit.meetings.clone(),
            students: Some(hit.students),
            removed: false,
        }
    }
}

impl From<&TimetableSection> for SectionDetails {
    fn from(section: &TimetableSection) -> Self {
        Self {
            section_id: section.section_id,
            registration_id: section.registration_id.clone(),
            course_code: section.course_code.clone(),
            title: section.title.clone(),
            section: section.section.clone(),
            kind: section.kind.clone(),
            instructors: section.instructors.clone(),
            credits: section.credits.clone(),
            open_seats: None,
            meetings: section
                .meetings
                .iter()
                .map(|m| SearchMeeting {
                    days: m.days.clone(),
                    start: m.start.clone(),
                    end: m.end.clone(),
                    location: m.location.clone(),
                    start_date: m.start_date,
                    end_date: m.end_date,
                })
                .collect(),
            students: Some(section.students),
            removed: section.removed_at.is_some(),
        }
    }
}

/// The sheet, or nothing while `details` is `None`.
#[component]
pub fn SectionSheet(
    /// The section shown.
    #[prop(into)]
    details: Signal<Option<SectionDetails>>,
    /// Sections of the active plan.
    #[prop(into)]
    in_plan: Signal<Vec<SectionId>>,
    /// Kinds the plan's courses still lack.
    #[prop(into)]
    missing: Signal<Vec<MissingComponent>>,
    /// Adds the section.
    on_add: Callback<SectionId>,
    /// Removes the section.
    on_remove: Callback<SectionId>,
    /// Searches for a course's other sections (the missing lab).
    on_find: Callback<String>,
    /// Closes the sheet.
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let details = details.get()?;
        let id = details.section_id;
        let added = move || in_plan.with(|ids| ids.contains(&id));
        let course = details.course_code.clone();
        let lacking = {
            let course = course.clone();
            move || {
                missing.with(|missing| {
                    missing.iter().filter(|m| m.course_code == course).map(|m| m.kind.clone()).collect::<Vec<_>>()
                })
            }
        };
        let hint = {
            let course = course.clone();
            move || {
                let kinds = lacking();
                if kinds.is_empty() || !added() {
                    return None;
                }
                let locale = i18n.locale();
                let names = kinds.iter().map(|kind| kind_label(locale, kind)).collect::<Vec<_>>().join(", ");
                let course = course.clone();
                Some(view! {
                    <div id="missing-component" class="banner form-notice tt-missing" role="status">
                        <Glyph icon=Icon::Info />
                        <span>
                            {format!("{} {names}", i18n.t("timetable-missing-also"))}
                            " "
                            <button type="button" class="link-button" on:click=move |_| on_find.run(course.clone())>
                                {t("timetable-missing-find")}
                            </button>
                        </span>
                    </div>
                })
            }
        };
        let kind = details.kind.clone();
        let meetings = details.meetings.clone();
        let meeting_lines = move || {
            let locale = i18n.locale();
            meetings
                .iter()
                .map(|m| {
                    let line =
                        meeting_line(locale, &m.days, m.start.as_deref(), m.end.as_deref(), m.location.as_deref());
                    view! { <li>{line}</li> }
                })
                .collect_view()
        };
        let fact = |label: &'static str, value: Option<String>| {
            value.map(|value| {
                view! {
                    <div class="fact">
                        <dt>{t(label)}</dt>
                        <dd>{value}</dd>
                    </div>
                }
            })
        };
        let seats = details
            .open_seats
            .map(|open| move || i18n.msg(&Msg::new("timetable-seats-open").arg("min", open as usize)));
        let students =
            details.students.map(|count| move || i18n.msg(&Msg::new("timetable-students").arg("min", count as usize)));
        Some(view! {
            <div class="tt-overlay" on:click=move |_| on_close.run(())>
                <aside
                    id="section-sheet"
                    class="card tt-sheet"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="section-sheet-title"
                    data-section-id=id.to_string()
                    on:click=|event| event.stop_propagation()
                >
                    <header class="tt-sheet-head">
                        <div>
                            <h2 id="section-sheet-title" class="tt-sheet-title">
                                {details.course_code.clone()}
                                " "
                                <span class="chip">{details.section.clone().unwrap_or_default()}</span>
                                " "
                                <span class="chip tt-kind">{move || kind_label(i18n.locale(), &kind)}</span>
                            </h2>
                            <p class="tt-sheet-subtitle">{details.title.clone()}</p>
                        </div>
                        <button
                            id="section-sheet-close"
                            type="button"
                            class="tt-icon-button"
                            aria-label=t("timetable-close")
                            on:click=move |_| on_close.run(())
                        >
                            "×"
                        </button>
                    </header>
                    {details.removed.then(|| view! {
                        <p class="badge tt-removed-badge">{t("timetable-removed")}</p>
                    })}
                    <ul class="tt-meetings tt-sheet-meetings">{meeting_lines}</ul>
                    <dl class="profile-facts tt-sheet-facts">
                        {fact("timetable-instructors", instructors_line(&details.instructors))}
                        {fact("timetable-credits", details.credits.clone())}
                        {fact("timetable-registration-id", Some(details.registration_id.clone()))}
                        {seats.map(|seats| {
                            view! { <div class="fact"><dt>{t("timetable-seats")}</dt><dd>{seats}</dd></div> }
                        })}
                        {students.map(|students| {
                            view! {
                                <div class="fact">
                                    <dt>{t("timetable-pretzel-students")}</dt>
                                    <dd>{students}</dd>
                                </div>
                            }
                        })}
                    </dl>
                    {hint}
                    <div class="tt-dialog-actions">
                        {move || if added() {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-danger remove-section"
                                    on:click=move |_| on_remove.run(id)
                                >
                                    {t("timetable-remove")}
                                </button>
                            }.into_any()
                        } else {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-primary add-section"
                                    disabled=details.removed
                                    on:click=move |_| on_add.run(id)
                                >
                                    {t("timetable-add")}
                                </button>
                            }.into_any()
                        }}
                    </div>
                </aside>
            </div>
        })
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn details() -> SectionDetails {
        SectionDetails {
            section_id: SectionId(9),
            registration_id: "31152".into(),
            course_code: "CS 225".into(),
            title: "Data Structures".into(),
            section: Some("AL1".into()),
            kind: "lecture".into(),
            instructors: vec!["Ada Lovelace".into()],
            credits: Some("4".into()),
            open_seats: Some(3),
            meetings: vec![SearchMeeting {
                days: "TR".into(),
                start: Some("09:30".into()),
                end: Some("10:45".into()),
                location: None,
                start_date: None,
                end_date: None,
            }],
            students: None,
            removed: false,
        }
    }

    #[wasm_bindgen_test]
    async fn test_section_sheet_shows_facts_and_hints_at_the_missing_lab() {
        let shown = RwSignal::new(Some(details()));
        let in_plan = RwSignal::new(Vec::<SectionId>::new());
        let missing = RwSignal::new(vec![MissingComponent { course_code: "CS 225".into(), kind: "lab".into() }]);
        let found = RwSignal::new(None::<String>);
        let root = mount(move || {
            view! {
                <SectionSheet
                    details=shown
                    in_plan=in_plan
                    missing=missing
                    on_add=Callback::new(|_| {})
                    on_remove=Callback::new(|_| {})
                    on_find=Callback::new(move |course| found.set(Some(course)))
                    on_close=Callback::new(move |()| shown.set(None))
                />
            }
        });
        let sheet = text(&root, "#section-sheet").expect("sheet");
        assert!(
            sheet.contains("TR 09:30–10:45") && sheet.contains("Ada Lovelace") && sheet.contains("31152"),
            "{sheet}"
        );
        assert!(find(&root, "#section-sheet button.add-section").is_some());
        assert!(find(&root, "#missing-component").is_none(), "the hint waits until the lecture is in the plan");
        in_plan.set(vec![SectionId(9)]);
        settle().await;
        assert!(find(&root, "#section-sheet button.remove-section").is_some());
        let hint = text(&root, "#missing-component").expect("hint");
        assert!(hint.contains("Lab"), "{hint}");
    }
}
