//! Fan-out: how a room event reaches every connection subscribed to the room.
//!
//! Storage assigns the order (per-room seqs); fan-out only carries events. [`Fanout`] is the seam
//! between the two deployments: on one node ([`LocalFanout`]) publishing is handing the event to this
//! node's [`Registry`]; with several nodes a Redis implementation publishes to a channel and every
//! node hands what it receives to its own registry (see [`super::redis`]). Either way connections fill
//! gaps and drop repeats by seq (see `ws::connection`), so a lost or reordered event costs a database
//! read, never a message. A gap only shows when a later message arrives, though: a fan-out that knows
//! it may have lost events (Redis went away) alerts every connection of its node
//! ([`Registry::alert_all`] with a resync), and each then reads what is stored after its marks (and
//! its rooms, in case a membership signal was among what was lost).
//!
//! The fan-out also carries one signal that is not a room event: a student's rooms may have changed
//! ([`Fanout::membership_changed`]), for every connection of that student wherever it is.

use super::RoomEvent;
use super::registry::Registry;
use pretzel_api::{RoomId, UserId};
use std::collections::HashSet;
use std::sync::Arc;

/// Carries room events to every node's subscribers.
pub trait Fanout: Send + Sync + std::fmt::Debug + 'static {
    /// Delivers `event` to the subscribers of its room on every node. Must not block: called with the
    /// room's send lock held, so that one node publishes a room's events in seq order.
    fn publish(&self, event: Arc<RoomEvent>);

    /// Fires the membership signal of `user`'s connections on every node. Must not block: called
    /// from HTTP handlers.
    fn membership_changed(&self, user: UserId);

    /// The users online in `room` on the other nodes, as last heard; none on a single node.
    fn online_elsewhere(&self, room: RoomId) -> HashSet<UserId> {
        let _ = room;
        HashSet::new()
    }
}

/// Single-node fan-out: straight into this node's registry.
#[derive(Debug)]
pub struct LocalFanout {
    registry: Arc<Registry>,
}

impl LocalFanout {
    /// Fan-out into `registry`.
    pub fn new(registry: Arc<Registry>) -> Self {
        Self { registry }
    }
}

impl Fanout for LocalFanout {
    fn publish(&self, event: Arc<RoomEvent>) {
        self.registry.deliver(&event);
    }

    fn membership_changed(&self, user: UserId) {
        self.registry.membership_changed(user);
    }
}
