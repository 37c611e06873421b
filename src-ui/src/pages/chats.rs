//! The course chat rooms tab. Not built yet: it shows a clearly marked "Coming soon" card describing what
//! will be here, so the tab is useful as a preview rather than a blank screen.

use crate::components::coming_soon::ComingSoon;
use crate::components::icons::Icon;
use leptos::prelude::*;

/// The course chat rooms tab's content.
#[component]
pub fn ChatsPage() -> impl IntoView {
    view! {
        <section class="page" data-page="chats">
            <ComingSoon
                icon=Icon::Chats
                title_key="chats-title"
                body_key="chats-body"
                points=&["chats-point-rooms", "chats-point-offline", "chats-point-languages"]
            />
        </section>
    }
}
