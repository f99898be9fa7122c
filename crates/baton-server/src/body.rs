//! Request bodies and query strings: size and content-type limits (SPEC §7), and the
//! translation of every parse failure into an [`ApiError`].

use crate::error::{ApiError, HttpError};
use actix_web::dev::Payload;
use actix_web::error::{PayloadError, QueryPayloadError};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// Largest request body accepted (SPEC §7): 16 KiB is far more than any Baton request needs.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Config for raw body extractors (used by [`OptionalJson`]): the same size limit.
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(MAX_BODY_BYTES)
}

/// Config for `web::Query`: a bad query string is 400 `invalid_input`.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| ApiError::from(query_error(&err)).into())
}

/// Maps a failure while reading a body.
pub fn payload_error(err: &PayloadError) -> HttpError {
    match err {
        PayloadError::Overflow => HttpError::PayloadTooLarge(MAX_BODY_BYTES),
        _ => HttpError::InvalidBody("request body could not be read".into()),
    }
}

fn query_error(_: &QueryPayloadError) -> HttpError {
    HttpError::InvalidQuery
}

/// A client-safe description of a JSON error. serde's messages for wrong types quote the
/// offending value, which may be a password: only field names and positions are kept.
pub fn describe_json_error(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let (line, column) = (err.line(), err.column());
    match err.classify() {
        Category::Syntax | Category::Io => {
            format!("request body is not valid JSON (line {line}, column {column})")
        }
        Category::Eof => "request body is empty or truncated JSON".to_owned(),
        Category::Data => {
            let message = err.to_string();
            match message.strip_prefix("missing field `") {
                Some(rest) => {
                    let field = rest.split('`').next().unwrap_or_default();
                    format!("missing field {field:?}")
                }
                None => {
                    format!("a field has the wrong type or value (line {line}, column {column})")
                }
            }
        }
    }
}

/// Whether the request declares a JSON body (`application/json` or `*/*+json`).
fn declares_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"),
        _ => false,
    }
}

/// Reads the body (bounded by [`payload_config`]) and maps read failures.
async fn read(
    body: impl Future<Output = Result<web::Bytes, actix_web::Error>>,
) -> Result<web::Bytes, HttpError> {
    body.await.map_err(|e| match e.as_error::<PayloadError>() {
        Some(p) => payload_error(p),
        None => HttpError::InvalidBody("request body could not be read".into()),
    })
}

/// Parses a body that must be a JSON object. serde would also fill a struct from a JSON
/// array (`["a@b.co", "pw"]`), which no client means and the OpenAPI document does not allow.
pub fn parse_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, HttpError> {
    let invalid = |e: serde_json::Error| HttpError::InvalidBody(describe_json_error(&e).into());
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | None => serde_json::from_slice(bytes).map_err(invalid),
        // Not an object: say why, syntax errors first.
        Some(_) => Err(match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Err(e) => invalid(e),
            Ok(_) => HttpError::InvalidBody("request body must be a JSON object".into()),
        }),
    }
}

/// A required JSON object body of type `T` with a JSON content type (register, login).
/// Like `web::Json`, within the same limits and errors, but refusing non-object JSON.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = declares_json(req);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = read(body).await?;
            if !is_json {
                return Err(HttpError::UnsupportedMediaType.into());
            }
            Ok(JsonBody(parse_object(&bytes)?))
        })
    }
}

/// A JSON body that may be absent: an empty body gives `None`, anything else must be a JSON
/// object of type `T` with a JSON content type. For endpoints whose body is optional (refresh,
/// logout), so that clients may send no body at all. `null` is a body, and no object: 400, as
/// the OpenAPI document says (the schema, `required: false`; see docs/DECISIONS.md).
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = declares_json(req);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = read(body).await?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(None));
            }
            if !is_json {
                return Err(HttpError::UnsupportedMediaType.into());
            }
            Ok(OptionalJson(Some(parse_object(&bytes)?)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Login {
        email: String,
        password: String,
    }

    fn describe(body: &str) -> String {
        describe_json_error(&serde_json::from_str::<Login>(body).unwrap_err())
    }

    #[test]
    fn json_errors_never_echo_values() {
        let d = describe(r#"{"email": "a@b.co", "password": 12345678}"#);
        assert!(!d.contains("12345678"), "{d}");
        assert!(d.contains("wrong type"), "{d}");
        let d = describe(r#"{"email": "a@b.co", "password": ["hunter2hunter2"]}"#);
        assert!(!d.contains("hunter2"), "{d}");
    }

    #[test]
    fn bodies_must_be_json_objects() {
        let ok: Login = parse_object(br#" {"email": "a@b.co", "password": "pw"}"#).unwrap();
        assert_eq!(ok.email, "a@b.co");
        for body in [&br#"["a@b.co", "pw"]"#[..], b"null", b"\"x\"", b"5"] {
            let e = parse_object::<Login>(body).unwrap_err();
            assert_eq!(e, HttpError::InvalidBody("request body must be a JSON object".into()));
        }
        let detail = |e: HttpError| match e {
            HttpError::InvalidBody(d) => d.into_owned(),
            other => panic!("{other:?}"),
        };
        let e = detail(parse_object::<Login>(b"[nope").unwrap_err());
        assert!(e.starts_with("request body is not valid JSON"), "{e}");
        let e = detail(parse_object::<Login>(b"  ").unwrap_err());
        assert_eq!(e, "request body is empty or truncated JSON");
    }

    #[test]
    fn json_errors_name_missing_fields_and_syntax() {
        assert_eq!(describe(r#"{"email": "a@b.co"}"#), "missing field \"password\"");
        assert!(describe("{nope").starts_with("request body is not valid JSON"));
        assert_eq!(describe(r#"{"email": "#), "request body is empty or truncated JSON");
    }
}
