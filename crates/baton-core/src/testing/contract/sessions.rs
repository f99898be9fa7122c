//! The [`TokenStore`](crate::ports::TokenStore) suite, one method after the other.

use super::{StoreSubject, current, now, session, stored_session, stored_user};
use crate::domain::session::{RefreshHash, RevokeReason, Session};
use crate::ports::{Rotation, StoreError};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The rotation of `s`'s current token to `successor` at `at`.
fn rotation_of(s: &Session, successor: &str, at: OffsetDateTime) -> Rotation {
    Rotation {
        session_id: s.id,
        user_id: s.user_id,
        expected_generation: s.generation,
        expected_hash: s.refresh_hash,
        absolute_expires_at: s.absolute_expires_at,
        new_hash: RefreshHash::of(successor),
        rotated_at: at,
        expires_at: at + Duration::days(7),
    }
}

/// A stored session reads back equal, with its owner.
pub async fn created_session_reads_back_with_its_user(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let mut quiet = session(ada.id, "token-b", now());
    quiet.user_agent = None;
    quiet.client_addr = None;
    store.create_session(&quiet).await.expect("create");
    let s = stored_session(store, &ada, "token-a").await;

    assert_eq!(store.find_session(s.id).await.expect("read"), Some((s, ada.clone())));
    assert_eq!(store.find_session(quiet.id).await.expect("read"), Some((quiet, ada)));
    assert_eq!(store.find_session(Uuid::new_v4()).await.expect("read"), None);
}

/// A session of a user that does not exist is refused.
pub async fn a_session_needs_an_existing_user(st: &StoreSubject) {
    let orphan = session(Uuid::new_v4(), "token", now());
    assert!(matches!(st.store.create_session(&orphan).await, Err(StoreError::Backend(_))));
    assert_eq!(st.store.find_session(orphan.id).await.expect("read"), None);
}

/// A rotation whose guard holds swaps the hash in, bumps the generation, moves the times and
/// returns the session with its owner.
pub async fn rotate_swaps_in_the_successor_and_returns_the_owner(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let s = stored_session(store, &ada, "token-0").await;
    let at = now() + Duration::minutes(5);
    let r = rotation_of(&s, "token-1", at);

    let (rotated, owner) = store.rotate(&r).await.expect("rotate").expect("guard holds");
    let expected = Session {
        refresh_hash: r.new_hash,
        generation: 1,
        rotated_at: at,
        last_used_at: at,
        expires_at: r.expires_at,
        ..s.clone()
    };
    assert_eq!((&rotated, &owner), (&expected, &ada));
    assert_eq!(current(store, s.id).await, expected);
    let (next, _) =
        store.rotate(&rotation_of(&rotated, "token-2", at)).await.expect("rotate").expect("holds");
    assert_eq!(next.generation, 2);
}

/// A stale or forged token does not rotate, and nothing changes.
pub async fn rotate_refuses_a_wrong_generation_or_hash(st: &StoreSubject) {
    let store = &*st.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com").await, "token-0").await;
    for generation in [1, -1, 7] {
        let r = Rotation { expected_generation: generation, ..rotation_of(&s, "x", now()) };
        assert_eq!(store.rotate(&r).await.expect("rotate"), None);
    }
    let r = Rotation { expected_hash: RefreshHash::of("forged"), ..rotation_of(&s, "x", now()) };
    assert_eq!(store.rotate(&r).await.expect("rotate"), None);
    assert_eq!(current(store, s.id).await, s);
}

/// A revoked session, or one past its sliding or absolute expiry, does not rotate.
pub async fn rotate_refuses_a_revoked_or_expired_session(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let revoked = stored_session(store, &ada, "revoked").await;
    assert!(store.revoke_session(revoked.id, RevokeReason::Logout, now()).await.expect("revoke"));
    let before = current(store, revoked.id).await;
    assert_eq!(store.rotate(&rotation_of(&revoked, "x", now())).await.expect("rotate"), None);
    assert_eq!(current(store, revoked.id).await, before);

    let s = stored_session(store, &ada, "live").await;
    let at_sliding_end = s.expires_at;
    assert_eq!(store.rotate(&rotation_of(&s, "x", at_sliding_end)).await.expect("rotate"), None);
    let mut short = session(ada.id, "short", now());
    short.absolute_expires_at = now() + Duration::hours(1);
    store.create_session(&short).await.expect("create");
    let at_absolute_end = short.absolute_expires_at;
    assert_eq!(
        store.rotate(&rotation_of(&short, "x", at_absolute_end)).await.expect("rotate"),
        None
    );
    assert!(
        store
            .rotate(&rotation_of(&short, "x", at_absolute_end - Duration::seconds(1)))
            .await
            .expect("rotate")
            .is_some()
    );
    assert_eq!(current(store, s.id).await, s);
}

/// A rotation naming another owner or another absolute end does not rotate.
pub async fn rotate_refuses_a_wrong_owner_or_absolute_end(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let bob = stored_user(store, "bob@example.com").await;
    let s = stored_session(store, &ada, "token-0").await;
    let r = Rotation { user_id: bob.id, ..rotation_of(&s, "x", now()) };
    assert_eq!(store.rotate(&r).await.expect("rotate"), None);
    let later_end = s.absolute_expires_at + Duration::days(1);
    let r = Rotation { absolute_expires_at: later_end, ..rotation_of(&s, "x", now()) };
    assert_eq!(store.rotate(&r).await.expect("rotate"), None);
    assert_eq!(current(store, s.id).await, s);
}

/// A session of a disabled account does not rotate; enabled again, it does.
pub async fn rotate_refuses_a_disabled_owner(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let s = stored_session(store, &ada, "token-0").await;
    assert!(store.set_disabled(ada.id, Some(now()), now()).await.expect("disable"));
    assert_eq!(store.rotate(&rotation_of(&s, "x", now())).await.expect("rotate"), None);
    assert!(store.set_disabled(ada.id, None, now()).await.expect("enable"));
    assert!(store.rotate(&rotation_of(&s, "x", now())).await.expect("rotate").is_some());
}

/// Rotating a session that does not exist is `None`.
pub async fn rotate_of_an_unknown_session_is_none(st: &StoreSubject) {
    let s = session(Uuid::new_v4(), "token-0", now());
    assert_eq!(st.store.rotate(&rotation_of(&s, "x", now())).await.expect("rotate"), None);
}

/// The first revocation wins: its time and reason stay, and only it answers `true`.
pub async fn revoke_session_succeeds_once(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let s = stored_session(store, &ada, "token-a").await;
    let other = stored_session(store, &ada, "token-b").await;
    let at = now() + Duration::minutes(1);

    assert!(store.revoke_session(s.id, RevokeReason::Reuse, at).await.expect("revoke"));
    assert!(
        !store
            .revoke_session(s.id, RevokeReason::Logout, at + Duration::minutes(1))
            .await
            .expect("revoke")
    );
    let revoked = current(store, s.id).await;
    assert_eq!((revoked.revoked_at, revoked.revoke_reason), (Some(at), Some(RevokeReason::Reuse)));
    assert!(!store.revoke_session(Uuid::new_v4(), RevokeReason::Logout, at).await.expect("revoke"));
    assert_eq!(current(store, other.id).await, other);
}

/// Revoking a user's sessions touches only that user's unrevoked sessions and counts them.
pub async fn revoke_user_sessions_revokes_all_of_one_user(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let bob = stored_user(store, "bob@example.com").await;
    let mut mine: Vec<Session> = Vec::new();
    for i in 0..3 {
        mine.push(stored_session(store, &ada, &format!("ada-{i}")).await);
    }
    let bobs = stored_session(store, &bob, "bob").await;
    store.revoke_session(mine[0].id, RevokeReason::Evicted, now()).await.expect("revoke");

    let at = now() + Duration::minutes(1);
    let n = store
        .revoke_user_sessions(ada.id, None, RevokeReason::AccountDisabled, at)
        .await
        .expect("revoke");
    assert_eq!(n, 2, "the already revoked session is not counted again");
    assert_eq!(current(store, mine[0].id).await.revoke_reason, Some(RevokeReason::Evicted));
    for s in &mine[1..] {
        let s = current(store, s.id).await;
        assert_eq!(
            (s.revoked_at, s.revoke_reason),
            (Some(at), Some(RevokeReason::AccountDisabled))
        );
    }
    assert_eq!(current(store, bobs.id).await, bobs);
    assert_eq!(
        store.revoke_user_sessions(ada.id, None, RevokeReason::Logout, at).await.expect("revoke"),
        0
    );
}

/// The exception survives a revocation of all of a user's sessions.
pub async fn revoke_user_sessions_spares_the_exception(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let keep = stored_session(store, &ada, "keep").await;
    let mut others: Vec<Session> = Vec::new();
    for i in 0..2 {
        others.push(stored_session(store, &ada, &format!("other-{i}")).await);
    }

    let n = store
        .revoke_user_sessions(ada.id, Some(keep.id), RevokeReason::Logout, now())
        .await
        .expect("revoke");
    assert_eq!(n, 2);
    assert_eq!(current(store, keep.id).await, keep);
    for s in &others {
        assert!(current(store, s.id).await.revoked_at.is_some());
    }
}

/// The unrevoked list holds live and expired-but-unpurged sessions of that user only.
pub async fn unrevoked_sessions_lists_live_and_expired_but_not_revoked(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let bob = stored_user(store, "bob@example.com").await;
    let live = stored_session(store, &ada, "live").await;
    let mut expired = session(ada.id, "expired", now() - Duration::days(40));
    expired.expires_at = now() - Duration::days(33);
    store.create_session(&expired).await.expect("create");
    let revoked = stored_session(store, &ada, "revoked").await;
    store.revoke_session(revoked.id, RevokeReason::Logout, now()).await.expect("revoke");
    stored_session(store, &bob, "bob").await;

    let mut listed = store.unrevoked_sessions(ada.id).await.expect("read");
    listed.sort_by_key(|s| s.created_at);
    assert_eq!(listed, vec![expired, live]);
    assert_eq!(store.unrevoked_sessions(Uuid::new_v4()).await.expect("read"), vec![]);
}

/// Purge deletes sessions revoked long enough ago and expired ones, at the cut-offs included.
pub async fn purge_deletes_old_revoked_and_expired_sessions_only(st: &StoreSubject) {
    let store = &*st.store;
    let ada = stored_user(store, "ada@example.com").await;
    let t = now();
    let (revoked_before, expired_before) = (t - Duration::days(1), t);
    let make = |token: &str, edit: &dyn Fn(&mut Session)| {
        let mut s = session(ada.id, token, t - Duration::days(2));
        edit(&mut s);
        s
    };
    let set_revoked = |at: OffsetDateTime| {
        move |s: &mut Session| {
            s.revoked_at = Some(at);
            s.revoke_reason = Some(RevokeReason::Logout);
        }
    };
    let live = make("live", &|_| {});
    let recently_revoked = make("recent", &set_revoked(revoked_before + Duration::seconds(1)));
    let gone = [
        make("old-revoked", &set_revoked(revoked_before - Duration::hours(1))),
        make("revoked-at-cutoff", &set_revoked(revoked_before)),
        make("slid-out", &|s| s.expires_at = t - Duration::seconds(1)),
        make("expires-at-cutoff", &|s| s.expires_at = expired_before),
        make("too-old", &|s| s.absolute_expires_at = t - Duration::seconds(1)),
    ];
    for s in [&live, &recently_revoked].into_iter().chain(&gone) {
        store.create_session(s).await.expect("create");
    }

    assert_eq!(
        store.purge(revoked_before, expired_before).await.expect("purge"),
        gone.len() as u64
    );
    for s in &gone {
        assert_eq!(store.find_session(s.id).await.expect("read"), None);
    }
    assert_eq!(current(store, live.id).await, live);
    assert_eq!(current(store, recently_revoked.id).await, recently_revoked);
    assert_eq!(store.purge(revoked_before, expired_before).await.expect("purge"), 0);
}
