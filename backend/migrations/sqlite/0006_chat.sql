-- Course chat: one room per course offering (a `courses` row is one course in one term), its
-- messages with a per-room sequence, and each student's read marker per room. Membership is not
-- stored: a student is a member exactly while a section of the course is in their primary timetable,
-- which the queries in `db/chat.rs` join at the time they ask. Timestamps are Unix milliseconds (UTC).

-- Created lazily (first room list or send naming the course) so the ids stay stable.
CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id  INTEGER NOT NULL UNIQUE REFERENCES courses (id) ON DELETE CASCADE,
    -- the newest message's seq; bumped with UPDATE … RETURNING in the storing transaction, so seqs
    -- are assigned one at a time, in commit order, without gaps
    last_seq   INTEGER NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    created_at INTEGER NOT NULL
);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id       INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    author_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the author's idempotency key: a resend finds the stored row instead of adding one
    client_msg_id TEXT    NOT NULL,
    -- emptied when deleted
    body          TEXT    NOT NULL,
    reply_to      INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    -- JSON array of mentioned user ids, members of the room when sent
    mentions      TEXT    NOT NULL DEFAULT '[]',
    created_at    INTEGER NOT NULL,
    edited_at     INTEGER,
    deleted_at    INTEGER,
    -- 0 as sent, +1 per edit or deletion: clients keep the highest
    revision      INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0),
    UNIQUE (room_id, seq),
    UNIQUE (room_id, author_id, client_msg_id)
);

CREATE TABLE read_markers (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id       INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    last_read_seq INTEGER NOT NULL CHECK (last_read_seq >= 0),
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id)
);

-- Blocking hides the blocked student's messages (and typing) from the blocker, everywhere.
CREATE TABLE user_blocks (
    blocker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);

-- Reported messages, for moderators; one report per message and reporter.
CREATE TABLE message_reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    reporter_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (message_id, reporter_id)
);
