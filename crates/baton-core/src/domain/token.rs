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

/// The `client_id` of tokens whose client did not name itself, unless configured otherwise
/// ([`crate::Policy::default_client_id`]).
pub const DEFAULT_CLIENT_ID: &str = "default";

/// Longest `client_id` a client may give itself, in bytes.
pub const MAX_CLIENT_ID_LEN: usize = 128;

/// The OAuth client a session was opened for (RFC 6749 `client_id`, RFC 9068's `client_id`
/// claim). Baton has no client registry: a client names itself, or gets the configured
/// default, and the name travels in the session's refresh tokens so the whole chain keeps it.
/// Only a plain, URL-safe charset is allowed, since the name lands in tokens, answers and logs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientId(String);

/// A `client_id` outside what [`ClientId::parse`] accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("client_id must be 1 to 128 characters among ASCII letters, digits and - . _ ~ : /")]
pub struct InvalidClientId;

impl ClientId {
    /// Checks a client's name for itself: 1 to [`MAX_CLIENT_ID_LEN`] bytes of ASCII letters,
    /// digits and `-._~:/` (enough for slugs, reverse-DNS names and URLs).
    pub fn parse(s: &str) -> Result<Self, InvalidClientId> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/".contains(&b);
        if s.is_empty() || s.len() > MAX_CLIENT_ID_LEN || !s.bytes().all(allowed) {
            return Err(InvalidClientId);
        }
        Ok(Self(s.to_owned()))
    }

    /// The name, as written into tokens.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The claims Baton decides; issuer and audience are the signing adapter's configuration.
///
/// All instants are whole seconds, as JWTs carry them, so a refresh token can be minted again
/// byte for byte from a session row and the presented token (see
/// [`crate::rules::rotation::current_refresh_claims`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// `token_type`.
    pub kind: TokenKind,
    /// `sub`: the user.
    pub user_id: Uuid,
    /// `client_id`: the client the session was opened for. Every token Baton mints carries
    /// one; `None` only in a token minted before the RFC 9068 profile (it then belongs to
    /// [`crate::Policy::default_client_id`]).
    pub client_id: Option<ClientId>,
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
    /// `email_verified` (access tokens): whether the account's email was verified when the
    /// token was minted, so an API can ask for it. `None` in refresh tokens.
    pub email_verified: Option<bool>,
    /// `amr` (access tokens, RFC 8176): how the user proved who they were at the session's
    /// login (`pwd`, `otp`, `hwk`, `swk`, `mfa`), so an API can demand a second factor.
    pub amr: Option<Vec<String>>,
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
    fn client_ids_are_plain_and_bounded() {
        for good in ["default", "mobile-app", "com.example.app", "https://app.example/cb", "a~b_c"]
        {
            assert_eq!(ClientId::parse(good).map(|c| c.to_string()), Ok(good.to_owned()));
        }
        let long = "a".repeat(MAX_CLIENT_ID_LEN + 1);
        for bad in ["", " ", "a b", "a\"b", "é", "a\nb", "a,b", long.as_str()] {
            assert_eq!(ClientId::parse(bad), Err(InvalidClientId), "{bad:?}");
        }
        assert!(ClientId::parse(&"a".repeat(MAX_CLIENT_ID_LEN)).is_ok());
        assert!(ClientId::parse(DEFAULT_CLIENT_ID).is_ok());
    }

    #[test]
    fn token_kind_names_match_the_claim() {
        for kind in [TokenKind::Access, TokenKind::Refresh] {
            assert_eq!(TokenKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(TokenKind::parse("id"), None);
    }
}
