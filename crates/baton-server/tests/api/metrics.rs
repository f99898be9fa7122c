//! `GET /metrics`: the counters move as a register/login/refresh/reuse run says they should.

use crate::helpers::*;
use crate::on_both_backends;
use baton_core::TokenKind;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;
use time::{Duration, OffsetDateTime};

/// One sample of the text format: metric name, labels, value.
pub type Sample = (String, BTreeMap<String, String>, f64);

/// Parses the Prometheus text exposition format (enough of it for Baton's output).
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("sample line");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|l| !l.is_empty())
                .map(|l| {
                    let (k, v) = l.split_once('=').expect("label");
                    (k.to_owned(), v.trim_matches('"').to_owned())
                })
                .collect();
            (name.to_owned(), labels, value.parse().expect("numeric value"))
        })
        .collect()
}

/// The value of the sample of `name` whose labels include `labels`, summed over the rest.
pub fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| {
            n == name && labels.iter().all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| v)
        .sum()
}

/// The server's `/metrics`, parsed.
pub async fn scrape(app: &TestApp) -> Vec<Sample> {
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    parse(&res.text().await.unwrap())
}

async fn counters_follow_a_register_login_refresh_reuse_run(b: Backend) {
    let app = spawn_app_with(b, |c| c.login.max_failed_logins = 2).await;
    let before = scrape(&app).await;
    for outcome in ["rotated", "reuse_detected", "expired", "invalid", "revoked", "disabled"] {
        let labels = [("outcome", outcome)];
        assert_eq!(value(&before, "baton_refresh_total", &labels), 0.0, "{outcome}");
    }

    // Registrations: ok, email taken, invalid input.
    let t1 = app.register("ada@example.com").await;
    let again = json!({ "email": "ada@example.com", "password": PASSWORD });
    assert_eq!(app.post_json("/api/v1/auth/register", &again).await.status(), 409);
    let bad = json!({ "email": "not-an-email", "password": PASSWORD });
    assert_eq!(app.post_json("/api/v1/auth/register", &bad).await.status(), 400);

    // Refreshes: rotated, reuse detected, revoked, invalid, expired.
    let t2 = app.login_ok("ada@example.com").await;
    let n1: serde_json::Value = app.refresh(s(&t1, "refresh_token")).await.json().await.unwrap();
    assert_eq!(app.refresh(s(&t1, "refresh_token")).await.status(), 401); // reuse
    assert_eq!(app.refresh(s(&n1, "refresh_token")).await.status(), 401); // session revoked
    assert_eq!(app.refresh("garbage").await.status(), 401);
    let (user, session) = ids_of(s(&t2, "refresh_token"));
    let now = OffsetDateTime::now_utc();
    let claims = claims(
        TokenKind::Refresh,
        user,
        session,
        now - Duration::hours(2),
        now - Duration::hours(1),
    );
    assert_eq!(app.refresh(&sign(&app.issuer(), &claims)).await.status(), 401); // expired

    // Logins: bad credentials (the second locks), locked, disabled.
    app.register("bob@example.com").await;
    for _ in 0..2 {
        assert_eq!(app.login("bob@example.com", "wrong password").await.status(), 401);
    }
    assert_eq!(app.login("bob@example.com", PASSWORD).await.status(), 429);
    app.service.state.auth.set_account_disabled("ada@example.com", true).await.unwrap();
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status(), 403);
    assert_eq!(app.refresh(s(&t2, "refresh_token")).await.status(), 403);

    // Routes are labelled by pattern, never by raw path.
    let sid = uuid::Uuid::new_v4();
    let res = app.client.delete(app.url(&format!("/api/v1/auth/sessions/{sid}"))).send().await;
    assert_eq!(res.unwrap().status(), 401);
    assert_eq!(app.client.get(app.url("/no/such/path")).send().await.unwrap().status(), 404);

    let after = scrape(&app).await;
    let count = |name: &str, outcome: &str| value(&after, name, &[("outcome", outcome)]);
    assert_eq!(count("baton_register_total", "ok"), 2.0);
    assert_eq!(count("baton_register_total", "email_taken"), 1.0);
    assert_eq!(count("baton_register_total", "invalid_input"), 1.0);
    assert_eq!(count("baton_refresh_total", "rotated"), 1.0);
    assert_eq!(count("baton_refresh_total", "reuse_detected"), 1.0);
    assert_eq!(count("baton_refresh_total", "revoked"), 1.0);
    assert_eq!(count("baton_refresh_total", "invalid"), 1.0);
    assert_eq!(count("baton_refresh_total", "expired"), 1.0);
    assert_eq!(count("baton_refresh_total", "disabled"), 1.0);
    assert_eq!(count("baton_login_total", "ok"), 1.0);
    assert_eq!(count("baton_login_total", "bad_credentials"), 2.0);
    assert_eq!(count("baton_login_total", "locked"), 1.0);
    assert_eq!(count("baton_login_total", "disabled"), 1.0);

    let http = |route: &str, method: &str, status: &str| {
        let labels = [("route", route), ("method", method), ("status", status)];
        value(&after, "baton_http_requests_total", &labels)
    };
    assert_eq!(http("/api/v1/auth/refresh", "POST", "200"), 1.0);
    assert_eq!(http("/api/v1/auth/refresh", "POST", "401"), 4.0);
    assert_eq!(http("/api/v1/auth/login", "POST", "429"), 1.0);
    assert_eq!(http("/api/v1/auth/sessions/{id}", "DELETE", "401"), 1.0);
    assert_eq!(http("unmatched", "GET", "404"), 1.0);
    assert!(
        !after.iter().any(|(_, l, _)| l.get("route").is_some_and(|r| r.contains(&sid.to_string())))
    );
    let login_latency = [("route", "/api/v1/auth/login"), ("method", "POST")];
    assert_eq!(value(&after, "baton_http_request_duration_seconds_count", &login_latency), 5.0);

    // Bob's session is the only one alive: ada's were revoked by reuse and by disabling.
    assert_eq!(value(&after, "baton_sessions_active", &[]), 1.0);
    assert!(value(&after, "baton_db_pool_connections", &[]) >= 1.0);
    for gauge in ["baton_db_pool_in_use", "baton_db_pool_waiting", "baton_use_cases_running"] {
        assert!(after.iter().any(|(n, _, v)| n == gauge && *v >= 0.0), "{gauge} missing");
    }
}

async fn a_grace_replay_is_counted_apart_from_rotations(b: Backend) {
    let app =
        spawn_app_with(b, |c| c.tokens.reuse_grace = std::time::Duration::from_secs(30)).await;
    let first = app.register("ada@example.com").await;
    assert_eq!(app.refresh(s(&first, "refresh_token")).await.status(), 200);
    assert_eq!(app.refresh(s(&first, "refresh_token")).await.status(), 200);
    let after = scrape(&app).await;
    let count = |outcome: &str| value(&after, "baton_refresh_total", &[("outcome", outcome)]);
    assert_eq!((count("rotated"), count("grace_replay")), (1.0, 1.0));
}

on_both_backends!(
    counters_follow_a_register_login_refresh_reuse_run,
    a_grace_replay_is_counted_apart_from_rotations
);
