//! The cookie's life: logout and reuse clear it, a replay inside the reuse grace sets the
//! session's current token again, and logout reads it like the body's `refresh_token`.

use super::*;
use crate::on_both_backends;
use std::time::Duration;

async fn logout(app: &TestApp, access: &str, cookie: Option<&str>, scope: &str) -> Response {
    let mut req = browser_post(app, &format!("/api/v1/auth/logout{scope}")).bearer_auth(access);
    if let Some(token) = cookie {
        req = req.header("cookie", cookie_header(token));
    }
    req.send().await.unwrap()
}

async fn logout_clears_the_cookie_and_ends_its_session(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let (body, token) = register_browser(&app, "ada@example.com").await;
    let res = logout(&app, s(&body, "access_token"), Some(&token), "").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_cleared(&res);
    let res = refresh_browser(&app, &token).await;
    assert_cleared(&res);
    assert_bearer_rejected(res, "session_revoked").await;

    // The cookie plays the role of the body's `refresh_token`: a logout with the access
    // token of one session and the cookie of another ends both.
    let (_, cookie_session) = register_browser(&app, "bob@example.com").await;
    let bearer_session = app.login_ok("bob@example.com").await;
    let access = s(&bearer_session, "access_token");
    assert_eq!(active_sessions(&app, access).await.len(), 2);
    let res = logout(&app, access, Some(&cookie_session), "").await;
    assert_cleared(&res);
    assert_bearer_rejected(refresh_browser(&app, &cookie_session).await, "session_revoked").await;
    assert_bearer_rejected(app.me(access).await, "session_revoked").await;
}

async fn logout_of_the_other_sessions_keeps_the_cookie(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let (body, token) = register_browser(&app, "ada@example.com").await;
    let other = app.login_ok("ada@example.com").await;
    let res = logout(&app, s(&body, "access_token"), Some(&token), "?scope=others").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(set_cookies(&res).is_empty(), "the caller stays logged in");
    assert_bearer_rejected(app.me(s(&other, "access_token")).await, "session_revoked").await;
    assert_eq!(refresh_browser(&app, &token).await.status(), StatusCode::OK);
    // `global` ends the caller's session too, so it clears the cookie; with no cookie sent
    // the answer deletes whatever the browser may hold all the same.
    let fresh = app.login_ok("ada@example.com").await;
    let res = logout(&app, s(&fresh, "access_token"), None, "?scope=global").await;
    assert_cleared(&res);
}

async fn reuse_clears_the_cookie(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let (_, first) = register_browser(&app, "ada@example.com").await;
    let res = refresh_browser(&app, &first).await;
    let second = the_cookie(&res).value().to_owned();
    let body: Value = res.json().await.unwrap();
    // The retired token comes back (a thief, or a stale tab in strict mode).
    let res = refresh_browser(&app, &first).await;
    assert_cleared(&res);
    assert_bearer_rejected(res, "token_reused").await;
    assert_bearer_rejected(app.me(s(&body, "access_token")).await, "session_revoked").await;
    let res = refresh_browser(&app, &second).await;
    assert_cleared(&res);
    assert_bearer_rejected(res, "session_revoked").await;
}

async fn a_replay_inside_the_grace_keeps_the_cookie_valid(b: Backend) {
    let app = browser_app(b, |c| c.tokens.reuse_grace = Duration::from_secs(60)).await;
    let (_, first) = register_browser(&app, "ada@example.com").await;
    let res = refresh_browser(&app, &first).await;
    let current = the_cookie(&res).value().to_owned();
    // A second tab sends the token the first tab just rotated: 200, and its answer sets the
    // session's current token again (not an older one, not a deletion).
    let res = refresh_browser(&app, &first).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = the_cookie(&res);
    assert_default_attributes(&cookie);
    assert_eq!(cookie.value(), current);
    assert!(cookie.max_age().unwrap().whole_seconds() > 0, "{cookie}");
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert_eq!(app.me(s(&body, "access_token")).await.status(), StatusCode::OK);
    // The session lives on: the current token rotates normally.
    let res = refresh_browser(&app, &current).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_ne!(the_cookie(&res).value(), current);
}

/// A database that cannot take the write (SQLite locked from outside past its busy timeout)
/// answers 503, and the cookie stays: the token may work a moment later, and does.
#[tokio::test]
async fn a_busy_server_keeps_the_cookie() {
    use diesel::connection::SimpleConnection;
    let app = browser_app(Backend::Sqlite, |_| {}).await;
    let (_, token) = register_browser(&app, "ada@example.com").await;
    let path = app.db.url.trim_start_matches("sqlite://").to_owned();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (locked, is_locked) = std::sync::mpsc::channel::<()>();
    let locker = std::thread::spawn(move || {
        use diesel::Connection;
        let mut conn = diesel::SqliteConnection::establish(&path).unwrap();
        conn.batch_execute("BEGIN EXCLUSIVE").unwrap();
        locked.send(()).unwrap();
        let _ = released.recv();
        conn.batch_execute("COMMIT").unwrap();
    });
    tokio::task::spawn_blocking(move || is_locked.recv().unwrap()).await.unwrap();
    let res = refresh_browser(&app, &token).await;
    assert!(set_cookies(&res).is_empty(), "a transient failure keeps the cookie");
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
    release.send(()).unwrap();
    tokio::task::spawn_blocking(move || locker.join().unwrap()).await.unwrap();
    assert_eq!(refresh_browser(&app, &token).await.status(), StatusCode::OK);
}

on_both_backends!(
    logout_clears_the_cookie_and_ends_its_session,
    logout_of_the_other_sessions_keeps_the_cookie,
    reuse_clears_the_cookie,
    a_replay_inside_the_grace_keeps_the_cookie_valid,
);
