//! The pooled store: opening it, running queries on it (reads retried once on a live
//! connection after a connection died), and the operational calls the server makes besides
//! the ports.

use crate::connection::{self, AnyConnection, LogPoolErrors, Manager, Pragmas};
use crate::schema::sessions;
use crate::sql_types::Ts;
use crate::url::{Target, UrlError};
use crate::{errors, migrations};
use baton_core::StoreError;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use time::OffsetDateTime;

/// How to reach the database; the server fills it from its configuration.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// `postgres://…`, `postgresql://…`, `sqlite://relative/path` or `sqlite:///abs/path`.
    pub url: String,
    /// Most connections the pool opens (up to two at start, more on demand). Must be at least 1.
    pub pool_size: u32,
    /// How long a request waits for a free connection (and start-up for the first ones)
    /// before failing with [`StoreError::Unavailable`]. Must be positive.
    pub connect_timeout: Duration,
    /// Whether a SQLite file's missing directory may be created. Only the server's built-in
    /// default path sets it: an explicitly configured path under a missing directory is most
    /// likely a typo, and creating it would start an empty database there.
    pub create_dir: bool,
}

// The URL may hold a password.
impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field("url", &Target::parse(&self.url).map_err(|_| "<invalid>"))
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("create_dir", &self.create_dir)
            .finish()
    }
}

/// A store configuration that cannot work; refused before any connection is made.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The URL names no backend Baton has.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// `pool_size` is 0.
    #[error("database pool_size must be at least 1")]
    PoolSize,
    /// `connect_timeout` is 0.
    #[error("database connect_timeout must be positive")]
    ConnectTimeout,
    /// The SQLite file's directory is missing, and only the built-in default path gets its
    /// directory created (a typo in a configured path must not create a database elsewhere).
    #[error(
        "the directory {dir} of SQLite database {file} does not exist: create it or fix the path"
    )]
    MissingDir {
        /// The directory.
        dir: String,
        /// The database file.
        file: String,
    },
    /// The SQLite file's directory is missing and could not be created.
    #[error("cannot create directory {path} for the SQLite database")]
    CreateDir {
        /// The directory.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The SQLite file could not be opened or created.
    #[error("cannot open SQLite database {path}")]
    OpenSqlite {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: diesel::ConnectionError,
    },
}

impl From<SetupError> for StoreError {
    fn from(e: SetupError) -> Self {
        StoreError::backend(e)
    }
}

/// Which database a [`Store`] runs on, for logs and for backend-specific advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// PostgreSQL, for production and for several servers sharing one database.
    Postgres,
    /// The embedded SQLite file, for development and single-process deployments.
    Sqlite,
}

impl Backend {
    /// Lower-case name for logs and metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The connection pool's occupancy, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Connections open, busy or idle.
    pub connections: u32,
    /// Connections open and waiting for work.
    pub idle: u32,
}

/// How long after a connection was found dead every checkout is checked first: the pool's
/// other idle connections most likely died with it (a database restart).
const SUSPECT_FOR: Duration = Duration::from_secs(10);

/// Baton's storage: implements [`baton_core::UserStore`] and [`baton_core::TokenStore`] over
/// a connection pool. Cheap to clone (the pool is shared); every call blocks its thread for
/// one short query, so async callers run it on a blocking thread.
#[derive(Clone)]
pub struct Store {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// Unix milliseconds until which checkouts are pinged first (see [`SUSPECT_FOR`]).
    suspect_until: Arc<AtomicI64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the pool and applies pending migrations, so a started server always has the
    /// schema it was built for. SQLite files are created if missing, and their directory too
    /// when [`StoreConfig::create_dir`] says so.
    ///
    /// Fails with [`StoreError::Unavailable`] when the database cannot be reached within
    /// `connect_timeout`, and [`StoreError::Backend`] for a bad URL or configuration.
    pub fn connect(config: &StoreConfig) -> Result<Store, StoreError> {
        let store = Store::open(config)?;
        let applied = store.run_migrations()?;
        tracing::info!(backend = store.backend.as_str(), ?applied, "database ready");
        Ok(store)
    }

    /// Opens the pool without touching the schema, for `baton migrate`, which wants to report
    /// the migrations it applies itself. Everything else should use [`Store::connect`].
    pub fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        if config.pool_size == 0 {
            return Err(SetupError::PoolSize.into());
        }
        if config.connect_timeout.is_zero() {
            return Err(SetupError::ConnectTimeout.into());
        }
        let target = Target::parse(&config.url).map_err(SetupError::from)?;
        let backend = match &target {
            Target::Postgres(_) => Backend::Postgres,
            Target::Sqlite(path) => {
                prepare_sqlite_file(path, config.create_dir)?;
                Backend::Sqlite
            }
        };
        let pool = r2d2::Pool::builder()
            .max_size(config.pool_size)
            .connection_timeout(config.connect_timeout)
            // No `SELECT 1` on every checkout: it doubled the round trips of every request.
            // A dead connection fails its query, diesel marks it broken and r2d2 drops it;
            // after that, checkouts are pinged for a while (see `conn`).
            .test_on_check_out(false)
            // Open two connections before serving, the rest on demand.
            .min_idle(Some(config.pool_size.min(2)))
            .connection_customizer(Box::new(Pragmas))
            .error_handler(Box::new(LogPoolErrors))
            .build(Manager::new(target))
            .map_err(errors::pool)?;
        Ok(Store { pool, backend, suspect_until: Arc::new(AtomicI64::new(0)) })
    }

    /// The backend the URL chose.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// One round trip to the database, for `/readyz`: `Ok` means queries can be served now.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| conn.ping())
    }

    /// Applies pending migrations (for `baton migrate`); returns the names applied, which is
    /// empty when the schema is current. Safe while other servers run or migrate.
    pub fn run_migrations(&self) -> Result<Vec<String>, StoreError> {
        migrations::run(&mut *self.conn()?)
    }

    /// The pool's occupancy now, for metrics.
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState { connections: state.connections, idle: state.idle_connections }
    }

    /// Sessions usable at `now` (not revoked, neither expiry passed), for the metrics gauge.
    pub fn count_active_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let now = Ts::new(now);
        let count: i64 = self.read(|conn| {
            sessions::table
                .filter(sessions::revoked_at.is_null())
                .filter(sessions::expires_at.gt(now))
                .filter(sessions::absolute_expires_at.gt(now))
                .count()
                .get_result(conn)
        })?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// A pooled connection; [`StoreError::Unavailable`] when none frees up in time. While
    /// connections are suspect (one was found dead lately), each checkout is pinged and dead
    /// ones are dropped, so the query runs on a live connection.
    pub(crate) fn conn(&self) -> Result<r2d2::PooledConnection<Manager>, StoreError> {
        let mut conn = self.pool.get().map_err(errors::pool)?;
        if !self.is_suspect() {
            return Ok(conn);
        }
        for _ in 0..=self.pool.max_size() {
            if conn.ping().is_ok() {
                return Ok(conn);
            }
            // The failed ping marked it broken: r2d2 drops it instead of pooling it again.
            drop(conn);
            conn = self.pool.get().map_err(errors::pool)?;
        }
        Ok(conn)
    }

    fn is_suspect(&self) -> bool {
        self.suspect_until.load(Ordering::Relaxed) > now_millis()
    }

    fn note(&self, err: &diesel::result::Error) {
        if errors::is_lost(err) {
            let until = now_millis() + SUSPECT_FOR.as_millis() as i64;
            self.suspect_until.store(until, Ordering::Relaxed);
        }
    }

    /// Runs a statement that changes data. Never retried: when the connection dies under it,
    /// nobody knows whether it committed, and running it again could act twice (see
    /// docs/DECISIONS.md).
    pub(crate) fn write<T>(
        &self,
        query: impl FnOnce(&mut AnyConnection) -> QueryResult<T>,
    ) -> Result<T, StoreError> {
        query(&mut *self.conn()?).map_err(|e| {
            self.note(&e);
            errors::query(e)
        })
    }

    /// Runs a read. If its connection turns out dead (a database restart), it runs once more
    /// on a connection known to be alive: reading twice is harmless.
    pub(crate) fn read<T>(
        &self,
        query: impl Fn(&mut AnyConnection) -> QueryResult<T>,
    ) -> Result<T, StoreError> {
        match query(&mut *self.conn()?) {
            Err(e) if errors::is_lost(&e) => {
                self.note(&e);
                tracing::info!(error = %e, "database connection lost; retrying the read once");
                query(&mut *self.conn()?).map_err(errors::query)
            }
            result => result.map_err(errors::query),
        }
    }
}

fn now_millis() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Creates the database file (with WAL switched on), and its directory if `create_dir`,
/// before the pool opens, so the pool's parallel first connections do not race to create it.
fn prepare_sqlite_file(path: &std::path::Path, create_dir: bool) -> Result<(), StoreError> {
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
    let mut conn = connection::open(&Target::Sqlite(path.to_owned()))
        .map_err(|source| SetupError::OpenSqlite { path: path.display().to_string(), source })?;
    Pragmas::apply(&mut conn).map_err(errors::query)
}
