//! Passkeys (SPEC §13): registration by a logged-in user, the list, renaming and removal,
//! and passwordless login with a discoverable passkey. The WebAuthn ceremonies themselves are
//! the [`crate::ports::Passkeys`] adapter's; their state waits in the store between start and
//! finish and is taken once.

use super::second_factor::{CHALLENGE_TTL, locked, passkey_error};
use super::{Auth, IssuedTokens, Principal};
use crate::domain::factor::{Challenge, ChallengeId, ChallengeKind, PasskeyRecord};
use crate::domain::passkey::PasskeyUser;
use crate::domain::session::ClientInfo;
use crate::error::MfaError;
use crate::rules::amr::{Factor, amr};
use uuid::Uuid;

/// Longest passkey name, in characters.
pub const MAX_PASSKEY_NAME: usize = 64;

/// A started passwordless login: the handle to finish it with and the options for
/// `navigator.credentials.get`.
#[derive(Debug, Clone)]
pub struct PasswordlessStart {
    /// The single-use handle (`challenge_id`); only its hash is stored.
    pub challenge_id: String,
    /// `{"publicKey": {...}}` in the WebAuthn JSON form.
    pub options_json: String,
}

/// A passkey name as its owner typed it: trimmed, 1 to [`MAX_PASSKEY_NAME`] characters, no
/// control characters.
fn passkey_name(name: &str) -> Result<String, MfaError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_PASSKEY_NAME {
        return Err(MfaError::InvalidInput(format!(
            "name must be 1 to {MAX_PASSKEY_NAME} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(MfaError::InvalidInput("name must not contain control characters".into()));
    }
    Ok(name.to_owned())
}

impl Auth {
    /// `POST /auth/passkeys/register/start`: creation options for a new passkey of the
    /// caller (their registered ones excluded); a newer start replaces an unfinished one.
    pub async fn start_passkey_registration(
        &self,
        principal: &Principal,
    ) -> Result<String, MfaError> {
        let second = self.second()?;
        let user = &principal.user;
        let existing = self.stored_passkeys(user).await?;
        let exclude: Vec<_> = existing.into_iter().map(|p| p.credential_id).collect();
        let entity = PasskeyUser {
            id: user.id,
            name: user.email.as_str().to_owned(),
            display_name: user.name.as_ref().map_or(user.email.as_str(), |n| n.as_str()).into(),
        };
        let ceremony = second.passkeys.start_registration(&entity, &exclude);
        let ceremony = ceremony.map_err(passkey_error)?;
        let now = self.now();
        let challenge = Challenge {
            id: ChallengeId::registration_of(user.id),
            kind: ChallengeKind::Registration,
            user_id: Some(user.id),
            client_id: None,
            state: Some(ceremony.state),
            created_at: now,
            expires_at: now + CHALLENGE_TTL,
        };
        self.ports.factors.put_challenge(&challenge).await?;
        Ok(ceremony.options_json)
    }

    /// `POST /auth/passkeys/register/finish`: verifies the browser's new credential against
    /// the caller's started registration (used once) and stores it under `name` (default
    /// "Passkey").
    pub async fn finish_passkey_registration(
        &self,
        principal: &Principal,
        credential_json: &str,
        name: Option<&str>,
    ) -> Result<PasskeyRecord, MfaError> {
        let second = self.second()?;
        let name = passkey_name(name.unwrap_or("Passkey"))?;
        let user = &principal.user;
        let now = self.now();
        let id = ChallengeId::registration_of(user.id);
        let challenge = (self.ports.factors.take_challenge(&id).await?)
            .filter(|c| c.kind == ChallengeKind::Registration && c.is_live(now))
            .filter(|c| c.user_id == Some(user.id));
        let state = challenge.and_then(|c| c.state).ok_or(MfaError::InvalidChallenge)?;
        let new = second.passkeys.finish_registration(&state, credential_json);
        let new = new.map_err(passkey_error)?;
        let record = PasskeyRecord {
            id: self.ports.random.uuid(),
            user_id: user.id,
            credential_id: new.credential_id,
            name,
            blob: new.blob,
            backup_eligible: new.backup_eligible,
            created_at: now,
            last_used_at: None,
        };
        if !self.ports.factors.add_passkey(&record).await? {
            return Err(MfaError::PasskeyExists);
        }
        tracing::info!(user_id = %user.id, passkey = %record.id, "passkey registered");
        Ok(record)
    }

    /// `GET /auth/passkeys`: the caller's passkeys, oldest first.
    pub async fn list_passkeys(
        &self,
        principal: &Principal,
    ) -> Result<Vec<PasskeyRecord>, MfaError> {
        Ok(self.ports.factors.passkeys(principal.user.id).await?)
    }

    /// `PATCH /auth/passkeys/{id}`: renames one of the caller's passkeys.
    pub async fn rename_passkey(
        &self,
        principal: &Principal,
        id: Uuid,
        name: &str,
    ) -> Result<(), MfaError> {
        let name = passkey_name(name)?;
        match self.ports.factors.rename_passkey(principal.user.id, id, &name).await? {
            true => Ok(()),
            false => Err(MfaError::PasskeyNotFound),
        }
    }

    /// `DELETE /auth/passkeys/{id}`: removes one of the caller's passkeys and ends every other
    /// session. When it is the account's last second factor, `password` must be given and
    /// right (counted toward the lockout): the access token alone cannot strip the account
    /// down to a password.
    pub async fn delete_passkey(
        &self,
        principal: &Principal,
        id: Uuid,
        password: Option<&str>,
        client_addr: Option<&str>,
    ) -> Result<(), MfaError> {
        let user = &principal.user;
        let summary = self.ports.factors.factor_summary(user.id).await?;
        let passkeys = self.ports.factors.passkeys(user.id).await?;
        if !passkeys.iter().any(|p| p.id == id) {
            return Err(MfaError::PasskeyNotFound);
        }
        if !summary.totp && passkeys.len() == 1 {
            let password = password.ok_or(MfaError::PasswordRequired)?;
            let key = self.reserve_attempt(user, client_addr).await?.map_err(locked)?;
            if !self.ports.hasher.verify(password, &user.password_hash).await? {
                tracing::info!(user_id = %user.id, reason = "wrong_password", "passkey kept");
                return Err(MfaError::InvalidCredentials);
            }
            self.ports.users.release_login_attempt(&key).await?;
        }
        if !self.ports.factors.delete_passkey(user.id, id).await? {
            return Err(MfaError::PasskeyNotFound);
        }
        self.revoke_others(principal, "passkey removed").await
    }

    /// `POST /auth/passkeys/login/start`: options for a passwordless login, where the browser
    /// offers the discoverable passkeys it holds for this site.
    pub async fn start_passwordless(&self) -> Result<PasswordlessStart, MfaError> {
        let second = self.second()?;
        let ceremony = second.passkeys.start_passwordless().map_err(passkey_error)?;
        let challenge_id = self.handle()?;
        let now = self.now();
        let challenge = Challenge {
            id: ChallengeId::of_handle(&challenge_id),
            kind: ChallengeKind::Passwordless,
            user_id: None,
            client_id: None,
            state: Some(ceremony.state),
            created_at: now,
            expires_at: now + CHALLENGE_TTL,
        };
        self.ports.factors.put_challenge(&challenge).await?;
        Ok(PasswordlessStart { challenge_id, options_json: ceremony.options_json })
    }

    /// `POST /auth/passkeys/login/finish`: a discoverable passkey's assertion for the started
    /// login `challenge_id` (used once, right or wrong) opens a session of its owner.
    pub async fn finish_passwordless(
        &self,
        challenge_id: &str,
        credential_json: &str,
        client: ClientInfo,
    ) -> Result<IssuedTokens, MfaError> {
        let second = self.second()?;
        let now = self.now();
        let id = ChallengeId::of_handle(challenge_id);
        let challenge = (self.ports.factors.take_challenge(&id).await?)
            .filter(|c| c.kind == ChallengeKind::Passwordless && c.is_live(now));
        let state = challenge.and_then(|c| c.state).ok_or(MfaError::InvalidChallenge)?;
        let claimed = second.passkeys.identify(credential_json).map_err(passkey_error)?;
        let user = self.ports.users.find_user(claimed.user_id).await?;
        let user = user.ok_or(MfaError::PasskeyRefused)?;
        let stored = self.stored_passkeys(&user).await?;
        let used = second.passkeys.finish_authentication(&state, credential_json, &stored);
        let used = used.map_err(passkey_error)?;
        if used.user_id != user.id {
            return Err(MfaError::PasskeyRefused);
        }
        let updated = used.updated.as_ref();
        self.ports.factors.passkey_used(&used.credential_id, updated, now).await?;
        self.admit(&user)?;
        let factor = Factor::Passkey {
            user_verified: used.user_verified,
            backup_eligible: used.backup_eligible,
        };
        let client_id = self.client_or_default(None);
        tracing::info!(user_id = %user.id, "passwordless login");
        Ok(self.open_login_session(user, client, client_id, amr(&[factor]).into(), now).await?)
    }
}
