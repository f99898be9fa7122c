//! Email addresses as Baton stores and compares them.

use crate::error::InputError;
use std::fmt;

/// RFC 5321 caps a forward path at 254 octets; anything longer cannot be delivered.
pub const MAX_EMAIL_BYTES: usize = 254;
/// RFC 5321 caps a local part (before the `@`) at 64 octets.
pub const MAX_LOCAL_PART_BYTES: usize = 64;

/// A normalised email address (trimmed, lower-cased), the key users log in with.
///
/// Normalising once at the edge means uniqueness and look-ups are plain string equality in
/// every store, so `Ada@Example.com` and `ada@example.com` can never be two accounts.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Normalises and checks an address typed by a user; refuses what cannot be an address.
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(InputError::Email("must not be empty"));
        }
        if email.len() > MAX_EMAIL_BYTES {
            return Err(InputError::Email("must be at most 254 bytes"));
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InputError::Email("must not contain spaces"));
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(InputError::Email("must contain @"));
        };
        if local.is_empty() || local.len() > MAX_LOCAL_PART_BYTES || local.contains('@') {
            return Err(InputError::Email("has an invalid local part"));
        }
        let labels_ok =
            domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if !domain.contains('.') || !labels_ok {
            return Err(InputError::Email("has an invalid domain"));
        }
        Ok(Self(email))
    }

    /// Rebuilds an address already normalised by [`Email::parse`], as read back from storage.
    pub fn from_trusted(normalised: String) -> Self {
        Self(normalised)
    }

    /// The normalised address, as stored and compared.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lowercases() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "   ",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@@example.com",
            "ada@.example.com",
            "ada@example..com",
            "ada@-x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn length_limit_is_254_bytes() {
        let domain = format!("{}.com", "d".repeat(60));
        let ok = format!(
            "{}@{}.{}",
            "a".repeat(64),
            "x".repeat(254 - 64 - 1 - 1 - domain.len()),
            domain
        );
        assert_eq!(ok.len(), 254);
        assert!(Email::parse(&ok).is_ok());
        let long = format!(
            "{}@{}.{}",
            "a".repeat(64),
            "x".repeat(255 - 64 - 1 - 1 - domain.len()),
            domain
        );
        assert_eq!(long.len(), 255);
        assert!(Email::parse(&long).is_err());
    }
}
