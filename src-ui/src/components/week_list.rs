//! The week as a list by day (`#week-list`), which replaces the grid on phone-width screens where
//! seven columns would be unreadable, and the list of sections without scheduled times
//! (`#unscheduled`), shown under either.

use crate::components::timetable_format::{day_name, short_date};
use crate::components::week_grid::{BlockFacts, facts_for};
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use pretzel_api::shell::{WeekItemRef, WeekView};

/// The days of `week` that have blocks, as a list.
#[component]
pub fn WeekList(
    /// The week to list.
    #[prop(into)]
    week: Signal<WeekView>,
    /// Opens what an entry stands for.
    on_open: Callback<WeekItemRef>,
    /// CRNs and localised subtitles of the plan's sections.
    #[prop(optional, into)]
    facts: Signal<Vec<BlockFacts>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let week = week.get();
        let facts = facts.get();
        let locale = i18n.locale();
        let days = week
            .days
            .into_iter()
            .enumerate()
            .filter(|(_, day)| !day.blocks.is_empty())
            .map(|(index, day)| {
                let date = short_date(locale, &day.date.to_string(), false);
                let heading = format!("{} {date}", day_name(locale, index));
                let items = day
                    .blocks
                    .into_iter()
                    .map(|block| {
                        let item = block.item.clone();
                        let subtitle = facts_for(&facts, &block.item)
                            .map_or_else(|| block.item.subtitle.clone(), |fact| fact.subtitle.clone());
                        let class = format!(
                            "week-list-item tt-color-{}{}{}",
                            block.item.color.min(12),
                            if block.conflict { " conflict" } else { "" },
                            if block.removed { " removed" } else { "" },
                        );
                        view! {
                            <li>
                                <button
                                    type="button"
                                    class=class
                                    data-section-id=block.item.section_id.map(|id| id.to_string())
                                    data-block-id=block.item.block_id.map(|id| id.to_string())
                                    on:click=move |_| on_open.run(item.clone())
                                >
                                    <span class="tt-list-time">{format!("{}–{}", block.start, block.end)}</span>
                                    <span class="tt-list-body">
                                        <strong>{block.item.title.clone()}</strong>
                                        <span class="tt-block-sub">{subtitle}</span>
                                        {block.location.clone().map(|room| {
                                            view! { <span class="tt-block-room">{room}</span> }
                                        })}
                                        {block.conflict.then(|| {
                                            view! { <span class="tt-block-flag">{t("timetable-overlap")}</span> }
                                        })}
                                        {block.removed.then(|| {
                                            view! { <span class="tt-block-flag">{t("timetable-removed")}</span> }
                                        })}
                                    </span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="tt-list-day">
                        <h3 class="tt-list-day-name">{heading}</h3>
                        <ul class="tt-list-items">{items}</ul>
                    </section>
                }
            })
            .collect::<Vec<_>>();
        let empty = days.is_empty();
        view! {
            <div id="week-list" class="tt-list">
                {empty.then(|| view! { <p class="tt-empty">{t("timetable-week-empty")}</p> })}
                {days}
            </div>
        }
    }
}

/// Sections with no scheduled times (arranged, online), or nothing when there are none.
#[component]
pub fn UnscheduledList(
    /// The entries.
    #[prop(into)]
    items: Signal<Vec<WeekItemRef>>,
    /// Opens an entry.
    on_open: Callback<WeekItemRef>,
) -> impl IntoView {
    move || {
        let items = items.get();
        (!items.is_empty()).then(|| {
            let rows = items
                .into_iter()
                .map(|item| {
                    let opened = item.clone();
                    view! {
                        <li>
                            <button
                                type="button"
                                class=format!("tt-unscheduled-item tt-color-{}", item.color.min(12))
                                data-section-id=item.section_id.map(|id| id.to_string())
                                on:click=move |_| on_open.run(opened.clone())
                            >
                                <strong>{item.title.clone()}</strong>
                                " "
                                <span class="tt-block-sub">{item.subtitle.clone()}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div id="unscheduled" class="tt-unscheduled">
                    <h3 class="tt-subheading">{t("timetable-unscheduled")}</h3>
                    <ul>{rows}</ul>
                </div>
            }
        })
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount};
    use crate::components::week_grid::tests::{block, week};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn test_week_list_groups_by_day_and_flags_overlaps() {
        let shown = RwSignal::new(week(vec![block(Some(225), 600, 650, true), block(Some(241), 630, 680, true)]));
        let root = mount(move || view! { <WeekList week=shown on_open=Callback::new(|_| {}) /> });
        assert_eq!(root.query_selector_all("#week-list .tt-list-day").expect("query").length(), 1);
        assert_eq!(root.query_selector_all(".week-list-item.conflict").expect("query").length(), 2);
        assert!(find(&root, ".week-list-item[data-section-id='241']").is_some());
        assert!(find(&root, ".week-block").is_none(), "list entries must not look like grid blocks to selectors");
    }
}
