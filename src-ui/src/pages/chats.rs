//! The Chats tab: the student's course rooms and the conversation of the open one.
//!
//! The page owns every call to the shell for this screen and the state they fill; the pieces on
//! screen (room list, connection banner, conversation, composer, member list) only show what they
//! are given and report taps. The shell keeps rooms and messages in its offline cache and sends
//! through its outbox, so the page never retries anything on its own: it shows what `chat_rooms`
//! and `chat_open_room` answer, then follows the `chat` event (lines upserted by `client_msg_id`
//! keeping the highest revision, the room list replaced, connection, typing and presence). On a
//! phone the open room replaces the list (with a back button); from 1000 px they sit side by side.
//! The shell is told which room is on screen so it skips notifications for it.

use crate::components::chat_composer::{ChatComposer, Draft};
use crate::components::chat_connection::ConnectionBanner;
use crate::components::chat_format::{Typist, lowest_seq, now, prepend_lines, upsert_lines};
use crate::components::chat_members::ChatMembers;
use crate::components::chat_messages::{ChatMessages, LineActions};
use crate::components::chat_room_list::{ChatRoomList, MutedBell};
use crate::components::icons::{Glyph, Icon};
use crate::components::pending_list::change_error;
use crate::i18n::{Msg, t, use_i18n};
use crate::ipc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pretzel_api::chat::{MAX_HISTORY_PAGE, RoomMember, TYPING_TTL_SECS};
use pretzel_api::shell::chat::{
    ChatEvent, ChatLine, ChatRoomView, ChatSend, ConnectionState, EditMessage, LineState, MarkRead, MessageArgs,
    MuteRoom, OlderMessages, PendingMessageArgs, ReportMessage, RoomArgs, UserArgs, WindowFocus,
};
use pretzel_api::{RoomId, UserId};
use std::time::Duration;

/// A question the page is asking before acting on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Asking {
    /// "Delete this message?"
    Delete(ChatLine),
    /// "Report this message?" with an optional reason.
    Report(ChatLine),
}

/// Everyone typing in `room` right now, by name.
fn typing_names(typists: &[Typist], room: Option<RoomId>) -> Vec<String> {
    let now = now();
    typists.iter().filter(|typist| Some(typist.room_id) == room && typist.until > now).map(|t| t.name.clone()).collect()
}

/// The course chat rooms tab's content.
#[component]
pub fn ChatsPage() -> impl IntoView {
    let i18n = use_i18n();

    let rooms = RwSignal::new(Vec::<ChatRoomView>::new());
    let me = RwSignal::new(None::<UserId>);
    let connection = RwSignal::new(ConnectionState::Online);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<Msg>);
    let notice = RwSignal::new(None::<Msg>);

    let open_room = RwSignal::new(None::<RoomId>);
    let opened = RwSignal::new(None::<ChatRoomView>);
    let lines = RwSignal::new(Vec::<ChatLine>::new());
    let has_older = RwSignal::new(false);
    let loading_older = RwSignal::new(false);
    let members = RwSignal::new(Vec::<RoomMember>::new());
    let blocked = RwSignal::new(Vec::<UserId>::new());
    let show_members = RwSignal::new(false);
    let reply_to = RwSignal::new(None::<ChatLine>);
    let typists = RwSignal::new(Vec::<Typist>::new());
    let asking = RwSignal::new(None::<Asking>);
    let report_reason = RwSignal::new(String::new());
    let open_seq = StoredValue::new(0_u64);

    // Who is online is only known while connected: offline, the counts say members only.
    let as_shown = move |mut room: ChatRoomView| {
        if connection.get() != ConnectionState::Online {
            room.summary.online_count = 0;
        }
        room
    };
    let shown_rooms = Memo::new(move |_| rooms.get().into_iter().map(as_shown).collect::<Vec<_>>());
    let room = Memo::new(move |_| {
        let id = open_room.get()?;
        rooms
            .with(|rooms| rooms.iter().find(|room| room.summary.room_id == id).cloned())
            .or_else(|| opened.get().filter(|room| room.summary.room_id == id))
            .map(as_shown)
    });
    let shown_lines = Memo::new(move |_| {
        blocked.with(|blocked| {
            lines.with(|lines| {
                if blocked.is_empty() {
                    lines.clone()
                } else {
                    lines.iter().filter(|line| !blocked.contains(&line.author_id)).cloned().collect()
                }
            })
        })
    });
    let names =
        Signal::derive(move || members.with(|members| members.iter().map(|m| m.display_name.clone()).collect()));

    let fail = move |failure: pretzel_api::shell::CommandError| {
        let _ = error.try_set(Some(change_error(&failure)));
    };

    // The room list and who the student is.
    spawn_local(async move {
        match ipc::chat_rooms().await {
            Ok(view) => {
                let _ = rooms.try_set(view.rooms);
                let _ = me.try_set(view.me);
                let _ = blocked.try_set(view.blocked);
                let _ = connection.try_set(view.connection);
            }
            Err(failure) => fail(failure),
        }
        let _ = loaded.try_set(true);
    });

    // Everything that changes while the page is on screen.
    let subscription = StoredValue::new_local(None::<ipc::Subscription>);
    spawn_local(async move {
        let listening = ipc::on_chat(move |event| match event {
            ChatEvent::Connection { connection: state } => {
                let _ = connection.try_set(state);
                // A fresh connection brings who the student is and whom they block.
                if state == ConnectionState::Online {
                    spawn_local(async move {
                        if let Ok(view) = ipc::chat_rooms().await {
                            let _ = me.try_set(view.me);
                            let _ = blocked.try_set(view.blocked);
                        }
                    });
                }
            }
            ChatEvent::Rooms { rooms: list } => {
                let _ = rooms.try_set(list);
            }
            ChatEvent::Lines { room_id, lines: changed } => {
                if open_room.try_get_untracked().flatten() != Some(room_id) {
                    return;
                }
                let authors: Vec<UserId> = changed.iter().map(|line| line.author_id).collect();
                typists.update(|typists| typists.retain(|typist| !authors.contains(&typist.user_id)));
                lines.update(|lines| upsert_lines(lines, changed));
            }
            ChatEvent::LineRemoved { room_id, client_msg_id } => {
                if open_room.try_get_untracked().flatten() == Some(room_id) {
                    lines.update(|lines| lines.retain(|line| line.client_msg_id != client_msg_id));
                }
            }
            ChatEvent::Typing { room_id, user_id, display_name } => {
                if me.try_get_untracked().flatten() == Some(user_id) {
                    return;
                }
                let until = now() + chrono::Duration::seconds(i64::from(TYPING_TTL_SECS));
                typists.update(|typists| {
                    typists.retain(|typist| !(typist.room_id == room_id && typist.user_id == user_id));
                    typists.push(Typist { room_id, user_id, name: display_name, until });
                });
            }
            ChatEvent::Presence { room_id, user_id, online } => {
                if open_room.try_get_untracked().flatten() == Some(room_id) {
                    members.update(|members| {
                        if let Some(member) = members.iter_mut().find(|member| member.user_id == user_id) {
                            member.online = online;
                        }
                    });
                }
            }
        })
        .await;
        match listening {
            Ok(live) => {
                let _ = subscription.try_set_value(Some(live));
            }
            Err(failure) if ipc::is_missing_shell(&failure) => {}
            Err(failure) => leptos::logging::warn!("not following chat: {failure}"),
        }
    });

    // Typing indicators expire on their own.
    let sweeper = set_interval_with_handle(
        move || {
            let now = now();
            let expired = typists.try_with_untracked(|typists| typists.iter().any(|typist| typist.until <= now));
            if expired == Some(true) {
                typists.update(|typists| typists.retain(|typist| typist.until > now));
            }
        },
        Duration::from_secs(1),
    )
    .ok();

    // The shell skips notifications for the room on screen.
    Effect::new(move |_| {
        let room_id = open_room.get();
        spawn_local(async move {
            if let Err(failure) = ipc::chat_set_window_focused(WindowFocus { room_id }).await
                && !ipc::is_missing_shell(&failure)
            {
                leptos::logging::warn!("could not report the room on screen: {failure}");
            }
        });
    });
    on_cleanup(move || {
        if let Some(sweeper) = sweeper {
            sweeper.clear();
        }
        spawn_local(async move {
            let _ = ipc::chat_set_window_focused(WindowFocus { room_id: None }).await;
        });
    });

    let open = Callback::new(move |room_id: RoomId| {
        if open_room.get_untracked() == Some(room_id) {
            return;
        }
        open_seq.update_value(|seq| *seq += 1);
        let seq = open_seq.get_value();
        open_room.set(Some(room_id));
        opened.set(None);
        lines.set(Vec::new());
        has_older.set(false);
        loading_older.set(false);
        members.set(Vec::new());
        show_members.set(false);
        reply_to.set(None);
        error.set(None);
        spawn_local(async move {
            let answer = ipc::chat_open_room(RoomArgs { room_id }).await;
            if open_seq.try_get_value() != Some(seq) {
                return;
            }
            match answer {
                Ok(view) => {
                    lines.update(|held| upsert_lines(held, view.lines));
                    has_older.set(view.has_older);
                    connection.set(view.connection);
                    opened.set(Some(view.room));
                }
                Err(failure) => fail(failure),
            }
        });
        spawn_local(async move {
            let answer = ipc::chat_members(RoomArgs { room_id }).await;
            if open_seq.try_get_value() == Some(seq)
                && let Ok(list) = answer
            {
                members.set(list);
            }
        });
    });
    let close = move || {
        open_seq.update_value(|seq| *seq += 1);
        open_room.set(None);
        lines.set(Vec::new());
    };

    let load_older = Callback::new(move |()| {
        let Some(room_id) = open_room.get_untracked() else { return };
        let Some(before_seq) = lines.with_untracked(|lines| lowest_seq(lines)) else { return };
        if loading_older.get_untracked() {
            return;
        }
        loading_older.set(true);
        let seq = open_seq.get_value();
        spawn_local(async move {
            let answer = ipc::chat_older(OlderMessages { room_id, before_seq, limit: MAX_HISTORY_PAGE }).await;
            if open_seq.try_get_value() != Some(seq) {
                return;
            }
            loading_older.set(false);
            match answer {
                Ok(page) => {
                    has_older.set(page.has_older);
                    lines.update(|lines| prepend_lines(lines, page.lines));
                }
                Err(failure) => {
                    has_older.set(false);
                    fail(failure);
                }
            }
        });
    });

    let mark_read = Callback::new(move |seq: u64| {
        let Some(room_id) = open_room.get_untracked() else { return };
        rooms.update(|rooms| {
            if let Some(room) = rooms.iter_mut().find(|room| room.summary.room_id == room_id)
                && room.summary.read_seq < seq
            {
                room.summary.read_seq = seq;
                room.summary.unread = 0;
            }
        });
        spawn_local(async move {
            if let Err(failure) = ipc::chat_mark_read(MarkRead { room_id, seq }).await
                && !ipc::is_missing_shell(&failure)
            {
                leptos::logging::warn!("could not mark the room read: {failure}");
            }
        });
    });

    let send = Callback::new(move |draft: Draft| {
        let Some(room_id) = open_room.get_untracked() else { return };
        let reply = reply_to.get_untracked().and_then(|line| line.message_id);
        reply_to.set(None);
        spawn_local(async move {
            let args = ChatSend { room_id, body: draft.body, reply_to: reply, mentions: draft.mentions };
            match ipc::chat_send(args).await {
                Ok(line) => {
                    if open_room.try_get_untracked().flatten() == Some(line.room_id) {
                        lines.update(|lines| upsert_lines(lines, vec![line]));
                    }
                }
                Err(failure) => fail(failure),
            }
        });
    });
    let typing = Callback::new(move |()| {
        let Some(room_id) = open_room.get_untracked() else { return };
        spawn_local(async move {
            let _ = ipc::chat_typing(RoomArgs { room_id }).await;
        });
    });

    let retry = move |line: ChatLine, body: Option<String>| {
        spawn_local(async move {
            let args = PendingMessageArgs { room_id: line.room_id, client_msg_id: line.client_msg_id, body };
            match ipc::chat_retry(args).await {
                Ok(line) => {
                    if open_room.try_get_untracked().flatten() == Some(line.room_id) {
                        lines.update(|lines| upsert_lines(lines, vec![line]));
                    }
                }
                Err(failure) => fail(failure),
            }
        });
    };
    let block = move |user_id: UserId| {
        spawn_local(async move {
            match ipc::chat_block(UserArgs { user_id }).await {
                Ok(list) => blocked.set(list),
                Err(failure) => fail(failure),
            }
        });
    };
    let unblock = move |user_id: UserId| {
        spawn_local(async move {
            match ipc::chat_unblock(UserArgs { user_id }).await {
                Ok(list) => blocked.set(list),
                Err(failure) => fail(failure),
            }
        });
    };
    let actions = LineActions {
        on_reply: Callback::new(move |line| reply_to.set(Some(line))),
        on_save_edit: Callback::new(move |(line, body): (ChatLine, String)| {
            if matches!(line.state, LineState::Failed { .. }) {
                retry(line, Some(body));
                return;
            }
            let Some(message_id) = line.message_id else { return };
            spawn_local(async move {
                if let Err(failure) = ipc::chat_edit(EditMessage { message_id, body }).await {
                    fail(failure);
                }
            });
        }),
        on_delete: Callback::new(move |line| asking.set(Some(Asking::Delete(line)))),
        on_report: Callback::new(move |line| {
            report_reason.set(String::new());
            asking.set(Some(Asking::Report(line)));
        }),
        on_block: Callback::new(move |line: ChatLine| block(line.author_id)),
        on_retry: Callback::new(move |line| retry(line, None)),
        on_discard: Callback::new(move |line: ChatLine| {
            spawn_local(async move {
                let args =
                    PendingMessageArgs { room_id: line.room_id, client_msg_id: line.client_msg_id.clone(), body: None };
                match ipc::chat_discard(args).await {
                    Ok(()) => lines.update(|lines| lines.retain(|held| held.client_msg_id != line.client_msg_id)),
                    Err(failure) => fail(failure),
                }
            });
        }),
    };

    let confirm = move |_: web_sys::MouseEvent| {
        let Some(question) = asking.get_untracked() else { return };
        asking.set(None);
        spawn_local(async move {
            let answer = match question {
                Asking::Delete(line) => match line.message_id {
                    Some(message_id) => ipc::chat_delete(MessageArgs { message_id }).await,
                    None => Ok(()),
                },
                Asking::Report(line) => match line.message_id {
                    Some(message_id) => {
                        let reason: String = report_reason.get_untracked().trim().chars().take(500).collect();
                        let answer = ipc::chat_report(ReportMessage { message_id, reason }).await;
                        if answer.is_ok() {
                            notice.set(Some(Msg::new("chats-reported")));
                        }
                        answer
                    }
                    None => Ok(()),
                },
            };
            if let Err(failure) = answer {
                fail(failure);
            }
        });
    };
    let toggle_mute = move |_: web_sys::MouseEvent| {
        let Some(current) = room.get_untracked() else { return };
        let args = MuteRoom { room_id: current.summary.room_id, muted: !current.muted };
        spawn_local(async move {
            match ipc::chat_set_muted(args).await {
                Ok(updated) => {
                    rooms.update(|rooms| {
                        if let Some(room) = rooms.iter_mut().find(|room| room.summary.room_id == args.room_id) {
                            *room = updated.clone();
                        }
                    });
                    opened.set(Some(updated));
                }
                Err(failure) => fail(failure),
            }
        });
    };

    let typing_line = move || {
        let names = typists.with(|typists| typing_names(typists, open_room.get()));
        match names.as_slice() {
            [] => None,
            [name] => Some(
                view! {
                    <p id="chat-typing" class="chat-typing" role="status">
                        <strong>{name.clone()}</strong>
                        {t("chats-typing-one")}
                    </p>
                }
                .into_any(),
            ),
            several => {
                let count = several.len();
                Some(
                    view! {
                        <p id="chat-typing" class="chat-typing" role="status">
                            {move || i18n.msg(&Msg::new("chats-typing-several").arg("min", count))}
                        </p>
                    }
                    .into_any(),
                )
            }
        }
    };

    let muted = Memo::new(move |_| room.with(|room| room.as_ref().is_some_and(|room| room.muted)));
    let heading = Memo::new(move |_| {
        room.with(|room| {
            room.as_ref().map(|room| {
                let summary = &room.summary;
                (summary.course_code.clone(), summary.title.clone(), summary.member_count, summary.online_count)
            })
        })
    });
    // Rebuilt only when another room opens: the conversation and the draft survive list updates.
    let room_pane = move || {
        let Some(room_id) = open_room.get() else {
            return view! {
                <div class="chat-room-placeholder">
                    <span aria-hidden="true"><Glyph icon=Icon::Chats /></span>
                    <p>{t("chats-pick-room")}</p>
                </div>
            }
            .into_any();
        };
        let mute_label = move || if muted.get() { i18n.t("chats-unmute") } else { i18n.t("chats-mute") };
        view! {
            <div id="chat-room" class="card chat-room" data-room-id=room_id.0.to_string()>
                <header class="chat-room-header">
                    <button
                        type="button"
                        id="chat-back"
                        class="chat-icon-button chat-back"
                        aria-label=t("chats-back")
                        on:click=move |_| close()
                    >
                        "←"
                    </button>
                    <div class="chat-room-heading">
                        <span class="chat-room-code">{move || heading.get().map(|(code, ..)| code)}</span>
                        <h2 class="chat-room-name">{move || heading.get().map(|(_, title, ..)| title)}</h2>
                    </div>
                    <button
                        type="button"
                        id="chat-members-toggle"
                        class="chat-header-button"
                        aria-pressed=move || show_members.get().to_string()
                        aria-label=t("chats-members")
                        on:click=move |_| show_members.update(|shown| *shown = !*shown)
                    >
                        <Glyph icon=Icon::Me />
                        <span class="chat-header-button-label">
                            {move || {
                                heading.get().map(|(_, _, members, online)| {
                                    i18n.msg(
                                        &Msg::new("chats-room-counts")
                                            .arg("max", members as usize)
                                            .arg("min", online as usize),
                                    )
                                })
                            }}
                        </span>
                    </button>
                    <button
                        type="button"
                        id="chat-mute-toggle"
                        class="chat-header-button"
                        aria-pressed=move || muted.get().to_string()
                        title=mute_label
                        aria-label=mute_label
                        on:click=toggle_mute
                    >
                        {move || {
                            if muted.get() {
                                view! { <MutedBell /> }.into_any()
                            } else {
                                view! { <Glyph icon=Icon::Notifications /> }.into_any()
                            }
                        }}
                        <span class="chat-header-button-label">{mute_label}</span>
                    </button>
                </header>
                <Show when=move || show_members.get()>
                    <ChatMembers
                        members=members
                        blocked=blocked
                        me=me
                        on_block=Callback::new(block)
                        on_unblock=Callback::new(unblock)
                        on_close=Callback::new(move |()| show_members.set(false))
                    />
                </Show>
                <ChatMessages
                    lines=shown_lines
                    names=names
                    has_older=has_older
                    loading_older=loading_older
                    on_load_older=load_older
                    on_read=mark_read
                    actions=actions
                />
                {typing_line}
                <ChatComposer members=members me=me reply_to=reply_to on_send=send on_typing=typing />
            </div>
        }
        .into_any()
    };

    let dialog = move || {
        let question = asking.get()?;
        let (title, body, confirm_key, report) = match &question {
            Asking::Delete(_) => ("chats-delete-title", "chats-delete-body", "chats-delete", false),
            Asking::Report(_) => ("chats-report-title", "chats-report-body", "chats-report", true),
        };
        Some(view! {
            <div class="chat-overlay">
                <div id="chat-dialog" class="card chat-dialog" role="alertdialog" aria-modal="true">
                    <h2 class="card-title">{t(title)}</h2>
                    <p class="chat-dialog-body">{t(body)}</p>
                    {report.then(|| view! {
                        <textarea
                            id="chat-report-reason"
                            class="chat-report-reason"
                            maxlength="500"
                            placeholder=t("chats-report-reason")
                            prop:value=move || report_reason.get()
                            on:input=move |ev| report_reason.set(event_target_value(&ev))
                        ></textarea>
                    })}
                    <div class="chat-dialog-actions">
                        <button type="button" id="chat-dialog-cancel" class="btn btn-secondary" on:click=move |_| asking.set(None)>
                            {t("chats-cancel")}
                        </button>
                        <button type="button" id="chat-dialog-confirm" class="btn btn-danger" on:click=confirm>
                            {t(confirm_key)}
                        </button>
                    </div>
                </div>
            </div>
        })
    };

    view! {
        <section class="page chat-page" data-page="chats" class:chat-page-room-open=move || open_room.get().is_some()>
            <ConnectionBanner connection=connection />
            {move || error.get().map(|msg| view! {
                <div class="banner form-error chat-error" role="alert">
                    <span>{move || i18n.msg(&msg)}</span>
                    <button type="button" class="chat-icon-button" aria-label=t("chats-close") on:click=move |_| error.set(None)>
                        "✕"
                    </button>
                </div>
            })}
            {move || notice.get().map(|msg| view! {
                <div class="banner form-notice" role="status">
                    <span>{move || i18n.msg(&msg)}</span>
                    <button type="button" class="chat-icon-button" aria-label=t("chats-close") on:click=move |_| notice.set(None)>
                        "✕"
                    </button>
                </div>
            })}
            <div class="chat-layout">
                <div class="chat-list-pane">
                    <Show
                        when=move || loaded.get()
                        fallback=|| view! { <div class="chat-loading"><span class="spinner" aria-hidden="true"></span></div> }
                    >
                        <ChatRoomList rooms=shown_rooms selected=open_room on_open=open />
                    </Show>
                </div>
                <div class="chat-room-pane">{room_pane}</div>
            </div>
            {dialog}
        </section>
    }
}

/// The whole tab against a scripted stand-in for the shell (`components::fake_shell`) with the
/// real stylesheet loaded, so layout-dependent behaviour (the virtualized list) is real.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::chat_format::fixtures::{ME, line, room};
    use crate::components::fake_shell::{FakeShell, click, sleep, wait_for};
    use crate::components::test_support::{find, mount, settle, text};
    use chrono::{DateTime, Utc};
    use pretzel_api::shell::chat::{ChatRoomsView, RoomView};
    use serde_json::json;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Loads the app's stylesheet into the test page once.
    fn load_styles() {
        let document = document();
        if document.get_element_by_id("pretzel-test-styles").is_some() {
            return;
        }
        let style = document.create_element("style").expect("style element");
        style.set_id("pretzel-test-styles");
        style.set_text_content(Some(include_str!("../../style.css")));
        document.head().expect("head").append_child(&style).expect("append style");
    }

    fn members() -> Vec<RoomMember> {
        vec![
            RoomMember { user_id: ME, display_name: "Me".into(), online: true },
            RoomMember { user_id: UserId(2), display_name: "Mina".into(), online: true },
            RoomMember { user_id: UserId(3), display_name: "Jun".into(), online: false },
        ]
    }

    /// A shell with room 1 (CS 225) holding `lines`.
    fn install(lines: Vec<ChatLine>, extra: serde_json::Value) -> FakeShell {
        load_styles();
        let now = now();
        let cs = room(1, "CS 225", Some(now), 2);
        let rooms = ChatRoomsView {
            rooms: vec![cs.clone(), room(2, "MATH 241", Some(now - chrono::Duration::hours(1)), 0)],
            connection: ConnectionState::Online,
            me: Some(ME),
            blocked: vec![],
        };
        let open = RoomView { room: cs, lines, has_older: false, connection: ConnectionState::Online };
        let mut answers = json!({
            "chat_rooms": rooms,
            "chat_open_room": open,
            "chat_members": members(),
            "chat_set_window_focused": null,
            "chat_mark_read": null,
            "chat_typing": null,
        });
        if let (Some(answers), Some(extra)) = (answers.as_object_mut(), extra.as_object()) {
            answers.extend(extra.clone());
        }
        FakeShell::install(&answers, &[])
    }

    async fn open_cs225(root: &web_sys::HtmlElement) {
        click(wait_for(root, "[data-room-id='1'].chat-room-row").await);
        wait_for(root, "#chat-room[data-room-id='1']").await;
    }

    fn type_into(root: &web_sys::HtmlElement, value: &str) {
        let input = find(root, "#chat-input").expect("composer input");
        let input = input.dyn_into::<web_sys::HtmlTextAreaElement>().expect("textarea");
        input.set_value(value);
        input.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
    }

    fn count(root: &web_sys::HtmlElement, selector: &str) -> u32 {
        root.query_selector_all(selector).expect("query").length()
    }

    fn ago(seconds: i64) -> DateTime<Utc> {
        now() - chrono::Duration::seconds(seconds)
    }

    #[wasm_bindgen_test]
    async fn test_opening_a_room_groups_messages_by_day_and_author() {
        let lines = vec![
            line("m1", Some(1), 2, ago(86_400)),
            line("m2", Some(2), 2, ago(2)),
            line("m3", Some(3), 2, ago(1)),
            line("m4", Some(4), 1, ago(0)),
        ];
        let mut muted = room(1, "CS 225", Some(now()), 0);
        muted.muted = true;
        let shell = install(lines, json!({ "chat_set_muted": muted }));
        let root = mount(ChatsPage);
        open_cs225(&root).await;
        wait_for(&root, "[data-client-id='m4']").await;

        let days: Vec<String> = (0..count(&root, ".chat-day"))
            .filter_map(|at| root.query_selector_all(".chat-day").expect("query").item(at))
            .filter_map(|day| day.text_content())
            .collect();
        assert_eq!(days, ["Yesterday", "Today"]);
        assert_eq!(count(&root, ".chat-author"), 2, "one name per day's run of Mina's messages, none for mine");
        assert!(find(&root, "[data-client-id='m3'].chat-row-grouped").is_some());
        assert!(find(&root, "[data-client-id='m4'] .chat-line-mine").is_some());
        assert_eq!(count(&root, ".chat-line-mine"), 1);
        assert_eq!(text(&root, ".chat-room-name").as_deref(), Some("CS 225 title"));

        for _ in 0..100 {
            if !shell.calls("chat_mark_read").is_empty() {
                break;
            }
            sleep(50).await;
        }
        assert_eq!(shell.calls("chat_mark_read").first(), Some(&json!({ "args": { "room_id": 1, "seq": 4 } })));
        assert!(shell.calls("chat_set_window_focused").contains(&json!({ "args": { "room_id": 1 } })));
        assert_eq!(shell.calls("chat_open_room"), vec![json!({ "args": { "room_id": 1 } })]);

        click(find(&root, "#chat-members-toggle").expect("members button"));
        let mina = wait_for(&root, "#chat-members [data-user-id='2']").await;
        assert!(mina.class_list().contains("chat-member-online"));
        assert!(find(&root, "#chat-members [data-user-id='1'] .chat-member-block").is_none(), "no blocking yourself");

        assert!(find(&root, "#chat-mute-toggle[aria-pressed='false']").is_some());
        click(find(&root, "#chat-mute-toggle").expect("mute"));
        wait_for(&root, "#chat-mute-toggle[aria-pressed='true']").await;
        assert_eq!(shell.calls("chat_set_muted"), vec![json!({ "args": { "room_id": 1, "muted": true } })]);
        assert!(find(&root, "[data-room-id='1'].chat-room-row .chat-room-muted").is_some(), "the list shows it too");
        assert!(find(&root, "[data-client-id='m4']").is_some(), "the conversation stays open");
    }

    #[wasm_bindgen_test]
    async fn test_sending_with_a_mention_queues_it_and_shows_the_pending_line() {
        let mut pending = line("c-new", None, 1, ago(0));
        pending.body = "hi @Mina see you".into();
        pending.mentions = vec![UserId(2)];
        let shell = install(vec![line("m1", Some(1), 2, ago(60))], json!({ "chat_send": pending }));
        let root = mount(ChatsPage);
        open_cs225(&root).await;
        wait_for(&root, "[data-client-id='m1']").await;
        // Members load alongside the room.
        for _ in 0..100 {
            if !shell.calls("chat_members").is_empty() {
                break;
            }
            sleep(20).await;
        }
        settle().await;

        type_into(&root, "hi @Mi");
        let option = wait_for(&root, "#chat-mentions .chat-mention-option[data-user-id='2']").await;
        assert!(find(&root, "#chat-mentions [data-user-id='3']").is_none(), "only names matching @Mi");
        click(option);
        settle().await;
        let input = find(&root, "#chat-input").expect("input").dyn_into::<web_sys::HtmlTextAreaElement>().expect("ta");
        assert_eq!(input.value(), "hi @Mina ");
        type_into(&root, "hi @Mina see you");
        settle().await;
        click(find(&root, "#chat-send").expect("send"));

        let shown = wait_for(&root, "[data-client-id='c-new'] .chat-line-pending").await;
        assert!(shown.text_content().unwrap_or_default().contains("hi @Mina see you"));
        assert!(find(&root, "[data-client-id='c-new'] .chat-mention").is_some(), "the mention is highlighted");
        assert_eq!(
            shell.calls("chat_send"),
            vec![json!({ "args": { "room_id": 1, "body": "hi @Mina see you", "reply_to": null, "mentions": [2] } })]
        );
        assert_eq!(input.value(), "", "the composer empties after sending");
    }

    #[wasm_bindgen_test]
    async fn test_replying_reporting_and_deleting_go_through_the_shell() {
        let mut sent = line("c-reply", None, 1, ago(0));
        sent.reply_to = Some(pretzel_api::MessageId(1));
        let shell = install(
            vec![line("m1", Some(1), 2, ago(120)), line("m2", Some(2), 1, ago(60))],
            json!({ "chat_send": sent, "chat_report": null, "chat_delete": null, "chat_edit": null }),
        );
        let root = mount(ChatsPage);
        open_cs225(&root).await;
        wait_for(&root, "[data-client-id='m2']").await;
        assert!(find(&root, "[data-client-id='m1'] .chat-action-edit").is_none(), "only own messages are editable");
        assert!(find(&root, "[data-client-id='m2'] .chat-action-report").is_none(), "no reporting yourself");

        click(find(&root, "[data-client-id='m1'] .chat-action-reply").expect("reply"));
        let bar = wait_for(&root, "#chat-reply-bar").await;
        assert!(bar.text_content().unwrap_or_default().contains("Replying toMina"));
        for typed in ["o", "ok", "ok!"] {
            type_into(&root, typed);
        }
        settle().await;
        assert_eq!(shell.calls("chat_typing").len(), 1, "typing is reported at most every few seconds");
        click(find(&root, "#chat-send").expect("send"));
        wait_for(&root, "[data-client-id='c-reply']").await;
        assert_eq!(shell.calls("chat_send")[0]["args"]["reply_to"], json!(1));
        assert!(find(&root, "#chat-reply-bar").is_none(), "the reply bar closes after sending");

        click(find(&root, "[data-client-id='m1'] .chat-action-report").expect("report"));
        wait_for(&root, "#chat-report-reason").await;
        let reason = find(&root, "#chat-report-reason").expect("reason");
        let reason = reason.dyn_into::<web_sys::HtmlTextAreaElement>().expect("textarea");
        reason.set_value("spam");
        reason.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
        click(find(&root, "#chat-dialog-confirm").expect("confirm"));
        for _ in 0..100 {
            if !shell.calls("chat_report").is_empty() {
                break;
            }
            sleep(20).await;
        }
        assert_eq!(shell.calls("chat_report"), vec![json!({ "args": { "message_id": 1, "reason": "spam" } })]);

        click(find(&root, "[data-client-id='m2'] .chat-action-edit").expect("edit"));
        let editor = wait_for(&root, "[data-client-id='m2'] .chat-edit-input").await;
        let editor = editor.dyn_into::<web_sys::HtmlTextAreaElement>().expect("textarea");
        assert_eq!(editor.value(), "message m2", "editing starts from the current text");
        editor.set_value("fixed typo");
        editor.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
        click(find(&root, "[data-client-id='m2'] .chat-edit-save").expect("save"));
        for _ in 0..100 {
            if !shell.calls("chat_edit").is_empty() {
                break;
            }
            sleep(20).await;
        }
        assert_eq!(shell.calls("chat_edit"), vec![json!({ "args": { "message_id": 2, "body": "fixed typo" } })]);
        assert!(find(&root, "[data-client-id='m2'] .chat-edit-input").is_none(), "saving closes the editor");

        click(find(&root, "[data-client-id='m2'] .chat-action-delete").expect("delete"));
        wait_for(&root, "#chat-dialog").await;
        assert!(shell.calls("chat_delete").is_empty(), "deleting asks first");
        click(find(&root, "#chat-dialog-confirm").expect("confirm"));
        for _ in 0..100 {
            if !shell.calls("chat_delete").is_empty() {
                break;
            }
            sleep(20).await;
        }
        assert_eq!(shell.calls("chat_delete"), vec![json!({ "args": { "message_id": 2 } })]);
        assert!(find(&root, "#chat-dialog").is_none());
    }

    #[wasm_bindgen_test]
    async fn test_a_failed_line_says_why_and_retries() {
        let mut failed = line("c-long", None, 1, ago(0));
        failed.state = LineState::Failed { code: "too_long".into(), message: "Too long.".into() };
        let mut retried = failed.clone();
        retried.state = LineState::Pending;
        let shell = install(vec![line("m1", Some(1), 2, ago(60)), failed], json!({ "chat_retry": retried }));
        let root = mount(ChatsPage);
        open_cs225(&root).await;
        let bar = wait_for(&root, "[data-client-id='c-long'] .chat-failed").await;
        assert_eq!(bar.text_content().as_deref().map(|t| t.contains("Not sent: too long")), Some(true));
        assert!(find(&root, "[data-client-id='c-long'] .chat-discard").is_some());
        assert!(find(&root, "[data-client-id='c-long'] .chat-failed-edit").is_some());

        click(find(&root, "[data-client-id='c-long'] .chat-retry").expect("retry"));
        wait_for(&root, "[data-client-id='c-long'] .chat-line-pending").await;
        assert_eq!(
            shell.calls("chat_retry"),
            vec![json!({ "args": { "room_id": 1, "client_msg_id": "c-long", "body": null } })]
        );
        assert!(find(&root, "[data-client-id='c-long'] .chat-failed").is_none());
    }

    #[wasm_bindgen_test]
    async fn test_ten_thousand_messages_render_only_the_visible_window() {
        let start = ago(20_000);
        let lines: Vec<ChatLine> = (0..10_000_u64)
            .map(|n| {
                let author = if n % 7 == 0 { 1 } else { 2 + i64::from(n % 3 == 0) };
                line(&format!("m{n}"), Some(n + 1), author, start + chrono::Duration::seconds(n as i64 * 2))
            })
            .collect();
        let shell = install(lines, json!({}));
        let root = mount(ChatsPage);
        open_cs225(&root).await;

        wait_for(&root, "[data-client-id='m9999']").await;
        let rendered = count(&root, ".chat-row");
        assert!(rendered > 0 && rendered < 150, "{rendered} rows in the DOM for 10,000 lines");
        assert!(find(&root, "[data-client-id='m0']").is_none());

        let scroller = find(&root, "#chat-messages").expect("scroller");
        assert!(scroller.scroll_height() > scroller.client_height() * 20, "the spacers stand for every line");
        scroller.set_scroll_top(0);
        scroller.dispatch_event(&web_sys::Event::new("scroll").expect("event")).expect("dispatch");
        wait_for(&root, "[data-client-id='m0']").await;
        let rendered = count(&root, ".chat-row");
        assert!(rendered < 150, "{rendered} rows in the DOM at the top");
        assert!(find(&root, "[data-client-id='m9999']").is_none());

        // Reading old messages: a new one does not pull the view down but offers the pill.
        let newest = line("m10000", Some(10_001), 2, ago(0));
        shell.emit("chat", &json!({ "kind": "lines", "room_id": 1, "lines": [newest] }));
        let pill = wait_for(&root, "#chat-new-pill").await;
        assert!(find(&root, "[data-client-id='m0']").is_some(), "still reading at the top");
        click(pill);
        wait_for(&root, "[data-client-id='m10000']").await;
        assert!(count(&root, ".chat-row") < 150);
    }

    #[wasm_bindgen_test]
    async fn test_scrolling_to_the_top_loads_older_messages_and_keeps_the_place() {
        let start = ago(10_000);
        let at = |n: u64| start + chrono::Duration::seconds(n as i64 * 10);
        let newest: Vec<ChatLine> = (100..200_u64).map(|n| line(&format!("m{n}"), Some(n + 1), 2, at(n))).collect();
        let older: Vec<ChatLine> = (0..100_u64).map(|n| line(&format!("m{n}"), Some(n + 1), 3, at(n))).collect();
        let shell = install(
            Vec::new(),
            json!({
                "chat_open_room": RoomView {
                    room: room(1, "CS 225", Some(now()), 0),
                    lines: newest,
                    has_older: true,
                    connection: ConnectionState::Online,
                },
                "chat_older": pretzel_api::shell::chat::MessagePage { lines: older, has_older: false },
            }),
        );
        let root = mount(ChatsPage);
        open_cs225(&root).await;
        wait_for(&root, "[data-client-id='m199']").await;
        assert!(shell.calls("chat_older").is_empty());

        let scroller = find(&root, "#chat-messages").expect("scroller");
        scroller.set_scroll_top(0);
        scroller.dispatch_event(&web_sys::Event::new("scroll").expect("event")).expect("dispatch");
        for _ in 0..100 {
            if count(&root, "[data-client-id='m100']") == 1 && scroller.scroll_top() > 0 {
                break;
            }
            sleep(50).await;
        }
        assert_eq!(
            shell.calls("chat_older"),
            vec![json!({ "args": { "room_id": 1, "before_seq": 101, "limit": 100 } })]
        );
        assert!(scroller.scroll_top() > 0, "the older page went above what was on screen");
        assert!(find(&root, "[data-client-id='m100']").is_some(), "the line that was at the top is still shown");
        assert!(find(&root, "[data-client-id='m0']").is_none());
    }

    #[wasm_bindgen_test]
    async fn test_events_add_lines_typing_and_the_connection_banner() {
        let shell = install(vec![line("m1", Some(1), 2, ago(60))], json!({}));
        let root = mount(ChatsPage);
        open_cs225(&root).await;
        wait_for(&root, "[data-client-id='m1']").await;
        assert!(find(&root, "#chat-connection").is_none());

        shell.emit("chat", &json!({ "kind": "typing", "room_id": 1, "user_id": 3, "display_name": "Jun" }));
        let typing = wait_for(&root, "#chat-typing").await;
        assert_eq!(typing.text_content().as_deref(), Some("Jun is typing…"));

        let mut reply = line("m2", Some(2), 3, ago(0));
        reply.body = "@Me are you coming?".into();
        reply.mentions_me = true;
        shell.emit("chat", &json!({ "kind": "lines", "room_id": 1, "lines": [reply] }));
        wait_for(&root, "[data-client-id='m2'] .chat-line-mentions-me").await;
        assert!(find(&root, "#chat-typing").is_none(), "a message from the typist ends the indicator");
        let mut edited = line("m2", Some(2), 3, ago(0));
        edited.body = "edited text".into();
        edited.edited = true;
        edited.revision = 1;
        shell.emit("chat", &json!({ "kind": "lines", "room_id": 1, "lines": [edited] }));
        wait_for(&root, "[data-client-id='m2'] .chat-edited").await;
        assert_eq!(count(&root, "[data-client-id='m2']"), 1, "upserted, not added");

        let offline = json!({ "state": "reconnecting", "attempt": 2, "retry_in_secs": 4 });
        shell.emit("chat", &json!({ "kind": "connection", "connection": offline }));
        let banner = wait_for(&root, "#chat-connection").await;
        let said = banner.text_content().unwrap_or_default();
        assert!(said.contains("Offline") && said.contains("Reconnecting in"), "{said}");
        let counts = find(&root, "[data-room-id='1'] .chat-room-counts").expect("counts").text_content();
        assert_eq!(counts.as_deref(), Some("40 members"), "who is online is unknown offline");
        shell.emit("chat", &json!({ "kind": "connection", "connection": { "state": "online" } }));
        for _ in 0..40 {
            if find(&root, "#chat-connection").is_none() {
                break;
            }
            sleep(50).await;
        }
        assert!(find(&root, "#chat-connection").is_none());
    }
}
