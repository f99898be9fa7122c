//! Second factors' metrics (SPEC §13): how the second step of logins and passwordless logins
//! end, so that guessing at codes (many `invalid_code`, then `locked`) or a broken relying
//! party (only `passkey_refused`) shows beside the password logins of `baton_login_total`.

use super::{Metrics, OK, outcome, outcomes};
use baton_core::MfaError;

/// `POST /api/v1/auth/mfa/verify` by outcome: `ok`, or the failure's label (`invalid_code`,
/// `invalid_mfa_token`, `passkey_refused`, `locked`, ...).
pub const MFA_VERIFICATIONS: &str = "baton_mfa_verify_total";
/// `POST /api/v1/auth/passkeys/login/finish` (passwordless) by outcome, labelled likewise.
pub const PASSKEY_LOGINS: &str = "baton_passkey_login_total";

/// Every outcome label of [`MFA_VERIFICATIONS`] and [`PASSKEY_LOGINS`].
pub fn mfa_outcomes() -> Vec<&'static str> {
    outcomes::<MfaError>(&[OK])
}

impl Metrics {
    /// Describes the second-factor series and registers them at 0; called once by
    /// [`Metrics::new`].
    pub(super) fn register_mfa(&self) {
        let r = &self.inner.recorder;
        let help = "Second steps of logins (mfa/verify) by outcome.";
        metrics::Recorder::describe_counter(r, MFA_VERIFICATIONS.into(), None, help.into());
        let help = "Passwordless passkey logins by outcome.";
        metrics::Recorder::describe_counter(r, PASSKEY_LOGINS.into(), None, help.into());
        for name in [MFA_VERIFICATIONS, PASSKEY_LOGINS] {
            for label in mfa_outcomes() {
                self.outcome_counter(name, label).increment(0);
            }
        }
    }

    /// Counts a second step by the core's answer.
    pub fn mfa_verified<T>(&self, result: &Result<T, MfaError>) {
        self.outcome_counter(MFA_VERIFICATIONS, outcome(result)).increment(1);
    }

    /// Counts a passwordless login by the core's answer.
    pub fn passkey_login<T>(&self, result: &Result<T, MfaError>) {
        self.outcome_counter(PASSKEY_LOGINS, outcome(result)).increment(1);
    }
}
