//! `Auth::introspect` (SPEC §9, RFC 7662): a token is active only while it verifies, its
//! session is live and, for a refresh token, it is the session's current one; introspection
//! only reads.

mod support;

use baton_core::{Claims, RefreshError, TokenIssuer, TokenKind};
use support::{PASSWORD, client, world};
use time::Duration;

async fn active(w: &support::World, token: &str, hint: Option<TokenKind>) -> Option<Claims> {
    w.auth.introspect(token, hint).await.expect("no fault").map(|a| a.claims)
}

#[tokio::test]
async fn live_tokens_are_active_with_their_claims_whatever_the_hint() {
    let w = world();
    let t = w.register("ada@example.com").await;
    let access = w.issuer.verify(&t.access_token, TokenKind::Access, w.now()).unwrap();
    let refresh = w.issuer.verify(&t.refresh_token, TokenKind::Refresh, w.now()).unwrap();
    for hint in [None, Some(TokenKind::Access), Some(TokenKind::Refresh)] {
        assert_eq!(active(&w, &t.access_token, hint).await.as_ref(), Some(&access), "{hint:?}");
        assert_eq!(active(&w, &t.refresh_token, hint).await.as_ref(), Some(&refresh), "{hint:?}");
    }
}

#[tokio::test]
async fn a_retired_refresh_token_is_inactive_and_introspecting_it_changes_nothing() {
    let w = world();
    let t = w.register("ada@example.com").await;
    let t2 = w.auth.refresh(&t.refresh_token).await.unwrap();
    let before = w.session(t.session_id);
    assert_eq!(active(&w, &t.refresh_token, Some(TokenKind::Refresh)).await, None);
    assert_eq!(w.session(t.session_id), before, "reads only: no reuse detection");
    assert!(active(&w, &t2.refresh_token, None).await.is_some());
    assert!(
        active(&w, &t.access_token, None).await.is_some(),
        "the session's access tokens live on"
    );
    w.auth.refresh(&t2.refresh_token).await.expect("the current token still rotates");
}

#[tokio::test]
async fn a_refresh_token_is_active_only_byte_for_byte() {
    let w = world();
    let t = w.register("ada@example.com").await;
    let claims = w.issuer.verify(&t.refresh_token, TokenKind::Refresh, w.now()).unwrap();
    // The same claims signed by another key of the set: it verifies, but it is not the token
    // whose hash the session stores.
    w.issuer.sign_with("k2");
    let twin = w.issuer.sign(&claims).unwrap();
    assert_ne!(twin, t.refresh_token);
    assert_eq!(active(&w, &twin, None).await, None);
    assert!(active(&w, &t.refresh_token, None).await.is_some());
}

#[tokio::test]
async fn ended_sessions_end_every_token_at_once() {
    let w = world();
    // Logout.
    let t = w.register("ada@example.com").await;
    let me = w.auth.authenticate(&t.access_token).await.unwrap();
    w.auth.logout(&me, baton_core::LogoutScope::Local, None).await.unwrap();
    assert_eq!(active(&w, &t.access_token, None).await, None);
    assert_eq!(active(&w, &t.refresh_token, None).await, None);
    // Reuse detection.
    let u = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
    let u2 = w.auth.refresh(&u.refresh_token).await.unwrap();
    assert!(matches!(w.auth.refresh(&u.refresh_token).await, Err(RefreshError::ReuseDetected)));
    assert_eq!(active(&w, &u2.access_token, None).await, None);
    assert_eq!(active(&w, &u2.refresh_token, None).await, None);
    // A disabled account.
    let b = w.register("bob@example.com").await;
    w.auth.set_account_disabled("bob@example.com", true).await.unwrap();
    assert_eq!(active(&w, &b.access_token, None).await, None);
    // The session's absolute end.
    let c = w.register("cy@example.com").await;
    let end = w.now() - Duration::seconds(1);
    assert!(w.store.edit_session(c.session_id, |s| s.absolute_expires_at = end));
    assert_eq!(active(&w, &c.access_token, None).await, None);
    assert_eq!(active(&w, &c.refresh_token, None).await, None);
}

#[tokio::test]
async fn expired_forged_and_foreign_tokens_are_inactive() {
    let w = world();
    let t = w.register("ada@example.com").await;
    let other = w.register("bob@example.com").await;
    for junk in ["", "garbage", "a|b|c"] {
        assert_eq!(active(&w, junk, None).await, None, "{junk:?}");
    }
    // A token naming someone else's session (only a key holder could make one).
    let mut claims = w.issuer.verify(&t.access_token, TokenKind::Access, w.now()).unwrap();
    claims.session_id = other.session_id;
    let crossed = w.issuer.sign(&claims).unwrap();
    assert_eq!(active(&w, &crossed, None).await, None);
    // The access token expires; the refresh token of the same session lives on.
    w.clock.advance(Duration::hours(1));
    assert_eq!(active(&w, &t.access_token, None).await, None);
    assert!(active(&w, &t.refresh_token, None).await.is_some());
    // A key taken out of the set.
    w.issuer.forget("k1");
    assert_eq!(active(&w, &t.refresh_token, None).await, None);
}
