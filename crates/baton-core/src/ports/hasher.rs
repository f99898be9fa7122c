//! Password hashing (bcrypt in production, `baton-password`).

use super::BoxError;
use crate::domain::password::{Password, PasswordHash};

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing thread stayed taken for as long as the hasher waits: nothing was hashed
    /// or checked. A passing overload, worth retrying shortly (the HTTP layer answers 503 with
    /// `Retry-After`), never the client's fault and never a server fault.
    #[error("password hashing is busy")]
    Busy,
    /// The hasher failed for a reason no caller can fix (a corrupt stored hash, an unsupported
    /// cost, a panic on its thread). The cause is kept for the log.
    #[error("password hashing failed")]
    Failed(#[source] BoxError),
}

impl HashError {
    /// Wraps a cause as [`HashError::Failed`].
    pub fn failed(cause: impl Into<BoxError>) -> Self {
        Self::Failed(cause.into())
    }
}

/// Slow, salted password hashing. Every call is CPU-bound for tens to hundreds of
/// milliseconds, so an adapter MUST NOT run it on the caller's task: it moves the work to a
/// bounded pool of its own and answers [`HashError::Busy`] when that pool stays full.
#[async_trait::async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password that passed the policy. MUST NOT truncate: a password that the
    /// algorithm cannot take whole is a [`HashError::Failed`], never a hash of a prefix.
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError>;
    /// Checks a login attempt; any input is allowed and a mismatch is `Ok(false)`. MUST NOT
    /// truncate the attempt (an attempt longer than the algorithm takes is `Ok(false)`, after
    /// the same work as any other mismatch), and MUST answer [`HashError::Failed`] for a
    /// stored hash it cannot read.
    async fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError>;
    /// A valid hash at the production cost that no password matches, verified against for
    /// unknown emails so that they cost the same time as a wrong password. MUST have the same
    /// cost as the hashes [`PasswordHasher::hash`] makes. Cheap: no hashing happens here.
    fn dummy_hash(&self) -> &PasswordHash;
}
