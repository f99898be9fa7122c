//! `/api/v1/auth/{register,login}`: the two routes that cost a bcrypt each.

use crate::cookies::Transport;
use crate::cookies::doc::{CsrfRejected, TransportHeader};
use crate::dto::{LoginRequest, RegisterRequest, TokenResponse};
use crate::error::ApiError;
use crate::extract::{Client, JsonBody};
use crate::openapi::responses::{BodyErrors, LockedOut, RateLimited, Unavailable};
use crate::paths;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

/// `POST /api/v1/auth/register`: creates the account and logs it in (201 token response).
#[utoipa::path(
    post,
    path = paths::REGISTER,
    tag = "auth",
    params(TransportHeader),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and logged in.", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"),
                 ("Set-Cookie" = String, description = "With `Baton-Transport: cookie` only: \
                  the refresh-token cookie; the body then has no `refresh_token`."))),
        (status = 400, description = "Invalid JSON or input (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email has an account (`email_taken`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        CsrfRejected,
        RateLimited,
        BodyErrors,
        Unavailable,
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    transport: Transport,
    client: Client,
    JsonBody(body): JsonBody<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let RegisterRequest { email, password, name } = body;
    let result = state.auth.register(&email, password, name.as_deref(), client.0).await;
    state.metrics.register(&result);
    let issued = result?;
    crate::routes::lifecycle::after_registration(&state, &issued.user).await;
    Ok(transport.tokens(StatusCode::CREATED, issued))
}

/// `POST /api/v1/auth/login`: opens a new session (200 token response).
#[utoipa::path(
    post,
    path = paths::LOGIN,
    tag = "auth",
    params(TransportHeader),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in: a new session.", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"),
                 ("Set-Cookie" = String, description = "With `Baton-Transport: cookie` only: \
                  the refresh-token cookie; the body then has no `refresh_token`."))),
        (status = 400, description = "Invalid JSON (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown email or wrong password \
         (`invalid_credentials`); the same answer for both.",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is disabled (`account_disabled`), or \
         `Baton-Transport: cookie` came without an allowed `Origin` (`csrf_rejected`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        LockedOut,
        BodyErrors,
        Unavailable,
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    transport: Transport,
    client: Client,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body;
    let result = state.auth.login(&email, &password, client.0).await;
    state.metrics.login(&result);
    Ok(transport.tokens(StatusCode::OK, result?))
}
