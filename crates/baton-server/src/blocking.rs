//! Running use cases off the async executor.
//!
//! Every core call does blocking work (diesel queries, bcrypt), so handlers hand the whole
//! request's core work to actix's blocking pool in one hop. The request's tracing span goes
//! along, so log lines from the core keep the request id.

use crate::error::ApiError;
use actix_web::web;

/// Runs `work` on the blocking pool inside the current span and returns its result.
pub async fn run<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    web::block(move || span.in_scope(work))
        .await
        .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}
