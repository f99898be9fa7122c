//! Login with a second factor: `mfa_required`, then `mfa/verify` with a TOTP code or a
//! recovery code; codes are accepted once, within one step of skew; wrong codes count toward
//! the lockout; the `mfa_token` dies on use and after five minutes; `amr` says how.

use super::*;
use crate::on_both_backends;

const EMAIL: &str = "ada@example.com";

async fn a_totp_code_finishes_the_login_and_the_token_says_mfa(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let (t, secret, _) = with_totp(&app, &clock, EMAIL).await;
    assert_eq!(amr(s(&t, "access_token")), ["pwd"], "registration: the password alone");
    let sessions_before = app.sessions(s(&t, "access_token")).await.len();
    let pending = mfa_required(&app, EMAIL).await;
    assert_eq!(app.sessions(s(&t, "access_token")).await.len(), sessions_before, "no session");
    clock.advance(time::Duration::seconds(30));
    let res =
        verify(&app, s(&pending, "mfa_token"), json!({ "code": code(&secret, &clock, 0) })).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(amr(s(&tokens, "access_token")), ["pwd", "otp", "mfa"]);
    assert_eq!(tokens["user"]["email"], EMAIL);
    assert_eq!(app.me(s(&tokens, "access_token")).await.status(), StatusCode::OK);
    // The session remembers how it was opened: a refreshed access token says the same.
    let refreshed: Value = app.refresh(s(&tokens, "refresh_token")).await.json().await.unwrap();
    assert_eq!(amr(s(&refreshed, "access_token")), ["pwd", "otp", "mfa"]);
    // The token died on use, even with a fresh code.
    clock.advance(time::Duration::seconds(30));
    let again = json!({ "code": code(&secret, &clock, 0) });
    let res = verify(&app, s(&pending, "mfa_token"), again).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_mfa_token").await;
}

async fn a_code_is_accepted_once_and_within_one_step_of_skew(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let (_t, secret, _) = with_totp(&app, &clock, EMAIL).await;
    // The confirming code's step was used: that code is a replay now.
    let pending = mfa_required(&app, EMAIL).await;
    let token = s(&pending, "mfa_token");
    let replay = json!({ "code": code(&secret, &clock, 0) });
    assert_problem(verify(&app, token, replay).await, StatusCode::UNAUTHORIZED, "invalid_code")
        .await;
    // Two steps off either way: refused; one step behind (a slow phone): accepted.
    clock.advance(time::Duration::seconds(90));
    for offset in [-60, 60] {
        let off = json!({ "code": code(&secret, &clock, offset) });
        let res = verify(&app, token, off).await;
        assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_code").await;
    }
    let behind = json!({ "code": code(&secret, &clock, -30) });
    assert_eq!(verify(&app, token, behind.clone()).await.status(), StatusCode::OK);
    // The same code on a new login: a replay inside its window.
    let pending = mfa_required(&app, EMAIL).await;
    let res = verify(&app, s(&pending, "mfa_token"), behind).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_code").await;
    // The current step's code is after the accepted one: good.
    let now = json!({ "code": code(&secret, &clock, 0) });
    assert_eq!(verify(&app, s(&pending, "mfa_token"), now).await.status(), StatusCode::OK);
}

async fn a_recovery_code_works_once(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let (_t, _secret, codes) = with_totp(&app, &clock, EMAIL).await;
    let pending = mfa_required(&app, EMAIL).await;
    // Typed in capitals with spaces, as read off paper.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let res = verify(&app, s(&pending, "mfa_token"), json!({ "recovery_code": typed })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(amr(s(&tokens, "access_token")), ["pwd", "mfa"]);
    let pending = mfa_required(&app, EMAIL).await;
    let token = s(&pending, "mfa_token");
    let used = json!({ "recovery_code": codes[3] });
    assert_problem(verify(&app, token, used).await, StatusCode::UNAUTHORIZED, "invalid_code").await;
    let other = json!({ "recovery_code": codes[4] });
    let res = verify(&app, token, other).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: Value = res.json().await.unwrap();
    let status = app.get("/api/v1/auth/mfa", s(&tokens, "access_token")).await;
    assert_eq!(status.status(), StatusCode::OK);
    let status: Value = status.json().await.unwrap();
    assert_eq!(
        status,
        json!({ "totp_enabled": true, "recovery_codes_left": 8, "passkeys": 0 }),
        "two of the ten codes used"
    );
}

async fn wrong_codes_count_toward_the_lockout(b: Backend) {
    let (app, clock) = app_at(b, |c| c.login.max_failed_logins = 3).await;
    let (_t, secret, _) = with_totp(&app, &clock, EMAIL).await;
    let pending = mfa_required(&app, EMAIL).await;
    let token = s(&pending, "mfa_token");
    clock.advance(time::Duration::seconds(30));
    let right = code(&secret, &clock, 0);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    for _ in 0..3 {
        let res = verify(&app, token, json!({ "code": wrong })).await;
        assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_code").await;
    }
    let res = verify(&app, token, json!({ "code": right })).await;
    let body = assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "locked_out").await;
    assert!(body["detail"].as_str().is_some());
    // The same lock stands for the password step.
    let res = app.login(EMAIL, PASSWORD).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "locked_out").await;
    // Operators see the guessing: three wrong codes, then the lock.
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    for (outcome, count) in [("invalid_code", 3), ("locked", 1), ("ok", 0)] {
        let line = format!("baton_mfa_verify_total{{outcome=\"{outcome}\"}} {count}");
        assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
    }
    assert!(text.contains("baton_passkey_login_total{outcome=\"passkey_refused\"} 0"));
}

async fn the_mfa_token_expires_and_cannot_be_guessed(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let (_t, secret, _) = with_totp(&app, &clock, EMAIL).await;
    let pending = mfa_required(&app, EMAIL).await;
    clock.advance(time::Duration::minutes(5));
    let res =
        verify(&app, s(&pending, "mfa_token"), json!({ "code": code(&secret, &clock, 0) })).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_mfa_token").await;
    let res = verify(&app, "0".repeat(64).as_str(), json!({ "code": "123456" })).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_mfa_token").await;
    // Exactly one factor per request.
    let pending = mfa_required(&app, EMAIL).await;
    let both = json!({ "code": "123456", "recovery_code": "abcd-efgh-jkmn-pqrs" });
    let res = verify(&app, s(&pending, "mfa_token"), both).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    let res = verify(&app, s(&pending, "mfa_token"), json!({})).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
}

async fn the_cookie_transport_works_for_the_second_step(b: Backend) {
    const APP: &str = "https://app.example.com";
    let (app, clock) = app_at(b, |c| c.cookies.allowed_origins = vec![APP.to_owned()]).await;
    let (_t, secret, _) = with_totp(&app, &clock, EMAIL).await;
    let login = json!({ "email": EMAIL, "password": PASSWORD });
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("baton-transport", "cookie")
        .header("origin", APP)
        .json(&login)
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("set-cookie").is_none(), "no session, no cookie");
    let pending = assert_problem(res, StatusCode::FORBIDDEN, "mfa_required").await;
    clock.advance(time::Duration::seconds(30));
    let body = json!({ "mfa_token": pending["mfa_token"], "code": code(&secret, &clock, 0) });
    let res = app
        .client
        .post(app.url("/api/v1/auth/mfa/verify"))
        .header("baton-transport", "cookie")
        .header("origin", APP)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Secure-baton-refresh="), "{cookie}");
    let tokens: Value = res.json().await.unwrap();
    assert!(tokens.get("refresh_token").is_none(), "the refresh token is in the cookie only");
    assert_eq!(amr(s(&tokens, "access_token")), ["pwd", "otp", "mfa"]);
}

on_both_backends!(
    a_totp_code_finishes_the_login_and_the_token_says_mfa,
    a_code_is_accepted_once_and_within_one_step_of_skew,
    a_recovery_code_works_once,
    wrong_codes_count_toward_the_lockout,
    the_mfa_token_expires_and_cannot_be_guessed,
    the_cookie_transport_works_for_the_second_step,
);
