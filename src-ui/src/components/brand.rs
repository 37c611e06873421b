//! Pretzel's logo mark and word mark, used in the app header and on the auth screens.

use crate::i18n::t;
use leptos::prelude::*;

/// The pretzel mark on its warm tile, followed by the app name.
#[component]
pub fn Brand(
    /// Draws the large variant used above the login and sign-up cards.
    #[prop(optional)]
    large: bool,
) -> impl IntoView {
    view! {
        <div class="brand" class:brand-large=large>
            <span class="brand-mark" aria-hidden="true">
                <svg
                    viewBox="0 0 32 32"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="2.5"
                    stroke-linecap="round"
                    stroke-linejoin="round"
                >
                    <path d="M16 12.5C13.8 7.6 4.8 6.8 4.8 14.6c0 6.6 5.2 10.9 11.2 10.9" />
                    <path d="M16 12.5c2.2-4.9 11.2-5.7 11.2 2.1 0 6.6-5.2 10.9-11.2 10.9" />
                    <path d="M10.2 23.2 20.6 10.2M21.8 23.2 11.4 10.2" />
                </svg>
            </span>
            <span class="brand-name">{t("app-name")}</span>
        </div>
    }
}
