//! What Baton writes into a token, independent of how it is encoded and signed.

use time::OffsetDateTime;
use uuid::Uuid;

/// Longest token Baton reads, in bytes (SPEC §7): its own are a few hundred, so anything over
/// 8 KiB is refused before any parsing, wherever it arrives (header, body, cookie, form).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The two kinds of token; one is never accepted where the other is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Short-lived bearer token for API calls.
    Access,
    /// Long-lived token that can be exchanged exactly once for a new pair.
    Refresh,
}

impl TokenKind {
    /// The value of the `token_type` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }

    /// Reads a `token_type` claim.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "access" => Some(TokenKind::Access),
            "refresh" => Some(TokenKind::Refresh),
            _ => None,
        }
    }
}

/// The claims Baton decides; issuer and audience are the signing adapter's configuration.
///
/// All instants are whole seconds, as JWTs carry them, so a refresh token can be minted again
/// byte for byte from a session row (see [`crate::rules::rotation::current_refresh_claims`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// `token_type`.
    pub kind: TokenKind,
    /// `sub`: the user.
    pub user_id: Uuid,
    /// `sid`: the session (token family).
    pub session_id: Uuid,
    /// `jti`: unique per token; for refresh tokens `<sid>.<generation>`.
    pub jti: String,
    /// `iat`.
    pub issued_at: OffsetDateTime,
    /// `nbf`.
    pub not_before: OffsetDateTime,
    /// `exp`.
    pub expires_at: OffsetDateTime,
    /// The session's absolute end, carried by refresh tokens only (`None` in access tokens),
    /// so that a successor can be minted from the presented token alone, before the one
    /// statement that rotates (see [`crate::ports::TokenStore::rotate`]).
    pub session_expires_at: Option<OffsetDateTime>,
}

/// Where a refresh token stands in its session's chain, read from its `jti`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshJti {
    /// The session the token belongs to.
    pub session_id: Uuid,
    /// The session generation the token was current for.
    pub generation: i64,
}

impl RefreshJti {
    /// The `jti` of the refresh token of `session_id` at `generation`: deterministic, so the
    /// current token can be re-minted from the session row during the reuse grace window.
    pub fn encode(self) -> String {
        format!("{}.{}", self.session_id, self.generation)
    }

    /// Reads a refresh `jti` back; `None` when it is not one Baton minted.
    pub fn decode(jti: &str) -> Option<Self> {
        let (sid, generation) = jti.split_once('.')?;
        let generation: i64 = generation.parse().ok()?;
        (generation >= 0).then_some(())?;
        Some(Self { session_id: Uuid::parse_str(sid).ok()?, generation })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_jti_round_trips_and_refuses_junk() {
        let jti = RefreshJti { session_id: Uuid::from_u128(7), generation: 42 };
        assert_eq!(RefreshJti::decode(&jti.encode()), Some(jti));
        for junk in [
            "",
            "x.1",
            "00000000-0000-0000-0000-000000000007",
            "00000000-0000-0000-0000-000000000007.-1",
            "00000000-0000-0000-0000-000000000007.one",
        ] {
            assert_eq!(RefreshJti::decode(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn token_kind_names_match_the_claim() {
        for kind in [TokenKind::Access, TokenKind::Refresh] {
            assert_eq!(TokenKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(TokenKind::parse("id"), None);
    }
}
