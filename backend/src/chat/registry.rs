//! This node's live subscriptions: which connections listen to which room, and who is online where;
//! and, per connection, its [`Mailbox`]: the way live events reach its socket, and the alerts that
//! wake its task (events queued for it, its queue overflowed, the student's rooms may have changed,
//! the fan-out may have lost events, the server is shutting down, the socket broke).
//!
//! Delivery never waits. A connection that is streaming live (the usual case) gets an event written
//! straight into its socket by whoever publishes it: the frame is built once, and each recipient
//! costs one non-blocking write, with no task woken. Only when the connection is busy keeping its own
//! order (replaying history, filling a gap, subscribing to new rooms, answering a send) are events
//! queued for its task instead, and bytes its socket cannot take yet wait in its unsent queue. A
//! queue overflowing marks the connection too slow (its kick fires and it closes itself, to catch up
//! by resuming), so one slow reader cannot stall a room.

use super::{Audience, EventKind, RoomEvent};
use bytes::{Bytes, BytesMut};
use futures_util::task::AtomicWaker;
use pretzel_api::{RoomId, UserId};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::task::{Context, Poll};
use tokio::net::TcpStream;

/// Identifies one connection on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(pub u64);

/// What a connection was woken for; several can arrive together (see [`Mailbox::poll_alerts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Alerts(u8);

impl Alerts {
    /// Live events were queued for the task.
    pub const READY: Self = Self(1);
    /// A queue overflowed: the connection is too slow.
    pub const KICK: Self = Self(1 << 1);
    /// The student's rooms may have changed (a timetable edit).
    pub const MEMBERSHIP: Self = Self(1 << 2);
    /// The fan-out may have lost events: replay the rooms from storage.
    pub const RESYNC: Self = Self(1 << 3);
    /// The server is shutting down.
    pub const SHUTDOWN: Self = Self(1 << 4);
    /// Bytes wait for the socket to become writable.
    pub const UNSENT: Self = Self(1 << 5);
    /// A write to the socket failed: the client is gone.
    pub const BROKEN: Self = Self(1 << 6);

    /// Whether all of `other` is among these.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// These and `other`.
    #[must_use]
    pub fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// What to do with one live event, given the connection's marks and blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Write it: it is next in its room's order (the mark has moved to it).
    Send,
    /// Drop it: a repeat, a room left, or a blocked author's (marks still move past its seq).
    Skip,
    /// Messages between the mark and this one are missing: read them from storage first.
    Gap {
        /// The last seq sent in the room.
        mark: u64,
        /// The event's seq.
        seq: u64,
    },
}

/// What a connection shares with the publishers writing into it, behind one lock: the order of its
/// socket's bytes.
#[derive(Debug, Default)]
struct Outbound {
    /// Whether publishers write live events themselves; while unset they queue them in `events`.
    direct: bool,
    /// Live events for the task to handle, oldest first.
    events: VecDeque<Arc<RoomEvent>>,
    /// Frames (the first perhaps partly written) the socket has not taken yet, in order.
    unsent: VecDeque<Bytes>,
    /// The last seq sent per subscribed room. A student is in a handful of rooms: a short list
    /// searched in place is smaller than a map and hashes nothing on every delivery.
    marks: Vec<(RoomId, u64)>,
    /// The students this one blocks: their messages and typing are not sent here.
    blocked: HashSet<UserId>,
    /// The connection is closing: nothing more is written by publishers.
    closed: bool,
}

impl Outbound {
    /// Where `room`'s mark is in `marks`, if subscribed.
    fn mark_index(&self, room: RoomId) -> Option<usize> {
        self.marks.iter().position(|(subscribed, _)| *subscribed == room)
    }

    fn mark_mut(&mut self, room: RoomId) -> Option<&mut u64> {
        let index = self.mark_index(room)?;
        Some(&mut self.marks[index].1)
    }

    /// Decides about `event` and moves its room's mark when it is a message in order.
    fn admit(&mut self, event: &RoomEvent) -> Admission {
        let Some(mark) = self.mark_mut(event.room_id) else {
            return Admission::Skip;
        };
        if let EventKind::Message { seq } = event.kind {
            if seq <= *mark {
                return Admission::Skip;
            }
            if seq > *mark + 1 {
                return Admission::Gap { mark: *mark, seq };
            }
            *mark = seq;
        }
        if event.author.is_some_and(|author| self.blocked.contains(&author)) {
            Admission::Skip
        } else {
            Admission::Send
        }
    }
}

/// One connection's way out: its socket, the bookkeeping that keeps what reaches it in order, and
/// the alerts that wake its task.
///
/// One lock orders every write to the socket, the task's own frames and the publishers' alike, so
/// frames never interleave. An empty queue holds no buffer: an idle connection costs the socket and a
/// few words here.
#[derive(Debug)]
pub struct Mailbox {
    socket: TcpStream,
    outbound: Mutex<Outbound>,
    capacity: usize,
    alerts: AtomicU8,
    waker: AtomicWaker,
}

/// Writes as much of `frame` (never empty) as the socket takes now, dropping what it took from the
/// front; `Ok(true)` once all of it is written.
fn write_some(socket: &TcpStream, frame: &mut Bytes) -> io::Result<bool> {
    loop {
        match socket.try_write(frame) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) if written == frame.len() => return Ok(true),
            Ok(written) => {
                let _ = frame.split_to(written);
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(error) => return Err(error),
        }
    }
}

/// Writes the queued bytes that the socket takes; `Ok(true)` once none are left.
fn write_unsent(socket: &TcpStream, unsent: &mut VecDeque<Bytes>) -> io::Result<bool> {
    while let Some(front) = unsent.front_mut() {
        if !write_some(socket, front)? {
            return Ok(false);
        }
        unsent.pop_front();
    }
    // An emptied queue keeps no buffer: a socket falls behind rarely.
    *unsent = VecDeque::new();
    Ok(true)
}

impl Mailbox {
    /// The mailbox of a connection writing to `socket`, which queues at most `capacity` live events
    /// (and as many unsent frames) before the connection counts as too slow. It starts queueing: the
    /// connection's task lets publishers write directly once it has caught up.
    pub fn new(socket: TcpStream, capacity: usize) -> Self {
        Self {
            socket,
            outbound: Mutex::default(),
            capacity: capacity.max(1),
            alerts: AtomicU8::new(0),
            waker: AtomicWaker::new(),
        }
    }

    /// The connection's socket (the task reads from it; writes go through the mailbox).
    pub fn socket(&self) -> &TcpStream {
        &self.socket
    }

    fn lock(&self) -> MutexGuard<'_, Outbound> {
        self.outbound.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes `frames` after whatever is queued, as far as the socket takes them now, and queues the
    /// rest (raising [`Alerts::UNSENT`]).
    fn write_locked(&self, out: &mut Outbound, mut frames: Bytes) -> io::Result<()> {
        if frames.is_empty() {
            return Ok(());
        }
        if out.unsent.is_empty() {
            // Straight from the caller's bytes: the usual write queues nothing, and allocates nothing.
            if write_some(&self.socket, &mut frames)? {
                return Ok(());
            }
            self.raise(Alerts::UNSENT);
        }
        out.unsent.push_back(frames);
        Ok(())
    }

    /// Hands `event` to the connection: written at once when it streams live, queued for its task
    /// otherwise. A full queue raises the kick; a broken socket raises [`Alerts::BROKEN`].
    fn offer(&self, event: &Arc<RoomEvent>) {
        let mut out = self.lock();
        if out.closed {
            return;
        }
        if !out.direct {
            if out.events.len() >= self.capacity {
                drop(out);
                self.raise(Alerts::KICK);
                return;
            }
            out.events.push_back(Arc::clone(event));
            drop(out);
            self.raise(Alerts::READY);
            return;
        }
        match out.admit(event) {
            Admission::Skip => {}
            Admission::Gap { .. } => {
                // The task fills the gap from storage; everything after waits behind it.
                out.direct = false;
                out.events.push_back(Arc::clone(event));
                drop(out);
                self.raise(Alerts::READY);
            }
            Admission::Send => {
                if out.unsent.len() >= self.capacity {
                    drop(out);
                    self.raise(Alerts::KICK);
                } else if self.write_locked(&mut out, event.frame.clone()).is_err() {
                    out.closed = true;
                    drop(out);
                    self.raise(Alerts::BROKEN);
                }
            }
        }
    }

    /// Stops publishers writing directly: from now on live events queue for the task, until
    /// [`Mailbox::next_or_stream`] finds the queue empty. Call before changing subscriptions or marks.
    pub fn hold(&self) {
        self.lock().direct = false;
    }

    /// The oldest queued event; when there is none, writes `pending` (the task's frames so far) and
    /// lets publishers write directly again, in one step so that nothing overtakes `pending`.
    pub fn next_or_stream(&self, pending: &mut BytesMut) -> io::Result<Option<Arc<RoomEvent>>> {
        let mut out = self.lock();
        if let Some(event) = out.events.pop_front() {
            return Ok(Some(event));
        }
        // A streaming connection keeps no queue buffers (they are rarely needed again soon).
        out.events = VecDeque::new();
        // Taken whole, so the connection keeps no buffer while it streams.
        self.write_locked(&mut out, std::mem::take(pending).freeze())?;
        out.direct = !out.closed;
        Ok(None)
    }

    /// Decides about `event` for the task (the same rules publishers apply).
    pub fn admit(&self, event: &RoomEvent) -> Admission {
        self.lock().admit(event)
    }

    /// Writes `frames` after everything before them, as far as the socket takes them now; `Ok(true)`
    /// when nothing is left unsent.
    pub fn write(&self, frames: Bytes) -> io::Result<bool> {
        let mut out = self.lock();
        self.write_locked(&mut out, frames)?;
        Ok(out.unsent.is_empty())
    }

    /// Writes queued bytes the socket takes now; `Ok(true)` when nothing is left unsent.
    pub fn write_queued(&self) -> io::Result<bool> {
        let mut out = self.lock();
        write_unsent(&self.socket, &mut out.unsent)
    }

    /// Stops every write but the task's own (the close frame): the connection is closing.
    pub fn close(&self) {
        let mut out = self.lock();
        out.closed = true;
        out.direct = false;
        out.events.clear();
    }

    /// The last seq sent in `room`, if subscribed.
    pub fn mark(&self, room: RoomId) -> Option<u64> {
        let out = self.lock();
        out.mark_index(room).map(|index| out.marks[index].1)
    }

    /// Every subscribed room with its mark.
    pub fn marks(&self) -> Vec<(RoomId, u64)> {
        self.lock().marks.clone()
    }

    /// Records `mark` as the last seq sent in `room` (subscribing it here).
    pub fn set_mark(&self, room: RoomId, mark: u64) {
        let mut out = self.lock();
        match out.mark_mut(room) {
            Some(held) => *held = mark,
            None => out.marks.push((room, mark)),
        }
    }

    /// Forgets `room`'s mark; `true` if it had one.
    pub fn remove_mark(&self, room: RoomId) -> bool {
        let mut out = self.lock();
        let held = out.mark_index(room);
        held.map(|index| out.marks.swap_remove(index)).is_some()
    }

    /// Replaces the students whose messages are hidden here.
    pub fn set_blocked(&self, blocked: HashSet<UserId>) {
        self.lock().blocked = blocked;
    }

    /// Whether `user`'s messages are hidden here.
    pub fn blocks(&self, user: UserId) -> bool {
        self.lock().blocked.contains(&user)
    }

    /// Records `alerts` and wakes the connection, unless they were all raised already and not yet
    /// taken (the connection is woken once for any number of them before it runs).
    pub fn raise(&self, alerts: Alerts) {
        let before = self.alerts.fetch_or(alerts.0, Ordering::AcqRel);
        if before & alerts.0 != alerts.0 {
            self.waker.wake();
        }
    }

    /// Takes the alerts raised since the last take, or waits for one.
    pub fn poll_alerts(&self, cx: &mut Context<'_>) -> Poll<Alerts> {
        // Registered before looking, so an alert raised in between wakes the task.
        self.waker.register(cx.waker());
        match self.alerts.swap(0, Ordering::AcqRel) {
            0 => Poll::Pending,
            raised => Poll::Ready(Alerts(raised)),
        }
    }
}

/// One connection's end of the fan-out.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// The connection.
    pub conn: ConnId,
    /// Whose connection it is.
    pub user: UserId,
    /// Its live events.
    pub mailbox: Arc<Mailbox>,
}

/// A student's connections on this node, each with its mailbox (which carries its alerts).
type Connections = Vec<(ConnId, Arc<Mailbox>)>;

/// Room → subscribers on this node, and student → their connections.
#[derive(Debug, Default)]
pub struct Registry {
    rooms: RwLock<HashMap<RoomId, Vec<Subscriber>>>,
    members: RwLock<HashMap<UserId, Connections>>,
}

impl Registry {
    /// Records connection `conn` of `user`, alerted through `mailbox`.
    pub fn connect(&self, user: UserId, conn: ConnId, mailbox: Arc<Mailbox>) {
        let mut members = self.members.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        members.entry(user).or_default().push((conn, mailbox));
    }

    /// Forgets connection `conn` of `user`.
    pub fn disconnect(&self, user: UserId, conn: ConnId) {
        let mut members = self.members.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(signals) = members.get_mut(&user) {
            signals.retain(|(c, _)| *c != conn);
            if signals.is_empty() {
                members.remove(&user);
            }
        }
    }

    /// Alerts every connection of `user` on this node that the student's rooms may have changed. An
    /// alert raised while its connection is busy is kept, and several in a row make one re-read.
    pub fn membership_changed(&self, user: UserId) {
        let members = self.members.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (_, mailbox) in members.get(&user).into_iter().flatten() {
            mailbox.raise(Alerts::MEMBERSHIP);
        }
    }

    /// Raises `alerts` on every connection of this node.
    pub fn alert_all(&self, alerts: Alerts) {
        let members = self.members.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (_, mailbox) in members.values().flatten() {
            mailbox.raise(alerts);
        }
    }

    /// Adds `subscriber` to `room`; `true` when it is the user's first connection in the room (the
    /// user just came online there).
    pub fn subscribe(&self, room: RoomId, subscriber: Subscriber) -> bool {
        let mut rooms = self.rooms.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let subscribers = rooms.entry(room).or_default();
        if subscribers.iter().any(|s| s.conn == subscriber.conn) {
            return false;
        }
        let first = !subscribers.iter().any(|s| s.user == subscriber.user);
        subscribers.push(subscriber);
        first
    }

    /// Removes connection `conn` of `user` from `room`; `true` when the user has no connection left
    /// in the room (the user just went offline there).
    pub fn unsubscribe(&self, room: RoomId, conn: ConnId, user: UserId) -> bool {
        let mut rooms = self.rooms.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(subscribers) = rooms.get_mut(&room) else {
            return false;
        };
        let before = subscribers.len();
        subscribers.retain(|s| s.conn != conn);
        let removed = subscribers.len() < before;
        let last = removed && !subscribers.iter().any(|s| s.user == user);
        if subscribers.is_empty() {
            rooms.remove(&room);
        }
        last
    }

    /// Queues `event` for the room's subscribers in its audience; overflowing mailboxes get kicked.
    pub fn deliver(&self, event: &Arc<RoomEvent>) {
        let rooms = self.rooms.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(subscribers) = rooms.get(&event.room_id) else {
            return;
        };
        for subscriber in subscribers {
            let wanted = match event.audience {
                Audience::Everyone => true,
                Audience::AllBut(user) => subscriber.user != user,
                Audience::Only(user) => subscriber.user == user,
            };
            if !wanted {
                continue;
            }
            subscriber.mailbox.offer(event);
        }
    }

    /// The users with at least one connection subscribed to `room` on this node.
    pub fn online_users(&self, room: RoomId) -> HashSet<UserId> {
        let rooms = self.rooms.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        rooms.get(&room).map(|subs| subs.iter().map(|s| s.user).collect()).unwrap_or_default()
    }

    /// Every room with subscribers on this node, with the users online in it here.
    pub fn online_by_room(&self) -> HashMap<RoomId, HashSet<UserId>> {
        let rooms = self.rooms.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        rooms.iter().map(|(room, subs)| (*room, subs.iter().map(|s| s.user).collect())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::codec;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    /// A connected pair of loopback sockets: the server's end, and the client's.
    async fn socket_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let (client, accepted) = tokio::join!(TcpStream::connect(address), listener.accept());
        (accepted.expect("accept").0, client.expect("connect"))
    }

    /// A mailbox over a fresh socket, with the client's end kept open beside it.
    async fn mailbox(capacity: usize) -> (Arc<Mailbox>, TcpStream) {
        let (server, client) = socket_pair().await;
        (Arc::new(Mailbox::new(server, capacity)), client)
    }

    async fn subscriber(conn: u64, user: i64, capacity: usize) -> (Subscriber, Arc<Mailbox>, TcpStream) {
        let (mailbox, client) = mailbox(capacity).await;
        (Subscriber { conn: ConnId(conn), user: UserId(user), mailbox: Arc::clone(&mailbox) }, mailbox, client)
    }

    /// A connection of user 10 in room 1 with nothing sent yet, streaming live (nothing queued for it).
    async fn streaming(registry: &Registry, capacity: usize) -> (Arc<Mailbox>, TcpStream) {
        let (reader, mailbox, client) = subscriber(1, 10, capacity).await;
        registry.subscribe(RoomId(1), reader);
        mailbox.set_mark(RoomId(1), 0);
        assert!(take(&mailbox).is_none(), "nothing queued: the connection streams from now on");
        (mailbox, client)
    }

    fn event(audience: Audience) -> Arc<RoomEvent> {
        Arc::new(RoomEvent {
            room_id: RoomId(1),
            kind: EventKind::Ephemeral,
            audience,
            author: None,
            frame: codec::text_frame(b"{}"),
        })
    }

    fn message(seq: u64, author: i64, body: &str) -> Arc<RoomEvent> {
        Arc::new(RoomEvent {
            room_id: RoomId(1),
            kind: EventKind::Message { seq },
            audience: Audience::Everyone,
            author: Some(UserId(author)),
            frame: codec::text_frame(body.as_bytes()),
        })
    }

    /// The next event queued for the task, if any (letting publishers write directly when none is).
    fn take(mailbox: &Mailbox) -> Option<Arc<RoomEvent>> {
        mailbox.next_or_stream(&mut BytesMut::new()).expect("the socket is open")
    }

    /// Reads from `client` until `expected` bytes arrived.
    async fn read_exactly(client: &mut TcpStream, expected: usize) -> Vec<u8> {
        let mut received = vec![0; expected];
        tokio::time::timeout(std::time::Duration::from_secs(10), client.read_exact(&mut received))
            .await
            .expect("the bytes arrived")
            .expect("read");
        received
    }

    #[tokio::test]
    async fn test_presence_counts_users_not_connections_and_audiences_are_respected() {
        let registry = Registry::default();
        let (a1, a1_rx, _a1_client) = subscriber(1, 10, 4).await;
        let (a2, _a2_rx, _a2_client) = subscriber(2, 10, 4).await;
        let (b, b_rx, _b_client) = subscriber(3, 20, 4).await;
        assert!(registry.subscribe(RoomId(1), a1));
        assert!(!registry.subscribe(RoomId(1), a2), "second connection of the same user");
        assert!(registry.subscribe(RoomId(1), b));
        assert_eq!(registry.online_users(RoomId(1)).len(), 2);

        registry.deliver(&event(Audience::AllBut(UserId(10))));
        registry.deliver(&event(Audience::Only(UserId(10))));
        let to_b = take(&b_rx).expect("b hears the typist");
        assert_eq!(to_b.audience, Audience::AllBut(UserId(10)));
        assert!(take(&b_rx).is_none(), "b is not among the Only audience");
        let to_a1 = take(&a1_rx).expect("a1 gets what is meant for it");
        assert_eq!(to_a1.audience, Audience::Only(UserId(10)), "the typist does not hear itself");
        assert!(take(&a1_rx).is_none());

        assert!(!registry.unsubscribe(RoomId(1), ConnId(1), UserId(10)), "still online on connection 2");
        assert!(registry.unsubscribe(RoomId(1), ConnId(2), UserId(10)));
        assert!(registry.unsubscribe(RoomId(1), ConnId(3), UserId(20)));
        assert!(registry.online_users(RoomId(1)).is_empty());
    }

    /// The alerts raised on `mailbox` since the last look, taken without waiting.
    fn raised(mailbox: &Mailbox) -> Alerts {
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        match mailbox.poll_alerts(&mut cx) {
            Poll::Ready(alerts) => alerts,
            Poll::Pending => Alerts::default(),
        }
    }

    #[tokio::test]
    async fn test_a_full_queue_kicks_its_connection_without_blocking_others() {
        let registry = Registry::default();
        let (slow, slow_rx, _slow_client) = subscriber(1, 10, 1).await;
        let (fast, fast_rx, _fast_client) = subscriber(2, 20, 8).await;
        registry.subscribe(RoomId(1), slow);
        registry.subscribe(RoomId(1), fast);
        registry.deliver(&event(Audience::Everyone));
        registry.deliver(&event(Audience::Everyone));
        assert_eq!(raised(&slow_rx), Alerts::READY.with(Alerts::KICK));
        assert!(take(&slow_rx).is_some() && take(&slow_rx).is_none(), "the slow one kept what fitted");
        assert_eq!(raised(&fast_rx), Alerts::READY);
        assert!(take(&fast_rx).is_some() && take(&fast_rx).is_some());
        assert_eq!(raised(&fast_rx), Alerts::default(), "taking the alerts clears them");
    }

    #[tokio::test]
    async fn test_a_waiting_connection_wakes_once_for_alerts_raised_meanwhile() {
        let (mailbox, _client) = mailbox(8).await;
        let waiting = tokio::spawn({
            let mailbox = Arc::clone(&mailbox);
            async move { std::future::poll_fn(|cx| mailbox.poll_alerts(cx)).await }
        });
        tokio::task::yield_now().await;
        mailbox.raise(Alerts::RESYNC);
        mailbox.raise(Alerts::SHUTDOWN);
        let woken = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
            .await
            .expect("the waiting task was woken")
            .expect("the task ran");
        assert!(woken.contains(Alerts::RESYNC), "{woken:?}");
        let rest = raised(&mailbox);
        assert_eq!(woken.with(rest), Alerts::RESYNC.with(Alerts::SHUTDOWN), "nothing raised is lost");
    }

    #[tokio::test]
    async fn test_membership_alerts_reach_every_connection_of_the_student_only() {
        let registry = Registry::default();
        let ((a1, _a1_client), (a2, _a2_client), (b, _b_client)) =
            (mailbox(4).await, mailbox(4).await, mailbox(4).await);
        registry.connect(UserId(10), ConnId(1), Arc::clone(&a1));
        registry.connect(UserId(10), ConnId(2), Arc::clone(&a2));
        registry.connect(UserId(20), ConnId(3), Arc::clone(&b));
        registry.membership_changed(UserId(10));
        registry.membership_changed(UserId(10));
        assert_eq!(raised(&a1), Alerts::MEMBERSHIP);
        assert_eq!(raised(&a2), Alerts::MEMBERSHIP);
        assert_eq!(raised(&a1), Alerts::default(), "two alerts in a row are one re-read");
        assert_eq!(raised(&b), Alerts::default(), "another student's connection is left alone");

        registry.disconnect(UserId(10), ConnId(1));
        registry.membership_changed(UserId(10));
        assert_eq!(raised(&a1), Alerts::default(), "a closed connection is forgotten");
        assert_eq!(raised(&a2), Alerts::MEMBERSHIP);
        registry.alert_all(Alerts::SHUTDOWN);
        assert_eq!(raised(&a2), Alerts::SHUTDOWN);
        assert_eq!(raised(&b), Alerts::SHUTDOWN);
        assert_eq!(raised(&a1), Alerts::default());
        registry.disconnect(UserId(10), ConnId(2));
        let members = registry.members.read().expect("not poisoned");
        assert!(!members.contains_key(&UserId(10)), "a student without connections leaves no entry");
        assert!(members.contains_key(&UserId(20)));
    }

    #[tokio::test]
    async fn test_a_streaming_connection_gets_messages_in_order_straight_into_its_socket() {
        let registry = Registry::default();
        let (mailbox, mut client) = streaming(&registry, 8).await;
        mailbox.set_blocked([UserId(66)].into_iter().collect());

        for event in
            [message(1, 20, "one"), message(2, 66, "blocked"), message(2, 20, "again"), message(3, 20, "three")]
        {
            registry.deliver(&event);
        }
        assert_eq!(raised(&mailbox), Alerts::default(), "written without waking the connection");
        let expected = [codec::text_frame(b"one"), codec::text_frame(b"three")].concat();
        assert_eq!(
            read_exactly(&mut client, expected.len()).await,
            expected,
            "a repeat and a blocked author are skipped"
        );
        assert_eq!(mailbox.mark(RoomId(1)), Some(3));

        registry.deliver(&message(5, 20, "five"));
        registry.deliver(&message(6, 20, "six"));
        assert_eq!(raised(&mailbox), Alerts::READY, "a gap is the connection's to fill");
        let gap = take(&mailbox).expect("the message after the gap waits for the connection");
        assert_eq!(mailbox.admit(&gap), Admission::Gap { mark: 3, seq: 5 });
        mailbox.set_mark(RoomId(1), 5);
        let next = take(&mailbox).expect("what came after it waits behind it");
        assert_eq!(mailbox.admit(&next), Admission::Send);
        assert!(take(&mailbox).is_none());
        registry.deliver(&message(7, 20, "seven"));
        let expected = codec::text_frame(b"seven");
        assert_eq!(read_exactly(&mut client, expected.len()).await, expected.to_vec(), "streaming again");
    }

    #[tokio::test]
    async fn test_frames_the_socket_cannot_take_wait_in_order_and_a_reader_that_never_reads_is_kicked() {
        let registry = Registry::default();
        let (mailbox, mut client) = streaming(&registry, 4).await;
        let body = "x".repeat(60_000);
        let mut seen = Alerts::default();
        let mut sent = 0;
        while !seen.contains(Alerts::KICK) {
            sent += 1;
            assert!(sent < 10_000, "the kernel's buffers never filled");
            registry.deliver(&message(sent, 20, &body));
            seen = seen.with(raised(&mailbox));
        }
        assert!(seen.contains(Alerts::UNSENT), "bytes waited before the queue overflowed: {seen:?}");
        // Whatever was accepted arrives whole and in order once the client reads.
        let frame_len = codec::text_frame(body.as_bytes()).len();
        let reading = tokio::spawn(async move {
            let mut frames = 0usize;
            let mut buffer = vec![0; frame_len];
            while client.read_exact(&mut buffer).await.is_ok() {
                assert_eq!(codec::server_payload(&buffer), body.as_bytes(), "frame {frames} arrived whole");
                frames += 1;
            }
            frames
        });
        while !mailbox.write_queued().expect("the client is reading") {
            mailbox.socket().writable().await.expect("writable");
        }
        drop(registry);
        drop(mailbox);
        let frames = reading.await.expect("the reader ran");
        assert_eq!(u64::try_from(frames).expect("small"), sent - 1, "every frame but the one refused arrived");
    }
}
