//! Sessions live in the database: a new server process on the same database honours them.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;

async fn a_restart_keeps_sessions(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let rotated: serde_json::Value =
        app.refresh(s(&t, "refresh_token")).await.json().await.unwrap();
    let old_address = app.address.clone();
    let app = app.restart().await;
    assert_ne!(app.address, old_address);
    assert_eq!(app.me(s(&rotated, "access_token")).await.status(), StatusCode::OK);
    // Rotation state survived too: the retired token is still recognised as reuse.
    assert_eq!(app.refresh(s(&rotated, "refresh_token")).await.status(), StatusCode::OK);
    assert_bearer_rejected(app.refresh(s(&t, "refresh_token")).await, "token_reused").await;
}

on_both_backends!(a_restart_keeps_sessions);
