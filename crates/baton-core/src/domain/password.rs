//! Password policy and the stored hash.

use crate::error::InputError;
use std::fmt;

/// Shortest password accepted at registration, in characters (Unicode code points, as NIST SP
/// 800-63B counts them and as JSON Schema's `minLength` counts: the OpenAPI document states
/// this very rule).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// bcrypt reads only the first 72 bytes; refusing longer input avoids silently ignoring a tail.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// A password that satisfies the registration policy. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Applies the policy (at least 8 characters, at most 72 bytes) to a password chosen by
    /// a user.
    pub fn new(raw: String) -> Result<Self, InputError> {
        if raw.chars().count() < MIN_PASSWORD_CHARS {
            return Err(InputError::PasswordTooShort);
        }
        if raw.len() > MAX_PASSWORD_BYTES {
            return Err(InputError::PasswordTooLong);
        }
        Ok(Self(raw))
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
    fn accepts_8_characters_to_72_bytes_only() {
        assert_eq!(Password::new("a".repeat(7)).unwrap_err(), InputError::PasswordTooShort);
        assert!(Password::new("a".repeat(8)).is_ok());
        assert!(Password::new("a".repeat(72)).is_ok());
        assert_eq!(Password::new("a".repeat(73)).unwrap_err(), InputError::PasswordTooLong);
    }

    #[test]
    fn counts_characters_below_and_bytes_above() {
        // 4 characters, 8 bytes: too short, as JSON Schema's `minLength: 8` says.
        assert_eq!(Password::new("éééé".into()).unwrap_err(), InputError::PasswordTooShort);
        // 7 characters, 13 bytes: too short too.
        assert_eq!(Password::new("ééééééa".into()).unwrap_err(), InputError::PasswordTooShort);
        assert!(Password::new("éééééééé".into()).is_ok(), "8 characters, 16 bytes");
        // 37 two-byte characters = 74 bytes: too long although only 37 characters.
        assert_eq!(Password::new("é".repeat(37)).unwrap_err(), InputError::PasswordTooLong);
    }

    #[test]
    fn debug_hides_the_secret() {
        let p = Password::new("hunter22hunter22".into()).unwrap();
        assert!(!format!("{p:?}").contains("hunter"));
    }
}
