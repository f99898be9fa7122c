//! When to try a mail again after a failed attempt, and when to give up (SPEC §12: an SMTP
//! outage delays mail but loses none, within reason).
//!
//! Exponential backoff: the first retry after [`RetryPolicy::first_delay`], each next one
//! twice as late, never more than [`RetryPolicy::max_delay`] apart. A mail is given up when
//! the far side refused it for good, or when the next attempt would come after its deadline:
//! [`RetryPolicy::give_up_after`] from when it was queued, or sooner when the mail carries a
//! link that expires (a reset link that arrives after it expired only confuses its reader).
//! No jitter: the outbox hands each mail to one sender at a time, so retries of many mails do
//! not fall on the same instant unless they failed on the same instant, and then spreading
//! them out would only delay mail the recovered server could take.

use crate::domain::mail::FailureKind;
use time::{Duration, OffsetDateTime};

/// The backoff numbers; configuration fills them (`[mail]`), defaults below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait before the first retry.
    pub first_delay: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
    /// How long after queueing a mail is still worth sending.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    /// 30 s, then 1 min, 2 min … capped at 1 h, for up to a day: a short outage costs
    /// seconds, a long one costs at most an hour after it ends.
    fn default() -> Self {
        Self {
            first_delay: Duration::seconds(30),
            max_delay: Duration::hours(1),
            give_up_after: Duration::days(1),
        }
    }
}

/// What to do with a mail whose attempt just failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Try again at this instant (not before).
    RetryAt(OffsetDateTime),
    /// Stop trying; the mail is failed for good.
    GiveUp(GiveUpReason),
}

/// Why a mail was given up, for its outbox row and the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// The far side refused it ([`FailureKind::Permanent`]).
    Refused,
    /// The next attempt would come after the mail's deadline.
    Expired,
}

/// A mail's bookkeeping as the retry rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    /// When the mail was queued.
    pub queued_at: OffsetDateTime,
    /// Failed attempts so far, the one just made included (so at least 1).
    pub failures: u32,
    /// When the mail's content stops being useful (its link's expiry), if it has such a time.
    pub expires_at: Option<OffsetDateTime>,
}

impl RetryPolicy {
    /// The wait after the `failures`-th failed attempt: `first_delay × 2^(failures−1)`,
    /// capped at `max_delay` (a `failures` of 0 counts as 1). Never overflows.
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(62);
        let factor = 1_i64 << doublings;
        let seconds = self.first_delay.whole_seconds().max(0).saturating_mul(factor);
        Duration::seconds(seconds).min(self.max_delay).max(Duration::ZERO)
    }

    /// The last instant a mail may still be sent: `give_up_after` past its queueing, or its
    /// own expiry if that is sooner.
    pub fn deadline(&self, attempts: &Attempts) -> OffsetDateTime {
        let by_age = attempts.queued_at.saturating_add(self.give_up_after);
        attempts.expires_at.map_or(by_age, |expiry| expiry.min(by_age))
    }

    /// What to do after an attempt at `now` failed with `kind`.
    pub fn after_failure(
        &self,
        kind: FailureKind,
        attempts: &Attempts,
        now: OffsetDateTime,
    ) -> NextStep {
        if kind == FailureKind::Permanent {
            return NextStep::GiveUp(GiveUpReason::Refused);
        }
        let next = now.saturating_add(self.delay(attempts.failures));
        if next > self.deadline(attempts) {
            NextStep::GiveUp(GiveUpReason::Expired)
        } else {
            NextStep::RetryAt(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 12:00 UTC);

    fn attempts(failures: u32) -> Attempts {
        Attempts { queued_at: T0, failures, expires_at: None }
    }

    #[test]
    fn delays_double_from_the_first_and_stop_at_the_cap() {
        let p = RetryPolicy::default();
        let secs: Vec<i64> = (1..=9).map(|n| p.delay(n).whole_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(p.delay(0), p.delay(1));
        assert_eq!(p.delay(u32::MAX), Duration::hours(1), "no overflow at any count");
        let huge = RetryPolicy { first_delay: Duration::days(10_000), ..p.clone() };
        assert_eq!(huge.delay(60), Duration::hours(1));
    }

    #[test]
    fn a_transient_failure_is_retried_after_the_delay() {
        let p = RetryPolicy::default();
        let now = T0 + Duration::minutes(5);
        assert_eq!(
            p.after_failure(FailureKind::Transient, &attempts(3), now),
            NextStep::RetryAt(now + Duration::minutes(2))
        );
    }

    #[test]
    fn a_permanent_failure_is_given_up_at_once() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.after_failure(FailureKind::Permanent, &attempts(1), T0),
            NextStep::GiveUp(GiveUpReason::Refused)
        );
    }

    #[test]
    fn a_mail_is_given_up_when_the_next_try_would_pass_its_age_limit() {
        let p = RetryPolicy::default();
        let deadline = T0 + Duration::days(1);
        let just_in = deadline - Duration::hours(1);
        assert_eq!(
            p.after_failure(FailureKind::Transient, &attempts(20), just_in),
            NextStep::RetryAt(deadline),
            "a retry exactly at the deadline still happens"
        );
        assert_eq!(
            p.after_failure(FailureKind::Transient, &attempts(20), just_in + Duration::SECOND),
            NextStep::GiveUp(GiveUpReason::Expired)
        );
    }

    #[test]
    fn a_link_that_expires_sooner_brings_the_deadline_forward() {
        let p = RetryPolicy::default();
        let expires_at = Some(T0 + Duration::minutes(30));
        let a = Attempts { queued_at: T0, failures: 6, expires_at };
        assert_eq!(p.deadline(&a), T0 + Duration::minutes(30));
        // The 6th failure waits 16 min: from minute 10 that is minute 26, in time.
        let at10 = T0 + Duration::minutes(10);
        assert_eq!(
            p.after_failure(FailureKind::Transient, &a, at10),
            NextStep::RetryAt(at10 + Duration::minutes(16))
        );
        // From minute 20 it would be minute 36, past the link's expiry.
        let at20 = T0 + Duration::minutes(20);
        assert_eq!(
            p.after_failure(FailureKind::Transient, &a, at20),
            NextStep::GiveUp(GiveUpReason::Expired)
        );
        let late = Attempts { expires_at: Some(T0 + Duration::days(9)), ..a };
        assert_eq!(p.deadline(&late), T0 + Duration::days(1), "the age limit still holds");
    }

    #[test]
    fn an_outage_of_an_hour_is_ridden_out_with_a_bounded_number_of_attempts() {
        let p = RetryPolicy::default();
        let (mut now, mut failures) = (T0, 0);
        while now < T0 + Duration::hours(1) {
            failures += 1;
            match p.after_failure(FailureKind::Transient, &attempts(failures), now) {
                NextStep::RetryAt(next) => now = next,
                NextStep::GiveUp(why) => panic!("gave up after {failures}: {why:?}"),
            }
        }
        assert_eq!(failures, 7, "30s+1m+2m+4m+8m+16m+32m: 7 attempts cover the hour");
        assert!(now - (T0 + Duration::hours(1)) < Duration::minutes(32));
    }
}
