//! Response helpers shared by handlers, cookies and errors.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpResponse, HttpResponseBuilder};

/// A response builder with `Cache-Control: no-store`, for tokens and personal data that no
/// cache should keep.
pub fn no_store(status: StatusCode) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder.insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")));
    builder
}
