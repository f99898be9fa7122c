//! `POST /api/v1/auth/introspect`: RFC 7662 token introspection for the API servers listed in
//! `introspection.clients` (SPEC §9, §11). The core decides whether an access token is active
//! ([`baton_core::Auth::introspect`]; a refresh token never is); this module reads the form,
//! authenticates the caller ([`crate::extract::basic`]) and writes the answer. Errors are
//! RFC 6749 JSON (`invalid_client`, `invalid_request`), as OAuth libraries read them.

use crate::error::oauth::OAuthErrorBody;
use crate::error::{ApiError, HttpError};
use crate::extract::basic;
use crate::extract::form::{Form, non_empty};
use crate::paths;
use crate::response::no_store;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use baton_core::ActiveToken;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/auth/introspect`: whether an access token is usable now. The caller
/// authenticates with HTTP Basic first (401 `invalid_client` otherwise, before the body is
/// read); the answer is `{"active": true, ...claims}` only when the token is an access token
/// that verifies and whose session is live now, else exactly `{"active": false}` whatever the
/// reason (a refresh token included), so callers learn nothing about why.
#[utoipa::path(
    post,
    path = paths::INTROSPECT,
    tag = "resource servers",
    request_body(content = IntrospectRequest, content_type = "application/x-www-form-urlencoded",
        description = "RFC 7662 §2.1: the token, and optionally which kind it is."),
    security(("basic" = [])),
    responses(
        (status = 200, description = "The token's state (RFC 7662 §2.2).",
         body = IntrospectResponse,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "RFC 6749 `invalid_request`: no `token`, a parameter \
         given twice, a body that is not a form or over 16 KiB.",
         body = OAuthErrorBody),
        (status = 401, description = "RFC 6749 `invalid_client`: missing or wrong client \
         credentials.",
         body = OAuthErrorBody,
         headers(("WWW-Authenticate" = String, description = "`Basic realm=\"baton\"`"))),
        (status = 503, description = "RFC 6749 `temporarily_unavailable`: the database is \
         unreachable.", body = OAuthErrorBody,
         headers(("Retry-After" = String, description = "Seconds to wait."))),
    )
)]
pub async fn introspect(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let clients = &state.config.introspection.clients;
    let checked = basic::basic_credentials(&req).and_then(|given| {
        basic::authenticate(clients, &given).ok_or("no client with that id and secret")
    });
    let client = match checked {
        Ok(client) => client.to_owned(),
        Err(reason) => {
            state.metrics.introspection_refused();
            return Err(ApiError::from(HttpError::InvalidClient(reason)).oauth());
        }
    };
    // Read only once the client is known: an anonymous caller costs no body parsing.
    let form = Form::<IntrospectRequest>::from_request(&req, &mut payload.into_inner()).await;
    // The hint is read and ignored (RFC 7662 §2.1): only an access token can be active.
    let Form(IntrospectRequest { token, token_type_hint: _ }) =
        form.inspect_err(|_| state.metrics.introspection_malformed()).map_err(ApiError::oauth)?;
    // Read before the token is verified: a reload in between could only change `iss` and
    // `aud` together with every token's validity.
    let (issuer, audience) = (state.keys.issuer(), state.keys.audience());
    let result = state.auth.introspect(&token).await;
    state.metrics.introspection(&result);
    let answer = match result.map_err(|f| ApiError::from(f).oauth())? {
        Some(active) => IntrospectResponse::active(active, &issuer, &audience),
        None => IntrospectResponse::inactive(),
    };
    tracing::debug!(%client, active = answer.active, "token introspected");
    Ok(no_store(StatusCode::OK).json(answer))
}

/// The introspection form (RFC 7662 §2.1). Its `Debug` never shows the token.
#[derive(Deserialize, ToSchema)]
pub struct IntrospectRequest {
    /// The token: an access or a refresh token. Empty is refused (400), like a missing one.
    #[schema(min_length = 1)]
    #[serde(deserialize_with = "non_empty")]
    pub token: String,
    /// `access_token` or `refresh_token`: accepted and ignored (RFC 7662 §2.1 lets the server
    /// do so): only an access token can be active.
    #[schema(nullable = false)]
    pub token_type_hint: Option<String>,
}

/// The introspection answer (RFC 7662 §2.2). An inactive token is exactly `{"active": false}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntrospectResponse {
    /// Whether the token is an access token that verifies and whose session is live now.
    pub active: bool,
    /// RFC 7662's `token_type`: `Bearer`, how the token is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub token_type: Option<&'static str>,
    /// Baton's own `token_type` claim: always `access` here.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub baton_token_type: Option<&'static str>,
    /// The client the session was opened for (RFC 9068 `client_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub client_id: Option<String>,
    /// The account's email now (RFC 7662 `username`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub username: Option<String>,
    /// The user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub sub: Option<String>,
    /// The session id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub sid: Option<String>,
    /// The token's unique id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub jti: Option<String>,
    /// Issued at (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub iat: Option<i64>,
    /// Not before (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub nbf: Option<i64>,
    /// Expiry (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub exp: Option<i64>,
    /// The issuer (`jwt.issuer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub iss: Option<String>,
    /// The audience (`jwt.audience`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub aud: Option<String>,
    /// How the session's login was proven (RFC 8176), as the token says: an API looks for
    /// `mfa` to demand a second factor.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub amr: Option<Vec<String>>,
}

impl IntrospectResponse {
    /// `{"active": false}` and nothing else.
    pub fn inactive() -> Self {
        Self {
            active: false,
            token_type: None,
            baton_token_type: None,
            client_id: None,
            username: None,
            sub: None,
            sid: None,
            jti: None,
            iat: None,
            nbf: None,
            exp: None,
            iss: None,
            aud: None,
            amr: None,
        }
    }

    /// An active token's claims, with the `iss` and `aud` of the key set that verified it.
    pub fn active(token: ActiveToken, iss: &str, aud: &str) -> Self {
        let c = token.claims;
        Self {
            active: true,
            token_type: Some("Bearer"),
            baton_token_type: Some(c.kind.as_str()),
            client_id: c.client_id.map(|id| id.as_str().to_owned()),
            username: Some(token.username),
            sub: Some(c.user_id.to_string()),
            sid: Some(c.session_id.to_string()),
            jti: Some(c.jti),
            iat: Some(c.issued_at.unix_timestamp()),
            nbf: Some(c.not_before.unix_timestamp()),
            exp: Some(c.expires_at.unix_timestamp()),
            iss: Some(iss.to_owned()),
            aud: Some(aud.to_owned()),
            amr: c.amr,
        }
    }
}

impl std::fmt::Debug for IntrospectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectRequest").field("hint", &self.token_type_hint).finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::metrics::introspection_outcomes;
    use baton_core::{Fault, Outcomes, StoreError};

    #[test]
    fn every_fault_label_is_an_introspection_outcome() {
        #[derive(Debug, thiserror::Error)]
        #[error("x")]
        struct X;
        for fault in
            [Fault::Store(StoreError::unavailable(X)), Fault::Store(StoreError::backend(X))]
        {
            assert!(introspection_outcomes().contains(&fault.label()));
        }
    }
}
