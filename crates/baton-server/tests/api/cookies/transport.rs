//! Opting in: with `Baton-Transport: cookie` the refresh token is only in the cookie, with
//! every attribute; without it nothing changes.

use super::*;
use crate::on_both_backends;
use baton_server::config::SameSite as ConfigSameSite;

async fn register_login_and_refresh_put_the_token_only_in_the_cookie(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let ttl = app.config.tokens.refresh_ttl.as_secs() as i64;
    let (body, token) = register_browser(&app, "ada@example.com").await;
    assert!(body.get("refresh_token").is_none(), "no refresh token in the body: {body}");
    assert!(body["refresh_expires_at"].is_string() && body["access_token"].is_string(), "{body}");
    assert_eq!(ids_of(&token).0.to_string(), body["user"]["id"], "the cookie holds the token");
    assert_eq!(active_sessions(&app, s(&body, "access_token")).await.len(), 1);

    let res = browser_post(&app, "/api/v1/auth/login")
        .json(&json!({ "email": "ada@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = the_cookie(&res);
    assert_default_attributes(&cookie);
    // Max-Age is the refresh token's lifetime: its `exp` minus its `iat`.
    let max_age = cookie.max_age().unwrap().whole_seconds();
    assert_eq!(max_age, ttl);
    let claims = decode_part(cookie.value(), 1);
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), max_age);
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none(), "{body}");

    let res = refresh_browser(&app, &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let next = the_cookie(&res);
    assert_default_attributes(&next);
    assert_ne!(next.value(), token, "a new token");
    assert_eq!(ids_of(next.value()), ids_of(&token), "of the same session");
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert_eq!(app.me(s(&body, "access_token")).await.status(), StatusCode::OK);
    // The cookie's old token is now retired, like a body token would be.
    let res = app.refresh(&token).await;
    assert_bearer_rejected(res, "token_reused").await;
}

async fn clients_that_do_not_ask_are_unchanged(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    // An allowed Origin alone does not opt in.
    let res = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("origin", APP)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(set_cookies(&res).is_empty());
    let t: Value = res.json().await.unwrap();
    let token = s(&t, "refresh_token").to_owned();
    // A body token wins over a stray cookie, and the answer sets none.
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header("cookie", cookie_header("not-a-token"))
        .json(&json!({ "refresh_token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(set_cookies(&res).is_empty());
    let n: Value = res.json().await.unwrap();
    assert!(n["refresh_token"].is_string(), "{n}");
    // Logout without the header ignores the cookie and sets none.
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(s(&n, "access_token"))
        .header("cookie", cookie_header(s(&n, "refresh_token")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(set_cookies(&res).is_empty());
}

async fn same_site_and_secure_follow_the_configuration(b: Backend) {
    for (same_site, expected) in
        [(ConfigSameSite::Lax, SameSite::Lax), (ConfigSameSite::None, SameSite::None)]
    {
        let app = browser_app(b, |c| c.cookies.same_site = same_site).await;
        let (_, token) = register_browser(&app, "ada@example.com").await;
        let cookie = the_cookie(&refresh_browser(&app, &token).await);
        assert_eq!(cookie.same_site(), Some(expected), "{cookie}");
        assert_eq!((cookie.name(), cookie.secure()), (NAME, Some(true)), "{cookie}");
    }
    // Without `Secure` (dev profile on loopback only) a prefixed name would be refused by
    // browsers: the cookie is plain `baton-refresh`, and that is the name read back.
    let app = browser_app(b, |c| c.cookies.secure = false).await;
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let res = browser_post(&app, "/api/v1/auth/register").json(&body).send().await.unwrap();
    let cookie = the_cookie(&res);
    assert_eq!((cookie.name(), cookie.secure()), ("baton-refresh", None), "{cookie}");
    assert_eq!(cookie.http_only(), Some(true));
    let res = browser_post(&app, "/api/v1/auth/refresh")
        .header("cookie", format!("baton-refresh={}", cookie.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = refresh_browser(&app, "whatever").await;
    assert_problem(res, StatusCode::BAD_REQUEST, "missing_token").await;
}

async fn cookie_requests_without_a_usable_cookie_are_refused(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let (_, token) = register_browser(&app, "ada@example.com").await;
    // No cookie: 400, and a body token does not stand in for it.
    let res = browser_post(&app, "/api/v1/auth/refresh")
        .json(&json!({ "refresh_token": token }))
        .send()
        .await
        .unwrap();
    assert!(set_cookies(&res).is_empty());
    assert_problem(res, StatusCode::BAD_REQUEST, "missing_token").await;
    // Two cookies of that name (one planted by a sibling domain): neither is trusted.
    let res = browser_post(&app, "/api/v1/auth/refresh")
        .header("cookie", format!("{NAME}={token}; {NAME}=planted"))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    // Any other transport value is refused rather than ignored.
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header("baton-transport", "cookies")
        .header("origin", APP)
        .header("cookie", cookie_header(&token))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    // None of it used the token.
    assert_eq!(refresh_browser(&app, &token).await.status(), StatusCode::OK);
    // A garbage cookie is an invalid token, and the answer deletes it.
    let res = refresh_browser(&app, "garbage").await;
    assert_cleared(&res);
    assert_bearer_rejected(res, "invalid_token").await;
}

async fn the_openapi_document_describes_cookie_transport(b: Backend) {
    let app = spawn_app(b).await;
    let res = app.client.get(app.url("/api-docs/openapi.json")).send().await.unwrap();
    let doc: Value = res.json().await.unwrap();
    let scheme = &doc["components"]["securitySchemes"]["refresh_cookie"];
    assert_eq!(
        (&scheme["type"], &scheme["in"], &scheme["name"]),
        (&json!("apiKey"), &json!("cookie"), &json!(NAME))
    );
    let auth = &doc["paths"];
    for path in ["register", "login", "refresh", "logout"] {
        let op = &auth[format!("/api/v1/auth/{path}")]["post"];
        let params = op["parameters"].as_array().unwrap();
        let header = params.iter().find(|p| p["name"] == "Baton-Transport").expect(path);
        assert_eq!((&header["in"], &header["required"]), (&json!("header"), &json!(false)));
        assert_eq!(header["schema"]["enum"], json!(["cookie"]), "{path}");
        assert!(op["responses"]["403"].is_object(), "{path}: csrf_rejected documented");
    }
    let refresh = &auth["/api/v1/auth/refresh"]["post"];
    assert!(refresh["security"].as_array().unwrap().contains(&json!({ "refresh_cookie": [] })));
    assert!(refresh["responses"]["200"]["headers"]["Set-Cookie"].is_object());
    let required = &doc["components"]["schemas"]["TokenResponse"]["required"];
    assert!(!required.as_array().unwrap().contains(&json!("refresh_token")), "{required}");
}

on_both_backends!(
    the_openapi_document_describes_cookie_transport,
    register_login_and_refresh_put_the_token_only_in_the_cookie,
    clients_that_do_not_ask_are_unchanged,
    same_site_and_secure_follow_the_configuration,
    cookie_requests_without_a_usable_cookie_are_refused,
);
