//! The actix application: routes, extractor limits, middleware and the HTTP server.
//!
//! Built here once for `baton serve` and for the integration tests, which start this very
//! server on a real socket. [`endpoints`] is the one routing table: the server registers it
//! and a test checks the OpenAPI document ([`crate::openapi`]) lists exactly it.

use crate::blocking::Pools;
use crate::body;
use crate::config::{Config, ServerConfig};
use crate::cookies;
use crate::error::{ApiError, HttpError, PROBLEM_JSON};
use crate::metrics::{self, Metrics};
use crate::ratelimit::{self, RateLimiter};
use crate::routes::{account, health, introspect, jwks, ops, sessions, tokens};
use crate::telemetry::{self, RequestSpan};
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, ResponseError, Route, web};
use baton_core::Auth;
use baton_jwt::ReloadableIssuer;
use baton_store::Store;
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

/// What handlers share: the use cases, the store (for the probes and gauges), the thread
/// pools the use cases run on, the key set (for the JWKS and reloads), the configuration and
/// the metrics.
#[derive(Clone)]
pub struct AppState {
    /// Baton's use cases, wired to their adapters.
    pub auth: Auth,
    /// The JWT key set the use cases sign with; SIGHUP swaps it, `/.well-known/jwks.json`
    /// publishes it.
    pub issuer: Arc<ReloadableIssuer>,
    /// The configuration the server started with (the key set aside, which reloads).
    pub config: Arc<Config>,
    /// The database, pinged by `/readyz` and counted by `/metrics`.
    pub store: Store,
    /// The database and password-hashing thread pools.
    pub pools: Pools,
    /// Counters and gauges behind `/metrics`.
    pub metrics: Metrics,
    /// The per-address rate limit of register and login.
    pub limiter: Arc<RateLimiter>,
}

/// One route of the API. The table is data so that the server and the OpenAPI check read
/// the same list and cannot drift apart.
pub struct Endpoint {
    /// HTTP method.
    pub method: Method,
    /// Path pattern as actix and OpenAPI both write it (`/api/v1/auth/sessions/{id}`).
    pub path: &'static str,
    /// The handler, as a route without a method guard.
    handler: fn() -> Route,
}

fn endpoint(method: Method, path: &'static str, handler: fn() -> Route) -> Endpoint {
    Endpoint { method, path, handler }
}

/// Every route Baton serves (SPEC §2), in registration order.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint(Method::POST, "/api/v1/auth/register", || web::route().to(account::register)),
        endpoint(Method::POST, "/api/v1/auth/login", || web::route().to(account::login)),
        endpoint(Method::POST, "/api/v1/auth/refresh", || web::route().to(tokens::refresh)),
        endpoint(Method::POST, "/api/v1/auth/logout", || web::route().to(tokens::logout)),
        endpoint(Method::GET, "/api/v1/auth/me", || web::route().to(tokens::me)),
        endpoint(Method::GET, "/api/v1/auth/sessions", || web::route().to(sessions::list)),
        endpoint(Method::DELETE, "/api/v1/auth/sessions/{id}", || {
            web::route().to(sessions::revoke)
        }),
        endpoint(Method::GET, "/healthz", || web::route().to(health::healthz)),
        endpoint(Method::GET, "/readyz", || web::route().to(health::readyz)),
        endpoint(Method::GET, "/metrics", || web::route().to(ops::metrics)),
        endpoint(Method::GET, "/api-docs/openapi.json", || web::route().to(ops::openapi)),
        endpoint(Method::GET, "/.well-known/jwks.json", || web::route().to(jwks::jwks)),
        endpoint(Method::POST, "/api/v1/auth/introspect", || {
            web::route().to(introspect::introspect)
        }),
    ]
}

/// Registers every route of [`endpoints`], the body limits and the 404 fallback on an app or
/// a test service. Routes sharing a path share one resource, whose other methods answer 405.
pub fn configure(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(state).app_data(body::payload_config()).app_data(body::query_config());
        let mut paths: Vec<&'static str> = Vec::new();
        let endpoints = endpoints();
        for e in &endpoints {
            if !paths.contains(&e.path) {
                paths.push(e.path);
            }
        }
        for path in paths {
            let routes: Vec<&Endpoint> = endpoints.iter().filter(|e| e.path == path).collect();
            let allow: Vec<&str> = routes.iter().map(|e| e.method.as_str()).collect();
            let mut res = resource(path, allow.join(", "));
            for e in routes {
                res = res.route((e.handler)().method(e.method.clone()));
            }
            cfg.service(res);
        }
        cfg.default_service(web::to(not_found));
    }
}

/// A resource whose unmatched methods answer 405 as problem+json, with `Allow: <allow>`.
fn resource(path: &str, allow: String) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || {
        let allow = allow.clone();
        async move {
            Err::<HttpResponse, _>(ApiError::from(HttpError::MethodNotAllowed).with_allow(allow))
        }
    }))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(HttpError::NotFound.into())
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
        let replacement = ApiError::from(HttpError::Status(res.status())).error_response();
        let (req, _) = res.into_parts();
        let res = ServiceResponse::new(req, replacement).map_into_right_body();
        Ok(ErrorHandlerResponse::Response(res))
    })
}

/// Builds the HTTP server on an already bound listener (port 0 works: tests read the port
/// back from the listener). The returned [`Server`] must be awaited or spawned to run; it
/// stops through its handle. actix's own signal handling is off (it treats ctrl-c as a
/// forced stop); `baton serve` installs its own, graceful for SIGTERM and ctrl-c alike.
pub fn server(
    listener: TcpListener,
    state: AppState,
    config: &ServerConfig,
) -> std::io::Result<Server> {
    let workers = config
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // The pools bound the work process-wide; each worker's tokio runtime only needs enough
    // blocking threads to run all of it should it land on one worker.
    let blocking_threads = state.pools.threads();
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(ratelimit::limit))
            .wrap(problem_safety_net())
            // CORS outside the safety net, so problem+json answers carry its headers too.
            .wrap(cookies::cors::layer(&data.config.cookies))
            .wrap(from_fn(cookies::cors::tidy))
            .wrap(from_fn(telemetry::request_id_header))
            .wrap(TracingLogger::<RequestSpan>::new())
            .wrap(from_fn(metrics::track))
            .wrap(from_fn(crate::shutdown::track))
            .configure(configure(data.clone()))
    })
    .workers(workers)
    .worker_max_blocking_threads(blocking_threads)
    .shutdown_timeout(config.shutdown_timeout.as_secs())
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}
