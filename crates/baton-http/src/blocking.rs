//! Running blocking work off the async executor, in two bounded pools.
//!
//! diesel queries and bcrypt block their thread, so handlers hand them to tokio's blocking
//! threads — but each through a pool that bounds how many run at once:
//! - **database** work: at most `database.pool_size` at once, one per connection, so a use case
//!   never waits on the connection pool for a connection held by another use case; the bound is
//!   the pool size whatever the number of HTTP workers;
//! - **password hashing** (bcrypt): at most `passwords.threads` at once, apart from the
//!   database pool, so a burst of logins never takes the threads that refreshes need.
//!
//! A use case that cannot start within `database.connect_timeout` answers 503 (`Retry-After`)
//! instead of queueing without end. The request's tracing span goes along, so log lines from
//! the core keep the request id. [`Pool::load`] feeds `/metrics`.

use crate::error::HttpError;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How busy a pool is right now, for the metrics gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    /// Work waiting for a thread of the pool.
    pub waiting: i64,
    /// Work running on a thread of the pool.
    pub running: i64,
}

/// A bounded set of blocking threads: at most `size` pieces of work run at once; the others
/// wait up to `wait`, then get [`HttpError::Busy`]. Cheap to clone.
#[derive(Clone)]
pub struct Pool {
    name: &'static str,
    permits: Arc<Semaphore>,
    size: usize,
    wait: Duration,
    waiting: Arc<AtomicI64>,
    running: Arc<AtomicI64>,
}

/// Counts up now and down when dropped, so a cancelled or panicking task still counts down.
struct Tally(Arc<AtomicI64>);

impl Tally {
    fn up(counter: &Arc<AtomicI64>) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter.clone())
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Pool {
    /// A pool named `name` (for errors and metrics) running at most `size` (at least 1) at
    /// once, each waiting at most `wait` to start.
    pub fn new(name: &'static str, size: usize, wait: Duration) -> Self {
        let size = size.max(1);
        Self {
            name,
            permits: Arc::new(Semaphore::new(size)),
            size,
            wait,
            waiting: Arc::new(AtomicI64::new(0)),
            running: Arc::new(AtomicI64::new(0)),
        }
    }

    /// How many run at once at most.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The pool's load now.
    pub fn load(&self) -> Load {
        Load {
            waiting: self.waiting.load(Ordering::Relaxed),
            running: self.running.load(Ordering::Relaxed),
        }
    }

    /// Runs `work` on a blocking thread inside the current span once the pool has room, and
    /// returns its result. [`HttpError::Busy`] when there was no room within the wait (the
    /// work does not run); [`HttpError::TaskFailed`] when it panicked.
    pub async fn run<T, F>(&self, work: F) -> Result<T, HttpError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let span = tracing::Span::current();
        let waiting = Tally::up(&self.waiting);
        let acquire = self.permits.clone().acquire_owned();
        let permit = match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) | Err(_) => return Err(HttpError::Busy(self.name)),
        };
        drop(waiting);
        let running = self.running.clone();
        tokio::task::spawn_blocking(move || {
            let _running = Tally::up(&running);
            // Held until the work is done, even if the request that wanted it went away.
            let _permit = permit;
            span.in_scope(work)
        })
        .await
        .map_err(|_| HttpError::TaskFailed)
    }
}

/// The server's two pools.
#[derive(Clone)]
pub struct Pools {
    /// Use cases that talk to the database.
    pub db: Pool,
    /// bcrypt.
    pub hash: Pool,
}

impl Pools {
    /// Pools of `db` and `hash` threads, both waiting at most `wait` for room.
    pub fn new(db: usize, hash: usize, wait: Duration) -> Self {
        Self {
            db: Pool::new("database", db, wait),
            hash: Pool::new("password hashing", hash, wait),
        }
    }

    /// Blocking threads an HTTP worker may need at most: every permit of both pools.
    pub fn threads(&self) -> usize {
        self.db.size() + self.hash.size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;

    #[tokio::test]
    async fn counts_return_to_where_they_were() {
        let pool = Pool::new("test", 2, Duration::from_secs(5));
        let idle = Load { waiting: 0, running: 0 };
        assert_eq!(pool.load(), idle);
        let inside = pool.clone();
        let seen = pool.run(move || inside.load()).await.expect("runs");
        assert_eq!(seen, Load { waiting: 0, running: 1 });
        assert_eq!(pool.load(), idle, "after a success");
        let failed: Result<(), &str> = pool.run(|| Err("no")).await.expect("runs");
        assert!(failed.is_err());
        assert_eq!(pool.load(), idle, "after a failure");
        let panicked = pool.run(|| panic!("boom")).await;
        assert_eq!(panicked, Err(HttpError::TaskFailed));
        assert_eq!(pool.load(), idle, "after a panic");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_size_run_at_once_and_a_full_pool_answers_busy() {
        let pool = Pool::new("test", 1, Duration::from_millis(50));
        let (started, release) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
        let (s, r) = (started.clone(), release.clone());
        let holder = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(move || {
                    s.wait();
                    r.wait();
                })
                .await
            }
        });
        tokio::task::spawn_blocking(move || started.wait()).await.expect("joins");
        assert_eq!(pool.load().running, 1);
        let refused = pool.run(|| ()).await;
        assert_eq!(refused, Err(HttpError::Busy("test")), "the one thread is taken");
        tokio::task::spawn_blocking(move || release.wait()).await.expect("joins");
        holder.await.expect("joins").expect("ran");
        pool.run(|| ()).await.expect("room again");
        assert_eq!(pool.load(), Load { waiting: 0, running: 0 });
    }
}
