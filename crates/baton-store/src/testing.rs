//! Test helpers (feature `testing`), shared by this crate's contract suite and the server's
//! tests: a fresh database per test, so tests run in parallel and never see each other's rows,
//! plus hooks to look under the ports.
//!
//! PostgreSQL tests need a server: `TEST_DATABASE_URL` (or `DATABASE_URL`) names one, and
//! `scripts/with-postgres.sh` starts a throwaway one. Without it they fail loudly rather than
//! pass by skipping.

use crate::schema::{sessions, users};
use crate::sql_types::Id;
use crate::store::{Store, StoreConfig};
use baton_core::StoreError;
use diesel::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

/// A store configuration with test-friendly pool settings for `url`.
pub fn config(url: String) -> StoreConfig {
    StoreConfig { url, pool_size: 8, connect_timeout: Duration::from_secs(30), create_dir: false }
}

/// A throwaway database on the test PostgreSQL server, dropped (with `WITH (FORCE)`, which
/// closes the connections still open to it) when this value is dropped, so a long-lived
/// `TEST_DATABASE_URL` server does not fill up with test databases.
#[derive(Debug)]
pub struct PgDatabase {
    server: String,
    name: String,
    url: String,
}

impl PgDatabase {
    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let dropped = PgConnection::establish(&self.server).and_then(|mut conn| {
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                .execute(&mut conn)
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        });
        if let Err(e) = dropped {
            eprintln!("warning: test database {} not dropped: {e}", self.name);
        }
    }
}

/// Creates an empty database `baton_test_<random>` on the test PostgreSQL server; it is dropped
/// with the returned value. Panics when no server is configured: set `TEST_DATABASE_URL` or
/// run `just test`.
pub fn postgres_database() -> PgDatabase {
    let server = ["TEST_DATABASE_URL", "DATABASE_URL"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL tests need a server: set TEST_DATABASE_URL (or DATABASE_URL) to a \
                 postgres:// URL, or run `just test` (scripts/with-postgres.sh starts one)"
            )
        });
    let name = format!("baton_test_{}", Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(&server).unwrap_or_else(|e| {
        panic!("cannot reach the test PostgreSQL server (set TEST_DATABASE_URL or run `just test`): {e}")
    });
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    let url = with_database(&server, &name);
    PgDatabase { server, name, url }
}

/// `url` with its database name replaced by `name`, keeping user, host and parameters.
fn with_database(url: &str, name: &str) -> String {
    let (head, params) = match url.split_once('?') {
        Some((head, params)) => (head, Some(params)),
        None => (url, None),
    };
    let authority_start = head.find("://").map_or(0, |i| i + 3);
    let base = match head[authority_start..].find('/') {
        Some(slash) => &head[..authority_start + slash],
        None => head,
    };
    match params {
        Some(params) => format!("{base}/{name}?{params}"),
        None => format!("{base}/{name}"),
    }
}

/// A fresh, empty database of either backend for one test, removed when dropped.
#[derive(Debug)]
pub enum TestDatabase {
    /// A SQLite file in a temporary directory.
    Sqlite {
        /// Its URL.
        url: String,
        /// The directory, deleted with the value.
        dir: TempDirGuard,
    },
    /// A database on the test PostgreSQL server, dropped with the value.
    Postgres(PgDatabase),
}

impl TestDatabase {
    /// A fresh SQLite file (see [`sqlite_url`]).
    pub fn sqlite() -> Self {
        let (url, dir) = sqlite_url();
        Self::Sqlite { url, dir }
    }

    /// A fresh PostgreSQL database (see [`postgres_database`]).
    pub fn postgres() -> Self {
        Self::Postgres(postgres_database())
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } => url,
            Self::Postgres(db) => db.url(),
        }
    }
}

/// Deletes a test's temporary directory when dropped.
#[derive(Debug)]
pub struct TempDirGuard {
    dir: PathBuf,
}

impl TempDirGuard {
    /// The directory that goes away with the guard.
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for TempDirGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A `sqlite:///…` URL of a database file that does not exist yet, in a fresh temporary
/// directory (inside a subdirectory that does not exist either, so opening it also proves
/// the store creates parent directories). Keep the guard alive for the test's duration.
pub fn sqlite_url() -> (String, TempDirGuard) {
    let dir = std::env::temp_dir().join(format!("baton-test-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let file = dir.join("data").join("baton.db");
    std::fs::create_dir_all(dir.join("data"))
        .unwrap_or_else(|e| panic!("cannot create {}/data: {e}", dir.display()));
    (format!("sqlite://{}", file.display()), TempDirGuard { dir })
}

/// Deletes a user outright (no port does: accounts are disabled, not deleted), so tests can
/// check that its sessions go with it. True if the user existed.
pub fn delete_user(store: &Store, id: Uuid) -> Result<bool, StoreError> {
    let deleted = store.write(|conn| diesel::delete(users::table.find(Id(id))).execute(conn))?;
    Ok(deleted == 1)
}

/// `refresh_hash`, `revoke_reason`, `user_agent`, `client_addr` of one session.
type SessionSecrets = (Vec<u8>, Option<String>, Option<String>, Option<String>);

/// Every text and blob column of every `users` and `sessions` row, raw as stored: the place
/// where a plaintext password or refresh token would show up if one were ever written.
pub fn raw_secret_columns(store: &Store) -> Result<Vec<Vec<u8>>, StoreError> {
    let (users, sessions) = store.read(|conn| {
        let users: Vec<(String, String, Option<String>)> =
            users::table.select((users::email, users::password_hash, users::name)).load(conn)?;
        let sessions: Vec<SessionSecrets> = sessions::table
            .select((
                sessions::refresh_hash,
                sessions::revoke_reason,
                sessions::user_agent,
                sessions::client_addr,
            ))
            .load(conn)?;
        Ok((users, sessions))
    })?;
    let mut columns = Vec::new();
    for (email, hash, name) in users {
        columns
            .extend([Some(email), Some(hash), name].into_iter().flatten().map(String::into_bytes));
    }
    for (refresh_hash, reason, agent, addr) in sessions {
        columns.push(refresh_hash);
        columns.extend([reason, agent, addr].into_iter().flatten().map(String::into_bytes));
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_swapped_keeping_everything_else() {
        let url = "postgres://postgres@127.0.0.1:5432/postgres";
        assert_eq!(with_database(url, "t1"), "postgres://postgres@127.0.0.1:5432/t1");
        let url = "postgresql://u:p@h/db?sslmode=disable";
        assert_eq!(with_database(url, "t1"), "postgresql://u:p@h/t1?sslmode=disable");
        assert_eq!(with_database("postgres://h:5432", "t1"), "postgres://h:5432/t1");
    }
}
