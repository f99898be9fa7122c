//! `POST /api/v1/auth/register`: the body goes through the server's `JsonBody` extractor
//! (16 KiB limit, JSON content type, JSON objects only, problem+json errors) into
//! `RegisterRequest`, then through the core's validation in `Auth::register`'s order:
//! `Email::parse`, `Password::new`, `DisplayName::parse`. Input: one content-type selector byte (`'0'` is
//! `application/json`, see `baton_fuzz::CONTENT_TYPES`), then the body.
#![no_main]

use baton_core::{DisplayName, Email, Password};
use baton_fuzz::{assert_input_refusal, extract, input_error, request, split_selector};
use baton_http::dto::RegisterRequest;
use baton_http::extract::JsonBody;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((content_type, body)) = split_selector(data) else { return };
    let req = request("/api/v1/auth/register", content_type, None, body);
    let RegisterRequest { email, password, name } = match extract::<JsonBody<RegisterRequest>>(req)
    {
        Ok(JsonBody(body)) => body,
        Err(refusal) => return assert_input_refusal(&refusal),
    };
    let validated = Email::parse(&email).and_then(|e| {
        let p = Password::new(password.clone())?;
        let n = name.as_deref().map(DisplayName::parse).transpose()?.flatten();
        Ok((e, p, n))
    });
    match validated {
        Ok((e, p, n)) => {
            // What is stored is normalised and within the limits of SPEC §5.
            let normal = e.as_str();
            assert_eq!(normal, email.trim().to_lowercase());
            assert!(normal.len() <= 254 && normal.contains('@'), "{normal:?}");
            assert!(!normal.chars().any(|c| c.is_whitespace() || c.is_control()));
            assert!((8..=72).contains(&p.expose().len()));
            assert_eq!(p.expose(), password, "the password is never altered");
            if let Some(n) = n {
                assert!(!n.as_str().is_empty() && n.as_str().chars().count() <= 100);
                assert_eq!(n.as_str(), n.as_str().trim());
            }
        }
        Err(e) => {
            let refusal = input_error(e);
            assert_eq!((refusal.status().as_u16(), refusal.code()), (400, "invalid_input"));
        }
    }
});
