//! Shared harness of Baton's fuzz targets: feeds fuzzer bytes to the **server's own**
//! extractors (`baton_http::extract`: `JsonBody`, `OptionalJson`, `Form`, `web::Query` with
//! `body::query_config()`, `authorization`) on in-memory requests, and checks what
//! SPEC §7 promises about every refusal: a 4xx problem answer whose detail never echoes the
//! input.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use actix_web::rt::SystemRunner;
use actix_web::test::TestRequest;
use actix_web::{FromRequest, HttpRequest, ResponseError};
use baton_core::{InputError, RegisterError};
use baton_http::error::{ApiError, HttpError};
use baton_http::extract::body;
use std::future::Future;

/// Content types a fuzz input can pick with its first byte (see [`split_selector`]): the
/// JSON ones the server must accept and a few it must refuse with 415.
pub const CONTENT_TYPES: [Option<&str>; 8] = [
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("application/problem+json"),
    Some("text/plain"),
    None,
    Some("application/x-www-form-urlencoded"),
    Some("application/jsonx"),
    Some("multipart/form-data; boundary=x"),
];

thread_local! {
    static SYSTEM: SystemRunner = actix_web::rt::System::new();
}

/// Runs an extractor's future to completion on this thread's actix runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    SYSTEM.with(|system| system.block_on(future))
}

/// The first byte picks a content type from [`CONTENT_TYPES`] (`'0'` is `application/json`);
/// the rest is the payload. Empty input gives `None`.
pub fn split_selector(data: &[u8]) -> Option<(Option<&'static str>, &[u8])> {
    let (&first, rest) = data.split_first()?;
    let choice = usize::from(first.wrapping_sub(b'0')) % CONTENT_TYPES.len();
    Some((CONTENT_TYPES[choice], rest))
}

/// Splits at the first NUL byte: `(before, after)`; `after` is `None` without one.
pub fn split_nul(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    }
}

/// A request as the server's app sees it: its extractor configs, the given content type and
/// `Authorization` header (skipped when not a valid header value, as HTTP could not carry
/// it), and `body` as the payload.
pub fn request(
    uri: &str,
    content_type: Option<&str>,
    authorization: Option<&[u8]>,
    body: &[u8],
) -> (HttpRequest, actix_web::dev::Payload) {
    let mut req = TestRequest::post()
        .uri(uri)
        .app_data(body::payload_config())
        .app_data(body::query_config());
    if let Some(content_type) = content_type {
        req = req.insert_header((CONTENT_TYPE, content_type));
    }
    if let Some(value) = authorization.and_then(|v| HeaderValue::from_bytes(v).ok()) {
        req = req.insert_header((AUTHORIZATION, value));
    }
    req.set_payload(body.to_vec()).to_http_parts()
}

/// What a client sees of a refusal: status, `code`, detail and the response's content type.
/// (An [`ApiError`] is not `Clone`, and extractors hand it over inside an `actix_web::Error`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// The problem `code`.
    pub code: &'static str,
    /// The problem `detail`.
    pub detail: String,
    /// The response's `Content-Type`.
    pub content_type: Option<String>,
}

/// Anything the server answers a refusal with.
pub trait Refused {
    /// The answer as a client sees it.
    fn refusal(&self) -> Refusal;
}

impl Refused for Refusal {
    fn refusal(&self) -> Refusal {
        self.clone()
    }
}

impl Refused for ApiError {
    fn refusal(&self) -> Refusal {
        let res = self.error_response();
        let content_type =
            res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Refusal {
            status: self.status(),
            code: self.code(),
            detail: self.detail().to_owned(),
            content_type,
        }
    }
}

impl Refused for HttpError {
    fn refusal(&self) -> Refusal {
        ApiError::from(self.clone()).refusal()
    }
}

/// Runs extractor `T` on the request, returning the server's answer on refusal.
pub fn extract<T: FromRequest>(
    (req, mut payload): (HttpRequest, actix_web::dev::Payload),
) -> Result<T, Refusal>
where
    T::Error: Into<actix_web::Error>,
{
    block_on(T::from_request(&req, &mut payload)).map_err(|e| {
        let e: actix_web::Error = e.into();
        let api = e.as_error::<ApiError>().unwrap_or_else(|| {
            panic!("extractor error is not an ApiError (no problem+json mapping): {e:?}")
        });
        api.refusal()
    })
}

/// Every input refusal is a 4xx with one of the input codes, renders as problem+json, and
/// its client-visible detail is one of the server's fixed texts: values from the request
/// (a password in a wrong-typed field, say) never come back.
pub fn assert_input_refusal(err: &impl Refused) {
    let err = err.refusal();
    let status = err.status;
    assert!(status.is_client_error(), "input answered {status}: {err:?}");
    let expected_code = match status {
        StatusCode::BAD_REQUEST => &["invalid_input", "missing_token"][..],
        StatusCode::PAYLOAD_TOO_LARGE => &["payload_too_large"][..],
        StatusCode::UNSUPPORTED_MEDIA_TYPE => &["unsupported_media_type"][..],
        StatusCode::UNAUTHORIZED => &["invalid_token"][..],
        other => panic!("unexpected status {other} for bad input: {err:?}"),
    };
    assert!(expected_code.contains(&err.code), "{status} with code {}", err.code);
    assert!(is_fixed_detail(&err.detail), "detail may echo input: {:?}", err.detail);
    assert_eq!(err.content_type.as_deref(), Some("application/problem+json"));
}

/// The client-visible texts the server may send for bad input before the core sees it:
/// fixed strings, positions (`line N, column M`) and the request types' field names.
/// (The core's own validation messages are `&'static str` by type, so they cannot echo.)
pub fn is_fixed_detail(detail: &str) -> bool {
    const FIELDS: [&str; 6] = [
        "\"email\"",
        "\"password\"",
        "\"name\"",
        "\"refresh_token\"",
        "\"token\"",
        "\"token_type_hint\"",
    ];
    let named = |prefix: &str, suffix: &str| {
        detail
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|field| FIELDS.contains(&field))
    };
    if named("field ", " has the wrong type or value")
        || named("parameter ", " has the wrong type or value")
        || named("parameter ", " given more than once")
        || named("missing parameter ", " (form-encoded)")
    {
        return true;
    }
    let without_position = match detail.find(" (line ") {
        Some(i) => {
            let numbers = &detail[i + " (line ".len()..];
            let Some(numbers) = numbers.strip_suffix(')') else { return false };
            let digits = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
            match numbers.split_once(", column ") {
                Some((line, column)) if digits(line) && digits(column) => &detail[..i],
                _ => return false,
            }
        }
        None => detail,
    };
    if let Some(field) = without_position.strip_prefix("missing field ") {
        return FIELDS.contains(&field);
    }
    [
        "request body is not valid JSON",
        "request body is empty or truncated JSON",
        "the body does not match the request schema",
        "request body could not be read",
        "request body must be a JSON object",
        "request body must be JSON (Content-Type: application/json)",
        "invalid query string: scope must be local, global or others",
        "the token is invalid",
        "give the refresh token as {\"refresh_token\": ...} or Authorization: Bearer <token>",
        "request body must be a form (Content-Type: application/x-www-form-urlencoded)",
    ]
    .contains(&without_position)
        || without_position == HttpError::PayloadTooLarge(body::MAX_BODY_BYTES).refusal().detail
}

/// The answer the server gives for a validation failure of the core.
pub fn input_error(e: InputError) -> ApiError {
    ApiError::from(RegisterError::InvalidInput(e))
}

/// A token issuer with the shape of the server's (two keys, the first signs), for targets
/// that verify what they extracted.
pub fn issuer() -> &'static baton_jwt::JwtIssuer {
    use baton_jwt::{JwtConfig, JwtIssuer, KeySpec};
    static ISSUER: std::sync::OnceLock<JwtIssuer> = std::sync::OnceLock::new();
    ISSUER.get_or_init(|| {
        let keys = vec![
            KeySpec::hs256("k2", b"fuzzing-secret-number-two-32-bytes!!".to_vec()),
            KeySpec::hs256("k1", b"fuzzing-secret-number-one-32-bytes!!".to_vec()),
        ];
        JwtIssuer::new(JwtConfig::new("baton", "baton-api", keys)).expect("valid fuzz config")
    })
}

/// A fixed "now" (2027-01-15), so runs are reproducible.
pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("valid instant")
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space, `%XX` a byte), lossy, for
/// checking what a query string says independently of the extractor.
pub fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
