//! `POST /api/v1/auth/logout?scope=...`: the query string through the server's `web::Query`
//! extractor (with `body::query_config()`) into `LogoutQuery`, and the optional body through
//! `OptionalJson<RefreshTokenBody>`, as the handler extracts them. Input: one content-type
//! selector byte (`'0'` is `application/json`, see `baton_fuzz::CONTENT_TYPES`), the query
//! string, a NUL byte, then the body.
#![no_main]

use actix_web::web::Query;
use baton_fuzz::{assert_input_refusal, extract, form_decode, request, split_nul, split_selector};
use baton_http::dto::{LogoutQuery, RefreshTokenBody, Scope};
use baton_http::extract::OptionalJson;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((content_type, rest)) = split_selector(data) else { return };
    let (query, body) = split_nul(rest);
    let Ok(query) = std::str::from_utf8(query) else { return };
    let uri = format!("/api/v1/auth/logout?{query}");
    // Only what HTTP can carry: a request line with a valid URI.
    if uri.parse::<actix_web::http::Uri>().is_err() {
        return;
    }
    let req = || request(&uri, content_type, None, body.unwrap_or_default());
    match extract::<Query<LogoutQuery>>(req()) {
        Ok(q) => {
            // A scope other than the default was spelled out in the (decoded) query.
            let decoded = form_decode(query);
            let named = match q.scope {
                Scope::Local => true,
                Scope::Global => decoded.contains("global"),
                Scope::Others => decoded.contains("others"),
            };
            assert!(named, "{query:?} gave {:?}", q.scope);
        }
        Err(refusal) => assert_input_refusal(&refusal),
    }
    match extract::<OptionalJson<RefreshTokenBody>>(req()) {
        Ok(OptionalJson(body)) => {
            if let Some(token) = body.and_then(RefreshTokenBody::into_token) {
                assert!(!token.is_empty() && token == token.trim());
            }
        }
        Err(refusal) => assert_input_refusal(&refusal),
    }
});
