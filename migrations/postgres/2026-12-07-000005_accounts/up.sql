-- The account lifecycle (SPEC §12): verified emails, single-use account tokens, and the mail
-- outbox.

-- When the account's current email was proven to be the user's; NULL until then.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- Single-use tokens of password resets, email verifications and email changes. Only the
-- SHA-256 of a token is stored; using one deletes its row, and issuing one deletes the
-- user's older tokens of the same purpose. `email` is the address the token proves (the new
-- one for a change) or, for a reset, the account's address when it was asked for.
CREATE TABLE account_tokens (
    token_hash bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('reset', 'verify', 'email_change')),
    email      text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

-- Mail waiting to be sent, written in the same transaction as the token it carries. A
-- sender claims a due row for a while (`claimed_until`), so each mail is in one server's
-- hands at a time; sent and failed rows keep no bodies (they held the links).
CREATE TABLE mail_outbox (
    id              uuid        PRIMARY KEY,
    kind            text        NOT NULL,
    recipient       text        NOT NULL,
    subject         text        NOT NULL,
    text_body       text        NOT NULL,
    html_body       text        NOT NULL,
    queued_at       timestamptz NOT NULL,
    expires_at      timestamptz,
    failures        integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
    next_attempt_at timestamptz NOT NULL,
    claimed_until   timestamptz,
    sent_at         timestamptz,
    failed_at       timestamptz,
    last_error      text
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
