//! The weekly grid (`#week-grid`): days across, only the hours the plan uses down, one coloured
//! block per meeting (`.week-block[data-section-id]` with the CRN in `data-registration-id`, or
//! `[data-block-id]`), overlapping blocks side by side and marked `.conflict`, sections the catalog
//! dropped marked `.removed`.
//!
//! It lays out a [`WeekView`] the shell computed (times already in the chosen zone); the only
//! arithmetic here is placing blocks, which [`lanes`] does and the tests pin.

use crate::components::timetable_format::{clock, day_name, short_date};
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use pretzel_api::SectionId;
use pretzel_api::shell::{WeekBlock, WeekItemRef, WeekView};

/// What the page knows about a section of the plan beyond the week view: its registration id (CRN),
/// written on its blocks, and its subtitle ("AL1 · Lab") in the student's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockFacts {
    /// The section.
    pub section_id: SectionId,
    /// Its CRN.
    pub registration_id: String,
    /// Section code and kind, localised.
    pub subtitle: String,
}

/// The facts about the section a block stands for, if the page gave any.
pub fn facts_for<'a>(facts: &'a [BlockFacts], item: &WeekItemRef) -> Option<&'a BlockFacts> {
    let id = item.section_id?;
    facts.iter().find(|fact| fact.section_id == id)
}

/// For blocks sorted by start, the lane each one takes and how many lanes its group of mutually
/// overlapping blocks needs, so overlaps sit side by side instead of on top of each other.
pub fn lanes(spans: &[(u32, u32)]) -> Vec<(usize, usize)> {
    let mut placed = vec![(0, 1); spans.len()];
    let mut group_start = 0;
    let mut group_end = 0;
    let mut lane_ends: Vec<u32> = Vec::new();
    for (index, &(start, end)) in spans.iter().enumerate() {
        if index > group_start && start >= group_end {
            let width = lane_ends.len().max(1);
            placed[group_start..index].iter_mut().for_each(|slot| slot.1 = width);
            group_start = index;
            lane_ends.clear();
        }
        let lane = match lane_ends.iter().position(|lane_end| *lane_end <= start) {
            Some(lane) => {
                lane_ends[lane] = end;
                lane
            }
            None => {
                lane_ends.push(end);
                lane_ends.len() - 1
            }
        };
        placed[index].0 = lane;
        group_end = if index == group_start { end } else { group_end.max(end) };
    }
    let width = lane_ends.len().max(1);
    placed[group_start..].iter_mut().for_each(|slot| slot.1 = width);
    placed
}

/// Indices (0 = Monday) of the days the grid shows: Monday to Friday, plus a weekend day that has
/// blocks.
pub fn shown_days(week: &WeekView) -> Vec<usize> {
    (0..7).filter(|index| *index < 5 || week.days.get(*index).is_some_and(|day| !day.blocks.is_empty())).collect()
}

/// The CSS classes of a block.
pub fn block_class(block: &WeekBlock) -> String {
    let mut class = format!("week-block tt-color-{}", block.item.color.min(12));
    if block.item.block_id.is_some() {
        class.push_str(" tt-custom");
    }
    if block.conflict {
        class.push_str(" conflict");
    }
    if block.removed {
        class.push_str(" removed");
    }
    class
}

/// Fewest hours the grid shows: a plan whose classes all sit in one hour would otherwise squeeze
/// every block into a sliver too short to read.
const MIN_VISIBLE_HOURS: u32 = 6;

/// The hours the grid shows: those the plan uses, widened to [`MIN_VISIBLE_HOURS`] (later hours first,
/// then earlier ones at the end of the day), always within 0–24.
fn visible_hours(first_hour: u32, last_hour: u32) -> (u32, u32) {
    let first = first_hour.min(23);
    let last = last_hour.clamp(first + 1, 24);
    let missing = MIN_VISIBLE_HOURS.saturating_sub(last - first);
    let later = missing.min(24 - last);
    let earlier = (missing - later).min(first);
    (first - earlier, last + later)
}

/// The grid of one week.
#[component]
pub fn WeekGrid(
    /// The week to lay out.
    #[prop(into)]
    week: Signal<WeekView>,
    /// Opens what a block stands for.
    on_open: Callback<WeekItemRef>,
    /// CRNs and localised subtitles of the plan's sections.
    #[prop(optional, into)]
    facts: Signal<Vec<BlockFacts>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let week = week.get();
        let facts = facts.get();
        let (first, last) = visible_hours(week.first_hour, week.last_hour);
        let (top, span) = (first * 60, (last - first) * 60);
        let days = shown_days(&week);
        let locale = i18n.locale();
        let heads = days
            .iter()
            .map(|index| {
                let date = week.days.get(*index).map(|day| short_date(locale, &day.date.to_string(), false));
                view! {
                    <div class="tt-grid-day-head">
                        <span class="tt-grid-day-name">{day_name(locale, *index)}</span>
                        <span class="tt-grid-day-date">{date}</span>
                    </div>
                }
            })
            .collect_view();
        let hours =
            (first..last).map(|hour| view! { <div class="tt-grid-hour">{clock(hour * 60)}</div> }).collect_view();
        let columns = days
            .iter()
            .map(|index| {
                let blocks = week.days.get(*index).map(|day| day.blocks.clone()).unwrap_or_default();
                let spans: Vec<(u32, u32)> = blocks.iter().map(|b| (b.start_minute, b.end_minute)).collect();
                let placed = lanes(&spans);
                let items = blocks
                    .into_iter()
                    .zip(placed)
                    .map(|(block, (lane, width))| {
                        let start = block.start_minute.clamp(top, top + span) - top;
                        let end = block.end_minute.clamp(top, top + span) - top;
                        let style = format!(
                            "top: {:.3}%; height: {:.3}%; left: {:.3}%; width: {:.3}%",
                            f64::from(start) * 100.0 / f64::from(span),
                            f64::from(end.saturating_sub(start)) * 100.0 / f64::from(span),
                            lane as f64 * 100.0 / width as f64,
                            100.0 / width as f64,
                        );
                        let fact = facts_for(&facts, &block.item).cloned();
                        view! { <GridBlock block=block style=style fact=fact on_open=on_open /> }
                    })
                    .collect_view();
                view! { <div class="tt-grid-col">{items}</div> }
            })
            .collect_view();
        view! {
            <div
                id="week-grid"
                class="tt-grid"
                role="group"
                aria-label=t("nav-timetable")
                style=format!("--tt-days: {}; --tt-hours: {}", days.len(), last - first)
                data-first-hour=first.to_string()
                data-last-hour=last.to_string()
            >
                <div class="tt-grid-corner"></div>
                {heads}
                <div class="tt-grid-hours">{hours}</div>
                {columns}
            </div>
        }
    }
}

/// One meeting on the grid.
#[component]
fn GridBlock(
    block: WeekBlock,
    style: String,
    fact: Option<BlockFacts>,
    on_open: Callback<WeekItemRef>,
) -> impl IntoView {
    let class = block_class(&block);
    let registration = fact.as_ref().map(|fact| fact.registration_id.clone());
    let item = block.item.clone();
    view! {
        <button
            type="button"
            class=class
            style=style
            data-section-id=block.item.section_id.map(|id| id.to_string())
            data-block-id=block.item.block_id.map(|id| id.to_string())
            data-registration-id=registration
            title=format!("{} {}–{}", block.item.title, block.start, block.end)
            on:click=move |_| on_open.run(item.clone())
        >
            <span class="tt-block-title">{block.item.title.clone()}</span>
            <span class="tt-block-sub">{fact.map_or_else(|| block.item.subtitle.clone(), |fact| fact.subtitle)}</span>
            <span class="tt-block-time">
                <span class="tt-block-start">{block.start.clone()}</span>
                <span class="tt-block-end">{format!("–{}", block.end)}</span>
            </span>
            {block.location.clone().map(|room| view! { <span class="tt-block-room">{room}</span> })}
            {block.removed.then(|| view! { <span class="tt-block-flag">{t("timetable-removed")}</span> })}
        </button>
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn test_overlapping_blocks_share_the_width_and_others_take_it_all() {
        assert_eq!(lanes(&[]), vec![]);
        assert_eq!(lanes(&[(600, 650)]), vec![(0, 1)]);
        // 10:00–10:50 and 10:30–11:20 overlap; 12:00 stands alone.
        assert_eq!(lanes(&[(600, 650), (630, 680), (720, 770)]), vec![(0, 2), (1, 2), (0, 1)]);
        // A long block with two short ones under it: the second short one reuses lane 1.
        assert_eq!(lanes(&[(540, 720), (540, 600), (600, 660)]), vec![(0, 2), (1, 2), (1, 2)]);
        // Back-to-back blocks do not overlap.
        assert_eq!(lanes(&[(540, 600), (600, 660)]), vec![(0, 1), (0, 1)]);
    }

    #[test]
    fn test_the_grid_shows_at_least_six_hours_within_the_day() {
        // One class at 11:00: the hours after it fill the grid.
        assert_eq!(visible_hours(11, 12), (11, 17));
        // Late classes borrow the missing hours from earlier in the day.
        assert_eq!(visible_hours(21, 23), (18, 24));
        // Wide plans are shown as they are; nonsense is clamped into the day.
        assert_eq!(visible_hours(8, 18), (8, 18));
        assert_eq!(visible_hours(30, 10), (18, 24));
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
pub(crate) mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle};
    use chrono::NaiveDate;
    use pretzel_api::CustomBlockId;
    use pretzel_api::shell::{DisplayZone, WeekDay};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    pub fn block(section: Option<i64>, start: u32, end: u32, conflict: bool) -> WeekBlock {
        WeekBlock {
            item: WeekItemRef {
                section_id: section.map(SectionId),
                block_id: section.is_none().then_some(CustomBlockId(4)),
                title: section.map_or_else(|| "Library shift".to_owned(), |id| format!("CS {id}")),
                subtitle: String::new(),
                color: if section.is_some() { 3 } else { 12 },
            },
            start_minute: start,
            end_minute: end,
            start: clock(start),
            end: clock(end),
            location: Some("Siebel 1404".into()),
            conflict,
            removed: false,
        }
    }

    pub fn week(monday_blocks: Vec<WeekBlock>) -> WeekView {
        let monday = NaiveDate::from_ymd_opt(2026, 8, 31).expect("date");
        WeekView {
            time_zone: "America/Chicago".into(),
            zone: DisplayZone::Campus,
            week_start: monday,
            previous_week: None,
            next_week: monday.checked_add_days(chrono::Days::new(7)),
            days: (0..7u64)
                .map(|offset| WeekDay {
                    date: monday.checked_add_days(chrono::Days::new(offset)).expect("date"),
                    blocks: if offset == 0 { monday_blocks.clone() } else { Vec::new() },
                })
                .collect(),
            first_hour: 9,
            last_hour: 13,
            unscheduled: Vec::new(),
            offset_changes: Vec::new(),
        }
    }

    #[wasm_bindgen_test]
    async fn test_week_grid_places_blocks_marks_conflicts_and_opens_them() {
        let shown = RwSignal::new(week(vec![
            block(Some(225), 600, 650, true),
            block(Some(241), 630, 680, true),
            block(None, 720, 780, false),
        ]));
        let opened = RwSignal::new(None::<WeekItemRef>);
        let root = mount(move || {
            view! {
                <WeekGrid
                    week=shown
                    on_open=Callback::new(move |item| opened.set(Some(item)))
                    facts=Signal::derive(|| {
                        vec![BlockFacts {
                            section_id: SectionId(225),
                            registration_id: "31152".to_owned(),
                            subtitle: "AL1 · Lecture".to_owned(),
                        }]
                    })
                />
            }
        });
        settle().await;
        // The plan uses 9:00–13:00; the grid widens that to its six-hour minimum.
        assert_eq!(root.query_selector_all("#week-grid .tt-grid-hour").expect("query").length(), 6);
        assert_eq!(root.query_selector_all("#week-grid .tt-grid-day-head").expect("query").length(), 5);
        assert_eq!(root.query_selector_all(".week-block.conflict").expect("query").length(), 2);
        let custom = find(&root, ".week-block[data-block-id='4']").expect("custom block");
        assert!(custom.class_list().contains("tt-color-12") && !custom.class_list().contains("conflict"));
        assert!(find(&root, ".week-block[data-registration-id='31152'][data-section-id='225']").is_some());
        let first = find(&root, ".week-block[data-section-id='225']").expect("section block");
        let style = first.get_attribute("style").unwrap_or_default();
        // 10:00 in a 9:00–15:00 grid: one sixth of the way down.
        assert!(style.contains("top: 16.667%") && style.contains("width: 50.000%"), "{style}");
        first.dyn_into::<web_sys::HtmlElement>().expect("button").click();
        assert_eq!(opened.get_untracked().and_then(|item| item.section_id), Some(SectionId(225)));
    }
}
