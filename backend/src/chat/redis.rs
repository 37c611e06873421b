//! Fan-out across backend nodes over Redis pub/sub: several nodes share one PostgreSQL database
//! (which assigns every message's seq) and one Redis server, which only carries events between them.
//!
//! A published event goes first into this node's registry, then into a bounded queue that one
//! publisher task drains onto the channel `<prefix>:chat`; one subscriber task per node reads that
//! channel and hands other nodes' events to the registry, skipping this node's own echoes by node id.
//! Delivering locally first means this node's clients never wait on Redis, nor miss anything while
//! it is away. One channel carries every room, the room id inside the envelope: at a handful of nodes
//! every node has members in nearly every busy room anyway, so per-room channels would only add
//! SUBSCRIBE/UNSUBSCRIBE traffic as students come and go, and one publishing connection keeps a
//! node's events in the order it published them.
//!
//! Redis is an accelerator, never the record. Publishing never blocks a send: a full queue drops the
//! event. When Redis is unreachable both tasks log a warning (at most one per [`WARN_EVERY`], with a
//! count of those held back), keep trying with backoff, and meanwhile local delivery goes on. Events
//! that did not make it across are stored all the same, so recovery is a re-read: the subscriber,
//! once subscribed again, and any node told by a publisher that it dropped events (a `resync`
//! envelope), alert every connection of their node, and each replays its rooms from storage after its
//! marks, dropping repeats by seq, and re-reads its rooms (a lost membership signal is made good
//! there too).
//!
//! A student's membership signal (their timetable changed) travels the same way, as a `membership`
//! envelope naming the student: fired on this node's connections first, then on the other nodes'.
//!
//! Presence crosses nodes twice. Live, as online/offline announcements in the rooms, like any event.
//! As state, for online counts and the member list's flags: every [`PRESENCE_EVERY`] each node
//! writes who is online in which room on it to `<prefix>:presence:<node>` (expiring after
//! [`PRESENCE_TTL`], so a node that died drops out by itself), lists the live nodes in the sorted set
//! `<prefix>:presence-nodes` (scored by expiry), and reads the others' snapshots. A count is then at
//! most one interval behind on other nodes' students; while Redis is away it is this node's alone.

use super::fanout::Fanout;
use super::registry::{Alerts, Registry};
use super::{Audience, EventKind, RoomEvent};
use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, Client, RedisError};
use futures_util::StreamExt;
use pretzel_api::{RoomId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::fmt::Display;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// Events waiting for the publisher; beyond this Redis is too slow or away and they are dropped (and
/// the other nodes told to re-read).
const QUEUE_EVENTS: usize = 8192;

/// What this node hands its publisher task.
#[derive(Debug)]
enum Outgoing {
    /// A room event.
    Event(Arc<RoomEvent>),
    /// A student's rooms may have changed.
    Membership(UserId),
}
/// First wait before reconnecting; doubles up to [`BACKOFF_MAX`].
const BACKOFF_MIN: Duration = Duration::from_millis(100);
/// Longest wait between reconnection attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// Longest wait for a connection to Redis.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Longest wait for Redis to answer a command.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(3);
/// How often the subscriber pings, so that a connection that died silently is noticed.
const PING_EVERY: Duration = Duration::from_secs(5);
/// At most one warning per this interval and kind of trouble.
const WARN_EVERY: Duration = Duration::from_secs(30);
/// How often a node writes its presence snapshot and reads the other nodes'.
const PRESENCE_EVERY: Duration = Duration::from_secs(2);
/// How long a node's snapshot counts without being written again.
const PRESENCE_TTL: Duration = Duration::from_secs(10);

/// Who is online in which room, per room.
type RoomPresence = HashMap<RoomId, HashSet<UserId>>;

/// Why the Redis fan-out could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RedisFanoutError {
    /// `redis_url` is not a Redis URL.
    #[error("invalid redis_url: {0}")]
    Url(#[source] RedisError),
}

/// Why a connection to Redis failed or ended.
#[derive(Debug, thiserror::Error)]
enum LinkError {
    /// Redis answered with an error or the connection failed.
    #[error(transparent)]
    Redis(#[from] RedisError),
    /// Redis did not answer in time.
    #[error("Redis did not answer within {0:?}")]
    Timeout(Duration),
    /// The subscription's connection closed.
    #[error("the subscription's connection closed")]
    Closed,
    /// An envelope did not serialise (it holds only numbers and a string: not expected to happen).
    #[error("envelope did not serialise: {0}")]
    Encode(#[from] serde_json::Error),
}

/// What travels on the channel.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Envelope {
    /// A room event, as [`RoomEvent`] holds it.
    Event {
        /// The publishing node, so that it can skip its own echo.
        node: u64,
        /// The room.
        room_id: RoomId,
        /// Ordering class.
        kind: EventKind,
        /// Who receives it.
        audience: Audience,
        /// Whose action it reports.
        author: Option<UserId>,
        /// The frame's JSON text, serialised once by the publishing node.
        frame: String,
    },
    /// The publishing node dropped events: every node should have its connections re-read storage.
    Resync {
        /// The publishing node.
        node: u64,
    },
    /// A student's rooms may have changed: their connections should re-read them.
    Membership {
        /// The publishing node.
        node: u64,
        /// The student.
        user_id: UserId,
    },
}

/// Fan-out over Redis pub/sub; see the module documentation.
#[derive(Debug)]
pub struct RedisFanout {
    registry: Arc<Registry>,
    queue: mpsc::Sender<Outgoing>,
    /// Events the queue had no room for since the publisher last looked.
    dropped: Arc<AtomicU64>,
    /// Who is online on the other nodes, per room, from their last snapshots.
    elsewhere: Arc<RwLock<RoomPresence>>,
    /// Dropped with the fan-out, which ends the subscriber task (the publisher ends with the queue).
    _stop: oneshot::Sender<()>,
    /// Dropped with the fan-out, which ends the presence task (and withdraws this node's snapshot).
    _stop_presence: oneshot::Sender<()>,
}

impl RedisFanout {
    /// Starts the publisher and subscriber tasks for the Redis server at `url`, on the channel
    /// `<prefix>:chat`, handing received events to `registry`. Connecting happens in the tasks, so a
    /// node starts (and serves its own clients) while Redis is away.
    pub fn start(url: &str, prefix: &str, registry: Arc<Registry>) -> Result<Self, RedisFanoutError> {
        let client = Client::open(url).map_err(RedisFanoutError::Url)?;
        let channel = format!("{prefix}:chat");
        let node: u64 = rand::random();
        let (queue, events) = mpsc::channel(QUEUE_EVENTS);
        let dropped = Arc::new(AtomicU64::new(0));
        let (stop, stopped) = oneshot::channel();
        let publisher = Publisher { client: client.clone(), channel: channel.clone(), node };
        tokio::spawn(publisher.run(events, Arc::clone(&dropped)));
        let subscriber = Subscriber { client: client.clone(), channel, node, registry: Arc::clone(&registry) };
        tokio::spawn(subscriber.run(stopped));
        let elsewhere = Arc::new(RwLock::new(RoomPresence::new()));
        let (stop_presence, presence_stopped) = oneshot::channel();
        let presence = Presence {
            client,
            prefix: prefix.to_owned(),
            node,
            registry: Arc::clone(&registry),
            elsewhere: Arc::clone(&elsewhere),
        };
        tokio::spawn(presence.run(presence_stopped));
        tracing::info!(node, prefix, "chat fan-out over Redis");
        Ok(Self { registry, queue, dropped, elsewhere, _stop: stop, _stop_presence: stop_presence })
    }
}

impl RedisFanout {
    fn enqueue(&self, outgoing: Outgoing) {
        if self.queue.try_send(outgoing).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Fanout for RedisFanout {
    fn publish(&self, event: Arc<RoomEvent>) {
        self.registry.deliver(&event);
        self.enqueue(Outgoing::Event(event));
    }

    fn membership_changed(&self, user: UserId) {
        self.registry.membership_changed(user);
        self.enqueue(Outgoing::Membership(user));
    }

    fn online_elsewhere(&self, room: RoomId) -> HashSet<UserId> {
        let elsewhere = self.elsewhere.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        elsewhere.get(&room).cloned().unwrap_or_default()
    }
}

/// Logs one kind of trouble at most once per [`WARN_EVERY`], counting what it held back, and once
/// more when it is over.
struct Warnings {
    what: &'static str,
    last: Option<Instant>,
    held_back: u64,
    failing: bool,
}

impl Warnings {
    fn new(what: &'static str) -> Self {
        Self { what, last: None, held_back: 0, failing: false }
    }

    fn warn(&mut self, error: &dyn Display) {
        self.failing = true;
        if self.last.is_some_and(|last| last.elapsed() < WARN_EVERY) {
            self.held_back += 1;
            return;
        }
        tracing::warn!(error = %error, held_back = self.held_back, "{}", self.what);
        self.last = Some(Instant::now());
        self.held_back = 0;
    }

    /// Notes that things work again, logging it if they had not.
    fn recovered(&mut self, how: &'static str) {
        if std::mem::take(&mut self.failing) {
            tracing::info!("{how}");
        }
        self.last = None;
        self.held_back = 0;
    }
}

/// Exponential backoff with jitter, so that nodes do not reconnect in lockstep.
struct Backoff(Duration);

impl Backoff {
    fn new() -> Self {
        Self(BACKOFF_MIN)
    }

    fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(BACKOFF_MAX);
        let jitter = rand::random::<f64>() * 0.5 + 0.75;
        wait.mul_f64(jitter)
    }

    fn reset(&mut self) {
        self.0 = BACKOFF_MIN;
    }
}

async fn within<T>(limit: Duration, work: impl Future<Output = Result<T, RedisError>>) -> Result<T, LinkError> {
    match tokio::time::timeout(limit, work).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(LinkError::Timeout(limit)),
    }
}

/// Opens a command connection to Redis, bounded in time to connect and to answer.
async fn connect(client: &Client) -> Result<MultiplexedConnection, LinkError> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(RESPONSE_TIMEOUT));
    within(CONNECT_TIMEOUT, client.get_multiplexed_async_connection_with_config(&config)).await
}

/// Drains the queue onto the channel.
struct Publisher {
    client: Client,
    channel: String,
    node: u64,
}

impl Publisher {
    async fn run(self, mut events: mpsc::Receiver<Outgoing>, dropped: Arc<AtomicU64>) {
        let mut warnings = Warnings::new("chat fan-out: cannot publish to Redis; delivering on this node only");
        let mut backoff = Backoff::new();
        // Whether events went unpublished since the other nodes were last told to re-read.
        let mut owe_resync = false;
        loop {
            let mut connection = match connect(&self.client).await {
                Ok(connection) => connection,
                Err(error) => {
                    warnings.warn(&error);
                    owe_resync = true;
                    // What queues meanwhile is stored; the resync has the other nodes read it.
                    let wait = tokio::time::sleep(backoff.next());
                    tokio::pin!(wait);
                    loop {
                        tokio::select! {
                            () = &mut wait => break,
                            event = events.recv() => if event.is_none() { return },
                        }
                    }
                    continue;
                }
            };
            backoff.reset();
            loop {
                if dropped.swap(0, Ordering::Relaxed) > 0 {
                    warnings.warn(&"the publish queue was full; events dropped");
                    owe_resync = true;
                }
                if owe_resync {
                    let resync = Envelope::Resync { node: self.node };
                    if let Err(error) = self.send(&mut connection, &resync).await {
                        warnings.warn(&error);
                        break;
                    }
                    owe_resync = false;
                    warnings.recovered("chat fan-out: publishing to Redis again");
                }
                let Some(outgoing) = events.recv().await else {
                    return;
                };
                let envelope = match outgoing {
                    Outgoing::Event(event) => Envelope::Event {
                        node: self.node,
                        room_id: event.room_id,
                        kind: event.kind,
                        audience: event.audience,
                        author: event.author,
                        frame: String::from_utf8_lossy(event.json()).into_owned(),
                    },
                    Outgoing::Membership(user_id) => Envelope::Membership { node: self.node, user_id },
                };
                if let Err(error) = self.send(&mut connection, &envelope).await {
                    warnings.warn(&error);
                    owe_resync = true;
                    break;
                }
            }
        }
    }

    async fn send(&self, connection: &mut MultiplexedConnection, envelope: &Envelope) -> Result<(), LinkError> {
        // Should serialising ever fail, the event is lost like any other and the resync covers it.
        let payload = serde_json::to_string(envelope)?;
        let mut publish = ::redis::cmd("PUBLISH");
        publish.arg(&self.channel).arg(payload);
        within(RESPONSE_TIMEOUT, publish.query_async::<i64>(connection)).await.map(|_receivers| ())
    }
}

/// Reads the channel into this node's registry.
struct Subscriber {
    client: Client,
    channel: String,
    node: u64,
    registry: Arc<Registry>,
}

impl Subscriber {
    async fn run(self, mut stop: oneshot::Receiver<()>) {
        let mut warnings = Warnings::new("chat fan-out: Redis subscription lost; other nodes' events wait for it");
        let mut undecodable = Warnings::new("chat fan-out: undecodable envelope on the Redis channel");
        let mut backoff = Backoff::new();
        loop {
            let error = tokio::select! {
                _ = &mut stop => return,
                listened = self.listen(&mut warnings, &mut undecodable, &mut backoff) => {
                    let Err(error) = listened;
                    error
                }
            };
            warnings.warn(&error);
            tokio::select! {
                _ = &mut stop => return,
                () = tokio::time::sleep(backoff.next()) => {}
            }
        }
    }

    /// Subscribes and delivers until the connection fails.
    async fn listen(
        &self,
        warnings: &mut Warnings,
        undecodable: &mut Warnings,
        backoff: &mut Backoff,
    ) -> Result<Infallible, LinkError> {
        let pubsub = within(CONNECT_TIMEOUT, self.client.get_async_pubsub()).await?;
        let (mut sink, mut stream) = pubsub.split();
        within(RESPONSE_TIMEOUT, sink.subscribe(&self.channel)).await?;
        // Whatever other nodes published while this one was not subscribed is in storage.
        self.registry.alert_all(Alerts::RESYNC);
        warnings.recovered("chat fan-out: subscribed to Redis again; connections re-read their rooms");
        backoff.reset();
        let mut pings = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
        loop {
            tokio::select! {
                message = stream.next() => {
                    let Some(message) = message else {
                        return Err(LinkError::Closed);
                    };
                    match serde_json::from_slice::<Envelope>(message.get_payload_bytes()) {
                        Ok(envelope) => self.receive(envelope),
                        Err(error) => undecodable.warn(&error),
                    }
                }
                _ = pings.tick() => {
                    within(RESPONSE_TIMEOUT, sink.ping::<::redis::Value>()).await?;
                }
            }
        }
    }

    fn receive(&self, envelope: Envelope) {
        match envelope {
            Envelope::Event { node, .. } | Envelope::Resync { node } | Envelope::Membership { node, .. }
                if node == self.node => {}
            Envelope::Event { room_id, kind, audience, author, frame, .. } => {
                let frame = crate::ws::codec::text_frame(frame.as_bytes());
                let event = RoomEvent { room_id, kind, audience, author, frame };
                self.registry.deliver(&Arc::new(event));
            }
            Envelope::Resync { .. } => self.registry.alert_all(Alerts::RESYNC),
            Envelope::Membership { user_id, .. } => self.registry.membership_changed(user_id),
        }
    }
}

/// One node's presence snapshot as stored in Redis: the rooms with the users online in each.
type Snapshot = Vec<(RoomId, Vec<UserId>)>;

/// Writes this node's presence snapshot and reads the other nodes' (see the module documentation).
struct Presence {
    client: Client,
    prefix: String,
    node: u64,
    registry: Arc<Registry>,
    elsewhere: Arc<RwLock<RoomPresence>>,
}

impl Presence {
    async fn run(self, mut stop: oneshot::Receiver<()>) {
        let mut warnings = Warnings::new("chat presence: cannot reach Redis; online counts are this node's only");
        let mut backoff = Backoff::new();
        let mut connection = None;
        let mut ticks = tokio::time::interval(PRESENCE_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = ticks.tick() => {}
            }
            match self.exchange(&mut connection).await {
                Ok(others) => {
                    *self.elsewhere.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = others;
                    warnings.recovered("chat presence: exchanging snapshots over Redis again");
                    backoff.reset();
                }
                Err(error) => {
                    warnings.warn(&error);
                    connection = None;
                    // Snapshots that can no longer be refreshed would keep students online forever.
                    self.elsewhere.write().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
                    tokio::select! {
                        _ = &mut stop => break,
                        () = tokio::time::sleep(backoff.next()) => {}
                    }
                }
            }
        }
        // Leaving: the other nodes stop counting this one's students now, not when the snapshot expires.
        if let Some(mut connection) = connection {
            let mut withdraw = ::redis::pipe();
            withdraw.del(self.key(self.node)).ignore().zrem(self.nodes_key(), self.node).ignore();
            let _ = within(RESPONSE_TIMEOUT, withdraw.query_async::<()>(&mut connection)).await;
        }
    }

    fn key(&self, node: u64) -> String {
        format!("{}:presence:{node}", self.prefix)
    }

    fn nodes_key(&self) -> String {
        format!("{}:presence-nodes", self.prefix)
    }

    /// Writes this node's snapshot and returns the other live nodes' presence, merged.
    async fn exchange(&self, connection: &mut Option<MultiplexedConnection>) -> Result<RoomPresence, LinkError> {
        let connection = match connection {
            Some(connection) => connection,
            None => connection.insert(connect(&self.client).await?),
        };
        let mine: Snapshot = self
            .registry
            .online_by_room()
            .into_iter()
            .map(|(room, users)| (room, users.into_iter().collect()))
            .collect();
        let now = crate::db::now_millis();
        let ttl = i64::try_from(PRESENCE_TTL.as_millis()).unwrap_or(i64::MAX);
        let mut write = ::redis::pipe();
        write
            .cmd("SET")
            .arg(self.key(self.node))
            .arg(serde_json::to_string(&mine)?)
            .arg("PX")
            .arg(ttl)
            .ignore()
            .zadd(self.nodes_key(), self.node, now + ttl)
            .ignore()
            .zrembyscore(self.nodes_key(), "-inf", now)
            .ignore()
            .zrange(self.nodes_key(), 0, -1);
        let (nodes,): (Vec<u64>,) = within(RESPONSE_TIMEOUT, write.query_async(connection)).await?;
        let keys: Vec<String> =
            nodes.into_iter().filter(|node| *node != self.node).map(|node| self.key(node)).collect();
        if keys.is_empty() {
            return Ok(RoomPresence::new());
        }
        let mut read = ::redis::cmd("MGET");
        read.arg(&keys);
        let snapshots: Vec<Option<String>> = within(RESPONSE_TIMEOUT, read.query_async(connection)).await?;
        Ok(merge(snapshots.iter().flatten().map(String::as_str)))
    }
}

/// The presence of several nodes' snapshots together; a snapshot that does not decode is skipped (its
/// node's students count again once it writes one that does).
fn merge<'a>(snapshots: impl Iterator<Item = &'a str>) -> RoomPresence {
    let mut merged = RoomPresence::new();
    for text in snapshots {
        let Ok(snapshot) = serde_json::from_str::<Snapshot>(text) else {
            continue;
        };
        for (room, users) in snapshot {
            merged.entry(room).or_default().extend(users);
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_presence_snapshots_merge_per_room_and_skip_what_does_not_decode() {
        let a = serde_json::to_string(&vec![(RoomId(1), vec![UserId(10), UserId(11)]), (RoomId(2), vec![UserId(10)])])
            .expect("a snapshot serialises");
        let b = serde_json::to_string(&vec![(RoomId(1), vec![UserId(12), UserId(10)])]).expect("a snapshot serialises");
        let merged = merge([a.as_str(), "{not json", b.as_str()].into_iter());
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[&RoomId(1)], HashSet::from([UserId(10), UserId(11), UserId(12)]));
        assert_eq!(merged[&RoomId(2)], HashSet::from([UserId(10)]));
    }

    #[test]
    fn test_envelopes_round_trip_and_name_their_type() {
        let event = Envelope::Event {
            node: 7,
            room_id: RoomId(3),
            kind: EventKind::Message { seq: 12 },
            audience: Audience::AllBut(UserId(4)),
            author: Some(UserId(4)),
            frame: r#"{"type":"pong"}"#.into(),
        };
        let text = serde_json::to_string(&event).expect("an envelope serialises");
        assert!(text.starts_with(r#"{"type":"event","node":7,"room_id":3"#), "{text}");
        match serde_json::from_str::<Envelope>(&text).expect("an envelope decodes") {
            Envelope::Event { kind, audience, frame, .. } => {
                assert_eq!(kind, EventKind::Message { seq: 12 });
                assert_eq!(audience, Audience::AllBut(UserId(4)));
                assert_eq!(frame, r#"{"type":"pong"}"#);
            }
            other => panic!("decoded as {other:?}"),
        }
        let resync = serde_json::to_string(&Envelope::Resync { node: 9 }).expect("a resync serialises");
        assert_eq!(resync, r#"{"type":"resync","node":9}"#);
        let membership = Envelope::Membership { node: 9, user_id: UserId(5) };
        let text = serde_json::to_string(&membership).expect("a membership envelope serialises");
        assert_eq!(text, r#"{"type":"membership","node":9,"user_id":5}"#);
        match serde_json::from_str::<Envelope>(&text).expect("a membership envelope decodes") {
            Envelope::Membership { node, user_id } => assert_eq!((node, user_id), (9, UserId(5))),
            other => panic!("decoded as {other:?}"),
        }
    }

    #[test]
    fn test_backoff_grows_to_its_ceiling() {
        let mut backoff = Backoff::new();
        let waits: Vec<Duration> = (0..12).map(|_| backoff.next()).collect();
        assert!(waits[0] <= BACKOFF_MIN.mul_f64(1.25));
        assert!(waits.iter().all(|w| *w <= BACKOFF_MAX.mul_f64(1.25)));
        assert!(waits[11] >= BACKOFF_MAX.mul_f64(0.75));
        backoff.reset();
        assert!(backoff.next() <= BACKOFF_MIN.mul_f64(1.25));
    }
}
