//! The refresh-token cookie itself: its name and attributes from `[cookies]`, the
//! `Set-Cookie` values that set and clear it, and reading it back from `Cookie` headers.

use actix_web::HttpRequest;
use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite as CookieSameSite};
use baton_config::{CookiesConfig, SameSite};

/// `Path` of the cookie: the auth routes only, so the browser never sends the refresh token
/// to the rest of the host (SPEC §10). Refresh and logout, the two routes that read it, are
/// both under it.
pub const COOKIE_PATH: &str = crate::paths::AUTH;

/// Name of the cookie when it is `Secure`. The `__Secure-` prefix makes browsers refuse it
/// unless it comes over HTTPS with `Secure`, so a network attacker cannot plant one over
/// plain HTTP. `__Host-` would also pin the host, but it requires `Path=/`, which would send
/// the token with every request to the host.
pub const SECURE_COOKIE_NAME: &str = "__Secure-baton-refresh";

/// Name of the cookie without `Secure` (only the dev profile on loopback may turn it off):
/// browsers refuse a prefixed cookie without `Secure`, so it has no prefix.
pub const PLAIN_COOKIE_NAME: &str = "baton-refresh";

/// The refresh-token cookie as configured: which name and attributes every `Set-Cookie`
/// uses, so that clearing it replaces exactly the cookie that was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieSpec {
    secure: bool,
    same_site: SameSite,
}

impl CookieSpec {
    /// The cookie of a `[cookies]` section.
    pub fn new(config: &CookiesConfig) -> Self {
        Self { secure: config.secure, same_site: config.same_site }
    }

    /// The cookie's name: prefixed when the attributes allow it.
    pub fn name(&self) -> &'static str {
        if self.secure { SECURE_COOKIE_NAME } else { PLAIN_COOKIE_NAME }
    }

    /// The cookie carrying `token` for `max_age_secs` seconds (the refresh token's lifetime,
    /// so the browser drops it when the token could no longer work anyway).
    pub fn set(&self, token: String, max_age_secs: i64) -> Cookie<'static> {
        let mut cookie = self.build(token);
        cookie.set_max_age(Duration::seconds(max_age_secs.max(0)));
        cookie
    }

    /// An expired cookie with the same name, path and attributes, which makes the browser
    /// delete the one it holds.
    pub fn clear(&self) -> Cookie<'static> {
        let mut cookie = self.build(String::new());
        cookie.make_removal();
        cookie
    }

    fn build(&self, value: String) -> Cookie<'static> {
        let same_site = match self.same_site {
            SameSite::Strict => CookieSameSite::Strict,
            SameSite::Lax => CookieSameSite::Lax,
            SameSite::None => CookieSameSite::None,
        };
        Cookie::build(self.name(), value)
            .path(COOKIE_PATH)
            .http_only(true)
            .secure(self.secure)
            .same_site(same_site)
            .finish()
    }
}

/// Every non-empty value of the cookie `name` in the request's `Cookie` headers, in order.
///
/// Read with actix's `HttpRequest::cookies_raw`, which skips a cookie it cannot parse rather
/// than failing them all: other applications on the same host (any port of `localhost`, say)
/// may send a malformed one, and a neighbour's cookie must not break Baton's. Raw (not
/// percent-decoded): Baton's tokens are base64url and dots. A `Cookie` header that is not
/// UTF-8 at all makes every cookie of the request unreadable, as if none came.
pub fn values(req: &HttpRequest, name: &str) -> Vec<String> {
    let Ok(cookies) = req.cookies_raw() else { return Vec::new() };
    cookies
        .iter()
        .filter(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::COOKIE;
    use actix_web::test::TestRequest;

    fn spec(secure: bool, same_site: SameSite) -> CookieSpec {
        CookieSpec { secure, same_site }
    }

    #[test]
    fn the_cookie_has_every_attribute() {
        let text = spec(true, SameSite::Strict).set("t.o.k".into(), 60).to_string();
        assert_eq!(
            text,
            "__Secure-baton-refresh=t.o.k; HttpOnly; SameSite=Strict; Secure; \
             Path=/api/v1/auth; Max-Age=60"
        );
        let text = spec(false, SameSite::Lax).set("t".into(), -5).to_string();
        assert_eq!(text, "baton-refresh=t; HttpOnly; SameSite=Lax; Path=/api/v1/auth; Max-Age=0");
    }

    #[test]
    fn clearing_repeats_name_path_and_attributes() {
        let text = spec(true, SameSite::None).clear().to_string();
        assert!(
            text.starts_with(
                "__Secure-baton-refresh=; HttpOnly; SameSite=None; Secure; Path=/api/v1/auth; \
                 Max-Age=0; Expires="
            ),
            "{text}"
        );
    }

    #[test]
    fn values_are_read_from_every_cookie_header_and_survive_junk() {
        let req = TestRequest::default()
            .append_header((COOKIE, "junk; a=1; __Secure-baton-refresh=x.y.z; =v; b"))
            .append_header((COOKIE, "__Secure-baton-refresh = second ;__Secure-baton-refresh="))
            .to_http_request();
        assert_eq!(values(&req, SECURE_COOKIE_NAME), ["x.y.z", "second"]);
        assert_eq!(values(&req, PLAIN_COOKIE_NAME), Vec::<String>::new());
        let binary = TestRequest::default()
            .append_header((COOKIE, "__Secure-baton-refresh=x.y.z"))
            .append_header((COOKIE, &b"other=\xff\xfe"[..]))
            .to_http_request();
        assert_eq!(values(&binary, SECURE_COOKIE_NAME), Vec::<String>::new(), "not UTF-8");
    }
}
