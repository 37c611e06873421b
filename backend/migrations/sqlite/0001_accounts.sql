-- Universities, accounts and sessions. Timestamps are Unix milliseconds (UTC).
CREATE TABLE universities (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    short_name    TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    time_zone     TEXT    NOT NULL,
    -- JSON array of lower-case domains
    email_domains TEXT    NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    university_id INTEGER NOT NULL REFERENCES universities (id),
    created_at    INTEGER NOT NULL
);

-- One row per sign-in; all refresh tokens of a sign-in share it (the token family).
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    revoke_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    -- SHA-256 of the token, hex; the token itself is never stored
    token_hash TEXT    PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Server-wide secrets (the access-token signing key), shared by every node on the same database.
CREATE TABLE server_keys (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
