-- User accounts. The core stores emails trimmed and lower-cased; the exact unique
-- constraint serves look-ups, the unique index on lower(email) keeps uniqueness
-- case-insensitive even for rows written by other tools.
CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    email         text        NOT NULL CHECK (octet_length(email) <= 254),
    password_hash text        NOT NULL,
    name          text,
    disabled_at   timestamptz,
    failed_logins integer     NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
