//! `POST /api/v1/auth/introspect`: RFC 7662 token introspection for the API servers listed in
//! `introspection.clients` (SPEC §9). The core decides whether a token is active
//! ([`baton_core::Auth::introspect`]); this module reads the form, authenticates the caller
//! ([`crate::extract::basic`]) and writes the answer.

use crate::error::{ApiError, HttpError};
use crate::extract::basic;
use crate::extract::form::Form;
use crate::openapi::responses::Unavailable;
use crate::paths;
use crate::response::no_store;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use baton_core::{ActiveToken, TokenKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/auth/introspect`: whether a token is usable now. The caller authenticates
/// with HTTP Basic first (401 `invalid_client` otherwise, before the body is read); the answer
/// is `{"active": true, ...claims}` only when the token verifies and its session is live now,
/// else exactly `{"active": false}` whatever the reason, so callers learn nothing about why.
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
        (status = 400, description = "No `token`, or a parameter given twice \
         (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong client credentials (`invalid_client`).",
         body = crate::error::Problem, content_type = "application/problem+json",
         headers(("WWW-Authenticate" = String, description = "`Basic realm=\"baton\"`"))),
        (status = 413, description = "Request body over 16 KiB (`payload_too_large`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not a form (`unsupported_media_type`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        Unavailable,
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
            return Err(HttpError::InvalidClient(reason).into());
        }
    };
    // Read only once the client is known: an anonymous caller costs no body parsing.
    let form = Form::<IntrospectRequest>::from_request(&req, &mut payload.into_inner()).await;
    let form = form.and_then(|Form(form)| match form.token.is_empty() {
        true => Err(HttpError::InvalidBody("missing parameter \"token\" (form-encoded)".into()))?,
        false => Ok(form),
    });
    let IntrospectRequest { token, token_type_hint } =
        form.inspect_err(|_| state.metrics.introspection_malformed())?;
    let hint = match token_type_hint.as_deref() {
        Some("access_token") => Some(TokenKind::Access),
        Some("refresh_token") => Some(TokenKind::Refresh),
        _ => None,
    };
    let auth = state.auth.clone();
    // Read before the token is verified: a reload in between could only change `iss` and
    // `aud` together with every token's validity.
    let (issuer, audience) = (state.keys.issuer(), state.keys.audience());
    let result = state.pools.db.run(move || auth.introspect(&token, hint)).await?;
    state.metrics.introspection(&result);
    let answer = match result? {
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
    pub token: String,
    /// `access_token` or `refresh_token`: which kind to try first. Any other value is ignored
    /// (RFC 7662 §2.1), and both kinds are always tried.
    #[schema(nullable = false)]
    pub token_type_hint: Option<String>,
}

/// The introspection answer (RFC 7662 §2.2). An inactive token is exactly `{"active": false}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntrospectResponse {
    /// Whether the token verifies and its session is live now.
    pub active: bool,
    /// Baton's `token_type` claim: `access` or `refresh`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub token_type: Option<&'static str>,
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
}

impl IntrospectResponse {
    /// `{"active": false}` and nothing else.
    pub fn inactive() -> Self {
        Self {
            active: false,
            token_type: None,
            sub: None,
            sid: None,
            jti: None,
            iat: None,
            nbf: None,
            exp: None,
            iss: None,
            aud: None,
        }
    }

    /// An active token's claims, with the `iss` and `aud` of the key set that verified it.
    pub fn active(token: ActiveToken, iss: &str, aud: &str) -> Self {
        let c = token.claims;
        Self {
            active: true,
            token_type: Some(c.kind.as_str()),
            sub: Some(c.user_id.to_string()),
            sid: Some(c.session_id.to_string()),
            jti: Some(c.jti),
            iat: Some(c.issued_at.unix_timestamp()),
            nbf: Some(c.not_before.unix_timestamp()),
            exp: Some(c.expires_at.unix_timestamp()),
            iss: Some(iss.to_owned()),
            aud: Some(aud.to_owned()),
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
