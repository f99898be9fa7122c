//! Request extractors for what Baton reads from headers: bearer tokens and client details.
//!
//! They only read and bound the raw values; verifying a token is the core's job, done inside
//! the handler's blocking call so a request makes one hop to the blocking pool.

use crate::error::HttpError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use baton_core::ClientInfo;
use std::future::{Ready, ready};

/// Longest token accepted from a header (SPEC §7); baton-jwt refuses longer ones as well.
pub const MAX_TOKEN_BYTES: usize = baton_jwt::MAX_TOKEN_LEN;

/// Longest `User-Agent` kept on a session; the rest is cut at a character boundary.
pub const MAX_USER_AGENT_BYTES: usize = 512;

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
    type Error = crate::error::ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match authorization(req) {
            Ok(Authorization::Bearer(token)) => Ok(BearerToken(token)),
            Ok(Authorization::Absent) => Err(HttpError::MissingBearer.into()),
            Err(e) => Err(e.into()),
        })
    }
}

/// The caller's `User-Agent` and address (see [`crate::client_addr`]: the TCP peer, or the
/// forwarded address behind a trusted proxy), recorded on new sessions for the sessions list
/// and charged with login attempts.
pub struct Client(pub ClientInfo);

impl FromRequest for Client {
    type Error = crate::error::ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .map(|v| truncate(&String::from_utf8_lossy(v.as_bytes()), MAX_USER_AGENT_BYTES))
            .filter(|ua| !ua.is_empty());
        let trusted = req
            .app_data::<actix_web::web::Data<crate::app::AppState>>()
            .map(|state| state.config.server.trusted_proxies.as_slice())
            .unwrap_or_default();
        let client_addr =
            crate::client_addr::client_address(req.peer_addr(), req.headers(), trusted)
                .map(|ip| ip.to_string());
        ready(Ok(Client(ClientInfo { user_agent, client_addr })))
    }
}

/// `s` cut to at most `max` bytes without splitting a character.
fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].trim().to_owned()
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

    #[test]
    fn truncates_user_agents_at_char_boundaries() {
        assert_eq!(truncate("ééé", 3), "é");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
