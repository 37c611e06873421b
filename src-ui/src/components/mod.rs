//! Small, reusable view pieces. Each takes typed props, never reaches the network, and gets its
//! text already translated or through the i18n context, so it can be tested on its own.

pub mod backend_url_field;
pub mod banner;
pub mod brand;
pub mod busy_button;
pub mod calendar_share;
pub mod chat_composer;
pub mod chat_connection;
pub mod chat_format;
pub mod chat_members;
pub mod chat_messages;
pub mod chat_room_list;
pub mod coming_soon;
pub mod conflict_dialog;
pub mod credits_meter;
pub mod custom_block_form;
#[cfg(all(test, target_arch = "wasm32"))]
pub(crate) mod fake_shell;
pub mod icons;
pub mod language_picker;
pub mod pending_list;
pub mod plan_bar;
pub mod plan_sections;
pub mod section_search;
pub mod section_sheet;
pub mod tab_bar;
pub mod term_picker;
pub mod text_field;
pub mod time_zone_picker;
pub mod timetable_format;
pub mod university_picker;
pub mod week_grid;
pub mod week_list;
pub mod week_nav;

/// Mounts components into a fresh element of the test page and queries what they rendered.
#[cfg(all(test, target_arch = "wasm32"))]
pub(crate) mod test_support {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    /// Renders `view` into a new `<div>` appended to `<body>` and returns that div.
    pub fn mount<F, V>(view: F) -> web_sys::HtmlElement
    where
        F: FnOnce() -> V + 'static,
        V: IntoView + 'static,
    {
        let document = document();
        let host = document
            .create_element("div")
            .expect("create host")
            .dyn_into::<web_sys::HtmlElement>()
            .expect("a div is an HtmlElement");
        document.body().expect("body").append_child(&host).expect("append host");
        leptos::mount::mount_to(host.clone(), view).forget();
        host
    }

    /// The first element under `root` matching `selector`.
    pub fn find(root: &web_sys::HtmlElement, selector: &str) -> Option<web_sys::Element> {
        root.query_selector(selector).expect("valid selector")
    }

    /// The text of the first element matching `selector`, or `None`.
    pub fn text(root: &web_sys::HtmlElement, selector: &str) -> Option<String> {
        find(root, selector).and_then(|element| element.text_content())
    }

    /// Lets effects and re-renders scheduled by signal changes run.
    pub async fn settle() {
        for _ in 0..3 {
            leptos::task::tick().await;
        }
    }
}
