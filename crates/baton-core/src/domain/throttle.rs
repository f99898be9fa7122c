//! What login attempts are counted against (SPEC §5): an account *and* a client address.

use sha2::{Digest, Sha256};
use std::fmt;

/// Stand-in address when the transport could not tell who is asking.
pub const UNKNOWN_ADDRESS: &str = "unknown";

/// The counter a login attempt is charged to: the pair (account, client address), and the
/// address alone for the per-address ceiling.
///
/// The account is a SHA-256 of the email as typed, normalised (trimmed, lower-cased), not a
/// user id: an unknown email then costs the same database work as a known one (so timing does
/// not tell them apart), and the counters hold no address book of who tried which email.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LoginKey {
    account: [u8; 32],
    address: String,
}

impl LoginKey {
    /// The key of an attempt on `email` (as typed) from `address` (`None`: unknown).
    pub fn new(email: &str, address: Option<&str>) -> Self {
        let normalised = email.trim().to_lowercase();
        Self {
            account: Sha256::digest(normalised.as_bytes()).into(),
            address: address.filter(|a| !a.is_empty()).unwrap_or(UNKNOWN_ADDRESS).to_owned(),
        }
    }

    /// The account part, for storage.
    pub fn account(&self) -> &[u8; 32] {
        &self.account
    }

    /// The client address part, for storage.
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl fmt::Debug for LoginKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoginKey(")?;
        for b in &self.account[..4] {
            write!(f, "{b:02x}")?;
        }
        write!(f, ".., {})", self.address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_normalise_the_email_and_name_unknown_addresses() {
        let a = LoginKey::new(" Ada@Example.com ", Some("10.0.0.1"));
        assert_eq!(a, LoginKey::new("ada@example.com", Some("10.0.0.1")));
        assert_ne!(a, LoginKey::new("ada@example.com", Some("10.0.0.2")));
        assert_ne!(a, LoginKey::new("bob@example.com", Some("10.0.0.1")));
        assert_eq!(LoginKey::new("x", None).address(), UNKNOWN_ADDRESS);
        assert_eq!(LoginKey::new("x", Some("")).address(), UNKNOWN_ADDRESS);
        assert!(!format!("{a:?}").contains("ada"), "the email is not shown");
    }
}
