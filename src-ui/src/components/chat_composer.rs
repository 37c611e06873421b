//! The message composer (`#chat-composer`): a growing textarea where Enter sends and Shift+Enter
//! starts a new line, a "Replying to …" bar, @mention suggestions from the room's members (picking
//! one inserts `@Name ` and remembers the id for the send), and a character counter that appears
//! near [`MAX_MESSAGE_CHARS`] and disables sending above it. It reports typing at most every
//! [`TYPING_EVERY_MS`] milliseconds.

use crate::components::chat_format::{
    COUNTER_FROM_CHARS, MentionQuery, insert_mention, kept_mentions, mention_candidates, mention_query,
};
use crate::components::icons::{Glyph, Icon};
use crate::i18n::{Msg, t, use_i18n};
use leptos::html;
use leptos::prelude::*;
use pretzel_api::UserId;
use pretzel_api::chat::{MAX_MESSAGE_CHARS, RoomMember};
use pretzel_api::shell::chat::ChatLine;

/// The shortest pause between two typing notices.
pub const TYPING_EVERY_MS: f64 = 3000.0;

/// What the composer sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The text.
    pub body: String,
    /// Members mentioned with @ whose mention is still in the text.
    pub mentions: Vec<UserId>,
}

/// The char index of a UTF-16 offset (what `selectionStart` counts) in `text`.
fn char_index(text: &str, utf16: u32) -> usize {
    let mut units = 0;
    for (index, c) in text.chars().enumerate() {
        if units >= utf16 as usize {
            return index;
        }
        units += c.len_utf16();
    }
    text.chars().count()
}

/// The UTF-16 offset of a char index in `text`.
fn utf16_offset(text: &str, chars: usize) -> u32 {
    u32::try_from(text.chars().take(chars).map(char::len_utf16).sum::<usize>()).unwrap_or(u32::MAX)
}

/// The composer of one room.
#[component]
pub fn ChatComposer(
    /// The room's members, for @mention suggestions.
    #[prop(into)]
    members: Signal<Vec<RoomMember>>,
    /// The signed-in student (never suggested).
    #[prop(into)]
    me: Signal<Option<UserId>>,
    /// The line being replied to; the composer shows it and can cancel it.
    reply_to: RwSignal<Option<ChatLine>>,
    /// Send this.
    on_send: Callback<Draft>,
    /// The student is typing (throttled).
    on_typing: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let input = NodeRef::<html::Textarea>::new();
    let text = RwSignal::new(String::new());
    let query = RwSignal::new(None::<MentionQuery>);
    let picked = StoredValue::new(Vec::<(UserId, String)>::new());
    let last_typing = StoredValue::new(f64::NEG_INFINITY);
    let highlighted = RwSignal::new(0_usize);

    let chars = Memo::new(move |_| text.with(|text| text.chars().count()));
    let too_long = move || chars.get() > MAX_MESSAGE_CHARS;
    let can_send = move || !too_long() && text.with(|text| !text.trim().is_empty());
    let suggestions = Memo::new(move |_| {
        let query = query.get()?;
        let found: Vec<RoomMember> =
            members.with(|members| mention_candidates(members, &query.query, me.get()).into_iter().cloned().collect());
        (!found.is_empty()).then_some(found)
    });

    let follow_caret = move || {
        let Some(element) = input.get_untracked() else { return };
        let value = element.value();
        let caret = element.selection_start().ok().flatten().map_or(value.chars().count(), |at| char_index(&value, at));
        query.set(mention_query(&value, caret));
    };
    let send = move || {
        if !can_send() {
            return;
        }
        let body = text.get_untracked();
        let mentions = picked.with_value(|picked| kept_mentions(&body, picked));
        on_send.run(Draft { body: body.trim_end().to_owned(), mentions });
        text.set(String::new());
        picked.set_value(Vec::new());
        query.set(None);
        if let Some(element) = input.get_untracked() {
            element.set_value("");
            let _ = element.focus();
        }
    };
    let pick = move |member: RoomMember| {
        let Some(at) = query.get_untracked() else { return };
        let (value, caret) = insert_mention(&text.get_untracked(), &at, &member.display_name);
        picked.update_value(|picked| picked.push((member.user_id, member.display_name.clone())));
        text.set(value.clone());
        query.set(None);
        if let Some(element) = input.get_untracked() {
            element.set_value(&value);
            let caret = utf16_offset(&value, caret);
            let _ = element.set_selection_range(caret, caret);
            let _ = element.focus();
        }
    };

    let on_input = move |ev: web_sys::Event| {
        text.set(event_target_value(&ev));
        follow_caret();
        let now = js_sys::Date::now();
        if now - last_typing.get_value() >= TYPING_EVERY_MS {
            last_typing.set_value(now);
            on_typing.run(());
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.is_composing() {
            // An input method (Korean, Chinese) is still building the text: Enter confirms it.
            return;
        }
        let open = suggestions.with_untracked(|found| found.as_ref().map_or(0, Vec::len));
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" if open > 0 => {
                ev.prevent_default();
                let step = if ev.key() == "ArrowDown" { 1 } else { open - 1 };
                highlighted.update(|at| *at = (*at + step) % open);
            }
            "Escape" => query.set(None),
            "Enter" | "Tab" if open > 0 && !ev.shift_key() => {
                ev.prevent_default();
                let at = highlighted.get_untracked().min(open - 1);
                if let Some(member) = suggestions.get_untracked().and_then(|found| found.into_iter().nth(at)) {
                    pick(member);
                }
            }
            "Enter" if !ev.shift_key() => {
                ev.prevent_default();
                send();
            }
            _ => {}
        }
    };
    // A new list of suggestions starts at its first entry.
    Effect::new(move |_| {
        suggestions.track();
        highlighted.set(0);
    });

    view! {
        <div id="chat-composer" class="chat-composer">
            {move || reply_to.get().map(|line| {
                let excerpt: String = line.body.chars().take(120).collect();
                view! {
                    <div id="chat-reply-bar" class="chat-reply-bar">
                        <span class="chat-reply-label">{t("chats-replying-to")}</span>
                        <span class="chat-reply-author">{line.author_name.clone()}</span>
                        <span class="chat-reply-excerpt">{excerpt}</span>
                        <button
                            type="button"
                            id="chat-reply-cancel"
                            class="chat-icon-button"
                            aria-label=t("chats-cancel")
                            on:click=move |_| reply_to.set(None)
                        >
                            "✕"
                        </button>
                    </div>
                }
            })}
            {move || suggestions.get().map(|found| {
                let items = found
                    .into_iter()
                    .enumerate()
                    .map(|(at, member)| {
                        let name = member.display_name.clone();
                        let id = member.user_id;
                        view! {
                            <li>
                                <button
                                    type="button"
                                    class="chat-mention-option"
                                    class:chat-mention-active=move || highlighted.get() == at
                                    role="option"
                                    aria-selected=move || (highlighted.get() == at).to_string()
                                    data-user-id=id.0.to_string()
                                    on:mousedown=move |ev| ev.prevent_default()
                                    on:click=move |_| pick(member.clone())
                                >
                                    <span class="chat-online-dot" class:chat-offline-dot=!member.online aria-hidden="true"></span>
                                    {name}
                                </button>
                            </li>
                        }
                    })
                    .collect_view();
                view! { <ul id="chat-mentions" class="chat-mention-list" role="listbox">{items}</ul> }
            })}
            <div class="chat-compose-row">
                <textarea
                    id="chat-input"
                    class="chat-input"
                    rows="1"
                    node_ref=input
                    placeholder=t("chats-placeholder")
                    aria-label=t("chats-placeholder")
                    on:input=on_input
                    on:keydown=on_keydown
                    on:click=move |_| follow_caret()
                ></textarea>
                <button
                    type="button"
                    id="chat-send"
                    class="btn btn-primary chat-send"
                    aria-label=t("chats-send")
                    disabled=move || !can_send()
                    on:click=move |_| send()
                >
                    <Glyph icon=Icon::Send />
                </button>
            </div>
            <Show when=move || { chars.get() >= COUNTER_FROM_CHARS }>
                <p id="chat-counter" class="chat-counter" class:chat-counter-over=too_long>
                    {move || {
                        i18n.msg(&Msg::new("chats-counter").arg("min", chars.get()).arg("max", MAX_MESSAGE_CHARS))
                    }}
                </p>
            </Show>
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Types `value` into the composer as a student would (the caret ends up after it).
    fn type_into(root: &web_sys::HtmlElement, value: &str) {
        let input = find(root, "#chat-input").expect("composer input");
        let input = input.dyn_into::<web_sys::HtmlTextAreaElement>().expect("textarea");
        input.set_value(value);
        input.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
    }

    /// A keydown of Enter.
    fn enter_key() -> web_sys::Event {
        key_down("Enter")
    }

    /// A keydown of `key` (built through JavaScript: the test needs no extra `web-sys` features).
    fn key_down(key: &str) -> web_sys::Event {
        let global: wasm_bindgen::JsValue = js_sys::global().into();
        let constructor = js_sys::Reflect::get(&global, &"KeyboardEvent".into()).expect("KeyboardEvent");
        let constructor: js_sys::Function = constructor.dyn_into().expect("a constructor");
        let init = js_sys::Object::new();
        js_sys::Reflect::set(&init, &"key".into(), &key.into()).expect("set key");
        js_sys::Reflect::set(&init, &"bubbles".into(), &true.into()).expect("set bubbles");
        let args = js_sys::Array::of2(&"keydown".into(), &init);
        js_sys::Reflect::construct(&constructor, &args).expect("construct").dyn_into().expect("an event")
    }

    fn send_disabled(root: &web_sys::HtmlElement) -> bool {
        find(root, "#chat-send").expect("send").dyn_into::<web_sys::HtmlButtonElement>().expect("button").disabled()
    }

    #[wasm_bindgen_test]
    async fn test_composer_counts_near_the_limit_and_refuses_above_it() {
        let sent = RwSignal::new(Vec::<Draft>::new());
        let root = mount(move || {
            let nobody: Vec<RoomMember> = Vec::new();
            let me: Option<UserId> = None;
            view! {
                <ChatComposer
                    members=nobody
                    me=me
                    reply_to=RwSignal::new(None)
                    on_send=Callback::new(move |draft| sent.update(|sent| sent.push(draft)))
                    on_typing=Callback::new(|()| {})
                />
            }
        });
        assert!(send_disabled(&root), "nothing to send yet");
        type_into(&root, "hello");
        settle().await;
        assert!(find(&root, "#chat-counter").is_none(), "no counter for short messages");
        assert!(!send_disabled(&root));

        type_into(&root, &"a".repeat(3600));
        settle().await;
        let counter = find(&root, "#chat-counter").expect("counter near the limit");
        assert_eq!(counter.text_content().as_deref(), Some("3600 / 4000"));
        assert!(!counter.class_list().contains("chat-counter-over"));
        assert!(!send_disabled(&root));

        type_into(&root, &"é".repeat(MAX_MESSAGE_CHARS + 1));
        settle().await;
        let counter = find(&root, "#chat-counter").expect("counter above the limit");
        assert_eq!(counter.text_content().as_deref(), Some("4001 / 4000"), "characters, not bytes");
        assert!(counter.class_list().contains("chat-counter-over"));
        assert!(send_disabled(&root));
        let input = find(&root, "#chat-input").expect("input");
        let event = enter_key();
        input.dispatch_event(&event).expect("dispatch");
        settle().await;
        assert!(sent.get_untracked().is_empty(), "Enter does not send above the limit");

        type_into(&root, "short again");
        input.dispatch_event(&event).expect("dispatch");
        settle().await;
        assert_eq!(sent.get_untracked(), vec![Draft { body: "short again".into(), mentions: Vec::new() }]);
    }

    #[wasm_bindgen_test]
    async fn test_mentions_are_picked_with_the_keyboard_and_sent_with_their_ids() {
        let sent = RwSignal::new(Vec::<Draft>::new());
        let root = mount(move || {
            let members = vec![
                RoomMember { user_id: UserId(1), display_name: "Mira (me)".into(), online: true },
                RoomMember { user_id: UserId(2), display_name: "Mina".into(), online: true },
                RoomMember { user_id: UserId(4), display_name: "Minho Lee".into(), online: false },
                RoomMember { user_id: UserId(3), display_name: "Jun".into(), online: true },
            ];
            view! {
                <ChatComposer
                    members=members
                    me=Some(UserId(1))
                    reply_to=RwSignal::new(None)
                    on_send=Callback::new(move |draft| sent.update(|sent| sent.push(draft)))
                    on_typing=Callback::new(|()| {})
                />
            }
        });
        type_into(&root, "thanks @mi");
        settle().await;
        let offered: Vec<String> = (0..4)
            .filter_map(|at| root.query_selector_all(".chat-mention-option").expect("query").item(at))
            .filter_map(|option| option.dyn_into::<web_sys::Element>().ok()?.get_attribute("data-user-id"))
            .collect();
        assert_eq!(offered, ["2", "4"], "matching members, never the student");
        let input = find(&root, "#chat-input").expect("input");
        input.dispatch_event(&key_down("ArrowDown")).expect("dispatch");
        settle().await;
        assert!(find(&root, ".chat-mention-active[data-user-id='4']").is_some());
        input.dispatch_event(&enter_key()).expect("dispatch");
        settle().await;
        let textarea = input.clone().dyn_into::<web_sys::HtmlTextAreaElement>().expect("textarea");
        assert_eq!(textarea.value(), "thanks @Minho Lee ");
        assert!(find(&root, "#chat-mentions").is_none());
        assert!(sent.get_untracked().is_empty(), "picking a name does not send");
        type_into(&root, "thanks @Minho Lee and @Jun too");
        input.dispatch_event(&enter_key()).expect("dispatch");
        settle().await;
        let drafts = sent.get_untracked();
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].mentions, vec![UserId(4)], "only picked mentions carry an id");
    }
}
