//! The local SQLite cache (`cache.sqlite3` in the data directory): settings, the last known
//! profile and the university catalog, so the app starts instantly and works offline.
//!
//! The schema evolves through [`MIGRATIONS`], an ordered list of SQL scripts; `PRAGMA user_version`
//! records how many have run. Adding a feature's tables means appending one string to that list.
//! A file written by a newer Pretzel (a higher `user_version`) is refused rather than guessed at.

use crate::error::ClientError;
use chrono::Utc;
use pretzel_api::{Me, University};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// File name of the cache inside the data directory.
pub const CACHE_FILE_NAME: &str = "cache.sqlite3";

/// The schema, one script per version: script `i` moves the file from version `i` to `i + 1`.
/// Never edit a script that has shipped; append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: settings, the signed-in student's profile, the university catalog.
    "CREATE TABLE settings (
         key   TEXT PRIMARY KEY,
         value TEXT NOT NULL
     );
     CREATE TABLE profile (
         id         INTEGER PRIMARY KEY CHECK (id = 1),
         json       TEXT NOT NULL,
         fetched_at TEXT NOT NULL
     );
     CREATE TABLE universities (
         id         INTEGER PRIMARY KEY,
         json       TEXT NOT NULL,
         fetched_at TEXT NOT NULL
     );",
];

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A handle on the cache database. Calls are short and serialised through one connection.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl Cache {
    /// Opens (creating if needed) the cache at `path`, switches it to WAL and brings its schema up to
    /// [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Self, ClientError> {
        let mut connection = Connection::open(path)?;
        connection.busy_timeout(Duration::from_secs(5))?;
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
        connection.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut connection, path)?;
        Ok(Self { path: path.to_owned(), connection: Mutex::new(connection) })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, ClientError> {
        Ok(self.lock().pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// Reads one setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>, ClientError> {
        let value =
            self.lock().query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()?;
        Ok(value)
    }

    /// Writes one setting; `None` removes it.
    pub fn set_setting(&self, key: &str, value: Option<&str>) -> Result<(), ClientError> {
        let connection = self.lock();
        match value {
            Some(value) => connection.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?,
            None => connection.execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// The last profile fetched from the server, if any.
    pub fn profile(&self) -> Result<Option<Me>, ClientError> {
        let json: Option<String> =
            self.lock().query_row("SELECT json FROM profile WHERE id = 1", [], |row| row.get(0)).optional()?;
        json.map(|json| decode("profile", &json)).transpose()
    }

    /// Replaces the cached profile.
    pub fn save_profile(&self, me: &Me) -> Result<(), ClientError> {
        let json = encode("profile", me)?;
        self.lock().execute(
            "INSERT INTO profile (id, json, fetched_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET json = excluded.json, fetched_at = excluded.fetched_at",
            params![json, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// Forgets the cached profile (on sign-out).
    pub fn clear_profile(&self) -> Result<(), ClientError> {
        self.lock().execute("DELETE FROM profile", [])?;
        Ok(())
    }

    /// The cached university catalog, in id order (empty if never fetched).
    pub fn universities(&self) -> Result<Vec<University>, ClientError> {
        let connection = self.lock();
        let mut statement = connection.prepare("SELECT json FROM universities ORDER BY id")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut universities = Vec::new();
        for json in rows {
            universities.push(decode("university catalog", &json?)?);
        }
        Ok(universities)
    }

    /// Replaces the cached university catalog with `universities`.
    pub fn save_universities(&self, universities: &[University]) -> Result<(), ClientError> {
        let fetched_at = Utc::now().to_rfc3339();
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        transaction.execute("DELETE FROM universities", [])?;
        {
            let mut insert =
                transaction.prepare("INSERT INTO universities (id, json, fetched_at) VALUES (?1, ?2, ?3)")?;
            for university in universities {
                insert.execute(params![university.id.0, encode("university catalog", university)?, fetched_at])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (statements are atomic),
        // so a poisoned lock is still safe to use.
        self.connection.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs the migrations the file has not seen yet, each in its own transaction.
fn migrate(connection: &mut Connection, path: &Path) -> Result<(), ClientError> {
    let found: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(ClientError::CacheTooNew { path: path.to_owned(), found, supported: SCHEMA_VERSION });
    }
    for (version, script) in (1_i64..).zip(MIGRATIONS).skip(usize::try_from(found).unwrap_or(0)) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(script)?;
        transaction.pragma_update(None, "user_version", version)?;
        transaction.commit()?;
        tracing::debug!(version, path = %path.display(), "cache migrated");
    }
    Ok(())
}

fn encode<T: serde::Serialize>(what: &'static str, value: &T) -> Result<String, ClientError> {
    serde_json::to_string(value).map_err(|source| ClientError::Encode { what, source })
}

fn decode<T: serde::de::DeserializeOwned>(what: &'static str, json: &str) -> Result<T, ClientError> {
    serde_json::from_str(json).map_err(|source| ClientError::CorruptCacheEntry { what, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use pretzel_api::{UniversityId, UserId};

    fn university(id: i64) -> University {
        University {
            id: UniversityId(id),
            name: format!("University {id}"),
            short_name: format!("U{id}"),
            time_zone: "America/Chicago".into(),
            email_domains: vec![format!("u{id}.edu")],
        }
    }

    fn me() -> Me {
        Me {
            id: UserId(7),
            email: "ana@u1.edu".into(),
            display_name: "Ana".into(),
            university: university(1),
            created_at: Utc.with_ymd_and_hms(2025, 9, 1, 12, 0, 0).single().expect("valid date"),
        }
    }

    fn table_names(cache: &Cache) -> Vec<String> {
        let connection = cache.lock();
        let mut statement =
            connection.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").expect("prepare");
        statement.query_map([], |row| row.get(0)).expect("query").collect::<Result<_, _>>().expect("rows")
    }

    #[test]
    fn test_migrations_create_the_schema_in_a_fresh_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join(CACHE_FILE_NAME)).expect("open");
        assert_eq!(cache.schema_version().expect("version"), SCHEMA_VERSION);
        assert_eq!(table_names(&cache), ["profile", "settings", "universities"]);
        let journal: String = cache.lock().pragma_query_value(None, "journal_mode", |row| row.get(0)).expect("pragma");
        assert_eq!(journal, "wal");
    }

    #[test]
    fn test_reopening_is_idempotent_and_keeps_data() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(CACHE_FILE_NAME);
        Cache::open(&path).expect("first open").set_setting("locale", Some("ko")).expect("write");
        let reopened = Cache::open(&path).expect("second open");
        assert_eq!(reopened.schema_version().expect("version"), SCHEMA_VERSION);
        assert_eq!(reopened.setting("locale").expect("read").as_deref(), Some("ko"));
        drop(reopened);
        Cache::open(&path).expect("third open");
    }

    #[test]
    fn test_a_cache_from_a_newer_version_is_refused_clearly() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(CACHE_FILE_NAME);
        Connection::open(&path).expect("create").pragma_update(None, "user_version", 99).expect("bump");
        match Cache::open(&path) {
            Err(ClientError::CacheTooNew { found, supported, .. }) => {
                assert_eq!((found, supported), (99, SCHEMA_VERSION));
            }
            other => panic!("expected CacheTooNew, got {other:?}"),
        }
    }

    #[test]
    fn test_settings_round_trip() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join(CACHE_FILE_NAME)).expect("open");
        assert_eq!(cache.setting("backend_url").expect("read"), None);
        cache.set_setting("backend_url", Some("http://a")).expect("write");
        cache.set_setting("backend_url", Some("https://b")).expect("overwrite");
        assert_eq!(cache.setting("backend_url").expect("read").as_deref(), Some("https://b"));
        cache.set_setting("backend_url", None).expect("remove");
        assert_eq!(cache.setting("backend_url").expect("read"), None);
    }

    #[test]
    fn test_profile_round_trips_and_clears() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join(CACHE_FILE_NAME)).expect("open");
        assert_eq!(cache.profile().expect("read"), None);
        cache.save_profile(&me()).expect("save");
        cache.save_profile(&me()).expect("save again");
        assert_eq!(cache.profile().expect("read"), Some(me()));
        cache.clear_profile().expect("clear");
        assert_eq!(cache.profile().expect("read"), None);
    }

    #[test]
    fn test_universities_are_replaced_as_a_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join(CACHE_FILE_NAME)).expect("open");
        cache.save_universities(&[university(2), university(1)]).expect("save");
        assert_eq!(cache.universities().expect("read"), [university(1), university(2)]);
        cache.save_universities(&[university(3)]).expect("replace");
        assert_eq!(cache.universities().expect("read"), [university(3)]);
    }

    #[test]
    fn test_a_corrupt_cached_profile_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join(CACHE_FILE_NAME)).expect("open");
        cache
            .lock()
            .execute("INSERT INTO profile (id, json, fetched_at) VALUES (1, '{oops', 'now')", [])
            .expect("insert");
        assert!(matches!(cache.profile(), Err(ClientError::CorruptCacheEntry { what: "profile", .. })));
    }
}
