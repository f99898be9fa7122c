//! Sessions: one per device, each the family of a chain of refresh tokens.

use sha2::{Digest, Sha256};
use std::fmt;
use time::OffsetDateTime;
use uuid::Uuid;

/// SHA-256 of a refresh token. Only this is stored, so a database leak yields no usable token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefreshHash(pub [u8; 32]);

impl RefreshHash {
    /// Hashes a refresh token exactly as presented by a client.
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// Rebuilds a hash read from storage; `None` unless it is exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        Some(Self(bytes.try_into().ok()?))
    }

    /// The raw digest, for storage.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for RefreshHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RefreshHash(")?;
        for b in &self.0[..4] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "..)")
    }
}

/// Why a session ended; kept on the row for audit and to explain a refusal in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevokeReason {
    /// The user logged out (any scope).
    Logout,
    /// A retired refresh token came back: the family is presumed stolen.
    Reuse,
    /// The user's session count went past `max_sessions_per_user`.
    Evicted,
    /// The user ended this session from the sessions list.
    UserRevoked,
    /// The account was disabled.
    AccountDisabled,
    /// The user removed a second factor: every other session ends, since any of them may be
    /// the one that should not have been (SPEC §13).
    FactorRemoved,
}

impl RevokeReason {
    /// Stable name for storage and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            RevokeReason::Logout => "logout",
            RevokeReason::Reuse => "reuse",
            RevokeReason::Evicted => "evicted",
            RevokeReason::UserRevoked => "user_revoked",
            RevokeReason::AccountDisabled => "account_disabled",
            RevokeReason::FactorRemoved => "factor_removed",
        }
    }

    /// Reads a stored name back; unknown names from a newer version read as `None`.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Logout,
            Self::Reuse,
            Self::Evicted,
            Self::UserRevoked,
            Self::AccountDisabled,
            Self::FactorRemoved,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A session row: one device's login and the state of its refresh-token chain.
///
/// The session *is* the token family: it holds the hash of its one current refresh token and
/// a generation that grows by one per rotation. Every retired token of the family has a lower
/// generation, which is how a replay is told apart from a forgery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The `sid` claim of every token of the family.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Hash of the one refresh token that may be exchanged now.
    pub refresh_hash: RefreshHash,
    /// 0 at login, +1 per rotation.
    pub generation: i64,
    /// When the current refresh token was minted (its `iat`).
    pub rotated_at: OffsetDateTime,
    /// Login time.
    pub created_at: OffsetDateTime,
    /// Last login or refresh on this session.
    pub last_used_at: OffsetDateTime,
    /// Sliding expiry: the `exp` of the current refresh token.
    pub expires_at: OffsetDateTime,
    /// Hard end of the session; no rotation extends past it.
    pub absolute_expires_at: OffsetDateTime,
    /// Set once the session is revoked; it never becomes active again.
    pub revoked_at: Option<OffsetDateTime>,
    /// Why it was revoked.
    pub revoke_reason: Option<RevokeReason>,
    /// `User-Agent` seen at login, shown in the sessions list.
    pub user_agent: Option<String>,
    /// Client address seen at login.
    pub client_addr: Option<String>,
    /// How the user proved who they were at login (RFC 8176), carried by every access token
    /// of the session.
    pub amr: Amr,
}

/// The `amr` values of a session (RFC 8176: `pwd`, `otp`, `hwk`, `swk`, `mfa`), in the order
/// [`crate::rules::amr::amr`] gives them. Stored as one space-separated text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Amr(Vec<String>);

impl Amr {
    /// A password alone: every session opened before second factors existed.
    pub fn password() -> Self {
        Self(vec!["pwd".to_owned()])
    }

    /// The values, in order.
    pub fn values(&self) -> &[String] {
        &self.0
    }

    /// Whether a second factor was given (`mfa`).
    pub fn is_mfa(&self) -> bool {
        self.0.iter().any(|v| v == "mfa")
    }

    /// The stored form: the values separated by single spaces.
    pub fn to_text(&self) -> String {
        self.0.join(" ")
    }

    /// Reads the stored form back (empty words dropped).
    pub fn from_text(text: &str) -> Self {
        Self(text.split_whitespace().map(str::to_owned).collect())
    }
}

impl From<Vec<&'static str>> for Amr {
    fn from(values: Vec<&'static str>) -> Self {
        Self(values.into_iter().map(str::to_owned).collect())
    }
}

impl Session {
    /// Whether tokens of this session may be used at `now`: not revoked, and neither the
    /// sliding nor the absolute expiry has passed.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at && now < self.absolute_expires_at
    }

    /// The moment the session ends if nothing else happens.
    pub fn ends_at(&self) -> OffsetDateTime {
        self.expires_at.min(self.absolute_expires_at)
    }
}

/// Who is asking, as far as the transport can tell; recorded on the session for the user's
/// own sessions list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// The `User-Agent` header, if any.
    pub user_agent: Option<String>,
    /// The peer address.
    pub client_addr: Option<String>,
}

/// A session as its owner sees it in the sessions list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    /// Session id, usable with the revoke endpoint.
    pub id: Uuid,
    /// Login time.
    pub created_at: OffsetDateTime,
    /// Last login or refresh.
    pub last_used_at: OffsetDateTime,
    /// When the session ends unless refreshed (never after its absolute lifetime).
    pub expires_at: OffsetDateTime,
    /// Device description.
    pub user_agent: Option<String>,
    /// True for the session of the access token that asked.
    pub current: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoke_reasons_round_trip() {
        for r in [
            RevokeReason::Logout,
            RevokeReason::Reuse,
            RevokeReason::Evicted,
            RevokeReason::UserRevoked,
            RevokeReason::AccountDisabled,
            RevokeReason::FactorRemoved,
        ] {
            assert_eq!(RevokeReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(RevokeReason::parse("nope"), None);
    }

    #[test]
    fn amr_is_stored_as_words() {
        let amr = Amr::from(vec!["pwd", "otp", "mfa"]);
        assert_eq!(amr.to_text(), "pwd otp mfa");
        assert_eq!(Amr::from_text("pwd  otp mfa "), amr);
        assert!(amr.is_mfa());
        assert!(!Amr::password().is_mfa());
        assert_eq!(Amr::password().values(), ["pwd"]);
    }

    #[test]
    fn refresh_hash_is_sha256_and_debug_is_short() {
        let h = RefreshHash::of("abc");
        assert_eq!(h.0[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(format!("{h:?}"), "RefreshHash(ba7816bf..)");
        assert_eq!(RefreshHash::from_slice(&h.0), Some(h));
        assert_eq!(RefreshHash::from_slice(&[1, 2, 3]), None);
    }
}
