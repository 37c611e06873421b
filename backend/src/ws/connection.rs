//! One chat connection: a single task that reads the client's frames, answers them, keeps the live
//! room events reaching its socket in order, pings, and closes the socket with a reason when the
//! token expires, the session ends, the client goes silent, falls too far behind, or the server
//! shuts down.
//!
//! Ordering lives here and in the connection's [`Mailbox`]. For every subscribed room the mailbox
//! keeps the last seq sent. A live message at or below it is a repeat (already replayed) and is
//! dropped; one above the next expected seq means events were missed or reordered on the way, and the
//! gap is read from storage before it. That is what makes resume exact: the connection subscribes
//! first, then replays from storage, and the live events that arrive meanwhile fall on one side of
//! that mark or the other. While the connection streams live, publishers apply those rules and write
//! into its socket themselves; whenever this task changes subscriptions or marks, or writes frames
//! that must come first (a send's ack before the message's own event), it holds them, and the events
//! that queue meanwhile are handled here before streaming resumes.
//!
//! Membership follows the student's primary timetables. The connection re-reads its rooms when a
//! timetable edit fires its membership signal (on whichever node the edit was made), when the
//! fan-out may have lost events (that signal among them), when the client asks for the room list,
//! and on every heartbeat as a backstop.

use super::codec::{self, FrameError, FrameReader, Inbound};
use super::frames::{self, Refusal};
use crate::auth::AuthSession;
use crate::chat::registry::{Admission, Alerts, ConnId, Mailbox};
use crate::chat::{Audience, ChatHub, EventKind, Registration, RoomEvent, seen_by, wire_frame};
use crate::db::chat::{NewMessage, RoomAccess, StoreOutcome, UpdateOutcome};
use crate::db::{Db, DbError};
use crate::state::AppState;
use bytes::{Bytes, BytesMut};
use pretzel_api::chat::{
    CLOSE_FRAME_BYTES, CLOSE_GOING_AWAY, CLOSE_HEARTBEAT_TIMEOUT, CLOSE_INTERNAL_ERROR, CLOSE_SESSION_REVOKED,
    CLOSE_TOKEN_EXPIRED, CLOSE_TOO_SLOW, MAX_FRAME_BYTES, MAX_REPORT_REASON_CHARS,
};
use pretzel_api::{
    ChatError, ChatErrorCode, ChatMessage, ClientFrame, MessageId, RoomCursor, RoomId, RoomMember, RoomSummary,
    ServerFrame, UserId,
};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// Messages read per storage round trip while replaying.
const REPLAY_PAGE: u32 = 500;
/// Longest wait for the client's socket to take more bytes.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closing connection waits for the client's close reply.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// Bytes taken from the socket per read call.
const READ_CHUNK: usize = 4 * 1024;
/// Bytes read before the frames among them are answered, so one busy client cannot hog the task.
const READ_PER_WAKE: usize = 64 * 1024;
/// Frames gathered (a replay, a burst of queued events) before they are written out.
const WRITE_BATCH: usize = 64 * 1024;
/// Close code for a frame that breaks RFC 6455 (standard "protocol error").
const CLOSE_PROTOCOL_ERROR: u16 = 1002;
/// Close code answering the client's close without one of its own (standard "normal closure").
const CLOSE_NORMAL: u16 = 1000;

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

/// What woke the connection's loop.
enum Wake {
    Alerts(Alerts),
    /// The next heartbeat or the token's expiry is due.
    Timer,
    /// The socket has something to read (or failed).
    Readable(io::Result<()>),
}

/// The rooms this connection is subscribed to in the hub; unsubscribes from all of them, closes the
/// mailbox and unregisters the connection when dropped, however the connection ends.
struct Subscriptions {
    hub: ChatHub,
    user: UserId,
    registration: Registration,
    /// A handful of rooms: a short list is smaller than a set.
    joined: Vec<RoomId>,
}

impl Subscriptions {
    fn mailbox(&self) -> &Mailbox {
        &self.registration.mailbox
    }

    fn conn(&self) -> ConnId {
        self.registration.conn
    }

    fn join(&mut self, room: RoomId) {
        if !self.joined.contains(&room) {
            self.joined.push(room);
            self.hub.join(room, self.user, &self.registration);
        }
    }

    fn leave(&mut self, room: RoomId) {
        self.registration.mailbox.remove_mark(room);
        if let Some(index) = self.joined.iter().position(|joined| *joined == room) {
            self.joined.swap_remove(index);
            self.hub.leave(room, self.user, self.registration.conn);
        }
    }

    fn is_joined(&self, room: RoomId) -> bool {
        self.joined.contains(&room)
    }
}

impl Drop for Subscriptions {
    fn drop(&mut self) {
        self.registration.mailbox.close();
        for room in &self.joined {
            self.hub.leave(*room, self.user, self.registration.conn);
        }
        self.hub.unregister(self.user, self.registration.conn);
    }
}

struct Connection {
    db: Db,
    hub: ChatHub,
    session: AuthSession,
    display_name: String,
    subs: Subscriptions,
    reader: FrameReader,
    /// Frames this task has gathered and not yet handed to the mailbox.
    pending: BytesMut,
    /// Publishers are held (see [`Mailbox::hold`]) until the queued events are handled.
    holding: bool,
    greeted: bool,
    last_heard: Instant,
}

/// Serves one upgraded socket until it closes; `leftover` holds bytes the client sent right after its
/// handshake.
///
/// The returned future lives as long as the connection, so it holds the [`Connection`] and little
/// else. The connection is built before it, not inside an `async fn`: the compiler keeps an async
/// fn's arguments, and every value moved out of them, in slots of their own beside the loop's for the
/// whole life of the future. Every step that is not the loop itself runs boxed for the same reason:
/// an idle connection keeps only its loop's state.
pub fn serve(
    socket: TcpStream,
    leftover: Bytes,
    state: AppState,
    session: AuthSession,
) -> impl Future<Output = ()> + Send + 'static {
    // `leftover` may share the HTTP layer's whole read buffer: it is copied and dropped here, not
    // kept for the life of the connection.
    Connection::open(socket, &leftover, state, session).serve()
}

/// How a frame the client cannot send ends the connection: oversize and bad UTF-8 get an error frame
/// first, as they are mistakes a client can learn from.
fn frame_error(error: &FrameError) -> (Option<ChatError>, End) {
    match error {
        FrameError::TooLarge(_) => (
            Some(Refusal::bare().error(
                ChatErrorCode::FrameTooLarge,
                format!("Frames may have at most {MAX_FRAME_BYTES} bytes; this one was not read."),
            )),
            End::Close(error.close_code(), "frame_too_large"),
        ),
        FrameError::InvalidUtf8 => (
            Some(Refusal::bare().error(ChatErrorCode::InvalidUtf8, "A text frame was not UTF-8.")),
            End::Close(error.close_code(), "invalid_utf8"),
        ),
        FrameError::Protocol(_) => (None, End::Close(CLOSE_PROTOCOL_ERROR, "protocol_error")),
    }
}

fn not_member(refusal: &Refusal) -> ChatError {
    refusal.error(ChatErrorCode::NotMember, "This course is not in your primary timetable.")
}

fn internal(refusal: &Refusal, error: &DbError) -> ChatError {
    tracing::error!(%error, "chat request failed");
    refusal.error(ChatErrorCode::Internal, "Something went wrong on the server; try again.")
}

impl Connection {
    /// Registers `socket` with the hub; the frame reader starts with the bytes in `leftover`.
    fn open(socket: TcpStream, leftover: &[u8], state: AppState, session: AuthSession) -> Self {
        // Of the server's state a connection needs the database and the hub only, and it keeps them
        // for its whole life.
        let AppState { db, chat: hub, .. } = state;
        let registration = hub.register(session.user_id, socket);
        let subs = Subscriptions { hub: hub.clone(), user: session.user_id, registration, joined: Vec::new() };
        let mut reader = FrameReader::new(CLOSE_FRAME_BYTES);
        reader.extend(leftover);
        Self {
            db,
            hub,
            session,
            display_name: String::new(),
            subs,
            reader,
            pending: BytesMut::new(),
            holding: true,
            greeted: false,
            last_heard: Instant::now(),
        }
    }

    /// Runs the connection, then closes its socket with the reason it ended for.
    ///
    /// An async block rather than an `async fn`: the latter moves its arguments into locals of its
    /// own, and the future would keep room for the connection twice (832 bytes rather than 432 in a
    /// release build).
    #[allow(clippy::manual_async_fn)]
    fn serve(mut self) -> impl Future<Output = ()> + Send + 'static {
        async move {
            let (user, conn) = (self.user(), self.subs.conn().0);
            tracing::debug!(%user, conn, "chat connection open");
            if let End::Close(code, reason) = Box::pin(self.start()).await {
                Box::pin(self.close(code, reason)).await;
            }
            tracing::debug!(%user, conn, "chat connection closed");
        }
    }

    fn user(&self) -> UserId {
        self.session.user_id
    }

    fn mailbox(&self) -> &Mailbox {
        self.subs.mailbox()
    }

    /// Loads the student's name, then runs the loop.
    async fn start(&mut self) -> End {
        match self.db.user_by_id(self.user()).await {
            Ok(Some(user)) => self.display_name = user.display_name,
            Ok(None) => return End::Close(CLOSE_SESSION_REVOKED, "session_revoked"),
            Err(error) => {
                tracing::error!(%error, "chat connection could not load its user");
                return End::Close(CLOSE_INTERNAL_ERROR, "internal");
            }
        }
        self.run().await
    }

    /// Gathers `frame` to be written with the step's other frames (see [`Connection::flush`]).
    fn queue(&mut self, frame: &[u8]) {
        self.pending.extend_from_slice(frame);
    }

    /// Gathers `frame` as a text frame of JSON.
    fn queue_frame(&mut self, frame: &ServerFrame) {
        let frame = wire_frame(frame);
        self.queue(&frame);
    }

    /// Gathers `frame` and writes it out with everything gathered before.
    async fn send(&mut self, frame: &ServerFrame) -> Step {
        self.queue_frame(frame);
        self.flush().await
    }

    async fn send_error(&mut self, error: ChatError) -> Step {
        self.send(&ServerFrame::Error(error)).await
    }

    /// Writes the gathered frames after everything already on its way, and waits while the socket
    /// cannot take them.
    async fn flush(&mut self) -> Step {
        if self.pending.is_empty() {
            return Ok(());
        }
        let frames = std::mem::take(&mut self.pending).freeze();
        match self.mailbox().write(frames) {
            Ok(true) => Ok(()),
            Ok(false) => self.drain().await,
            Err(_) => Err(End::Gone),
        }
    }

    /// Waits for the socket to take every unsent byte. A write can only wait when the client stopped
    /// reading and the socket's buffers are full; waiting longer than [`WRITE_TIMEOUT`] for any
    /// progress would pin this task (and its heartbeat) to a dead reader, so the connection is
    /// dropped instead and the client resumes when it comes back.
    async fn drain(&self) -> Step {
        loop {
            match self.mailbox().write_queued() {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(_) => return Err(End::Gone),
            }
            match tokio::time::timeout(WRITE_TIMEOUT, self.mailbox().socket().writable()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return Err(End::Gone),
            }
        }
    }

    /// Holds publishers: live events queue for this task until [`Connection::stream_live`].
    fn hold(&mut self) {
        self.mailbox().hold();
        self.holding = true;
    }

    /// Handles the live events queued while publishers were held, oldest first, then writes every
    /// gathered frame and lets publishers write directly again.
    async fn stream_live(&mut self) -> Step {
        loop {
            let next = self.subs.mailbox().next_or_stream(&mut self.pending).map_err(|_| End::Gone)?;
            let Some(event) = next else {
                self.holding = false;
                return self.drain().await;
            };
            self.forward(&event).await?;
        }
    }

    /// Gathers one queued live event, in seq order for messages.
    async fn forward(&mut self, event: &RoomEvent) -> Step {
        match self.mailbox().admit(event) {
            Admission::Skip => return Ok(()),
            Admission::Send => self.queue(&event.frame),
            Admission::Gap { mark, seq } => {
                Box::pin(self.fill_gap(event.room_id, mark, seq)).await?;
                // The gap is filled: the event is next in order, and the usual rules (blocks) decide.
                self.mailbox().set_mark(event.room_id, seq - 1);
                if self.mailbox().admit(event) == Admission::Send {
                    self.queue(&event.frame);
                }
            }
        }
        self.flush_if_full().await
    }

    /// Writes the gathered frames out once they make a batch, so a long replay does not pile up.
    async fn flush_if_full(&mut self) -> Step {
        if self.pending.len() >= WRITE_BATCH { self.flush().await } else { Ok(()) }
    }

    /// Tells the client why the connection ends, then waits (briefly) for its answer: dropping a
    /// socket with unread input resets the connection, and a reset can discard the close frame before
    /// the client reads it.
    async fn close(&mut self, code: u16, reason: &'static str) {
        self.mailbox().close();
        self.queue(&codec::close_frame(code, reason));
        let wrote = tokio::time::timeout(CLOSE_GRACE, self.flush()).await;
        if !matches!(wrote, Ok(Ok(()))) {
            return;
        }
        if code == FrameError::TooLarge(0).close_code() {
            // Reading on would read the oversized frame after all: give the client a moment instead.
            tokio::time::sleep(CLOSE_GRACE / 2).await;
            return;
        }
        let _ = tokio::time::timeout(CLOSE_GRACE, async {
            loop {
                if self.mailbox().socket().readable().await.is_err() {
                    return;
                }
                let open = self.read_available();
                loop {
                    match self.reader.next_message() {
                        Ok(Some(Inbound::Close(_))) | Err(_) => return,
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                    }
                }
                if !open {
                    return;
                }
            }
        })
        .await;
    }

    /// The connection's loop. Every handler runs boxed: an idle connection then keeps only the
    /// loop's own state in memory, not the largest of its handlers' (hello's reads).
    ///
    /// It waits on three things only: its mailbox's alerts (events queued for it, the kick,
    /// membership, resync, shutdown, unsent bytes, a broken socket), one timer (the next heartbeat or
    /// the token's expiry, whichever is first), and the socket's readability. Live events streaming
    /// to the client do not wake it at all: publishers write them.
    async fn run(&mut self) -> End {
        let heartbeat = self.hub.settings().heartbeat;
        let now_ms = crate::db::now_millis();
        let until_expiry = Duration::from_millis(u64::try_from(self.session.access_expires_at - now_ms).unwrap_or(0));
        let now = Instant::now();
        let expires_at = now + until_expiry;
        let mut next_ping = now + heartbeat;
        let timer = tokio::time::sleep_until(next_ping.min(expires_at));
        tokio::pin!(timer);
        let registration_mailbox = Arc::clone(&self.subs.registration.mailbox);
        let mailbox = &*registration_mailbox;
        // Bytes that came with the handshake are frames too.
        let mut step = Box::pin(self.answer_buffered()).await;
        loop {
            if step.is_ok() && self.holding {
                step = Box::pin(self.stream_live()).await;
            }
            if step.is_ok() {
                step = Box::pin(self.flush()).await;
            }
            if let Err(end) = step {
                return end;
            }
            step = match Self::wake(mailbox, timer.as_mut()).await {
                Wake::Alerts(alerts) => Box::pin(self.on_alerts(alerts)).await,
                Wake::Timer if Instant::now() >= expires_at => {
                    return match Box::pin(self.send(&ServerFrame::TokenExpired)).await {
                        Ok(()) => End::Close(CLOSE_TOKEN_EXPIRED, "token_expired"),
                        Err(_) => End::Gone,
                    };
                }
                Wake::Timer => {
                    let step = Box::pin(self.on_tick(heartbeat)).await;
                    next_ping = Instant::now() + heartbeat;
                    timer.as_mut().reset(next_ping.min(expires_at));
                    step
                }
                Wake::Readable(Ok(())) => Box::pin(self.on_readable()).await,
                Wake::Readable(Err(_)) => Err(End::Gone),
            };
        }
    }

    /// Waits for the first of the loop's three sources, most urgent first. Polled by hand rather
    /// than through `select!`: the socket's readiness then needs no future of its own, and the loop's
    /// state (which an idle connection keeps) stays small.
    fn wake<'a>(mailbox: &'a Mailbox, mut timer: Pin<&'a mut Sleep>) -> impl Future<Output = Wake> + 'a {
        std::future::poll_fn(move |cx| {
            if let Poll::Ready(alerts) = mailbox.poll_alerts(cx) {
                return Poll::Ready(Wake::Alerts(alerts));
            }
            if timer.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Wake::Timer);
            }
            mailbox.socket().poll_read_ready(cx).map(Wake::Readable)
        })
    }

    /// Reads what the socket holds and answers every complete frame in it.
    async fn on_readable(&mut self) -> Step {
        let open = self.read_available();
        self.answer_buffered().await?;
        if open { Ok(()) } else { Err(End::Gone) }
    }

    /// Moves what the socket holds (up to [`READ_PER_WAKE`] bytes) into the frame reader; `false`
    /// once the client has closed its side or the socket failed.
    fn read_available(&mut self) -> bool {
        let mut chunk = [0u8; READ_CHUNK];
        let mut total = 0;
        while total < READ_PER_WAKE {
            match self.subs.mailbox().socket().try_read(&mut chunk) {
                Ok(0) => return false,
                Ok(read) => {
                    self.reader.extend(&chunk[..read]);
                    total += read;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => return false,
            }
        }
        true
    }

    /// Answers every complete frame the reader holds.
    async fn answer_buffered(&mut self) -> Step {
        loop {
            match self.reader.next_message() {
                Ok(None) => return Ok(()),
                Ok(Some(inbound)) => {
                    self.last_heard = Instant::now();
                    self.on_inbound(inbound).await?;
                }
                Err(error) => {
                    tracing::debug!(%error, "chat client broke the framing");
                    let (frame, end) = frame_error(&error);
                    if let Some(frame) = frame {
                        self.queue_frame(&ServerFrame::Error(frame));
                    }
                    return Err(end);
                }
            }
        }
    }

    /// Acts on the alerts taken from the mailbox, most urgent first.
    async fn on_alerts(&mut self, alerts: Alerts) -> Step {
        if alerts.contains(Alerts::BROKEN) {
            return Err(End::Gone);
        }
        if alerts.contains(Alerts::SHUTDOWN) {
            return Err(End::Close(CLOSE_GOING_AWAY, "server_shutting_down"));
        }
        if alerts.contains(Alerts::KICK) {
            let text = "This connection fell too far behind; reconnect and resume.";
            let error = Refusal::bare().error(ChatErrorCode::TooSlow, text);
            self.queue_frame(&ServerFrame::Error(error));
            return Err(End::Close(CLOSE_TOO_SLOW, "too_slow"));
        }
        if alerts.contains(Alerts::READY) {
            self.stream_live().await?;
        }
        if alerts.contains(Alerts::UNSENT) {
            self.drain().await?;
        }
        if alerts.contains(Alerts::RESYNC) {
            self.recover().await?;
        }
        // After the live events, ahead of the client's next frames: whatever the client does after
        // the edit that raised it already sees the new rooms.
        if alerts.contains(Alerts::MEMBERSHIP) {
            self.membership_changed().await?;
        }
        Ok(())
    }

    async fn on_inbound(&mut self, inbound: Inbound) -> Step {
        let size = match &inbound {
            Inbound::Text(text) => text.len(),
            Inbound::Binary(bytes) => bytes.len(),
            _ => 0,
        };
        if size > MAX_FRAME_BYTES {
            let error = Refusal::bare().error(
                ChatErrorCode::FrameTooLarge,
                format!("Frames may have at most {MAX_FRAME_BYTES} bytes; this one had {size}."),
            );
            return self.send_error(error).await;
        }
        let frame = match inbound {
            Inbound::Text(text) => frames::parse(&text),
            Inbound::Binary(bytes) => frames::parse_binary(&bytes),
            Inbound::Ping(payload) => {
                self.queue(&codec::pong_frame(&payload));
                return Ok(());
            }
            // Pongs answer the heartbeat's pings: they only prove the client is alive.
            Inbound::Pong => return Ok(()),
            Inbound::Close(code) => {
                // Answered with the client's own code, as RFC 6455 asks; then there is nothing more to say.
                self.mailbox().close();
                self.queue(&codec::close_frame(code.unwrap_or(CLOSE_NORMAL), ""));
                let _ = self.flush().await;
                return Err(End::Gone);
            }
        };
        match frame {
            Ok(frame) => self.on_frame(frame).await,
            Err(error) => self.send_error(error).await,
        }
    }

    async fn on_tick(&mut self, heartbeat: Duration) -> Step {
        if self.last_heard.elapsed() > heartbeat * 2 {
            return Err(End::Close(CLOSE_HEARTBEAT_TIMEOUT, "heartbeat_timeout"));
        }
        self.queue(&codec::ping_frame(&[]));
        self.flush().await?;
        // Logout and revocation reach open connections within one interval.
        match self.db.session(self.session.session_id).await {
            Ok(Some(session)) if session.is_live(crate::db::now_millis()) => {}
            Ok(_) => return Err(End::Close(CLOSE_SESSION_REVOKED, "session_revoked")),
            Err(error) => tracing::warn!(%error, "chat session check failed"),
        }
        if self.greeted {
            // Blocks made on another connection of the student apply here from now on.
            match self.db.blocked_users(self.user()).await {
                Ok(blocked) => self.mailbox().set_blocked(blocked.into_iter().collect()),
                Err(error) => tracing::warn!(%error, "chat block list check failed"),
            }
            self.resync(false).await?;
        }
        Ok(())
    }

    async fn on_frame(&mut self, frame: ClientFrame) -> Step {
        if !self.greeted && !matches!(frame, ClientFrame::Hello { .. } | ClientFrame::Ping { .. }) {
            let error = Refusal::bare().error(ChatErrorCode::HelloRequired, "Send a hello frame first.");
            return self.send_error(error).await;
        }
        match frame {
            ClientFrame::Hello { resume } => self.on_hello(resume).await,
            ClientFrame::Send { room_id, client_msg_id, body, reply_to, mentions } => {
                self.on_send(room_id, &client_msg_id, &body, reply_to, &mentions).await
            }
            ClientFrame::History { room_id, before_seq, limit } => self.on_history(room_id, before_seq, limit).await,
            ClientFrame::Edit { message_id, body } => self.on_update(message_id, Some(&body)).await,
            ClientFrame::Delete { message_id } => self.on_update(message_id, None).await,
            ClientFrame::Typing { room_id } => self.on_typing(room_id).await,
            ClientFrame::Read { room_id, seq } => self.on_read(room_id, seq).await,
            ClientFrame::Rooms => self.resync(true).await,
            ClientFrame::Members { room_id } => self.on_members(room_id).await,
            ClientFrame::Block { user_id } => self.on_block(user_id, true).await,
            ClientFrame::Unblock { user_id } => self.on_block(user_id, false).await,
            ClientFrame::Report { message_id, reason } => self.on_report(message_id, &reason).await,
            ClientFrame::Ping { nonce } => self.send(&ServerFrame::Pong { nonce }).await,
        }
    }

    /// Subscribes to every member room, welcomes, replays what the client missed, then says so.
    async fn on_hello(&mut self, resume: Vec<RoomCursor>) -> Step {
        if self.greeted {
            let error = Refusal::bare().error(ChatErrorCode::InvalidRequest, "hello was already sent.");
            return self.send_error(error).await;
        }
        let (rooms, blocked) = match self.hello_reads().await {
            Ok(read) => read,
            Err(error) => return self.send_error(internal(&Refusal::bare(), &error)).await,
        };
        self.hold();
        self.mailbox().set_blocked(blocked.iter().copied().collect());
        // Subscribe before reading anything: what is stored after this point also arrives live, and
        // the seq marks below sort out the overlap.
        for room in &rooms {
            self.subs.join(*room);
            self.mailbox().set_mark(*room, 0);
        }
        self.greeted = true;
        let summaries = match self.summaries().await {
            Ok(summaries) => summaries,
            Err(error) => return self.send_error(internal(&Refusal::bare(), &error)).await,
        };
        for summary in &summaries {
            if self.subs.is_joined(summary.room_id) {
                self.mailbox().set_mark(summary.room_id, summary.last_seq);
            }
        }
        // A room that left the timetable between the two reads has no mark to stream from: drop it
        // (the next resync settles it either way).
        let listed: Vec<RoomId> = summaries.iter().map(|s| s.room_id).collect();
        let unlisted: Vec<RoomId> = self.subs.joined.iter().filter(|r| !listed.contains(r)).copied().collect();
        for room in unlisted {
            self.subs.leave(room);
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
        self.send(&welcome).await?;
        for cursor in resume {
            let Some(newest) = self.mailbox().mark(cursor.room_id) else {
                let refusal = Refusal::room(cursor.room_id);
                let error = match self.db.room_access(cursor.room_id, self.user()).await {
                    Ok(RoomAccess::Unknown) => refusal.error(ChatErrorCode::UnknownRoom, "There is no such room."),
                    Ok(_) => refusal.error(ChatErrorCode::NotMember, "This course is not in your primary timetable."),
                    Err(error) => internal(&refusal, &error),
                };
                self.send_error(error).await?;
                continue;
            };
            // A client claiming more than is stored (a database restored from backup) gets what there is.
            let from = cursor.last_seq.min(newest);
            self.replay(cursor.room_id, from).await?;
        }
        let rooms =
            self.mailbox().marks().into_iter().map(|(room_id, last_seq)| RoomCursor { room_id, last_seq }).collect();
        self.send(&ServerFrame::Synced { rooms }).await
    }

    async fn hello_reads(&self) -> Result<(Vec<RoomId>, Vec<UserId>), DbError> {
        Ok((self.db.member_room_ids(self.user()).await?, self.db.blocked_users(self.user()).await?))
    }

    /// Sends `message` unless its author is blocked here.
    async fn send_message(&mut self, message: ChatMessage) -> Step {
        if self.mailbox().blocks(message.author_id) {
            return Ok(());
        }
        self.queue_frame(&ServerFrame::Message(seen_by(message, Some(self.user()))));
        self.flush_if_full().await
    }

    /// Sends every stored message of `room` after `after` and moves the room's mark to the last one.
    async fn replay(&mut self, room: RoomId, after: u64) -> Step {
        let mut mark = after;
        loop {
            let page = match self.db.messages_after(room, mark, REPLAY_PAGE).await {
                Ok(page) => page,
                Err(error) => {
                    let _ = self.send_error(internal(&Refusal::room(room), &error)).await;
                    // The client must not believe it caught up: it reconnects and resumes.
                    return Err(End::Close(CLOSE_INTERNAL_ERROR, "internal"));
                }
            };
            let full = page.len() == REPLAY_PAGE as usize;
            for message in page {
                mark = message.seq;
                self.send_message(message).await?;
            }
            if !full {
                break;
            }
        }
        self.mailbox().set_mark(room, mark);
        Ok(())
    }

    /// The student's rooms may have changed (a timetable edit): subscribe and unsubscribe now, and tell
    /// the client when they did. Before hello there is nothing to bring in line: hello reads them.
    async fn membership_changed(&mut self) -> Step {
        if !self.greeted {
            return Ok(());
        }
        self.resync(false).await
    }

    /// The fan-out may have lost events (Redis was away): a membership signal among them is made good
    /// by re-reading the rooms, and lost messages by replaying every room after its mark.
    async fn recover(&mut self) -> Step {
        self.hold();
        self.membership_changed().await?;
        self.catch_up().await
    }

    /// Replays every room after its mark: in a room that went quiet no later message would ever
    /// reveal the gap.
    async fn catch_up(&mut self) -> Step {
        for (room, mark) in self.mailbox().marks() {
            self.replay(room, mark).await?;
        }
        Ok(())
    }

    /// Sends the stored messages of `room` between the seqs `mark` and `seq`, both excluded.
    async fn fill_gap(&mut self, room: RoomId, mark: u64, seq: u64) -> Step {
        let missed = match self.db.messages_between(room, mark, seq).await {
            Ok(missed) => missed,
            Err(error) => {
                tracing::error!(%error, "chat gap fill failed");
                return Err(End::Close(CLOSE_INTERNAL_ERROR, "internal"));
            }
        };
        for message in missed {
            self.send_message(message).await?;
        }
        Ok(())
    }

    async fn summaries(&self) -> Result<Vec<RoomSummary>, DbError> {
        let mut summaries = self.db.room_summaries(self.user()).await?;
        for summary in &mut summaries {
            if summary.last_message.as_ref().is_some_and(|m| self.mailbox().blocks(m.author_id)) {
                summary.last_message = None;
            }
            summary.last_message = summary.last_message.take().map(|message| seen_by(message, Some(self.user())));
            summary.online_count = u32::try_from(self.hub.online_users(summary.room_id).len()).unwrap_or(u32::MAX);
        }
        Ok(summaries)
    }

    /// Brings the subscriptions in line with the timetable; sends the room list when asked to or when
    /// membership changed.
    async fn resync(&mut self, always_send: bool) -> Step {
        let rooms = match self.db.member_room_ids(self.user()).await {
            Ok(rooms) => rooms,
            Err(error) => {
                if always_send {
                    return self.send_error(internal(&Refusal::bare(), &error)).await;
                }
                tracing::warn!(%error, "chat membership check failed");
                return Ok(());
            }
        };
        let gone: Vec<RoomId> = self.subs.joined.iter().filter(|r| !rooms.contains(r)).copied().collect();
        let new: Vec<RoomId> = rooms.iter().filter(|r| !self.subs.is_joined(**r)).copied().collect();
        for room in &gone {
            self.subs.leave(*room);
        }
        if !new.is_empty() {
            // A new room's events queue until its mark is known, or they would be dropped as unmarked.
            self.hold();
        }
        for room in &new {
            self.subs.join(*room);
        }
        if gone.is_empty() && new.is_empty() && !always_send {
            return Ok(());
        }
        let summaries = match self.summaries().await {
            Ok(summaries) => summaries,
            Err(error) => {
                // Without a mark the new rooms cannot stream in order: drop them until the next try.
                for room in &new {
                    self.subs.leave(*room);
                }
                return self.send_error(internal(&Refusal::bare(), &error)).await;
            }
        };
        for summary in &summaries {
            if new.contains(&summary.room_id) {
                self.mailbox().set_mark(summary.room_id, summary.last_seq);
            }
        }
        for room in &new {
            if self.mailbox().mark(*room).is_none() {
                self.subs.leave(*room);
            }
        }
        self.send(&ServerFrame::Rooms { rooms: summaries }).await
    }

    /// `Ok(())` when the student is a member of `room`, else the error to send.
    async fn check_member(&self, room: RoomId, refusal: &Refusal) -> Result<(), ChatError> {
        match self.db.room_access(room, self.user()).await {
            Ok(RoomAccess::Member) => Ok(()),
            Ok(RoomAccess::NotMember) => Err(not_member(refusal)),
            Ok(RoomAccess::Unknown) => Err(refusal.error(ChatErrorCode::UnknownRoom, "There is no such room.")),
            Err(error) => Err(internal(refusal, &error)),
        }
    }

    async fn on_send(
        &mut self,
        room_id: RoomId,
        client_msg_id: &str,
        body: &str,
        reply_to: Option<MessageId>,
        mentions: &[UserId],
    ) -> Step {
        let refusal = Refusal::send(client_msg_id, room_id);
        // This connection's copy of the message queues behind the ack (see `run`, which writes both).
        self.hold();
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
                self.queue_frame(&ack);
                if !self.subs.is_joined(room_id) {
                    // A member room this connection had not subscribed to yet (a course added since).
                    return self.resync(false).await;
                }
                Ok(())
            }
            Err(error) => self.send_error(error).await,
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
        let mentions = self.db.members_among(room_id, mentions).await.map_err(|error| internal(refusal, &error))?;
        let new = NewMessage { room_id, author_id: self.user(), client_msg_id, body, reply_to, mentions: &mentions };
        // Held from the seq's assignment to its publication, so this node publishes the room in seq order.
        let _room = self.hub.room_lock(room_id).lock().await;
        match self.db.store_message(&new).await {
            Ok(StoreOutcome::Stored(message)) => {
                self.hub.publish_message(EventKind::Message { seq: message.seq }, &message, ServerFrame::Message);
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

    async fn on_history(&mut self, room_id: RoomId, before_seq: Option<u64>, limit: Option<u32>) -> Step {
        let refusal = Refusal::room(room_id);
        let page = async {
            let limit = frames::history_limit(limit, &refusal)?;
            self.check_member(room_id, &refusal).await?;
            self.db
                .messages_before(self.user(), room_id, before_seq, limit)
                .await
                .map_err(|error| internal(&refusal, &error))
        };
        match page.await {
            Ok((messages, has_more)) => {
                let viewer = Some(self.user());
                let messages = messages.into_iter().map(|message| seen_by(message, viewer)).collect();
                self.send(&ServerFrame::History { room_id, messages, has_more }).await
            }
            Err(error) => self.send_error(error).await,
        }
    }

    /// An edit (`Some(body)`) or a deletion (`None`) of one of the student's own messages.
    async fn on_update(&mut self, message_id: MessageId, body: Option<&str>) -> Step {
        let refusal = Refusal::message(message_id);
        let update = async {
            if let Some(body) = body {
                frames::check_body(body, &refusal)?;
            }
            let message = self.db.message(message_id).await.map_err(|error| internal(&refusal, &error))?;
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
            match self.db.update_message(message_id, self.user(), body).await {
                Ok(UpdateOutcome::Updated(message)) => {
                    self.hub.publish_message(EventKind::Ephemeral, &message, ServerFrame::MessageUpdated);
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
            Err(error) => self.send_error(error).await,
        }
    }

    async fn on_typing(&mut self, room_id: RoomId) -> Step {
        if !self.subs.is_joined(room_id) {
            let refusal = Refusal::room(room_id);
            return match self.check_member(room_id, &refusal).await {
                // A member room not subscribed yet: pick it up, and drop this one indicator.
                Ok(()) => self.resync(false).await,
                Err(error) => self.send_error(error).await,
            };
        }
        let frame = ServerFrame::Typing { room_id, user_id: self.user(), display_name: self.display_name.clone() };
        let (audience, author) = (Audience::AllBut(self.user()), Some(self.user()));
        self.hub.publish(RoomEvent::new(room_id, EventKind::Ephemeral, audience, author, &frame));
        Ok(())
    }

    async fn on_read(&mut self, room_id: RoomId, seq: u64) -> Step {
        let refusal = Refusal::room(room_id);
        let marked = async {
            self.check_member(room_id, &refusal).await?;
            self.db.mark_read(self.user(), room_id, seq).await.map_err(|error| internal(&refusal, &error))
        };
        match marked.await {
            Ok((seq, unread)) => {
                let frame = ServerFrame::ReadMarker { room_id, seq, unread };
                if self.subs.is_joined(room_id) {
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
                    self.send(&frame).await
                }
            }
            Err(error) => self.send_error(error).await,
        }
    }

    async fn on_block(&mut self, user_id: UserId, block: bool) -> Step {
        let refusal = Refusal::bare();
        if user_id == self.user() {
            return self.send_error(refusal.error(ChatErrorCode::InvalidRequest, "You cannot block yourself.")).await;
        }
        let changed = async {
            if block {
                if !self.db.block_user(self.user(), user_id).await? {
                    return Ok(None);
                }
            } else {
                self.db.unblock_user(self.user(), user_id).await?;
            }
            self.db.blocked_users(self.user()).await.map(Some)
        };
        match changed.await {
            Ok(Some(user_ids)) => {
                self.mailbox().set_blocked(user_ids.iter().copied().collect());
                self.send(&ServerFrame::BlockList { user_ids }).await
            }
            Ok(None) => self.send_error(refusal.error(ChatErrorCode::UnknownUser, "There is no such student.")).await,
            Err(error) => self.send_error(internal(&refusal, &error)).await,
        }
    }

    async fn on_report(&mut self, message_id: MessageId, reason: &str) -> Step {
        let refusal = Refusal::message(message_id);
        let reported = async {
            if reason.chars().count() > MAX_REPORT_REASON_CHARS {
                let text = format!("A reason has at most {MAX_REPORT_REASON_CHARS} characters.");
                return Err(refusal.error(ChatErrorCode::InvalidRequest, text));
            }
            let unknown = || refusal.error(ChatErrorCode::UnknownMessage, "There is no such message.");
            let message = self.db.message(message_id).await.map_err(|error| internal(&refusal, &error))?;
            let message = message.ok_or_else(unknown)?;
            // Only what the student could see can be reported, and without revealing anything else.
            self.check_member(message.room_id, &refusal).await.map_err(|error| match error.code {
                ChatErrorCode::Internal => error,
                _ => unknown(),
            })?;
            self.db.report_message(message_id, self.user(), reason).await.map_err(|error| internal(&refusal, &error))
        };
        match reported.await {
            Ok(()) => self.send(&ServerFrame::Reported { message_id }).await,
            Err(error) => self.send_error(error).await,
        }
    }

    async fn on_members(&mut self, room_id: RoomId) -> Step {
        let refusal = Refusal::room(room_id);
        let members = async {
            self.check_member(room_id, &refusal).await?;
            self.db.room_members(room_id).await.map_err(|error| internal(&refusal, &error))
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
                self.send(&ServerFrame::Members { room_id, members }).await
            }
            Err(error) => self.send_error(error).await,
        }
    }
}
