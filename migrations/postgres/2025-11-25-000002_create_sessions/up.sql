-- Sessions: one row per device login, the whole refresh-token family. Only the SHA-256 of
-- the current refresh token is kept; rotation is one conditional UPDATE of this row.
CREATE TABLE sessions (
    id                  uuid        PRIMARY KEY,
    user_id             uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_hash        bytea       NOT NULL CHECK (octet_length(refresh_hash) = 32),
    generation          bigint      NOT NULL CHECK (generation >= 0),
    rotated_at          timestamptz NOT NULL,
    created_at          timestamptz NOT NULL,
    last_used_at        timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    absolute_expires_at timestamptz NOT NULL,
    revoked_at          timestamptz,
    revoke_reason       text,
    user_agent          text,
    client_addr         text
);

-- A user's sessions: listing, logout everywhere, eviction, and the ON DELETE CASCADE.
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
-- purge: each arm of its OR has an index (PostgreSQL combines them with a BitmapOr).
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_absolute_expires_at_idx ON sessions (absolute_expires_at);
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
