//! What the server configures (database URL, pool size, timeout), what it can be refused
//! for, and what it can read back (backend, pool occupancy).

use crate::url::{Target, UrlError};
use baton_core::StoreError;
use std::time::Duration;

/// How to reach the database; the server fills it from its configuration.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// `postgres://…`, `postgresql://…`, `sqlite://relative/path` or `sqlite:///abs/path`.
    pub url: String,
    /// Most connections the pool opens (two at start, more on demand), and on SQLite also the
    /// most statements running at once on the store's blocking threads. Each pool opened with
    /// [`crate::Store::with_own_pool`] has a size of its own. Must be at least 1.
    pub pool_size: u32,
    /// How long a statement waits for a connection (a free one, or a new one being opened;
    /// start-up too for the first ones), and on SQLite for a blocking thread, before failing
    /// with [`StoreError::Unavailable`]. Must be positive.
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
    /// The PostgreSQL URL's parameters cannot be used (an unknown parameter or value); the
    /// driver's message names it and never echoes the URL.
    #[error("invalid PostgreSQL connection URL")]
    PostgresUrl(#[source] tokio_postgres::Error),
    /// The URL's TLS settings cannot work (`sslmode`, `sslrootcert`).
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// The PostgreSQL connection pool could not be built.
    #[error("cannot build the PostgreSQL connection pool")]
    Pool(#[source] diesel_async::pooled_connection::deadpool::BuildError),
}

impl From<SetupError> for StoreError {
    fn from(e: SetupError) -> Self {
        StoreError::backend(e)
    }
}

/// Which database a [`Store`](crate::Store) runs on, for logs and for backend-specific advice.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolState {
    /// Connections open, busy or idle.
    pub connections: u32,
    /// Connections open and waiting for work.
    pub idle: u32,
    /// Statements waiting for a connection (PostgreSQL) or for one of the store's blocking
    /// threads (SQLite).
    pub waiting: u32,
    /// Statements running on the store's blocking threads (SQLite; always 0 on PostgreSQL,
    /// whose statements run on the caller's task).
    pub running: u32,
}
