//! The OpenAPI side of cookie transport: the `Baton-Transport` header parameter, the cookie
//! as an `apiKey` security scheme, and the 403 a failed CSRF check gives. Kept here so that
//! `crate::openapi` only names them.

use super::{COOKIE_PATH, PLAIN_COOKIE_NAME, SECURE_COOKIE_NAME};
use crate::openapi::responses::problem;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{RefOr, Response};
use utoipa::{IntoParams, IntoResponses, Modify, ToSchema};

/// Name of the refresh-token cookie's security scheme in the document.
pub const REFRESH_COOKIE: &str = "refresh_cookie";

/// The values of `Baton-Transport`.
#[derive(Deserialize, ToSchema)]
pub enum TransportName {
    /// The refresh token travels in the `HttpOnly` cookie, never in a body.
    #[serde(rename = "cookie")]
    Cookie,
}

/// The `Baton-Transport` request header of register, login, refresh and logout.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct TransportHeader {
    /// `cookie` for browser clients: the refresh token is set in (and read from) an `HttpOnly`
    /// cookie and never appears in a body. Needs an `Origin` listed in
    /// `cookies.allowed_origins` (else 403 `csrf_rejected`). Absent: tokens in bodies. The
    /// server also accepts `cookie` in any ASCII case; any other value is 400.
    #[serde(rename = "Baton-Transport")]
    #[param(inline, value_type = TransportName, required = false)]
    pub transport: Option<TransportName>,
}

/// Adds the `refresh_cookie` scheme: the refresh token as a cookie (cookie transport).
pub struct CookieScheme;

impl Modify for CookieScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let description = format!(
            "The refresh token in an HttpOnly cookie (`Path={COOKIE_PATH}`, `SameSite` from \
             `cookies.same_site`), set by register, login and refresh called with \
             `Baton-Transport: cookie`, and read by refresh and logout only together with that \
             header and an allowed `Origin`. Named `{PLAIN_COOKIE_NAME}` when `cookies.secure` \
             is off (dev profile on loopback only)."
        );
        let key = ApiKeyValue::with_description(SECURE_COOKIE_NAME.to_owned(), description);
        components.add_security_scheme(REFRESH_COOKIE, SecurityScheme::ApiKey(ApiKey::Cookie(key)));
    }
}

/// 403 `csrf_rejected`: `Baton-Transport: cookie` without an allowed `Origin`, or the
/// refresh-token cookie without that header.
pub struct CsrfRejected;

impl IntoResponses for CsrfRejected {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let response = problem(
            "Cookie transport refused (`csrf_rejected`): `Baton-Transport: cookie` without an \
             `Origin` listed in `cookies.allowed_origins`, or the refresh-token cookie without \
             that header. Nothing changed.",
        );
        BTreeMap::from([("403".to_owned(), RefOr::T(response.build()))])
    }
}

/// The `Set-Cookie` header of a token response.
pub const SET_COOKIE_DESCRIPTION: &str = "With `Baton-Transport: cookie` only: the refresh-token \
    cookie (`HttpOnly`, `Secure`, `SameSite`, `Path=/api/v1/auth`, `Max-Age` = seconds to \
    `refresh_expires_at`); the body then has no `refresh_token`.";
