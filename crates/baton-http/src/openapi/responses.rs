//! The error answers routes share, written once as [`IntoResponses`] groups that the handlers'
//! `#[utoipa::path(responses(...))]` name.

use crate::error::PROBLEM_JSON;
use std::collections::BTreeMap;
use utoipa::IntoResponses;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, Type};

/// A problem+json response with `description`.
pub fn problem(description: &str) -> ResponseBuilder {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    ResponseBuilder::new().description(description).content(PROBLEM_JSON, content)
}

/// A response header holding an integer or a string.
fn header(kind: Type, description: &str) -> utoipa::openapi::header::Header {
    let schema = utoipa::openapi::ObjectBuilder::new().schema_type(kind).build();
    HeaderBuilder::new().schema(Some(schema)).description(Some(description)).build()
}

fn map(items: Vec<(&str, ResponseBuilder)>) -> BTreeMap<String, RefOr<Response>> {
    items.into_iter().map(|(status, r)| (status.to_owned(), RefOr::T(r.build()))).collect()
}

/// Errors of routes reading a JSON body: 413 and 415 (400 is route-specific).
pub struct BodyErrors;

impl IntoResponses for BodyErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        map(vec![
            ("413", problem("Request body over 16 KiB (`payload_too_large`).")),
            ("415", problem("Body is not JSON (`unsupported_media_type`).")),
        ])
    }
}

/// 503 `service_unavailable` with `Retry-After`, for every route that needs the database.
pub struct Unavailable;

impl IntoResponses for Unavailable {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let retry = header(Type::Integer, "Seconds to wait before retrying.");
        map(vec![(
            "503",
            problem("The database did not answer in time (`service_unavailable`); retry later.")
                .header("Retry-After", retry),
        )])
    }
}

/// 401 of bearer-protected routes, with the RFC 6750 challenge.
pub struct BearerRejected;

impl IntoResponses for BearerRejected {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let challenge = header(
            Type::String,
            "`Bearer realm=\"baton\"` when no token was given, \
             `Bearer error=\"invalid_token\"` when it was refused.",
        );
        map(vec![(
            "401",
            problem(
                "No usable access token: `missing_token`, `invalid_token`, `token_expired`, \
                 `session_revoked` or `account_disabled`.",
            )
            .header("WWW-Authenticate", challenge),
        )])
    }
}

/// 429 `locked_out` or `rate_limited` with `Retry-After`, on login.
pub struct LockedOut;

impl IntoResponses for LockedOut {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let retry = header(Type::Integer, "Seconds until the lock lifts or a request is allowed.");
        map(vec![(
            "429",
            problem(
                "Too many failed logins: the account is locked for this address (`locked_out`); \
                 or too many requests from this address (`rate_limited`), refused before any \
                 password check.",
            )
            .header("Retry-After", retry),
        )])
    }
}

/// 429 `rate_limited` with `Retry-After`, on register: past the per-address rate limit, before
/// any password is hashed.
pub struct RateLimited;

impl IntoResponses for RateLimited {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let retry = header(Type::Integer, "Seconds until a request is allowed again.");
        map(vec![(
            "429",
            problem(
                "Too many requests from this address (`rate_limited`), refused before any \
                 password is hashed.",
            )
            .header("Retry-After", retry),
        )])
    }
}
