//! The bar above the week: arrows between the term's weeks (`#week-prev`, `#week-next`, back to
//! `#week-today`), the campus/home time toggle (`#zone-toggle` with `[data-zone=campus|home]`), the
//! zone the times are in, and a note when clocks change during the week shown.

use crate::components::icons::{Glyph, Icon};
use crate::components::timetable_format::short_date;
use crate::i18n::{t, use_i18n};
use chrono::NaiveDate;
use leptos::prelude::*;
use pretzel_api::shell::{DisplayZone, WeekView};

/// Week arrows and the zone toggle.
#[component]
pub fn WeekNav(
    /// The week shown, once loaded.
    #[prop(into)]
    week: Signal<Option<WeekView>>,
    /// The zone the student asked for.
    #[prop(into)]
    zone: Signal<DisplayZone>,
    /// The student's home zone from Me, if set.
    #[prop(into)]
    home_zone: Signal<Option<String>>,
    /// Shows the week containing this day (`None`: the default week).
    on_week: Callback<Option<NaiveDate>>,
    /// Switches the clock.
    on_zone: Callback<DisplayZone>,
) -> impl IntoView {
    let i18n = use_i18n();
    let previous = move || week.with(|w| w.as_ref().and_then(|w| w.previous_week));
    let next = move || week.with(|w| w.as_ref().and_then(|w| w.next_week));
    let label = move || {
        let locale = i18n.locale();
        week.with(|w| {
            w.as_ref().map(|w| {
                format!("{} {}", i18n.t("timetable-week-of"), short_date(locale, &w.week_start.to_string(), true))
            })
        })
    };
    let no_home = move || home_zone.with(Option::is_none);
    let zone_button = move |choice: DisplayZone, id: &'static str, key: &'static str| {
        let on = move || zone.get() == choice && !(choice == DisplayZone::Home && no_home());
        view! {
            <button
                type="button"
                class="tt-segment"
                class:tt-segment-on=on
                data-zone=id
                aria-pressed=move || on().to_string()
                disabled=move || choice == DisplayZone::Home && no_home()
                title=move || (choice == DisplayZone::Home && no_home()).then(|| i18n.t("timetable-zone-home-hint"))
                on:click=move |_| on_zone.run(choice)
            >
                {t(key)}
            </button>
        }
    };
    let shown_zone = move || week.with(|w| w.as_ref().map(|w| w.time_zone.clone()));
    let changes = move || {
        let locale = i18n.locale();
        week.with(|w| {
            let dates = w.as_ref().map(|w| w.offset_changes.clone()).unwrap_or_default();
            (!dates.is_empty()).then(|| {
                let dates =
                    dates.iter().map(|date| short_date(locale, &date.to_string(), true)).collect::<Vec<_>>().join(", ");
                view! {
                    <p id="offset-changes" class="tt-note">
                        <Glyph icon=Icon::Info />
                        <span>{format!("{} {dates}", i18n.t("timetable-clocks-change"))}</span>
                    </p>
                }
            })
        })
    };
    view! {
        <div class="tt-week-nav">
            <div class="tt-week-arrows">
                <button
                    id="week-prev"
                    type="button"
                    class="tt-icon-button tt-flip"
                    aria-label=t("timetable-week-previous")
                    disabled=move || previous().is_none()
                    on:click=move |_| on_week.run(previous())
                >
                    <Glyph icon=Icon::Chevron />
                </button>
                <span id="week-label" class="tt-week-label">{label}</span>
                <button
                    id="week-next"
                    type="button"
                    class="tt-icon-button"
                    aria-label=t("timetable-week-next")
                    disabled=move || next().is_none()
                    on:click=move |_| on_week.run(next())
                >
                    <Glyph icon=Icon::Chevron />
                </button>
                <button id="week-today" type="button" class="link-button" on:click=move |_| on_week.run(None)>
                    {t("timetable-week-today")}
                </button>
            </div>
            <div id="zone-toggle" class="tt-segments" role="group" aria-label=t("timetable-zone")>
                {zone_button(DisplayZone::Campus, "campus", "timetable-zone-campus")}
                {zone_button(DisplayZone::Home, "home", "timetable-zone-home")}
            </div>
        </div>
        <p class="tt-zone-line">
            <span id="zone-name">
                {move || shown_zone().map(|name| format!("{} {name}", i18n.t("timetable-zone-shown")))}
            </span>
            {move || {
                no_home().then(|| {
                    view! { <span id="zone-hint" class="tt-muted">{t("timetable-zone-home-hint")}</span> }
                })
            }}
        </p>
        {changes}
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle};
    use crate::components::week_grid::tests::week;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_zone_toggle_needs_a_home_zone_and_arrows_follow_the_term() {
        let home = RwSignal::new(None::<String>);
        let zone = RwSignal::new(DisplayZone::Campus);
        let asked = RwSignal::new(None::<Option<NaiveDate>>);
        let shown = RwSignal::new(Some(week(Vec::new())));
        let root = mount(move || {
            view! {
                <WeekNav
                    week=shown
                    zone=zone
                    home_zone=home
                    on_week=Callback::new(move |date| asked.set(Some(date)))
                    on_zone=Callback::new(move |picked| zone.set(picked))
                />
            }
        });
        let home_button = find(&root, "#zone-toggle [data-zone=home]").expect("home button");
        assert!(home_button.get_attribute("disabled").is_some());
        assert!(find(&root, "#zone-hint").is_some());
        assert!(find(&root, "#week-prev").expect("prev").get_attribute("disabled").is_some());
        find(&root, "#week-next").expect("next").dyn_into::<web_sys::HtmlElement>().expect("button").click();
        assert_eq!(asked.get_untracked().flatten(), NaiveDate::from_ymd_opt(2026, 9, 7));

        home.set(Some("Asia/Seoul".into()));
        settle().await;
        assert!(home_button.get_attribute("disabled").is_none());
        home_button.dyn_into::<web_sys::HtmlElement>().expect("button").click();
        settle().await;
        assert_eq!(zone.get_untracked(), DisplayZone::Home);
        let pressed = find(&root, "#zone-toggle [data-zone=home]").expect("home").get_attribute("aria-pressed");
        assert_eq!(pressed.as_deref(), Some("true"));
    }
}
