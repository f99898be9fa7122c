//! Single-use account tokens (SPEC §12): the secret in a reset, verification or email-change
//! link. Only its SHA-256 is stored; the token itself exists in the mail alone.

use crate::domain::email::Email;
use sha2::{Digest, Sha256};
use std::fmt;
use time::OffsetDateTime;
use uuid::Uuid;

/// What an account token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    /// Choose a new password (`password/reset`).
    Reset,
    /// Prove the account's current email (`email/verify`).
    Verify,
    /// Prove a new email, which then replaces the current one (`email/verify`).
    EmailChange,
}

impl TokenPurpose {
    /// Stable name for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Reset => "reset",
            TokenPurpose::Verify => "verify",
            TokenPurpose::EmailChange => "email_change",
        }
    }

    /// Reads a stored name back.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reset" => Some(TokenPurpose::Reset),
            "verify" => Some(TokenPurpose::Verify),
            "email_change" => Some(TokenPurpose::EmailChange),
            _ => None,
        }
    }
}

/// SHA-256 of an account token, as stored: a database leak yields no usable link.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountTokenHash(pub [u8; 32]);

impl AccountTokenHash {
    /// Hashes a token as presented.
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// Rebuilds a hash read from storage; `None` unless it is exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        Some(Self(bytes.try_into().ok()?))
    }
}

impl fmt::Debug for AccountTokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountTokenHash({:02x}{:02x}..)", self.0[0], self.0[1])
    }
}

/// A stored account token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountToken {
    /// The token's hash, its key.
    pub hash: AccountTokenHash,
    /// Whose account.
    pub user_id: Uuid,
    /// What it allows.
    pub purpose: TokenPurpose,
    /// The address it proves (the new one for a change), or the account's address when a
    /// reset was asked for: a token is only good while that is still what it names.
    pub email: Email,
    /// When it was issued (one mail per account per minute is counted from here).
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

impl AccountToken {
    /// Whether it can be used at `now`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at
    }
}
