//! `GET /api/v1/auth/sessions` and `DELETE /api/v1/auth/sessions/{id}`.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;

async fn lists_active_sessions_with_the_current_one_marked(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ada@example.com").await;
    let a2 = app.login_ok("ada@example.com").await;
    let dead = app.login_ok("ada@example.com").await;
    app.logout(s(&dead, "access_token"), "").await;
    app.register("bob@example.com").await;

    let res = app.get("/api/v1/auth/sessions", s(&a, "access_token")).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let list: Vec<serde_json::Value> = res.json().await.unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let (_, sid_a) = ids_of(s(&a, "access_token"));
    let (_, sid_a2) = ids_of(s(&a2, "access_token"));
    for entry in &list {
        let keys: Vec<_> = entry.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 6, "{keys:?}");
        assert_eq!(entry["user_agent"], "baton-tests/1.0");
        for k in ["created_at", "last_used_at", "expires_at"] {
            assert!(s(entry, k).ends_with('Z'));
        }
        let id = s(entry, "id");
        assert_eq!(entry["current"], id == sid_a.to_string(), "{entry}");
        assert!(id == sid_a.to_string() || id == sid_a2.to_string());
    }
}

async fn deleting_an_own_session_ends_it(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ada@example.com").await;
    let a2 = app.login_ok("ada@example.com").await;
    let (_, sid_a2) = ids_of(s(&a2, "access_token"));
    let url = app.url(&format!("/api/v1/auth/sessions/{sid_a2}"));
    let res = app.client.delete(&url).bearer_auth(s(&a, "access_token")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_bearer_rejected(app.me(s(&a2, "access_token")).await, "session_revoked").await;
    assert_bearer_rejected(app.refresh(s(&a2, "refresh_token")).await, "session_revoked").await;
    assert_eq!(app.sessions(s(&a, "access_token")).await.len(), 1);
    // Gone now: a second delete is 404.
    let res = app.client.delete(&url).bearer_auth(s(&a, "access_token")).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "session_not_found").await;
}

async fn other_users_and_malformed_ids_are_404(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ada@example.com").await;
    let bob = app.register("bob@example.com").await;
    let (_, sid_bob) = ids_of(s(&bob, "access_token"));
    for id in
        [sid_bob.to_string(), uuid::Uuid::new_v4().to_string(), "not-a-uuid".into(), "%00".into()]
    {
        let url = app.url(&format!("/api/v1/auth/sessions/{id}"));
        let res = app.client.delete(&url).bearer_auth(s(&a, "access_token")).send().await.unwrap();
        assert_problem(res, StatusCode::NOT_FOUND, "session_not_found").await;
    }
    assert_eq!(app.me(s(&bob, "access_token")).await.status(), StatusCode::OK);
    // Without a token it is 401 whatever the id.
    let url = app.url(&format!("/api/v1/auth/sessions/{sid_bob}"));
    let res = app.client.delete(&url).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "missing_token").await;
    let res = app.client.get(app.url("/api/v1/auth/sessions")).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "missing_token").await;
}

on_both_backends!(
    lists_active_sessions_with_the_current_one_marked,
    deleting_an_own_session_ends_it,
    other_users_and_malformed_ids_are_404,
);
