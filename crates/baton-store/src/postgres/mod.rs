//! PostgreSQL without a thread hop: diesel-async's `AsyncPgConnection` (tokio-postgres under
//! diesel's query DSL) in a deadpool pool, awaited on the caller's own task.
//!
//! - **Checkout**: deadpool with `RecyclingMethod::Fast` (no `SELECT 1` per checkout); a
//!   connection whose socket closed is dropped on recycle. A checkout waits at most
//!   `connect_timeout`, whether for a free connection or a new one being opened, then fails
//!   with `StoreError::Unavailable`.
//! - **After a restart**: a statement that meets a dead connection marks the store suspect for
//!   a few seconds, during which each checkout is pinged and dead connections are discarded
//!   (the others most likely died too). Reads run once more; writes never ([`retry`]).
//! - **Isolation levels**: serialization failures run again inside the adapter ([`retry`]).
//! - **Runtimes**: a connection's I/O task runs on the tokio runtime that opened it. One pool
//!   can serve every runtime, or each actix worker can have its own ([`PgPool::sibling`]), so
//!   that a request's statements never wake another thread.
//! - **Statements** are prepared once per connection (diesel-async's statement cache, which
//!   `crate::sql::KeepPrepared` opens to the hot raw statements too).

mod connect;
pub(crate) mod retry;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use diesel::QueryResult;
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::scoped_futures::ScopedBoxFuture;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

use crate::config::{PoolState, SetupError};
use crate::errors;
use baton_core::StoreError;
use connect::PgTarget;
use retry::{Attempts, Kind, Next};

/// Gives a transaction's body (a closure) the higher-ranked type [`PgPool::transaction`] takes;
/// closures written in place are not inferred as such.
pub(crate) fn work<'a, T, F>(f: F) -> F
where
    F: for<'r> Fn(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, QueryResult<T>>,
{
    f
}

/// A pooled connection; dropping it returns it to its pool.
pub(crate) type Conn = Object<AsyncPgConnection>;

/// How long after a connection was found dead every checkout is checked first: the pool's
/// other idle connections most likely died with it (a database restart).
const SUSPECT_FOR: Duration = Duration::from_secs(10);

/// No connection could be had within the wait.
#[derive(Debug, thiserror::Error)]
#[error("no database connection within {0:?}")]
struct NoConnection(Duration);

/// One pool of async connections on a parsed target. Cheap to clone (clones share the pool).
#[derive(Clone)]
pub(crate) struct PgPool {
    pool: Pool<AsyncPgConnection>,
    target: Arc<PgTarget>,
    wait: Duration,
    /// Unix milliseconds until which checkouts are pinged first; shared by sibling pools,
    /// since a restart kills the connections of all of them.
    suspect_until: Arc<AtomicI64>,
    /// A connection handed back after migrating (deadpool cannot take one back): the next
    /// connection this pool opens is this one, so migrating costs no second connection.
    parked: Parked,
}

type Parked = Arc<std::sync::Mutex<Option<AsyncPgConnection>>>;

impl PgPool {
    /// Parses the URL (TLS files included) and opens `min(2, size)` connections, so that an
    /// unreachable database or a refused certificate stops start-up.
    pub(crate) async fn open(url: &str, size: u32, wait: Duration) -> Result<Self, StoreError> {
        let target = Arc::new(PgTarget::parse(url)?);
        let pool = Self::build(target, size, wait, Arc::new(AtomicI64::new(0)))?;
        pool.warm().await?;
        Ok(pool)
    }

    /// Makes sure `min(2, size)` connections are open (and idle again afterwards).
    pub(crate) async fn warm(&self) -> Result<(), StoreError> {
        let size = self.pool.status().max_size;
        let (first, second) = tokio::join!(self.checkout(), async {
            if size > 1 { Some(self.checkout().await) } else { None }
        });
        // Both go back to the pool idle.
        drop((first?, second.transpose()?));
        Ok(())
    }

    /// Another pool of `size` connections on the same target, none opened yet: each opens on
    /// first use, on the runtime that uses it.
    pub(crate) fn sibling(&self, size: u32) -> Result<Self, SetupError> {
        Self::build(self.target.clone(), size, self.wait, self.suspect_until.clone())
    }

    fn build(
        target: Arc<PgTarget>,
        size: u32,
        wait: Duration,
        suspect_until: Arc<AtomicI64>,
    ) -> Result<Self, SetupError> {
        if size == 0 {
            return Err(SetupError::PoolSize);
        }
        let mut manager = ManagerConfig::default();
        manager.recycling_method = RecyclingMethod::Fast;
        let opener = target.clone();
        let parked: Parked = Arc::default();
        let unpark = parked.clone();
        manager.custom_setup = Box::new(move |_url| {
            let target = opener.clone();
            let reused = unpark.lock().unwrap_or_else(|e| e.into_inner()).take();
            Box::pin(async move {
                match reused {
                    Some(conn) => Ok(conn),
                    None => target.establish().await,
                }
            })
        });
        // The URL given here is never used: connections come from `custom_setup`.
        let manager = AsyncDieselConnectionManager::new_with_config("", manager);
        let pool =
            Pool::builder(manager).max_size(size as usize).build().map_err(SetupError::Pool)?;
        Ok(Self { pool, target, wait, suspect_until, parked })
    }

    /// The pool's occupancy now.
    pub(crate) fn state(&self) -> PoolState {
        let status = self.pool.status();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        PoolState {
            connections: count(status.size),
            idle: count(status.available),
            waiting: count(status.waiting),
            running: 0,
        }
    }

    /// A connection to run statements on; [`StoreError::Unavailable`] when none can be had
    /// within the wait. While the store is suspect, each checkout is pinged and dead
    /// connections are discarded, so the statement runs on a live one.
    pub(crate) async fn conn(&self) -> Result<Conn, StoreError> {
        let mut conn = self.checkout().await?;
        if !self.is_suspect() {
            return Ok(conn);
        }
        for _ in 0..self.pool.status().max_size {
            if conn.batch_execute("SELECT 1").await.is_ok() {
                return Ok(conn);
            }
            drop(Object::take(conn));
            conn = self.checkout().await?;
        }
        Ok(conn)
    }

    /// Runs `work` as one transaction on a pooled connection, again after a failure the retry
    /// policy says to retry (as every write); the outer error is a connection that could not
    /// be had, the inner the last try's outcome, for the caller to map.
    pub(crate) async fn transaction<'a, T, F>(
        &self,
        work: &'a F,
    ) -> Result<QueryResult<T>, StoreError>
    where
        T: Send + 'a,
        F: for<'r> Fn(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, QueryResult<T>>
            + Send
            + Sync
            + 'a,
    {
        let mut tries = Attempts::new(Kind::Write);
        loop {
            let mut conn = self.conn().await?;
            let result = conn.transaction(|c| work(c)).await;
            drop(conn);
            if !self.again(&mut tries, &result).await {
                return Ok(result);
            }
        }
    }

    /// Applies pending migrations over a connection taken out of the pool (so no other is
    /// opened), on a blocking thread, where the synchronous harness may block on the runtime;
    /// the connection is then parked for the pool to open again.
    pub(crate) async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let conn = Object::take(self.checkout().await?);
        let (conn, applied) = crate::blocking::setup(move || {
            let mut conn = crate::migrations::PgMigrationConnection::from(conn);
            let applied = crate::migrations::run_postgres(&mut conn);
            Ok((conn.into_inner(), applied))
        })
        .await?;
        if applied.is_ok() {
            *self.parked.lock().unwrap_or_else(|e| e.into_inner()) = Some(conn);
        }
        applied
    }

    async fn checkout(&self) -> Result<Conn, StoreError> {
        match tokio::time::timeout(self.wait, self.pool.get()).await {
            Ok(Ok(conn)) => Ok(conn),
            // The connection's own error (refused, TLS, authentication), without deadpool's
            // wrapper, which repeats it.
            Ok(Err(PoolError::Backend(e))) => Err(StoreError::unavailable(e)),
            Ok(Err(e)) => Err(StoreError::unavailable(e)),
            Err(_) => Err(StoreError::unavailable(NoConnection(self.wait))),
        }
    }

    /// After a try of a statement: whether to run it again (having paused as the retry policy
    /// says), or to hand `result` to the caller.
    pub(crate) async fn again<T>(&self, attempts: &mut Attempts, result: &QueryResult<T>) -> bool {
        let Err(err) = result else { return false };
        if errors::is_lost(err) {
            let until = now_millis() + SUSPECT_FOR.as_millis() as i64;
            self.suspect_until.store(until, Ordering::Relaxed);
        }
        match attempts.after(err) {
            Next::Stop => false,
            Next::Again(pause) => {
                if errors::is_lost(err) {
                    tracing::info!(error = %err, "database connection lost; retrying the read once");
                } else {
                    tracing::debug!(error = %err, ?pause, "serialization failure; retrying");
                }
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
                true
            }
        }
    }

    fn is_suspect(&self) -> bool {
        self.suspect_until.load(Ordering::Relaxed) > now_millis()
    }
}

fn now_millis() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}
