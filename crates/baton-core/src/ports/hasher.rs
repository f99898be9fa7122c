//! Password hashing (bcrypt in production, `baton-password`).

use super::BoxError;
use crate::domain::password::{Password, PasswordHash};

/// A password hasher failed for a reason no caller can fix (a corrupt stored hash, an
/// unsupported cost). The cause is kept for the log.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError(#[source] pub BoxError);

/// Slow, salted password hashing. Every call is CPU-bound for tens to hundreds of
/// milliseconds, which is why the server runs it on its own bounded thread pool.
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password that passed the policy. MUST NOT truncate: a password that the
    /// algorithm cannot take whole is a [`HashError`], never a hash of a prefix.
    fn hash(&self, password: &Password) -> Result<PasswordHash, HashError>;
    /// Checks a login attempt; any input is allowed and a mismatch is `Ok(false)`. MUST NOT
    /// truncate the attempt (an attempt longer than the algorithm takes is `Ok(false)`, after
    /// the same work as any other mismatch), and MUST answer [`HashError`] for a stored hash
    /// it cannot read.
    fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError>;
    /// A valid hash at the production cost that no password matches, verified against for
    /// unknown emails so that they cost the same time as a wrong password. MUST have the same
    /// cost as the hashes [`PasswordHasher::hash`] makes.
    fn dummy_hash(&self) -> &PasswordHash;
}
