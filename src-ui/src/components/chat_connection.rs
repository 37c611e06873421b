//! The connection banner above the Chats tab (`#chat-connection`): shown while the shell is not
//! connected, saying whether messages wait ("Offline — messages will be sent when you're back") or
//! when the next attempt is ("Reconnecting in 4 s…"), counting the seconds down between events.

use crate::i18n::{Msg, t, use_i18n};
use leptos::prelude::*;
use pretzel_api::shell::chat::ConnectionState;
use std::time::Duration;

/// The banner for `connection`; nothing while online or signed out.
#[component]
pub fn ConnectionBanner(
    /// The shell's connection right now.
    #[prop(into)]
    connection: Signal<ConnectionState>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Seconds left until the announced attempt, ticking down locally.
    let left = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if let ConnectionState::Reconnecting { retry_in_secs, .. } = connection.get() {
            left.set(retry_in_secs);
        }
    });
    let ticker = set_interval_with_handle(
        move || {
            if left.try_get_untracked().is_some_and(|secs| secs > 0) {
                left.update(|secs| *secs -= 1);
            }
        },
        Duration::from_secs(1),
    )
    .ok();
    on_cleanup(move || {
        if let Some(ticker) = ticker {
            ticker.clear();
        }
    });
    move || {
        match connection.get() {
        ConnectionState::Online | ConnectionState::SignedOut => None,
        ConnectionState::Connecting => Some(
            view! {
                <div id="chat-connection" class="banner chat-connection" data-state="connecting" role="status">
                    <span class="spinner" aria-hidden="true"></span>
                    <span>{t("chats-connecting")}</span>
                </div>
            }
            .into_any(),
        ),
        ConnectionState::Reconnecting { attempt, .. } => Some(
            view! {
                <div id="chat-connection" class="banner chat-connection chat-offline" data-state="reconnecting" role="status">
                    <span class="chat-connection-dot" aria-hidden="true"></span>
                    <span class="chat-connection-text">
                        <strong>{t("chats-offline")}</strong>
                        " "
                        {move || {
                            let secs = left.get();
                            if secs == 0 || attempt == 0 {
                                i18n.t("chats-reconnecting-now")
                            } else {
                                i18n.msg(&Msg::new("chats-reconnecting-in").arg("min", secs as usize))
                            }
                        }}
                    </span>
                </div>
            }
            .into_any(),
        ),
    }
    }
}
