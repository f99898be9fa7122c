//! Second factors as the store keeps them (SPEC §13): a user's TOTP, their passkeys, and the
//! short-lived challenges that carry a login or a ceremony from its start to its finish.

use std::fmt;

use crate::domain::passkey::{CeremonyState, CredentialId, PasskeyBlob};
use crate::domain::token::ClientId;
use crate::domain::totp::{SealedSecret, TimeStep};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

/// A user's TOTP factor. Pending (`confirmed_at` `None`) from enrolment until a first code
/// proves the app has the secret; only a confirmed one is asked for at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpFactor {
    /// Owner (one TOTP per user).
    pub user_id: Uuid,
    /// The secret, sealed under `mfa.encryption_key`.
    pub sealed: SealedSecret,
    /// When a first code confirmed it.
    pub confirmed_at: Option<OffsetDateTime>,
    /// The last time step whose code was accepted, so that no code is accepted twice.
    pub last_step: Option<TimeStep>,
    /// When the enrolment started.
    pub created_at: OffsetDateTime,
}

/// A registered passkey as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRecord {
    /// Baton's id of the passkey (in `/api/v1/auth/passkeys/{id}`).
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// The credential id (unique per relying party).
    pub credential_id: CredentialId,
    /// The owner's name for it ("Work laptop").
    pub name: String,
    /// The adapter's serialized credential (public key, counter, flags).
    pub blob: PasskeyBlob,
    /// A synced passkey (RFC 8176 `swk`) rather than a device-bound one (`hwk`).
    pub backup_eligible: bool,
    /// Registration time.
    pub created_at: OffsetDateTime,
    /// The last successful assertion.
    pub last_used_at: Option<OffsetDateTime>,
}

/// Which factors an account has: what login asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FactorSummary {
    /// A confirmed TOTP.
    pub totp: bool,
    /// Unused recovery codes.
    pub recovery_codes: u64,
    /// Registered passkeys.
    pub passkeys: u64,
}

impl FactorSummary {
    /// Whether a password alone no longer logs in.
    pub fn has_second_factor(&self) -> bool {
        self.totp || self.passkeys > 0
    }
}

/// What a [`Challenge`] carries from its start to its finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeKind {
    /// A login whose password was right and which waits for a second factor (`mfa_token`).
    Mfa,
    /// A passwordless passkey login (`challenge_id`).
    Passwordless,
    /// A passkey registration of a logged-in user (one at a time per user).
    Registration,
}

impl ChallengeKind {
    /// Stable name for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mfa => "mfa",
            Self::Passwordless => "passwordless",
            Self::Registration => "registration",
        }
    }

    /// Reads a stored name back.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Mfa, Self::Passwordless, Self::Registration].into_iter().find(|k| k.as_str() == s)
    }
}

/// The key of a challenge: the SHA-256 of the handle the client holds (an `mfa_token`, a
/// `challenge_id`), so a database dump yields no usable handle; for a registration, a hash
/// of the user id (the client holds nothing, and a new registration replaces the last).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChallengeId(pub [u8; 32]);

impl ChallengeId {
    /// The id of the challenge whose client-held handle is `handle`.
    pub fn of_handle(handle: &str) -> Self {
        Self(
            Sha256::new().chain_update(b"baton challenge\0").chain_update(handle).finalize().into(),
        )
    }

    /// The id of `user`'s pending passkey registration.
    pub fn registration_of(user: Uuid) -> Self {
        let digest =
            Sha256::new().chain_update(b"baton registration\0").chain_update(user.as_bytes());
        Self(digest.finalize().into())
    }

    /// Rebuilds an id read from storage; `None` unless it is exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        Some(Self(bytes.try_into().ok()?))
    }

    /// The raw digest, for storage.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for ChallengeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChallengeId({:02x}{:02x}..)", self.0[0], self.0[1])
    }
}

/// A login or ceremony between its start and its finish: single use (taken atomically by the
/// finish) and short-lived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Its key.
    pub id: ChallengeId,
    /// What it carries.
    pub kind: ChallengeKind,
    /// The user it is for: the login's account, the registering user; `None` for a
    /// passwordless login, whose user the assertion names.
    pub user_id: Option<Uuid>,
    /// The client the login named (`client_id` of the session it opens).
    pub client_id: Option<ClientId>,
    /// The WebAuthn ceremony state, once a ceremony started.
    pub state: Option<CeremonyState>,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it stops being accepted.
    pub expires_at: OffsetDateTime,
}

impl Challenge {
    /// Whether it is still good at `now`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_ids_are_separated_by_purpose() {
        for k in [ChallengeKind::Mfa, ChallengeKind::Passwordless, ChallengeKind::Registration] {
            assert_eq!(ChallengeKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ChallengeKind::parse("other"), None);
        let user = Uuid::from_u128(7);
        assert_ne!(ChallengeId::of_handle(&user.to_string()), ChallengeId::registration_of(user));
        assert_eq!(ChallengeId::of_handle("a"), ChallengeId::of_handle("a"));
        let id = ChallengeId::of_handle("a");
        assert_eq!(ChallengeId::from_slice(id.as_bytes()), Some(id));
        assert_eq!(ChallengeId::from_slice(&[1, 2]), None);
    }

    #[test]
    fn a_second_factor_is_a_confirmed_totp_or_a_passkey() {
        let none = FactorSummary::default();
        assert!(!none.has_second_factor());
        assert!(!FactorSummary { recovery_codes: 3, ..none }.has_second_factor());
        assert!(FactorSummary { totp: true, ..none }.has_second_factor());
        assert!(FactorSummary { passkeys: 1, ..none }.has_second_factor());
    }
}
