-- Failed logins, counted per (account, client address) and per address (SPEC §5). Each
-- attempt is counted *before* its password is checked, by one conditional upsert, so a burst
-- on any number of servers gets at most the allowed number of password checks; a success
-- deletes the pair's row and takes the attempt back from the address's count.
--
-- `account` is the SHA-256 of the email as typed (normalised), not a user id: unknown emails
-- cost the same work as known ones, and the table holds no list of who tried which email.
CREATE TABLE login_attempts (
    account         bytea       NOT NULL CHECK (octet_length(account) = 32),
    client_addr     text        NOT NULL,
    failures        integer     NOT NULL CHECK (failures >= 0),
    locked_until    timestamptz,
    last_attempt_at timestamptz NOT NULL,
    PRIMARY KEY (account, client_addr)
);

-- The per-address ceiling over all accounts: failures in a window that closes at window_ends.
CREATE TABLE address_attempts (
    client_addr text        PRIMARY KEY,
    failures    integer     NOT NULL CHECK (failures >= 0),
    window_ends timestamptz NOT NULL
);

-- users.failed_logins and users.locked_until are no longer read or written (the counters
-- above replace them). They stay for one release so that servers of the previous release
-- keep working during a rolling deploy; a later migration drops them.
COMMENT ON COLUMN users.failed_logins IS 'unused: replaced by login_attempts; dropped in a later release';
COMMENT ON COLUMN users.locked_until IS 'unused: replaced by login_attempts; dropped in a later release';
