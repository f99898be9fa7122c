//! Atomicity under contention: many requests at once on one row, through the port and through
//! the real use cases. Every rule here must hold across servers, so it may rest only on the
//! store's single atomic steps. Each race spawns [`RACERS`] tasks on the test's multi-thread
//! runtime (see [`super::race`]).

use super::{
    PASSWORD, RACERS, StoreSubject, World, client, current, now, race, stored_session, stored_user,
};
use crate::domain::email::Email;
use crate::domain::session::{RefreshHash, RevokeReason};
use crate::domain::throttle::LoginKey;
use crate::error::{LoginError, RefreshError, RegisterError};
use crate::ports::{LoginLimits, Reservation, Rotation};
use crate::rules::policy::Policy;
use time::Duration;

/// 32 requests present the same guard to `rotate` at once: exactly one swap happens.
pub async fn rotate_race_has_one_winner(st: &StoreSubject) {
    let store = &*st.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com").await, "token-0").await;
    let at = now();
    let results = race(|i| {
        let store = st.store.clone();
        let rotation = Rotation {
            session_id: s.id,
            user_id: s.user_id,
            expected_generation: 0,
            expected_hash: s.refresh_hash,
            absolute_expires_at: s.absolute_expires_at,
            new_hash: RefreshHash::of(&format!("successor-{i}")),
            rotated_at: at,
            expires_at: at + Duration::days(7),
        };
        async move { store.rotate(&rotation).await }
    })
    .await;
    let winners: Vec<_> = results.into_iter().filter_map(|r| r.expect("rotate")).collect();
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(current(store, s.id).await, winners[0].0);
    assert_eq!(winners[0].0.generation, 1);
}

/// 32 real refreshes of one token in strict mode: one pair is issued, one loser revokes the
/// session (`ReuseDetected`), every other loser is told the same (`ReplayRejected`).
pub async fn refresh_race_strict_revokes_once(st: &StoreSubject) {
    let w = st.world(Policy::default());
    let first = w.register("ada@example.com").await;
    let results = race(|_| {
        let (auth, token) = (w.auth.clone(), first.refresh_token.clone());
        async move { auth.refresh(&token).await }
    })
    .await;

    let ok = results.iter().filter(|r| r.is_ok()).count();
    let detected = results.iter().filter(|r| matches!(r, Err(RefreshError::ReuseDetected))).count();
    let rejected =
        results.iter().filter(|r| matches!(r, Err(RefreshError::ReplayRejected))).count();
    assert_eq!((ok, detected, rejected), (1, 1, RACERS - 2), "{results:?}");
    let s = w.session(first.session_id).await;
    assert_eq!((s.generation, s.revoke_reason), (1, Some(RevokeReason::Reuse)));
}

/// The same race with a reuse grace: every request gets the one successor token, and the
/// session lives on at generation 1.
pub async fn refresh_race_with_grace_shares_one_successor(st: &StoreSubject) {
    let w = st.world(Policy { reuse_grace: Duration::seconds(30), ..Policy::default() });
    let first = w.register("ada@example.com").await;
    let tokens: Vec<String> = race(|_| {
        let (auth, token) = (w.auth.clone(), first.refresh_token.clone());
        async move { auth.refresh(&token).await.map(|p| p.refresh_token) }
    })
    .await
    .into_iter()
    .collect::<Result<_, _>>()
    .expect("every request is answered inside the grace");

    assert!(tokens.iter().all(|t| t == &tokens[0]), "{tokens:?}");
    assert_ne!(tokens[0], first.refresh_token);
    let s = w.session(first.session_id).await;
    assert_eq!((s.generation, s.revoked_at), (1, None));
    assert_eq!(s.refresh_hash, RefreshHash::of(&tokens[0]));
}

/// 32 concurrent wrong passwords for one account from one address: at most
/// `max_failed_logins` passwords are checked, the rest are locked out at once, and then even
/// the right password is locked out.
pub async fn login_burst_gets_at_most_the_max_password_checks(st: &StoreSubject) {
    let w = st.world(Policy::default());
    w.register("ada@example.com").await;
    let checks_before = w.hasher.verifications();
    let results = race(|_| {
        let auth = w.auth.clone();
        async move { auth.login("ada@example.com", "wrong password!", client()).await }
    })
    .await;

    let wrong = results.iter().filter(|r| matches!(r, Err(LoginError::InvalidCredentials))).count();
    let locked = results.iter().filter(|r| matches!(r, Err(LoginError::LockedOut { .. }))).count();
    assert_eq!((wrong, locked), (5, RACERS - 5), "{results:?}");
    assert_eq!(w.hasher.verifications() - checks_before, 5, "one password check per grant");
    assert!(matches!(
        w.auth.login("ada@example.com", PASSWORD, client()).await,
        Err(LoginError::LockedOut { .. })
    ));
}

/// 32 reservations at once with a maximum of 5: exactly 5 are granted, every other one finds
/// the account locked until the lock's end, and the lock holds for the next attempt.
pub async fn reservation_burst_grants_exactly_the_max(st: &StoreSubject) {
    let t = now();
    let limits = LoginLimits {
        account_max: 5,
        address_max: 0,
        lock_until: t + Duration::minutes(15),
        stale_before: t - Duration::minutes(15),
    };
    let key = LoginKey::new("ada@example.com", Some("192.0.2.1"));
    let results = race(|_| {
        let (store, key) = (st.store.clone(), key.clone());
        async move { store.reserve_login_attempt(&key, t, &limits).await.expect("reserve") }
    })
    .await;
    let granted = results.iter().filter(|r| **r == Reservation::Granted).count();
    let locked = |r: &Reservation| matches!(r, Reservation::AccountLocked { until } if *until == limits.lock_until);
    let refused = results.iter().filter(|r| locked(r)).count();
    assert_eq!((granted, refused), (5, RACERS - 5), "{results:?}");
    let later = st.store.reserve_login_attempt(&key, t + Duration::minutes(1), &limits).await;
    assert!(locked(&later.expect("reserve")), "the lock engaged and holds");
}

/// 32 revocations of one session at once: exactly one reports that it revoked it.
pub async fn concurrent_revocations_report_one_revoker(st: &StoreSubject) {
    let store = &*st.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com").await, "token-0").await;
    let at = now();
    let revokers = race(|_| {
        let store = st.store.clone();
        async move { store.revoke_session(s.id, RevokeReason::Reuse, at).await.expect("revoke") }
    })
    .await
    .into_iter()
    .filter(|revoked| *revoked)
    .count();
    assert_eq!(revokers, 1);
}

/// 32 registrations of one email at once: one account is created (with its session), every
/// other request is told the email is taken, and no half-made account is left behind.
pub async fn register_race_creates_one_account(st: &StoreSubject) {
    let w = st.world(Policy::default());
    let results = race(|i| {
        let auth = w.auth.clone();
        let email = if i % 2 == 0 { "ada@example.com" } else { "ADA@example.com" };
        async move { auth.register(email, PASSWORD.into(), None, client()).await }
    })
    .await;

    let created: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let taken = results.iter().filter(|r| matches!(r, Err(RegisterError::EmailTaken))).count();
    assert_eq!((created.len(), taken), (1, RACERS - 1), "{results:?}");
    let email = Email::parse("ada@example.com").expect("valid");
    let stored = w.store.find_user_by_email(&email).await.expect("read").expect("one account");
    assert_eq!(stored.id, created[0].user.id);
    assert_eq!(w.session(created[0].session_id).await.user_id, stored.id);
}

/// The strict refresh race again, with every request served by a server of its own: its own
/// use cases, clock and randomness, and every other request on the subject's peer store (a
/// second pool on the same database, where the adapter has one). Still one rotation, one
/// revocation for reuse.
pub async fn refresh_race_across_servers_revokes_once(st: &StoreSubject) {
    let first = st.world(Policy::default()).register("ada@example.com").await;
    let servers: Vec<World> = (0..RACERS)
        .map(|i| {
            if i % 2 == 0 { st.world(Policy::default()) } else { st.peer_world(Policy::default()) }
        })
        .collect();
    let results = race(|i| {
        let (auth, token) = (servers[i].auth.clone(), first.refresh_token.clone());
        async move { auth.refresh(&token).await }
    })
    .await;

    let ok = results.iter().filter(|r| r.is_ok()).count();
    let detected = results.iter().filter(|r| matches!(r, Err(RefreshError::ReuseDetected))).count();
    let rejected =
        results.iter().filter(|r| matches!(r, Err(RefreshError::ReplayRejected))).count();
    assert_eq!((ok, detected, rejected), (1, 1, RACERS - 2), "{results:?}");
    let s = servers[0].session(first.session_id).await;
    assert_eq!((s.generation, s.revoke_reason), (1, Some(RevokeReason::Reuse)));
}
