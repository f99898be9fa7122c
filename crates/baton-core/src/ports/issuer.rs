//! Signing and verifying tokens (JWTs in production, `baton-jwt`).

use super::BoxError;
use crate::domain::token::{Claims, TokenKind};
use time::OffsetDateTime;

/// Why a token was not accepted. The variants matter to clients only as far as the
/// `token_expired` / `invalid_token` codes go; the reason is for the server log and never
/// contains the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// `exp` passed (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// Anything else: bad signature, unknown `kid`, wrong `alg`, `iss`, `aud` or type,
    /// `nbf` in the future, malformed, oversized.
    #[error("invalid token: {0}")]
    Invalid(String),
}

/// Signing failed: a server fault (a key that cannot sign), never the client's.
#[derive(Debug, thiserror::Error)]
#[error("token signing failed")]
pub struct SignError(#[source] pub BoxError);

/// Signs and verifies tokens.
pub trait TokenIssuer: Send + Sync {
    /// Encodes and signs claims with the signing key. MUST be deterministic: equal claims give
    /// an equal token while the key set stays the same, because the reuse grace re-mints the
    /// current refresh token and compares hashes.
    fn sign(&self, claims: &Claims) -> Result<String, SignError>;

    /// Checks signature, algorithm, issuer, audience, `exp` and `nbf` (with leeway, against
    /// `now`) and that the token is of the `expected` kind; returns its claims. MUST answer
    /// [`TokenError::Expired`] only for a token that is otherwise valid.
    fn verify(
        &self,
        token: &str,
        expected: TokenKind,
        now: OffsetDateTime,
    ) -> Result<Claims, TokenError>;

    /// The token `sign` would give for `claims` with each configured key that can sign, the
    /// signing key first. The core looks among them for the one whose hash a session holds,
    /// so that a grace replay is answered even when the current refresh token was minted by a
    /// server that signs with another key of the same set (a rolling key change). MUST include
    /// every key that can sign, not only the one that signs now. MAY add, after those, the
    /// token an earlier release of the adapter would have minted for the same claims, so that
    /// a grace replay also finds a token minted by such a server (a rolling upgrade).
    fn sign_with_each_key(&self, claims: &Claims) -> Result<Vec<String>, SignError> {
        Ok(vec![self.sign(claims)?])
    }
}
