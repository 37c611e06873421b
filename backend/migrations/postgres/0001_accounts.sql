-- Universities, accounts and sessions. Timestamps are Unix milliseconds (UTC).
CREATE TABLE universities (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    short_name    TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    time_zone     TEXT    NOT NULL,
    -- JSON array of lower-case domains
    email_domains TEXT    NOT NULL
);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    university_id BIGINT  NOT NULL REFERENCES universities (id),
    created_at    BIGINT  NOT NULL
);

-- One row per sign-in; all refresh tokens of a sign-in share it (the token family).
CREATE TABLE sessions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    revoked_at    BIGINT,
    revoke_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    -- SHA-256 of the token, hex; the token itself is never stored
    token_hash TEXT    PRIMARY KEY,
    session_id BIGINT  NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at  BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Server-wide secrets (the access-token signing key), shared by every node on the same database.
CREATE TABLE server_keys (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
