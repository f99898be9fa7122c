//! `POST /api/v1/auth/introspect`: the caller's `Authorization` header through the server's
//! Basic parser (`basic::basic_credentials`) and constant-time check (`basic::authenticate`),
//! then the form body through the server's `Form<IntrospectRequest>` extractor. Input: one content-type selector byte (`'5'` is
//! `application/x-www-form-urlencoded`, see `baton_fuzz::CONTENT_TYPES`), the body, and
//! optionally a NUL byte followed by the `Authorization` header value.
#![no_main]

use baton_config::{IntrospectionClient, Secret};
use baton_fuzz::{Refused, assert_input_refusal, extract, request, split_nul, split_selector};
use baton_http::error::{CHALLENGE_BASIC, HttpError};
use baton_http::extract::basic;
use baton_http::extract::form::{Form, parse_form};
use baton_http::routes::introspect::IntrospectRequest;
use libfuzzer_sys::fuzz_target;

/// The one configured client; its secret is random enough that no input finds it.
fn clients() -> Vec<IntrospectionClient> {
    let secret = Secret::new("fuzz-client-secret-8f3a91c2d4e5b6a7c8d9e0f1");
    vec![IntrospectionClient { id: "fuzz-api".into(), secret }]
}

fuzz_target!(|data: &[u8]| {
    let Some((content_type, rest)) = split_selector(data) else { return };
    let (body, header) = split_nul(rest);
    let (req, payload) = request("/api/v1/auth/introspect", content_type, header, body);

    // The caller: parsed without panicking, and refused unless it is the configured client.
    match basic::basic_credentials(&req) {
        Ok(given) => {
            let clients = clients();
            let found = basic::authenticate(&clients, &given);
            assert!(found.is_none_or(|id| id == "fuzz-api"), "{found:?}");
        }
        Err(reason) => {
            let refusal = HttpError::InvalidClient(reason).refusal();
            assert_eq!((refusal.status.as_u16(), refusal.code), (401, "invalid_client"));
            assert!(!refusal.detail.contains(reason), "the reason stays in the log");
            let res = baton_http::error::ApiError::from(HttpError::InvalidClient(reason));
            let res = actix_web::ResponseError::error_response(&res);
            assert_eq!(res.headers().get("www-authenticate").unwrap(), CHALLENGE_BASIC);
        }
    }

    // The form: a token (and the hint as given), or a 4xx answer that echoes nothing.
    match extract::<Form<IntrospectRequest>>((req, payload)) {
        Ok(Form(form)) => {
            assert!(!form.token.is_empty(), "an empty token is refused");
            let again: IntrospectRequest = parse_form(body).expect("parsing is deterministic");
            assert_eq!(
                (again.token.as_str(), again.token_type_hint.as_deref()),
                (form.token.as_str(), form.token_type_hint.as_deref())
            );
            if !body.contains(&b'%') && !body.contains(&b'+') {
                let text = String::from_utf8_lossy(body);
                assert!(text.contains(&format!("token={}", form.token)), "{text:?}");
            }
        }
        Err(refusal) => assert_input_refusal(&refusal),
    }
});
