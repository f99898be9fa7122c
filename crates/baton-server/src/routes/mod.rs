//! HTTP handlers. Each one only translates: request → core use case (on the blocking pool)
//! → response. No business rule lives here.

pub mod account;
pub mod health;
pub mod introspect;
pub mod jwks;
pub mod ops;
pub mod sessions;
pub mod tokens;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpResponse, HttpResponseBuilder};

/// A response builder with `Cache-Control: no-store`, for tokens and personal data that no
/// cache should keep.
pub(crate) fn no_store(status: StatusCode) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder.insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")));
    builder
}
