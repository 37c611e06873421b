//! Pretzel's native shell: the Tauri app that hosts the Leptos UI and gives it the client core.
//!
//! It stays thin on purpose. Start-up reads the `PRETZEL_*` environment ([`ShellConfig`]), opens a
//! [`pretzel_client::Client`] on the app's data directory and hands it to Tauri as managed state;
//! [`commands`] exposes the client to the UI; a small bridge turns the client's session and
//! timetable announcements into the `session-changed` and `timetables-changed` events and its chat
//! changes into the `chat` event; background tasks run the client's outbox retry loop and its chat
//! connection, and [`chat_commands`] also shows OS notifications for live messages. Everything else
//! (HTTP, WebSocket, tokens, cache) lives in `crates/client`, where it is tested without a webview.

pub mod chat_commands;
pub mod commands;
mod config;

pub use config::{ENV_BACKEND_URL, ENV_DATA_DIR, ENV_TOKEN_STORE, ShellConfig};

use chat_commands::ChatFocus;
use pretzel_api::shell::chat::EVENT_CHAT;
use pretzel_api::shell::{EVENT_SESSION_CHANGED, EVENT_TIMETABLES_CHANGED};
use pretzel_client::{Client, ClientOptions};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, WindowEvent};
use tokio::sync::broadcast;

/// Runs the app until its last window closes. Called by the desktop binary and, on mobile, by the
/// platform's entry point.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    init_logging();
    let config = match ShellConfig::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!(%error, "invalid environment");
            std::process::exit(2);
        }
    };
    if let Err(error) = builder(tauri::Builder::default(), config).run(tauri::generate_context!()) {
        tracing::error!(%error, "Pretzel stopped with an error");
        std::process::exit(1);
    }
}

/// Configures `builder` with everything Pretzel adds to Tauri: plugins, commands, and the setup that
/// creates the client. Tests pass `tauri::test::mock_builder()` here.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>, config: ShellConfig) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![
            commands::app_state,
            commands::list_universities,
            commands::sign_up,
            commands::log_in,
            commands::log_out,
            commands::profile,
            commands::set_backend_url,
            commands::set_locale,
            commands::update_me,
            commands::list_terms,
            commands::search_sections,
            commands::term_timetables,
            commands::change_timetable,
            commands::discard_pending_change,
            commands::week_view,
            commands::export_calendar,
            commands::subscribe_calendar,
            commands::revoke_calendar,
            chat_commands::chat_rooms,
            chat_commands::chat_open_room,
            chat_commands::chat_older,
            chat_commands::chat_send,
            chat_commands::chat_retry,
            chat_commands::chat_discard,
            chat_commands::chat_edit,
            chat_commands::chat_delete,
            chat_commands::chat_typing,
            chat_commands::chat_mark_read,
            chat_commands::chat_members,
            chat_commands::chat_set_muted,
            chat_commands::chat_block,
            chat_commands::chat_unblock,
            chat_commands::chat_report,
            chat_commands::chat_set_window_focused,
        ])
        .on_window_event(|window, event| {
            if let WindowEvent::Focused(focused) = event
                && let Some(focus) = window.try_state::<ChatFocus>()
            {
                focus.set_window_focused(*focused);
            }
        })
        .setup(move |app| start_client(app.handle(), &config))
}

/// Opens the client on the configured data directory, hands it to Tauri as managed state, starts
/// forwarding its session, timetable and chat changes to the UI and its live chat messages to OS
/// notifications, and starts the outbox's retry loop and the chat connection.
fn start_client<R: Runtime>(app: &AppHandle<R>, config: &ShellConfig) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = match &config.data_dir {
        Some(dir) => dir.clone(),
        None => app.path().app_data_dir()?,
    };
    let client = Client::new(ClientOptions {
        data_dir,
        backend_url: config.backend_url.clone(),
        token_store: config.token_store,
    })?;
    tracing::info!(
        data_dir = %client.data_dir().display(),
        backend_url = %client.settings().backend_url,
        token_store = ?client.token_store_kind(),
        "Pretzel starting"
    );
    forward(app.clone(), EVENT_SESSION_CHANGED, client.subscribe_session());
    forward(app.clone(), EVENT_TIMETABLES_CHANGED, client.subscribe_timetables());
    forward(app.clone(), EVENT_CHAT, client.subscribe_chat());
    app.manage(ChatFocus::default());
    chat_commands::notify_incoming(app.clone(), client.subscribe_chat_incoming());
    let outbox = client.clone();
    tauri::async_runtime::spawn(async move { outbox.run_outbox().await });
    let chat = client.clone();
    tauri::async_runtime::spawn(async move { chat.run_chat().await });
    app.manage(client);
    Ok(())
}

/// Emits every announcement the client makes on `changes` to the UI as the event `name`.
fn forward<R: Runtime, T: Serialize + Clone + Send + 'static>(
    app: AppHandle<R>,
    name: &'static str,
    mut changes: broadcast::Receiver<T>,
) {
    tauri::async_runtime::spawn(async move {
        loop {
            match changes.recv().await {
                Ok(change) => {
                    if let Err(error) = app.emit(name, &change) {
                        tracing::warn!(%error, "could not emit {name}");
                    }
                }
                // The UI refetches on each event, so only the newest matters; skipping older ones is fine.
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::debug!(skipped, event = name, "announcements skipped");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A subscriber may already be installed (e.g. by an embedding test); keep it.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

#[cfg(test)]
mod tests;
