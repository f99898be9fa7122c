//! The OAuth dialect of the same answers (RFC 6749 §5.2): the token, revocation and
//! introspection endpoints speak to standard OAuth libraries, which read `error` from an
//! `application/json` body, not a problem document (SPEC §11).
//!
//! Every failure is first answered as usual ([`super::answer`]); [`dialect`] then translates
//! that answer's `code`, so the mapping from errors to HTTP stays in one place and this is
//! only its second spelling. Baton's `code` travels along as an extra member.

use super::answer::{Answer, CHALLENGE_BASIC};
use actix_web::http::StatusCode as S;
use serde::Serialize;

/// An RFC 6749 §5.2 error answer: the status and the `error` code to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OAuthAnswer {
    /// The HTTP status (400 for what the client sent, 401 for client authentication).
    pub status: S,
    /// The RFC 6749 (or RFC 7009) `error` value.
    pub error: &'static str,
    /// `WWW-Authenticate` to keep: only the Basic challenge of a refused client.
    pub challenge: Option<&'static str>,
}

/// The RFC 6749 form of `answer`: grant failures are `invalid_grant` (400, no bearer
/// challenge: the refresh token is a grant, not a credential of this request), a refused
/// client `invalid_client` (401 with the Basic challenge), anything else the client sent
/// `invalid_request`, and Baton's own faults `temporarily_unavailable` or `server_error`.
pub fn dialect(answer: &Answer) -> OAuthAnswer {
    let status = S::BAD_REQUEST;
    let plain = |error| OAuthAnswer { status, error, challenge: None };
    match answer.code {
        "invalid_token" | "token_expired" | "session_revoked" | "token_reused"
        | "account_disabled" | "email_not_verified" => plain("invalid_grant"),
        "invalid_client" => OAuthAnswer {
            status: S::UNAUTHORIZED,
            error: "invalid_client",
            challenge: Some(CHALLENGE_BASIC),
        },
        "unsupported_grant_type" => plain("unsupported_grant_type"),
        "service_unavailable" => OAuthAnswer {
            status: S::SERVICE_UNAVAILABLE,
            error: "temporarily_unavailable",
            challenge: None,
        },
        _ if answer.status.is_server_error() => {
            OAuthAnswer { status: answer.status, error: "server_error", challenge: None }
        }
        _ => plain("invalid_request"),
    }
}

/// The RFC 6749 §5.2 body, with Baton's `code`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "error": "invalid_grant", "error_description": "the token has expired",
    "code": "token_expired"
}))]
pub struct OAuthErrorBody<'a> {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`,
    /// `temporarily_unavailable` or `server_error`.
    #[schema(value_type = String)]
    pub error: &'static str,
    /// Human-readable, safe to show.
    #[schema(value_type = String)]
    pub error_description: &'a str,
    /// Baton's stable code, the same as in its problem documents (`token_reused`, ...).
    #[schema(value_type = String)]
    pub code: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: S, code: &'static str) -> Answer {
        Answer::new(status, code, "x")
    }

    #[test]
    fn a_refused_refresh_token_is_an_invalid_grant_without_a_bearer_challenge() {
        for code in ["invalid_token", "token_expired", "session_revoked", "token_reused"] {
            let a = dialect(&answer(S::UNAUTHORIZED, code));
            assert_eq!((a.status, a.error, a.challenge), (S::BAD_REQUEST, "invalid_grant", None));
        }
    }

    #[test]
    fn a_refused_client_keeps_401_and_the_basic_challenge() {
        let a = dialect(&answer(S::UNAUTHORIZED, "invalid_client"));
        assert_eq!((a.status, a.error), (S::UNAUTHORIZED, "invalid_client"));
        assert_eq!(a.challenge, Some(CHALLENGE_BASIC));
    }

    #[test]
    fn bad_requests_and_faults_keep_their_meaning() {
        assert_eq!(dialect(&answer(S::BAD_REQUEST, "invalid_input")).error, "invalid_request");
        assert_eq!(
            dialect(&answer(S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")).status,
            S::BAD_REQUEST
        );
        let down = dialect(&answer(S::SERVICE_UNAVAILABLE, "service_unavailable"));
        assert_eq!((down.status, down.error), (S::SERVICE_UNAVAILABLE, "temporarily_unavailable"));
        let broken = dialect(&answer(S::INTERNAL_SERVER_ERROR, "internal"));
        assert_eq!((broken.status, broken.error), (S::INTERNAL_SERVER_ERROR, "server_error"));
    }
}
