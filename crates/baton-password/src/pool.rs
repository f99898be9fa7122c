//! The hasher's own bounded pool: at most `threads` bcrypt computations at once, on tokio's
//! blocking threads, each caller waiting at most `wait` for room.
//!
//! bcrypt holds a core for tens to hundreds of milliseconds, so it must neither run on an
//! async worker (it would stall every request of that worker) nor take as many threads as a
//! burst of logins asks for (it would starve everything else). A full pool answers
//! [`Full`] instead of queueing without end, which the hasher reports as
//! `HashError::Busy` (503 with `Retry-After`). The caller's tracing span goes along into the
//! thread, so the log lines of a password check keep their request id.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How busy a pool is right now, for the metrics gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Load {
    /// Calls waiting for room in the pool.
    pub waiting: usize,
    /// Calls running on a thread of the pool.
    pub running: usize,
}

/// No room in the pool within the wait: the work did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// The work panicked on its thread.
#[derive(Debug, thiserror::Error)]
#[error("password hashing thread panicked")]
pub(crate) struct Panicked;

/// Why [`BlockingPool::run`] returned no result.
#[derive(Debug)]
pub(crate) enum RunError {
    /// No room within the wait.
    Full(Full),
    /// The work panicked.
    Panicked(Panicked),
}

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

    /// Runs `work` on a blocking thread, inside the caller's span, once the pool has room.
    /// A caller that goes away while the work runs does not free its room early: the bound is
    /// on threads really computing.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, RunError>
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
            Ok(Err(_)) | Err(_) => return Err(RunError::Full(Full)),
        };
        drop(waiting);
        let running = self.running.clone();
        tokio::task::spawn_blocking(move || {
            let _running = Tally::up(&running);
            let _permit = permit;
            span.in_scope(work)
        })
        .await
        .map_err(|_| RunError::Panicked(Panicked))
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
        assert!(matches!(pool.run(|| panic!("boom")).await, Err(RunError::Panicked(_))));
        assert_eq!(pool.load(), Load::default(), "after a panic");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_threads_run_at_once_and_a_full_pool_answers_full() {
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
        assert!(matches!(pool.run(|| ()).await, Err(RunError::Full(Full))), "the thread is taken");
        tokio::task::spawn_blocking(move || release.wait()).await.expect("joins");
        holder.await.expect("joins").expect("ran");
        pool.run(|| ()).await.expect("room again");
        assert_eq!(pool.load(), Load::default());
    }

    #[tokio::test]
    async fn the_callers_span_goes_into_the_thread() {
        use tracing::Instrument;
        // Global, so that the blocking thread sees the same subscriber; spans get ids.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        let span = tracing::info_span!("request", id = 7);
        assert!(span.id().is_some(), "a subscriber records the span");
        let pool = BlockingPool::new(1, Duration::from_secs(5));
        let inner = pool.run(|| tracing::Span::current().id()).instrument(span.clone());
        assert_eq!(inner.await.expect("runs"), span.id());
    }
}
