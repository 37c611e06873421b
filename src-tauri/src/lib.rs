//! Pretzel's native shell: the Tauri app that hosts the Leptos UI and gives it the client core.
//!
//! It stays thin on purpose. Start-up reads the `PRETZEL_*` environment ([`ShellConfig`]), opens a
//! [`pretzel_client::Client`] on the app's data directory and hands it to Tauri as managed state;
//! [`commands`] exposes the client to the UI; and a small bridge turns the client's session
//! announcements into the `session-changed` event. Everything else (HTTP, tokens, cache) lives in
//! `crates/client`, where it is tested without a webview.

pub mod commands;
mod config;

pub use config::{ENV_BACKEND_URL, ENV_DATA_DIR, ENV_TOKEN_STORE, ShellConfig};

use pretzel_api::shell::{EVENT_SESSION_CHANGED, SessionChanged};
use pretzel_client::{Client, ClientOptions};
use tauri::{AppHandle, Emitter, Manager, Runtime};
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
        ])
        .setup(move |app| start_client(app.handle(), &config))
}

/// Opens the client on the configured data directory, hands it to Tauri as managed state and starts
/// forwarding its session changes to the UI.
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
    forward_session_changes(app.clone(), client.subscribe_session());
    app.manage(client);
    Ok(())
}

/// Emits every session change the client announces to the UI as [`EVENT_SESSION_CHANGED`].
fn forward_session_changes<R: Runtime>(app: AppHandle<R>, mut changes: broadcast::Receiver<SessionChanged>) {
    tauri::async_runtime::spawn(async move {
        loop {
            match changes.recv().await {
                Ok(change) => {
                    if let Err(error) = app.emit(EVENT_SESSION_CHANGED, &change) {
                        tracing::warn!(%error, "could not emit {EVENT_SESSION_CHANGED}");
                    }
                }
                // Only the newest state matters to the UI; skipping older changes is fine.
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::debug!(skipped, "session changes skipped");
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
