//! Command-layer tests: the real commands, invoked through Tauri's IPC on the mock runtime, over a
//! real client on a temporary data directory. No backend is needed for these.

use crate::{ShellConfig, builder, start_client};
use pretzel_api::shell::{
    AppState, CommandError, CommandErrorKind, DEFAULT_BACKEND_URL, EVENT_SESSION_CHANGED, ShellSettings,
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
