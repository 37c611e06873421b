//! This node's live subscriptions: which connections listen to which room, with a bounded queue
//! each, and who is online where; and, per connection, the alerts that wake it: live events queued,
//! its queue overflowed, the student's rooms may have changed, the fan-out may have lost events, the
//! server is shutting down.
//!
//! Delivery never waits: an event goes into each subscriber's [`Mailbox`] if there is room, and a
//! full mailbox marks that connection too slow (its kick fires and it closes itself, to catch up by
//! resuming), so one slow reader cannot stall a room.

use super::{Audience, RoomEvent};
use futures_util::task::AtomicWaker;
use pretzel_api::{RoomId, UserId};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};

/// Identifies one connection on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(pub u64);

/// What a connection was woken for; several can arrive together (see [`Mailbox::poll_alerts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Alerts(u8);

impl Alerts {
    /// Live events were queued.
    pub const READY: Self = Self(1);
    /// The mailbox overflowed: the connection is too slow.
    pub const KICK: Self = Self(1 << 1);
    /// The student's rooms may have changed (a timetable edit).
    pub const MEMBERSHIP: Self = Self(1 << 2);
    /// The fan-out may have lost events: replay the rooms from storage.
    pub const RESYNC: Self = Self(1 << 3);
    /// The server is shutting down.
    pub const SHUTDOWN: Self = Self(1 << 4);

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

/// One connection's bounded queue of live events, and the alerts that wake it.
///
/// One queue and one waker rather than a channel and a signal per cause: every connection keeps
/// them for its whole life, and its task, woken for every delivery, then checks one word instead of
/// polling (and locking) a `Notify` per cause. An empty `VecDeque` behind a lock holds no buffer,
/// where a channel kept about a kilobyte per idle connection.
#[derive(Debug)]
pub struct Mailbox {
    events: Mutex<VecDeque<Arc<RoomEvent>>>,
    capacity: usize,
    alerts: AtomicU8,
    waker: AtomicWaker,
}

impl Mailbox {
    /// An empty mailbox that holds at most `capacity` events (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            events: Mutex::default(),
            capacity: capacity.max(1),
            alerts: AtomicU8::new(0),
            waker: AtomicWaker::new(),
        }
    }

    /// Queues `event`, or raises the kick if the mailbox is full.
    fn offer(&self, event: &Arc<RoomEvent>) {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if events.len() >= self.capacity {
            drop(events);
            self.raise(Alerts::KICK);
            return;
        }
        events.push_back(Arc::clone(event));
        drop(events);
        self.raise(Alerts::READY);
    }

    /// The oldest queued event.
    pub fn take(&self) -> Option<Arc<RoomEvent>> {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop_front()
    }

    /// Records `alerts` and wakes the connection, unless they were all raised already and not yet
    /// taken (the connection is woken once for any number of deliveries before it runs).
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

    /// Waits for the next alerts and takes them.
    pub async fn alerts(&self) -> Alerts {
        std::future::poll_fn(|cx| self.poll_alerts(cx)).await
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
    use crate::chat::EventKind;
    use axum::extract::ws::Utf8Bytes;

    fn subscriber(conn: u64, user: i64, capacity: usize) -> (Subscriber, Arc<Mailbox>) {
        let mailbox = Arc::new(Mailbox::new(capacity));
        (Subscriber { conn: ConnId(conn), user: UserId(user), mailbox: Arc::clone(&mailbox) }, mailbox)
    }

    fn event(audience: Audience) -> Arc<RoomEvent> {
        Arc::new(RoomEvent {
            room_id: RoomId(1),
            kind: EventKind::Ephemeral,
            audience,
            author: None,
            frame: Utf8Bytes::from_static("{}"),
        })
    }

    #[tokio::test]
    async fn test_presence_counts_users_not_connections_and_audiences_are_respected() {
        let registry = Registry::default();
        let (a1, a1_rx) = subscriber(1, 10, 4);
        let (a2, _a2_rx) = subscriber(2, 10, 4);
        let (b, b_rx) = subscriber(3, 20, 4);
        assert!(registry.subscribe(RoomId(1), a1));
        assert!(!registry.subscribe(RoomId(1), a2), "second connection of the same user");
        assert!(registry.subscribe(RoomId(1), b));
        assert_eq!(registry.online_users(RoomId(1)).len(), 2);

        registry.deliver(&event(Audience::AllBut(UserId(10))));
        assert!(b_rx.take().is_some());
        assert!(a1_rx.take().is_none(), "the typist does not hear itself");
        registry.deliver(&event(Audience::Only(UserId(10))));
        assert!(a1_rx.take().is_some());
        assert!(b_rx.take().is_none());

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
        let (slow, slow_rx) = subscriber(1, 10, 1);
        let (fast, fast_rx) = subscriber(2, 20, 8);
        registry.subscribe(RoomId(1), slow);
        registry.subscribe(RoomId(1), fast);
        registry.deliver(&event(Audience::Everyone));
        registry.deliver(&event(Audience::Everyone));
        assert_eq!(raised(&slow_rx), Alerts::READY.with(Alerts::KICK));
        assert!(slow_rx.take().is_some() && slow_rx.take().is_none(), "the slow one kept what fitted");
        assert_eq!(raised(&fast_rx), Alerts::READY);
        assert!(fast_rx.take().is_some() && fast_rx.take().is_some());
        assert_eq!(raised(&fast_rx), Alerts::default(), "taking the alerts clears them");
    }

    #[tokio::test]
    async fn test_a_waiting_connection_wakes_once_for_alerts_raised_meanwhile() {
        let mailbox = Arc::new(Mailbox::new(8));
        let waiting = tokio::spawn({
            let mailbox = Arc::clone(&mailbox);
            async move { mailbox.alerts().await }
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
        let (a1, a2, b) = (Arc::new(Mailbox::new(4)), Arc::new(Mailbox::new(4)), Arc::new(Mailbox::new(4)));
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
}
