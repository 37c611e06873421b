//! Command-layer tests: the real commands, invoked through Tauri's IPC on the mock runtime, over a
//! real client on a temporary data directory. Most need no backend; the outbox test runs the real
//! one on a loopback port to watch a queued change leave in the background.

use crate::{ShellConfig, builder, start_client};
use pretzel_api::shell::{
    AppState, CommandError, CommandErrorKind, DEFAULT_BACKEND_URL, EVENT_SESSION_CHANGED, EVENT_TIMETABLES_CHANGED,
    ShellSettings,
};
use pretzel_client::TokenStoreKind;
use serde_json::{Value, json};
use std::sync::mpsc;
use std::time::Duration;
use tauri::Listener;
use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// A mock app with a window labelled `main`, its data in `dir`, its backend unreachable.
fn mock_app(dir: &tempfile::TempDir) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let config = ShellConfig {
        data_dir: Some(dir.path().to_owned()),
        // The default backend URL; no test here reaches the network.
        backend_url: None,
        token_store: TokenStoreKind::File,
    };
    let app = builder(mock_builder(), config.clone()).build(mock_context(noop_assets())).expect("build the app");
    // The setup hook runs when the event loop starts, which the mock app never does; run it here.
    start_client(app.handle(), &config).expect("start the client");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("open the main window");
    (app, window)
}

fn invoke(window: &WebviewWindow<MockRuntime>, command: &str, args: Value) -> Result<Value, Value> {
    tauri::test::get_ipc_response(
        window,
        InvokeRequest {
            cmd: command.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

#[test]
fn test_app_state_reports_default_settings_and_no_student() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = mock_app(&dir);
    let state: AppState =
        serde_json::from_value(invoke(&window, "app_state", json!({})).expect("app_state")).expect("an AppState");
    assert_eq!(state.settings.backend_url, DEFAULT_BACKEND_URL);
    assert_eq!(state.settings.locale, None);
    assert!(pretzel_client::normalize_locale(Some(state.settings.os_locale.clone())).is_ok_and(|tag| tag.is_some()));
    assert_eq!(state.me, None);
    assert!(dir.path().join(pretzel_client::cache::CACHE_FILE_NAME).exists());
}

#[test]
fn test_set_backend_url_accepts_http_urls_and_persists_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (app, window) = mock_app(&dir);
    let answer = invoke(&window, "set_backend_url", json!({"args": {"url": "https://pretzel.example/"}}))
        .expect("set_backend_url");
    let settings: ShellSettings = serde_json::from_value(answer).expect("ShellSettings");
    assert_eq!(settings.backend_url, "https://pretzel.example");
    drop((window, app));

    let (_app, window) = mock_app(&dir);
    let state: AppState =
        serde_json::from_value(invoke(&window, "app_state", json!({})).expect("app_state")).expect("AppState");
    assert_eq!(state.settings.backend_url, "https://pretzel.example");
}

#[test]
fn test_set_backend_url_refuses_other_urls_with_invalid_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = mock_app(&dir);
    for url in ["ftp://pretzel.example", "not a url"] {
        let error = invoke(&window, "set_backend_url", json!({"args": {"url": url}})).expect_err("refused");
        let error: CommandError = serde_json::from_value(error).expect("a CommandError");
        assert_eq!(error.kind, CommandErrorKind::InvalidInput, "{url}: {error:?}");
        assert!(error.message.contains(url), "{}", error.message);
    }
    let state: AppState =
        serde_json::from_value(invoke(&window, "app_state", json!({})).expect("app_state")).expect("AppState");
    assert_eq!(state.settings.backend_url, DEFAULT_BACKEND_URL);
}

#[test]
fn test_set_locale_round_trips() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = mock_app(&dir);
    let settings: ShellSettings =
        serde_json::from_value(invoke(&window, "set_locale", json!({"args": {"locale": "ko"}})).expect("set_locale"))
            .expect("ShellSettings");
    assert_eq!(settings.locale.as_deref(), Some("ko"));
    let settings: ShellSettings =
        serde_json::from_value(invoke(&window, "set_locale", json!({"args": {"locale": null}})).expect("set_locale"))
            .expect("ShellSettings");
    assert_eq!(settings.locale, None);
}

#[test]
fn test_signed_out_profile_is_not_signed_in_and_log_out_announces_the_session_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (app, window) = mock_app(&dir);
    let error: CommandError =
        serde_json::from_value(invoke(&window, "profile", json!({})).expect_err("no session")).expect("CommandError");
    assert_eq!(error.kind, CommandErrorKind::NotSignedIn);

    let (sender, receiver) = mpsc::channel();
    app.listen_any(EVENT_SESSION_CHANGED, move |event| {
        let _ = sender.send(event.payload().to_owned());
    });
    assert_eq!(invoke(&window, "log_out", json!({})), Ok(Value::Null));
    let payload = receiver.recv_timeout(Duration::from_secs(5)).expect("a session-changed event");
    assert_eq!(serde_json::from_str::<Value>(&payload).expect("JSON payload"), json!({"me": null}));
}

#[test]
fn test_timetable_commands_without_a_session_say_not_signed_in() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = mock_app(&dir);
    let calls = [
        ("list_terms", json!({})),
        ("term_timetables", json!({"args": {"term_id": 1}})),
        ("week_view", json!({"args": {"term_id": 1, "timetable_id": 1, "week_of": null, "zone": "home"}})),
        (
            "change_timetable",
            json!({"args": {"term_id": 1, "change": {"op": "rename", "timetable_id": 1, "name": "Plan B"}}}),
        ),
        ("discard_pending_change", json!({"args": {"term_id": 1, "id": 1}})),
        ("export_calendar", json!({"args": {"timetable_id": 1}})),
        ("subscribe_calendar", json!({"args": {"timetable_id": 1}})),
        ("revoke_calendar", json!({"args": {"timetable_id": 1}})),
        ("update_me", json!({"request": {"home_time_zone": "Asia/Seoul"}})),
    ];
    for (command, args) in calls {
        let error = invoke(&window, command, args).expect_err("no session");
        let error: CommandError = serde_json::from_value(error).expect("a CommandError");
        assert_eq!(error.kind, CommandErrorKind::NotSignedIn, "{command}: {error:?}");
    }
}

/// The real backend on a loopback port over a temporary SQLite file holding Purdue's Summer 2021
/// catalog, served on Tauri's async runtime.
struct Backend {
    base: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tauri::async_runtime::JoinHandle<Result<(), pretzel_backend::ServeError>>,
}

impl Backend {
    fn config(data_dir: &std::path::Path) -> pretzel_backend::config::Config {
        pretzel_backend::config::Config {
            data_dir: data_dir.to_owned(),
            database_url: None,
            load_sample_catalogs: false,
            ..Default::default()
        }
    }

    /// Imports Purdue's summer term into the storage under `data_dir`; answers the university and term.
    fn import_purdue(data_dir: &std::path::Path) -> (pretzel_api::UniversityId, pretzel_api::TermId) {
        use pretzel_backend::db::catalog::ImportOrigin;
        use pretzel_backend::import::{Format, ParseReport};
        let catalogs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/catalogs/purdue");
        let documents = ["202130.CS.bwckschd.p_get_crse_unsec.html", "202130.COM.bwckschd.p_get_crse_unsec.html"]
            .iter()
            .map(|file| {
                let bytes = std::fs::read(catalogs.join(file)).expect("sample catalog");
                (file.to_string(), Format::Banner8Html.importer().parse(&bytes).expect("parse"))
            })
            .collect();
        let parsed = ParseReport::merge(documents);
        tauri::async_runtime::block_on(async {
            let db = pretzel_backend::open_storage(&Self::config(data_dir)).await.expect("storage");
            let university = db.find_university("Purdue").await.expect("query").expect("Purdue").id;
            let sources = vec!["test".to_owned()];
            let origin = ImportOrigin { format: Format::Banner8Html, sources: &sources, started_at: 0 };
            let term = db.apply_import(university, "202130", &parsed, &origin).await.expect("import").term_id;
            db.close().await;
            (university, term)
        })
    }

    fn start(data_dir: &std::path::Path) -> Self {
        let config = Self::config(data_dir);
        let listener = tauri::async_runtime::block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let task = tauri::async_runtime::spawn(pretzel_backend::run(listener, config, async move {
            let _ = stop.await;
        }));
        Self { base, shutdown: Some(shutdown), task }
    }

    fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        tauri::async_runtime::block_on(self.task).expect("server task").expect("server stopped cleanly");
    }
}

#[test]
fn test_a_change_queued_offline_is_sent_in_the_background_and_announced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server_dir = tempfile::tempdir().expect("temp dir");
    let (university, term) = Backend::import_purdue(server_dir.path());
    let backend = Backend::start(server_dir.path());
    let (app, window) = mock_app(&dir);
    invoke(&window, "set_backend_url", json!({"args": {"url": backend.base}})).expect("set_backend_url");
    let signup = json!({"request": {
        "email": "shell-planner@purdue.edu",
        "password": "maple-syrup-in-seoul",
        "display_name": "Ana",
        "university_id": university,
    }});
    invoke(&window, "sign_up", signup).expect("sign_up");
    let terms = invoke(&window, "list_terms", json!({})).expect("list_terms");
    assert!(terms.as_array().expect("a list").iter().any(|t| t["id"] == json!(term.0)), "{terms}");
    let view = invoke(&window, "term_timetables", json!({"args": {"term_id": term}})).expect("term_timetables");
    let plan = view["data"]["timetables"][0]["id"].clone();
    let found =
        invoke(&window, "search_sections", json!({"args": {"term_id": term, "query": {"q": "CS 15900", "limit": 1}}}))
            .expect("search_sections");
    assert_eq!(found["offline"], json!(false));
    let section = found["response"]["results"][0]["section_id"].clone();

    backend.stop();
    let change = json!({"args": {"term_id": term, "change": {
        "op": "add_sections", "timetable_id": plan, "section_ids": [section], "confirm_conflicts": false,
    }}});
    let outcome = invoke(&window, "change_timetable", change).expect("change_timetable");
    assert_eq!(outcome["outcome"], json!("applied"), "{outcome}");
    assert_eq!(outcome["view"]["offline"], json!(true));
    assert_eq!(outcome["view"]["pending"][0]["state"], json!("waiting"));
    let week = invoke(
        &window,
        "week_view",
        json!({"args": {"term_id": term, "timetable_id": plan, "week_of": null, "zone": "campus"}}),
    )
    .expect("week_view works offline");
    assert_eq!(week["days"].as_array().map(Vec::len), Some(7));

    // The backend comes back (at a new address); the shell's background loop sends the change and
    // the UI hears about it.
    let (sender, receiver) = mpsc::channel();
    app.listen_any(EVENT_TIMETABLES_CHANGED, move |event| {
        let _ = sender.send(event.payload().to_owned());
    });
    let backend = Backend::start(server_dir.path());
    invoke(&window, "set_backend_url", json!({"args": {"url": backend.base}})).expect("set_backend_url");
    let payload = receiver.recv_timeout(Duration::from_secs(60)).expect("a timetables-changed event");
    assert_eq!(serde_json::from_str::<Value>(&payload).expect("JSON"), json!({"term_id": term}));
    let synced = invoke(&window, "term_timetables", json!({"args": {"term_id": term}})).expect("term_timetables");
    assert_eq!(synced["offline"], json!(false));
    assert_eq!(synced["pending"], json!([]));
    assert_eq!(synced["data"]["timetables"][0]["sections"][0]["section_id"], section);
    backend.stop();
}
