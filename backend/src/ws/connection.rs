//! One chat connection: a single task that reads the client's frames, answers them, forwards live
//! room events in order, pings, and closes the socket with a reason when the token expires, the
//! session ends, the client goes silent, falls too far behind, or the server shuts down.
//!
//! Ordering lives here. For every subscribed room the connection remembers the last seq it sent. A
//! live message at or below it is a repeat (already replayed) and is dropped; one above the next
//! expected seq means events were missed or reordered on the way, and the gap is read from storage
//! before it. That is what makes resume exact: the connection subscribes first, then replays from
//! storage, and the live events that queued meanwhile fall on one side of that mark or the other.
//!
//! Membership follows the student's primary timetables. The connection re-reads its rooms when a
//! timetable edit fires its membership signal (on whichever node the edit was made), when the
//! fan-out may have lost events (that signal among them), when the client asks for the room list,
//! and on every heartbeat as a backstop.

use super::frames::{self, Refusal};
use crate::auth::AuthSession;
use crate::chat::registry::{Alerts, ConnId, Mailbox};
use crate::chat::{Audience, ChatHub, EventKind, Registration, RoomEvent, frame_text};
use crate::db::DbError;
use crate::db::chat::{NewMessage, RoomAccess, StoreOutcome, UpdateOutcome};
use crate::state::AppState;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use pretzel_api::chat::{
    CLOSE_FRAME_TOO_LARGE, CLOSE_GOING_AWAY, CLOSE_HEARTBEAT_TIMEOUT, CLOSE_INTERNAL_ERROR, CLOSE_INVALID_UTF8,
    CLOSE_SESSION_REVOKED, CLOSE_TOKEN_EXPIRED, CLOSE_TOO_SLOW, MAX_FRAME_BYTES, MAX_REPORT_REASON_CHARS,
};
use pretzel_api::{
    ChatError, ChatErrorCode, ChatMessage, ClientFrame, MessageId, RoomCursor, RoomId, RoomMember, RoomSummary,
    ServerFrame, UserId,
};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use tokio::time::Instant;

/// Messages read per storage round trip while replaying.
const REPLAY_PAGE: u32 = 500;
/// Longest wait for one frame to be taken by the client's socket.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closing connection waits for the client's close reply.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Why the connection loop stopped.
#[derive(Debug)]
enum End {
    /// Close the socket with this code and reason.
    Close(u16, &'static str),
    /// The client is gone (closed, reset, or a write failed): nothing more to send.
    Gone,
}

/// A failed write ends the connection; everything else is answered on it.
type Step = Result<(), End>;

/// The rooms this connection is subscribed to, with the last seq sent in each; unsubscribes from
/// all of them, and unregisters the connection, when dropped, however the connection ends.
struct Subscriptions {
    hub: ChatHub,
    user: UserId,
    conn: ConnId,
    rooms: HashMap<RoomId, u64>,
}

impl Drop for Subscriptions {
    fn drop(&mut self) {
        for room in self.rooms.keys() {
            self.hub.leave(*room, self.user, self.conn);
        }
        self.hub.unregister(self.user, self.conn);
    }
}

struct Connection {
    state: AppState,
    hub: ChatHub,
    session: AuthSession,
    display_name: String,
    registration: Registration,
    subs: Subscriptions,
    /// The students this one blocks: their messages and typing are not sent here.
    blocked: HashSet<UserId>,
    greeted: bool,
    last_heard: Instant,
}

/// Serves one upgraded socket until it closes.
///
/// This future lives as long as the connection, so every step that is not the loop itself runs
/// boxed: inline, the compiler gave each of them a slot of its own beside the loop's, and an idle
/// connection kept 4.4 KiB of future instead of the 1.4 KiB its loop needs.
pub async fn serve(mut socket: WebSocket, state: AppState, session: AuthSession) {
    let hub = state.chat.clone();
    let display_name = match Box::pin(state.db.user_by_id(session.user_id)).await {
        Ok(Some(user)) => user.display_name,
        Ok(None) => {
            Box::pin(close(&mut socket, CLOSE_SESSION_REVOKED, "session_revoked")).await;
            return;
        }
        Err(error) => {
            tracing::error!(%error, "chat connection could not load its user");
            Box::pin(close(&mut socket, CLOSE_INTERNAL_ERROR, "internal")).await;
            return;
        }
    };
    let registration = hub.register(session.user_id);
    let subs =
        Subscriptions { hub: hub.clone(), user: session.user_id, conn: registration.conn, rooms: HashMap::new() };
    let mut connection = Connection {
        state,
        hub,
        session,
        display_name,
        registration,
        subs,
        blocked: HashSet::new(),
        greeted: false,
        last_heard: Instant::now(),
    };
    tracing::debug!(user = %session.user_id, conn = connection.registration.conn.0, "chat connection open");
    let run = Box::pin(connection.run(&mut socket));
    if let End::Close(code, reason) = run.await {
        Box::pin(async {
            close(&mut socket, code, reason).await;
            finish_close(&mut socket, code).await;
        })
        .await;
    }
    tracing::debug!(user = %session.user_id, conn = connection.registration.conn.0, "chat connection closed");
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
    // The client may already be gone; there is nobody left to tell.
    let _ = write(socket, Message::Close(Some(frame))).await;
}

/// Waits (briefly) for the client to answer the close. Dropping a socket with unread input resets the
/// connection, and a reset can discard the close frame before the client reads it.
async fn finish_close(socket: &mut WebSocket, code: u16) {
    if code == CLOSE_FRAME_TOO_LARGE {
        // Reading on would read the oversized frame after all: give the client a moment instead.
        tokio::time::sleep(CLOSE_GRACE / 2).await;
        return;
    }
    let _ = tokio::time::timeout(CLOSE_GRACE, async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

async fn send(socket: &mut WebSocket, frame: &ServerFrame) -> Step {
    write(socket, Message::Text(frame_text(frame))).await
}

/// Writes one frame and flushes it.
async fn write(socket: &mut WebSocket, message: Message) -> Step {
    bounded(socket.send(message)).await
}

/// Queues one frame in the socket's write buffer, which goes out when it fills or at the next
/// [`flush`]: a connection woken for several live events writes them with one syscall.
async fn feed(socket: &mut WebSocket, message: Message) -> Step {
    bounded(SinkExt::feed(socket, message)).await
}

/// Writes out what [`feed`] queued.
async fn flush(socket: &mut WebSocket) -> Step {
    bounded(SinkExt::flush(socket)).await
}

/// Runs one write. A write can only wait when the client stopped reading and the socket's buffers
/// are full; waiting longer than [`WRITE_TIMEOUT`] would pin this task (and its heartbeat) to a dead
/// reader, so the connection is dropped instead and the client resumes when it comes back.
///
/// Almost every write finishes at once, into the kernel's socket buffer; only one that has to wait
/// gets the timer, which would otherwise be armed and dropped once per delivery.
async fn bounded(writing: impl Future<Output = Result<(), axum::Error>>) -> Step {
    let mut writing = std::pin::pin!(writing);
    let first_try = std::future::poll_fn(|cx| Poll::Ready(writing.as_mut().poll(cx))).await;
    let written = match first_try {
        Poll::Ready(written) => written,
        Poll::Pending => tokio::time::timeout(WRITE_TIMEOUT, writing).await.map_err(|_| End::Gone)?,
    };
    written.map_err(|_| End::Gone)
}

async fn send_error(socket: &mut WebSocket, error: ChatError) -> Step {
    send(socket, &ServerFrame::Error(error)).await
}

fn not_member(refusal: &Refusal) -> ChatError {
    refusal.error(ChatErrorCode::NotMember, "This course is not in your primary timetable.")
}

fn internal(refusal: &Refusal, error: &DbError) -> ChatError {
    tracing::error!(%error, "chat request failed");
    refusal.error(ChatErrorCode::Internal, "Something went wrong on the server; try again.")
}

/// How a transport error ends the connection: oversize and bad UTF-8 are the client's fault and get
/// their close codes; anything else means the peer is gone.
fn transport_error(error: axum::Error) -> (Option<ChatError>, End) {
    let inner = error.into_inner();
    match inner.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(_)) => (
            Some(Refusal::bare().error(
                ChatErrorCode::FrameTooLarge,
                format!("Frames may have at most {MAX_FRAME_BYTES} bytes; this one was not read."),
            )),
            End::Close(CLOSE_FRAME_TOO_LARGE, "frame_too_large"),
        ),
        Some(tungstenite::Error::Utf8(_)) => (
            Some(Refusal::bare().error(ChatErrorCode::InvalidUtf8, "A text frame was not UTF-8.")),
            End::Close(CLOSE_INVALID_UTF8, "invalid_utf8"),
        ),
        _ => (None, End::Gone),
    }
}

impl Connection {
    fn user(&self) -> UserId {
        self.session.user_id
    }

    /// The connection's loop. Every handler but live forwarding runs boxed: an idle connection then
    /// keeps only the loop's own state in memory, not the largest of its handlers' (hello's reads).
    ///
    /// It waits on three things only: its mailbox's alerts (live events, the kick, membership,
    /// resync, shutdown), one timer (the next heartbeat or the token's expiry, whichever is first),
    /// and the socket. A live delivery wakes it for the first of these, which costs one atomic swap.
    async fn run(&mut self, socket: &mut WebSocket) -> End {
        let heartbeat = self.hub.settings().heartbeat;
        let now_ms = crate::db::now_millis();
        let until_expiry = Duration::from_millis(u64::try_from(self.session.access_expires_at - now_ms).unwrap_or(0));
        let now = Instant::now();
        let expires_at = now + until_expiry;
        let mut next_ping = now + heartbeat;
        let timer = tokio::time::sleep_until(next_ping.min(expires_at));
        tokio::pin!(timer);
        let mailbox = Arc::clone(&self.registration.mailbox);
        loop {
            let step = tokio::select! {
                biased;
                alerts = mailbox.alerts() => self.on_alerts(socket, &mailbox, alerts).await,
                () = &mut timer => {
                    if Instant::now() >= expires_at {
                        if send(socket, &ServerFrame::TokenExpired).await.is_err() {
                            return End::Gone;
                        }
                        return End::Close(CLOSE_TOKEN_EXPIRED, "token_expired");
                    }
                    let step = Box::pin(self.on_tick(socket, heartbeat)).await;
                    next_ping = Instant::now() + heartbeat;
                    timer.as_mut().reset(next_ping.min(expires_at));
                    step
                }
                inbound = socket.recv() => match inbound {
                    None => return End::Gone,
                    Some(Err(error)) => {
                        let (frame, end) = transport_error(error);
                        if let Some(frame) = frame {
                            // Best effort: the socket may no longer be writable.
                            let _ = send_error(socket, frame).await;
                        }
                        return end;
                    }
                    Some(Ok(message)) => {
                        self.last_heard = Instant::now();
                        Box::pin(self.on_message(socket, message)).await
                    }
                },
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    /// Acts on the alerts taken from the mailbox, most urgent first.
    async fn on_alerts(&mut self, socket: &mut WebSocket, mailbox: &Mailbox, alerts: Alerts) -> Step {
        if alerts.contains(Alerts::SHUTDOWN) {
            return Err(End::Close(CLOSE_GOING_AWAY, "server_shutting_down"));
        }
        if alerts.contains(Alerts::KICK) {
            let text = "This connection fell too far behind; reconnect and resume.";
            let error = Refusal::bare().error(ChatErrorCode::TooSlow, text);
            send_error(socket, error).await.map_err(|_| End::Gone)?;
            return Err(End::Close(CLOSE_TOO_SLOW, "too_slow"));
        }
        if alerts.contains(Alerts::READY) {
            self.forward_queued(socket, mailbox).await?;
        }
        if alerts.contains(Alerts::RESYNC) {
            Box::pin(self.recover(socket)).await?;
        }
        // After the live events, ahead of the client's next frames: whatever the client does after
        // the edit that raised it already sees the new rooms.
        if alerts.contains(Alerts::MEMBERSHIP) {
            Box::pin(self.membership_changed(socket)).await?;
        }
        Ok(())
    }

    async fn on_message(&mut self, socket: &mut WebSocket, message: Message) -> Step {
        let size = match &message {
            Message::Text(text) => text.len(),
            Message::Binary(bytes) => bytes.len(),
            _ => 0,
        };
        if size > MAX_FRAME_BYTES {
            let error = Refusal::bare().error(
                ChatErrorCode::FrameTooLarge,
                format!("Frames may have at most {MAX_FRAME_BYTES} bytes; this one had {size}."),
            );
            return send_error(socket, error).await;
        }
        let frame = match message {
            Message::Text(text) => frames::parse(text.as_str()),
            Message::Binary(bytes) => frames::parse_binary(&bytes),
            // Pongs (and the pongs answering the client's pings, sent by the WebSocket layer) only
            // prove the client is alive.
            Message::Ping(_) | Message::Pong(_) => return Ok(()),
            Message::Close(_) => return Err(End::Gone),
        };
        match frame {
            Ok(frame) => self.on_frame(socket, frame).await,
            Err(error) => send_error(socket, error).await,
        }
    }

    async fn on_tick(&mut self, socket: &mut WebSocket, heartbeat: Duration) -> Step {
        if self.last_heard.elapsed() > heartbeat * 2 {
            return Err(End::Close(CLOSE_HEARTBEAT_TIMEOUT, "heartbeat_timeout"));
        }
        write(socket, Message::Ping(Default::default())).await?;
        // Logout and revocation reach open connections within one interval.
        match self.state.db.session(self.session.session_id).await {
            Ok(Some(session)) if session.is_live(crate::db::now_millis()) => {}
            Ok(_) => return Err(End::Close(CLOSE_SESSION_REVOKED, "session_revoked")),
            Err(error) => tracing::warn!(%error, "chat session check failed"),
        }
        if self.greeted {
            // Blocks made on another connection of the student apply here from now on.
            match self.state.db.blocked_users(self.user()).await {
                Ok(blocked) => self.blocked = blocked.into_iter().collect(),
                Err(error) => tracing::warn!(%error, "chat block list check failed"),
            }
            self.resync(socket, false).await?;
        }
        Ok(())
    }

    async fn on_frame(&mut self, socket: &mut WebSocket, frame: ClientFrame) -> Step {
        if !self.greeted && !matches!(frame, ClientFrame::Hello { .. } | ClientFrame::Ping { .. }) {
            let error = Refusal::bare().error(ChatErrorCode::HelloRequired, "Send a hello frame first.");
            return send_error(socket, error).await;
        }
        match frame {
            ClientFrame::Hello { resume } => self.on_hello(socket, resume).await,
            ClientFrame::Send { room_id, client_msg_id, body, reply_to, mentions } => {
                self.on_send(socket, room_id, &client_msg_id, &body, reply_to, &mentions).await
            }
            ClientFrame::History { room_id, before_seq, limit } => {
                self.on_history(socket, room_id, before_seq, limit).await
            }
            ClientFrame::Edit { message_id, body } => self.on_update(socket, message_id, Some(&body)).await,
            ClientFrame::Delete { message_id } => self.on_update(socket, message_id, None).await,
            ClientFrame::Typing { room_id } => self.on_typing(socket, room_id).await,
            ClientFrame::Read { room_id, seq } => self.on_read(socket, room_id, seq).await,
            ClientFrame::Rooms => self.resync(socket, true).await,
            ClientFrame::Members { room_id } => self.on_members(socket, room_id).await,
            ClientFrame::Block { user_id } => self.on_block(socket, user_id, true).await,
            ClientFrame::Unblock { user_id } => self.on_block(socket, user_id, false).await,
            ClientFrame::Report { message_id, reason } => self.on_report(socket, message_id, &reason).await,
            ClientFrame::Ping { nonce } => send(socket, &ServerFrame::Pong { nonce }).await,
        }
    }

    /// Subscribes to every member room, welcomes, replays what the client missed, then says so.
    async fn on_hello(&mut self, socket: &mut WebSocket, resume: Vec<RoomCursor>) -> Step {
        if self.greeted {
            let error = Refusal::bare().error(ChatErrorCode::InvalidRequest, "hello was already sent.");
            return send_error(socket, error).await;
        }
        let (rooms, blocked) = match self.hello_reads().await {
            Ok(read) => read,
            Err(error) => return send_error(socket, internal(&Refusal::bare(), &error)).await,
        };
        self.blocked = blocked.iter().copied().collect();
        // Subscribe before reading anything: what is stored after this point also arrives live, and
        // the seq marks below sort out the overlap.
        for room in &rooms {
            self.hub.join(*room, self.user(), &self.registration);
            self.subs.rooms.insert(*room, 0);
        }
        self.greeted = true;
        let summaries = match self.summaries().await {
            Ok(summaries) => summaries,
            Err(error) => return send_error(socket, internal(&Refusal::bare(), &error)).await,
        };
        for summary in &summaries {
            if let Some(mark) = self.subs.rooms.get_mut(&summary.room_id) {
                *mark = summary.last_seq;
            }
        }
        // A room that left the timetable between the two reads has no mark to stream from: drop it
        // (the next resync settles it either way).
        let listed: Vec<RoomId> = summaries.iter().map(|s| s.room_id).collect();
        let unlisted: Vec<RoomId> = self.subs.rooms.keys().filter(|r| !listed.contains(r)).copied().collect();
        for room in unlisted {
            self.subs.rooms.remove(&room);
            self.hub.leave(room, self.user(), self.registration.conn);
        }
        let welcome = ServerFrame::Welcome {
            user_id: self.user(),
            rooms: summaries.clone(),
            heartbeat_secs: u32::try_from(self.hub.settings().heartbeat.as_secs()).unwrap_or(u32::MAX),
            token_expires_at: chrono::DateTime::from_timestamp_millis(self.session.access_expires_at)
                .unwrap_or_default(),
            limits: self.hub.settings().limits(),
            blocked,
        };
        send(socket, &welcome).await?;
        for cursor in resume {
            let Some(&newest) = self.subs.rooms.get(&cursor.room_id) else {
                let refusal = Refusal::room(cursor.room_id);
                let error = match self.state.db.room_access(cursor.room_id, self.user()).await {
                    Ok(RoomAccess::Unknown) => refusal.error(ChatErrorCode::UnknownRoom, "There is no such room."),
                    Ok(_) => refusal.error(ChatErrorCode::NotMember, "This course is not in your primary timetable."),
                    Err(error) => internal(&refusal, &error),
                };
                send_error(socket, error).await?;
                continue;
            };
            // A client claiming more than is stored (a database restored from backup) gets what there is.
            let from = cursor.last_seq.min(newest);
            self.replay(socket, cursor.room_id, from).await?;
        }
        let rooms = self.subs.rooms.iter().map(|(&room_id, &last_seq)| RoomCursor { room_id, last_seq }).collect();
        send(socket, &ServerFrame::Synced { rooms }).await
    }

    async fn hello_reads(&self) -> Result<(Vec<RoomId>, Vec<UserId>), DbError> {
        Ok((self.state.db.member_room_ids(self.user()).await?, self.state.db.blocked_users(self.user()).await?))
    }

    /// Sends `message` unless its author is blocked here.
    async fn send_message(&self, socket: &mut WebSocket, message: ChatMessage) -> Step {
        if self.blocked.contains(&message.author_id) {
            return Ok(());
        }
        send(socket, &ServerFrame::Message(message)).await
    }

    /// Sends every stored message of `room` after `after` and moves the room's mark to the last one.
    async fn replay(&mut self, socket: &mut WebSocket, room: RoomId, after: u64) -> Step {
        let mut mark = after;
        loop {
            let page = match self.state.db.messages_after(room, mark, REPLAY_PAGE).await {
                Ok(page) => page,
                Err(error) => {
                    let _ = send_error(socket, internal(&Refusal::room(room), &error)).await;
                    // The client must not believe it caught up: it reconnects and resumes.
                    return Err(End::Close(CLOSE_INTERNAL_ERROR, "internal"));
                }
            };
            let full = page.len() == REPLAY_PAGE as usize;
            for message in page {
                mark = message.seq;
                self.send_message(socket, message).await?;
            }
            if !full {
                break;
            }
        }
        self.subs.rooms.insert(room, mark);
        Ok(())
    }

    /// The student's rooms may have changed (a timetable edit): subscribe and unsubscribe now, and tell
    /// the client when they did. Before hello there is nothing to bring in line: hello reads them.
    async fn membership_changed(&mut self, socket: &mut WebSocket) -> Step {
        if !self.greeted {
            return Ok(());
        }
        self.resync(socket, false).await
    }

    /// The fan-out may have lost events (Redis was away): a membership signal among them is made good
    /// by re-reading the rooms, and lost messages by replaying every room after its mark.
    async fn recover(&mut self, socket: &mut WebSocket) -> Step {
        self.membership_changed(socket).await?;
        self.catch_up(socket).await
    }

    /// Replays every room after its mark: in a room that went quiet no later message would ever
    /// reveal the gap.
    async fn catch_up(&mut self, socket: &mut WebSocket) -> Step {
        let marks: Vec<(RoomId, u64)> = self.subs.rooms.iter().map(|(&room, &mark)| (room, mark)).collect();
        for (room, mark) in marks {
            self.replay(socket, room, mark).await?;
        }
        Ok(())
    }

    /// Sends the stored messages of `room` between the seqs `mark` and `seq`, both excluded.
    async fn fill_gap(&mut self, socket: &mut WebSocket, room: RoomId, mark: u64, seq: u64) -> Step {
        let missed = match self.state.db.messages_between(room, mark, seq).await {
            Ok(missed) => missed,
            Err(error) => {
                tracing::error!(%error, "chat gap fill failed");
                return Err(End::Close(CLOSE_INTERNAL_ERROR, "internal"));
            }
        };
        for message in missed {
            self.send_message(socket, message).await?;
        }
        Ok(())
    }

    /// Forwards the live events queued for this connection, oldest first, and flushes them together.
    async fn forward_queued(&mut self, socket: &mut WebSocket, mailbox: &Mailbox) -> Step {
        while let Some(event) = mailbox.take() {
            self.forward(socket, &event).await?;
        }
        flush(socket).await
    }

    /// Queues one live event on the socket, in seq order for messages (the caller flushes).
    async fn forward(&mut self, socket: &mut WebSocket, event: &RoomEvent) -> Step {
        let Some(&mark) = self.subs.rooms.get(&event.room_id) else {
            // Left the room since the event was queued.
            return Ok(());
        };
        let hidden = event.author.is_some_and(|author| self.blocked.contains(&author));
        let EventKind::Message { seq } = event.kind else {
            return if hidden { Ok(()) } else { feed(socket, Message::Text(event.frame.clone())).await };
        };
        if seq <= mark {
            return Ok(());
        }
        if seq > mark + 1 {
            Box::pin(self.fill_gap(socket, event.room_id, mark, seq)).await?;
        }
        self.subs.rooms.insert(event.room_id, seq);
        if hidden { Ok(()) } else { feed(socket, Message::Text(event.frame.clone())).await }
    }

    async fn summaries(&self) -> Result<Vec<RoomSummary>, DbError> {
        let mut summaries = self.state.db.room_summaries(self.user()).await?;
        for summary in &mut summaries {
            if summary.last_message.as_ref().is_some_and(|m| self.blocked.contains(&m.author_id)) {
                summary.last_message = None;
            }
            summary.online_count = u32::try_from(self.hub.online_users(summary.room_id).len()).unwrap_or(u32::MAX);
        }
        Ok(summaries)
    }

    /// Brings the subscriptions in line with the timetable; sends the room list when asked to or when
    /// membership changed.
    async fn resync(&mut self, socket: &mut WebSocket, always_send: bool) -> Step {
        let rooms = match self.state.db.member_room_ids(self.user()).await {
            Ok(rooms) => rooms,
            Err(error) => {
                if always_send {
                    return send_error(socket, internal(&Refusal::bare(), &error)).await;
                }
                tracing::warn!(%error, "chat membership check failed");
                return Ok(());
            }
        };
        let gone: Vec<RoomId> = self.subs.rooms.keys().filter(|r| !rooms.contains(r)).copied().collect();
        let new: Vec<RoomId> = rooms.iter().filter(|r| !self.subs.rooms.contains_key(r)).copied().collect();
        for room in &gone {
            self.subs.rooms.remove(room);
            self.hub.leave(*room, self.user(), self.registration.conn);
        }
        for room in &new {
            self.hub.join(*room, self.user(), &self.registration);
        }
        if gone.is_empty() && new.is_empty() && !always_send {
            return Ok(());
        }
        let summaries = match self.summaries().await {
            Ok(summaries) => summaries,
            Err(error) => {
                // Without a mark the new rooms cannot stream in order: drop them until the next try.
                for room in &new {
                    self.hub.leave(*room, self.user(), self.registration.conn);
                }
                return send_error(socket, internal(&Refusal::bare(), &error)).await;
            }
        };
        for summary in &summaries {
            if new.contains(&summary.room_id) {
                self.subs.rooms.insert(summary.room_id, summary.last_seq);
            }
        }
        for room in &new {
            if !self.subs.rooms.contains_key(room) {
                self.hub.leave(*room, self.user(), self.registration.conn);
            }
        }
        send(socket, &ServerFrame::Rooms { rooms: summaries }).await
    }

    /// `Ok(())` when the student is a member of `room`, else the error to send.
    async fn check_member(&self, room: RoomId, refusal: &Refusal) -> Result<(), ChatError> {
        match self.state.db.room_access(room, self.user()).await {
            Ok(RoomAccess::Member) => Ok(()),
            Ok(RoomAccess::NotMember) => Err(not_member(refusal)),
            Ok(RoomAccess::Unknown) => Err(refusal.error(ChatErrorCode::UnknownRoom, "There is no such room.")),
            Err(error) => Err(internal(refusal, &error)),
        }
    }

    async fn on_send(
        &mut self,
        socket: &mut WebSocket,
        room_id: RoomId,
        client_msg_id: &str,
        body: &str,
        reply_to: Option<MessageId>,
        mentions: &[UserId],
    ) -> Step {
        let refusal = Refusal::send(client_msg_id, room_id);
        match self.store(room_id, client_msg_id, body, reply_to, mentions, &refusal).await {
            Ok((message, duplicate)) => {
                let ack = ServerFrame::Ack {
                    client_msg_id: message.client_msg_id,
                    room_id,
                    message_id: message.id,
                    seq: message.seq,
                    created_at: message.created_at,
                    duplicate,
                };
                feed(socket, Message::Text(frame_text(&ack))).await?;
                if !self.subs.rooms.contains_key(&room_id) {
                    // A member room this connection had not subscribed to yet (a course added since).
                    self.resync(socket, false).await?;
                    return flush(socket).await;
                }
                // The message was published before the store answered, so its own live event is
                // usually queued here already: it leaves with the ack in one write, not two.
                let mailbox = Arc::clone(&self.registration.mailbox);
                self.forward_queued(socket, &mailbox).await
            }
            Err(error) => send_error(socket, error).await,
        }
    }

    async fn store(
        &self,
        room_id: RoomId,
        client_msg_id: &str,
        body: &str,
        reply_to: Option<MessageId>,
        mentions: &[UserId],
        refusal: &Refusal,
    ) -> Result<(ChatMessage, bool), ChatError> {
        frames::check_send(client_msg_id, mentions.len(), refusal)?;
        frames::check_body(body, refusal)?;
        if let Err(retry_after) = self.hub.check_send_rate(self.user()) {
            let mut error = refusal.error(ChatErrorCode::RateLimited, "Too many messages; wait a moment.");
            error.retry_after_secs = Some(u32::try_from(retry_after.as_secs().max(1)).unwrap_or(u32::MAX));
            return Err(error);
        }
        // Membership is checked by storing, in the same statement that takes the seq.
        let mentions =
            self.state.db.members_among(room_id, mentions).await.map_err(|error| internal(refusal, &error))?;
        let new = NewMessage { room_id, author_id: self.user(), client_msg_id, body, reply_to, mentions: &mentions };
        // Held from the seq's assignment to its publication, so this node publishes the room in seq order.
        let _room = self.hub.room_lock(room_id).lock().await;
        match self.state.db.store_message(&new).await {
            Ok(StoreOutcome::Stored(message)) => {
                let event = RoomEvent::new(
                    room_id,
                    EventKind::Message { seq: message.seq },
                    Audience::Everyone,
                    Some(message.author_id),
                    &ServerFrame::Message(message.clone()),
                );
                self.hub.publish(event);
                Ok((message, false))
            }
            Ok(StoreOutcome::Duplicate(message)) => Ok((message, true)),
            Ok(StoreOutcome::UnknownReply) => {
                Err(refusal.error(ChatErrorCode::UnknownMessage, "The message replied to is not in this room."))
            }
            Ok(StoreOutcome::UnknownRoom) => Err(refusal.error(ChatErrorCode::UnknownRoom, "There is no such room.")),
            Ok(StoreOutcome::NotMember) => Err(not_member(refusal)),
            Err(error) => Err(internal(refusal, &error)),
        }
    }

    async fn on_history(
        &mut self,
        socket: &mut WebSocket,
        room_id: RoomId,
        before_seq: Option<u64>,
        limit: Option<u32>,
    ) -> Step {
        let refusal = Refusal::room(room_id);
        let page = async {
            let limit = frames::history_limit(limit, &refusal)?;
            self.check_member(room_id, &refusal).await?;
            self.state
                .db
                .messages_before(self.user(), room_id, before_seq, limit)
                .await
                .map_err(|error| internal(&refusal, &error))
        };
        match page.await {
            Ok((messages, has_more)) => send(socket, &ServerFrame::History { room_id, messages, has_more }).await,
            Err(error) => send_error(socket, error).await,
        }
    }

    /// An edit (`Some(body)`) or a deletion (`None`) of one of the student's own messages.
    async fn on_update(&mut self, socket: &mut WebSocket, message_id: MessageId, body: Option<&str>) -> Step {
        let refusal = Refusal::message(message_id);
        let update = async {
            if let Some(body) = body {
                frames::check_body(body, &refusal)?;
            }
            let message = self.state.db.message(message_id).await.map_err(|error| internal(&refusal, &error))?;
            let Some(message) = message else {
                return Err(refusal.error(ChatErrorCode::UnknownMessage, "There is no such message."));
            };
            self.check_member(message.room_id, &refusal).await.map_err(|mut error| {
                // Do not confirm that a message exists in a room the student cannot see.
                if error.code == ChatErrorCode::NotMember {
                    error.code = ChatErrorCode::UnknownMessage;
                    error.message = "There is no such message.".into();
                }
                error
            })?;
            let _room = self.hub.room_lock(message.room_id).lock().await;
            match self.state.db.update_message(message_id, self.user(), body).await {
                Ok(UpdateOutcome::Updated(message)) => {
                    let frame = ServerFrame::MessageUpdated(message.clone());
                    let author = Some(message.author_id);
                    self.hub.publish(RoomEvent::new(
                        message.room_id,
                        EventKind::Ephemeral,
                        Audience::Everyone,
                        author,
                        &frame,
                    ));
                    Ok(())
                }
                Ok(UpdateOutcome::Unknown) => {
                    Err(refusal.error(ChatErrorCode::UnknownMessage, "There is no such message."))
                }
                Ok(UpdateOutcome::NotAuthor) => {
                    Err(refusal.error(ChatErrorCode::NotAuthor, "Only the author can change a message."))
                }
                Ok(UpdateOutcome::AlreadyDeleted) => {
                    Err(refusal.error(ChatErrorCode::MessageDeleted, "The message was deleted."))
                }
                Err(error) => Err(internal(&refusal, &error)),
            }
        };
        match update.await {
            Ok(()) => Ok(()),
            Err(error) => send_error(socket, error).await,
        }
    }

    async fn on_typing(&mut self, socket: &mut WebSocket, room_id: RoomId) -> Step {
        if !self.subs.rooms.contains_key(&room_id) {
            let refusal = Refusal::room(room_id);
            return match self.check_member(room_id, &refusal).await {
                // A member room not subscribed yet: pick it up, and drop this one indicator.
                Ok(()) => self.resync(socket, false).await,
                Err(error) => send_error(socket, error).await,
            };
        }
        let frame = ServerFrame::Typing { room_id, user_id: self.user(), display_name: self.display_name.clone() };
        let (audience, author) = (Audience::AllBut(self.user()), Some(self.user()));
        self.hub.publish(RoomEvent::new(room_id, EventKind::Ephemeral, audience, author, &frame));
        Ok(())
    }

    async fn on_read(&mut self, socket: &mut WebSocket, room_id: RoomId, seq: u64) -> Step {
        let refusal = Refusal::room(room_id);
        let marked = async {
            self.check_member(room_id, &refusal).await?;
            self.state.db.mark_read(self.user(), room_id, seq).await.map_err(|error| internal(&refusal, &error))
        };
        match marked.await {
            Ok((seq, unread)) => {
                let frame = ServerFrame::ReadMarker { room_id, seq, unread };
                if self.subs.rooms.contains_key(&room_id) {
                    // Through the room so that every connection of the student hears it, this one included.
                    self.hub.publish(RoomEvent::new(
                        room_id,
                        EventKind::Ephemeral,
                        Audience::Only(self.user()),
                        None,
                        &frame,
                    ));
                    Ok(())
                } else {
                    send(socket, &frame).await
                }
            }
            Err(error) => send_error(socket, error).await,
        }
    }

    async fn on_block(&mut self, socket: &mut WebSocket, user_id: UserId, block: bool) -> Step {
        let refusal = Refusal::bare();
        if user_id == self.user() {
            return send_error(socket, refusal.error(ChatErrorCode::InvalidRequest, "You cannot block yourself."))
                .await;
        }
        let changed = async {
            if block {
                if !self.state.db.block_user(self.user(), user_id).await? {
                    return Ok(None);
                }
            } else {
                self.state.db.unblock_user(self.user(), user_id).await?;
            }
            self.state.db.blocked_users(self.user()).await.map(Some)
        };
        match changed.await {
            Ok(Some(user_ids)) => {
                self.blocked = user_ids.iter().copied().collect();
                send(socket, &ServerFrame::BlockList { user_ids }).await
            }
            Ok(None) => {
                send_error(socket, refusal.error(ChatErrorCode::UnknownUser, "There is no such student.")).await
            }
            Err(error) => send_error(socket, internal(&refusal, &error)).await,
        }
    }

    async fn on_report(&mut self, socket: &mut WebSocket, message_id: MessageId, reason: &str) -> Step {
        let refusal = Refusal::message(message_id);
        let reported = async {
            if reason.chars().count() > MAX_REPORT_REASON_CHARS {
                let text = format!("A reason has at most {MAX_REPORT_REASON_CHARS} characters.");
                return Err(refusal.error(ChatErrorCode::InvalidRequest, text));
            }
            let unknown = || refusal.error(ChatErrorCode::UnknownMessage, "There is no such message.");
            let message = self.state.db.message(message_id).await.map_err(|error| internal(&refusal, &error))?;
            let message = message.ok_or_else(unknown)?;
            // Only what the student could see can be reported, and without revealing anything else.
            self.check_member(message.room_id, &refusal).await.map_err(|error| match error.code {
                ChatErrorCode::Internal => error,
                _ => unknown(),
            })?;
            self.state
                .db
                .report_message(message_id, self.user(), reason)
                .await
                .map_err(|error| internal(&refusal, &error))
        };
        match reported.await {
            Ok(()) => send(socket, &ServerFrame::Reported { message_id }).await,
            Err(error) => send_error(socket, error).await,
        }
    }

    async fn on_members(&mut self, socket: &mut WebSocket, room_id: RoomId) -> Step {
        let refusal = Refusal::room(room_id);
        let members = async {
            self.check_member(room_id, &refusal).await?;
            self.state.db.room_members(room_id).await.map_err(|error| internal(&refusal, &error))
        };
        match members.await {
            Ok(members) => {
                let online = self.hub.online_users(room_id);
                let members = members
                    .into_iter()
                    .map(|m| RoomMember {
                        online: online.contains(&m.user_id),
                        user_id: m.user_id,
                        display_name: m.display_name,
                    })
                    .collect();
                send(socket, &ServerFrame::Members { room_id, members }).await
            }
            Err(error) => send_error(socket, error).await,
        }
    }
}
