//! A TOTP code is accepted once (SPEC §13): no replay inside its time step, nor of any code
//! older than the last one accepted.
//!
//! The engine ([`crate::ports::TotpEngine::check`]) says which step a code belongs to, the
//! latest one within [`SKEW_STEPS`] of now; the store keeps, per user, the last step it
//! accepted. A code is accepted only for a step after that one, and accepting it moves the
//! stored step forward. The store MUST make that move conditional (`UPDATE ... SET
//! last_step = s WHERE user_id = u AND (last_step IS NULL OR last_step < s)`, one row
//! changed or the code was just used by a concurrent request), so two requests with the same
//! code cannot both pass.

use crate::domain::totp::TimeStep;

/// Steps either side of now whose codes are accepted: one, i.e. a code stays good from 30 s
/// before it appears until 30 s after it leaves the app, for phones whose clocks drift and
/// users who type slowly. RFC 6238 §5.2 recommends at most one step of network delay.
pub const SKEW_STEPS: u8 = 1;

/// What to do with a TOTP code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpVerdict {
    /// The code is good: store this step as the last accepted (conditionally, see above).
    Accept(TimeStep),
    /// The code belongs to no step in the window: a wrong code.
    Wrong,
    /// The code is right but its step is not after the last accepted one: it was used
    /// already (or an older code was). Answered like a wrong code.
    Replayed,
}

/// The verdict on a code the engine placed at `matched` (`None`: no step in the window),
/// for a user whose last accepted step is `last_accepted` (`None`: none yet).
pub fn judge(matched: Option<TimeStep>, last_accepted: Option<TimeStep>) -> TotpVerdict {
    match (matched, last_accepted) {
        (None, _) => TotpVerdict::Wrong,
        (Some(step), Some(last)) if step <= last => TotpVerdict::Replayed,
        (Some(step), _) => TotpVerdict::Accept(step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::totp::{TotpCode, TotpSecret};
    use crate::ports::{Clock, TotpEngine};
    use crate::testing::{FakeClock, RefTotp, hotp_code};
    use time::{Duration, OffsetDateTime};

    /// A user's app and Baton's view of one account: the secret, the clock, the stored step.
    struct Account {
        secret: TotpSecret,
        clock: FakeClock,
        last: Option<TimeStep>,
    }

    impl Account {
        fn new() -> Self {
            let start = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
            let secret = TotpSecret::from_bytes(b"a secret of twenty b".to_vec());
            Self { secret, clock: FakeClock::at(start), last: None }
        }

        /// The code the app shows at the clock's time plus `drift` (the phone's clock error).
        fn app_code(&self, drift: Duration) -> TotpCode {
            let step = TimeStep::containing(self.clock.now() + drift);
            TotpCode::parse(&hotp_code(self.secret.expose(), step.number() as u64)).unwrap()
        }

        /// Baton checks `code` now and stores the step if accepted.
        fn submit(&mut self, code: &TotpCode) -> TotpVerdict {
            let now = TimeStep::containing(self.clock.now());
            let matched = RefTotp::new("Baton").check(&self.secret, code, now, SKEW_STEPS);
            let verdict = judge(matched, self.last);
            if let TotpVerdict::Accept(step) = verdict {
                self.last = Some(step);
            }
            verdict
        }
    }

    #[test]
    fn a_code_is_accepted_once_even_later_in_its_step() {
        let mut a = Account::new();
        let code = a.app_code(Duration::ZERO);
        assert!(matches!(a.submit(&code), TotpVerdict::Accept(_)));
        assert_eq!(a.submit(&code), TotpVerdict::Replayed, "at once");
        a.clock.advance(Duration::seconds(10));
        assert_eq!(a.submit(&code), TotpVerdict::Replayed, "later, still inside the window");
    }

    #[test]
    fn the_next_steps_code_is_accepted_but_an_older_one_is_not() {
        let mut a = Account::new();
        let first = a.app_code(Duration::ZERO);
        assert!(matches!(a.submit(&first), TotpVerdict::Accept(_)));
        a.clock.advance(Duration::seconds(30));
        let second = a.app_code(Duration::ZERO);
        assert_ne!(first, second);
        let accepted = a.submit(&second);
        assert_eq!(accepted, TotpVerdict::Accept(TimeStep::containing(a.clock.now())));
        // A code from before the last accepted one, still inside the window, is a replay.
        let mut b = Account::new();
        let old = b.app_code(Duration::ZERO);
        b.clock.advance(Duration::seconds(30));
        let new = b.app_code(Duration::ZERO);
        assert!(matches!(b.submit(&new), TotpVerdict::Accept(_)));
        assert_eq!(b.submit(&old), TotpVerdict::Replayed);
    }

    #[test]
    fn a_phone_one_step_off_is_accepted_two_steps_off_is_not() {
        for drift in [-30, 30] {
            let mut a = Account::new();
            let code = a.app_code(Duration::seconds(drift));
            let step = TimeStep::containing(a.clock.now() + Duration::seconds(drift));
            assert_eq!(a.submit(&code), TotpVerdict::Accept(step), "drift {drift}s");
        }
        for drift in [-60, 60] {
            let mut a = Account::new();
            let code = a.app_code(Duration::seconds(drift));
            assert_eq!(a.submit(&code), TotpVerdict::Wrong, "drift {drift}s");
        }
    }

    #[test]
    fn a_code_from_the_future_blocks_the_present_codes_until_it_passes() {
        // A phone running 30 s fast is accepted for the next step; the current step's code
        // is then older than the last accepted one, as a replay would be.
        let mut a = Account::new();
        assert!(matches!(a.submit(&a.app_code(Duration::seconds(30))), TotpVerdict::Accept(_)));
        assert_eq!(a.submit(&a.app_code(Duration::ZERO)), TotpVerdict::Replayed);
        a.clock.advance(Duration::seconds(60));
        assert!(matches!(a.submit(&a.app_code(Duration::ZERO)), TotpVerdict::Accept(_)));
    }

    #[test]
    fn judge_is_a_plain_comparison() {
        let s = TimeStep::new(100);
        assert_eq!(judge(None, None), TotpVerdict::Wrong);
        assert_eq!(judge(None, Some(s)), TotpVerdict::Wrong);
        assert_eq!(judge(Some(s), None), TotpVerdict::Accept(s));
        assert_eq!(judge(Some(s), Some(s.offset(-1))), TotpVerdict::Accept(s));
        assert_eq!(judge(Some(s), Some(s)), TotpVerdict::Replayed);
        assert_eq!(judge(Some(s), Some(s.offset(1))), TotpVerdict::Replayed);
    }
}
