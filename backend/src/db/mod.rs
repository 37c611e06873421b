//! Storage: one code path over SQLite (the embedded default) and PostgreSQL (at scale).
//!
//! Queries are written once in the SQL both engines accept (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`) and run through sqlx's `Any` driver; only the migrations differ per engine
//! (`migrations/sqlite`, `migrations/postgres`). Timestamps are stored as Unix milliseconds.

pub mod catalog;
pub mod chat;
mod chat_writer;
pub mod search;
pub mod sessions;
pub mod timetables;
pub mod universities;
pub mod users;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Engine {
    /// The engine a database URL names (`sqlite:…`, `postgres:…` or `postgresql:…`), if any.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database URL names an engine Pretzel does not support.
    #[error("unsupported database URL (expected sqlite: or postgres:)")]
    UnsupportedUrl,
    /// Connecting or querying failed.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// The chat writer's own SQLite connection failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The chat writer's transaction failed, and with it every send it held.
    #[error("chat messages were not stored: {0}")]
    ChatBatch(String),
    /// The chat writer's thread could not be started.
    #[error("cannot start the chat writer: {0}")]
    ChatWriterStart(std::io::Error),
    /// The chat writer's thread is gone (it only ends when the database is dropped).
    #[error("the chat writer has stopped")]
    ChatWriterGone,
    /// Applying the migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique constraint refused the write (e.g. a duplicate email).
    #[error("unique constraint violated")]
    UniqueViolation,
    /// Stored data could not be decoded (e.g. a corrupt JSON column).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// A write names a university that does not exist.
    #[error("there is no university with id {0}")]
    UnknownUniversity(pretzel_api::UniversityId),
    /// A catalog import lists the same course code or registration id twice, so it cannot say which
    /// of the two the stored row should become.
    #[error("the import lists {kind} {key:?} more than once")]
    DuplicateInImport {
        /// `course` or `section`.
        kind: &'static str,
        /// The course code or registration id.
        key: String,
    },
}

/// Turns a unique-constraint failure into [`DbError::UniqueViolation`], anything else into `Sqlx`.
pub(crate) fn classify(err: sqlx::Error) -> DbError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => DbError::UniqueViolation,
        _ => DbError::Sqlx(err),
    }
}

/// How every SQLite connection of the server is set up: the pool's and the chat writer's alike.
const SQLITE_CONNECTION_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";

/// The file a `sqlite:` URL names, or `None` for another engine or an in-memory database (which a
/// second connection would not share).
fn sqlite_file(url: &str) -> Result<Option<std::path::PathBuf>, DbError> {
    if Engine::of_url(url) != Some(Engine::Sqlite) || url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(None);
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
    Ok(Some(options.get_filename().to_path_buf()))
}

/// The connection pool and the engine it talks to.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// Orders this server's chat writes on SQLite (see `chat_writer.rs`); shared by every clone.
    chat_lock: chat_writer::ChatWriteLock,
    /// Stores chat sends on a SQLite file; `None` on PostgreSQL and in-memory SQLite, where sends go
    /// through the pool.
    chat_writer: Option<std::sync::Arc<chat_writer::ChatWriter>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `url`, preparing SQLite connections for concurrent use (WAL, foreign keys,
    /// a busy timeout), and applies the engine's migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let engine = Engine::of_url(url).ok_or(DbError::UnsupportedUrl)?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match engine {
                        Engine::Sqlite => conn.execute(SQLITE_CONNECTION_PRAGMAS).await?,
                        // Parallel workers start up slower than a search runs on a small machine.
                        Engine::Postgres => conn.execute("SET max_parallel_workers_per_gather = 0").await?,
                    };
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let migrator = match engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await?;
        let chat_lock = chat_writer::ChatWriteLock::default();
        let chat_writer = match sqlite_file(url)? {
            Some(path) => Some(std::sync::Arc::new(chat_writer::ChatWriter::start(&path, chat_lock.clone())?)),
            None => None,
        };
        Ok(Self { pool, engine, chat_lock, chat_writer })
    }

    /// The engine behind this pool.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The pool, for the query modules.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Checks the database answers (used by `/readyz`).
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Reads the server secret `name`, creating it with `generate` the first time. Every node
    /// sharing the database gets the same value.
    pub async fn server_key(&self, name: &str, generate: impl FnOnce() -> String) -> Result<String, DbError> {
        sqlx::query("INSERT INTO server_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(generate())
            .execute(&self.pool)
            .await?;
        let value: String = sqlx::query_scalar("SELECT value FROM server_keys WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(value)
    }

    /// Closes every connection (on shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Now, as stored: Unix milliseconds.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
