//! `POST /api/v1/auth/logout?scope=local|global|others`.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::json;

async fn alive(app: &TestApp, t: &serde_json::Value) -> bool {
    app.me(s(t, "access_token")).await.status() == StatusCode::OK
}

async fn local_logout_ends_both_tokens(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let other = app.login_ok("ada@example.com").await;
    let res = app.logout(s(&t, "access_token"), "").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_bearer_rejected(app.me(s(&t, "access_token")).await, "session_revoked").await;
    assert_bearer_rejected(app.refresh(s(&t, "refresh_token")).await, "session_revoked").await;
    assert!(alive(&app, &other).await);
    // A second logout with the dead token is 401.
    assert_bearer_rejected(
        app.logout(s(&t, "access_token"), "?scope=local").await,
        "session_revoked",
    )
    .await;
}

async fn local_logout_also_ends_the_sessions_of_an_own_refresh_token(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ada@example.com").await;
    let a2 = app.login_ok("ada@example.com").await;
    let bob = app.register("bob@example.com").await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout?scope=local"))
        .bearer_auth(s(&a, "access_token"))
        .json(&json!({ "refresh_token": s(&a2, "refresh_token") }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(!alive(&app, &a).await && !alive(&app, &a2).await);
    // Someone else's refresh token in the body is ignored.
    let a3 = app.login_ok("ada@example.com").await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(s(&a3, "access_token"))
        .json(&json!({ "refresh_token": s(&bob, "refresh_token") }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(alive(&app, &bob).await);
}

async fn global_logout_ends_every_session(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ada@example.com").await;
    let a2 = app.login_ok("ada@example.com").await;
    let bob = app.register("bob@example.com").await;
    assert_eq!(
        app.logout(s(&a2, "access_token"), "?scope=global").await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(!alive(&app, &a).await && !alive(&app, &a2).await);
    assert_bearer_rejected(app.refresh(s(&a, "refresh_token")).await, "session_revoked").await;
    assert!(alive(&app, &bob).await);
}

async fn others_logout_keeps_the_callers_session(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ada@example.com").await;
    let a2 = app.login_ok("ada@example.com").await;
    let a3 = app.login_ok("ada@example.com").await;
    assert_eq!(
        app.logout(s(&a2, "access_token"), "?scope=others").await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(alive(&app, &a2).await);
    assert!(!alive(&app, &a).await && !alive(&app, &a3).await);
    assert_eq!(app.sessions(s(&a2, "access_token")).await.len(), 1);
}

async fn logout_needs_an_access_token_and_a_known_scope(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let res = app.client.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "missing_token").await;
    let res = app.logout(s(&t, "refresh_token"), "").await;
    assert_bearer_rejected(res, "invalid_token").await;
    let res = app.logout(s(&t, "access_token"), "?scope=everything").await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    // A bad body is refused before anything is revoked; `null` is a body, and no object.
    for body in ["{not json", "null"] {
        let res = app
            .client
            .post(app.url("/api/v1/auth/logout"))
            .bearer_auth(s(&t, "access_token"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    }
    assert!(alive(&app, &t).await);
}

on_both_backends!(
    local_logout_ends_both_tokens,
    local_logout_also_ends_the_sessions_of_an_own_refresh_token,
    global_logout_ends_every_session,
    others_logout_keeps_the_callers_session,
    logout_needs_an_access_token_and_a_known_scope,
);
