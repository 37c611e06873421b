//! The timetable tab. Not built yet: it shows a clearly marked "Coming soon" card describing what
//! will be here, so the tab is useful as a preview rather than a blank screen.

use crate::components::coming_soon::ComingSoon;
use crate::components::icons::Icon;
use leptos::prelude::*;

/// The timetable tab's content.
#[component]
pub fn TimetablePage() -> impl IntoView {
    view! {
        <section class="page" data-page="timetable">
            <ComingSoon
                icon=Icon::Timetable
                title_key="timetable-title"
                body_key="timetable-body"
                points=&["timetable-point-courses", "timetable-point-week", "timetable-point-remind"]
            />
        </section>
    }
}
