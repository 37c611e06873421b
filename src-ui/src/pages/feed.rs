//! The campus feed tab. Not built yet: it shows a clearly marked "Coming soon" card describing what
//! will be here, so the tab is useful as a preview rather than a blank screen.

use crate::components::coming_soon::ComingSoon;
use crate::components::icons::Icon;
use leptos::prelude::*;

/// The campus feed tab's content.
#[component]
pub fn FeedPage() -> impl IntoView {
    view! {
        <section class="page" data-page="feed">
            <ComingSoon
                icon=Icon::Feed
                title_key="feed-title"
                body_key="feed-body"
                points=&["feed-point-events", "feed-point-questions", "feed-point-market"]
            />
        </section>
    }
}
