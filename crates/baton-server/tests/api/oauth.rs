//! The OAuth 2.0 surface (SPEC §11) as a standard client sees it: metadata (RFC 8414), the
//! refresh grant at the token endpoint (RFC 6749 §5, §6) and revocation (RFC 7009); and HEAD
//! wherever GET is. Third-party libraries drive the same routes in `tests/oauth/`.

use crate::helpers::*;
use crate::introspect::assert_oauth_error;
use crate::on_both_backends;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

const FORM: &str = "application/x-www-form-urlencoded";

async fn post_form(app: &TestApp, path: &str, body: &str) -> Response {
    let req = app.client.post(app.url(path)).header("content-type", FORM);
    req.body(body.to_owned()).send().await.unwrap()
}

async fn grant(app: &TestApp, refresh_token: &str) -> Response {
    let body = format!("grant_type=refresh_token&refresh_token={refresh_token}");
    post_form(app, "/api/v1/oauth/token", &body).await
}

async fn metadata_names_every_endpoint_under_the_issuer(b: Backend) {
    let app = spawn_app(b).await;
    let base = "http://127.0.0.1:8080";
    let expected = json!({
        "issuer": base,
        "token_endpoint": format!("{base}/api/v1/oauth/token"),
        "revocation_endpoint": format!("{base}/api/v1/oauth/revoke"),
        "introspection_endpoint": format!("{base}/api/v1/auth/introspect"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "grant_types_supported": ["refresh_token"],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic"],
    });
    for path in ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let doc: Value = res.json().await.unwrap();
        assert_eq!(doc, expected, "{path}");
    }
}

async fn head_is_answered_wherever_get_is(b: Backend) {
    let app = spawn_app(b).await;
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/.well-known/jwks.json",
        "/.well-known/oauth-authorization-server",
        "/api-docs/openapi.json",
    ] {
        let res = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "HEAD {path}");
        assert!(res.bytes().await.unwrap().is_empty(), "HEAD {path} has no body");
    }
    let res = app.client.head(app.url("/api/v1/auth/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "HEAD is checked like GET");
    let res = app.client.put(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.headers()["allow"], "GET, HEAD");
}

async fn the_refresh_grant_rotates_with_the_same_rules(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let res = grant(&app, s(&t, "refresh_token")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let t2: Value = res.json().await.unwrap();
    assert_eq!(s(&t2, "token_type"), "Bearer");
    assert_eq!(t2["expires_in"].as_i64(), Some(900));
    assert_ne!(s(&t2, "refresh_token"), s(&t, "refresh_token"));
    assert_eq!(app.me(s(&t2, "access_token")).await.status(), StatusCode::OK);
    // The JSON route and the token endpoint share one chain: the new token works on either.
    let t3: Value = app.refresh(s(&t2, "refresh_token")).await.json().await.unwrap();
    // A retired token is reuse: the session ends, and the answer is an invalid grant.
    let res = grant(&app, s(&t, "refresh_token")).await;
    assert!(res.headers().get("www-authenticate").is_none(), "no bearer challenge");
    assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant", "token_reused").await;
    let res = grant(&app, s(&t3, "refresh_token")).await;
    assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant", "session_revoked").await;
    // An access token is no grant.
    let u = app.login_ok("ada@example.com").await;
    let res = grant(&app, s(&u, "access_token")).await;
    assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant", "invalid_token").await;
    assert_eq!(grant(&app, s(&u, "refresh_token")).await.status(), StatusCode::OK);
}

async fn clients_name_themselves_in_the_form_or_with_basic(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let body = format!("grant_type=refresh_token&refresh_token={}", s(&t, "refresh_token"));
    // The session's client is the default one; another name is refused and changes nothing.
    let res = post_form(&app, "/api/v1/oauth/token", &format!("{body}&client_id=shop")).await;
    assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant", "invalid_token").await;
    let res = post_form(&app, "/api/v1/oauth/token", &format!("{body}&client_id=bad%20id")).await;
    assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request", "invalid_input").await;
    let req = app.client.post(app.url("/api/v1/oauth/token")).header("content-type", FORM);
    let res = req.basic_auth("default", Some("ignored")).body(body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let t2: Value = res.json().await.unwrap();
    assert_eq!(decode_part(s(&t2, "access_token"), 1)["client_id"], "default");
}

async fn malformed_token_requests_are_rfc_6749_errors(b: Backend) {
    let app = spawn_app(b).await;
    let bad = StatusCode::BAD_REQUEST;
    let res = post_form(&app, "/api/v1/oauth/token", "grant_type=password&username=a").await;
    assert_oauth_error(res, bad, "unsupported_grant_type", "unsupported_grant_type").await;
    let res = post_form(&app, "/api/v1/oauth/token", "grant_type=refresh_token").await;
    assert_oauth_error(res, bad, "invalid_request", "missing_token").await;
    for body in ["", "refresh_token=x", "grant_type=refresh_token&grant_type=refresh_token"] {
        let res = post_form(&app, "/api/v1/oauth/token", body).await;
        assert_oauth_error(res, bad, "invalid_request", "invalid_input").await;
    }
    let res = app.post_json("/api/v1/oauth/token", &json!({"grant_type": "refresh_token"})).await;
    assert_oauth_error(res, bad, "invalid_request", "unsupported_media_type").await;
    let res = grant(&app, "garbage").await;
    assert_oauth_error(res, bad, "invalid_grant", "invalid_token").await;
}

async fn revoking_either_token_ends_the_session(b: Backend) {
    let app = spawn_app(b).await;
    let revoke = |token: String| {
        let app = &app;
        async move {
            let body = format!("token={token}&token_type_hint=refresh_token");
            let res = post_form(app, "/api/v1/oauth/revoke", &body).await;
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.headers()["cache-control"], "no-store");
        }
    };
    let t = app.register("ada@example.com").await;
    revoke(s(&t, "refresh_token").to_owned()).await;
    assert_eq!(app.me(s(&t, "access_token")).await.status(), StatusCode::UNAUTHORIZED);
    let res = grant(&app, s(&t, "refresh_token")).await;
    assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant", "session_revoked").await;
    let u = app.login_ok("ada@example.com").await;
    revoke(s(&u, "access_token").to_owned()).await;
    assert_eq!(app.me(s(&u, "access_token")).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(grant(&app, s(&u, "refresh_token")).await.status(), StatusCode::BAD_REQUEST);
    // Nothing to revoke is still 200; no token at all is a malformed request.
    revoke("garbage".into()).await;
    revoke(s(&t, "refresh_token").to_owned()).await;
    let v = app.login_ok("ada@example.com").await;
    let res = post_form(&app, "/api/v1/oauth/revoke", "token_type_hint=access_token").await;
    assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request", "invalid_input").await;
    assert_eq!(app.me(s(&v, "access_token")).await.status(), StatusCode::OK);
}

on_both_backends!(
    metadata_names_every_endpoint_under_the_issuer,
    head_is_answered_wherever_get_is,
    the_refresh_grant_rotates_with_the_same_rules,
    clients_name_themselves_in_the_form_or_with_basic,
    malformed_token_requests_are_rfc_6749_errors,
    revoking_either_token_ends_the_session,
);
