//! Failures of the HTTP layer itself — before or around a use case: routing, bodies, headers
//! — answered through the same [`Answer`] as the core's errors.

use super::answer::{Answer, Answered, CHALLENGE_BASIC, CHALLENGE_INVALID, CHALLENGE_MISSING};
use actix_web::http::StatusCode as S;
use std::borrow::Cow;

/// A request refused by the HTTP layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// No such route.
    #[error("no such resource")]
    NotFound,
    /// Known route, other method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Body over the limit.
    #[error("request body over {0} bytes")]
    PayloadTooLarge(usize),
    /// A body that is not JSON.
    #[error("request body is not JSON")]
    UnsupportedMediaType,
    /// Malformed JSON or a wrong field; the detail names fields and positions, never values.
    #[error("invalid body: {0}")]
    InvalidBody(Cow<'static, str>),
    /// A query string that does not parse.
    #[error("invalid query string")]
    InvalidQuery,
    /// A bearer-protected route without a token.
    #[error("no bearer token")]
    MissingBearer,
    /// A bearer token refused before verification (oversized, not visible ASCII).
    #[error("bearer token refused: {0}")]
    BadBearer(&'static str),
    /// Refresh without a token in the body or header.
    #[error("no refresh token given")]
    MissingRefreshToken,
    /// Too many register or login requests from this client address (the bcrypt budget).
    #[error("rate limited for {retry_after}s")]
    RateLimited {
        /// Seconds until a request is allowed again.
        retry_after: u64,
    },
    /// An error status produced outside Baton's handlers (the safety net of `app`).
    #[error("{0}")]
    Status(S),
    /// Introspection without the HTTP Basic credentials of an `introspection.clients` entry;
    /// the reason (missing, malformed, or no such id and secret) goes to the log only.
    #[error("introspection client not authenticated: {0}")]
    InvalidClient(&'static str),
    /// A body that is not `application/x-www-form-urlencoded` where a form is required.
    #[error("request body is not a form")]
    NotForm,
    /// `Baton-Transport` with a value other than `cookie`: a typo must not silently put the
    /// refresh token back into a body that page scripts can read.
    #[error("unknown Baton-Transport value")]
    BadTransport,
    /// Cookie transport asked for, but no refresh-token cookie came with the request.
    #[error("no refresh-token cookie")]
    MissingRefreshCookie,
    /// More than one refresh-token cookie: one was planted (a sibling subdomain can set a
    /// cookie with a longer path), so neither is trusted.
    #[error("more than one refresh-token cookie")]
    DuplicateRefreshCookie,
    /// A request that would use the refresh-token cookie failed the CSRF check (SPEC §10).
    #[error("CSRF check failed: {0}")]
    Csrf(CsrfRefusal),
    /// A CORS preflight that the CORS layer refused (origin, method or header not allowed);
    /// the text is the CORS crate's reason, for the log.
    #[error("CORS preflight refused: {0}")]
    CorsRejected(Cow<'static, str>),
    /// The OAuth token endpoint asked for a grant other than `refresh_token`, the one Baton
    /// grants (RFC 6749 §5.2 `unsupported_grant_type`).
    #[error("unsupported grant type")]
    UnsupportedGrantType,
}

/// Why a cookie request failed the CSRF check; each is answered 403 `csrf_rejected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CsrfRefusal {
    /// The refresh-token cookie came without `Baton-Transport: cookie`, which a cross-site
    /// form or a simple request cannot send.
    #[error("cookie without the Baton-Transport header")]
    MissingHeader,
    /// `Baton-Transport: cookie` without an `Origin` header.
    #[error("no Origin header")]
    MissingOrigin,
    /// An `Origin` that is not in `cookies.allowed_origins`.
    #[error("origin not allowed")]
    OriginNotAllowed,
}

impl Answered for HttpError {
    fn answer(&self) -> Answer {
        let bad_input = |detail: Cow<'static, str>| Answer {
            detail,
            ..Answer::new(S::BAD_REQUEST, "invalid_input", "")
        };
        match self {
            HttpError::NotFound => Answer::new(S::NOT_FOUND, "not_found", "no such resource"),
            HttpError::MethodNotAllowed => {
                Answer::new(S::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed here")
            }
            HttpError::PayloadTooLarge(limit) => Answer {
                detail: format!("request body is larger than {limit} bytes").into(),
                ..Answer::new(S::PAYLOAD_TOO_LARGE, "payload_too_large", "")
            },
            HttpError::UnsupportedMediaType => Answer::new(
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "request body must be JSON (Content-Type: application/json)",
            ),
            HttpError::InvalidBody(detail) => bad_input(detail.clone()),
            HttpError::InvalidQuery => {
                bad_input("invalid query string: scope must be local, global or others".into())
            }
            HttpError::MissingBearer => Answer::new(
                S::UNAUTHORIZED,
                "missing_token",
                "an access token is required: Authorization: Bearer <token>",
            )
            .challenge(CHALLENGE_MISSING),
            HttpError::BadBearer(_) => {
                Answer::new(S::UNAUTHORIZED, "invalid_token", "the token is invalid")
                    .challenge(CHALLENGE_INVALID)
            }
            HttpError::MissingRefreshToken => Answer::new(
                S::BAD_REQUEST,
                "missing_token",
                "give the refresh token as {\"refresh_token\": ...} or Authorization: Bearer <token>",
            ),
            HttpError::RateLimited { retry_after } => Answer::new(
                S::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests from this address; try again later",
            )
            .retry_after(*retry_after),
            HttpError::Status(status) => from_status(*status),
            HttpError::InvalidClient(_) => Answer::new(
                S::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed: send the HTTP Basic credentials of an \
                 introspection client",
            )
            .challenge(CHALLENGE_BASIC),
            HttpError::NotForm => Answer::new(
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "request body must be a form (Content-Type: application/x-www-form-urlencoded)",
            ),
            HttpError::BadTransport => {
                bad_input("the Baton-Transport header must be \"cookie\" (or absent)".into())
            }
            HttpError::MissingRefreshCookie => Answer::new(
                S::BAD_REQUEST,
                "missing_token",
                "no refresh-token cookie came with the request: log in again",
            ),
            HttpError::DuplicateRefreshCookie => {
                bad_input("more than one refresh-token cookie came with the request".into())
            }
            HttpError::Csrf(refusal) => {
                let detail = match refusal {
                    CsrfRefusal::MissingHeader => {
                        "the refresh-token cookie is only read with the Baton-Transport: cookie header"
                    }
                    CsrfRefusal::MissingOrigin => {
                        "cookie transport needs an Origin header from an allowed origin"
                    }
                    CsrfRefusal::OriginNotAllowed => {
                        "this Origin may not use cookie transport (see cookies.allowed_origins)"
                    }
                };
                Answer::new(S::FORBIDDEN, "csrf_rejected", detail)
            }
            HttpError::UnsupportedGrantType => Answer::new(
                S::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be refresh_token: Baton grants tokens only by refresh",
            ),
            HttpError::CorsRejected(_) => Answer::new(
                S::FORBIDDEN,
                "cors_rejected",
                "cross-origin request refused: origin, method or header not allowed",
            ),
        }
    }
}

/// A generic answer for a status produced outside Baton's handlers.
fn from_status(status: S) -> Answer {
    let code = match status {
        S::NOT_FOUND => return HttpError::NotFound.answer(),
        S::METHOD_NOT_ALLOWED => return HttpError::MethodNotAllowed.answer(),
        S::UNSUPPORTED_MEDIA_TYPE => return HttpError::UnsupportedMediaType.answer(),
        S::PAYLOAD_TOO_LARGE => "payload_too_large",
        S::SERVICE_UNAVAILABLE => "service_unavailable",
        S::UNAUTHORIZED => "invalid_token",
        s if s.is_server_error() => "internal",
        _ => "invalid_input",
    };
    let detail = status.canonical_reason().unwrap_or("error").to_lowercase();
    Answer { detail: detail.into(), ..Answer::new(status, code, "") }
}
