//! `POST /api/v1/auth/introspect`: RFC 7662 token introspection for the API servers listed in
//! `introspection.clients` (SPEC §9). The core decides whether a token is active
//! ([`baton_core::Auth::introspect`]); this module reads the form, authenticates the caller
//! ([`crate::client_auth`]) and writes the answer.

use super::no_store;
use crate::app::AppState;
use crate::body::payload_error;
use crate::client_auth;
use crate::error::{ApiError, HttpError};
use crate::openapi::Unavailable;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use baton_core::{ActiveToken, TokenKind};
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use utoipa::ToSchema;

/// `POST /api/v1/auth/introspect`: whether a token is usable now. The caller authenticates
/// with HTTP Basic first (401 `invalid_client` otherwise, before the body is read); the answer
/// is `{"active": true, ...claims}` only when the token verifies and its session is live now,
/// else exactly `{"active": false}` whatever the reason, so callers learn nothing about why.
#[utoipa::path(
    post,
    path = "/api/v1/auth/introspect",
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
    let checked = client_auth::basic_credentials(&req).and_then(|given| {
        client_auth::authenticate(clients, &given).ok_or("no client with that id and secret")
    });
    let client = match checked {
        Ok(client) => client.to_owned(),
        Err(reason) => {
            state.metrics.introspection_refused();
            return Err(HttpError::InvalidClient(reason).into());
        }
    };
    let form = IntrospectForm::from_request(&req, &mut payload.into_inner()).await;
    let IntrospectForm { token, hint } =
        form.inspect_err(|_| state.metrics.introspection_malformed())?;
    let auth = state.auth.clone();
    // The key set that verified the token names its `iss` and `aud`; a reload in between
    // could only change them together with every token's validity.
    let keys = state.issuer.current();
    let result = state.pools.db.run(move || auth.introspect(&token, hint)).await?;
    state.metrics.introspection(&result);
    let answer = match result? {
        Some(active) => IntrospectResponse::active(active, keys.issuer(), keys.audience()),
        None => IntrospectResponse::inactive(),
    };
    tracing::debug!(%client, active = answer.active, "token introspected");
    Ok(no_store(StatusCode::OK).json(answer))
}

/// The introspection form (RFC 7662 §2.1), for the OpenAPI document; the server reads it with
/// [`IntrospectForm`].
#[derive(ToSchema)]
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

/// The introspection request body: `token` (required) and `token_type_hint`, form-encoded, at
/// most 16 KiB. Unknown parameters are ignored (RFC 6749 §3.2); a parameter given twice is
/// refused (RFC 6749 §3.1), as is a missing or empty `token`. Its `Debug` hides the token.
pub struct IntrospectForm {
    /// The token to introspect.
    pub token: String,
    /// The kind to try first; `None` for no hint or one Baton does not know.
    pub hint: Option<TokenKind>,
}

impl std::fmt::Debug for IntrospectForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectForm").field("hint", &self.hint).finish_non_exhaustive()
    }
}

impl IntrospectForm {
    /// Reads a form body's parameters; the error details name parameters, never values.
    pub fn parse(body: &[u8]) -> Result<Self, HttpError> {
        let (mut token, mut hint) = (None, None);
        for (name, value) in url::form_urlencoded::parse(body) {
            let slot = match name.as_ref() {
                "token" => &mut token,
                "token_type_hint" => &mut hint,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                let detail = format!("parameter {:?} given more than once", name.as_ref());
                return Err(HttpError::InvalidBody(detail.into()));
            }
        }
        let token = token.filter(|t| !t.is_empty()).ok_or_else(|| {
            HttpError::InvalidBody("missing parameter \"token\" (form-encoded)".into())
        })?;
        let hint = match hint.as_deref() {
            Some("access_token") => Some(TokenKind::Access),
            Some("refresh_token") => Some(TokenKind::Refresh),
            _ => None,
        };
        Ok(Self { token: token.into_owned(), hint })
    }
}

/// Whether the request declares a form body (`application/x-www-form-urlencoded`, any
/// parameters such as `charset`).
fn declares_form(req: &HttpRequest) -> bool {
    matches!(req.mime_type(), Ok(Some(m)) if m.essence_str() == "application/x-www-form-urlencoded")
}

impl FromRequest for IntrospectForm {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    /// Reads the body within the server's limit (413 over it), then requires a form content
    /// type (415) and parses it (400).
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = declares_form(req);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(p) => payload_error(p),
                None => HttpError::InvalidBody("request body could not be read".into()),
            })?;
            if !is_form {
                return Err(HttpError::NotForm.into());
            }
            Ok(Self::parse(&bytes)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<IntrospectForm, HttpError> {
        IntrospectForm::parse(body.as_bytes())
    }

    #[test]
    fn reads_the_token_and_known_hints() {
        let f = parse("token=abc.def.ghi").expect("parses");
        assert_eq!((f.token.as_str(), f.hint), ("abc.def.ghi", None));
        let f = parse("token_type_hint=refresh_token&token=a%2Bb+c").expect("parses");
        assert_eq!((f.token.as_str(), f.hint), ("a+b c", Some(TokenKind::Refresh)));
        let f = parse("token=t&token_type_hint=access_token&client_id=x").expect("parses");
        assert_eq!(f.hint, Some(TokenKind::Access), "unknown parameters are ignored");
        let f = parse("token=t&token_type_hint=id_token").expect("parses");
        assert_eq!(f.hint, None, "unknown hints are ignored");
        assert!(!format!("{f:?}").contains("token: "), "Debug hides the token");
    }

    #[test]
    fn refuses_missing_and_repeated_parameters() {
        let detail = |body: &str| match parse(body) {
            Err(HttpError::InvalidBody(d)) => d.into_owned(),
            other => panic!("{body}: {other:?}"),
        };
        assert_eq!(detail(""), "missing parameter \"token\" (form-encoded)");
        assert_eq!(detail("token="), "missing parameter \"token\" (form-encoded)");
        assert_eq!(detail("{\"token\":\"x\"}"), "missing parameter \"token\" (form-encoded)");
        assert_eq!(detail("token=a&token=b"), "parameter \"token\" given more than once");
        let twice = "token=a&token_type_hint=access_token&token_type_hint=x";
        assert_eq!(detail(twice), "parameter \"token_type_hint\" given more than once");
    }

    #[test]
    fn every_fault_label_is_a_pre_registered_series() {
        use crate::metrics::INTROSPECTION_OUTCOMES;
        use baton_core::{Fault, StoreError};
        #[derive(Debug, thiserror::Error)]
        #[error("x")]
        struct X;
        for fault in
            [Fault::Store(StoreError::unavailable(X)), Fault::Store(StoreError::backend(X))]
        {
            use crate::error::Answered;
            assert!(INTROSPECTION_OUTCOMES.contains(&fault.answer().label));
        }
        let refused = HttpError::InvalidClient("x");
        assert!(INTROSPECTION_OUTCOMES.contains(&crate::error::Answered::answer(&refused).label));
    }
}
