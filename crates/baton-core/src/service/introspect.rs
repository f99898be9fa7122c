//! RFC 7662 token introspection for resource servers: is this token usable *now*?

use super::Auth;
use crate::domain::session::RefreshHash;
use crate::domain::token::{Claims, RefreshJti, TokenKind};
use crate::error::Fault;
use crate::rules::rotation;

/// A token that is active now, with its claims, for the introspection answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveToken {
    /// What the token says.
    pub claims: Claims,
}

impl Auth {
    /// Whether `token` is active now: it verifies (as the kind `hint` names first, then the
    /// other), its session is active, its account enabled, and — for a refresh token — it is
    /// the session's current one. `None` for anything else, whatever the reason, so that a
    /// caller learns nothing about why (RFC 7662 §2.2). Reads only; never changes a session.
    pub async fn introspect(
        &self,
        token: &str,
        hint: Option<TokenKind>,
    ) -> Result<Option<ActiveToken>, Fault> {
        let now = self.now();
        let kinds = match hint {
            Some(TokenKind::Refresh) => [TokenKind::Refresh, TokenKind::Access],
            _ => [TokenKind::Access, TokenKind::Refresh],
        };
        let Some(claims) =
            kinds.into_iter().find_map(|k| self.ports.issuer.verify(token, k, now).ok())
        else {
            return Ok(None);
        };
        let Some((session, user)) = self.ports.tokens.find_session(claims.session_id).await? else {
            return Ok(None);
        };
        if rotation::access_denial(&session, &user, claims.user_id, now).is_some() {
            return Ok(None);
        }
        if claims.kind == TokenKind::Refresh {
            let current = RefreshJti::decode(&claims.jti)
                .is_some_and(|j| j.generation == session.generation)
                && RefreshHash::of(token) == session.refresh_hash;
            if !current {
                return Ok(None);
            }
        }
        Ok(Some(ActiveToken { claims }))
    }
}
