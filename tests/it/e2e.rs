//! End-to-end: the real built app (Tauri + WebKitGTK) driven through WebDriver (tauri-driver and
//! WebKitWebDriver) against the real backend on a loopback port. Needs a display (Xvfb) and the app
//! built with the bundled UI; `cargo xtask test` provides both and sets `PRETZEL_E2E_APP`.

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, fresh_email};
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// WebKitWebDriver drives one app at a time on this machine; the tests take turns.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const WAIT: Duration = Duration::from_secs(30);

fn app_binary() -> PathBuf {
    let path = std::env::var_os("PRETZEL_E2E_APP").map(PathBuf::from).expect(
        "PRETZEL_E2E_APP is not set: run the end-to-end tests through `cargo xtask test`, \
         which builds the app with its bundled UI first",
    );
    assert!(path.exists(), "the app binary {} does not exist", path.display());
    path
}

fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("create tests/artifacts");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// tauri-driver on free ports, killed on drop, with the app's environment.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start(backend_url: &str, app_data_dir: &Path) -> Self {
        let port = free_port();
        let native_port = free_port();
        let log = std::fs::File::create(artifacts_dir().join("tauri-driver.log")).expect("driver log");
        let child = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("PRETZEL_BACKEND_URL", backend_url)
            .env("PRETZEL_APP_DATA_DIR", app_data_dir)
            .env("PRETZEL_TOKEN_STORE", "file")
            .env("LANG", "en_US.UTF-8")
            .stdout(Stdio::from(log.try_clone().expect("log handle")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start tauri-driver (installed by .ci/install-deps.sh)");
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..150 {
            if http.get(format!("{url}/status")).send().await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // From here on the guard owns the process and kills it on drop, even if the test fails.
        let driver = Self { child, url };
        let ready = http.get(format!("{}/status", driver.url)).send().await.is_ok_and(|r| r.status().is_success());
        assert!(ready, "tauri-driver did not answer on {}", driver.url);
        driver
    }

    /// Launches the app and connects to it.
    async fn open_app(&self) -> Client {
        // Two rustls crypto providers are linked in (via fantoccini and reqwest); choose one. Only the
        // first call installs it, later ones find it there.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert("tauri:options".into(), serde_json::json!({ "application": app_binary().to_string_lossy() }));
        ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("open a WebDriver session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    client.wait().at_most(WAIT).for_element(Locator::Css(css)).await.expect(css).text().await.expect("text")
}

async fn fill(client: &Client, css: &str, value: &str) {
    let field = client.wait().at_most(WAIT).for_element(Locator::Css(css)).await.expect(css);
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

async fn click(client: &Client, css: &str) {
    client.wait().at_most(WAIT).for_element(Locator::Css(css)).await.expect(css).click().await.expect("click");
}

/// Scrolls `css` into view, so a screenshot shows it.
async fn scroll_to(client: &Client, css: &str) {
    let script = "document.querySelector(arguments[0]).scrollIntoView({block: 'start', behavior: 'instant'});";
    client.execute(script, vec![serde_json::json!(css)]).await.expect("scroll into view");
    // WebKitGTK paints asynchronously: give it a moment so the screenshot shows the scrolled page.
    tokio::time::sleep(Duration::from_millis(700)).await;
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(artifacts_dir().join(name), png).expect("save screenshot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, tauri-driver and a display: run through `cargo xtask test`"]
async fn test_sign_up_restart_still_signed_in_then_log_out() {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let storage = Storage::new(Engine::Sqlite).await;
    let server = TestServer::on(&storage).await;
    let app_data = tempfile::tempdir().expect("app data dir");
    let driver = Driver::start(&server.base, app_data.path()).await;
    let email = fresh_email("e2e");

    // First launch: no session, so the login screen; go to sign-up.
    let app = driver.open_app().await;
    click(&app, "#go-signup").await;
    fill(&app, "#signup-email", &email).await;
    fill(&app, "#signup-password", GOOD_PASSWORD).await;
    fill(&app, "#signup-display-name", "Ji-woo Park").await;
    // The picker is filled from the backend's universities.
    let option = app
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("select#signup-university option[value='1']"))
        .await
        .expect("UIUC in the university picker");
    option.click().await.expect("pick UIUC");
    screenshot(&app, "01-sign-up.png").await;
    click(&app, "#signup-submit").await;

    app.wait().at_most(WAIT).for_element(Locator::Css("#app-frame")).await.expect("the app frame after sign-up");
    click(&app, "[data-tab='me']").await;
    app.wait().at_most(WAIT).for_element(Locator::Css("[data-page='me']")).await.expect("Me page");
    assert_eq!(text_of(&app, "#me-email").await, email);
    assert_eq!(text_of(&app, "#me-display-name").await, "Ji-woo Park");
    assert!(text_of(&app, "#me-university").await.contains("Illinois"));
    let current = app.find(Locator::Css("nav [aria-current='page']")).await.expect("a current tab");
    assert_eq!(current.attr("data-tab").await.expect("attr").as_deref(), Some("me"));
    let classes =
        app.find(Locator::Css("[data-tab='feed']")).await.expect("feed tab").attr("class").await.expect("class");
    assert_eq!(classes.as_deref(), Some("tab"), "only the current tab is highlighted");
    screenshot(&app, "02-me-after-sign-up.png").await;
    app.close().await.expect("quit the app");

    // The server really has the account.
    let response =
        server.post_json("/api/v1/auth/login", &serde_json::json!({"email": email, "password": GOOD_PASSWORD})).await;
    assert_eq!(response.status(), 200);

    // Second launch: still signed in, straight into the app frame.
    let app = driver.open_app().await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#app-frame")).await.expect("still signed in after restart");
    click(&app, "[data-tab='me']").await;
    assert_eq!(text_of(&app, "#me-email").await, email);
    screenshot(&app, "03-me-after-restart.png").await;

    // Phone width: the navigation moves to a bottom tab bar.
    app.set_window_size(390, 844).await.expect("resize to phone width");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let nav_bottom: f64 = app
        .execute("const r = document.querySelector('nav.tab-bar').getBoundingClientRect(); return r.bottom;", vec![])
        .await
        .expect("measure nav")
        .as_f64()
        .expect("a number");
    let viewport: f64 =
        app.execute("return window.innerHeight;", vec![]).await.expect("viewport").as_f64().expect("a number");
    assert!(
        (nav_bottom - viewport).abs() < 2.0,
        "tab bar at the bottom: nav ends at {nav_bottom}, viewport {viewport}"
    );
    screenshot(&app, "03b-me-phone-width.png").await;
    app.set_window_size(1100, 760).await.expect("back to desktop width");

    click(&app, "#logout").await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#login-email")).await.expect("back at login after log out");
    screenshot(&app, "04-logged-out.png").await;
    app.close().await.expect("quit the app");

    // Third launch: logged out stays logged out.
    let app = driver.open_app().await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#login-email")).await.expect("login screen after restart");
    app.close().await.expect("quit the app");
    server.stop().await;
}

/// Signs in through the login screen (the account already exists on the server).
async fn log_in(app: &Client, email: &str) {
    app.wait().at_most(WAIT).for_element(Locator::Css("#login-email")).await.expect("login screen");
    fill(app, "#login-email", email).await;
    fill(app, "#login-password", GOOD_PASSWORD).await;
    click(app, "#login-submit").await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#app-frame")).await.expect("the app frame after log-in");
}

/// Types `query` into the search box and adds the section whose result card carries `registration_id`.
async fn search_and_add(app: &Client, query: &str, registration_id: &str) {
    fill(app, "input#section-search", query).await;
    let card = format!("[data-registration-id='{registration_id}']");
    app.wait().at_most(WAIT).for_element(Locator::Css(&card)).await.expect("the section among the results");
    click(app, &format!("{card} button.add-section")).await;
}

async fn count(app: &Client, css: &str) -> usize {
    app.find_all(Locator::Css(css)).await.expect(css).len()
}

/// Waits until `css` matches exactly `expected` elements (the UI updates after the shell answers).
async fn wait_for_count(app: &Client, css: &str, expected: usize) {
    for _ in 0..150 {
        if count(app, css).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    screenshot(app, "failed-wait.png").await;
    panic!("expected {expected} elements matching {css}, found {} (see failed-wait.png)", count(app, css).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, tauri-driver and a display: run through `cargo xtask test`"]
async fn test_timetable_search_add_confirm_conflict_then_work_offline() {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let storage = Storage::new(Engine::Sqlite).await;
    // The shipped sample catalogs, as on a real first start.
    let config = pretzel_backend::config::Config { load_sample_catalogs: true, ..storage.config() };
    let server = TestServer::start(config.clone()).await;
    let address = server.addr().to_owned();
    let email = fresh_email("e2e-timetable");
    // A Purdue student: the server ships Purdue's Summer 2021 CS and COM schedules as sample data.
    let response = server
        .post_json(
            "/api/v1/auth/signup",
            &serde_json::json!({"email": email, "password": GOOD_PASSWORD, "display_name": "Mei Chen", "university_id": 3}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let app_data = tempfile::tempdir().expect("app data dir");
    let driver = Driver::start(&server.base, app_data.path()).await;

    let app = driver.open_app().await;
    log_in(&app, &email).await;
    click(&app, "[data-tab='timetable']").await;
    // The picker fills from the shell's term list: wait for its options, not just the element.
    let term = text_of(&app, "select#term-picker option").await;
    assert!(term.contains("2021"), "Purdue's Summer 2021 term is offered, found {term:?}");
    app.wait().at_most(WAIT).for_element(Locator::Css("#week-grid")).await.expect("the (empty) week grid");
    screenshot(&app, "10-timetable-empty.png").await;

    // CS 18000 L01 (CRN 29708) meets MTWRF 11:00–12:00; CS 18200 LE1 (CRN 28883) at the same hours.
    search_and_add(&app, "CS 18000", "29708").await;
    wait_for_count(&app, ".week-block[data-registration-id='29708']", 5).await;
    // Searched now so that the result is cached for the offline part below.
    fill(&app, "input#section-search", "CS 25100").await;
    app.wait().at_most(WAIT).for_element(Locator::Css("[data-registration-id='28888']")).await.expect("CS 25100");
    search_and_add(&app, "cs182", "28883").await;
    let dialog = text_of(&app, "#conflict-dialog").await;
    assert!(dialog.contains("CS 18000 L01") && dialog.contains("CS 18200 LE1"), "the conflict is named: {dialog}");
    assert!(dialog.contains("11:00"), "with its time: {dialog}");
    screenshot(&app, "11-timetable-conflict-dialog.png").await;
    click(&app, "#confirm-conflicts").await;
    wait_for_count(&app, ".week-block.conflict", 10).await;
    let credits = text_of(&app, "#credits-total").await;
    assert!(credits.contains('7'), "CS 18000 (4) + CS 18200 (3) credits: {credits}");
    scroll_to(&app, "#week-grid").await;
    screenshot(&app, "12-timetable-week-with-conflict.png").await;
    app.close().await.expect("quit the app");

    // The backend goes away; the app restarts and still shows the plan, marked offline.
    server.stop().await;
    let app = driver.open_app().await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#app-frame")).await.expect("signed in offline");
    click(&app, "[data-tab='timetable']").await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#offline-banner")).await.expect("offline banner");
    wait_for_count(&app, ".week-block[data-registration-id='29708']", 5).await;
    // An offline change is queued and shown at once.
    search_and_add(&app, "CS 25100", "28888").await;
    wait_for_count(&app, ".week-block[data-registration-id='28888']", 5).await;
    // In the same week as the rest: the queued section keeps its catalog dates (from 14 June).
    assert_eq!(count(&app, ".week-block[data-registration-id='29708']").await, 5);
    app.wait().at_most(WAIT).for_element(Locator::Css("[data-pending-state='waiting']")).await.expect("queued");
    let queued = text_of(&app, "[data-pending-state='waiting']").await;
    assert!(queued.contains("CS 25100 LE1"), "the waiting change names its section: {queued}");
    scroll_to(&app, "#offline-banner").await;
    screenshot(&app, "13-timetable-offline-queued.png").await;

    // The backend comes back at the same address: the queued change reaches it.
    let server = TestServer::start_at(config, &address).await;
    wait_for_count(&app, "[data-pending-state]", 0).await;
    assert!(app.find(Locator::Css("#offline-banner")).await.is_err(), "online again");
    let login =
        server.post_json("/api/v1/auth/login", &serde_json::json!({"email": email, "password": GOOD_PASSWORD})).await;
    let token =
        login.json::<serde_json::Value>().await.expect("tokens")["access_token"].as_str().expect("token").to_owned();
    let terms = server
        .get_authed("/api/v1/universities/3/terms", &token)
        .await
        .json::<serde_json::Value>()
        .await
        .expect("terms");
    let term_id = terms[0]["id"].as_i64().expect("term id");
    let plans = server
        .get_authed(&format!("/api/v1/terms/{term_id}/timetables"), &token)
        .await
        .json::<pretzel_api::TermTimetables>()
        .await
        .expect("plans");
    let mut held: Vec<String> = plans.timetables[0].sections.iter().map(|s| s.registration_id.clone()).collect();
    held.sort();
    assert_eq!(held, ["28883", "28888", "29708"], "the server holds the online and the offline additions once each");

    // Phone width: the grid becomes a list by day.
    app.set_window_size(390, 844).await.expect("resize to phone width");
    app.wait().at_most(WAIT).for_element(Locator::Css("#week-list")).await.expect("the week as a list by day");
    tokio::time::sleep(Duration::from_secs(1)).await;
    scroll_to(&app, "#week-list").await;
    screenshot(&app, "14-timetable-phone.png").await;
    app.close().await.expect("quit the app");
    server.stop().await;
}

/// Ben, the second student: Pretzel's own client core (the one inside the app) on a data folder of
/// his own, with its chat connection running, in CS 18000 L01 like Ana.
struct SecondStudent {
    client: pretzel_client::Client,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl SecondStudent {
    async fn join_cs18000(server: &TestServer) -> Self {
        let dir = tempfile::tempdir().expect("Ben's data dir");
        let client = pretzel_client::Client::new(pretzel_client::ClientOptions {
            data_dir: dir.path().to_path_buf(),
            backend_url: Some(server.base.clone()),
            token_store: pretzel_client::TokenStoreKind::File,
        })
        .expect("Ben's client");
        client
            .sign_up(pretzel_api::SignupRequest {
                email: fresh_email("e2e-ben"),
                password: GOOD_PASSWORD.into(),
                display_name: "Ben Okafor".into(),
                university_id: pretzel_api::UniversityId(3),
            })
            .await
            .expect("Ben signs up");
        let term = client.terms().await.expect("Purdue's terms")[0].id;
        let query = pretzel_api::SearchQuery { q: Some("CS 18000".into()), ..Default::default() };
        let found = client.search(term, &query).await.expect("search");
        let section = found
            .response
            .results
            .iter()
            .find(|hit| hit.registration_id == "29708")
            .expect("CS 18000 L01 in the results")
            .section_id;
        let plans = client.term_timetables(term).await.expect("Ben's plans");
        let plan = plans.data.timetables.iter().find(|plan| plan.primary).expect("a primary plan").id;
        let outcome = client
            .change_timetable(pretzel_api::shell::ChangeTimetable {
                term_id: term,
                change: pretzel_api::shell::TimetableChange::AddSections {
                    timetable_id: plan,
                    section_ids: vec![section],
                    confirm_conflicts: true,
                },
            })
            .await
            .expect("Ben adds CS 18000 L01");
        assert!(matches!(outcome, pretzel_api::shell::ChangeOutcome::Applied { .. }), "{outcome:?}");
        let running = client.clone();
        let task = tokio::spawn(async move { running.run_chat().await });
        Self { client, task, _dir: dir }
    }

    /// Waits until Ben's client holds a room, and returns it.
    async fn room(&self) -> pretzel_api::RoomId {
        for _ in 0..300 {
            if let Some(room) = self.client.chat_rooms().expect("Ben's rooms").rooms.first() {
                return room.summary.room_id;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("Ben never saw the CS 18000 room");
    }

    /// The bodies of the stored messages Ben's client holds in `room`, in seq order.
    fn bodies(&self, room: pretzel_api::RoomId) -> Vec<String> {
        let view = self.client.chat_open_room(pretzel_api::shell::chat::RoomArgs { room_id: room }).expect("open");
        view.lines.iter().filter(|line| line.seq.is_some()).map(|line| line.body.clone()).collect()
    }

    async fn wait_for_bodies(&self, room: pretzel_api::RoomId, expected: &[&str]) {
        for _ in 0..300 {
            if self.bodies(room) == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("Ben holds {:?}, expected {expected:?}", self.bodies(room));
    }

    async fn say(&self, room: pretzel_api::RoomId, body: &str) {
        self.client
            .chat_send(pretzel_api::shell::chat::ChatSend {
                room_id: room,
                body: body.into(),
                reply_to: None,
                mentions: vec![],
            })
            .expect("Ben writes");
    }
}

impl Drop for SecondStudent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Types `body` into the composer and sends it with the button.
async fn send_chat(app: &Client, body: &str) {
    fill(app, "#chat-input", body).await;
    click(app, "#chat-send").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, tauri-driver and a display: run through `cargo xtask test`"]
async fn test_two_students_chat_in_their_course_room_across_a_backend_restart() {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let storage = Storage::new(Engine::Sqlite).await;
    let config = pretzel_backend::config::Config { load_sample_catalogs: true, ..storage.config() };
    let server = TestServer::start(config.clone()).await;
    let address = server.addr().to_owned();
    let email = fresh_email("e2e-chat");
    let response = server
        .post_json(
            "/api/v1/auth/signup",
            &serde_json::json!({"email": email, "password": GOOD_PASSWORD, "display_name": "Ana Souza", "university_id": 3}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let ben = SecondStudent::join_cs18000(&server).await;
    let room = ben.room().await;

    // Ana adds the same course in the app; the room appears in her Chats tab by itself.
    let app_data = tempfile::tempdir().expect("app data dir");
    let driver = Driver::start(&server.base, app_data.path()).await;
    let app = driver.open_app().await;
    log_in(&app, &email).await;
    click(&app, "[data-tab='timetable']").await;
    search_and_add(&app, "CS 18000", "29708").await;
    wait_for_count(&app, ".week-block[data-registration-id='29708']", 5).await;
    click(&app, "[data-tab='chats']").await;
    let row = format!(".chat-room-row[data-room-id='{room}']");
    let listed = text_of(&app, &row).await;
    assert!(listed.contains("CS 18000"), "the course's room is listed: {listed}");
    screenshot(&app, "20-chats-room-list.png").await;
    click(&app, &row).await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#chat-input")).await.expect("the composer");

    // Online: Ana writes, Ben receives; Ben answers, Ana sees it.
    let first = "Hi! Anyone want to form a study group for the first project?";
    send_chat(&app, first).await;
    wait_for_count(&app, ".chat-line-mine[data-state='sent']", 1).await;
    ben.wait_for_bodies(room, &[first]).await;
    let answer = "Yes! Library, Thursday after the lecture?";
    ben.say(room, answer).await;
    wait_for_count(&app, ".chat-line:not(.chat-line-mine)", 1).await;
    assert!(text_of(&app, ".chat-line:not(.chat-line-mine)").await.contains("Thursday"));
    screenshot(&app, "21-chat-room.png").await;

    // The backend stops: Ana sees the banner, and what she writes waits, marked pending; Ben writes
    // offline too.
    server.stop().await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#chat-connection")).await.expect("the offline banner");
    let offline = "Perfect, I'll bring last year's notes.";
    send_chat(&app, offline).await;
    wait_for_count(&app, ".chat-line-mine[data-state='pending']", 1).await;
    let ben_offline = "See you there.";
    ben.say(room, ben_offline).await;
    screenshot(&app, "22-chat-offline-pending.png").await;

    // The backend comes back on the same address: both queued messages go out once, in order of
    // writing per sender, and both students end with the same four messages.
    let server = TestServer::start_at(config, &address).await;
    wait_for_count(&app, ".chat-line-mine[data-state='sent']", 2).await;
    wait_for_count(&app, ".chat-line:not(.chat-line-mine)", 2).await;
    wait_for_count(&app, "#chat-connection", 0).await;
    let held = ben.bodies(room);
    assert_eq!(held.len(), 4, "Ben holds each message once: {held:?}");
    for body in [first, answer, offline, ben_offline] {
        assert_eq!(held.iter().filter(|held| held.as_str() == body).count(), 1, "{body:?} once in {held:?}");
    }
    let in_app: Vec<String> = {
        let mut texts = Vec::new();
        for line in app.find_all(Locator::Css(".chat-line .chat-body")).await.expect("lines") {
            texts.push(line.text().await.expect("text"));
        }
        texts
    };
    assert_eq!(in_app.len(), 4, "the app shows each message once: {in_app:?}");
    screenshot(&app, "23-chat-after-restart.png").await;

    // Phone width: the room fills the screen with a way back to the list.
    app.set_window_size(390, 844).await.expect("resize to phone width");
    app.wait().at_most(WAIT).for_element(Locator::Css("#chat-back")).await.expect("a back button at phone width");
    tokio::time::sleep(Duration::from_millis(700)).await;
    screenshot(&app, "24-chat-phone.png").await;
    app.close().await.expect("quit the app");
    drop(ben);
    server.stop().await;
}
