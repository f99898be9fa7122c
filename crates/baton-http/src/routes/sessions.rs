//! `/api/v1/auth/sessions`: the caller's own sessions.

use crate::dto::SessionResponse;
use crate::error::ApiError;
use crate::extract::BearerToken;
use crate::openapi::responses::{BearerRejected, Unavailable};
use crate::paths;
use crate::response::no_store;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use baton_core::RevokeSessionError;
use uuid::Uuid;

/// `GET /api/v1/auth/sessions`: the caller's active sessions, most recently used first, the
/// one of the presented token marked `current`. The body is a JSON array.
#[utoipa::path(
    get,
    path = paths::SESSIONS,
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's active sessions.", body = Vec<SessionResponse>,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        BearerRejected,
        Unavailable,
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    bearer: BearerToken,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let sessions = state.auth.list_sessions(&principal).await?;
    let body: Vec<SessionResponse> = sessions.into_iter().map(SessionResponse::from).collect();
    Ok(no_store(StatusCode::OK).json(body))
}

/// `DELETE /api/v1/auth/sessions/{id}`: ends one of the caller's active sessions (204). Any
/// other id, malformed ones included, is 404 — after authentication, so ids cannot be probed.
#[utoipa::path(
    delete,
    path = paths::SESSION,
    tag = "auth",
    params(("id" = Uuid, Path, description = "A session id from the sessions list. Any other \
        string, malformed ones included, is answered 404 like an unknown id.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The session is ended.",
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 404, description = "Not an active session of the caller \
         (`session_not_found`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BearerRejected,
        Unavailable,
    )
)]
pub async fn revoke(
    state: web::Data<AppState>,
    bearer: BearerToken,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let id = Uuid::parse_str(&id).map_err(|_| RevokeSessionError::NotFound)?;
    state.auth.revoke_own_session(&principal, id).await?;
    Ok(no_store(StatusCode::NO_CONTENT).finish())
}
