//! The outbox: the one persisted queue every offline send goes through. Timetable edits and chat
//! messages use it today; posts, comments and likes will join as further queues of the same table.
//!
//! An entry names its queue (`timetable`), a scope inside it (a term's id) whose entries are sent in
//! order, a JSON payload the queue's owner understands, and an idempotency key the server uses to
//! recognise a resend after a lost answer. An entry is `waiting` until it is sent (then it is
//! deleted) or until the server refuses it for good (then it is `failed`, with the error, and stays
//! visible until the student discards it). Entries live in the SQLite cache, so they survive
//! restarts. [`Client::flush_outbox`] sends what waits, and [`Client::run_outbox`] is the single
//! retry loop the shell runs in the background.

use crate::cache::{Cache, decode, encode};
use crate::client::Client;
use crate::error::ClientError;
use chrono::{DateTime, Utc};
use pretzel_api::TermId;
use pretzel_api::shell::CommandError;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::time::Duration;

/// The queue of timetable changes; its scope is the term's id.
pub const QUEUE_TIMETABLE: &str = "timetable";
/// The queue of chat messages; its scope is the room's id and each entry's idempotency key is the
/// message's `client_msg_id`. The chat connection sends it (it needs the socket), not
/// [`Client::flush_outbox`].
pub const QUEUE_CHAT: &str = "chat";

/// First pause before retrying entries the backend could not take.
pub const RETRY_MIN: Duration = Duration::from_secs(5);
/// Longest pause between retries while entries wait.
pub const RETRY_MAX: Duration = Duration::from_secs(300);
/// How often the loop looks at an empty outbox without being woken (a safety net: queueing and
/// reconnecting wake it).
const IDLE_CHECK: Duration = Duration::from_secs(300);

/// Whether an entry still waits to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// Not yet accepted by the server.
    Waiting,
    /// Refused by the server for a reason retrying cannot fix.
    Failed,
}

impl EntryState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Failed => "failed",
        }
    }
}

/// One queued send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Order of creation; also how the student names it to discard it.
    pub id: i64,
    /// Which queue, e.g. [`QUEUE_TIMETABLE`].
    pub queue: String,
    /// The ordered stream within the queue, e.g. a term's id.
    pub scope: String,
    /// The queue owner's JSON.
    pub payload: String,
    /// Sent with the request so a resend is recognised (a fresh UUID per entry).
    pub idempotency_key: String,
    /// Waiting or failed.
    pub state: EntryState,
    /// Why the server refused it, for failed entries.
    pub error: Option<CommandError>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// What one [`Client::flush_outbox`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlushReport {
    /// Entries the server accepted.
    pub sent: usize,
    /// Entries the server refused for good (now `failed`).
    pub failed: usize,
    /// Entries still waiting (the backend was unreachable or busy).
    pub waiting: usize,
}

const ENTRY_COLUMNS: &str = "id, queue, scope, payload, idempotency_key, state, error, created_at";

impl Cache {
    /// Queues `payload` at the end of `queue`/`scope` with a fresh idempotency key.
    pub fn outbox_push<P: Serialize>(&self, queue: &str, scope: &str, payload: &P) -> Result<OutboxEntry, ClientError> {
        let payload = encode("outbox entry", payload)?;
        let key = uuid::Uuid::new_v4().to_string();
        let created_at = Utc::now();
        let connection = self.lock();
        connection.execute(
            "INSERT INTO outbox (queue, scope, payload, idempotency_key, state, created_at)
             VALUES (?1, ?2, ?3, ?4, 'waiting', ?5)",
            params![queue, scope, payload, key, created_at.to_rfc3339()],
        )?;
        Ok(OutboxEntry {
            id: connection.last_insert_rowid(),
            queue: queue.to_owned(),
            scope: scope.to_owned(),
            payload,
            idempotency_key: key,
            state: EntryState::Waiting,
            error: None,
            created_at,
        })
    }

    /// Every entry of `queue`/`scope`, waiting and failed, oldest first.
    pub fn outbox_entries(&self, queue: &str, scope: &str) -> Result<Vec<OutboxEntry>, ClientError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare(&format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE queue = ?1 AND scope = ?2 ORDER BY id"))?;
        let rows = statement.query_map(params![queue, scope], row_of)?;
        rows.map(|row| row.map_err(ClientError::from).and_then(entry_of)).collect()
    }

    /// One entry by id.
    pub fn outbox_entry(&self, id: i64) -> Result<Option<OutboxEntry>, ClientError> {
        let row = self
            .lock()
            .query_row(&format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE id = ?1"), [id], row_of)
            .optional()?;
        row.map(entry_of).transpose()
    }

    /// The queues and scopes that have waiting entries, in the order their oldest entry was queued.
    pub fn outbox_waiting_scopes(&self) -> Result<Vec<(String, String)>, ClientError> {
        let connection = self.lock();
        let mut statement = connection.prepare(
            "SELECT queue, scope FROM outbox WHERE state = 'waiting' GROUP BY queue, scope ORDER BY MIN(id)",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many entries wait, over every queue.
    pub fn outbox_waiting_count(&self) -> Result<usize, ClientError> {
        let count: i64 =
            self.lock().query_row("SELECT COUNT(*) FROM outbox WHERE state = 'waiting'", [], |row| row.get(0))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Marks an entry refused for good, with the reason.
    pub fn outbox_fail(&self, id: i64, error: &CommandError) -> Result<(), ClientError> {
        self.lock().execute(
            "UPDATE outbox SET state = ?2, error = ?3 WHERE id = ?1",
            params![id, EntryState::Failed.as_str(), encode("outbox error", error)?],
        )?;
        Ok(())
    }

    /// Replaces an entry's payload (when an earlier entry's answer gave a temporary id its real one).
    pub fn outbox_set_payload(&self, id: i64, payload: &str) -> Result<(), ClientError> {
        self.lock().execute("UPDATE outbox SET payload = ?2 WHERE id = ?1", params![id, payload])?;
        Ok(())
    }

    /// The entry queued with `idempotency_key`, if any.
    pub fn outbox_entry_by_key(&self, idempotency_key: &str) -> Result<Option<OutboxEntry>, ClientError> {
        let row = self
            .lock()
            .query_row(
                &format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE idempotency_key = ?1"),
                [idempotency_key],
                row_of,
            )
            .optional()?;
        row.map(entry_of).transpose()
    }

    /// Every entry of `queue`, waiting and failed, oldest first.
    pub fn outbox_queue_entries(&self, queue: &str) -> Result<Vec<OutboxEntry>, ClientError> {
        let connection = self.lock();
        let mut statement =
            connection.prepare(&format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE queue = ?1 ORDER BY id"))?;
        let rows = statement.query_map([queue], row_of)?;
        rows.map(|row| row.map_err(ClientError::from).and_then(entry_of)).collect()
    }

    /// Puts a failed entry back to waiting, keeping its place in the order, with a new payload and a
    /// new idempotency key when given (a changed request is a new request to the server).
    pub fn outbox_retry(
        &self,
        id: i64,
        payload: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<Option<OutboxEntry>, ClientError> {
        self.lock().execute(
            "UPDATE outbox SET state = ?2, error = NULL, payload = COALESCE(?3, payload),
                 idempotency_key = COALESCE(?4, idempotency_key)
             WHERE id = ?1",
            params![id, EntryState::Waiting.as_str(), payload, idempotency_key],
        )?;
        self.outbox_entry(id)
    }

    /// Removes an entry (sent, or discarded by the student); `false` if there was none.
    pub fn outbox_remove(&self, id: i64) -> Result<bool, ClientError> {
        Ok(self.lock().execute("DELETE FROM outbox WHERE id = ?1", [id])? > 0)
    }
}

type EntryRow = (i64, String, String, String, String, String, Option<String>, String);

fn row_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?))
}

fn entry_of(
    (id, queue, scope, payload, idempotency_key, state, error, created_at): EntryRow,
) -> Result<OutboxEntry, ClientError> {
    Ok(OutboxEntry {
        id,
        queue,
        scope,
        payload,
        idempotency_key,
        // The table's CHECK allows only these two.
        state: if state == "failed" { EntryState::Failed } else { EntryState::Waiting },
        error: error.map(|json| decode("outbox error", &json)).transpose()?,
        created_at: DateTime::parse_from_rfc3339(&created_at)
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
    })
}

impl Client {
    /// How many queued sends wait for the backend.
    pub fn outbox_waiting(&self) -> usize {
        self.inner.cache.outbox_waiting_count().unwrap_or_else(|error| {
            tracing::warn!(%error, "could not read the outbox");
            0
        })
    }

    /// Sends what waits in the outbox, queue by queue, each scope in order. It stops at the first
    /// network failure (the rest stays waiting); entries the server refuses for good are marked
    /// failed and the next one is sent.
    pub async fn flush_outbox(&self) -> Result<FlushReport, ClientError> {
        let _order = self.inner.outbox_lock.lock().await;
        let mut report = FlushReport::default();
        for (queue, scope) in self.inner.cache.outbox_waiting_scopes()? {
            let outcome = match queue.as_str() {
                QUEUE_TIMETABLE => match scope.parse::<i64>() {
                    Ok(term) => self.flush_timetable_changes(TermId(term), true).await?,
                    Err(_) => {
                        tracing::warn!(%scope, "outbox scope is not a term id; skipped");
                        continue;
                    }
                },
                // Sent one at a time over the chat connection, which runs its own loop.
                QUEUE_CHAT => continue,
                other => {
                    // Written by a newer version of Pretzel; kept for it.
                    tracing::warn!(queue = other, "unknown outbox queue; skipped");
                    continue;
                }
            };
            report.sent += outcome.sent;
            report.failed += outcome.failed;
            if outcome.stopped {
                break;
            }
        }
        report.waiting = self.inner.cache.outbox_waiting_count()?;
        Ok(report)
    }

    /// The outbox's retry loop, run for the life of the app (the shell spawns it). While entries
    /// wait it flushes with a pause that doubles from [`RETRY_MIN`] to [`RETRY_MAX`]; when the
    /// backend answers again after being unreachable it flushes at once.
    pub async fn run_outbox(&self) {
        let mut pause = RETRY_MIN;
        loop {
            if self.outbox_waiting() > 0 && self.is_signed_in() {
                match self.flush_outbox().await {
                    Ok(report) if report.waiting == 0 => pause = RETRY_MIN,
                    Ok(report) => {
                        tracing::debug!(waiting = report.waiting, "outbox entries still wait");
                        pause = (pause * 2).min(RETRY_MAX);
                    }
                    Err(error) => {
                        tracing::info!(%error, "outbox flush failed");
                        pause = (pause * 2).min(RETRY_MAX);
                    }
                }
            }
            let sleep = if self.outbox_waiting() > 0 { pause } else { IDLE_CHECK };
            tokio::select! {
                () = self.inner.outbox_wakeup.notified() => pause = RETRY_MIN,
                () = tokio::time::sleep(sleep) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::CACHE_FILE_NAME;
    use pretzel_api::ErrorCode;
    use pretzel_api::shell::CommandErrorKind;

    #[test]
    fn test_entries_keep_their_order_state_and_error_across_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(CACHE_FILE_NAME);
        let cache = Cache::open(&path).expect("open");
        let first = cache.outbox_push(QUEUE_TIMETABLE, "4", &serde_json::json!({"n": 1})).expect("push");
        let second = cache.outbox_push(QUEUE_TIMETABLE, "4", &serde_json::json!({"n": 2})).expect("push");
        cache.outbox_push("chat", "room-1", &serde_json::json!({"text": "hi"})).expect("push");
        assert_ne!(first.idempotency_key, second.idempotency_key);
        let error = CommandError {
            kind: CommandErrorKind::Server,
            code: Some(ErrorCode::SectionGone),
            message: "The section was dropped.".into(),
            fields: vec![],
        };
        cache.outbox_fail(first.id, &error).expect("fail");
        drop(cache);

        let cache = Cache::open(&path).expect("reopen");
        let entries = cache.outbox_entries(QUEUE_TIMETABLE, "4").expect("entries");
        assert_eq!(entries.iter().map(|e| e.id).collect::<Vec<_>>(), [first.id, second.id]);
        assert_eq!((entries[0].state, entries[0].error.as_ref()), (EntryState::Failed, Some(&error)));
        assert_eq!((entries[1].state, entries[1].error.as_ref()), (EntryState::Waiting, None));
        assert_eq!(entries[1].payload, r#"{"n":2}"#);
        assert_eq!(cache.outbox_waiting_count().expect("count"), 2);
        assert_eq!(
            cache.outbox_waiting_scopes().expect("scopes"),
            [(QUEUE_TIMETABLE.to_owned(), "4".to_owned()), ("chat".to_owned(), "room-1".to_owned())]
        );
        cache.outbox_set_payload(second.id, r#"{"n":3}"#).expect("rewrite");
        assert_eq!(cache.outbox_entry(second.id).expect("read").map(|e| e.payload).as_deref(), Some(r#"{"n":3}"#));
        assert!(cache.outbox_remove(second.id).expect("remove"));
        assert!(!cache.outbox_remove(second.id).expect("remove twice"));
        cache.clear_student_data().expect("clear");
        assert_eq!(cache.outbox_entries(QUEUE_TIMETABLE, "4").expect("entries"), []);
    }
}
