//! `/metrics` (Prometheus) and `/api-docs/openapi.json`: what operators and tooling read.

use crate::paths;
use crate::state::AppState;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

/// Content type of the Prometheus text exposition format.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `GET /metrics`: counters, histograms and gauges in the Prometheus text format. The
/// active-sessions gauge is counted now (one query, off the executor); see
/// `docs/OPERATIONS.md` for what each metric means.
#[utoipa::path(
    get,
    path = paths::METRICS,
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format.",
               body = String, content_type = "text/plain"))
)]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let text = state.metrics.render(&state.operations).await;
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, PROMETHEUS_TEXT))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(text)
}

/// `GET /api-docs/openapi.json`: the OpenAPI 3 document of every route.
#[utoipa::path(
    get,
    path = paths::OPENAPI,
    tag = "operations",
    responses((status = 200, description = "This API's OpenAPI document.", body = Object))
)]
pub async fn openapi(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(document.0)
}

/// The OpenAPI document's JSON, as app data of the route that serves it (the document lists
/// that route, so the route takes it as data rather than building it).
#[derive(Debug, Clone, Copy)]
pub struct OpenApiDocument(pub &'static str);
