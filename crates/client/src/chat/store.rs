//! Chat's part of the offline cache: the room list with each room's mute and resume cursor, and
//! every message seen, keyed by room and seq, keeping the highest revision of each (migration 3 in
//! [`crate::cache`]).

use crate::cache::{Cache, decode, encode};
use crate::error::ClientError;
use pretzel_api::{ChatMessage, MessageId, RoomCursor, RoomId, RoomSummary};
use rusqlite::{OptionalExtension, params};

/// A room as the cache holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoom {
    /// The server's summary as last seen (kept current with live messages and read markers).
    pub summary: RoomSummary,
    /// The student muted its notifications.
    pub muted: bool,
    /// The last seq held contiguously from the server's stream; `None` before the first sync.
    pub cursor: Option<u64>,
}

fn sql_seq(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn seq_of(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

type RoomRow = (String, bool, Option<i64>);

fn room_of((summary, muted, cursor): RoomRow) -> Result<StoredRoom, ClientError> {
    Ok(StoredRoom { summary: decode("chat room", &summary)?, muted, cursor: cursor.map(seq_of) })
}

impl Cache {
    /// Replaces the room list with `rooms` (in the server's order), keeping each listed room's mute and
    /// cursor. Rooms no longer listed are forgotten with their messages: the student left the course.
    pub fn chat_save_rooms(&self, rooms: &[RoomSummary]) -> Result<(), ClientError> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        let listed: Vec<i64> = rooms.iter().map(|room| room.room_id.0).collect();
        let known: Vec<i64> = {
            let mut statement = transaction.prepare("SELECT room_id FROM chat_rooms")?;
            let rows = statement.query_map([], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for gone in known.iter().filter(|id| !listed.contains(id)) {
            transaction.execute("DELETE FROM chat_rooms WHERE room_id = ?1", [gone])?;
            transaction.execute("DELETE FROM chat_messages WHERE room_id = ?1", [gone])?;
        }
        for (position, room) in (0_i64..).zip(rooms) {
            transaction.execute(
                "INSERT INTO chat_rooms (room_id, summary, position) VALUES (?1, ?2, ?3)
                 ON CONFLICT (room_id) DO UPDATE SET summary = excluded.summary, position = excluded.position",
                params![room.room_id.0, encode("chat room", room)?, position],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Every room, in the server's last order.
    pub fn chat_rooms(&self) -> Result<Vec<StoredRoom>, ClientError> {
        let connection = self.lock();
        let mut statement = connection.prepare("SELECT summary, muted, cursor FROM chat_rooms ORDER BY position")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        rows.map(|row| row.map_err(ClientError::from).and_then(room_of)).collect()
    }

    /// One room.
    pub fn chat_room(&self, room: RoomId) -> Result<Option<StoredRoom>, ClientError> {
        let row: Option<RoomRow> = self
            .lock()
            .query_row("SELECT summary, muted, cursor FROM chat_rooms WHERE room_id = ?1", [room.0], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        row.map(room_of).transpose()
    }

    /// Rewrites a room's summary; `false` when the room is not cached.
    pub fn chat_save_summary(&self, summary: &RoomSummary) -> Result<bool, ClientError> {
        let changed = self.lock().execute(
            "UPDATE chat_rooms SET summary = ?2 WHERE room_id = ?1",
            params![summary.room_id.0, encode("chat room", summary)?],
        )?;
        Ok(changed > 0)
    }

    /// Mutes or unmutes a room; `false` when the room is not cached.
    pub fn chat_set_muted(&self, room: RoomId, muted: bool) -> Result<bool, ClientError> {
        Ok(self.lock().execute("UPDATE chat_rooms SET muted = ?2 WHERE room_id = ?1", params![room.0, muted])? > 0)
    }

    /// Sets a room's resume cursor.
    pub fn chat_set_cursor(&self, room: RoomId, last_seq: u64) -> Result<(), ClientError> {
        self.lock()
            .execute("UPDATE chat_rooms SET cursor = ?2 WHERE room_id = ?1", params![room.0, sql_seq(last_seq)])?;
        Ok(())
    }

    /// The cursor of every room synced at least once, for the next hello.
    pub fn chat_cursors(&self) -> Result<Vec<RoomCursor>, ClientError> {
        let connection = self.lock();
        let mut statement =
            connection.prepare("SELECT room_id, cursor FROM chat_rooms WHERE cursor IS NOT NULL ORDER BY position")?;
        let rows = statement
            .query_map([], |row| Ok(RoomCursor { room_id: RoomId(row.get(0)?), last_seq: seq_of(row.get(1)?) }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a message unless a higher revision of it is held; `true` when the stored copy changed
    /// (or was already this one).
    pub fn chat_save_message(&self, message: &ChatMessage) -> Result<bool, ClientError> {
        let changed = self.lock().execute(
            "INSERT INTO chat_messages (room_id, seq, message_id, client_msg_id, revision, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (room_id, seq) DO UPDATE SET
                 message_id = excluded.message_id, client_msg_id = excluded.client_msg_id,
                 revision = excluded.revision, json = excluded.json
             WHERE excluded.revision >= chat_messages.revision",
            params![
                message.room_id.0,
                sql_seq(message.seq),
                message.id.0,
                message.client_msg_id,
                message.revision,
                encode("chat message", message)?
            ],
        )?;
        Ok(changed > 0)
    }

    /// One message by id.
    pub fn chat_message(&self, id: MessageId) -> Result<Option<ChatMessage>, ClientError> {
        let json: Option<String> = self
            .lock()
            .query_row("SELECT json FROM chat_messages WHERE message_id = ?1", [id.0], |row| row.get(0))
            .optional()?;
        json.map(|json| decode("chat message", &json)).transpose()
    }

    /// Up to `limit` messages of `room` with a seq below `before_seq` (all when `None`), the newest
    /// of them, oldest first.
    pub fn chat_messages_before(
        &self,
        room: RoomId,
        before_seq: Option<u64>,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, ClientError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare("SELECT json FROM chat_messages WHERE room_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3")?;
        let before = before_seq.map_or(i64::MAX, sql_seq);
        let rows = statement.query_map(params![room.0, before, limit], |row| row.get::<_, String>(0))?;
        let mut messages = rows
            .map(|json| json.map_err(ClientError::from).and_then(|json| decode("chat message", &json)))
            .collect::<Result<Vec<ChatMessage>, _>>()?;
        messages.reverse();
        Ok(messages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::CACHE_FILE_NAME;
    use chrono::{DateTime, Utc};
    use pretzel_api::{TermId, UserId};

    pub(crate) fn summary(room: i64, last_seq: u64) -> RoomSummary {
        RoomSummary {
            room_id: RoomId(room),
            term_id: TermId(1),
            course_code: format!("CS {room}"),
            title: "Data Structures".into(),
            member_count: 2,
            online_count: 1,
            last_message: None,
            last_seq,
            read_seq: 0,
            unread: 0,
        }
    }

    fn message(room: i64, seq: u64, revision: u32, body: &str) -> ChatMessage {
        ChatMessage {
            id: MessageId(room * 1000 + i64::try_from(seq).expect("small")),
            room_id: RoomId(room),
            seq,
            author_id: UserId(1),
            author_name: "Ana".into(),
            client_msg_id: format!("c-{seq}"),
            body: body.into(),
            reply_to: None,
            mentions: vec![],
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            edited_at: None,
            deleted: false,
            revision,
        }
    }

    #[test]
    fn test_rooms_keep_mute_and_cursor_and_forget_rooms_left() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join(CACHE_FILE_NAME)).expect("open");
        cache.chat_save_rooms(&[summary(1, 0), summary(2, 0)]).expect("save");
        assert!(cache.chat_set_muted(RoomId(2), true).expect("mute"));
        cache.chat_set_cursor(RoomId(2), 7).expect("cursor");
        cache.chat_save_message(&message(1, 1, 0, "hi")).expect("message");
        cache.chat_save_rooms(&[summary(2, 9), summary(3, 0)]).expect("replace");
        let rooms = cache.chat_rooms().expect("rooms");
        assert_eq!(rooms.iter().map(|r| r.summary.room_id.0).collect::<Vec<_>>(), [2, 3]);
        assert_eq!((rooms[0].muted, rooms[0].cursor, rooms[0].summary.last_seq), (true, Some(7), 9));
        assert_eq!((rooms[1].muted, rooms[1].cursor), (false, None));
        assert_eq!(cache.chat_cursors().expect("cursors"), [RoomCursor { room_id: RoomId(2), last_seq: 7 }]);
        assert_eq!(cache.chat_messages_before(RoomId(1), None, 10).expect("read"), [], "room 1 was left");
        cache.clear_student_data().expect("clear");
        assert_eq!(cache.chat_rooms().expect("rooms"), []);
    }

    #[test]
    fn test_messages_keep_the_highest_revision_and_page_backwards() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join(CACHE_FILE_NAME)).expect("open");
        for seq in 1..=5 {
            cache.chat_save_message(&message(1, seq, 0, "v0")).expect("save");
        }
        assert!(cache.chat_save_message(&message(1, 3, 2, "v2")).expect("newer"));
        assert!(!cache.chat_save_message(&message(1, 3, 1, "v1")).expect("older is ignored"));
        assert_eq!(cache.chat_message(MessageId(1003)).expect("read").map(|m| m.body).as_deref(), Some("v2"));
        let seqs = |messages: Vec<ChatMessage>| messages.iter().map(|m| m.seq).collect::<Vec<_>>();
        assert_eq!(seqs(cache.chat_messages_before(RoomId(1), None, 2).expect("newest")), [4, 5]);
        assert_eq!(seqs(cache.chat_messages_before(RoomId(1), Some(4), 10).expect("older")), [1, 2, 3]);
    }
}
