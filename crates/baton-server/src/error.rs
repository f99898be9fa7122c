//! [`ApiError`]: the one place where failures become HTTP answers.
//!
//! Every use-case error ([`AuthError`]) and every extractor failure (bad JSON, wrong content
//! type, oversized body, bad query) is turned here into a status, a stable `code` and an RFC
//! 9457 `application/problem+json` body. What would help an attacker (which credential check
//! failed, why a token was refused, database errors) goes to the log, never into the body.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use baton_core::AuthError;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// Content type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// `WWW-Authenticate` for a request without bearer credentials (RFC 6750 §3.1: no error code
/// when the client did not try to authenticate).
pub const CHALLENGE_MISSING: &str = "Bearer realm=\"baton\"";
/// `WWW-Authenticate` for a bearer token that was refused.
pub const CHALLENGE_INVALID: &str = "Bearer error=\"invalid_token\"";

/// An HTTP error answer: status, stable code, client-safe detail and log-only context.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: Cow<'static, str>,
    reason: Option<String>,
    retry_after: Option<u64>,
    challenge: Option<&'static str>,
    allow: Option<Box<str>>,
}

/// The RFC 9457 body of every error; also its schema in the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "about:blank", "title": "Unauthorized", "status": 401,
    "detail": "the token is invalid", "code": "invalid_token"
}))]
pub struct Problem<'a> {
    /// Always `about:blank`: the status and `code` say what happened.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    kind: &'static str,
    /// The HTTP reason phrase of `status`.
    #[schema(value_type = String)]
    title: &'static str,
    /// The HTTP status code.
    status: u16,
    /// A human-readable explanation, safe to show (it never says which credential failed).
    #[schema(value_type = String)]
    detail: &'a str,
    /// Stable machine-readable code: `invalid_input`, `email_taken`, `invalid_credentials`,
    /// `account_disabled`, `locked_out`, `missing_token`, `invalid_token`, `token_expired`,
    /// `session_revoked`, `token_reused`, `session_not_found`, `not_found`,
    /// `method_not_allowed`, `payload_too_large`, `unsupported_media_type`,
    /// `service_unavailable` or `internal`.
    #[schema(value_type = String)]
    code: &'static str,
}

impl ApiError {
    /// An error with a status, stable code and a detail safe to show the client.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            reason: None,
            retry_after: None,
            challenge: None,
            allow: None,
        }
    }

    /// Adds context for the server log only (never sent to the client).
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Marks the error as coming from a route that takes bearer tokens: a 401 then carries
    /// `WWW-Authenticate: Bearer ... error="invalid_token"` (RFC 6750).
    pub fn challenged(mut self) -> Self {
        if self.status == StatusCode::UNAUTHORIZED && self.challenge.is_none() {
            self.challenge = Some(CHALLENGE_INVALID);
        }
        self
    }

    /// Maps a failed access-token check on a bearer-protected route. Differs from the
    /// plain mapping in one point: a disabled account is 401 here (the token no longer
    /// authenticates anyone), where login and refresh answer 403.
    pub fn bearer(err: AuthError) -> Self {
        match err {
            AuthError::AccountDisabled => {
                Self::new(StatusCode::UNAUTHORIZED, "account_disabled", "the account is disabled")
            }
            other => Self::from(other),
        }
        .challenged()
    }

    /// No bearer credentials on a protected route: 401 with a bare challenge.
    pub fn missing_bearer() -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "an access token is required: Authorization: Bearer <token>",
        );
        e.challenge = Some(CHALLENGE_MISSING);
        e
    }

    /// A bearer token refused before it reached the core (oversized, not visible ASCII).
    pub fn invalid_bearer(reason: &str) -> Self {
        Self::token_invalid().with_reason(reason.to_owned()).challenged()
    }

    /// The refresh endpoint got no token in the body nor in the `Authorization` header.
    pub fn missing_refresh_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "missing_token",
            "give the refresh token as {\"refresh_token\": ...} or Authorization: Bearer <token>",
        )
    }

    /// Request input that breaks a rule; `detail` must not echo secrets.
    pub fn invalid_input(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_input", detail)
    }

    /// A server fault: generic detail for the client, the cause in the log (the request's
    /// closing log line carries it, see [`crate::telemetry`]).
    pub fn internal(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal server error")
            .with_reason(reason)
    }

    /// The database did not answer: worth retrying later (`Retry-After: 1`).
    pub fn unavailable(reason: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "the service is temporarily unavailable; retry later",
        )
        .with_reason(reason);
        e.retry_after = Some(1);
        e
    }

    /// Unknown route.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    /// Known route, wrong method.
    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed here")
    }

    /// Adds the `Allow` header of a 405 (RFC 9110 §15.5.6 requires it): the methods the
    /// resource does take, e.g. `GET` or `POST`.
    pub fn with_allow(mut self, methods: impl Into<String>) -> Self {
        self.allow = Some(methods.into().into_boxed_str());
        self
    }

    /// Body over the size limit.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body is larger than {limit} bytes"),
        )
    }

    /// A body that is not JSON.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "request body must be JSON (Content-Type: application/json)",
        )
    }

    /// A generic answer for a status produced outside this module (the safety net of
    /// [`crate::app`] turns any non-problem error response into one of these).
    pub fn from_status(status: StatusCode) -> Self {
        let code = match status {
            StatusCode::NOT_FOUND => return Self::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => return Self::method_not_allowed(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => return Self::unsupported_media_type(),
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
            StatusCode::UNAUTHORIZED => "invalid_token",
            s if s.is_server_error() => "internal",
            _ => "invalid_input",
        };
        let detail = status.canonical_reason().unwrap_or("error");
        Self::new(status, code, detail.to_lowercase())
    }

    /// 401 `invalid_token`.
    fn token_invalid() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", "the token is invalid")
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The client-facing detail.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Log-only context, if any.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        use StatusCode as S;
        match err {
            AuthError::InvalidInput(e) => Self::invalid_input(e.to_string()),
            AuthError::EmailTaken => {
                Self::new(S::CONFLICT, "email_taken", "an account with this email already exists")
            }
            AuthError::InvalidCredentials => {
                Self::new(S::UNAUTHORIZED, "invalid_credentials", "invalid email or password")
            }
            AuthError::AccountDisabled => {
                Self::new(S::FORBIDDEN, "account_disabled", "the account is disabled")
            }
            AuthError::LockedOut { retry_after } => {
                let mut e = Self::new(
                    S::TOO_MANY_REQUESTS,
                    "locked_out",
                    "too many failed logins; try again later",
                );
                e.retry_after = Some(retry_after.as_secs().max(1));
                e
            }
            AuthError::TokenExpired => {
                Self::new(S::UNAUTHORIZED, "token_expired", "the token has expired")
            }
            AuthError::InvalidToken(reason) => Self::token_invalid().with_reason(reason),
            AuthError::SessionRevoked => {
                Self::new(S::UNAUTHORIZED, "session_revoked", "the session has ended")
            }
            AuthError::TokenReused => Self::new(
                S::UNAUTHORIZED,
                "token_reused",
                "this refresh token was already used; the session has been revoked",
            ),
            AuthError::SessionNotFound => {
                Self::new(S::NOT_FOUND, "session_not_found", "no such session")
            }
            AuthError::UserNotFound => Self::new(S::NOT_FOUND, "user_not_found", "no such user"),
            AuthError::Unavailable(reason) => Self::unavailable(reason),
            AuthError::Internal(reason) => Self::internal(reason),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)?;
        if let Some(reason) = &self.reason {
            write!(f, " ({reason})")?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let body = Problem {
            kind: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: &self.detail,
            code: self.code,
        };
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs));
        }
        if let Some(challenge) = self.challenge {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge)));
        }
        if let Some(allow) = self.allow.as_deref().and_then(|a| HeaderValue::from_str(a).ok()) {
            res.insert_header((header::ALLOW, allow));
        }
        res.body(serde_json::to_vec(&body).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;
    use baton_core::InputError;
    use std::time::Duration;

    #[test]
    fn every_auth_error_has_its_status_and_code() {
        let cases: Vec<(AuthError, u16, &str)> = vec![
            (AuthError::InvalidInput(InputError::PasswordTooShort), 400, "invalid_input"),
            (AuthError::EmailTaken, 409, "email_taken"),
            (AuthError::InvalidCredentials, 401, "invalid_credentials"),
            (AuthError::AccountDisabled, 403, "account_disabled"),
            (AuthError::LockedOut { retry_after: Duration::from_secs(90) }, 429, "locked_out"),
            (AuthError::TokenExpired, 401, "token_expired"),
            (AuthError::InvalidToken("bad signature".into()), 401, "invalid_token"),
            (AuthError::SessionRevoked, 401, "session_revoked"),
            (AuthError::TokenReused, 401, "token_reused"),
            (AuthError::SessionNotFound, 404, "session_not_found"),
            (AuthError::UserNotFound, 404, "user_not_found"),
            (AuthError::Unavailable("pool timed out".into()), 503, "service_unavailable"),
            (AuthError::Internal("disk on fire".into()), 500, "internal"),
        ];
        for (err, status, code) in cases {
            let e = ApiError::from(err);
            assert_eq!((e.status().as_u16(), e.code()), (status, code));
        }
    }

    #[test]
    fn log_only_reasons_stay_out_of_the_body() {
        for e in [
            ApiError::from(AuthError::InvalidToken("bad signature".into())),
            ApiError::from(AuthError::Internal("disk on fire".into())),
        ] {
            let body = e.error_response().into_body().try_into_bytes().unwrap();
            let body = String::from_utf8(body.to_vec()).unwrap();
            assert!(!body.contains("signature") && !body.contains("fire"), "{body}");
            assert!(e.to_string().contains(e.reason().unwrap()));
        }
    }

    #[test]
    fn problem_body_and_headers() {
        let res = ApiError::from(AuthError::LockedOut { retry_after: Duration::from_millis(1500) })
            .error_response();
        assert_eq!(res.headers().get(header::CONTENT_TYPE).unwrap(), PROBLEM_JSON);
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "1");
        let body = res.into_body().try_into_bytes().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "about:blank", "title": "Too Many Requests", "status": 429,
                "detail": "too many failed logins; try again later", "code": "locked_out"
            })
        );
    }

    #[test]
    fn bearer_routes_challenge_and_treat_disabled_accounts_as_401() {
        let e = ApiError::bearer(AuthError::AccountDisabled);
        assert_eq!((e.status().as_u16(), e.code()), (401, "account_disabled"));
        let res = e.error_response();
        assert_eq!(res.headers().get(header::WWW_AUTHENTICATE).unwrap(), CHALLENGE_INVALID);
        let res = ApiError::missing_bearer().error_response();
        assert_eq!(res.headers().get(header::WWW_AUTHENTICATE).unwrap(), CHALLENGE_MISSING);
        // Only 401s carry a challenge.
        let res = ApiError::from(AuthError::SessionNotFound).challenged().error_response();
        assert!(res.headers().get(header::WWW_AUTHENTICATE).is_none());
    }
}
