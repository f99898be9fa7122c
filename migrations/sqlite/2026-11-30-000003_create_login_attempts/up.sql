-- Failed logins per (account, client address) and per address; see migrations/postgres for
-- the reasoning. users.failed_logins and users.locked_until are unused from here on and kept
-- for one release (rolling deploys).
CREATE TABLE login_attempts (
    account         BLOB    NOT NULL CHECK (length(account) = 32),
    client_addr     TEXT    NOT NULL,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    locked_until    INTEGER,
    last_attempt_at INTEGER NOT NULL,
    PRIMARY KEY (account, client_addr)
) STRICT;

CREATE TABLE address_attempts (
    client_addr TEXT    PRIMARY KEY NOT NULL,
    failures    INTEGER NOT NULL CHECK (failures >= 0),
    window_ends INTEGER NOT NULL
) STRICT;
