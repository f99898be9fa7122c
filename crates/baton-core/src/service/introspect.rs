//! RFC 7662 token introspection for resource servers: is this access token usable *now*?

use super::Auth;
use crate::domain::session::RevokeReason;
use crate::domain::token::{Claims, TokenKind};
use crate::error::Fault;
use crate::rules::rotation;

/// An access token that is active now, with its claims and the account's email (RFC 7662's
/// `username`), for the introspection answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveToken {
    /// What the token says.
    pub claims: Claims,
    /// The account's email now.
    pub username: String,
}

impl Auth {
    /// Whether `token` is an access token active now: it verifies, its session is active and
    /// its account enabled. `None` for anything else, whatever the reason, so that a caller
    /// learns nothing about why (RFC 7662 §2.2) — a refresh token included: introspection
    /// serves resource servers, and a refresh token must never pass as a credential at an
    /// API (SPEC §3). Reads only; never changes a session.
    pub async fn introspect(&self, token: &str) -> Result<Option<ActiveToken>, Fault> {
        let now = self.now();
        let Ok(claims) = self.ports.issuer.verify(token, TokenKind::Access, now) else {
            return Ok(None);
        };
        let Some((session, user)) = self.ports.tokens.find_session(claims.session_id).await? else {
            return Ok(None);
        };
        if rotation::access_denial(&session, &user, claims.user_id, now).is_some() {
            return Ok(None);
        }
        Ok(Some(ActiveToken { claims, username: user.email.as_str().to_owned() }))
    }

    /// RFC 7009 revocation: ends the session of `token`, an access or a refresh token that
    /// verifies (every token of that session stops at once). Anything else is ignored, as the
    /// RFC asks: the answer must not tell a caller whether the token meant anything. Returns
    /// whether a session was ended.
    pub async fn revoke_token(&self, token: &str) -> Result<bool, Fault> {
        let now = self.now();
        let verified = [TokenKind::Access, TokenKind::Refresh]
            .into_iter()
            .find_map(|kind| self.ports.issuer.verify(token, kind, now).ok());
        let Some(claims) = verified else {
            return Ok(false);
        };
        let Some((session, _)) = self.ports.tokens.find_session(claims.session_id).await? else {
            return Ok(false);
        };
        if session.user_id != claims.user_id || !session.is_active(now) {
            return Ok(false);
        }
        self.ports.tokens.revoke_session(session.id, RevokeReason::Logout, now).await?;
        Ok(true)
    }
}
