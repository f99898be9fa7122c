//! SQLite's bounded pool of blocking threads: at most `pool_size` statements at once, on
//! tokio's blocking threads, each waiting at most `connect_timeout` for room.
//!
//! SQLite is embedded: a statement runs on the calling thread and may wait for the file's
//! write lock, so it must not run on an async worker. One permit per pooled connection means a
//! statement that got a thread never waits for a connection held by another. A full pool
//! answers `StoreError::Unavailable` instead of queueing without end. The caller's tracing
//! span goes along into the thread, so log lines keep their request id.
//!
//! (baton-password has the same small pool for bcrypt; adapters do not depend on each other.)

use baton_core::StoreError;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How busy the pool is right now, for the metrics gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Load {
    /// Statements waiting for a thread.
    pub(crate) waiting: usize,
    /// Statements running on a thread.
    pub(crate) running: usize,
}

/// No thread within the wait: the statement did not run.
#[derive(Debug, thiserror::Error)]
#[error("no database thread free within {0:?}")]
struct Full(Duration);

/// The statement panicked on its thread.
#[derive(Debug, thiserror::Error)]
#[error("database thread panicked")]
struct Panicked;

/// A bounded set of blocking threads. Cheap to clone (the bound is shared).
#[derive(Debug, Clone)]
pub(crate) struct BlockingPool {
    permits: Arc<Semaphore>,
    wait: Duration,
    waiting: Arc<AtomicUsize>,
    running: Arc<AtomicUsize>,
}

/// Counts up now and down when dropped, so a cancelled or panicking call still counts down.
struct Tally(Arc<AtomicUsize>);

impl Tally {
    fn up(counter: &Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter.clone())
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl BlockingPool {
    /// A pool running at most `threads` (at least one) at once; a call waits at most `wait`.
    pub(crate) fn new(threads: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(threads.max(1))),
            wait,
            waiting: Arc::new(AtomicUsize::new(0)),
            running: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The load now.
    pub(crate) fn load(&self) -> Load {
        Load {
            waiting: self.waiting.load(Ordering::Relaxed),
            running: self.running.load(Ordering::Relaxed),
        }
    }

    /// Runs `work` on a blocking thread, inside the caller's span, once the pool has room;
    /// [`StoreError::Unavailable`] when there was none within the wait (nothing ran),
    /// [`StoreError::Backend`] when it panicked. A caller that goes away while the work runs
    /// does not free its room early: the bound is on threads really working.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let span = tracing::Span::current();
        let waiting = Tally::up(&self.waiting);
        let acquire = self.permits.clone().acquire_owned();
        let permit = match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => permit,
            // A closed semaphore cannot happen (it is never closed); treat it as full.
            Ok(Err(_)) | Err(_) => return Err(StoreError::unavailable(Full(self.wait))),
        };
        drop(waiting);
        let running = self.running.clone();
        tokio::task::spawn_blocking(move || {
            let _running = Tally::up(&running);
            let _permit = permit;
            span.in_scope(work)
        })
        .await
        .map_err(|_| StoreError::backend(Panicked))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;

    #[tokio::test]
    async fn counts_return_to_zero_after_success_failure_and_panic() {
        let pool = BlockingPool::new(2, Duration::from_secs(5));
        assert_eq!(pool.load(), Load::default());
        let inside = pool.clone();
        let seen = pool.run(move || inside.load()).await.expect("runs");
        assert_eq!(seen, Load { waiting: 0, running: 1 });
        assert_eq!(pool.load(), Load::default(), "after a success");
        assert!(matches!(pool.run(|| panic!("boom")).await, Err(StoreError::Backend(_))));
        assert_eq!(pool.load(), Load::default(), "after a panic");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_threads_run_at_once_and_a_full_pool_is_unavailable() {
        let pool = BlockingPool::new(1, Duration::from_millis(50));
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
        assert!(matches!(refused, Err(StoreError::Unavailable(_))), "the thread is taken");
        tokio::task::spawn_blocking(move || release.wait()).await.expect("joins");
        holder.await.expect("joins").expect("ran");
        pool.run(|| ()).await.expect("room again");
        assert_eq!(pool.load(), Load::default());
    }
}

/// The thread running setup work panicked.
#[derive(Debug, thiserror::Error)]
#[error("database setup thread failed")]
struct SetupThreadFailed;

/// Runs blocking setup work (opening a file, migrating) on one of tokio's blocking threads,
/// outside any pool: it happens once, at start-up or in a one-shot command.
pub(crate) async fn setup<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work).await.map_err(|_| StoreError::backend(SetupThreadFailed))?
}
