//! Course chat under faults: twenty resuming clients send thousands of messages into four rooms
//! while (a) their connections are dropped at random (each client goes through its own TCP forwarder
//! that the test cuts), or (b) the backend process itself is killed with SIGKILL and restarted on
//! the same port and SQLite file several times. At the end every client holds every acked message of
//! its rooms exactly once, in seq order without gaps, and storage holds each client message id once.
//!
//! The clients are what an app's chat connection must be: on every (re)connect they say hello with
//! the last seq they hold per room, and once synced they resend every message not yet acked with its
//! original `client_msg_id`. The run's random choices come from one seed, printed with the counts
//! (`PRETZEL_FAULT_SEED` replays a schedule; the timing of a run never repeats exactly).

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, fresh_email};
use crate::ws_support::{BackendProcess, Forwarder, backend_binary, free_port, import_chat_catalog, ws_request};
use futures_util::{SinkExt, StreamExt};
use pretzel_api::{ChatMessage, ClientFrame, RoomCursor, RoomId, SectionId, ServerFrame, TermId, UserId};
use pretzel_backend::config::Config;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Clients in every run.
const CLIENTS: usize = 20;
/// Courses (so rooms) the clients are spread over; each client is in one or two of them.
const COURSES: usize = 4;
/// A client sends at most one message per tick of this.
const SEND_PACE: Duration = Duration::from_millis(25);
/// Messages a client has sent and not yet seen acked before it waits for acks.
const SEND_WINDOW: usize = 8;
/// First pause before reconnecting after a failed attempt; doubled per failure up to the maximum.
const BACKOFF_MIN: Duration = Duration::from_millis(20);
const BACKOFF_MAX: Duration = Duration::from_millis(800);
/// Guards against a hang only: a run that has not converged by then fails with what is missing.
const RUN_PATIENCE: Duration = Duration::from_secs(150);
/// The test's own guard, later than the clients' so that a stuck client's own account comes first.
const TEST_PATIENCE: Duration = Duration::from_secs(160);
/// For one connection attempt, and for a restarted backend to answer `/readyz`.
const CONNECT_PATIENCE: Duration = Duration::from_secs(20);

/// A small random source (splitmix64), so a run's schedule follows from one printed seed.
struct Dice(u64);

impl Dice {
    /// Seeded from `PRETZEL_FAULT_SEED` or the clock; returns the seed too.
    fn seeded() -> (Self, u64) {
        let seed = std::env::var("PRETZEL_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            u64::from(now.subsec_nanos()) ^ now.as_secs()
        });
        (Self(seed), seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low).max(1)
    }

    fn millis(&mut self, low: u64, high: u64) -> Duration {
        Duration::from_millis(self.between(low, high))
    }
}

/// A config for a fault run on `storage`: the clients send far faster than a student may, and twenty
/// students sign up from one address.
fn fault_config(storage: &Storage) -> Config {
    Config { chat_send_limit: 1_000_000, signup_limit_per_ip: 1_000, ..storage.config() }
}

/// Sections of `COURSES` different courses of the term.
fn distinct_courses(sections: &[pretzel_backend::db::catalog::StoredSection]) -> Vec<SectionId> {
    let mut seen = HashSet::new();
    let picked: Vec<SectionId> =
        sections.iter().filter(|s| seen.insert(s.course_id)).take(COURSES).map(|s| SectionId(s.id)).collect();
    assert_eq!(picked.len(), COURSES, "the catalog has {COURSES} courses");
    picked
}

/// A signed-up student with their courses in their primary plan, and the rooms that gives them.
struct Enrolled {
    user: UserId,
    token: String,
    rooms: Vec<RoomId>,
}

/// Signs up `CLIENTS` students on `server`; student `i` takes course `i % COURSES` and, when `i` is
/// odd, the next course too. Each connects once to learn its rooms (before anyone sends, so every
/// room starts at seq 0).
async fn enrol(server: &TestServer, term: TermId, courses: &[SectionId]) -> Vec<Enrolled> {
    let students = (0..CLIENTS).map(|i| {
        let mut picked = vec![courses[i % COURSES]];
        if i % 2 == 1 {
            picked.push(courses[(i + 1) % COURSES]);
        }
        enrol_one(server, term, picked)
    });
    futures_util::future::join_all(students).await
}

async fn enrol_one(server: &TestServer, term: TermId, sections: Vec<SectionId>) -> Enrolled {
    let tokens = server.sign_up(&fresh_email("faults"), GOOD_PASSWORD).await;
    let token = tokens.access_token;
    let plan = server.primary_plan(term, &token).await;
    server.add_sections(plan, &token, &sections).await;

    let (mut ws, _) = tokio_tungstenite::connect_async(ws_request(&server.base, Some(&token))).await.unwrap();
    send(&mut ws, &ClientFrame::Hello { resume: vec![] }).await.unwrap();
    let mut rooms = None;
    loop {
        let message = tokio::time::timeout(CONNECT_PATIENCE, ws.next()).await.unwrap().unwrap().unwrap();
        let Message::Text(text) = message else { continue };
        match serde_json::from_str(&text).unwrap() {
            ServerFrame::Welcome { rooms: summaries, .. } => {
                assert!(summaries.iter().all(|r| r.last_seq == 0), "{summaries:?}");
                rooms = Some(summaries.iter().map(|r| r.room_id).collect::<Vec<_>>());
            }
            ServerFrame::Synced { .. } => break,
            _ => {}
        }
    }
    let _ = ws.close(None).await;
    let rooms = rooms.unwrap();
    assert_eq!(rooms.len(), sections.len(), "one room per course");
    Enrolled { user: tokens.user.id, token, rooms }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn send(ws: &mut Socket, frame: &ClientFrame) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    ws.send(Message::text(serde_json::to_string(frame).unwrap())).await
}

/// What the clients share with the test while they run.
struct Shared {
    /// Sends acked so far over every client (first acks only): the kill schedule of (b) follows it.
    acked: AtomicUsize,
    /// Each client reports its acks here once all its sends are acked.
    reports: mpsc::UnboundedSender<Report>,
    /// Per room, the last seq: published once every send is acked; a client is done when it holds
    /// its rooms up to these.
    targets: watch::Sender<Option<Arc<HashMap<RoomId, u64>>>>,
}

/// A client's acks: its student, and (client message id, room, seq) per send.
type Report = (UserId, Vec<(String, RoomId, u64)>);

/// What a client counts about its run.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    /// Connections that got as far as the upgrade.
    connections: usize,
    /// Messages sent again (same `client_msg_id`) after a reconnect.
    resends: usize,
    /// Resends whose message had been stored already (the server answered with the original ack).
    duplicate_acks: usize,
    /// Connections given up on after a retryable error frame.
    retryable_errors: usize,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Self) {
        self.connections += other.connections;
        self.resends += other.resends;
        self.duplicate_acks += other.duplicate_acks;
        self.retryable_errors += other.retryable_errors;
    }
}

/// A resuming chat client: it holds per room the messages received (seq 1, 2, 3, … exactly), sends
/// its messages at a fixed pace, and on every reconnect resumes from what it holds and resends what
/// is not acked, with the same `client_msg_id`.
struct ResumingClient {
    name: String,
    user: UserId,
    token: String,
    /// `http://host:port` to connect to.
    base: String,
    rooms: Vec<RoomId>,
    held: HashMap<RoomId, Vec<ChatMessage>>,
    /// Not sent yet: (room, client message id).
    outbox: VecDeque<(RoomId, String)>,
    /// Sent, not acked yet, in sending order.
    in_flight: Vec<(RoomId, String)>,
    /// client message id → (room, seq) of its ack.
    acks: HashMap<String, (RoomId, u64)>,
    reported: bool,
    tally: Tally,
    /// Everything that broke the protocol's promises; the test fails on any.
    violations: Vec<String>,
    deadline: Instant,
    dice: Dice,
}

impl ResumingClient {
    fn new(index: usize, student: &Enrolled, base: String, messages: usize, seed: u64) -> Self {
        let name = format!("client {index}");
        let outbox = (0..messages)
            .map(|n| {
                (student.rooms[n % student.rooms.len()], format!("c{index}-{n}-{}", uuid::Uuid::new_v4().simple()))
            })
            .collect();
        Self {
            name,
            user: student.user,
            token: student.token.clone(),
            base,
            rooms: student.rooms.clone(),
            held: student.rooms.iter().map(|&room| (room, Vec::new())).collect(),
            outbox,
            in_flight: Vec::new(),
            acks: HashMap::new(),
            reported: false,
            tally: Tally::default(),
            violations: Vec::new(),
            deadline: Instant::now() + RUN_PATIENCE,
            dice: Dice(seed ^ index as u64),
        }
    }

    fn spawn(self, shared: Arc<Shared>) -> JoinHandle<Self> {
        tokio::spawn(self.run(shared))
    }

    /// Connects, resumes and sends until every send is acked and every room is held up to its target.
    async fn run(mut self, shared: Arc<Shared>) -> Self {
        let mut targets = shared.targets.subscribe();
        let mut backoff = BACKOFF_MIN;
        loop {
            if self.finished(&targets.borrow()) {
                return self;
            }
            assert!(Instant::now() < self.deadline, "{}", self.stuck(&targets.borrow()));
            let attempt = tokio::time::timeout(
                CONNECT_PATIENCE,
                tokio_tungstenite::connect_async(ws_request(&self.base, Some(&self.token))),
            )
            .await;
            if let Ok(Ok((ws, _))) = attempt {
                self.tally.connections += 1;
                if self.session(ws, &shared, &mut targets).await {
                    backoff = BACKOFF_MIN;
                }
            }
            if !self.finished(&targets.borrow()) {
                // Jitter keeps twenty clients from reconnecting in lockstep to a restarting server.
                let jitter = self.dice.millis(0, backoff.as_millis() as u64 + 1);
                tokio::time::sleep(backoff + jitter).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }

    /// One connection, until it ends or the client is done; `true` when it got as far as synced.
    async fn session(&mut self, mut ws: Socket, shared: &Shared, targets: &mut watch::Receiver<TargetMap>) -> bool {
        let resume =
            self.rooms.iter().map(|&room_id| RoomCursor { room_id, last_seq: self.held_seq(room_id) }).collect();
        if send(&mut ws, &ClientFrame::Hello { resume }).await.is_err() {
            return false;
        }
        let mut synced = false;
        let mut pace = tokio::time::interval(SEND_PACE);
        pace.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            if self.finished(&targets.borrow()) {
                // A polite close; a peer that no longer reads must not hold the client up.
                let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
                return synced;
            }
            let may_send = synced && self.in_flight.len() < SEND_WINDOW && !self.outbox.is_empty();
            tokio::select! {
                message = ws.next() => {
                    let text = match message {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(_)) | Err(_)) | None => return synced,
                        Some(Ok(_)) => continue,
                    };
                    let frame: ServerFrame = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("{}: not a server frame ({e}): {text}", self.name));
                    match frame {
                        ServerFrame::Welcome { rooms, .. } => {
                            let mut listed: Vec<RoomId> = rooms.iter().map(|r| r.room_id).collect();
                            let mut mine = self.rooms.clone();
                            listed.sort_by_key(|r| r.0);
                            mine.sort_by_key(|r| r.0);
                            if listed != mine {
                                self.violations.push(format!("welcome listed rooms {listed:?}, expected {mine:?}"));
                            }
                        }
                        ServerFrame::Synced { .. } => {
                            synced = true;
                            self.tally.resends += self.in_flight.len();
                            for (room, id) in self.in_flight.clone() {
                                if send(&mut ws, &send_frame(room, &id)).await.is_err() {
                                    return synced;
                                }
                            }
                        }
                        ServerFrame::Message(message) => self.hold(message),
                        ServerFrame::Ack { client_msg_id, room_id, seq, duplicate, .. } => {
                            self.acked(client_msg_id, room_id, seq, duplicate, shared);
                        }
                        ServerFrame::Error(error) if error.code.is_retryable() => {
                            // A server that could not serve this (say, storage busy right after a
                            // restart): start over on a new connection, which resends the unacked.
                            self.tally.retryable_errors += 1;
                            return synced;
                        }
                        ServerFrame::Error(error) => panic!("{}: error frame {error:?}", self.name),
                        // Presence, typing, room lists, read markers: not what this test follows.
                        _ => {}
                    }
                }
                _ = pace.tick(), if may_send => {
                    if let Some((room, id)) = self.outbox.pop_front() {
                        self.in_flight.push((room, id.clone()));
                        if send(&mut ws, &send_frame(room, &id)).await.is_err() {
                            return synced;
                        }
                    }
                }
                _ = targets.changed() => {}
                _ = tokio::time::sleep_until(self.deadline) => return synced,
            }
        }
    }

    fn held_seq(&self, room: RoomId) -> u64 {
        self.held.get(&room).map_or(0, |held| held.len() as u64)
    }

    /// Keeps `message` if it is the next seq of its room; anything else is a gap or a repeat.
    fn hold(&mut self, message: ChatMessage) {
        let Some(held) = self.held.get_mut(&message.room_id) else {
            self.violations.push(format!("a message of room {} it is not in", message.room_id));
            return;
        };
        let expected = held.len() as u64 + 1;
        if message.seq == expected {
            held.push(message);
        } else {
            self.violations.push(format!(
                "room {}: seq {} arrived after {}",
                message.room_id,
                message.seq,
                expected - 1
            ));
        }
    }

    fn acked(&mut self, id: String, room: RoomId, seq: u64, duplicate: bool, shared: &Shared) {
        let Some(position) = self.in_flight.iter().position(|(_, sent)| *sent == id) else {
            self.violations.push(format!("an ack of {id}, which was not awaiting one"));
            return;
        };
        self.in_flight.remove(position);
        if duplicate {
            self.tally.duplicate_acks += 1;
        }
        self.acks.insert(id, (room, seq));
        shared.acked.fetch_add(1, Ordering::Relaxed);
        if self.outbox.is_empty() && self.in_flight.is_empty() && !self.reported {
            self.reported = true;
            let acks = self.acks.iter().map(|(id, &(room, seq))| (id.clone(), room, seq)).collect();
            let _ = shared.reports.send((self.user, acks));
        }
    }

    fn finished(&self, targets: &TargetMap) -> bool {
        let Some(targets) = targets else { return false };
        self.outbox.is_empty()
            && self.in_flight.is_empty()
            && self.rooms.iter().all(|room| self.held_seq(*room) >= targets.get(room).copied().unwrap_or(0))
    }

    /// Why the client is not done, for the failure message.
    fn stuck(&self, targets: &TargetMap) -> String {
        let held: BTreeMap<i64, u64> = self.rooms.iter().map(|r| (r.0, self.held_seq(*r))).collect();
        format!(
            "{} gave up after {RUN_PATIENCE:?}: {} unsent, {} unacked, holds {held:?} of {targets:?}; {} connections; \
             violations: {:?}",
            self.name,
            self.outbox.len(),
            self.in_flight.len(),
            self.tally.connections,
            self.violations
        )
    }
}

type TargetMap = Option<Arc<HashMap<RoomId, u64>>>;

fn send_frame(room: RoomId, id: &str) -> ClientFrame {
    ClientFrame::Send {
        room_id: room,
        client_msg_id: id.to_owned(),
        body: format!("body of {id}"),
        reply_to: None,
        mentions: vec![],
    }
}

/// The clients of one run, the channel their reports come in on, and what they share.
struct Crowd {
    clients: Vec<JoinHandle<ResumingClient>>,
    reports: mpsc::UnboundedReceiver<Report>,
    shared: Arc<Shared>,
    /// client message id → (author, room, seq) over every report.
    acked: HashMap<String, (UserId, RoomId, u64)>,
    /// Reports received so far.
    received: usize,
}

impl Crowd {
    /// Starts one client per student, student `i` connecting to `bases[i]`, each sending `messages`.
    fn start(students: &[Enrolled], bases: Vec<String>, messages: usize, seed: u64) -> Self {
        let (reports_tx, reports) = mpsc::unbounded_channel();
        let shared =
            Arc::new(Shared { acked: AtomicUsize::new(0), reports: reports_tx, targets: watch::channel(None).0 });
        let clients = students
            .iter()
            .zip(bases)
            .enumerate()
            .map(|(i, (student, base))| {
                ResumingClient::new(i, student, base, messages, seed).spawn(Arc::clone(&shared))
            })
            .collect();
        Self { clients, reports, shared, acked: HashMap::new(), received: 0 }
    }

    fn all_reported(&self) -> bool {
        self.received == self.clients.len()
    }

    /// Waits up to `pause` for a client's report. A client that ended before the targets were
    /// published failed: its panic is raised here.
    async fn collect_for(&mut self, pause: Duration) {
        if let Some(failed) = self.clients.iter().position(JoinHandle::is_finished) {
            let client = self.clients.remove(failed);
            match client.await {
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                other => panic!("client {failed} ended before the run did: {:?}", other.map(|c| c.stuck(&None))),
            }
        }
        if let Ok(Some((author, acks))) = tokio::time::timeout(pause, self.reports.recv()).await {
            for (id, room, seq) in acks {
                self.acked.insert(id, (author, room, seq));
            }
            self.received += 1;
        }
    }

    /// Publishes each room's last seq (checking every seq up to it was acked exactly once) and waits
    /// for every client to hold its rooms up to it.
    async fn converge(self) -> (Vec<ResumingClient>, HashMap<RoomId, u64>, HashMap<String, (UserId, RoomId, u64)>) {
        let mut seqs: HashMap<RoomId, Vec<u64>> = HashMap::new();
        for &(_, room, seq) in self.acked.values() {
            seqs.entry(room).or_default().push(seq);
        }
        let mut targets = HashMap::new();
        for (room, mut acked) in seqs {
            acked.sort_unstable();
            let last = acked.len() as u64;
            assert_eq!(acked, (1..=last).collect::<Vec<_>>(), "room {room}: every seq acked once, none skipped");
            targets.insert(room, last);
        }
        self.shared.targets.send_replace(Some(Arc::new(targets.clone())));
        let mut clients = Vec::new();
        for client in self.clients {
            clients.push(client.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())));
        }
        (clients, targets, self.acked)
    }
}

/// Checks the end state against the acks and storage; returns the summed tally.
async fn verify(
    config: &Config,
    clients: &[ResumingClient],
    targets: &HashMap<RoomId, u64>,
    acked: &HashMap<String, (UserId, RoomId, u64)>,
) -> Tally {
    let by_seq: HashMap<(RoomId, u64), (&str, UserId)> =
        acked.iter().map(|(id, &(author, room, seq))| ((room, seq), (id.as_str(), author))).collect();
    let mut tally = Tally::default();
    for client in clients {
        assert!(client.violations.is_empty(), "{}: {:?}", client.name, client.violations);
        assert!(client.outbox.is_empty() && client.in_flight.is_empty());
        for (room, held) in &client.held {
            let seqs: Vec<u64> = held.iter().map(|m| m.seq).collect();
            assert_eq!(seqs, (1..=targets[room]).collect::<Vec<_>>(), "{} in room {room}", client.name);
            for message in held {
                let (id, author) = by_seq[&(*room, message.seq)];
                assert_eq!(message.body, format!("body of {id}"), "{}: room {room} seq {}", client.name, message.seq);
                assert_eq!(message.author_id, author, "{}: author of {id}", client.name);
                // Only a send's author hears its client message id back.
                let own_id = if author == client.user { id } else { "" };
                assert_eq!(message.client_msg_id, own_id, "{}: the client id of {id}", client.name);
            }
        }
        for (id, &(room, seq)) in &client.acks {
            assert_eq!(acked[id], (client.user, room, seq), "{}: the ack of {id}", client.name);
        }
        tally += client.tally;
    }

    let db = pretzel_backend::open_storage(config).await.unwrap();
    for (&room, &last) in targets {
        let stored = db.messages_after(room, 0, u32::MAX).await.unwrap();
        let seqs: Vec<u64> = stored.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=last).collect::<Vec<_>>(), "room {room}: stored seqs");
        let ids: HashSet<(UserId, &str)> = stored.iter().map(|m| (m.author_id, m.client_msg_id.as_str())).collect();
        assert_eq!(ids.len(), stored.len(), "room {room}: a client message id was stored twice");
        for message in &stored {
            assert_eq!(
                acked.get(&message.client_msg_id).map(|&(author, _, seq)| (author, seq)),
                Some((message.author_id, message.seq)),
                "room {room}: a stored message nobody was acked for"
            );
        }
    }
    db.close().await;
    tally
}

test_both_dbs!(test_twenty_clients_whose_connections_drop_at_random_end_with_every_message_once, dropped_connections);

/// (a) Twenty clients, 150 messages each, every client behind its own forwarder; every few dozen
/// milliseconds the test drops a random client's connection, until every send is acked.
async fn dropped_connections(engine: Engine) {
    const MESSAGES: usize = 150;
    let (mut dice, seed) = Dice::seeded();
    let storage = Storage::new(engine).await;
    let config = fault_config(&storage);
    let (term, sections) = import_chat_catalog(&config).await;
    let server = TestServer::start(config.clone()).await;
    let students = enrol(&server, term, &distinct_courses(&sections)).await;
    let mut forwarders = Vec::new();
    for _ in 0..CLIENTS {
        forwarders.push(Forwarder::start(server.addr().to_owned()).await);
    }
    let bases = forwarders.iter().map(|f| format!("http://{}", f.addr())).collect();
    let mut crowd = Crowd::start(&students, bases, MESSAGES, seed);

    let mut drops = 0;
    let deadline = Instant::now() + TEST_PATIENCE;
    while !crowd.all_reported() {
        assert!(Instant::now() < deadline, "{} of {CLIENTS} clients got all their acks", crowd.received);
        crowd.collect_for(dice.millis(10, 80)).await;
        if !crowd.all_reported() {
            forwarders[dice.between(0, CLIENTS as u64) as usize].drop_connections();
            drops += 1;
        }
    }
    let (clients, targets, acked) = crowd.converge().await;
    let tally = verify(&config, &clients, &targets, &acked).await;
    eprintln!(
        "faults(a, {engine:?}, seed {seed}): {CLIENTS} clients in {} rooms, {} acked messages, {drops} forced drops, \
         {} reconnects, {} resends ({} already stored), {} retryable errors, 0 duplicates",
        targets.len(),
        acked.len(),
        tally.connections.saturating_sub(CLIENTS),
        tally.resends,
        tally.duplicate_acks,
        tally.retryable_errors,
    );
    assert_eq!(acked.len(), CLIENTS * MESSAGES);
    assert!(tally.connections > CLIENTS, "the drops reached no connection");
    server.stop().await;
}

/// (b) Twenty clients, 100 messages each, straight to a `pretzel-backend serve` process on one
/// SQLite file; at four random points of the run (by acked messages) the process is killed with
/// SIGKILL and started again on the same port.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_backend_killed_and_restarted_mid_stream_loses_and_doubles_nothing() {
    const MESSAGES: usize = 100;
    const KILLS: usize = 4;
    let (mut dice, seed) = Dice::seeded();
    let storage = Storage::new(Engine::Sqlite).await;
    let config = fault_config(&storage);
    let (term, sections) = import_chat_catalog(&config).await;
    // Students and timetables are set up in-process; the child serves the same file afterwards.
    let setup = TestServer::start(config.clone()).await;
    let students = enrol(&setup, term, &distinct_courses(&sections)).await;
    setup.stop().await;
    let binary = tokio::task::spawn_blocking(backend_binary).await.unwrap();
    let port = free_port();
    let mut backend = BackendProcess::spawn(&binary, &config, port, CONNECT_PATIENCE).await;

    let total = (CLIENTS * MESSAGES) as u64;
    let mut kill_at: Vec<u64> = (0..KILLS).map(|_| dice.between(total / 10, total * 9 / 10)).collect();
    kill_at.sort_unstable();
    let bases = vec![backend.base.clone(); CLIENTS];
    let mut crowd = Crowd::start(&students, bases, MESSAGES, seed);

    let mut kills = 0;
    let deadline = Instant::now() + TEST_PATIENCE;
    while !crowd.all_reported() || kills < KILLS {
        assert!(Instant::now() < deadline, "{} of {CLIENTS} clients got all their acks, {kills} kills", crowd.received);
        crowd.collect_for(Duration::from_millis(10)).await;
        if kills < KILLS && crowd.shared.acked.load(Ordering::Relaxed) as u64 >= kill_at[kills] {
            backend.kill();
            kills += 1;
            tokio::time::sleep(dice.millis(0, 400)).await;
            backend = BackendProcess::spawn(&binary, &config, port, CONNECT_PATIENCE).await;
        }
    }
    let (clients, targets, acked) = crowd.converge().await;
    backend.kill();
    let tally = verify(&config, &clients, &targets, &acked).await;
    eprintln!(
        "faults(b, seed {seed}): {CLIENTS} clients in {} rooms, {} acked messages, {kills} SIGKILLs at acked {kill_at:?}, \
         {} reconnects, {} resends ({} already stored), {} retryable errors, 0 duplicates",
        targets.len(),
        acked.len(),
        tally.connections.saturating_sub(CLIENTS),
        tally.resends,
        tally.duplicate_acks,
        tally.retryable_errors,
    );
    assert_eq!(acked.len(), CLIENTS * MESSAGES);
    assert!(tally.connections > CLIENTS, "no client saw a kill");
}
