//! Browser clients (SPEC §10): the refresh token in an `HttpOnly` cookie instead of JSON
//! bodies, the CSRF rule every request using that cookie must pass, and CORS for the
//! configured browser origins.
//!
//! Why: a refresh token in a JSON body ends up in JavaScript memory or `localStorage`, where
//! any script injected into the page (XSS) can read and exfiltrate it. In an `HttpOnly`
//! cookie no script can read it; scripts keep only the short-lived access token.
//!
//! The opt-in is per request: `Baton-Transport: cookie` ([`TRANSPORT_HEADER`]) on register,
//! login, refresh and logout. It doubles as the CSRF custom header: a cross-site form or
//! "simple" request cannot send it, and a cross-origin `fetch` that does must pass a CORS
//! preflight, which only `cookies.allowed_origins` pass. On top of that every cookie request
//! must carry an `Origin` from that list ([`read`]), so the check does not rest on the
//! browser's preflight alone. Clients that do not send the header are answered exactly as
//! before: tokens in bodies, no cookie set or read.

pub mod cookie;
pub mod cors;
pub mod doc;
pub mod presented;

use crate::dto::{Scope, TokenResponse};
use crate::error::{ApiError, CsrfRefusal, HttpError};
use crate::metrics::Metrics;
use crate::response::no_store;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, ORIGIN};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use baton_config::CookiesConfig;
use baton_core::{IssuedTokens, RefreshError};
pub use cookie::{COOKIE_PATH, CookieSpec, PLAIN_COOKIE_NAME, SECURE_COOKIE_NAME};
use std::future::{Ready, ready};

/// The opt-in and CSRF header: `Baton-Transport: cookie`.
pub const TRANSPORT_HEADER: HeaderName = HeaderName::from_static("baton-transport");

/// The one value [`TRANSPORT_HEADER`] accepts (ASCII case-insensitive).
pub const COOKIE_TRANSPORT: &str = "cookie";

/// How the refresh token travels in this request and in its answer. Extracted before the
/// body, so a request refused by the CSRF check costs no bcrypt and changes nothing. Its
/// `Debug` never shows the token.
pub enum Transport {
    /// No `Baton-Transport` header: tokens in JSON bodies (SPEC §2), the cookie unread.
    Body {
        /// A refresh-token cookie came anyway; refresh refuses to fall back on it.
        cookie_sent: bool,
    },
    /// `Baton-Transport: cookie` from an allowed origin: the refresh token goes out in a
    /// `Set-Cookie` only, and refresh and logout read it from the cookie.
    Cookie {
        /// The cookie's name and attributes.
        spec: CookieSpec,
        /// The refresh token from the request's cookie, if it sent one.
        token: Option<String>,
    },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Body { cookie_sent } => write!(f, "Body {{ cookie_sent: {cookie_sent} }}"),
            Transport::Cookie { token, .. } => {
                write!(
                    f,
                    "Cookie {{ token: {} }}",
                    if token.is_some() { "<redacted>" } else { "none" }
                )
            }
        }
    }
}

/// Reads the transport of a request under `config`: the header's value, then for cookie
/// transport the CSRF check (exactly one `Origin`, listed in `cookies.allowed_origins`) and
/// the cookie. With `allowed_origins` empty, cookie transport is refused to everyone.
pub fn read(req: &HttpRequest, config: &CookiesConfig) -> Result<Transport, HttpError> {
    let spec = CookieSpec::new(config);
    let Some(value) = req.headers().get(TRANSPORT_HEADER) else {
        let cookie_sent = !cookie::values(req, spec.name()).is_empty();
        return Ok(Transport::Body { cookie_sent });
    };
    if !value.as_bytes().trim_ascii().eq_ignore_ascii_case(COOKIE_TRANSPORT.as_bytes()) {
        return Err(HttpError::BadTransport);
    }
    let mut origins = req.headers().get_all(ORIGIN);
    let origin = match (origins.next(), origins.next()) {
        (None, _) => return Err(HttpError::Csrf(CsrfRefusal::MissingOrigin)),
        (Some(origin), None) => origin.as_bytes(),
        (Some(_), Some(_)) => return Err(HttpError::Csrf(CsrfRefusal::OriginNotAllowed)),
    };
    if !config.allowed_origins.iter().any(|allowed| allowed.as_bytes() == origin) {
        return Err(HttpError::Csrf(CsrfRefusal::OriginNotAllowed));
    }
    let mut tokens = cookie::values(req, spec.name());
    if tokens.len() > 1 {
        return Err(HttpError::DuplicateRefreshCookie);
    }
    Ok(Transport::Cookie { spec, token: tokens.pop() })
}

impl FromRequest for Transport {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    /// Reads `[cookies]` (as `web::Data<CookiesConfig>`) and counts CSRF refusals in the
    /// [`Metrics`] of the app data.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = match req.app_data::<web::Data<CookiesConfig>>() {
            Some(config) => read(req, config),
            None => read(req, &CookiesConfig::default()),
        };
        if let (Err(HttpError::Csrf(refusal)), Some(metrics)) = (&result, req.app_data::<Metrics>())
        {
            metrics.csrf_rejected(refusal);
        }
        ready(result.map_err(ApiError::from))
    }
}

impl Transport {
    /// The refresh token for refresh: `Ok(None)` with body transport (the handler reads the
    /// body or `Authorization` then); the cookie's token with cookie transport, which must
    /// have sent one.
    pub fn refresh_token(&mut self) -> Result<Option<String>, HttpError> {
        match self {
            Transport::Body { .. } => Ok(None),
            Transport::Cookie { token, .. } => {
                token.take().map(Some).ok_or(HttpError::MissingRefreshCookie)
            }
        }
    }

    /// Why a body-transport refresh found no token: the plain `missing_token`, or, when the
    /// refresh-token cookie came without the header, a CSRF refusal (the cookie is never
    /// read without it).
    pub fn no_token(&self) -> HttpError {
        match self {
            Transport::Body { cookie_sent: true } => HttpError::Csrf(CsrfRefusal::MissingHeader),
            _ => HttpError::MissingRefreshToken,
        }
    }

    /// The cookie's refresh token for logout, where it plays the role of the body's
    /// `refresh_token`; `None` with body transport.
    pub fn logout_token(&mut self) -> Option<String> {
        match self {
            Transport::Body { .. } => None,
            Transport::Cookie { token, .. } => token.take(),
        }
    }

    /// A token response (`Cache-Control: no-store`). With cookie transport the refresh token
    /// is moved from the body into the cookie, whose `Max-Age` ends with the token.
    pub fn tokens(&self, status: StatusCode, issued: IssuedTokens) -> HttpResponse {
        let max_age = (issued.refresh_expires_at - issued.issued_at).whole_seconds();
        let mut body = TokenResponse::from(issued);
        let mut res = no_store(status);
        if let Transport::Cookie { spec, .. } = self
            && let Some(token) = body.refresh_token.take()
        {
            res.cookie(spec.set(token, max_age));
        }
        res.json(body)
    }

    /// The answer to a refresh. With cookie transport a refusal that no retry can turn into a
    /// success (reuse, revoked, expired, invalid, disabled) also clears the cookie; a fault
    /// (database down) keeps it, since the token may work a moment later. A grace replay
    /// sets the session's current token again, like any success.
    pub fn refreshed(
        &self,
        result: Result<IssuedTokens, RefreshError>,
    ) -> Result<HttpResponse, ApiError> {
        match (result, self) {
            (Ok(issued), _) => Ok(self.tokens(StatusCode::OK, issued)),
            (Err(RefreshError::Fault(f)), _) => Err(RefreshError::Fault(f).into()),
            (Err(e), Transport::Cookie { spec, .. }) => {
                Err(ApiError::from(e).with_cookie(spec.clear()))
            }
            (Err(e), Transport::Body { .. }) => Err(e.into()),
        }
    }

    /// The 204 of a logout. With cookie transport the cookie is cleared when the caller's own
    /// session ended (`local`, `global`); `others` leaves the caller logged in, cookie and all.
    pub fn logged_out(&self, scope: Scope) -> HttpResponse {
        let mut res = no_store(StatusCode::NO_CONTENT);
        if let Transport::Cookie { spec, .. } = self
            && scope != Scope::Others
        {
            res.cookie(spec.clear());
        }
        res.finish()
    }
}

#[cfg(test)]
mod tests;
