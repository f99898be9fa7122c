//! `Auth::introspect` (SPEC §9, §11, RFC 7662): an access token is active only while it
//! verifies and its session is live; a refresh token never is (it is no credential at an
//! API); introspection only reads. And `Auth::revoke_token` (RFC 7009).

mod support;

use baton_core::{Claims, RefreshError, TokenIssuer, TokenKind};
use support::{PASSWORD, client, world};
use time::Duration;

async fn active(w: &support::World, token: &str, _hint: Option<TokenKind>) -> Option<Claims> {
    w.auth.introspect(token).await.expect("no fault").map(|a| a.claims)
}

#[tokio::test]
async fn a_live_access_token_is_active_with_its_claims_and_username() {
    let w = world();
    let t = w.register("ada@example.com").await;
    let access = w.issuer.verify(&t.access_token, TokenKind::Access, w.now()).unwrap();
    let answer = w.auth.introspect(&t.access_token).await.unwrap().expect("active");
    assert_eq!((answer.claims, answer.username.as_str()), (access, "ada@example.com"));
}

#[tokio::test]
async fn a_refresh_token_is_never_active_and_introspecting_it_changes_nothing() {
    let w = world();
    let t = w.register("ada@example.com").await;
    let before = w.session(t.session_id);
    assert_eq!(active(&w, &t.refresh_token, Some(TokenKind::Refresh)).await, None);
    assert_eq!(w.session(t.session_id), before, "reads only");
    w.auth.refresh(&t.refresh_token).await.expect("the refresh token still rotates");
}

#[tokio::test]
async fn ended_sessions_end_every_token_at_once() {
    let w = world();
    // Logout.
    let t = w.register("ada@example.com").await;
    let me = w.auth.authenticate(&t.access_token).await.unwrap();
    w.auth.logout(&me, baton_core::LogoutScope::Local, None).await.unwrap();
    assert_eq!(active(&w, &t.access_token, None).await, None);
    // Reuse detection.
    let u = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
    let u2 = w.auth.refresh(&u.refresh_token).await.unwrap();
    assert!(matches!(w.auth.refresh(&u.refresh_token).await, Err(RefreshError::ReuseDetected)));
    assert_eq!(active(&w, &u2.access_token, None).await, None);
    // A disabled account.
    let b = w.register("bob@example.com").await;
    w.auth.set_account_disabled("bob@example.com", true).await.unwrap();
    assert_eq!(active(&w, &b.access_token, None).await, None);
    // The session's absolute end.
    let c = w.register("cy@example.com").await;
    let end = w.now() - Duration::seconds(1);
    assert!(w.store.edit_session(c.session_id, |s| s.absolute_expires_at = end));
    assert_eq!(active(&w, &c.access_token, None).await, None);
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
    // A key taken out of the set.
    let u = w.register("cy@example.com").await;
    assert!(active(&w, &u.access_token, None).await.is_some());
    w.issuer.forget("k1");
    assert_eq!(active(&w, &u.access_token, None).await, None);
    // The access token expires.
    w.clock.advance(Duration::hours(1));
    assert_eq!(active(&w, &t.access_token, None).await, None);
}

#[tokio::test]
async fn revoking_either_token_ends_the_whole_session_and_junk_is_ignored() {
    let w = world();
    for junk in ["", "garbage"] {
        assert!(!w.auth.revoke_token(junk).await.unwrap(), "{junk:?}");
    }
    let t = w.register("ada@example.com").await;
    assert!(w.auth.revoke_token(&t.refresh_token).await.unwrap());
    assert_eq!(active(&w, &t.access_token, None).await, None);
    assert!(w.auth.refresh(&t.refresh_token).await.is_err());
    assert!(!w.auth.revoke_token(&t.refresh_token).await.unwrap(), "already ended");
    let u = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
    assert!(w.auth.revoke_token(&u.access_token).await.unwrap());
    assert!(matches!(w.auth.refresh(&u.refresh_token).await, Err(RefreshError::SessionRevoked)));
}
