//! `POST /api/v1/auth/login`: the body goes through the server's `JsonBody` extractor into
//! `LoginRequest`, then `Email::parse` as `Auth::login` does (a refused address is treated
//! like an unknown one there). Input: one content-type selector byte (`'0'` is
//! `application/json`, see `baton_fuzz::CONTENT_TYPES`), then the body.
#![no_main]

use baton_core::Email;
use baton_fuzz::{assert_input_refusal, extract, request, split_selector};
use baton_http::dto::LoginRequest;
use baton_http::extract::JsonBody;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((content_type, body)) = split_selector(data) else { return };
    let req = request("/api/v1/auth/login", content_type, None, body);
    let LoginRequest { email, password } = match extract::<JsonBody<LoginRequest>>(req) {
        Ok(JsonBody(body)) => body,
        Err(refusal) => return assert_input_refusal(&refusal),
    };
    if let Ok(parsed) = Email::parse(&email) {
        // Login looks the account up by exactly this normalised form.
        assert_eq!(parsed.as_str(), email.trim().to_lowercase());
        assert_eq!(Email::parse(parsed.as_str()).as_ref(), Ok(&parsed), "idempotent");
    }
    // Any password text is acceptable input for a login attempt (bcrypt compares it).
    let _ = password.len();
});
