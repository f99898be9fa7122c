//! User accounts.

use crate::domain::email::Email;
use crate::domain::password::PasswordHash;
use crate::error::InputError;
use time::OffsetDateTime;
use uuid::Uuid;

/// Longest display name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// An optional display name, trimmed; blank input means no name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Checks a name typed by a user; `Ok(None)` when it is blank.
    pub fn parse(raw: &str) -> Result<Option<Self>, InputError> {
        let name = raw.trim();
        if name.is_empty() {
            return Ok(None);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(InputError::NameTooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(InputError::NameInvalid);
        }
        Ok(Some(Self(name.to_owned())))
    }

    /// Rebuilds a name read back from storage.
    pub fn from_trusted(name: String) -> Self {
        Self(name)
    }

    /// The name as shown to people.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user account with everything the login rules need: credentials and the disabled flag.
/// (Failed logins are counted apart, per account and client address: see
/// [`crate::domain::throttle::LoginKey`].)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable identifier, the `sub` of every token.
    pub id: Uuid,
    /// Normalised login address, unique among users.
    pub email: Email,
    /// Optional display name.
    pub name: Option<DisplayName>,
    /// The password hash; the password itself is never stored.
    pub password_hash: PasswordHash,
    /// Set while the account is disabled: no login, refresh or access check succeeds.
    pub disabled_at: Option<OffsetDateTime>,
    /// When the current email was proven to be the user's (a verification link used).
    pub email_verified_at: Option<OffsetDateTime>,
    /// When the account was registered.
    pub created_at: OffsetDateTime,
    /// Last change to the account's own data.
    pub updated_at: OffsetDateTime,
}

impl User {
    /// Whether the account may be used at all.
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_optional_and_capped() {
        assert_eq!(DisplayName::parse("  ").unwrap(), None);
        assert_eq!(DisplayName::parse(" Ada ").unwrap().unwrap().as_str(), "Ada");
        assert!(DisplayName::parse(&"é".repeat(100)).unwrap().is_some());
        assert_eq!(DisplayName::parse(&"é".repeat(101)).unwrap_err(), InputError::NameTooLong);
        assert_eq!(DisplayName::parse("a\u{0}b").unwrap_err(), InputError::NameInvalid);
    }
}
