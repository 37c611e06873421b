//! The local SQLite cache (`cache.sqlite3` in the data directory): settings, the last known
//! profile, the university catalog, each university's terms, recent search results and the last
//! synced timetables of each term, and the chat rooms and messages seen (their queries are in
//! `crate::chat::store`), so the app starts instantly and works offline. The outbox of
//! changes waiting for the server lives in the same file; its queries are in [`crate::outbox`].
//!
//! The schema evolves through [`MIGRATIONS`], an ordered list of SQL scripts; `PRAGMA user_version`
//! records how many have run. Adding a feature's tables means appending one string to that list.
//! A file written by a newer Pretzel (a higher `user_version`) is refused rather than guessed at.

use crate::error::ClientError;
use chrono::{DateTime, Utc};
use pretzel_api::{Me, SearchResponse, Term, TermId, TermTimetables, University, UniversityId};
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
    // 2: terms per university, recent search results, each term's last synced timetables, and the
    // outbox of changes made offline (one queue for every kind of send; `queue` says which).
    "CREATE TABLE terms (
         university_id INTEGER PRIMARY KEY,
         json          TEXT NOT NULL,
         fetched_at    TEXT NOT NULL
     );
     CREATE TABLE search_results (
         term_id   INTEGER NOT NULL,
         query_key TEXT NOT NULL,
         json      TEXT NOT NULL,
         used_seq  INTEGER NOT NULL,
         PRIMARY KEY (term_id, query_key)
     );
     CREATE TABLE term_timetables (
         term_id   INTEGER PRIMARY KEY,
         json      TEXT NOT NULL,
         synced_at TEXT NOT NULL
     );
     CREATE TABLE outbox (
         id              INTEGER PRIMARY KEY AUTOINCREMENT,
         queue           TEXT NOT NULL,
         scope           TEXT NOT NULL,
         payload         TEXT NOT NULL,
         idempotency_key TEXT NOT NULL UNIQUE,
         state           TEXT NOT NULL CHECK (state IN ('waiting', 'failed')),
         error           TEXT,
         created_at      TEXT NOT NULL
     );
     CREATE INDEX outbox_by_queue ON outbox (queue, scope, id);",
    // 3: course chat. Each room the server listed, with its summary as last seen, the student's mute
    // and the resume cursor (the last seq held contiguously; NULL until the first sync); and every
    // message seen, one row per (room, seq) holding the highest revision seen.
    "CREATE TABLE chat_rooms (
         room_id  INTEGER PRIMARY KEY,
         summary  TEXT NOT NULL,
         position INTEGER NOT NULL,
         muted    INTEGER NOT NULL DEFAULT 0,
         cursor   INTEGER
     );
     CREATE TABLE chat_messages (
         room_id       INTEGER NOT NULL,
         seq           INTEGER NOT NULL,
         message_id    INTEGER NOT NULL UNIQUE,
         client_msg_id TEXT NOT NULL,
         revision      INTEGER NOT NULL,
         json          TEXT NOT NULL,
         PRIMARY KEY (room_id, seq)
     );",
];

/// How many distinct searches keep their results for offline use.
pub const SEARCH_CACHE_ENTRIES: i64 = 50;

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

    /// The cached terms of `university`, newest first as the server listed them; `None` if never
    /// fetched.
    pub fn terms(&self, university: UniversityId) -> Result<Option<Vec<Term>>, ClientError> {
        let json: Option<String> = self
            .lock()
            .query_row("SELECT json FROM terms WHERE university_id = ?1", [university.0], |row| row.get(0))
            .optional()?;
        json.map(|json| decode("terms", &json)).transpose()
    }

    /// Replaces the cached terms of `university`.
    pub fn save_terms(&self, university: UniversityId, terms: &[Term]) -> Result<(), ClientError> {
        self.lock().execute(
            "INSERT INTO terms (university_id, json, fetched_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (university_id) DO UPDATE SET json = excluded.json, fetched_at = excluded.fetched_at",
            params![university.0, encode("terms", &terms)?, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// The cached results of the search `query_key` (see `catalog::query_key`) in `term`, marking
    /// them recently used.
    pub fn search_results(&self, term: TermId, query_key: &str) -> Result<Option<SearchResponse>, ClientError> {
        let connection = self.lock();
        let json: Option<String> = connection
            .query_row(
                "SELECT json FROM search_results WHERE term_id = ?1 AND query_key = ?2",
                params![term.0, query_key],
                |row| row.get(0),
            )
            .optional()?;
        if json.is_some() {
            connection.execute(
                "UPDATE search_results SET used_seq = (SELECT COALESCE(MAX(used_seq), 0) + 1 FROM search_results)
                 WHERE term_id = ?1 AND query_key = ?2",
                params![term.0, query_key],
            )?;
        }
        json.map(|json| decode("search results", &json)).transpose()
    }

    /// Stores the results of a search and forgets all but the [`SEARCH_CACHE_ENTRIES`] most
    /// recently used ones.
    pub fn save_search_results(
        &self,
        term: TermId,
        query_key: &str,
        response: &SearchResponse,
    ) -> Result<(), ClientError> {
        let json = encode("search results", response)?;
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        transaction.execute(
            "INSERT INTO search_results (term_id, query_key, json, used_seq)
             VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(used_seq), 0) + 1 FROM search_results))
             ON CONFLICT (term_id, query_key) DO UPDATE SET json = excluded.json, used_seq = excluded.used_seq",
            params![term.0, query_key, json],
        )?;
        transaction.execute(
            "DELETE FROM search_results WHERE used_seq NOT IN
                 (SELECT used_seq FROM search_results ORDER BY used_seq DESC LIMIT ?1)",
            [SEARCH_CACHE_ENTRIES],
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// Every cached search page of `term`, most recently used first (to find a section's details
    /// offline).
    pub fn search_pages(&self, term: TermId) -> Result<Vec<SearchResponse>, ClientError> {
        let connection = self.lock();
        let mut statement =
            connection.prepare("SELECT json FROM search_results WHERE term_id = ?1 ORDER BY used_seq DESC")?;
        let rows = statement.query_map([term.0], |row| row.get::<_, String>(0))?;
        let mut pages = Vec::new();
        for json in rows {
            pages.push(decode("search results", &json?)?);
        }
        Ok(pages)
    }

    /// The term's plans as the server last confirmed them, with when.
    pub fn term_timetables(&self, term: TermId) -> Result<Option<(TermTimetables, DateTime<Utc>)>, ClientError> {
        let row: Option<(String, String)> = self
            .lock()
            .query_row("SELECT json, synced_at FROM term_timetables WHERE term_id = ?1", [term.0], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        let Some((json, synced_at)) = row else { return Ok(None) };
        let synced_at = DateTime::parse_from_rfc3339(&synced_at)
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        Ok(Some((decode("timetables", &json)?, synced_at)))
    }

    /// Every term whose plans are cached (to find a plan by id).
    pub fn all_term_timetables(&self) -> Result<Vec<TermTimetables>, ClientError> {
        let connection = self.lock();
        let mut statement = connection.prepare("SELECT json FROM term_timetables ORDER BY term_id")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut all = Vec::new();
        for json in rows {
            all.push(decode("timetables", &json?)?);
        }
        Ok(all)
    }

    /// Stores the term's plans as the server just sent them.
    pub fn save_term_timetables(&self, data: &TermTimetables, synced_at: DateTime<Utc>) -> Result<(), ClientError> {
        self.lock().execute(
            "INSERT INTO term_timetables (term_id, json, synced_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (term_id) DO UPDATE SET json = excluded.json, synced_at = excluded.synced_at",
            params![data.term_id.0, encode("timetables", data)?, synced_at.to_rfc3339()],
        )?;
        Ok(())
    }

    /// Forgets everything that belongs to the signed-in student rather than to the device: their
    /// plans, their queued changes and their chat rooms and messages (on sign-out, so the next
    /// student never sees or sends them).
    pub fn clear_student_data(&self) -> Result<(), ClientError> {
        self.lock().execute_batch(
            "DELETE FROM term_timetables; DELETE FROM outbox; DELETE FROM chat_rooms; DELETE FROM chat_messages;",
        )?;
        Ok(())
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
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

pub(crate) fn encode<T: serde::Serialize>(what: &'static str, value: &T) -> Result<String, ClientError> {
    serde_json::to_string(value).map_err(|source| ClientError::Encode { what, source })
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(what: &'static str, json: &str) -> Result<T, ClientError> {
    serde_json::from_str(json).map_err(|source| ClientError::CorruptCacheEntry { what, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use pretzel_api::UserId;

    fn university(id: i64) -> University {
        University {
            id: UniversityId(id),
            name: format!("University {id}"),
            short_name: format!("U{id}"),
            time_zone: "America/Chicago".into(),
            email_domains: vec![format!("u{id}.edu")],
            full_time_credits: 12,
        }
    }

    fn me() -> Me {
        Me {
            id: UserId(7),
            email: "ana@u1.edu".into(),
            display_name: "Ana".into(),
            university: university(1),
            created_at: Utc.with_ymd_and_hms(2025, 9, 1, 12, 0, 0).single().expect("valid date"),
            home_time_zone: None,
            student_visa: false,
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
        assert_eq!(
            table_names(&cache),
            [
                "chat_messages",
                "chat_rooms",
                "outbox",
                "profile",
                "search_results",
                "settings",
                "sqlite_sequence",
                "term_timetables",
                "terms",
                "universities"
            ]
        );
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

    fn page(total: u64) -> SearchResponse {
        SearchResponse { total, total_is_lower_bound: false, results: vec![] }
    }

    #[test]
    fn test_search_results_keep_the_most_recently_used_queries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join(CACHE_FILE_NAME)).expect("open");
        let term = TermId(4);
        for n in 0..SEARCH_CACHE_ENTRIES {
            cache.save_search_results(term, &format!("q{n}"), &page(n.unsigned_abs())).expect("save");
        }
        // Reading q0 makes it recent; the next two new queries push out q1 and q2 instead.
        assert_eq!(cache.search_results(term, "q0").expect("read"), Some(page(0)));
        cache.save_search_results(term, "new-a", &page(100)).expect("save");
        cache.save_search_results(term, "new-b", &page(101)).expect("save");
        assert_eq!(cache.search_results(term, "q0").expect("read"), Some(page(0)));
        assert_eq!(cache.search_results(term, "q1").expect("read"), None);
        assert_eq!(cache.search_results(term, "q2").expect("read"), None);
        assert_eq!(cache.search_results(term, "q3").expect("read"), Some(page(3)));
        assert_eq!(cache.search_results(TermId(5), "q3").expect("read"), None, "keys are per term");
        assert_eq!(
            cache.search_pages(term).expect("pages").len(),
            usize::try_from(SEARCH_CACHE_ENTRIES).expect("small")
        );
        // Saving a query again replaces its results.
        cache.save_search_results(term, "q3", &page(33)).expect("save");
        assert_eq!(cache.search_results(term, "q3").expect("read"), Some(page(33)));
    }

    #[test]
    fn test_terms_and_term_timetables_round_trip_and_student_data_clears() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join(CACHE_FILE_NAME)).expect("open");
        assert_eq!(cache.terms(UniversityId(1)).expect("read"), None);
        let term = Term {
            id: TermId(4),
            university_id: UniversityId(1),
            code: "202130".into(),
            name: "Summer 2021".into(),
            start_date: None,
            end_date: None,
            section_count: 3,
        };
        cache.save_terms(UniversityId(1), std::slice::from_ref(&term)).expect("save");
        assert_eq!(cache.terms(UniversityId(1)).expect("read"), Some(vec![term]));
        let data = TermTimetables {
            term_id: TermId(4),
            campus_time_zone: "America/Chicago".into(),
            start_date: None,
            end_date: None,
            full_time_credits: 12,
            timetables: vec![],
        };
        let synced_at = Utc.with_ymd_and_hms(2025, 9, 1, 12, 0, 0).single().expect("valid date");
        cache.save_term_timetables(&data, synced_at).expect("save");
        assert_eq!(cache.term_timetables(TermId(4)).expect("read"), Some((data.clone(), synced_at)));
        assert_eq!(cache.all_term_timetables().expect("read"), [data]);
        cache.clear_student_data().expect("clear");
        assert_eq!(cache.term_timetables(TermId(4)).expect("read"), None);
        assert!(cache.terms(UniversityId(1)).expect("read").is_some(), "the catalog is not the student's");
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
