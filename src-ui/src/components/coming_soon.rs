//! The placeholder card for sections that are not built yet: it says plainly that the feature is
//! coming and what it will do, so an empty tab never looks broken.

use crate::components::icons::{Glyph, Icon};
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

/// A "Coming soon" card with a title, a description and the planned highlights.
#[component]
pub fn ComingSoon(
    /// The section's icon, drawn large at the top of the card.
    icon: Icon,
    /// Message id of the card's title.
    title_key: &'static str,
    /// Message id of the description.
    body_key: &'static str,
    /// Message ids of the highlights listed under "What's on the way".
    points: &'static [&'static str],
) -> impl IntoView {
    let i18n = use_i18n();
    let points = points
        .iter()
        .map(|key| {
            view! {
                <li>
                    <span class="soon-point-icon"><Glyph icon=Icon::Check /></span>
                    <span>{move || i18n.t(key)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <article class="card soon-card">
            <div class="soon-art" aria-hidden="true">
                <Glyph icon=icon />
            </div>
            <span class="badge badge-soon">
                <Glyph icon=Icon::Sparkle />
                {t("soon-badge")}
            </span>
            <h2 class="soon-title">{move || i18n.t(title_key)}</h2>
            <p class="soon-body">{move || i18n.t(body_key)}</p>
            <h3 class="soon-heading">{t("soon-heading")}</h3>
            <ul class="soon-points">{points}</ul>
        </article>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{mount, text};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn test_coming_soon_is_clearly_marked_and_lists_its_points() {
        let root = mount(|| {
            view! {
                <ComingSoon
                    icon=Icon::Chats
                    title_key="chats-title"
                    body_key="chats-body"
                    points=&["chats-point-rooms", "chats-point-offline"]
                />
            }
        });
        assert_eq!(text(&root, ".badge-soon").as_deref(), Some("Coming soon"));
        assert_eq!(text(&root, ".soon-title").as_deref(), Some("Course chat rooms"));
        assert_eq!(root.query_selector_all(".soon-points li").expect("query").length(), 2);
    }
}
