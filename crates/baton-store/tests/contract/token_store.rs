//! The `TokenStore` contract, one trait method after the other.

use crate::support::{Db, now, session, stored_session, stored_user};
use baton_core::{RefreshHash, RevokeReason, Rotation, Session, StoreError, TokenStore};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn rotation_of(s: &Session, successor: &str, at: OffsetDateTime) -> Rotation {
    Rotation {
        session_id: s.id,
        expected_generation: s.generation,
        expected_hash: s.refresh_hash,
        new_hash: RefreshHash::of(successor),
        rotated_at: at,
        expires_at: at + Duration::days(7),
    }
}

fn current(db: &Db, id: Uuid) -> Session {
    db.store.find_session(id).unwrap().expect("session exists").0
}

pub fn created_session_reads_back_with_its_user(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let mut quiet = session(ada.id, "token-b", now());
    quiet.user_agent = None;
    quiet.client_addr = None;
    store.create_session(&quiet).unwrap();
    let s = stored_session(store, &ada, "token-a");

    assert_eq!(store.find_session(s.id).unwrap(), Some((s, ada.clone())));
    assert_eq!(store.find_session(quiet.id).unwrap(), Some((quiet, ada)));
    assert_eq!(store.find_session(Uuid::new_v4()).unwrap(), None);
}

pub fn a_session_needs_an_existing_user(db: &Db) {
    let orphan = session(Uuid::new_v4(), "token", now());
    assert!(matches!(db.store.create_session(&orphan), Err(StoreError::Backend(_))));
    assert_eq!(db.store.find_session(orphan.id).unwrap(), None);
}

pub fn rotate_swaps_in_the_successor(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let s = stored_session(store, &ada, "token-0");
    let at = now() + Duration::minutes(5);
    let r = rotation_of(&s, "token-1", at);

    let rotated = store.rotate(&r).unwrap().expect("guard holds");
    let expected = Session {
        refresh_hash: r.new_hash,
        generation: 1,
        rotated_at: at,
        last_used_at: at,
        expires_at: r.expires_at,
        ..s.clone()
    };
    assert_eq!(rotated, expected);
    assert_eq!(current(db, s.id), expected);
    // The successor rotates in turn.
    let next = store.rotate(&rotation_of(&rotated, "token-2", at)).unwrap().unwrap();
    assert_eq!(next.generation, 2);
}

pub fn rotate_refuses_a_wrong_generation(db: &Db) {
    let store = &db.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com"), "token-0");
    for generation in [1, -1, 7] {
        let r = Rotation { expected_generation: generation, ..rotation_of(&s, "x", now()) };
        assert_eq!(store.rotate(&r).unwrap(), None);
    }
    assert_eq!(current(db, s.id), s);
}

pub fn rotate_refuses_a_wrong_hash(db: &Db) {
    let store = &db.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com"), "token-0");
    let r = Rotation { expected_hash: RefreshHash::of("forged"), ..rotation_of(&s, "x", now()) };
    assert_eq!(store.rotate(&r).unwrap(), None);
    assert_eq!(current(db, s.id), s);
}

pub fn rotate_refuses_a_revoked_session(db: &Db) {
    let store = &db.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com"), "token-0");
    assert!(store.revoke_session(s.id, RevokeReason::Logout, now()).unwrap());
    let before = current(db, s.id);
    assert_eq!(store.rotate(&rotation_of(&s, "x", now())).unwrap(), None);
    assert_eq!(current(db, s.id), before);
}

pub fn rotate_of_an_unknown_session_is_none(db: &Db) {
    let s = session(Uuid::new_v4(), "token-0", now());
    assert_eq!(db.store.rotate(&rotation_of(&s, "x", now())).unwrap(), None);
}

pub fn revoke_session_succeeds_once(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let s = stored_session(store, &ada, "token-a");
    let other = stored_session(store, &ada, "token-b");
    let at = now() + Duration::minutes(1);

    assert!(store.revoke_session(s.id, RevokeReason::Reuse, at).unwrap());
    assert!(!store.revoke_session(s.id, RevokeReason::Logout, at + Duration::minutes(1)).unwrap());
    let revoked = current(db, s.id);
    // The first revocation's time and reason stay.
    assert_eq!((revoked.revoked_at, revoked.revoke_reason), (Some(at), Some(RevokeReason::Reuse)));
    assert!(!store.revoke_session(Uuid::new_v4(), RevokeReason::Logout, at).unwrap());
    assert_eq!(current(db, other.id), other);
}

pub fn revoke_user_sessions_revokes_all_of_one_user(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let bob = stored_user(store, "bob@example.com");
    let mine: Vec<Session> =
        (0..3).map(|i| stored_session(store, &ada, &format!("ada-{i}"))).collect();
    let bobs = stored_session(store, &bob, "bob");
    store.revoke_session(mine[0].id, RevokeReason::Evicted, now()).unwrap();

    let at = now() + Duration::minutes(1);
    let n = store.revoke_user_sessions(ada.id, None, RevokeReason::AccountDisabled, at).unwrap();
    assert_eq!(n, 2, "the already revoked session is not counted again");
    assert_eq!(current(db, mine[0].id).revoke_reason, Some(RevokeReason::Evicted));
    for s in &mine[1..] {
        let s = current(db, s.id);
        assert_eq!(
            (s.revoked_at, s.revoke_reason),
            (Some(at), Some(RevokeReason::AccountDisabled))
        );
    }
    assert_eq!(current(db, bobs.id), bobs);
    assert_eq!(store.revoke_user_sessions(ada.id, None, RevokeReason::Logout, at).unwrap(), 0);
}

pub fn revoke_user_sessions_spares_the_exception(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let keep = stored_session(store, &ada, "keep");
    let others: Vec<Session> =
        (0..2).map(|i| stored_session(store, &ada, &format!("other-{i}"))).collect();

    let n = store.revoke_user_sessions(ada.id, Some(keep.id), RevokeReason::Logout, now()).unwrap();
    assert_eq!(n, 2);
    assert_eq!(current(db, keep.id), keep);
    assert!(others.iter().all(|s| current(db, s.id).revoked_at.is_some()));
}

pub fn unrevoked_sessions_lists_live_and_expired_but_not_revoked(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let bob = stored_user(store, "bob@example.com");
    let live = stored_session(store, &ada, "live");
    let mut expired = session(ada.id, "expired", now() - Duration::days(40));
    expired.expires_at = now() - Duration::days(33);
    store.create_session(&expired).unwrap();
    let revoked = stored_session(store, &ada, "revoked");
    store.revoke_session(revoked.id, RevokeReason::Logout, now()).unwrap();
    stored_session(store, &bob, "bob");

    let mut listed = store.unrevoked_sessions(ada.id).unwrap();
    listed.sort_by_key(|s| s.created_at);
    assert_eq!(listed, vec![expired, live]);
    assert_eq!(store.unrevoked_sessions(Uuid::new_v4()).unwrap(), vec![]);
}

pub fn purge_deletes_old_revoked_and_expired_sessions_only(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let t = now();
    let (revoked_before, expired_before) = (t - Duration::days(1), t);
    let make = |token: &str, edit: &dyn Fn(&mut Session)| {
        let mut s = session(ada.id, token, t - Duration::days(2));
        edit(&mut s);
        store.create_session(&s).unwrap();
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

    assert_eq!(store.purge(revoked_before, expired_before).unwrap(), gone.len() as u64);
    for s in &gone {
        assert_eq!(store.find_session(s.id).unwrap(), None);
    }
    assert_eq!(current(db, live.id), live);
    assert_eq!(current(db, recently_revoked.id), recently_revoked);
    assert_eq!(store.purge(revoked_before, expired_before).unwrap(), 0);
}
