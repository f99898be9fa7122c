//! One connection type for both backends, and how the pool opens and prepares connections.
//!
//! Kept in its own module because diesel's `MultiConnection` derive generates a module that
//! glob-imports its parent: the fewer names here, the fewer surprises there.

use crate::url::Target;
use diesel::connection::SimpleConnection;
use diesel::r2d2::R2D2Connection;
use diesel::{Connection, PgConnection, SqliteConnection};
use std::time::Duration;

/// A PostgreSQL or SQLite connection. All query code takes `&mut AnyConnection`, so each
/// query is written once and diesel renders it for whichever backend is live.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// Production backend.
    Postgresql(PgConnection),
    /// Embedded default.
    Sqlite(SqliteConnection),
}

/// How long a SQLite writer waits for another writer's lock before giving up with
/// "database is locked" (reported as [`baton_core::StoreError::Unavailable`]).
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens connections of the configured backend for r2d2.
///
/// Diesel's own `ConnectionManager<AnyConnection>` would try PostgreSQL and then fall back to
/// SQLite for *any* URL, so an unreachable PostgreSQL server could end up as a local file
/// named after its URL. This manager opens exactly the backend the URL names.
#[derive(Debug)]
pub struct Manager {
    target: Target,
}

impl Manager {
    /// A manager for a parsed database URL.
    pub fn new(target: Target) -> Self {
        Self { target }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        open(&self.target).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        // A panic while the connection was checked out may have left it mid-transaction.
        std::thread::panicking() || conn.is_broken()
    }
}

/// Opens one connection, without pool or per-connection settings.
pub fn open(target: &Target) -> diesel::ConnectionResult<AnyConnection> {
    match target {
        Target::Postgres(url) => PgConnection::establish(url).map(AnyConnection::Postgresql),
        Target::Sqlite(path) => {
            SqliteConnection::establish(&path.to_string_lossy()).map(AnyConnection::Sqlite)
        }
    }
}

/// Applies the per-connection SQLite settings (they are not stored in the database file,
/// except WAL mode): run by the pool on every connection it opens.
#[derive(Debug, Clone, Copy)]
pub struct Pragmas;

impl Pragmas {
    /// Sets the busy timeout first, so that switching to WAL waits for other connections
    /// instead of failing; then WAL (readers never block the writer), foreign keys (off by
    /// default in SQLite, needed for `ON DELETE CASCADE`) and `synchronous=NORMAL`, which
    /// in WAL mode is durable against application crashes and much cheaper than `FULL`.
    pub fn apply(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
        if let AnyConnection::Sqlite(conn) = conn {
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                SQLITE_BUSY_TIMEOUT.as_millis()
            ))?;
        }
        Ok(())
    }
}

impl r2d2::CustomizeConnection<AnyConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        Self::apply(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Sends the pool's background connection errors to `tracing` (r2d2 logs through `log`,
/// which the server does not collect).
#[derive(Debug, Clone, Copy)]
pub struct LogPoolErrors;

impl r2d2::HandleError<diesel::r2d2::Error> for LogPoolErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::warn!(%error, "database connection failed");
    }
}

/// Runs `$body` with `$c` bound to the concrete connection inside an [`AnyConnection`], so
/// that a hot statement is built for its backend directly (no `MultiConnection` rendering per
/// query) and kept prepared by that connection's statement cache.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::connection::AnyConnection::Postgresql($c) => $body,
            $crate::connection::AnyConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;
