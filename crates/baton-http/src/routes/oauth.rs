//! The OAuth 2.0 endpoints standard client libraries call (SPEC §11): the token endpoint's
//! refresh grant (RFC 6749 §6) and token revocation (RFC 7009). Both take forms and answer
//! errors as RFC 6749 JSON ([`crate::error::oauth`]); the rules are the core's, the same as
//! `/auth/refresh` and logout.
//!
//! Baton has public clients only (no client secrets): a client names itself with `client_id`
//! in the form or as the user id of HTTP Basic credentials (whose password is ignored), and
//! possession of the refresh token is the credential, as on `/auth/refresh`.

use crate::dto::TokenResponse;
use crate::error::oauth::OAuthErrorBody;
use crate::error::{ApiError, HttpError};
use crate::extract::basic;
use crate::extract::form::{Form, non_empty};
use crate::paths;
use crate::response::no_store;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use baton_core::ClientId;
use serde::Deserialize;
use utoipa::ToSchema;

/// The one grant Baton issues tokens by.
const REFRESH_GRANT: &str = "refresh_token";

/// `POST /api/v1/oauth/token`: the refresh grant. Rotates the session of `refresh_token` with
/// the same rules as `/auth/refresh` (reuse detection, grace) and answers RFC 6749 §5.1 JSON;
/// a refused token is `invalid_grant` with Baton's `code` beside it.
#[utoipa::path(
    post,
    path = paths::OAUTH_TOKEN,
    tag = "oauth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "RFC 6749 §5.1: the session's new token pair, with \
         Baton's members besides.", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "RFC 6749 §5.2: `invalid_grant` (the refresh token is \
         invalid, expired, reused, of an ended session or a disabled account; `code` says \
         which), `unsupported_grant_type`, or `invalid_request` (a missing or repeated \
         parameter, a bad `client_id`, a body that is not a form or over 16 KiB).",
         body = OAuthErrorBody),
        (status = 503, description = "`temporarily_unavailable`: the database is unreachable.",
         body = OAuthErrorBody,
         headers(("Retry-After" = String, description = "Seconds to wait."))),
    )
)]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Result<Form<TokenRequest>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let Form(form) = form.map_err(ApiError::oauth)?;
    if form.grant_type != REFRESH_GRANT {
        return Err(ApiError::from(HttpError::UnsupportedGrantType).oauth());
    }
    let Some(refresh_token) = form.refresh_token.filter(|t| !t.is_empty()) else {
        return Err(ApiError::from(HttpError::MissingRefreshToken).oauth());
    };
    let basic_id = basic::basic_credentials(&req).ok().map(|c| c.id().to_owned());
    let client_id =
        match form.client_id.or(basic_id) {
            Some(id) => Some(ClientId::parse(&id).map_err(|e| {
                ApiError::from(HttpError::InvalidBody(e.to_string().into())).oauth()
            })?),
            None => None,
        };
    let result = state.auth.refresh_for(&refresh_token, client_id.as_ref()).await;
    state.metrics.refresh(&result);
    let issued = result.map_err(|e| ApiError::from(e).oauth())?;
    Ok(no_store(StatusCode::OK).json(TokenResponse::from(issued)))
}

/// The token request (RFC 6749 §6). Its `Debug` never shows the token.
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `refresh_token` (any other grant is `unsupported_grant_type`).
    #[schema(example = "refresh_token", pattern = "^refresh_token$")]
    pub grant_type: String,
    /// The refresh token to rotate (required with the refresh grant).
    #[schema(nullable = false, min_length = 1)]
    pub refresh_token: Option<String>,
    /// The client's name for itself; a token of another client's session is `invalid_grant`.
    /// Defaults to the session's own client.
    #[schema(nullable = false)]
    pub client_id: Option<String>,
    /// Accepted and ignored: Baton's tokens carry no scopes.
    #[schema(nullable = false)]
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest").field("grant_type", &self.grant_type).finish_non_exhaustive()
    }
}

/// `POST /api/v1/oauth/revoke`: RFC 7009 revocation. A refresh or access token that verifies
/// ends its session (every token of it at once); anything else changes nothing. Either way
/// the answer is 200, so it tells nothing about the token.
#[utoipa::path(
    post,
    path = paths::OAUTH_REVOKE,
    tag = "oauth",
    request_body(content = RevokeRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Revoked, or there was nothing to revoke.",
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "`invalid_request`: no `token`, a repeated parameter, a \
         body that is not a form or over 16 KiB.", body = OAuthErrorBody),
        (status = 503, description = "`temporarily_unavailable`: the database is unreachable.",
         body = OAuthErrorBody,
         headers(("Retry-After" = String, description = "Seconds to wait."))),
    )
)]
pub async fn revoke(
    state: web::Data<AppState>,
    form: Result<Form<RevokeRequest>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let Form(RevokeRequest { token, token_type_hint: _ }) = form.map_err(ApiError::oauth)?;
    let ended = state.auth.revoke_token(&token).await.map_err(|f| ApiError::from(f).oauth())?;
    tracing::debug!(ended, "token revocation");
    Ok(no_store(StatusCode::OK).finish())
}

/// The revocation request (RFC 7009 §2.1). Its `Debug` never shows the token.
#[derive(Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// An access or a refresh token.
    #[schema(min_length = 1)]
    #[serde(deserialize_with = "non_empty")]
    pub token: String,
    /// `access_token` or `refresh_token`: accepted and ignored; both kinds are tried.
    #[schema(nullable = false)]
    pub token_type_hint: Option<String>,
}

impl std::fmt::Debug for RevokeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevokeRequest").field("hint", &self.token_type_hint).finish()
    }
}
