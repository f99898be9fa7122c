//! Sealing of secrets at rest: TOTP secrets are stored encrypted with `mfa.encryption_key`,
//! so that a database dump alone yields no second factor (SPEC §13). `baton-mfa` adapts
//! AES-256-GCM to it.

use super::BoxError;
use crate::domain::totp::{SealedSecret, TotpSecret};
use uuid::Uuid;

/// Why a sealed secret could not be opened (or a secret sealed).
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The secret was sealed with a key that is no longer configured: an operator removed a
    /// key that still seals secrets (docs/OPERATIONS.md, rotating `mfa.encryption_key`).
    #[error("sealed with key {0:?}, which is not configured")]
    UnknownKey(String),
    /// The sealed text is damaged, was sealed for another user, or is no sealed secret at
    /// all: it does not authenticate. Never a secret opened wrong.
    #[error("the sealed secret does not open (damaged, or another user's)")]
    Corrupt,
    /// The cipher or the random source failed.
    #[error("sealing failed")]
    Backend(#[source] BoxError),
}

/// Authenticated encryption of TOTP secrets under the configured keys: the first key seals,
/// every key opens. Pure computation: it never blocks.
pub trait SecretSealer: Send + Sync {
    /// Encrypts `secret` for `user` under the current (first) key with a fresh random nonce,
    /// binding the result to `user`: sealing the same secret twice gives two texts. The text
    /// MUST NOT contain the secret in any encoding, and MUST name its key
    /// ([`SealedSecret::key_id`]).
    fn seal(&self, secret: &TotpSecret, user: Uuid) -> Result<SealedSecret, SealError>;

    /// Decrypts what [`SecretSealer::seal`] made for `user`, under whichever configured key
    /// sealed it. A text sealed for another user, altered in any byte, or not sealed at all
    /// MUST be [`SealError::Corrupt`]; one whose key is not configured MUST be
    /// [`SealError::UnknownKey`].
    fn open(&self, sealed: &SealedSecret, user: Uuid) -> Result<TotpSecret, SealError>;

    /// Whether `sealed` is under the current key; when not, the caller re-seals it (after a
    /// successful check, or in a bulk re-seal) so the old key can be retired.
    fn is_current(&self, sealed: &SealedSecret) -> bool;
}
