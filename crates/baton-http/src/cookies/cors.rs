//! CORS with credentials for exactly `cookies.allowed_origins` (SPEC §10), by `actix-cors`.
//!
//! A browser app on another origin than Baton needs CORS to read Baton's answers and to send
//! the cookie (`credentials: "include"`). The layer answers preflights and adds the CORS
//! headers to every answer for an allowed `Origin`, problem+json errors included (it sits
//! outside the problem safety net of [`crate::app`]). [`tidy`] turns its preflight refusals
//! into problem+json and strips the credentials header it would also add for other origins,
//! so those get no CORS header at all. Without allowed origins the layer is off and the
//! server answers exactly as without browser support.

use super::TRANSPORT_HEADER;
use crate::error::{ApiError, HttpError};
use crate::middleware::tracing::REQUEST_ID_HEADER;
use actix_cors::{Cors, CorsError};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE,
};
use actix_web::middleware::{Condition, Next};
use actix_web::{Error, HttpResponse};
use baton_config::CookiesConfig;

/// How long a browser may cache a preflight answer (seconds). An hour spares a preflight per
/// refresh; Chromium caps it at two hours anyway. A removed origin stays harmless meanwhile:
/// its answers carry no `Access-Control-Allow-Origin` and its cookie requests fail the
/// server's own `Origin` check.
pub const PREFLIGHT_MAX_AGE: usize = 3600;

/// The CORS layer for `[cookies]`: the allowed origins with credentials; the methods of the
/// API; the request headers a browser client sends (`Authorization`, `Content-Type`,
/// `Baton-Transport`); and the response headers a script may need to read (`Retry-After`,
/// `WWW-Authenticate`, `X-Request-Id`). Off when no origin is allowed.
pub fn layer(config: &CookiesConfig) -> Condition<Cors> {
    let cors = config
        .allowed_origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allowed_headers([AUTHORIZATION, CONTENT_TYPE, TRANSPORT_HEADER])
        .expose_headers([RETRY_AFTER, WWW_AUTHENTICATE, REQUEST_ID_HEADER])
        .supports_credentials()
        .max_age(PREFLIGHT_MAX_AGE);
    Condition::new(!config.allowed_origins.is_empty(), cors)
}

/// Middleware just outside [`layer`]: a refused preflight becomes 403 `cors_rejected`
/// problem+json (actix-cors answers 400 in plain text), and an answer without
/// `Access-Control-Allow-Origin` (another origin, or none) loses the credentials and expose
/// headers that actix-cors adds to every answer.
pub async fn tidy(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?;
    let refusal = res.response().error().and_then(|e| e.as_error::<CorsError>());
    if let Some(refusal) = refusal {
        let error = ApiError::from(HttpError::CorsRejected(refusal.to_string().into()));
        let (req, _) = res.into_parts();
        return Ok(ServiceResponse::new(req, HttpResponse::from_error(error)));
    }
    let mut res = res.map_into_boxed_body();
    let headers = res.headers_mut();
    if !headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN) {
        headers.remove(ACCESS_CONTROL_ALLOW_CREDENTIALS);
        headers.remove(ACCESS_CONTROL_EXPOSE_HEADERS);
    }
    Ok(res)
}
