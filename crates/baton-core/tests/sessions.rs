//! Logout scopes, the sessions list and purge (SPEC §4) with in-memory ports.

mod support;

use baton_core::{AccessError, LogoutScope, RefreshError, RevokeReason, RevokeSessionError};
use support::{PASSWORD, client, world};
use time::Duration;

fn three_sessions(w: &support::World) -> [baton_core::IssuedTokens; 3] {
    let a = w.register("ada@example.com");
    let b = w.auth.login("ada@example.com", PASSWORD, client()).unwrap();
    let c = w.auth.login("ada@example.com", PASSWORD, client()).unwrap();
    [a, b, c]
}

#[test]
fn local_logout_ends_only_the_callers_session_and_both_its_tokens() {
    let w = world();
    let [a, b, _] = three_sessions(&w);
    let me = w.auth.authenticate(&a.access_token).unwrap();
    w.auth.logout(&me, LogoutScope::Local, None).unwrap();
    assert!(matches!(w.auth.authenticate(&a.access_token), Err(AccessError::SessionRevoked)));
    assert!(matches!(w.auth.refresh(&a.refresh_token), Err(RefreshError::SessionRevoked)));
    assert_eq!(w.session(a.session_id).revoke_reason, Some(RevokeReason::Logout));
    w.auth.authenticate(&b.access_token).unwrap();
}

#[test]
fn local_logout_also_ends_the_session_of_an_own_refresh_token_in_the_body() {
    let w = world();
    let [a, b, c] = three_sessions(&w);
    let stranger = w.register("bob@example.com");
    let me = w.auth.authenticate(&a.access_token).unwrap();
    w.auth.logout(&me, LogoutScope::Local, Some(&b.refresh_token)).unwrap();
    w.auth.logout(&me, LogoutScope::Local, Some(&stranger.refresh_token)).unwrap();
    w.auth.logout(&me, LogoutScope::Local, Some("garbage")).unwrap();
    assert!(w.session(b.session_id).revoked_at.is_some());
    assert!(w.session(c.session_id).revoked_at.is_none());
    assert!(w.session(stranger.session_id).revoked_at.is_none(), "not the caller's to end");
}

#[test]
fn global_logout_ends_every_session_of_the_user() {
    let w = world();
    let sessions = three_sessions(&w);
    let other = w.register("bob@example.com");
    let me = w.auth.authenticate(&sessions[1].access_token).unwrap();
    w.auth.logout(&me, LogoutScope::Global, None).unwrap();
    for s in &sessions {
        assert!(matches!(w.auth.authenticate(&s.access_token), Err(AccessError::SessionRevoked)));
    }
    w.auth.authenticate(&other.access_token).unwrap();
}

#[test]
fn logout_of_others_keeps_only_the_callers_session() {
    let w = world();
    let [a, b, c] = three_sessions(&w);
    let me = w.auth.authenticate(&b.access_token).unwrap();
    w.auth.logout(&me, LogoutScope::Others, None).unwrap();
    w.auth.authenticate(&b.access_token).unwrap();
    for s in [&a, &c] {
        assert!(matches!(w.auth.authenticate(&s.access_token), Err(AccessError::SessionRevoked)));
    }
}

#[test]
fn the_sessions_list_shows_active_sessions_and_marks_the_current_one() {
    let w = world();
    let [a, b, c] = three_sessions(&w);
    let me = w.auth.authenticate(&b.access_token).unwrap();
    w.auth.revoke_own_session(&me, c.session_id).unwrap();
    let list = w.auth.list_sessions(&me).unwrap();
    let ids: Vec<_> = list.iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&a.session_id) && ids.contains(&b.session_id));
    for s in &list {
        assert_eq!(s.current, s.id == b.session_id);
        assert_eq!(s.user_agent.as_deref(), Some("test-agent"));
    }
}

#[test]
fn revoking_a_session_that_is_not_the_callers_active_one_is_not_found() {
    let w = world();
    let mine = w.register("ada@example.com");
    let theirs = w.register("bob@example.com");
    let me = w.auth.authenticate(&mine.access_token).unwrap();
    let not_found =
        |id| matches!(w.auth.revoke_own_session(&me, id), Err(RevokeSessionError::NotFound));
    assert!(not_found(theirs.session_id));
    assert!(not_found(uuid::Uuid::nil()));
    w.auth.authenticate(&theirs.access_token).unwrap();
    // Revoking one's own session twice: the second time it is no longer active.
    let second = w.auth.login("ada@example.com", PASSWORD, client()).unwrap();
    w.auth.revoke_own_session(&me, second.session_id).unwrap();
    assert!(not_found(second.session_id));
}

#[test]
fn purge_removes_expired_and_old_revoked_sessions_only() {
    let w = world();
    let expired = w.register("a@example.com");
    w.clock.advance(Duration::days(6));
    let revoked_long_ago = w.register("b@example.com");
    let me = w.auth.authenticate(&revoked_long_ago.access_token).unwrap();
    w.auth.logout(&me, LogoutScope::Local, None).unwrap();
    w.clock.advance(Duration::days(2));
    let revoked_recently = w.register("c@example.com");
    let me = w.auth.authenticate(&revoked_recently.access_token).unwrap();
    w.auth.logout(&me, LogoutScope::Local, None).unwrap();
    let live = w.register("d@example.com");

    assert_eq!(w.auth.purge().unwrap(), 2);
    assert!(w.store.session(expired.session_id).is_none());
    assert!(w.store.session(revoked_long_ago.session_id).is_none());
    assert!(w.store.session(revoked_recently.session_id).is_some(), "kept for the audit window");
    assert!(w.store.session(live.session_id).is_some());
}
