//! Pretzel's server: REST and the chat WebSocket over SQLite or PostgreSQL.
//!
//! [`run`] takes an already-bound listener, the configuration and a shutdown future, so the binary,
//! the tests and the benchmarks all start the very same server. [`open_storage`] is the one way to
//! reach the database, shared with the `import` command. A request travels
//! `routes::<resource>` → `db::<resource>` and back; errors of every layer become one JSON error body
//! in `error.rs`.

pub mod auth;
pub mod calendar;
pub mod chat;
pub mod config;
pub mod db;
pub mod error;
pub mod import;
pub mod openapi;
pub mod routes;
pub mod server;
pub mod state;
pub mod ws;

use crate::auth::password::{HashError, PasswordHasherPool};
use crate::auth::rate_limit::RateLimiter;
use crate::auth::tokens::{TokenSigner, generate_key};
use crate::config::Config;
use crate::db::{Db, DbError};
use crate::state::AppState;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The dummy password hash could not be prepared.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The stored token signing key is corrupt.
    #[error("the stored access-token key is corrupt; delete it from server_keys to rotate it")]
    CorruptKey,
    /// The chat fan-out could not be set up (`redis_url`).
    #[error(transparent)]
    ChatFanout(#[from] chat::redis::RedisFanoutError),
    /// Serving failed.
    #[error("server I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the configured database (creating the data directory and migrating it) and seeds the
/// universities.
pub async fn open_storage(config: &Config) -> Result<Db, ServeError> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|source| ServeError::DataDir { path: config.data_dir.clone(), source })?;
    }
    let url = config.effective_database_url();
    let db = Db::connect(&url, config.effective_pool_size(&url)).await?;
    let seeded = db.seed_universities().await?;
    tracing::info!(engine = ?db.engine(), universities = seeded, "storage ready");
    Ok(db)
}

/// Opens storage, loads the sample catalogs not stored yet (when configured to) and prepares the
/// shared state.
pub async fn prepare(config: Config) -> Result<AppState, ServeError> {
    let db = open_storage(&config).await?;
    if config.load_sample_catalogs {
        let started = std::time::Instant::now();
        let load = import::samples::load_sample_catalogs(&db, &config.effective_assets_dir()).await?;
        tracing::info!(
            imported = ?load.imported,
            already_stored = load.already_stored,
            failed = load.failed,
            ms = started.elapsed().as_millis(),
            "sample catalogs checked"
        );
    }
    let key = db.server_key("access_token_hmac", generate_key).await?;
    let to_ms = |secs: u64| i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let tokens =
        TokenSigner::from_encoded_key(&key, to_ms(config.access_token_ttl_secs), to_ms(config.refresh_token_ttl_secs))
            .ok_or(ServeError::CorruptKey)?;
    Ok(AppState {
        db,
        tokens,
        passwords: PasswordHasherPool::new().await?,
        limits: Arc::new(RateLimiter::new(Duration::from_secs(config.rate_limit_window_secs))),
        chat: chat::ChatHub::from_config(&config)?,
        config: Arc::new(config),
    })
}

/// Serves on `listener` until `shutdown` completes, then finishes in-flight requests and closes storage.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let state = prepare(config).await?;
    let db = state.db.clone();
    tracing::info!(addr = %listener.local_addr()?, "listening");
    // Upgraded chat sockets are not HTTP requests the graceful shutdown waits for: tell them to close.
    let chat = state.chat.clone();
    let shutdown = async move {
        shutdown.await;
        chat.shut_down();
    };
    let refreshers = import::refresh::Refreshers::start(&state.config, &db);
    server::serve(listener, routes::router(state), shutdown).await;
    // The scheduled imports hold database connections: end them before closing the pool.
    refreshers.stop().await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}
