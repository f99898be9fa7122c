//! Login lockout (SPEC §5): after `max_failed_logins` consecutive failures the account is
//! locked for `lockout`, even against the right password.

use crate::domain::user::User;
use crate::rules::policy::Policy;
use time::OffsetDateTime;

/// Time left on the account's lock at `now`, or `None` when logins are allowed.
pub fn remaining_lock(user: &User, now: OffsetDateTime) -> Option<time::Duration> {
    let until = user.locked_until?;
    (until > now).then(|| until - now)
}

/// Whether the failure count just recorded calls for a lock.
pub fn should_lock(failures: u32, policy: &Policy) -> bool {
    policy.max_failed_logins > 0 && failures >= policy.max_failed_logins
}

/// Whether a successful login has anything to clear (saves a write in the common case).
pub fn needs_reset(user: &User) -> bool {
    user.failed_logins > 0 || user.locked_until.is_some()
}
