//! The chat commands the Chats tab invokes (the table in `pretzel_api::shell::chat`), each a few
//! lines over [`pretzel_client::Client`], and the OS notifications for live messages: what the
//! student is looking at ([`ChatFocus`]) decides, through the client's pure
//! [`pretzel_client::chat::notification_for`], and a [`NotificationBurst`] keeps a burst to a handful.

use pretzel_api::shell::CommandError;
use pretzel_api::shell::chat::{
    ChatLine, ChatRoomView, ChatRoomsView, ChatSend, EditMessage, MarkRead, MessageArgs, MessagePage, MuteRoom,
    OlderMessages, PendingMessageArgs, ReportMessage, RoomArgs, RoomView, UserArgs, WindowFocus,
};
use pretzel_api::{RoomMember, UserId};
use pretzel_client::Client;
use pretzel_client::chat::{Focus, IncomingMessage, NotificationBurst, notification_for};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast;

/// What the student is looking at: whether the window has focus and which room is on screen.
#[derive(Debug)]
pub struct ChatFocus(Mutex<Focus>);

impl Default for ChatFocus {
    /// A window that just opened has the focus and shows no room.
    fn default() -> Self {
        Self(Mutex::new(Focus { window_focused: true, room_on_screen: None }))
    }
}

impl ChatFocus {
    /// What the student is looking at now.
    pub fn get(&self) -> Focus {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The app's window gained or lost the focus.
    pub fn set_window_focused(&self, focused: bool) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).window_focused = focused;
    }

    fn set_room(&self, room: Option<pretzel_api::RoomId>) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).room_on_screen = room;
    }
}

/// Shows an OS notification for each live message from someone else that deserves one.
pub(crate) fn notify_incoming<R: Runtime>(app: AppHandle<R>, mut incoming: broadcast::Receiver<IncomingMessage>) {
    tauri::async_runtime::spawn(async move {
        let mut burst = NotificationBurst::default();
        loop {
            let message = match incoming.recv().await {
                Ok(message) => message,
                // Missed messages were part of a flood: no notification for them is the point.
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            };
            let focus = app.try_state::<ChatFocus>().map(|focus| focus.get()).unwrap_or_default();
            let Some(text) = notification_for(&message, focus) else { continue };
            if !burst.allow(Instant::now()) {
                continue;
            }
            if let Err(error) = app.notification().builder().title(text.title).body(text.body).show() {
                tracing::warn!(%error, "could not show a chat notification");
            }
        }
    });
}

/// The rooms, newest activity first, from the cache.
#[tauri::command]
pub async fn chat_rooms(client: State<'_, Client>) -> Result<ChatRoomsView, CommandError> {
    Ok(client.chat_rooms()?)
}

/// A room's newest lines from the cache (the newest page follows as an event when missing).
#[tauri::command]
pub async fn chat_open_room(client: State<'_, Client>, args: RoomArgs) -> Result<RoomView, CommandError> {
    Ok(client.chat_open_room(args)?)
}

/// Older lines, from the cache or the server.
#[tauri::command]
pub async fn chat_older(client: State<'_, Client>, args: OlderMessages) -> Result<MessagePage, CommandError> {
    Ok(client.chat_older(args).await?)
}

/// Queues a message; answers its pending line.
#[tauri::command]
pub async fn chat_send(client: State<'_, Client>, args: ChatSend) -> Result<ChatLine, CommandError> {
    Ok(client.chat_send(args)?)
}

/// Queues a failed message again, possibly with a corrected text.
#[tauri::command]
pub async fn chat_retry(client: State<'_, Client>, args: PendingMessageArgs) -> Result<ChatLine, CommandError> {
    Ok(client.chat_retry(args)?)
}

/// Forgets an unsent message.
#[tauri::command]
pub async fn chat_discard(client: State<'_, Client>, args: PendingMessageArgs) -> Result<(), CommandError> {
    Ok(client.chat_discard(args)?)
}

/// Edits one of the student's messages.
#[tauri::command]
pub async fn chat_edit(client: State<'_, Client>, args: EditMessage) -> Result<(), CommandError> {
    Ok(client.chat_edit(args)?)
}

/// Deletes one of the student's messages.
#[tauri::command]
pub async fn chat_delete(client: State<'_, Client>, args: MessageArgs) -> Result<(), CommandError> {
    Ok(client.chat_delete(args)?)
}

/// Says the student is typing.
#[tauri::command]
pub async fn chat_typing(client: State<'_, Client>, args: RoomArgs) -> Result<(), CommandError> {
    Ok(client.chat_typing(args)?)
}

/// Moves the read marker.
#[tauri::command]
pub async fn chat_mark_read(client: State<'_, Client>, args: MarkRead) -> Result<(), CommandError> {
    Ok(client.chat_mark_read(args)?)
}

/// The room's members and their presence.
#[tauri::command]
pub async fn chat_members(client: State<'_, Client>, args: RoomArgs) -> Result<Vec<RoomMember>, CommandError> {
    Ok(client.chat_members(args).await?)
}

/// Mutes or unmutes a room's notifications.
#[tauri::command]
pub async fn chat_set_muted(client: State<'_, Client>, args: MuteRoom) -> Result<ChatRoomView, CommandError> {
    Ok(client.chat_set_muted(args)?)
}

/// Blocks a student.
#[tauri::command]
pub async fn chat_block(client: State<'_, Client>, args: UserArgs) -> Result<Vec<UserId>, CommandError> {
    Ok(client.chat_block(args).await?)
}

/// Unblocks a student.
#[tauri::command]
pub async fn chat_unblock(client: State<'_, Client>, args: UserArgs) -> Result<Vec<UserId>, CommandError> {
    Ok(client.chat_unblock(args).await?)
}

/// Reports a message to the moderators.
#[tauri::command]
pub async fn chat_report(client: State<'_, Client>, args: ReportMessage) -> Result<(), CommandError> {
    Ok(client.chat_report(args).await?)
}

/// The room on screen, so its messages do not raise notifications while the window has focus.
#[tauri::command]
pub async fn chat_set_window_focused(focus: State<'_, ChatFocus>, args: WindowFocus) -> Result<(), CommandError> {
    focus.set_room(args.room_id);
    Ok(())
}
