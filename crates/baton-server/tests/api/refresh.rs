//! `POST /api/v1/auth/refresh`: where the token comes from, and the rotation itself.

use crate::helpers::*;
use crate::on_both_backends;
use baton_core::TokenKind;
use reqwest::StatusCode;
use serde_json::json;
use time::{Duration, OffsetDateTime};

async fn refresh_by_body_rotates_within_the_session(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let res = app.refresh(s(&t, "refresh_token")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let n: serde_json::Value = res.json().await.unwrap();
    assert_eq!(n["token_type"], "Bearer");
    assert_eq!(n["user"], t["user"]);
    assert_ne!(n["refresh_token"], t["refresh_token"]);
    assert_eq!(ids_of(s(&n, "refresh_token")).1, ids_of(s(&t, "refresh_token")).1, "same session");
    // Both access tokens of the live session work; there is still one session.
    assert_eq!(app.me(s(&n, "access_token")).await.status(), StatusCode::OK);
    assert_eq!(app.me(s(&t, "access_token")).await.status(), StatusCode::OK);
    assert_eq!(app.sessions(s(&n, "access_token")).await.len(), 1);
    // And the chain goes on.
    assert_eq!(app.refresh(s(&n, "refresh_token")).await.status(), StatusCode::OK);
}

async fn refresh_by_header_with_or_without_a_body(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let url = app.url("/api/v1/auth/refresh");
    let res = app.client.post(&url).bearer_auth(s(&t, "refresh_token")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let n: serde_json::Value = res.json().await.unwrap();
    // An empty JSON object, or a null or blank token, falls back to the header.
    for body in [json!({}), json!({ "refresh_token": null }), json!({ "refresh_token": " " })] {
        let res = app.client.post(&url).bearer_auth("not-a-jwt").json(&body).send().await.unwrap();
        assert_bearer_rejected(res, "invalid_token").await;
    }
    let res = app
        .client
        .post(&url)
        .bearer_auth(s(&n, "refresh_token"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn the_body_wins_over_the_header(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    // A client that puts its access token on every request can still refresh.
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .bearer_auth(s(&t, "access_token"))
        .json(&json!({ "refresh_token": s(&t, "refresh_token") }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn no_token_at_all_is_400(b: Backend) {
    let app = spawn_app(b).await;
    let url = app.url("/api/v1/auth/refresh");
    let requests = [
        app.client.post(&url),
        app.client.post(&url).json(&json!({})),
        app.client.post(&url).json(&json!({ "refresh_token": "" })),
        app.client.post(&url).header("authorization", "Basic YWRhOnB3"),
        app.client.post(&url).header("content-type", "text/plain"),
    ];
    for req in requests {
        let res = req.send().await.unwrap();
        assert_problem(res, StatusCode::BAD_REQUEST, "missing_token").await;
    }
}

async fn an_access_token_is_not_a_refresh_token(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let res = app.refresh(s(&t, "access_token")).await;
    assert_bearer_rejected(res, "invalid_token").await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .bearer_auth(s(&t, "access_token"))
        .send()
        .await
        .unwrap();
    assert_bearer_rejected(res, "invalid_token").await;
    // The session is untouched.
    assert_eq!(app.refresh(s(&t, "refresh_token")).await.status(), StatusCode::OK);
}

async fn bad_refresh_tokens_are_401(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let refresh = s(&t, "refresh_token").to_owned();
    let (user, session) = ids_of(&refresh);
    let issuer = app.issuer();
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let parts: Vec<_> = refresh.split('.').collect();
    let mut payload = decode_part(&refresh, 1);
    payload["exp"] = json!(payload["exp"].as_i64().unwrap() + 3600);
    let tampered = format!("{}.{}.{}", parts[0], encode_part(&payload), parts[2]);
    let mut header = decode_part(&refresh, 0);
    header["alg"] = json!("none");
    let alg_none = format!("{}.{}.", encode_part(&header), parts[1]);
    let cases: Vec<(&str, String, &str)> = vec![
        ("garbage", "garbage".into(), "invalid_token"),
        ("truncated", refresh[..refresh.len() - 5].to_owned(), "invalid_token"),
        ("9 KiB", "a".repeat(9 * 1024), "invalid_token"),
        ("tampered", tampered, "invalid_token"),
        ("alg none", alg_none, "invalid_token"),
        (
            "other key",
            sign(
                &app.foreign_issuer(),
                &claims(TokenKind::Refresh, user, session, now, now + Duration::days(1)),
            ),
            "invalid_token",
        ),
        (
            "expired",
            sign(
                &issuer,
                &claims(
                    TokenKind::Refresh,
                    user,
                    session,
                    now - Duration::days(9),
                    now - Duration::days(2),
                ),
            ),
            "token_expired",
        ),
        (
            "not yet valid",
            sign(
                &issuer,
                &claims(
                    TokenKind::Refresh,
                    user,
                    session,
                    now + Duration::hours(1),
                    now + Duration::days(1),
                ),
            ),
            "invalid_token",
        ),
    ];
    for (name, token, code) in cases {
        let res = app.refresh(&token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert_bearer_rejected(res, code).await;
    }
    // Forgeries are not reuse: the session lives on.
    assert_eq!(app.refresh(&refresh).await.status(), StatusCode::OK);
}

on_both_backends!(
    refresh_by_body_rotates_within_the_session,
    refresh_by_header_with_or_without_a_body,
    the_body_wins_over_the_header,
    no_token_at_all_is_400,
    an_access_token_is_not_a_refresh_token,
    bad_refresh_tokens_are_401,
);
