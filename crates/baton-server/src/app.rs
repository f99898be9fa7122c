//! The actix application: routes, extractor limits, middleware and the HTTP server.
//!
//! Built here once for `baton serve` and for the integration tests, which start this very
//! server on a real socket.

use crate::body;
use crate::config::ServerConfig;
use crate::error::{ApiError, PROBLEM_JSON};
use crate::routes::{auth, health, sessions};
use crate::telemetry::RequestSpan;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{App, HttpResponse, HttpServer, ResponseError, web};
use baton_core::Auth;
use baton_store::Store;
use std::net::TcpListener;
use tracing_actix_web::TracingLogger;

/// What handlers share: the use cases and the store (for the readiness probe).
#[derive(Clone)]
pub struct AppState {
    /// Baton's use cases, wired to their adapters.
    pub auth: Auth,
    /// The database, pinged by `/readyz`.
    pub store: Store,
}

/// Registers every route, the body limits and the 404 fallback on an app or a test service.
pub fn configure(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(state)
            .app_data(body::json_config())
            .app_data(body::payload_config())
            .app_data(body::query_config())
            .service(
                web::scope("/api/v1/auth")
                    .service(resource("/register").route(web::post().to(auth::register)))
                    .service(resource("/login").route(web::post().to(auth::login)))
                    .service(resource("/refresh").route(web::post().to(auth::refresh)))
                    .service(resource("/logout").route(web::post().to(auth::logout)))
                    .service(resource("/me").route(web::get().to(auth::me)))
                    .service(resource("/sessions").route(web::get().to(sessions::list)))
                    .service(resource("/sessions/{id}").route(web::delete().to(sessions::revoke))),
            )
            .service(resource("/healthz").route(web::get().to(health::healthz)))
            .service(resource("/readyz").route(web::get().to(health::readyz)))
            // A later issue adds `GET /metrics` (Prometheus) and `GET /api-docs/openapi.json`
            // here, next to the probes.
            .default_service(web::to(not_found));
    }
}

/// A resource whose unmatched methods answer 405 as problem+json.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::method_not_allowed())
}

/// Safety net: any error response not already problem+json (produced by actix itself or a
/// library) is replaced by the problem+json answer for its status, so clients always get
/// the documented error shape.
pub fn problem_safety_net<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
        if is_problem {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let replacement = ApiError::from_status(res.status()).error_response();
        let (req, _) = res.into_parts();
        let res = ServiceResponse::new(req, replacement).map_into_right_body();
        Ok(ErrorHandlerResponse::Response(res))
    })
}

/// Threads each worker may run use cases on: the pool's connections shared among workers, so
/// a blocking call never waits for a connection held by another blocking call.
pub fn blocking_threads_per_worker(pool_size: u32, workers: usize) -> usize {
    (pool_size as usize / workers.max(1)).max(1)
}

/// Builds the HTTP server on an already bound listener (port 0 works: tests read the port
/// back from the listener). The returned [`Server`] must be awaited or spawned to run; it
/// stops through its handle. actix's own signal handling is off (it treats ctrl-c as a
/// forced stop); `baton serve` installs its own, graceful for SIGTERM and ctrl-c alike.
pub fn server(
    listener: TcpListener,
    state: AppState,
    config: &ServerConfig,
    pool_size: u32,
) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let workers = config
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let server = HttpServer::new(move || {
        App::new()
            .wrap(problem_safety_net())
            .wrap(TracingLogger::<RequestSpan>::new())
            .configure(configure(data.clone()))
    })
    .workers(workers)
    .worker_max_blocking_threads(blocking_threads_per_worker(pool_size, workers))
    .shutdown_timeout(config.shutdown_timeout.as_secs())
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}
