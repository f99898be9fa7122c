//! JSON request bodies and query strings: size and content-type limits (SPEC §7), and the
//! translation of every parse failure into an [`ApiError`].

use crate::error::{ApiError, HttpError};
use actix_web::dev::Payload;
use actix_web::error::{PayloadError, QueryPayloadError};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::error::Category;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use utoipa::PartialSchema;
use utoipa::openapi::{RefOr, Schema};

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

/// Whether the request declares a JSON body (`application/json` or `*/*+json`).
fn declares_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"),
        _ => false,
    }
}

/// Reads the body (bounded by [`payload_config`]) and maps read failures.
pub(super) async fn read(
    body: impl Future<Output = Result<web::Bytes, actix_web::Error>>,
) -> Result<web::Bytes, HttpError> {
    body.await.map_err(|e| match e.as_error::<PayloadError>() {
        Some(p) => payload_error(p),
        None => HttpError::InvalidBody("request body could not be read".into()),
    })
}

/// Parses a body that must be a JSON object of type `T`, with client-safe errors: serde's
/// messages for wrong types quote the offending value, which may be a password, so a 400 names
/// only positions (syntax), the path of a bad field (`serde_path_to_error`), or a required
/// field that is missing (required by `T`'s OpenAPI schema, the document clients read). serde
/// would also fill a struct from a JSON array (`["a@b.co", "pw"]`), which no client means and
/// the document does not allow: refused.
pub fn parse_object<T: DeserializeOwned + PartialSchema>(bytes: &[u8]) -> Result<T, HttpError> {
    let invalid = |detail: String| HttpError::InvalidBody(detail.into());
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        // Not an object: say why, syntax errors first.
        return Err(match serde_json::from_slice::<IgnoredAny>(bytes) {
            Err(e) => invalid(syntax(&e)),
            Ok(_) => invalid("request body must be a JSON object".into()),
        });
    }
    let mut json = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let path = e.path().to_string();
        match e.inner().classify() {
            Category::Data if path == "." => match missing_field::<T>(bytes) {
                Some(field) => invalid(format!("missing field {field:?}")),
                None => invalid("the body does not match the request schema".into()),
            },
            Category::Data => invalid(format!("field {path:?} has the wrong type or value")),
            _ => invalid(syntax(e.inner())),
        }
    })
}

/// A syntax or end-of-input error, by position only.
fn syntax(e: &serde_json::Error) -> String {
    match e.classify() {
        Category::Eof => "request body is empty or truncated JSON".to_owned(),
        _ => format!("request body is not valid JSON (line {}, column {})", e.line(), e.column()),
    }
}

/// The first field that `T`'s schema requires and the body's object lacks.
fn missing_field<T: PartialSchema>(bytes: &[u8]) -> Option<String> {
    let object: BTreeMap<String, IgnoredAny> = serde_json::from_slice(bytes).ok()?;
    let RefOr::T(Schema::Object(schema)) = T::schema() else { return None };
    schema.required.into_iter().find(|field| !object.contains_key(field))
}

/// A required JSON object body of type `T` with a JSON content type (register, login).
/// Like `web::Json`, within the same limits and errors, but refusing non-object JSON.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + PartialSchema + 'static> FromRequest for JsonBody<T> {
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

impl<T: DeserializeOwned + PartialSchema + 'static> FromRequest for OptionalJson<T> {
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

    #[derive(Debug, Deserialize, utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Login {
        email: String,
        password: String,
        #[serde(default)]
        name: Option<String>,
    }

    fn detail(body: &str) -> String {
        match parse_object::<Login>(body.as_bytes()) {
            Err(HttpError::InvalidBody(d)) => d.into_owned(),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn errors_never_echo_values() {
        let d = detail(r#"{"email": "a@b.co", "password": 12345678}"#);
        assert_eq!(d, "field \"password\" has the wrong type or value");
        let d = detail(r#"{"email": "a@b.co", "password": ["hunter2hunter2"]}"#);
        assert!(!d.contains("hunter2"), "{d}");
    }

    #[test]
    fn bodies_must_be_json_objects() {
        let ok: Login = parse_object(br#" {"email": "a@b.co", "password": "pw"}"#).unwrap();
        assert_eq!(ok.email, "a@b.co");
        for body in [r#"["a@b.co", "pw"]"#, "null", "\"x\"", "5"] {
            assert_eq!(detail(body), "request body must be a JSON object");
        }
        assert!(detail("[nope").starts_with("request body is not valid JSON"));
        assert_eq!(detail("  "), "request body is empty or truncated JSON");
    }

    #[test]
    fn errors_name_missing_fields_and_syntax() {
        assert_eq!(detail(r#"{"email": "a@b.co"}"#), "missing field \"password\"");
        assert_eq!(detail(r#"{"password": "x"}"#), "missing field \"email\"");
        assert!(detail("{nope").starts_with("request body is not valid JSON (line 1"));
        assert_eq!(detail(r#"{"email": "#), "request body is empty or truncated JSON");
        let d = detail(r#"{"email": "a@b.co", "password": "x", "password": "y"}"#);
        assert_eq!(d, "the body does not match the request schema", "a duplicate field");
    }
}
