//! The store: opening it on the backend its URL names, more pools on the same database, and
//! the operational calls the server makes besides the ports.

use baton_core::StoreError;
use diesel::{ExpressionMethods, QueryDsl};
use time::OffsetDateTime;

use crate::config::{Backend, PoolState, SetupError, StoreConfig};
use crate::db::Db;
use crate::exec::run;
use crate::migrations;
use crate::postgres::PgPool;
use crate::schema::sessions;
use crate::sql_types::Ts;
use crate::sqlite::SqlitePool;
use crate::url::Target;

/// Baton's storage: implements [`baton_core::UserStore`], [`baton_core::TokenStore`],
/// [`baton_core::AccountStore`] and [`baton_core::FactorStore`].
/// Cheap to clone: clones share the pool.
///
/// On PostgreSQL every statement is awaited on the caller's task over a pooled async
/// connection (no thread hop); on SQLite it runs on the store's own bounded blocking threads.
/// A PostgreSQL connection's I/O runs on the tokio runtime that opened it: a store serves any
/// runtime, and [`Store::with_own_pool`] gives each runtime (an actix worker) a pool of its
/// own if that measures better.
#[derive(Clone)]
pub struct Store {
    db: Db,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend()).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the pool and applies pending migrations, so a started server always has the
    /// schema it was built for. SQLite files are created if missing, and their directory too
    /// when [`StoreConfig::create_dir`] says so.
    ///
    /// Fails with [`StoreError::Unavailable`] when the database cannot be reached within
    /// `connect_timeout` (or refuses the TLS handshake), and [`StoreError::Backend`] for a bad
    /// URL or configuration. Needs a tokio runtime with I/O and time drivers.
    pub async fn connect(config: &StoreConfig) -> Result<Store, StoreError> {
        let store = Store::open(config).await?;
        let applied = store.run_migrations().await?;
        if let Db::Postgres(pg) = &store.db {
            // Migrating took a connection out of the pool for good: open it again now, one
            // at a time, so start-up still proves the database reachable with a warm pool.
            pg.warm().await?;
        }
        tracing::info!(backend = store.backend().as_str(), ?applied, "database ready");
        Ok(store)
    }

    /// Opens the pool (two connections at once, to find out now whether the database can be
    /// reached) without touching the schema, for `baton migrate`, which reports the
    /// migrations it applies itself. Everything else should use [`Store::connect`].
    pub async fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        if config.pool_size == 0 {
            return Err(SetupError::PoolSize.into());
        }
        if config.connect_timeout.is_zero() {
            return Err(SetupError::ConnectTimeout.into());
        }
        let (size, wait) = (config.pool_size, config.connect_timeout);
        let db = match Target::parse(&config.url).map_err(SetupError::from)? {
            Target::Postgres(url) => Db::Postgres(PgPool::open(&url, size, wait).await?),
            Target::Sqlite(path) => {
                let create_dir = config.create_dir;
                let open = move || SqlitePool::open(&path, create_dir, size, wait);
                Db::Sqlite(crate::blocking::setup(open).await?)
            }
        };
        Ok(Store { db })
    }

    /// Another store on the same database with a pool of its own of `pool_size` connections
    /// (same URL, TLS settings and connect timeout), none opened yet: each opens on first use,
    /// on the runtime that uses it. Calling this once per actix worker gives each worker's
    /// runtime its own connections, so that no statement wakes another thread; the server
    /// divides `database.pool_size` among them as it sees fit. On SQLite, whose statements run
    /// on blocking threads anyway, it is the same store (same pool, `pool_size` unused).
    pub fn with_own_pool(&self, pool_size: u32) -> Result<Store, SetupError> {
        if pool_size == 0 {
            return Err(SetupError::PoolSize);
        }
        let db = match &self.db {
            Db::Postgres(pg) => Db::Postgres(pg.sibling(pool_size)?),
            Db::Sqlite(lite) => Db::Sqlite(lite.clone()),
        };
        Ok(Store { db })
    }

    /// The backend the URL chose.
    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Postgres(_) => Backend::Postgres,
            Db::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// One round trip to the database, for `/readyz`: `Ok` means queries can be served now.
    pub async fn ping(&self) -> Result<(), StoreError> {
        run!(self, Read, |c| diesel::sql_query("SELECT 1").execute(c))?;
        Ok(())
    }

    /// Applies pending migrations (for `baton migrate`); returns the names applied, which is
    /// empty when the schema is current. Safe while other servers run or migrate. Runs on a
    /// blocking thread; on PostgreSQL over one of the pool's connections, which it takes out
    /// of the pool and closes afterwards (the pool opens another when it needs one).
    pub async fn run_migrations(&self) -> Result<Vec<String>, StoreError> {
        match &self.db {
            Db::Postgres(pg) => pg.migrate().await,
            Db::Sqlite(lite) => {
                let lite = lite.clone();
                crate::blocking::setup(move || lite.with_conn(migrations::run_sqlite)).await
            }
        }
    }

    /// The pool's occupancy now, for metrics (this store's pool only: sum the pools of
    /// [`Store::with_own_pool`] for the whole process).
    pub fn pool_state(&self) -> PoolState {
        match &self.db {
            Db::Postgres(pg) => pg.state(),
            Db::Sqlite(lite) => lite.state(),
        }
    }

    /// Sessions usable at `now` (not revoked, neither expiry passed), for the metrics gauge.
    pub async fn count_active_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let now = Ts::new(now);
        let count: i64 = run!(self, Read, |c| sessions::table
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .filter(sessions::absolute_expires_at.gt(now))
            .count()
            .get_result::<i64>(c))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The backend half, for `exec::run!`.
    pub(crate) fn db(&self) -> &Db {
        &self.db
    }
}
