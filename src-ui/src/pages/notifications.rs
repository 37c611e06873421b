//! The notifications tab. Not built yet: it shows a clearly marked "Coming soon" card describing what
//! will be here, so the tab is useful as a preview rather than a blank screen.

use crate::components::coming_soon::ComingSoon;
use crate::components::icons::Icon;
use leptos::prelude::*;

/// The notifications tab's content.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! {
        <section class="page" data-page="notifications">
            <ComingSoon
                icon=Icon::Notifications
                title_key="notifications-title"
                body_key="notifications-body"
                points=&["notifications-point-mentions", "notifications-point-classes", "notifications-point-quiet"]
            />
        </section>
    }
}
