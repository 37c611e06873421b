//! The banner at the top of a form: a general error (`.form-error`, announced to screen readers) or,
//! when there is none, an informational notice (`.form-notice`).

use crate::components::icons::{Glyph, Icon};
use leptos::prelude::*;

/// Shows `error` if set, else `info` if set, else nothing.
#[component]
pub fn FormBanner(
    /// The general error, already translated.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// A notice that is not an error, already translated.
    #[prop(optional, into)]
    info: Signal<Option<String>>,
) -> impl IntoView {
    move || match (error.get(), info.get()) {
        (Some(message), _) => view! {
            <div class="banner form-error" role="alert">
                <Glyph icon=Icon::Alert />
                <span>{message}</span>
            </div>
        }
        .into_any(),
        (None, Some(message)) => view! {
            <div class="banner form-notice" role="status">
                <Glyph icon=Icon::Info />
                <span>{message}</span>
            </div>
        }
        .into_any(),
        (None, None) => ().into_any(),
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_banner_prefers_the_error_over_the_notice() {
        let error = RwSignal::new(None::<String>);
        let info = RwSignal::new(Some("You were signed out.".to_owned()));
        let root = mount(move || view! { <FormBanner error=error info=info /> });
        assert_eq!(text(&root, ".form-notice").as_deref(), Some("You were signed out."));
        error.set(Some("Can't reach the server.".to_owned()));
        settle().await;
        assert_eq!(text(&root, ".form-error").as_deref(), Some("Can't reach the server."));
        assert!(find(&root, ".form-notice").is_none());
    }
}
