//! The SQLite chat writer: one thread with a connection of its own that stores chat sends, all the
//! sends that arrived while it was busy in one transaction.
//!
//! Through the pool, a send cost four round trips to a connection's worker thread (begin, seq,
//! insert, commit) and a commit of its own; under a steady stream of sends that was a quarter of the
//! server's CPU. Here a send costs one hand-over each way, statements run from a prepared-statement
//! cache, and one commit covers every send waiting at the time (group commit), so the more sends
//! arrive together, the less each costs. Each send runs inside a savepoint: a refused or repeated
//! send is rolled back on its own, without a gap in its room's seqs, and the others commit.
//!
//! Writes to chat tables through the pool wait for the same lock ([`ChatWriteLock`]) as a batch here,
//! so that neither side sleeps in SQLite's busy handler waiting for the other.
//!
//! The writer never checkpoints: a second thread copies the write-ahead log into the database file
//! every second with a passive checkpoint, which waits for nobody. Run by the writer at SQLite's
//! default of 1,000 pages, a checkpoint held every send behind it for 4-5 ms about twice a second
//! under load, and left a quiet server's recent messages in the log alone.

use super::chat::{INSERT_MESSAGE, REPLY_IN_ROOM, STORE_SEQ};
use super::{DbError, SQLITE_CONNECTION_PRAGMAS, now_millis};
use pretzel_api::{MessageId, RoomId, UserId};
use rusqlite::{OpenFlags, OptionalExtension, params};
use std::path::Path;
use std::sync::{Arc, mpsc};
use tokio::sync::oneshot;

/// Orders this server's writes to the chat tables on SQLite (see the module doc).
pub(crate) type ChatWriteLock = Arc<tokio::sync::Mutex<()>>;

/// Sends stored in one transaction at most; more wait for the next.
const MAX_BATCH: usize = 256;

/// How often the write-ahead log is copied into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// One send, owned so that it can cross to the writer's thread.
#[derive(Debug)]
pub(crate) struct PendingSend {
    pub room_id: RoomId,
    pub author_id: UserId,
    pub client_msg_id: String,
    pub body: String,
    pub reply_to: Option<MessageId>,
    /// Mentioned members, as the JSON stored.
    pub mentions_json: String,
}

/// What became of one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Written {
    /// Stored now.
    Stored {
        /// The message's id.
        id: i64,
        /// Its seq in the room.
        seq: i64,
        /// The author's display name.
        author_name: String,
        /// When it was stored, Unix milliseconds.
        created_at: i64,
    },
    /// An earlier send with the same key is stored; nothing was added.
    Duplicate,
    /// No seq was taken: the room does not exist or the author is not a member.
    Refused,
    /// The message replied to is not in the room.
    UnknownReply,
}

struct Job {
    send: PendingSend,
    answer: oneshot::Sender<Result<Written, DbError>>,
}

/// The handle to the writer thread and its checkpointer; both end when the last handle is dropped.
#[derive(Debug)]
pub(crate) struct ChatWriter {
    jobs: mpsc::Sender<Job>,
    /// Never sent on: dropping it ends the checkpointer.
    _checkpoints: mpsc::Sender<()>,
}

impl ChatWriter {
    /// Opens a connection to the SQLite file at `path` (migrated already) and starts the thread.
    pub(crate) fn start(path: &Path, lock: ChatWriteLock) -> Result<Self, DbError> {
        let conn = open(path)?;
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
        let checkpointer = open(path)?;
        let (checkpoints, stop) = mpsc::channel();
        std::thread::Builder::new()
            .name("pretzel-chat-checkpoint".into())
            .spawn(move || checkpoint_until_stopped(&checkpointer, &stop))
            .map_err(DbError::ChatWriterStart)?;
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("pretzel-chat-writer".into())
            .spawn(move || run(&conn, &queue, &lock))
            .map_err(DbError::ChatWriterStart)?;
        Ok(Self { jobs, _checkpoints: checkpoints })
    }

    /// Stores `send` with the next batch and waits for its outcome.
    pub(crate) async fn write(&self, send: PendingSend) -> Result<Written, DbError> {
        let (answer, outcome) = oneshot::channel();
        self.jobs.send(Job { send, answer }).map_err(|_| DbError::ChatWriterGone)?;
        outcome.await.map_err(|_| DbError::ChatWriterGone)?
    }
}

/// A connection of this module's own to the SQLite file at `path`, set up as the pool's are.
fn open(path: &Path) -> Result<rusqlite::Connection, rusqlite::Error> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch(SQLITE_CONNECTION_PRAGMAS)?;
    Ok(conn)
}

/// Copies the write-ahead log into the database every [`CHECKPOINT_EVERY`] without waiting for
/// readers or the writer (a passive checkpoint), until `stop` is dropped.
fn checkpoint_until_stopped(conn: &rusqlite::Connection, stop: &mpsc::Receiver<()>) {
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY) {
        if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(%error, "chat checkpoint failed; the next one tries again");
        }
    }
}

fn run(conn: &rusqlite::Connection, queue: &mpsc::Receiver<Job>, lock: &tokio::sync::Mutex<()>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = queue.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcomes = {
            let _turn = lock.blocking_lock();
            write_batch(conn, &batch)
        };
        match outcomes {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    // The sender may have given up waiting (its connection closed); a stored message
                    // reaches it by resume all the same.
                    let _ = job.answer.send(outcome.map_err(DbError::from));
                }
            }
            Err(error) => {
                tracing::error!(%error, sends = batch.len(), "chat batch was not stored");
                let reason = error.to_string();
                for job in batch.drain(..) {
                    let _ = job.answer.send(Err(DbError::ChatBatch(reason.clone())));
                }
            }
        }
    }
}

/// One send's outcome, or the error that refused that send alone.
type SendOutcome = Result<Written, rusqlite::Error>;

/// Stores the sends of `batch` in one transaction. A send that fails is rolled back alone; an error
/// outside any one send (beginning, committing) fails them all, and nothing is stored.
fn write_batch(conn: &rusqlite::Connection, batch: &[Job]) -> Result<Vec<SendOutcome>, rusqlite::Error> {
    execute(conn, "BEGIN IMMEDIATE")?;
    let written = batch.iter().map(|job| write_one(conn, &job.send)).collect::<Result<Vec<_>, _>>();
    let committed = written.and_then(|written| execute(conn, "COMMIT").map(|()| written));
    if committed.is_err() {
        // Leaves the connection outside any transaction for the next batch.
        let _ = conn.execute_batch("ROLLBACK");
    }
    committed
}

/// Stores one send inside the batch's transaction, in a savepoint of its own: whatever keeps it from
/// being stored takes back what it wrote (its seq above all, so that readers never see a gap).
fn write_one(conn: &rusqlite::Connection, send: &PendingSend) -> Result<SendOutcome, rusqlite::Error> {
    execute(conn, "SAVEPOINT send")?;
    let outcome = store(conn, send);
    if !matches!(outcome, Ok(Written::Stored { .. })) {
        execute(conn, "ROLLBACK TO send")?;
    }
    execute(conn, "RELEASE send")?;
    Ok(outcome)
}

/// Runs a statement without parameters from the connection's statement cache.
fn execute(conn: &rusqlite::Connection, sql: &str) -> Result<(), rusqlite::Error> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

fn store(conn: &rusqlite::Connection, send: &PendingSend) -> Result<Written, rusqlite::Error> {
    let taken = conn
        .prepare_cached(STORE_SEQ)?
        .query_row(params![send.room_id.0, send.author_id.0], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((seq, author_name)) = taken else {
        return Ok(Written::Refused);
    };
    if let Some(reply_to) = send.reply_to {
        let found = conn
            .prepare_cached(REPLY_IN_ROOM)?
            .query_row(params![reply_to.0, send.room_id.0], |_| Ok(()))
            .optional()?;
        if found.is_none() {
            return Ok(Written::UnknownReply);
        }
    }
    let created_at = now_millis();
    let id = conn
        .prepare_cached(INSERT_MESSAGE)?
        .query_row(
            params![
                send.room_id.0,
                seq,
                send.author_id.0,
                send.client_msg_id,
                send.body,
                send.reply_to.map(|m| m.0),
                send.mentions_json,
                created_at
            ],
            |row| row.get::<_, i64>(0),
        )
        .optional()?;
    Ok(match id {
        Some(id) => Written::Stored { id, seq, author_name, created_at },
        None => Written::Duplicate,
    })
}
