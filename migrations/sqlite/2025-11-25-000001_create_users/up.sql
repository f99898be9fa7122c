-- User accounts; see migrations/postgres for the reasoning. STRICT makes SQLite enforce the
-- column types: ids are 16-byte BLOBs, instants INTEGER Unix seconds (UTC).
CREATE TABLE users (
    id            BLOB    PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    email         TEXT    NOT NULL CHECK (length(CAST(email AS BLOB)) <= 254),
    password_hash TEXT    NOT NULL,
    name          TEXT,
    disabled_at   INTEGER,
    failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until  INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
) STRICT;

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
