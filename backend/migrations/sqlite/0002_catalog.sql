-- Course catalogs: university → term → course → section → meeting, and a log of the imports that
-- wrote them. Rows are keyed by the source's own identifiers (term code, course code, registration id)
-- so a re-import updates them in place and their ids stay stable. Timestamps are Unix milliseconds
-- (UTC); calendar dates are ISO `YYYY-MM-DD` text, because they are campus-local days, not instants.

CREATE TABLE terms (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    university_id INTEGER NOT NULL REFERENCES universities (id),
    -- as the source names it: `201905`, `202130`, `2025-su`
    code          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    start_date    TEXT,
    end_date      TEXT,
    created_at    INTEGER NOT NULL,
    UNIQUE (university_id, code)
);

CREATE TABLE courses (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    term_id      INTEGER NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
    subject      TEXT    NOT NULL,
    number       TEXT    NOT NULL,
    -- as the source writes it: `CS 10100`, `AASP100`
    course_code  TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    description  TEXT,
    -- as displayed: `3`, `1-4`, `3 or 4`
    credits      TEXT,
    -- SHA-256 of the normalised columns above, hex: how a re-import tells "changed" from "the same"
    content_hash TEXT    NOT NULL,
    -- set when a later import no longer lists the course; cleared if it comes back
    removed_at   INTEGER,
    UNIQUE (term_id, course_code)
);

CREATE TABLE sections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id       INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    term_id         INTEGER NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
    -- the source's own id (Banner CRN, umd.io section_id)
    registration_id TEXT    NOT NULL,
    section_code    TEXT,
    -- the section's own title when it differs from the course's (topics courses)
    title           TEXT,
    -- normalised: lecture, lab, discussion, seminar, studio, online, independent_study, research, internship, other
    kind            TEXT    NOT NULL,
    -- the source's own label for the kind
    kind_label      TEXT,
    -- JSON array of {"name": …, "primary": bool}, in source order
    instructors     TEXT    NOT NULL,
    credits         TEXT,
    status          TEXT,
    capacity        INTEGER CHECK (capacity >= 0),
    open_seats      INTEGER CHECK (open_seats >= 0),
    waitlist        INTEGER CHECK (waitlist >= 0),
    content_hash    TEXT    NOT NULL,
    -- set when a later import no longer lists the section: the row stays so timetable entries that
    -- point at it can be flagged to their students; cleared if the section comes back
    removed_at      INTEGER,
    UNIQUE (term_id, registration_id)
);
CREATE INDEX sections_course ON sections (course_id);

CREATE TABLE meetings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    section_id   INTEGER NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    -- order within the section, from 0
    position     INTEGER NOT NULL,
    -- Banner letters, Monday first (`MTWRFSU`); empty when the source gives no days (arranged, online)
    days         TEXT    NOT NULL,
    -- minutes since midnight, campus-local; both NULL when the time is arranged or to be announced
    start_minute INTEGER,
    end_minute   INTEGER,
    location     TEXT,
    start_date   TEXT,
    end_date     TEXT,
    kind_label   TEXT,
    UNIQUE (section_id, position),
    CHECK ((start_minute IS NULL AND end_minute IS NULL)
        OR (start_minute >= 0 AND end_minute > start_minute AND end_minute <= 1440))
);

-- One row per import that was written (a failed import rolls back and leaves none).
CREATE TABLE import_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    university_id INTEGER NOT NULL REFERENCES universities (id),
    term_id       INTEGER NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
    -- `uiuc-csv`, `umdio-json`, `banner8-html`
    format        TEXT    NOT NULL,
    -- JSON array of the files or URLs read, in order
    sources       TEXT    NOT NULL,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER NOT NULL,
    -- what was parsed: distinct courses, sections, meetings, and rows skipped
    courses       INTEGER NOT NULL,
    sections      INTEGER NOT NULL,
    meetings      INTEGER NOT NULL,
    skipped       INTEGER NOT NULL,
    -- JSON: {"courses": {"added": [...], "changed": [...], "removed": [...]}, "sections": {...},
    -- "skipped": [{"location", "reason"}]}, by the source's identifiers
    report        TEXT    NOT NULL
);
CREATE INDEX import_runs_term ON import_runs (term_id);
