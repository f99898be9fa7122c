//! The limits on password guessing over HTTP (SPEC §5): the lockout counted before the
//! password check (a burst cannot outrun it), per account *and* client address, the ceiling
//! per address, and the per-address rate limit of register and login.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::json;

/// A login from `address` as a trusted proxy would forward it.
async fn login_from(
    app: &TestApp,
    address: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", address)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

fn behind_proxy(c: &mut baton_server::config::Config) {
    c.server.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
}

async fn a_burst_of_wrong_passwords_gets_at_most_the_max_password_checks(b: Backend) {
    let app = spawn_app(b).await;
    app.register("ada@example.com").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
        tasks.spawn(async move {
            let body = json!({ "email": "ada@example.com", "password": "wrong password!" });
            client.post(url).json(&body).send().await.unwrap().status()
        });
    }
    let statuses = tasks.join_all().await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let locked = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, locked), (5, 19), "{statuses:?}");
    let right = app.login("ada@example.com", PASSWORD).await;
    assert!(right.headers().contains_key("retry-after"));
    assert_problem(right, StatusCode::TOO_MANY_REQUESTS, "locked_out").await;
}

async fn an_attacker_cannot_lock_the_owner_out_from_another_address(b: Backend) {
    let app = spawn_app_with(b, behind_proxy).await;
    app.register("ada@example.com").await;
    for _ in 0..5 {
        let res = login_from(&app, "203.0.113.66", "ada@example.com", "guess-guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let attacker = login_from(&app, "203.0.113.66", "ada@example.com", PASSWORD).await;
    assert_problem(attacker, StatusCode::TOO_MANY_REQUESTS, "locked_out").await;
    let owner = login_from(&app, "198.51.100.7", "ada@example.com", PASSWORD).await;
    assert_eq!(owner.status(), StatusCode::OK, "the owner's address is not locked");
}

async fn forwarded_addresses_count_only_behind_a_trusted_proxy(b: Backend) {
    // Without trusted proxies the header is the client's to write, so it changes nothing:
    // every attempt counts against the real peer.
    let app = spawn_app(b).await;
    app.register("ada@example.com").await;
    for i in 0..5 {
        let res =
            login_from(&app, &format!("203.0.113.{i}"), "ada@example.com", "guess-guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = login_from(&app, "198.51.100.7", "ada@example.com", PASSWORD).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "locked_out").await;
}

async fn one_address_over_many_accounts_hits_the_ceiling(b: Backend) {
    let app = spawn_app_with(b, |c| {
        behind_proxy(c);
        c.login.max_failures_per_address = 3;
    })
    .await;
    app.register("ada@example.com").await;
    for i in 0..3 {
        let res =
            login_from(&app, "203.0.113.9", &format!("u{i}@example.com"), "guess-guess").await;
        assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let res = login_from(&app, "203.0.113.9", "ada@example.com", PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "locked_out").await;
    let other = login_from(&app, "203.0.113.10", "ada@example.com", PASSWORD).await;
    assert_eq!(other.status(), StatusCode::OK);
}

async fn register_and_login_are_rate_limited_per_address_but_refresh_is_not(b: Backend) {
    let app = spawn_app_with(b, |c| {
        behind_proxy(c);
        c.rate_limit.burst = 2;
        c.rate_limit.interval = std::time::Duration::from_secs(3600);
    })
    .await;
    let register = |email: &str, address: &str| {
        app.client
            .post(app.url("/api/v1/auth/register"))
            .header("x-forwarded-for", address)
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
    };
    let first = register("ada@example.com", "203.0.113.1").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let t: serde_json::Value = first.json().await.unwrap();
    assert_eq!(
        login_from(&app, "203.0.113.1", "ada@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
    let limited = register("bob@example.com", "203.0.113.1").await.unwrap();
    let retry: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1, "{retry}");
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let limited = login_from(&app, "203.0.113.1", "ada@example.com", PASSWORD).await;
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another address has its own bucket; refresh and access checks are never limited.
    assert_eq!(
        register("bob@example.com", "203.0.113.2").await.unwrap().status(),
        StatusCode::CREATED
    );
    let mut refresh = s(&t, "refresh_token").to_owned();
    for _ in 0..10 {
        let res = app.refresh(&refresh).await;
        assert_eq!(res.status(), StatusCode::OK);
        let next: serde_json::Value = res.json().await.unwrap();
        refresh = s(&next, "refresh_token").to_owned();
        assert_eq!(app.me(s(&next, "access_token")).await.status(), StatusCode::OK);
    }
}

on_both_backends!(
    a_burst_of_wrong_passwords_gets_at_most_the_max_password_checks,
    an_attacker_cannot_lock_the_owner_out_from_another_address,
    forwarded_addresses_count_only_behind_a_trusted_proxy,
    one_address_over_many_accounts_hits_the_ceiling,
    register_and_login_are_rate_limited_per_address_but_refresh_is_not,
);
