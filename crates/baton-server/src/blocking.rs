//! Running use cases off the async executor.
//!
//! Every core call does blocking work (diesel queries, bcrypt), so handlers hand the whole
//! request's core work to actix's blocking pool in one hop. The request's tracing span goes
//! along, so log lines from the core keep the request id.
//!
//! The hop is also where database back-pressure shows: each worker has as many blocking
//! threads as it has a share of pool connections (see [`crate::app::blocking_threads_per_worker`]),
//! so a use case waiting for a thread is, in effect, waiting for a database connection.
//! That wait is bounded like a pool checkout: after `database.connect_timeout` (see
//! [`set_queue_limit`]) the request answers 503 and its use case is skipped, so connections
//! stuck in slow queries never make later requests hang.
//! [`load`] reports how many wait and how many run, for `/metrics`.

use crate::error::ApiError;
use actix_web::web;
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU8, Ordering};
use std::time::Duration;

/// Use cases handed to the blocking pool that have not started yet (process-wide).
static WAITING: AtomicI64 = AtomicI64::new(0);
/// Use cases running on a blocking thread now (process-wide).
static RUNNING: AtomicI64 = AtomicI64::new(0);

/// How busy the blocking pool is right now, for the metrics gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    /// Use cases queued for a blocking thread (and hence for a connection).
    pub waiting: i64,
    /// Use cases running on a blocking thread.
    pub running: i64,
}

/// The blocking pool's load now. Process-wide: every server in the process shares it.
pub fn load() -> Load {
    Load { waiting: WAITING.load(Ordering::Relaxed), running: RUNNING.load(Ordering::Relaxed) }
}

/// Decrements its counter when dropped, so a panicking or cancelled task still counts down.
struct Tally(&'static AtomicI64);

impl Tally {
    fn up(counter: &'static AtomicI64) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

thread_local! {
    /// How long a use case may wait for a blocking thread on this worker thread.
    static QUEUE_LIMIT: Cell<Option<Duration>> = const { Cell::new(None) };
}

/// Bounds, for the calling actix worker thread, how long a use case may wait for a blocking
/// thread: past `limit` its request answers 503 (`Retry-After: 1`) and the use case is
/// skipped when its turn comes. [`crate::app::server`] sets `database.connect_timeout` on
/// every worker. Unset (handler tests on a bare runtime), the wait is unbounded.
pub fn set_queue_limit(limit: Duration) {
    QUEUE_LIMIT.with(|l| l.set(Some(limit)));
}

/// States of a queued use case; whoever moves it out of `QUEUED` first decides whether it
/// runs (the blocking thread) or is answered 503 (the caller, on timeout).
const QUEUED: u8 = 0;
const STARTED: u8 = 1;
const ABANDONED: u8 = 2;

/// Runs `work` on the blocking pool inside the current span and returns its result; 503
/// when it could not start within the worker's queue limit (see [`set_queue_limit`]).
pub async fn run<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    let waiting = Tally::up(&WAITING);
    let state = Arc::new(AtomicU8::new(QUEUED));
    let claim = Arc::clone(&state);
    let task = web::block(move || {
        drop(waiting);
        if claim.compare_exchange(QUEUED, STARTED, Ordering::AcqRel, Ordering::Acquire).is_err() {
            return Err(ApiError::unavailable("use case abandoned in the queue"));
        }
        let _running = Tally::up(&RUNNING);
        span.in_scope(work)
    });
    let mut task = std::pin::pin!(task);
    let joined = match QUEUE_LIMIT.with(Cell::get) {
        None => task.await,
        Some(limit) => match tokio::time::timeout(limit, task.as_mut()).await {
            Ok(joined) => joined,
            Err(_) => {
                let abandon =
                    state.compare_exchange(QUEUED, ABANDONED, Ordering::AcqRel, Ordering::Acquire);
                if abandon.is_ok() {
                    return Err(ApiError::unavailable(format!(
                        "no blocking thread (database connection) free within {limit:?}"
                    )));
                }
                // It started just in time: its outcome is the answer.
                task.await
            }
        },
    };
    joined.map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn counts_return_to_where_they_were() {
        let observed = run(|| Ok(load())).await.unwrap();
        assert!(observed.running >= 1, "{observed:?}");
        let failed: Result<(), _> = run(|| Err(ApiError::not_found())).await;
        assert!(failed.is_err());
    }
}
