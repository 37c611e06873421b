//! The app's inline SVG icons: one stroke style, drawn on a 24-unit grid, coloured by `currentColor`
//! so they follow the text colour, the active tab's accent and the dark theme without extra CSS.

use leptos::prelude::*;

/// Every icon the UI uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    /// The campus feed tab.
    Feed,
    /// The timetable tab.
    Timetable,
    /// The chats tab.
    Chats,
    /// The notifications tab.
    Notifications,
    /// The Me tab.
    Me,
    /// Language settings.
    Globe,
    /// Server settings.
    Server,
    /// Logging out.
    Logout,
    /// No connection.
    Offline,
    /// An error banner.
    Alert,
    /// An informational banner.
    Info,
    /// "Coming soon".
    Sparkle,
    /// A done state.
    Check,
    /// A disclosure arrow.
    Chevron,
    /// Replying to a message.
    Reply,
    /// Editing one's own message.
    Edit,
    /// Deleting one's own message.
    Trash,
    /// Reporting a message.
    Flag,
    /// Blocking a student.
    Block,
    /// A message waiting to be sent.
    Clock,
    /// Sending a message.
    Send,
}

/// Renders `icon` as a decorative (`aria-hidden`) inline SVG.
#[component]
pub fn Glyph(
    /// Which icon to draw.
    icon: Icon,
) -> impl IntoView {
    let shapes = match icon {
        Icon::Feed => view! {
            <rect x="3.5" y="4" width="17" height="16" rx="3" />
            <path d="M7.5 8.5h9M7.5 12h9M7.5 15.5h5" />
        }
        .into_any(),
        Icon::Timetable => view! {
            <rect x="3.5" y="5" width="17" height="15.5" rx="3" />
            <path d="M3.5 10h17M8.5 3v4M15.5 3v4M7.5 13.5h2.5M13.5 13.5h3M7.5 17h2.5" />
        }
        .into_any(),
        Icon::Chats => view! {
            <path d="M20.5 11.5a8 8 0 0 1-11.6 7.2L4 20l1.3-4.3A8 8 0 1 1 20.5 11.5z" />
            <path d="M8.5 11.5h.01M12.5 11.5h.01M16.5 11.5h.01" />
        }
        .into_any(),
        Icon::Notifications => view! {
            <path d="M6 9a6 6 0 0 1 12 0c0 6.5 2.5 8.5 2.5 8.5h-17S6 15.5 6 9z" />
            <path d="M10.2 20.5a2 2 0 0 0 3.6 0" />
        }
        .into_any(),
        Icon::Me => view! {
            <circle cx="12" cy="8.5" r="4" />
            <path d="M4.5 20.5a7.5 7.5 0 0 1 15 0" />
        }
        .into_any(),
        Icon::Globe => view! {
            <circle cx="12" cy="12" r="8.5" />
            <path d="M3.5 12h17" />
            <path d="M12 3.5c2.4 2.4 3.5 5.2 3.5 8.5s-1.1 6.1-3.5 8.5c-2.4-2.4-3.5-5.2-3.5-8.5s1.1-6.1 3.5-8.5z" />
        }
        .into_any(),
        Icon::Server => view! {
            <rect x="3.5" y="4" width="17" height="7" rx="2" />
            <rect x="3.5" y="13" width="17" height="7" rx="2" />
            <path d="M7.5 7.5h.01M7.5 16.5h.01" />
        }
        .into_any(),
        Icon::Logout => view! {
            <path d="M9.5 20.5h-3a2 2 0 0 1-2-2v-13a2 2 0 0 1 2-2h3" />
            <path d="M15.5 16.5 20 12l-4.5-4.5M20 12H9.5" />
        }
        .into_any(),
        Icon::Offline => view! {
            <path d="M3 3l18 18M8.8 16.2a4.6 4.6 0 0 1 6.4 0M12 19.5h.01" />
            <path d="M5.4 12.8a9.3 9.3 0 0 1 4-2.3M14.9 10.6a9.3 9.3 0 0 1 3.7 2.2" />
            <path d="M2.5 9.3a13.8 13.8 0 0 1 3.9-2.6M10.6 5.6a13.8 13.8 0 0 1 10.9 3.7" />
        }
        .into_any(),
        Icon::Alert => view! {
            <circle cx="12" cy="12" r="8.5" />
            <path d="M12 7.8v4.8M12 16.2h.01" />
        }
        .into_any(),
        Icon::Info => view! {
            <circle cx="12" cy="12" r="8.5" />
            <path d="M12 11v5M12 7.8h.01" />
        }
        .into_any(),
        Icon::Sparkle => view! {
            <path d="M12 3.5l1.9 5.1 5.1 1.9-5.1 1.9-1.9 5.1-1.9-5.1-5.1-1.9 5.1-1.9z" />
            <path d="M18.5 16v4M16.5 18h4" />
        }
        .into_any(),
        Icon::Check => view! { <path d="M5 12.5l4.5 4.5L19 7.5" /> }.into_any(),
        Icon::Chevron => view! { <path d="M9 6l6 6-6 6" /> }.into_any(),
        Icon::Reply => view! { <path d="M9.5 7.5 4.5 12l5 4.5M4.5 12h9a6 6 0 0 1 6 6v1" /> }.into_any(),
        Icon::Edit => view! {
            <path d="M15.5 4.5l4 4L9 19l-4.5.5L5 15z" />
            <path d="M13 7l4 4" />
        }
        .into_any(),
        Icon::Trash => view! {
            <path d="M4.5 7h15M9.5 7V4.5h5V7M6.5 7l1 12.5h9l1-12.5" />
            <path d="M10.5 11v5M13.5 11v5" />
        }
        .into_any(),
        Icon::Flag => view! { <path d="M5.5 20.5v-16M5.5 4.5h11l-2 4 2 4h-11" /> }.into_any(),
        Icon::Block => view! {
            <circle cx="12" cy="12" r="8.5" />
            <path d="M6 6l12 12" />
        }
        .into_any(),
        Icon::Clock => view! {
            <circle cx="12" cy="12" r="8.5" />
            <path d="M12 7.5V12l3 2" />
        }
        .into_any(),
        Icon::Send => view! { <path d="M4 12l16-8-6 16-2.5-6.5zM11.5 13.5 20 4" /> }.into_any(),
    };
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            {shapes}
        </svg>
    }
}
