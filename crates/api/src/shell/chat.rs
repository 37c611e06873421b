//! The chat part of the shell contract: the commands the Chats tab invokes, what they answer, and
//! the one event ([`EVENT_CHAT`]) through which the shell tells the UI what changed.
//!
//! The shell keeps one WebSocket to the backend while a student is signed in and keeps every room
//! and message it has seen in the offline cache, so all reads here answer from the cache at once
//! and work offline. Sends go through the persisted outbox: [`ChatSend`] returns the message at
//! once as [`LineState::Pending`], and the shell sends pending messages of a room one at a time, in
//! the order they were written, when connected. A message the server refuses for a reason that
//! retrying cannot fix (too long, not a member any more) becomes [`LineState::Failed`] until the
//! student retries it (after an edit) or discards it.
//!
//! Command names and argument keys (Tauri maps argument names to the keys of the JS payload):
//!
//! | command | arguments | answer |
//! |---|---|---|
//! | `chat_rooms` | — | [`ChatRoomsView`] |
//! | `chat_open_room` | `args: RoomArgs` | [`RoomView`] |
//! | `chat_older` | `args: OlderMessages` | [`MessagePage`] |
//! | `chat_send` | `args: ChatSend` | [`ChatLine`] (pending) |
//! | `chat_retry` | `args: PendingMessageArgs` (body may be replaced) | [`ChatLine`] |
//! | `chat_discard` | `args: PendingMessageArgs` | `()` |
//! | `chat_edit` | `args: EditMessage` | `()` (the change arrives as an event) |
//! | `chat_delete` | `args: MessageArgs` | `()` |
//! | `chat_typing` | `args: RoomArgs` | `()` |
//! | `chat_mark_read` | `args: MarkRead` | `()` |
//! | `chat_members` | `args: RoomArgs` | `Vec<RoomMember>` |
//! | `chat_set_muted` | `args: MuteRoom` | [`ChatRoomView`] |
//! | `chat_block` / `chat_unblock` | `args: UserArgs` | `Vec<UserId>` (everyone blocked) |
//! | `chat_report` | `args: ReportMessage` | `()` |
//! | `chat_set_window_focused` | `args: WindowFocus` | `()` |

use crate::chat::RoomSummary;
use crate::ids::{MessageId, RoomId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Name of the event the shell emits for everything that changes in chat. Payload: [`ChatEvent`].
pub const EVENT_CHAT: &str = "chat";

/// The state of the shell's WebSocket to the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    /// Nobody is signed in: no connection is wanted.
    SignedOut,
    /// Opening the connection (first attempt, or right after a clean close such as a token refresh).
    Connecting,
    /// Connected and caught up: live messages stream in.
    Online,
    /// The backend could not be reached or the connection dropped; the next attempt follows after
    /// an exponential backoff with jitter.
    Reconnecting {
        /// Failed attempts in a row so far.
        attempt: u32,
        /// Seconds until the next attempt.
        retry_in_secs: u32,
    },
}

/// A room as the Chats tab lists it: the server's summary (as last seen) plus local settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRoomView {
    /// The server's summary: code, title, member and online counts, last message, unread count.
    pub summary: RoomSummary,
    /// The student muted the room: no OS notifications from it.
    pub muted: bool,
    /// Own messages in the room still waiting to be sent.
    pub pending: u32,
    /// Own messages in the room the server refused for good.
    pub failed: u32,
}

/// Answer of `chat_rooms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRoomsView {
    /// The student's rooms, newest activity first (the last message's time, else the room's order
    /// as the server sent it).
    pub rooms: Vec<ChatRoomView>,
    /// The connection right now.
    pub connection: ConnectionState,
    /// The signed-in student (to tell own messages apart); `None` when signed out.
    pub me: Option<UserId>,
    /// The students the signed-in student blocks, as the server last said (empty before the first
    /// connection of this run).
    #[serde(default)]
    pub blocked: Vec<UserId>,
}

/// Where one of the student's own messages stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LineState {
    /// Stored by the server: it has a `message_id` and a `seq`.
    Sent,
    /// Waiting in the outbox to be sent (offline, or queued behind an earlier message).
    Pending,
    /// The server refused it and retrying as it is cannot help.
    Failed {
        /// The server's reason, e.g. `too_long` (a [`crate::chat::ChatErrorCode`] as written on
        /// the wire).
        code: String,
        /// A sentence for humans (English).
        message: String,
    },
}

/// One line of a room's conversation: a stored message, or one of the student's own not yet stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatLine {
    /// The line's key. For the student's own messages the sender's id for the message: the key of
    /// pending and failed lines, and how the UI replaces a pending line by its stored copy. For other
    /// students' messages (whose ids the server does not share) `#` and the message id.
    pub client_msg_id: String,
    /// The stored message's id; `None` while pending or failed.
    pub message_id: Option<MessageId>,
    /// The per-room sequence number; `None` while pending or failed. Stored lines sort by it;
    /// pending and failed ones come after all stored lines, in the order they were written.
    pub seq: Option<u64>,
    /// The room.
    pub room_id: RoomId,
    /// The author.
    pub author_id: UserId,
    /// The author's display name.
    pub author_name: String,
    /// The text (empty once deleted).
    pub body: String,
    /// The message this one replies to.
    pub reply_to: Option<MessageId>,
    /// A short quote of the replied-to message when the cache holds it.
    pub reply_preview: Option<ReplyPreview>,
    /// Members mentioned with @.
    pub mentions: Vec<UserId>,
    /// The signed-in student is among `mentions`.
    pub mentions_me: bool,
    /// When it was stored (or, while pending, written).
    pub created_at: DateTime<Utc>,
    /// Edited after sending.
    pub edited: bool,
    /// Deleted by its author: show a placeholder.
    pub deleted: bool,
    /// The server's revision (0 as sent); the UI keeps the copy with the highest one.
    pub revision: u32,
    /// The line is the signed-in student's own.
    pub mine: bool,
    /// Sent, pending or failed.
    pub state: LineState,
}

/// The start of a replied-to message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyPreview {
    /// Its author's display name.
    pub author_name: String,
    /// Its first 120 characters (empty when deleted).
    pub excerpt: String,
    /// It was deleted.
    pub deleted: bool,
}

/// Arguments naming one room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomArgs {
    /// The room.
    pub room_id: RoomId,
}

/// Answer of `chat_open_room`: what the cache holds now. When the cache has fewer than a page of the
/// newest messages and the shell is online, it asks the server and the rest arrives as
/// [`ChatEvent::Lines`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomView {
    /// The room.
    pub room: ChatRoomView,
    /// The newest cached lines (up to 100 stored ones), oldest first, then pending and failed ones.
    pub lines: Vec<ChatLine>,
    /// Older messages exist before the first line (in the cache or on the server).
    pub has_older: bool,
    /// The connection right now.
    pub connection: ConnectionState,
}

/// Arguments of `chat_older`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OlderMessages {
    /// The room.
    pub room_id: RoomId,
    /// Only messages with a smaller `seq`.
    pub before_seq: u64,
    /// Page size, 1 to 200.
    pub limit: u32,
}

/// Answer of `chat_older`: the cache's page, or the server's when the cache runs out (online only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    /// Lines oldest first.
    pub lines: Vec<ChatLine>,
    /// Still older messages exist.
    pub has_older: bool,
}

/// Arguments of `chat_send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSend {
    /// The room.
    pub room_id: RoomId,
    /// The text, 1 to 4,000 characters, not only whitespace (checked by the shell too).
    pub body: String,
    /// The message replied to.
    #[serde(default)]
    pub reply_to: Option<MessageId>,
    /// Members mentioned with @.
    #[serde(default)]
    pub mentions: Vec<UserId>,
}

/// Arguments naming one of the student's own unsent messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMessageArgs {
    /// The room.
    pub room_id: RoomId,
    /// The message's `client_msg_id`.
    pub client_msg_id: String,
    /// For `chat_retry`: a corrected text to send instead (e.g. shortened); `None` keeps it.
    #[serde(default)]
    pub body: Option<String>,
}

/// Arguments naming one stored message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageArgs {
    /// The message.
    pub message_id: MessageId,
}

/// Arguments of `chat_edit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditMessage {
    /// One of the student's own stored messages.
    pub message_id: MessageId,
    /// The new text.
    pub body: String,
}

/// Arguments of `chat_mark_read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkRead {
    /// The room.
    pub room_id: RoomId,
    /// The last `seq` the student has seen.
    pub seq: u64,
}

/// Arguments of `chat_set_muted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MuteRoom {
    /// The room.
    pub room_id: RoomId,
    /// Mute (`true`) or unmute.
    pub muted: bool,
}

/// Arguments naming a student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserArgs {
    /// The student.
    pub user_id: UserId,
}

/// Arguments of `chat_report`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportMessage {
    /// The message.
    pub message_id: MessageId,
    /// Why (may be empty, up to 500 characters).
    #[serde(default)]
    pub reason: String,
}

/// Arguments of `chat_set_window_focused`: the UI reports which room the student is looking at, so
/// the shell skips OS notifications for it while the window has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowFocus {
    /// The room on screen, if a room view is open.
    pub room_id: Option<RoomId>,
}

/// Payload of [`EVENT_CHAT`]: one change, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChatEvent {
    /// The connection changed state.
    Connection {
        /// The new state.
        connection: ConnectionState,
    },
    /// The room list changed (membership, counts, last message, unread, mute, pending).
    Rooms {
        /// All rooms, as `chat_rooms` answers.
        rooms: Vec<ChatRoomView>,
    },
    /// Lines of one room appeared or changed: new messages (live, replayed or a history page), a
    /// pending line stored (same `client_msg_id`, now `sent`), an edit or deletion, a failure.
    /// The UI upserts each by `client_msg_id` (keeping the highest `revision`).
    Lines {
        /// The room.
        room_id: RoomId,
        /// The changed lines, oldest first.
        lines: Vec<ChatLine>,
    },
    /// A pending or failed line was discarded.
    LineRemoved {
        /// The room.
        room_id: RoomId,
        /// Its `client_msg_id`.
        client_msg_id: String,
    },
    /// Someone is typing in a room (show for [`crate::chat::TYPING_TTL_SECS`]).
    Typing {
        /// The room.
        room_id: RoomId,
        /// Who.
        user_id: UserId,
        /// Their name.
        display_name: String,
    },
    /// A member came online or went offline.
    Presence {
        /// The room.
        room_id: RoomId,
        /// The member.
        user_id: UserId,
        /// Online now.
        online: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_events_and_states_have_the_documented_json_shape() {
        let event =
            ChatEvent::Connection { connection: ConnectionState::Reconnecting { attempt: 2, retry_in_secs: 4 } };
        assert_eq!(
            serde_json::to_string(&event).expect("serialise"),
            r#"{"kind":"connection","connection":{"state":"reconnecting","attempt":2,"retry_in_secs":4}}"#
        );
        let failed = LineState::Failed { code: "too_long".into(), message: "Too long.".into() };
        assert_eq!(
            serde_json::to_string(&failed).expect("serialise"),
            r#"{"state":"failed","code":"too_long","message":"Too long."}"#
        );
        let removed: ChatEvent =
            serde_json::from_str(r#"{"kind":"line_removed","room_id":4,"client_msg_id":"c"}"#).expect("parse");
        assert_eq!(removed, ChatEvent::LineRemoved { room_id: RoomId(4), client_msg_id: "c".into() });
    }
}
