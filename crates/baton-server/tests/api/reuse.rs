//! Reuse detection and concurrent refreshes (SPEC §4).

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use std::collections::HashSet;

async fn a_reused_refresh_token_revokes_the_session(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let other = app.login_ok("ada@example.com").await;
    let n: serde_json::Value = app.refresh(s(&t, "refresh_token")).await.json().await.unwrap();
    assert_eq!(app.me(s(&n, "access_token")).await.status(), StatusCode::OK);

    let res = app.refresh(s(&t, "refresh_token")).await;
    assert_bearer_rejected(res, "token_reused").await;
    // The whole session is gone: its live access tokens and its current refresh token.
    assert_bearer_rejected(app.me(s(&n, "access_token")).await, "session_revoked").await;
    assert_bearer_rejected(app.me(s(&t, "access_token")).await, "session_revoked").await;
    assert_bearer_rejected(app.refresh(s(&n, "refresh_token")).await, "session_revoked").await;
    // Other sessions of the user are not.
    assert_eq!(app.me(s(&other, "access_token")).await.status(), StatusCode::OK);
    assert_eq!(app.refresh(s(&other, "refresh_token")).await.status(), StatusCode::OK);
}

/// Sends the same refresh token `n` times at once; returns (status, code or token) pairs.
async fn refresh_concurrently(app: &TestApp, token: &str, n: usize) -> Vec<(StatusCode, String)> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (client, url) = (app.client.clone(), app.url("/api/v1/auth/refresh"));
        let body = serde_json::json!({ "refresh_token": token });
        tasks.spawn(async move {
            let res = client.post(url).json(&body).send().await.unwrap();
            let status = res.status();
            let body: serde_json::Value = res.json().await.unwrap();
            let what = body.get("refresh_token").or(body.get("code")).unwrap().clone();
            (status, what.as_str().unwrap().to_owned())
        });
    }
    tasks.join_all().await
}

async fn concurrent_refreshes_rotate_exactly_once(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let results = refresh_concurrently(&app, s(&t, "refresh_token"), 16).await;
    let winners: Vec<_> = results.iter().filter(|(st, _)| *st == StatusCode::OK).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (status, code) in results.iter().filter(|(st, _)| *st != StatusCode::OK) {
        assert_eq!((*status, code.as_str()), (StatusCode::UNAUTHORIZED, "token_reused"));
    }
    // One loser revoked the session; the metric counts that once, the others apart.
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("baton_refresh_total{outcome=\"reuse_detected\"} 1"), "{metrics}");
    assert!(metrics.contains("baton_refresh_total{outcome=\"replay_rejected\"} 14"), "{metrics}");
    // Strict mode: the race counts as reuse, so even the winner's token is dead.
    assert_bearer_rejected(app.refresh(&winners[0].1).await, "session_revoked").await;
}

async fn with_reuse_grace_concurrent_refreshes_all_get_the_same_token(b: Backend) {
    let app =
        spawn_app_with(b, |c| c.tokens.reuse_grace = std::time::Duration::from_secs(30)).await;
    let t = app.register("ada@example.com").await;
    let results = refresh_concurrently(&app, s(&t, "refresh_token"), 16).await;
    assert!(results.iter().all(|(st, _)| *st == StatusCode::OK), "{results:?}");
    let tokens: HashSet<_> = results.iter().map(|(_, token)| token.clone()).collect();
    assert_eq!(tokens.len(), 1, "all got the current refresh token");
    let current = tokens.into_iter().next().unwrap();
    // The session lives, and its current token rotates normally.
    let next = app.refresh(&current).await;
    assert_eq!(next.status(), StatusCode::OK);
    let next: serde_json::Value = next.json().await.unwrap();
    // Two generations back is reuse even inside the window.
    assert_bearer_rejected(app.refresh(s(&t, "refresh_token")).await, "token_reused").await;
    assert_bearer_rejected(app.me(s(&next, "access_token")).await, "session_revoked").await;
}

on_both_backends!(
    a_reused_refresh_token_revokes_the_session,
    concurrent_refreshes_rotate_exactly_once,
    with_reuse_grace_concurrent_refreshes_all_get_the_same_token,
);
