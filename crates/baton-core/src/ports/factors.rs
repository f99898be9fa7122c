//! Storage of second factors (SPEC §13): TOTP secrets (sealed) with their last accepted step,
//! recovery-code hashes, passkeys, and the challenges between a start and its finish.
//!
//! Every method is one atomic step; those that decide a race (accepting a TOTP step, using a
//! recovery code, taking a challenge) are one conditional statement, so that of two requests
//! with the same code or token exactly one succeeds, on any number of servers and at any
//! isolation level (the adapter retries serialization failures itself, as for every port).

use super::store::StoreError;
use crate::domain::factor::{Challenge, ChallengeId, FactorSummary, PasskeyRecord, TotpFactor};
use crate::domain::passkey::{CeremonyState, CredentialId, PasskeyBlob};
use crate::domain::recovery::RecoveryCodeHash;
use crate::domain::totp::{SealedSecret, TimeStep};
use time::OffsetDateTime;
use uuid::Uuid;

/// TOTP, recovery codes, passkeys and challenges.
#[async_trait::async_trait]
pub trait FactorStore: Send + Sync {
    /// What the account has: confirmed TOTP, unused recovery codes, passkeys. One read, done
    /// at every right password.
    async fn factor_summary(&self, user_id: Uuid) -> Result<FactorSummary, StoreError>;

    /// The user's TOTP, pending or confirmed.
    async fn totp(&self, user_id: Uuid) -> Result<Option<TotpFactor>, StoreError>;

    /// Up to `limit` TOTP factors (pending and confirmed) of users after `after` in user-id
    /// order, for a bulk re-seal that pages through all of them (`baton mfa reseal`).
    async fn totp_factors_after(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<TotpFactor>, StoreError>;

    /// Stores a pending TOTP with `sealed`, replacing a pending one (a new enrolment restarts
    /// it). MUST change nothing and answer false when the user has a confirmed TOTP.
    async fn put_pending_totp(
        &self,
        user_id: Uuid,
        sealed: &SealedSecret,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Confirms the pending TOTP whose sealed text is `sealed` at `step` (its first accepted
    /// step) and stores `codes` as the user's recovery codes (replacing any), in one
    /// transaction. MUST change nothing and answer false when the user's TOTP is not pending
    /// with exactly `sealed` (confirmed already, or replaced by a newer enrolment).
    async fn confirm_totp(
        &self,
        user_id: Uuid,
        sealed: &SealedSecret,
        step: TimeStep,
        codes: &[RecoveryCodeHash],
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Accepts `step` for the user's confirmed TOTP: one conditional update, true only if the
    /// last accepted step was before `step` (or none), so a code is accepted once.
    async fn accept_totp_step(&self, user_id: Uuid, step: TimeStep) -> Result<bool, StoreError>;

    /// Replaces the sealed text by `new` if it is still `old` (re-sealing under the current
    /// key after a rotation).
    async fn reseal_totp(
        &self,
        user_id: Uuid,
        old: &SealedSecret,
        new: &SealedSecret,
    ) -> Result<bool, StoreError>;

    /// Deletes the user's TOTP and recovery codes; false when there was no TOTP.
    async fn delete_totp(&self, user_id: Uuid) -> Result<bool, StoreError>;

    /// Uses a recovery code: deletes its hash, true only for the one call that deleted it.
    async fn use_recovery_code(
        &self,
        user_id: Uuid,
        hash: &RecoveryCodeHash,
    ) -> Result<bool, StoreError>;

    /// Stores a new passkey; false (nothing stored) when its credential id is registered
    /// already, to anyone.
    async fn add_passkey(&self, passkey: &PasskeyRecord) -> Result<bool, StoreError>;

    /// The user's passkeys, oldest first.
    async fn passkeys(&self, user_id: Uuid) -> Result<Vec<PasskeyRecord>, StoreError>;

    /// Notes a successful assertion of the passkey `credential_id`: `last_used_at`, and its
    /// blob when the adapter updated it (new sign counter, backup state). False when it is
    /// gone.
    async fn passkey_used(
        &self,
        credential_id: &CredentialId,
        blob: Option<&PasskeyBlob>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Renames the user's passkey `id`; false when the user has no such passkey.
    async fn rename_passkey(&self, user_id: Uuid, id: Uuid, name: &str)
    -> Result<bool, StoreError>;

    /// Deletes the user's passkey `id`; false when the user has no such passkey.
    async fn delete_passkey(&self, user_id: Uuid, id: Uuid) -> Result<bool, StoreError>;

    /// Stores a challenge, replacing one with the same id.
    async fn put_challenge(&self, challenge: &Challenge) -> Result<(), StoreError>;

    /// Reads a challenge (expired ones too: the caller judges).
    async fn challenge(&self, id: &ChallengeId) -> Result<Option<Challenge>, StoreError>;

    /// Attaches a ceremony state to a challenge; false when it is gone.
    async fn set_challenge_state(
        &self,
        id: &ChallengeId,
        state: &CeremonyState,
    ) -> Result<bool, StoreError>;

    /// Deletes and returns a challenge: of concurrent calls with the same id exactly one gets
    /// it. Expired ones are returned too (and deleted); the caller judges.
    async fn take_challenge(&self, id: &ChallengeId) -> Result<Option<Challenge>, StoreError>;

    /// Deletes challenges that expired at or before `before`; how many went.
    async fn purge_challenges(&self, before: OffsetDateTime) -> Result<u64, StoreError>;
}
