//! Course chat over one WebSocket per signed-in client: the frames a client sends ([`ClientFrame`]),
//! the frames the server sends ([`ServerFrame`]), the limits both sides enforce, and the close codes.
//!
//! The connection: `GET /ws` upgraded with `Authorization: Bearer <access token>` (401 without a
//! live one, 403 when an `Origin` header names an origin the server does not allow). Every frame is
//! one JSON object tagged by `"type"`, sent as a text frame (a binary frame holding UTF-8 JSON is
//! read the same way). The client speaks first with [`ClientFrame::Hello`]; the server answers
//! [`ServerFrame::Welcome`], replays what the client missed in the rooms it names, and ends the
//! replay with [`ServerFrame::Synced`]; from then on it streams live. Within a room, message frames
//! arrive in strictly increasing `seq` with no gaps after that point.
//!
//! Rooms: one per course offering per term. A student is a member exactly while a section of the
//! course is in their primary timetable of that term; there is no join step. Membership is rechecked
//! on every send and history request, and the live subscription follows it within a heartbeat
//! interval, announced by a fresh [`ServerFrame::Rooms`].
//!
//! Delivery: every message carries a per-room `seq` assigned when it is stored (1, 2, 3, … with no
//! gaps). A send carries a client-chosen `client_msg_id`; resending the same id to the same room
//! (after a timeout or a reconnect) never stores a second message: the server answers with the
//! original [`ServerFrame::Ack`]. A client that reads too slowly is disconnected with
//! [`CLOSE_TOO_SLOW`] and catches up through `Hello::resume`.
//!
//! Blocking a student hides their messages and typing from the blocker: live, replayed, in history
//! and in unread counts (the seqs of hidden messages are skipped, so a blocker sees gaps there and
//! only there). Messages hidden while blocked are not re-sent on unblocking; history shows them again.
//! Reporting a message records it for moderators.
//!
//! Edits and deletions arrive as [`ServerFrame::MessageUpdated`] with a higher `revision`; a client
//! keeps the highest revision it has seen of each message, so a late, older update never overwrites
//! a newer one.

use crate::ids::{MessageId, RoomId, TermId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Path of the WebSocket endpoint (not under [`crate::API_PREFIX`]: it is not a REST resource).
pub const WS_PATH: &str = "/ws";
/// Longest message body, in characters (Unicode scalar values).
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Largest frame (and message) the server accepts, in bytes: a larger one is answered with
/// [`ChatErrorCode::FrameTooLarge`] and ignored. Room for a 4,000-character body of 4-byte characters
/// plus the envelope.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;
/// Frames above this many bytes are not even read: the connection closes with [`CLOSE_FRAME_TOO_LARGE`].
pub const CLOSE_FRAME_BYTES: usize = 2 * MAX_FRAME_BYTES;
/// Longest `client_msg_id`, in characters.
pub const MAX_CLIENT_MSG_ID_CHARS: usize = 64;
/// Most messages in one history page.
pub const MAX_HISTORY_PAGE: u32 = 100;
/// History page size when the request names none.
pub const DEFAULT_HISTORY_PAGE: u32 = 50;
/// Most user ids one message may mention.
pub const MAX_MENTIONS: usize = 50;
/// Longest reason of a report, in characters.
pub const MAX_REPORT_REASON_CHARS: usize = 500;
/// How long a typing indicator stays up without a fresh [`ClientFrame::Typing`], in seconds.
pub const TYPING_TTL_SECS: u32 = 6;

/// Close code: the access token expired; refresh it and reconnect (after [`ServerFrame::TokenExpired`]).
pub const CLOSE_TOKEN_EXPIRED: u16 = 4001;
/// Close code: the session was logged out or revoked; sign in again.
pub const CLOSE_SESSION_REVOKED: u16 = 4002;
/// Close code: the client fell too far behind the live stream; reconnect and resume.
pub const CLOSE_TOO_SLOW: u16 = 4008;
/// Close code: no pong (or any other frame) arrived within two heartbeat intervals.
pub const CLOSE_HEARTBEAT_TIMEOUT: u16 = 4009;
/// Close code (standard "message too big"): a frame was larger than [`CLOSE_FRAME_BYTES`].
pub const CLOSE_FRAME_TOO_LARGE: u16 = 1009;
/// Close code (standard "invalid frame payload data"): a text frame was not valid UTF-8.
pub const CLOSE_INVALID_UTF8: u16 = 1007;
/// Close code (standard "internal error"): the server could not go on (a replay could not be read);
/// reconnect and resume.
pub const CLOSE_INTERNAL_ERROR: u16 = 1011;
/// Close code (standard "going away"): the server is shutting down; reconnect and resume.
pub const CLOSE_GOING_AWAY: u16 = 1001;

/// Where a client stands in one room: the last `seq` it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomCursor {
    /// The room.
    pub room_id: RoomId,
    /// The highest `seq` held (0 when none).
    pub last_seq: u64,
}

/// Every frame a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// The first frame of every connection; any other frame before it is answered with
    /// [`ChatErrorCode::HelloRequired`].
    Hello {
        /// Per room, the last `seq` the client holds: the server replays everything after it before
        /// streaming live. Rooms left out stream live from the `last_seq` in [`ServerFrame::Welcome`]
        /// on (older messages come through [`ClientFrame::History`]).
        #[serde(default)]
        resume: Vec<RoomCursor>,
    },
    /// Post a message; answered with [`ServerFrame::Ack`] (or an error carrying `client_msg_id`).
    Send {
        /// The room.
        room_id: RoomId,
        /// Client-generated id, 1 to [`MAX_CLIENT_MSG_ID_CHARS`] characters (a UUID): resending the
        /// same id to the same room returns the original ack instead of storing a second message.
        client_msg_id: String,
        /// The text, 1 to [`MAX_MESSAGE_CHARS`] characters, not only whitespace.
        body: String,
        /// The message this one replies to, in the same room.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<MessageId>,
        /// Members mentioned with @ (at most [`MAX_MENTIONS`]); ids that are not members of the
        /// room are left out of the stored message.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        mentions: Vec<UserId>,
    },
    /// Ask for older messages; answered with [`ServerFrame::History`].
    History {
        /// The room.
        room_id: RoomId,
        /// Only messages with a smaller `seq`; absent for the newest page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before_seq: Option<u64>,
        /// Page size, 1 to [`MAX_HISTORY_PAGE`]; [`DEFAULT_HISTORY_PAGE`] when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
    /// Replace the body of one of your own messages; everyone gets [`ServerFrame::MessageUpdated`].
    Edit {
        /// The message.
        message_id: MessageId,
        /// The new text, with the same limits as [`ClientFrame::Send`]'s `body`.
        body: String,
    },
    /// Delete one of your own messages: its body is erased and everyone sees it as deleted.
    Delete {
        /// The message.
        message_id: MessageId,
    },
    /// "I am typing" in a room; send again every few seconds while typing ([`TYPING_TTL_SECS`]).
    Typing {
        /// The room.
        room_id: RoomId,
    },
    /// Mark a room read up to `seq` (markers only move forward); your other connections get
    /// [`ServerFrame::ReadMarker`] and unread counts follow it.
    Read {
        /// The room.
        room_id: RoomId,
        /// The last `seq` read.
        seq: u64,
    },
    /// Ask for the room list again; answered with [`ServerFrame::Rooms`].
    Rooms,
    /// Ask for a room's members with their presence; answered with [`ServerFrame::Members`].
    Members {
        /// The room.
        room_id: RoomId,
    },
    /// Hide this student's messages and typing from you, in every room; answered with
    /// [`ServerFrame::BlockList`]. Your other connections follow within a heartbeat interval.
    Block {
        /// The student to block (not yourself).
        user_id: UserId,
    },
    /// Stop hiding this student; answered with [`ServerFrame::BlockList`].
    Unblock {
        /// The student to unblock.
        user_id: UserId,
    },
    /// Report a message of a room you are in to the moderators; answered with
    /// [`ServerFrame::Reported`]. Reporting the same message again changes nothing.
    Report {
        /// The message.
        message_id: MessageId,
        /// Why, up to [`MAX_REPORT_REASON_CHARS`] characters (may be empty).
        #[serde(default)]
        reason: String,
    },
    /// Application-level ping for clients that cannot see WebSocket pings; answered with
    /// [`ServerFrame::Pong`] carrying the same nonce. WebSocket pings are the heartbeat either way.
    Ping {
        /// Any number; echoed back.
        #[serde(default)]
        nonce: u64,
    },
}

/// Every frame the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The answer to [`ClientFrame::Hello`], before any replayed message.
    Welcome {
        /// The signed-in student.
        user_id: UserId,
        /// Their rooms, as in [`ServerFrame::Rooms`]. Each room's `last_seq` is where live streaming
        /// starts for rooms the hello did not resume.
        rooms: Vec<RoomSummary>,
        /// The server pings this often; a connection silent for two intervals is dropped.
        heartbeat_secs: u32,
        /// When the access token expires: the server then sends [`ServerFrame::TokenExpired`] and
        /// closes with [`CLOSE_TOKEN_EXPIRED`]; reconnect with a fresh token before that.
        token_expires_at: DateTime<Utc>,
        /// The limits this server enforces.
        limits: ChatLimits,
        /// The students you block.
        #[serde(default)]
        blocked: Vec<UserId>,
    },
    /// The replay after [`ServerFrame::Welcome`] is complete: live frames follow.
    Synced {
        /// Per subscribed room, the last `seq` delivered on this connection so far.
        rooms: Vec<RoomCursor>,
    },
    /// A message was stored (or had been stored by an earlier send with the same `client_msg_id`).
    Ack {
        /// The client's id of the send.
        client_msg_id: String,
        /// The room.
        room_id: RoomId,
        /// The stored message's id.
        message_id: MessageId,
        /// Its per-room sequence number.
        seq: u64,
        /// When it was stored (the first time).
        created_at: DateTime<Utc>,
        /// `true` when this answers a resend: nothing new was stored.
        duplicate: bool,
    },
    /// A message in a room: live, replayed after a resume, or filling a gap; the author gets it too.
    Message(ChatMessage),
    /// A message was edited or deleted; replaces the held copy when `revision` is higher.
    MessageUpdated(ChatMessage),
    /// The answer to [`ClientFrame::History`].
    History {
        /// The room.
        room_id: RoomId,
        /// The page, oldest first.
        messages: Vec<ChatMessage>,
        /// `true` when older messages exist before the first one of this page.
        has_more: bool,
    },
    /// Someone is typing in a room (never sent about yourself); shown for [`TYPING_TTL_SECS`].
    Typing {
        /// The room.
        room_id: RoomId,
        /// Who is typing.
        user_id: UserId,
        /// Their display name.
        display_name: String,
    },
    /// Your read marker in a room moved (from this or another of your connections).
    ReadMarker {
        /// The room.
        room_id: RoomId,
        /// The last `seq` read.
        seq: u64,
        /// Unread messages left in the room.
        unread: u32,
    },
    /// The room list: sent on [`ClientFrame::Rooms`] and whenever membership changes (a course
    /// added to or removed from the primary timetable).
    Rooms {
        /// Rooms with the newest activity first.
        rooms: Vec<RoomSummary>,
    },
    /// The answer to [`ClientFrame::Members`].
    Members {
        /// The room.
        room_id: RoomId,
        /// Members by display name.
        members: Vec<RoomMember>,
    },
    /// A member of a room came online (first connection) or went offline (last connection closed).
    Presence {
        /// The room.
        room_id: RoomId,
        /// The member.
        user_id: UserId,
        /// Online now.
        online: bool,
    },
    /// The students you block, after a [`ClientFrame::Block`] or [`ClientFrame::Unblock`].
    BlockList {
        /// Everyone you block.
        user_ids: Vec<UserId>,
    },
    /// The report of a message was recorded.
    Reported {
        /// The message.
        message_id: MessageId,
    },
    /// A request failed; nothing was stored. The connection stays open unless a close follows.
    Error(ChatError),
    /// The answer to [`ClientFrame::Ping`].
    Pong {
        /// The ping's nonce.
        nonce: u64,
    },
    /// The access token has expired: a close with [`CLOSE_TOKEN_EXPIRED`] follows.
    TokenExpired,
}

/// Whether a count is zero (left out of the JSON: the default stands for it).
fn is_zero(count: &u32) -> bool {
    *count == 0
}

/// One chat message as everyone in the room sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatMessage {
    /// Stable id.
    pub id: MessageId,
    /// The room.
    pub room_id: RoomId,
    /// Per-room sequence number: 1, 2, 3, … in storing order, with no gaps.
    pub seq: u64,
    /// The author.
    pub author_id: UserId,
    /// The author's display name.
    pub author_name: String,
    /// The author's `client_msg_id` of the send (lets the author's client match its pending copy).
    /// Only the author's own copies carry it: in everyone else's it is empty (and left out of the JSON).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_msg_id: String,
    /// The text; empty once deleted.
    pub body: String,
    /// The message this one replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<MessageId>,
    /// Members mentioned with @.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<UserId>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// When the body was last edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<DateTime<Utc>>,
    /// The author deleted it: show a placeholder. Left out of the JSON while false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// 0 as sent; each edit or the deletion adds one. Keep the copy with the highest revision. Left
    /// out of the JSON while 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u32,
}

/// One room in the room list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomSummary {
    /// Stable id.
    pub room_id: RoomId,
    /// The course's term.
    pub term_id: TermId,
    /// Course code as the catalog writes it, e.g. "CS 225".
    pub course_code: String,
    /// The course's title.
    pub title: String,
    /// Students who have the course in their primary timetable.
    pub member_count: u32,
    /// Members connected right now.
    pub online_count: u32,
    /// The newest message.
    pub last_message: Option<ChatMessage>,
    /// The room's newest `seq` (0 when empty).
    pub last_seq: u64,
    /// Your read marker (0 when never read).
    pub read_seq: u64,
    /// Messages by others after your read marker that are not deleted.
    pub unread: u32,
}

/// One member of a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomMember {
    /// The student.
    pub user_id: UserId,
    /// Their display name.
    pub display_name: String,
    /// Connected right now.
    pub online: bool,
}

/// The limits a server enforces, so clients can check before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatLimits {
    /// Longest body, in characters.
    pub max_message_chars: u32,
    /// Largest frame, in bytes.
    pub max_frame_bytes: u32,
    /// Sends allowed per student within `send_window_secs` (over all their connections).
    pub sends_per_window: u32,
    /// The send-rate window, in seconds.
    pub send_window_secs: u32,
}

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatError {
    /// Stable, machine-readable code; clients branch on this, never on `message`.
    pub code: ChatErrorCode,
    /// A sentence for humans (English).
    pub message: String,
    /// The failed send's `client_msg_id`, when the error answers a send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
    /// The room the failed request named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<RoomId>,
    /// The message the failed request named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    /// For `rate_limited`: seconds until a send may succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u32>,
}

/// Stable chat error codes. New codes may appear; clients treat unknown ones as
/// [`ChatErrorCode::Unknown`]. Whether resending can help is [`ChatErrorCode::is_retryable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChatErrorCode {
    /// The frame is not a JSON object of a known `type` with the right fields.
    InvalidJson,
    /// A binary frame's bytes are not UTF-8.
    InvalidUtf8,
    /// The frame is larger than [`MAX_FRAME_BYTES`]; above [`CLOSE_FRAME_BYTES`] a close with
    /// [`CLOSE_FRAME_TOO_LARGE`] follows.
    FrameTooLarge,
    /// The body is longer than [`MAX_MESSAGE_CHARS`].
    TooLong,
    /// The body is empty or only whitespace.
    EmptyMessage,
    /// A field is out of range: `client_msg_id` length, history `limit`, too many mentions, a report
    /// reason too long, blocking yourself.
    InvalidRequest,
    /// Too many sends; wait `retry_after_secs`.
    RateLimited,
    /// No room has this id.
    UnknownRoom,
    /// The room exists but the course is not in your primary timetable.
    NotMember,
    /// No message with this id in a room you are in (or the reply target is in another room).
    UnknownMessage,
    /// No student has this id.
    UnknownUser,
    /// Only the author may edit or delete a message.
    NotAuthor,
    /// The message was deleted and cannot be edited.
    MessageDeleted,
    /// The first frame must be [`ClientFrame::Hello`].
    HelloRequired,
    /// The connection fell too far behind (a close with [`CLOSE_TOO_SLOW`] follows).
    TooSlow,
    /// The server failed; retry later.
    Internal,
    /// A code this client version does not know.
    #[serde(other)]
    Unknown,
}

impl ChatErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::FrameTooLarge => "frame_too_large",
            Self::TooLong => "too_long",
            Self::EmptyMessage => "empty_message",
            Self::InvalidRequest => "invalid_request",
            Self::RateLimited => "rate_limited",
            Self::UnknownRoom => "unknown_room",
            Self::NotMember => "not_member",
            Self::UnknownMessage => "unknown_message",
            Self::UnknownUser => "unknown_user",
            Self::NotAuthor => "not_author",
            Self::MessageDeleted => "message_deleted",
            Self::HelloRequired => "hello_required",
            Self::TooSlow => "too_slow",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }

    /// `true` when sending the same frame again later may succeed (rate limits, server failures);
    /// `false` when the frame itself must change (a client's outbox marks such a message failed).
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::RateLimited | Self::Internal | Self::TooSlow | Self::HelloRequired)
    }
}

impl std::fmt::Display for ChatErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time() -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_780_000_000_000).expect("valid")
    }

    #[test]
    fn test_client_frames_have_the_documented_json_shape() {
        let send = ClientFrame::Send {
            room_id: RoomId(3),
            client_msg_id: "c-1".into(),
            body: "hi".into(),
            reply_to: None,
            mentions: vec![UserId(9)],
        };
        assert_eq!(
            serde_json::to_string(&send).expect("serialise"),
            r#"{"type":"send","room_id":3,"client_msg_id":"c-1","body":"hi","mentions":[9]}"#
        );
        let hello: ClientFrame =
            serde_json::from_str(r#"{"type":"hello","resume":[{"room_id":3,"last_seq":7}]}"#).expect("parse");
        assert_eq!(hello, ClientFrame::Hello { resume: vec![RoomCursor { room_id: RoomId(3), last_seq: 7 }] });
        let bare: ClientFrame = serde_json::from_str(r#"{"type":"hello"}"#).expect("parse");
        assert_eq!(bare, ClientFrame::Hello { resume: vec![] });
        let rooms: ClientFrame = serde_json::from_str(r#"{"type":"rooms"}"#).expect("parse");
        assert_eq!(rooms, ClientFrame::Rooms);
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"shout","room_id":3}"#).is_err());
    }

    #[test]
    fn test_server_frames_have_the_documented_json_shape() {
        let message = ChatMessage {
            id: MessageId(11),
            room_id: RoomId(3),
            seq: 2,
            author_id: UserId(9),
            author_name: "Mina".into(),
            client_msg_id: "c-1".into(),
            body: "hi".into(),
            reply_to: Some(MessageId(10)),
            mentions: vec![],
            created_at: time(),
            edited_at: None,
            deleted: false,
            revision: 0,
        };
        let json = serde_json::to_string(&ServerFrame::Message(message.clone())).expect("serialise");
        assert_eq!(
            json,
            r#"{"type":"message","id":11,"room_id":3,"seq":2,"author_id":9,"author_name":"Mina","client_msg_id":"c-1","body":"hi","reply_to":10,"created_at":"2026-05-28T20:26:40Z"}"#
        );
        let back: ServerFrame = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, ServerFrame::Message(message.clone()));
        // Everyone but the author gets it without the client id; a deletion carries its flag and revision.
        let deleted =
            ChatMessage { client_msg_id: String::new(), body: String::new(), deleted: true, revision: 1, ..message };
        let json = serde_json::to_string(&ServerFrame::MessageUpdated(deleted.clone())).expect("serialise");
        assert_eq!(
            json,
            r#"{"type":"message_updated","id":11,"room_id":3,"seq":2,"author_id":9,"author_name":"Mina","body":"","reply_to":10,"created_at":"2026-05-28T20:26:40Z","deleted":true,"revision":1}"#
        );
        assert_eq!(serde_json::from_str::<ServerFrame>(&json).expect("parse"), ServerFrame::MessageUpdated(deleted));
        let error = ServerFrame::Error(ChatError {
            code: ChatErrorCode::TooLong,
            message: "Too long.".into(),
            client_msg_id: Some("c-2".into()),
            room_id: None,
            message_id: None,
            retry_after_secs: None,
        });
        assert_eq!(
            serde_json::to_string(&error).expect("serialise"),
            r#"{"type":"error","code":"too_long","message":"Too long.","client_msg_id":"c-2"}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerFrame::TokenExpired).expect("serialise"),
            r#"{"type":"token_expired"}"#
        );
    }

    #[test]
    fn test_error_codes_round_trip_and_unknown_ones_do_not_break_clients() {
        let all = [
            ChatErrorCode::InvalidJson,
            ChatErrorCode::InvalidUtf8,
            ChatErrorCode::FrameTooLarge,
            ChatErrorCode::TooLong,
            ChatErrorCode::EmptyMessage,
            ChatErrorCode::InvalidRequest,
            ChatErrorCode::RateLimited,
            ChatErrorCode::UnknownRoom,
            ChatErrorCode::NotMember,
            ChatErrorCode::UnknownMessage,
            ChatErrorCode::UnknownUser,
            ChatErrorCode::NotAuthor,
            ChatErrorCode::MessageDeleted,
            ChatErrorCode::HelloRequired,
            ChatErrorCode::TooSlow,
            ChatErrorCode::Internal,
        ];
        for code in all {
            let json = serde_json::to_string(&code).expect("serialise");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ChatErrorCode>(&json).expect("parse"), code);
        }
        assert_eq!(serde_json::from_str::<ChatErrorCode>(r#""brand_new""#).expect("parse"), ChatErrorCode::Unknown);
        assert!(ChatErrorCode::RateLimited.is_retryable());
        assert!(!ChatErrorCode::TooLong.is_retryable());
    }
}
