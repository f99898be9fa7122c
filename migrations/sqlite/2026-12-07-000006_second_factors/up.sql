-- Second factors; see migrations/postgres for the reasoning.
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';

CREATE TABLE totp_factors (
    user_id      BLOB    PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sealed       TEXT    NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE recovery_codes (
    user_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL CHECK (length(code_hash) = 32),
    PRIMARY KEY (user_id, code_hash)
) STRICT;

CREATE TABLE passkeys (
    id              BLOB    PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    user_id         BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id   TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    credential      TEXT    NOT NULL,
    backup_eligible INTEGER NOT NULL CHECK (backup_eligible IN (0, 1)),
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER
) STRICT;
CREATE INDEX passkeys_user_idx ON passkeys (user_id);

CREATE TABLE mfa_challenges (
    id         BLOB    PRIMARY KEY NOT NULL CHECK (length(id) = 32),
    kind       TEXT    NOT NULL CHECK (kind IN ('mfa', 'passwordless', 'registration')),
    user_id    BLOB    REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT,
    state      TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX mfa_challenges_expires_idx ON mfa_challenges (expires_at);
