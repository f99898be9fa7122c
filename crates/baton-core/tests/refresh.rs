//! Refresh rotation and reuse detection (SPEC §4) with a fake clock and in-memory ports.

mod support;

use std::sync::Arc;

use baton_core::{AccessError, Policy, RefreshError, RevokeReason};
use support::{world, world_with};
use time::Duration;

fn grace(seconds: i64) -> Policy {
    Policy { reuse_grace: Duration::seconds(seconds), ..Policy::default() }
}

#[tokio::test]
async fn rotation_hands_out_a_new_pair_on_the_same_session() {
    let w = world();
    let first = w.register("ada@example.com").await;
    w.clock.advance(Duration::minutes(5));
    let second = w.auth.refresh(&first.refresh_token).await.unwrap();
    assert_eq!(second.session_id, first.session_id);
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    let s = w.session(first.session_id);
    assert_eq!(s.generation, 1);
    assert_eq!(s.rotated_at, w.now());
    assert_eq!(s.last_used_at, w.now());
    assert_eq!(s.expires_at, w.now() + Duration::days(7));
    // The successor rotates in turn, and the new access token is admitted.
    w.auth.authenticate(&second.access_token).await.unwrap();
    let third = w.auth.refresh(&second.refresh_token).await.unwrap();
    assert_eq!(w.session(third.session_id).generation, 2);
}

#[tokio::test]
async fn a_retired_token_presented_again_revokes_the_session_and_all_its_tokens() {
    let w = world();
    let first = w.register("ada@example.com").await;
    let second = w.auth.refresh(&first.refresh_token).await.unwrap();

    let err = w.auth.refresh(&first.refresh_token).await.unwrap_err();
    assert!(matches!(err, RefreshError::ReuseDetected), "{err:?}");

    let s = w.session(first.session_id);
    assert!(s.revoked_at.is_some());
    assert_eq!(s.revoke_reason, Some(RevokeReason::Reuse));
    // The thief's and the owner's tokens are all dead now, access tokens included.
    assert!(matches!(
        w.auth.refresh(&second.refresh_token).await,
        Err(RefreshError::SessionRevoked)
    ));
    assert!(matches!(
        w.auth.authenticate(&second.access_token).await,
        Err(AccessError::SessionRevoked)
    ));
    assert!(matches!(
        w.auth.authenticate(&first.access_token).await,
        Err(AccessError::SessionRevoked)
    ));
}

#[tokio::test]
async fn reuse_revokes_only_the_session_it_belongs_to() {
    let w = world();
    let laptop = w.register("ada@example.com").await;
    let phone =
        w.auth.login("ada@example.com", support::PASSWORD, support::client()).await.unwrap();
    w.auth.refresh(&laptop.refresh_token).await.unwrap();
    assert!(matches!(
        w.auth.refresh(&laptop.refresh_token).await,
        Err(RefreshError::ReuseDetected)
    ));
    w.auth.authenticate(&phone.access_token).await.unwrap();
    w.auth.refresh(&phone.refresh_token).await.unwrap();
}

#[tokio::test]
async fn previous_token_inside_the_grace_window_gets_the_current_token_without_rotating() {
    let w = world_with(grace(30));
    let first = w.register("ada@example.com").await;
    let winner = w.auth.refresh(&first.refresh_token).await.unwrap();
    w.clock.advance(Duration::seconds(30));

    let loser = w.auth.refresh(&first.refresh_token).await.unwrap();
    assert!(loser.grace_replay && !winner.grace_replay);
    assert_eq!(loser.refresh_token, winner.refresh_token);
    assert_eq!(loser.session_id, winner.session_id);
    w.auth.authenticate(&loser.access_token).await.unwrap();
    let s = w.session(first.session_id);
    assert_eq!(s.generation, 1, "nothing rotated");
    assert!(s.revoked_at.is_none(), "session lives");
    // The shared current token still rotates normally afterwards.
    w.auth.refresh(&winner.refresh_token).await.unwrap();
}

#[tokio::test]
async fn previous_token_after_the_grace_window_is_reuse() {
    let w = world_with(grace(30));
    let first = w.register("ada@example.com").await;
    w.auth.refresh(&first.refresh_token).await.unwrap();
    w.clock.advance(Duration::seconds(31));
    assert!(matches!(w.auth.refresh(&first.refresh_token).await, Err(RefreshError::ReuseDetected)));
    assert!(w.session(first.session_id).revoked_at.is_some());
}

#[tokio::test]
async fn older_tokens_are_reuse_even_inside_the_grace_window() {
    let w = world_with(grace(30));
    let first = w.register("ada@example.com").await;
    let second = w.auth.refresh(&first.refresh_token).await.unwrap();
    w.auth.refresh(&second.refresh_token).await.unwrap();
    assert!(matches!(w.auth.refresh(&first.refresh_token).await, Err(RefreshError::ReuseDetected)));
}

#[tokio::test]
async fn grace_falls_back_to_strict_when_the_current_token_cannot_be_reproduced() {
    let w = world_with(grace(30));
    let first = w.register("ada@example.com").await; // signed with k1
    // The current token is minted with k2, which is gone by the time of the replay; the
    // replayed token's own key (k1) still verifies it, but the current token cannot be
    // re-minted, so strict rules apply.
    w.issuer.sign_with("k2");
    w.auth.refresh(&first.refresh_token).await.unwrap();
    w.issuer.sign_with("k1");
    w.issuer.forget("k2");
    assert!(matches!(w.auth.refresh(&first.refresh_token).await, Err(RefreshError::ReuseDetected)));
    assert!(w.session(first.session_id).revoked_at.is_some());
}

#[tokio::test]
async fn grace_holds_across_a_key_change_while_the_minting_key_is_configured() {
    let w = world_with(grace(30));
    let first = w.register("ada@example.com").await;
    let winner = w.auth.refresh(&first.refresh_token).await.unwrap(); // minted with k1
    // The answering server now signs with k2 (a rolling key change): it re-mints the current
    // token with the key that signed it.
    w.issuer.sign_with("k2");
    let replay = w.auth.refresh(&first.refresh_token).await.unwrap();
    assert!(replay.grace_replay);
    assert_eq!(replay.refresh_token, winner.refresh_token);
    assert!(w.session(first.session_id).revoked_at.is_none());
}

#[tokio::test]
async fn grace_finds_a_current_token_minted_by_the_previous_release() {
    // The previous release's refresh tokens carry no session end; a replay inside the grace
    // must still be answered with such a current token.
    let w = world_with(grace(30));
    let first = w.register("ada@example.com").await;
    let winner = w.auth.refresh(&first.refresh_token).await.unwrap();
    let s = w.session(first.session_id);
    let mut legacy = baton_core::rules::rotation::current_refresh_claims(
        &s,
        w.auth.policy().default_client_id.clone(),
    );
    legacy.session_expires_at = None;
    let legacy = baton_core::TokenIssuer::sign(&*w.issuer, &legacy).unwrap();
    assert_ne!(legacy, winner.refresh_token);
    assert!(w.store.edit_session(s.id, |s| s.refresh_hash = baton_core::RefreshHash::of(&legacy)));
    let replay = w.auth.refresh(&first.refresh_token).await.unwrap();
    assert!(replay.grace_replay);
    assert_eq!(replay.refresh_token, legacy);
}

#[tokio::test]
async fn only_the_request_that_revokes_reports_reuse_detected() {
    let w = world();
    let first = w.register("ada@example.com").await;
    w.auth.refresh(&first.refresh_token).await.unwrap();
    assert!(matches!(w.auth.refresh(&first.refresh_token).await, Err(RefreshError::ReuseDetected)));
    for _ in 0..3 {
        let again = w.auth.refresh(&first.refresh_token).await;
        assert!(matches!(again, Err(RefreshError::ReplayRejected)), "{again:?}");
    }
}

#[tokio::test]
async fn fast_and_slow_paths_both_rotate_old_tokens_without_a_session_end() {
    // A refresh token minted before tokens carried the session's end takes the slow path,
    // and its successor carries the end.
    let w = world();
    let first = w.register("ada@example.com").await;
    let legacy = {
        let s = w.session(first.session_id);
        let mut c = baton_core::rules::rotation::current_refresh_claims(
            &s,
            w.auth.policy().default_client_id.clone(),
        );
        c.session_expires_at = None;
        baton_core::TokenIssuer::sign(&*w.issuer, &c).unwrap()
    };
    assert!(w.store.edit_session(first.session_id, |s| {
        s.refresh_hash = baton_core::RefreshHash::of(&legacy);
    }));
    let next = w.auth.refresh(&legacy).await.unwrap();
    let claims = baton_core::TokenIssuer::verify(
        &*w.issuer,
        &next.refresh_token,
        baton_core::TokenKind::Refresh,
        w.now(),
    )
    .unwrap();
    assert_eq!(claims.session_expires_at, Some(w.session(first.session_id).absolute_expires_at));
}

#[tokio::test]
async fn strict_mode_answers_reuse_immediately_after_rotation() {
    let w = world();
    let first = w.register("ada@example.com").await;
    w.auth.refresh(&first.refresh_token).await.unwrap();
    assert!(matches!(w.auth.refresh(&first.refresh_token).await, Err(RefreshError::ReuseDetected)));
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused_and_revokes_nothing() {
    let w = world();
    let first = w.register("ada@example.com").await;
    w.clock.advance(Duration::days(7));
    assert!(matches!(w.auth.refresh(&first.refresh_token).await, Err(RefreshError::Expired)));
    assert!(w.session(first.session_id).revoked_at.is_none());
}

#[tokio::test]
async fn each_rotation_starts_a_new_refresh_lifetime() {
    let w = world();
    let mut pair = w.register("ada@example.com").await;
    for _ in 0..3 {
        w.clock.advance(Duration::days(6));
        pair = w.auth.refresh(&pair.refresh_token).await.unwrap();
    }
    assert_eq!(pair.refresh_expires_at, w.now() + Duration::days(7));
}

#[tokio::test]
async fn no_refresh_extends_a_session_past_its_absolute_lifetime() {
    let w = world();
    let start = w.now();
    let mut pair = w.register("ada@example.com").await;
    for _ in 0..4 {
        w.clock.advance(Duration::days(6));
        pair = w.auth.refresh(&pair.refresh_token).await.unwrap();
    }
    // Day 24: the successor's expiry is capped at day 30, not day 31.
    w.clock.advance(Duration::days(5));
    pair = w.auth.refresh(&pair.refresh_token).await.unwrap();
    assert_eq!(pair.refresh_expires_at, start + Duration::days(30));
    assert!(pair.access_expires_at <= start + Duration::days(30));
    // Day 30 exactly: the token has expired with its session.
    w.clock.advance(Duration::days(1));
    let err = w.auth.refresh(&pair.refresh_token).await.unwrap_err();
    assert!(matches!(err, RefreshError::Expired | RefreshError::SessionRevoked), "{err:?}");
}

#[tokio::test]
async fn a_session_past_its_absolute_lifetime_is_revoked_even_if_the_token_is_not_expired() {
    // A shorter max age than the refresh ttl isolates the absolute-lifetime rule.
    let w = world_with(Policy { session_max_age: Duration::days(2), ..Policy::default() });
    let first = w.register("ada@example.com").await;
    // Tokens' exp are capped at the session end, so both rules agree; move the session end
    // earlier than the live tokens' exp to see the session rule fire on its own.
    let soon = w.now() + Duration::minutes(5);
    assert!(w.store.edit_session(first.session_id, |s| s.absolute_expires_at = soon));
    w.clock.advance(Duration::minutes(10));
    assert!(matches!(
        w.auth.refresh(&first.refresh_token).await,
        Err(RefreshError::SessionRevoked)
    ));
    assert!(matches!(
        w.auth.authenticate(&first.access_token).await,
        Err(AccessError::SessionRevoked)
    ));
}

#[tokio::test]
async fn a_revoked_session_refuses_refresh() {
    let w = world();
    let first = w.register("ada@example.com").await;
    let principal = w.auth.authenticate(&first.access_token).await.unwrap();
    w.auth.logout(&principal, baton_core::LogoutScope::Local, None).await.unwrap();
    assert!(matches!(
        w.auth.refresh(&first.refresh_token).await,
        Err(RefreshError::SessionRevoked)
    ));
}

#[tokio::test]
async fn a_disabled_account_refuses_refresh_and_access() {
    let w = world();
    let first = w.register("ada@example.com").await;
    w.auth.set_account_disabled("ada@example.com", true).await.unwrap();
    assert!(matches!(
        w.auth.refresh(&first.refresh_token).await,
        Err(RefreshError::AccountDisabled)
    ));
    assert!(matches!(
        w.auth.authenticate(&first.access_token).await,
        Err(AccessError::AccountDisabled)
    ));
    let s = w.session(first.session_id);
    assert_eq!(s.revoke_reason, Some(RevokeReason::AccountDisabled));
}

#[tokio::test]
async fn token_types_are_never_interchangeable() {
    let w = world();
    let pair = w.register("ada@example.com").await;
    assert!(matches!(w.auth.refresh(&pair.access_token).await, Err(RefreshError::Invalid(_))));
    assert!(matches!(w.auth.authenticate(&pair.refresh_token).await, Err(AccessError::Invalid(_))));
    assert!(matches!(w.auth.refresh("garbage").await, Err(RefreshError::Invalid(_))));
}

/// Runs 16 refreshes of `token` as parallel tasks of the test's multi-thread runtime.
async fn refresh_16_at_once(
    w: &Arc<support::World>,
    token: &str,
) -> Vec<Result<baton_core::IssuedTokens, RefreshError>> {
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (w, token) = (w.clone(), token.to_owned());
            tokio::spawn(async move { w.auth.refresh(&token).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_of_one_token_rotate_exactly_once_in_strict_mode() {
    let w = Arc::new(world());
    let first = w.register("ada@example.com").await;
    let results = refresh_16_at_once(&w, &first.refresh_token).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let detected = results.iter().filter(|r| matches!(r, Err(RefreshError::ReuseDetected))).count();
    let rejected =
        results.iter().filter(|r| matches!(r, Err(RefreshError::ReplayRejected))).count();
    assert_eq!((ok, detected, rejected), (1, 1, 14), "{results:?}");
    let s = w.session(first.session_id);
    assert_eq!(s.generation, 1);
    assert!(s.revoked_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_inside_the_grace_window_all_get_the_same_successor() {
    let w = Arc::new(world_with(grace(10)));
    let first = w.register("ada@example.com").await;
    let tokens: Vec<String> = refresh_16_at_once(&w, &first.refresh_token)
        .await
        .into_iter()
        .map(|r| r.unwrap().refresh_token)
        .collect();
    assert!(tokens.iter().all(|t| t == &tokens[0]));
    let s = w.session(first.session_id);
    assert_eq!((s.generation, s.revoked_at), (1, None));
}
