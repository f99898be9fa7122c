//! The second step of a login (SPEC §13): a right password for an account with a second
//! factor opens no session; it answers an `mfa_token`, and `verify_mfa` finishes the login
//! with a TOTP code, a recovery code or a passkey assertion.
//!
//! Order of the steps in `verify_mfa`: the token is read (not taken), the attempt is counted
//! toward the lockout before the factor is checked (as login counts a password), and only a
//! right factor takes the token, atomically, so that of two right answers at the same instant
//! one opens a session. Wrong factors leave the token alive until it expires: the lockout,
//! not the token, bounds the guesses.

use std::sync::Arc;

use super::{Auth, IssuedTokens};
use crate::domain::factor::{Challenge, ChallengeId, ChallengeKind, FactorSummary};
use crate::domain::passkey::{CeremonyState, StoredPasskey};
use crate::domain::recovery::RecoveryCode;
use crate::domain::session::ClientInfo;
use crate::domain::token::ClientId;
use crate::domain::totp::{TimeStep, TotpCode};
use crate::domain::user::User;
use crate::error::{Fault, MfaError, MfaPending};
use crate::ports::{PasskeyError, Passkeys, RandomBytes, SecretSealer, TotpEngine};
use crate::rules::amr::{Factor, amr};
use crate::rules::totp::{SKEW_STEPS, TotpVerdict, judge};
use time::Duration;

/// How long an `mfa_token` or a passkey ceremony stays good: long enough to open an app or
/// touch a key, short enough that a stolen token is soon worthless.
pub const CHALLENGE_TTL: Duration = Duration::minutes(5);

/// The second-factor adapters, from configuration.
#[derive(Clone)]
pub struct SecondFactors {
    /// Computes and checks TOTP codes; makes enrolment material.
    pub totp: Arc<dyn TotpEngine>,
    /// Seals TOTP secrets; `None` without `mfa.encryption_key` (TOTP unavailable).
    pub sealer: Option<Arc<dyn SecretSealer>>,
    /// The WebAuthn relying party.
    pub passkeys: Arc<dyn Passkeys>,
    /// Secrets, recovery codes and handles.
    pub random: Arc<dyn RandomBytes>,
}

/// What the user brings as a second factor, as the client sent it.
#[derive(Debug, Clone)]
pub enum Proof {
    /// A TOTP code from the app.
    Totp(String),
    /// One of the recovery codes.
    RecoveryCode(String),
    /// A WebAuthn assertion (`PublicKeyCredential.toJSON()`), answering
    /// [`Auth::start_mfa_webauthn`].
    Passkey(String),
}

/// A proof read and checked for form, before any attempt is counted.
pub(super) enum Parsed {
    Totp(TotpCode),
    Recovery(RecoveryCode),
    Passkey(String),
}

impl Proof {
    pub(super) fn parse(self) -> Result<Parsed, MfaError> {
        let bad = |e: &dyn std::error::Error| MfaError::InvalidInput(e.to_string());
        Ok(match self {
            Proof::Totp(code) => Parsed::Totp(TotpCode::parse(&code).map_err(|e| bad(&e))?),
            Proof::RecoveryCode(code) => {
                Parsed::Recovery(RecoveryCode::parse(&code).map_err(|e| bad(&e))?)
            }
            Proof::Passkey(json) => Parsed::Passkey(json),
        })
    }
}

/// A lock that stands, as [`MfaError::LockedOut`].
pub(super) fn locked(retry_after: std::time::Duration) -> MfaError {
    MfaError::LockedOut { retry_after }
}

/// A second-factor adapter's failure as a fault.
pub(super) fn fault(e: impl std::error::Error + Send + Sync + 'static) -> MfaError {
    MfaError::Fault(Fault::SecondFactor(Box::new(e)))
}

/// A passkey ceremony's failure: the client's doing, a refusal, or Baton's.
pub(super) fn passkey_error(e: PasskeyError) -> MfaError {
    match e {
        PasskeyError::Malformed(cause) => MfaError::InvalidInput(format!("credential: {cause}")),
        PasskeyError::Refused(_) | PasskeyError::NoPasskeys => MfaError::PasskeyRefused,
        PasskeyError::Cloned(id) => {
            tracing::warn!(credential = id.as_str(), "passkey sign counter went back: cloned?");
            MfaError::PasskeyRefused
        }
        e @ (PasskeyError::BadState(_) | PasskeyError::Backend(_)) => fault(e),
    }
}

impl Auth {
    /// These use cases with second factors: without them every second-factor use case
    /// answers [`MfaError::Unavailable`].
    pub fn with_second_factors(mut self, factors: SecondFactors) -> Self {
        self.second = Some(Arc::new(factors));
        self
    }

    pub(super) fn second(&self) -> Result<&SecondFactors, MfaError> {
        self.second.as_deref().ok_or(MfaError::Unavailable)
    }

    /// A fresh unguessable handle (256 bits, hex) for an `mfa_token` or a `challenge_id`.
    pub(super) fn handle(&self) -> Result<String, MfaError> {
        let mut bytes = [0u8; 32];
        self.second()?.random.fill(&mut bytes);
        Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Stores the pending login of `user` and answers its token and methods.
    pub(super) async fn start_mfa(
        &self,
        user: &User,
        factors: FactorSummary,
        client_id: ClientId,
    ) -> Result<MfaPending, Fault> {
        let mut bytes = [0u8; 32];
        match &self.second {
            Some(second) => second.random.fill(&mut bytes),
            // No second-factor adapters: the account still has a factor, so no session; a
            // token from the session id source, which is random too.
            None => bytes[..16].copy_from_slice(self.ports.random.uuid().as_bytes()),
        }
        let mfa_token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let now = self.now();
        let challenge = Challenge {
            id: ChallengeId::of_handle(&mfa_token),
            kind: ChallengeKind::Mfa,
            user_id: Some(user.id),
            client_id: Some(client_id),
            state: None,
            created_at: now,
            expires_at: now + CHALLENGE_TTL,
        };
        self.ports.factors.put_challenge(&challenge).await?;
        let mut methods = Vec::new();
        if factors.totp {
            methods.push("totp");
        }
        if factors.recovery_codes > 0 {
            methods.push("recovery_code");
        }
        if factors.passkeys > 0 {
            methods.push("webauthn");
        }
        Ok(MfaPending { mfa_token, methods, expires_in: CHALLENGE_TTL.unsigned_abs() })
    }

    /// The live pending login of `mfa_token` and its account.
    async fn pending_login(&self, mfa_token: &str) -> Result<(Challenge, User), MfaError> {
        let now = self.now();
        let challenge = self.ports.factors.challenge(&ChallengeId::of_handle(mfa_token)).await?;
        let challenge = challenge
            .filter(|c| c.kind == ChallengeKind::Mfa && c.is_live(now))
            .ok_or(MfaError::InvalidMfaToken)?;
        let user_id = challenge.user_id.ok_or(MfaError::InvalidMfaToken)?;
        let user = self.ports.users.find_user(user_id).await?.ok_or(MfaError::InvalidMfaToken)?;
        Ok((challenge, user))
    }

    /// `POST /auth/mfa/webauthn/start`: the assertion options for one of the account's
    /// passkeys, as the second step of the login of `mfa_token`.
    pub async fn start_mfa_webauthn(&self, mfa_token: &str) -> Result<String, MfaError> {
        let second = self.second()?;
        let (challenge, user) = self.pending_login(mfa_token).await?;
        let stored = self.stored_passkeys(&user).await?;
        if stored.is_empty() {
            return Err(MfaError::PasskeyNotFound);
        }
        let ceremony = second.passkeys.start_authentication(&stored).map_err(passkey_error)?;
        if !self.ports.factors.set_challenge_state(&challenge.id, &ceremony.state).await? {
            return Err(MfaError::InvalidMfaToken);
        }
        Ok(ceremony.options_json)
    }

    /// `POST /auth/mfa/verify`: finishes the login of `mfa_token` with a second factor.
    pub async fn verify_mfa(
        &self,
        mfa_token: &str,
        proof: Proof,
        client: ClientInfo,
    ) -> Result<IssuedTokens, MfaError> {
        let proof = proof.parse()?;
        let (challenge, user) = self.pending_login(mfa_token).await?;
        if matches!(proof, Parsed::Passkey(_)) && challenge.state.is_none() {
            // No ceremony started: nothing was guessed, so nothing is counted.
            return Err(MfaError::InvalidChallenge);
        }
        let key =
            self.reserve_attempt(&user, client.client_addr.as_deref()).await?.map_err(locked)?;
        let factor = self.check_proof(&user, proof, challenge.state.as_ref()).await?;
        if self.ports.factors.take_challenge(&challenge.id).await?.is_none() {
            return Err(MfaError::InvalidMfaToken);
        }
        self.ports.users.release_login_attempt(&key).await?;
        self.admit(&user)?;
        let client_id = challenge.client_id.unwrap_or_else(|| self.client_or_default(None));
        let amr = amr(&[Factor::Password, factor]).into();
        tracing::info!(user_id = %user.id, ?factor, "second factor accepted");
        Ok(self.open_login_session(user, client, client_id, amr, self.now()).await?)
    }

    /// Whether `user` may have a session now: enabled, and verified if the policy says so.
    pub(super) fn admit(&self, user: &User) -> Result<(), MfaError> {
        if user.is_disabled() {
            return Err(MfaError::AccountDisabled);
        }
        if self.policy.require_verified_email && user.email_verified_at.is_none() {
            return Err(MfaError::EmailNotVerified);
        }
        Ok(())
    }

    /// Checks a second factor of `user` and uses it up (a TOTP step, a recovery code); the
    /// factor it was, or why not. `state` is the pending passkey ceremony, if one started.
    pub(super) async fn check_proof(
        &self,
        user: &User,
        proof: Parsed,
        state: Option<&CeremonyState>,
    ) -> Result<Factor, MfaError> {
        let refused = |why: &'static str| {
            tracing::info!(user_id = %user.id, reason = why, "second factor refused");
        };
        match proof {
            Parsed::Totp(code) => match self.check_totp(user, &code).await? {
                true => Ok(Factor::Totp),
                false => Err(MfaError::InvalidCode),
            },
            Parsed::Recovery(code) => {
                let hash = code.hash(user.id);
                match self.ports.factors.use_recovery_code(user.id, &hash).await? {
                    true => Ok(Factor::RecoveryCode),
                    false => {
                        refused("wrong_recovery_code");
                        Err(MfaError::InvalidCode)
                    }
                }
            }
            Parsed::Passkey(json) => {
                let state = state.ok_or(MfaError::InvalidChallenge)?;
                let stored = self.stored_passkeys(user).await?;
                let passkeys = &self.second()?.passkeys;
                let used = passkeys.finish_authentication(state, &json, &stored);
                let used = used.map_err(passkey_error).inspect_err(|_| refused("passkey"))?;
                if used.user_id != user.id {
                    return Err(MfaError::PasskeyRefused);
                }
                let updated = used.updated.as_ref();
                self.ports.factors.passkey_used(&used.credential_id, updated, self.now()).await?;
                Ok(Factor::Passkey {
                    user_verified: used.user_verified,
                    backup_eligible: used.backup_eligible,
                })
            }
        }
    }

    /// Whether `code` is a fresh code of `user`'s confirmed TOTP; accepting it stores its
    /// step (conditionally: a concurrent request with the same code loses).
    async fn check_totp(&self, user: &User, code: &TotpCode) -> Result<bool, MfaError> {
        let second = self.second()?;
        let Some(totp) = self.ports.factors.totp(user.id).await? else { return Ok(false) };
        if totp.confirmed_at.is_none() {
            return Ok(false);
        }
        let sealer = second.sealer.as_ref().ok_or(MfaError::Unavailable)?;
        let secret = sealer.open(&totp.sealed, user.id).map_err(fault)?;
        let now = TimeStep::containing(self.now());
        let matched = second.totp.check(&secret, code, now, SKEW_STEPS);
        let TotpVerdict::Accept(step) = judge(matched, totp.last_step) else {
            tracing::info!(user_id = %user.id, reason = "wrong_or_replayed_code", "TOTP refused");
            return Ok(false);
        };
        if !self.ports.factors.accept_totp_step(user.id, step).await? {
            return Ok(false);
        }
        if !sealer.is_current(&totp.sealed) {
            let resealed = sealer.seal(&secret, user.id).map_err(fault)?;
            self.ports.factors.reseal_totp(user.id, &totp.sealed, &resealed).await?;
        }
        Ok(true)
    }

    /// The user's passkeys as the relying party reads them.
    pub(super) async fn stored_passkeys(&self, user: &User) -> Result<Vec<StoredPasskey>, Fault> {
        let records = self.ports.factors.passkeys(user.id).await?;
        Ok(records
            .into_iter()
            .map(|p| StoredPasskey {
                user_id: p.user_id,
                credential_id: p.credential_id,
                blob: p.blob,
            })
            .collect())
    }
}
