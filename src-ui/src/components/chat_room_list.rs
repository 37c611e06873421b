//! The Chats tab's room list (`#chat-rooms`): one row per course room, newest activity first, with
//! the last message, its time, member and online counts, the unread badge, a muted mark and a
//! marker for own messages still waiting or refused. Without rooms it explains where rooms come
//! from (`#chat-rooms-empty`).

use crate::components::chat_format::{ShortTime, local_offset, now, short_time, sort_rooms};
use crate::components::icons::{Glyph, Icon};
use crate::i18n::{Msg, t, use_i18n};
use leptos::prelude::*;
use pretzel_api::RoomId;
use pretzel_api::shell::chat::ChatRoomView;

/// A crossed-out bell: the room is muted (drawn like the app's other icons).
#[component]
pub fn MutedBell() -> impl IntoView {
    view! {
        <svg
            class="icon chat-muted-icon"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            <path d="M6 9a6 6 0 0 1 12 0c0 6.5 2.5 8.5 2.5 8.5h-17S6 15.5 6 9z" />
            <path d="M10.2 20.5a2 2 0 0 0 3.6 0M3.5 3.5l17 17" />
        </svg>
    }
}

/// The list of rooms; each row reports a tap with its room id.
#[component]
pub fn ChatRoomList(
    /// The rooms in any order (the list sorts them).
    #[prop(into)]
    rooms: Signal<Vec<ChatRoomView>>,
    /// The room open next to the list, if any (highlighted).
    #[prop(into)]
    selected: Signal<Option<RoomId>>,
    /// The student opened a room.
    on_open: Callback<RoomId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sorted = Memo::new(move |_| {
        let mut rooms = rooms.get();
        sort_rooms(&mut rooms);
        rooms
    });
    move || {
        let rooms = sorted.get();
        if rooms.is_empty() {
            return view! {
                <div id="chat-rooms-empty" class="card chat-empty">
                    <span class="chat-empty-icon" aria-hidden="true"><Glyph icon=Icon::Chats /></span>
                    <h2 class="card-title">{t("chats-empty-title")}</h2>
                    <p>{t("chats-empty-body")}</p>
                </div>
            }
            .into_any();
        }
        let offset = local_offset();
        let now = now();
        let rows = rooms
            .into_iter()
            .map(|room| {
                let id = room.summary.room_id;
                let summary = room.summary;
                let unread = summary.unread;
                let preview = summary.last_message.as_ref().map(|message| {
                    let body = if message.deleted { i18n.t("chats-deleted") } else { message.body.clone() };
                    format!("{}: {body}", message.author_name)
                });
                let when = summary.last_message.as_ref().map(|message| match short_time(message.created_at, now, offset) {
                    ShortTime::JustNow => i18n.t("chats-time-now"),
                    ShortTime::Minutes(minutes) => {
                        i18n.msg(&Msg::new("chats-time-minutes").arg("min", usize::try_from(minutes).unwrap_or(0)))
                    }
                    ShortTime::Today(clock) => clock,
                    ShortTime::Yesterday => i18n.t("chats-yesterday"),
                    ShortTime::Date { month, day } => i18n.msg(
                        &Msg::new("chats-date").arg("min", month as usize).arg("max", day as usize),
                    ),
                });
                let counts = i18n.msg(
                    &Msg::new("chats-room-counts")
                        .arg("max", summary.member_count as usize)
                        .arg("min", summary.online_count as usize),
                );
                let marker = if room.failed > 0 {
                    Some(("chat-room-failed", i18n.t("chats-room-failed")))
                } else if room.pending > 0 {
                    Some(("chat-room-pending", i18n.t("chats-room-pending")))
                } else {
                    None
                };
                view! {
                    <li>
                        <button
                            type="button"
                            class="chat-room-row"
                            class:chat-room-selected=move || selected.get() == Some(id)
                            class:chat-room-unread={unread > 0}
                            data-room-id=id.0.to_string()
                            on:click=move |_| on_open.run(id)
                        >
                            <span class="chat-room-avatar" aria-hidden="true">
                                {summary.course_code.chars().take(2).collect::<String>()}
                            </span>
                            <span class="chat-room-main">
                                <span class="chat-room-top">
                                    <span class="chat-room-code">{summary.course_code.clone()}</span>
                                    <span class="chat-room-title">{summary.title.clone()}</span>
                                    {room.muted.then(|| view! {
                                        <span class="chat-room-muted" title=t("chats-muted") aria-label=t("chats-muted")><MutedBell /></span>
                                    })}
                                    <span class="chat-room-time">{when}</span>
                                </span>
                                <span class="chat-room-bottom">
                                    <span class="chat-room-preview">
                                        {marker.map(|(class, label)| view! { <span class=class>{label}</span> })}
                                        {preview.unwrap_or_else(|| i18n.t("chats-no-messages"))}
                                    </span>
                                    {(unread > 0).then(|| view! {
                                        <span class="chat-unread-badge" aria-label=i18n.msg(&Msg::new("chats-unread").arg("min", unread as usize))>
                                            {if unread > 99 { "99+".to_owned() } else { unread.to_string() }}
                                        </span>
                                    })}
                                </span>
                                <span class="chat-room-counts">
                                    <span class="chat-online-dot" aria-hidden="true"></span>
                                    {counts}
                                </span>
                            </span>
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! { <ul id="chat-rooms" class="chat-room-list">{rows}</ul> }.into_any()
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::chat_format::fixtures::room;
    use crate::components::fake_shell::click;
    use crate::components::test_support::{find, mount, settle, text};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_room_list_sorts_by_activity_with_badges_and_explains_the_empty_state() {
        let rooms = RwSignal::new(Vec::<ChatRoomView>::new());
        let opened = RwSignal::new(None::<RoomId>);
        let root = mount(move || {
            view! { <ChatRoomList rooms=rooms selected=opened on_open=Callback::new(move |id| opened.set(Some(id))) /> }
        });
        let empty = text(&root, "#chat-rooms-empty").expect("empty state");
        assert!(empty.contains("Timetable tab"), "{empty}");

        let now = now();
        let mut quiet = room(1, "CS 225", Some(now - chrono::Duration::hours(3)), 0);
        quiet.pending = 1;
        let mut busy = room(2, "MATH 241", Some(now - chrono::Duration::minutes(5)), 3);
        busy.muted = true;
        let mut fresh = room(3, "PHYS 211", None, 0);
        fresh.failed = 1;
        rooms.set(vec![quiet, fresh, busy]);
        settle().await;

        assert!(find(&root, "#chat-rooms-empty").is_none());
        let order: Vec<String> = (0..3)
            .filter_map(|at| root.query_selector_all("[data-room-id]").expect("query").item(at))
            .filter_map(|row| row.dyn_into::<web_sys::Element>().ok()?.get_attribute("data-room-id"))
            .collect();
        assert_eq!(order, ["2", "1", "3"], "newest activity first, rooms without messages last");
        assert_eq!(text(&root, "[data-room-id='2'] .chat-unread-badge").as_deref(), Some("3"));
        assert!(find(&root, "[data-room-id='1'] .chat-unread-badge").is_none());
        assert!(find(&root, "[data-room-id='2'] .chat-room-muted").is_some());
        assert!(find(&root, "[data-room-id='1'] .chat-room-muted").is_none());
        let preview = text(&root, "[data-room-id='2'] .chat-room-preview").expect("preview");
        assert!(preview.contains("Mina: see you at the lab"), "{preview}");
        assert_eq!(text(&root, "[data-room-id='2'] .chat-room-time").as_deref(), Some("5 min"));
        assert!(text(&root, "[data-room-id='2'] .chat-room-counts").expect("counts").contains("40 members · 3 online"));
        assert!(find(&root, "[data-room-id='1'] .chat-room-pending").is_some());
        assert!(find(&root, "[data-room-id='3'] .chat-room-failed").is_some());

        click(find(&root, "[data-room-id='1']").expect("row"));
        settle().await;
        assert_eq!(opened.get_untracked(), Some(RoomId(1)));
        assert!(find(&root, "[data-room-id='1'].chat-room-selected").is_some());
    }
}
