//! Course search of the Timetable tab: the search box (`input#section-search`), the filter chips
//! (days, after/before, credits, open seats, subject) and the result cards (`[data-section-id]`,
//! each with `button.add-section` or `button.remove-section`).
//!
//! It edits a [`SearchFilters`] and shows the results it is handed; the page owns the debounced
//! calls to the shell, so this stays a plain view that tests can drive.

use crate::components::icons::{Glyph, Icon};
use crate::components::timetable_format::{
    DAY_LETTERS, day_key, instructors_line, kind_label, meeting_line, parse_clock,
};
use crate::i18n::{Msg, t, use_i18n};
use leptos::prelude::*;
use pretzel_api::shell::SearchResults;
use pretzel_api::{SearchHit, SearchQuery, SectionId};

/// Results asked for per page; "Show more" asks for this many more.
pub const PAGE_SIZE: u32 = 20;
/// The most results one request may ask for.
pub const MAX_RESULTS: u32 = 100;

/// What the student typed and picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFilters {
    /// Free text (course code, title, instructor).
    pub q: String,
    /// Subject code, e.g. "CS".
    pub subject: String,
    /// Banner day letters the section may meet on.
    pub days: String,
    /// "HH:MM": meetings start at or after this.
    pub after: String,
    /// "HH:MM": meetings end at or before this.
    pub before: String,
    /// Exact credits.
    pub credits: Option<u32>,
    /// Only sections with open seats.
    pub open: bool,
    /// Results to ask for.
    pub limit: u32,
}

impl Default for SearchFilters {
    fn default() -> Self {
        Self {
            q: String::new(),
            subject: String::new(),
            days: String::new(),
            after: String::new(),
            before: String::new(),
            credits: None,
            open: false,
            limit: PAGE_SIZE,
        }
    }
}

impl SearchFilters {
    /// How many filters besides the text are set (for the "Filters (2)" label).
    pub fn active_filters(&self) -> usize {
        [
            !self.subject.trim().is_empty(),
            !self.days.is_empty(),
            parse_clock(&self.after).is_some(),
            parse_clock(&self.before).is_some(),
            self.credits.is_some(),
            self.open,
        ]
        .into_iter()
        .filter(|set| *set)
        .count()
    }

    /// `true` when there is nothing to search for yet.
    pub fn is_blank(&self) -> bool {
        self.q.trim().is_empty() && self.active_filters() == 0
    }

    /// Turns a day on or off, keeping the letters in Monday-first order.
    pub fn toggle_day(&mut self, letter: char) {
        let mut days: Vec<char> = self.days.chars().collect();
        if let Some(at) = days.iter().position(|day| *day == letter) {
            days.remove(at);
        } else {
            days.push(letter);
        }
        self.days = DAY_LETTERS.iter().filter(|day| days.contains(day)).collect();
    }

    /// The query the shell sends; blank or invalid parts are left out.
    pub fn to_query(&self) -> SearchQuery {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|value| !value.is_empty());
        let time = |value: &str| parse_clock(value).map(crate::components::timetable_format::clock);
        SearchQuery {
            q: text(&self.q).map(|q| q.chars().take(200).collect()),
            subject: text(&self.subject),
            days: text(&self.days),
            after: time(&self.after),
            before: time(&self.before),
            credits: self.credits,
            open: self.open.then_some(true),
            limit: Some(self.limit.clamp(1, MAX_RESULTS)),
            offset: None,
        }
    }
}

/// The search box, its filters and the results.
#[component]
pub fn SectionSearch(
    /// The query being edited.
    filters: RwSignal<SearchFilters>,
    /// The latest results, `None` before the first search.
    #[prop(into)]
    results: Signal<Option<SearchResults>>,
    /// `true` while a search is in flight.
    #[prop(into)]
    searching: Signal<bool>,
    /// Why the last search failed, already translated.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Sections already in the active plan.
    #[prop(into)]
    in_plan: Signal<Vec<SectionId>>,
    /// Opens a section's detail sheet.
    on_open: Callback<SearchHit>,
    /// Adds a section to the active plan.
    on_add: Callback<SectionId>,
    /// Removes a section from the active plan.
    on_remove: Callback<SectionId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let show_filters = RwSignal::new(false);
    let filters_label = move || {
        let count = filters.with(SearchFilters::active_filters);
        if count == 0 { i18n.t("timetable-filters") } else { format!("{} ({count})", i18n.t("timetable-filters")) }
    };
    let day_chips = move || {
        DAY_LETTERS
            .iter()
            .map(|letter| {
                let letter = *letter;
                let on = move || filters.with(|f| f.days.contains(letter));
                view! {
                    <button
                        type="button"
                        class="tt-chip"
                        class:tt-chip-on=on
                        data-day=letter.to_string()
                        aria-pressed=move || on().to_string()
                        on:click=move |_| filters.update(|f| {
                            f.toggle_day(letter);
                            f.limit = PAGE_SIZE;
                        })
                    >
                        {move || day_key(letter).map(|key| i18n.t(key)).unwrap_or_default()}
                    </button>
                }
            })
            .collect_view()
    };
    let credit_options = move || {
        (1..=5u32)
            .map(|credits| {
                let selected = move || filters.with(|f| f.credits == Some(credits));
                view! { <option value=credits.to_string() prop:selected=selected>{credits}</option> }
            })
            .collect_view()
    };
    let list = move || {
        let Some(found) = results.get() else {
            return view! { <p class="tt-empty">{t("timetable-search-hint")}</p> }.into_any();
        };
        if found.response.results.is_empty() {
            return view! { <p class="tt-empty">{t("timetable-search-none")}</p> }.into_any();
        }
        let shown = found.response.results.len();
        let total = found.response.total;
        let more = (u64::try_from(shown).unwrap_or(u64::MAX) < total || found.response.total_is_lower_bound)
            && filters.with_untracked(|f| f.limit < MAX_RESULTS);
        let cards = found
            .response
            .results
            .into_iter()
            .map(|hit| {
                view! { <ResultCard hit=hit in_plan=in_plan on_open=on_open on_add=on_add on_remove=on_remove /> }
            })
            .collect_view();
        let count_key =
            if found.response.total_is_lower_bound { "timetable-search-count-more" } else { "timetable-search-count" };
        let count = Msg::new(count_key).arg("min", shown).arg("max", usize::try_from(total).unwrap_or(usize::MAX));
        view! {
            {found.offline.then(|| view! {
                <p id="search-offline" class="badge badge-offline tt-search-offline">
                    <Glyph icon=Icon::Offline />
                    {t("timetable-search-offline")}
                </p>
            })}
            <p class="tt-search-count">{move || i18n.msg(&count)}</p>
            <div id="search-results" class="tt-results">{cards}</div>
            {more.then(|| view! {
                <button
                    id="search-more"
                    type="button"
                    class="btn btn-secondary tt-more"
                    on:click=move |_| filters.update(|f| f.limit = (f.limit + PAGE_SIZE).min(MAX_RESULTS))
                >
                    {t("timetable-search-more")}
                </button>
            })}
        }
        .into_any()
    };
    view! {
        <div class="tt-search">
            <div class="tt-search-row">
                <label class="visually-hidden" for="section-search">{t("timetable-search-label")}</label>
                <input
                    id="section-search"
                    class="field-input tt-search-input"
                    type="search"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=t("timetable-search-placeholder")
                    prop:value=move || filters.with(|f| f.q.clone())
                    on:input=move |event| {
                        let q = event_target_value(&event);
                        filters.update(|f| {
                            f.q = q;
                            f.limit = PAGE_SIZE;
                        });
                    }
                />
                <span
                    class="spinner tt-search-spinner"
                    class:tt-visible=move || searching.get()
                    aria-hidden="true"
                ></span>
                <button
                    id="search-filters-toggle"
                    type="button"
                    class="btn btn-secondary tt-filters-toggle"
                    aria-expanded=move || show_filters.get().to_string()
                    on:click=move |_| show_filters.update(|open| *open = !*open)
                >
                    {filters_label}
                </button>
            </div>
            <Show when=move || show_filters.get()>
                <div id="search-filters" class="tt-filters">
                    <div class="tt-chip-row" role="group" aria-label=t("timetable-filter-days")>{day_chips}</div>
                    <div class="tt-filter-grid">
                        <label class="tt-filter">
                            <span>{t("timetable-filter-after")}</span>
                            <input
                                id="filter-after"
                                class="field-input"
                                type="time"
                                prop:value=move || filters.with(|f| f.after.clone())
                                on:change=move |event| {
                                    let after = event_target_value(&event);
                                    filters.update(|f| f.after = after);
                                }
                            />
                        </label>
                        <label class="tt-filter">
                            <span>{t("timetable-filter-before")}</span>
                            <input
                                id="filter-before"
                                class="field-input"
                                type="time"
                                prop:value=move || filters.with(|f| f.before.clone())
                                on:change=move |event| {
                                    let before = event_target_value(&event);
                                    filters.update(|f| f.before = before);
                                }
                            />
                        </label>
                        <label class="tt-filter">
                            <span>{t("timetable-filter-credits")}</span>
                            <select
                                id="filter-credits"
                                class="field-input select"
                                on:change=move |event| {
                                    let credits = event_target_value(&event).parse::<u32>().ok();
                                    filters.update(|f| f.credits = credits);
                                }
                            >
                                <option value="" prop:selected=move || filters.with(|f| f.credits.is_none())>
                                    {t("timetable-filter-any")}
                                </option>
                                {credit_options}
                            </select>
                        </label>
                        <label class="tt-filter">
                            <span>{t("timetable-filter-subject")}</span>
                            <input
                                id="filter-subject"
                                class="field-input"
                                type="text"
                                autocomplete="off"
                                placeholder="CS"
                                prop:value=move || filters.with(|f| f.subject.clone())
                                on:input=move |event| {
                                    let subject = event_target_value(&event);
                                    filters.update(|f| f.subject = subject);
                                }
                            />
                        </label>
                    </div>
                    <div class="tt-filter-foot">
                        <label class="tt-check">
                            <input
                                id="filter-open"
                                type="checkbox"
                                prop:checked=move || filters.with(|f| f.open)
                                on:change=move |event| {
                                    let open = event_target_checked(&event);
                                    filters.update(|f| f.open = open);
                                }
                            />
                            <span>{t("timetable-filter-open")}</span>
                        </label>
                        <button
                            id="filters-clear"
                            type="button"
                            class="link-button"
                            on:click=move |_| {
                                filters.update(|f| *f = SearchFilters { q: f.q.clone(), ..SearchFilters::default() });
                            }
                        >
                            {t("timetable-filters-clear")}
                        </button>
                    </div>
                </div>
            </Show>
            {move || error.get().map(|message| view! {
                <div class="banner form-error" role="alert"><Glyph icon=Icon::Alert /><span>{message}</span></div>
            })}
            {list}
        </div>
    }
}

/// One search result.
#[component]
fn ResultCard(
    hit: SearchHit,
    #[prop(into)] in_plan: Signal<Vec<SectionId>>,
    on_open: Callback<SearchHit>,
    on_add: Callback<SectionId>,
    on_remove: Callback<SectionId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = hit.section_id;
    let added = move || in_plan.with(|ids| ids.contains(&id));
    let kind = hit.kind.clone();
    let meetings = hit.meetings.clone();
    let meeting_lines = move || {
        let locale = i18n.locale();
        meetings
            .iter()
            .map(|m| {
                let line = meeting_line(locale, &m.days, m.start.as_deref(), m.end.as_deref(), m.location.as_deref());
                view! { <li>{line}</li> }
            })
            .collect_view()
    };
    let seats = hit.open_seats.map(|open| {
        let full = open == 0;
        view! {
            <span class="tt-seats" class:tt-seats-full=full>
                {move || if full {
                    i18n.t("timetable-seats-full")
                } else {
                    i18n.msg(&Msg::new("timetable-seats-open").arg("min", open as usize))
                }}
            </span>
        }
    });
    // The demand signal: only when someone else is planning it too, so empty results stay quiet.
    let students = (hit.students > 0).then(|| {
        let count = hit.students as usize;
        view! {
            <span class="tt-students">{move || i18n.msg(&Msg::new("timetable-students").arg("min", count))}</span>
        }
    });
    let credits = hit.credits.clone().map(|credits| {
        let text = move || format!("{credits} {}", i18n.t("timetable-credits-unit"));
        view! { <span class="tt-credits-chip">{text}</span> }
    });
    let opened = hit.clone();
    view! {
        <article class="card tt-result" class:tt-result-added=added data-section-id=id.to_string()
            data-registration-id=hit.registration_id.clone()
        >
            <button type="button" class="tt-result-main" on:click=move |_| on_open.run(opened.clone())>
                <span class="tt-result-head">
                    <strong class="tt-code">{hit.course_code.clone()}</strong>
                    <span class="chip">{hit.section.clone().unwrap_or_default()}</span>
                    <span class="chip tt-kind">{move || kind_label(i18n.locale(), &kind)}</span>
                </span>
                <span class="tt-result-title">{hit.title.clone()}</span>
                {instructors_line(&hit.instructors).map(|names| view! { <span class="tt-instructors">{names}</span> })}
                <ul class="tt-meetings">{meeting_lines}</ul>
            </button>
            <div class="tt-result-side">
                {seats}
                {students}
                {credits}
                {move || if added() {
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary remove-section"
                            on:click=move |_| on_remove.run(id)
                        >
                            <Glyph icon=Icon::Check />
                            <span>{t("timetable-in-plan")}</span>
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn btn-primary add-section" on:click=move |_| on_add.run(id)>
                            {t("timetable-add")}
                        </button>
                    }.into_any()
                }}
            </div>
        </article>
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn test_filters_become_a_clean_query() {
        let mut filters =
            SearchFilters { q: "  cs 225 ".into(), after: "9:00".into(), before: "bad".into(), ..Default::default() };
        filters.toggle_day('W');
        filters.toggle_day('M');
        filters.toggle_day('F');
        filters.toggle_day('W');
        assert_eq!(filters.days, "MF");
        let query = filters.to_query();
        assert_eq!(query.q.as_deref(), Some("cs 225"));
        assert_eq!(query.days.as_deref(), Some("MF"));
        assert_eq!(query.after.as_deref(), Some("09:00"));
        assert_eq!(query.before, None);
        assert_eq!(query.open, None);
        assert_eq!(query.subject, None);
        assert_eq!(query.limit, Some(PAGE_SIZE));
        assert_eq!(filters.active_filters(), 2);
        assert!(!filters.is_blank());
        assert!(SearchFilters { q: "  ".into(), ..Default::default() }.is_blank());
        let open = SearchFilters { open: true, limit: 500, ..Default::default() }.to_query();
        assert_eq!((open.open, open.limit), (Some(true), Some(MAX_RESULTS)));
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use pretzel_api::{SearchMeeting, SearchResponse};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn hit(id: i64) -> SearchHit {
        SearchHit {
            section_id: SectionId(id),
            registration_id: "31152".into(),
            course_code: "CS 225".into(),
            title: "Data Structures".into(),
            section: Some("AL1".into()),
            kind: "lecture".into(),
            instructors: vec!["Ada Lovelace".into()],
            credits: Some("4".into()),
            open_seats: Some(12),
            meetings: vec![SearchMeeting {
                days: "MWF".into(),
                start: Some("10:00".into()),
                end: Some("10:50".into()),
                location: Some("Siebel 1404".into()),
                start_date: None,
                end_date: None,
            }],
            students: 3,
        }
    }

    #[wasm_bindgen_test]
    async fn test_search_cards_show_meetings_and_add_or_remove() {
        let filters = RwSignal::new(SearchFilters::default());
        let results = RwSignal::new(None::<SearchResults>);
        let in_plan = RwSignal::new(Vec::<SectionId>::new());
        let added = RwSignal::new(None::<SectionId>);
        let root = mount(move || {
            view! {
                <SectionSearch
                    filters=filters
                    results=results
                    searching=Signal::derive(|| false)
                    error=Signal::derive(|| None::<String>)
                    in_plan=in_plan
                    on_open=Callback::new(|_| {})
                    on_add=Callback::new(move |id| added.set(Some(id)))
                    on_remove=Callback::new(|_| {})
                />
            }
        });
        let input = find(&root, "input#section-search")
            .expect("search box")
            .dyn_into::<web_sys::HtmlInputElement>()
            .expect("input");
        input.set_value("cs 225");
        input.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
        settle().await;
        assert_eq!(filters.get_untracked().q, "cs 225");

        results.set(Some(SearchResults {
            response: SearchResponse { total: 1, total_is_lower_bound: false, results: vec![hit(5)] },
            offline: true,
        }));
        settle().await;
        let card = text(&root, "[data-section-id='5']").expect("card");
        assert!(card.contains("MWF 10:00–10:50 · Siebel 1404"), "{card}");
        assert!(card.contains("12 seats open"), "{card}");
        assert!(card.contains("3 students have it in their plan"), "the demand signal: {card}");
        assert!(find(&root, "#search-offline").is_some());
        find(&root, "[data-section-id='5'] button.add-section")
            .expect("add button")
            .dyn_into::<web_sys::HtmlElement>()
            .expect("button")
            .click();
        assert_eq!(added.get_untracked(), Some(SectionId(5)));
        in_plan.set(vec![SectionId(5)]);
        settle().await;
        assert!(find(&root, "[data-section-id='5'] button.remove-section").is_some());
        assert!(find(&root, "[data-section-id='5'] button.add-section").is_none());
    }
}
