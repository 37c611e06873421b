//! This node's live subscriptions: which connections listen to which room, with a bounded queue
//! each, and who is online where; and, per student, the membership signal of each of their
//! connections, so that a timetable edit makes them re-read their rooms at once.
//!
//! Delivery never waits: an event goes into each subscriber's [`Mailbox`] if there is room, and a
//! full mailbox marks that connection too slow (its kick fires and it closes itself, to catch up by
//! resuming), so one slow reader cannot stall a room.

use super::{Audience, RoomEvent};
use pretzel_api::{RoomId, UserId};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::Notify;

/// Identifies one connection on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(pub u64);

/// One connection's bounded queue of live events, with its two signals.
///
/// A queue of its own rather than a channel: every connection keeps one for its whole life, and an
/// empty `VecDeque` behind a lock holds no buffer, where a channel kept about a kilobyte (its
/// cache-padded halves and a block of slots) per idle connection.
#[derive(Debug)]
pub struct Mailbox {
    events: Mutex<VecDeque<Arc<RoomEvent>>>,
    capacity: usize,
    ready: Notify,
    kick: Notify,
}

impl Mailbox {
    /// An empty mailbox that holds at most `capacity` events (at least one).
    pub fn new(capacity: usize) -> Self {
        Self { events: Mutex::default(), capacity: capacity.max(1), ready: Notify::new(), kick: Notify::new() }
    }

    /// Queues `event`, or fires the kick if the mailbox is full.
    fn offer(&self, event: &Arc<RoomEvent>) {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if events.len() >= self.capacity {
            drop(events);
            self.kick.notify_one();
            return;
        }
        events.push_back(Arc::clone(event));
        drop(events);
        self.ready.notify_one();
    }

    /// The oldest queued event.
    pub fn take(&self) -> Option<Arc<RoomEvent>> {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop_front()
    }

    /// Fires after events were queued (a firing with nobody waiting is kept for the next wait).
    pub fn ready(&self) -> &Notify {
        &self.ready
    }

    /// Fires when the mailbox overflowed.
    pub fn kick(&self) -> &Notify {
        &self.kick
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

/// A student's connections on this node, each with its membership signal.
type Signals = Vec<(ConnId, Arc<Notify>)>;

/// Room → subscribers on this node, and student → their connections' membership signals.
#[derive(Debug, Default)]
pub struct Registry {
    rooms: RwLock<HashMap<RoomId, Vec<Subscriber>>>,
    members: RwLock<HashMap<UserId, Signals>>,
}

impl Registry {
    /// Records that connection `conn` of `user` wants `signal` fired when the student's rooms may
    /// have changed.
    pub fn connect(&self, user: UserId, conn: ConnId, signal: Arc<Notify>) {
        let mut members = self.members.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        members.entry(user).or_default().push((conn, signal));
    }

    /// Forgets connection `conn` of `user`'s membership signal.
    pub fn disconnect(&self, user: UserId, conn: ConnId) {
        let mut members = self.members.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(signals) = members.get_mut(&user) {
            signals.retain(|(c, _)| *c != conn);
            if signals.is_empty() {
                members.remove(&user);
            }
        }
    }

    /// Fires the membership signal of every connection of `user` on this node. A signal fired while
    /// its connection is busy is kept (one permit), and several in a row make one re-read.
    pub fn membership_changed(&self, user: UserId) {
        let members = self.members.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (_, signal) in members.get(&user).into_iter().flatten() {
            signal.notify_one();
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

    #[tokio::test]
    async fn test_a_full_queue_kicks_its_connection_without_blocking_others() {
        let registry = Registry::default();
        let (slow, slow_rx) = subscriber(1, 10, 1);
        let (fast, fast_rx) = subscriber(2, 20, 8);
        registry.subscribe(RoomId(1), slow);
        registry.subscribe(RoomId(1), fast);
        registry.deliver(&event(Audience::Everyone));
        registry.deliver(&event(Audience::Everyone));
        // The kick was stored as a permit: this returns at once.
        slow_rx.kick().notified().await;
        assert!(slow_rx.take().is_some() && slow_rx.take().is_none(), "the slow one kept what fitted");
        assert!(fast_rx.take().is_some() && fast_rx.take().is_some());
    }

    #[tokio::test]
    async fn test_membership_signals_reach_every_connection_of_the_student_only() {
        let registry = Registry::default();
        let (a1, a2, b) = (Arc::new(Notify::new()), Arc::new(Notify::new()), Arc::new(Notify::new()));
        registry.connect(UserId(10), ConnId(1), Arc::clone(&a1));
        registry.connect(UserId(10), ConnId(2), Arc::clone(&a2));
        registry.connect(UserId(20), ConnId(3), Arc::clone(&b));
        registry.membership_changed(UserId(10));
        registry.membership_changed(UserId(10));
        // Stored as permits: these return at once, and two signals made one.
        a1.notified().await;
        a2.notified().await;
        let pending = |signal: &Notify| {
            let notified = signal.notified();
            tokio::pin!(notified);
            notified.as_mut().enable()
        };
        assert!(!pending(&a1), "two signals in a row are one re-read");
        assert!(!pending(&b), "another student's connection is left alone");

        registry.disconnect(UserId(10), ConnId(1));
        registry.membership_changed(UserId(10));
        assert!(!pending(&a1), "a closed connection is forgotten");
        assert!(pending(&a2));
        registry.disconnect(UserId(10), ConnId(2));
        let members = registry.members.read().expect("not poisoned");
        assert!(!members.contains_key(&UserId(10)), "a student without connections leaves no entry");
        assert!(members.contains_key(&UserId(20)));
    }
}
