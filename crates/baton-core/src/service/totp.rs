//! TOTP enrolment and removal (SPEC §13): enrol (a pending secret, sealed), confirm with a
//! first code (then ten recovery codes, shown once), disable with the password and a code.

use super::second_factor::{Parsed, Proof, fault, locked};
use super::{Auth, Principal};
use crate::domain::factor::FactorSummary;
use crate::domain::recovery::IssuedRecoveryCodes;
use crate::domain::session::RevokeReason;
use crate::domain::totp::{TimeStep, TotpCode, TotpEnrolment, TotpSecret};
use crate::error::MfaError;
use crate::rules::totp::{SKEW_STEPS, TotpVerdict, judge};

impl Auth {
    /// `GET /auth/mfa`: which second factors the caller's account has, so a page can offer to
    /// enrol one or warn that the recovery codes run low.
    pub async fn second_factor_status(
        &self,
        principal: &Principal,
    ) -> Result<FactorSummary, MfaError> {
        Ok(self.ports.factors.factor_summary(principal.user.id).await?)
    }

    /// `POST /auth/mfa/totp`: a new secret for the caller, pending until confirmed (a second
    /// enrolment replaces a pending one). [`MfaError::Unavailable`] without a sealing key,
    /// [`MfaError::AlreadyEnabled`] when a confirmed TOTP exists.
    pub async fn enrol_totp(&self, principal: &Principal) -> Result<TotpEnrolment, MfaError> {
        let second = self.second()?;
        let sealer = second.sealer.as_ref().ok_or(MfaError::Unavailable)?;
        let user = &principal.user;
        let secret = TotpSecret::generate(second.random.as_ref());
        let sealed = sealer.seal(&secret, user.id).map_err(fault)?;
        let enrolment = second.totp.enrolment(&secret, user.email.as_str()).map_err(fault)?;
        if !self.ports.factors.put_pending_totp(user.id, &sealed, self.now()).await? {
            return Err(MfaError::AlreadyEnabled);
        }
        tracing::info!(user_id = %user.id, "TOTP enrolment started");
        Ok(enrolment)
    }

    /// `POST /auth/mfa/totp/confirm`: a first code proves the app holds the pending secret;
    /// TOTP is then on, and the answer is ten recovery codes (as shown to the user), which
    /// replace any earlier ones and are never shown again.
    pub async fn confirm_totp(
        &self,
        principal: &Principal,
        code: &str,
    ) -> Result<Vec<String>, MfaError> {
        let second = self.second()?;
        let code = TotpCode::parse(code).map_err(|e| MfaError::InvalidInput(e.to_string()))?;
        let user = &principal.user;
        let totp = self.ports.factors.totp(user.id).await?.ok_or(MfaError::NotEnrolled)?;
        if totp.confirmed_at.is_some() {
            return Err(MfaError::AlreadyEnabled);
        }
        let sealer = second.sealer.as_ref().ok_or(MfaError::Unavailable)?;
        let secret = sealer.open(&totp.sealed, user.id).map_err(fault)?;
        let now = self.now();
        let matched = second.totp.check(&secret, &code, TimeStep::containing(now), SKEW_STEPS);
        let TotpVerdict::Accept(step) = judge(matched, None) else {
            return Err(MfaError::InvalidCode);
        };
        let issued = IssuedRecoveryCodes::generate(second.random.as_ref(), user.id);
        let factors = &self.ports.factors;
        let confirmed = factors.confirm_totp(user.id, &totp.sealed, step, &issued.hashes, now);
        if !confirmed.await? {
            // A newer enrolment replaced this secret meanwhile: its code is for that one.
            return Err(MfaError::NotEnrolled);
        }
        tracing::info!(user_id = %user.id, "TOTP enabled");
        Ok(issued.codes.iter().map(|c| c.display()).collect())
    }

    /// `DELETE /auth/mfa/totp`: with the password and a code (TOTP or recovery), turns TOTP
    /// off, drops the recovery codes and ends every other session of the user. Wrong answers
    /// count toward the lockout.
    pub async fn disable_totp(
        &self,
        principal: &Principal,
        password: &str,
        code: &str,
        client_addr: Option<&str>,
    ) -> Result<(), MfaError> {
        let proof = match TotpCode::parse(code) {
            Ok(_) => Proof::Totp(code.to_owned()),
            Err(_) => Proof::RecoveryCode(code.to_owned()),
        };
        let proof = match proof.parse() {
            Ok(proof) => proof,
            Err(_) => {
                return Err(MfaError::InvalidInput(
                    "code: a TOTP code (6 digits) or a recovery code".into(),
                ));
            }
        };
        let user = &principal.user;
        let confirmed = self.ports.factors.totp(user.id).await?.and_then(|t| t.confirmed_at);
        if confirmed.is_none() {
            return Err(MfaError::NotEnrolled);
        }
        let key = self.reserve_attempt(user, client_addr).await?.map_err(locked)?;
        if !self.ports.hasher.verify(password, &user.password_hash).await? {
            tracing::info!(user_id = %user.id, reason = "wrong_password", "TOTP not disabled");
            return Err(MfaError::InvalidCredentials);
        }
        debug_assert!(!matches!(proof, Parsed::Passkey(_)));
        self.check_proof(user, proof, None).await?;
        self.ports.users.release_login_attempt(&key).await?;
        self.ports.factors.delete_totp(user.id).await?;
        self.revoke_others(principal, "TOTP disabled").await
    }

    /// Ends every session of the caller but the current one, after a factor was removed.
    pub(super) async fn revoke_others(
        &self,
        principal: &Principal,
        what: &'static str,
    ) -> Result<(), MfaError> {
        let (user, keep) = (principal.user.id, Some(principal.session.id));
        let now = self.now();
        let reason = RevokeReason::FactorRemoved;
        let ended = self.ports.tokens.revoke_user_sessions(user, keep, reason, now).await?;
        tracing::info!(user_id = %user, ended, "{what}; other sessions revoked");
        Ok(())
    }
}
