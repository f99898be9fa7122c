//! Operator tasks on second factors: re-sealing every TOTP secret under the current key after
//! a rotation (`baton mfa reseal`), and removing a user's second factors when they lost both
//! the authenticator and the recovery codes (`baton user reset-mfa`).

use super::Auth;
use super::second_factor::fault;
use crate::domain::email::Email;
use crate::domain::session::RevokeReason;
use crate::domain::user::User;
use crate::error::{AdminError, MfaError};
use crate::ports::SealError;

/// TOTP factors read per page by [`Auth::reseal_totp_secrets`].
const RESEAL_PAGE: u32 = 500;

/// What a bulk re-seal did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResealReport {
    /// Secrets sealed anew under the current key.
    pub resealed: u64,
    /// Secrets already under the current key.
    pub current: u64,
    /// Secrets under a key that is no longer configured: they cannot be opened; their users
    /// log in with a recovery code or a passkey and enrol again.
    pub unknown_key: u64,
}

impl Auth {
    /// Re-seals every TOTP secret not under the current (first) `mfa.encryption_key`, so the
    /// old keys can be removed. Safe while servers run: each secret is replaced only if it is
    /// still the text that was read. [`MfaError::Unavailable`] without a key.
    pub async fn reseal_totp_secrets(&self) -> Result<ResealReport, MfaError> {
        let sealer = self.second()?.sealer.clone().ok_or(MfaError::Unavailable)?;
        let mut report = ResealReport::default();
        let mut after = None;
        loop {
            let page = self.ports.factors.totp_factors_after(after, RESEAL_PAGE).await?;
            let Some(last) = page.last() else { return Ok(report) };
            after = Some(last.user_id);
            for factor in page {
                if sealer.is_current(&factor.sealed) {
                    report.current += 1;
                    continue;
                }
                let secret = match sealer.open(&factor.sealed, factor.user_id) {
                    Ok(secret) => secret,
                    Err(SealError::UnknownKey(key)) => {
                        tracing::warn!(user_id = %factor.user_id, key, "TOTP secret under a removed key");
                        report.unknown_key += 1;
                        continue;
                    }
                    Err(e) => return Err(fault(e)),
                };
                let new = sealer.seal(&secret, factor.user_id).map_err(fault)?;
                let factors = &self.ports.factors;
                if factors.reseal_totp(factor.user_id, &factor.sealed, &new).await? {
                    report.resealed += 1;
                }
            }
        }
    }

    /// Removes every second factor of the account `email` (TOTP, recovery codes, passkeys)
    /// and ends all its sessions: for a user who lost both the authenticator and the recovery
    /// codes, once the operator has made sure who they are. The password logs in again.
    pub async fn reset_second_factors(&self, email: &str) -> Result<User, AdminError> {
        let email = Email::parse(email).map_err(|_| AdminError::UserNotFound)?;
        let user = self.ports.users.find_user_by_email(&email).await?;
        let user = user.ok_or(AdminError::UserNotFound)?;
        let factors = &self.ports.factors;
        factors.delete_totp(user.id).await?;
        for passkey in factors.passkeys(user.id).await? {
            factors.delete_passkey(user.id, passkey.id).await?;
        }
        let (now, reason) = (self.now(), RevokeReason::FactorRemoved);
        self.ports.tokens.revoke_user_sessions(user.id, None, reason, now).await?;
        tracing::info!(user_id = %user.id, "second factors reset by an operator");
        Ok(user)
    }
}
