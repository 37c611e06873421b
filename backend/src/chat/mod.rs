//! The chat hub: what every connection of this node shares — the live subscriptions
//! ([`registry`]), the fan-out that carries room events to them ([`fanout`]), the per-room send locks
//! that make one node publish a room's messages in seq order, the per-student send rate, the
//! per-student membership signal that timetable edits fire, and the shutdown signal that closes every
//! connection with "going away".
//!
//! With several nodes ([`redis`]) the hub is the same; only the fan-out differs.
//!
//! The WebSocket side (`ws/`) owns the protocol; storage (`db::chat`) owns order and membership.
//! The hub sits between them and holds no chat data of its own, so a restart loses nothing.

pub mod fanout;
pub mod redis;
pub mod registry;

use self::redis::{RedisFanout, RedisFanoutError};
use crate::auth::rate_limit::RateLimiter;
use crate::config::Config;
use crate::ws::codec;
use bytes::Bytes;
use fanout::{Fanout, LocalFanout};
use pretzel_api::chat::ChatLimits;
use pretzel_api::chat::MAX_MESSAGE_CHARS;
use pretzel_api::{ChatMessage, RoomId, ServerFrame, UserId};
use registry::{Alerts, ConnId, Mailbox, Registry, Subscriber};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Stripes of the per-room send lock: enough that unrelated rooms rarely share one.
const ROOM_LOCK_STRIPES: usize = 64;

/// Who in a room receives an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Audience {
    /// Every subscriber.
    Everyone,
    /// Everyone except this user (typing indicators).
    AllBut(UserId),
    /// Only this user's connections (read markers).
    Only(UserId),
}

/// What a room event is, as far as ordering goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EventKind {
    /// A new message with this seq: delivered in seq order, gaps filled from storage.
    Message {
        /// The message's per-room seq.
        seq: u64,
    },
    /// An edit or deletion (carries its own revision) or anything else delivered as it comes.
    Ephemeral,
}

/// One event for a room's subscribers, serialised once for all of them.
#[derive(Debug)]
pub struct RoomEvent {
    /// The room.
    pub room_id: RoomId,
    /// Ordering class.
    pub kind: EventKind,
    /// Who receives it.
    pub audience: Audience,
    /// The student whose action it reports (a message's author, a typist), so that those who block
    /// them can be spared it.
    pub author: Option<UserId>,
    /// The [`ServerFrame`] as a WebSocket text frame, framed once for every recipient.
    pub frame: Bytes,
}

impl RoomEvent {
    /// An event carrying `frame`.
    pub fn new(
        room_id: RoomId,
        kind: EventKind,
        audience: Audience,
        author: Option<UserId>,
        frame: &ServerFrame,
    ) -> Arc<Self> {
        Arc::new(Self { room_id, kind, audience, author, frame: wire_frame(frame) })
    }

    /// The frame's JSON text.
    pub fn json(&self) -> &[u8] {
        codec::server_payload(&self.frame)
    }
}

/// `message` as `viewer` may see it (`None`: a student other than its author). A send's
/// `client_msg_id` is its author's business: kept out of everyone else's copies, it also keeps every
/// live message a few dozen bytes shorter for each of its recipients.
pub fn seen_by(mut message: ChatMessage, viewer: Option<UserId>) -> ChatMessage {
    if viewer != Some(message.author_id) {
        message.client_msg_id.clear();
    }
    message
}

/// `frame` as a WebSocket text frame of JSON.
pub fn wire_frame(frame: &ServerFrame) -> Bytes {
    // The frames hold only strings, numbers and lists: serialising cannot fail. Should it ever, the
    // client gets an error frame rather than nothing.
    let text = serde_json::to_vec(frame).unwrap_or_else(|e| {
        tracing::error!(error = %e, "chat frame did not serialise");
        br#"{"type":"error","code":"internal","message":"The server could not encode a frame."}"#.to_vec()
    });
    codec::text_frame(&text)
}

/// The chat settings in effect.
#[derive(Debug, Clone)]
pub struct ChatSettings {
    /// Ping interval; silence for two of them drops a connection.
    pub heartbeat: Duration,
    /// Live events queued per connection before it is too slow.
    pub queue_frames: usize,
    /// Sends per student per window.
    pub send_limit: u32,
    /// The send-rate window.
    pub send_window: Duration,
    /// Allowed `Origin` values besides the app's own.
    pub allowed_origins: Vec<String>,
}

impl ChatSettings {
    /// The settings from the server's configuration.
    pub fn from_config(config: &Config) -> Self {
        Self {
            heartbeat: Duration::from_secs(config.chat_heartbeat_secs),
            queue_frames: usize::try_from(config.chat_queue_frames).unwrap_or(usize::MAX),
            send_limit: config.chat_send_limit,
            send_window: Duration::from_secs(config.chat_send_window_secs),
            allowed_origins: config.chat_allowed_origins.clone(),
        }
    }

    /// The limits as the protocol announces them.
    pub fn limits(&self) -> ChatLimits {
        ChatLimits {
            max_message_chars: u32::try_from(MAX_MESSAGE_CHARS).unwrap_or(u32::MAX),
            max_frame_bytes: u32::try_from(pretzel_api::chat::MAX_FRAME_BYTES).unwrap_or(u32::MAX),
            sends_per_window: self.send_limit,
            send_window_secs: u32::try_from(self.send_window.as_secs()).unwrap_or(u32::MAX),
        }
    }
}

/// A connection's registration: its id and its mailbox (its socket's way in for live events), which
/// also carries the alerts that wake it (see [`registry::Alerts`]). Hand it back with [`ChatHub::unregister`] when the
/// connection ends.
#[derive(Debug)]
pub struct Registration {
    /// The connection's id.
    pub conn: ConnId,
    /// Live events and alerts for it.
    pub mailbox: Arc<Mailbox>,
}

/// Shared by every connection; cheap to clone.
#[derive(Debug, Clone)]
pub struct ChatHub {
    inner: Arc<HubInner>,
}

#[derive(Debug)]
struct HubInner {
    registry: Arc<Registry>,
    fanout: Arc<dyn Fanout>,
    room_locks: Vec<Mutex<()>>,
    send_rate: RateLimiter,
    next_conn: AtomicU64,
    shutting_down: AtomicBool,
    settings: ChatSettings,
}

impl ChatHub {
    /// A single-node hub: fan-out in process.
    pub fn local(settings: ChatSettings) -> Self {
        let registry = Arc::new(Registry::default());
        let fanout = Arc::new(LocalFanout::new(Arc::clone(&registry)));
        Self::with_fanout(settings, registry, fanout)
    }

    /// The hub the configuration asks for: fan-out over Redis when `redis_url` is set, in process
    /// otherwise. Must run inside the server's runtime (the Redis fan-out starts its tasks).
    pub fn from_config(config: &Config) -> Result<Self, RedisFanoutError> {
        let settings = ChatSettings::from_config(config);
        let Some(url) = &config.redis_url else {
            return Ok(Self::local(settings));
        };
        let registry = Arc::new(Registry::default());
        let fanout = Arc::new(RedisFanout::start(url, &config.redis_prefix, Arc::clone(&registry))?);
        Ok(Self::with_fanout(settings, registry, fanout))
    }

    /// A hub publishing through `fanout`, which must hand received events to `registry`.
    pub fn with_fanout(settings: ChatSettings, registry: Arc<Registry>, fanout: Arc<dyn Fanout>) -> Self {
        Self {
            inner: Arc::new(HubInner {
                registry,
                fanout,
                room_locks: (0..ROOM_LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
                send_rate: RateLimiter::new(settings.send_window),
                next_conn: AtomicU64::new(1),
                shutting_down: AtomicBool::new(false),
                settings,
            }),
        }
    }

    /// The settings in effect.
    pub fn settings(&self) -> &ChatSettings {
        &self.inner.settings
    }

    /// Registers a new connection of `user` writing to `socket`, with queues of the configured size.
    pub fn register(&self, user: UserId, socket: tokio::net::TcpStream) -> Registration {
        let mailbox = Arc::new(Mailbox::new(socket, self.inner.settings.queue_frames));
        let conn = ConnId(self.inner.next_conn.fetch_add(1, Ordering::Relaxed));
        self.inner.registry.connect(user, conn, Arc::clone(&mailbox));
        // Checked after connecting: a shutdown that began meanwhile has alerted it, or is seen here.
        if self.inner.shutting_down.load(Ordering::Acquire) {
            mailbox.raise(Alerts::SHUTDOWN);
        }
        Registration { conn, mailbox }
    }

    /// Forgets connection `conn` of `user` (its room subscriptions are left one by one with
    /// [`ChatHub::leave`]).
    pub fn unregister(&self, user: UserId, conn: ConnId) {
        self.inner.registry.disconnect(user, conn);
    }

    /// Tells every connection of `user`, on every node, that the student's rooms may have changed (a
    /// timetable edit): each re-reads its rooms, subscribes to new ones and leaves those it lost.
    /// Never blocks; call it after the change is committed, so that the re-read sees it.
    pub fn membership_changed(&self, user: UserId) {
        self.inner.fanout.membership_changed(user);
    }

    /// Subscribes `registration` of `user` to `room`, announcing the user online there if this is
    /// their first connection in it.
    pub fn join(&self, room: RoomId, user: UserId, registration: &Registration) {
        let subscriber = Subscriber { conn: registration.conn, user, mailbox: Arc::clone(&registration.mailbox) };
        if self.inner.registry.subscribe(room, subscriber) {
            self.publish_presence(room, user, true);
        }
    }

    /// Unsubscribes connection `conn` of `user` from `room`, announcing the user offline there if it
    /// was their last connection in it.
    pub fn leave(&self, room: RoomId, user: UserId, conn: ConnId) {
        if self.inner.registry.unsubscribe(room, conn, user) {
            self.publish_presence(room, user, false);
        }
    }

    fn publish_presence(&self, room_id: RoomId, user_id: UserId, online: bool) {
        let frame = ServerFrame::Presence { room_id, user_id, online };
        self.publish(RoomEvent::new(room_id, EventKind::Ephemeral, Audience::AllBut(user_id), None, &frame));
    }

    /// Publishes `event` to the room's subscribers on every node.
    pub fn publish(&self, event: Arc<RoomEvent>) {
        self.inner.fanout.publish(event);
    }

    /// Publishes `message` in the frame `frame` makes of it: the author's connections get it whole,
    /// everyone else's [as they may see it](seen_by).
    pub fn publish_message(&self, kind: EventKind, message: &ChatMessage, frame: fn(ChatMessage) -> ServerFrame) {
        let (room, author) = (message.room_id, message.author_id);
        let own = frame(message.clone());
        self.publish(RoomEvent::new(room, kind, Audience::Only(author), Some(author), &own));
        let others = frame(seen_by(message.clone(), None));
        self.publish(RoomEvent::new(room, kind, Audience::AllBut(author), Some(author), &others));
    }

    /// The users connected to `room`: on this node, and on the others as their last presence
    /// snapshot had them (see [`redis`]).
    pub fn online_users(&self, room: RoomId) -> std::collections::HashSet<UserId> {
        let mut online = self.inner.registry.online_users(room);
        online.extend(self.inner.fanout.online_elsewhere(room));
        online
    }

    /// The lock that orders storing and publishing in `room` on this node (one of a fixed set of
    /// stripes, so it costs no memory per room).
    pub fn room_lock(&self, room: RoomId) -> &Mutex<()> {
        let stripe = usize::try_from(room.0.unsigned_abs() % ROOM_LOCK_STRIPES as u64).unwrap_or(0);
        &self.inner.room_locks[stripe]
    }

    /// Counts one send of `user`; `Err(retry_after)` when the student is over the send rate.
    pub fn check_send_rate(&self, user: UserId) -> Result<(), Duration> {
        let key = user.0.to_string();
        let now = Instant::now();
        self.inner.send_rate.check(&key, self.inner.settings.send_limit, now)?;
        self.inner.send_rate.record(&key, now);
        Ok(())
    }

    /// Tells every connection to close with "going away", those that open from now on too.
    pub fn shut_down(&self) {
        self.inner.shutting_down.store(true, Ordering::Release);
        self.inner.registry.alert_all(Alerts::SHUTDOWN);
    }
}
