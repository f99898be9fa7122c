//! Access checks, logout and the user's own session management.

use super::Auth;
use crate::domain::session::{RevokeReason, Session, SessionSummary};
use crate::domain::token::TokenKind;
use crate::domain::user::User;
use crate::error::{AccessError, Fault, RevokeSessionError};
use crate::rules::rotation::{self, Verdict};
use uuid::Uuid;

/// The caller behind a valid access token: its account and live session.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account.
    pub user: User,
    /// The session the access token belongs to.
    pub session: Session,
}

/// Which sessions a logout ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogoutScope {
    /// The caller's session only.
    #[default]
    Local,
    /// Every session of the user.
    Global,
    /// Every session but the caller's.
    Others,
}

impl Auth {
    /// Admits an access token: signature and claims, then its session must be active and its
    /// account enabled — so logout and revocation end access tokens at once, not at `exp`.
    pub async fn authenticate(&self, access_token: &str) -> Result<Principal, AccessError> {
        let now = self.now();
        let claims = self.ports.issuer.verify(access_token, TokenKind::Access, now)?;
        let Some((session, user)) = self.ports.tokens.find_session(claims.session_id).await? else {
            return Err(AccessError::Invalid("no such session".into()));
        };
        match rotation::access_denial(&session, &user, claims.user_id, now) {
            None => Ok(Principal { user, session }),
            Some(Verdict::AccountDisabled) => Err(AccessError::AccountDisabled),
            Some(Verdict::SessionRevoked) => Err(AccessError::SessionRevoked),
            Some(_) => Err(AccessError::Invalid("token is not of this session".into())),
        }
    }

    /// Ends sessions of the caller. With `Local`, a `refresh_token` (from the request body or
    /// the refresh-token cookie) ends its session too when it belongs to the caller; any other token there is
    /// ignored, so logout never fails because of a stale token.
    pub async fn logout(
        &self,
        principal: &Principal,
        scope: LogoutScope,
        refresh_token: Option<&str>,
    ) -> Result<(), Fault> {
        let now = self.now();
        let tokens = &self.ports.tokens;
        let (user_id, sid) = (principal.user.id, principal.session.id);
        match scope {
            LogoutScope::Local => {
                tokens.revoke_session(sid, RevokeReason::Logout, now).await?;
                if let Some(other) =
                    refresh_token.and_then(|t| self.own_refresh_session(t, user_id))
                {
                    tokens.revoke_session(other, RevokeReason::Logout, now).await?;
                }
            }
            LogoutScope::Global => {
                tokens.revoke_user_sessions(user_id, None, RevokeReason::Logout, now).await?;
            }
            LogoutScope::Others => {
                tokens.revoke_user_sessions(user_id, Some(sid), RevokeReason::Logout, now).await?;
            }
        }
        Ok(())
    }

    /// The session of a refresh token if it verifies and belongs to `user_id`.
    fn own_refresh_session(&self, token: &str, user_id: Uuid) -> Option<Uuid> {
        let claims = self.ports.issuer.verify(token, TokenKind::Refresh, self.now()).ok()?;
        (claims.user_id == user_id).then_some(claims.session_id)
    }

    /// The caller's active sessions, most recently used first.
    pub async fn list_sessions(&self, principal: &Principal) -> Result<Vec<SessionSummary>, Fault> {
        let now = self.now();
        let mut sessions: Vec<Session> = self
            .ports
            .tokens
            .unrevoked_sessions(principal.user.id)
            .await?
            .into_iter()
            .filter(|s| s.is_active(now))
            .collect();
        sessions.sort_by_key(|s| std::cmp::Reverse(s.last_used_at));
        Ok(sessions
            .into_iter()
            .map(|s| SessionSummary {
                id: s.id,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                expires_at: s.ends_at(),
                current: s.id == principal.session.id,
                user_agent: s.user_agent,
            })
            .collect())
    }

    /// Ends one of the caller's own active sessions; `NotFound` for anything else, so session
    /// ids of other users cannot be probed.
    pub async fn revoke_own_session(
        &self,
        principal: &Principal,
        session_id: Uuid,
    ) -> Result<(), RevokeSessionError> {
        let now = self.now();
        let owned_and_active = match self.ports.tokens.find_session(session_id).await? {
            Some((s, _)) => s.user_id == principal.user.id && s.is_active(now),
            None => false,
        };
        if !owned_and_active {
            return Err(RevokeSessionError::NotFound);
        }
        self.ports.tokens.revoke_session(session_id, RevokeReason::UserRevoked, now).await?;
        Ok(())
    }

    /// Deletes expired sessions, revoked ones older than `revoked_retention`, login counters
    /// whose lock and window are over, and expired second-factor challenges; returns how
    /// many rows went.
    pub async fn purge(&self) -> Result<u64, Fault> {
        let now = self.now();
        let sessions = self.ports.tokens.purge(now - self.policy.revoked_retention, now).await?;
        let counters =
            self.ports.users.purge_login_attempts(now, now - self.policy.lockout).await?;
        let challenges = self.ports.factors.purge_challenges(now).await?;
        Ok(sessions + counters + challenges)
    }
}
