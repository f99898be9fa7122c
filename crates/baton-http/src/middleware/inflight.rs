//! Requests in flight, so a stop that reaches `server.shutdown_timeout` can say how many
//! requests it cut off instead of ending silently.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Requests that started and have not answered yet, in this process. One counter per process
/// (not per server) because `baton serve` runs one server; tests that start several servers
/// in one process never stop through [`begin_stop`], so they never read it.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
/// Set when the stop begins: a request dropped unanswered after that was cut.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Middleware counting in-flight requests (see [`cut_requests`]).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    RUNNING.fetch_add(1, Ordering::SeqCst);
    let mut guard = Running { answered: false };
    let res = next.call(req).await;
    guard.answered = true;
    RUNNING.fetch_sub(1, Ordering::SeqCst);
    res
}

/// Un-counts a request dropped before it answered, unless the stop dropped it: that one was
/// cut and stays counted.
struct Running {
    answered: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.answered && !STOPPING.load(Ordering::SeqCst) {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Marks the start of the stop; requests dropped unanswered from now on count as cut.
pub fn begin_stop() {
    STOPPING.store(true, Ordering::SeqCst);
}

/// After the server stopped: requests that never answered (cut at `shutdown_timeout`, or
/// still running when the workers were torn down).
pub fn cut_requests() -> usize {
    RUNNING.load(Ordering::SeqCst)
}
