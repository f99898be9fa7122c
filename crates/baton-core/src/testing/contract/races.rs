//! Atomicity under contention: many requests at once on one row, through the port and through
//! the real use cases. Every rule here must hold across servers, so it may rest only on the
//! store's single atomic steps.

use super::{
    PASSWORD, RACERS, StoreSubject, client, current, now, race, stored_session, stored_user,
};
use crate::domain::session::{RefreshHash, RevokeReason};
use crate::domain::throttle::LoginKey;
use crate::error::{LoginError, RefreshError};
use crate::ports::{LoginLimits, Reservation, Rotation};
use crate::rules::policy::Policy;
use time::Duration;

/// 32 threads present the same guard to `rotate` at once: exactly one swap happens.
pub fn rotate_race_has_one_winner(st: &StoreSubject) {
    let store = &*st.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com"), "token-0");
    let at = now();
    let results = race(|i| {
        store.rotate(&Rotation {
            session_id: s.id,
            user_id: s.user_id,
            expected_generation: 0,
            expected_hash: s.refresh_hash,
            absolute_expires_at: s.absolute_expires_at,
            new_hash: RefreshHash::of(&format!("successor-{i}")),
            rotated_at: at,
            expires_at: at + Duration::days(7),
        })
    });
    let winners: Vec<_> = results.into_iter().filter_map(|r| r.expect("rotate")).collect();
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(current(store, s.id), winners[0].0);
    assert_eq!(winners[0].0.generation, 1);
}

/// 32 real refreshes of one token in strict mode: one pair is issued, one loser revokes the
/// session (`ReuseDetected`), every other loser is told the same (`ReplayRejected`).
pub fn refresh_race_strict_revokes_once(st: &StoreSubject) {
    let w = st.world(Policy::default());
    let first = w.register("ada@example.com");
    let results = race(|_| w.auth.refresh(&first.refresh_token));

    let ok = results.iter().filter(|r| r.is_ok()).count();
    let detected = results.iter().filter(|r| matches!(r, Err(RefreshError::ReuseDetected))).count();
    let rejected =
        results.iter().filter(|r| matches!(r, Err(RefreshError::ReplayRejected))).count();
    assert_eq!((ok, detected, rejected), (1, 1, RACERS - 2), "{results:?}");
    let s = w.session(first.session_id);
    assert_eq!((s.generation, s.revoke_reason), (1, Some(RevokeReason::Reuse)));
}

/// The same race with a reuse grace: every request gets the one successor token, and the
/// session lives on at generation 1.
pub fn refresh_race_with_grace_shares_one_successor(st: &StoreSubject) {
    let w = st.world(Policy { reuse_grace: Duration::seconds(30), ..Policy::default() });
    let first = w.register("ada@example.com");
    let tokens: Vec<String> =
        race(|_| w.auth.refresh(&first.refresh_token).map(|p| p.refresh_token))
            .into_iter()
            .collect::<Result<_, _>>()
            .expect("every request is answered inside the grace");

    assert!(tokens.iter().all(|t| t == &tokens[0]), "{tokens:?}");
    assert_ne!(tokens[0], first.refresh_token);
    let s = w.session(first.session_id);
    assert_eq!((s.generation, s.revoked_at), (1, None));
    assert_eq!(s.refresh_hash, RefreshHash::of(&tokens[0]));
}

/// 32 concurrent wrong passwords for one account from one address: at most
/// `max_failed_logins` passwords are checked, the rest are locked out at once, and then even
/// the right password is locked out.
pub fn login_burst_gets_at_most_the_max_password_checks(st: &StoreSubject) {
    let w = st.world(Policy::default());
    w.register("ada@example.com");
    let checks_before = w.hasher.verifications();
    let results = race(|_| w.auth.login("ada@example.com", "wrong password!", client()));

    let wrong = results.iter().filter(|r| matches!(r, Err(LoginError::InvalidCredentials))).count();
    let locked = results.iter().filter(|r| matches!(r, Err(LoginError::LockedOut { .. }))).count();
    assert_eq!((wrong, locked), (5, RACERS - 5), "{results:?}");
    assert_eq!(w.hasher.verifications() - checks_before, 5, "one password check per grant");
    assert!(matches!(
        w.auth.login("ada@example.com", PASSWORD, client()),
        Err(LoginError::LockedOut { .. })
    ));
}

/// 32 reservations at once with a maximum of 5: exactly 5 are granted.
pub fn reservation_burst_grants_exactly_the_max(st: &StoreSubject) {
    let store = &*st.store;
    let t = now();
    let limits = LoginLimits {
        account_max: 5,
        address_max: 0,
        lock_until: t + Duration::minutes(15),
        stale_before: t - Duration::minutes(15),
    };
    let key = LoginKey::new("ada@example.com", Some("192.0.2.1"));
    let results = race(|_| store.reserve_login_attempt(&key, t, &limits).expect("reserve"));
    let granted = results.iter().filter(|r| **r == Reservation::Granted).count();
    assert_eq!(granted, 5, "{results:?}");
}

/// 32 revocations of one session at once: exactly one reports that it revoked it.
pub fn concurrent_revocations_report_one_revoker(st: &StoreSubject) {
    let store = &*st.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com"), "token-0");
    let at = now();
    let revokers = race(|_| store.revoke_session(s.id, RevokeReason::Reuse, at).expect("revoke"))
        .into_iter()
        .filter(|revoked| *revoked)
        .count();
    assert_eq!(revokers, 1);
}
