//! `/healthz` and `/readyz` for orchestrators and load balancers.

use crate::dto::HealthResponse;
use crate::error::ApiError;
use crate::openapi::responses::Unavailable;
use crate::paths;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use baton_core::Fault;

/// `GET /healthz`: the process is up and serving (no database access, so a database outage
/// does not get the process restarted).
#[utoipa::path(
    get,
    path = paths::HEALTHZ,
    tag = "operations",
    responses((status = 200, description = "The process is up.", body = HealthResponse))
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse { status: "ok" })
}

/// `GET /readyz`: 200 when the database answers a query now, 503 otherwise, so a load
/// balancer sends traffic only to instances that can serve it.
#[utoipa::path(
    get,
    path = paths::READYZ,
    tag = "operations",
    responses(
        (status = 200, description = "The database answers.", body = HealthResponse),
        Unavailable,
    )
)]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.operations.ping().await.map_err(Fault::from)?;
    Ok(HttpResponse::Ok().json(HealthResponse { status: "ok" }))
}
