//! Bearer tokens from `Authorization` headers.
//!
//! Only read and bounded here; verifying a token is the core's job.

use crate::error::{ApiError, HttpError};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use baton_core::domain::token::MAX_TOKEN_BYTES;
use std::future::{Ready, ready};

/// What an `Authorization` header holds, as far as Baton cares.
#[derive(Debug, PartialEq, Eq)]
pub enum Authorization {
    /// No header, or a scheme other than `Bearer`.
    Absent,
    /// A bearer token (not yet verified).
    Bearer(String),
}

/// Reads `Authorization: Bearer <token>`. A header that is not visible ASCII, or a token over
/// [`MAX_TOKEN_BYTES`], is refused here as `invalid_token`.
pub fn authorization(req: &HttpRequest) -> Result<Authorization, HttpError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(Authorization::Absent);
    };
    let value =
        value.to_str().map_err(|_| HttpError::BadBearer("authorization header not ASCII"))?;
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return Ok(Authorization::Absent);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(Authorization::Absent);
    }
    let token = token.trim();
    if token.is_empty() {
        return Ok(Authorization::Absent);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(HttpError::BadBearer("bearer token over 8 KiB"));
    }
    Ok(Authorization::Bearer(token.to_owned()))
}

/// The access token of a bearer-protected route; rejects the request with 401 when there is
/// none. Its `Debug` never shows the token.
pub struct BearerToken(String);

impl BearerToken {
    /// The raw token, for the core to verify.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

impl FromRequest for BearerToken {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match authorization(req) {
            Ok(Authorization::Bearer(token)) => Ok(BearerToken(token)),
            Ok(Authorization::Absent) => Err(HttpError::MissingBearer.into()),
            Err(e) => Err(e.into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn auth(value: &str) -> Result<Authorization, HttpError> {
        authorization(
            &TestRequest::default().insert_header(("authorization", value)).to_http_request(),
        )
    }

    #[test]
    fn reads_bearer_tokens_case_insensitively() {
        assert_eq!(auth("Bearer abc").unwrap(), Authorization::Bearer("abc".into()));
        assert_eq!(auth("bearer  abc ").unwrap(), Authorization::Bearer("abc".into()));
        assert_eq!(auth("Basic dXNlcjpwdw==").unwrap(), Authorization::Absent);
        assert_eq!(auth("Bearer").unwrap(), Authorization::Absent);
        assert_eq!(auth("Bearer    ").unwrap(), Authorization::Absent);
        let none = authorization(&TestRequest::default().to_http_request()).unwrap();
        assert_eq!(none, Authorization::Absent);
    }

    #[test]
    fn refuses_oversized_tokens() {
        let err = auth(&format!("Bearer {}", "a".repeat(MAX_TOKEN_BYTES + 1))).unwrap_err();
        assert_eq!(err, HttpError::BadBearer("bearer token over 8 KiB"));
        assert!(auth(&format!("Bearer {}", "a".repeat(MAX_TOKEN_BYTES))).is_ok());
    }
}
