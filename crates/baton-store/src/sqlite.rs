//! The embedded SQLite file behind the async ports: it stays blocking (r2d2 connections, one
//! statement at a time per connection), and every statement moves to the store's own bounded
//! pool of blocking threads ([`BlockingPool`]), never running on the caller's async worker.

use std::path::Path;
use std::time::Duration;

use baton_core::StoreError;
use diesel::connection::SimpleConnection;
use diesel::r2d2::ConnectionManager;
use diesel::{Connection, QueryResult, SqliteConnection};

use crate::blocking::BlockingPool;
use crate::config::{PoolState, SetupError};
use crate::errors;

/// How long a SQLite writer waits for another writer's lock before giving up with
/// "database is locked" (reported as [`StoreError::Unavailable`]).
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The r2d2 pool of a SQLite file.
type Connections = r2d2::Pool<ConnectionManager<SqliteConnection>>;

/// SQLite connections and the threads that run statements on them. Cheap to clone.
#[derive(Clone)]
pub(crate) struct SqlitePool {
    connections: Connections,
    threads: BlockingPool,
}

impl SqlitePool {
    /// Creates the file (and, with `create_dir`, its directory), then a pool of `size`
    /// connections and as many threads; a statement waits at most `wait` for a thread. Blocks
    /// (it opens the file): call it on a blocking thread.
    pub(crate) fn open(
        path: &Path,
        create_dir: bool,
        size: u32,
        wait: Duration,
    ) -> Result<Self, StoreError> {
        prepare_file(path, create_dir)?;
        let manager = ConnectionManager::<SqliteConnection>::new(path.to_string_lossy());
        let connections = r2d2::Pool::builder()
            .max_size(size)
            .connection_timeout(wait)
            // No `SELECT 1` on every checkout: a file does not go away under a connection.
            .test_on_check_out(false)
            // Open two connections before serving, the rest on demand.
            .min_idle(Some(size.min(2)))
            .connection_customizer(Box::new(Pragmas))
            .error_handler(Box::new(LogPoolErrors))
            .build(manager)
            .map_err(errors::pool)?;
        Ok(Self { connections, threads: BlockingPool::new(size as usize, wait) })
    }

    /// Runs `work` on a connection, on one of the store's threads; the statement's own result
    /// is left to the caller to map (registration maps a unique violation its own way).
    pub(crate) async fn run_raw<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut SqliteConnection) -> QueryResult<T> + Send + 'static,
    ) -> Result<QueryResult<T>, StoreError> {
        let connections = self.connections.clone();
        self.threads
            .run(move || {
                let mut conn = connections.get().map_err(errors::pool)?;
                Ok(work(&mut conn))
            })
            .await?
    }

    /// Runs `work` on a connection, on one of the store's threads.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut SqliteConnection) -> QueryResult<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run_raw(work).await?.map_err(errors::query)
    }

    /// Runs blocking setup work (migrations) on a pooled connection of this thread.
    pub(crate) fn with_conn<T>(
        &self,
        work: impl FnOnce(&mut SqliteConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        work(&mut *self.connections.get().map_err(errors::pool)?)
    }

    /// The pool's occupancy now.
    pub(crate) fn state(&self) -> PoolState {
        let (connections, load) = (self.connections.state(), self.threads.load());
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        PoolState {
            connections: connections.connections,
            idle: connections.idle_connections,
            waiting: count(load.waiting),
            running: count(load.running),
        }
    }
}

/// Applies the per-connection SQLite settings (they are not stored in the database file,
/// except WAL mode): run by the pool on every connection it opens.
#[derive(Debug, Clone, Copy)]
struct Pragmas;

impl Pragmas {
    /// Sets the busy timeout first, so that switching to WAL waits for other connections
    /// instead of failing; then WAL (readers never block the writer), foreign keys (off by
    /// default in SQLite, needed for `ON DELETE CASCADE`) and `synchronous=NORMAL`, which
    /// in WAL mode is durable against application crashes and much cheaper than `FULL`.
    fn apply(conn: &mut SqliteConnection) -> QueryResult<()> {
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
            SQLITE_BUSY_TIMEOUT.as_millis()
        ))
    }
}

impl r2d2::CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        Self::apply(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Sends the pool's background connection errors to `tracing` (r2d2 logs through `log`,
/// which the server does not collect).
#[derive(Debug, Clone, Copy)]
struct LogPoolErrors;

impl r2d2::HandleError<diesel::r2d2::Error> for LogPoolErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::warn!(%error, "database connection failed");
    }
}

/// Creates the database file (with WAL switched on), and its directory if `create_dir`,
/// before the pool opens, so the pool's parallel first connections do not race to create it.
fn prepare_file(path: &Path, create_dir: bool) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !create_dir && !dir.is_dir() {
            return Err(SetupError::MissingDir {
                dir: dir.display().to_string(),
                file: path.display().to_string(),
            }
            .into());
        }
        std::fs::create_dir_all(dir)
            .map_err(|source| SetupError::CreateDir { path: dir.display().to_string(), source })?;
    }
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|source| SetupError::OpenSqlite { path: path.display().to_string(), source })?;
    Pragmas::apply(&mut conn).map_err(errors::query)
}
