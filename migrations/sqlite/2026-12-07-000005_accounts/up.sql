-- The account lifecycle; see migrations/postgres for the reasoning.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

CREATE TABLE account_tokens (
    token_hash BLOB    PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
    user_id    BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('reset', 'verify', 'email_change')),
    email      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

CREATE TABLE mail_outbox (
    id              BLOB    PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    kind            TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    queued_at       INTEGER NOT NULL,
    expires_at      INTEGER,
    failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    sent_at         INTEGER,
    failed_at       INTEGER,
    last_error      TEXT
) STRICT;
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
