//! `GET /api/v1/auth/me` and the access-token check every bearer route shares (SPEC §3, §7).

use crate::helpers::*;
use crate::on_both_backends;
use baton_core::TokenKind;
use baton_core::testing::FakeClock;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

async fn me_returns_the_user(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let res = app.me(s(&t, "access_token")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.json::<serde_json::Value>().await.unwrap(), t["user"]);
    // The scheme name is case-insensitive (RFC 7235).
    let res = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .header("authorization", format!("bearer {}", s(&t, "access_token")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn no_token_is_401_with_a_bare_challenge(b: Backend) {
    let app = spawn_app(b).await;
    for auth in [None, Some("Basic YWRhOnB3"), Some("Bearer"), Some("Bearer   ")] {
        let mut req = app.client.get(app.url("/api/v1/auth/me"));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.headers()["www-authenticate"], "Bearer realm=\"baton\"");
        assert_problem(res, StatusCode::UNAUTHORIZED, "missing_token").await;
    }
}

/// Every kind of bad access token of SPEC §7, each answered 401 with the right code.
async fn bad_access_tokens_are_401(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let access = s(&t, "access_token").to_owned();
    let (user, session) = ids_of(&access);
    let issuer = app.issuer();
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let tok = |kind, from: OffsetDateTime, until| {
        sign(&issuer, &claims(kind, user, session, from, until))
    };

    let mut header = decode_part(&access, 0);
    header["alg"] = json!("none");
    let alg_none = format!("{}.{}.", encode_part(&header), access.split('.').nth(1).unwrap());
    let alg_none_sig =
        format!("{}.{}.c2ln", encode_part(&header), access.split('.').nth(1).unwrap());
    let mut payload = decode_part(&access, 1);
    payload["sub"] = json!(Uuid::new_v4().to_string());
    let parts: Vec<_> = access.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], encode_part(&payload), parts[2]);
    let mut hs512 = decode_part(&access, 0);
    hs512["alg"] = json!("HS512");
    let other_alg = format!("{}.{}.{}", encode_part(&hs512), parts[1], parts[2]);

    let cases: Vec<(&str, String, &str)> = vec![
        ("garbage", "garbage".into(), "invalid_token"),
        ("three junk parts", "a.b.c".into(), "invalid_token"),
        ("truncated", access[..access.len() - 10].to_owned(), "invalid_token"),
        ("9 KiB", "a".repeat(9 * 1024), "invalid_token"),
        ("alg none", alg_none, "invalid_token"),
        ("alg none with signature", alg_none_sig, "invalid_token"),
        ("alg HS512", other_alg, "invalid_token"),
        ("tampered payload", tampered, "invalid_token"),
        ("refresh token", s(&t, "refresh_token").to_owned(), "invalid_token"),
        (
            "other key",
            sign(
                &app.foreign_issuer(),
                &claims(TokenKind::Access, user, session, now, now + Duration::minutes(5)),
            ),
            "invalid_token",
        ),
        (
            "expired",
            tok(TokenKind::Access, now - Duration::hours(2), now - Duration::hours(1)),
            "token_expired",
        ),
        (
            "not yet valid",
            tok(TokenKind::Access, now + Duration::hours(1), now + Duration::hours(2)),
            "invalid_token",
        ),
        (
            "unknown session",
            sign(
                &issuer,
                &claims(TokenKind::Access, user, Uuid::new_v4(), now, now + Duration::minutes(5)),
            ),
            "invalid_token",
        ),
        (
            "someone else's session",
            sign(
                &issuer,
                &claims(
                    TokenKind::Access,
                    Uuid::new_v4(),
                    session,
                    now,
                    now + Duration::minutes(5),
                ),
            ),
            "invalid_token",
        ),
    ];
    for (name, token, code) in cases {
        let res = app.me(&token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{name}");
        let body = assert_bearer_rejected(res, code).await;
        assert!(
            !body.to_string().contains(&token[..token.len().min(40)]),
            "{name}: echoes the token"
        );
    }
    // None of that touched the session.
    assert_eq!(app.me(&access).await.status(), StatusCode::OK);
}

async fn a_token_within_the_leeway_is_accepted(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let (user, session) = ids_of(s(&t, "access_token"));
    let now = OffsetDateTime::now_utc();
    let just_expired = claims(
        TokenKind::Access,
        user,
        session,
        now - Duration::minutes(5),
        now - Duration::seconds(20),
    );
    assert_eq!(app.me(&sign(&app.issuer(), &just_expired)).await.status(), StatusCode::OK);
}

async fn token_of_a_deleted_user_is_401(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let (user, _) = ids_of(s(&t, "access_token"));
    assert!(baton_store::testing::delete_user(&app.service.store, user).await.unwrap());
    assert_bearer_rejected(app.me(s(&t, "access_token")).await, "invalid_token").await;
    let res = app.refresh(s(&t, "refresh_token")).await;
    assert_bearer_rejected(res, "invalid_token").await;
}

async fn a_disabled_account_ends_its_access_tokens(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    app.service.state.auth.set_account_disabled("ada@example.com", true).await.unwrap();
    assert_bearer_rejected(app.me(s(&t, "access_token")).await, "account_disabled").await;
    let res = app.refresh(s(&t, "refresh_token")).await;
    assert_problem(res, StatusCode::FORBIDDEN, "account_disabled").await;
}

async fn access_tokens_expire_with_their_ttl(b: Backend) {
    let clock = Arc::new(FakeClock::at(OffsetDateTime::now_utc()));
    let app = spawn_app_at(b, clock.clone()).await;
    let (ttl, leeway) = (app.config.tokens.access_ttl, app.config.jwt.leeway);
    let t = app.register("ada@example.com").await;
    assert_eq!(t["expires_in"], ttl.as_secs());
    // Still valid in the last second of its leeway (valid before `exp` + leeway).
    clock.advance(time::Duration::try_from(ttl + leeway).unwrap() - time::Duration::seconds(1));
    assert_eq!(app.me(s(&t, "access_token")).await.status(), StatusCode::OK);
    clock.advance(time::Duration::seconds(1));
    assert_bearer_rejected(app.me(s(&t, "access_token")).await, "token_expired").await;
    // The refresh token still works and gives a fresh access token.
    let res = app.refresh(s(&t, "refresh_token")).await;
    assert_eq!(res.status(), StatusCode::OK);
}

on_both_backends!(
    me_returns_the_user,
    no_token_is_401_with_a_bare_challenge,
    bad_access_tokens_are_401,
    a_token_within_the_leeway_is_accepted,
    token_of_a_deleted_user_is_401,
    a_disabled_account_ends_its_access_tokens,
    access_tokens_expire_with_their_ttl,
);
