//! `/api/v1/auth/{refresh,logout,me}`: the token routes, which never touch bcrypt.

use crate::cookies::Transport;
use crate::cookies::doc::{CsrfRejected, TransportHeader};
use crate::cookies::presented::PresentedRefresh;
use crate::dto::{LogoutQuery, RefreshTokenBody, TokenResponse, UserResponse};
use crate::error::ApiError;
use crate::extract::{BearerToken, OptionalJson};
use crate::openapi::responses::{BearerRejected, BodyErrors, Unavailable};
use crate::paths;
use crate::response::no_store;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

/// `POST /api/v1/auth/refresh`: rotates the session of the refresh token given in the body
/// or, failing that, as `Authorization: Bearer`. The body wins when both are present, so a
/// client that adds its access token to every request can still refresh. With cookie
/// transport the token comes from the cookie only, and the answer sets (or clears) it.
#[utoipa::path(
    post,
    path = paths::REFRESH,
    tag = "auth",
    params(TransportHeader),
    request_body(content = RefreshTokenBody,
        description = "The refresh token; or send it as `Authorization: Bearer` instead, or \
        in the cookie with `Baton-Transport: cookie` (then no body is needed)."),
    security((), ("bearer" = []), ("refresh_cookie" = [])),
    responses(
        (status = 200, description = "The session's new token pair.", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"),
                 ("Set-Cookie" = String, description = "With `Baton-Transport: cookie` only: \
                  the refresh-token cookie with the new token (the session's current one after \
                  a grace replay); the body then has no `refresh_token`."))),
        (status = 400, description = "No refresh token given (`missing_token`: no body or \
         bearer token, or no cookie with cookie transport) or invalid JSON or header \
         (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_token`, `token_expired`, `session_revoked`, \
         or `token_reused` (a retired token came back: the whole session is now revoked). \
         With cookie transport the answer also clears the cookie.",
         body = crate::error::Problem, content_type = "application/problem+json",
         headers(("WWW-Authenticate" = String, description = "`Bearer error=\"invalid_token\"`"),
                 ("Set-Cookie" = String, description = "With cookie transport: the expired \
                  refresh-token cookie, which deletes it."))),
        (status = 403, description = "The account is disabled (`account_disabled`; with \
         cookie transport the cookie is cleared), or the CSRF check failed \
         (`csrf_rejected`: `Baton-Transport: cookie` without an allowed `Origin`, or the \
         cookie without that header; nothing changed).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BodyErrors,
        Unavailable,
    )
)]
pub async fn refresh(
    state: web::Data<AppState>,
    presented: PresentedRefresh,
) -> Result<HttpResponse, ApiError> {
    let PresentedRefresh { token, transport } = presented;
    let result = state.auth.refresh(&token).await;
    state.metrics.refresh(&result);
    transport.refreshed(result)
}

/// `POST /api/v1/auth/logout?scope=local|global|others`: ends sessions of the caller (204).
/// The access token is checked before the cookie transport, so a request without one is 401
/// whatever else it lacks.
#[utoipa::path(
    post,
    path = paths::LOGOUT,
    tag = "auth",
    params(LogoutQuery, TransportHeader),
    request_body(content = RefreshTokenBody,
        description = "Optionally the refresh token of the caller's session, to end it too \
        (with `Baton-Transport: cookie`, the cookie's token plays that role)."),
    security(("bearer" = []), ("bearer" = [], "refresh_cookie" = [])),
    responses(
        (status = 204, description = "The sessions of the scope are ended.",
         headers(("Cache-Control" = String, description = "`no-store`"),
                 ("Set-Cookie" = String, description = "With `Baton-Transport: cookie` and \
                  scope `local` or `global`: the expired refresh-token cookie, which deletes \
                  it."))),
        (status = 400, description = "Invalid `scope`, JSON or header (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BearerRejected,
        CsrfRejected,
        BodyErrors,
        Unavailable,
    )
)]
pub async fn logout(
    state: web::Data<AppState>,
    bearer: BearerToken,
    mut transport: Transport,
    query: web::Query<LogoutQuery>,
    body: OptionalJson<RefreshTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let scope = query.scope.into();
    let refresh_token =
        transport.logout_token().or_else(|| body.0.and_then(RefreshTokenBody::into_token));
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    state.auth.logout(&principal, scope, refresh_token.as_deref()).await?;
    Ok(transport.logged_out(query.scope))
}

/// `GET /api/v1/auth/me`: the caller's account.
#[utoipa::path(
    get,
    path = paths::ME,
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
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    Ok(no_store(StatusCode::OK).json(UserResponse::from(&principal.user)))
}
