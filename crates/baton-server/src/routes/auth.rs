//! `/api/v1/auth/{register,login,refresh,logout,me}`.

use super::no_store;
use crate::app::AppState;
use crate::blocking;
use crate::body::OptionalJson;
use crate::dto::{
    LoginRequest, LogoutQuery, RefreshTokenBody, RegisterRequest, TokenResponse, UserResponse,
};
use crate::error::ApiError;
use crate::extract::{Authorization, BearerToken, Client, authorization};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use baton_core::IssuedTokens;

fn tokens(status: StatusCode, issued: IssuedTokens) -> HttpResponse {
    no_store(status).json(TokenResponse::from(issued))
}

/// `POST /api/v1/auth/register`: creates the account and logs it in (201 token response).
pub async fn register(
    state: web::Data<AppState>,
    client: Client,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let RegisterRequest { email, password, name } = body.into_inner();
    let auth = state.auth.clone();
    let issued =
        blocking::run(move || Ok(auth.register(&email, password, name.as_deref(), client.0)?))
            .await?;
    Ok(tokens(StatusCode::CREATED, issued))
}

/// `POST /api/v1/auth/login`: opens a new session (200 token response).
pub async fn login(
    state: web::Data<AppState>,
    client: Client,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.into_inner();
    let auth = state.auth.clone();
    let issued = blocking::run(move || Ok(auth.login(&email, &password, client.0)?)).await?;
    Ok(tokens(StatusCode::OK, issued))
}

/// `POST /api/v1/auth/refresh`: rotates the session of the refresh token given in the body
/// or, failing that, as `Authorization: Bearer`. The body wins when both are present, so a
/// client that adds its access token to every request can still refresh.
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: OptionalJson<RefreshTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let token = match body.0.and_then(RefreshTokenBody::into_token) {
        Some(token) => token,
        None => match authorization(&req)? {
            Authorization::Bearer(token) => token,
            Authorization::Absent => return Err(ApiError::missing_refresh_token()),
        },
    };
    let auth = state.auth.clone();
    let issued =
        blocking::run(move || auth.refresh(&token).map_err(|e| ApiError::from(e).challenged()))
            .await?;
    Ok(tokens(StatusCode::OK, issued))
}

/// `POST /api/v1/auth/logout?scope=local|global|others`: ends sessions of the caller (204).
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
pub async fn me(state: web::Data<AppState>, bearer: BearerToken) -> Result<HttpResponse, ApiError> {
    let auth = state.auth.clone();
    let principal =
        blocking::run(move || auth.authenticate(bearer.as_str()).map_err(ApiError::bearer)).await?;
    Ok(no_store(StatusCode::OK).json(UserResponse::from(&principal.user)))
}
