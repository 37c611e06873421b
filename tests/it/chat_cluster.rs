//! Course chat on two backend nodes that share one PostgreSQL database and one Redis server: a
//! message sent on either node reaches the members on both, once each and in seq order, with senders
//! on both nodes at once; and when Redis goes away (a TCP proxy in front of it is cut), each node goes
//! on serving its own clients, and once Redis is back every member catches up through the resync with
//! nothing lost or doubled. A timetable edit made through one node moves the student's connections
//! on the other between rooms at once.
//!
//! In most tests both nodes run in this test process (the real server, each on its own loopback port
//! with its own fan-out tasks, registry and Redis connections: they share nothing in memory); one
//! test runs node B as a separate `pretzel-backend serve` process configured through `PRETZEL_*`
//! variables, as a deployment would. Every run uses its own Redis channel prefix, so the machine's
//! Redis may hold anything.

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, fresh_email};
use crate::ws_support::{BackendProcess, Forwarder, backend_binary, free_port, import_chat_catalog, ws_request};
use futures_util::{SinkExt, StreamExt};
use pretzel_api::{
    ChatMessage, ClientFrame, RoomCursor, RoomId, RoomMember, RoomSummary, SectionId, ServerFrame, TermId, TimetableId,
};
use pretzel_backend::config::Config;
use std::collections::HashMap;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Guards against a hang only. Generous: after a Redis outage a node retries with a backoff of up
/// to about six seconds.
const PATIENCE: Duration = Duration::from_secs(45);

/// The Redis server the cluster tests use (`PRETZEL_TEST_REDIS` overrides).
fn redis_addr() -> String {
    std::env::var("PRETZEL_TEST_REDIS").unwrap_or_else(|_| "127.0.0.1:6379".into())
}

/// A forwarder to Redis that the test can cut, standing for Redis going away without touching the
/// machine's Redis.
async fn redis_proxy() -> Forwarder {
    Forwarder::start(redis_addr()).await
}

/// Node B: in this process, or a child process of the real binary.
enum NodeB {
    InProcess(TestServer),
    Process(BackendProcess),
}

impl NodeB {
    fn base(&self) -> &str {
        match self {
            Self::InProcess(server) => &server.base,
            Self::Process(process) => &process.base,
        }
    }
}

/// Starts `pretzel-backend serve` with `config`'s database and Redis settings on a free loopback port.
async fn spawn_node(config: &Config) -> NodeB {
    let binary = tokio::task::spawn_blocking(backend_binary).await.unwrap();
    NodeB::Process(BackendProcess::spawn(&binary, config, free_port(), PATIENCE).await)
}

/// Two nodes over one database and one Redis channel prefix, with the UIUC Winter 2025 catalog.
struct Cluster {
    a: TestServer,
    b: NodeB,
    term: TermId,
    course: SectionId,
    database_url: String,
    _storage: Storage,
}

async fn cluster(redis_url: &str, b_in_process: bool, tune: impl FnOnce(&mut Config)) -> Cluster {
    let storage = Storage::new(Engine::Postgres).await;
    let mut config = Config {
        redis_url: Some(redis_url.to_owned()),
        redis_prefix: format!("pretzel-it-{}", uuid::Uuid::new_v4().simple()),
        // The tests send faster than a student may.
        chat_send_limit: 10_000,
        ..storage.config()
    };
    tune(&mut config);
    let (term, sections) = import_chat_catalog(&config).await;
    let course = SectionId(sections[0].id);
    let a = TestServer::start(config.clone()).await;
    let b = if b_in_process {
        NodeB::InProcess(TestServer::start(config.clone()).await)
    } else {
        spawn_node(&config).await
    };
    let database_url = config.database_url.clone().unwrap();
    Cluster { a, b, term, course, database_url, _storage: storage }
}

struct Student {
    token: String,
    /// The primary plan.
    plan: TimetableId,
}

impl Cluster {
    /// A student (signed up on node A; tokens hold on both) with the course in their primary plan.
    async fn student(&self) -> Student {
        let server = &self.a;
        let tokens = server.sign_up(&fresh_email("cluster"), GOOD_PASSWORD).await;
        let token = tokens.access_token;
        let plan = server.primary_plan(self.term, &token).await;
        server.add_sections(plan, &token, &[self.course]).await;
        Student { token, plan }
    }

    /// Adds (`true`) or removes the course from `student`'s primary plan, through node A.
    async fn edit(&self, student: &Student, add: bool) {
        let server = &self.a;
        let request = if add {
            server
                .http
                .post(server.url(&format!("/api/v1/timetables/{}/sections", student.plan)))
                .json(&serde_json::json!({ "section_ids": [self.course], "confirm_conflicts": true }))
        } else {
            server.http.delete(server.url(&format!("/api/v1/timetables/{}/sections/{}", student.plan, self.course)))
        };
        let response = request.bearer_auth(&student.token).send().await.unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    }

    /// The stored messages: (rows, distinct client message ids per author, highest seq).
    async fn stored(&self) -> (i64, i64, i64) {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&self.database_url).await.unwrap();
        sqlx::query_as(
            "SELECT COUNT(*), COUNT(DISTINCT (author_id, client_msg_id)), COALESCE(MAX(seq), 0)::BIGINT FROM messages",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap()
    }
}

/// A test's chat connection to one node.
struct Chat {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Messages received, in arrival order.
    messages: Vec<ChatMessage>,
    /// Acks received: client message id → (seq, duplicate).
    acks: HashMap<String, Vec<(u64, bool)>>,
}

impl Chat {
    /// Connects to `server`, says hello and returns the connection and its one room.
    async fn join(base: &str, student: &Student) -> (Self, RoomId) {
        let request = ws_request(base, Some(&student.token));
        let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let mut chat = Self { ws, messages: Vec::new(), acks: HashMap::new() };
        chat.send(&ClientFrame::Hello { resume: Vec::<RoomCursor>::new() }).await;
        let rooms: Vec<RoomSummary> = match chat.next().await {
            ServerFrame::Welcome { rooms, .. } => rooms,
            other => panic!("expected welcome, got {other:?}"),
        };
        assert_eq!(rooms.len(), 1, "{rooms:?}");
        match chat.next().await {
            ServerFrame::Synced { .. } => {}
            other => panic!("expected synced, got {other:?}"),
        }
        (chat, rooms[0].room_id)
    }

    async fn send(&mut self, frame: &ClientFrame) {
        self.ws.send(Message::text(serde_json::to_string(frame).unwrap())).await.unwrap();
    }

    async fn say(&mut self, room: RoomId, client_msg_id: &str) {
        let body = format!("body of {client_msg_id}");
        let frame = ClientFrame::Send {
            room_id: room,
            client_msg_id: client_msg_id.into(),
            body,
            reply_to: None,
            mentions: vec![],
        };
        self.send(&frame).await;
    }

    /// The next frame other than presence and typing (which come whenever others act).
    async fn next(&mut self) -> ServerFrame {
        self.next_before(tokio::time::Instant::now() + PATIENCE).await
    }

    /// [`Chat::next`], failing at `deadline` however many pings and presence frames keep coming.
    async fn next_before(&mut self, deadline: tokio::time::Instant) -> ServerFrame {
        loop {
            let message = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("connection open")
                .expect("a frame");
            match message {
                Message::Text(text) => {
                    let frame: ServerFrame =
                        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not a server frame ({e}): {text}"));
                    if !matches!(frame, ServerFrame::Presence { .. } | ServerFrame::Typing { .. }) {
                        return frame;
                    }
                }
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// Reads frames, recording messages and acks, until `done` holds.
    async fn read_until(&mut self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !done(self) {
            assert!(tokio::time::Instant::now() < deadline, "gave up waiting for {what}");
            match self.next_before(deadline).await {
                ServerFrame::Message(message) => self.messages.push(message),
                ServerFrame::Ack { client_msg_id, seq, duplicate, .. } => {
                    self.acks.entry(client_msg_id).or_default().push((seq, duplicate));
                }
                other => panic!("while waiting for {what}: unexpected {other:?}"),
            }
        }
    }

    /// Reads until the message with `seq` has arrived.
    async fn read_through(&mut self, seq: u64) {
        self.read_until(&format!("seq {seq}"), |chat| chat.messages.iter().any(|m| m.seq == seq)).await;
    }

    /// Reads until every one of `ids` is acked.
    async fn read_acks(&mut self, ids: &[String]) {
        self.read_until("acks", |chat| ids.iter().all(|id| chat.acks.contains_key(id))).await;
    }

    /// The seqs received, in arrival order.
    fn seqs(&self) -> Vec<u64> {
        self.messages.iter().map(|m| m.seq).collect()
    }

    /// The seq `client_msg_id` was first acked with.
    fn acked_seq(&self, client_msg_id: &str) -> u64 {
        self.acks[client_msg_id][0].0
    }
}

/// Asserts every connection received exactly seqs 1..=n, in order, each with the message its sender
/// was acked for.
fn assert_everyone_has(chats: &[&Chat], n: u64, acked: &HashMap<u64, String>) {
    for (i, chat) in chats.iter().enumerate() {
        assert_eq!(chat.seqs(), (1..=n).collect::<Vec<_>>(), "connection {i} got these seqs");
        for message in &chat.messages {
            let sent = acked.get(&message.seq).map(|id| format!("body of {id}"));
            assert_eq!(sent.as_ref(), Some(&message.body), "seq {} on connection {i}", message.seq);
        }
    }
}

/// seq → client message id over the first acks of `chats`.
fn acked_ids(chats: &[&Chat]) -> HashMap<u64, String> {
    let mut acked = HashMap::new();
    for chat in chats {
        for (id, acks) in &chat.acks {
            let previous = acked.insert(acks[0].0, id.clone());
            assert!(previous.is_none(), "seq {} acked twice", acks[0].0);
        }
    }
    acked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_messages_sent_on_either_node_reach_members_on_both_in_seq_order() {
    concurrent_senders_on_both_nodes(true, 40).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_second_backend_process_joins_the_cluster() {
    concurrent_senders_on_both_nodes(false, 25).await;
}

/// Ana on node A and Ben on node B send `each` messages at the same time; Cleo (A) and Dan (B) only
/// listen. Everyone gets every message once, in seq order.
async fn concurrent_senders_on_both_nodes(b_in_process: bool, each: u64) {
    let cluster = cluster(&format!("redis://{}/", redis_addr()), b_in_process, |_| {}).await;
    let (ana, ben) = (cluster.student().await, cluster.student().await);
    let (cleo, dan) = (cluster.student().await, cluster.student().await);
    let (mut a, room) = Chat::join(&cluster.a.base, &ana).await;
    let (mut c, _) = Chat::join(&cluster.a.base, &cleo).await;
    let (mut b, _) = Chat::join(cluster.b.base(), &ben).await;
    let (mut d, _) = Chat::join(cluster.b.base(), &dan).await;

    let ana_ids: Vec<String> = (0..each).map(|i| format!("ana-{i}")).collect();
    let ben_ids: Vec<String> = (0..each).map(|i| format!("ben-{i}")).collect();
    let total = 2 * each;
    tokio::join!(send_all(&mut a, room, &ana_ids, total), send_all(&mut b, room, &ben_ids, total));
    tokio::join!(c.read_through(total), d.read_through(total));

    // A last message from each node fences the run: anything delivered twice would come before it.
    a.say(room, "ana-fence").await;
    a.read_acks(&["ana-fence".to_owned()]).await;
    b.say(room, "ben-fence").await;
    b.read_acks(&["ben-fence".to_owned()]).await;
    let last = total + 2;
    tokio::join!(a.read_through(last), b.read_through(last), c.read_through(last), d.read_through(last));

    let acked = acked_ids(&[&a, &b]);
    assert_eq!(acked.len() as u64, last, "every send acked once, each with its own seq");
    assert!(a.acks.values().chain(b.acks.values()).all(|acks| acks.len() == 1 && !acks[0].1));
    assert_everyone_has(&[&a, &b, &c, &d], last, &acked);
    assert_eq!(cluster.stored().await, (last as i64, last as i64, last as i64));
}

/// Sends `ids` into `room`, then reads until all are acked and seqs up to `through` have arrived.
async fn send_all(chat: &mut Chat, room: RoomId, ids: &[String], through: u64) {
    for id in ids {
        chat.say(room, id).await;
    }
    chat.read_acks(ids).await;
    chat.read_through(through).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_redis_outage_loses_nothing_and_delivers_nothing_twice() {
    let proxy = redis_proxy().await;
    let cluster = cluster(&format!("redis://{}/", proxy.addr()), true, |_| {}).await;
    let (ana, cleo, ben) = (cluster.student().await, cluster.student().await, cluster.student().await);
    let (mut a, room) = Chat::join(&cluster.a.base, &ana).await;
    let (mut c, _) = Chat::join(&cluster.a.base, &cleo).await;
    let (mut b, _) = Chat::join(cluster.b.base(), &ben).await;

    // Before: node A's messages reach node B.
    let before: Vec<String> = (1..=3).map(|i| format!("ana-before-{i}")).collect();
    send_all(&mut a, room, &before, 3).await;
    tokio::join!(b.read_through(3), c.read_through(3));

    proxy.cut();
    // During: Ben sends on node B and is acked and hears himself...
    let ben_cut: Vec<String> = (1..=5).map(|i| format!("ben-cut-{i}")).collect();
    send_all(&mut b, room, &ben_cut, 8).await;
    // ...and a resend of the same client id (as after a timeout) is the same message.
    b.say(room, "ben-cut-1").await;
    b.read_until("the resend's ack", |chat| chat.acks["ben-cut-1"].len() == 2).await;
    assert_eq!(b.acks["ben-cut-1"][1], (b.acked_seq("ben-cut-1"), true));
    // Ana sends on node A: she and Cleo, on the same node, get everything at once (Ben's five are
    // read from storage when Ana's first arrives after a gap).
    let ana_cut: Vec<String> = (1..=10).map(|i| format!("ana-cut-{i}")).collect();
    send_all(&mut a, room, &ana_cut, 18).await;
    c.read_through(18).await;
    assert_eq!(a.acked_seq("ana-cut-1"), 9, "Ben's five came first");

    // After: nobody sends, yet Ben (node B) catches up on Ana's ten once Redis is back.
    proxy.restore();
    b.read_through(18).await;

    // And live delivery across nodes works again both ways; the fences flush out any repeat.
    a.say(room, "ana-after").await;
    a.read_acks(&["ana-after".to_owned()]).await;
    b.say(room, "ben-after").await;
    b.read_acks(&["ben-after".to_owned()]).await;
    tokio::join!(a.read_through(20), b.read_through(20), c.read_through(20));

    let acked = acked_ids(&[&a, &b]);
    assert_everyone_has(&[&a, &b, &c], 20, &acked);
    assert_eq!(cluster.stored().await, (20, 20, 20), "one row per client message id, no seq skipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_timetable_edit_on_one_node_moves_connections_on_the_other_at_once() {
    // The heartbeat, which also re-reads the rooms, never fires here: only the edits can move Ben.
    let cluster = cluster(&format!("redis://{}/", redis_addr()), true, |c| c.chat_heartbeat_secs = 3600).await;
    let (ana, ben) = (cluster.student().await, cluster.student().await);
    let (mut a, room) = Chat::join(&cluster.a.base, &ana).await;
    let (mut b, _) = Chat::join(cluster.b.base(), &ben).await;
    send_all(&mut a, room, &["a1".to_owned()], 1).await;
    b.read_through(1).await;

    // Ben drops the course through node A; his connection on node B is told and leaves the room.
    cluster.edit(&ben, false).await;
    match b.next().await {
        ServerFrame::Rooms { rooms } => assert!(rooms.is_empty(), "{rooms:?}"),
        other => panic!("expected the new room list, got {other:?}"),
    }
    send_all(&mut a, room, &["a2".to_owned()], 2).await;

    // He adds it back through node A. Node A publishes Ana's message before the signal, and node B
    // hands a connection its queued events before its signal: had Ben still been in the room, the
    // message would come before the new room list.
    cluster.edit(&ben, true).await;
    match b.next().await {
        ServerFrame::Rooms { rooms } => {
            assert_eq!(rooms.iter().map(|r| (r.room_id, r.last_seq)).collect::<Vec<_>>(), vec![(room, 2)]);
        }
        other => panic!("expected the new room list, got {other:?}"),
    }
    send_all(&mut a, room, &["a3".to_owned()], 3).await;
    b.read_through(3).await;
    assert_eq!(b.seqs(), vec![1, 3], "live again, without asking, and nothing from while he was out");
}

/// Ben, on node B, asks for the member list and the room list until `done` holds for both answers
/// (snapshots cross every two seconds), and returns them.
async fn presence_seen_by(
    ben: &mut Chat,
    room: RoomId,
    done: impl Fn(&[RoomMember], u32) -> bool,
) -> (Vec<RoomMember>, u32) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        ben.send(&ClientFrame::Members { room_id: room }).await;
        let members = match ben.next_before(deadline).await {
            ServerFrame::Members { members, .. } => members,
            other => panic!("expected the member list, got {other:?}"),
        };
        ben.send(&ClientFrame::Rooms).await;
        let online_count = match ben.next_before(deadline).await {
            ServerFrame::Rooms { rooms } => {
                rooms.iter().find(|r| r.room_id == room).expect("the room is listed").online_count
            }
            other => panic!("expected the room list, got {other:?}"),
        };
        if done(&members, online_count) {
            return (members, online_count);
        }
        assert!(tokio::time::Instant::now() < deadline, "presence never settled: {members:?}, {online_count} online");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_online_counts_and_member_flags_include_students_on_the_other_node() {
    let cluster = cluster(&format!("redis://{}/", redis_addr()), true, |_| {}).await;
    let (ana, ben) = (cluster.student().await, cluster.student().await);
    let (mut b, room) = Chat::join(cluster.b.base(), &ben).await;
    let online = |members: &[RoomMember]| members.iter().filter(|m| m.online).count();

    // Alone on node B, with Ana a member but not connected anywhere.
    let (members, count) = presence_seen_by(&mut b, room, |_, _| true).await;
    assert_eq!((members.len(), online(&members), count), (2, 1, 1), "{members:?}");

    // Ana connects to node A: node B counts her once node A's snapshot has crossed.
    let (a, _) = Chat::join(&cluster.a.base, &ana).await;
    let (members, count) = presence_seen_by(&mut b, room, |members, count| count == 2 && online(members) == 2).await;
    assert!(members.iter().all(|m| m.online), "{members:?}");
    assert_eq!(count, 2);

    // She leaves: node A's next snapshot no longer has her.
    drop(a);
    let (members, count) = presence_seen_by(&mut b, room, |members, count| count == 1 && online(members) == 1).await;
    assert_eq!(online(&members), 1, "{members:?}");
    assert_eq!(count, 1);
}
