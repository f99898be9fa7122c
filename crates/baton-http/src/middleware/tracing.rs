//! The per-request log span and the `X-Request-Id` header.
//!
//! Every request runs in a span carrying its request id, so every line logged while serving
//! it (the core's too: use cases run on the request's task, and the adapters that move work
//! to their own threads take the span along) names the request. The span records
//! method, path, status, error code and latency; never headers, bodies or query strings, so
//! tokens and passwords cannot reach the log. The id is also sent back as `X-Request-Id`, so a
//! client's report can be matched with the server's lines.
//!
//! Lines from outside any request (start-up, the periodic purge, actix's connection-level
//! trace output) have no request id: there is none to give.

use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use std::time::Instant;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

/// When the request started, kept in its extensions for the latency field.
#[derive(Clone, Copy)]
struct Started(Instant);

/// Baton's root span for each request: `request{request_id method path}`, plus one
/// `request finished` line at the end with status, error code and latency.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(Started(Instant::now()));
        let request_id =
            request.extensions().get::<RequestId>().map(ToString::to_string).unwrap_or_default();
        tracing::info_span!(
            "request",
            %request_id,
            method = %request.method(),
            path = %request.path(),
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, error, started) = match outcome {
            Ok(res) => (
                res.status(),
                res.response().error(),
                res.request().extensions().get::<Started>().copied(),
            ),
            Err(e) => (e.as_response_error().status_code(), Some(e), None),
        };
        let api_error = error.and_then(|e| e.as_error::<ApiError>());
        let code = api_error.map(ApiError::code);
        let reason = api_error.map(ApiError::reason);
        let latency_ms = started.map(|s| s.0.elapsed().as_millis() as u64);
        span.in_scope(|| {
            let status = status.as_u16();
            if status >= 500 {
                tracing::error!(status, code, reason, latency_ms, "request failed");
            } else {
                tracing::info!(status, code, reason, latency_ms, "request finished");
            }
        });
    }
}

/// Response header carrying the request id.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Middleware (inside the tracing logger) copying the request id into `X-Request-Id`.
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req.extensions().get::<RequestId>().map(ToString::to_string);
    let mut res = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(res)
}
