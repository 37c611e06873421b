-- Timetables: a student's named plans per term, the sections and custom blocks in them, and private
-- calendar feed tokens; plus the profile facts timetables use (home time zone, student visa) and each
-- university's full-time minimum. Timestamps are Unix milliseconds (UTC). Flags are 0/1 integers in
-- both engines so one query text reads and writes them through sqlx `Any` (which decodes no SQLite
-- integer as a boolean).

ALTER TABLE users ADD COLUMN home_time_zone TEXT;
ALTER TABLE users ADD COLUMN student_visa INTEGER NOT NULL DEFAULT 0 CHECK (student_visa IN (0, 1));
ALTER TABLE universities ADD COLUMN full_time_credits INTEGER NOT NULL DEFAULT 12 CHECK (full_time_credits >= 0);

CREATE TABLE timetables (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    term_id    INTEGER NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    -- the client's idempotency key of the create request; NULL for the plan made on first view
    client_key TEXT,
    -- the position the next added item takes: sections and blocks share one order, the order the
    -- conflict check names them in (bumping it also locks the plan row for the edit's transaction)
    next_position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (user_id, client_key)
);
CREATE INDEX timetables_user_term ON timetables (user_id, term_id);
-- Exactly one primary plan per student and term: the writes keep it so in one transaction, and this
-- index refuses a second one should two requests race.
CREATE UNIQUE INDEX timetables_one_primary ON timetables (user_id, term_id) WHERE is_primary = 1;

CREATE TABLE timetable_sections (
    timetable_id INTEGER NOT NULL REFERENCES timetables (id) ON DELETE CASCADE,
    section_id   INTEGER NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (timetable_id, section_id)
);
-- "students who have this section in their primary plan"
CREATE INDEX timetable_sections_section ON timetable_sections (section_id);

CREATE TABLE custom_blocks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    timetable_id INTEGER NOT NULL REFERENCES timetables (id) ON DELETE CASCADE,
    label        TEXT    NOT NULL,
    -- Banner letters, Monday first (`MTWRFSU`)
    days         TEXT    NOT NULL,
    -- minutes since midnight, campus-local
    start_minute INTEGER NOT NULL,
    end_minute   INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    client_key   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (timetable_id, client_key),
    CHECK (start_minute >= 0 AND end_minute > start_minute AND end_minute <= 1440)
);

CREATE TABLE calendar_subscriptions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    timetable_id INTEGER NOT NULL REFERENCES timetables (id) ON DELETE CASCADE,
    -- SHA-256 of the token, hex; the token itself is never stored
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX calendar_subscriptions_timetable ON calendar_subscriptions (timetable_id);
