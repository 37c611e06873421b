//! A room's member list (`#chat-members`): everyone in the course with an online dot, online ones
//! first, and a block or unblock button beside everyone but the student.

use crate::i18n::{Msg, t, use_i18n};
use leptos::prelude::*;
use pretzel_api::UserId;
use pretzel_api::chat::RoomMember;

/// The member panel of the open room.
#[component]
pub fn ChatMembers(
    /// The room's members.
    #[prop(into)]
    members: Signal<Vec<RoomMember>>,
    /// Students the signed-in student blocked.
    #[prop(into)]
    blocked: Signal<Vec<UserId>>,
    /// The signed-in student.
    #[prop(into)]
    me: Signal<Option<UserId>>,
    /// Block this student.
    on_block: Callback<UserId>,
    /// Unblock this student.
    on_unblock: Callback<UserId>,
    /// Close the panel.
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || {
        let mut members = members.get();
        members.sort_by(|a, b| b.online.cmp(&a.online).then_with(|| a.display_name.cmp(&b.display_name)));
        members
            .into_iter()
            .map(|member| {
                let id = member.user_id;
                let is_blocked = move || blocked.with(|blocked| blocked.contains(&id));
                let is_me = me.get() == Some(id);
                view! {
                    <li class="chat-member" data-user-id=id.0.to_string() class:chat-member-online=member.online>
                        <span class="chat-online-dot" class:chat-offline-dot=!member.online aria-hidden="true"></span>
                        <span class="chat-member-name">{member.display_name.clone()}</span>
                        {is_me.then(|| view! { <span class="chip">{t("chats-you")}</span> })}
                        {(!is_me).then(|| view! {
                            <button
                                type="button"
                                class="link-button chat-member-block"
                                on:click=move |_| if is_blocked() { on_unblock.run(id) } else { on_block.run(id) }
                            >
                                {move || if is_blocked() { i18n.t("chats-unblock") } else { i18n.t("chats-block") }}
                            </button>
                        })}
                    </li>
                }
            })
            .collect_view()
    };
    let online = move || members.with(|members| members.iter().filter(|member| member.online).count());
    view! {
        <aside id="chat-members" class="card chat-members" aria-label=t("chats-members")>
            <div class="chat-members-head">
                <h3 class="chat-members-title">
                    {t("chats-members")}
                    " "
                    <span class="chip">
                        {move || i18n.msg(&Msg::new("chats-online-count").arg("min", online()))}
                    </span>
                </h3>
                <button type="button" class="chat-icon-button" aria-label=t("chats-close") on:click=move |_| on_close.run(())>
                    "✕"
                </button>
            </div>
            <ul class="chat-member-list">{rows}</ul>
        </aside>
    }
}
