//! Password policy and the stored hash.

use crate::error::InputError;
use std::fmt;

/// Shortest password accepted at registration.
pub const MIN_PASSWORD_BYTES: usize = 8;
/// bcrypt reads only the first 72 bytes; refusing longer input avoids silently ignoring a tail.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// A password that satisfies the registration policy. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Applies the policy (8 to 72 bytes) to a password chosen by a user.
    pub fn new(raw: String) -> Result<Self, InputError> {
        match raw.len() {
            n if n < MIN_PASSWORD_BYTES => Err(InputError::PasswordTooShort),
            n if n > MAX_PASSWORD_BYTES => Err(InputError::PasswordTooLong),
            _ => Ok(Self(raw)),
        }
    }

    /// The secret itself, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A password hash in the hasher's own format (bcrypt's `$2b$...` in production).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a hash produced by a [`crate::PasswordHasher`] or read from storage.
    pub fn new(hash: String) -> Self {
        Self(hash)
    }

    /// The encoded hash, for storage and verification.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_8_to_72_bytes_only() {
        assert_eq!(Password::new("a".repeat(7)).unwrap_err(), InputError::PasswordTooShort);
        assert!(Password::new("a".repeat(8)).is_ok());
        assert!(Password::new("a".repeat(72)).is_ok());
        assert_eq!(Password::new("a".repeat(73)).unwrap_err(), InputError::PasswordTooLong);
    }

    #[test]
    fn counts_bytes_not_characters() {
        // 4 characters, 8 bytes: long enough.
        assert!(Password::new("éééé".into()).is_ok());
        // 37 two-byte characters = 74 bytes: too long although only 37 characters.
        assert_eq!(Password::new("é".repeat(37)).unwrap_err(), InputError::PasswordTooLong);
    }

    #[test]
    fn debug_hides_the_secret() {
        let p = Password::new("hunter22hunter22".into()).unwrap();
        assert!(!format!("{p:?}").contains("hunter"));
    }
}
