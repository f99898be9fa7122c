-- Sessions; see migrations/postgres for the reasoning.
CREATE TABLE sessions (
    id                  BLOB    PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    user_id             BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_hash        BLOB    NOT NULL CHECK (length(refresh_hash) = 32),
    generation          INTEGER NOT NULL CHECK (generation >= 0),
    rotated_at          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    last_used_at        INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    revoked_at          INTEGER,
    revoke_reason       TEXT,
    user_agent          TEXT,
    client_addr         TEXT
) STRICT;

CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_absolute_expires_at_idx ON sessions (absolute_expires_at);
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
