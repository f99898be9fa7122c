//! The login-attempt counters of [`UserStore`](crate::ports::UserStore): reserve before the
//! password check, release on success.

use super::{StoreSubject, now};
use crate::domain::throttle::LoginKey;
use crate::ports::{LoginLimits, Reservation};
use time::{Duration, OffsetDateTime};

fn limits(account_max: u32, address_max: u32, at: OffsetDateTime) -> LoginLimits {
    LoginLimits {
        account_max,
        address_max,
        lock_until: at + Duration::minutes(15),
        stale_before: at - Duration::minutes(15),
    }
}

fn key(email: &str, address: &str) -> LoginKey {
    LoginKey::new(email, Some(address))
}

/// With a maximum of 3, three attempts are granted (the third sets the lock) and the fourth is
/// refused with the lock's end.
pub async fn the_pair_locks_at_the_max_and_the_last_attempt_is_still_granted(s: &StoreSubject) {
    let store = &*s.store;
    let (t, ada) = (now(), key("ada@example.com", "192.0.2.1"));
    for i in 0..3 {
        let r = store.reserve_login_attempt(&ada, t, &limits(3, 0, t)).await.expect("reserve");
        assert_eq!(r, Reservation::Granted, "attempt {i}");
    }
    let later = t + Duration::seconds(10);
    let refused =
        store.reserve_login_attempt(&ada, later, &limits(3, 0, later)).await.expect("reserve");
    assert_eq!(refused, Reservation::AccountLocked { until: t + Duration::minutes(15) });
}

/// A lock set from one address does not stop the same account from another address, nor
/// another account from the same address.
pub async fn the_lock_holds_only_for_its_address(s: &StoreSubject) {
    let store = &*s.store;
    let t = now();
    let l = limits(2, 0, t);
    let ada_here = key("ada@example.com", "192.0.2.1");
    for _ in 0..2 {
        store.reserve_login_attempt(&ada_here, t, &l).await.expect("reserve");
    }
    assert!(matches!(
        store.reserve_login_attempt(&ada_here, t, &l).await.expect("reserve"),
        Reservation::AccountLocked { .. }
    ));
    let ada_there = key("ada@example.com", "198.51.100.7");
    assert_eq!(
        store.reserve_login_attempt(&ada_there, t, &l).await.expect("reserve"),
        Reservation::Granted
    );
    let bob_here = key("bob@example.com", "192.0.2.1");
    assert_eq!(
        store.reserve_login_attempt(&bob_here, t, &l).await.expect("reserve"),
        Reservation::Granted
    );
}

/// Once the lock has passed, counting restarts at one; so does a count left idle past
/// `stale_before`.
pub async fn an_expired_lock_or_a_stale_count_restarts_at_one(s: &StoreSubject) {
    let store = &*s.store;
    let t = now();
    let ada = key("ada@example.com", "192.0.2.1");
    for _ in 0..2 {
        store.reserve_login_attempt(&ada, t, &limits(2, 0, t)).await.expect("reserve");
    }
    let after = t + Duration::minutes(15);
    for _ in 0..2 {
        let r =
            store.reserve_login_attempt(&ada, after, &limits(2, 0, after)).await.expect("reserve");
        assert_eq!(r, Reservation::Granted, "the old lock has passed; a fresh count starts");
    }
    assert!(matches!(
        store.reserve_login_attempt(&ada, after, &limits(2, 0, after)).await.expect("reserve"),
        Reservation::AccountLocked { .. }
    ));

    let bob = key("bob@example.com", "192.0.2.1");
    store.reserve_login_attempt(&bob, t, &limits(2, 0, t)).await.expect("reserve");
    let idle = t + Duration::minutes(15);
    for _ in 0..2 {
        let r =
            store.reserve_login_attempt(&bob, idle, &limits(2, 0, idle)).await.expect("reserve");
        assert_eq!(r, Reservation::Granted, "the first failure is stale and forgotten");
    }
}

/// A success clears the pair's count and lock and gives the attempt back to the address.
pub async fn release_clears_the_pair_and_gives_back_the_address_attempt(s: &StoreSubject) {
    let store = &*s.store;
    let t = now();
    let l = limits(2, 2, t);
    let ada = key("ada@example.com", "192.0.2.1");
    store.reserve_login_attempt(&ada, t, &l).await.expect("reserve");
    store.reserve_login_attempt(&ada, t, &l).await.expect("reserve");
    store.release_login_attempt(&ada).await.expect("release");
    store.release_login_attempt(&ada).await.expect("a second release is harmless");
    // The pair is unlocked and the address has room for two failures again.
    assert_eq!(
        store.reserve_login_attempt(&ada, t, &l).await.expect("reserve"),
        Reservation::Granted
    );
    let bob = key("bob@example.com", "192.0.2.1");
    assert_eq!(
        store.reserve_login_attempt(&bob, t, &l).await.expect("reserve"),
        Reservation::Granted
    );
    assert!(matches!(
        store.reserve_login_attempt(&bob, t, &l).await.expect("reserve"),
        Reservation::AddressLocked { .. }
    ));
}

/// The address ceiling counts failures over all accounts and lifts when its window closes.
pub async fn the_address_ceiling_spans_accounts_until_its_window_closes(s: &StoreSubject) {
    let store = &*s.store;
    let t = now();
    for i in 0..3 {
        let k = key(&format!("user{i}@example.com"), "203.0.113.9");
        assert_eq!(
            store.reserve_login_attempt(&k, t, &limits(0, 3, t)).await.expect("reserve"),
            Reservation::Granted
        );
    }
    let k = key("user9@example.com", "203.0.113.9");
    let later = t + Duration::minutes(1);
    assert_eq!(
        store.reserve_login_attempt(&k, later, &limits(0, 3, later)).await.expect("reserve"),
        Reservation::AddressLocked { until: t + Duration::minutes(15) }
    );
    let other = key("user9@example.com", "203.0.113.10");
    assert_eq!(
        store.reserve_login_attempt(&other, later, &limits(0, 3, later)).await.expect("reserve"),
        Reservation::Granted
    );
    let closed = t + Duration::minutes(15);
    assert_eq!(
        store.reserve_login_attempt(&k, closed, &limits(0, 3, closed)).await.expect("reserve"),
        Reservation::Granted
    );
}

/// An attempt refused because its pair is locked does not count against the address.
pub async fn a_locked_pair_does_not_use_up_the_address(s: &StoreSubject) {
    let store = &*s.store;
    let t = now();
    let l = limits(1, 3, t);
    let ada = key("ada@example.com", "192.0.2.1");
    assert_eq!(
        store.reserve_login_attempt(&ada, t, &l).await.expect("reserve"),
        Reservation::Granted
    );
    for _ in 0..5 {
        assert!(matches!(
            store.reserve_login_attempt(&ada, t, &l).await.expect("reserve"),
            Reservation::AccountLocked { .. }
        ));
    }
    for i in 0..2 {
        let k = key(&format!("user{i}@example.com"), "192.0.2.1");
        assert_eq!(
            store.reserve_login_attempt(&k, t, &l).await.expect("reserve"),
            Reservation::Granted
        );
    }
}

/// With both maxima at zero nothing is counted and nothing locks.
pub async fn zero_limits_never_lock(s: &StoreSubject) {
    let store = &*s.store;
    let t = now();
    let ada = key("ada@example.com", "192.0.2.1");
    for _ in 0..20 {
        assert_eq!(
            store.reserve_login_attempt(&ada, t, &limits(0, 0, t)).await.expect("reserve"),
            Reservation::Granted
        );
    }
}

/// Purge deletes closed address windows and unlocked, stale pair counts, and nothing else.
pub async fn purge_drops_only_counters_that_no_longer_matter(s: &StoreSubject) {
    let store = &*s.store;
    let t = now();
    let locked = key("locked@example.com", "192.0.2.1");
    store.reserve_login_attempt(&locked, t, &limits(1, 0, t)).await.expect("reserve");
    let fresh = key("fresh@example.com", "192.0.2.2");
    store.reserve_login_attempt(&fresh, t, &limits(5, 0, t)).await.expect("reserve");
    let old_at = t - Duration::hours(1);
    let stale = key("stale@example.com", "192.0.2.3");
    store.reserve_login_attempt(&stale, old_at, &limits(5, 5, old_at)).await.expect("reserve");

    // Now: the stale pair (last attempt an hour ago) and its closed address window go.
    let purged = store.purge_login_attempts(t, t - Duration::minutes(15)).await.expect("purge");
    assert_eq!(purged, 2);
    assert!(
        matches!(
            store.reserve_login_attempt(&locked, t, &limits(1, 0, t)).await.expect("reserve"),
            Reservation::AccountLocked { .. }
        ),
        "a standing lock survives purge"
    );
    assert_eq!(store.purge_login_attempts(t, t - Duration::minutes(15)).await.expect("purge"), 0);
}
