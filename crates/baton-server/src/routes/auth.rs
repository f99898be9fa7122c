//! `/api/v1/auth/{register,login,refresh,logout,me}`.
//!
//! Each handler's `#[utoipa::path]` is its entry in the OpenAPI document; register, login and
//! refresh also count their outcome in [`crate::metrics`].

use super::no_store;
use crate::app::AppState;
use crate::blocking;
use crate::body::{JsonBody, OptionalJson};
use crate::dto::{
    LoginRequest, LogoutQuery, RefreshTokenBody, RegisterRequest, TokenResponse, UserResponse,
};
use crate::error::ApiError;
use crate::extract::{Authorization, BearerToken, Client, authorization};
use crate::openapi::{BearerRejected, BodyErrors, LockedOut, Unavailable};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use baton_core::IssuedTokens;

fn tokens(status: StatusCode, issued: IssuedTokens) -> HttpResponse {
    no_store(status).json(TokenResponse::from(issued))
}

/// `POST /api/v1/auth/register`: creates the account and logs it in (201 token response).
#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and logged in.", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "Invalid JSON or input (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email has an account (`email_taken`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BodyErrors,
        Unavailable,
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    client: Client,
    JsonBody(body): JsonBody<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let RegisterRequest { email, password, name } = body;
    let (auth, metrics) = (state.auth.clone(), state.metrics.clone());
    let issued = blocking::run(move || {
        let result = auth.register(&email, password, name.as_deref(), client.0);
        metrics.register(&result);
        Ok(result?)
    })
    .await?;
    Ok(tokens(StatusCode::CREATED, issued))
}

/// `POST /api/v1/auth/login`: opens a new session (200 token response).
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in: a new session.", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "Invalid JSON (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown email or wrong password \
         (`invalid_credentials`); the same answer for both.",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is disabled (`account_disabled`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        LockedOut,
        BodyErrors,
        Unavailable,
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    client: Client,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body;
    let (auth, metrics) = (state.auth.clone(), state.metrics.clone());
    let issued = blocking::run(move || {
        let result = auth.login(&email, &password, client.0);
        metrics.login(&result);
        Ok(result?)
    })
    .await?;
    Ok(tokens(StatusCode::OK, issued))
}

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
            Ok(Authorization::Absent) => return Err(ApiError::missing_refresh_token()),
            Err(e) => {
                state.metrics.refresh_refused();
                return Err(e);
            }
        },
    };
    let (auth, metrics) = (state.auth.clone(), state.metrics.clone());
    let issued = blocking::run(move || {
        let result = auth.refresh(&token);
        metrics.refresh(&result);
        result.map_err(|e| ApiError::from(e).challenged())
    })
    .await?;
    Ok(tokens(StatusCode::OK, issued))
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
    blocking::run(move || {
        let principal = auth.authenticate(bearer.as_str()).map_err(ApiError::bearer)?;
        Ok(auth.logout(&principal, scope, refresh_token.as_deref())?)
    })
    .await?;
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
    let principal =
        blocking::run(move || auth.authenticate(bearer.as_str()).map_err(ApiError::bearer)).await?;
    Ok(no_store(StatusCode::OK).json(UserResponse::from(&principal.user)))
}
