//! A room's conversation (`#chat-messages`): a virtualized list that renders only the rows near the
//! viewport between two spacers, so a room with ten thousand messages scrolls as lightly as one with
//! ten. Row heights start as estimates and are replaced by measurements once a row has been on
//! screen; the scroll position is kept when heights change above it or older messages arrive.
//!
//! The list sticks to the bottom while the student is there (new messages scroll into view),
//! otherwise shows a "New messages ↓" pill; it asks for older messages near the top and reports
//! the highest `seq` read whenever the bottom is visible. Each row is a [`ChatLineRow`].

use crate::components::chat_format::{
    DayLabel, LineLayout, Segment, clock, day_label, estimated_height, failure_key, highest_seq, layout_lines,
    local_day, local_offset, now, offsets, segments, visible_range,
};
use crate::components::icons::{Glyph, Icon};
use crate::i18n::{Msg, t, use_i18n};
use leptos::html;
use leptos::prelude::*;
use pretzel_api::shell::chat::{ChatLine, LineState};
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// Rows rendered beyond each edge of the viewport.
const OVERSCAN: usize = 6;
/// The viewport height assumed before the list has been laid out.
const FALLBACK_VIEWPORT: f64 = 800.0;
/// Older messages are asked for when the top is this close.
const NEAR_TOP_PX: f64 = 240.0;
/// The bottom counts as visible within this distance.
const NEAR_BOTTOM_PX: f64 = 48.0;

/// What the student can do to a line; the page carries each out through the shell.
#[derive(Clone, Copy)]
pub struct LineActions {
    /// Reply to it.
    pub on_reply: Callback<ChatLine>,
    /// Save an inline edit: a stored own message is edited, a failed one retried with the new text.
    pub on_save_edit: Callback<(ChatLine, String)>,
    /// Delete an own message (the page asks to confirm).
    pub on_delete: Callback<ChatLine>,
    /// Report someone's message (the page asks for a reason).
    pub on_report: Callback<ChatLine>,
    /// Block the author.
    pub on_block: Callback<ChatLine>,
    /// Send a failed message again as it is.
    pub on_retry: Callback<ChatLine>,
    /// Drop a failed message.
    pub on_discard: Callback<ChatLine>,
}

/// One rendered row: a line with its place in the conversation.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    index: usize,
    line: ChatLine,
    layout: LineLayout,
    /// Changes whenever the row must be drawn again.
    key: String,
}

fn state_name(state: &LineState) -> &'static str {
    match state {
        LineState::Sent => "sent",
        LineState::Pending => "pending",
        LineState::Failed { .. } => "failed",
    }
}

/// The measurement cache key: a row's height depends on its header and day separator too.
fn height_key(line: &ChatLine, layout: LineLayout) -> (String, bool, bool) {
    (line.client_msg_id.clone(), layout.header, layout.day_break.is_some())
}

/// The conversation of one room.
#[component]
pub fn ChatMessages(
    /// The room's lines, oldest first.
    #[prop(into)]
    lines: Signal<Vec<ChatLine>>,
    /// Members' display names, to highlight `@Name` mentions.
    #[prop(into)]
    names: Signal<Vec<String>>,
    /// Older messages exist before the first line.
    #[prop(into)]
    has_older: Signal<bool>,
    /// Older messages are being fetched.
    #[prop(into)]
    loading_older: Signal<bool>,
    /// The top is near: fetch older messages.
    on_load_older: Callback<()>,
    /// The bottom is visible: everything up to this `seq` has been read.
    on_read: Callback<u64>,
    /// What the row buttons do.
    actions: LineActions,
) -> impl IntoView {
    let i18n = use_i18n();
    let scroller = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(0.0_f64);
    let measured = RwSignal::new(HashMap::<(String, bool, bool), f64>::new());
    let at_bottom = StoredValue::new(true);
    let stick = StoredValue::new(true);
    let pill = RwSignal::new(false);
    let anchor = StoredValue::new(None::<String>);
    let last_read = StoredValue::new(0_u64);
    let last_id = StoredValue::new(None::<String>);
    let editing = RwSignal::new(None::<(String, String)>);
    let offset = local_offset();

    let layout = Memo::new(move |_| lines.with(|lines| layout_lines(lines, offset)));
    let row_offsets = Memo::new(move |_| {
        measured.with(|measured| {
            lines.with(|lines| {
                layout.with(|layout| {
                    let heights: Vec<f64> = lines
                        .iter()
                        .zip(layout)
                        .map(|(line, place)| {
                            measured
                                .get(&height_key(line, *place))
                                .copied()
                                .unwrap_or_else(|| estimated_height(line, *place))
                        })
                        .collect();
                    offsets(&heights)
                })
            })
        })
    });
    let range = Memo::new(move |_| {
        let height = viewport.get();
        let height = if height > 0.0 { height } else { FALLBACK_VIEWPORT };
        row_offsets.with(|offsets| visible_range(offsets, scroll_top.get(), height, OVERSCAN))
    });
    let rows = Memo::new(move |_| {
        let (first, last) = range.get();
        lines.with(|lines| {
            layout.with(|layout| {
                (first..last)
                    .filter_map(|index| {
                        let line = lines.get(index)?.clone();
                        let place = *layout.get(index)?;
                        let key = format!(
                            "{}:{}:{}:{}:{}:{}",
                            line.client_msg_id,
                            line.revision,
                            state_name(&line.state),
                            place.header,
                            place.day_break.is_some(),
                            index
                        );
                        Some(Row { index, line, layout: place, key })
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let spacer_above = move || row_offsets.with(|offsets| offsets[range.get().0.min(offsets.len() - 1)]);
    let spacer_below = move || {
        row_offsets.with(|offsets| {
            let total = offsets.last().copied().unwrap_or(0.0);
            total - offsets[range.get().1.min(offsets.len() - 1)]
        })
    };

    let mark_read = move || {
        let Some(seq) = lines.with_untracked(|lines| highest_seq(lines)) else { return };
        if seq > last_read.get_value() {
            last_read.set_value(seq);
            on_read.run(seq);
        }
    };

    // A new last line: follow it while at the bottom (or when it is the student's own), else
    // offer the pill.
    Effect::new(move |_| {
        let last = lines.with(|lines| lines.last().map(|line| (line.client_msg_id.clone(), line.mine)));
        let before = last_id.get_value();
        if let Some((id, mine)) = &last
            && before.as_ref() != Some(id)
        {
            if before.is_none() || *mine || at_bottom.get_value() {
                stick.set_value(true);
            } else {
                pill.set(true);
            }
        }
        last_id.set_value(last.map(|(id, _)| id));
    });

    // After every render: measure the rows on screen, keep the reading position, follow the bottom.
    let after_render = move || {
        let Some(element) = scroller.get_untracked() else { return };
        let Some(offsets) = row_offsets.try_get_untracked() else { return };
        if let Some(first_id) = anchor.get_value() {
            let found = lines.with_untracked(|lines| {
                (lines.first().map(|line| &line.client_msg_id) != Some(&first_id))
                    .then(|| lines.iter().position(|line| line.client_msg_id == first_id))
                    .flatten()
            });
            if let Some(index) = found {
                anchor.set_value(None);
                element.set_scroll_top((f64::from(element.scroll_top()) + offsets[index]).round() as i32);
            } else if !loading_older.get_untracked() {
                // The page came back empty (or failed): nothing to keep in place.
                anchor.set_value(None);
            }
        }
        let top = f64::from(element.scroll_top());
        let mut changed = Vec::new();
        let mut above = 0.0;
        if let Ok(nodes) = element.query_selector_all("[data-row]") {
            for position in 0..nodes.length() {
                let Some(node) = nodes.item(position).and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
                else {
                    continue;
                };
                let Some(index) = node.get_attribute("data-row").and_then(|row| row.parse::<usize>().ok()) else {
                    continue;
                };
                let (Some(start), Some(end)) = (offsets.get(index), offsets.get(index + 1)) else { continue };
                let height = f64::from(node.offset_height());
                if height > 0.0 && (height - (end - start)).abs() > 0.5 {
                    let key = lines.with_untracked(|lines| {
                        layout.with_untracked(|layout| Some(height_key(lines.get(index)?, *layout.get(index)?)))
                    });
                    if let Some(key) = key {
                        changed.push((key, height));
                        if *end <= top {
                            above += height - (end - start);
                        }
                    }
                }
            }
        }
        if !changed.is_empty() {
            measured.update(|measured| measured.extend(changed));
            if above != 0.0 {
                element.set_scroll_top((top + above).round() as i32);
            }
        }
        if stick.get_value() || at_bottom.get_value() {
            stick.set_value(false);
            element.set_scroll_top(element.scroll_height());
            at_bottom.set_value(true);
            pill.set(false);
        }
        let top = f64::from(element.scroll_top());
        if (scroll_top.get_untracked() - top).abs() > 0.5 {
            scroll_top.set(top);
        }
        let height = f64::from(element.client_height());
        if (viewport.get_untracked() - height).abs() > 0.5 {
            viewport.set(height);
        }
        if at_bottom.get_value() {
            mark_read();
        }
    };
    Effect::new(move |_| {
        row_offsets.track();
        range.track();
        request_animation_frame(after_render);
    });

    let on_scroll = move |_: web_sys::Event| {
        let Some(element) = scroller.get_untracked() else { return };
        let top = f64::from(element.scroll_top());
        let height = f64::from(element.client_height());
        scroll_top.set(top);
        viewport.set(height);
        let bottom = f64::from(element.scroll_height()) - top - height < NEAR_BOTTOM_PX;
        at_bottom.set_value(bottom);
        if bottom {
            pill.set(false);
            mark_read();
        }
        if top < NEAR_TOP_PX
            && has_older.get_untracked()
            && !loading_older.get_untracked()
            && anchor.get_value().is_none()
        {
            anchor.set_value(lines.with_untracked(|lines| lines.first().map(|line| line.client_msg_id.clone())));
            on_load_older.run(());
        }
    };
    let jump_to_bottom = move |_: web_sys::MouseEvent| {
        stick.set_value(true);
        pill.set(false);
        if let Some(element) = scroller.get_untracked() {
            element.set_scroll_top(element.scroll_height());
        }
    };

    view! {
        <div class="chat-messages-frame">
            <Show when=move || loading_older.get()>
                <div class="chat-loading-older" role="status">
                    <span class="spinner" aria-hidden="true"></span>
                    {t("chats-loading-older")}
                </div>
            </Show>
            <div id="chat-messages" class="chat-scroll" node_ref=scroller on:scroll=on_scroll>
                <Show when=move || !has_older.get() && lines.with(|lines| !lines.is_empty())>
                    <p class="chat-beginning">{t("chats-beginning")}</p>
                </Show>
                <div class="chat-spacer" style:height=move || format!("{}px", spacer_above())></div>
                <For
                    each=move || rows.get()
                    key=|row| row.key.clone()
                    children=move |row| {
                        view! { <ChatLineRow row=row names=names actions=actions editing=editing /> }
                    }
                />
                <div class="chat-spacer" style:height=move || format!("{}px", spacer_below())></div>
            </div>
            <Show when=move || pill.get()>
                <button type="button" id="chat-new-pill" class="chat-new-pill" on:click=jump_to_bottom>
                    {move || i18n.t("chats-new-messages")}
                    " ↓"
                </button>
            </Show>
        </div>
    }
}

/// One line with its day separator and name header when it starts a day or a group.
#[component]
fn ChatLineRow(
    row: Row,
    names: Signal<Vec<String>>,
    actions: LineActions,
    editing: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let offset = local_offset();
    let Row { index, line, layout, .. } = row;
    let today = local_day(now(), offset);
    let day = layout.day_break.map(|day| {
        let label = move || match day_label(day, today) {
            DayLabel::Today => i18n.t("chats-today"),
            DayLabel::Yesterday => i18n.t("chats-yesterday"),
            DayLabel::Date(date) => {
                use chrono::Datelike;
                let msg = if date.year() == today.year() {
                    Msg::new("chats-day-date")
                } else {
                    Msg::new("chats-day-date-year").arg("year", usize::try_from(date.year()).unwrap_or_default())
                };
                i18n.msg(&msg.arg("min", date.month() as usize).arg("max", date.day() as usize))
            }
        };
        view! {
            <div class="chat-day" role="separator">
                <span>{label}</span>
            </div>
        }
    });
    let header = (layout.header && !line.mine).then(|| {
        view! { <div class="chat-author">{line.author_name.clone()}</div> }
    });
    let failed = match &line.state {
        LineState::Failed { code, .. } => Some(failure_key(code)),
        _ => None,
    };
    let pending = line.state == LineState::Pending;
    let state = state_name(&line.state);
    let id = line.client_msg_id.clone();
    let is_editing = {
        let id = id.clone();
        move || editing.with(|editing| editing.as_ref().is_some_and(|(editing, _)| *editing == id))
    };
    let quote = line.reply_preview.clone().map(|preview| {
        let excerpt = if preview.deleted { i18n.t("chats-deleted") } else { preview.excerpt };
        view! {
            <div class="chat-quote">
                <span class="chat-quote-author">{preview.author_name}</span>
                <span class="chat-quote-text">{excerpt}</span>
            </div>
        }
    });
    let body_line = line.clone();
    let body = move || {
        if body_line.deleted {
            return view! { <p class="chat-body chat-body-deleted">{t("chats-deleted")}</p> }.into_any();
        }
        let pieces = names
            .with(|names| segments(&body_line.body, names))
            .into_iter()
            .map(|piece| match piece {
                Segment::Text(text) => view! { <span>{text}</span> }.into_any(),
                Segment::Mention(text) => view! { <span class="chat-mention">{text}</span> }.into_any(),
            })
            .collect_view();
        view! { <p class="chat-body">{pieces}</p> }.into_any()
    };
    let edit_line = line.clone();
    let editor = move || {
        let line = edit_line.clone();
        let save = move || {
            let text = editing.get_untracked().map(|(_, text)| text).unwrap_or_default();
            if !text.trim().is_empty() {
                actions.on_save_edit.run((line.clone(), text));
            }
            editing.set(None);
        };
        let save_key = save.clone();
        view! {
            <div class="chat-edit">
                <textarea
                    class="chat-edit-input"
                    prop:value=move || editing.get().map(|(_, text)| text).unwrap_or_default()
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        editing.update(|editing| {
                            if let Some((_, held)) = editing {
                                *held = text;
                            }
                        });
                    }
                    on:keydown=move |ev: web_sys::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            editing.set(None);
                        } else if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            save_key();
                        }
                    }
                ></textarea>
                <div class="chat-edit-actions">
                    <button type="button" class="link-button chat-edit-cancel" on:click=move |_| editing.set(None)>
                        {t("chats-cancel")}
                    </button>
                    <button type="button" class="link-button chat-edit-save" on:click=move |_| save()>
                        {t("chats-save")}
                    </button>
                </div>
            </div>
        }
    };
    let start_edit = {
        let id = id.clone();
        let body = line.body.clone();
        move || editing.set(Some((id.clone(), body.clone())))
    };
    let start_edit_failed = start_edit.clone();
    let menu_line = line.clone();
    let menu = (!pending && failed.is_none() && !line.deleted).then(|| {
        let line = menu_line;
        let (reply, report, block, delete) = (line.clone(), line.clone(), line.clone(), line.clone());
        view! {
            <div class="chat-actions">
                <button type="button" class="chat-action chat-action-reply" title=t("chats-reply") aria-label=t("chats-reply")
                    on:click=move |_| actions.on_reply.run(reply.clone())><Glyph icon=Icon::Reply /></button>
                {if line.mine {
                    view! {
                        <button type="button" class="chat-action chat-action-edit" title=t("chats-edit") aria-label=t("chats-edit")
                            on:click=move |_| start_edit()><Glyph icon=Icon::Edit /></button>
                        <button type="button" class="chat-action chat-action-delete" title=t("chats-delete") aria-label=t("chats-delete")
                            on:click=move |_| actions.on_delete.run(delete.clone())><Glyph icon=Icon::Trash /></button>
                    }
                    .into_any()
                } else {
                    view! {
                        <button type="button" class="chat-action chat-action-report" title=t("chats-report") aria-label=t("chats-report")
                            on:click=move |_| actions.on_report.run(report.clone())><Glyph icon=Icon::Flag /></button>
                        <button type="button" class="chat-action chat-action-block" title=t("chats-block") aria-label=t("chats-block")
                            on:click=move |_| actions.on_block.run(block.clone())><Glyph icon=Icon::Block /></button>
                    }
                    .into_any()
                }}
            </div>
        }
    });
    let failed_bar = failed.map(|key| {
        let (retry, discard) = (line.clone(), line.clone());
        view! {
            <div class="chat-failed" role="alert">
                <span class="chat-failed-text">{t("chats-not-sent")} " " {move || i18n.t(key)}</span>
                <button type="button" class="link-button chat-retry" on:click=move |_| actions.on_retry.run(retry.clone())>
                    {t("chats-retry")}
                </button>
                <button type="button" class="link-button chat-failed-edit" on:click=move |_| start_edit_failed()>
                    {t("chats-edit")}
                </button>
                <button type="button" class="link-button chat-discard" on:click=move |_| actions.on_discard.run(discard.clone())>
                    {t("chats-discard")}
                </button>
            </div>
        }
    });
    let time = clock(line.created_at, offset);
    view! {
        <div
            class="chat-row"
            class:chat-row-grouped=!layout.header
            data-row=index.to_string()
            data-client-id=id.clone()
            data-seq=line.seq.map(|seq| seq.to_string())
        >
            {day}
            {header}
            <div
                class="chat-line"
                class:chat-line-mine=line.mine
                class:chat-line-pending=pending
                class:chat-line-failed=failed.is_some()
                class:chat-line-deleted=line.deleted
                class:chat-line-mentions-me=line.mentions_me
                data-state=state
            >
                <div class="chat-bubble">
                    {quote}
                    {move || if is_editing() { editor().into_any() } else { body().into_any() }}
                    <span class="chat-meta">
                        {line.edited.then(|| view! { <span class="chat-edited">{t("chats-edited")}</span> })}
                        {pending.then(|| view! {
                            <span class="chat-pending-mark" title=t("chats-pending") aria-label=t("chats-pending")><Glyph icon=Icon::Clock /></span>
                        })}
                        <time class="chat-time">{time}</time>
                    </span>
                </div>
                {menu}
            </div>
            {failed_bar}
        </div>
    }
}
