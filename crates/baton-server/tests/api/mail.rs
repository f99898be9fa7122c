//! The account lifecycle with real mail (SPEC §12): a real SMTP server on a socket
//! (`baton_mail::testing::SmtpSink`) receives what the outbox sends, and each flow is
//! followed the way a user would, through the link in the mail.

use crate::helpers::*;
use crate::on_both_backends;
use baton_mail::testing::SmtpSink;
use baton_server::config::{Config, MailTransportKind, SecretUrl};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

const RESET: &str = "http://app.test/reset";
const VERIFY: &str = "http://app.test/verify";
const NEW_PASSWORD: &str = "a brand new passphrase";

/// A server that mails through `sink`, with its outbox sender running.
async fn mail_app(b: Backend, sink: &SmtpSink, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let url = sink.url(None);
    let app = spawn_app_with(b, |c| {
        c.mail.transport = MailTransportKind::Smtp;
        c.mail.smtp_url = Some(SecretUrl::new(url));
        c.mail.retry_first_delay = Duration::from_secs(1);
        c.accounts.reset_url = Some(RESET.into());
        c.accounts.verify_url = Some(VERIFY.into());
        tweak(c);
    })
    .await;
    baton_http::server::spawn_mail_sender(&app.service.state);
    app
}

/// The next mail: its recipient, subject, and the token of its link starting with `prefix`
/// (if it has one).
async fn next_mail(sink: &SmtpSink, prefix: &str) -> (String, String, Option<String>) {
    let mail = sink.next_message().await.parse();
    let token = mail.link(prefix).map(|l| l.split("token=").nth(1).expect("a token").to_owned());
    (mail.to, mail.subject, token)
}

async fn post(app: &TestApp, path: &str, bearer: Option<&str>, body: Value) -> Response {
    let mut req = app.client.post(app.url(path)).json(&body);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

async fn me(app: &TestApp, access: &str) -> Value {
    let res = app.me(access).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn registration_mails_a_link_that_verifies_the_email_once(b: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(b, &sink, |_| {}).await;
    let t = app.register("ada@example.com").await;
    assert_eq!(me(&app, s(&t, "access_token")).await["email_verified"], false);
    let (to, _, token) = next_mail(&sink, VERIFY).await;
    assert_eq!(to, "ada@example.com");
    let token = token.expect("a verification link");
    let verify = json!({ "token": token });
    let res = post(&app, "/api/v1/auth/email/verify", None, verify.clone()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&app, s(&t, "access_token")).await["email_verified"], true);
    // Access tokens say so too, from the next one minted on.
    assert_eq!(decode_part(s(&t, "access_token"), 1)["email_verified"], false);
    let t2: Value = app.refresh(s(&t, "refresh_token")).await.json().await.unwrap();
    assert_eq!(decode_part(s(&t2, "access_token"), 1)["email_verified"], true);
    let again = post(&app, "/api/v1/auth/email/verify", None, verify).await;
    assert_problem(again, StatusCode::BAD_REQUEST, "invalid_verification_token").await;
    // Verified already: a resend sends nothing (the next mail is the password notice).
    let res =
        post(&app, "/api/v1/auth/email/verify/resend", Some(s(&t, "access_token")), json!({}))
            .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

async fn a_forgotten_password_is_reset_through_the_mailed_link(b: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(b, &sink, |_| {}).await;
    let t = app.register("ada@example.com").await;
    next_mail(&sink, VERIFY).await;
    let other = app.login_ok("ada@example.com").await;
    // An unknown email gets the same answer and no mail: the next mail is ada's.
    for email in ["nobody@example.com", "ada@example.com"] {
        let res = post(&app, "/api/v1/auth/password/forgot", None, json!({ "email": email })).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED, "{email}");
    }
    let (to, _, token) = next_mail(&sink, RESET).await;
    assert_eq!(to, "ada@example.com");
    let token = token.expect("a reset link");
    let short = json!({ "token": token, "new_password": "short" });
    let res = post(&app, "/api/v1/auth/password/reset", None, short).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    let reset = json!({ "token": token, "new_password": NEW_PASSWORD });
    let res = post(&app, "/api/v1/auth/password/reset", None, reset.clone()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for session in [&t, &other] {
        assert_eq!(app.me(s(session, "access_token")).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("ada@example.com", NEW_PASSWORD).await.status(), StatusCode::OK);
    let res = post(&app, "/api/v1/auth/password/reset", None, reset).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_reset_token").await;
    let (to, subject, _) = next_mail(&sink, RESET).await;
    assert_eq!(to, "ada@example.com");
    assert!(subject.to_lowercase().contains("password"), "{subject}");
}

async fn a_reset_lifts_the_lockout(b: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(b, &sink, |c| c.login.max_failed_logins = 2).await;
    app.register("ada@example.com").await;
    next_mail(&sink, VERIFY).await;
    for _ in 0..2 {
        app.login("ada@example.com", "wrong password!").await;
    }
    assert_eq!(
        app.login("ada@example.com", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    post(&app, "/api/v1/auth/password/forgot", None, json!({ "email": "ada@example.com" })).await;
    let token = next_mail(&sink, RESET).await.2.expect("a reset link");
    let reset = json!({ "token": token, "new_password": NEW_PASSWORD });
    assert_eq!(
        post(&app, "/api/v1/auth/password/reset", None, reset).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.login("ada@example.com", NEW_PASSWORD).await.status(), StatusCode::OK);
}

async fn changing_the_password_keeps_only_the_callers_session(b: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(b, &sink, |_| {}).await;
    let mine = app.register("ada@example.com").await;
    next_mail(&sink, VERIFY).await;
    let other = app.login_ok("ada@example.com").await;
    let access = s(&mine, "access_token");
    let wrong = json!({ "current_password": "not the password", "new_password": NEW_PASSWORD });
    let res = post(&app, "/api/v1/auth/password", Some(access), wrong).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let right = json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD });
    let res = post(&app, "/api/v1/auth/password", Some(access), right).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.me(access).await.status(), StatusCode::OK);
    assert_eq!(app.me(s(&other, "access_token")).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("ada@example.com", NEW_PASSWORD).await.status(), StatusCode::OK);
    let (to, subject, _) = next_mail(&sink, RESET).await;
    assert_eq!(to, "ada@example.com");
    assert!(subject.to_lowercase().contains("password"), "{subject}");
}

async fn a_new_email_takes_effect_once_confirmed_and_the_old_one_is_told(b: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(b, &sink, |_| {}).await;
    let t = app.register("ada@example.com").await;
    next_mail(&sink, VERIFY).await;
    let change = json!({ "new_email": "ada@new.example", "password": PASSWORD });
    let res = post(&app, "/api/v1/auth/email", Some(s(&t, "access_token")), change).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let mut mails = vec![next_mail(&sink, VERIFY).await, next_mail(&sink, VERIFY).await];
    mails.sort_by(|a, b| a.0.cmp(&b.0));
    let [(old_to, _, none), (new_to, _, token)] = <[_; 2]>::try_from(mails).unwrap();
    assert_eq!((old_to.as_str(), none), ("ada@example.com", None), "the old address is told");
    assert_eq!(new_to, "ada@new.example");
    assert_eq!(s(&me(&app, s(&t, "access_token")).await, "email"), "ada@example.com", "not yet");
    let res = post(&app, "/api/v1/auth/email/verify", None, json!({ "token": token })).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let now = me(&app, s(&t, "access_token")).await;
    assert_eq!((s(&now, "email"), &now["email_verified"]), ("ada@new.example", &json!(true)));
    assert_eq!(app.login("ada@new.example", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
}

async fn closing_an_account_stops_every_token_and_frees_the_email(b: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(b, &sink, |_| {}).await;
    let t = app.register("ada@example.com").await;
    next_mail(&sink, VERIFY).await;
    let access = s(&t, "access_token");
    let close = |password: &str| {
        let req = app.client.delete(app.url("/api/v1/auth/me")).bearer_auth(access);
        req.json(&json!({ "password": password })).send()
    };
    let res = close("not the password").await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(close(PASSWORD).await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(app.me(access).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.refresh(s(&t, "refresh_token")).await.status(), StatusCode::UNAUTHORIZED);
    let (to, subject, _) = next_mail(&sink, VERIFY).await;
    assert_eq!(to, "ada@example.com");
    assert!(subject.to_lowercase().contains("closed"), "{subject}");
    app.register("ada@example.com").await;
}

async fn unverified_accounts_are_refused_when_the_policy_says_so(b: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(b, &sink, |c| c.accounts.require_verified_email = true).await;
    let t = app.register("ada@example.com").await;
    let res = app.login("ada@example.com", PASSWORD).await;
    assert_problem(res, StatusCode::FORBIDDEN, "email_not_verified").await;
    let res = app.refresh(s(&t, "refresh_token")).await;
    assert_problem(res, StatusCode::FORBIDDEN, "email_not_verified").await;
    let token = next_mail(&sink, VERIFY).await.2.expect("a verification link");
    post(&app, "/api/v1/auth/email/verify", None, json!({ "token": token })).await;
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(app.refresh(s(&t, "refresh_token")).await.status(), StatusCode::OK);
}

/// The metric `baton_mail_total{outcome}` of `app`.
async fn mails(app: &TestApp, outcome: &str) -> u64 {
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let series = format!("baton_mail_total{{outcome=\"{outcome}\"}} ");
    let line = text.lines().find(|l| l.starts_with(&series)).expect("the series");
    line[series.len()..].parse().unwrap()
}

async fn an_smtp_outage_delays_mail_but_loses_none(b: Backend) {
    let sink = SmtpSink::start().await;
    sink.stop().await;
    let app = mail_app(b, &sink, |_| {}).await;
    app.register("ada@example.com").await;
    while mails(&app, "retried").await == 0 {
        tokio::time::sleep(Duration::from_millis(100)).await; // the sender's next round
    }
    assert_eq!(mails(&app, "sent").await, 0);
    sink.restart().await;
    let (to, _, token) = next_mail(&sink, VERIFY).await;
    assert_eq!(to, "ada@example.com");
    assert!(token.is_some());
    while mails(&app, "sent").await == 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sink.try_next_message().await.is_none(), "delivered once");
}

async fn two_servers_on_one_database_send_each_mail_once(b: Backend) {
    let sink = SmtpSink::start().await;
    let first = mail_app(b, &sink, |_| {}).await;
    let second = first.twin().await;
    baton_http::server::spawn_mail_sender(&second.service.state);
    let users: Vec<String> = (0..6).map(|i| format!("user{i}@example.com")).collect();
    for (i, email) in users.iter().enumerate() {
        if i % 2 == 0 {
            first.register(email).await
        } else {
            second.register(email).await
        };
    }
    let mut received = Vec::new();
    for _ in &users {
        received.push(next_mail(&sink, VERIFY).await.0);
    }
    received.sort();
    assert_eq!(received, users);
    while mails(&first, "sent").await + mails(&second, "sent").await < 6 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sink.try_next_message().await.is_none(), "no mail twice");
}

async fn without_mail_the_link_routes_answer_503(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let res =
        post(&app, "/api/v1/auth/password/forgot", None, json!({ "email": "ada@example.com" }))
            .await;
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "mail_unavailable").await;
    let res =
        post(&app, "/api/v1/auth/email/verify/resend", Some(s(&t, "access_token")), json!({}))
            .await;
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "mail_unavailable").await;
    // What needs no mail still works.
    let right = json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD });
    let res = post(&app, "/api/v1/auth/password", Some(s(&t, "access_token")), right).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

on_both_backends!(
    registration_mails_a_link_that_verifies_the_email_once,
    a_forgotten_password_is_reset_through_the_mailed_link,
    a_reset_lifts_the_lockout,
    changing_the_password_keeps_only_the_callers_session,
    a_new_email_takes_effect_once_confirmed_and_the_old_one_is_told,
    closing_an_account_stops_every_token_and_frees_the_email,
    unverified_accounts_are_refused_when_the_policy_says_so,
    an_smtp_outage_delays_mail_but_loses_none,
    two_servers_on_one_database_send_each_mail_once,
    without_mail_the_link_routes_answer_503,
);
