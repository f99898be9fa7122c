//! Logout scopes, the sessions list and purge (SPEC §4) with in-memory ports.

mod support;

use baton_core::{AccessError, LogoutScope, RefreshError, RevokeReason, RevokeSessionError};
use support::{PASSWORD, client, world};
use time::Duration;

async fn three_sessions(w: &support::World) -> [baton_core::IssuedTokens; 3] {
    let a = w.register("ada@example.com").await;
    let b = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
    let c = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
    [a, b, c]
}

#[tokio::test]
async fn local_logout_ends_only_the_callers_session_and_both_its_tokens() {
    let w = world();
    let [a, b, _] = three_sessions(&w).await;
    let me = w.auth.authenticate(&a.access_token).await.unwrap();
    w.auth.logout(&me, LogoutScope::Local, None).await.unwrap();
    assert!(matches!(w.auth.authenticate(&a.access_token).await, Err(AccessError::SessionRevoked)));
    assert!(matches!(w.auth.refresh(&a.refresh_token).await, Err(RefreshError::SessionRevoked)));
    assert_eq!(w.session(a.session_id).revoke_reason, Some(RevokeReason::Logout));
    w.auth.authenticate(&b.access_token).await.unwrap();
}

#[tokio::test]
async fn local_logout_also_ends_the_session_of_an_own_refresh_token_in_the_body() {
    let w = world();
    let [a, b, c] = three_sessions(&w).await;
    let stranger = w.register("bob@example.com").await;
    let me = w.auth.authenticate(&a.access_token).await.unwrap();
    w.auth.logout(&me, LogoutScope::Local, Some(&b.refresh_token)).await.unwrap();
    w.auth.logout(&me, LogoutScope::Local, Some(&stranger.refresh_token)).await.unwrap();
    w.auth.logout(&me, LogoutScope::Local, Some("garbage")).await.unwrap();
    assert!(w.session(b.session_id).revoked_at.is_some());
    assert!(w.session(c.session_id).revoked_at.is_none());
    assert!(w.session(stranger.session_id).revoked_at.is_none(), "not the caller's to end");
}

#[tokio::test]
async fn global_logout_ends_every_session_of_the_user() {
    let w = world();
    let sessions = three_sessions(&w).await;
    let other = w.register("bob@example.com").await;
    let me = w.auth.authenticate(&sessions[1].access_token).await.unwrap();
    w.auth.logout(&me, LogoutScope::Global, None).await.unwrap();
    for s in &sessions {
        assert!(matches!(
            w.auth.authenticate(&s.access_token).await,
            Err(AccessError::SessionRevoked)
        ));
    }
    w.auth.authenticate(&other.access_token).await.unwrap();
}

#[tokio::test]
async fn logout_of_others_keeps_only_the_callers_session() {
    let w = world();
    let [a, b, c] = three_sessions(&w).await;
    let me = w.auth.authenticate(&b.access_token).await.unwrap();
    w.auth.logout(&me, LogoutScope::Others, None).await.unwrap();
    w.auth.authenticate(&b.access_token).await.unwrap();
    for s in [&a, &c] {
        assert!(matches!(
            w.auth.authenticate(&s.access_token).await,
            Err(AccessError::SessionRevoked)
        ));
    }
}

#[tokio::test]
async fn the_sessions_list_shows_active_sessions_and_marks_the_current_one() {
    let w = world();
    let [a, b, c] = three_sessions(&w).await;
    let me = w.auth.authenticate(&b.access_token).await.unwrap();
    w.auth.revoke_own_session(&me, c.session_id).await.unwrap();
    let list = w.auth.list_sessions(&me).await.unwrap();
    let ids: Vec<_> = list.iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&a.session_id) && ids.contains(&b.session_id));
    for s in &list {
        assert_eq!(s.current, s.id == b.session_id);
        assert_eq!(s.user_agent.as_deref(), Some("test-agent"));
    }
}

#[tokio::test]
async fn revoking_a_session_that_is_not_the_callers_active_one_is_not_found() {
    let w = world();
    let mine = w.register("ada@example.com").await;
    let theirs = w.register("bob@example.com").await;
    let me = w.auth.authenticate(&mine.access_token).await.unwrap();
    let not_found = async |id| {
        matches!(w.auth.revoke_own_session(&me, id).await, Err(RevokeSessionError::NotFound))
    };
    assert!(not_found(theirs.session_id).await);
    assert!(not_found(uuid::Uuid::nil()).await);
    w.auth.authenticate(&theirs.access_token).await.unwrap();
    // Revoking one's own session twice: the second time it is no longer active.
    let second = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
    w.auth.revoke_own_session(&me, second.session_id).await.unwrap();
    assert!(not_found(second.session_id).await);
}

#[tokio::test]
async fn purge_removes_expired_and_old_revoked_sessions_only() {
    let w = world();
    let expired = w.register("a@example.com").await;
    w.clock.advance(Duration::days(6));
    let revoked_long_ago = w.register("b@example.com").await;
    let me = w.auth.authenticate(&revoked_long_ago.access_token).await.unwrap();
    w.auth.logout(&me, LogoutScope::Local, None).await.unwrap();
    w.clock.advance(Duration::days(2));
    let revoked_recently = w.register("c@example.com").await;
    let me = w.auth.authenticate(&revoked_recently.access_token).await.unwrap();
    w.auth.logout(&me, LogoutScope::Local, None).await.unwrap();
    let live = w.register("d@example.com").await;

    assert_eq!(w.auth.purge().await.unwrap(), 2);
    assert!(w.store.session(expired.session_id).is_none());
    assert!(w.store.session(revoked_long_ago.session_id).is_none());
    assert!(w.store.session(revoked_recently.session_id).is_some(), "kept for the audit window");
    assert!(w.store.session(live.session_id).is_some());
}
