//! Disabling TOTP: the password and a code, both counted toward the lockout; every other
//! session ends; a password reset leaves TOTP on (the mailbox is not a second factor).

use super::*;
use crate::on_both_backends;

const EMAIL: &str = "ada@example.com";

async fn disable(app: &TestApp, access: &str, password: &str, code: &str) -> Response {
    let body = json!({ "password": password, "code": code });
    let url = app.url("/api/v1/auth/mfa/totp");
    app.client.delete(url).bearer_auth(access).json(&body).send().await.unwrap()
}

async fn disabling_needs_the_password_and_a_code_and_ends_the_other_sessions(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let (t, secret, codes) = with_totp(&app, &clock, EMAIL).await;
    let access = s(&t, "access_token");
    let other = app.login_ok_after_mfa(EMAIL, &codes[0]).await;
    clock.advance(time::Duration::seconds(30));
    let right = code(&secret, &clock, 0);
    let res = disable(&app, access, "wrong password", &right).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let res = disable(&app, access, PASSWORD, "000000").await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_code").await;
    let res = disable(&app, access, PASSWORD, "not a code").await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    let res = disable(&app, access, PASSWORD, &right).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Every other session ended; the caller's lives on.
    let res = app.refresh(s(&other, "refresh_token")).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "session_revoked").await;
    assert_eq!(app.me(access).await.status(), StatusCode::OK);
    // The password alone logs in again; the recovery codes are gone with TOTP.
    let t = app.login_ok(EMAIL).await;
    assert_eq!(amr(s(&t, "access_token")), ["pwd"]);
    let res = disable(&app, access, PASSWORD, &right).await;
    assert_problem(res, StatusCode::CONFLICT, "totp_not_enabled").await;
}

async fn a_recovery_code_can_disable_a_lost_authenticator(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let (t, _secret, codes) = with_totp(&app, &clock, EMAIL).await;
    let res = disable(&app, s(&t, "access_token"), PASSWORD, &codes[9]).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.login(EMAIL, PASSWORD).await.status(), StatusCode::OK);
}

on_both_backends!(
    disabling_needs_the_password_and_a_code_and_ends_the_other_sessions,
    a_recovery_code_can_disable_a_lost_authenticator,
);
