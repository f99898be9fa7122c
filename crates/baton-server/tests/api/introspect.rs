//! `POST /api/v1/auth/introspect` (RFC 7662, SPEC §9, §11): callers authenticate first; an
//! access token is active only while it verifies and its session is live, and anything else —
//! a refresh token included — is exactly `{"active": false}`. Errors are RFC 6749 JSON.

use crate::helpers::*;
use crate::on_both_backends;
use base64::Engine as _;
use baton_core::TokenKind;
use baton_server::config::{Config, IntrospectionClient, Secret};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// The introspection client of the test servers; its secret has the characters RFC 6749
/// clients form-encode.
const CLIENT: &str = "orders-api";
const CLIENT_SECRET: &str = "Zm9vYmFy+c2VjcmV0/LXRlc3Qtc2VjcmV0=";

fn with_client(c: &mut Config) {
    let secret = Secret::new(CLIENT_SECRET);
    c.introspection.clients = vec![IntrospectionClient { id: CLIENT.into(), secret }];
}

fn basic(id: &str, secret: &str) -> String {
    let pair = format!("{id}:{secret}");
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
}

/// `POST` the form `body` with `authorization` (if any) and `content_type`.
async fn post(
    app: &TestApp,
    authorization: Option<&str>,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> Response {
    let mut req = app.client.post(app.url("/api/v1/auth/introspect")).body(body);
    if !content_type.is_empty() {
        req = req.header("content-type", content_type);
    }
    if let Some(value) = authorization {
        req = req.header("authorization", value);
    }
    req.send().await.unwrap()
}

/// Introspects `token` (with `hint`) as the test client; asserts 200 and `no-store`.
async fn introspect(app: &TestApp, token: &str, hint: Option<&str>) -> Value {
    let mut body = format!("token={token}");
    if let Some(hint) = hint {
        body.push_str(&format!("&token_type_hint={hint}"));
    }
    let auth = basic(CLIENT, CLIENT_SECRET);
    let res = post(app, Some(&auth), "application/x-www-form-urlencoded", body).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.unwrap()
}

async fn inactive(app: &TestApp, token: &str, what: &str) {
    assert_eq!(introspect(app, token, None).await, json!({ "active": false }), "{what}");
}

async fn active_tokens_carry_their_claims(b: Backend) {
    let app = spawn_app_with(b, with_client).await;
    let t = app.register("ada@example.com").await;
    let (user, session) = ids_of(s(&t, "access_token"));
    let a = introspect(&app, s(&t, "access_token"), None).await;
    assert_eq!(a["active"], true, "{a}");
    assert_eq!(
        (s(&a, "token_type"), s(&a, "baton_token_type"), s(&a, "iss"), s(&a, "aud")),
        ("Bearer", "access", "http://127.0.0.1:8080", "baton-api")
    );
    assert_eq!((s(&a, "client_id"), s(&a, "username")), ("default", "ada@example.com"));
    assert_eq!((s(&a, "sub"), s(&a, "sid")), (&*user.to_string(), &*session.to_string()));
    let payload = decode_part(s(&t, "access_token"), 1);
    for claim in ["jti", "iat", "nbf", "exp", "amr"] {
        assert_eq!(a[claim], payload[claim], "{claim}");
    }
    assert_eq!(a["amr"], json!(["pwd"]), "how the login was proven (RFC 8176)");
    // A refresh token is no credential at an API, whatever the hint says.
    for hint in [None, Some("refresh_token"), Some("access_token")] {
        let r = introspect(&app, s(&t, "refresh_token"), hint).await;
        assert_eq!(r, json!({ "active": false }), "{hint:?}");
    }
    // The hint is ignored: a wrong or unknown one is no obstacle.
    let a2 = introspect(&app, s(&t, "access_token"), Some("refresh_token")).await;
    assert_eq!(a2, a);
    let a3 = introspect(&app, s(&t, "access_token"), Some("id_token")).await;
    assert_eq!(a3, a);
    assert_eq!(app.refresh(s(&t, "refresh_token")).await.status(), StatusCode::OK);
}

/// An RFC 6749 §5.2 error: `status`, JSON with `error` and Baton's `code`; the body.
pub async fn assert_oauth_error(
    res: Response,
    status: StatusCode,
    error: &str,
    code: &str,
) -> Value {
    assert_eq!(res.status(), status);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!((s(&body, "error"), s(&body, "code")), (error, code), "{body}");
    assert!(body["error_description"].is_string(), "{body}");
    body
}

async fn anything_but_a_live_token_is_only_inactive(b: Backend) {
    let app = spawn_app_with(b, with_client).await;
    let t = app.register("ada@example.com").await;
    inactive(&app, "not-a-token", "garbage").await;
    inactive(&app, &"a".repeat(9000), "oversized").await;
    let (user, session) = ids_of(s(&t, "access_token"));
    let now = OffsetDateTime::now_utc();
    let expired = claims(
        TokenKind::Access,
        user,
        session,
        now - Duration::hours(2),
        now - Duration::hours(1),
    );
    inactive(&app, &sign(&app.issuer(), &expired), "expired").await;
    let live = claims(TokenKind::Access, user, session, now, now + Duration::minutes(5));
    inactive(&app, &sign(&app.foreign_issuer(), &live), "another key").await;

    // A retired refresh token is inactive, and introspecting it is not a reuse.
    let t2: Value = app.refresh(s(&t, "refresh_token")).await.json().await.unwrap();
    inactive(&app, s(&t, "refresh_token"), "not the current refresh token").await;
    let res = app.refresh(s(&t2, "refresh_token")).await;
    assert_eq!(res.status(), StatusCode::OK, "the session survived the introspection");
    let t3: Value = res.json().await.unwrap();
    assert_eq!(introspect(&app, s(&t3, "access_token"), None).await["active"], true);

    // Logout, reuse and a disabled account end every token of the session at once.
    assert_eq!(app.logout(s(&t3, "access_token"), "").await.status(), StatusCode::NO_CONTENT);
    inactive(&app, s(&t3, "access_token"), "logged out").await;
    let u = app.login_ok("ada@example.com").await;
    let u2: Value = app.refresh(s(&u, "refresh_token")).await.json().await.unwrap();
    assert_eq!(app.refresh(s(&u, "refresh_token")).await.status(), StatusCode::UNAUTHORIZED);
    inactive(&app, s(&u2, "access_token"), "session revoked for reuse").await;
    let bob = app.register("bob@example.com").await;
    app.service.state.auth.set_account_disabled("bob@example.com", true).await.unwrap();
    inactive(&app, s(&bob, "access_token"), "disabled account").await;
}

async fn callers_authenticate_before_anything_is_read(b: Backend) {
    let app = spawn_app_with(b, with_client).await;
    let t = app.register("ada@example.com").await;
    let form = format!("token={}", s(&t, "access_token"));
    let bearer = format!("Bearer {}", s(&t, "access_token"));
    let refused = [
        None,
        Some(bearer),
        Some(basic(CLIENT, "wrong-secret-wrong-secret-wrong-secret")),
        Some(basic("billing-api", CLIENT_SECRET)),
        Some(basic(CLIENT, &CLIENT_SECRET[..20])),
        Some(basic(CLIENT, &format!("{CLIENT_SECRET}x"))),
        Some("Basic !!!".to_owned()),
    ];
    for auth in &refused {
        let res = post(&app, auth.as_deref(), "application/x-www-form-urlencoded", form.clone());
        let res = res.await;
        assert_eq!(res.headers()["www-authenticate"], "Basic realm=\"baton\"", "{auth:?}");
        assert_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client", "invalid_client").await;
    }
    // Refused before the body is looked at: neither its type nor its size matters.
    let wrong = Some(basic(CLIENT, "wrong-secret-wrong-secret-wrong-secret"));
    let res = post(&app, wrong.as_deref(), "application/json", r#"{"token":"x"}"#).await;
    assert_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client", "invalid_client").await;
    let huge = "a".repeat(20 * 1024);
    let res = post(&app, None, "application/x-www-form-urlencoded", huge).await;
    assert_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client", "invalid_client").await;
    // RFC 6749 §2.3.1 clients form-encode id and secret: accepted as well.
    let encoded = CLIENT_SECRET.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    let encoded = basic(CLIENT, &encoded);
    let res = post(&app, Some(&encoded), "application/x-www-form-urlencoded", form).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Without configured clients nobody may introspect.
    let closed = spawn_app(b).await;
    let auth = basic(CLIENT, CLIENT_SECRET);
    let res = post(&closed, Some(&auth), "application/x-www-form-urlencoded", "token=x").await;
    assert_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client", "invalid_client").await;
}

async fn bad_forms_are_refused_with_4xx(b: Backend) {
    let app = spawn_app_with(b, with_client).await;
    let auth = basic(CLIENT, CLIENT_SECRET);
    let post = |content_type: &'static str, body: String| {
        let auth = auth.clone();
        let app = &app;
        async move { post(app, Some(&auth), content_type, body).await }
    };
    let bad = StatusCode::BAD_REQUEST;
    let res = post("application/json", r#"{"token":"x"}"#.into()).await;
    let body = assert_oauth_error(res, bad, "invalid_request", "unsupported_media_type").await;
    assert!(s(&body, "error_description").contains("x-www-form-urlencoded"));
    let res = post("", "token=x".into()).await;
    assert_oauth_error(res, bad, "invalid_request", "unsupported_media_type").await;
    let form = "application/x-www-form-urlencoded";
    for body in ["", "token=", "token_type_hint=access_token", "token=a&token=b"] {
        let res = post(form, body.into()).await;
        assert_oauth_error(res, bad, "invalid_request", "invalid_input").await;
    }
    let res = post(form, format!("token={}", "a".repeat(16 * 1024))).await;
    assert_oauth_error(res, bad, "invalid_request", "payload_too_large").await;
    let res = post("application/x-www-form-urlencoded; charset=utf-8", "token=x".into()).await;
    assert_eq!(res.status(), StatusCode::OK, "parameters of the content type are fine");
}

async fn introspections_are_counted_by_outcome(b: Backend) {
    let app = spawn_app_with(b, with_client).await;
    let count = |outcome: &'static str| {
        let app = &app;
        async move {
            let text = app.client.get(app.url("/metrics")).send().await.unwrap();
            let text = text.text().await.unwrap();
            let series = format!("baton_introspection_total{{outcome=\"{outcome}\"}} ");
            let line = text.lines().find(|l| l.starts_with(&series));
            let line = line.unwrap_or_else(|| panic!("no {series} in\n{text}"));
            line[series.len()..].parse::<u64>().unwrap()
        }
    };
    for outcome in ["active", "inactive", "unauthorized", "malformed", "unavailable", "error"] {
        assert_eq!(count(outcome).await, 0, "{outcome} exists from the start");
    }
    let t = app.register("ada@example.com").await;
    introspect(&app, s(&t, "access_token"), None).await;
    introspect(&app, "garbage", None).await;
    introspect(&app, "garbage", Some("refresh_token")).await;
    post(&app, None, "application/x-www-form-urlencoded", "token=x").await;
    let auth = basic(CLIENT, CLIENT_SECRET);
    post(&app, Some(&auth), "application/x-www-form-urlencoded", "token=").await;
    post(&app, Some(&auth), "application/json", r#"{"token":"x"}"#).await;
    assert_eq!(
        (count("active").await, count("inactive").await, count("unauthorized").await),
        (1, 2, 1)
    );
    assert_eq!(count("malformed").await, 2, "refused forms of a known client are counted");
}

async fn the_routes_are_documented_with_the_form_and_the_basic_scheme(b: Backend) {
    let app = spawn_app(b).await;
    let doc: Value = app
        .client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["components"]["securitySchemes"]["basic"]["scheme"], "basic");
    let op = &doc["paths"]["/api/v1/auth/introspect"]["post"];
    assert_eq!(op["security"], json!([{ "basic": [] }]));
    let form = &op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"];
    assert!(form.is_object(), "{op}");
    for status in ["200", "400", "401", "503"] {
        assert!(op["responses"][status].is_object(), "{status} documented");
    }
    let jwks = &doc["paths"]["/.well-known/jwks.json"]["get"];
    assert!(jwks["responses"]["200"].is_object() && jwks["responses"]["304"].is_object());
    // An inactive answer omits the claims; none is ever `null`, and the document says so.
    let answer = &doc["components"]["schemas"]["IntrospectResponse"];
    assert_eq!(answer["required"], json!(["active"]), "{answer}");
    for (name, field) in answer["properties"].as_object().unwrap() {
        assert!(field["type"].is_string(), "{name} is one type, not nullable: {field}");
    }
}

on_both_backends!(
    the_routes_are_documented_with_the_form_and_the_basic_scheme,
    active_tokens_carry_their_claims,
    anything_but_a_live_token_is_only_inactive,
    callers_authenticate_before_anything_is_read,
    bad_forms_are_refused_with_4xx,
    introspections_are_counted_by_outcome,
);
