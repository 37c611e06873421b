//! The chat connection task: one WebSocket to the backend while a student is signed in, kept up with
//! exponential backoff and full jitter, and everything it reads turned into cache writes and events.
//!
//! Each connection says hello with the cache's resume cursors, stores the welcome's rooms, the
//! replay and the live stream, and once synced sends the outbox's chat messages: per room one at a
//! time, the next only after the previous one's ack or refusal, so the server stores them in the
//! order they were written. A message in flight when the connection drops stays waiting and is
//! resent with the same `client_msg_id` after the next sync; the server answers a resend with the
//! original ack. Tokens are refreshed through the client's one refresh path.

use super::{ChatState, Failure, HistoryWaiter, QueuedMessage};
use crate::cache::{decode, encode};
use crate::client::Client;
use crate::error::ClientError;
use crate::http::CONNECT_TIMEOUT;
use crate::outbox::{EntryState, QUEUE_CHAT};
use crate::tokens::Tokens;
use futures_util::{SinkExt, StreamExt};
use pretzel_api::chat::{CLOSE_SESSION_REVOKED, CLOSE_TOKEN_EXPIRED, WS_PATH};
use pretzel_api::shell::chat::{ChatEvent, ChatLine, ConnectionState};
use pretzel_api::shell::{CommandError, CommandErrorKind, SessionChanged};
use pretzel_api::{ChatError, ChatErrorCode, ChatMessage, ClientFrame, RoomId, ServerFrame, UserId};
use rand::Rng;
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Ceiling of the first reconnect pause; it doubles with every failed attempt in a row.
pub const BACKOFF_MIN: Duration = Duration::from_millis(500);
/// Ceiling of the reconnect pause.
pub const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Silence tolerated before the welcome says how often the server pings.
const SILENCE_BEFORE_WELCOME: Duration = Duration::from_secs(30);
/// How often a connection looks at the outbox without being woken (a pause after a refusal ends).
const SEND_TICK: Duration = Duration::from_secs(1);
/// Pause before resending after a retryable refusal that names no delay.
const RETRY_PAUSE: Duration = Duration::from_secs(2);
/// Longest wait for the socket to take one frame.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a connection (or an attempt at one) ended.
#[derive(Debug)]
enum Ending {
    /// Nobody is signed in.
    SignedOut,
    /// Someone signed in or out meanwhile: start over at once.
    SessionChanged,
    /// The backend URL changed: connect to the new one at once.
    BackendChanged,
    /// The server refused the upgrade's token: refresh it, then try again after the usual pause.
    Unauthorized(Tokens),
    /// The server closed because the token expired: refresh it and reconnect at once.
    TokenExpired(Tokens),
    /// The server closed because the session is gone: confirm through a refresh (which ends it).
    SessionRevoked(Tokens),
    /// The connection could not be opened or dropped.
    Dropped {
        /// It got as far as a welcome (the backoff starts over).
        welcomed: bool,
        /// For the log.
        reason: String,
    },
}

/// What one open connection tracks.
struct Live {
    tokens: Tokens,
    welcomed: bool,
    synced: bool,
    silence_limit: Duration,
    last_heard: Instant,
    /// Per room, the `client_msg_id` sent and not yet acked or refused.
    in_flight: HashMap<RoomId, String>,
    /// No sends before this (a rate limit or a server failure).
    hold_until: Option<Instant>,
    /// Lines replayed before `synced`, announced together when it comes.
    replayed: HashMap<RoomId, Vec<ChatLine>>,
    /// Frames to write after the current one is handled.
    to_send: Vec<ClientFrame>,
    /// Kept so the link's channel stays open; handed to the state once synced.
    link: mpsc::UnboundedSender<ClientFrame>,
}

impl Client {
    /// The chat connection's loop, run for the life of the app (the shell spawns it next to
    /// [`Client::run_outbox`]). Connects while a student is signed in, reconnects after a pause of
    /// up to [`BACKOFF_MIN`] doubling to [`BACKOFF_MAX`] (full jitter; back to the start after a
    /// welcome), and starts over at once whenever someone signs in or out.
    pub async fn run_chat(&self) {
        let mut session = self.subscribe_session();
        let mut attempt: u32 = 0;
        loop {
            if !self.is_signed_in() {
                self.inner.chat.set_connection(ConnectionState::SignedOut);
                if matches!(session.recv().await, Err(broadcast::error::RecvError::Closed)) {
                    return;
                }
                attempt = 0;
                continue;
            }
            if attempt == 0 {
                self.inner.chat.set_connection(ConnectionState::Connecting);
            }
            let ending = self.connect_once(&mut session).await;
            self.inner.chat.set_link(None);
            self.inner.chat.drop_waiters();
            tracing::debug!(?ending, "chat connection ended");
            match ending {
                Ending::SignedOut | Ending::SessionChanged => {
                    self.inner.chat.forget_student();
                    attempt = 0;
                    continue;
                }
                Ending::BackendChanged => {
                    attempt = 0;
                    continue;
                }
                Ending::TokenExpired(tokens) | Ending::SessionRevoked(tokens) => match self.refresh(&tokens).await {
                    Ok(_) => {
                        attempt = 0;
                        continue;
                    }
                    Err(error) if !error.is_offline() && !self.is_signed_in() => continue,
                    Err(error) => tracing::info!(%error, "could not refresh the chat token"),
                },
                Ending::Unauthorized(tokens) => {
                    if let Err(error) = self.refresh(&tokens).await {
                        tracing::info!(%error, "could not refresh the chat token");
                    }
                }
                Ending::Dropped { welcomed, reason } => {
                    tracing::info!(%reason, "chat connection lost");
                    if welcomed {
                        attempt = 0;
                    }
                }
            }
            attempt = attempt.saturating_add(1);
            let pause = backoff(attempt, rand::thread_rng().r#gen::<f64>());
            let retry_in_secs = u32::try_from(pause.as_millis().div_ceil(1000)).unwrap_or(u32::MAX);
            self.inner.chat.set_connection(ConnectionState::Reconnecting { attempt, retry_in_secs });
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                change = session.recv() => {
                    if matches!(change, Err(broadcast::error::RecvError::Closed)) {
                        return;
                    }
                    attempt = 0;
                }
                () = self.inner.chat.backend_changed.notified() => attempt = 0,
            }
        }
    }

    /// Opens one connection and serves it until it ends.
    async fn connect_once(&self, session: &mut broadcast::Receiver<SessionChanged>) -> Ending {
        let Some(tokens) = self.access_tokens() else { return Ending::SignedOut };
        let request = match ws_request(&self.settings().backend_url, &tokens.access_token) {
            Ok(request) => request,
            Err(reason) => return Ending::Dropped { welcomed: false, reason },
        };
        let mut ws = match tokio::time::timeout(CONNECT_TIMEOUT, connect(request)).await {
            Ok(Ok((ws, _))) => ws,
            Ok(Err(tungstenite::Error::Http(response))) if response.status() == StatusCode::UNAUTHORIZED => {
                return Ending::Unauthorized(tokens);
            }
            Ok(Err(error)) => return Ending::Dropped { welcomed: false, reason: error.to_string() },
            Err(_) => return Ending::Dropped { welcomed: false, reason: "connecting timed out".into() },
        };
        let resume = match self.inner.cache.chat_cursors() {
            Ok(resume) => resume,
            Err(error) => {
                tracing::warn!(%error, "could not read the chat cursors; resuming nothing");
                Vec::new()
            }
        };
        if let Err(ending) = write(&mut ws, &ClientFrame::Hello { resume }).await {
            return ending;
        }
        let (link, mut outgoing) = mpsc::unbounded_channel();
        let mut live = Live {
            tokens,
            welcomed: false,
            synced: false,
            silence_limit: SILENCE_BEFORE_WELCOME,
            last_heard: Instant::now(),
            in_flight: HashMap::new(),
            hold_until: None,
            replayed: HashMap::new(),
            to_send: Vec::new(),
            link,
        };
        let mut tick = tokio::time::interval(SEND_TICK);
        loop {
            let deadline = live.last_heard + live.silence_limit;
            tokio::select! {
                message = ws.next() => {
                    if let Err(ending) = self.on_socket(&mut live, message) {
                        return ending;
                    }
                }
                Some(frame) = outgoing.recv() => live.to_send.push(frame),
                _ = session.recv() => {
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, ws.close(None)).await;
                    return Ending::SessionChanged;
                }
                () = self.inner.chat.backend_changed.notified() => {
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, ws.close(None)).await;
                    return Ending::BackendChanged;
                }
                () = self.inner.chat.send_wakeup.notified() => {}
                _ = tick.tick() => {}
                () = tokio::time::sleep_until(deadline) => {
                    return Ending::Dropped { welcomed: live.welcomed, reason: "the server went silent".into() };
                }
            }
            if live.synced {
                self.queue_next_sends(&mut live);
            }
            for frame in std::mem::take(&mut live.to_send) {
                if let Err(ending) = write(&mut ws, &frame).await {
                    return match ending {
                        Ending::Dropped { reason, .. } => Ending::Dropped { welcomed: live.welcomed, reason },
                        other => other,
                    };
                }
            }
        }
    }

    /// Handles what the socket yielded; `Err` ends the connection.
    fn on_socket(&self, live: &mut Live, message: Option<Result<Message, tungstenite::Error>>) -> Result<(), Ending> {
        let dropped = |reason: String| Ending::Dropped { welcomed: live.welcomed, reason };
        let message = match message {
            Some(Ok(message)) => message,
            Some(Err(error)) => return Err(dropped(error.to_string())),
            None => return Err(dropped("the connection closed".into())),
        };
        live.last_heard = Instant::now();
        let text = match &message {
            Message::Text(text) => text.as_str(),
            Message::Binary(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => return Ok(()),
            },
            Message::Close(close) => {
                let code = close.as_ref().map(|close| u16::from(close.code));
                return Err(match code {
                    Some(CLOSE_TOKEN_EXPIRED) => Ending::TokenExpired(live.tokens.clone()),
                    Some(CLOSE_SESSION_REVOKED) => Ending::SessionRevoked(live.tokens.clone()),
                    _ => dropped(format!("closed by the server ({code:?})")),
                });
            }
            // tungstenite answers pings itself while the socket is read.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return Ok(()),
        };
        match serde_json::from_str::<ServerFrame>(text) {
            Ok(frame) => {
                if let Err(error) = self.on_frame(live, frame) {
                    tracing::warn!(%error, "could not apply a chat frame");
                }
            }
            Err(error) => tracing::warn!(%error, "unreadable chat frame skipped"),
        }
        Ok(())
    }

    /// Applies one server frame to the cache and announces what changed.
    fn on_frame(&self, live: &mut Live, frame: ServerFrame) -> Result<(), ClientError> {
        if !self.is_signed_in() {
            // Signed out while this frame was on its way: the cache now belongs to nobody.
            return Ok(());
        }
        let chat: &ChatState = &self.inner.chat;
        match frame {
            ServerFrame::Welcome { user_id, rooms, heartbeat_secs, blocked, .. } => {
                *chat.me.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(user_id);
                *chat.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = blocked;
                live.welcomed = true;
                live.silence_limit = Duration::from_secs(u64::from(heartbeat_secs.max(1)) * 2);
                self.inner.cache.chat_save_rooms(&rooms)?;
                self.emit_rooms();
            }
            ServerFrame::Synced { rooms } => {
                for cursor in rooms {
                    self.inner.cache.chat_set_cursor(cursor.room_id, cursor.last_seq)?;
                }
                for (room_id, lines) in std::mem::take(&mut live.replayed) {
                    chat.emit(ChatEvent::Lines { room_id, lines });
                }
                live.synced = true;
                chat.set_link(Some(live.link.clone()));
                chat.set_connection(ConnectionState::Online);
                let reads =
                    std::mem::take(&mut *chat.pending_reads.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
                live.to_send.extend(reads.into_iter().map(|(room_id, seq)| ClientFrame::Read { room_id, seq }));
                self.emit_rooms();
            }
            ServerFrame::Message(message) => self.on_message(live, message, false)?,
            ServerFrame::MessageUpdated(message) => self.on_message(live, message, true)?,
            ServerFrame::Ack { client_msg_id, room_id, message_id, seq, created_at, .. } => {
                live.in_flight.retain(|_, sent| *sent != client_msg_id);
                let Some(entry) = self.inner.cache.outbox_entry_by_key(&client_msg_id)? else { return Ok(()) };
                let queued: QueuedMessage = decode("chat message", &entry.payload)?;
                let stored = match self.inner.cache.chat_message(message_id)? {
                    Some(echo) => echo,
                    None => {
                        let (author_id, author_name) = self.me().unwrap_or((UserId(0), String::new()));
                        let message = ChatMessage {
                            id: message_id,
                            room_id,
                            seq,
                            author_id,
                            author_name,
                            client_msg_id,
                            body: queued.body,
                            reply_to: queued.reply_to,
                            mentions: queued.mentions,
                            created_at,
                            edited_at: None,
                            deleted: false,
                            revision: 0,
                        };
                        self.inner.cache.chat_save_message(&message)?;
                        message
                    }
                };
                self.inner.cache.outbox_remove(entry.id)?;
                let line = self.stored_line(&stored, self.me().as_ref());
                chat.emit(ChatEvent::Lines { room_id, lines: vec![line] });
                self.emit_rooms();
            }
            ServerFrame::Error(error) => self.on_error(live, error)?,
            ServerFrame::History { room_id, messages, has_more } => {
                for message in &messages {
                    self.inner.cache.chat_save_message(message)?;
                }
                let waiter = take_waiter(&mut chat.waiters().history, room_id);
                match waiter {
                    Some(HistoryWaiter::Reply(reply)) => {
                        let _ = reply.send(Ok((messages, has_more)));
                    }
                    Some(HistoryWaiter::Event) | None => {
                        let me = self.me();
                        let lines = messages.iter().map(|message| self.stored_line(message, me.as_ref())).collect();
                        chat.emit(ChatEvent::Lines { room_id, lines });
                    }
                }
            }
            ServerFrame::Typing { room_id, user_id, display_name } => {
                chat.emit(ChatEvent::Typing { room_id, user_id, display_name });
            }
            ServerFrame::Presence { room_id, user_id, online } => {
                // The server announces only a member's first connection and last disconnection, so
                // the room list's online count follows by one each time.
                if let Some(room) = self.inner.cache.chat_room(room_id)? {
                    let mut summary = room.summary;
                    summary.online_count = if online {
                        summary.online_count.saturating_add(1).min(summary.member_count)
                    } else {
                        summary.online_count.saturating_sub(1)
                    };
                    self.inner.cache.chat_save_summary(&summary)?;
                    self.emit_rooms();
                }
                chat.emit(ChatEvent::Presence { room_id, user_id, online });
            }
            ServerFrame::ReadMarker { room_id, seq, unread } => {
                if let Some(mut room) = self.inner.cache.chat_room(room_id)? {
                    room.summary.read_seq = room.summary.read_seq.max(seq);
                    room.summary.unread = unread;
                    self.inner.cache.chat_save_summary(&room.summary)?;
                    self.emit_rooms();
                }
            }
            ServerFrame::Rooms { rooms } => {
                self.inner.cache.chat_save_rooms(&rooms)?;
                if live.synced {
                    // A room joined now streams live from its newest seq: resume from there later.
                    for room in self.inner.cache.chat_rooms()? {
                        if room.cursor.is_none() {
                            self.inner.cache.chat_set_cursor(room.summary.room_id, room.summary.last_seq)?;
                        }
                    }
                }
                self.emit_rooms();
            }
            ServerFrame::Members { room_id, members } => {
                let waiter = take_waiter(&mut chat.waiters().members, room_id);
                if let Some(reply) = waiter {
                    let _ = reply.send(Ok(members));
                }
            }
            ServerFrame::BlockList { user_ids } => {
                chat.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone_from(&user_ids);
                if let Some(reply) = chat.waiters().block_lists.pop_front() {
                    let _ = reply.send(Ok(user_ids));
                }
            }
            ServerFrame::Reported { message_id } => {
                let waiter = take_waiter(&mut chat.waiters().reports, message_id);
                if let Some(reply) = waiter {
                    let _ = reply.send(Ok(()));
                }
            }
            ServerFrame::Pong { .. } | ServerFrame::TokenExpired => {}
        }
        Ok(())
    }

    /// Stores a message (new, replayed or updated), moves the room's cursor and summary, settles the
    /// student's own pending copy, and announces it.
    fn on_message(&self, live: &mut Live, message: ChatMessage, update: bool) -> Result<(), ClientError> {
        self.inner.cache.chat_save_message(&message)?;
        let me = self.me();
        let mine = me.as_ref().is_some_and(|(id, _)| *id == message.author_id);
        if mine && !update {
            // The ack may have been lost with a connection: the echo settles the pending copy too.
            if let Some(entry) = self.inner.cache.outbox_entry_by_key(&message.client_msg_id)?
                && entry.queue == QUEUE_CHAT
            {
                self.inner.cache.outbox_remove(entry.id)?;
                live.in_flight.retain(|_, sent| *sent != message.client_msg_id);
            }
        }
        let room = self.inner.cache.chat_room(message.room_id)?;
        let mut room_changed = false;
        if let Some(room) = &room {
            if !update && room.cursor.is_some_and(|cursor| message.seq > cursor) {
                self.inner.cache.chat_set_cursor(message.room_id, message.seq)?;
            }
            let mut summary = room.summary.clone();
            if !update && message.seq > summary.last_seq {
                summary.last_seq = message.seq;
                summary.last_message = Some(message.clone());
                if !mine && !message.deleted {
                    summary.unread = summary.unread.saturating_add(1);
                }
                room_changed = true;
            } else if let Some(last) = &summary.last_message
                && last.id == message.id
                && last.revision < message.revision
            {
                summary.last_message = Some(message.clone());
                room_changed = true;
            }
            if room_changed {
                self.inner.cache.chat_save_summary(&summary)?;
            }
        }
        let line = self.stored_line(&message, me.as_ref());
        if !live.synced {
            live.replayed.entry(message.room_id).or_default().push(line);
            return Ok(());
        }
        self.inner.chat.emit(ChatEvent::Lines { room_id: message.room_id, lines: vec![line.clone()] });
        if room_changed {
            self.emit_rooms();
        }
        if let Some(room) = room
            && !mine
            && !update
        {
            let incoming = super::IncomingMessage { line, course_code: room.summary.course_code, muted: room.muted };
            let _ = self.inner.chat.incoming.send(incoming);
        }
        Ok(())
    }

    /// A refusal: of a send (kept waiting when retrying can help, else failed), or of a request
    /// waiting for its answer.
    fn on_error(&self, live: &mut Live, error: ChatError) -> Result<(), ClientError> {
        let chat = &self.inner.chat;
        if let Some(client_msg_id) = &error.client_msg_id {
            live.in_flight.retain(|_, sent| sent != client_msg_id);
            if error.code.is_retryable() {
                let pause = error.retry_after_secs.map_or(RETRY_PAUSE, |secs| Duration::from_secs(u64::from(secs)));
                live.hold_until = Some(Instant::now() + pause);
                return Ok(());
            }
            let Some(entry) = self.inner.cache.outbox_entry_by_key(client_msg_id)? else { return Ok(()) };
            let mut queued: QueuedMessage = decode("chat message", &entry.payload)?;
            queued.failure = Some(Failure { code: error.code.as_str().to_owned(), message: error.message.clone() });
            self.inner.cache.outbox_set_payload(entry.id, &encode("chat message", &queued)?)?;
            let refusal =
                CommandError { kind: CommandErrorKind::Server, code: None, message: error.message, fields: Vec::new() };
            self.inner.cache.outbox_fail(entry.id, &refusal)?;
            let failed = crate::outbox::OutboxEntry { state: EntryState::Failed, ..entry };
            let line = self.unsent_line(&failed, &queued, self.me().as_ref());
            chat.emit(ChatEvent::Lines { room_id: line.room_id, lines: vec![line] });
            self.emit_rooms();
            return Ok(());
        }
        let mut waiters = chat.waiters();
        if let Some(room) = error.room_id {
            if let Some(waiter) = take_waiter(&mut waiters.history, room) {
                if let HistoryWaiter::Reply(reply) = waiter {
                    let _ = reply.send(Err(error));
                }
                return Ok(());
            }
            if let Some(reply) = take_waiter(&mut waiters.members, room) {
                let _ = reply.send(Err(error));
                return Ok(());
            }
        }
        if let Some(message) = error.message_id
            && let Some(reply) = take_waiter(&mut waiters.reports, message)
        {
            let _ = reply.send(Err(error));
            return Ok(());
        }
        if matches!(error.code, ChatErrorCode::InvalidRequest | ChatErrorCode::UnknownUser)
            && error.room_id.is_none()
            && error.message_id.is_none()
            && let Some(reply) = waiters.block_lists.pop_front()
        {
            let _ = reply.send(Err(error));
            return Ok(());
        }
        drop(waiters);
        tracing::info!(code = %error.code, message = %error.message, "the chat server refused a request");
        Ok(())
    }

    /// Picks each room's oldest waiting message, unless one of that room is already in flight.
    fn queue_next_sends(&self, live: &mut Live) {
        if live.hold_until.is_some_and(|until| Instant::now() < until) {
            return;
        }
        live.hold_until = None;
        let entries = match self.inner.cache.outbox_queue_entries(QUEUE_CHAT) {
            Ok(entries) => entries,
            Err(error) => {
                tracing::warn!(%error, "could not read the chat outbox");
                return;
            }
        };
        let mut seen = HashSet::new();
        for entry in entries.into_iter().filter(|entry| entry.state == EntryState::Waiting) {
            let Ok(room) = entry.scope.parse::<i64>().map(RoomId) else { continue };
            if !seen.insert(room) || live.in_flight.contains_key(&room) {
                continue;
            }
            let queued: QueuedMessage = match decode("chat message", &entry.payload) {
                Ok(queued) => queued,
                Err(error) => {
                    tracing::warn!(%error, id = entry.id, "unreadable chat outbox entry skipped");
                    continue;
                }
            };
            live.in_flight.insert(room, entry.idempotency_key.clone());
            live.to_send.push(ClientFrame::Send {
                room_id: room,
                client_msg_id: entry.idempotency_key,
                body: queued.body,
                reply_to: queued.reply_to,
                mentions: queued.mentions,
            });
        }
    }
}

/// The upgrade request for `backend_url`'s chat endpoint with the bearer token.
fn ws_request(backend_url: &str, access_token: &str) -> Result<tungstenite::handshake::client::Request, String> {
    let base = if let Some(rest) = backend_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = backend_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        return Err(format!("`{backend_url}` is not an http(s) URL"));
    };
    let mut request =
        format!("{}{WS_PATH}", base.trim_end_matches('/')).into_client_request().map_err(|e| e.to_string())?;
    let bearer = HeaderValue::from_str(&format!("Bearer {access_token}")).map_err(|e| e.to_string())?;
    request.headers_mut().insert(header::AUTHORIZATION, bearer);
    Ok(request)
}

/// Opens the chat socket. Nagle's algorithm is off: a send or a typing frame written while the
/// previous frame is unacknowledged would otherwise wait for the server's delayed ACK.
async fn connect(
    request: tungstenite::handshake::client::Request,
) -> Result<(Socket, tungstenite::handshake::client::Response), tungstenite::Error> {
    tokio_tungstenite::connect_async_with_config(request, None, true).await
}

/// Writes one frame, giving up on a socket that takes too long.
async fn write(ws: &mut Socket, frame: &ClientFrame) -> Result<(), Ending> {
    let text =
        serde_json::to_string(frame).map_err(|error| Ending::Dropped { welcomed: false, reason: error.to_string() })?;
    match tokio::time::timeout(WRITE_TIMEOUT, ws.send(Message::text(text))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(Ending::Dropped { welcomed: false, reason: error.to_string() }),
        Err(_) => Err(Ending::Dropped { welcomed: false, reason: "writing timed out".into() }),
    }
}

/// The pause before attempt `attempt` (1 for the first retry): full jitter, a `fraction` (0 to 1)
/// of a ceiling that doubles from [`BACKOFF_MIN`] up to [`BACKOFF_MAX`].
fn backoff(attempt: u32, fraction: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    let ceiling = BACKOFF_MIN.saturating_mul(1 << doublings).min(BACKOFF_MAX);
    ceiling.mul_f64(fraction.clamp(0.0, 1.0))
}

/// Takes the oldest request waiting for an answer about `key` out of `queue`.
fn take_waiter<K: PartialEq, W>(queue: &mut VecDeque<(K, W)>, key: K) -> Option<W> {
    let at = queue.iter().position(|(waiting, _)| *waiting == key)?;
    queue.remove(at).map(|(_, waiter)| waiter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_backoff_doubles_to_its_cap_with_full_jitter() {
        assert_eq!(backoff(1, 1.0), BACKOFF_MIN);
        assert_eq!(backoff(2, 1.0), BACKOFF_MIN * 2);
        assert_eq!(backoff(4, 1.0), BACKOFF_MIN * 8);
        assert_eq!(backoff(40, 1.0), BACKOFF_MAX);
        assert_eq!(backoff(3, 0.0), Duration::ZERO);
        assert_eq!(backoff(3, 0.5), BACKOFF_MIN * 2);
    }

    #[test]
    fn test_the_socket_url_follows_the_backend_url() {
        let request = ws_request("http://127.0.0.1:8787", "tok").expect("request");
        assert_eq!(request.uri().to_string(), "ws://127.0.0.1:8787/ws");
        assert_eq!(request.headers().get(header::AUTHORIZATION).map(|v| v.as_bytes()), Some(&b"Bearer tok"[..]));
        let secure = ws_request("https://pretzel.example/", "tok").expect("request");
        assert_eq!(secure.uri().to_string(), "wss://pretzel.example/ws");
        assert!(ws_request("ftp://x", "tok").is_err());
    }
}
