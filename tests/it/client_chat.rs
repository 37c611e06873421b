//! Course chat through Pretzel's client core against the real backend (SQLite): two students in one
//! course exchange messages over each client's own connection task; messages written while the
//! backend is down wait in the outbox across a restart of the client and arrive once, in order; a
//! refused message fails without holding back the next, and can be retried shortened or discarded;
//! a student whose connection dropped catches up exactly through resume; members and block lists
//! come over the socket and fail as offline without it; an expiring token is refreshed and the
//! connection comes back by itself.

use crate::common::{GOOD_PASSWORD, Storage, TestServer, client_on, fresh_email};
use pretzel_api::shell::chat::{
    ChatEvent, ChatLine, ChatSend, ConnectionState, LineState, MuteRoom, PendingMessageArgs, ReportMessage, RoomArgs,
    RoomView, UserArgs,
};
use pretzel_api::shell::{CommandError, CommandErrorKind};
use pretzel_api::{MessageId, RoomId, SectionId, SignupRequest, TermId, UniversityId};
use pretzel_backend::config::Config;
use pretzel_backend::db::catalog::ImportOrigin;
use pretzel_backend::import::Format;
use pretzel_client::Client;
use pretzel_client::tokens::{FileTokenStore, TOKEN_FILE_NAME, TokenStore};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// Long enough for a loaded machine and a reconnect backoff at its cap; only guards against a hang.
const PATIENCE: Duration = Duration::from_secs(90);

/// A backend with the UIUC Winter 2025 catalog, and a section of one of its courses.
struct Campus {
    storage: Storage,
    server: Option<TestServer>,
    university: UniversityId,
    term: TermId,
    section: SectionId,
}

impl Campus {
    async fn new() -> Self {
        Self::tuned(|_| {}).await
    }

    /// A campus whose backend runs with `tune` applied to its configuration (first start only).
    async fn tuned(tune: impl FnOnce(&mut Config)) -> Self {
        let storage = Storage::new(crate::common::Engine::Sqlite).await;
        let db = pretzel_backend::open_storage(&storage.config()).await.unwrap();
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/catalogs/uiuc/2025-wi.csv");
        let parsed = Format::UiucCsv.importer().parse(&std::fs::read(path).unwrap()).unwrap();
        let university = db.find_university("UIUC").await.unwrap().unwrap().id;
        let sources = vec!["test".to_owned()];
        let origin = ImportOrigin { format: Format::UiucCsv, sources: &sources, started_at: 0 };
        let term = db.apply_import(university, "2025-wi", &parsed, &origin).await.unwrap().term_id;
        let section = SectionId(db.sections_of_term(term).await.unwrap()[0].id);
        db.close().await;
        let mut config = storage.config();
        tune(&mut config);
        let server = TestServer::start(config).await;
        Self { storage, server: Some(server), university, term, section }
    }

    fn server(&self) -> &TestServer {
        self.server.as_ref().unwrap()
    }

    /// Stops the backend; returns the address to start it again on.
    async fn stop(&mut self) -> String {
        let server = self.server.take().unwrap();
        let addr = server.addr().to_owned();
        server.stop().await;
        addr
    }

    /// Starts the backend again on `addr`, over the same database.
    async fn start_at(&mut self, addr: &str) {
        self.server = Some(TestServer::start_at(self.storage.config(), addr).await);
    }

    /// A new student signed in on a client of their own, with the course in their primary plan and
    /// the chat connection running.
    async fn student(&self, name: &str) -> Student {
        let dir = tempfile::tempdir().unwrap();
        let client = client_on(&self.server().base, dir.path());
        client
            .sign_up(SignupRequest {
                email: fresh_email(name),
                password: GOOD_PASSWORD.into(),
                display_name: name.into(),
                university_id: self.university,
            })
            .await
            .unwrap();
        let token = FileTokenStore::new(dir.path().join(TOKEN_FILE_NAME)).load().unwrap().unwrap().access_token;
        let plan = self.server().primary_plan(self.term, &token).await;
        self.server().add_sections(plan, &token, &[self.section]).await;
        Student::start(client, dir)
    }
}

/// One student's app: the client, its chat events and its running connection task.
struct Student {
    client: Client,
    events: broadcast::Receiver<ChatEvent>,
    task: JoinHandle<()>,
    dir: tempfile::TempDir,
}

impl Student {
    fn start(client: Client, dir: tempfile::TempDir) -> Self {
        let events = client.subscribe_chat();
        let running = client.clone();
        let task = tokio::spawn(async move { running.run_chat().await });
        Self { client, events, task, dir }
    }

    /// Quits the app: stops the connection task and drops the client; returns its data directory.
    async fn quit(self) -> tempfile::TempDir {
        self.task.abort();
        let _ = self.task.await;
        drop(self.client);
        self.dir
    }

    async fn online(&self) {
        wait_for("the chat connection to be online", || {
            (self.client.chat_connection() == ConnectionState::Online).then_some(())
        })
        .await;
    }

    /// The only room (the course's), once the welcome has listed it.
    async fn room(&self) -> RoomId {
        wait_for("the course's room", || {
            let rooms = self.client.chat_rooms().unwrap().rooms;
            (rooms.len() == 1).then(|| rooms[0].summary.room_id)
        })
        .await
    }

    fn view(&self, room: RoomId) -> RoomView {
        self.client.chat_open_room(RoomArgs { room_id: room }).unwrap()
    }

    fn send(&self, room: RoomId, body: &str) -> ChatLine {
        let line = self
            .client
            .chat_send(ChatSend { room_id: room, body: body.into(), reply_to: None, mentions: vec![] })
            .unwrap();
        assert_eq!(line.state, LineState::Pending);
        assert_eq!((line.body.as_str(), line.seq, line.mine), (body, None, true));
        line
    }

    /// Waits until the room's stored lines include every one of `bodies`; returns the stored lines.
    async fn holds(&self, room: RoomId, bodies: &[&str]) -> Vec<ChatLine> {
        wait_for("the messages in the cache", || {
            let stored: Vec<ChatLine> =
                self.view(room).lines.into_iter().filter(|line| line.state == LineState::Sent).collect();
            bodies.iter().all(|body| stored.iter().any(|line| line.body == *body)).then_some(stored)
        })
        .await
    }

    /// Waits for a `Lines` event of `room` holding a line that satisfies `matches`.
    async fn line_event(&mut self, room: RoomId, matches: impl Fn(&ChatLine) -> bool) -> ChatLine {
        let wait = async {
            loop {
                match self.events.recv().await {
                    Ok(ChatEvent::Lines { room_id, lines }) if room_id == room => {
                        if let Some(line) = lines.into_iter().find(|line| matches(line)) {
                            return line;
                        }
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => panic!("the client is gone"),
                }
            }
        };
        tokio::time::timeout(PATIENCE, wait).await.expect("the line event in time")
    }
}

/// Polls `check` until it returns something.
async fn wait_for<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The bodies among `lines` that are in `wanted`, in the lines' order, with their seqs.
fn sequence(lines: &[ChatLine], wanted: &[&str]) -> Vec<(u64, String)> {
    lines
        .iter()
        .filter(|line| wanted.contains(&line.body.as_str()))
        .map(|line| (line.seq.unwrap(), line.body.clone()))
        .collect()
}

fn assert_consecutive(sequence: &[(u64, String)]) {
    assert!(sequence.windows(2).all(|pair| pair[0].0 + 1 == pair[1].0), "seqs not consecutive: {sequence:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_message_goes_from_pending_to_sent_and_reaches_the_other_student() {
    let campus = Campus::new().await;
    let mut ana = campus.student("Ana").await;
    let mut ben = campus.student("Ben").await;
    ana.online().await;
    ben.online().await;
    let room = ana.room().await;
    assert_eq!(ben.room().await, room);

    let pending = ana.send(room, "hello from Ana");
    assert!(ana.view(room).lines.iter().any(|line| line.client_msg_id == pending.client_msg_id), "shown at once");
    let sent = ana.line_event(room, |line| line.client_msg_id == pending.client_msg_id).await;
    assert_eq!((sent.state, sent.body.as_str()), (LineState::Sent, "hello from Ana"));
    assert!(sent.seq.is_some() && sent.message_id.is_some());

    let received = ben.line_event(room, |line| line.body == "hello from Ana").await;
    assert_eq!((received.mine, received.author_name.as_str()), (false, "Ana"));
    assert_eq!((received.seq, received.message_id), (sent.seq, sent.message_id));
    // Ana's client id for the send stays hers: Ben's line is keyed by the message id.
    let message_id = received.message_id.map(|id| id.0);
    assert_eq!(received.client_msg_id, format!("#{}", message_id.unwrap_or_default()));
    let cached = ben.holds(room, &["hello from Ana"]).await;
    assert_eq!(sequence(&cached, &["hello from Ana"]).len(), 1);
    wait_for("Ben's room summary to show the message as unread", || {
        let room = ben.client.chat_rooms().unwrap().rooms.remove(0);
        let last = room.summary.last_message.map(|message| message.body);
        (last.as_deref() == Some("hello from Ana") && room.summary.unread == 1).then_some(())
    })
    .await;
    let ana_rooms = ana.client.chat_rooms().unwrap();
    assert_eq!((ana_rooms.rooms[0].pending, ana_rooms.rooms[0].failed), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_messages_written_offline_survive_a_restart_and_arrive_once_in_order() {
    let mut campus = Campus::new().await;
    let ana = campus.student("Ana").await;
    let ben = campus.student("Ben").await;
    ana.online().await;
    ben.online().await;
    let room = ana.room().await;

    let addr = campus.stop().await;
    wait_for("Ana to notice", || (ana.client.chat_connection() != ConnectionState::Online).then_some(())).await;
    let bodies = ["one", "two", "three", "four", "five"];
    for body in bodies {
        ana.send(room, body);
    }
    assert_eq!(ana.client.chat_rooms().unwrap().rooms[0].pending, 5);
    // Ana quits and starts the app again before the backend is back.
    let dir = ana.quit().await;
    let ana = Student::start(client_on(&format!("http://{addr}"), dir.path()), dir);
    let pending: Vec<String> = ana.view(room).lines.into_iter().map(|line| line.body).collect();
    assert_eq!(pending, bodies, "the queue survived the restart");

    campus.start_at(&addr).await;
    assert_sent_once_in_order(&ana, &ben, room, &bodies).await;
    assert_eq!(ana.client.chat_rooms().unwrap().rooms[0].pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_refused_message_fails_without_holding_back_the_next_and_can_be_retried_or_discarded() {
    let campus = Campus::new().await;
    let mut ana = campus.student("Ana").await;
    let ben = campus.student("Ben").await;
    ana.online().await;
    ben.online().await;
    let room = ana.room().await;

    let too_long = ana.send(room, &"x".repeat(4001));
    ana.send(room, "after the long one");
    let failed = ana.line_event(room, |line| line.client_msg_id == too_long.client_msg_id).await;
    assert!(matches!(&failed.state, LineState::Failed { code, .. } if code == "too_long"), "{:?}", failed.state);
    ben.holds(room, &["after the long one"]).await;
    wait_for("Ana's counts to show one failed message", || {
        let rooms = ana.client.chat_rooms().unwrap();
        ((rooms.rooms[0].pending, rooms.rooms[0].failed) == (0, 1)).then_some(())
    })
    .await;

    let retried = ana
        .client
        .chat_retry(PendingMessageArgs {
            room_id: room,
            client_msg_id: too_long.client_msg_id.clone(),
            body: Some("shortened".into()),
        })
        .unwrap();
    assert_eq!((retried.state.clone(), retried.body.as_str()), (LineState::Pending, "shortened"));
    assert_ne!(retried.client_msg_id, too_long.client_msg_id, "a changed text is a new message");
    let at_ben =
        sequence(&ben.holds(room, &["after the long one", "shortened"]).await, &["after the long one", "shortened"]);
    assert_eq!(at_ben.iter().map(|(_, body)| body.as_str()).collect::<Vec<_>>(), ["after the long one", "shortened"]);
    assert_consecutive(&at_ben);

    let doomed = ana.send(room, &"y".repeat(4001));
    ana.line_event(room, |line| line.client_msg_id == doomed.client_msg_id && line.state != LineState::Pending).await;
    ana.client
        .chat_discard(PendingMessageArgs { room_id: room, client_msg_id: doomed.client_msg_id.clone(), body: None })
        .unwrap();
    assert!(ana.view(room).lines.iter().all(|line| line.client_msg_id != doomed.client_msg_id));
    let rooms = ana.client.chat_rooms().unwrap();
    assert_eq!((rooms.rooms[0].pending, rooms.rooms[0].failed), (0, 0));
    let again = PendingMessageArgs { room_id: room, client_msg_id: doomed.client_msg_id, body: None };
    assert!(ana.client.chat_discard(again).is_err(), "it is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_dropped_connection_catches_up_exactly_through_resume() {
    let mut campus = Campus::new().await;
    let ana = campus.student("Ana").await;
    let ben = campus.student("Ben").await;
    ana.online().await;
    ben.online().await;
    let room = ana.room().await;
    ana.send(room, "before");
    ben.holds(room, &["before"]).await;

    // The backend restarts; Ben stays away (pointed at a dead port) while Ana goes on writing.
    let addr = campus.stop().await;
    ben.client.set_backend_url("http://127.0.0.1:9").unwrap();
    campus.start_at(&addr).await;
    let later = ["while away 1", "while away 2", "while away 3"];
    for body in later {
        ana.send(room, body);
    }
    wait_for("Ana's messages to be stored", || {
        let lines = ana.view(room).lines;
        (lines.iter().filter(|line| later.contains(&line.body.as_str()) && line.state == LineState::Sent).count()
            == later.len())
        .then_some(())
    })
    .await;
    assert_ne!(ben.client.chat_connection(), ConnectionState::Online, "Ben is still away");

    ben.client.set_backend_url(&campus.server().base).unwrap();
    ben.online().await;
    ana.send(room, "after");
    let all = ["before", "while away 1", "while away 2", "while away 3", "after"];
    assert_sent_once_in_order(&ana, &ben, room, &all).await;
}

/// Ben holds `bodies` once each, in order and with consecutive seqs, and Ana's copies are all sent
/// with the same seqs.
async fn assert_sent_once_in_order(ana: &Student, ben: &Student, room: RoomId, bodies: &[&str]) {
    let at_ben = sequence(&ben.holds(room, bodies).await, bodies);
    assert_eq!(at_ben.iter().map(|(_, body)| body.as_str()).collect::<Vec<_>>(), bodies, "once each, in order");
    assert_consecutive(&at_ben);
    let at_ana = wait_for("Ana's lines to be sent", || {
        let lines = ana.view(room).lines;
        lines.iter().all(|line| line.state == LineState::Sent).then_some(lines)
    })
    .await;
    assert_eq!(sequence(&at_ana, bodies), at_ben);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_members_blocks_and_mutes_go_over_the_socket_and_fail_as_offline_without_it() {
    let mut campus = Campus::new().await;
    let ana = campus.student("Ana").await;
    let ben = campus.student("Ben").await;
    ana.online().await;
    ben.online().await;
    let room = ana.room().await;
    let ben_id = ben.client.chat_rooms().unwrap().me.unwrap();

    let members = ana.client.chat_members(RoomArgs { room_id: room }).await.unwrap();
    let mut names: Vec<&str> = members.iter().map(|member| member.display_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Ana", "Ben"]);
    assert_eq!(ana.client.chat_block(UserArgs { user_id: ben_id }).await.unwrap(), [ben_id]);
    assert_eq!(ana.client.chat_unblock(UserArgs { user_id: ben_id }).await.unwrap(), []);
    let me = ana.client.chat_rooms().unwrap().me.unwrap();
    let refused = ana.client.chat_block(UserArgs { user_id: me }).await.unwrap_err();
    assert_eq!(CommandError::from(refused).kind, CommandErrorKind::Server, "blocking yourself is refused");

    // A report is answered once the server recorded it; a report of no message is refused.
    ben.send(room, "buy cheap essays here");
    ana.holds(room, &["buy cheap essays here"]).await;
    let spam = ana.client.chat_open_room(RoomArgs { room_id: room }).unwrap().lines[0].message_id.unwrap();
    ana.client.chat_report(ReportMessage { message_id: spam, reason: "spam".into() }).await.unwrap();
    let missing = MessageId(spam.0 + 1000);
    let refused = ana.client.chat_report(ReportMessage { message_id: missing, reason: String::new() }).await;
    assert_eq!(CommandError::from(refused.unwrap_err()).kind, CommandErrorKind::Server, "no such message");

    let muted = ana.client.chat_set_muted(MuteRoom { room_id: room, muted: true }).unwrap();
    assert!(muted.muted);

    campus.stop().await;
    wait_for("Ana to notice", || (ana.client.chat_connection() != ConnectionState::Online).then_some(())).await;
    let offline = ana.client.chat_members(RoomArgs { room_id: room }).await.unwrap_err();
    assert_eq!(CommandError::from(offline).kind, CommandErrorKind::Offline);
    let offline = ana.client.chat_typing(RoomArgs { room_id: room }).unwrap_err();
    assert_eq!(CommandError::from(offline).kind, CommandErrorKind::Offline);
    assert!(ana.client.chat_rooms().unwrap().rooms[0].muted, "the mute is kept on the device");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_an_expired_token_is_refreshed_and_the_connection_comes_back() {
    // Access tokens live 5 s and the server pings every second: the server closes each connection
    // when its token expires, and the client must refresh and reconnect on its own.
    let campus = Campus::tuned(|config| {
        config.access_token_ttl_secs = 5;
        config.chat_heartbeat_secs = 1;
    })
    .await;
    let ana = campus.student("Ana").await;
    let ben = campus.student("Ben").await;
    ana.online().await;
    ben.online().await;
    let room = ana.room().await;
    let tokens = |student: &Student| FileTokenStore::new(student.dir.path().join(TOKEN_FILE_NAME)).load().unwrap();
    let first = tokens(&ana);
    wait_for("Ana's token to be refreshed", || (tokens(&ana) != first).then_some(())).await;
    ana.online().await;
    ana.send(room, "still here");
    ben.holds(room, &["still here"]).await;
    assert!(ana.client.is_signed_in() && ben.client.is_signed_in());
}
