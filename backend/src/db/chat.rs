//! Queries over the chat tables: rooms (created lazily per course offering), messages with their
//! per-room sequence, read markers, and room membership.
//!
//! Membership is never stored. A student is a member of a course's room exactly while a section of
//! that course is in their primary timetable of its term, and every query here joins the timetable
//! tables at the moment it asks ([`MEMBER_COURSES`], [`COURSE_MEMBER_COUNT`]), so a timetable edit
//! changes membership with nothing else to update.
//!
//! Sequence numbers are assigned by `UPDATE rooms SET last_seq = last_seq + 1 … RETURNING` inside the
//! storing transaction: the first statement takes SQLite's write lock or PostgreSQL's row lock on the
//! room, so seqs are handed out one at a time in commit order and a rolled-back send leaves no gap.

use super::chat_writer::{ChatWriter, PendingSend, Written};
use super::{Db, DbError, Engine, classify, now_millis};
use chrono::{DateTime, Utc};
use pretzel_api::{ChatMessage, MessageId, RoomId, RoomSummary, TermId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The courses whose room `$1` (a user id) is a member of.
const MEMBER_COURSES: &str = "SELECT s.course_id FROM timetables t \
     JOIN timetable_sections ts ON ts.timetable_id = t.id \
     JOIN sections s ON s.id = ts.section_id \
     WHERE t.user_id = $1 AND t.is_primary = 1";

/// The number of members of the course `c.id` (a scalar subquery inside a query that names `c`).
const COURSE_MEMBER_COUNT: &str = "SELECT COUNT(DISTINCT t.user_id) FROM sections s \
     JOIN timetable_sections ts ON ts.section_id = s.id \
     JOIN timetables t ON t.id = ts.timetable_id \
     WHERE s.course_id = c.id AND t.is_primary = 1";

/// Leaves out the authors user `$1` blocks (appended to a condition on `m`).
const NOT_BLOCKED_BY_1: &str = "m.author_id NOT IN (SELECT b.blocked_id FROM user_blocks b WHERE b.blocker_id = $1)";

const MESSAGE_COLUMNS: &str = "m.id, m.room_id, m.seq, m.author_id, u.display_name AS author_name, m.client_msg_id, \
     m.body, m.reply_to, m.mentions, m.created_at, m.edited_at, m.deleted_at, m.revision";

/// The message `new` became when stored with `id` and `seq`: built, not read back.
fn stored_message(
    new: &NewMessage<'_>,
    id: i64,
    seq: i64,
    author_name: String,
    created_at: i64,
) -> Result<StoreOutcome, DbError> {
    Ok(StoreOutcome::Stored(ChatMessage {
        id: MessageId(id),
        room_id: new.room_id,
        seq: to_u64(seq, "seq")?,
        author_id: new.author_id,
        author_name,
        client_msg_id: new.client_msg_id.to_owned(),
        body: new.body.to_owned(),
        reply_to: new.reply_to,
        mentions: new.mentions.to_vec(),
        created_at: time(created_at)?,
        edited_at: None,
        deleted: false,
        revision: 0,
    }))
}

/// Takes the room's next seq if `$2` (a user id) is a member of room `$1`, and returns it with the
/// member's display name. Its placeholders are numbered in the order they first appear, so that
/// rusqlite's positional parameters bind them too (SQLite numbers `$N` names by first appearance).
pub(super) const STORE_SEQ: &str = "UPDATE rooms SET last_seq = last_seq + 1 \
     WHERE id = $1 AND EXISTS (SELECT 1 FROM sections s \
         JOIN timetable_sections ts ON ts.section_id = s.id \
         JOIN timetables t ON t.id = ts.timetable_id \
         WHERE s.course_id = rooms.course_id AND t.user_id = $2 AND t.is_primary = 1) \
     RETURNING last_seq, (SELECT display_name FROM users WHERE id = $2) AS author_name";

/// Stores a message with its seq (`$2`), or returns nothing if its author already stored one with
/// the same key; placeholders in order of first appearance, as for [`STORE_SEQ`].
pub(super) const INSERT_MESSAGE: &str = "INSERT INTO messages (room_id, seq, author_id, client_msg_id, body, reply_to, mentions, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (room_id, author_id, client_msg_id) DO NOTHING RETURNING id";

/// Finds message `$1` in room `$2`: a reply must answer a message of its own room.
pub(super) const REPLY_IN_ROOM: &str = "SELECT id FROM messages WHERE id = $1 AND room_id = $2";

/// What a student may do in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomAccess {
    /// No room has this id.
    Unknown,
    /// The room exists; its course is not in the student's primary timetable.
    NotMember,
    /// The student is a member.
    Member,
}

/// A message to store.
#[derive(Debug)]
pub struct NewMessage<'a> {
    /// The room; storing refuses the message unless the author is a member of it.
    pub room_id: RoomId,
    /// The author.
    pub author_id: UserId,
    /// The author's idempotency key.
    pub client_msg_id: &'a str,
    /// The validated body.
    pub body: &'a str,
    /// The message replied to; must be in the same room.
    pub reply_to: Option<MessageId>,
    /// Mentioned users, already narrowed to members.
    pub mentions: &'a [UserId],
}

/// What storing a message led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreOutcome {
    /// Stored now, with the next seq.
    Stored(ChatMessage),
    /// An earlier send with the same `client_msg_id` stored this one; nothing was added.
    Duplicate(ChatMessage),
    /// `reply_to` names no message of this room.
    UnknownReply,
    /// The room does not exist.
    UnknownRoom,
    /// The author is not a member of the room.
    NotMember,
}

/// What an edit or deletion led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// Changed; the message as it is now.
    Updated(ChatMessage),
    /// No such message.
    Unknown,
    /// Someone else wrote it.
    NotAuthor,
    /// It was deleted before (an edit is refused; a second deletion answers this too).
    AlreadyDeleted,
}

/// A room member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    /// The student.
    pub user_id: UserId,
    /// Their display name.
    pub display_name: String,
}

fn to_u64(value: i64, what: &str) -> Result<u64, DbError> {
    u64::try_from(value).map_err(|_| DbError::Corrupt(format!("negative {what}: {value}")))
}

fn to_u32(value: i64, what: &str) -> Result<u32, DbError> {
    u32::try_from(value).map_err(|_| DbError::Corrupt(format!("{what} out of range: {value}")))
}

fn to_i64(value: u64) -> i64 {
    // Seqs come from the database as i64, so a client's value above i64::MAX names nothing stored.
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn time(ms: i64) -> Result<DateTime<Utc>, DbError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| DbError::Corrupt(format!("timestamp out of range: {ms}")))
}

fn row_to_message(row: &AnyRow) -> Result<ChatMessage, DbError> {
    let mentions: String = row.try_get("mentions")?;
    let mentions: Vec<UserId> =
        serde_json::from_str(&mentions).map_err(|e| DbError::Corrupt(format!("message mentions: {e}")))?;
    let deleted_at: Option<i64> = row.try_get("deleted_at")?;
    let edited_at: Option<i64> = row.try_get("edited_at")?;
    Ok(ChatMessage {
        id: MessageId(row.try_get("id")?),
        room_id: RoomId(row.try_get("room_id")?),
        seq: to_u64(row.try_get("seq")?, "seq")?,
        author_id: UserId(row.try_get("author_id")?),
        author_name: row.try_get("author_name")?,
        client_msg_id: row.try_get("client_msg_id")?,
        body: row.try_get("body")?,
        reply_to: row.try_get::<Option<i64>, _>("reply_to")?.map(MessageId),
        mentions,
        created_at: time(row.try_get("created_at")?)?,
        edited_at: edited_at.map(time).transpose()?,
        deleted: deleted_at.is_some(),
        revision: to_u32(row.try_get("revision")?, "revision")?,
    })
}

impl Db {
    /// Waits for this server's turn to write chat data, on SQLite; PostgreSQL locks rows itself.
    ///
    /// SQLite takes one writer at a time, and a writer that finds the database locked sleeps in
    /// SQLite's busy handler (1 ms, 2 ms, 5 ms, … up to 100 ms a try), which under a steady stream of
    /// sends costs tens of milliseconds; waiting in line here costs none.
    async fn sqlite_writer(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.engine() {
            Engine::Sqlite => Some(self.chat_lock.lock().await),
            Engine::Postgres => None,
        }
    }

    /// The rooms `user` is a member of, creating the rooms of member courses that have none yet.
    pub async fn member_room_ids(&self, user: UserId) -> Result<Vec<RoomId>, DbError> {
        let query = format!(
            "SELECT DISTINCT mc.course_id, r.id AS room_id FROM ({MEMBER_COURSES}) mc \
             LEFT JOIN rooms r ON r.course_id = mc.course_id"
        );
        let rows = sqlx::query(&query).bind(user.0).fetch_all(self.pool()).await?;
        let mut ids = Vec::with_capacity(rows.len());
        let mut missing = false;
        for row in &rows {
            match row.try_get::<Option<i64>, _>("room_id")? {
                Some(id) => ids.push(RoomId(id)),
                None => missing = true,
            }
        }
        if !missing {
            return Ok(ids);
        }
        // Written only when a room is missing: an INSERT would take SQLite's write lock every time.
        sqlx::query(&format!(
            "INSERT INTO rooms (course_id, last_seq, created_at) \
             SELECT DISTINCT mc.course_id, 0, $2 FROM ({MEMBER_COURSES}) mc \
             WHERE NOT EXISTS (SELECT 1 FROM rooms r WHERE r.course_id = mc.course_id) \
             ON CONFLICT (course_id) DO NOTHING"
        ))
        .bind(user.0)
        .bind(now_millis())
        .execute(self.pool())
        .await?;
        let rows = sqlx::query(&format!(
            "SELECT DISTINCT r.id FROM rooms r WHERE r.course_id IN ({MEMBER_COURSES}) ORDER BY r.id"
        ))
        .bind(user.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| Ok(RoomId(row.try_get("id")?))).collect()
    }

    /// The room list of `user`, newest activity first (`online_count` is left 0: presence is not
    /// stored). Call [`Db::member_room_ids`] first so every member course has its room.
    pub async fn room_summaries(&self, user: UserId) -> Result<Vec<RoomSummary>, DbError> {
        let rows = sqlx::query(&format!(
            "SELECT r.id, c.term_id, c.course_code, c.title, r.last_seq, r.created_at, \
                    COALESCE(rm.last_read_seq, 0) AS read_seq, \
                    ({COURSE_MEMBER_COUNT}) AS member_count, \
                    (SELECT COUNT(*) FROM messages m WHERE m.room_id = r.id \
                        AND m.seq > COALESCE(rm.last_read_seq, 0) AND m.author_id <> $1 \
                        AND m.deleted_at IS NULL AND {NOT_BLOCKED_BY_1}) AS unread \
             FROM rooms r JOIN courses c ON c.id = r.course_id \
             LEFT JOIN read_markers rm ON rm.room_id = r.id AND rm.user_id = $1 \
             WHERE r.course_id IN ({MEMBER_COURSES})"
        ))
        .bind(user.0)
        .fetch_all(self.pool())
        .await?;
        let last_messages = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id \
             JOIN rooms r ON r.id = m.room_id AND m.seq = r.last_seq \
             WHERE r.course_id IN ({MEMBER_COURSES})"
        ))
        .bind(user.0)
        .fetch_all(self.pool())
        .await?;
        let mut last_by_room = std::collections::HashMap::new();
        for row in &last_messages {
            let message = row_to_message(row)?;
            last_by_room.insert(message.room_id, message);
        }
        let mut rooms = Vec::with_capacity(rows.len());
        let mut created = std::collections::HashMap::new();
        for row in &rows {
            let room_id = RoomId(row.try_get("id")?);
            created.insert(room_id, row.try_get::<i64, _>("created_at")?);
            rooms.push(RoomSummary {
                room_id,
                term_id: TermId(row.try_get("term_id")?),
                course_code: row.try_get("course_code")?,
                title: row.try_get("title")?,
                member_count: to_u32(row.try_get("member_count")?, "member count")?,
                online_count: 0,
                last_message: last_by_room.remove(&room_id),
                last_seq: to_u64(row.try_get("last_seq")?, "last_seq")?,
                read_seq: to_u64(row.try_get("read_seq")?, "read_seq")?,
                unread: to_u32(row.try_get("unread")?, "unread")?,
            });
        }
        let activity = |room: &RoomSummary| {
            room.last_message
                .as_ref()
                .map(|m| m.created_at.timestamp_millis())
                .unwrap_or_else(|| created.get(&room.room_id).copied().unwrap_or(0))
        };
        rooms.sort_by(|a, b| activity(b).cmp(&activity(a)).then_with(|| a.course_code.cmp(&b.course_code)));
        Ok(rooms)
    }

    /// Whether `room` exists and `user` is a member of it, asked of the timetables now.
    pub async fn room_access(&self, room: RoomId, user: UserId) -> Result<RoomAccess, DbError> {
        let row = sqlx::query(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM sections s \
                 JOIN timetable_sections ts ON ts.section_id = s.id \
                 JOIN timetables t ON t.id = ts.timetable_id \
                 WHERE s.course_id = r.course_id AND t.user_id = $2 AND t.is_primary = 1) THEN 1 ELSE 0 END AS member \
             FROM rooms r WHERE r.id = $1",
        )
        .bind(room.0)
        .bind(user.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            None => RoomAccess::Unknown,
            Some(row) if row.try_get::<i64, _>("member")? == 1 => RoomAccess::Member,
            Some(_) => RoomAccess::NotMember,
        })
    }

    /// The members of `room` by display name.
    pub async fn room_members(&self, room: RoomId) -> Result<Vec<MemberRecord>, DbError> {
        let rows = sqlx::query(
            "SELECT DISTINCT u.id, u.display_name FROM rooms r \
             JOIN sections s ON s.course_id = r.course_id \
             JOIN timetable_sections ts ON ts.section_id = s.id \
             JOIN timetables t ON t.id = ts.timetable_id AND t.is_primary = 1 \
             JOIN users u ON u.id = t.user_id \
             WHERE r.id = $1 ORDER BY u.display_name, u.id",
        )
        .bind(room.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(MemberRecord { user_id: UserId(row.try_get("id")?), display_name: row.try_get("display_name")? })
            })
            .collect()
    }

    /// Stores a message of a member of its room with the room's next seq, or finds the one an earlier
    /// send with the same `client_msg_id` stored.
    ///
    /// Membership is checked by the statement that takes the seq, and the stored message is built
    /// here rather than read back: a send costs four statements (begin, seq, insert, commit), which
    /// is most of what a message costs the server.
    pub async fn store_message(&self, new: &NewMessage<'_>) -> Result<StoreOutcome, DbError> {
        let mentions = serde_json::to_string(new.mentions).map_err(|e| DbError::Corrupt(e.to_string()))?;
        if let Some(writer) = &self.chat_writer {
            return self.store_through_writer(writer, new, mentions).await;
        }
        let _writer = self.sqlite_writer().await;
        let mut tx = self.pool().begin().await?;
        // The write comes first: it takes the lock that orders this room's sends (see the module doc),
        // which also makes the duplicate check of the insert race-free.
        let taken = sqlx::query(STORE_SEQ).bind(new.room_id.0).bind(new.author_id.0).fetch_optional(&mut *tx).await?;
        let Some(taken) = taken else {
            drop(tx);
            return self.refusal(new).await;
        };
        let seq: i64 = taken.try_get("last_seq")?;
        let author_name: String = taken.try_get("author_name")?;
        if let Some(reply_to) = new.reply_to {
            let found: Option<i64> =
                sqlx::query_scalar(REPLY_IN_ROOM).bind(reply_to.0).bind(new.room_id.0).fetch_optional(&mut *tx).await?;
            if found.is_none() {
                return Ok(StoreOutcome::UnknownReply);
            }
        }
        let created_at = now_millis();
        let id: Option<i64> = sqlx::query_scalar(INSERT_MESSAGE)
            .bind(new.room_id.0)
            .bind(seq)
            .bind(new.author_id.0)
            .bind(new.client_msg_id)
            .bind(new.body)
            .bind(new.reply_to.map(|m| m.0))
            .bind(&mentions)
            .bind(created_at)
            .fetch_optional(&mut *tx)
            .await
            .map_err(classify)?;
        let Some(id) = id else {
            // An earlier send with this key stored the message: rolling back returns the seq.
            tx.rollback().await?;
            return self.stored_duplicate(new).await;
        };
        tx.commit().await?;
        stored_message(new, id, seq, author_name, created_at)
    }

    /// [`Db::store_message`] on a SQLite file: the writer thread stores it with whatever else is
    /// waiting, and the rare outcomes that need a read are read here.
    async fn store_through_writer(
        &self,
        writer: &ChatWriter,
        new: &NewMessage<'_>,
        mentions_json: String,
    ) -> Result<StoreOutcome, DbError> {
        let send = PendingSend {
            room_id: new.room_id,
            author_id: new.author_id,
            client_msg_id: new.client_msg_id.to_owned(),
            body: new.body.to_owned(),
            reply_to: new.reply_to,
            mentions_json,
        };
        match writer.write(send).await? {
            Written::Stored { id, seq, author_name, created_at } => {
                stored_message(new, id, seq, author_name, created_at)
            }
            Written::Duplicate => self.stored_duplicate(new).await,
            Written::UnknownReply => Ok(StoreOutcome::UnknownReply),
            Written::Refused => self.refusal(new).await,
        }
    }

    /// Why the statement that takes the seq refused `new`: asked only then, as it costs a read.
    async fn refusal(&self, new: &NewMessage<'_>) -> Result<StoreOutcome, DbError> {
        Ok(match self.room_access(new.room_id, new.author_id).await? {
            RoomAccess::Unknown => StoreOutcome::UnknownRoom,
            RoomAccess::NotMember | RoomAccess::Member => StoreOutcome::NotMember,
        })
    }

    /// The message an earlier send with `new`'s key stored.
    async fn stored_duplicate(&self, new: &NewMessage<'_>) -> Result<StoreOutcome, DbError> {
        let existing = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id \
             WHERE m.room_id = $1 AND m.author_id = $2 AND m.client_msg_id = $3"
        ))
        .bind(new.room_id.0)
        .bind(new.author_id.0)
        .bind(new.client_msg_id)
        .fetch_one(self.pool())
        .await?;
        Ok(StoreOutcome::Duplicate(row_to_message(&existing)?))
    }

    /// Up to `limit` messages of `room` with `seq > after`, oldest first.
    pub async fn messages_after(&self, room: RoomId, after: u64, limit: u32) -> Result<Vec<ChatMessage>, DbError> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id \
             WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
        ))
        .bind(room.0)
        .bind(to_i64(after))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_to_message).collect()
    }

    /// The messages of `room` with `after < seq < before`, oldest first (fills a gap in a live stream).
    pub async fn messages_between(&self, room: RoomId, after: u64, before: u64) -> Result<Vec<ChatMessage>, DbError> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id \
             WHERE m.room_id = $1 AND m.seq > $2 AND m.seq < $3 ORDER BY m.seq"
        ))
        .bind(room.0)
        .bind(to_i64(after))
        .bind(to_i64(before))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_to_message).collect()
    }

    /// One page of history as `viewer` sees it (without the authors they block): up to `limit`
    /// messages of `room` with `seq < before` (the newest when `before` is `None`), oldest first, and
    /// whether older ones exist.
    pub async fn messages_before(
        &self,
        viewer: UserId,
        room: RoomId,
        before: Option<u64>,
        limit: u32,
    ) -> Result<(Vec<ChatMessage>, bool), DbError> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id \
             WHERE m.room_id = $2 AND m.seq < $3 AND {NOT_BLOCKED_BY_1} ORDER BY m.seq DESC LIMIT $4"
        ))
        .bind(viewer.0)
        .bind(room.0)
        .bind(before.map(to_i64).unwrap_or(i64::MAX))
        .bind(i64::from(limit) + 1)
        .fetch_all(self.pool())
        .await?;
        let has_more = rows.len() > limit as usize;
        let mut messages = rows.iter().take(limit as usize).map(row_to_message).collect::<Result<Vec<_>, _>>()?;
        messages.reverse();
        Ok((messages, has_more))
    }

    /// The message with this id, if any.
    pub async fn message(&self, id: MessageId) -> Result<Option<ChatMessage>, DbError> {
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id WHERE m.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(row_to_message).transpose()
    }

    /// Replaces the body of `author`'s message `id` (`Some(body)`), or deletes it (`None`: the body
    /// is erased). Either bumps the revision.
    pub async fn update_message(
        &self,
        id: MessageId,
        author: UserId,
        body: Option<&str>,
    ) -> Result<UpdateOutcome, DbError> {
        let now = now_millis();
        let _writer = self.sqlite_writer().await;
        let mut tx = self.pool().begin().await?;
        let updated = match body {
            Some(body) => {
                sqlx::query(
                    "UPDATE messages SET body = $1, edited_at = $2, revision = revision + 1 \
                     WHERE id = $3 AND author_id = $4 AND deleted_at IS NULL",
                )
                .bind(body)
                .bind(now)
                .bind(id.0)
                .bind(author.0)
                .execute(&mut *tx)
                .await?
            }
            None => {
                sqlx::query(
                    "UPDATE messages SET body = '', deleted_at = $1, revision = revision + 1 \
                     WHERE id = $2 AND author_id = $3 AND deleted_at IS NULL",
                )
                .bind(now)
                .bind(id.0)
                .bind(author.0)
                .execute(&mut *tx)
                .await?
            }
        };
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id WHERE m.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(UpdateOutcome::Unknown);
        };
        let message = row_to_message(&row)?;
        if updated.rows_affected() == 0 {
            return Ok(if message.author_id != author {
                UpdateOutcome::NotAuthor
            } else {
                UpdateOutcome::AlreadyDeleted
            });
        }
        tx.commit().await?;
        Ok(UpdateOutcome::Updated(message))
    }

    /// Moves `user`'s read marker in `room` forward to `seq` (capped at the room's last seq; a marker
    /// never moves back). Returns the marker now in effect and the unread count it leaves.
    pub async fn mark_read(&self, user: UserId, room: RoomId, seq: u64) -> Result<(u64, u32), DbError> {
        let writer = self.sqlite_writer().await;
        sqlx::query(
            "INSERT INTO read_markers (user_id, room_id, last_read_seq, updated_at) \
             SELECT $1, r.id, CASE WHEN $3 < r.last_seq THEN $3 ELSE r.last_seq END, $4 FROM rooms r WHERE r.id = $2 \
             ON CONFLICT (user_id, room_id) DO UPDATE SET \
                 last_read_seq = CASE WHEN excluded.last_read_seq > read_markers.last_read_seq \
                     THEN excluded.last_read_seq ELSE read_markers.last_read_seq END, \
                 updated_at = excluded.updated_at",
        )
        .bind(user.0)
        .bind(room.0)
        .bind(to_i64(seq))
        .bind(now_millis())
        .execute(self.pool())
        .await?;
        drop(writer);
        let row = sqlx::query(&format!(
            "SELECT rm.last_read_seq, (SELECT COUNT(*) FROM messages m WHERE m.room_id = rm.room_id \
                 AND m.seq > rm.last_read_seq AND m.author_id <> rm.user_id AND m.deleted_at IS NULL \
                 AND {NOT_BLOCKED_BY_1}) AS unread \
             FROM read_markers rm WHERE rm.user_id = $1 AND rm.room_id = $2"
        ))
        .bind(user.0)
        .bind(room.0)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => {
                Ok((to_u64(row.try_get("last_read_seq")?, "read seq")?, to_u32(row.try_get("unread")?, "unread")?))
            }
            None => Ok((0, 0)),
        }
    }

    /// The students `user` blocks, by id.
    pub async fn blocked_users(&self, user: UserId) -> Result<Vec<UserId>, DbError> {
        let rows = sqlx::query("SELECT blocked_id FROM user_blocks WHERE blocker_id = $1 ORDER BY blocked_id")
            .bind(user.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok(UserId(row.try_get("blocked_id")?))).collect()
    }

    /// Makes `blocker` block `blocked` (again is fine); `false` when no student has the id `blocked`.
    pub async fn block_user(&self, blocker: UserId, blocked: UserId) -> Result<bool, DbError> {
        let done = sqlx::query(
            "INSERT INTO user_blocks (blocker_id, blocked_id, created_at) \
             SELECT $1, u.id, $3 FROM users u WHERE u.id = $2 \
             ON CONFLICT (blocker_id, blocked_id) DO NOTHING",
        )
        .bind(blocker.0)
        .bind(blocked.0)
        .bind(now_millis())
        .execute(self.pool())
        .await?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(blocked.0)
            .fetch_optional(self.pool())
            .await?;
        Ok(exists.is_some())
    }

    /// Ends `blocker`'s block of `blocked`, if there was one.
    pub async fn unblock_user(&self, blocker: UserId, blocked: UserId) -> Result<(), DbError> {
        sqlx::query("DELETE FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2")
            .bind(blocker.0)
            .bind(blocked.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records `reporter`'s report of `message` for moderators; a second report of the same message
    /// by the same student keeps the first.
    pub async fn report_message(&self, message: MessageId, reporter: UserId, reason: &str) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO message_reports (message_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (message_id, reporter_id) DO NOTHING",
        )
        .bind(message.0)
        .bind(reporter.0)
        .bind(reason)
        .bind(now_millis())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The ids among `candidates` that are members of `room`.
    pub async fn members_among(&self, room: RoomId, candidates: &[UserId]) -> Result<Vec<UserId>, DbError> {
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let members = self.room_members(room).await?;
        Ok(candidates.iter().copied().filter(|id| members.iter().any(|m| m.user_id == *id)).collect())
    }
}
