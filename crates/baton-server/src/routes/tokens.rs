//! `/api/v1/auth/{refresh,logout,me}`: the token routes, which never touch bcrypt.

use super::account::tokens;
use super::no_store;
use crate::app::AppState;
use crate::body::OptionalJson;
use crate::dto::{LogoutQuery, RefreshTokenBody, TokenResponse, UserResponse};
use crate::error::{ApiError, HttpError};
use crate::extract::{Authorization, BearerToken, authorization};
use crate::openapi::{BearerRejected, BodyErrors, Unavailable};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

/// `POST /api/v1/auth/refresh`: rotates the session of the refresh token given in the body
/// or, failing that, as `Authorization: Bearer`. The body wins when both are present, so a
/// client that adds its access token to every request can still refresh.
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    request_body(content = Option<RefreshTokenBody>,
        description = "The refresh token; or send it as `Authorization: Bearer` instead."),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The session's new token pair.", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "No refresh token given (`missing_token`) or invalid \
         JSON (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_token`, `token_expired`, `session_revoked`, \
         or `token_reused` (a retired token came back: the whole session is now revoked).",
         body = crate::error::Problem, content_type = "application/problem+json",
         headers(("WWW-Authenticate" = String, description = "`Bearer error=\"invalid_token\"`"))),
        (status = 403, description = "The account is disabled (`account_disabled`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BodyErrors,
        Unavailable,
    )
)]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: OptionalJson<RefreshTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let token = match body.0.and_then(RefreshTokenBody::into_token) {
        Some(token) => token,
        None => match authorization(&req) {
            Ok(Authorization::Bearer(token)) => token,
            Ok(Authorization::Absent) => return Err(HttpError::MissingRefreshToken.into()),
            Err(e) => {
                state.metrics.refresh_refused();
                return Err(e.into());
            }
        },
    };
    let auth = state.auth.clone();
    let result = state.pools.db.run(move || auth.refresh(&token)).await?;
    state.metrics.refresh(&result);
    Ok(tokens(StatusCode::OK, result?))
}

/// `POST /api/v1/auth/logout?scope=local|global|others`: ends sessions of the caller (204).
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    params(LogoutQuery),
    request_body(content = Option<RefreshTokenBody>,
        description = "Optionally the refresh token of the caller's session, to end it too."),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The sessions of the scope are ended.",
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "Invalid `scope` or JSON (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BearerRejected,
        BodyErrors,
        Unavailable,
    )
)]
pub async fn logout(
    state: web::Data<AppState>,
    bearer: BearerToken,
    query: web::Query<LogoutQuery>,
    body: OptionalJson<RefreshTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let scope = query.scope.into();
    let refresh_token = body.0.and_then(RefreshTokenBody::into_token);
    let auth = state.auth.clone();
    state
        .pools
        .db
        .run(move || -> Result<(), ApiError> {
            let principal = auth.authenticate(bearer.as_str())?;
            Ok(auth.logout(&principal, scope, refresh_token.as_deref())?)
        })
        .await??;
    Ok(no_store(StatusCode::NO_CONTENT).finish())
}

/// `GET /api/v1/auth/me`: the caller's account.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account.", body = UserResponse,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        BearerRejected,
        Unavailable,
    )
)]
pub async fn me(state: web::Data<AppState>, bearer: BearerToken) -> Result<HttpResponse, ApiError> {
    let auth = state.auth.clone();
    let principal = state.pools.db.run(move || auth.authenticate(bearer.as_str())).await??;
    Ok(no_store(StatusCode::OK).json(UserResponse::from(&principal.user)))
}
