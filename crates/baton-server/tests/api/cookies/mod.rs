//! Cookie transport for browser clients (SPEC §10) through the real server: the cookie's
//! attributes, opting in or not, the CSRF rule, the cookie's life (logout, reuse, grace) and
//! CORS. Requests are built by hand (no cookie jar), so every `Set-Cookie` is seen as sent.
//! The real-browser test is `tests/browser.rs`.

mod cors;
mod csrf;
mod lifecycle;
mod transport;

use crate::helpers::*;
use actix_web::cookie::{Cookie, SameSite};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

/// The browser app's origin in these tests.
pub const APP: &str = "https://app.example.com";
/// The cookie's name with the default (`Secure`) configuration.
pub const NAME: &str = "__Secure-baton-refresh";

/// A server that accepts cookie transport from [`APP`], with `tweak` applied.
pub async fn browser_app(
    b: Backend,
    tweak: impl FnOnce(&mut baton_server::config::Config),
) -> TestApp {
    spawn_app_with(b, |c| {
        c.cookies.allowed_origins = vec![APP.to_owned()];
        tweak(c);
    })
    .await
}

/// `POST path` as the browser app sends it: `Baton-Transport: cookie`, `Origin: APP`.
pub fn browser_post(app: &TestApp, path: &str) -> RequestBuilder {
    app.client.post(app.url(path)).header("baton-transport", "cookie").header("origin", APP)
}

/// The refresh-token cookie as a request header value.
pub fn cookie_header(token: &str) -> String {
    format!("{NAME}={token}")
}

/// Registers `email` with cookie transport; returns the body and the cookie's token.
pub async fn register_browser(app: &TestApp, email: &str) -> (Value, String) {
    let body = json!({ "email": email, "password": PASSWORD });
    let res = browser_post(app, "/api/v1/auth/register").json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let cookie = the_cookie(&res);
    (res.json().await.unwrap(), cookie.value().to_owned())
}

/// Refreshes with the cookie `token` as the browser app does.
pub async fn refresh_browser(app: &TestApp, token: &str) -> Response {
    browser_post(app, "/api/v1/auth/refresh")
        .header("cookie", cookie_header(token))
        .send()
        .await
        .unwrap()
}

/// Every `Set-Cookie` of an answer, parsed.
pub fn set_cookies(res: &Response) -> Vec<Cookie<'static>> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| Cookie::parse(v.to_str().unwrap().to_owned()).expect("a valid Set-Cookie"))
        .collect()
}

/// The one `Set-Cookie` of an answer, which must also say `Cache-Control: no-store`.
pub fn the_cookie(res: &Response) -> Cookie<'static> {
    let mut cookies = set_cookies(res);
    assert_eq!(cookies.len(), 1, "one Set-Cookie expected: {cookies:?}");
    assert_eq!(res.headers()["cache-control"], "no-store", "a cookie answer is never stored");
    cookies.remove(0)
}

/// Asserts the attributes every refresh-token cookie has with the default configuration.
pub fn assert_default_attributes(cookie: &Cookie<'_>) {
    assert_eq!(cookie.name(), NAME);
    assert_eq!(cookie.http_only(), Some(true), "{cookie}");
    assert_eq!(cookie.secure(), Some(true), "{cookie}");
    assert_eq!(cookie.same_site(), Some(SameSite::Strict), "{cookie}");
    assert_eq!(cookie.path(), Some("/api/v1/auth"), "{cookie}");
    assert_eq!(cookie.domain(), None, "host-only: {cookie}");
}

/// Asserts that an answer deletes the cookie: same name and attributes, empty, expired.
pub fn assert_cleared(res: &Response) {
    let cookie = the_cookie(res);
    assert_default_attributes(&cookie);
    assert_eq!(cookie.value(), "");
    assert_eq!(cookie.max_age(), Some(actix_web::cookie::time::Duration::ZERO), "{cookie}");
}

/// The session ids of `access_token`'s user that are active now.
pub async fn active_sessions(app: &TestApp, access_token: &str) -> Vec<String> {
    app.sessions(access_token).await.iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
}
