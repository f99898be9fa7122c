//! `POST /api/v1/auth/refresh`: the token comes from the body (the server's `OptionalJson`
//! extractor into `RefreshTokenBody`, blank meaning absent) or else from `Authorization:
//! Bearer` (`extract::authorization`), exactly as the handler picks it, and is then verified
//! as a refresh token. Input: one content-type selector byte (`'0'` is `application/json`,
//! see `baton_fuzz::CONTENT_TYPES`), the body, and optionally a NUL byte followed by the
//! `Authorization` header value.
#![no_main]

use baton_core::domain::token::MAX_TOKEN_BYTES;
use baton_core::{TokenIssuer, TokenKind};
use baton_fuzz::{assert_input_refusal, extract, issuer, request, split_nul, split_selector};
use baton_http::dto::RefreshTokenBody;
use baton_http::error::HttpError;
use baton_http::extract::OptionalJson;
use baton_http::extract::{Authorization, authorization};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((content_type, rest)) = split_selector(data) else { return };
    let (body, header) = split_nul(rest);
    let (req, payload) = request("/api/v1/auth/refresh", content_type, header, body);
    let from_body = match extract::<OptionalJson<RefreshTokenBody>>((req.clone(), payload)) {
        Ok(OptionalJson(body)) => body.and_then(RefreshTokenBody::into_token),
        Err(refusal) => return assert_input_refusal(&refusal),
    };
    let token = match from_body {
        Some(token) => {
            assert!(!token.is_empty() && token == token.trim(), "blank tokens count as absent");
            token
        }
        None => match authorization(&req) {
            Ok(Authorization::Bearer(token)) => {
                assert!(!token.is_empty() && token.len() <= MAX_TOKEN_BYTES);
                token
            }
            Ok(Authorization::Absent) => {
                return assert_input_refusal(&HttpError::MissingRefreshToken);
            }
            Err(refusal) => return assert_input_refusal(&refusal),
        },
    };
    // Nothing the fuzzer can write is a token this server signed.
    let verified = issuer().verify(&token, TokenKind::Refresh, baton_fuzz::now());
    assert!(verified.is_err(), "forged refresh token accepted: {token:?}");
});
