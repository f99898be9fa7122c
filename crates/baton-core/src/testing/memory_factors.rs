//! [`MemStore`]'s [`FactorStore`]: TOTP, recovery codes, passkeys and challenges in memory,
//! each call one critical section, as each of the database's statements or transactions is
//! atomic. The foreign keys of the tables are kept too (a factor of an unknown user is
//! refused), and [`FactorTables::forget_user`] stands in for their `ON DELETE CASCADE`.

use std::collections::{HashMap, HashSet};

use super::memory::MemStore;
use crate::domain::factor::{Challenge, ChallengeId, FactorSummary, PasskeyRecord, TotpFactor};
use crate::domain::passkey::{CeremonyState, CredentialId, PasskeyBlob};
use crate::domain::recovery::RecoveryCodeHash;
use crate::domain::totp::{SealedSecret, TimeStep};
use crate::ports::{FactorStore, StoreError};
use time::OffsetDateTime;
use uuid::Uuid;

/// The second-factor tables: `totp_factors`, `recovery_codes`, `passkeys`, `mfa_challenges`.
#[derive(Debug, Default)]
pub(super) struct FactorTables {
    totp: HashMap<Uuid, TotpFactor>,
    codes: HashMap<Uuid, HashSet<RecoveryCodeHash>>,
    passkeys: HashMap<Uuid, PasskeyRecord>,
    challenges: HashMap<ChallengeId, Challenge>,
}

impl FactorTables {
    /// Drops everything of `user`, as the database's `ON DELETE CASCADE` does when the
    /// account is deleted.
    pub(super) fn forget_user(&mut self, user: Uuid) {
        self.totp.remove(&user);
        self.codes.remove(&user);
        self.passkeys.retain(|_, p| p.user_id != user);
        self.challenges.retain(|_, c| c.user_id != Some(user));
    }
}

/// A foreign-key or primary-key violation, reported as the databases report theirs.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Violation(&'static str);

fn violation(what: &'static str) -> StoreError {
    StoreError::backend(Violation(what))
}

#[async_trait::async_trait]
impl FactorStore for MemStore {
    async fn factor_summary(&self, user_id: Uuid) -> Result<FactorSummary, StoreError> {
        let t = self.lock();
        let f = &t.factors;
        Ok(FactorSummary {
            totp: f.totp.get(&user_id).is_some_and(|x| x.confirmed_at.is_some()),
            recovery_codes: f.codes.get(&user_id).map_or(0, |c| c.len() as u64),
            passkeys: f.passkeys.values().filter(|p| p.user_id == user_id).count() as u64,
        })
    }

    async fn totp(&self, user_id: Uuid) -> Result<Option<TotpFactor>, StoreError> {
        Ok(self.lock().factors.totp.get(&user_id).cloned())
    }

    async fn totp_factors_after(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<TotpFactor>, StoreError> {
        let t = self.lock();
        let mut all: Vec<TotpFactor> = t
            .factors
            .totp
            .values()
            .filter(|f| after.is_none_or(|a| f.user_id > a))
            .cloned()
            .collect();
        all.sort_by_key(|f| f.user_id);
        all.truncate(limit as usize);
        Ok(all)
    }

    async fn put_pending_totp(
        &self,
        user_id: Uuid,
        sealed: &SealedSecret,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut t = self.lock();
        if !t.users.contains_key(&user_id) {
            return Err(violation("totp of an unknown user"));
        }
        if t.factors.totp.get(&user_id).is_some_and(|x| x.confirmed_at.is_some()) {
            return Ok(false);
        }
        let pending = TotpFactor {
            user_id,
            sealed: sealed.clone(),
            confirmed_at: None,
            last_step: None,
            created_at: at,
        };
        t.factors.totp.insert(user_id, pending);
        Ok(true)
    }

    async fn confirm_totp(
        &self,
        user_id: Uuid,
        sealed: &SealedSecret,
        step: TimeStep,
        codes: &[RecoveryCodeHash],
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut t = self.lock();
        match t.factors.totp.get_mut(&user_id) {
            Some(x) if x.confirmed_at.is_none() && x.sealed == *sealed => {
                x.confirmed_at = Some(at);
                x.last_step = Some(step);
            }
            _ => return Ok(false),
        }
        t.factors.codes.insert(user_id, codes.iter().copied().collect());
        Ok(true)
    }

    async fn accept_totp_step(&self, user_id: Uuid, step: TimeStep) -> Result<bool, StoreError> {
        match self.lock().factors.totp.get_mut(&user_id) {
            Some(x) if x.confirmed_at.is_some() && x.last_step.is_none_or(|last| last < step) => {
                x.last_step = Some(step);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn reseal_totp(
        &self,
        user_id: Uuid,
        old: &SealedSecret,
        new: &SealedSecret,
    ) -> Result<bool, StoreError> {
        match self.lock().factors.totp.get_mut(&user_id) {
            Some(x) if x.sealed == *old => {
                x.sealed = new.clone();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn delete_totp(&self, user_id: Uuid) -> Result<bool, StoreError> {
        let mut t = self.lock();
        t.factors.codes.remove(&user_id);
        Ok(t.factors.totp.remove(&user_id).is_some())
    }

    async fn use_recovery_code(
        &self,
        user_id: Uuid,
        hash: &RecoveryCodeHash,
    ) -> Result<bool, StoreError> {
        Ok(self.lock().factors.codes.get_mut(&user_id).is_some_and(|c| c.remove(hash)))
    }

    async fn add_passkey(&self, passkey: &PasskeyRecord) -> Result<bool, StoreError> {
        let mut t = self.lock();
        if !t.users.contains_key(&passkey.user_id) {
            return Err(violation("passkey of an unknown user"));
        }
        if t.factors.passkeys.values().any(|p| p.credential_id == passkey.credential_id) {
            return Ok(false);
        }
        if t.factors.passkeys.contains_key(&passkey.id) {
            return Err(violation("duplicate passkey id"));
        }
        t.factors.passkeys.insert(passkey.id, passkey.clone());
        Ok(true)
    }

    async fn passkeys(&self, user_id: Uuid) -> Result<Vec<PasskeyRecord>, StoreError> {
        let t = self.lock();
        let mut mine: Vec<PasskeyRecord> =
            t.factors.passkeys.values().filter(|p| p.user_id == user_id).cloned().collect();
        mine.sort_by_key(|p| (p.created_at, p.id));
        Ok(mine)
    }

    async fn passkey_used(
        &self,
        credential_id: &CredentialId,
        blob: Option<&PasskeyBlob>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut t = self.lock();
        let Some(p) = t.factors.passkeys.values_mut().find(|p| p.credential_id == *credential_id)
        else {
            return Ok(false);
        };
        p.last_used_at = Some(at);
        if let Some(blob) = blob {
            p.blob = blob.clone();
        }
        Ok(true)
    }

    async fn rename_passkey(
        &self,
        user_id: Uuid,
        id: Uuid,
        name: &str,
    ) -> Result<bool, StoreError> {
        match self.lock().factors.passkeys.get_mut(&id) {
            Some(p) if p.user_id == user_id => {
                p.name = name.to_owned();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn delete_passkey(&self, user_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let mut t = self.lock();
        if t.factors.passkeys.get(&id).is_none_or(|p| p.user_id != user_id) {
            return Ok(false);
        }
        Ok(t.factors.passkeys.remove(&id).is_some())
    }

    async fn put_challenge(&self, challenge: &Challenge) -> Result<(), StoreError> {
        let mut t = self.lock();
        if challenge.user_id.is_some_and(|u| !t.users.contains_key(&u)) {
            return Err(violation("challenge of an unknown user"));
        }
        t.factors.challenges.insert(challenge.id, challenge.clone());
        Ok(())
    }

    async fn challenge(&self, id: &ChallengeId) -> Result<Option<Challenge>, StoreError> {
        Ok(self.lock().factors.challenges.get(id).cloned())
    }

    async fn set_challenge_state(
        &self,
        id: &ChallengeId,
        state: &CeremonyState,
    ) -> Result<bool, StoreError> {
        let mut t = self.lock();
        let Some(c) = t.factors.challenges.get_mut(id) else { return Ok(false) };
        c.state = Some(state.clone());
        Ok(true)
    }

    async fn take_challenge(&self, id: &ChallengeId) -> Result<Option<Challenge>, StoreError> {
        Ok(self.lock().factors.challenges.remove(id))
    }

    async fn purge_challenges(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        let mut t = self.lock();
        let count = t.factors.challenges.len();
        t.factors.challenges.retain(|_, c| c.expires_at > before);
        Ok((count - t.factors.challenges.len()) as u64)
    }
}
