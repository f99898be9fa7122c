//! Test helpers (feature `testing`), shared by this crate's contract suite and the server's
//! tests: a fresh database per test, so tests run in parallel and never see each other's rows,
//! plus hooks to look under the ports.
//!
//! PostgreSQL tests need a server: `TEST_DATABASE_URL` (or `DATABASE_URL`) names one, and
//! `scripts/with-postgres.sh` starts a throwaway one. Without it they fail loudly rather than
//! pass by skipping. Creating and dropping test databases goes through libpq (blocking, test
//! set-up only); the store under test never does.

mod own_postgres;

pub use own_postgres::OwnPostgres;

use crate::config::StoreConfig;
use crate::exec::run;
use crate::schema::{sessions, users};
use crate::sql_types::Id;
use crate::store::Store;
use baton_core::StoreError;
use diesel::{Connection, PgConnection, QueryDsl};
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
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            admin(&mut conn, &drop)
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        });
        if let Err(e) = dropped {
            eprintln!("warning: test database {} not dropped: {e}", self.name);
        }
    }
}

/// A transaction isolation level a test database runs at by default (SPEC §8: every rule
/// holds at each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// PostgreSQL's default.
    ReadCommitted,
    /// Snapshot isolation: a write to a row changed since the snapshot fails (40001).
    RepeatableRead,
    /// Serializable snapshot isolation: also fails transactions whose reads were overtaken.
    Serializable,
}

impl Isolation {
    /// The value of `default_transaction_isolation`.
    pub fn as_sql(self) -> &'static str {
        match self {
            Isolation::ReadCommitted => "read committed",
            Isolation::RepeatableRead => "repeatable read",
            Isolation::Serializable => "serializable",
        }
    }
}

/// The test PostgreSQL server's URL. Panics when none is configured.
pub fn postgres_server() -> String {
    ["TEST_DATABASE_URL", "DATABASE_URL"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL tests need a server: set TEST_DATABASE_URL (or DATABASE_URL) to a \
                 postgres:// URL, or run `just test` (scripts/with-postgres.sh starts one)"
            )
        })
}

/// Creates an empty database `baton_test_<random>` on the test PostgreSQL server; it is dropped
/// with the returned value. Panics when no server is configured: set `TEST_DATABASE_URL` or
/// run `just test`.
pub fn postgres_database() -> PgDatabase {
    postgres_database_at(Isolation::ReadCommitted)
}

/// Like [`postgres_database`], with every transaction on the database running at `level`
/// unless it asks for another (`ALTER DATABASE … SET default_transaction_isolation`), as a
/// distributed engine that speaks PostgreSQL may run.
pub fn postgres_database_at(level: Isolation) -> PgDatabase {
    let server = postgres_server();
    let name = format!("baton_test_{}", Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(&server).unwrap_or_else(|e| {
        panic!("cannot reach the test PostgreSQL server (set TEST_DATABASE_URL or run `just test`): {e}")
    });
    admin(&mut conn, &format!("CREATE DATABASE {name}"))
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    if level != Isolation::ReadCommitted {
        let level = level.as_sql();
        let set = format!("ALTER DATABASE {name} SET default_transaction_isolation = '{level}'");
        admin(&mut conn, &set)
            .unwrap_or_else(|e| panic!("cannot set {level} on test database {name}: {e}"));
    }
    let url = with_database(&server, &name);
    PgDatabase { server, name, url }
}

/// Runs one administrative statement on a libpq connection to the test server.
fn admin(conn: &mut PgConnection, sql: &str) -> diesel::QueryResult<usize> {
    diesel::RunQueryDsl::execute(diesel::sql_query(sql), conn)
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
    let guard = temp_dir();
    let dir = guard.path();
    let file = dir.join("data").join("baton.db");
    std::fs::create_dir_all(dir.join("data"))
        .unwrap_or_else(|e| panic!("cannot create {}/data: {e}", dir.display()));
    (format!("sqlite://{}", file.display()), guard)
}

/// A fresh, empty temporary directory, deleted with the guard.
pub fn temp_dir() -> TempDirGuard {
    let dir = std::env::temp_dir().join(format!("baton-test-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    TempDirGuard { dir }
}

/// Whether the store's connections to PostgreSQL use TLS (as the server sees one of them).
pub async fn uses_tls(store: &Store) -> Result<bool, StoreError> {
    /// `pg_stat_ssl.ssl` of the connection asking.
    #[derive(diesel::QueryableByName)]
    struct Ssl {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let sql = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    let row = run!(store, Read, |c| diesel::sql_query(sql).get_result::<Ssl>(c))?;
    Ok(row.ssl)
}

/// Deletes a user outright (no port does: accounts are disabled, not deleted), so tests can
/// check that its sessions go with it. True if the user existed.
pub async fn delete_user(store: &Store, id: Uuid) -> Result<bool, StoreError> {
    let deleted = run!(store, Write, |c| diesel::delete(users::table.find(Id(id))).execute(c))?;
    Ok(deleted == 1)
}

/// `refresh_hash`, `revoke_reason`, `user_agent`, `client_addr` of one session.
type SessionSecrets = (Vec<u8>, Option<String>, Option<String>, Option<String>);

/// Every text and blob column of every `users` and `sessions` row, raw as stored: the place
/// where a plaintext password or refresh token would show up if one were ever written.
pub async fn raw_secret_columns(store: &Store) -> Result<Vec<Vec<u8>>, StoreError> {
    let users = run!(store, Read, |c| users::table
        .select((users::email, users::password_hash, users::name))
        .load::<(String, String, Option<String>)>(c))?;
    let sessions = run!(store, Read, |c| sessions::table
        .select((
            sessions::refresh_hash,
            sessions::revoke_reason,
            sessions::user_agent,
            sessions::client_addr,
        ))
        .load::<SessionSecrets>(c))?;
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
