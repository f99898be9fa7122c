//! `POST /api/v1/auth/login`: credentials, disabled accounts and the lockout.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;

async fn login_opens_a_new_session(b: Backend) {
    let app = spawn_app(b).await;
    let registered = app.register("ada@example.com").await;
    let res = app.login("ADA@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let t: serde_json::Value = res.json().await.unwrap();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["user"], registered["user"]);
    let (_, sid_login) = ids_of(s(&t, "access_token"));
    let (_, sid_register) = ids_of(s(&registered, "access_token"));
    assert_ne!(sid_login, sid_register);
    assert_eq!(app.sessions(s(&t, "access_token")).await.len(), 2);
}

async fn unknown_email_and_wrong_password_look_the_same(b: Backend) {
    let app = spawn_app(b).await;
    app.register("ada@example.com").await;
    let wrong = app.login("ada@example.com", "wrong password").await;
    let unknown = app.login("bob@example.com", PASSWORD).await;
    let malformed = app.login("not an email", PASSWORD).await;
    let headers = |r: &reqwest::Response| {
        let mut h: Vec<_> = r
            .headers()
            .iter()
            .filter(|(k, _)| k.as_str() != "date" && k.as_str() != "x-request-id")
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        h.sort();
        h
    };
    let (hw, hu, hm) = (headers(&wrong), headers(&unknown), headers(&malformed));
    assert_eq!(hw, hu);
    assert_eq!(hw, hm);
    let wrong = assert_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let unknown = assert_problem(unknown, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let malformed =
        assert_problem(malformed, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, malformed);
}

async fn disabled_account_is_403_with_the_right_password_only(b: Backend) {
    let app = spawn_app(b).await;
    app.register("ada@example.com").await;
    app.service.state.auth.set_account_disabled("ada@example.com", true).await.unwrap();
    let res = app.login("ada@example.com", PASSWORD).await;
    assert_problem(res, StatusCode::FORBIDDEN, "account_disabled").await;
    let res = app.login("ada@example.com", "wrong password").await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    app.service.state.auth.set_account_disabled("ada@example.com", false).await.unwrap();
    app.login_ok("ada@example.com").await;
}

async fn lockout_after_max_failed_logins(b: Backend) {
    let app = spawn_app_with(b, |c| c.login.max_failed_logins = 3).await;
    app.register("ada@example.com").await;
    for _ in 0..3 {
        let res = app.login("ada@example.com", "wrong password").await;
        assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    // Locked now, even with the right password.
    let res = app.login("ada@example.com", PASSWORD).await;
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "locked_out").await;
    // Other accounts are not affected.
    app.register("bob@example.com").await;
    app.login_ok("bob@example.com").await;
}

async fn a_success_resets_the_failure_count(b: Backend) {
    let app = spawn_app_with(b, |c| c.login.max_failed_logins = 2).await;
    app.register("ada@example.com").await;
    for _ in 0..3 {
        let res = app.login("ada@example.com", "wrong password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        app.login_ok("ada@example.com").await;
    }
}

on_both_backends!(
    login_opens_a_new_session,
    unknown_email_and_wrong_password_look_the_same,
    disabled_account_is_403_with_the_right_password_only,
    lockout_after_max_failed_logins,
    a_success_resets_the_failure_count,
);
