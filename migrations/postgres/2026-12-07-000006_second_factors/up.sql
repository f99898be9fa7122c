-- Second factors (SPEC §13): TOTP, recovery codes, passkeys, the challenges between a
-- start and its finish, and how each session's login was proven (RFC 8176 `amr`).

-- Space-separated `amr` values; sessions opened before this release were password logins.
ALTER TABLE sessions ADD COLUMN amr text NOT NULL DEFAULT 'pwd';

-- One TOTP per user: pending until a first code confirms it. The secret is sealed with
-- `mfa.encryption_key` (AES-256-GCM, the key's id in the text); `last_step` is the last
-- 30-second step whose code was accepted, so a code is accepted once.
CREATE TABLE totp_factors (
    user_id      uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed       text        NOT NULL,
    confirmed_at timestamptz,
    last_step    bigint,
    created_at   timestamptz NOT NULL
);

-- Unused recovery codes: SHA-256 of the code bound to its user. Using one deletes its row.
CREATE TABLE recovery_codes (
    user_id   uuid  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL CHECK (octet_length(code_hash) = 32),
    PRIMARY KEY (user_id, code_hash)
);

-- Passkeys: the credential as webauthn-rs serialized it (public key, sign counter, flags).
CREATE TABLE passkeys (
    id              uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id   text        NOT NULL UNIQUE,
    name            text        NOT NULL,
    credential      text        NOT NULL,
    backup_eligible boolean     NOT NULL,
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz
);
CREATE INDEX passkeys_user_idx ON passkeys (user_id);

-- A login waiting for its second factor (`mfa_token`), a passwordless login or a passkey
-- registration between start and finish. Keyed by the SHA-256 of the client's handle; the
-- finish deletes the row, so each is used once. `state` is the WebAuthn ceremony state.
CREATE TABLE mfa_challenges (
    id         bytea       PRIMARY KEY CHECK (octet_length(id) = 32),
    kind       text        NOT NULL CHECK (kind IN ('mfa', 'passwordless', 'registration')),
    user_id    uuid        REFERENCES users (id) ON DELETE CASCADE,
    client_id  text,
    state      text,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX mfa_challenges_expires_idx ON mfa_challenges (expires_at);
