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
//! Known limit: presence crosses nodes as online/offline announcements, but online counts and the
//! member list's online flags count this node's connections only.

use super::fanout::Fanout;
use super::registry::{Alerts, Registry};
use super::{Audience, EventKind, RoomEvent};
use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, Client, RedisError};
use axum::extract::ws::Utf8Bytes;
use futures_util::StreamExt;
use pretzel_api::{RoomId, UserId};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::fmt::Display;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Dropped with the fan-out, which ends the subscriber task (the publisher ends with the queue).
    _stop: oneshot::Sender<()>,
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
        let subscriber = Subscriber { client, channel, node, registry: Arc::clone(&registry) };
        tokio::spawn(subscriber.run(stopped));
        tracing::info!(node, prefix, "chat fan-out over Redis");
        Ok(Self { registry, queue, dropped, _stop: stop })
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
            let config = AsyncConnectionConfig::new()
                .set_connection_timeout(Some(CONNECT_TIMEOUT))
                .set_response_timeout(Some(RESPONSE_TIMEOUT));
            let connected =
                within(CONNECT_TIMEOUT, self.client.get_multiplexed_async_connection_with_config(&config)).await;
            let mut connection = match connected {
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
                        frame: event.frame.as_str().to_owned(),
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
                let event = RoomEvent { room_id, kind, audience, author, frame: Utf8Bytes::from(frame) };
                self.registry.deliver(&Arc::new(event));
            }
            Envelope::Resync { .. } => self.registry.alert_all(Alerts::RESYNC),
            Envelope::Membership { user_id, .. } => self.registry.membership_changed(user_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
