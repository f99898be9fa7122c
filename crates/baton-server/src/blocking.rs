//! Running use cases off the async executor.
//!
//! Every core call does blocking work (diesel queries, bcrypt), so handlers hand the whole
//! request's core work to actix's blocking pool in one hop. The request's tracing span goes
//! along, so log lines from the core keep the request id.
//!
//! The hop is also where database back-pressure shows: each worker has as many blocking
//! threads as it has a share of pool connections (see [`crate::app::blocking_threads_per_worker`]),
//! so a use case waiting for a thread is, in effect, waiting for a database connection.
//! [`load`] reports how many wait and how many run, for `/metrics`.

use crate::error::ApiError;
use actix_web::web;
use std::sync::atomic::{AtomicI64, Ordering};

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

/// Runs `work` on the blocking pool inside the current span and returns its result.
pub async fn run<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    let waiting = Tally::up(&WAITING);
    web::block(move || {
        drop(waiting);
        let _running = Tally::up(&RUNNING);
        span.in_scope(work)
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
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
