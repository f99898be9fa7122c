//! [`ApiError`]: the one place where failures become HTTP answers.
//!
//! Every use-case error of the core and every failure of the HTTP layer ([`HttpError`]) is
//! answered through [`Answered::answer`] — one `match` per error type, in [`answer`] — as a
//! status, a stable `code` and an RFC 9457 `application/problem+json` body. What would help
//! an attacker (which credential check failed, why a token was refused, database errors) goes
//! to the log, as the error's whole cause chain, once: on the request's closing log line
//! (see [`crate::middleware::tracing`]).

pub mod answer;
pub mod http;
pub mod mfa;
pub mod oauth;

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

pub use answer::{Answer, Answered, CHALLENGE_BASIC, CHALLENGE_INVALID, CHALLENGE_MISSING};
pub use http::{CsrfRefusal, HttpError};

/// Content type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An HTTP error answer: how to answer, and the cause chain for the log. Boxed: it travels
/// in every handler's `Result`, which should stay small.
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    answer: Answer,
    reason: String,
    allow: Option<Box<str>>,
    cookie: Option<Cookie<'static>>,
    oauth: bool,
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
    /// `session_revoked`, `token_reused`, `session_not_found`, `invalid_client`, `not_found`,
    /// `method_not_allowed`, `payload_too_large`, `unsupported_media_type`,
    /// `csrf_rejected`, `cors_rejected`, `service_unavailable` or `internal`.
    #[schema(value_type = String)]
    code: &'static str,
}

impl<E: Answered + std::error::Error> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(Box::new(Inner {
            answer: e.answer(),
            reason: chain(&e),
            allow: None,
            cookie: None,
            oauth: false,
        }))
    }
}

/// An error and its sources, `outer: inner: innermost`, for the log (the core's formatter).
pub use baton_core::error_chain as chain;

impl ApiError {
    /// Adds the `Allow` header of a 405 (RFC 9110 §15.5.6 requires it).
    pub fn with_allow(mut self, methods: impl Into<String>) -> Self {
        self.0.allow = Some(methods.into().into_boxed_str());
        self
    }

    /// Adds a `Set-Cookie` (and `Cache-Control: no-store`, as on every answer that sets or
    /// clears a cookie): a refused cookie refresh clears the refresh-token cookie it can no
    /// longer use (SPEC §10).
    pub fn with_cookie(mut self, cookie: Cookie<'static>) -> Self {
        self.0.cookie = Some(cookie);
        self
    }

    /// The same failure answered in the OAuth dialect ([`oauth::dialect`]): for the endpoints
    /// standard OAuth libraries call.
    pub fn oauth(mut self) -> Self {
        self.0.oauth = true;
        self
    }

    /// How it is answered.
    pub fn answer(&self) -> &Answer {
        &self.0.answer
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.answer.status
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.0.answer.code
    }

    /// The client-facing detail.
    pub fn detail(&self) -> &str {
        &self.0.answer.detail
    }

    /// The cause chain, for the log only.
    pub fn reason(&self) -> &str {
        &self.0.reason
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.0.answer;
        write!(f, "{} {}: {} ({})", a.status.as_u16(), a.code, a.detail, self.0.reason)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self.0.oauth {
            true => oauth::dialect(&self.0.answer).status,
            false => self.0.answer.status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let a = &self.0.answer;
        if self.0.oauth {
            return oauth_response(a);
        }
        let body = Problem {
            kind: "about:blank",
            title: a.status.canonical_reason().unwrap_or("Error"),
            status: a.status.as_u16(),
            detail: &a.detail,
            code: a.code,
        };
        let mut res = HttpResponse::build(a.status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let Some(secs) = a.retry_after {
            res.insert_header((header::RETRY_AFTER, secs));
        }
        if let Some(challenge) = a.challenge {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge)));
        }
        if let Some(allow) = self.0.allow.as_deref().and_then(|a| HeaderValue::from_str(a).ok()) {
            res.insert_header((header::ALLOW, allow));
        }
        if let Some(cookie) = &self.0.cookie {
            res.cookie(cookie.clone());
            res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        }
        match &a.extra {
            None => res.body(serde_json::to_vec(&body).unwrap_or_default()),
            Some(extra) => {
                let mut value = serde_json::to_value(&body).unwrap_or_default();
                if let Some(members) = value.as_object_mut() {
                    members.extend(extra.clone());
                }
                res.body(serde_json::to_vec(&value).unwrap_or_default())
            }
        }
    }
}

/// `answer` as RFC 6749 §5.2 JSON (`Cache-Control: no-store`, as §5.1 asks of token answers).
fn oauth_response(a: &Answer) -> HttpResponse {
    let o = oauth::dialect(a);
    let body = oauth::OAuthErrorBody { error: o.error, error_description: &a.detail, code: a.code };
    let mut res = HttpResponse::build(o.status);
    res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    if let Some(challenge) = o.challenge {
        res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge)));
    }
    if let Some(secs) = a.retry_after {
        res.insert_header((header::RETRY_AFTER, secs));
    }
    res.json(body)
}

#[cfg(test)]
mod tests;
