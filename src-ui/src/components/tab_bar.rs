//! The main navigation: a left sidebar on desktop, a bottom tab bar on phone-width windows.
//!
//! It is one `<nav>` either way; the stylesheet moves it at 700 px. Each button carries
//! `data-tab="<tab>"` and the active one `aria-current="page"`; the Chats tab shows the unread
//! chat messages as a `.tab-badge`.

use crate::components::icons::{Glyph, Icon};
use crate::i18n::{Msg, t, use_i18n};
use leptos::prelude::*;

/// A top-level section of the signed-in app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    /// The campus feed.
    Feed,
    /// The student's timetable.
    Timetable,
    /// Course chat rooms.
    Chats,
    /// Notifications.
    Notifications,
    /// The student's own profile and settings.
    Me,
}

impl Tab {
    /// The tabs in navigation order.
    pub const ALL: [Tab; 5] = [Tab::Feed, Tab::Timetable, Tab::Chats, Tab::Notifications, Tab::Me];

    /// The stable id used in `data-tab` and `data-page`.
    pub fn id(self) -> &'static str {
        match self {
            Tab::Feed => "feed",
            Tab::Timetable => "timetable",
            Tab::Chats => "chats",
            Tab::Notifications => "notifications",
            Tab::Me => "me",
        }
    }

    /// The message id of the tab's label.
    pub fn label_key(self) -> &'static str {
        match self {
            Tab::Feed => "nav-feed",
            Tab::Timetable => "nav-timetable",
            Tab::Chats => "nav-chats",
            Tab::Notifications => "nav-notifications",
            Tab::Me => "nav-me",
        }
    }

    /// The tab's icon.
    pub fn icon(self) -> Icon {
        match self {
            Tab::Feed => Icon::Feed,
            Tab::Timetable => Icon::Timetable,
            Tab::Chats => Icon::Chats,
            Tab::Notifications => Icon::Notifications,
            Tab::Me => Icon::Me,
        }
    }
}

/// The navigation between [`Tab`]s.
#[component]
pub fn TabBar(
    /// The tab being shown.
    #[prop(into)]
    active: Signal<Tab>,
    /// Called with the tab the student picked.
    on_select: Callback<Tab>,
    /// Unread chat messages over all rooms, shown as a badge on the Chats tab (none at 0).
    #[prop(optional, into)]
    chat_unread: Signal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let buttons = Tab::ALL
        .into_iter()
        .map(|tab| {
            let is_active = move || active.get() == tab;
            view! {
                <button
                    type="button"
                    class="tab"
                    class:tab-active=is_active
                    data-tab=tab.id()
                    aria-current=move || is_active().then_some("page")
                    on:click=move |_| on_select.run(tab)
                >
                    <Glyph icon=tab.icon() />
                    <span class="tab-label">{move || i18n.t(tab.label_key())}</span>
                    {move || {
                        let unread = chat_unread.get();
                        (tab == Tab::Chats && unread > 0).then(|| {
                            let label = i18n.msg(&Msg::new("nav-chats-unread").arg("min", unread as usize));
                            view! {
                                <span class="tab-badge" aria-label=label>
                                    {if unread > 99 { "99+".to_owned() } else { unread.to_string() }}
                                </span>
                            }
                        })
                    }}
                </button>
            }
        })
        .collect_view();
    view! {
        <nav class="tab-bar" aria-label=t("nav-label")>
            {buttons}
        </nav>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_tab_bar_marks_the_active_tab_and_reports_clicks() {
        let active = RwSignal::new(Tab::Feed);
        let root =
            mount(move || view! { <TabBar active=active on_select=Callback::new(move |tab| active.set(tab)) /> });
        for tab in Tab::ALL {
            assert!(find(&root, &format!("[data-tab={}]", tab.id())).is_some(), "{tab:?} missing");
        }
        let current = |root: &web_sys::HtmlElement| {
            find(root, "[aria-current=page]").and_then(|tab| tab.get_attribute("data-tab"))
        };
        assert_eq!(current(&root).as_deref(), Some("feed"));

        let me = find(&root, "[data-tab=me]").expect("me tab").dyn_into::<web_sys::HtmlElement>().expect("button");
        me.click();
        settle().await;
        assert_eq!(active.get_untracked(), Tab::Me);
        assert_eq!(current(&root).as_deref(), Some("me"));
        assert_eq!(root.query_selector_all(".tab-active").expect("query").length(), 1);
    }

    #[wasm_bindgen_test]
    async fn test_chats_tab_shows_the_unread_badge_only_when_there_is_something_unread() {
        let unread = RwSignal::new(0_u32);
        let root =
            mount(move || view! { <TabBar active=Tab::Feed on_select=Callback::new(|_| {}) chat_unread=unread /> });
        assert!(find(&root, ".tab-badge").is_none());
        unread.set(5);
        settle().await;
        let badge = find(&root, "[data-tab=chats] .tab-badge").expect("badge");
        assert_eq!(badge.text_content().as_deref(), Some("5"));
        assert_eq!(badge.get_attribute("aria-label").as_deref(), Some("5 unread chat messages"));
        assert_eq!(root.query_selector_all(".tab-badge").expect("query").length(), 1);
        unread.set(0);
        settle().await;
        assert!(find(&root, ".tab-badge").is_none());
    }

    #[wasm_bindgen_test]
    async fn test_tab_labels_follow_the_language() {
        let i18n = crate::i18n::I18n::new(crate::i18n::Locale::En);
        let root = mount(move || {
            provide_context(i18n);
            view! { <TabBar active=Tab::Feed on_select=Callback::new(|_| {}) /> }
        });
        let label = |root: &web_sys::HtmlElement| {
            find(root, "[data-tab=timetable] .tab-label").and_then(|label| label.text_content())
        };
        assert_eq!(label(&root).as_deref(), Some("Timetable"));
        i18n.set_locale(crate::i18n::Locale::Ko);
        settle().await;
        assert_eq!(label(&root).as_deref(), Some("시간표"));
        i18n.set_locale(crate::i18n::Locale::ZhCn);
        settle().await;
        assert_eq!(label(&root).as_deref(), Some("课程表"));
    }
}
