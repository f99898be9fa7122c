//! Login lockout (SPEC §5): failed logins count per account *and* client address, plus a
//! ceiling per address over all accounts; each attempt is counted before its password is
//! checked (see [`crate::ports::UserStore::reserve_login_attempt`]).
//!
//! One duration, `lockout`, sets all three clocks: how long a lock lasts, how long the
//! per-address window is, and how long a pair's failures are remembered without a new one
//! ("consecutive" failures are at most `lockout` apart).

use crate::ports::{LoginLimits, Reservation};
use crate::rules::policy::Policy;
use std::time::Duration as StdDuration;
use time::OffsetDateTime;

/// The limits an attempt made at `now` is reserved under.
pub fn limits(policy: &Policy, now: OffsetDateTime) -> LoginLimits {
    LoginLimits {
        account_max: policy.max_failed_logins,
        address_max: policy.max_failures_per_address,
        lock_until: now + policy.lockout,
        stale_before: now - policy.lockout,
    }
}

/// How long a refused attempt should wait, from the reservation's answer; `None` when the
/// attempt was granted. Whole seconds, at least one (`Retry-After` takes whole seconds).
pub fn retry_after(reservation: Reservation, now: OffsetDateTime) -> Option<StdDuration> {
    let until = match reservation {
        Reservation::Granted => return None,
        Reservation::AccountLocked { until } | Reservation::AddressLocked { until } => until,
    };
    let secs = (until - now).whole_seconds().max(1);
    Some(StdDuration::from_secs(secs.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn limits_follow_the_policy() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let l = limits(&Policy::default(), now);
        assert_eq!((l.account_max, l.address_max), (5, 100));
        assert_eq!(l.lock_until, now + Duration::minutes(15));
        assert_eq!(l.stale_before, now - Duration::minutes(15));
    }

    #[test]
    fn retry_after_is_whole_seconds_and_at_least_one() {
        let now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(retry_after(Reservation::Granted, now), None);
        let locked = |until| Reservation::AccountLocked { until };
        assert_eq!(
            retry_after(locked(now + Duration::seconds(90)), now),
            Some(StdDuration::from_secs(90))
        );
        assert_eq!(retry_after(locked(now), now), Some(StdDuration::from_secs(1)));
        let window = Reservation::AddressLocked { until: now + Duration::milliseconds(1500) };
        assert_eq!(retry_after(window, now), Some(StdDuration::from_secs(1)));
    }
}
