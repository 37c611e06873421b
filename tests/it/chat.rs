//! Course chat over the real WebSocket endpoint, on SQLite and on PostgreSQL: students whose primary
//! timetables hold the same course share its room; ordering, idempotent resends, exact resume,
//! membership following the timetable, every limit and bad frame with its error, and the upgrade's
//! token and `Origin` checks. The client is tokio-tungstenite; timetables are edited through their
//! REST API, as the app does.

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, expect_error, fresh_email};
use crate::ws_support::{import_chat_catalog, ws_request};
use futures_util::{SinkExt, StreamExt};
use pretzel_api::chat::{
    CLOSE_FRAME_BYTES, CLOSE_FRAME_TOO_LARGE, CLOSE_GOING_AWAY, CLOSE_HEARTBEAT_TIMEOUT, CLOSE_INVALID_UTF8,
    CLOSE_SESSION_REVOKED, CLOSE_TOKEN_EXPIRED, MAX_FRAME_BYTES, MAX_MESSAGE_CHARS,
};
use pretzel_api::{
    ChatError, ChatErrorCode, ChatMessage, ClientFrame, ErrorCode, MessageId, RoomCursor, RoomId, RoomSummary,
    SectionId, ServerFrame, TermId, Timetable, TimetableId, UserId,
};
use pretzel_backend::config::Config;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Long enough for a loaded CI machine; only guards against a hang, never measures anything.
const PATIENCE: Duration = Duration::from_secs(20);

/// A server with the UIUC Winter 2025 catalog and two of its courses picked out.
struct Campus {
    _storage: Storage,
    server: TestServer,
    term: TermId,
    /// A section of the first course, "the" course of most tests.
    course: SectionId,
    /// A section of another course.
    other_course: SectionId,
}

async fn campus(engine: Engine, tune: impl FnOnce(&mut Config)) -> Campus {
    let storage = Storage::new(engine).await;
    let mut config = storage.config();
    tune(&mut config);
    let (term, sections) = import_chat_catalog(&config).await;
    let first = &sections[0];
    let other = sections.iter().find(|s| s.course_id != first.course_id).unwrap();
    let (course, other_course) = (SectionId(first.id), SectionId(other.id));
    let server = TestServer::start(config).await;
    Campus { _storage: storage, server, term, course, other_course }
}

/// A signed-up student and their primary plan of the campus's term.
struct Student {
    id: UserId,
    token: String,
    plan: TimetableId,
}

impl Campus {
    async fn student(&self, sections: &[SectionId]) -> Student {
        let tokens = self.server.sign_up(&fresh_email("chat"), GOOD_PASSWORD).await;
        let plan = self.server.primary_plan(self.term, &tokens.access_token).await;
        let student = Student { id: tokens.user.id, token: tokens.access_token, plan };
        if !sections.is_empty() {
            self.add(&student, sections).await;
        }
        student
    }

    async fn add(&self, student: &Student, sections: &[SectionId]) {
        self.server.add_sections(student.plan, &student.token, sections).await;
    }

    async fn remove(&self, student: &Student, section: SectionId) {
        let response = self
            .server
            .http
            .delete(self.server.url(&format!("/api/v1/timetables/{}/sections/{section}", student.plan)))
            .bearer_auth(&student.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    }

    /// A new, empty plan of `student`'s; returns its id.
    async fn create_plan(&self, student: &Student, name: &str) -> TimetableId {
        let response = self
            .server
            .http
            .post(self.server.url(&format!("/api/v1/terms/{}/timetables", self.term)))
            .bearer_auth(&student.token)
            .json(&serde_json::json!({ "name": name, "client_key": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
        response.json::<Timetable>().await.unwrap().id
    }

    async fn make_primary(&self, student: &Student, plan: TimetableId) {
        let response = self
            .server
            .http
            .patch(self.server.url(&format!("/api/v1/timetables/{plan}")))
            .bearer_auth(&student.token)
            .json(&serde_json::json!({ "primary": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    }

    async fn delete_plan(&self, student: &Student, plan: TimetableId) {
        let response = self
            .server
            .http
            .delete(self.server.url(&format!("/api/v1/timetables/{plan}")))
            .bearer_auth(&student.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204, "{}", response.text().await.unwrap_or_default());
    }

    /// Connects with `token`; the upgrade must succeed.
    async fn connect(&self, token: &str) -> Chat {
        connect(&self.server, token).await
    }

    async fn try_connect(
        &self,
        token: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Chat, tokio_tungstenite::tungstenite::Error> {
        try_connect(&self.server, token, origin).await
    }

    /// Connects and says hello; returns the connection and the welcome's rooms.
    async fn join(&self, student: &Student) -> (Chat, Vec<RoomSummary>) {
        let mut chat = self.connect(&student.token).await;
        let (rooms, replayed) = chat.hello(vec![]).await;
        assert!(replayed.is_empty());
        (chat, rooms)
    }

    /// Connects a student whose plan holds exactly one course; returns the connection and its room.
    async fn join_only_room(&self, student: &Student) -> (Chat, RoomSummary) {
        let (chat, rooms) = self.join(student).await;
        assert_eq!(rooms.len(), 1, "{rooms:?}");
        (chat, rooms.into_iter().next().unwrap())
    }
}

/// Connects to `server` with `token`; the upgrade must succeed.
async fn connect(server: &TestServer, token: &str) -> Chat {
    try_connect(server, Some(token), None).await.unwrap_or_else(|e| panic!("upgrade refused: {e}"))
}

/// Opens `/ws` on `server` with the bearer `token` and `origin` headers when given.
async fn try_connect(
    server: &TestServer,
    token: Option<&str>,
    origin: Option<&str>,
) -> Result<Chat, tokio_tungstenite::tungstenite::Error> {
    let mut request = ws_request(&server.base, token);
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    let (ws, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(Chat { ws })
}

/// A test's chat connection.
struct Chat {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What the server did with the connection, when it ended.
#[derive(Debug)]
enum Ending {
    Closed(Option<CloseFrame>),
    /// The connection ended without a close frame (what the client saw, for the failure message).
    Dropped(#[expect(dead_code, reason = "read through Debug in failure messages")] String),
}

impl Chat {
    async fn send(&mut self, frame: &ClientFrame) {
        self.ws.send(Message::text(serde_json::to_string(frame).unwrap())).await.unwrap();
    }

    async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.unwrap();
    }

    async fn say(&mut self, room: RoomId, client_msg_id: &str, body: &str) {
        self.send(&ClientFrame::Send {
            room_id: room,
            client_msg_id: client_msg_id.into(),
            body: body.into(),
            reply_to: None,
            mentions: vec![],
        })
        .await;
    }

    /// The next frame, presence announcements skipped (they come whenever anyone connects).
    async fn next(&mut self) -> ServerFrame {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("connection open")
                .expect("a frame");
            match message {
                Message::Text(text) => {
                    let frame: ServerFrame =
                        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not a server frame ({e}): {text}"));
                    if !matches!(frame, ServerFrame::Presence { .. }) {
                        return frame;
                    }
                }
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// The next message, others' typing skipped (it may arrive at any time).
    async fn message(&mut self) -> ChatMessage {
        loop {
            match self.next().await {
                ServerFrame::Message(message) => return message,
                ServerFrame::Typing { .. } => {}
                other => panic!("expected a message, got {other:?}"),
            }
        }
    }

    async fn error(&mut self) -> ChatError {
        match self.next().await {
            ServerFrame::Error(error) => error,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    /// Waits for the ack of `client_msg_id`, collecting the messages that arrive before it.
    async fn ack(&mut self, client_msg_id: &str) -> ((MessageId, u64, bool), Vec<ChatMessage>) {
        let mut before = Vec::new();
        loop {
            match self.next().await {
                ServerFrame::Ack { client_msg_id: id, message_id, seq, duplicate, .. } if id == client_msg_id => {
                    return ((message_id, seq, duplicate), before);
                }
                ServerFrame::Message(message) => before.push(message),
                // Others' typing may arrive at any time.
                ServerFrame::Typing { .. } => {}
                other => panic!("expected the ack of {client_msg_id}, got {other:?}"),
            }
        }
    }

    /// Sends, waits for the ack, then for the message's own echo (which always follows the ack);
    /// returns the ack's message id and seq.
    async fn post(&mut self, room: RoomId, client_msg_id: &str, body: &str) -> (MessageId, u64) {
        self.say(room, client_msg_id, body).await;
        let ((id, seq, _), before) = self.ack(client_msg_id).await;
        if !before.iter().any(|m| m.id == id) {
            loop {
                if self.message().await.id == id {
                    break;
                }
            }
        }
        (id, seq)
    }

    /// Says hello; returns the welcome's rooms and the replayed messages, after `synced`.
    async fn hello(&mut self, resume: Vec<RoomCursor>) -> (Vec<RoomSummary>, Vec<ChatMessage>) {
        self.send(&ClientFrame::Hello { resume }).await;
        let rooms = match self.next().await {
            ServerFrame::Welcome { rooms, .. } => rooms,
            other => panic!("expected welcome, got {other:?}"),
        };
        let mut replayed = Vec::new();
        loop {
            match self.next().await {
                ServerFrame::Message(message) => replayed.push(message),
                ServerFrame::Synced { .. } => return (rooms, replayed),
                other => panic!("expected replay or synced, got {other:?}"),
            }
        }
    }

    async fn rooms(&mut self) -> Vec<RoomSummary> {
        self.send(&ClientFrame::Rooms).await;
        match self.next().await {
            ServerFrame::Rooms { rooms } => rooms,
            other => panic!("expected rooms, got {other:?}"),
        }
    }

    /// The room list the server sends unasked when the student's rooms changed.
    async fn pushed_rooms(&mut self) -> Vec<RoomSummary> {
        match self.next().await {
            ServerFrame::Rooms { rooms } => rooms,
            other => panic!("expected the new room list, got {other:?}"),
        }
    }

    /// Pings with `nonce` and returns every frame (presence aside) that came before the pong. The
    /// server handles its queued live events before the client's next frame, so an event published
    /// before the ping was sent would be among them.
    async fn before_pong(&mut self, nonce: u64) -> Vec<ServerFrame> {
        self.send(&ClientFrame::Ping { nonce }).await;
        let mut before = Vec::new();
        loop {
            match self.next().await {
                ServerFrame::Pong { nonce: answered } if answered == nonce => return before,
                other => before.push(other),
            }
        }
    }

    async fn history(&mut self, room: RoomId) -> Vec<ChatMessage> {
        self.send(&ClientFrame::History { room_id: room, before_seq: None, limit: Some(100) }).await;
        match self.next().await {
            ServerFrame::History { messages, .. } => messages,
            other => panic!("expected history, got {other:?}"),
        }
    }

    /// Reads until the server ends the connection, skipping frames.
    async fn ending(&mut self) -> Ending {
        loop {
            match tokio::time::timeout(PATIENCE, self.ws.next()).await.expect("the server ends the connection in time")
            {
                Some(Ok(Message::Close(frame))) => return Ending::Closed(frame),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Ending::Dropped(error.to_string()),
                None => return Ending::Dropped("end of stream".into()),
            }
        }
    }
}

fn close_code(ending: &Ending) -> Option<u16> {
    match ending {
        Ending::Closed(Some(frame)) => Some(frame.code.into()),
        _ => None,
    }
}

async fn members_receive_each_message_in_seq_order(engine: Engine) {
    let campus = campus(engine, |_| {}).await;
    let ana = campus.student(&[campus.course]).await;
    let ben = campus.student(&[campus.course, campus.other_course]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;
    let (mut b, ben_rooms) = campus.join(&ben).await;
    assert_eq!(ben_rooms.len(), 2);
    assert!(ben_rooms.iter().any(|r| r.room_id == room.room_id), "one room per course offering");
    assert_eq!(room.member_count, 2);
    assert_eq!(room.last_seq, 0);

    for (i, body) in ["first", "second", "third"].iter().enumerate() {
        a.say(room.room_id, &format!("a-{i}"), body).await;
    }
    let mut acked = Vec::new();
    let mut seen_by_ana = Vec::new();
    for i in 0..3 {
        let ((_, seq, duplicate), before) = a.ack(&format!("a-{i}")).await;
        assert!(!duplicate);
        acked.push(seq);
        seen_by_ana.extend(before);
    }
    assert_eq!(acked, vec![1, 2, 3]);
    while seen_by_ana.len() < 3 {
        seen_by_ana.push(a.message().await);
    }
    let mut seen_by_ben = Vec::new();
    for _ in 0..3 {
        seen_by_ben.push(b.message().await);
    }
    for seen in [&seen_by_ana, &seen_by_ben] {
        let seqs: Vec<u64> = seen.iter().map(|m| m.seq).collect();
        let bodies: Vec<&str> = seen.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        assert_eq!(bodies, vec!["first", "second", "third"]);
        assert!(seen.iter().all(|m| m.author_id == ana.id && m.room_id == room.room_id));
    }

    // Ben's other course has a room of its own, which Ana is not in.
    let ben_rooms = b.rooms().await;
    assert_eq!(ben_rooms.len(), 2);
    let listed = ben_rooms.iter().find(|r| r.room_id == room.room_id).unwrap();
    assert_eq!((listed.last_seq, listed.unread), (3, 3));
    assert_eq!(listed.last_message.as_ref().map(|m| m.body.as_str()), Some("third"));
    assert_eq!(listed.online_count, 2);
    assert_eq!(a.rooms().await.len(), 1);
}
test_both_dbs!(test_members_receive_each_message_in_seq_order, members_receive_each_message_in_seq_order);

async fn resending_a_client_msg_id_returns_the_first_ack(engine: Engine) {
    let campus = campus(engine, |_| {}).await;
    let ana = campus.student(&[campus.course]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;
    a.say(room.room_id, "once", "only once").await;
    let ((id, seq, duplicate), _) = a.ack("once").await;
    assert_eq!((seq, duplicate), (1, false));
    assert_eq!(a.message().await.id, id);

    // After a timeout, and again on a new connection after a reconnect.
    a.say(room.room_id, "once", "only once").await;
    let ((again, again_seq, duplicate), before) = a.ack("once").await;
    assert_eq!((again, again_seq, duplicate), (id, 1, true));
    assert!(before.is_empty(), "a resend is not delivered again");
    drop(a);
    let (mut a, _) = campus.join_only_room(&ana).await;
    a.say(room.room_id, "once", "only once").await;
    assert_eq!(a.ack("once").await.0, (id, 1, true));

    // One stored row, and the resends used up no seq.
    assert_eq!(a.post(room.room_id, "next", "the next one").await.1, 2);
    let history = a.history(room.room_id).await;
    let ids: Vec<&str> = history.iter().map(|m| m.client_msg_id.as_str()).collect();
    assert_eq!(ids, vec!["once", "next"]);
}
test_both_dbs!(test_resending_a_client_msg_id_returns_the_first_ack, resending_a_client_msg_id_returns_the_first_ack);

async fn resume_replays_exactly_the_missed_messages_then_streams_live(engine: Engine) {
    let campus = campus(engine, |_| {}).await;
    let ana = campus.student(&[campus.course]).await;
    let ben = campus.student(&[campus.course]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;
    let (mut b, _) = campus.join_only_room(&ben).await;
    a.post(room.room_id, "m1", "before the drop").await;
    assert_eq!(b.message().await.seq, 1);

    // Ben's connection drops; Ana goes on.
    drop(b);
    for i in 2..=4 {
        a.post(room.room_id, &format!("m{i}"), &format!("missed {i}")).await;
    }

    let mut b = campus.connect(&ben.token).await;
    let (_, replayed) = b.hello(vec![RoomCursor { room_id: room.room_id, last_seq: 1 }]).await;
    let seqs: Vec<u64> = replayed.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, vec![2, 3, 4]);
    assert_eq!(replayed[0].body, "missed 2");

    a.post(room.room_id, "m5", "live again").await;
    let live = b.message().await;
    assert_eq!((live.seq, live.body.as_str()), (5, "live again"));

    // Resuming from the newest seq replays nothing.
    let mut c = campus.connect(&ben.token).await;
    let (_, replayed) = c.hello(vec![RoomCursor { room_id: room.room_id, last_seq: 5 }]).await;
    assert!(replayed.is_empty());

    // Stopping the server closes every connection with "going away"; they resume on the next start.
    let Campus { _storage: storage, server, .. } = campus;
    let stopping = tokio::spawn(server.stop());
    for chat in [&mut a, &mut b, &mut c] {
        assert_eq!(close_code(&chat.ending().await), Some(CLOSE_GOING_AWAY));
    }
    stopping.await.unwrap();
    let server = TestServer::on(&storage).await;
    let mut b = connect(&server, &ben.token).await;
    let (_, replayed) = b.hello(vec![RoomCursor { room_id: room.room_id, last_seq: 3 }]).await;
    assert_eq!(replayed.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![4, 5]);
}
test_both_dbs!(
    test_resume_replays_exactly_the_missed_messages_then_streams_live,
    resume_replays_exactly_the_missed_messages_then_streams_live
);

async fn non_members_and_unknown_rooms_are_refused(engine: Engine) {
    let campus = campus(engine, |_| {}).await;
    let ana = campus.student(&[campus.course]).await;
    let carl = campus.student(&[campus.other_course]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;
    a.post(room.room_id, "a1", "members only").await;

    let (mut c, _) = campus.join_only_room(&carl).await;
    c.say(room.room_id, "c1", "let me in").await;
    let error = c.error().await;
    assert_eq!(error.code, ChatErrorCode::NotMember);
    assert_eq!(error.client_msg_id.as_deref(), Some("c1"));
    c.send(&ClientFrame::History { room_id: room.room_id, before_seq: None, limit: None }).await;
    assert_eq!(c.error().await.code, ChatErrorCode::NotMember);
    c.send(&ClientFrame::Members { room_id: room.room_id }).await;
    assert_eq!(c.error().await.code, ChatErrorCode::NotMember);
    c.say(RoomId(987_654), "c2", "anyone?").await;
    let error = c.error().await;
    assert_eq!((error.code, error.client_msg_id.as_deref()), (ChatErrorCode::UnknownRoom, Some("c2")));
    // Resuming a room one is not in is refused too, and replays nothing.
    let mut c2 = campus.connect(&carl.token).await;
    c2.send(&ClientFrame::Hello { resume: vec![RoomCursor { room_id: room.room_id, last_seq: 0 }] }).await;
    assert!(matches!(c2.next().await, ServerFrame::Welcome { .. }));
    assert_eq!(c2.error().await.code, ChatErrorCode::NotMember);
    assert!(matches!(c2.next().await, ServerFrame::Synced { .. }));

    // Nothing Carl tried was stored.
    assert_eq!(a.history(room.room_id).await.len(), 1);
}
test_both_dbs!(test_non_members_and_unknown_rooms_are_refused, non_members_and_unknown_rooms_are_refused);

async fn membership_follows_the_primary_timetable(engine: Engine) {
    let campus = campus(engine, |_| {}).await;
    let ana = campus.student(&[campus.course]).await;
    let dan = campus.student(&[]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;

    let mut d = campus.connect(&dan.token).await;
    let (rooms, _) = d.hello(vec![]).await;
    assert!(rooms.is_empty());
    d.say(room.room_id, "d1", "hello?").await;
    assert_eq!(d.error().await.code, ChatErrorCode::NotMember);

    // Adding the course makes Dan a member, with no join step; his connection is told at once.
    campus.add(&dan, &[campus.course]).await;
    let rooms = d.pushed_rooms().await;
    assert_eq!(rooms.iter().map(|r| r.room_id).collect::<Vec<_>>(), vec![room.room_id]);
    assert_eq!(rooms[0].member_count, 2);
    assert_eq!(d.post(room.room_id, "d2", "joined").await.1, 1);
    assert_eq!(a.message().await.body, "joined");
    // The subscription followed: Dan hears Ana.
    a.post(room.room_id, "a1", "welcome").await;
    assert_eq!(d.message().await.body, "welcome");

    // Removing the course ends membership.
    campus.remove(&ana, campus.course).await;
    assert!(a.pushed_rooms().await.is_empty());
    a.say(room.room_id, "a2", "still here?").await;
    assert_eq!(a.error().await.code, ChatErrorCode::NotMember);
    assert!(a.rooms().await.is_empty());
    assert_eq!(d.rooms().await[0].member_count, 1);
}
test_both_dbs!(test_membership_follows_the_primary_timetable, membership_follows_the_primary_timetable);

/// The rooms of Ben's first connection after the server pushed a new list to both; the second must
/// have been told the same.
async fn pushed_to_both(b: &mut Chat, b2: &mut Chat) -> Vec<RoomId> {
    let mut lists = Vec::new();
    for chat in [b, b2] {
        let mut rooms: Vec<RoomId> = chat.pushed_rooms().await.iter().map(|r| r.room_id).collect();
        rooms.sort_by_key(|r| r.0);
        lists.push(rooms);
    }
    assert_eq!(lists[0], lists[1], "both connections of the student got the same list");
    lists.swap_remove(0)
}

async fn timetable_edits_move_open_connections_at_once(engine: Engine) {
    // The heartbeat, which also re-reads the rooms, never fires here: only the edits can move Ben.
    let campus = campus(engine, |c| c.chat_heartbeat_secs = 3600).await;
    let ana = campus.student(&[campus.course]).await;
    let ben = campus.student(&[campus.course, campus.other_course]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;
    let (mut b, rooms) = campus.join(&ben).await;
    let (mut b2, _) = campus.join(&ben).await;
    let other = rooms.iter().map(|r| r.room_id).find(|r| *r != room.room_id).unwrap();
    let mut both = vec![room.room_id, other];
    both.sort_by_key(|r| r.0);
    a.post(room.room_id, "a1", "before").await;
    assert_eq!(b.message().await.body, "before");
    assert_eq!(b2.message().await.body, "before");

    // Ben drops the course over REST: both his connections are told, unasked, and leave the room.
    campus.remove(&ben, campus.course).await;
    assert_eq!(pushed_to_both(&mut b, &mut b2).await, vec![other]);
    // Ana's next message is published before her ack; a connection still subscribed would have it
    // queued ahead of the pong.
    a.post(room.room_id, "a2", "after Ben left").await;
    assert!(b.before_pong(1).await.is_empty());
    assert!(b2.before_pong(2).await.is_empty());

    // He adds it back: subscribed again at once, listed with what he missed, and live without asking.
    campus.add(&ben, &[campus.course]).await;
    assert_eq!(pushed_to_both(&mut b, &mut b2).await, both);
    a.post(room.room_id, "a3", "welcome back").await;
    for chat in [&mut b, &mut b2] {
        let live = chat.message().await;
        assert_eq!((live.seq, live.body.as_str()), (3, "welcome back"));
    }

    // Making an empty plan primary leaves every room; deleting it makes the first plan primary again.
    let empty = campus.create_plan(&ben, "Plan B").await;
    campus.make_primary(&ben, empty).await;
    assert!(pushed_to_both(&mut b, &mut b2).await.is_empty());
    a.post(room.room_id, "a4", "gone again").await;
    assert!(b.before_pong(3).await.is_empty());
    assert!(b2.before_pong(4).await.is_empty());
    campus.delete_plan(&ben, empty).await;
    assert_eq!(pushed_to_both(&mut b, &mut b2).await, both);
    a.post(room.room_id, "a5", "back for good").await;
    assert_eq!(b.message().await.seq, 5);
    assert_eq!(b2.message().await.seq, 5);
    // Ana's own edits do not disturb Ben.
    campus.add(&ana, &[campus.other_course]).await;
    assert!(b.before_pong(5).await.is_empty());
}
test_both_dbs!(test_timetable_edits_move_open_connections_at_once, timetable_edits_move_open_connections_at_once);

async fn bad_frames_and_limits_get_their_errors(engine: Engine) {
    let campus = campus(engine, |c| c.chat_send_limit = 4).await;
    let ana = campus.student(&[campus.course]).await;
    let mut a = campus.connect(&ana.token).await;

    a.say(RoomId(1), "early", "before hello").await;
    assert_eq!(a.error().await.code, ChatErrorCode::HelloRequired);
    let (rooms, _) = a.hello(vec![]).await;
    let room = rooms[0].room_id;

    a.send_raw(Message::text("{not json")).await;
    assert_eq!(a.error().await.code, ChatErrorCode::InvalidJson);
    a.send_raw(Message::text(r#"{"type":"send","room_id":1}"#)).await;
    assert_eq!(a.error().await.code, ChatErrorCode::InvalidJson);
    a.send_raw(Message::binary(Bytes::from_static(&[0x7b, 0xff, 0xfe, 0x7d]))).await;
    assert_eq!(a.error().await.code, ChatErrorCode::InvalidUtf8);

    a.say(room, "long", &"x".repeat(MAX_MESSAGE_CHARS + 1)).await;
    let error = a.error().await;
    assert_eq!((error.code, error.client_msg_id.as_deref()), (ChatErrorCode::TooLong, Some("long")));
    a.say(room, "blank", "  \n ").await;
    assert_eq!(a.error().await.code, ChatErrorCode::EmptyMessage);
    a.say(room, "", "no id").await;
    assert_eq!(a.error().await.code, ChatErrorCode::InvalidRequest);

    // The connection still works, up to the send rate (4 per window, and the refusals above that
    // reached the rate check count: the too-long, blank and id-less sends did not).
    let mut accepted = 0;
    let mut limited = None;
    for i in 0..6 {
        a.say(room, &format!("r{i}"), "steady").await;
        loop {
            match a.next().await {
                ServerFrame::Ack { .. } => {
                    accepted += 1;
                    break;
                }
                ServerFrame::Message(_) => {}
                ServerFrame::Error(error) => {
                    limited.get_or_insert(error);
                    break;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(accepted, 4);
    let limited = limited.unwrap();
    assert_eq!(limited.code, ChatErrorCode::RateLimited);
    assert!(limited.retry_after_secs.unwrap_or(0) >= 1);

    // A frame over the limit is refused with an error, and the connection stays usable...
    let padded = |bytes: usize| format!(r#"{{"type":"ping","nonce":1,"pad":"{}"}}"#, "x".repeat(bytes));
    a.send_raw(Message::text(padded(MAX_FRAME_BYTES))).await;
    assert_eq!(a.error().await.code, ChatErrorCode::FrameTooLarge);
    a.send(&ClientFrame::Ping { nonce: 7 }).await;
    assert_eq!(a.next().await, ServerFrame::Pong { nonce: 7 });
    // ...while one too big to read at all ends the connection with its close code.
    a.send_raw(Message::text(padded(CLOSE_FRAME_BYTES))).await;
    assert_eq!(a.error().await.code, ChatErrorCode::FrameTooLarge);
    let ending = a.ending().await;
    assert_eq!(close_code(&ending), Some(CLOSE_FRAME_TOO_LARGE), "{ending:?}");
}
test_both_dbs!(test_bad_frames_and_limits_get_their_errors, bad_frames_and_limits_get_their_errors);

async fn edits_deletes_replies_and_mentions(engine: Engine) {
    let campus = campus(engine, |_| {}).await;
    let ana = campus.student(&[campus.course]).await;
    let ben = campus.student(&[campus.course]).await;
    let outsider = campus.student(&[campus.other_course]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;
    let (mut b, _) = campus.join_only_room(&ben).await;

    let (question, _) = a.post(room.room_id, "q", "who has the notes?").await;
    assert_eq!(b.message().await.id, question);
    b.send(&ClientFrame::Send {
        room_id: room.room_id,
        client_msg_id: "r".into(),
        body: "@Ana I do".into(),
        reply_to: Some(question),
        mentions: vec![ana.id, outsider.id],
    })
    .await;
    let ((reply_id, _, _), _) = b.ack("r").await;
    assert_eq!(b.message().await.id, reply_id);
    let reply = a.message().await;
    assert_eq!(reply.reply_to, Some(question));
    assert_eq!(reply.mentions, vec![ana.id], "only members are mentioned");
    b.send(&ClientFrame::Send {
        room_id: room.room_id,
        client_msg_id: "bad-reply".into(),
        body: "to nothing".into(),
        reply_to: Some(MessageId(999_999)),
        mentions: vec![],
    })
    .await;
    assert_eq!(b.error().await.code, ChatErrorCode::UnknownMessage);

    b.send(&ClientFrame::Edit { message_id: question, body: "hijacked".into() }).await;
    let error = b.error().await;
    assert_eq!((error.code, error.message_id), (ChatErrorCode::NotAuthor, Some(question)));

    a.send(&ClientFrame::Edit { message_id: question, body: "who has the lecture notes?".into() }).await;
    for chat in [&mut a, &mut b] {
        match chat.next().await {
            ServerFrame::MessageUpdated(m) => {
                assert_eq!((m.id, m.revision, m.body.as_str()), (question, 1, "who has the lecture notes?"));
                assert!(m.edited_at.is_some() && !m.deleted);
            }
            other => panic!("expected the edit, got {other:?}"),
        }
    }
    a.send(&ClientFrame::Delete { message_id: question }).await;
    for chat in [&mut a, &mut b] {
        match chat.next().await {
            ServerFrame::MessageUpdated(m) => assert!(m.deleted && m.body.is_empty() && m.revision == 2),
            other => panic!("expected the deletion, got {other:?}"),
        }
    }
    a.send(&ClientFrame::Edit { message_id: question, body: "undo".into() }).await;
    assert_eq!(a.error().await.code, ChatErrorCode::MessageDeleted);
    let history = b.history(room.room_id).await;
    assert!(history[0].deleted && history[0].body.is_empty());
    assert_eq!(history[1].body, "@Ana I do");
}
test_both_dbs!(test_edits_deletes_replies_and_mentions, edits_deletes_replies_and_mentions);

async fn read_markers_typing_and_presence(engine: Engine) {
    let campus = campus(engine, |_| {}).await;
    let ana = campus.student(&[campus.course]).await;
    let ben = campus.student(&[campus.course]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;
    for i in 1..=3 {
        a.post(room.room_id, &format!("u{i}"), &format!("news {i}")).await;
    }
    let mut b = campus.connect(&ben.token).await;
    let (rooms, _) = b.hello(vec![]).await;
    assert_eq!((rooms[0].unread, rooms[0].read_seq, rooms[0].online_count), (3, 0, 2));
    b.send(&ClientFrame::Read { room_id: room.room_id, seq: 2 }).await;
    assert_eq!(b.next().await, ServerFrame::ReadMarker { room_id: room.room_id, seq: 2, unread: 1 });
    // Markers never move back, and stop at the newest message.
    b.send(&ClientFrame::Read { room_id: room.room_id, seq: 1 }).await;
    assert_eq!(b.next().await, ServerFrame::ReadMarker { room_id: room.room_id, seq: 2, unread: 1 });
    b.send(&ClientFrame::Read { room_id: room.room_id, seq: 99 }).await;
    assert_eq!(b.next().await, ServerFrame::ReadMarker { room_id: room.room_id, seq: 3, unread: 0 });
    assert_eq!(b.rooms().await[0].unread, 0);

    a.send(&ClientFrame::Typing { room_id: room.room_id }).await;
    match b.next().await {
        ServerFrame::Typing { room_id, user_id, .. } => assert_eq!((room_id, user_id), (room.room_id, ana.id)),
        other => panic!("expected typing, got {other:?}"),
    }
    b.send(&ClientFrame::Members { room_id: room.room_id }).await;
    match b.next().await {
        ServerFrame::Members { members, .. } => {
            assert_eq!(members.len(), 2);
            assert!(members.iter().all(|m| m.online));
        }
        other => panic!("expected members, got {other:?}"),
    }
    // Ana leaves: Ben hears she went offline.
    drop(a);
    loop {
        let message = tokio::time::timeout(PATIENCE, b.ws.next()).await.unwrap().unwrap().unwrap();
        if let Message::Text(text) = message
            && let Ok(ServerFrame::Presence { user_id, online, .. }) = serde_json::from_str(&text)
            && user_id == ana.id
            && !online
        {
            break;
        }
    }
}
test_both_dbs!(test_read_markers_typing_and_presence, read_markers_typing_and_presence);

async fn upgrade_requires_a_token_and_an_allowed_origin(engine: Engine) {
    let campus = campus(engine, |c| c.chat_allowed_origins = vec!["https://pretzel.example".into()]).await;
    let ana = campus.student(&[]).await;
    let status = |result: Result<Chat, tokio_tungstenite::tungstenite::Error>| match result {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected {other}"),
        Ok(_) => 101,
    };
    assert_eq!(status(campus.try_connect(None, None).await), 401);
    assert_eq!(status(campus.try_connect(Some("pa1.forged.token"), None).await), 401);
    assert_eq!(status(campus.try_connect(Some(&ana.token), Some("https://evil.example")).await), 403);
    for origin in ["tauri://localhost", "http://tauri.localhost", "https://pretzel.example"] {
        assert_eq!(status(campus.try_connect(Some(&ana.token), Some(origin)).await), 101, "{origin}");
    }
    // The refusals carry the usual JSON error body.
    let plain = |origin: Option<&str>, token: Option<&str>| {
        let mut request = campus
            .server
            .http
            .get(campus.server.url("/ws"))
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    expect_error(plain(None, None).await.unwrap(), 401, ErrorCode::MissingToken).await;
    expect_error(plain(None, Some("pa1.forged.token")).await.unwrap(), 401, ErrorCode::InvalidToken).await;
    expect_error(plain(Some("https://evil.example"), Some(&ana.token)).await.unwrap(), 403, ErrorCode::ForbiddenOrigin)
        .await;
    // A signed-in request that is not a proper handshake is told so, not left hanging.
    let handshake = |version: &str, key: Option<&str>| {
        let mut request = campus
            .server
            .http
            .get(campus.server.url("/ws"))
            .bearer_auth(&ana.token)
            .header("connection", "keep-alive, Upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", version);
        if let Some(key) = key {
            request = request.header("sec-websocket-key", key);
        }
        request.send()
    };
    let plain_get = campus.server.http.get(campus.server.url("/ws")).bearer_auth(&ana.token).send();
    expect_error(plain_get.await.unwrap(), 400, ErrorCode::NotWebSocket).await;
    expect_error(handshake("8", Some("dGhlIHNhbXBsZSBub25jZQ==")).await.unwrap(), 400, ErrorCode::NotWebSocket).await;
    expect_error(handshake("13", None).await.unwrap(), 400, ErrorCode::NotWebSocket).await;
}
test_both_dbs!(test_upgrade_requires_a_token_and_an_allowed_origin, upgrade_requires_a_token_and_an_allowed_origin);

async fn expiring_tokens_close_the_connection_with_a_notice(engine: Engine) {
    // Access tokens live 3 s here: the connection is told, then closed with its code.
    let campus = campus(engine, |c| c.access_token_ttl_secs = 3).await;
    let ana = campus.student(&[]).await;
    let mut a = campus.connect(&ana.token).await;
    a.hello(vec![]).await;
    // Reading (which also answers the server's pings) until the notice arrives.
    assert_eq!(a.next().await, ServerFrame::TokenExpired);
    assert_eq!(close_code(&a.ending().await), Some(CLOSE_TOKEN_EXPIRED));
}
test_both_dbs!(
    test_expiring_tokens_close_the_connection_with_a_notice,
    expiring_tokens_close_the_connection_with_a_notice
);

async fn silent_clients_are_dropped_after_two_heartbeats(engine: Engine) {
    let campus = campus(engine, |c| c.chat_heartbeat_secs = 1).await;
    let ana = campus.student(&[]).await;
    let mut silent = campus.connect(&ana.token).await;
    silent.send(&ClientFrame::Hello { resume: vec![] }).await;
    // A client that does not read does not answer pings either. Look only well after two intervals:
    // reading earlier would answer the pings and keep the connection alive.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let ending = silent.ending().await;
    assert_eq!(close_code(&ending), Some(CLOSE_HEARTBEAT_TIMEOUT), "{ending:?}");

    // A client that reads stays connected across many intervals...
    let mut lively = campus.connect(&ana.token).await;
    lively.hello(vec![]).await;
    for nonce in 0..3 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        lively.send(&ClientFrame::Ping { nonce }).await;
        assert_eq!(lively.next().await, ServerFrame::Pong { nonce });
    }
    // ...until the student logs out: the session check at the next heartbeat closes it.
    let response =
        campus.server.http.post(campus.server.url("/api/v1/auth/logout")).bearer_auth(&ana.token).send().await.unwrap();
    assert!(response.status().is_success());
    assert_eq!(close_code(&lively.ending().await), Some(CLOSE_SESSION_REVOKED));
}
test_both_dbs!(test_silent_clients_are_dropped_after_two_heartbeats, silent_clients_are_dropped_after_two_heartbeats);

async fn concurrent_senders_are_delivered_in_one_order_without_gaps(engine: Engine) {
    const PER_SENDER: usize = 15;
    let campus = campus(engine, |c| c.chat_send_limit = 1000).await;
    let students = [
        campus.student(&[campus.course]).await,
        campus.student(&[campus.course]).await,
        campus.student(&[campus.course]).await,
    ];
    let mut chats = Vec::new();
    let mut room = None;
    for student in &students {
        let (chat, joined) = campus.join_only_room(student).await;
        room = Some(joined.room_id);
        chats.push(chat);
    }
    let room = room.unwrap();
    let total = PER_SENDER * students.len();
    let late = campus.student(&[campus.course]).await;
    let mut late_chat = campus.connect(&late.token).await;
    // Everyone sends at once, without waiting for acks; halfway through, a fourth member resumes from
    // the start while the sends go on: replay and live stream must meet without gap or repeat.
    for round in 0..PER_SENDER {
        if round == PER_SENDER / 2 {
            late_chat.send(&ClientFrame::Hello { resume: vec![RoomCursor { room_id: room, last_seq: 0 }] }).await;
        }
        for (who, chat) in chats.iter_mut().enumerate() {
            chat.say(room, &format!("{who}-{round}"), &format!("{who} says {round}")).await;
        }
    }
    let mut late_seqs = Vec::new();
    while late_seqs.len() < total {
        match late_chat.next().await {
            ServerFrame::Message(m) => late_seqs.push(m.seq),
            ServerFrame::Welcome { .. } | ServerFrame::Synced { .. } => {}
            other => panic!("late joiner: unexpected {other:?}"),
        }
    }
    assert_eq!(late_seqs, (1..=total as u64).collect::<Vec<_>>(), "replay then live, each seq once");
    for (who, chat) in chats.iter_mut().enumerate() {
        let mut seqs = Vec::new();
        let mut acks = 0;
        while seqs.len() < total || acks < PER_SENDER {
            match chat.next().await {
                ServerFrame::Message(m) => seqs.push(m.seq),
                ServerFrame::Ack { duplicate: false, .. } => acks += 1,
                other => panic!("student {who}: unexpected {other:?}"),
            }
        }
        assert_eq!(seqs, (1..=total as u64).collect::<Vec<_>>(), "student {who} saw every seq once, in order");
    }
    // Each sender's own messages keep the order they were sent in; their client ids are shown to
    // their author only.
    for (who, student) in students.iter().enumerate() {
        let history = chats[who].history(room).await;
        let mine: Vec<String> =
            history.iter().filter(|m| m.author_id == student.id).map(|m| m.client_msg_id.clone()).collect();
        assert_eq!(mine, (0..PER_SENDER).map(|r| format!("{who}-{r}")).collect::<Vec<_>>());
        assert!(history.iter().filter(|m| m.author_id != student.id).all(|m| m.client_msg_id.is_empty()));
    }
}
test_both_dbs!(
    test_concurrent_senders_are_delivered_in_one_order_without_gaps,
    concurrent_senders_are_delivered_in_one_order_without_gaps
);

/// What one connection saw of a burst: its messages' seqs per room, its acks' seqs by client id (the
/// second ack of a resent id under `"<id> again"`), and its errors' codes.
#[derive(Debug, Default)]
struct Burst {
    seqs: std::collections::BTreeMap<RoomId, Vec<u64>>,
    acks: std::collections::HashMap<String, u64>,
    errors: Vec<ChatErrorCode>,
}

impl Burst {
    async fn read(chat: &mut Chat, messages: usize, acks: usize, errors: usize) -> Self {
        let mut burst = Self::default();
        while burst.seqs.values().map(Vec::len).sum::<usize>() < messages
            || burst.acks.len() < acks
            || burst.errors.len() < errors
        {
            match chat.next().await {
                ServerFrame::Message(m) => burst.seqs.entry(m.room_id).or_default().push(m.seq),
                ServerFrame::Ack { client_msg_id, seq, duplicate, .. } => {
                    let key = if duplicate { format!("{client_msg_id} again") } else { client_msg_id };
                    assert!(burst.acks.insert(key, seq).is_none(), "one ack per send");
                }
                ServerFrame::Error(error) => burst.errors.push(error.code),
                other => panic!("unexpected {other:?}"),
            }
        }
        burst
    }
}

async fn sends_to_several_rooms_at_once_are_stored_together_without_gaps(engine: Engine) {
    const PER_SENDER: usize = 12;
    let campus = campus(engine, |c| c.chat_send_limit = 1000).await;
    let in_a = [campus.student(&[campus.course]).await, campus.student(&[campus.course]).await];
    let in_b = [campus.student(&[campus.other_course]).await, campus.student(&[campus.other_course]).await];
    // A member of B only, whose sends to A are refused in the middle of the others' sends.
    let outsider = campus.student(&[campus.other_course]).await;
    let mut senders = Vec::new();
    let mut rooms = Vec::new();
    for student in in_a.iter().chain(&in_b) {
        let (chat, room) = campus.join_only_room(student).await;
        rooms.push(room.room_id);
        senders.push(chat);
    }
    let (room_a, room_b) = (rooms[0], rooms[2]);
    assert_ne!(room_a, room_b);
    let (mut outsider_chat, _) = campus.join_only_room(&outsider).await;
    // Nobody waits for an ack, so one server commit holds sends of both rooms, and the refusals and
    // resends among them must take back only what they wrote.
    for round in 0..PER_SENDER {
        for (who, chat) in senders.iter_mut().enumerate() {
            chat.say(rooms[who], &format!("{who}-{round}"), &format!("{who} says {round}")).await;
        }
        if round % 3 == 0 {
            outsider_chat.say(room_a, &format!("out-{round}"), "not my course").await;
        }
        if round == PER_SENDER / 2 {
            for (who, chat) in senders.iter_mut().enumerate() {
                chat.say(rooms[who], &format!("{who}-0"), "sent again").await;
            }
        }
    }
    let per_room = 2 * PER_SENDER;
    let refused = PER_SENDER.div_ceil(3);
    for (who, chat) in senders.iter_mut().enumerate() {
        let room = rooms[who];
        let burst = Burst::read(chat, per_room, PER_SENDER + 1, 0).await;
        assert_eq!(burst.seqs.keys().copied().collect::<Vec<_>>(), vec![room], "sender {who}: own room only");
        assert_eq!(burst.seqs[&room], (1..=per_room as u64).collect::<Vec<_>>(), "sender {who}: every seq once");
        assert_eq!(burst.acks[&format!("{who}-0 again")], burst.acks[&format!("{who}-0")], "a resend keeps its seq");
        let mut own: Vec<u64> = (0..PER_SENDER).map(|r| burst.acks[&format!("{who}-{r}")]).collect();
        let in_order = own.clone();
        own.sort_unstable();
        assert_eq!(own, in_order, "sender {who}: stored in the order sent");
    }
    // The outsider's room (B) got every message of B, and each send to A was refused.
    let burst = Burst::read(&mut outsider_chat, per_room, 0, refused).await;
    assert_eq!(burst.seqs[&room_b], (1..=per_room as u64).collect::<Vec<_>>());
    assert_eq!(burst.errors, vec![ChatErrorCode::NotMember; refused]);
    // Nothing refused or resent left a trace: each room's history is exactly its members' sends.
    for room in [room_a, room_b] {
        let history = senders[if room == room_a { 0 } else { 2 }].history(room).await;
        assert_eq!(history.len(), per_room);
        assert!(history.iter().all(|m| !m.client_msg_id.starts_with("out-")));
    }
}
test_both_dbs!(
    test_sends_to_several_rooms_at_once_are_stored_together_without_gaps,
    sends_to_several_rooms_at_once_are_stored_together_without_gaps
);

async fn a_reader_that_stops_reading_is_dropped_without_stalling_the_room(engine: Engine) {
    // More than the loopback socket buffers hold for a reader that reads nothing.
    const SENDS: usize = 1500;
    let campus = campus(engine, |c| {
        c.chat_send_limit = 10_000;
        // Small enough that the stalled reader overflows it soon; large enough that a reader that
        // keeps reading on a busy machine does not.
        c.chat_queue_frames = 256;
    })
    .await;
    let (sender, reader, stalled) = (
        campus.student(&[campus.course]).await,
        campus.student(&[campus.course]).await,
        campus.student(&[campus.course]).await,
    );
    let (mut sender_chat, room) = campus.join_only_room(&sender).await;
    let room = room.room_id;
    let (mut reader_chat, _) = campus.join_only_room(&reader).await;
    let (mut stalled_chat, _) = campus.join_only_room(&stalled).await;
    let body = "x".repeat(3_900);
    let sending = async {
        for n in 0..SENDS {
            sender_chat.say(room, &format!("m{n}"), &body).await;
        }
        let mut acks = 0;
        while acks < SENDS {
            if let ServerFrame::Ack { .. } = sender_chat.next().await {
                acks += 1;
            }
        }
    };
    // The other member gets every message, in order, while the stalled one reads nothing.
    let reading = async {
        let mut seqs = Vec::new();
        while seqs.len() < SENDS {
            seqs.push(reader_chat.message().await.seq);
        }
        seqs
    };
    let ((), seqs) = tokio::join!(sending, reading);
    assert_eq!(seqs, (1..=SENDS as u64).collect::<Vec<_>>());
    // The stalled reader finds what its buffers held, then the end of a connection the server gave
    // up on (a write that waited too long, or the kick of a full queue).
    let mut held = Vec::new();
    let ending = loop {
        match tokio::time::timeout(Duration::from_secs(40), stalled_chat.ws.next()).await.expect("dropped in time") {
            Some(Ok(Message::Text(text))) => {
                if let Ok(ServerFrame::Message(m)) = serde_json::from_str::<ServerFrame>(&text) {
                    held.push(m.seq);
                }
            }
            Some(Ok(Message::Close(frame))) => break Ending::Closed(frame),
            Some(Ok(_)) => {}
            Some(Err(error)) => break Ending::Dropped(error.to_string()),
            None => break Ending::Dropped("end of stream".into()),
        }
    };
    assert!(held.len() < SENDS, "the connection ended before it had everything ({ending:?})");
    assert_eq!(held, (1..=held.len() as u64).collect::<Vec<_>>(), "what it got came in order");
    // It catches up by resuming from the last message it holds.
    let mut again = campus.connect(&stalled.token).await;
    let last_seq = held.last().copied().unwrap_or(0);
    let (_, replayed) = again.hello(vec![RoomCursor { room_id: room, last_seq }]).await;
    let replayed: Vec<u64> = replayed.iter().map(|m| m.seq).collect();
    assert_eq!(replayed, (last_seq + 1..=SENDS as u64).collect::<Vec<_>>());
}
test_both_dbs!(
    test_a_reader_that_stops_reading_is_dropped_without_stalling_the_room,
    a_reader_that_stops_reading_is_dropped_without_stalling_the_room
);

async fn blocking_hides_a_student_and_reports_are_recorded(engine: Engine) {
    let campus = campus(engine, |_| {}).await;
    let ana = campus.student(&[campus.course]).await;
    let ben = campus.student(&[campus.course]).await;
    let cai = campus.student(&[campus.course]).await;
    let outsider = campus.student(&[campus.other_course]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;
    let (mut b, _) = campus.join_only_room(&ben).await;
    let (mut c, _) = campus.join_only_room(&cai).await;
    let room = room.room_id;

    b.send(&ClientFrame::Block { user_id: ben.id }).await;
    assert_eq!(b.error().await.code, ChatErrorCode::InvalidRequest);
    b.send(&ClientFrame::Block { user_id: UserId(987_654) }).await;
    assert_eq!(b.error().await.code, ChatErrorCode::UnknownUser);
    b.send(&ClientFrame::Block { user_id: ana.id }).await;
    assert_eq!(b.next().await, ServerFrame::BlockList { user_ids: vec![ana.id] });

    // Ana's message and typing never reach Ben; Cai's do, in order.
    let (hidden, _) = a.post(room, "a1", "can you see me?").await;
    a.send(&ClientFrame::Typing { room_id: room }).await;
    c.post(room, "c1", "I can").await;
    c.send(&ClientFrame::Typing { room_id: room }).await;
    // Read frame by frame: a leak of Ana's typing would show up here.
    match b.next().await {
        ServerFrame::Message(seen) => assert_eq!((seen.seq, seen.body.as_str()), (2, "I can")),
        other => panic!("expected Cai's message, got {other:?}"),
    }
    match b.next().await {
        ServerFrame::Typing { user_id, .. } => assert_eq!(user_id, cai.id),
        other => panic!("expected Cai typing, got {other:?}"),
    }
    assert_eq!(b.history(room).await.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![2]);
    assert_eq!(b.rooms().await[0].unread, 1);
    let mut b2 = campus.connect(&ben.token).await;
    b2.send(&ClientFrame::Hello { resume: vec![RoomCursor { room_id: room, last_seq: 0 }] }).await;
    match b2.next().await {
        ServerFrame::Welcome { blocked, .. } => assert_eq!(blocked, vec![ana.id]),
        other => panic!("expected welcome, got {other:?}"),
    }
    assert_eq!(b2.message().await.seq, 2, "the replay skips Ana too");
    assert!(matches!(b2.next().await, ServerFrame::Synced { .. }));

    b.send(&ClientFrame::Unblock { user_id: ana.id }).await;
    assert_eq!(b.next().await, ServerFrame::BlockList { user_ids: vec![] });
    assert_eq!(b.history(room).await.len(), 2);

    // Reports: recorded once however often sent; only messages of one's own rooms.
    for _ in 0..2 {
        b.send(&ClientFrame::Report { message_id: hidden, reason: "spam".into() }).await;
        assert_eq!(b.next().await, ServerFrame::Reported { message_id: hidden });
    }
    b.send(&ClientFrame::Report { message_id: hidden, reason: "x".repeat(501) }).await;
    assert_eq!(b.error().await.code, ChatErrorCode::InvalidRequest);
    let (mut o, _) = campus.join_only_room(&outsider).await;
    o.send(&ClientFrame::Report { message_id: hidden, reason: String::new() }).await;
    assert_eq!(o.error().await.code, ChatErrorCode::UnknownMessage);
}
test_both_dbs!(
    test_blocking_hides_a_student_and_reports_are_recorded,
    blocking_hides_a_student_and_reports_are_recorded
);

/// Reads one server frame (unmasked, as servers send them) from a raw socket: opcode and payload.
async fn read_raw_frame(stream: &mut TcpStream) -> (u8, Vec<u8>) {
    use tokio::io::AsyncReadExt;
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).await.unwrap();
    let len = match head[1] & 0x7f {
        126 => {
            let mut ext = [0u8; 2];
            stream.read_exact(&mut ext).await.unwrap();
            usize::from(u16::from_be_bytes(ext))
        }
        127 => panic!("no frame here is that large"),
        short => usize::from(short),
    };
    let mut payload = vec![0u8; len];
    stream.read_exact(&mut payload).await.unwrap();
    (head[0] & 0x0f, payload)
}

async fn text_frames_that_are_not_utf8_close_the_connection(engine: Engine) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let campus = campus(engine, |_| {}).await;
    let ana = campus.student(&[]).await;
    // No WebSocket library sends a text frame that is not UTF-8, so this client speaks the protocol
    // by hand: the upgrade, then one masked text frame holding bytes that are not UTF-8.
    let address = campus.server.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {address}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Authorization: Bearer {}\r\n\r\n",
        ana.token
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    while !response.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).await.unwrap();
        response.push(byte[0]);
    }
    assert!(response.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&response));
    let mask = [0x12u8, 0x34, 0x56, 0x78];
    let payload = [b'{', 0xff, 0xfe, b'}'];
    let mut frame = vec![0x81, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    stream.write_all(&frame).await.unwrap();

    let (opcode, payload) = tokio::time::timeout(PATIENCE, read_raw_frame(&mut stream)).await.unwrap();
    assert_eq!(opcode, 0x1, "an error frame first");
    let error: ServerFrame = serde_json::from_slice(&payload).unwrap();
    assert!(matches!(error, ServerFrame::Error(ChatError { code: ChatErrorCode::InvalidUtf8, .. })), "{error:?}");
    let (opcode, payload) = tokio::time::timeout(PATIENCE, read_raw_frame(&mut stream)).await.unwrap();
    assert_eq!(opcode, 0x8, "then the close");
    assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), CLOSE_INVALID_UTF8);
}
test_both_dbs!(
    test_text_frames_that_are_not_utf8_close_the_connection,
    text_frames_that_are_not_utf8_close_the_connection
);

/// The messages with `body` in a copy of the SQLite file alone, without its write-ahead log (what a
/// backup that copies the file takes); `None` while the copy caught a write half done.
async fn stored_in_file_alone(file: &std::path::Path, body: &str) -> Option<i64> {
    let copy_dir = tempfile::tempdir().expect("tempdir");
    let copy = copy_dir.path().join("copy.sqlite3");
    std::fs::copy(file, &copy).expect("copy the database file");
    let url = format!("sqlite://{}", copy.display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.ok()?;
    sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE body = $1").bind(body).fetch_one(&mut conn).await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_acked_messages_reach_the_sqlite_file_itself_within_seconds() {
    let campus = campus(Engine::Sqlite, |_| {}).await;
    let ana = campus.student(&[campus.course]).await;
    let (mut a, room) = campus.join_only_room(&ana).await;
    let ids: Vec<String> = (0..20).map(|i| format!("kept-{i}")).collect();
    for id in &ids {
        a.say(room.room_id, id, "kept in the file").await;
    }
    for id in &ids {
        a.ack(id).await;
    }
    // Twenty messages fill far fewer log pages than SQLite's own checkpoint waits for: only the
    // chat writer's checkpointer copies them into the file this soon.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let stored = stored_in_file_alone(&campus._storage.sqlite_file(), "kept in the file").await;
        if stored == Some(20) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the file alone holds {stored:?} of 20 messages");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
