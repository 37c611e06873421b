//! Course chat on the client: the commands of the shell's chat contract
//! (`pretzel_api::shell::chat`) over the offline cache, the outbox and one WebSocket.
//!
//! Reads answer from the cache ([`store`]) so they work offline. Sends go into the persisted outbox
//! ([`crate::outbox::QUEUE_CHAT`], scope = room id, idempotency key = `client_msg_id`) and come back
//! at once as pending lines; the connection task ([`connection`], run by the shell through
//! [`Client::run_chat`]) sends each room's pending messages one at a time, in order, and turns acks,
//! refusals and everything the server streams into cache writes and [`ChatEvent`]s. Requests that
//! need the server (members, block lists, history beyond the cache) travel over the same socket and
//! fail with [`ChatClientError::Offline`] while it is down.

mod connection;
pub mod notify;
pub mod store;

use crate::client::Client;
use crate::error::ClientError;
use crate::outbox::{EntryState, OutboxEntry, QUEUE_CHAT};
use pretzel_api::shell::chat::{
    ChatEvent, ChatLine, ChatRoomView, ChatRoomsView, ChatSend, ConnectionState, EditMessage, LineState, MarkRead,
    MessageArgs, MessagePage, MuteRoom, OlderMessages, PendingMessageArgs, ReplyPreview, ReportMessage, RoomArgs,
    RoomView, UserArgs,
};
use pretzel_api::shell::{CommandError, CommandErrorKind};
use pretzel_api::{ChatError, ChatErrorCode, ChatMessage, ClientFrame, MessageId, RoomId, RoomMember, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use store::StoredRoom;
use tokio::sync::{Notify, broadcast, mpsc, oneshot};

pub use notify::{Focus, IncomingMessage, NotificationBurst, NotificationText, notification_for};

/// How many chat events a slow subscriber may fall behind before it skips some.
const CHAT_EVENT_CAPACITY: usize = 1024;
/// Stored lines `chat_open_room` answers with at most (and the history page it asks for).
const OPEN_ROOM_LINES: u32 = 100;
/// Largest page `chat_older` serves.
const MAX_OLDER_PAGE: u32 = 200;
/// Largest history page the server serves.
const SERVER_HISTORY_PAGE: u32 = pretzel_api::chat::MAX_HISTORY_PAGE;
/// Longest wait for the server's answer to a request over the socket.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);
/// Length of a reply preview's excerpt, in characters.
const REPLY_EXCERPT_CHARS: usize = 120;

/// Why a chat command failed.
#[derive(Debug, thiserror::Error)]
pub enum ChatClientError {
    /// The command needs the chat connection and it is not up.
    #[error("not connected to the chat server")]
    Offline,
    /// No room with this id is cached (the student is not a member, or the list was never loaded).
    #[error("room {room} is not one of your chat rooms")]
    UnknownRoom {
        /// The room asked for.
        room: RoomId,
    },
    /// No unsent message with this `client_msg_id` in the room.
    #[error("no unsent message `{client_msg_id}` in this room")]
    UnknownPending {
        /// The id asked for.
        client_msg_id: String,
    },
    /// The text is empty or only whitespace.
    #[error("the message is empty")]
    EmptyMessage,
    /// A message still waiting to be sent (perhaps already on its way) cannot get a new text.
    #[error("the message is still being sent; only a failed message can be changed")]
    StillPending,
    /// The server refused the request.
    #[error("the chat server refused the request ({}): {}", .error.code, .error.message)]
    Refused {
        /// The server's error.
        error: ChatError,
    },
    /// The client core failed (cache, session).
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl From<ChatClientError> for CommandError {
    fn from(error: ChatClientError) -> Self {
        if let ChatClientError::Client(inner) = error {
            return inner.into();
        }
        let kind = match &error {
            ChatClientError::Client(_) => CommandErrorKind::Internal,
            ChatClientError::Offline => CommandErrorKind::Offline,
            ChatClientError::UnknownRoom { .. }
            | ChatClientError::UnknownPending { .. }
            | ChatClientError::EmptyMessage
            | ChatClientError::StillPending => CommandErrorKind::InvalidInput,
            ChatClientError::Refused { .. } => CommandErrorKind::Server,
        };
        CommandError { kind, code: None, message: error.to_string(), fields: Vec::new() }
    }
}

/// What an outbox entry of [`QUEUE_CHAT`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct QueuedMessage {
    body: String,
    #[serde(default)]
    reply_to: Option<MessageId>,
    #[serde(default)]
    mentions: Vec<UserId>,
    /// Why the server refused it for good (the entry is then `failed`).
    #[serde(default)]
    failure: Option<Failure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Failure {
    code: String,
    message: String,
}

/// Who is waiting for a history page of a room.
#[derive(Debug)]
enum HistoryWaiter {
    /// `chat_open_room`: deliver it as a `Lines` event.
    Event,
    /// `chat_older`: hand it over.
    Reply(oneshot::Sender<Result<(Vec<ChatMessage>, bool), ChatError>>),
}

type Answer<T> = oneshot::Sender<Result<T, ChatError>>;

/// Requests sent over the socket that wait for their answer, oldest first.
#[derive(Debug, Default)]
struct Waiters {
    history: VecDeque<(RoomId, HistoryWaiter)>,
    members: VecDeque<(RoomId, Answer<Vec<RoomMember>>)>,
    block_lists: VecDeque<Answer<Vec<UserId>>>,
    reports: VecDeque<(MessageId, Answer<()>)>,
}

/// Chat's share of the client, created with it and shared by every clone.
#[derive(Debug)]
pub(crate) struct ChatState {
    events: broadcast::Sender<ChatEvent>,
    incoming: broadcast::Sender<IncomingMessage>,
    connection: Mutex<ConnectionState>,
    /// Frames for the socket, while a connection is synced.
    link: Mutex<Option<mpsc::UnboundedSender<ClientFrame>>>,
    waiters: Mutex<Waiters>,
    /// Read markers set while offline, sent after the next sync.
    pending_reads: Mutex<HashMap<RoomId, u64>>,
    /// The signed-in student as the last welcome named them.
    me: Mutex<Option<UserId>>,
    /// The students the signed-in student blocks, from the last welcome or block-list answer.
    blocked: Mutex<Vec<UserId>>,
    /// Woken when a message is queued or retried, so the connection sends it at once.
    send_wakeup: Notify,
    /// Woken when the backend URL changes: the connection moves to the new server at once.
    backend_changed: Notify,
}

impl ChatState {
    pub(crate) fn new() -> Self {
        Self {
            events: broadcast::channel(CHAT_EVENT_CAPACITY).0,
            incoming: broadcast::channel(CHAT_EVENT_CAPACITY).0,
            connection: Mutex::new(ConnectionState::SignedOut),
            link: Mutex::new(None),
            waiters: Mutex::new(Waiters::default()),
            pending_reads: Mutex::new(HashMap::new()),
            me: Mutex::new(None),
            blocked: Mutex::new(Vec::new()),
            send_wakeup: Notify::new(),
            backend_changed: Notify::new(),
        }
    }

    /// The backend URL changed: reconnect to the new one now rather than after the next drop.
    pub(crate) fn backend_changed(&self) {
        self.backend_changed.notify_one();
    }

    fn emit(&self, event: ChatEvent) {
        // No subscriber (tests, a shell not yet listening) is fine.
        let _ = self.events.send(event);
    }

    fn waiters(&self) -> MutexGuard<'_, Waiters> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn connection(&self) -> ConnectionState {
        *self.connection.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set_connection(&self, state: ConnectionState) {
        let mut current = self.connection.lock().unwrap_or_else(PoisonError::into_inner);
        if *current != state {
            *current = state;
            drop(current);
            self.emit(ChatEvent::Connection { connection: state });
        }
    }

    /// Sends `frame` over the synced connection.
    fn send(&self, frame: ClientFrame) -> Result<(), ChatClientError> {
        let link = self.link.lock().unwrap_or_else(PoisonError::into_inner);
        match link.as_ref() {
            Some(sender) => sender.send(frame).map_err(|_| ChatClientError::Offline),
            None => Err(ChatClientError::Offline),
        }
    }

    fn set_link(&self, link: Option<mpsc::UnboundedSender<ClientFrame>>) {
        *self.link.lock().unwrap_or_else(PoisonError::into_inner) = link;
    }

    /// Forgets what belonged to the student who just signed out (or was replaced).
    fn forget_student(&self) {
        *self.me.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.pending_reads.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// Forgets every request waiting for an answer: their connection is gone (the waiting callers
    /// then see [`ChatClientError::Offline`]).
    fn drop_waiters(&self) {
        *self.waiters() = Waiters::default();
    }
}

impl Client {
    /// Every change the Chats tab needs to hear about; the shell forwards them as the `chat` event.
    pub fn subscribe_chat(&self) -> broadcast::Receiver<ChatEvent> {
        self.inner.chat.events.subscribe()
    }

    /// Messages from others that arrived live (after the connection caught up), for OS notifications;
    /// see [`notification_for`].
    pub fn subscribe_chat_incoming(&self) -> broadcast::Receiver<IncomingMessage> {
        self.inner.chat.incoming.subscribe()
    }

    /// The chat connection's state right now.
    pub fn chat_connection(&self) -> ConnectionState {
        self.inner.chat.connection()
    }

    /// The rooms as last seen, newest activity first, with each one's unsent messages counted.
    pub fn chat_rooms(&self) -> Result<ChatRoomsView, ChatClientError> {
        Ok(ChatRoomsView {
            rooms: self.room_views()?,
            connection: self.chat_connection(),
            me: self.me().map(|(id, _)| id),
            blocked: self.inner.chat.blocked.lock().unwrap_or_else(PoisonError::into_inner).clone(),
        })
    }

    /// A room's newest cached lines and its unsent messages. Online, when the cache lacks the newest
    /// page, it also asks the server for it; the page arrives as a `Lines` event.
    pub fn chat_open_room(&self, args: RoomArgs) -> Result<RoomView, ChatClientError> {
        let room = self.room_view(args.room_id)?;
        let messages = self.inner.cache.chat_messages_before(args.room_id, None, OPEN_ROOM_LINES)?;
        let oldest = messages.first().map(|message| message.seq);
        let lacks_newest_page = room.summary.last_seq > 0
            && u32::try_from(messages.len()).unwrap_or(u32::MAX) < OPEN_ROOM_LINES
            && oldest != Some(1);
        if lacks_newest_page {
            self.inner.chat.waiters().history.push_back((args.room_id, HistoryWaiter::Event));
            let request =
                ClientFrame::History { room_id: args.room_id, before_seq: None, limit: Some(OPEN_ROOM_LINES) };
            if self.inner.chat.send(request).is_err() {
                // Offline: the cache is all there is for now.
                self.inner.chat.waiters().history.pop_back();
            }
        }
        let me = self.me();
        let mut lines: Vec<ChatLine> = messages.iter().map(|message| self.stored_line(message, me.as_ref())).collect();
        lines.extend(self.unsent_lines(args.room_id, me.as_ref())?);
        Ok(RoomView { room, lines, has_older: oldest.is_some_and(|seq| seq > 1), connection: self.chat_connection() })
    }

    /// Messages before `before_seq`: from the cache when it holds the whole page, else from the
    /// server (online), else what the cache has.
    pub async fn chat_older(&self, args: OlderMessages) -> Result<MessagePage, ChatClientError> {
        let limit = args.limit.clamp(1, MAX_OLDER_PAGE);
        let cached = self.inner.cache.chat_messages_before(args.room_id, Some(args.before_seq), limit)?;
        let me = self.me();
        let page_of = |messages: &[ChatMessage], has_older: bool| MessagePage {
            lines: messages.iter().map(|message| self.stored_line(message, me.as_ref())).collect(),
            has_older,
        };
        let cached_has_older = cached.first().is_some_and(|message| message.seq > 1);
        if is_whole_page(&cached, args.before_seq, limit) {
            return Ok(page_of(&cached, cached_has_older));
        }
        let (sender, answer) = oneshot::channel();
        self.inner.chat.waiters().history.push_back((args.room_id, HistoryWaiter::Reply(sender)));
        let request = ClientFrame::History {
            room_id: args.room_id,
            before_seq: Some(args.before_seq),
            limit: Some(limit.min(SERVER_HISTORY_PAGE)),
        };
        if self.inner.chat.send(request).is_err() {
            self.inner.chat.waiters().history.pop_back();
            return Ok(page_of(&cached, cached_has_older));
        }
        match await_answer(answer).await {
            Ok((messages, has_more)) => Ok(page_of(&messages, has_more)),
            Err(ChatClientError::Offline) => Ok(page_of(&cached, cached_has_older)),
            Err(error) => Err(error),
        }
    }

    /// Queues a message and returns it as a pending line; the connection sends it when it can.
    pub fn chat_send(&self, args: ChatSend) -> Result<ChatLine, ChatClientError> {
        if args.body.trim().is_empty() {
            return Err(ChatClientError::EmptyMessage);
        }
        self.room_view(args.room_id)?;
        let queued = QueuedMessage { body: args.body, reply_to: args.reply_to, mentions: args.mentions, failure: None };
        let entry = self.inner.cache.outbox_push(QUEUE_CHAT, &args.room_id.to_string(), &queued)?;
        self.inner.chat.send_wakeup.notify_one();
        let line = self.unsent_line(&entry, &queued, self.me().as_ref());
        self.emit_rooms();
        Ok(line)
    }

    /// Puts a failed message back in the queue, with a corrected text when given. A changed text
    /// gets a new `client_msg_id` (the UI is told the old line is gone): the server must treat it as
    /// a new message, never as a resend of the refused one.
    pub fn chat_retry(&self, args: PendingMessageArgs) -> Result<ChatLine, ChatClientError> {
        let (entry, mut queued) = self.unsent_entry(args.room_id, &args.client_msg_id)?;
        let changed = args.body.as_ref().is_some_and(|body| *body != queued.body);
        if entry.state == EntryState::Waiting {
            if changed {
                return Err(ChatClientError::StillPending);
            }
            self.inner.chat.send_wakeup.notify_one();
            return Ok(self.unsent_line(&entry, &queued, self.me().as_ref()));
        }
        queued.failure = None;
        if let Some(body) = args.body {
            if body.trim().is_empty() {
                return Err(ChatClientError::EmptyMessage);
            }
            queued.body = body;
        }
        let new_key = changed.then(|| uuid::Uuid::new_v4().to_string());
        let payload = crate::cache::encode("chat message", &queued)?;
        let entry = self
            .inner
            .cache
            .outbox_retry(entry.id, Some(&payload), new_key.as_deref())?
            .ok_or_else(|| ChatClientError::UnknownPending { client_msg_id: args.client_msg_id.clone() })?;
        if changed {
            self.inner.chat.emit(ChatEvent::LineRemoved { room_id: args.room_id, client_msg_id: args.client_msg_id });
        }
        self.inner.chat.send_wakeup.notify_one();
        let line = self.unsent_line(&entry, &queued, self.me().as_ref());
        self.inner.chat.emit(ChatEvent::Lines { room_id: args.room_id, lines: vec![line.clone()] });
        self.emit_rooms();
        Ok(line)
    }

    /// Forgets an unsent message.
    pub fn chat_discard(&self, args: PendingMessageArgs) -> Result<(), ChatClientError> {
        let (entry, _) = self.unsent_entry(args.room_id, &args.client_msg_id)?;
        self.inner.cache.outbox_remove(entry.id)?;
        self.inner.chat.emit(ChatEvent::LineRemoved { room_id: args.room_id, client_msg_id: args.client_msg_id });
        self.emit_rooms();
        Ok(())
    }

    /// Edits one of the student's stored messages (the change arrives as a `Lines` event).
    pub fn chat_edit(&self, args: EditMessage) -> Result<(), ChatClientError> {
        if args.body.trim().is_empty() {
            return Err(ChatClientError::EmptyMessage);
        }
        self.inner.chat.send(ClientFrame::Edit { message_id: args.message_id, body: args.body })
    }

    /// Deletes one of the student's stored messages.
    pub fn chat_delete(&self, args: MessageArgs) -> Result<(), ChatClientError> {
        self.inner.chat.send(ClientFrame::Delete { message_id: args.message_id })
    }

    /// Tells the room the student is typing.
    pub fn chat_typing(&self, args: RoomArgs) -> Result<(), ChatClientError> {
        self.inner.chat.send(ClientFrame::Typing { room_id: args.room_id })
    }

    /// Marks a room read up to `seq`; offline, the marker is sent after the next sync.
    pub fn chat_mark_read(&self, args: MarkRead) -> Result<(), ChatClientError> {
        let frame = ClientFrame::Read { room_id: args.room_id, seq: args.seq };
        if self.inner.chat.send(frame).is_ok() {
            // The server answers with the read marker and the unread count.
            return Ok(());
        }
        {
            let mut reads = self.inner.chat.pending_reads.lock().unwrap_or_else(PoisonError::into_inner);
            let marker = reads.entry(args.room_id).or_default();
            *marker = (*marker).max(args.seq);
        }
        // Offline, the room list shows it read at once; the server's count follows after the sync.
        if let Some(mut room) = self.inner.cache.chat_room(args.room_id)?
            && args.seq > room.summary.read_seq
        {
            room.summary.read_seq = args.seq;
            if args.seq >= room.summary.last_seq {
                room.summary.unread = 0;
            }
            self.inner.cache.chat_save_summary(&room.summary)?;
            self.emit_rooms();
        }
        Ok(())
    }

    /// Reports a message to the moderators.
    pub async fn chat_report(&self, args: ReportMessage) -> Result<(), ChatClientError> {
        let (sender, answer) = oneshot::channel();
        self.inner.chat.waiters().reports.push_back((args.message_id, sender));
        if let Err(error) =
            self.inner.chat.send(ClientFrame::Report { message_id: args.message_id, reason: args.reason })
        {
            self.inner.chat.waiters().reports.pop_back();
            return Err(error);
        }
        await_answer(answer).await
    }

    /// The room's members with their presence, from the server.
    pub async fn chat_members(&self, args: RoomArgs) -> Result<Vec<RoomMember>, ChatClientError> {
        let (sender, answer) = oneshot::channel();
        self.inner.chat.waiters().members.push_back((args.room_id, sender));
        if let Err(error) = self.inner.chat.send(ClientFrame::Members { room_id: args.room_id }) {
            self.inner.chat.waiters().members.pop_back();
            return Err(error);
        }
        await_answer(answer).await
    }

    /// Blocks a student; answers everyone blocked.
    pub async fn chat_block(&self, args: UserArgs) -> Result<Vec<UserId>, ChatClientError> {
        self.block_list_request(ClientFrame::Block { user_id: args.user_id }).await
    }

    /// Unblocks a student; answers everyone still blocked.
    pub async fn chat_unblock(&self, args: UserArgs) -> Result<Vec<UserId>, ChatClientError> {
        self.block_list_request(ClientFrame::Unblock { user_id: args.user_id }).await
    }

    /// Mutes or unmutes a room's notifications (kept on this device).
    pub fn chat_set_muted(&self, args: MuteRoom) -> Result<ChatRoomView, ChatClientError> {
        if !self.inner.cache.chat_set_muted(args.room_id, args.muted)? {
            return Err(ChatClientError::UnknownRoom { room: args.room_id });
        }
        self.emit_rooms();
        self.room_view(args.room_id)
    }

    async fn block_list_request(&self, frame: ClientFrame) -> Result<Vec<UserId>, ChatClientError> {
        let (sender, answer) = oneshot::channel();
        self.inner.chat.waiters().block_lists.push_back(sender);
        if let Err(error) = self.inner.chat.send(frame) {
            self.inner.chat.waiters().block_lists.pop_back();
            return Err(error);
        }
        await_answer(answer).await
    }

    /// The signed-in student's id and name: the cached profile, else the last welcome's id.
    fn me(&self) -> Option<(UserId, String)> {
        if let Some(me) = self.cached_me() {
            return Some((me.id, me.display_name));
        }
        let welcomed = *self.inner.chat.me.lock().unwrap_or_else(PoisonError::into_inner);
        welcomed.filter(|_| self.is_signed_in()).map(|id| (id, String::new()))
    }

    fn room_views(&self) -> Result<Vec<ChatRoomView>, ChatClientError> {
        let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
        for entry in self.inner.cache.outbox_queue_entries(QUEUE_CHAT)? {
            let count = counts.entry(entry.scope).or_default();
            match entry.state {
                EntryState::Waiting => count.0 += 1,
                EntryState::Failed => count.1 += 1,
            }
        }
        let mut rooms: Vec<ChatRoomView> = self
            .inner
            .cache
            .chat_rooms()?
            .into_iter()
            .map(|room| {
                let (pending, failed) = counts.get(&room.summary.room_id.to_string()).copied().unwrap_or_default();
                ChatRoomView { summary: room.summary, muted: room.muted, pending, failed }
            })
            .collect();
        // Stable: rooms without messages keep the server's order, after the others.
        rooms.sort_by_key(|room| {
            std::cmp::Reverse(room.summary.last_message.as_ref().map(|message| message.created_at))
        });
        Ok(rooms)
    }

    fn room_view(&self, room: RoomId) -> Result<ChatRoomView, ChatClientError> {
        let Some(StoredRoom { summary, muted, .. }) = self.inner.cache.chat_room(room)? else {
            return Err(ChatClientError::UnknownRoom { room });
        };
        let (mut pending, mut failed) = (0, 0);
        for entry in self.inner.cache.outbox_entries(QUEUE_CHAT, &room.to_string())? {
            match entry.state {
                EntryState::Waiting => pending += 1,
                EntryState::Failed => failed += 1,
            }
        }
        Ok(ChatRoomView { summary, muted, pending, failed })
    }

    fn emit_rooms(&self) {
        match self.room_views() {
            Ok(rooms) => self.inner.chat.emit(ChatEvent::Rooms { rooms }),
            Err(error) => tracing::warn!(%error, "could not read the chat rooms"),
        }
    }

    /// The outbox entry of an unsent message of `room`, with its payload.
    fn unsent_entry(&self, room: RoomId, client_msg_id: &str) -> Result<(OutboxEntry, QueuedMessage), ChatClientError> {
        let unknown = || ChatClientError::UnknownPending { client_msg_id: client_msg_id.to_owned() };
        let entry = self.inner.cache.outbox_entry_by_key(client_msg_id)?.ok_or_else(unknown)?;
        if entry.queue != QUEUE_CHAT || entry.scope != room.to_string() {
            return Err(unknown());
        }
        let queued = crate::cache::decode("chat message", &entry.payload)?;
        Ok((entry, queued))
    }

    /// The room's pending and failed lines, in the order they were written.
    fn unsent_lines(&self, room: RoomId, me: Option<&(UserId, String)>) -> Result<Vec<ChatLine>, ChatClientError> {
        let mut lines = Vec::new();
        for entry in self.inner.cache.outbox_entries(QUEUE_CHAT, &room.to_string())? {
            match crate::cache::decode::<QueuedMessage>("chat message", &entry.payload) {
                Ok(queued) => lines.push(self.unsent_line(&entry, &queued, me)),
                Err(error) => tracing::warn!(%error, id = entry.id, "unreadable chat outbox entry skipped"),
            }
        }
        Ok(lines)
    }

    fn unsent_line(&self, entry: &OutboxEntry, queued: &QueuedMessage, me: Option<&(UserId, String)>) -> ChatLine {
        let state = match (&queued.failure, entry.state) {
            (Some(failure), _) => LineState::Failed { code: failure.code.clone(), message: failure.message.clone() },
            (None, EntryState::Failed) => LineState::Failed {
                code: ChatErrorCode::Unknown.as_str().to_owned(),
                message: entry.error.as_ref().map(|error| error.message.clone()).unwrap_or_default(),
            },
            (None, EntryState::Waiting) => LineState::Pending,
        };
        let (author_id, author_name) = me.cloned().unwrap_or((UserId(0), String::new()));
        ChatLine {
            client_msg_id: entry.idempotency_key.clone(),
            message_id: None,
            seq: None,
            room_id: RoomId(entry.scope.parse().unwrap_or_default()),
            author_id,
            author_name,
            body: queued.body.clone(),
            reply_to: queued.reply_to,
            reply_preview: queued.reply_to.and_then(|id| self.reply_preview(id)),
            mentions: queued.mentions.clone(),
            mentions_me: false,
            created_at: entry.created_at,
            edited: false,
            deleted: false,
            revision: 0,
            mine: true,
            state,
        }
    }

    fn stored_line(&self, message: &ChatMessage, me: Option<&(UserId, String)>) -> ChatLine {
        let me = me.map(|(id, _)| *id);
        let mine = me == Some(message.author_id);
        ChatLine {
            client_msg_id: if mine { message.client_msg_id.clone() } else { format!("#{}", message.id.0) },
            message_id: Some(message.id),
            seq: Some(message.seq),
            room_id: message.room_id,
            author_id: message.author_id,
            author_name: message.author_name.clone(),
            body: message.body.clone(),
            reply_to: message.reply_to,
            reply_preview: message.reply_to.and_then(|id| self.reply_preview(id)),
            mentions: message.mentions.clone(),
            mentions_me: me.is_some_and(|me| message.mentions.contains(&me)),
            created_at: message.created_at,
            edited: message.edited_at.is_some(),
            deleted: message.deleted,
            revision: message.revision,
            mine,
            state: LineState::Sent,
        }
    }

    fn reply_preview(&self, id: MessageId) -> Option<ReplyPreview> {
        let quoted = self.inner.cache.chat_message(id).ok().flatten()?;
        Some(ReplyPreview {
            author_name: quoted.author_name,
            excerpt: if quoted.deleted {
                String::new()
            } else {
                quoted.body.chars().take(REPLY_EXCERPT_CHARS).collect()
            },
            deleted: quoted.deleted,
        })
    }
}

/// `true` when `cached` (oldest first) is the whole page of `limit` messages just before
/// `before_seq`, with no seq missing (or reaching back to the room's first message).
fn is_whole_page(cached: &[ChatMessage], before_seq: u64, limit: u32) -> bool {
    let (Some(first), Some(last)) = (cached.first(), cached.last()) else { return false };
    let contiguous = last.seq + 1 == before_seq && cached.windows(2).all(|pair| pair[0].seq + 1 == pair[1].seq);
    contiguous && (u32::try_from(cached.len()).unwrap_or(u32::MAX) >= limit || first.seq == 1)
}

/// Waits for the server's answer; a dropped connection or silence reads as offline.
async fn await_answer<T>(answer: oneshot::Receiver<Result<T, ChatError>>) -> Result<T, ChatClientError> {
    match tokio::time::timeout(ANSWER_TIMEOUT, answer).await {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(error))) => Err(ChatClientError::Refused { error }),
        Ok(Err(_)) | Err(_) => Err(ChatClientError::Offline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn message(seq: u64) -> ChatMessage {
        ChatMessage {
            id: MessageId(i64::try_from(seq).expect("small")),
            room_id: RoomId(1),
            seq,
            author_id: UserId(1),
            author_name: "Ana".into(),
            client_msg_id: format!("c-{seq}"),
            body: "hi".into(),
            reply_to: None,
            mentions: vec![],
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            edited_at: None,
            deleted: false,
            revision: 0,
        }
    }

    #[test]
    fn test_a_cached_page_counts_only_when_whole_and_contiguous() {
        let page = |seqs: &[u64]| seqs.iter().copied().map(message).collect::<Vec<_>>();
        assert!(is_whole_page(&page(&[4, 5, 6]), 7, 3));
        assert!(is_whole_page(&page(&[1, 2]), 3, 50), "reaches the first message");
        assert!(!is_whole_page(&page(&[4, 6]), 7, 2), "a gap");
        assert!(!is_whole_page(&page(&[3, 4]), 7, 2), "does not end right before");
        assert!(!is_whole_page(&page(&[5, 6]), 7, 3), "too short");
        assert!(!is_whole_page(&[], 7, 3));
    }

    #[test]
    fn test_chat_errors_map_to_the_command_error_kinds() {
        assert_eq!(CommandError::from(ChatClientError::Offline).kind, CommandErrorKind::Offline);
        assert_eq!(CommandError::from(ChatClientError::EmptyMessage).kind, CommandErrorKind::InvalidInput);
        assert_eq!(
            CommandError::from(ChatClientError::Client(ClientError::NotSignedIn)).kind,
            CommandErrorKind::NotSignedIn
        );
    }
}
